//! Fitting command output into a tool result: a byte budget, cut on character boundaries, and binary
//! detection.
//!
//! The budget ([`OUTPUT_CAP_BYTES`], the seed's 50 KB) is for stdout and stderr **together**: each stream gets
//! half, and a stream that needs less leaves the rest to the other. A stream over its share keeps its start
//! (a quarter) and its end (the rest, where builds print their errors), with a marker saying how many bytes
//! were left out in between.

/// The most bytes of command output (stdout and stderr together) a result carries.
pub const OUTPUT_CAP_BYTES: usize = 50 * 1024;

/// Share of a shortened stream kept from its start; the rest comes from its end.
const HEAD_SHARE: usize = 4;

/// `text` within `budget` bytes (plus a one-line marker) and how many bytes were left out.
pub fn shorten(text: &str, budget: usize) -> (String, usize) {
    if text.len() <= budget {
        return (text.to_string(), 0);
    }
    let head_end = floor_boundary(text, budget / HEAD_SHARE);
    let tail_start = ceil_boundary(text, text.len() - (budget - budget / HEAD_SHARE));
    let tail_start = tail_start.max(head_end);
    let dropped = tail_start - head_end;
    let shown = format!(
        "{}{}{}",
        &text[..head_end],
        marker(dropped),
        &text[tail_start..]
    );
    (shown, dropped)
}

/// The line that replaces the left-out middle of a stream.
pub fn marker(dropped: usize) -> String {
    format!("\n[… {dropped} bytes left out …]\n")
}

/// Splits `total` bytes between two streams of `a` and `b` bytes: half each, unused share to the other.
pub fn split_budget(a: usize, b: usize, total: usize) -> (usize, usize) {
    let half = total / 2;
    match (a <= half, b <= half) {
        (true, true) => (a, b),
        (true, false) => (a, total - a),
        (false, true) => (total - b, b),
        (false, false) => (half, total - half),
    }
}

/// Whether `text` looks like binary data rather than text: it has NUL bytes, or more than a tenth of its
/// first 4096 characters are control characters other than tab, newline, carriage return, escape, backspace
/// and form feed.
pub fn looks_binary(text: &str) -> bool {
    if text.contains('\0') {
        return true;
    }
    let mut seen = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(4096) {
        seen += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x1b' | '\x08' | '\x0c') {
            control += 1;
        }
    }
    seen > 0 && control * 10 > seen
}

/// The largest char boundary ≤ `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary ≥ `i`.
fn ceil_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(shorten("héllo", 6), ("héllo".to_string(), 0));
    }

    #[test]
    fn long_text_keeps_its_start_and_end_on_character_boundaries() {
        let text = "é✓x".repeat(10_000); // 6 bytes each, so byte cuts land inside characters
        for budget in [100, 101, 102, 103, 1000, 51_200] {
            let (shown, dropped) = shorten(&text, budget);
            let m = marker(dropped);
            let (head, tail) = shown.split_once(m.as_str()).unwrap_or(("", ""));
            assert!(text.starts_with(head) && text.ends_with(tail), "{budget}");
            assert_eq!(head.len() + dropped + tail.len(), text.len(), "{budget}");
            assert!(head.len() + tail.len() <= budget, "{budget}");
            assert!(head.len() + tail.len() + 6 > budget, "{budget}");
            assert!(
                head.len() <= budget / 4 && tail.len() > head.len(),
                "{budget}"
            );
        }
    }

    #[test]
    fn the_budget_is_shared_fairly() {
        assert_eq!(split_budget(10, 20, 100), (10, 20));
        assert_eq!(split_budget(10, 200, 100), (10, 90));
        assert_eq!(split_budget(200, 30, 100), (70, 30));
        assert_eq!(split_budget(200, 300, 100), (50, 50));
    }

    #[test]
    fn binary_is_told_from_text() {
        assert!(looks_binary("PNG\0\0\x01"));
        assert!(looks_binary(&"\x01\x02\x03abcdef".repeat(10)));
        assert!(!looks_binary(
            "line one\n\tline two\r\n\x1b[1mbold\x1b[0m ✓"
        ));
        assert!(!looks_binary(""));
    }
}
