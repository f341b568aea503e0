//! Mouse buttons we pressed and have not released yet, per VM session, so nothing stays held when a call
//! is cancelled or breaks half-way (a stuck button turns every later move into a drag; `docs/model-clients.md`,
//! "Input left held").
//!
//! A button is recorded *before* `mouse_down` is sent (a press whose reply is lost may still have happened)
//! and forgotten only after a successful `mouse_up`. Buttons held on purpose (`vm_mouse down`) stay recorded
//! until `vm_mouse up`, or until a later pointer call is cancelled or fails ambiguously: then the sequence the
//! agent was building is broken, and releasing is the safe default.
//!
//! Every pointer call runs inside a [`CallGuard`]:
//! - [`CallGuard::finish`] releases the buttons pressed *during the call* when it failed in any way (a drag
//!   interrupted after its press), and every held button when the failure was ambiguous (sent, no reply:
//!   timeout, lost connection, cancellation) or reported by the server;
//! - dropping the guard before `finish` (the caller dropped the future: an aborted call, a `timeout` around
//!   it) spawns a task that releases every held button.
//!
//! Releases are sent on the GUI lane with their own short time limit, not through
//! [`crate::tools::ToolContext::cancellable`]: the caller's token is usually already cancelled.
//! Dropping the cancelled command makes the client discard its connection, so the release goes out on a
//! fresh one and cannot be mistaken for the old reply. A release that fails keeps the button recorded; the
//! next failure path (or `vm_mouse up`) tries again.
//!
//! The record itself is the session's [`HeldButtons`](crate::vm::HeldButtons): it belongs to the VM, not
//! to one call.

use std::sync::Arc;
use std::time::Duration;

use cua_protocol::{Button, Command, Outcome};

use crate::tools::TypedTool;
use crate::tools::pointer::Mouse;
use crate::tools::{ToolContext, ToolError, ToolErrorKind};
use crate::vm::VmSession;
pub use crate::vm::held::{name, names};

/// Time limit for one `mouse_up` sent on a failure path (the connection may have to be re-made).
pub const RELEASE_TIMEOUT: Duration = Duration::from_secs(5);

/// Records that `button` is (or may be) pressed on this session's VM. Call it before sending `mouse_down`.
pub fn pressed(session: &VmSession, button: Button) {
    session.held_buttons().pressed(button);
}

/// Records that `button` was released (after a successful `mouse_up`).
pub fn released(session: &VmSession, button: Button) {
    session.held_buttons().released(button);
}

/// The buttons recorded as held on this session's VM, in press order.
pub fn held(session: &VmSession) -> Vec<Button> {
    session.held_buttons().list()
}

/// Presses `button` (at `at`, input space, when given), recorded as held first; a press that certainly
/// never reached the server is forgotten again.
pub async fn press(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    at: Option<(f64, f64)>,
    button: Button,
) -> Result<(), ToolError> {
    pressed(session, button);
    let result = ctx
        .cancellable(session, session.gui().mouse_down(at, button))
        .await;
    if let Err(e) = &result
        && e.outcome() == Outcome::NotSent
    {
        released(session, button);
    }
    result
}

/// Releases `button` (at `at`, input space, when given) as part of a normal call; forgotten once
/// acknowledged.
pub async fn lift(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    at: Option<(f64, f64)>,
    button: Button,
) -> Result<(), ToolError> {
    ctx.cancellable(session, session.gui().mouse_up(at, button))
        .await?;
    released(session, button);
    Ok(())
}

/// What a release attempt did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Released {
    /// Buttons a `mouse_up` was acknowledged for.
    pub released: Vec<Button>,
    /// Buttons whose `mouse_up` failed, with why; they stay recorded as held.
    pub failed: Vec<(Button, String)>,
}

impl Released {
    /// Nothing was attempted.
    pub fn is_empty(&self) -> bool {
        self.released.is_empty() && self.failed.is_empty()
    }

    /// One sentence for a tool result or error (empty when nothing was attempted).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.released.is_empty() {
            parts.push(format!(
                "Released the held {} (mouse_up sent).",
                names(&self.released)
            ));
        }
        for (button, why) in &self.failed {
            parts.push(format!(
                "Could not release the {} button ({why}); it may still be pressed: call {} {{\"action\": \"up\", \"button\": \"{}\"}} once the VM answers.",
                name(*button),
                Mouse::SPEC.name,
                name(*button)
            ));
        }
        parts.join(" ")
    }
}

/// Sends `mouse_up` (at the current pointer position) for `buttons`, ignoring cancellation, each with
/// [`RELEASE_TIMEOUT`]; forgets the ones acknowledged.
pub async fn release(session: &Arc<VmSession>, buttons: &[Button]) -> Released {
    let mut out = Released::default();
    for &button in buttons {
        let up = Command::MouseUp {
            x: None,
            y: None,
            button,
        };
        match session.gui().send_with_timeout(&up, RELEASE_TIMEOUT).await {
            Ok(_) => {
                released(session, button);
                out.released.push(button);
            }
            Err(e) => {
                let why = e.to_string();
                let why = why.lines().next().unwrap_or_default().to_owned();
                tracing::warn!(button = name(button), error = %why, "could not release a held mouse button");
                out.failed.push((button, why));
            }
        }
    }
    if !out.released.is_empty() {
        tracing::debug!(buttons = ?out.released, "released held mouse buttons");
    }
    out
}

/// Releases every button recorded as held on this session's VM.
pub async fn release_all(session: &Arc<VmSession>) -> Released {
    let buttons = held(session);
    release(session, &buttons).await
}

/// Scope of one pointer call; see the module documentation.
pub struct CallGuard {
    session: Arc<VmSession>,
    before: Vec<Button>,
    armed: bool,
}

impl CallGuard {
    /// Starts guarding a call on `session`.
    pub fn new(session: Arc<VmSession>) -> CallGuard {
        let before = held(&session);
        CallGuard {
            session,
            before,
            armed: true,
        }
    }

    /// Ends the call: on failure, releases what the module documentation says and appends what it did to
    /// the error's message.
    pub async fn finish<T>(mut self, result: Result<T, ToolError>) -> Result<T, ToolError> {
        let result = match result {
            Ok(v) => Ok(v),
            Err(mut e) => {
                let now = held(&self.session);
                let broken = matches!(e.kind, ToolErrorKind::Ambiguous | ToolErrorKind::Failed);
                let to_release: Vec<Button> = if broken {
                    now
                } else {
                    now.into_iter()
                        .filter(|b| !self.before.contains(b))
                        .collect()
                };
                let done = release(&self.session, &to_release).await;
                if !done.is_empty() {
                    e.message.push_str("\n  ");
                    e.message.push_str(&done.describe());
                }
                Err(e)
            }
        };
        self.armed = false;
        result
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if !self.armed || held(&self.session).is_empty() {
            return;
        }
        let session = self.session.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let done = release_all(&session).await;
                    tracing::info!(outcome = %done.describe(), "pointer call abandoned while a button was held");
                });
            }
            Err(_) => tracing::warn!(
                "a pointer call was abandoned outside a tokio runtime with a mouse button held; it cannot be released"
            ),
        }
    }
}
