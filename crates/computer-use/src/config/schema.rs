//! JSON Schema and UI hints for OpenClaw's plugin manifest, derived from the Rust types in `raw.rs`.
//!
//! OpenClaw validates `plugins.entries["computer-use"].config` against the manifest's `configSchema`
//! without running plugin code, refuses to start on any violation, and never applies `default`s. So the
//! exported schema must be inline (no `$ref`/`$defs`), closed at every object level
//! (`additionalProperties: false`), free of the `null` branches schemars adds for `Option`, and free of
//! schemars' non-standard `format`s (`uint16`, `double`, ...) that strict validators reject.
//!
//! The same normalised schema drives our own structural validation (`validate.rs`) and the environment
//! override table (`env.rs`), so the gateway and the binary accept exactly the same configurations.
//! Keys starting with `x-` are private annotations (e.g. `x-sensitive`) read by [`ui_hints`] and removed
//! from the exported schema.

use std::sync::OnceLock;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use super::defaults::SEED_KEYS;
use super::raw::Config;

/// The normalised schema of [`Config`], with private `x-` annotations, built once.
pub(super) fn annotated() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(generate::<Config>)
}

/// The schema as exported into the manifest: [`annotated`] without `x-` keys.
pub(super) fn manifest() -> Value {
    let mut schema = annotated().clone();
    strip_private(&mut schema);
    schema
}

/// Generates the normalised schema of `T` (see the module doc for what "normalised" means).
pub(crate) fn generate<T: JsonSchema>() -> Value {
    let settings = SchemaSettings::draft07().with(|s| {
        s.inline_subschemas = true;
        s.meta_schema = None;
    });
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    normalize(&mut schema);
    schema
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn normalize(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for key in ["$schema", "$defs", "definitions", "format"] {
        obj.remove(key);
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = obj.get(key).cloned() else {
            continue;
        };
        let non_null: Vec<Value> = branches
            .into_iter()
            .filter(|b| !is_null_schema(b))
            .collect();
        if non_null.len() == 1 {
            // `Option<T>` rendered as `anyOf: [T, null]`: keep T, merged under the outer annotations.
            obj.remove(key);
            if let Some(Value::Object(inner)) = non_null.into_iter().next() {
                for (k, v) in inner {
                    obj.entry(k).or_insert(v);
                }
            }
        } else if !non_null.is_empty()
            && non_null
                .iter()
                .all(|b| b.get("const").is_some_and(Value::is_string))
        {
            // A unit enum whose variants have doc comments: schemars emits `oneOf` of `const`s.
            obj.remove(key);
            let values: Vec<Value> = non_null
                .iter()
                .filter_map(|b| b.get("const").cloned())
                .collect();
            obj.insert("type".to_owned(), Value::from("string"));
            obj.insert("enum".to_owned(), Value::Array(values));
        }
    }
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t.as_str() != Some("null"));
        if types.len() == 1 {
            let only = types.remove(0);
            obj.insert("type".to_owned(), only);
        }
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if let Some(Value::String(text)) = obj.get_mut("description") {
        *text = unwrap_lines(text);
    }
    if obj.get("default").is_some_and(Value::is_null) {
        obj.remove("default");
    }
    if obj
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        obj.remove("required");
    }
    let is_object =
        obj.get("type").and_then(Value::as_str) == Some("object") || obj.contains_key("properties");
    if is_object {
        obj.entry("additionalProperties")
            .or_insert(Value::Bool(false));
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for sub in props.values_mut() {
            normalize(sub);
        }
    }
    if let Some(sub @ Value::Object(_)) = obj.get_mut("additionalProperties") {
        normalize(sub);
    }
    if let Some(sub @ Value::Object(_)) = obj.get_mut("items") {
        normalize(sub);
    }
}

/// Doc comments are wrapped at 110 columns; UIs wrap themselves. Keeps paragraph breaks.
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|para| {
            para.split('\n')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn strip_private(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            obj.retain(|k, _| !k.starts_with("x-"));
            obj.values_mut().for_each(strip_private);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_private),
        _ => {}
    }
}

