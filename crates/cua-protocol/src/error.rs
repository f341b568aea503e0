//! Errors of the cua-computer-server client, split by phase (connecting versus running a command).
//!
//! Every error says what happened ([`Error::message`]) and, when there is something to do about it, what to do
//! ([`Error::hint`]): these texts reach people (CLI, doctor) and models (tool results). They are kept apart so
//! a face can show the fix on its own (the doctor's `fix:` line) without parsing text; `Display` joins them as
//! `message` + `"\n  hint: "` + `hint`, the one layout every error of the workspace prints. Two properties
//! matter more than the wording:
//! - whether the command may have run on the server ([`Error::outcome`]): a click whose reply was lost must
//!   never be replayed, so callers need to know "not sent" from "sent, result unknown";
//! - no secret (API key) ever appears in a message or a hint.

use std::fmt;
use std::time::Duration;

/// Whether a failed command reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The command was never sent: retrying it cannot duplicate an effect.
    NotSent,
    /// The command was sent and the server answered with a failure: it ran (or was rejected) exactly once.
    Failed,
    /// The command was sent but no reply arrived (connection lost, timeout, cancelled): it may or may not have
    /// taken effect. Re-observe (take a screenshot) before trying again.
    Unknown,
}

/// An error from [`crate::Client`] or [`crate::HttpClient`].
///
/// The text of each variant is in [`Error::message`] and [`Error::hint`]; `Display` is the two joined.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", self.message(), HintLine(self.hint()))]
#[non_exhaustive]
pub enum Error {
    /// The URL given for the server is unusable.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },

    /// The server's address could not be found (e.g. the VM is stopped or still booting). The message and the
    /// hint come from the resolver ([`crate::ResolveError`]) and are already actionable.
    Unresolved {
        /// The resolver's message.
        message: String,
        /// The resolver's hint, if it has one.
        hint: Option<String>,
        /// Whether trying again later may help.
        transient: bool,
        /// The resolver says the machine is not running (see [`crate::ResolveError::not_running`]).
        not_running: bool,
    },

    /// TCP connection refused: nothing listens on that address.
    ConnectRefused {
        /// `host:port`.
        addr: String,
        /// The WebSocket URL.
        url: String,
        /// The port, for the hint.
        port: u16,
    },

    /// The connection attempt did not finish in time.
    ConnectTimeout {
        /// The WebSocket URL.
        url: String,
        /// `host:port`.
        addr: String,
        /// The limit that ran out.
        after: Duration,
    },

    /// TCP connected but the WebSocket handshake got no answer in time: the server process exists but does not
    /// run (frozen, a suspended VM) or is overloaded.
    HandshakeTimeout {
        /// The WebSocket URL.
        url: String,
        /// `host:port`.
        addr: String,
        /// The limit that ran out.
        after: Duration,
    },

    /// Another network failure while connecting (DNS, unreachable host, reset during the handshake).
    Connect {
        /// The WebSocket URL.
        url: String,
        /// The underlying error.
        detail: String,
    },

    /// The server answered the WebSocket upgrade with HTTP 403: the path is wrong.
    WrongPath {
        /// The WebSocket URL that was refused.
        url: String,
    },

    /// The peer is not a cua-computer-server (wrong port, another service, a proxy).
    NotCuaServer {
        /// The URL that was tried.
        url: String,
        /// What was seen instead.
        detail: String,
    },

    /// The server speaks an older or newer protocol than this client supports.
    Unsupported {
        /// The URL.
        url: String,
        /// Reported `protocol`.
        protocol: String,
        /// Reported `package`.
        package: String,
    },

    /// Cloud authentication was refused.
    AuthFailed {
        /// The server's reason (never contains the key).
        message: String,
    },

    /// The server expects cloud authentication but none is configured.
    AuthRequired,

    /// The server ran the command and reported a failure.
    CommandFailed {
        /// The command name.
        command: &'static str,
        /// The server's `error`/`message` text.
        message: String,
        /// The server's `code`, if any (e.g. `unsupported_in_vnc`).
        code: Option<String>,
    },

    /// The server does not offer this command (older server, VNC backend, other OS).
    CommandUnavailable {
        /// The command name.
        command: String,
        /// A note about why (e.g. "VNC backend").
        backend: Option<String>,
        /// Comma-separated list of available commands.
        available: String,
    },

    /// No reply within the command's time limit. The connection was discarded.
    Timeout {
        /// The command name.
        command: &'static str,
        /// The limit.
        after: Duration,
        /// Whether the command had been sent.
        sent: bool,
    },

    /// A `run_command` exceeded its own server-side timeout; the server killed the process.
    RemoteTimeout {
        /// The shell command (as sent).
        command: String,
        /// The timeout in seconds.
        timeout_s: u64,
    },

