//! `vm_wait`: let an app start or an animation finish before looking again, without the agent burning a
//! screenshot per poll. Bounded so a confused model cannot park a call for minutes, and cancellable so an
//! aborted call returns at once.

use std::time::Duration;

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::screen::unchanged::look;
use crate::tools::{Content, ToolContext, ToolError, ToolOutput, TypedTool};

/// Shortest wait accepted, in milliseconds.
pub const MIN_WAIT_MS: i64 = 1;
/// Longest wait accepted, in milliseconds: beyond this the agent should look and decide again.
pub const MAX_WAIT_MS: i64 = 30_000;

/// `vm_wait {ms, screenshot?}`.
pub struct Wait;

/// Arguments of `vm_wait`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitArgs {
    /// Milliseconds; the schema's range says the bounds.
    #[schemars(description = "")]
    #[schemars(range(min = MIN_WAIT_MS, max = MAX_WAIT_MS))]
    pub ms: i64,
    /// End with a screenshot (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub screenshot: bool,
}

impl TypedTool for Wait {
    type Args = WaitArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_wait",
        title: "Wait",
        description: "Wait ms for the screen to settle; screenshot: true ends with one.",
        kind: ToolKind::Meta,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: WaitArgs) -> Result<ToolOutput, ToolError> {
        let ms = checked_ms(args.ms)?;
        // Resolve the session first so a misconfigured VM fails before the sleep, not after it.
        let session = if args.screenshot {
            Some(ctx.session()?)
        } else {
            None
        };
        ctx.pause(Duration::from_millis(ms)).await.map_err(|e| {
            ToolError::rejected(format!("vm_wait of {ms} ms stopped early: {}", e.message))
        })?;
        let waited = format!("Waited {ms} ms.");
        let Some(session) = session else {
            return Ok(ToolOutput::text(waited).with("waitedMs", ms));
        };
        let mut out = look(ctx, &session, false).await?;
        match out.content.first_mut() {
            Some(Content::Text(text)) => *text = format!("{waited} {text}"),
            _ => out.content.insert(0, Content::Text(waited)),
        }
        Ok(out.with("waitedMs", ms))
    }
}

/// The wait in milliseconds, or a refusal naming the accepted range.
fn checked_ms(ms: i64) -> Result<u64, ToolError> {
    if (MIN_WAIT_MS..=MAX_WAIT_MS).contains(&ms) {
        u64::try_from(ms).map_err(|_| out_of_range(ms))
    } else {
        Err(out_of_range(ms))
    }
}

fn out_of_range(ms: i64) -> ToolError {
    ToolError::rejected(format!(
        "vm_wait: ms must be between {MIN_WAIT_MS} and {MAX_WAIT_MS} (30 s), got {ms}; for longer waits, \
         call vm_wait again after looking at the screen"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_refusals_name_the_range() {
        assert_eq!(checked_ms(1), Ok(1));
        assert_eq!(checked_ms(30_000), Ok(30_000));
        for bad in [0, -5, 30_001, i64::MAX] {
            let Err(e) = checked_ms(bad) else {
                panic!("{bad} accepted");
            };
            assert_eq!(e.kind, crate::tools::ToolErrorKind::Rejected);
            assert!(e.message.contains("between 1 and 30000"), "{e}");
            assert!(e.message.contains(&format!("got {bad}")), "{e}");
        }
    }
}
