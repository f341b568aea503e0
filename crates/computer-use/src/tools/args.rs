//! Parsing a call's JSON arguments into the tool's typed arguments, with errors a model can act on: they name
//! the tool, the field (a path such as `actions[2].args.x` inside nested arguments) and what was expected in
//! plain words (`x: expected a number, got "NaN"` rather than serde's `invalid type: string "NaN", expected
//! f64`).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::result::ToolError;

/// Parses `args` for `tool`; `null` means `{}`.
pub fn parse_args<A: DeserializeOwned>(tool: &str, args: Value) -> Result<A, ToolError> {
    let args = if args.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        args
    };
    if !args.is_object() {
        return Err(ToolError::invalid(format!(
            "{tool}: arguments must be a JSON object, got {}",
            kind_of(&args)
        )));
    }
    serde_path_to_error::deserialize(args).map_err(|e| {
        let what = humanize(&e.inner().to_string());
        let mut path = e.path().to_string();
        // An unknown field's path ends with the field itself, which the message already names.
        if what.starts_with("unknown field") {
            path = path
                .rsplit_once('.')
                .map_or_else(String::new, |(parent, _)| parent.to_owned());
        }
        if path == "." || path.is_empty() {
            ToolError::invalid(format!("{tool}: {what}"))
        } else {
            ToolError::invalid(format!("{tool}: {path}: {what}"))
        }
    })
}

/// serde's wording → plain words: `invalid type: X, expected Y` → `expected Y', got X`.
fn humanize(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((got, expected)) = rest.rsplit_once(", expected ")
        {
            let got = got.strip_prefix("string ").unwrap_or(got);
            return format!("expected {}, got {got}", expected_in_words(expected));
        }
    }
    message.to_owned()
}

/// Rust type names in serde's "expected" → what a model understands.
fn expected_in_words(expected: &str) -> String {
    match expected {
        "f64" | "f32" => "a number".to_owned(),
        "u64" | "u32" | "u16" | "u8" | "usize" => "a whole number, 0 or more".to_owned(),
        "i64" | "i32" | "i16" | "i8" | "isize" => "a whole number".to_owned(),
        "a sequence" => "an array".to_owned(),
        "a map" => "an object".to_owned(),
        other if other.starts_with("struct ") => "an object".to_owned(),
        other => other.to_owned(),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // fields are only parsed
    struct Point {
        x: f64,
        #[serde(default)]
        n: Option<u32>,
        #[serde(default)]
        inner: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        on: bool,
    }

    fn error(args: Value) -> String {
        parse_args::<Point>("vm_test", args)
            .map(|_| String::new())
            .unwrap_or_else(|e| e.message)
    }

    #[test]
    fn errors_name_the_field_and_what_was_expected() {
        assert_eq!(
            error(json!({"x": "NaN"})),
            "vm_test: x: expected a number, got \"NaN\""
        );
        assert_eq!(
            error(json!({"x": 1, "n": -3})),
            "vm_test: n: expected a whole number, 0 or more, got integer `-3`"
        );
        assert_eq!(
            error(json!({"x": 1, "inner": [{"on": true}, {"on": "yes"}]})),
            "vm_test: inner[1].on: expected a boolean, got \"yes\""
        );
        assert_eq!(error(json!({})), "vm_test: missing field `x`");
        assert!(
            error(json!({"x": 1, "z": 2}))
                .starts_with("vm_test: unknown field `z`, expected one of"),
            "{}",
            error(json!({"x": 1, "z": 2}))
        );
        assert_eq!(
            error(json!([1])),
            "vm_test: arguments must be a JSON object, got an array"
        );
    }

    #[test]
    fn null_means_no_arguments() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Empty {}
        assert!(parse_args::<Empty>("vm_test", Value::Null).is_ok());
    }
}
