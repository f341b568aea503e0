//! `vm_drag` (press, follow a path, release) and `vm_mouse` (hold or release a button by hand).
//!
//! The server's own `drag` cannot be used for paths: on Linux it presses and releases per segment, and
//! neither `drag` nor `drag_to` can be interrupted safely. So a drag is `mouse_down` at the first point →
//! `move_cursor` through the points → `mouse_up` at the last. Long segments are split into a few
//! intermediate moves with a short pause after each, because toolkits start a drag-and-drop only after
//! seeing motion past a threshold, and a single jump can be missed. The button is recorded as held before
//! the press (see [`held`]); any failure after it turns into a release.

use std::time::Duration;

use cua_protocol::Button;
use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::target::{self, Point};
use super::{MouseButton, guarded, held, modifiers};
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::pointer::Move;
use crate::tools::{ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};

/// Most points a path may have (each costs a command and a pause).
pub const MAX_PATH_POINTS: usize = 500;
/// Longest single move, in input units, before a segment is split.
const STEP: f64 = 40.0;
/// Most intermediate moves per segment.
const MAX_STEPS_PER_SEGMENT: usize = 10;
/// Pause after the press and after each move, so applications see distinct motion events.
const STEP_PAUSE: Duration = Duration::from_millis(10);

/// `vm_drag`.
pub struct Drag;

/// Arguments of `vm_drag`: either `path`, or `from` and `to`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DragArgs {
    /// Points to follow, at least 2 (the description says it; the error names the rule).
    #[schemars(description = "")]
    #[serde(default)]
    pub path: Option<Vec<[f64; 2]>>,
    /// Start [x, y] (with `to`, instead of `path`; the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub from: Option<[f64; 2]>,
    /// End [x, y].
    #[schemars(description = "")]
    #[serde(default)]
    pub to: Option<[f64; 2]>,
    /// The button held; its values say it all.
    #[schemars(description = "")]
    #[serde(default)]
    pub button: MouseButton,
    /// Held modifiers, e.g. "ctrl+shift".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modifiers: String,
    /// Frame id of the image; refused if stale.
    #[serde(default)]
    pub frame: Option<u64>,
}

impl DragArgs {
    /// The points in image pixels, checked for shape.
    fn points(&self) -> Result<Vec<[f64; 2]>, ToolError> {
        let points = match (&self.path, self.from, self.to) {
            (Some(path), None, None) => path.clone(),
            (None, Some(from), Some(to)) => vec![from, to],
            (Some(_), _, _) => {
                return Err(ToolError::invalid(
                    "vm_drag: give either `path` or `from` and `to`, not both",
                ));
            }
            (None, _, _) => {
                return Err(ToolError::invalid(
                    "vm_drag: give `path` ([[x, y], ...], at least 2 points) or both `from` and `to`",
                ));
            }
        };
        if points.len() < 2 {
            return Err(ToolError::invalid(format!(
                "vm_drag: a path needs at least 2 points, got {}",
                points.len()
            )));
        }
        if points.len() > MAX_PATH_POINTS {
            return Err(ToolError::invalid(format!(
                "vm_drag: a path may have at most {MAX_PATH_POINTS} points, got {}; thin it out",
                points.len()
            )));
        }
        Ok(points)
    }
}

