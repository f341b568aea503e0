//! MCP over streamable HTTP: rmcp's `StreamableHttpService` at `/mcp`, a `/health` probe, and the guard in
//! front of `/mcp`.
//!
//! Whoever can call these tools can drive the VM (type, click, run shell commands), so:
//! - loopback is the default, and binding any other address is refused without a bearer token
//!   (`--token` or `COMPUTER_USE_MCP_TOKEN`); a token, when set, is required on every `/mcp` request;
//! - `Host` must be a loopback name, the bound address or an `--allow-host` name, and a browser `Origin`
//!   must name one of those hosts (both defeat DNS rebinding from a web page);
//! - `/health` answers without any of that and reveals only the name and version.
//!
//! The bound address is printed on stderr (`listening on http://ADDR/mcp`), so `ADDR` may use port 0.
//! SIGTERM and Ctrl-C stop accepting, end open streams, and give running calls a moment to clean up.

use std::net::SocketAddr;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::mcp::{McpServer, SHUTDOWN_GRACE, shutdown_signal};

/// Host names every server accepts.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Shortest bearer token accepted: a guessable token is no protection.
const MIN_TOKEN_LEN: usize = 16;

/// How long open connections may take to finish after a shutdown signal before we stop waiting.
const CONNECTION_GRACE: Duration = Duration::from_secs(10);

/// What `serve --http` was given.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    /// The bearer token clients must send; required unless `addr` is loopback.
    pub token: Option<String>,
    /// Extra `Host` names to accept (the names clients use to reach this machine).
    pub allow_hosts: Vec<String>,
}

/// Serves until SIGTERM or Ctrl-C.
pub async fn serve(server: McpServer, options: HttpOptions) -> anyhow::Result<()> {
    let guard = Arc::new(Guard::new(&options)?);
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another server using the port? Pick another ADDR (port 0 picks a free one)",
                options.addr
            )
        })?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;

    let stop = CancellationToken::new();
    let mcp_config = StreamableHttpServerConfig::default()
        // The same names again, inside rmcp (bracketed IPv6, which its parser needs).
        .with_allowed_hosts(guard.hosts.iter().map(|h| {
            if h.contains(':') {
                format!("[{h}]")
            } else {
                h.clone()
            }
        }))
        .with_cancellation_token(stop.child_token());
    let factory = server.clone();
    let mcp = StreamableHttpService::new(
        move || Ok(factory.for_session()),
        Arc::new(LocalSessionManager::default()),
        mcp_config,
    );
    let app = Router::new()
        .nest_service("/mcp", mcp)
        .layer(middleware::from_fn_with_state(guard.clone(), admit))
        .route("/health", get(health));

    // Machine-readable on purpose (tests and scripts read the port from it); never contains the token.
    eprintln!("computer-use: MCP server listening on http://{local}/mcp");
    tracing::info!(
        hosts = ?guard.hosts,
        token = guard.token.is_some(),
        "accepting these Host names"
    );

    let stopped = stop.clone();
    let serving = axum::serve(listener, app).with_graceful_shutdown(async move {
        let name = shutdown_signal().await;
        tracing::info!("{name}: stopping the MCP HTTP server");
        stopped.cancel();
    });
    let result = tokio::select! {
        r = serving => r.context("the HTTP server failed"),
        () = async { stop.cancelled().await; tokio::time::sleep(CONNECTION_GRACE).await } => {
            tracing::warn!("connections still open {CONNECTION_GRACE:?} after the shutdown signal; closing them");
            Ok(())
        }
    };
    stop.cancel();
    server.drain(SHUTDOWN_GRACE).await;
    result
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "ok": true,
        "name": "computer-use",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// The checks in front of `/mcp`.
struct Guard {
    token: Option<String>,
    /// Lower-case host names without brackets or ports.
    hosts: Vec<String>,
}