/// Builds OpenClaw `uiHints` from a normalised schema: `{ "<dotted.path>": { label, placeholder?,
/// advanced?, sensitive? } }`. Map entries (the `vms` names) appear as `*`. The label is the field's
/// `title`; the placeholder is its first `examples` entry, else its `default`; every key except the
/// seed's eight is `advanced`; `x-sensitive: true` marks a field `sensitive`.
pub(super) fn ui_hints(schema: &Value) -> Value {
    let mut hints = Map::new();
    collect_hints(schema, &mut Vec::new(), &mut hints);
    Value::Object(hints)
}

fn collect_hints(schema: &Value, path: &mut Vec<String>, out: &mut Map<String, Value>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (key, sub) in props {
            path.push(key.clone());
            add_hint(sub, path, out);
            collect_hints(sub, path, out);
            path.pop();
        }
    }
    if let Some(sub @ Value::Object(_)) = schema.get("additionalProperties") {
        path.push("*".to_owned());
        collect_hints(sub, path, out);
        path.pop();
    }
}

fn add_hint(schema: &Value, path: &[String], out: &mut Map<String, Value>) {
    let dotted = path.join(".");
    let mut hint = Map::new();
    if let Some(title) = schema.get("title").and_then(Value::as_str) {
        hint.insert("label".to_owned(), Value::from(title));
    }
    let placeholder = schema
        .get("examples")
        .and_then(|e| e.get(0))
        .or_else(|| schema.get("default"))
        .and_then(placeholder_text);
    if let Some(text) = placeholder {
        hint.insert("placeholder".to_owned(), Value::from(text));
    }
    if !SEED_KEYS.contains(&dotted.as_str()) {
        hint.insert("advanced".to_owned(), Value::Bool(true));
    }
    if schema.get("x-sensitive") == Some(&Value::Bool(true)) {
        hint.insert("sensitive".to_owned(), Value::Bool(true));
    }
    if !hint.is_empty() {
        out.insert(dotted, Value::Object(hint));
    }
}

/// Placeholders are for text and number inputs only; `false` or `{}` as a placeholder says nothing.
fn placeholder_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// Every keyword `validate.rs` understands; anything else in our schema would be silently ignored by
    /// our validator while OpenClaw enforces it, so a new keyword must be implemented there first.
    const UNDERSTOOD: &[&str] = &[
        "type",
        "properties",
        "additionalProperties",
        "required",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "title",
        "description",
        "default",
        "examples",
        "items",
    ];

    fn keywords(schema: &Value, out: &mut Vec<String>) {
        let Some(obj) = schema.as_object() else {
            return;
        };
        out.extend(obj.keys().cloned());
        if let Some(Value::Object(props)) = obj.get("properties") {
            props.values().for_each(|s| keywords(s, out));
        }
        if let Some(sub @ Value::Object(_)) = obj.get("additionalProperties") {
            keywords(sub, out);
        }
        if let Some(sub @ Value::Object(_)) = obj.get("items") {
            keywords(sub, out);
        }
    }

    #[test]
    fn validator_understands_every_keyword_of_the_schema() {
        let mut found = Vec::new();
        keywords(annotated(), &mut found);
        let unknown: Vec<_> = found
            .iter()
            .filter(|k| !UNDERSTOOD.contains(&k.as_str()) && !k.starts_with("x-"))
            .collect();
        assert!(
            unknown.is_empty(),
            "keywords validate.rs does not implement: {unknown:?}"
        );
    }

    /// A made-up type exercising `x-sensitive`, since no real key holds a secret.
    #[derive(Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[expect(dead_code, reason = "only its schema is used")]
    struct WithSecret {
        /// A token.
        #[schemars(title = "Token", extend("x-sensitive" = true))]
        api_token: Option<String>,
    }

    #[test]
    fn sensitive_annotation_becomes_a_hint_and_leaves_the_schema() {
        let mut schema = generate::<WithSecret>();
        let hints = ui_hints(&schema);
        assert_eq!(hints["apiToken"]["sensitive"], Value::Bool(true));
        assert_eq!(hints["apiToken"]["label"], Value::from("Token"));
        strip_private(&mut schema);
        assert_eq!(schema["properties"]["apiToken"].get("x-sensitive"), None);
        assert_eq!(
            schema["properties"]["apiToken"]["type"],
            Value::from("string")
        );
    }
}
