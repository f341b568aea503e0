//! Where the server is: a WebSocket URL, the matching HTTP base, and optional cloud credentials.
//!
//! The address is looked up again before every (re)connect through [`Resolve`], because a VM that restarted
//! may have a new DHCP lease. The wire crate knows nothing of Lume: the core supplies a resolver that asks it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use url::Url;

use crate::error::{Error, HintLine};

/// A secret string (API key) whose `Debug`/`Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Cloud-mode credentials: sent as the first frame (`authenticate`) or as HTTP headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudAuth {
    /// Must equal the server's `CONTAINER_NAME`.
    pub container_name: String,
    /// The API key.
    pub api_key: Secret,
}

/// A resolved server address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    ws: Url,
    http: Url,
    auth: Option<CloudAuth>,
}

impl Endpoint {
    /// Parses `ws://HOST:PORT/PATH` or `wss://…`. The path is kept as given (the server needs `/ws`).
    pub fn parse(ws_url: &str) -> Result<Endpoint, Error> {
        let invalid = |reason: &str| Error::InvalidUrl {
            url: ws_url.to_string(),
            reason: reason.to_string(),
        };
        let ws = Url::parse(ws_url).map_err(|e| invalid(&e.to_string()))?;
        let http_scheme = match ws.scheme() {
            "ws" => "http",
            "wss" => "https",
            other => return Err(invalid(&format!("scheme `{other}` is not ws or wss"))),
        };
        if ws.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        if ws.path() == "/" || ws.path().is_empty() {
            return Err(invalid(
                "no path (cua-computer-server serves WebSocket at /ws)",
            ));
        }
        let mut http = ws.clone();
        http.set_query(None);
        http.set_fragment(None);
        // `set_scheme` refuses ws→http only for special/non-special mixes; both are special here.
        http.set_scheme(http_scheme)
            .map_err(|()| invalid("cannot derive the HTTP address"))?;
        // The HTTP endpoints live at the root: strip the WebSocket path's last segment.
        let base_path = match ws.path().rsplit_once('/') {
            Some((head, _)) if !head.is_empty() => format!("{head}/"),
            _ => "/".to_string(),
        };
        http.set_path(&base_path);
        Ok(Endpoint {
            ws,
            http,
            auth: None,
        })
    }

    /// Builds `ws://host:port/path` from parts.
    pub fn from_parts(host: &str, port: u16, path: &str, tls: bool) -> Result<Endpoint, Error> {
        let scheme = if tls { "wss" } else { "ws" };
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        Endpoint::parse(&format!("{scheme}://{host}:{port}{path}"))
    }

    /// Adds cloud credentials.
    pub fn with_auth(mut self, auth: Option<CloudAuth>) -> Endpoint {
        self.auth = auth;
        self
    }

    /// The WebSocket URL.
    pub fn ws_url(&self) -> &Url {
        &self.ws
    }

    /// The HTTP base (`http://host:port/`), for `/cmd`, `/status`, `/commands`.
    pub fn http_base(&self) -> &Url {
        &self.http
    }

    /// Cloud credentials, if any.
    pub fn auth(&self) -> Option<&CloudAuth> {
        self.auth.as_ref()
    }

    /// `host:port` for messages.
    pub fn addr(&self) -> String {
        format!(
            "{}:{}",
            self.ws.host_str().unwrap_or("?"),
            self.ws.port_or_known_default().unwrap_or(0)
        )
    }

    /// The port (for hints).
    pub fn port(&self) -> u16 {
        self.ws.port_or_known_default().unwrap_or(0)
    }
}

/// A boxed future returned by [`Resolve::resolve`].
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Endpoint, ResolveError>> + Send + 'a>>;

/// Why an endpoint could not be resolved: what happened and what to do, from the resolver (e.g. "VM 'x' is
/// not running. Start it with: …"), passed through unchanged into [`crate::Error::Unresolved`]. Displays like
/// every error of this crate: the message, then `"\n  hint: "` and the hint when there is one.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}{}", HintLine(hint.as_deref()))]
pub struct ResolveError {
    /// What happened, already actionable on its own.
    pub message: String,
    /// What to do about it, when the resolver knows something the message does not say.
    pub hint: Option<String>,
    /// Whether waiting and trying again may help (VM booting) or not (VM not found).
    pub transient: bool,
    /// The machine itself is not running (a stopped VM): health reports say "stopped", not "unreachable".
    pub not_running: bool,
}

/// Looks up the server's address before each connection attempt.
pub trait Resolve: Send + Sync + 'static {
    /// Returns the endpoint to connect to now.
    fn resolve(&self) -> ResolveFuture<'_>;
}

impl Resolve for Endpoint {
    fn resolve(&self) -> ResolveFuture<'_> {
        let e = self.clone();
        Box::pin(async move { Ok(e) })
    }
}

/// A shared resolver.
pub type SharedResolver = Arc<dyn Resolve>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_base_is_derived_from_the_ws_url() {
        let e = Endpoint::parse("ws://127.0.0.1:8000/ws").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.http_base().as_str(), "http://127.0.0.1:8000/");
        assert_eq!(e.addr(), "127.0.0.1:8000");
        let e =
            Endpoint::parse("wss://box.example:8443/prefix/ws").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.http_base().as_str(), "https://box.example:8443/prefix/");
    }

    #[test]
    fn rejects_missing_path_and_wrong_scheme() {
        assert!(Endpoint::parse("ws://127.0.0.1:8000").is_err());
        assert!(Endpoint::parse("http://127.0.0.1:8000/ws").is_err());
        assert!(Endpoint::parse("not a url").is_err());
    }

    #[test]
    fn from_parts_brackets_ipv6() {
        let e = Endpoint::from_parts("::1", 8000, "ws", false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.ws_url().as_str(), "ws://[::1]:8000/ws");
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk-123");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
    }
}