impl Guard {
    fn new(options: &HttpOptions) -> anyhow::Result<Guard> {
        let ip = options.addr.ip();
        let token = options.token.clone();
        match &token {
            None if !ip.is_loopback() => bail!(
                "refusing to serve MCP on {} without a bearer token: anyone who can reach that address could \
                 drive the VM. Set COMPUTER_USE_MCP_TOKEN (or pass --token; command lines are visible to other \
                 users), e.g. COMPUTER_USE_MCP_TOKEN=$(openssl rand -hex 32), or bind 127.0.0.1",
                options.addr
            ),
            Some(t) if t.chars().count() < MIN_TOKEN_LEN => bail!(
                "the bearer token is too short ({} characters): use at least {MIN_TOKEN_LEN}, e.g. \
                 COMPUTER_USE_MCP_TOKEN=$(openssl rand -hex 32)",
                t.chars().count()
            ),
            Some(t) if t.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                bail!("the bearer token must not contain spaces or control characters")
            }
            _ => {}
        }
        let mut hosts: Vec<String> = LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect();
        if !ip.is_unspecified() {
            hosts.push(ip.to_string());
        }
        for host in &options.allow_hosts {
            let host = normalize_host(host);
            if host.is_empty() || host.contains(['/', ' ', '@']) {
                bail!(
                    "--allow-host `{host}` is not a host name or IP address (no scheme, port or path)"
                );
            }
            hosts.push(host);
        }
        hosts.sort();
        hosts.dedup();
        if ip.is_unspecified() && options.allow_hosts.is_empty() {
            tracing::warn!(
                "listening on {ip}, but only loopback Host names are accepted; add --allow-host NAME for each \
                 name or address clients use to reach this machine"
            );
        }
        Ok(Guard { token, hosts })
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.hosts.contains(&host)
    }

    /// `Ok` when the request may reach the MCP service, else why not.
    fn check(&self, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
        let authority = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Authority::from_str(v).ok())
            .or_else(|| uri.authority().cloned());
        let Some(authority) = authority else {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "Bad Request: missing or malformed Host header",
            ));
        };
        if !self.host_allowed(authority.host()) {
            tracing::warn!(host = %authority, "refused a request for a Host that is not allowed");
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                format!(
                    "Forbidden: Host `{}` is not allowed (allowed: {}); start the server with --allow-host {}",
                    authority.host(),
                    self.hosts.join(", "),
                    authority.host()
                ),
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin_host = origin
                .to_str()
                .ok()
                .and_then(|o| Uri::from_str(o).ok())
                .filter(|u| matches!(u.scheme_str(), Some("http" | "https")))
                .and_then(|u| u.host().map(str::to_string));
            if !origin_host.is_some_and(|h| self.host_allowed(&h)) {
                tracing::warn!(origin = ?origin, "refused a request from a foreign Origin");
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    "Forbidden: the Origin header names a host this server does not accept",
                ));
            }
        }
        if let Some(token) = &self.token {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim());
            if !presented.is_some_and(|t| same_secret(t.as_bytes(), token.as_bytes())) {
                return Err(Refusal::new(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized: send `Authorization: Bearer <token>` with the token this server was started \
                     with (COMPUTER_USE_MCP_TOKEN or --token)",
                ));
            }
        }
        Ok(())
    }
}

