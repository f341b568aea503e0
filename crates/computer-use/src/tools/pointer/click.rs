//! `vm_click` (seed-compatible: `x`, `y`, `button` left/right/double, default left; plus middle and triple)
//! and `vm_move`.
//!
//! The server has no `middle_click` command, so a middle click is `mouse_down` + `mouse_up` with the middle
//! button at the point (recorded as held in between). A triple click is the server's double click followed
//! by one more click at the same point, well inside every toolkit's multi-click interval (the two commands
//! are ~1 ms apart on the GUI lane).
//!
//! Back and forward are mouse buttons 8 and 9, which the server's mouse commands cannot send (they take
//! left, right and middle, and press *left* for any other name): on a Linux guest they go through
//! `xdotool click` ([`crate::tools::keyboard::xdotool`]); elsewhere the call says plainly that nothing was
//! clicked. `modifiers` are held around the click ([`super::modifiers`]).

use cua_protocol::Button;
use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::target::{self, Point};
use super::{guarded, held, modifiers};
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::keyboard::xdotool;
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};

/// `vm_click`.
pub struct Click;

/// Which click.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")] // the values name the choices; not sent with every tool list
pub enum ClickButton {
    /// One left click.
    #[default]
    Left,
    /// One right click.
    Right,
    /// Two left clicks.
    Double,
    /// One middle click.
    Middle,
    /// Three left clicks (selects a line).
    Triple,
    /// Button 8 (back).
    Back,
    /// Button 9 (forward).
    Forward,
}

impl ClickButton {
    fn verb(self) -> &'static str {
        match self {
            ClickButton::Left => "Clicked",
            ClickButton::Right => "Right-clicked",
            ClickButton::Double => "Double-clicked",
            ClickButton::Middle => "Middle-clicked",
            ClickButton::Triple => "Triple-clicked",
            ClickButton::Back => "Back-clicked (button 8)",
            ClickButton::Forward => "Forward-clicked (button 9)",
        }
    }

    /// Every click, in the schema's order.
    pub const ALL: [ClickButton; 7] = [
        ClickButton::Left,
        ClickButton::Right,
        ClickButton::Double,
        ClickButton::Middle,
        ClickButton::Triple,
        ClickButton::Back,
        ClickButton::Forward,
    ];

    /// The name the arguments use.
    pub fn name(self) -> &'static str {
        match self {
            ClickButton::Left => "left",
            ClickButton::Right => "right",
            ClickButton::Double => "double",
            ClickButton::Middle => "middle",
            ClickButton::Triple => "triple",
            ClickButton::Back => "back",
            ClickButton::Forward => "forward",
        }
    }
}

/// Arguments of `vm_click`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClickArgs {
    /// X in image pixels (the description says so once).
    #[schemars(description = "")]
    pub x: f64,
    /// Y in image pixels.
    #[schemars(description = "")]
    pub y: f64,
    /// Which click; the values say it all.
    #[schemars(description = "")]
    #[serde(default)]
    pub button: ClickButton,
    /// Held modifiers, e.g. "ctrl+shift".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modifiers: String,
    /// Frame id of the image; refused if stale.
    #[serde(default)]
    pub frame: Option<u64>,
}

