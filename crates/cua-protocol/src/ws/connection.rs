//! One live WebSocket to the server: the handshake (with its error mapping), cloud authentication, the
//! version check, and reading with keepalive.
//!
//! Keepalive works like async-nats: any frame from the server proves the connection is alive; after
//! `ping_interval` of silence we send a PING, and if nothing at all arrives within `pong_timeout` after it the
//! connection counts as dead (a frozen or vanished peer leaves a half-open TCP connection that would otherwise
//! hang forever). Reading continuously also lets tungstenite answer the server's own PINGs (the server closes
//! with 1011 after 40 s without a PONG).

use std::time::Duration;

use futures_util::{FutureExt as _, SinkExt as _, StreamExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::endpoint::Endpoint;
use crate::error::{Error, truncate};
use crate::reply::{Reply, Version};
use crate::ws::ClientOptions;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What reading the socket produced.
#[derive(Debug)]
pub(crate) enum Event {
    /// A text frame (a reply).
    Text(String),
    /// The connection ended or must be abandoned; the text says why.
    Gone(String),
    /// The peer stopped answering keepalive pings (frozen or unreachable): reconnecting at once is futile.
    Unresponsive(String),
    /// A frame larger than `max_message_bytes` began to arrive; the rest of it is still in the socket, so the
    /// connection must be abandoned. The text says how large.
    TooLarge(String),
    /// The caller's deadline passed first.
    Deadline,
}

/// A connected, authenticated and version-checked socket.
pub(crate) struct Connection {
    ws: Ws,
    endpoint: Endpoint,
    version: Version,
    ping_interval: Duration,
    pong_timeout: Duration,
    last_rx: Instant,
    ping_sent: Option<Instant>,
}

impl Connection {
    /// Connects, authenticates when configured, and checks the server's `version`.
    pub(crate) async fn open(
        endpoint: Endpoint,
        opts: &ClientOptions,
        budget: Duration,
    ) -> Result<Connection, Error> {
        let url = endpoint.ws_url().to_string();
        let config = WebSocketConfig::default()
            .max_message_size(Some(opts.max_message_bytes))
            .max_frame_size(Some(opts.max_message_bytes));
        if cfg!(not(feature = "tls")) && endpoint.ws_url().scheme() == "wss" {
            return Err(Error::InvalidUrl {
                url,
                reason:
                    "wss:// needs TLS, which this build leaves out: build with `--features tls`"
                        .into(),
            });
        }
        let started = Instant::now();
        // TCP first, within the connect budget (a VM may still be coming up) ...
        let tcp = match tokio::time::timeout(budget, tcp_connect(&endpoint)).await {
            Err(_) => {
                return Err(Error::ConnectTimeout {
                    url,
                    addr: endpoint.addr(),
                    after: budget,
                });
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(Error::ConnectRefused {
                    addr: endpoint.addr(),
                    url,
                    port: endpoint.port(),
                });
            }
            Ok(Err(e)) => {
                return Err(Error::Connect {
                    url,
                    detail: e.to_string(),
                });
            }
            Ok(Ok(tcp)) => tcp,
        };
        let _ = tcp.set_nodelay(true);
        // ... then the upgrade, within the short handshake budget: a frozen server accepts TCP (the kernel
        // does) but never answers the upgrade, and that must not cost the whole connect budget.
        #[cfg(feature = "tls")]
        let handshake =
            tokio_tungstenite::client_async_tls_with_config(url.as_str(), tcp, Some(config), None);
        #[cfg(not(feature = "tls"))]
        let handshake = tokio_tungstenite::client_async_with_config(
            url.as_str(),
            MaybeTlsStream::Plain(tcp),
            Some(config),
        );
        // Both limits hold: the handshake's own, and what is left of the caller's connect budget.
        let handshake_limit = opts
            .handshake_timeout
            .min(budget.saturating_sub(started.elapsed()))
            .max(Duration::from_millis(100));
        let mut ws = match tokio::time::timeout(handshake_limit, handshake).await {
            Err(_) => {
                return Err(Error::HandshakeTimeout {
                    url,
                    addr: endpoint.addr(),
                    after: handshake_limit,
                });
            }
            Ok(Err(e)) => return Err(map_handshake_error(e, &endpoint)),
            Ok(Ok((ws, _response))) => ws,
        };
        let setup_deadline = Instant::now() + handshake_limit;
        if let Some(auth) = endpoint.auth() {
            let frame = serde_json::json!({
                "command": "authenticate",
                "params": {"api_key": auth.api_key.expose(), "container_name": auth.container_name},
            })
            .to_string();
            let text = roundtrip(&mut ws, frame, setup_deadline, &url).await?;
            match Reply::parse("authenticate", &text) {
                Ok(_) => {}
                Err(Error::CommandFailed { message, .. }) => {
                    return Err(Error::AuthFailed { message });
                }
                Err(_) => {
                    return Err(Error::NotCuaServer {
                        url,
                        detail: format!(
                            "unexpected answer to authenticate: {}",
                            truncate(&text, 120)
                        ),
                    });
                }
            }
        }
        let text = roundtrip(
            &mut ws,
            r#"{"command":"version"}"#.to_string(),
            setup_deadline,
            &url,
        )
        .await?;
        let version = check_version(&url, &text)?;
        let now = Instant::now();
        Ok(Connection {
            ws,
            endpoint,
            version,
            ping_interval: opts.ping_interval,
            pong_timeout: opts.pong_timeout,
            last_rx: now,
            ping_sent: None,
        })
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(crate) fn version(&self) -> &Version {
        &self.version
    }

    /// Sends one text frame.
    pub(crate) async fn send(&mut self, frame: String) -> Result<(), String> {
        self.ws
            .send(Message::text(frame))
            .await
            .map_err(|e| e.to_string())
    }

    /// Reads until a text frame, the end of the connection, or `deadline`, keeping the connection alive.
    ///
    /// Cancel-safe: dropping the future loses no frame (reads go through `StreamExt::next`).
    pub(crate) async fn next_event(&mut self, deadline: Option<Instant>) -> Event {
        loop {
            let keepalive_at = match self.ping_sent {
                Some(sent) => sent + self.pong_timeout,
                None => self.last_rx + self.ping_interval,
            };
            let wake = deadline.map_or(keepalive_at, |d| d.min(keepalive_at));
            tokio::select! {
                frame = self.ws.next() => {
                    self.last_rx = Instant::now();
                    self.ping_sent = None;
                    if let Some(event) = classify(frame) {
                        return event;
                    }
                }
                _ = tokio::time::sleep_until(wake) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Event::Deadline;
                    }
                    match self.ping_sent {
                        Some(sent) if Instant::now() >= sent + self.pong_timeout => {
                            return Event::Unresponsive(format!(
                                "no answer to a keepalive ping within {}: the server is frozen or unreachable",
                                crate::error::fmt_duration(self.pong_timeout)
                            ));
                        }
                        Some(_) => {}
                        None => {
                            tracing::trace!(addr = %self.endpoint.addr(), "keepalive ping");
                            if let Err(e) = self.ws.send(Message::Ping(Vec::new().into())).await {
                                return Event::Gone(format!("keepalive ping failed: {e}"));
                            }
                            self.ping_sent = Some(Instant::now());
                        }
                    }
                }
            }
        }
    }

    /// What the server sent while no command was in flight and is readable right now, without waiting: a
    /// frame that belongs to no command (the connection is out of step) or the connection's end (the server
    /// restarted between calls). `None` when nothing is pending. Checked before each send, because the idle
    /// loop may not have read the socket yet when the next command is already queued.
    pub(crate) fn pending(&mut self) -> Option<Event> {
        loop {
            let frame = self.ws.next().now_or_never()?;
            self.last_rx = Instant::now();
            self.ping_sent = None;
            if let Some(event) = classify(frame) {
                return Some(event);
            }
        }
    }

    /// Closes politely (best effort, bounded).
    pub(crate) async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_millis(200), self.ws.close(None)).await;
    }
}

