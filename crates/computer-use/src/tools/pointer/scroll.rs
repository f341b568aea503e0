//! `vm_scroll` (seed-compatible: `direction` up/down, `clicks` default 5; plus left/right and a point).
//!
//! The server's scroll commands scroll wherever the pointer is, so with `x`/`y` the pointer is moved there
//! first. Up and down use `scroll_up`/`scroll_down` (the commands the Phase 8 guide's plugin used). Left and right
//! send `scroll` with ∓`clicks` horizontal units rather than `scroll_direction`, which multiplies by 300:
//! on X11 that is 300 wheel-button clicks per requested click (pynput emits one button press per unit), so
//! five clicks would scroll 1500 notches. With `scroll`, one click is the same amount in every direction.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::target;
use super::{click, guarded, modifiers};
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};

/// Most clicks per call (a runaway value would scroll for seconds while holding up the GUI lane).
pub const MAX_CLICKS: u32 = 100;

/// `vm_scroll`.
pub struct Scroll;

/// Which way the content should move into view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")] // the values name the choices; not sent with every tool list
pub enum ScrollDirection {
    /// Towards the top.
    Up,
    /// Towards the bottom.
    Down,
    /// Towards the left.
    Left,
    /// Towards the right.
    Right,
}

impl ScrollDirection {
    /// Every direction, in the schema's order.
    pub const ALL: [ScrollDirection; 4] = [
        ScrollDirection::Up,
        ScrollDirection::Down,
        ScrollDirection::Left,
        ScrollDirection::Right,
    ];

    /// The name the arguments use.
    pub fn name(self) -> &'static str {
        match self {
            ScrollDirection::Up => "up",
            ScrollDirection::Down => "down",
            ScrollDirection::Left => "left",
            ScrollDirection::Right => "right",
        }
    }
}

fn default_clicks() -> u32 {
    5
}

/// Arguments of `vm_scroll`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScrollArgs {
    /// Which way; the values say it all.
    #[schemars(description = "")]
    pub direction: ScrollDirection,
    /// Wheel clicks (the description says it).
    #[schemars(description = "")]
    #[serde(default = "default_clicks")]
    #[schemars(range(min = 1, max = 100))]
    pub clicks: u32,
    /// X to scroll at; both or neither (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub x: Option<f64>,
    /// Y to scroll at.
    #[schemars(description = "")]
    #[serde(default)]
    pub y: Option<f64>,
    /// Held modifiers, e.g. "ctrl+shift".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modifiers: String,
    /// Frame id of the image; refused if stale.
    #[serde(default)]
    pub frame: Option<u64>,
}

impl TypedTool for Scroll {
    type Args = ScrollArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_scroll",
        title: "Scroll",
        description: "Scroll the wheel by clicks at x,y, or where the pointer is.",
        kind: ToolKind::Input,
        effect: Effect::Additive,
        idempotent: false,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::Scroll,
            CommandName::ScrollUp,
            CommandName::ScrollDown,
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
            CommandName::KeyDown,
            CommandName::KeyUp,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: ScrollArgs) -> Result<ToolOutput, ToolError> {
        let point = target::optional_point(Self::SPEC.name, args.x, args.y)?;
        let mods = modifiers::parse(Self::SPEC.name, &args.modifiers)?;
        if !(1..=MAX_CLICKS).contains(&args.clicks) {
            return Err(ToolError::rejected(format!(
                "vm_scroll: clicks must be in 1..={MAX_CLICKS}, got {}",
                args.clicks
            )));
        }
        guarded(ctx, async |session| {
            let gui = session.gui();
            let mapped = match point {
                Some((x, y)) => {
                    let frame = target::frame(ctx, &session, args.frame).await?;
                    let p = target::map(&frame, x, y)?;
                    ctx.cancellable(&session, gui.move_cursor(p.ix, p.iy))
                        .await?;
                    Some((frame, p))
                }
                None => None,
            };
            let clicks = args.clicks;
            let units = f64::from(clicks);
            let hold = modifiers::press(ctx, &session, &mods).await?;
            match args.direction {
                ScrollDirection::Up => ctx.cancellable(&session, gui.scroll_up(clicks)).await?,
                ScrollDirection::Down => ctx.cancellable(&session, gui.scroll_down(clicks)).await?,
                ScrollDirection::Left => ctx.cancellable(&session, gui.scroll(-units, 0.0)).await?,
                ScrollDirection::Right => ctx.cancellable(&session, gui.scroll(units, 0.0)).await?,
            }
            hold.lift(ctx, &session).await?;
            let what = format!(
                "Scrolled {} by {clicks} click{}{}",
                args.direction.name(),
                if clicks == 1 { "" } else { "s" },
                modifiers::held_text(&mods)
            );
            let out = match mapped {
                Some((frame, p)) => click::result(&format!("{what} at"), &frame, &p, ""),
                None => ToolOutput::text(format!("{what} where the pointer is.")),
            };
            let out = out
                .with("direction", args.direction.name())
                .with("clicks", clicks);
            Ok(if mods.is_empty() {
                out
            } else {
                out.with("modifiers", mods.clone())
            })
        })
        .await
    }
}
