//! A **scripted fake** cua-computer-server WebSocket peer, for the replies the real server never sends:
//! malformed or truncated JSON, a frame cut off mid-way, an oversized reply, a frame nobody asked for, a reply
//! that never comes. Everything the real server *can* do is tested against the real server
//! ([`crate::desktop`]); this exists only for the rest.
//!
//! It answers every `version` like the real server (protocol 1, package 0.3.46; those frames are neither
//! counted nor scripted, so a test can connect with `client.version()`), and takes one [`Step`] from the
//! script for every other frame, in arrival order across all connections. When the script runs out it stays silent. It counts and keeps the command
//! frames it received, so a test can prove that nothing was sent twice.
//!
//! ```no_run
//! # async fn demo() {
//! use testkit::scripted_ws::{ScriptedServer, Step};
//! let server = ScriptedServer::start(vec![Step::reply(r#"{"success":true}"#), Step::Silent]).await;
//! let url = server.url(); // ws://127.0.0.1:PORT/ws
//! # let _ = url;
//! assert_eq!(server.received(), 0);
//! # }
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// What the real server answers to `version` (0.3.46, protocol 1).
pub const VERSION_REPLY: &str = r#"{"success":true,"protocol":1,"package":"0.3.46"}"#;

/// How the peer answers one command frame.
#[derive(Debug, Clone)]
pub enum Step {
    /// One text frame, after `delay`.
    Reply {
        /// The frame's text.
        text: String,
        /// Wait this long before answering.
        delay: Duration,
    },
    /// The reply, then `extra`, a frame nobody asked for, `after` later (an unsolicited frame on an idle
    /// connection).
    ReplyThen {
        /// The reply.
        reply: String,
        /// The frame nobody asked for.
        extra: String,
        /// The gap between them.
        after: Duration,
    },
    /// After `delay`, the reply and `extra` in one write, so they arrive together (a duplicated reply).
    Duplicate {
        /// The reply.
        reply: String,
        /// The frame nobody asked for.
        extra: String,
        /// Wait this long before answering.
        delay: Duration,
    },
    /// After `delay`, the reply and a close frame in one write, then the connection is dropped (a server that
    /// stops or restarts right after answering).
    ReplyThenClose {
        /// The reply.
        reply: String,
        /// Wait this long before answering.
        delay: Duration,
    },
    /// Writes the header of a text frame holding `text` but only the first half of its payload, then closes
    /// the TCP connection (a server that dies while sending).
    CutOff(String),
    /// Closes the connection without answering.
    Close,
    /// Never answers (a reply that never comes); the connection stays open.
    Silent,
}

impl Step {
    /// A frame sent at once.
    pub fn reply(text: impl Into<String>) -> Step {
        Step::Reply {
            text: text.into(),
            delay: Duration::ZERO,
        }
    }

    /// A frame sent after `delay`.
    pub fn delayed(delay: Duration, text: impl Into<String>) -> Step {
        Step::Reply {
            text: text.into(),
            delay,
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    script: Mutex<VecDeque<Step>>,
    received: Mutex<Vec<String>>,
    connections: AtomicUsize,
}

/// A running scripted peer on `127.0.0.1` (a free port). Stops when dropped.
#[derive(Debug)]
pub struct ScriptedServer {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts the peer with `script`.
    ///
    /// # Panics
    /// If no loopback port can be bound (the test cannot run then).
    pub async fn start(script: Vec<Step>) -> ScriptedServer {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("scripted_ws: cannot listen on 127.0.0.1: {e}"),
        };
        let url = match listener.local_addr() {
            Ok(addr) => format!("ws://{addr}/ws"),
            Err(e) => panic!("scripted_ws: no local address: {e}"),
        };
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            ..Shared::default()
        });
        let accept = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                let Ok(ws) = tokio_tungstenite::accept_async(sock).await else {
                    continue;
                };
                accept.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(ws, Arc::clone(&accept)));
            }
        });
        ScriptedServer { url, shared, task }
    }

    /// `ws://127.0.0.1:PORT/ws`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// How many command frames arrived (set-up `version` frames excluded).
    pub fn received(&self) -> usize {
        self.frames().len()
    }

    /// The command frames that arrived, in order.
    pub fn frames(&self) -> Vec<String> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many WebSocket connections were accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Appends steps to the script.
    pub fn push(&self, steps: impl IntoIterator<Item = Step>) {
        self.shared
            .script
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(steps);
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection until it closes or a step ends it.
async fn serve(mut ws: WebSocketStream<TcpStream>, shared: Arc<Shared>) {
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Text(text) = msg else { continue };
        if text.contains("\"command\":\"version\"") {
            if ws.send(Message::text(VERSION_REPLY)).await.is_err() {
                return;
            }
            continue;
        }
        shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(text.to_string());
        let step = shared
            .script
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
            .unwrap_or(Step::Silent);
        match step {
            Step::Reply { text, delay } => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                if ws.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            Step::ReplyThen {
                reply,
                extra,
                after,
            } => {
                if ws.send(Message::text(reply)).await.is_err() {
                    return;
                }
                tokio::time::sleep(after).await;
                if ws.send(Message::text(extra)).await.is_err() {
                    return;
                }
            }
            Step::Duplicate {
                reply,
                extra,
                delay,
            } => {
                tokio::time::sleep(delay).await;
                let _ = ws.feed(Message::text(reply)).await;
                let _ = ws.feed(Message::text(extra)).await;
                if ws.flush().await.is_err() {
                    return;
                }
            }
            Step::ReplyThenClose { reply, delay } => {
                tokio::time::sleep(delay).await;
                let _ = ws.feed(Message::text(reply)).await;
                let _ = ws.feed(Message::Close(None)).await;
                let _ = ws.flush().await;
                return;
            }
            Step::CutOff(text) => {
                let payload = text.as_bytes();
                let mut frame = frame_header(payload.len());
                frame.extend_from_slice(&payload[..payload.len() / 2]);
                let tcp = ws.get_mut();
                let _ = tcp.write_all(&frame).await;
                let _ = tcp.flush().await;
                let _ = tcp.shutdown().await;
                return;
            }
            Step::Close => {
                let _ = ws.close(None).await;
                return;
            }
            Step::Silent => {}
        }
    }
}

/// The header of an unmasked, final text frame (RFC 6455 section 5.2) with a payload of `len` bytes.
fn frame_header(len: usize) -> Vec<u8> {
    let mut header = vec![0x81];
    match len {
        0..=125 => header.push(len as u8),
        126..=0xFFFF => {
            header.push(126);
            header.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            header.push(127);
            header.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_headers_use_the_three_length_forms() {
        assert_eq!(frame_header(5), vec![0x81, 5]);
        assert_eq!(frame_header(300), vec![0x81, 126, 1, 44]);
        assert_eq!(frame_header(70_000)[..2], [0x81, 127]);
        assert_eq!(frame_header(70_000).len(), 10);
    }
}
