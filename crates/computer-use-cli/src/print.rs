//! Everything a command writes on stdout goes through here, so a closed pipe (`computer-use tools | head -1`)
//! ends the command quietly with status 0 instead of a panic from `println!`.

use std::fmt::Display;
use std::io::Write as _;

use serde::Serialize;

/// stdout was closed by the reader: nothing more can be said, and nothing went wrong.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed by the reader")]
pub struct StdoutClosed;

/// Writes `text` as is.
pub fn text(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(closed_or)
}

/// Writes `text` and a line break.
pub fn line(text: impl Display) -> anyhow::Result<()> {
    self::text(&format!("{text}\n"))
}

/// Writes `value` as one line of compact JSON.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    line(serde_json::to_string(value)?)
}

fn closed_or(e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        anyhow::Error::new(StdoutClosed)
    } else {
        anyhow::Error::new(e).context("cannot write to stdout")
    }
}

/// Whether `e` is (or wraps) [`StdoutClosed`].
pub fn is_closed(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<StdoutClosed>())
}