/// What one read from the socket means; `None` for control frames (pings and pongs), which only prove the
/// connection is alive.
fn classify(frame: Option<Result<Message, tungstenite::Error>>) -> Option<Event> {
    let Some(frame) = frame else {
        return Some(Event::Gone("connection closed".into()));
    };
    Some(match frame {
        Ok(Message::Text(t)) => Event::Text(t.to_string()),
        Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => return None,
        Ok(Message::Binary(b)) => {
            Event::Gone(format!("unexpected binary frame of {} bytes", b.len()))
        }
        Ok(Message::Close(frame)) => Event::Gone(match frame {
            Some(f) => format!(
                "server closed the connection ({} {})",
                u16::from(f.code),
                f.reason
            ),
            None => "server closed the connection".into(),
        }),
        Err(tungstenite::Error::Capacity(c)) => Event::TooLarge(c.to_string()),
        Err(e) => Event::Gone(describe_ws_error(&e)),
    })
}

/// Opens the TCP connection (IPv6 literals without their brackets).
async fn tcp_connect(endpoint: &Endpoint) -> std::io::Result<TcpStream> {
    let port = endpoint.port();
    match endpoint.ws_url().host() {
        Some(url::Host::Ipv4(ip)) => TcpStream::connect((ip, port)).await,
        Some(url::Host::Ipv6(ip)) => TcpStream::connect((ip, port)).await,
        Some(url::Host::Domain(name)) => TcpStream::connect((name, port)).await,
        None => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no host in the URL",
        )),
    }
}

