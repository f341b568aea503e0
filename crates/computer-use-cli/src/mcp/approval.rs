//! The MCP face's approver: a call that `guards.approval` says needs a person is put to the client's user with
//! `elicitation/create` (a form with no fields: accept or decline). Accept runs the call; decline, cancel, an
//! error or the core's timeout refuse it with nothing sent. A client that did not declare the `elicitation`
//! capability cannot ask anyone, so the call is refused with how to fix that (fail closed).

use computer_use::guards::approval::{ApprovalDecision, ApprovalFuture, ApprovalRequest, Approver};
use rmcp::RoleServer;
use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema};
use rmcp::service::{ElicitationMode, Peer};

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
