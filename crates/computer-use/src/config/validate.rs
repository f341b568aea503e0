//! Structural validation of a JSON value against the normalised schema from `schema.rs`.
//!
//! serde stops at the first error and reports it without a path; users need every problem at once,
//! each with its key path, the expected type or range, and the fix. This walker implements the small
//! subset of JSON Schema our schema uses (a unit test in `schema.rs` fails if the schema ever uses a
//! keyword not handled here), so what OpenClaw's gateway accepts and what the binary accepts stay the
//! same. It also turns whole floats into integers (`5000.0` → `5000`), as JSON Schema validators do.

use serde_json::{Map, Value};

use super::error::Problem;

/// Checks `value` against `schema`, returning every problem found (empty when valid).
pub(super) fn check(schema: &Value, value: &mut Value) -> Vec<Problem> {
    check_at(schema, value, &[])
}

/// Like [`check`] for a value that sits at `path` inside the configuration (messages name that path).
pub(super) fn check_at(schema: &Value, value: &mut Value, path: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    walk(schema, value, &mut path.to_vec(), &mut out);
    out
}

/// Removes the value at `path` (used to keep checking the rest of a configuration after a problem).
/// Returns false when the path is empty or does not lead to an object member.
pub(super) fn remove_path(value: &mut Value, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cursor = value;
    for key in parents {
        let next = match cursor {
            Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            other => other.get_mut(key.as_str()),
        };
        match next {
            Some(next) => cursor = next,
            None => return false,
        }
    }
    match cursor {
        // Array elements are addressed by index (`guards.exec.deny.0`).
        Value::Array(items) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        other => other
            .as_object_mut()
            .is_some_and(|obj| obj.remove(last.as_str()).is_some()),
    }
}

/// A key path for messages: dotted, with odd keys (control characters, very long) quoted and cut.
pub(super) fn show_path(path: &[String]) -> String {
    path.iter()
        .map(|k| show_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

pub(super) fn show_key(key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().count() <= 64
        && key
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && c != '`');
    if plain {
        key.to_owned()
    } else {
        format!("{:?}", truncate(key, 64))
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_owned()
    } else {
        let mut cut: String = s.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}

fn walk(schema: &Value, value: &mut Value, path: &mut Vec<String>, out: &mut Vec<Problem>) {
    if let Some(ty) = schema.get("type").and_then(Value::as_str)
        && !type_matches(ty, value)
    {
        out.push(Problem::new(path, type_message(ty, value, path)));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        out.push(Problem::new(
            path,
            format!(
                "`{}` = {} is not allowed: use one of {}",
                show_path(path),
                show_value(value),
                list.join(", ")
            ),
        ));
        return;
    }
    if let Some(n) = value.as_f64() {
        check_range(schema, n, value, path, out);
    }
    if let (Some(s), Some(min)) = (
        value.as_str(),
        schema.get("minLength").and_then(Value::as_u64),
    ) && (s.chars().count() as u64) < min
    {
        let message = if min == 1 {
            format!("`{}` must not be empty", show_path(path))
        } else {
            format!(
                "`{}` must be at least {min} characters long",
                show_path(path)
            )
        };
        out.push(Problem::new(path, message));
    }
    if let Some(obj) = value.as_object_mut() {
        check_object(schema, obj, path, out);
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array_mut()) {
        for (index, item) in array.iter_mut().enumerate() {
            path.push(index.to_string());
            walk(items, item, path, out);
            path.pop();
        }
    }
}

fn type_matches(ty: &str, value: &mut Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        "integer" => {
            if value.is_i64() || value.is_u64() {
                return true;
            }
            // 2^53: beyond it an f64 no longer holds every integer exactly.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            match value.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => {
                    *value = if f < 0.0 {
                        Value::from(f as i64)
                    } else {
                        Value::from(f as u64)
                    };
                    true
                }
                _ => false,
            }
        }
        _ => true,
    }
}

fn type_message(ty: &str, value: &Value, path: &[String]) -> String {
    let expected = match ty {
        "object" => "an object ({ ... })",
        "string" => "a string",
        "boolean" => "a boolean (true or false)",
        "number" => "a number",
        "integer" => "a whole number",
        "array" => "an array",
        other => other,
    };
    let got = describe(value, path);
    if path.is_empty() {
        format!("the configuration must be {expected}, got {got}")
    } else {
        format!("`{}` must be {expected}, got {got}", show_path(path))
    }
}

/// Values under `cloud` are never echoed: a pasted API key must not end up in logs.
fn describe(value: &Value, path: &[String]) -> String {
    let secretive = path.iter().any(|k| k == "cloud");
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => return "an array".to_owned(),
        Value::Object(_) => return "an object".to_owned(),
    };
    if secretive {
        kind.to_owned()
    } else {
        format!("{kind} ({})", show_value(value))
    }
}