impl TypedTool for Drag {
    type Args = DragArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_drag",
        title: "Drag",
        description: "Drag with a button held along path [[x,y],...] or from [x,y] to [x,y].",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::MouseDown,
            CommandName::MouseUp,
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
            CommandName::KeyDown,
            CommandName::KeyUp,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: DragArgs) -> Result<ToolOutput, ToolError> {
        let points = args.points()?;
        let mods = modifiers::parse(Self::SPEC.name, &args.modifiers)?;
        guarded(ctx, async |session| {
            let frame = target::frame(ctx, &session, args.frame).await?;
            let mapped = points
                .iter()
                .enumerate()
                .map(|(i, [x, y])| {
                    target::map(&frame, *x, *y).map_err(|e| {
                        ToolError::rejected(format!("vm_drag point {}: {}", i + 1, e.message))
                    })
                })
                .collect::<Result<Vec<Point>, ToolError>>()?;
            let (Some(first), Some(last)) = (mapped.first().copied(), mapped.last().copied())
            else {
                return Err(ToolError::invalid("vm_drag: the path is empty"));
            };
            let moves = interpolate(&mapped);
            let button = Button::from(args.button);
            let hold = modifiers::press(ctx, &session, &mods).await?;
            held::press(ctx, &session, Some(first.input()), button).await?;
            let rest = async {
                pause(ctx).await?;
                for (x, y) in &moves {
                    ctx.cancellable(&session, session.gui().move_cursor(*x, *y))
                        .await?;
                    pause(ctx).await?;
                }
                held::lift(ctx, &session, Some(last.input()), button).await?;
                hold.lift(ctx, &session).await
            };
            if let Err(e) = rest.await {
                return Err(ToolError::new(
                    ToolErrorKind::Ambiguous,
                    format!(
                        "the drag stopped part-way after pressing the {} button at {}: {}",
                        held::name(button),
                        first.describe(),
                        e.message
                    ),
                ));
            }
            let text = format!(
                "Dragged with the {} button{} from {} to {} through {} points ({}).",
                held::name(button),
                modifiers::held_text(&mods),
                first.describe(),
                last.describe(),
                mapped.len(),
                target::space(&frame)
            );
            let mut out = ToolOutput {
                details: target::details(&frame, &last),
                ..ToolOutput::text(text)
            };
            out = out
                .with("button", held::name(button))
                .with("points", mapped.len())
                .with("moves", moves.len())
                .with("from", json!([first.x, first.y]))
                .with("to", json!([last.x, last.y]))
                .with("inputFrom", json!([first.ix, first.iy]))
                .with("inputTo", json!([last.ix, last.iy]))
                .with("landed", target::landed(&frame, &mapped));
            if !mods.is_empty() {
                out = out.with("modifiers", mods.clone());
            }
            Ok(out)
        })
        .await
    }
}

/// The input-space moves after the press: every point after the first, long segments split into steps of
/// at most [`STEP`] (at most [`MAX_STEPS_PER_SEGMENT`] per segment), repeats dropped.
fn interpolate(points: &[Point]) -> Vec<(f64, f64)> {
    let mut moves: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        let [a, b] = pair else { continue };
        let (dx, dy) = (b.ix - a.ix, b.iy - a.iy);
        let steps = ((dx.hypot(dy) / STEP).ceil() as usize).clamp(1, MAX_STEPS_PER_SEGMENT);
        for k in 1..=steps {
            let t = k as f64 / steps as f64;
            let p = ((a.ix + dx * t).round(), (a.iy + dy * t).round());
            if moves.last() != Some(&p) && (k < steps || p != (a.ix, a.iy)) {
                moves.push(p);
            }
        }
    }
    moves
}

/// A cancellable pause inside a sequence that has already pressed: cancellation is a partial action.
async fn pause(ctx: &ToolContext) -> Result<(), ToolError> {
    tokio::select! {
        _ = tokio::time::sleep(STEP_PAUSE) => Ok(()),
        _ = ctx.cancel.cancelled() => Err(ToolError::new(
            ToolErrorKind::Ambiguous,
            "the call was cancelled by the caller",
        )),
    }
}

/// `vm_mouse`.
pub struct Mouse;

/// Press or release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")] // the values name the choices; not sent with every tool list
pub enum MouseAction {
    /// Press and hold.
    Down,
    /// Release.
    Up,
}

/// Arguments of `vm_mouse`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MouseArgs {
    /// `down` presses and holds, `up` releases (the description says it).
    #[schemars(description = "")]
    pub action: MouseAction,
    /// Which button; the values say it all.
    #[schemars(description = "")]
    #[serde(default)]
    pub button: MouseButton,
    /// X to press or release at; both or neither (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub x: Option<f64>,
    /// Y to press or release at.
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

