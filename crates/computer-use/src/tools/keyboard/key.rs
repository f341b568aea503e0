//! `vm_key`: presses one key or a combination, or holds keys down (`action: "down"`) until `action: "up"`.
//!
//! Models write `Return`, `Escape`, `command+s`, `ctrl+C`; the server accepts only pynput names (`enter`,
//! `esc`, `cmd`) and rejects the rest. Every name goes through [`keys::parse_combo`] first, so an unknown key
//! is refused before anything is sent, with the closest valid names. One key → `press_key`; several →
//! `hotkey` (pressed in order, released in reverse).
//!
//! In a combination a capital letter is sent lower-case: `ctrl+C` means ctrl+c to people, but pynput would add
//! Shift for `C` and turn a terminal's interrupt into its copy shortcut. Write `shift` to mean Shift.
//!
//! Held keys (`down`) are recorded in the session like held mouse buttons and released when a later input
//! call fails or is cancelled, or the session ends (see [`crate::tools::pointer::held`]); they stay down across
//! calls, so `vm_key {keys: "shift", action: "down"}` + clicks + `vm_key {keys: "shift", action: "up"}` is a
//! shift-selection built step by step.
//!
//! What the server cannot send on a Linux guest ([`xdotool`]): a Super (`cmd`) chord with a character key
//! (pynput sends the letter without Super) and keypad keys (no pynput name) go through `xdotool key` when
//! the guest has it; otherwise the call says plainly that nothing was pressed. Caps Lock toggles, but the
//! server types letters with the case they are written in, so the result says it does not change typed text.

use std::sync::Arc;

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::xdotool;
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::pointer::held;
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};
use crate::vm::{GuestOs, VmSession};
use keys;

/// `vm_key {keys, action?}`.
pub struct Key;

/// Hold or release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyAction {
    /// Press and hold.
    Down,
    /// Release.
    Up,
}

/// Arguments of `vm_key`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyArgs {
    /// A key or a `+` combination (the description gives examples).
    #[schemars(description = "")]
    pub keys: String,
    /// `down` holds the keys until `up`; omit to press and release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<KeyAction>,
}

impl TypedTool for Key {
    type Args = KeyArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_key",
        title: "Press keys",
        description: "Press a key or combination: enter, esc, tab, page_down, f5, ctrl+c, cmd+shift+t.",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[
            CommandName::PressKey,
            CommandName::Hotkey,
            CommandName::KeyDown,
            CommandName::KeyUp,
            CommandName::RunCommand,
            CommandName::Version,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: KeyArgs) -> Result<ToolOutput, ToolError> {
        let keys = to_server_keys(&args.keys)?;
        let session = ctx.session()?;
        let guard = held::CallGuard::new(session.clone());
        let result = match args.action {
            None => press(ctx, &session, &keys).await,
            Some(KeyAction::Down) => hold(ctx, &session, &keys).await,
            Some(KeyAction::Up) => release(ctx, &session, &keys).await,
        };
        guard.finish(result).await
    }
}

