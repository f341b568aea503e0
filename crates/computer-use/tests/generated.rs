//! Files generated from the Rust source, written by one generator and checked for drift by one test:
//!
//! - the OpenClaw manifest's `configSchema` and `uiHints` (from the configuration type) and `contracts.tools`
//!   (from the tool registry): the gateway validates what the binary accepts and knows every tool it serves;
//! - `tests/golden/tools-list.json`: the exact `tools/list` result (every tool's name, description, schema and
//!   annotations, compact JSON as served), so a change to what models read is a reviewed diff; its size is held
//!   to a byte budget (it is sent with every model call).
//!
//! Regenerate with `UPDATE_GENERATED=1 cargo test -p computer-use --test generated`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use computer_use::config::{Config, Toolset};
use computer_use::tools;
use serde_json::{Value, json};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

const MANIFEST: &str = "extensions/computer-use/openclaw.plugin.json";
const TOOLS_LIST: &str = "crates/computer-use/tests/golden/tools-list.json";

/// What each generated file should hold, from the source.
fn generated() -> Vec<(&'static str, String)> {
    let path = repo(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["configSchema"] = Config::json_schema();
    manifest["uiHints"] = Config::ui_hints();
    let names: Vec<&str> = tools::list().iter().map(|t| t.name).collect();
    manifest["contracts"]["tools"] = json!(names);
    let mut manifest = serde_json::to_string_pretty(&manifest).unwrap();
    manifest.push('\n');
    let mut list = serde_json::to_string(&json!({ "tools": tools::list() })).unwrap();
    list.push('\n');
    vec![(MANIFEST, manifest), (TOOLS_LIST, list)]
}

#[test]
fn generated_files_match_the_source() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (file, want) in generated() {
        let path = repo(file);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have == want {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, want).unwrap();
        } else {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what the source generates; run UPDATE_GENERATED=1 cargo test -p computer-use --test generated and review the diff"
    );
}

#[test]
fn the_manifest_keeps_the_seeds_keys_and_bounds() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(repo(MANIFEST)).unwrap()).unwrap();
    assert_eq!(manifest["id"], "computer-use");
    // The seed's eight keys keep their names, defaults and bounds in what the gateway sees.
    let props = &manifest["configSchema"]["properties"];
    for (key, default) in [
        ("vmName", json!("openclaw-vm")),
        ("lumeApiUrl", json!("http://localhost:7777")),
        ("serverPort", json!(5000)),
        ("connectTimeoutMs", json!(30000)),
        ("commandTimeoutMs", json!(60000)),
        ("screenshotScale", json!(0.5)),
        ("logVerbose", json!(false)),
        ("maxScreenshotBytes", json!(10485760)),
    ] {
        assert_eq!(props[key]["default"], default, "{key}");
    }
    assert_eq!(props["connectTimeoutMs"]["minimum"], 1000);
    assert_eq!(props["screenshotScale"]["minimum"], 0.1);
    assert_eq!(props["screenshotScale"]["maximum"], 1.0);
    assert_eq!(props["maxScreenshotBytes"]["minimum"], 1024);
    assert_eq!(manifest["configSchema"]["additionalProperties"], false);
}

/// Every tool carries MCP annotations that follow from its spec (read-only tools are not destructive; the
/// shell tools reach the open world), and what `tools/list` serves is the registry's list.
#[test]
fn every_listed_tool_has_annotations_from_its_spec() {
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(repo(TOOLS_LIST)).unwrap()).unwrap();
    let listed = golden["tools"].as_array().unwrap();
    assert_eq!(listed.len(), tools::registry().len());
    for (entry, tool) in listed.iter().zip(tools::registry()) {
        let spec = tool.spec();
        let a = &entry["annotations"];
        assert_eq!(entry["name"], spec.name);
        assert_eq!(a["title"], spec.title, "{}", spec.name);
        assert_eq!(hint(a, "readOnlyHint"), !spec.changes_vm(), "{}", spec.name);
        if !spec.changes_vm() {
            // MCP: the other two hints mean nothing for a read-only tool, so they are left out.
            assert!(a.get("destructiveHint").is_none(), "{}", spec.name);
            assert!(a.get("idempotentHint").is_none(), "{}", spec.name);
        } else {
            assert_eq!(hint(a, "idempotentHint"), spec.idempotent, "{}", spec.name);
        }
        assert_eq!(hint(a, "openWorldHint"), spec.open_world, "{}", spec.name);
    }
    let by_name = |n: &str| listed.iter().find(|t| t["name"] == n).unwrap()["annotations"].clone();
    assert!(hint(&by_name("vm_screenshot"), "readOnlyHint"));
    assert!(hint(&by_name("vm_exec"), "destructiveHint"));
    assert!(hint(&by_name("vm_exec"), "openWorldHint"));
    assert!(!hint(&by_name("vm_launch"), "destructiveHint"));
    assert!(hint(&by_name("vm_file_read"), "readOnlyHint"));
    assert!(!hint(&by_name("vm_click"), "readOnlyHint"));
    assert!(!hint(&by_name("vm_click"), "openWorldHint"));
}

/// An annotation as a client reads it: the value given, else MCP's default (`readOnlyHint` false,
/// `destructiveHint` true, `idempotentHint` false, `openWorldHint` true).
fn hint(annotations: &Value, name: &str) -> bool {
    let default = matches!(name, "destructiveHint" | "openWorldHint");
    annotations
        .get(name)
        .map_or(default, |v| v.as_bool().expect("a hint is a boolean"))
}

/// The tool list costs tokens on every model call: the whole list (every tool, schemas and annotations, compact
/// JSON as `tools/list` serves it) stays within 8 KiB, and the `seed` tool set (the guide's seven) is listed
/// with exactly the same entries. The figures are in the README (Configuration, `toolset`).
#[test]
fn the_tool_list_fits_its_byte_budget() {
    const BUDGET: usize = 8_192;
    let full = serde_json::to_string(&json!({ "tools": tools::list_for(Toolset::Full) })).unwrap();
    let seed = serde_json::to_string(&json!({ "tools": tools::list_for(Toolset::Seed) })).unwrap();
    println!(
        "tools/list: full {} bytes ({} tools), seed {} bytes ({} tools)",
        full.len(),
        tools::list_for(Toolset::Full).len(),
        seed.len(),
        tools::list_for(Toolset::Seed).len()
    );
    assert!(
        full.len() <= BUDGET,
        "tools/list is {} bytes, over the {BUDGET}-byte budget: shorten descriptions (say it once, in the tool's description) rather than raise it",
        full.len()
    );
    assert_eq!(tools::list_for(Toolset::Full), tools::list());
    let golden = std::fs::read_to_string(repo(TOOLS_LIST)).unwrap();
    assert_eq!(
        golden.trim_end().len(),
        full.len(),
        "the golden file is the full list"
    );
    // The seed set: the guide's seven, each listed exactly as in the full set.
    let seed_list = tools::list_for(Toolset::Seed);
    let names: Vec<&str> = seed_list.iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "vm_click",
            "vm_exec",
            "vm_key",
            "vm_launch",
            "vm_screenshot",
            "vm_scroll",
            "vm_type"
        ]
    );
    for entry in &seed_list {
        assert!(tools::list().contains(entry), "{}", entry.name);
    }
    assert!(seed.len() < full.len() / 2, "seed {} bytes", seed.len());
}