impl TypedTool for Mouse {
    type Args = MouseArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_mouse",
        title: "Mouse button",
        description: "Press (down) or release (up) a mouse button, at x,y if given. A held button is \
            released if a later call fails.",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::MouseDown,
            CommandName::MouseUp,
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
            CommandName::KeyDown,
            CommandName::KeyUp,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: MouseArgs) -> Result<ToolOutput, ToolError> {
        let point = target::optional_point(Self::SPEC.name, args.x, args.y)?;
        let mods = modifiers::parse(Self::SPEC.name, &args.modifiers)?;
        guarded(ctx, async |session| {
            let mapped = match point {
                Some((x, y)) => {
                    let frame = target::frame(ctx, &session, args.frame).await?;
                    Some((frame, target::map(&frame, x, y)?))
                }
                None => None,
            };
            let at = mapped.map(|(_, p)| p.input());
            let button = Button::from(args.button);
            let name = held::name(button);
            let was_held = held::held(&session).contains(&button);
            let hold = modifiers::press(ctx, &session, &mods).await?;
            let (verb, note) = match args.action {
                MouseAction::Down => {
                    held::press(ctx, &session, at, button).await?;
                    (
                        format!("Pressed and holding the {name} button"),
                        format!(
                            " Move with {}, then release with vm_mouse {{\"action\": \"up\", \"button\": \"{name}\"}}.",
                            Move::SPEC.name
                        ),
                    )
                }
                MouseAction::Up => {
                    held::lift(ctx, &session, at, button).await?;
                    let note = if was_held {
                        String::new()
                    } else {
                        " (it was not held by these tools)".to_owned()
                    };
                    (format!("Released the {name} button"), note)
                }
            };
            hold.lift(ctx, &session).await?;
            let verb = format!("{verb}{}", modifiers::held_text(&mods));
            let action = match args.action {
                MouseAction::Down => "down",
                MouseAction::Up => "up",
            };
            let out = match mapped {
                Some((frame, p)) => super::click::result(&format!("{verb} at"), &frame, &p, &note),
                None => ToolOutput::text(format!("{verb} where the pointer is.{note}")),
            };
            let out = out.with("action", action).with("button", name);
            Ok(if mods.is_empty() {
                out
            } else {
                out.with("modifiers", mods.clone())
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ix: f64, iy: f64) -> Point {
        Point {
            x: ix,
            y: iy,
            ix,
            iy,
        }
    }

    #[test]
    fn long_segments_are_split_and_short_ones_kept() {
        let moves = interpolate(&[p(0.0, 0.0), p(100.0, 0.0), p(105.0, 0.0)]);
        assert_eq!(
            moves,
            vec![(33.0, 0.0), (67.0, 0.0), (100.0, 0.0), (105.0, 0.0)]
        );
        let far = interpolate(&[p(0.0, 0.0), p(4000.0, 0.0)]);
        assert_eq!(far.len(), MAX_STEPS_PER_SEGMENT);
        assert_eq!(far.last(), Some(&(4000.0, 0.0)));
        // Repeated points do not produce repeated moves.
        assert_eq!(interpolate(&[p(5.0, 5.0), p(5.0, 5.0)]), Vec::new());
    }

    #[test]
    fn either_a_path_or_both_ends() {
        let args = |path: Option<Vec<[f64; 2]>>, from, to| DragArgs {
            path,
            from,
            to,
            button: MouseButton::Left,
            modifiers: String::new(),
            frame: None,
        };
        assert!(args(None, Some([1.0, 1.0]), None).points().is_err());
        assert!(args(Some(vec![[1.0, 1.0]]), None, None).points().is_err());
        assert!(
            args(Some(vec![[1.0, 1.0], [2.0, 2.0]]), Some([1.0, 1.0]), None)
                .points()
                .is_err()
        );
        assert_eq!(
            args(None, Some([1.0, 2.0]), Some([3.0, 4.0])).points().ok(),
            Some(vec![[1.0, 2.0], [3.0, 4.0]])
        );
    }
}
