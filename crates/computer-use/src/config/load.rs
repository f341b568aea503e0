//! Turning text into a validated [`Config`]: JSON5 parsing, recognising a whole `openclaw.json`, and the
//! validation pipeline (structural problems, then semantic ones, reported together).
//!
//! The JSON5 parser recurses once per nesting level, so deeply nested input could overflow the stack
//! (an abort, not a catchable panic): a cheap pre-scan refuses nesting deeper than [`MAX_DEPTH`] first.

use std::path::Path;

use serde_json::{Map, Value};

use super::defaults::PLUGIN_ID;
use super::error::{ConfigError, Problem};
use super::raw::Config;
use super::{schema, semantic, validate};

/// Deepest nesting accepted. The configuration itself is 4 levels deep; an openclaw.json is deeper but
/// nowhere near this.
pub(super) const MAX_DEPTH: usize = 64;

/// Largest configuration file read. Real ones are a few KiB; anything this big is the wrong file.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Top-level keys that mark a file as an `openclaw.json` rather than a standalone plugin block.
const OPENCLAW_MARKERS: [&str; 3] = ["plugins", "agents", "gateway"];

/// Parses JSON5 text into a JSON value.
pub(super) fn parse_json5(text: &str, origin: &str) -> Result<Value, ConfigError> {
    if let Some(offset) = too_deep_at(text) {
        let pos = json5::Position::from_offset(offset, text);
        return Err(ConfigError::Parse {
            origin: origin.to_owned(),
            position: Some((pos.line + 1, pos.column + 1)),
            message: format!("nested more than {MAX_DEPTH} levels deep"),
        });
    }
    json5::from_str::<Value>(text).map_err(|e| ConfigError::Parse {
        origin: origin.to_owned(),
        position: e.position().map(|p| (p.line + 1, p.column + 1)),
        message: e
            .code()
            .map_or_else(|| e.to_string(), |code| code.to_string()),
    })
}

/// Byte offset of the first bracket that opens level `MAX_DEPTH + 1`, skipping strings and comments.
fn too_deep_at(text: &str) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Str(char),
        Escape(char),
        LineComment,
        BlockComment,
    }
    let mut state = State::Code;
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        state = match state {
            State::Code => match c {
                '"' | '\'' => State::Str(c),
                '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => State::LineComment,
                '/' if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                    chars.next();
                    State::BlockComment
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(offset);
                    }
                    State::Code
                }
                ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    State::Code
                }
                _ => State::Code,
            },
            State::Str(q) if c == '\\' => State::Escape(q),
            State::Str(q) if c == q => State::Code,
            State::Str(q) | State::Escape(q) => State::Str(q),
            State::LineComment if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') => State::Code,
            State::LineComment => State::LineComment,
            State::BlockComment if c == '*' && chars.peek().is_some_and(|(_, n)| *n == '/') => {
                chars.next();
                State::Code
            }
            State::BlockComment => State::BlockComment,
        };
    }
    None
}

/// If `value` is a whole openclaw.json, returns its `plugins.entries["computer-use"].config` (an empty
/// object when the entry has no `config`) and an origin naming that location; otherwise `value` itself.
pub(super) fn plugin_block(value: Value, origin: &str) -> Result<(Value, String), ConfigError> {
    let marker = match value.as_object() {
        Some(obj) => OPENCLAW_MARKERS.iter().find(|k| obj.contains_key(**k)),
        None => None,
    };
    let Some(marker) = marker else {
        return Ok((value, origin.to_owned()));
    };
    let entry = value
        .get("plugins")
        .and_then(|p| p.get("entries"))
        .and_then(|e| e.get(PLUGIN_ID));
    let Some(entry) = entry else {
        return Err(ConfigError::MissingPluginEntry {
            origin: origin.to_owned(),
            marker: (*marker).to_owned(),
        });
    };
    let Some(entry) = entry.as_object() else {
        return Err(ConfigError::Invalid {
            origin: origin.to_owned(),
            problems: vec![Problem::new(
                &["plugins".into(), "entries".into(), PLUGIN_ID.into()],
                "plugins.entries[\"computer-use\"] must be an object like `{ enabled: true, config: { ... } }`",
            )],
        });
    };
    if entry.get("enabled") == Some(&Value::Bool(false)) {
        tracing::warn!(
            origin,
            "plugins.entries[\"computer-use\"].enabled is false: OpenClaw will not load the plugin"
        );
    }
    let block = entry
        .get("config")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    Ok((
        block,
        format!("{origin} (plugins.entries[\"computer-use\"].config)"),
    ))
}

/// Validates a plugin block and builds the [`Config`], reporting every problem at once.
pub(super) fn from_value(mut value: Value, origin: &str) -> Result<Config, ConfigError> {
    let invalid = |problems: Vec<Problem>| ConfigError::Invalid {
        origin: origin.to_owned(),
        problems,
    };
    let structural = validate::check(schema::annotated(), &mut value);
    if structural.iter().any(|p| p.path.is_empty()) {
        return Err(invalid(structural));
    }
    // Drop the offending values so the rest can still be typed and checked semantically.
    for problem in &structural {
        validate::remove_path(&mut value, &problem.path);
    }
    let mut problems = structural.clone();
    match serde_json::from_value::<Config>(value) {
        Ok(config) => {
            let already_reported =
                |p: &Problem| structural.iter().any(|s| p.path.starts_with(&s.path));
            problems.extend(
                semantic::check(&config)
                    .into_iter()
                    .filter(|p| !already_reported(p)),
            );
            if problems.is_empty() {
                Ok(config)
            } else {
                Err(invalid(problems))
            }
        }
        Err(e) => {
            // Only reachable if the schema and the serde types disagree; still report, never panic.
            if problems.is_empty() {
                problems.push(Problem::new(&[], e.to_string()));
            }
            Err(invalid(problems))
        }
    }
}

/// Reads a configuration file as UTF-8 text.
pub(super) fn read_file(path: &Path) -> Result<String, ConfigError> {
    let read_error = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is {} bytes, more than the {MAX_FILE_BYTES} accepted for a configuration file; is it the right file?",
                meta.len()
            ),
        )));
    }
    std::fs::read_to_string(path).map_err(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_scan_ignores_brackets_in_strings_and_comments() {
        let deep_in_string = format!("{{ a: \"{}\" }}", "[".repeat(500));
        assert_eq!(too_deep_at(&deep_in_string), None);
        let deep_in_comment = format!("{{ // {}\n a: 1 }}", "{".repeat(500));
        assert_eq!(too_deep_at(&deep_in_comment), None);
        let deep_in_block = format!("{{ /* {} */ a: 1 }}", "{".repeat(500));
        assert_eq!(too_deep_at(&deep_in_block), None);
        let escaped_quote = format!("{{ a: 'it\\'s {}' }}", "[".repeat(500));
        assert_eq!(too_deep_at(&escaped_quote), None);
    }

    #[test]
    fn depth_scan_finds_deep_nesting() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(too_deep_at(&ok), None);
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(too_deep_at(&deep), Some(MAX_DEPTH));
    }

    #[test]
    fn hundred_thousand_brackets_are_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let err = parse_json5(&text, "deep.json5")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("nested more than 64 levels")));
    }
}
