//! `modifiers` on pointer actions: keys held down for the length of one click, drag, scroll or button
//! press — ctrl-click (add to a selection), shift-click (extend it), ctrl+shift right-click, shift-drag
//! (constrain), ctrl-scroll (zoom), cmd-click on macOS.
//!
//! The server has no modifier parameter on its pointer commands, so a call sends `key_down` for each
//! modifier (in the order written), the pointer command(s), then `key_up` in reverse. The server presses
//! modifiers with XTest on Linux, so the X server's own modifier state is set and every application sees
//! them on the pointer events (Super as `cmd`, too); on macOS pynput adds them to the events it posts. Each
//! key is recorded as held before it is pressed (see [`held`]), so a call that breaks or is cancelled after
//! pressing releases it. A modifier already held with `vm_key` `action: "down"` is left as it is.

use std::sync::Arc;

use super::held;
use crate::tools::keyboard::Key;
use crate::tools::{ToolContext, ToolError, TypedTool};
use crate::vm::VmSession;

/// Parses `modifiers` ("ctrl+shift") into server key names; anything but modifier keys is refused (nothing
/// sent), naming the valid ones.
pub fn parse(tool: &str, modifiers: &str) -> Result<Vec<String>, ToolError> {
    let trimmed = modifiers.trim();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let keys = keys::parse_combo(trimmed).map_err(|e| {
        ToolError::rejected(format!(
            "{tool}: modifiers: {e}. Nothing was sent. Give modifier keys joined with +, e.g. \"ctrl\", \"shift\", \"ctrl+shift\", \"alt\", \"cmd\"."
        ))
    })?;
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        if !keys::is_modifier(&key) {
            return Err(ToolError::rejected(format!(
                "{tool}: modifiers: `{key}` is not a modifier key; use ctrl, shift, alt or cmd (joined with +). \
                 Nothing was sent. To hold another key, use {} with \"action\": \"down\".",
                Key::SPEC.name
            )));
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(out)
}

/// The modifiers this call pressed (and must release).
#[derive(Debug, Default)]
#[must_use = "release the modifiers with `lift`"]
pub struct Hold {
    pressed: Vec<String>,
}

/// Presses `keys` in order, skipping those already held (on purpose, with `vm_key`).
pub async fn press(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    keys: &[String],
) -> Result<Hold, ToolError> {
    let already = held::held_keys(session);
    let mut hold = Hold::default();
    for key in keys {
        if already.contains(key) {
            continue;
        }
        held::press_key(ctx, session, key).await?;
        hold.pressed.push(key.clone());
    }
    Ok(hold)
}

impl Hold {
    /// Releases what [`press`] pressed, in reverse order. A failure leaves the rest to the call's
    /// [`held::CallGuard`].
    pub async fn lift(self, ctx: &ToolContext, session: &Arc<VmSession>) -> Result<(), ToolError> {
        for key in self.pressed.iter().rev() {
            held::lift_key(ctx, session, key).await?;
        }
        Ok(())
    }
}

/// ` with ctrl+shift held` for result texts, empty without modifiers.
pub fn held_text(keys: &[String]) -> String {
    if keys.is_empty() {
        String::new()
    } else {
        format!(" with {} held", keys.join("+"))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tools::ToolErrorKind;

    #[test]
    fn modifiers_parse_and_others_are_refused() {
        assert_eq!(parse("t", ""), Ok(Vec::new()));
        assert_eq!(
            parse("t", "Control+Shift"),
            Ok(vec!["ctrl".to_string(), "shift".to_string()])
        );
        assert_eq!(parse("t", "super"), Ok(vec!["cmd".to_string()]));
        assert_eq!(parse("t", "ctrl+ctrl"), Ok(vec!["ctrl".to_string()]));
        let e = parse("vm_click", "ctrl+a").unwrap_err();
        assert_eq!(e.kind, ToolErrorKind::Rejected);
        assert!(e.message.contains("`a` is not a modifier"), "{e}");
        assert!(parse("t", "ctrl+bogus").is_err());
        assert_eq!(
            held_text(&["ctrl".into(), "shift".into()]),
            " with ctrl+shift held"
        );
    }
}
