//! Input the server cannot send, delivered on Linux guests through `xdotool`, which injects it with XTest
//! like a real keyboard and mouse.
//!
//! The server's Linux handler (pynput) cannot express three things applications need:
//! - **Super chords with a character key** (`cmd+a`, `super+l`): pynput sends character keys as synthetic
//!   events whose modifier state it computes from Shift, Ctrl, Alt and AltGr only, so the application
//!   receives a bare `a`;
//! - **keypad keys** (`kp_enter`, `kp_add`, …): its key commands take pynput `Key` members or one character,
//!   and pynput has no keypad members;
//! - **mouse buttons 8 and 9** (back, forward): its `mouse_down`/`mouse_up` take left, right and middle and
//!   turn any other name into a *left* press.
//!
//! For these, the tool sends `run_command` with one fixed `xdotool` command line on the GUI lane (so it stays
//! in order with the other input). The arguments are built only from our own key and button tables and
//! checked to be plain names (letters, digits, `_`, `+`), so nothing the caller wrote reaches a shell. If the
//! guest is not Linux, or has no `xdotool`, the tool says so plainly and reports nothing as done.

use std::sync::Arc;
use std::time::Duration;

use crate::tools::{ToolContext, ToolError};
use crate::vm::{GuestOs, VmSession};

/// Time limit for one xdotool run.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The guest's OS, connecting the GUI lane first if it is not connected yet.
pub async fn guest(ctx: &ToolContext, session: &Arc<VmSession>) -> Result<GuestOs, ToolError> {
    if !matches!(
        session.gui().state(),
        cua_protocol::ConnectionState::Connected { .. }
    ) {
        ctx.cancellable(session, session.gui().version()).await?;
    }
    Ok(crate::vm::guest_os(session).await)
}

/// Why xdotool could not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undeliverable {
    /// The guest is not Linux: there is no XTest to reach.
    NotLinux(String),
    /// The guest has no `xdotool` on the server's PATH.
    NoXdotool,
    /// xdotool ran and failed.
    Failed(String),
}

impl Undeliverable {
    /// Why, for a result: `the guest is macOS`, ….
    pub fn why(&self) -> String {
        match self {
            Undeliverable::NotLinux(os) => format!("the guest is {os}, not Linux"),
            Undeliverable::NoXdotool => {
                "the Linux guest has no xdotool (install it in the guest: apt-get install xdotool)"
                    .to_owned()
            }
            Undeliverable::Failed(why) => format!("xdotool failed: {why}"),
        }
    }
}

/// Runs `xdotool ARGS…` on the guest. `Ok(Err(_))` when it could not be delivered (nothing was sent to
/// applications); `Err` when the server itself failed.
pub async fn run(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    args: &[String],
) -> Result<Result<(), Undeliverable>, ToolError> {
    match guest(ctx, session).await? {
        GuestOs::Linux => {}
        other => return Ok(Err(Undeliverable::NotLinux(other.name().to_owned()))),
    }
    if let Some(bad) = args.iter().find(|a| !is_plain(a)) {
        return Err(ToolError::rejected(format!(
            "internal: `{bad}` is not a plain xdotool argument; nothing was sent"
        )));
    }
    let line = format!(
        "command -v xdotool >/dev/null 2>&1 || exit 127; exec xdotool {}",
        args.join(" ")
    );
    let out = ctx
        .cancellable(session, session.gui().run_command(&line, TIMEOUT))
        .await?;
    Ok(match out.return_code {
        0 => Ok(()),
        127 => Err(Undeliverable::NoXdotool),
        code => Err(Undeliverable::Failed(format!(
            "exit {code}: {}",
            out.stderr.lines().next().unwrap_or_default()
        ))),
    })
}

/// Letters, digits, `_`, `+` and `-` only (key and button names, `--clearmodifiers`-style flags).
fn is_plain(arg: &str) -> bool {
    !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_reach_the_command_line() {
        assert!(is_plain("super+a"));
        assert!(is_plain("KP_Enter"));
        assert!(is_plain("8"));
        assert!(!is_plain("a;rm"));
        assert!(!is_plain("$(x)"));
        assert!(!is_plain(""));
        assert!(!is_plain("a b"));
    }
}