    /// The connection closed or broke before the reply arrived.
    ConnectionLost {
        /// The command name.
        command: &'static str,
        /// Whether the command had been sent.
        sent: bool,
        /// What happened (close code, I/O error, missed pong).
        detail: String,
    },

    /// The caller gave up (cancelled) while the command was in flight.
    Cancelled {
        /// The command name.
        command: &'static str,
        /// Whether it had been sent.
        sent: bool,
    },

    /// The server's reply could not be understood.
    Protocol {
        /// The command name.
        command: &'static str,
        /// What was wrong (truncated).
        detail: String,
    },

    /// The reply was larger than the client accepts ([`crate::ClientOptions::max_message_bytes`]). The
    /// connection was dropped (the rest of the reply was still on it); the command is not sent again.
    ReplyTooLarge {
        /// The command name.
        command: &'static str,
        /// The sizes, as the WebSocket layer reports them.
        detail: String,
    },

    /// The client was closed.
    Closed,

    /// An HTTP-level failure of the `/cmd`, `/status` or `/commands` endpoints.
    Http {
        /// The URL.
        url: String,
        /// HTTP status, when there was one.
        status: Option<u16>,
        /// The body's `detail`, or the transport error.
        detail: String,
    },

    /// An argument was rejected before sending (e.g. an oversize frame).
    InvalidArgument {
        /// The command name.
        command: &'static str,
        /// What is wrong and the valid range.
        detail: String,
    },
}

impl Error {
    /// What happened, without what to do about it (that is [`Error::hint`]). One or a few sentences naming
    /// the address, command or limit involved; `Display` prints this first.
    pub fn message(&self) -> String {
        match self {
            Error::InvalidUrl { url, reason } => format!("invalid server URL `{url}`: {reason}"),
            Error::Unresolved { message, .. } => message.clone(),
            Error::ConnectRefused { addr, url, .. } => format!(
                "connection refused at {addr} ({url}): cua-computer-server is not listening there"
            ),
            Error::ConnectTimeout { url, after, .. } => {
                format!("connecting to {url} timed out after {}", fmt_duration(*after))
            }
            Error::HandshakeTimeout { url, addr, after } => format!(
                "cua-computer-server at {addr} accepted the connection but did not answer the WebSocket handshake within {}: it is frozen (a paused or suspended VM?) or overloaded ({url})",
                fmt_duration(*after)
            ),
            Error::Connect { url, detail } => format!("cannot connect to {url}: {detail}"),
            Error::WrongPath { url } => format!(
                "the server at {url} refused the WebSocket upgrade (HTTP 403): wrong path"
            ),
            Error::NotCuaServer { url, detail } => {
                format!("{url} does not look like a cua-computer-server: {detail}")
            }
            Error::Unsupported {
                url,
                protocol,
                package,
            } => format!(
                "cua-computer-server {package} (protocol {protocol}) at {url} is not supported: need protocol {} and package >= {}",
                crate::SUPPORTED_PROTOCOL,
                crate::MIN_PACKAGE
            ),
            Error::AuthFailed { message } => {
                format!("authentication with the server failed: {message}")
            }
            Error::AuthRequired => "the server requires authentication (it runs in container mode: CONTAINER_NAME is set in its environment)".to_owned(),
            Error::CommandFailed {
                command, message, ..
            } => format!("`{command}` failed on the server: {message}"),
            Error::CommandUnavailable {
                command, backend, ..
            } => format!(
                "the server does not support `{command}`{}",
                backend
                    .as_deref()
                    .map(|b| format!(" ({b})"))
                    .unwrap_or_default()
            ),
            Error::Timeout {
                command,
                after,
                sent,
            } => format!(
                "`{command}` got no reply within {}; the connection was dropped{}",
                fmt_duration(*after),
                if *sent {
                    ". It may or may not have taken effect: observe the screen before retrying"
                } else {
                    ""
                }
            ),
            Error::RemoteTimeout { command, timeout_s } => {
                format!("`{command}` was killed by the server after its {timeout_s}s timeout")
            }
            Error::ConnectionLost {
                command,
                sent,
                detail,
            } => format!(
                "connection to the server lost {} `{command}`: {detail}",
                if *sent { "after sending" } else { "before sending" }
            ),
            Error::Cancelled { command, sent } => format!(
                "`{command}` was cancelled{}",
                if *sent {
                    " after it was sent; it may or may not have taken effect"
                } else {
                    " before it was sent"
                }
            ),
            Error::Protocol { command, detail } => {
                format!("unexpected reply to `{command}`: {detail}")
            }
            Error::ReplyTooLarge { command, detail } => format!(
                "the reply to `{command}` is larger than this client accepts ({detail}); the connection was dropped"
            ),
            Error::Closed => "the client was closed".to_owned(),
            Error::Http { url, detail, .. } => format!("HTTP request to {url} failed: {detail}"),
            Error::InvalidArgument { command, detail } => {
                format!("invalid argument for `{command}`: {detail}")
            }
        }
    }