/// Sends one frame and waits for one text reply during connection set-up.
async fn roundtrip(
    ws: &mut Ws,
    frame: String,
    deadline: Instant,
    url: &str,
) -> Result<String, Error> {
    let lost = |detail: String| Error::Connect {
        url: url.to_string(),
        detail,
    };
    ws.send(Message::text(frame))
        .await
        .map_err(|e| lost(e.to_string()))?;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => {
                return Err(Error::NotCuaServer {
                    url: url.to_string(),
                    detail: "no answer to `version` after the WebSocket handshake".into(),
                });
            }
            Ok(Some(Ok(Message::Text(t)))) => return Ok(t.to_string()),
            Ok(Some(Ok(Message::Close(f)))) => {
                return Err(lost(match f {
                    Some(f) => format!("closed during set-up ({} {})", u16::from(f.code), f.reason),
                    None => "closed during set-up".into(),
                }));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => return Err(lost(describe_ws_error(&e))),
            Ok(None) => return Err(lost("closed during set-up".into())),
        }
    }
}

/// Checks the `version` reply: protocol 1 and a package at least [`crate::MIN_PACKAGE`].
fn check_version(url: &str, text: &str) -> Result<Version, Error> {
    let reply = match Reply::parse("version", text) {
        Ok(r) => r,
        Err(Error::CommandFailed { message, .. }) if message.contains("authentication") => {
            return Err(Error::AuthRequired);
        }
        Err(Error::CommandFailed { message, .. }) if message.contains("CONTAINER_NAME") => {
            return Err(Error::AuthRequired);
        }
        Err(Error::CommandFailed { message, .. }) if message.contains("Unknown command") => {
            return Err(Error::Unsupported {
                url: url.to_string(),
                protocol: "none".into(),
                package: "unknown (no `version` command)".into(),
            });
        }
        Err(e) => {
            return Err(Error::NotCuaServer {
                url: url.to_string(),
                detail: format!("its answer to `version` was not understood: {e}"),
            });
        }
    };
    let version: Version = reply.decode().map_err(|e| Error::NotCuaServer {
        url: url.to_string(),
        detail: e.to_string(),
    })?;
    let protocol_ok = version.protocol.as_u64() == Some(crate::SUPPORTED_PROTOCOL);
    if !protocol_ok || !version.package_at_least(crate::MIN_PACKAGE) {
        return Err(Error::Unsupported {
            url: url.to_string(),
            protocol: version.protocol.to_string(),
            package: version.package,
        });
    }
    Ok(version)
}

fn map_handshake_error(e: tungstenite::Error, endpoint: &Endpoint) -> Error {
    let url = endpoint.ws_url().to_string();
    match e {
        tungstenite::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Error::ConnectRefused {
                addr: endpoint.addr(),
                url,
                port: endpoint.port(),
            }
        }
        tungstenite::Error::Http(response) => {
            let status = response.status().as_u16();
            if status == 403 {
                Error::WrongPath { url }
            } else {
                let body = response
                    .body()
                    .as_deref()
                    .map(|b| truncate(&String::from_utf8_lossy(b), 120))
                    .unwrap_or_default();
                Error::NotCuaServer {
                    url,
                    detail: format!("HTTP {status} to the WebSocket upgrade {body}")
                        .trim_end()
                        .to_string(),
                }
            }
        }
        tungstenite::Error::Url(u) => Error::InvalidUrl {
            url,
            reason: u.to_string(),
        },
        tungstenite::Error::Protocol(p) => Error::NotCuaServer {
            url,
            detail: format!("not a WebSocket server ({p})"),
        },
        tungstenite::Error::HttpFormat(h) => Error::NotCuaServer {
            url,
            detail: format!("not an HTTP server ({h})"),
        },
        other => Error::Connect {
            url,
            detail: describe_ws_error(&other),
        },
    }
}

fn describe_ws_error(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Capacity(c) => format!("reply too large ({c})"),
        tungstenite::Error::Io(io) => format!("I/O error: {io}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_reply_checks() {
        let url = "ws://h:1/ws";
        assert!(check_version(url, r#"{"success":true,"protocol":1,"package":"0.3.46"}"#).is_ok());
        assert!(matches!(
            check_version(url, r#"{"success":true,"protocol":1,"package":"0.1.25"}"#),
            Err(Error::Unsupported { .. })
        ));
        assert!(matches!(
            check_version(url, r#"{"success":true,"protocol":2,"package":"0.9.0"}"#),
            Err(Error::Unsupported { .. })
        ));
        assert!(matches!(
            check_version(
                url,
                r#"{"success":false,"error":"First message must be authentication"}"#
            ),
            Err(Error::AuthRequired)
        ));
        assert!(matches!(
            check_version(url, "hello"),
            Err(Error::NotCuaServer { .. })
        ));
    }
}
