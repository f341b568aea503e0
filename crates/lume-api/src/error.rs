//! Typed errors of the Lume client, each carrying the fix in its message.
//!
//! Lume's HTTP API has two traps this module exists to keep apart (`docs/lume-api.md`, "Errors"):
//! an unknown VM is **400** `{"message":"Virtual machine not found: X"}`, while **404** (plain text `Not found`)
//! only ever means an unknown route, i.e. a wrong Lume URL or path prefix. Conflating the two sends people
//! looking for a VM that exists behind a URL that is wrong. The messages reach people (CLI, doctor) and models
//! (tool results) unchanged, so each one says what happened and then, on a `hint:` line, what to do.
//! No message contains a VM's `vncUrl` (its password is a secret).

use std::time::Duration;

/// How many characters of a server's error body a message keeps.
const MAX_MESSAGE_CHARS: usize = 300;

/// An error from [`crate::LumeClient`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LumeError {
    /// The Lume base URL given to [`crate::LumeClient::new`] is unusable.
    #[error(
        "invalid Lume URL `{url}`: {reason}\n  hint: use the address of `lume serve`, e.g. http://127.0.0.1:7777"
    )]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A VM name that cannot be put in a request path (empty, `.` or `..`).
    #[error("invalid VM name `{name}`: {reason}\n  hint: use a name that `lume list` shows")]
    InvalidVmName {
        /// The name as given.
        name: String,
        /// Why it was rejected.
        reason: String,
    },

    /// Lume answered 400 `Virtual machine not found`: no VM of that name exists in Lume's storage.
    #[error(
        "VM '{name}' not found by Lume\n  hint: `lume list` shows the VMs; fix the VM name in the configuration"
    )]
    VmNotFound {
        /// The VM name that was asked for.
        name: String,
    },

    /// Lume's server answered 404: the route does not exist there, so the Lume URL (host, port or path prefix)
    /// is wrong, or the server at that address is not Lume's HTTP API. Never means "VM not found".
    #[error(
        "{url} answered 404 Not found: the Lume URL is wrong (host, port or path prefix) or the server there is not Lume's HTTP API\n  hint: `curl -s {base}/lume/vms` must list the VMs as JSON; fix the Lume URL, or start the API with `lume serve`"
    )]
    RouteNotFound {
        /// The full request URL that got the 404.
        url: String,
        /// The configured base URL (without a trailing slash), for the hint.
        base: String,
    },

    /// Nothing answered at the Lume URL: connection refused, or the host name does not resolve.
    #[error(
        "Lume HTTP server not reachable at {url}: {detail}\n  hint: start it with `lume serve` (it listens on 127.0.0.1:7777 by default), or fix the Lume URL"
    )]
    Unreachable {
        /// The request URL.
        url: String,
        /// The underlying network error's root cause, e.g. `Connection refused (os error 111)`.
        detail: String,
    },

    /// Lume did not answer within the request timeout.
    #[error(
        "Lume at {url} did not answer within {}\n  hint: check that `lume serve` is responsive (`curl -s {url}`), or raise the Lume request timeout",
        fmt_duration(*after)
    )]
    Timeout {
        /// The request URL.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },

    /// Lume answered with an error status other than the cases above; `message` is Lume's own text.
    #[error("Lume answered HTTP {status} for {url}: {message}\n  hint: {}", api_hint(*status))]
    Api {
        /// The request URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Lume's `{"message"}`, or the raw body when it is not JSON (truncated).
        message: String,
    },

    /// Lume answered success but the body is not the JSON this client expects.
    #[error(
        "{url} answered with a body this client cannot read: {detail}\n  hint: check that the Lume URL points at `lume serve` (`curl -s {url}`) and that Lume is 0.5 or newer"
    )]
    Decode {
        /// The request URL.
        url: String,
        /// What did not parse (never the body itself: it may hold a VNC password).
        detail: String,
    },

    /// Another transport failure (connection reset mid-reply, unsupported scheme, ...).
    #[error(
        "request to Lume at {url} failed: {detail}\n  hint: check the Lume URL and that `lume serve` is healthy"
    )]
    Transport {
        /// The request URL.
        url: String,
        /// The underlying error.
        detail: String,
    },
}

impl LumeError {
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
