//! Reading the parts' logs back for error messages: a failed start-up says why in the part's own words.

use std::path::Path;

/// The last `lines` lines of `path` (empty when unreadable), each ending in a newline.
pub(crate) fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    all[start..].iter().map(|l| format!("{l}\n")).collect()
}

/// True when the log at `path` mentions `needle` (ASCII case-insensitive).
pub(crate) fn mentions(path: &Path, needle: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| {
        t.to_ascii_lowercase()
            .contains(&needle.to_ascii_lowercase())
    })
}

/// Seconds since the Unix epoch, for the "=== starting …" lines in the logs.
pub(crate) fn timestamp() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
