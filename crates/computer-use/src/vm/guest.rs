//! Which operating system the VM's server runs on, asked once per session (`GET /status` → `os_type`).
//!
//! Input differs by guest: on Linux the server types characters missing from the keyboard layout through
//! borrowed keycodes that applications may decode wrongly, and sends letter keys without the Super
//! modifier; on macOS it types Unicode strings directly. Tools that work around one guest's limits ask here.

use std::sync::Mutex;
use std::time::Duration;

use cua_protocol::{ConnectionState, HttpClient};

use crate::vm::VmSession;

/// How long asking the server's OS may take.
const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// The guest's operating system as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuestOs {
    /// `linux` (X11: pynput through Xlib).
    Linux,
    /// `darwin`.
    MacOs,
    /// Another value (`windows`, `android`, …).
    Other(String),
    /// The server did not say (no `os_type`, or `GET /status` failed). Remembered like an answer, so a server
    /// whose HTTP side is unreachable does not cost a time-out on every call.
    Unknown,
}

impl GuestOs {
    /// From `os_type`.
    pub fn from_os_type(os: &str) -> GuestOs {
        match os {
            "linux" => GuestOs::Linux,
            "darwin" | "macos" => GuestOs::MacOs,
            other => GuestOs::Other(other.to_owned()),
        }
    }

    /// How results name it.
    pub fn name(&self) -> &str {
        match self {
            GuestOs::Linux => "Linux",
            GuestOs::MacOs => "macOS",
            GuestOs::Other(os) => os,
            GuestOs::Unknown => "unknown",
        }
    }
}

/// The session's remembered answer.
#[derive(Debug, Default)]
pub struct GuestOsCache(Mutex<Option<GuestOs>>);

impl GuestOsCache {
    fn get(&self) -> Option<GuestOs> {
        match self.0.lock() {
            Ok(os) => os.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, os: GuestOs) {
        match self.0.lock() {
            Ok(mut slot) => *slot = Some(os),
            Err(poisoned) => *poisoned.into_inner() = Some(os),
        }
    }
}

/// The guest's OS: remembered, or asked over HTTP at the GUI lane's connected address. Call it after the GUI
/// lane has connected (any command on it); before that it is [`GuestOs::Unknown`] (not remembered).
pub async fn guest_os(session: &VmSession) -> GuestOs {
    if let Some(os) = session.guest_os_cache().get() {
        return os;
    }
    let ConnectionState::Connected { endpoint, .. } = session.gui().state() else {
        return GuestOs::Unknown;
    };
    let timeout = session.target().command_timeout.min(ASK_TIMEOUT);
    let os = match HttpClient::new(*endpoint, timeout) {
        Ok(http) => match http.status().await {
            Ok(status) => status
                .os_type
                .as_deref()
                .map_or(GuestOs::Unknown, GuestOs::from_os_type),
            Err(e) => {
                tracing::debug!(error = %e, "could not ask the server's OS");
                GuestOs::Unknown
            }
        },
        Err(_) => GuestOs::Unknown,
    };
    session.guest_os_cache().set(os.clone());
    os
}
