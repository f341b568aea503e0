//! rmcp's `ServerHandler`, written by hand over the core's tool registry: `tools/list` is
//! `computer_use::tools::list()` with its generated schemas, and `tools/call` is `computer_use::tools::call()`.
//! No tool is restated here, so a tool the core adds is served without touching this file.
//!
//! Each call gets a `ToolContext` whose `cancel` token is the one rmcp gives the request: it fires on the
//! client's `notifications/cancelled` and when the server shuts down, so a cancelled call stops waiting and a
//! tool that holds a button or key can release it. In-flight calls are tracked so shutdown can give that
//! cleanup a moment before the process exits.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use computer_use::caller::Caller;
use computer_use::config::Toolset;
use computer_use::tools::screen::Screenshot;
use computer_use::tools::{self, ToolContext, ToolInfo, TypedTool};
use computer_use::vm::Vms;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CustomRequest, CustomResult, ErrorCode,
    Implementation, ListToolsResult, PaginatedRequestParams, RequestMetaObject, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio_util::task::TaskTracker;

use crate::mcp::approval::{self, ElicitationApprover};
use crate::mcp::convert;

/// The `_meta` key naming the agent a call is made for (the OpenClaw plugin sets it from the calling agent's
/// id); `agentVms` in the configuration maps it to a VM. Not a tool argument: the model never picks the VM.
pub const AGENT_META_KEY: &str = "computer-use/agent";

/// The `_meta` key naming the model conversation a call is made in (the OpenClaw plugin sends the calling
/// agent's session key): what is remembered per caller — the last image sent, the actions since, the loop
/// guard's history — follows it across MCP sessions (`computer_use::caller`), and each conversation gets its
/// own recording. Not a tool argument either.
pub const SESSION_META_KEY: &str = "computer-use/session";

/// A string in the request's `_meta` (or the context's copy of it) under `key`.
fn meta_str(
    key: &str,
    request_meta: Option<&RequestMetaObject>,
    context: &RequestContext<RoleServer>,
) -> Option<String> {
    [request_meta, Some(&context.meta)]
        .into_iter()
        .flatten()
        .find_map(|meta| meta.0.0.get(key)?.as_str().map(str::to_owned))
}

/// What clients show the model about this server as a whole; the tools' own descriptions say the rest.
fn instructions() -> String {
    format!(
        "Tools that see and drive a VM's desktop. Start with {}: coordinates for the other vm_* tools are \
         pixels of the latest screenshot. A failed action is never retried for you; when a result says it may \
         or may not have happened, take a screenshot before trying again.",
        Screenshot::SPEC.name
    )
}

/// The MCP server: one per process, cloned for every client (stdio, or each HTTP session), so all of them
/// share the VM sessions and the guards' budgets.
#[derive(Debug, Clone)]
pub struct McpServer {
    /// Cloned per call with the request's cancellation token.
    base: ToolContext,
    calls: TaskTracker,
    /// What `tools/list` serves: the `toolset`'s catalog less the tools this configuration's policy denies (for the
    /// server's VM; a call for another agent's VM is judged by that VM's policy when it is made).
    listed: Arc<Vec<Tool>>,
    /// `serve --host-approvals`: the client asks the person itself and sends one-time tokens
    /// (`mcp::approval`); otherwise approvals are asked for with elicitation.
    host_approvals: bool,
}

impl McpServer {
    /// A server over `vms`; `vm` names the configured VM its calls use (`None`: the default VM). Contacts
    /// nothing: the first VM connection is made by the first tool call.
    pub fn new(vms: Arc<Vms>, vm: Option<String>) -> McpServer {
        let mut base = ToolContext::new(vms);
        base.vm = vm;
        let listed = catalog(base.vms.config().toolset())
            .iter()
            .filter(|t| base.guards.tool_allowed(base.vm_name(), &t.name))
            .cloned()
            .collect();
        McpServer {
            base,
            calls: TaskTracker::new(),
            listed: Arc::new(listed),
            host_approvals: false,
        }
    }

    /// This server for a client that asks the person itself (the OpenClaw plugin): it classifies calls with
    /// [`approval::CLASSIFY_METHOD`] and brings the one-time token back with each approved call. Only for stdio,
    /// whose one client is the process that started us.
    pub fn with_host_approvals(mut self) -> McpServer {
        self.host_approvals = true;
        self
    }

