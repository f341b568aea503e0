//! The WebSocket transport: a cheap cloneable [`Client`] handle and one task that owns the socket.
//!
//! The server has no request ids and answers strictly in order, so the task keeps **exactly one command in
//! flight**. Callers queue on a bounded FIFO channel (tokio's channel is fair: first come, first served). When
//! a command times out, is cancelled, or the connection breaks, the socket is discarded at once — a late reply
//! can then never be taken for the next command's. The next command reconnects (resolving the address again).

mod actor;
mod client;
mod connection;

use std::time::Duration;

pub use client::Client;

use crate::endpoint::Endpoint;
use crate::reply::Version;

/// Tunables of a [`Client`]; every default lives here.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Budget for establishing one connection (resolve + TCP + WebSocket handshake), all attempts together.
    pub connect_timeout: Duration,
    /// Budget for the authenticate/version exchange right after the handshake.
    pub handshake_timeout: Duration,
    /// Default time limit for one command's reply.
    pub command_timeout: Duration,
    /// Send a PING after this much silence from the server.
    pub ping_interval: Duration,
    /// After a PING, declare the connection dead if nothing arrives within this.
    pub pong_timeout: Duration,
    /// Connection attempts per command before giving up (refused / reset / unreachable only).
    pub connect_attempts: u32,
    /// Callers that may wait in the queue; more wait for a free place (backpressure).
    pub queue_capacity: usize,
    /// Largest reply accepted (a base64 screenshot arrives in one frame).
    pub max_message_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(60),
            ping_interval: Duration::from_secs(15),
            pong_timeout: Duration::from_secs(15),
            connect_attempts: 3,
            queue_capacity: 256,
            max_message_bytes: 256 << 20,
        }
    }
}

/// The connection's state, published on a watch channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// No socket yet (connects lazily on the first command).
    Idle,
    /// A connection attempt is running.
    Connecting,
    /// Connected to this endpoint, which reported this version.
    Connected {
        /// Where.
        endpoint: Box<Endpoint>,
        /// What the server reported.
        version: Version,
    },
    /// The last socket was dropped; the reason says why. The next command reconnects.
    Disconnected {
        /// Why.
        reason: String,
    },
    /// The client was closed.
    Closed,
}
