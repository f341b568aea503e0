//! `vm_type`: types text into the focused window.
//!
//! The server types with pynput inside its event loop, so one huge `type_text` would block every other client
//! for seconds and risk the per-command timeout. Text is therefore sent in pieces of at most
//! [`CHUNK_CHARS`] characters, split on character boundaries. If a piece fails, the characters already typed
//! are reported and the rest is **not** typed: typing is not idempotent, so nothing is ever resent.
//!
//! Known server limitation (Linux/X11 guests only): pynput types a character missing from the keyboard layout
//! by writing it into a spare keycode, sometimes into the keycode's third or fourth column, and then sends the
//! key with the core `Mode_switch` modifier, which XKB clients ignore: such a character arrives as the one in
//! the first or second column (`café ✓ Ωμέγα` typed into xterm on a fresh desktop arrives as `café ✓ ΩΩέγα`).
//! ASCII is always exact, and so are accented letters typed before any symbol or CJK character; macOS guests
//! type Unicode through CGEvent strings and are not affected. Where exact non-ASCII text matters on Linux,
//! write it with `vm_file_write` or paste it with `vm_clipboard`.
//!
//! Windows line endings are typed as one Enter (`\r\n` → `\n`): pynput turns both `\r` and `\n` into Enter,
//! which would otherwise press it twice per line.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::files::FileWrite;
use crate::tools::{ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};

/// Characters per `type_text` command: ~45 ms of server time each, so other clients are not held up.
pub const CHUNK_CHARS: usize = 200;

/// The most characters one call types (~25 s); longer text belongs in a file (`vm_file_write`).
pub const MAX_TYPE_CHARS: usize = 100_000;

/// `vm_type {text}`.
pub struct Type;

/// Arguments of `vm_type`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeArgs {
    /// `\n` presses Enter.
    pub text: String,
}

impl TypedTool for Type {
    type Args = TypeArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_type",
        title: "Type text",
        description: "Type text into the focused window (click it first).",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[CommandName::TypeText],
    };

    async fn run(&self, ctx: &ToolContext, args: TypeArgs) -> Result<ToolOutput, ToolError> {
        let text = args.text.replace("\r\n", "\n");
        if text.is_empty() {
            return Err(ToolError::invalid(
                "vm_type: `text` is empty; nothing to type",
            ));
        }
        let total = text.chars().count();
        if total > MAX_TYPE_CHARS {
            return Err(ToolError::rejected(format!(
                "vm_type: {total} characters is more than the {MAX_TYPE_CHARS} one call types; nothing was typed. \
                 Type it in several calls, or write it to a file with {} and open or paste that.",
                FileWrite::SPEC.name
            )));
        }
        let session = ctx.session()?;
        let pieces = chunks(&text, CHUNK_CHARS);
        let mut typed = 0usize;
        for piece in &pieces {
            let n = piece.chars().count();
            if ctx.cancel.is_cancelled() {
                return Err(stopped(
                    ToolError::new(ToolErrorKind::Failed, "cancelled by the caller"),
                    typed,
                    0,
                    total,
                ));
            }
            if let Err(e) = ctx
                .cancellable(&session, session.gui().type_text(piece))
                .await
            {
                return Err(stopped(e, typed, n, total));
            }
            typed += n;
        }
        let how = if pieces.len() > 1 {
            format!(" in {} pieces", pieces.len())
        } else {
            String::new()
        };
        Ok(ToolOutput::text(format!("Typed {total} characters{how}."))
            .with("characters", total)
            .with("chunks", pieces.len()))
    }
}

/// Splits `text` into pieces of at most `max` characters, on character boundaries (`max` 0 is taken as 1).
pub fn chunks(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, _) in text.char_indices() {
        if count == max {
            out.push(&text[start..i]);
            start = i;
            count = 0;
        }
        count += 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The error for a call that stopped after `typed` characters while the next `piece` were being sent.
fn stopped(e: ToolError, typed: usize, piece: usize, total: usize) -> ToolError {
    let after = total - typed - piece;
    let piece_state = match e.kind {
        ToolErrorKind::Ambiguous => "may or may not have been typed (no reply came)",
        ToolErrorKind::Failed => "failed (part of it may have been typed)",
        _ => "were not typed",
    };
    let mut message = if typed == 0 && matches!(e.kind, ToolErrorKind::Unavailable) {
        format!("vm_type: nothing was typed: {}", e.message)
    } else if piece == 0 {
        format!(
            "vm_type: stopped after typing {typed} of {total} characters: {}.\n  The remaining {after} characters were NOT typed and will not be retried.",
            e.message
        )
    } else {
        format!(
            "vm_type: typed {typed} of {total} characters; characters {}–{} {piece_state}: {}.\n  The {after} characters after them were NOT typed and will not be retried.",
            typed + 1,
            typed + piece,
            e.message
        )
    };
    if typed > 0 || piece > 0 {
        message.push_str(
            "\n  Take a screenshot to see where typing stopped, then type only what is missing.",
        );
    }
    ToolError { message, ..e }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_keep_every_character_and_respect_the_limit() {
        let text = "héllo ✓ wörld 日本語 🎉".repeat(37);
        let pieces = chunks(&text, 7);
        assert_eq!(pieces.concat(), text);
        assert!(pieces.iter().all(|p| p.chars().count() <= 7));
        assert!(
            pieces[..pieces.len() - 1]
                .iter()
                .all(|p| p.chars().count() == 7)
        );
        assert_eq!(chunks("abc", 200), vec!["abc"]);
        assert_eq!(chunks("abcd", 2), vec!["ab", "cd"]);
        assert!(chunks("", 5).is_empty());
        assert_eq!(chunks("ab", 0), vec!["a", "b"]);
    }

    #[test]
    fn a_failed_piece_reports_what_was_typed_and_what_was_not() {
        let e = stopped(
            ToolError::new(ToolErrorKind::Ambiguous, "timed out"),
            400,
            200,
            1000,
        );
        assert_eq!(e.kind, ToolErrorKind::Ambiguous);
        assert!(e.message.contains("typed 400 of 1000"), "{e}");
        assert!(e.message.contains("401–600 may or may not"), "{e}");
        assert!(
            e.message
                .contains("400 characters after them were NOT typed"),
            "{e}"
        );
        let e = stopped(
            ToolError::new(ToolErrorKind::Unavailable, "connection refused"),
            0,
            200,
            1000,
        );
        assert!(e.message.starts_with("vm_type: nothing was typed"), "{e}");
    }
}
