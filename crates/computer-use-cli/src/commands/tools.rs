//! `computer-use tools [--json] [--config FILE | --plugin-config JSON] [--toolset full|seed]`: the registry's
//! tools that the configuration lets the agent see — its `toolset` (or `--toolset`), less what its tool policy
//! denies on the VM of `--vm` (else the default VM) — straight from the core and without touching a VM.
//! `--json` prints `{"tools":[{name, description, inputSchema, annotations}]}` — exactly what MCP's
//! `tools/list` serves for the same configuration, and what the OpenClaw shim registers at gateway start (it
//! passes its plugin config, so a denied tool is never registered; it must stay fast).

use std::process::ExitCode;

use anyhow::Context as _;
use computer_use::guards::Guards;
use computer_use::tools::{self, ToolInfo};

use crate::cli::{Global, ToolsArgs};
use crate::setup;
use serde_json::Value;

pub fn run(global: &Global, args: &ToolsArgs) -> anyhow::Result<ExitCode> {
    if args.plugin_config.is_some() && global.config.is_some() {
        anyhow::bail!("--plugin-config and --config both give the configuration: pass only one");
    }
    let config = match &args.plugin_config {
        Some(json) => setup::plugin_config(json, global)?,
        None => setup::config(global)?,
    };
    let vm = global
        .vm
        .clone()
        .unwrap_or_else(|| config.default_vm_name().to_owned());
    let toolset = args.toolset.map_or_else(|| config.toolset(), Into::into);
    let guards = Guards::new(&config);
    let list = tools::list_allowed(&guards, &vm, toolset);
    let json = global.json;
    let text = if json {
        let mut text = serde_json::to_string(&serde_json::json!({ "tools": list }))
            .context("cannot serialize the tool list")?;
        text.push('\n');
        text
    } else {
        table(&list)
    };
    crate::print::text(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// One line per tool: name, arguments (`?` marks optional ones), and the description's first sentence.
fn table(list: &[ToolInfo]) -> String {
    let rows: Vec<(String, String, &str)> = list
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                arguments(&t.input_schema),
                first_sentence(t.description),
            )
        })
        .collect();
    let name_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
    let args_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(9);
    let mut out = format!("{:name_w$}  {:args_w$}  DESCRIPTION\n", "TOOL", "ARGUMENTS");
    for (name, args, description) in rows {
        out.push_str(&format!("{name:name_w$}  {args:args_w$}  {description}\n"));
    }
    out
}

fn arguments(schema: &Value) -> String {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return "-".into();
    };
    if properties.is_empty() {
        return "-".into();
    }
    properties
        .keys()
        .map(|k| {
            if required.contains(&k.as_str()) {
                k.clone()
            } else {
                format!("{k}?")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Up to the first period that ends a sentence (followed by a capital letter, so "e.g. enter" does not).
fn first_sentence(description: &str) -> &str {
    let ends = description.match_indices(". ").map(|(i, _)| i);
    for end in ends {
        if description[end + 2..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        {
            return &description[..=end];
        }
    }
    description
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_mark_optional_ones() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"x": {}, "y": {}, "button": {}},
            "required": ["x", "y"],
        });
        assert_eq!(arguments(&schema), "button? x y");
        assert_eq!(arguments(&serde_json::json!({"type": "object"})), "-");
    }

    #[test]
    fn first_sentence_stops_at_the_first_period() {
        assert_eq!(first_sentence("Click. Then more."), "Click.");
        assert_eq!(first_sentence("No period"), "No period");
        assert_eq!(
            first_sentence("Press keys, e.g. enter. Next."),
            "Press keys, e.g. enter."
        );
    }
}
