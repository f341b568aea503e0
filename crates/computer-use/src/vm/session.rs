//! One VM's live connections.
//!
//! Two lanes, because the server runs `run_command` concurrently across connections but blocks its event loop
//! on GUI commands: GUI input and screenshots stay strictly ordered on the **GUI lane**, while shell commands
//! and file transfers use the **shell lane**, so a 60-second build does not hold up a screenshot. Both lanes
//! resolve the VM's address independently before each (re)connect.

use std::sync::Arc;
use std::time::Duration;

use cua_protocol::{Client, ClientOptions, ConnectionState, Disconnect, Resolve};

use crate::config::{Provider, VmTarget};
use crate::vm::guest::GuestOsCache;
use crate::vm::resolve::resolver_for;
use crate::vm::{HeldButtons, HeldKeys, VmError};
use coords::Frames;

/// What a session knows about its VM's reachability, for `vm_status`, `computer-use status` and errors.
///
/// Sessions connect lazily and reconnect by themselves on the next call, so every state but `Connected` is
/// "what the last attempt found", not a verdict: the next call tries again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Nothing tried yet (sessions connect on first use).
    NotConnected,
    /// The first connection is being made.
    Connecting,
    /// Connected; the server reported this package version.
    Connected {
        /// Server package version.
        server: String,
        /// `host:port`.
        addr: String,
    },
    /// The connection broke or was dropped on purpose (a timeout, a cancelled call, a restarted server); a new
    /// one is being made, or the next call makes it.
    Reconnecting {
        /// Why the last connection went.
        reason: String,
    },
    /// The provider reports the VM is not running (Lume: stopped, or still pulled or provisioned).
    VmNotRunning {
        /// The provider's message, with the command that starts it.
        reason: String,
    },
    /// Nothing answers at the server's address: refused, unreachable, or the connection attempt timed out.
    ServerDown {
        /// The connection error.
        reason: String,
    },
    /// The server stopped answering keepalive pings: frozen (e.g. the VM is suspended) or a half-open
    /// connection.
    Unresponsive {
        /// The keepalive's finding.
        reason: String,
    },
    /// Anything else that prevents a connection: Lume down or slow, the VM unknown or without an IP, the wrong
    /// path or port, an unsupported server, failed authentication.
    Unavailable {
        /// The error.
        reason: String,
    },
}

impl Health {
    /// The health of one lane.
    pub fn of(client: &Client) -> Health {
        match client.state() {
            ConnectionState::Idle => Health::NotConnected,
            ConnectionState::Connecting if client.connects() == 0 => Health::Connecting,
            ConnectionState::Connecting => Health::Reconnecting {
                reason: "a new connection is being made".into(),
            },
            ConnectionState::Connected { endpoint, version } => Health::Connected {
                server: version.package,
                addr: endpoint.addr(),
            },
            ConnectionState::Disconnected { reason, cause } => match cause {
                Disconnect::NotRunning => Health::VmNotRunning { reason },
                Disconnect::Unreachable => Health::ServerDown { reason },
                Disconnect::Unresponsive => Health::Unresponsive { reason },
                Disconnect::Lost | Disconnect::Discarded => Health::Reconnecting { reason },
                _ => Health::Unavailable { reason },
            },
            ConnectionState::Closed => Health::Unavailable {
                reason: "the session was closed".into(),
            },
        }
    }

    /// Stable snake_case name for structured output (`vm_status` details, `status --json`).
    pub fn state(&self) -> &'static str {
        match self {
            Health::NotConnected => "not_connected",
            Health::Connecting => "connecting",
            Health::Connected { .. } => "connected",
            Health::Reconnecting { .. } => "reconnecting",
            Health::VmNotRunning { .. } => "vm_not_running",
            Health::ServerDown { .. } => "server_down",
            Health::Unresponsive { .. } => "unresponsive",
            Health::Unavailable { .. } => "unavailable",
        }
    }

    /// Why the session is not connected, if it is not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Health::Reconnecting { reason }
            | Health::VmNotRunning { reason }
            | Health::ServerDown { reason }
            | Health::Unresponsive { reason }
            | Health::Unavailable { reason } => Some(reason),
            _ => None,
        }
    }

    /// `{"state": …, "reason"?, "server"?, "address"?}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({"state": self.state()});
        if let Some(reason) = self.reason() {
            v["reason"] = reason.into();
        }
        if let Health::Connected { server, addr } = self {
            v["server"] = server.as_str().into();
            v["address"] = addr.as_str().into();
        }
        v
    }
}

