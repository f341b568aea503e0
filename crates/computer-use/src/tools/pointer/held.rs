//! Mouse buttons and keys we pressed and have not released yet, per VM session, so nothing stays held when a
//! call is cancelled or breaks half-way (a stuck button turns every later move into a drag, a stuck Ctrl every
//! click into a ctrl-click; `docs/model-clients.md`, "Input left held").
//!
//! A button is recorded *before* `mouse_down` is sent (a press whose reply is lost may still have happened)
//! and forgotten only after a successful `mouse_up`. Buttons held on purpose (`vm_mouse down`) stay recorded
//! until `vm_mouse up`, or until a later pointer call is cancelled or fails ambiguously: then the sequence the
//! agent was building is broken, and releasing is the safe default.
//!
//! Keys follow the same rules: recorded before `key_down`, forgotten after a successful `key_up`; modifiers
//! held for one pointer action (`modifiers`) are released by the call itself, keys held on purpose
//! (`vm_key` with `action: "down"`) stay until `action: "up"` or a broken call.
//!
//! Every pointer call, and every `vm_key` call, runs inside a [`CallGuard`]:
//! - [`CallGuard::finish`] releases the buttons and keys pressed *during the call* when it failed in any way
//!   (a drag interrupted after its press), and every held button and key when the failure was ambiguous
//!   (sent, no reply: timeout, lost connection, cancellation) or reported by the server;
//! - dropping the guard before `finish` (the caller dropped the future: an aborted call, a `timeout` around
//!   it) spawns a task that releases every held button and key.
//!
//! Buttons are released before keys (a ctrl-drag ends as a ctrl-drop), keys in reverse press order.
//!
//! Releases are sent on the GUI lane with their own short time limit, not through
//! [`crate::tools::ToolContext::cancellable`]: the caller's token is usually already cancelled.
//! Dropping the cancelled command makes the client discard its connection, so the release goes out on a
//! fresh one and cannot be mistaken for the old reply. A release that fails keeps the button recorded; the
//! next failure path (or `vm_mouse up`) tries again.
//!
//! The records themselves are the session's [`HeldButtons`](crate::vm::HeldButtons) and
//! [`HeldKeys`](crate::vm::HeldKeys): they belong to the VM, not to one call.

use std::sync::Arc;
use std::time::Duration;

use cua_protocol::{Button, Command, Outcome};

use crate::tools::TypedTool;
use crate::tools::keyboard::Key;
use crate::tools::pointer::Mouse;
use crate::tools::{ToolContext, ToolError, ToolErrorKind};
use crate::vm::VmSession;
pub use crate::vm::held::{name, names};
use crate::vm::held_keys;

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

/// The keys recorded as held on this session's VM, in press order.
pub fn held_keys(session: &VmSession) -> Vec<String> {
    session.held_keys().list()
}

/// Presses `key` (`key_down`), recorded as held first; a press that certainly never reached the server is
/// forgotten again.
pub async fn press_key(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    key: &str,
) -> Result<(), ToolError> {
    session.held_keys().pressed(key);
    let result = ctx.cancellable(session, session.gui().key_down(key)).await;
    if let Err(e) = &result
        && e.outcome() == Outcome::NotSent
    {
        session.held_keys().released(key);
    }
    result
}

/// Releases `key` (`key_up`) as part of a normal call; forgotten once acknowledged.
pub async fn lift_key(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    key: &str,
) -> Result<(), ToolError> {
    ctx.cancellable(session, session.gui().key_up(key)).await?;
    session.held_keys().released(key);
    Ok(())
}

/// What a release attempt did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Released {
    /// Buttons a `mouse_up` was acknowledged for.
    pub released: Vec<Button>,
    /// Buttons whose `mouse_up` failed, with why; they stay recorded as held.
    pub failed: Vec<(Button, String)>,
    /// Keys a `key_up` was acknowledged for.
    pub keys: Vec<String>,
    /// Keys whose `key_up` failed, with why; they stay recorded as held.
    pub keys_failed: Vec<(String, String)>,
}