    /// This server for one client session: the same VM sessions, guards and budgets, and a caller of its own
    /// (`computer_use::caller`), so what is remembered per caller — the last image sent, the actions since,
    /// the loop guard's history — is this session's (and, within it, each agent's).
    pub fn for_session(&self) -> McpServer {
        let mut server = self.clone();
        server.base.caller = Caller::new_session();
        server
    }

    /// After the transports have stopped (which cancels every running call), waits up to `grace` for the
    /// calls to finish their cleanup, then ends the sessions: keys and buttons still held (on purpose, with
    /// `vm_key`/`vm_mouse` `down`) are released. Returns false if some calls were still running.
    pub async fn drain(&self, grace: Duration) -> bool {
        self.calls.close();
        let running = self.calls.len();
        if running == 0 {
            tools::pointer::held::release_held(&self.base.vms).await;
            return true;
        }
        tracing::info!(running, "waiting for cancelled tool calls to clean up");
        let done = tokio::time::timeout(grace, self.calls.wait()).await.is_ok();
        if !done {
            tracing::warn!(
                running = self.calls.len(),
                "tool calls still running after {grace:?}; exiting anyway"
            );
        }
        tools::pointer::held::release_held(&self.base.vms).await;
        done
    }
}

/// The registry's tools of `toolset` as MCP tools, built once per tool set (schema generation is not free,
/// and the list never changes). Each entry is the core's [`ToolInfo`] as JSON — name, description, input
/// schema and annotations, already in MCP's shape — so `tools/list` says exactly what `computer-use tools
/// --json --toolset …` prints.
pub fn catalog(toolset: Toolset) -> &'static [Tool] {
    static FULL: OnceLock<Vec<Tool>> = OnceLock::new();
    static SEED: OnceLock<Vec<Tool>> = OnceLock::new();
    let cell = match toolset {
        Toolset::Full => &FULL,
        Toolset::Seed => &SEED,
    };
    cell.get_or_init(|| {
        tools::list_for(toolset)
            .into_iter()
            .filter_map(to_mcp_tool)
            .collect()
    })
}

fn to_mcp_tool(info: ToolInfo) -> Option<Tool> {
    let name = info.name;
    match serde_json::to_value(info).and_then(serde_json::from_value::<Tool>) {
        Ok(tool) => Some(tool),
        Err(e) => {
            // A core bug (a schema MCP cannot carry): leave the tool out loudly rather than serve it wrong.
            tracing::error!(
                tool = name,
                "the tool's listing is not a valid MCP tool ({e}); not served"
            );
            None
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "computer-use",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.listed.to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.listed.iter().find(|t| t.name == name).cloned()
    }

    /// [`approval::CLASSIFY_METHOD`] with `--host-approvals`; nothing else.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        if !self.host_approvals {
            return Err(ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!(
                    "unknown method `{}` (approval classification needs `serve --stdio --host-approvals`)",
                    request.method
                ),
                None,
            ));
        }
        approval::classify(&self.base, &request, AGENT_META_KEY)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let _in_flight = self.calls.token();
        let name = request.name;
        let args = request.arguments.map(Value::Object).unwrap_or(Value::Null);
        let agent = meta_str(AGENT_META_KEY, request.meta.as_ref(), &context);
        let session = meta_str(SESSION_META_KEY, request.meta.as_ref(), &context);
        let mut ctx = self
            .base
            .clone()
            .for_agent(agent.as_deref())
            .in_conversation(session.as_deref());
        ctx.cancel = context.ct.clone();
        // A call `guards.approval` names is allowed by the token its host sent after asking the person, or put
        // to this client's user (elicitation).
        ctx.approver = Some(if self.host_approvals {
            approval::host_approver(&ctx, [request.meta.as_ref(), Some(&context.meta)])
        } else {
            Arc::new(ElicitationApprover {
                peer: context.peer.clone(),
            })
        });
        let started = Instant::now();
        let result = tools::call(&ctx, &name, args).await;
        // Arguments are never logged: typed text may be a password.
        let ms = started.elapsed().as_millis();
        match &result {
            Ok(_) => tracing::debug!(tool = %name, ms, "tool call succeeded"),
            Err(e) => tracing::info!(tool = %name, ms, kind = e.kind.as_str(), "tool call failed"),
        }
        convert::call_result(result).map(CallToolResponse::from)
    }
}
