//! Typed errors of the Lume client, each saying what happened and what to do about it.
//!
//! Lume's HTTP API has two traps this module exists to keep apart (`docs/lume-api.md`, "Errors"):
//! an unknown VM is **400** `{"message":"Virtual machine not found: X"}`, while **404** (plain text `Not found`)
//! only ever means an unknown route, i.e. a wrong Lume URL or path prefix. Conflating the two sends people
//! looking for a VM that exists behind a URL that is wrong. The texts reach people (CLI, doctor) and models
//! (tool results): [`LumeError::message`] says what happened, [`LumeError::hint`] what to do, kept apart so a
//! face can show the fix on its own without parsing text; `Display` joins them as `message` + `"\n  hint: "` +
//! `hint`, the layout every error of the workspace prints. No message contains a VM's `vncUrl` (its password
//! is a secret).

use std::fmt;
use std::time::Duration;

/// How many characters of a server's error body a message keeps.
const MAX_MESSAGE_CHARS: usize = 300;

/// An error from [`crate::LumeClient`].
///
/// The text of each variant is in [`LumeError::message`] and [`LumeError::hint`]; `Display` is the two joined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", self.message(), HintLine(self.hint()))]
#[non_exhaustive]
pub enum LumeError {
    /// The Lume base URL given to [`crate::LumeClient::new`] is unusable.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A VM name that cannot be put in a request path (empty, `.` or `..`).
    InvalidVmName {
        /// The name as given.
        name: String,
        /// Why it was rejected.
        reason: String,
    },

    /// Lume answered 400 `Virtual machine not found`: no VM of that name exists in Lume's storage.
    VmNotFound {
        /// The VM name that was asked for.
        name: String,
    },

    /// Lume's server answered 404: the route does not exist there, so the Lume URL (host, port or path prefix)
    /// is wrong, or the server at that address is not Lume's HTTP API. Never means "VM not found".
    RouteNotFound {
        /// The full request URL that got the 404.
        url: String,
        /// The configured base URL (without a trailing slash), for the hint.
        base: String,
    },

    /// Nothing answered at the Lume URL: connection refused, or the host name does not resolve.
    Unreachable {
        /// The request URL.
        url: String,
        /// The underlying network error's root cause, e.g. `Connection refused (os error 111)`.
        detail: String,
    },

    /// Lume did not answer within the request timeout.
    Timeout {
        /// The request URL.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },

    /// Lume answered with an error status other than the cases above; `message` is Lume's own text.
    Api {
        /// The request URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Lume's `{"message"}`, or the raw body when it is not JSON (truncated).
        message: String,
    },

    /// Lume answered success but the body is not the JSON this client expects.
    Decode {
        /// The request URL.
        url: String,
        /// What did not parse (never the body itself: it may hold a VNC password).
        detail: String,
    },

    /// Another transport failure (connection reset mid-reply, unsupported scheme, ...).
    Transport {
        /// The request URL.
        url: String,
        /// The underlying error.
        detail: String,
    },
}

impl LumeError {
    /// What happened, without what to do about it (that is [`LumeError::hint`]); `Display` prints this first.
    pub fn message(&self) -> String {
        match self {
            Self::InvalidUrl { url, reason } => format!("invalid Lume URL `{url}`: {reason}"),
            Self::InvalidVmName { name, reason } => format!("invalid VM name `{name}`: {reason}"),
            Self::VmNotFound { name } => format!("VM '{name}' not found by Lume"),
            Self::RouteNotFound { url, .. } => format!(
                "{url} answered 404 Not found: the Lume URL is wrong (host, port or path prefix) or the server there is not Lume's HTTP API"
            ),
            Self::Unreachable { url, detail } => {
                format!("Lume HTTP server not reachable at {url}: {detail}")
            }
            Self::Timeout { url, after } => {
                format!(
                    "Lume at {url} did not answer within {}",
                    fmt_duration(*after)
                )
            }
            Self::Api {
                url,
                status,
                message,
            } => format!("Lume answered HTTP {status} for {url}: {message}"),
            Self::Decode { url, detail } => {
                format!("{url} answered with a body this client cannot read: {detail}")
            }
            Self::Transport { url, detail } => format!("request to Lume at {url} failed: {detail}"),
        }
    }

