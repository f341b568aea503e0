//! What a tool call runs with: the VM sessions, which VM, the caller's cancellation, the guards, and the
//! coordinate space the caller speaks — plus the two helpers every tool needs to wait on the VM without
//! outliving its caller ([`ToolContext::cancellable`], [`ToolContext::pause`]).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::caller::Caller;
use crate::guards::Guards;
use crate::guards::approval::Approver;
use crate::result::{ToolError, ToolErrorKind};
use crate::tools::record::Recorder;
use crate::vm::{VmSession, Vms};

/// Which pixels a caller's coordinates and images are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Space {
    /// Pixels of the latest image returned to the caller (scaled for the model, maybe a zoom): what agents
    /// read off their screenshots.
    #[default]
    Image,
    /// The screen's own pixels at full resolution: what a person reads off the screen or a full-size
    /// `computer-use screenshot`. Screenshots are returned unscaled and without the model's size budget
    /// (PNG when `lossless`, else the server's JPEG as captured); pointer input is mapped through the
    /// calibration only.
    Screen {
        /// Capture and return PNG rather than JPEG.
        lossless: bool,
    },
}

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
    /// The caller's coordinate space (agents: [`Space::Image`]; the CLI for people: [`Space::Screen`]).
    pub space: Space,
    /// How this face asks a person to approve a call (`guards.approval`); None: it cannot, and calls that need
    /// approval are refused.
    pub approver: Option<Arc<dyn Approver>>,
    /// Who is calling (see [`crate::caller`]): the face sets its session and conversation,
    /// [`ToolContext::for_agent`] the agent. Recordings are kept per agent and conversation too.
    pub caller: Caller,
    /// Where calls are recorded (`record.dir`), shared by every clone; `None` when recording is off.
    pub recorder: Option<Arc<Recorder>>,
}

impl ToolContext {
    /// A context for the default VM with a fresh cancellation token and the configuration's guards.
    pub fn new(vms: Arc<Vms>) -> ToolContext {
        let guards = Arc::new(Guards::new(vms.config()));
        ToolContext::with_guards(vms, guards)
    }

    /// A context with given guards (e.g. on a fake clock, or shared with another context); the recorder is
    /// the configuration's.
    pub fn with_guards(vms: Arc<Vms>, guards: Arc<Guards>) -> ToolContext {
        let recorder = Recorder::from_config(vms.config()).map(Arc::new);
        ToolContext {
            vms,
            vm: None,
            cancel: CancellationToken::new(),
            guards,
            space: Space::Image,
            approver: None,
            caller: Caller::default(),
            recorder,
        }
    }

    /// This context for a call made by `agent`: its VM becomes the one `agentVms` maps the agent to, if any
    /// (otherwise it stays as it was), and the caller (and its recording) is that agent of this context's
    /// session. Faces call this with the agent id their transport carries.
    pub fn for_agent(mut self, agent: Option<&str>) -> ToolContext {
        if let Some(vm) = self.vms.config().vm_for_agent(agent) {
            self.vm = Some(vm.to_owned());
        }
        self.caller = self.caller.with_agent(agent);
        self
    }

    /// This context for a call made in the model conversation `id` (a face's name for it, e.g. OpenClaw's
    /// session key): what is remembered per caller follows the conversation (see [`crate::caller`]).
    pub fn in_conversation(mut self, id: Option<&str>) -> ToolContext {
        self.caller = self.caller.in_conversation(id);
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

    /// Runs a client call unless the caller cancels first (dropping the call discards its connection, so a
    /// late reply can never be misread). Protocol errors are explained by the session.
    pub async fn cancellable<T>(
        &self,
        session: &VmSession,
        call: impl std::future::Future<Output = Result<T, cua_protocol::Error>>,
    ) -> Result<T, ToolError> {
        tokio::select! {
            r = call => r.map_err(|e| ToolError::from(session.explain(e))),
            _ = self.cancel.cancelled() => Err(ToolError::new(
                ToolErrorKind::Ambiguous,
                "the call was cancelled by the caller; it may or may not have taken effect",
            )),
        }
    }

    /// A pause of `d`, cut short (as a refusal) when the caller cancels.
    pub async fn pause(&self, d: Duration) -> Result<(), ToolError> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.cancel.cancelled() => Err(ToolError::rejected("cancelled by the caller")),
        }
    }
}