/// Short words for people: `connected`, `server down`, `VM not running`, ….
impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Health::NotConnected => "not connected",
            Health::Connecting => "connecting",
            Health::Connected { .. } => "connected",
            Health::Reconnecting { .. } => "reconnecting",
            Health::VmNotRunning { .. } => "VM not running",
            Health::ServerDown { .. } => "server down",
            Health::Unresponsive { .. } => "server not responding",
            Health::Unavailable { .. } => "unavailable",
        })
    }
}

/// The connections to one VM's cua-computer-server.
pub struct VmSession {
    target: VmTarget,
    gui: Client,
    shell: Client,
    frames: Frames,
    held: HeldButtons,
    held_keys: HeldKeys,
    guest_os: GuestOsCache,
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
        let opts = client_options(&target);
        let gui = Client::new(SharedResolver(resolver.clone()), opts.clone());
        let shell = Client::new(SharedResolver(resolver), opts);
        VmSession {
            target,
            gui,
            shell,
            frames: Frames::default(),
            held: HeldButtons::default(),
            held_keys: HeldKeys::default(),
            guest_os: GuestOsCache::default(),
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

    /// The keys pressed on this VM and not released yet.
    pub fn held_keys(&self) -> &HeldKeys {
        &self.held_keys
    }

    /// The guest OS once asked (see [`crate::vm::guest_os`]).
    pub fn guest_os_cache(&self) -> &GuestOsCache {
        &self.guest_os
    }

    /// The session's health: the GUI lane's (it carries most calls), or the shell lane's while the GUI lane
    /// has not been used yet.
    pub fn health(&self) -> Health {
        match Health::of(&self.gui) {
            Health::NotConnected => Health::of(&self.shell),
            gui => gui,
        }
    }

    /// Each lane's health: `(gui, shell)`.
    pub fn lane_health(&self) -> (Health, Health) {
        (Health::of(&self.gui), Health::of(&self.shell))
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

/// The longest silence the keepalive waits before it pings, and then for the answer: a frozen server is
/// declared dead after both, i.e. after at most 30 s of silence.
const KEEPALIVE_MAX: Duration = Duration::from_secs(15);
/// The shortest keepalive step (small command timeouts in tests).
const KEEPALIVE_MIN: Duration = Duration::from_secs(1);

/// The client options of a target's lanes. The keepalive follows the command timeout: half of it of silence
/// before a ping, the other half for the answer (each 1–15 s). A GUI command blocks the server's event loop
/// and with it the pongs, so a shorter keepalive would cut off commands that are merely slow; this one never
/// fires on a working command before the command's own time limit would, and still finds a frozen server
/// (a suspended VM, a half-open connection) within the command timeout, at most 30 s, even while idle.
fn client_options(target: &VmTarget) -> ClientOptions {
    let keepalive = (target.command_timeout / 2).clamp(KEEPALIVE_MIN, KEEPALIVE_MAX);
    ClientOptions {
        connect_timeout: target.connect_timeout,
        command_timeout: target.command_timeout,
        ping_interval: keepalive,
        pong_timeout: keepalive,
        ..ClientOptions::default()
    }
}

/// Adapts a shared resolver to the client's `impl Resolve` parameter.
struct SharedResolver(Arc<dyn Resolve>);

impl Resolve for SharedResolver {
    fn resolve(&self) -> cua_protocol::ResolveFuture<'_> {
        self.0.resolve()
    }
}