    /// What to do about it, computed from the variant's data; `None` when the message is all there is to say
    /// (a server-side failure, a cancelled call). Faces show it as the fix; `Display` prints it after the
    /// message as `"\n  hint: …"`.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::InvalidUrl { .. } => "use ws://HOST:PORT/ws (or wss:// for TLS)".to_owned(),
            Error::Unresolved { hint, .. } => return hint.clone(),
            Error::ConnectRefused { port, .. } => format!(
                "start it so that it listens on an address this host can reach, on that port: inside a VM `cua-computer-server --host 0.0.0.0 --port {port}` (its default bind is 127.0.0.1, which the host cannot reach); servers newer than 0.3.46 refuse that bind without `CUA_ALLOW_UNAUTHENTICATED_REMOTE=1` (or `CONTAINER_NAME` in container mode), so prefix the command with it — the server then has no authentication, keep it on a host-only network"
            ),
            Error::ConnectTimeout { addr, .. } => format!(
                "check that the VM is running and reachable from this host (firewall, network mode) and that the server listens on {addr}"
            ),
            Error::HandshakeTimeout { .. } => {
                "check that the VM is running, not paused; the next call tries again".to_owned()
            }
            Error::Connect { .. } => {
                "check the host name/IP and that the server is running".to_owned()
            }
            Error::WrongPath { .. } => {
                "cua-computer-server serves WebSocket only at /ws, e.g. ws://HOST:PORT/ws".to_owned()
            }
            Error::NotCuaServer { .. } => {
                r#"check the port; cua-computer-server answers GET /status with {"status":"ok",...}"#
                    .to_owned()
            }
            Error::Unsupported { .. } => format!(
                "install a current server in the VM: `pip install \"cua-computer-server=={}\"` with Python 3.12 or 3.13 (on 3.11 pip silently installs 0.1.25)",
                crate::TESTED_PACKAGE
            ),
            Error::AuthFailed { .. } => "check the container name and the API key (the key is read from the environment or key file named in the config); Cua Cloud has ended, so `authenticate` only serves self-hosted containers: the key is the one your container was started with".to_owned(),
            Error::AuthRequired => "configure `cloud.containerName` and an API key, or start the server without CONTAINER_NAME (Cua Cloud has ended: `authenticate` serves self-hosted containers only)".to_owned(),
            Error::CommandUnavailable { available, .. } => {
                format!("this server offers: {available}")
            }
            Error::ConnectionLost { sent: true, .. } => {
                "it may or may not have taken effect; observe (take a screenshot) before retrying"
                    .to_owned()
            }
            Error::ReplyTooLarge { .. } => "ask for less (a smaller screen region, a file in chunks); the command ran on the server, so do not simply repeat an action".to_owned(),
            Error::CommandFailed { .. }
            | Error::Timeout { .. }
            | Error::RemoteTimeout { .. }
            | Error::ConnectionLost { sent: false, .. }
            | Error::Cancelled { .. }
            | Error::Protocol { .. }
            | Error::Closed
            | Error::Http { .. }
            | Error::InvalidArgument { .. } => return None,
        };
        Some(hint)
    }

    /// Whether the failed command may have reached the server; see [`Outcome`].
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::CommandFailed { .. } | Error::RemoteTimeout { .. } => Outcome::Failed,
            Error::Timeout { sent: true, .. }
            | Error::ConnectionLost { sent: true, .. }
            | Error::Cancelled { sent: true, .. }
            | Error::ReplyTooLarge { .. } => Outcome::Unknown,
            Error::Http {
                status: Some(200), ..
            } => Outcome::Unknown,
            _ => Outcome::NotSent,
        }
    }

    /// True for failures to establish a connection (safe to retry: nothing was sent).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Error::ConnectRefused { .. }
                | Error::Unresolved { .. }
                | Error::ConnectTimeout { .. }
                | Error::HandshakeTimeout { .. }
                | Error::Connect { .. }
                | Error::WrongPath { .. }
                | Error::NotCuaServer { .. }
                | Error::Unsupported { .. }
                | Error::AuthFailed { .. }
                | Error::AuthRequired
        )
    }

    /// True when a time limit ran out.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Timeout { .. }
                | Error::ConnectTimeout { .. }
                | Error::HandshakeTimeout { .. }
                | Error::RemoteTimeout { .. }
        )
    }

    /// True when the connection broke (the next call reconnects).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Error::ConnectionLost { .. })
    }
}

