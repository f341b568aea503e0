//! The local desktop as a provider lifecycle: Xvfb + openbox + the real cua-computer-server on loopback,
//! started ([`up`]), looked at ([`status`]) and stopped ([`down`]) by the `computer-use vm` commands for the
//! `local` provider and by the test harness (`testkit::desktop`), with one implementation.
//!
//! Like `lume-api` for Lume, this crate knows the provider and nothing of tools, MCP or OpenClaw.
//!
//! - Each part runs in its own process group, so stopping a part stops what it started, and is recorded
//!   with its pid *and* start time in the state directory ([`StateDir`]), so a reused pid is never killed.
//! - Readiness is observed, not guessed: Xvfb accepts connections (and its lock is its own), openbox sets the EWMH properties, the
//!   server holds its listening socket and answers `GET /status`.
//! - A display or port held by someone else is its own error ([`Error::DisplayTaken`],
//!   [`Error::PortTaken`]; exit status 3 and 4 of `computer-use vm up`), so callers retry other numbers.
//! - What must be installed is checked first, and the error names `scripts/bootstrap`.
//! - [`Supervision`] says what else ends the desktop: nothing (a developer's desktop), an owner process
//!   watched by a watchdog (scripts), or this process itself (tests).
//!
//! Blocking: every call blocks the calling thread (a start-up takes 2–6 s, nearly all of it the server's
//! Python start-up); async callers use `spawn_blocking`.

mod config;
mod error;
mod lifecycle;
mod logs;
mod net;
mod openbox;
mod prereqs;
mod proc;
mod server;
mod spawn;
mod state;
pub mod watchdog;
mod xvfb;

pub use config::{
    DEFAULT_DISPLAY, DEFAULT_PORT, DEFAULT_READY_TIMEOUT, DesktopConfig, Display, SERVER_VERSION,
    Screen, parse_port, state_dir_from,
};
pub use error::{EXIT_DISPLAY_TAKEN, EXIT_PORT_TAKEN, Error};
pub use lifecycle::{Desktop, PartState, Progress, ServerSignal, Status, Up, down, status, up};
pub use prereqs::bootstrap_command;
pub use proc::{ProcRef, group_alive, process_alive};
pub use state::{State, StateDir};
pub use watchdog::WatchdogHost;

/// What ends a desktop besides [`down`].
#[derive(Debug, Clone, Default)]
pub enum Supervision {
    /// Nothing: it runs until `down` (a developer's or the quickstart's desktop).
    #[default]
    None,
    /// A watchdog process runs `down` once process `pid` has exited (scripts that may be killed outright).
    Owner {
        /// The owner's pid.
        pid: u32,
        /// How to run the watchdog.
        host: WatchdogHost,
    },
    /// The parts die with the process that calls [`up`] (a test process, even when SIGKILLed), through
    /// Linux's parent-death signal; no watchdog process is needed.
    TiedToThisProcess,
}
