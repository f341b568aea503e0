//! Key names: what people and models write → what cua-computer-server accepts.
//!
//! The native Linux/macOS handlers accept pynput `Key` member names in lower case, or one character. Models
//! write `Return`, `Escape`, `cmd`, `PageDown`, `option`… — the server rejects those (`Unknown key: return`).
//! So every key is translated here, and an unknown one is refused *before* sending, naming the closest
//! valid names.
#![deny(missing_docs)]

/// The server's named keys (pynput `Key` members).
pub const SERVER_KEYS: &[&str] = &[
    "alt",
    "alt_l",
    "alt_r",
    "alt_gr",
    "backspace",
    "caps_lock",
    "cmd",
    "cmd_l",
    "cmd_r",
    "ctrl",
    "ctrl_l",
    "ctrl_r",
    "delete",
    "down",
    "end",
    "enter",
    "esc",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "f6",
    "f7",
    "f8",
    "f9",
    "f10",
    "f11",
    "f12",
    "f13",
    "f14",
    "f15",
    "f16",
    "f17",
    "f18",
    "f19",
    "f20",
    "home",
    "left",
    "page_down",
    "page_up",
    "right",
    "shift",
    "shift_l",
    "shift_r",
    "space",
    "tab",
    "up",
    "insert",
    "menu",
    "num_lock",
    "pause",
    "print_screen",
    "scroll_lock",
    "media_play_pause",
    "media_volume_mute",
    "media_volume_down",
    "media_volume_up",
    "media_previous",
    "media_next",
];

/// Aliases people and models use, mapped to server names. Compared after lower-casing and removing
/// spaces, dashes and underscores.
const ALIASES: &[(&str, &str)] = &[
    ("return", "enter"),
    ("ret", "enter"),
    ("newline", "enter"),
    ("escape", "esc"),
    ("command", "cmd"),
    ("super", "cmd"),
    ("win", "cmd"),
    ("windows", "cmd"),
    ("meta", "cmd"),
    ("option", "alt"),
    ("opt", "alt"),
    ("altgr", "alt_gr"),
    ("control", "ctrl"),
    ("ctl", "ctrl"),
    ("pagedown", "page_down"),
    ("pgdn", "page_down"),
    ("pageup", "page_up"),
    ("pgup", "page_up"),
    ("del", "delete"),
    ("bksp", "backspace"),
    ("back", "backspace"),
    ("ins", "insert"),
    ("arrowup", "up"),
    ("arrowdown", "down"),
    ("arrowleft", "left"),
    ("arrowright", "right"),
    ("uparrow", "up"),
    ("downarrow", "down"),
    ("leftarrow", "left"),
    ("rightarrow", "right"),
    ("capslock", "caps_lock"),
    ("numlock", "num_lock"),
    ("scrolllock", "scroll_lock"),
    ("printscreen", "print_screen"),
    ("prtsc", "print_screen"),
    ("spacebar", "space"),
    ("plus", "+"),
    ("minus", "-"),
];

/// A key name the server would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key `{key}`{}", suggestion(.closest))]
pub struct UnknownKey {
    /// The key as written.
    pub key: String,
    /// The closest valid names (up to three).
    pub closest: Vec<&'static str>,
}

fn suggestion(closest: &[&str]) -> String {
    if closest.is_empty() {
        "; use a single character or a key name such as enter, esc, tab, ctrl, shift, alt, cmd, up, f5".into()
    } else {
        format!("; did you mean {}?", closest.join(", "))
    }
}

/// Translates one key name to the server's name.
pub fn normalize(key: &str) -> Result<String, UnknownKey> {
    let trimmed = key.trim();
    // A single character is sent as is (case matters for letters: `A` is shift+a to the server).
    if trimmed.chars().count() == 1 {
        return Ok(trimmed.to_string());
    }
    let lower = trimmed.to_lowercase();
    if SERVER_KEYS.contains(&lower.as_str()) {
        return Ok(lower);
    }
    let squashed: String = lower
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect();
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == squashed) {
        return Ok((*to).to_string());
    }
    if let Some(k) = SERVER_KEYS.iter().find(|k| k.replace('_', "") == squashed) {
        return Ok((*k).to_string());
    }
    Err(UnknownKey {
        key: key.to_string(),
        closest: closest(&squashed),
    })
}

/// Splits `ctrl+shift+t` into normalised keys. A lone `+` (or a trailing `++`) means the plus key.
pub fn parse_combo(combo: &str) -> Result<Vec<String>, UnknownKey> {
    let combo = combo.trim();
    if combo.is_empty() {
        return Err(UnknownKey {
            key: String::new(),
            closest: Vec::new(),
        });
    }
    if combo == "+" {
        return Ok(vec!["+".into()]);
    }
    let (body, plus) = match combo.strip_suffix("++") {
        Some(rest) => (rest, true),
        None => (combo, false),
    };
    let mut keys = body
        .split('+')
        .map(normalize)
        .collect::<Result<Vec<_>, _>>()?;
    if plus {
        keys.push("+".into());
    }
    Ok(keys)
}

/// The up-to-three valid names nearest to `input` by edit distance.
fn closest(input: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = SERVER_KEYS
        .iter()
        .map(|k| (distance(input, &k.replace('_', "")), *k))
        .chain(
            ALIASES
                .iter()
                .map(|(from, to)| (distance(input, from), *to)),
        )
        .filter(|(d, _)| *d <= 3.max(input.len() / 3))
        .collect();
    scored.sort();
    let mut out: Vec<&'static str> = Vec::new();
    for (_, k) in scored {
        if !out.contains(&k) {
            out.push(k);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// Levenshtein distance over chars (inputs are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn what_people_write_maps_to_server_names() {
        for (input, want) in [
            ("Return", "enter"),
            ("ENTER", "enter"),
            ("Escape", "esc"),
            ("esc", "esc"),
            ("command", "cmd"),
            ("Cmd", "cmd"),
            ("super", "cmd"),
            ("option", "alt"),
            ("Control", "ctrl"),
            ("PageDown", "page_down"),
            ("page_down", "page_down"),
            ("page-up", "page_up"),
            ("ArrowLeft", "left"),
            ("F5", "f5"),
            ("del", "delete"),
            ("a", "a"),
            ("A", "A"),
        ] {
            assert_eq!(normalize(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn combos_split_on_plus() {
        assert_eq!(
            parse_combo("command+s"),
            Ok(vec!["cmd".to_string(), "s".to_string()])
        );
        assert_eq!(
            parse_combo("shift+command+n"),
            Ok(vec![
                "shift".to_string(),
                "cmd".to_string(),
                "n".to_string()
            ])
        );
        assert_eq!(
            parse_combo("ctrl++"),
            Ok(vec!["ctrl".to_string(), "+".to_string()])
        );
        assert_eq!(parse_combo("+"), Ok(vec!["+".to_string()]));
    }

    #[test]
    fn unknown_keys_name_the_closest_valid_ones() {
        let e = normalize("entr").unwrap_err();
        assert!(e.closest.contains(&"enter"), "{e}");
        assert!(e.to_string().contains("did you mean"), "{e}");
        let e = normalize("pgdwn").unwrap_err();
        assert!(e.closest.contains(&"page_down"), "{e}");
        assert!(parse_combo("ctrl+bogus_key_name").is_err());
        assert!(parse_combo("").is_err());
    }
}