/// The hint's part of an error's text: `"\n  hint: "` and the hint, or nothing without one. Every error of this
/// crate (and [`crate::ResolveError`]) displays as its message followed by this, so the fix reads on its own
/// indented line wherever the text is shown whole.
pub(crate) struct HintLine<T>(pub(crate) Option<T>);

impl<T: fmt::Display> fmt::Display for HintLine<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(hint) => write!(f, "\n  hint: {hint}"),
            None => Ok(()),
        }
    }
}

/// `1.5s`, `250ms`, `60s`: short and exact.
pub(crate) fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{ms}ms")
    }
}

/// Shortens peer-provided text before it goes into an error message.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_short() {
        assert_eq!(fmt_duration(Duration::from_secs(60)), "60s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let s = "ééééé";
        let t = truncate(s, 3);
        assert!(t.starts_with('é'));
        assert!(t.contains("10 bytes"));
    }

    #[test]
    fn refused_names_the_fix() {
        let e = Error::ConnectRefused {
            addr: "192.168.64.5:5000".into(),
            url: "ws://192.168.64.5:5000/ws".into(),
            port: 5000,
        };
        let text = e.to_string();
        assert!(text.contains("192.168.64.5:5000"));
        assert!(text.contains("--host 0.0.0.0 --port 5000"));
        assert_eq!(e.outcome(), Outcome::NotSent);
    }

    /// The hint is its own part: present, not repeated in the message, and `Display` is exactly the two joined
    /// by the hint line (the text people and models always read).
    #[test]
    fn hints_are_separate_from_messages_and_displayed_after_them() {
        let hinted = [
            Error::ConnectRefused {
                addr: "10.0.0.2:5000".into(),
                url: "ws://10.0.0.2:5000/ws".into(),
                port: 5000,
            },
            Error::WrongPath {
                url: "ws://h:8000/x".into(),
            },
            Error::NotCuaServer {
                url: "ws://h:8000/ws".into(),
                detail: "GET /status answered 404".into(),
            },
            Error::Unresolved {
                message: "VM 'a' is still booting".into(),
                hint: Some("wait and retry".into()),
                transient: true,
                not_running: false,
            },
            Error::ConnectionLost {
                command: "left_click",
                sent: true,
                detail: "closed".into(),
            },
        ];
        for e in hinted {
            let (message, hint) = (e.message(), e.hint());
            let Some(hint) = hint else {
                panic!("{e:?} has a hint")
            };
            assert!(!hint.is_empty() && !message.contains(&hint), "{e:?}");
            assert!(!message.contains("hint:"), "{message}");
            assert_eq!(e.to_string(), format!("{message}\n  hint: {hint}"));
        }
        let refused = Error::ConnectRefused {
            addr: "10.0.0.2:5000".into(),
            url: "ws://10.0.0.2:5000/ws".into(),
            port: 5000,
        };
        assert_eq!(
            refused.to_string(),
            "connection refused at 10.0.0.2:5000 (ws://10.0.0.2:5000/ws): cua-computer-server is not listening there\n  hint: start it so that it listens on an address this host can reach, on that port: inside a VM `cua-computer-server --host 0.0.0.0 --port 5000` (its default bind is 127.0.0.1, which the host cannot reach); servers newer than 0.3.46 refuse that bind without `CUA_ALLOW_UNAUTHENTICATED_REMOTE=1` (or `CONTAINER_NAME` in container mode), so prefix the command with it — the server then has no authentication, keep it on a host-only network"
        );
    }

    #[test]
    fn errors_without_a_hint_display_their_message_alone() {
        for e in [
            Error::ConnectionLost {
                command: "left_click",
                sent: false,
                detail: "closed".into(),
            },
            Error::CommandFailed {
                command: "run_command",
                message: "no such file".into(),
                code: None,
            },
            Error::Closed,
        ] {
            assert_eq!(e.hint(), None, "{e:?}");
            assert_eq!(e.to_string(), e.message());
        }
    }

    #[test]
    fn resolve_errors_carry_their_hint_into_unresolved() {
        let resolved = crate::ResolveError {
            message: "Lume did not answer".into(),
            hint: Some("check `lume serve`".into()),
            transient: true,
            not_running: false,
        };
        assert_eq!(
            resolved.to_string(),
            "Lume did not answer\n  hint: check `lume serve`"
        );
        let plain = crate::ResolveError {
            hint: None,
            ..resolved.clone()
        };
        assert_eq!(plain.to_string(), "Lume did not answer");
    }

    #[test]
    fn lost_after_send_is_ambiguous() {
        let e = Error::ConnectionLost {
            command: "left_click",
            sent: true,
            detail: "closed".into(),
        };
        assert_eq!(e.outcome(), Outcome::Unknown);
        assert!(e.to_string().contains("may or may not have taken effect"));
    }
}
