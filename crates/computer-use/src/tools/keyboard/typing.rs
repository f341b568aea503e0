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
//! type Unicode through CGEvent strings and are not affected. So on a Linux guest every line holding a
//! character outside printable ASCII is pasted through the clipboard instead (see [`super::paste`]), with the
//! paste key the caller names (`paste`, default `ctrl+v`; `"none"` types everything as the server would),
//! and the result says which way each part went.
//!
//! Windows line endings are typed as one Enter (`\r\n` → `\n`): pynput turns both `\r` and `\n` into Enter,
//! which would otherwise press it twice per line.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::key::to_server_keys;
use super::paste::{self, Piece};
use super::xdotool;
use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::files::FileWrite;
use crate::tools::{ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};
use crate::vm::{GuestOs, VmSession};

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
    /// Keys that paste, for text the keyboard cannot type exactly (default ctrl+v; "none" types all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paste: Option<String>,
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
        commands: &[
            CommandName::TypeText,
            CommandName::CopyToClipboard,
            CommandName::SetClipboard,
            CommandName::PressKey,
            CommandName::Hotkey,
            CommandName::Version,
        ],
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
        let paste_keys = match args.paste.as_deref().map(str::trim) {
            None | Some("") => Some(vec!["ctrl".to_owned(), "v".to_owned()]),
            Some(none) if none.eq_ignore_ascii_case("none") => None,
            Some(combo) => Some(to_server_keys(combo).map_err(|e| ToolError {
                message: e.message.replacen("vm_key", "vm_type: paste", 1),
                ..e
            })?),
        };
        let session = ctx.session()?;
        let untypable = text.chars().filter(|c| !paste::typable(*c)).count();
        let guest = if untypable > 0 {
            Some(xdotool::guest(ctx, &session).await?)
        } else {
            None
        };
        let pieces = match (&guest, &paste_keys) {
            (Some(GuestOs::Linux), Some(_)) => paste::plan(&text),
            _ => vec![Piece::Keys(text.as_str())],
        };
        let mut run = Delivery {
            total,
            ..Delivery::default()
        };
        let result = run
            .deliver(ctx, &session, &pieces, paste_keys.as_deref())
            .await;
        let restored = match run.saved.take() {
            Some(saved) => Some(saved.restore(&session).await),
            None => None,
        };
        if let Err(e) = result {
            let mut e = e;
            if let Some(restored) = restored {
                e.message.push_str(&format!(" ({restored})"));
            }
            return Err(e);
        }
        let mut text_out = match run.pasted {
            0 if run.chunks > 1 => format!("Typed {total} characters in {} pieces.", run.chunks),
            0 => format!("Typed {total} characters."),
            pasted => format!(
                "Typed {total} characters: {} with the keyboard, {pasted} pasted with {} \
                 (lines with characters the keyboard cannot type exactly on this Linux guest); {}. \
                 A terminal may need paste: \"ctrl+shift+v\" (xterm: \"none\").",
                total - pasted,
                paste_keys
                    .as_deref()
                    .map(|k| k.join("+"))
                    .unwrap_or_default(),
                restored.unwrap_or("clipboard untouched")
            ),
        };
        if run.pasted == 0 && untypable > 0 {
            match guest {
                Some(GuestOs::Linux) => text_out.push_str(&format!(
                    " {untypable} characters outside ASCII were typed with the keyboard (paste: \"none\"); \
                     on this Linux guest some may arrive altered."
                )),
                Some(GuestOs::Unknown) => text_out.push_str(&format!(
                    " The guest's OS is unknown, so its {untypable} characters outside ASCII were typed with \
                     the keyboard; on a Linux guest some may arrive altered."
                )),
                _ => {}
            }
        }
        let via = match (run.pasted, run.pasted == total) {
            (0, _) => "keys",
            (_, true) => "paste",
            _ => "keys+paste",
        };
        Ok(ToolOutput::text(text_out)
            .with("characters", total)
            .with("chunks", run.chunks)
            .with("pasted", run.pasted)
            .with("via", via))
    }
}

/// One call's progress: what was typed and pasted so far, and the clipboard to restore.
#[derive(Debug, Default)]
struct Delivery {
    total: usize,
    done: usize,
    pasted: usize,
    chunks: usize,
    saved: Option<paste::Saved>,
}

impl Delivery {
    /// Types and pastes `pieces` in order; stops at the first failure (nothing is resent).
    async fn deliver(
        &mut self,
        ctx: &ToolContext,
        session: &Arc<VmSession>,
        pieces: &[Piece<'_>],
        paste_keys: Option<&[String]>,
    ) -> Result<(), ToolError> {
        for piece in pieces {
            match *piece {
                Piece::Keys(keys) => {
                    for chunk in chunks(keys, CHUNK_CHARS) {
                        self.step(ctx, chunk, session.gui().type_text(chunk), session)
                            .await?;
                        self.chunks += 1;
                    }
                }
                Piece::Paste(line) => {
                    if self.saved.is_none() {
                        self.saved = Some(paste::save(ctx, session).await?);
                    }
                    let keys = paste_keys.unwrap_or_default();
                    let n = line.chars().count();
                    if ctx.cancel.is_cancelled() {
                        return Err(stopped(
                            ToolError::new(ToolErrorKind::Failed, "cancelled by the caller"),
                            self.done,
                            0,
                            self.total,
                        ));
                    }
                    if let Err(e) = paste::paste(ctx, session, line, keys).await {
                        return Err(stopped(e, self.done, n, self.total));
                    }
                    self.done += n;
                    self.pasted += n;
                }
            }
        }
        Ok(())
    }

    /// Sends one typed chunk, accounting for it.
    async fn step(
        &mut self,
        ctx: &ToolContext,
        chunk: &str,
        send: impl std::future::Future<Output = Result<(), cua_protocol::Error>>,
        session: &VmSession,
    ) -> Result<(), ToolError> {
        let n = chunk.chars().count();
        if ctx.cancel.is_cancelled() {
            return Err(stopped(
                ToolError::new(ToolErrorKind::Failed, "cancelled by the caller"),
                self.done,
                0,
                self.total,
            ));
        }
        if let Err(e) = ctx.cancellable(session, send).await {
            return Err(stopped(e, self.done, n, self.total));
        }
        self.done += n;
        Ok(())
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
