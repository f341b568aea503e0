//! The MCP face's approvers. By default a call that `guards.approval` says needs a person is put to the client's
//! user with `elicitation/create` (a form with no fields: accept or decline). Accept runs the call; decline,
//! cancel, an error or the core's timeout refuse it with nothing sent. A client that did not declare the
//! `elicitation` capability cannot ask anyone, so the call is refused with how to fix that (fail closed).
//!
//! With `serve --stdio --host-approvals` the client is a host that asks the person itself (the OpenClaw plugin:
//! `before_tool_call` → `requireApproval`): it classifies each call first with the request
//! [`CLASSIFY_METHOD`], which answers with what to ask and a one-time token, and sends that token back as
//! `_meta[APPROVAL_META_KEY]` with the call once the person allowed it. The core accepts a token once, for
//! exactly the call it was issued for, until shortly after the timeout (`computer_use::guards::approval::grants`).
//! stdio only: its one client is the process that started us, never the model.

use std::sync::Arc;

use computer_use::guards::approval::grants::GrantApprover;
use computer_use::guards::approval::{ApprovalDecision, ApprovalFuture, ApprovalRequest, Approver};
use computer_use::tools::{self, ToolContext};
use rmcp::model::{
    CustomRequest, CustomResult, ElicitRequestParams, ElicitationAction, ElicitationSchema,
    ErrorCode, RequestMetaObject,
};
use rmcp::service::{ElicitationMode, Peer};
use rmcp::{ErrorData, RoleServer};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The request a host-approval client sends before a call: params `{name, arguments, _meta?}` (the call it is
/// about to make, `_meta` as it will send it); result `{approval: null}` or `{approval: {title, description,
/// timeoutMs, token}}`.
pub const CLASSIFY_METHOD: &str = "computer-use/classifyApproval";

/// The `_meta` key of a call that carries the one-time approval token.
pub const APPROVAL_META_KEY: &str = "computer-use/approval";

/// The params of [`CLASSIFY_METHOD`]: the call as `tools/call` will carry it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassifyParams {
    name: String,
    #[serde(default)]
    arguments: Option<Map<String, Value>>,
    #[serde(rename = "_meta", default)]
    meta: Option<Map<String, Value>>,
}

/// The approver of one call in host-approval mode: the token in the call's `_meta` (rmcp keeps it on the request
/// or moves it to the request context), checked by the core.
pub fn host_approver(
    ctx: &ToolContext,
    metas: [Option<&RequestMetaObject>; 2],
) -> Arc<dyn Approver> {
    let token = metas
        .into_iter()
        .flatten()
        .find_map(|m| m.0.0.get(APPROVAL_META_KEY)?.as_str().map(str::to_owned));
    Arc::new(GrantApprover::new(ctx.guards.grants(), token))
}

/// Answers [`CLASSIFY_METHOD`] for `base` (the server's context; the call's agent picks the VM as for
/// `tools/call`). Any other method is unknown.
pub fn classify(
    base: &ToolContext,
    request: &CustomRequest,
    agent_key: &str,
) -> Result<CustomResult, ErrorData> {
    if request.method != CLASSIFY_METHOD {
        return Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("unknown method `{}`", request.method),
            None,
        ));
    }
    let params: ClassifyParams = request
        .params_as()
        .map_err(|e| ErrorData::invalid_params(format!("{CLASSIFY_METHOD}: {e}"), None))?
        .ok_or_else(|| {
            ErrorData::invalid_params(
                format!("{CLASSIFY_METHOD} needs params {{name, arguments}}"),
                None,
            )
        })?;
    let agent = params
        .meta
        .as_ref()
        .and_then(|m| m.get(agent_key))
        .and_then(Value::as_str);
    let ctx = base.clone().for_agent(agent);
    let args = params.arguments.map(Value::Object).unwrap_or(Value::Null);
    let approval = tools::classify(&ctx, &params.name, args)
        .map_err(|e| ErrorData::internal_error(e.message, None))?;
    Ok(CustomResult(json!({ "approval": approval })))
}

/// Asks the MCP client of one request.
#[derive(Debug, Clone)]
pub struct ElicitationApprover {
    pub peer: Peer<RoleServer>,
}

impl Approver for ElicitationApprover {
    fn approve<'a>(&'a self, request: &'a ApprovalRequest) -> ApprovalFuture<'a> {
        Box::pin(async move {
            if !self
                .peer
                .supported_elicitation_modes()
                .contains(&ElicitationMode::Form)
            {
                return ApprovalDecision::Unavailable(
                    "the MCP client did not declare the `elicitation` capability in `initialize`. Use a client \
                     that can ask its user (the Python SDK does when given an elicitation_callback; Claude Code and \
                     VS Code support it), or remove this call from guards.approval"
                        .to_owned(),
                );
            }
            let schema = match ElicitationSchema::builder().build() {
                Ok(schema) => schema,
                Err(e) => return ApprovalDecision::Unavailable(format!("no approval form: {e}")),
            };
            let params = ElicitRequestParams::FormElicitationParams {
                meta: None,
                message: format!("{}\n\n{}", request.title, request.description),
                requested_schema: schema,
            };
            match self.peer.create_elicitation(params).await {
                Ok(result) => match result.action {
                    ElicitationAction::Accept => ApprovalDecision::Approved,
                    ElicitationAction::Decline => ApprovalDecision::Declined("declined".to_owned()),
                    _ => ApprovalDecision::Declined("cancelled".to_owned()),
                },
                Err(e) => {
                    ApprovalDecision::Unavailable(format!("the elicitation request failed: {e}"))
                }
            }
        })
    }
}
