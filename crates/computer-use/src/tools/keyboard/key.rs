//! `vm_key`: presses one key or a combination.
//!
//! Models write `Return`, `Escape`, `command+s`, `ctrl+C`; the server accepts only pynput names (`enter`,
//! `esc`, `cmd`) and rejects the rest. Every name goes through [`keys::parse_combo`] first, so an unknown key
//! is refused before anything is sent, with the closest valid names. One key → `press_key`; several →
//! `hotkey` (pressed in order, released in reverse).
//!
//! In a combination a capital letter is sent lower-case: `ctrl+C` means ctrl+c to people, but pynput would add
//! Shift for `C` and turn a terminal's interrupt into its copy shortcut. Write `shift` to mean Shift.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};
use keys;

/// `vm_key {keys}`.
pub struct Key;

/// Arguments of `vm_key`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyArgs {
    /// A key or a `+` combination (the description gives examples).
    #[schemars(description = "")]
    pub keys: String,
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
        commands: &[CommandName::PressKey, CommandName::Hotkey],
    };

    async fn run(&self, ctx: &ToolContext, args: KeyArgs) -> Result<ToolOutput, ToolError> {
        let keys = to_server_keys(&args.keys)?;
        let session = ctx.session()?;
        let client = session.gui();
        match keys.as_slice() {
            [one] => ctx.cancellable(&session, client.press_key(one)).await?,
            many => {
                let refs: Vec<&str> = many.iter().map(String::as_str).collect();
                ctx.cancellable(&session, client.hotkey(&refs)).await?
            }
        }
        let shown = keys.join("+");
        Ok(ToolOutput::text(format!("Pressed {shown}.")).with("keys", keys))
    }
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
