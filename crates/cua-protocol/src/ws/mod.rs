//! The WebSocket transport: a cheap cloneable [`Client`] handle and one task that owns the socket.
//!
//! The server has no request ids and answers strictly in order, so the task keeps **exactly one command in
//! flight**. Callers queue on a bounded FIFO channel (tokio's channel is fair: first come, first served). When
//! a command times out, is cancelled, gets an oversized reply, or the connection breaks, and when a frame
//! arrives that nobody asked for, the socket is discarded at once — a late reply can then never be taken for
//! the next command's. The next command reconnects (resolving the address again).

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
    /// The last socket was dropped, or the last connection attempt failed; the reason says why. The next
    /// command reconnects.
    Disconnected {
        /// Why, in words (the first line of the error).
        reason: String,
        /// Why, as a kind.
        cause: Disconnect,
    },
    /// The client was closed.
    Closed,
}

/// Why a client is [`ConnectionState::Disconnected`]: what a health report needs to tell "the VM is stopped"
/// from "the server is down" from "the server hangs" without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disconnect {
    /// The resolver says the machine is not running (e.g. Lume reports the VM stopped): nothing to connect to
    /// until it is started.
    NotRunning,
    /// The resolver could not produce an address for another reason (its directory service is down or slow,
    /// the machine is unknown or still booting).
    Unresolved,
    /// Nothing answered at the address: connection refused, host unreachable, or the attempt timed out.
    Unreachable,
    /// Something answered but refused the session: wrong path, not a cua-computer-server, an unsupported
    /// version, or failed authentication. Retrying will not help until the configuration or server changes.
    Rejected,
    /// The server stopped answering keepalive pings (frozen, or a half-open connection), or accepted a new
    /// connection but never answered its handshake.
    Unresponsive,
    /// The connection closed or broke (the server stopped or restarted, the network dropped).
    Lost,
    /// This client dropped a working connection on purpose so that no late reply can be misread: a command
    /// timed out, was cancelled, got a reply above the size limit, or the server sent a frame nobody asked for.
    Discarded,
}

impl Disconnect {
    /// The kind of a failed connection attempt.
    pub(crate) fn of_connect_error(e: &crate::Error) -> Disconnect {
        use crate::Error;
        match e {
            Error::Unresolved {
                not_running: true, ..
            } => Disconnect::NotRunning,
            Error::Unresolved { .. } => Disconnect::Unresolved,
            Error::ConnectRefused { .. } | Error::ConnectTimeout { .. } | Error::Connect { .. } => {
                Disconnect::Unreachable
            }
            Error::HandshakeTimeout { .. } => Disconnect::Unresponsive,
            _ => Disconnect::Rejected,
        }
    }
}
