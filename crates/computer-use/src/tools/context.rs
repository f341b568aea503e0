//! What a tool call runs with: the VM sessions, which VM, and the caller's cancellation.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::guards::Guards;
use crate::tools::ToolError;
use crate::vm::{VmSession, Vms};

/// The environment of one tool call.
///
/// A face creates one context and clones it per call (with its own `cancel`): the [`Guards`] inside hold
/// the per-VM budgets and loop state, which a fresh context would reset.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// All VM sessions.
    pub vms: Arc<Vms>,
    /// Which configured VM (None = the default); set by the face (per agent, per MCP session).
    pub vm: Option<String>,
    /// Cancelled when the caller gives up (MCP `notifications/cancelled`, an aborted OpenClaw call).
    pub cancel: CancellationToken,
    /// Rate limit, loop guard, exec policy and audit log, shared by every clone.
    pub guards: Arc<Guards>,
}

impl ToolContext {
    /// A context for the default VM with a fresh cancellation token and the configuration's guards.
    pub fn new(vms: Arc<Vms>) -> ToolContext {
        let guards = Arc::new(Guards::new(vms.config()));
        ToolContext::with_guards(vms, guards)
    }

    /// A context with given guards (e.g. on a fake clock, or shared with another context).
    pub fn with_guards(vms: Arc<Vms>, guards: Arc<Guards>) -> ToolContext {
        ToolContext {
            vms,
            vm: None,
            cancel: CancellationToken::new(),
            guards,
        }
    }

    /// This context for a call made by `agent`: its VM becomes the one `agentVms` maps the agent to, if any
    /// (otherwise it stays as it was). Faces call this with the agent id their transport carries.
    pub fn for_agent(mut self, agent: Option<&str>) -> ToolContext {
        if let Some(vm) = self.vms.config().vm_for_agent(agent) {
            self.vm = Some(vm.to_owned());
        }
        self
    }

    /// The configured name of this call's VM (`default` or a key of `vms`).
    pub fn vm_name(&self) -> &str {
        self.vm
            .as_deref()
            .unwrap_or_else(|| self.vms.config().default_vm_name())
    }

    /// The session of this call's VM.
    pub fn session(&self) -> Result<Arc<VmSession>, ToolError> {
        Ok(self.vms.get(self.vm.as_deref())?)
    }
}