/// Why a request was turned away.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }

    fn into_response(self) -> Response {
        let mut response = (self.status, self.message).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

async fn admit(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    match guard.check(request.uri(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

fn normalize_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// Compares secrets in time independent of where they differ (the length is not secret).
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(addr: &str, token: Option<&str>, allow: &[&str]) -> HttpOptions {
        HttpOptions {
            addr: addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}")),
            token: token.map(str::to_string),
            allow_hosts: allow.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                *k,
                HeaderValue::from_str(v).unwrap_or_else(|e| panic!("{v}: {e}")),
            );
        }
        map
    }

    fn status(guard: &Guard, pairs: &[(&'static str, &str)]) -> u16 {
        match guard.check(&Uri::from_static("/mcp"), &headers(pairs)) {
            Ok(()) => 200,
            Err(r) => r.into_response().status().as_u16(),
        }
    }

    const TOKEN: &str = "0123456789abcdef0123";

    #[test]
    fn non_loopback_needs_a_long_enough_token() {
        let Err(e) = Guard::new(&options("0.0.0.0:0", None, &[])) else {
            panic!("must refuse");
        };
        assert!(e.to_string().contains("COMPUTER_USE_MCP_TOKEN"), "{e}");
        let Err(e) = Guard::new(&options("192.0.2.1:0", Some("short"), &[])) else {
            panic!("must refuse");
        };
        assert!(e.to_string().contains("too short"), "{e}");
        assert!(Guard::new(&options("127.0.0.1:0", None, &[])).is_ok());
        assert!(Guard::new(&options("[::1]:0", None, &[])).is_ok());
        assert!(Guard::new(&options("0.0.0.0:0", Some(TOKEN), &[])).is_ok());
    }

    #[test]
    fn host_origin_and_token_are_checked() -> anyhow::Result<()> {
        let guard = Guard::new(&options("192.0.2.7:8765", Some(TOKEN), &["vm-host.lan"]))?;
        let auth = format!("Bearer {TOKEN}");
        let auth = auth.as_str();
        assert_eq!(
            status(
                &guard,
                &[("host", "127.0.0.1:8765"), ("authorization", auth)]
            ),
            200
        );
        assert_eq!(
            status(
                &guard,
                &[("host", "192.0.2.7:8765"), ("authorization", auth)]
            ),
            200
        );
        assert_eq!(
            status(&guard, &[("host", "[::1]:8765"), ("authorization", auth)]),
            200
        );
        assert_eq!(
            status(&guard, &[("host", "VM-HOST.lan"), ("authorization", auth)]),
            200
        );
        assert_eq!(
            status(
                &guard,
                &[("host", "evil.example:8765"), ("authorization", auth)]
            ),
            403
        );
        assert_eq!(status(&guard, &[("authorization", auth)]), 400);
        assert_eq!(
            status(
                &guard,
                &[
                    ("host", "localhost"),
                    ("origin", "http://localhost:3000"),
                    ("authorization", auth)
                ]
            ),
            200
        );
        assert_eq!(
            status(
                &guard,
                &[
                    ("host", "localhost"),
                    ("origin", "https://evil.example"),
                    ("authorization", auth)
                ]
            ),
            403
        );
        assert_eq!(
            status(
                &guard,
                &[
                    ("host", "localhost"),
                    ("origin", "null"),
                    ("authorization", auth)
                ]
            ),
            403
        );
        assert_eq!(status(&guard, &[("host", "localhost")]), 401);
        let Err(refusal) = guard.check(
            &Uri::from_static("/mcp"),
            &headers(&[("host", "localhost")]),
        ) else {
            panic!("a request without a token must be refused");
        };
        let response = refusal.into_response();
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(
            status(
                &guard,
                &[("host", "localhost"), ("authorization", "Bearer wrong")]
            ),
            401
        );
        assert_eq!(
            status(
                &guard,
                &[
                    ("host", "localhost"),
                    ("authorization", &format!("Basic {TOKEN}"))
                ]
            ),
            401
        );
        assert_eq!(
            status(
                &guard,
                &[
                    ("host", "localhost"),
                    ("authorization", &format!("bearer {TOKEN}"))
                ]
            ),
            200
        );
        Ok(())
    }

    #[test]
    fn loopback_without_token_checks_only_host() -> anyhow::Result<()> {
        let guard = Guard::new(&options("127.0.0.1:0", None, &[]))?;
        assert_eq!(status(&guard, &[("host", "localhost:1234")]), 200);
        assert_eq!(status(&guard, &[("host", "127.0.0.1.nip.io")]), 403);
        Ok(())
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
