//! What a tool call runs with: the VM sessions, which VM, and the caller's cancellation.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::tools::ToolError;
use crate::vm::{VmSession, Vms};

/// The environment of one tool call.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// All VM sessions.
    pub vms: Arc<Vms>,
    /// Which configured VM (None = the default); set by the face (per agent, per MCP session).
    pub vm: Option<String>,
    /// Cancelled when the caller gives up (MCP `notifications/cancelled`, an aborted OpenClaw call).
    pub cancel: CancellationToken,
}

impl ToolContext {
    /// A context for the default VM with a fresh cancellation token.
    pub fn new(vms: Arc<Vms>) -> ToolContext {
        ToolContext {
            vms,
            vm: None,
            cancel: CancellationToken::new(),
        }
    }

    /// The session of this call's VM.
    pub fn session(&self) -> Result<Arc<VmSession>, ToolError> {
        Ok(self.vms.get(self.vm.as_deref())?)
    }
}
