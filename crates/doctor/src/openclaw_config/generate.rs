//! The pieces `computer-use openclaw config` adds, as CST input values (key order as written here):
//! the plugin entry (the seed's eight keys with their defaults, from the core's own defaults), the worker
//! agent (the seed's worker, made valid and effective on the target OpenClaw) and a main agent for files that
//! have no roster yet.

use computer_use::config::{Config, SEED_KEYS, SERVER_PORT};
use jsonc_parser::cst::CstInputValue;
use serde_json::Value;

use super::version::Target;

/// What the seed's worker may call besides nothing: the plugin's tools and the two session tools.
pub const WORKER_ALLOW: &[&str] = &["vm_*", "sessions_send", "session_status"];

/// `plugins.entries["computer-use"]`: enabled, with the seed's block (`vmName` … `maxScreenshotBytes`).
pub fn plugin_entry() -> CstInputValue {
    let defaults = Config::default().to_json();
    let config = SEED_KEYS
        .iter()
        .map(|key| {
            let value = match defaults.get(*key) {
                Some(v) => v.clone(),
                // `serverPort` is optional in the type (its default depends on the provider).
                None if *key == "serverPort" => Value::from(SERVER_PORT),
                None => Value::Null,
            };
            ((*key).to_owned(), from_json(&value))
        })
        .collect();
    object(vec![
        ("enabled", CstInputValue::Bool(true)),
        ("config", CstInputValue::Object(config)),
    ])
}

/// The worker agent: `vm_*`, `sessions_send`, `session_status` only; `group:runtime` (exec and friends)
/// denied besides; no subagents. For 2026.9.x also the sandbox's second allowlist, so a sandboxed worker still
/// sees `vm_*` (they run in the gateway process, not the container). `id` is set for the legacy list form.
pub fn worker(target: Target, id: Option<&str>) -> CstInputValue {
    let mut tools = vec![
        ("allow", strings(WORKER_ALLOW)),
        ("deny", strings(&["group:runtime"])),
    ];
    if target == Target::Current {
        tools.push((
            "sandbox",
            object(vec![(
                "tools",
                object(vec![("alsoAllow", strings(&["vm_*"]))]),
            )]),
        ));
    }
    let mut fields = Vec::new();
    if let Some(id) = id {
        fields.push(("id", CstInputValue::from(id)));
    }
    fields.extend([
        ("name", CstInputValue::from("Computer Worker")),
        ("tools", object(tools)),
        (
            "subagents",
            object(vec![("allowAgents", CstInputValue::Array(Vec::new()))]),
        ),
    ]);
    object(fields)
}

/// A main agent for a file without a roster (it had one implicit agent, `main`): its tools are what
/// `agents.defaults.tools` gave it, with `vm_*` denied, and it may spawn the worker. `legacy_id` adds `id` and
/// `default: true` for the list form.
pub fn main_agent(
    defaults_tools: Option<&Value>,
    worker_id: &str,
    legacy_id: Option<&str>,
) -> CstInputValue {
    let mut tools: Vec<(String, CstInputValue)> = defaults_tools
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter(|(k, _)| *k != "deny")
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect()
        })
        .unwrap_or_default();
    let mut deny: Vec<CstInputValue> = defaults_tools
        .and_then(|t| t.get("deny"))
        .and_then(Value::as_array)
        .map(|a| a.iter().map(from_json).collect())
        .unwrap_or_default();
    deny.push(CstInputValue::from("vm_*"));
    tools.push(("deny".to_owned(), CstInputValue::Array(deny)));
    let mut fields = Vec::new();
    if let Some(id) = legacy_id {
        fields.push(("id", CstInputValue::from(id)));
        fields.push(("default", CstInputValue::Bool(true)));
    }
    fields.extend([
        ("tools", CstInputValue::Object(tools)),
        (
            "subagents",
            object(vec![("allowAgents", strings(&[worker_id]))]),
        ),
    ]);
    object(fields)
}

/// An object from `(key, value)` pairs, in order.
pub fn object(fields: Vec<(&str, CstInputValue)>) -> CstInputValue {
    CstInputValue::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A string array.
pub fn strings(items: &[&str]) -> CstInputValue {
    CstInputValue::Array(items.iter().map(|s| CstInputValue::from(*s)).collect())
}

/// A JSON value as CST input (object keys in the value's order).
pub fn from_json(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(a) => CstInputValue::Array(a.iter().map(from_json).collect()),
        Value::Object(o) => {
            CstInputValue::Object(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}
