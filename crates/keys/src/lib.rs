//! Key names: what people and models write → what cua-computer-server accepts.
//!
//! The native Linux/macOS handlers accept pynput `Key` member names in lower case, or one character. Models
//! write `Return`, `Escape`, `cmd`, `PageDown`, `option`… — the server rejects those (`Unknown key: return`).
//! So every key is translated here, and an unknown one is refused *before* sending, naming the closest
//! valid names. Keypad keys (`kp_enter`, …) are ours: the server has no name for them (see [`KEYPAD_KEYS`]).
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

/// Keypad keys: our name → the X keysym. The server has no name for them (its key commands take pynput `Key`
/// members or one character, and pynput has no keypad members), so tools deliver them another way or say
/// plainly that they cannot.
pub const KEYPAD_KEYS: &[(&str, &str)] = &[
    ("kp_0", "KP_0"),
    ("kp_1", "KP_1"),
    ("kp_2", "KP_2"),
    ("kp_3", "KP_3"),
    ("kp_4", "KP_4"),
    ("kp_5", "KP_5"),
    ("kp_6", "KP_6"),
    ("kp_7", "KP_7"),
    ("kp_8", "KP_8"),
    ("kp_9", "KP_9"),
    ("kp_enter", "KP_Enter"),
    ("kp_add", "KP_Add"),
    ("kp_subtract", "KP_Subtract"),
    ("kp_multiply", "KP_Multiply"),
    ("kp_divide", "KP_Divide"),
    ("kp_decimal", "KP_Decimal"),
    ("kp_equal", "KP_Equal"),
];

/// The modifier keys (server names): what may be held during a pointer action or with `key_down`.
pub const MODIFIERS: &[&str] = &[
    "ctrl", "ctrl_l", "ctrl_r", "shift", "shift_l", "shift_r", "alt", "alt_l", "alt_r", "alt_gr",
    "cmd", "cmd_l", "cmd_r",
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
    ("numpadenter", "kp_enter"),
    ("keypadenter", "kp_enter"),
    ("kpplus", "kp_add"),
    ("kpminus", "kp_subtract"),
    ("numpadadd", "kp_add"),
    ("numpadsubtract", "kp_subtract"),
    ("numpadmultiply", "kp_multiply"),
    ("numpaddivide", "kp_divide"),
    ("numpaddecimal", "kp_decimal"),
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
    if SERVER_KEYS.contains(&lower.as_str()) || keypad_keysym(&lower).is_some() {
        return Ok(lower);
    }
    let squashed: String = lower
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect();
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == squashed) {
        return Ok((*to).to_string());
    }
    if let Some(k) = all_names().find(|k| k.replace('_', "") == squashed) {
        return Ok(k.to_string());
    }
    if let Some(digit) = squashed
        .strip_prefix("numpad")
        .or_else(|| squashed.strip_prefix("keypad"))
        .filter(|d| d.len() == 1 && d.chars().all(|c| c.is_ascii_digit()))
    {
        return Ok(format!("kp_{digit}"));
    }
    Err(UnknownKey {
        key: key.to_string(),
        closest: closest(&squashed),
    })
}

/// Every name [`normalize`] returns besides single characters: the server's and the keypad's.
fn all_names() -> impl Iterator<Item = &'static str> {
    SERVER_KEYS
        .iter()
        .copied()
        .chain(KEYPAD_KEYS.iter().map(|(name, _)| *name))
}

/// The X keysym of a keypad key (`kp_enter` → `KP_Enter`), `None` for every other key.
pub fn keypad_keysym(key: &str) -> Option<&'static str> {
    KEYPAD_KEYS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, keysym)| *keysym)
}

/// Whether a normalised key is a modifier (see [`MODIFIERS`]).
pub fn is_modifier(key: &str) -> bool {
    MODIFIERS.contains(&key)
}

/// The X keysym name of a normalised key, for delivery by XTest on Linux (`xdotool key`): `cmd` → `super`,
/// `enter` → `Return`, `a` → `a`, `+` → `plus`. `None` for a key without one (a character with no keysym
/// name here).
pub fn x_keysym(key: &str) -> Option<String> {
    if let Some(keysym) = keypad_keysym(key) {
        return Some(keysym.to_owned());
    }
    let named = match key {
        "cmd" | "cmd_l" => "Super_L",
        "cmd_r" => "Super_R",
        "ctrl" | "ctrl_l" => "Control_L",
        "ctrl_r" => "Control_R",
        "shift" | "shift_l" => "Shift_L",
        "shift_r" => "Shift_R",
        "alt" | "alt_l" => "Alt_L",
        "alt_r" => "Alt_R",
        "alt_gr" => "ISO_Level3_Shift",
        "enter" => "Return",
        "esc" => "Escape",
        "backspace" => "BackSpace",
        "delete" => "Delete",
        "tab" => "Tab",
        "space" | " " => "space",
        "up" => "Up",
        "down" => "Down",
        "left" => "Left",
        "right" => "Right",
        "home" => "Home",
        "end" => "End",
        "page_up" => "Prior",
        "page_down" => "Next",
        "insert" => "Insert",
        "caps_lock" => "Caps_Lock",
        "+" => "plus",
        "-" => "minus",
        "=" => "equal",
        "," => "comma",
        "." => "period",
        "/" => "slash",
        ";" => "semicolon",
        "'" => "apostrophe",
        "[" => "bracketleft",
        "]" => "bracketright",
        "\\" => "backslash",
        "`" => "grave",
        _ => "",
    };
    if !named.is_empty() {
        return Some(named.to_owned());
    }
    if let Some(n) = key.strip_prefix('f').and_then(|n| n.parse::<u8>().ok())
        && (1..=20).contains(&n)
    {
        return Some(format!("F{n}"));
    }
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphanumeric() => Some(c.to_string()),
        _ => None,
    }
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
    let mut scored: Vec<(usize, &'static str)> = all_names()
        .map(|k| (distance(input, &k.replace('_', "")), k))
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
            ("kp_enter", "kp_enter"),
            ("KP_Add", "kp_add"),
            ("numpad enter", "kp_enter"),
            ("Numpad5", "kp_5"),
            ("kpminus", "kp_subtract"),
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
    fn keypad_modifiers_and_keysyms() {
        assert_eq!(keypad_keysym("kp_enter"), Some("KP_Enter"));
        assert_eq!(keypad_keysym("enter"), None);
        assert!(is_modifier("ctrl") && is_modifier("cmd_r") && !is_modifier("a"));
        assert_eq!(x_keysym("cmd").as_deref(), Some("Super_L"));
        assert_eq!(x_keysym("a").as_deref(), Some("a"));
        assert_eq!(x_keysym("+").as_deref(), Some("plus"));
        assert_eq!(x_keysym("f12").as_deref(), Some("F12"));
        assert_eq!(x_keysym("kp_add").as_deref(), Some("KP_Add"));
        assert_eq!(x_keysym("é"), None);
        assert_eq!(x_keysym("menu"), None);
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