    /// What to do about it, computed from the variant's data. Every Lume error has one, so this is `Some`
    /// today; it is an `Option` like the other errors' hints so callers treat them alike. Faces show it as the
    /// fix; `Display` prints it after the message as `"\n  hint: …"`.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::InvalidUrl { .. } => {
                "use the address of `lume serve`, e.g. http://127.0.0.1:7777".to_owned()
            }
            Self::InvalidVmName { .. } => "use a name that `lume list` shows".to_owned(),
            Self::VmNotFound { .. } => {
                "`lume list` shows the VMs; fix the VM name in the configuration".to_owned()
            }
            Self::RouteNotFound { base, .. } => format!(
                "`curl -s {base}/lume/vms` must list the VMs as JSON; fix the Lume URL, or start the API with `lume serve`"
            ),
            Self::Unreachable { .. } => "start it with `lume serve` (it listens on 127.0.0.1:7777 by default), or fix the Lume URL".to_owned(),
            Self::Timeout { url, .. } => format!(
                "check that `lume serve` is responsive (`curl -s {url}`), or raise the Lume request timeout"
            ),
            Self::Api { status, .. } => api_hint(*status).to_owned(),
            Self::Decode { url, .. } => format!(
                "check that the Lume URL points at `lume serve` (`curl -s {url}`) and that Lume is 0.5 or newer"
            ),
            Self::Transport { .. } => {
                "check the Lume URL and that `lume serve` is healthy".to_owned()
            }
        })
    }

    /// True if Lume says the VM does not exist ([`LumeError::VmNotFound`]).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::VmNotFound { .. })
    }

    /// True if the Lume URL is wrong: it answered 404 ([`LumeError::RouteNotFound`]).
    pub fn is_route_not_found(&self) -> bool {
        matches!(self, Self::RouteNotFound { .. })
    }

    /// True if nothing answered at the Lume URL ([`LumeError::Unreachable`]).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    /// True if Lume did not answer in time ([`LumeError::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// True if a success reply did not parse ([`LumeError::Decode`]).
    pub fn is_decode(&self) -> bool {
        matches!(self, Self::Decode { .. })
    }

    /// True if the URL or VM name was rejected before any request was sent.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::InvalidUrl { .. } | Self::InvalidVmName { .. })
    }

    /// True for failures that may go away by themselves (Lume starting up, busy, or a dropped connection), so
    /// a caller that polls may try again. Not-found, wrong URL, and API errors are not transient.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Timeout { .. } | Self::Transport { .. }
        )
    }

    /// The HTTP status Lume answered with, for errors that come from a reply.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::VmNotFound { .. } => Some(400),
            Self::RouteNotFound { .. } => Some(404),
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The hint's part of an error's text: `"\n  hint: "` and the hint, or nothing without one, so the fix reads on
/// its own indented line wherever the text is shown whole.
struct HintLine(Option<String>);

impl fmt::Display for HintLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(hint) => write!(f, "\n  hint: {hint}"),
            None => Ok(()),
        }
    }
}

/// What to do about an API error, by status class.
fn api_hint(status: u16) -> &'static str {
    if status >= 500 {
        "Lume failed internally; see the output of `lume serve` for details"
    } else {
        "fix the request as Lume's message says; the output of `lume serve` has details"
    }
}

/// `1.5s`, `200ms`: short and stable in messages.
pub(crate) fn fmt_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// Lume's error text from a reply body: its `{"message": ...}` if the body is such JSON, else the raw text;
/// trimmed and truncated so a large HTML page cannot flood a message.
pub(crate) fn error_message_from_body(body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned));
    let text = from_json.unwrap_or_else(|| body.trim().to_owned());
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    truncate_chars(&text, MAX_MESSAGE_CHARS)
}

/// At most `max` characters of `s`, with `…` when something was cut (never splits a character).
fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_is_taken_from_json() {
        assert_eq!(
            error_message_from_body(r#"{"message":"Virtual machine not found: my-vm"}"#),
            "Virtual machine not found: my-vm"
        );
    }

    #[test]
    fn message_falls_back_to_raw_text() {
        assert_eq!(
            error_message_from_body("Missing VM name\n"),
            "Missing VM name"
        );
        assert_eq!(
            error_message_from_body(r#"{"error":"x"}"#),
            r#"{"error":"x"}"#
        );
        assert_eq!(error_message_from_body("  "), "(empty body)");
    }

    #[test]
    fn long_bodies_are_truncated_on_char_boundaries() {
        let body = "é".repeat(1000);
        let msg = error_message_from_body(&body);
        assert_eq!(msg.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(msg.ends_with('…'));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(fmt_duration(Duration::from_millis(200)), "200ms");
        assert_eq!(fmt_duration(Duration::from_secs(5)), "5s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
    }

    /// The hint is its own part: present, not repeated in the message, and `Display` is exactly the two joined
    /// by the hint line (the text people and models always read).
    #[test]
    fn hints_are_separate_from_messages_and_displayed_after_them() {
        let errors = [
            LumeError::VmNotFound {
                name: "openclaw-vm".into(),
            },
            LumeError::RouteNotFound {
                url: "http://h:1/x/lume/vms/a".into(),
                base: "http://h:1/x".into(),
            },
            LumeError::Api {
                url: "http://h:1/lume/vms/a/run".into(),
                status: 500,
                message: "boom".into(),
            },
            LumeError::Timeout {
                url: "http://h:1/lume/vms".into(),
                after: Duration::from_secs(10),
            },
        ];
        for e in errors {
            let (message, hint) = (e.message(), e.hint());
            let Some(hint) = hint else {
                panic!("{e:?} has a hint")
            };
            assert!(!hint.is_empty() && !message.contains(&hint), "{e:?}");
            assert!(!message.contains("hint:"), "{message}");
            assert_eq!(e.to_string(), format!("{message}\n  hint: {hint}"));
        }
        assert_eq!(
            LumeError::VmNotFound { name: "vm".into() }.to_string(),
            "VM 'vm' not found by Lume\n  hint: `lume list` shows the VMs; fix the VM name in the configuration"
        );
    }

    #[test]
    fn not_found_and_wrong_route_read_differently() {
        let nf = LumeError::VmNotFound {
            name: "openclaw-vm".into(),
        }
        .to_string();
        assert!(nf.starts_with("VM 'openclaw-vm' not found"), "{nf}");
        assert!(nf.contains("`lume list`"), "{nf}");
        let route = LumeError::RouteNotFound {
            url: "http://h:1/x/lume/vms/a".into(),
            base: "http://h:1/x".into(),
        }
        .to_string();
        assert!(route.contains("Lume URL is wrong"), "{route}");
        assert!(route.contains("curl -s http://h:1/x/lume/vms"), "{route}");
        assert!(!route.contains("VM 'a' not found"), "{route}");
    }
}
