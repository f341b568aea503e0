//! `vm_screenshot`: the screen as the caller sees it (the model's budget for agents, full resolution for
//! people), with its frame id — or, for an agent that already has this screen, "unchanged since frame N"
//! (see [`crate::tools::screen::unchanged`]); `force: true` asks for the image anyway.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::screen::unchanged::look;
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};

/// `vm_screenshot {}`.
pub struct Screenshot;

/// Arguments of `vm_screenshot` (the seed's has none).
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenshotArgs {
    /// Return the image even when the screen is unchanged (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub force: bool,
}

impl TypedTool for Screenshot {
    type Args = ScreenshotArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_screenshot",
        title: "Screenshot",
        description: "Screenshot and frame id; x,y of other tools are pixels of the latest image. An unchanged \
            screen returns \"unchanged since frame N\" (that image stands) unless force: true.",
        kind: ToolKind::Look,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Refused(
            "vm_screenshot is not allowed in a batch (its image would be dropped): set `screenshot: true` \
             on the batch to end it with one screenshot",
        ),
        commands: &[
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: ScreenshotArgs) -> Result<ToolOutput, ToolError> {
        let session = ctx.session()?;
        look(ctx, &session, args.force).await
    }
}