impl TypedTool for Click {
    type Args = ClickArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_click",
        title: "Click",
        description: "Click at x,y (pixels of the latest image).",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::LeftClick,
            CommandName::RightClick,
            CommandName::DoubleClick,
            CommandName::MouseDown,
            CommandName::MouseUp,
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
            CommandName::KeyDown,
            CommandName::KeyUp,
            CommandName::RunCommand,
            CommandName::Version,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: ClickArgs) -> Result<ToolOutput, ToolError> {
        let mods = modifiers::parse(Self::SPEC.name, &args.modifiers)?;
        guarded(ctx, async |session| {
            let frame = target::frame(ctx, &session, args.frame).await?;
            let p = target::map(&frame, args.x, args.y)?;
            let gui = session.gui();
            let at = Some(p.input());
            let hold = modifiers::press(ctx, &session, &mods).await?;
            match args.button {
                ClickButton::Left => ctx.cancellable(&session, gui.left_click(at)).await?,
                ClickButton::Right => ctx.cancellable(&session, gui.right_click(at)).await?,
                ClickButton::Double => ctx.cancellable(&session, gui.double_click(at)).await?,
                ClickButton::Triple => {
                    ctx.cancellable(&session, gui.double_click(at)).await?;
                    ctx.cancellable(&session, gui.left_click(at)).await?;
                }
                ClickButton::Middle => {
                    held::press(ctx, &session, at, Button::Middle).await?;
                    held::lift(ctx, &session, at, Button::Middle).await?;
                }
                ClickButton::Back | ClickButton::Forward => {
                    let number = if args.button == ClickButton::Back { "8" } else { "9" };
                    ctx.cancellable(&session, gui.move_cursor(p.ix, p.iy))
                        .await?;
                    let sent = xdotool::run(ctx, &session, &["click".into(), number.into()]).await?;
                    if let Err(why) = sent {
                        hold.lift(ctx, &session).await?;
                        return Err(ToolError::rejected(format!(
                            "{}: not clicked: the server cannot send mouse button {number} ({}), and it could not be sent another way: {}. \
                             The pointer was moved to {}. In a browser, alt+left / alt+right (vm_key) go back and forward.",
                            Self::SPEC.name,
                            args.button.name(),
                            why.why(),
                            p.describe()
                        )));
                    }
                }
            }
            hold.lift(ctx, &session).await?;
            let verb = format!("{}{}", args.button.verb(), modifiers::held_text(&mods));
            let mut out = result(&format!("{verb} at"), &frame, &p, "")
                .with("button", args.button.name());
            if !mods.is_empty() {
                out = out.with("modifiers", mods.clone());
            }
            Ok(out)
        })
        .await
    }
}

/// `vm_move`.
pub struct Move;

/// Arguments of `vm_move`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveArgs {
    /// X in image pixels (the description says so once).
    #[schemars(description = "")]
    pub x: f64,
    /// Y in image pixels.
    #[schemars(description = "")]
    pub y: f64,
    /// Frame id of the image; refused if stale.
    #[serde(default)]
    pub frame: Option<u64>,
}

impl TypedTool for Move {
    type Args = MoveArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_move",
        title: "Move pointer",
        description: "Move the pointer to x,y without clicking (hover).",
        kind: ToolKind::Input,
        effect: Effect::Additive,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::MoveCursor,
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: MoveArgs) -> Result<ToolOutput, ToolError> {
        guarded(ctx, async |session| {
            let frame = target::frame(ctx, &session, args.frame).await?;
            let p = target::map(&frame, args.x, args.y)?;
            ctx.cancellable(&session, session.gui().move_cursor(p.ix, p.iy))
                .await?;
            let holding = held::held(&session);
            let mut names: Vec<String> =
                holding.iter().map(|b| held::name(*b).to_owned()).collect();
            names.extend(
                held::held_keys(&session)
                    .into_iter()
                    .map(|k| format!("{k} key")),
            );
            let note = if names.is_empty() {
                String::new()
            } else {
                format!(" Still holding: {}.", names.join(", "))
            };
            Ok(result("Moved the pointer to", &frame, &p, &note))
        })
        .await
    }
}

/// `"{what} (x, y) → screen (ix, iy) (image pixels of frame N, WxH).{extra}"` plus the point's details.
pub(super) fn result(what: &str, frame: &coords::Frame, p: &Point, extra: &str) -> ToolOutput {
    let text = format!("{what} {} ({}).{extra}", p.describe(), target::space(frame));
    ToolOutput {
        details: target::details(frame, p),
        ..ToolOutput::text(text)
    }
}
