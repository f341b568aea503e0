//! Classification ahead of a call, for a host that asks the person itself before it makes the call (the
//! OpenClaw plugin answers `before_tool_call` with `requireApproval`). The rules are the core's alone
//! (`guards.approval`, judged on the same typed arguments [`crate::tools::call`] will judge); the host only
//! learns whether to ask, what to show, how long to wait, and the one-time token that lets the call through once
//! the person allowed it ([`crate::guards::approval::grants`]).

use serde::Serialize;
use serde_json::Value;

use crate::guards::approval::cut;
use crate::result::ToolError;
use crate::tools::{ToolContext, find};

/// What the host must ask a person before making a call.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostApproval {
    /// A short title (printable ASCII, ≤ 80 characters).
    pub title: String,
    /// What the call would do and why it needs approval (secrets scrubbed, printable ASCII, ≤ 500 characters).
    pub description: String,
    /// How long the person has (`guards.approval.timeoutSecs`); no answer refuses the call.
    pub timeout_ms: u64,
    /// Sent back with the call (MCP `_meta`) only once the person allowed it; valid once, for exactly this
    /// call, until shortly after the timeout.
    pub token: String,
}

impl std::fmt::Debug for HostApproval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token: it is a credential until used.
        f.debug_struct("HostApproval")
            .field("title", &self.title)
            .field("description", &self.description)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

/// Whether the call of `name` with `args` on the context's VM needs a person's approval, and if so what to ask,
/// with a one-time token for it. `None` when nobody needs to be asked — including calls the guards will refuse
/// anyway (unknown tool, denied tool, bad arguments, a command the exec policy refuses): the call itself then
/// says why. Nothing is sent to the VM and no budget is spent.
///
/// An error only when a token cannot be made (the OS gives no randomness): the host must then refuse the call.
pub fn classify(
    ctx: &ToolContext,
    name: &str,
    args: Value,
) -> Result<Option<HostApproval>, ToolError> {
    let Some(tool) = find(name) else {
        return Ok(None);
    };
    let requests = tool.approvals(ctx, args);
    let Some(first) = requests.first() else {
        return Ok(None);
    };
    let token = ctx.guards.issue_grant(&requests).ok_or_else(|| {
        ToolError::rejected(
            "cannot make an approval token: the operating system gave no randomness; nothing was sent",
        )
    })?;
    let (title, description) = if requests.len() == 1 && first.tool == name {
        (first.title.clone(), first.description.clone())
    } else {
        // vm_batch: one approval for the whole batch, listing what in it needs one.
        let parts: Vec<&str> = requests.iter().map(|r| r.description.as_str()).collect();
        (
            cut(&format!("Approve {name} on VM {}", first.vm), 80),
            cut(
                &format!(
                    "{name} with {} call(s) that need approval: {}",
                    requests.len(),
                    parts.join(" | ")
                ),
                500,
            ),
        )
    };
    Ok(Some(HostApproval {
        title,
        description,
        timeout_ms: u64::try_from(ctx.guards.approval_timeout().as_millis()).unwrap_or(u64::MAX),
        token,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let approval = HostApproval {
            title: "t".into(),
            description: "d".into(),
            timeout_ms: 1,
            token: "secret-token".into(),
        };
        assert!(!format!("{approval:?}").contains("secret-token"));
    }
}
