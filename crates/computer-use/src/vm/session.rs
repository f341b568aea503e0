//! One VM's live connections.
//!
//! Two lanes, because the server runs `run_command` concurrently across connections but blocks its event loop
//! on GUI commands: GUI input and screenshots stay strictly ordered on the **GUI lane**, while shell commands
//! and file transfers use the **shell lane**, so a 60-second build does not hold up a screenshot. Both lanes
//! resolve the VM's address independently before each (re)connect.

use std::sync::Arc;

use cua_protocol::{Client, ClientOptions, ConnectionState, Resolve};

use crate::config::{Provider, VmTarget};
use crate::coords::Frames;
use crate::vm::resolve::resolver_for;
use crate::vm::{HeldButtons, VmError};

/// What a session knows about its VM's reachability, for `status` output and errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Nothing tried yet (sessions connect on first use).
    NotConnected,
    /// A connection is being made.
    Connecting,
    /// Connected; the server reported this package version.
    Connected {
        /// Server package version.
        server: String,
        /// `host:port`.
        addr: String,
    },
    /// The last connection failed or broke; the next call reconnects.
    Disconnected {
        /// Why.
        reason: String,
    },
}

/// The connections to one VM's cua-computer-server.
pub struct VmSession {
    target: VmTarget,
    gui: Client,
    shell: Client,
    frames: Frames,
    held: HeldButtons,
}

impl std::fmt::Debug for VmSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VmSession")
            .field("vm", &self.target.name)
            .finish()
    }
}

impl VmSession {
    /// Creates the session (no network traffic until the first command). Needs a tokio runtime.
    pub fn new(target: VmTarget) -> Result<VmSession, VmError> {
        let resolver = resolver_for(&target)?;
        Ok(Self::with_resolver(target, resolver))
    }

    /// Like [`VmSession::new`] with an explicit resolver (tests).
    pub fn with_resolver(target: VmTarget, resolver: Arc<dyn Resolve>) -> VmSession {
        let opts = ClientOptions {
            connect_timeout: target.connect_timeout,
            command_timeout: target.command_timeout,
            ..ClientOptions::default()
        };
        let gui = Client::new(SharedResolver(resolver.clone()), opts.clone());
        let shell = Client::new(SharedResolver(resolver), opts);
        VmSession {
            target,
            gui,
            shell,
            frames: Frames::default(),
            held: HeldButtons::default(),
        }
    }

    /// The configured target.
    pub fn target(&self) -> &VmTarget {
        &self.target
    }

    /// The lane for GUI input and screenshots (strictly ordered).
    pub fn gui(&self) -> &Client {
        &self.gui
    }

    /// The lane for shell commands and file transfers.
    pub fn shell(&self) -> &Client {
        &self.shell
    }

    /// The calibration and the frames of the images returned for this VM.
    pub fn frames(&self) -> &Frames {
        &self.frames
    }

    /// The mouse buttons pressed on this VM and not released yet.
    pub fn held_buttons(&self) -> &HeldButtons {
        &self.held
    }

    /// The GUI lane's connection health.
    pub fn health(&self) -> Health {
        match self.gui.state() {
            ConnectionState::Idle => Health::NotConnected,
            ConnectionState::Connecting => Health::Connecting,
            ConnectionState::Connected { endpoint, version } => Health::Connected {
                server: version.package,
                addr: endpoint.addr(),
            },
            ConnectionState::Disconnected { reason } => Health::Disconnected { reason },
            ConnectionState::Closed => Health::Disconnected {
                reason: "closed".into(),
            },
        }
    }

    /// Rewords protocol errors where the provider knows the better fix.
    pub fn explain(&self, error: cua_protocol::Error) -> VmError {
        match (&self.target.provider, &error) {
            (Provider::Local { url }, cua_protocol::Error::ConnectRefused { .. }) => {
                VmError::LocalDesktopDown {
                    url: url.to_string(),
                }
            }
            _ => VmError::Protocol(error),
        }
    }
}

/// Adapts a shared resolver to the client's `impl Resolve` parameter.
struct SharedResolver(Arc<dyn Resolve>);

impl Resolve for SharedResolver {
    fn resolve(&self) -> cua_protocol::ResolveFuture<'_> {
        self.0.resolve()
    }
}