/// Press and release: through the server, or through xdotool where the server cannot send it.
async fn press(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    keys: &[String],
) -> Result<ToolOutput, ToolError> {
    let shown = keys.join("+");
    let keypad: Vec<&String> = keys
        .iter()
        .filter(|k| keys::keypad_keysym(k).is_some())
        .collect();
    let held_now = held::held_keys(session);
    let super_char = keys
        .iter()
        .chain(held_now.iter())
        .any(|k| k.starts_with("cmd"))
        && keys.iter().any(|k| k.chars().count() == 1);
    let guest = if keypad.is_empty() && !super_char && !keys.iter().any(|k| k == "caps_lock") {
        None
    } else {
        Some(xdotool::guest(ctx, session).await?)
    };
    let via_xdotool = !keypad.is_empty() || (super_char && guest == Some(GuestOs::Linux));
    if via_xdotool {
        let why_not = match keys
            .iter()
            .map(|k| keys::x_keysym(k))
            .collect::<Option<Vec<_>>>()
        {
            Some(keysyms) => {
                match xdotool::run(ctx, session, &["key".into(), keysyms.join("+")]).await? {
                    Ok(()) => {
                        return Ok(ToolOutput::text(format!(
                            "Pressed {shown} (sent with xdotool on the Linux guest: the server cannot send {}).",
                            if keypad.is_empty() { "Super with a character key" } else { "keypad keys" }
                        ))
                        .with("keys", keys.to_vec())
                        .with("via", "xdotool"));
                    }
                    Err(why) => why.why(),
                }
            }
            None => "one of its keys has no X keysym name here".to_owned(),
        };
        let what = if keypad.is_empty() {
            format!(
                "on a Linux guest the server sends character keys without the Super modifier, so {shown} would arrive as a bare {}",
                keys.iter()
                    .find(|k| k.chars().count() == 1)
                    .map_or("key", String::as_str)
            )
        } else {
            format!(
                "the server has no keypad keys ({})",
                keypad
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(ToolError::rejected(format!(
            "{}: {shown} was NOT pressed: {what}, and it could not be sent another way: {why_not}.",
            Key::SPEC.name
        )));
    }
    let client = session.gui();
    match keys {
        [one] => ctx.cancellable(session, client.press_key(one)).await?,
        many => {
            let refs: Vec<&str> = many.iter().map(String::as_str).collect();
            ctx.cancellable(session, client.hotkey(&refs)).await?
        }
    }
    let mut text = format!("Pressed {shown}.");
    if super_char && guest == Some(GuestOs::Unknown) {
        text.push_str(
            " The guest's OS is unknown: on a Linux guest the server sends a character key without Super, so \
             the application may have received the bare key.",
        );
    }
    if keys.iter().any(|k| k == "caps_lock") && guest == Some(GuestOs::Linux) {
        text.push_str(
            " Caps Lock toggled, but on this Linux guest it does not change typed text: the server types letters \
             (vm_type, letter keys) with the case they are written in. Write capitals as capitals.",
        );
    }
    Ok(ToolOutput::text(text).with("keys", keys.to_vec()))
}

/// `action: "down"`: every key pressed in order and recorded as held.
async fn hold(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    keys: &[String],
) -> Result<ToolOutput, ToolError> {
    if let Some(k) = keys.iter().find(|k| keys::keypad_keysym(k).is_some()) {
        return Err(ToolError::rejected(format!(
            "{}: {k} cannot be held: the server has no keypad keys. Press it without `action`. Nothing was sent.",
            Key::SPEC.name
        )));
    }
    for key in keys {
        held::press_key(ctx, session, key).await?;
    }
    let shown = keys.join("+");
    Ok(ToolOutput::text(format!(
        "Holding {shown} down. Release with {} {{\"keys\": \"{shown}\", \"action\": \"up\"}}; held keys are also released if a later input call fails or is cancelled.",
        Key::SPEC.name
    ))
    .with("keys", keys.to_vec())
    .with("action", "down")
    .with("held", held::held_keys(session)))
}

/// `action: "up"`: every key released in reverse order.
async fn release(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    keys: &[String],
) -> Result<ToolOutput, ToolError> {
    let before = held::held_keys(session);
    for key in keys.iter().rev() {
        held::lift_key(ctx, session, key).await?;
    }
    let not_held: Vec<&String> = keys.iter().filter(|k| !before.contains(k)).collect();
    let mut text = format!("Released {}.", keys.join("+"));
    if !not_held.is_empty() {
        text.push_str(&format!(
            " ({} was not held by these tools.)",
            not_held
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(ToolOutput::text(text)
        .with("keys", keys.to_vec())
        .with("action", "up")
        .with("held", held::held_keys(session)))
}

/// The server's names for a combination, or the refusal (nothing sent) naming the closest valid keys.
pub fn to_server_keys(combo: &str) -> Result<Vec<String>, ToolError> {
    if combo.trim().is_empty() {
        return Err(ToolError::invalid(
            "vm_key: `keys` is empty; give a key such as \"enter\" or a combination such as \"ctrl+c\"",
        ));
    }
    let trimmed = combo.trim();
    if trimmed != "+" && !trimmed.ends_with("++") && trimmed.split('+').any(|k| k.trim().is_empty())
    {
        return Err(ToolError::rejected(format!(
            "vm_key: `{trimmed}` has an empty key between `+` signs; join keys with one `+` \
             (\"ctrl+c\"), and write the plus key as \"plus\". Nothing was pressed."
        )));
    }
    let mut keys = keys::parse_combo(combo)
        .map_err(|e| ToolError::rejected(format!("vm_key: {e}. Nothing was pressed.")))?;
    if keys.len() > 1 {
        for k in &mut keys {
            if k.chars().count() == 1 {
                *k = k.to_lowercase();
            }
        }
    }
    Ok(keys)
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tools::ToolErrorKind;

    #[test]
    fn combinations_use_server_names_and_lower_case_letters() {
        assert_eq!(to_server_keys("Return").unwrap(), vec!["enter"]);
        assert_eq!(to_server_keys("A").unwrap(), vec!["A"]);
        assert_eq!(to_server_keys("ctrl+C").unwrap(), vec!["ctrl", "c"]);
        assert_eq!(
            to_server_keys("shift+command+N").unwrap(),
            vec!["shift", "cmd", "n"]
        );
    }

    #[test]
    fn unknown_and_empty_keys_are_refused() {
        let e = to_server_keys("ctrl+entr").unwrap_err();
        assert_eq!(e.kind, ToolErrorKind::Rejected);
        assert!(e.message.contains("did you mean enter"), "{e}");
        assert!(e.message.contains("Nothing was pressed"), "{e}");
        let e = to_server_keys("ctrl+").unwrap_err();
        assert!(e.message.contains("empty key"), "{e}");
        assert_eq!(to_server_keys("ctrl++").unwrap(), vec!["ctrl", "+"]);
        assert_eq!(to_server_keys("ctrl+plus").unwrap(), vec!["ctrl", "+"]);
        assert_eq!(
            to_server_keys("  ").unwrap_err().kind,
            ToolErrorKind::InvalidArguments
        );
    }
}