impl Released {
    /// Nothing was attempted.
    pub fn is_empty(&self) -> bool {
        self.released.is_empty()
            && self.failed.is_empty()
            && self.keys.is_empty()
            && self.keys_failed.is_empty()
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
        if !self.keys.is_empty() {
            parts.push(format!(
                "Released the held {} (key_up sent).",
                held_keys::names(&self.keys)
            ));
        }
        for (key, why) in &self.keys_failed {
            parts.push(format!(
                "Could not release the {key} key ({why}); it may still be pressed: call {} {{\"keys\": \"{key}\", \"action\": \"up\"}} once the VM answers.",
                Key::SPEC.name,
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

/// Sends `key_up` for `keys` in reverse order, ignoring cancellation, each with [`RELEASE_TIMEOUT`]; forgets
/// the ones acknowledged. Adds what it did to `out`.
pub async fn release_keys(session: &Arc<VmSession>, keys: &[String], out: &mut Released) {
    for key in keys.iter().rev() {
        let up = Command::KeyUp { key: key.clone() };
        match session.gui().send_with_timeout(&up, RELEASE_TIMEOUT).await {
            Ok(_) => {
                session.held_keys().released(key);
                out.keys.push(key.clone());
            }
            Err(e) => {
                let why = e.to_string();
                let why = why.lines().next().unwrap_or_default().to_owned();
                tracing::warn!(key = %key, error = %why, "could not release a held key");
                out.keys_failed.push((key.clone(), why));
            }
        }
    }
}

/// Releases every button, then every key, recorded as held on this session's VM (also what a session's end
/// does: [`release_held`]).
pub async fn release_all(session: &Arc<VmSession>) -> Released {
    let buttons = held(session);
    let mut out = release(session, &buttons).await;
    let keys = held_keys(session);
    release_keys(session, &keys, &mut out).await;
    out
}

/// The end of a session: releases every button and key still recorded as held on every VM session of
/// `vms` (the MCP server calls it when it shuts down, after its calls have finished). Sessions with nothing
/// held are not contacted. Returns what was done per VM, for the log.
pub async fn release_held(vms: &crate::vm::Vms) -> Vec<(String, Released)> {
    let mut out = Vec::new();
    for session in vms.sessions() {
        if held(&session).is_empty() && held_keys(&session).is_empty() {
            continue;
        }
        let done = release_all(&session).await;
        tracing::info!(vm = %session.target().name, outcome = %done.describe(), "session end: released held input");
        out.push((session.target().name.clone(), done));
    }
    out
}

/// Scope of one pointer call; see the module documentation.
pub struct CallGuard {
    session: Arc<VmSession>,
    before: Vec<Button>,
    before_keys: Vec<String>,
    armed: bool,
}

impl CallGuard {
    /// Starts guarding a call on `session`.
    pub fn new(session: Arc<VmSession>) -> CallGuard {
        let before = held(&session);
        let before_keys = held_keys(&session);
        CallGuard {
            session,
            before,
            before_keys,
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
                let keys = held_keys(&self.session);
                let keys: Vec<String> = if broken {
                    keys
                } else {
                    keys.into_iter()
                        .filter(|k| !self.before_keys.contains(k))
                        .collect()
                };
                let mut done = release(&self.session, &to_release).await;
                release_keys(&self.session, &keys, &mut done).await;
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
        if !self.armed || (held(&self.session).is_empty() && held_keys(&self.session).is_empty()) {
            return;
        }
        let session = self.session.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let done = release_all(&session).await;
                    tracing::info!(outcome = %done.describe(), "input call abandoned while a button or key was held");
                });
            }
            Err(_) => tracing::warn!(
                "an input call was abandoned outside a tokio runtime with a button or key held; it cannot be released"
            ),
        }
    }
}
