//! A client for [cua-computer-server], the program that runs inside a VM (or on any desktop) and executes
//! screenshots, clicks, typing, shell commands and file operations for an agent.
//!
//! # Brief overview
//! - [`Client`] — the WebSocket transport (`ws://HOST:PORT/ws`): a cloneable handle to one connection task with
//!   exactly one command in flight, a fair FIFO queue, keepalive, lazy reconnects, and a typed method per
//!   server command.
//! - [`HttpClient`] — `POST /cmd` (fallback transport) and discovery (`GET /status`, `GET /commands`).
//! - [`Command`] — every request as one typed enum; [`Reply`] and the typed replies ([`Screenshot`],
//!   [`CommandOutput`], …) — the real reply shape (fields at the top level, `success` always checked).
//! - [`Error`] — typed, actionable errors; [`Error::outcome`] says whether a failed command may have run.
//!
//! This crate knows nothing of tools, models or VMs: it speaks the wire protocol. The address comes from a
//! [`Resolve`] implementation (a fixed [`Endpoint`], or the core's Lume lookup).
//!
//! ```no_run
//! # async fn demo() -> Result<(), cua_protocol::Error> {
//! let client = cua_protocol::Client::connect_url("ws://127.0.0.1:8000/ws")?;
//! let version = client.version().await?;
//! let size = client.screen_size().await?;
//! println!("server {} screen {}x{}", version.package, size.width, size.height);
//! # Ok(()) }
//! ```
//!
//! [cua-computer-server]: https://pypi.org/project/cua-computer-server/
#![deny(missing_docs)]

mod command;
mod endpoint;
mod error;
mod http;
mod reply;
mod ws;

pub use command::{Button, CaptureFormat, Command, CommandName, ScrollDirection};
pub use endpoint::{
    CloudAuth, Endpoint, Resolve, ResolveError, ResolveFuture, Secret, SharedResolver,
};
pub use error::{Error, Outcome};
pub use http::{CommandCatalog, CommandSpec, HttpClient, ParamSpec, ServerStatus};
pub use reply::{CommandOutput, ImageFormat, Point, Reply, Screenshot, Size, Version};
pub use ws::{Client, ClientOptions, ConnectionState, Disconnect};

/// The protocol version this client speaks (`version` → `protocol`).
pub const SUPPORTED_PROTOCOL: u64 = 1;
/// The oldest server package accepted (0.1.x lacks `launch`, `/commands` and a working `screenshot`).
pub const MIN_PACKAGE: &str = "0.3.0";
/// The server package the test suite runs against.
pub const TESTED_PACKAGE: &str = "0.3.46";
/// Largest request frame sent: well below the server's 16 MiB inbound limit (it closes with 1009 above it).
pub const MAX_REQUEST_BYTES: usize = 12 << 20;
