//! Pointer tools: `vm_click`, `vm_move`, `vm_drag`, `vm_mouse`, `vm_cursor`, `vm_scroll`.
//!
//! Coordinates are pixels of the latest image we returned (screenshot or zoom); [`target`] maps them through
//! its frame to the server's input space, refusing off-image points and stale frames before anything is
//! sent. Every call runs inside a [`held::CallGuard`], so a button pressed by a drag or held with
//! `vm_mouse down`, or a modifier held for the action ([`modifiers`]), is released when a call is cancelled
//! or breaks half-way.
//!
//! `vm_click` and `vm_scroll` keep the Phase 8 guide's plugin's names, parameters and defaults (`button`
//! left/right/double, `clicks` 5) and add to them.

mod click;
mod cursor;
mod drag;
pub mod held;
pub mod modifiers;
mod scroll;
pub mod target;

use std::sync::Arc;

pub use click::{Click, ClickArgs, ClickButton, Move, MoveArgs};
pub use cursor::{Cursor, CursorArgs};
pub use drag::{Drag, DragArgs, Mouse, MouseAction, MouseArgs};
pub use scroll::{Scroll, ScrollArgs, ScrollDirection};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tools::{ToolContext, ToolError, ToolOutput};
use crate::vm::VmSession;

/// A physical mouse button (for drags and holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")] // the values name the choices; not sent with every tool list
pub enum MouseButton {
    /// Primary.
    #[default]
    Left,
    /// Secondary.
    Right,
    /// Wheel.
    Middle,
}

impl From<MouseButton> for cua_protocol::Button {
    fn from(b: MouseButton) -> cua_protocol::Button {
        match b {
            MouseButton::Left => cua_protocol::Button::Left,
            MouseButton::Right => cua_protocol::Button::Right,
            MouseButton::Middle => cua_protocol::Button::Middle,
        }
    }
}

/// Runs one pointer call on the context's VM inside a [`held::CallGuard`].
async fn guarded(
    ctx: &ToolContext,
    body: impl AsyncFnOnce(Arc<VmSession>) -> Result<ToolOutput, ToolError>,
) -> Result<ToolOutput, ToolError> {
    let session = ctx.session()?;
    let guard = held::CallGuard::new(session.clone());
    let result = body(session).await;
    guard.finish(result).await
}