fn show_value(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", truncate(s, 80)),
        other => truncate(&other.to_string(), 80),
    }
}

fn check_range(schema: &Value, n: f64, value: &Value, path: &[String], out: &mut Vec<Problem>) {
    let min = schema.get("minimum");
    let max = schema.get("maximum");
    let below = min.and_then(Value::as_f64).is_some_and(|m| n < m);
    let above = max.and_then(Value::as_f64).is_some_and(|m| n > m);
    if !below && !above {
        return;
    }
    let bounds = match (min, max) {
        (Some(lo), Some(hi)) => format!("must be between {lo} and {hi}"),
        (Some(lo), None) => format!("must be at least {lo}"),
        (None, Some(hi)) => format!("must be at most {hi}"),
        (None, None) => return,
    };
    let default = schema
        .get("default")
        .map(|d| format!(" (default {d})"))
        .unwrap_or_default();
    out.push(Problem::new(
        path,
        format!(
            "`{}` = {} is out of range: {bounds}{default}",
            show_path(path),
            show_value(value)
        ),
    ));
}

fn check_object(
    schema: &Value,
    obj: &mut Map<String, Value>,
    path: &mut Vec<String>,
    out: &mut Vec<Problem>,
) {
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let additional = schema.get("additionalProperties");
    for (key, member) in obj.iter_mut() {
        path.push(key.clone());
        if let Some(sub) = props.get(key) {
            walk(sub, member, path, out);
        } else {
            match additional {
                Some(sub @ Value::Object(_)) => walk(sub, member, path, out),
                Some(Value::Bool(false)) => {
                    out.push(Problem::new(path, unknown_key_message(key, props, path)));
                }
                _ => {}
            }
        }
        path.pop();
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !obj.contains_key(name) {
                let place = if path.is_empty() {
                    "the configuration".to_owned()
                } else {
                    format!("`{}`", show_path(path))
                };
                out.push(Problem::new(
                    path,
                    format!("{place} is missing the required key `{name}`"),
                ));
            }
        }
    }
}

fn unknown_key_message(key: &str, props: &Map<String, Value>, path: &[String]) -> String {
    let parent = &path[..path.len().saturating_sub(1)];
    let place = if parent.is_empty() {
        String::new()
    } else {
        format!("`{}`: ", show_path(parent))
    };
    let allowed: Vec<&str> = props.keys().map(String::as_str).collect();
    let hint = suggest(key, &allowed)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "{place}unknown key `{}`{hint}; allowed keys: {}",
        show_key(key),
        allowed.join(", ")
    )
}

/// The allowed key a misspelt `key` most likely meant: same letters ignoring case and `_`/`-`, or at
/// most two edits away.
fn suggest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    if key.chars().count() > 64 {
        return None;
    }
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(key);
    if let Some(hit) = allowed.iter().find(|a| squash(a) == wanted) {
        return Some(hit);
    }
    allowed
        .iter()
        .map(|a| (edit_distance(&wanted, &squash(a)), *a))
        .filter(|(d, a)| *d <= 2 && a.len() > 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let allowed = ["vmName", "serverPort", "lumeApiUrl"];
        assert_eq!(suggest("vm_name", &allowed), Some("vmName"));
        assert_eq!(suggest("VMNAME", &allowed), Some("vmName"));
        assert_eq!(suggest("serverPrt", &allowed), Some("serverPort"));
        assert_eq!(suggest("somethingElse", &allowed), None);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn odd_keys_are_quoted() {
        assert_eq!(show_key("mac2"), "mac2");
        assert_eq!(show_key("a\nb"), "\"a\\nb\"");
        assert_eq!(show_key(""), "\"\"");
    }

    #[test]
    fn remove_path_removes_nested_members() {
        let mut v = serde_json::json!({"a": {"b": 1, "c": 2}});
        assert!(remove_path(&mut v, &["a".into(), "b".into()]));
        assert_eq!(v, serde_json::json!({"a": {"c": 2}}));
        assert!(!remove_path(&mut v, &[]));
        assert!(!remove_path(&mut v, &["x".into(), "y".into()]));
        let mut v = serde_json::json!({"a": ["x", 2, "z"]});
        assert!(remove_path(&mut v, &["a".into(), "1".into()]));
        assert_eq!(v, serde_json::json!({"a": ["x", "z"]}));
        assert!(!remove_path(&mut v, &["a".into(), "9".into()]));
    }

    #[test]
    fn array_items_are_checked_with_their_index() {
        let schema = serde_json::json!({"type": "array", "items": {"type": "string"}});
        let mut v = serde_json::json!(["ok", 3]);
        let problems = check_at(&schema, &mut v, &["deny".into()]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, vec!["deny".to_owned(), "1".to_owned()]);
        assert_eq!(
            problems[0].message,
            "`deny.1` must be a string, got an integer (3)"
        );
    }
}
