//! `vm_cursor`: where the pointer is, in pixels of the latest image (mapped back through its frame), so the
//! agent can check a hover or a drag without a screenshot.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::target::{self, Point};
use super::{guarded, held};
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};

/// `vm_cursor`.
pub struct Cursor;

/// No arguments.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CursorArgs {}

impl TypedTool for Cursor {
    type Args = CursorArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_cursor",
        title: "Pointer position",
        description: "Pointer position, in pixels of the latest image.",
        kind: ToolKind::Look,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::GetCursorPosition,
            CommandName::Screenshot,
            CommandName::MoveCursor,
        ],
    };

    async fn run(&self, ctx: &ToolContext, _args: CursorArgs) -> Result<ToolOutput, ToolError> {
        guarded(ctx, async |session| {
            let frame = target::frame(ctx, &session, None).await?;
            let pos = ctx.cancellable(&session, session.gui().cursor_position()).await?;
            let (x, y) = frame.from_input(pos.x, pos.y);
            let p = Point {
                x,
                y,
                ix: pos.x,
                iy: pos.y,
            };
            let inside =
                x >= 0.0 && y >= 0.0 && x < f64::from(frame.width) && y < f64::from(frame.height);
            let holding: Vec<&str> = held::held(&session)
                .into_iter()
                .map(held::name)
                .collect();
            let text = format!(
                "Pointer at {} ({}){}{}",
                p.describe(),
                target::space(&frame),
                if inside {
                    ".".to_owned()
                } else {
                    format!(
                        "; that is outside this image (x in 0..{}, y in 0..{}): take a screenshot to see it.",
                        frame.width, frame.height
                    )
                },
                if holding.is_empty() {
                    String::new()
                } else {
                    format!(" Holding: {}.", holding.join(", "))
                }
            );
            let keys = held::held_keys(&session);
            let text = if keys.is_empty() {
                text
            } else {
                format!("{text} Keys held: {}.", keys.join(", "))
            };
            Ok(ToolOutput {
                details: target::details(&frame, &p),
                ..ToolOutput::text(text)
            }
            .with("inside", inside)
            .with("held", json!(holding))
            .with("heldKeys", json!(keys)))
        })
        .await
    }
}
