//! One connection attempt to a VM's server, for checks that must report a refused connection at once (the
//! doctor) rather than retry for the whole connect budget as a tool call would.

use cua_protocol::{Client, ClientOptions};

use crate::vm::resolve::resolver_for;
use crate::vm::{VmError, VmSession};

/// The server's version reply (package and protocol).
pub use cua_protocol::Version as ServerVersion;

/// The cua-computer-server package version computer-use is tested with.
pub const TESTED_SERVER_PACKAGE: &str = cua_protocol::TESTED_PACKAGE;

/// What one attempt found.
#[derive(Debug)]
pub enum Probe {
    /// The resolver could not be built (a bad URL, a bad Lume URL).
    Unresolvable(VmError),
    /// The address could not be found now (Lume down, VM unknown, stopped or without an IP).
    NoAddress(cua_protocol::ResolveError),
    /// Something answered at `url`.
    Answered {
        /// The WebSocket URL tried.
        url: String,
        /// Its version, or why it is not a usable cua-computer-server.
        version: Result<ServerVersion, ProbeFailure>,
    },
}

/// Why a reachable address did not give a usable server.
#[derive(Debug)]
pub enum ProbeFailure {
    /// A cua-computer-server answered, in a version or protocol we do not support.
    Unsupported(VmError),
    /// Nothing listens there (connection refused).
    Refused(VmError),
    /// Any other failure (timeout, wrong path, not a cua-computer-server, authentication).
    Other(VmError),
}

impl ProbeFailure {
    /// The error, whichever it is.
    pub fn error(&self) -> &VmError {
        match self {
            ProbeFailure::Unsupported(e) | ProbeFailure::Refused(e) | ProbeFailure::Other(e) => e,
        }
    }
}

/// Resolves the session's address and makes one connection attempt (handshake and version check) on a
/// connection of its own; errors are worded by the session (see [`VmSession::explain`]).
pub async fn probe(session: &VmSession) -> Probe {
    let target = session.target();
    let endpoint = match resolver_for(target) {
        Ok(resolver) => resolver.resolve().await,
        Err(e) => return Probe::Unresolvable(e),
    };
    let endpoint = match endpoint {
        Ok(endpoint) => endpoint,
        Err(e) => return Probe::NoAddress(e),
    };
    let url = endpoint.ws_url().to_string();
    let opts = ClientOptions {
        connect_timeout: target.connect_timeout,
        command_timeout: target.command_timeout,
        ..ClientOptions::default()
    };
    let version = Client::probe(endpoint, &opts).await.map_err(|e| match e {
        e @ cua_protocol::Error::Unsupported { .. } => {
            ProbeFailure::Unsupported(session.explain(e))
        }
        e @ cua_protocol::Error::ConnectRefused { .. } => ProbeFailure::Refused(session.explain(e)),
        e => ProbeFailure::Other(session.explain(e)),
    });
    Probe::Answered { url, version }
}
