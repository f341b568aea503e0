//! Errors of the VM layer: the protocol's errors, re-worded where the provider knows a better fix.

use crate::config::ConfigError;

/// An error reaching or driving a VM.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VmError {
    /// The configuration does not name a usable VM.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Nothing listens where the local desktop's server should be.
    #[error(
        "nothing listens at {url}: the local desktop is not running\n  hint: start it with `computer-use vm up` (Xvfb + openbox + cua-computer-server on loopback), or configure `provider`/`serverUrl` to reach a running cua-computer-server"
    )]
    LocalDesktopDown {
        /// The loopback URL.
        url: String,
    },
    /// The Lume API refused or failed.
    #[error(transparent)]
    Lume(#[from] lume_api::LumeError),
    /// A lifecycle action is not possible for this VM.
    #[error("{0}")]
    Lifecycle(String),
    /// The local desktop could not be started, checked or stopped.
    #[error(transparent)]
    LocalDesktop(#[from] local_desktop::Error),
    /// The server (or the way to it) failed.
    #[error(transparent)]
    Protocol(#[from] cua_protocol::Error),
}

impl VmError {
    /// Whether the failed action may have reached the server (see [`cua_protocol::Outcome`]).
    pub fn outcome(&self) -> cua_protocol::Outcome {
        match self {
            VmError::Protocol(e) => e.outcome(),
            _ => cua_protocol::Outcome::NotSent,
        }
    }
}
