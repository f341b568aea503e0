//! Text the keyboard cannot type exactly, delivered through the clipboard: set it, press the paste key,
//! restore the clipboard. Used by `vm_type` on Linux guests.
//!
//! Why: on Linux the server types a character missing from the keyboard layout by writing its keysym into a
//! spare keycode, sometimes into a column that applications decode differently (see `tools::keyboard::typing`), and
//! types combining marks as dead keys that merge with the letter before them; measured with the event probe
//! (a GTK text view, `testkit::probe`), CJK, RTL, combining marks, most emoji and some accented letters arrive
//! altered. A paste hands the application the exact string.
//!
//! Which characters are typed: printable ASCII, tab and newline (every layout has them at plain or Shift
//! positions). A line with any other character is pasted whole; newlines between lines are still typed as
//! Enter, so a terminal still runs each typed line.
//!
//! The paste key is `ctrl+v` unless the caller names another: it pastes the clipboard in GTK, Qt, browsers
//! and office suites; terminals differ (VTE terminals paste with `ctrl+shift+v`; xterm has no key for the
//! clipboard by default), which is why the caller can choose, or type everything with `"none"`.
//!
//! The application fetches the clipboard asynchronously after the key press, so each paste is followed by a
//! short settle time before the clipboard changes again. The clipboard's previous text is read before the
//! first paste and set back after the last.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::tools::{ToolContext, ToolError};
use crate::vm::VmSession;

/// How long a set is confirmed by reading back (xclip takes the selection asynchronously).
const CONFIRM_FOR: Duration = Duration::from_millis(1500);
/// Time the application gets to fetch the clipboard after the paste key, before it changes again.
pub const SETTLE: Duration = Duration::from_millis(300);

/// One step of delivering a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Typed with the keyboard (`type_text`).
    Keys(&'a str),
    /// Pasted through the clipboard.
    Paste(&'a str),
}

/// Whether the Linux server types `c` exactly in every application.
pub fn typable(c: char) -> bool {
    c == '\n' || c == '\t' || (' '..='~').contains(&c)
}

/// Splits `text` into typed and pasted pieces: every line holding a character that is not [`typable`] is
/// pasted (without its line break); the rest, line breaks included, is typed. Adjacent typed parts are one
/// piece.
pub fn plan(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut keys_from = 0;
    let mut line_start = 0;
    for line in text.split('\n') {
        let line_end = line_start + line.len();
        if !line.chars().all(typable) {
            if keys_from < line_start {
                pieces.push(Piece::Keys(&text[keys_from..line_start]));
            }
            pieces.push(Piece::Paste(line));
            keys_from = line_end;
        }
        line_start = line_end + 1;
    }
    if keys_from < text.len() {
        pieces.push(Piece::Keys(&text[keys_from..]));
    }
    pieces
}

/// The clipboard as it was before the first paste, to set back after the last.
#[derive(Debug)]
pub struct Saved(Option<String>);

/// Reads the clipboard's text before pasting (`None` inside when it cannot be read: nothing is restored).
pub async fn save(ctx: &ToolContext, session: &Arc<VmSession>) -> Result<Saved, ToolError> {
    match ctx.cancellable(session, session.gui().clipboard()).await {
        Ok(text) => Ok(Saved(Some(text))),
        Err(e) if e.outcome() == crate::tools::Outcome::Failed => Ok(Saved(None)),
        Err(e) => Err(e),
    }
}

/// Pastes `text`: set the clipboard, confirm by reading back, press `paste_keys`, let the application fetch.
pub async fn paste(
    ctx: &ToolContext,
    session: &Arc<VmSession>,
    text: &str,
    paste_keys: &[String],
) -> Result<(), ToolError> {
    let gui = session.gui();
    ctx.cancellable(session, gui.set_clipboard(text)).await?;
    let start = Instant::now();
    loop {
        if ctx.cancellable(session, gui.clipboard()).await? == text {
            break;
        }
        if start.elapsed() > CONFIRM_FOR {
            return Err(ToolError::failed(
                "the clipboard did not take the text (reading it back still shows other content), so it was not pasted",
            ));
        }
        ctx.pause(Duration::from_millis(50)).await?;
    }
    let refs: Vec<&str> = paste_keys.iter().map(String::as_str).collect();
    match refs.as_slice() {
        [one] => ctx.cancellable(session, gui.press_key(one)).await?,
        many => ctx.cancellable(session, gui.hotkey(many)).await?,
    }
    ctx.pause(SETTLE).await
}

impl Saved {
    /// Sets the clipboard back (with its own time limit, also after a cancelled call); what happened, for the
    /// result.
    pub async fn restore(self, session: &Arc<VmSession>) -> &'static str {
        let Some(text) = self.0 else {
            return "the clipboard's previous content could not be read, so it was not restored";
        };
        let set = cua_protocol::Command::SetClipboard { text };
        match session
            .gui()
            .send_with_timeout(&set, Duration::from_secs(5))
            .await
        {
            Ok(_) => "clipboard restored",
            Err(e) => {
                tracing::warn!(error = %e.message(), "could not restore the clipboard after pasting");
                "the clipboard could not be restored and now holds the pasted text"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Piece::{Keys, Paste};

    #[test]
    fn lines_with_untypable_characters_are_pasted_and_line_breaks_typed() {
        assert_eq!(plan("hello\n"), vec![Keys("hello\n")]);
        assert_eq!(plan("rocket 🚀 done"), vec![Paste("rocket 🚀 done")]);
        assert_eq!(
            plan("ls\ncafé\necho ok\n"),
            vec![Keys("ls\n"), Paste("café"), Keys("\necho ok\n")]
        );
        assert_eq!(
            plan("日本\n中文"),
            vec![Paste("日本"), Keys("\n"), Paste("中文")]
        );
        assert_eq!(plan("e\u{301}\n"), vec![Paste("e\u{301}"), Keys("\n")]);
        assert_eq!(plan("a\tb"), vec![Keys("a\tb")]);
        assert!(plan("").is_empty());
        let mixed = "x\n👨‍👩‍👧\n\ny";
        let joined: String = plan(mixed)
            .iter()
            .map(|p| match p {
                Keys(s) | Paste(s) => *s,
            })
            .collect::<Vec<_>>()
            .join("");
        // Pasted pieces drop nothing but are separate from the typed line breaks around them.
        assert_eq!(joined, mixed);
    }
}
