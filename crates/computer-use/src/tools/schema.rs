//! The JSON Schema of a tool's arguments as `tools/list` serves it: the configuration's normalised schema
//! (inline, no `null` branches, no non-standard `format`s; see `config/schema.rs`) without what the model
//! does not need and pays for on every call:
//! - schemars' `title`s (the argument type's Rust name) and the argument struct's own doc comment (the
//!   tool's description says it), here and on the items of a list;
//! - `additionalProperties`: the arguments are closed all the same (`deny_unknown_fields`: an unknown field is
//!   refused by name before anything runs), and some model APIs reject the keyword (Gemini's function
//!   declarations take an OpenAPI subset without it);
//! - `"default": false` of a flag: an absent flag is off, as everywhere.
//!
//! What stays is each field's doc comment (the words the model reads about that field) unless the field
//! says `#[schemars(description = "")]` because the tool's description already does.

use schemars::JsonSchema;
use serde_json::Value;

/// The argument schema of a tool whose arguments are `A`.
pub(crate) fn tool_schema<A: JsonSchema>() -> Value {
    let mut schema = crate::config::generate_schema::<A>();
    trim(&mut schema, true);
    schema
}

/// Drops `title`, `additionalProperties` and flags' `default: false` everywhere, and `description` where it
/// is a type's doc rather than a field's (`root`).
fn trim(schema: &mut Value, root: bool) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    obj.remove("title");
    if root {
        obj.remove("description");
    }
    if obj.get("default") == Some(&Value::Bool(false)) {
        obj.remove("default");
    }
    obj.remove("additionalProperties");
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(|p| trim(p, false));
    }
    if let Some(items) = obj.get_mut("items") {
        trim(items, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A list of points.
    #[derive(Deserialize, JsonSchema)]
    #[expect(dead_code, reason = "only its schema is used")]
    struct Args {
        /// The points.
        points: Vec<Point>,
        /// Optional.
        frame: Option<u64>,
        /// A flag.
        #[serde(default)]
        flag: bool,
    }

    /// One point.
    #[derive(Deserialize, JsonSchema)]
    #[expect(dead_code, reason = "only its schema is used")]
    struct Point {
        /// Across.
        x: f64,
    }

    #[test]
    fn keeps_field_docs_and_drops_titles_type_docs_and_closedness() {
        let schema = tool_schema::<Args>();
        assert_eq!(
            schema,
            serde_json::json!({
                "type": "object",
                "properties": {
                    "points": {
                        "description": "The points.",
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"x": {"description": "Across.", "type": "number"}},
                            "required": ["x"],
                        },
                    },
                    "frame": {"description": "Optional.", "type": "integer", "minimum": 0},
                    "flag": {"description": "A flag.", "type": "boolean"},
                },
                "required": ["points"],
            })
        );
    }
}
