//! The OpenClaw manifest's `configSchema` and `uiHints` are generated from the Rust configuration type, so
//! the gateway validates exactly what the binary accepts. This test fails when they drift; regenerate with
//! `UPDATE_MANIFEST=1 cargo test -p computer-use --test openclaw_manifest`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use computer_use::config::Config;
use serde_json::Value;

fn manifest_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../extensions/computer-use/openclaw.plugin.json")
}

#[test]
fn manifest_config_schema_and_hints_come_from_the_rust_config_type() {
    let path = manifest_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut manifest: Value = serde_json::from_str(&text).unwrap();
    let schema = Config::json_schema();
    let hints = Config::ui_hints();
    if std::env::var_os("UPDATE_MANIFEST").is_some() {
        manifest["configSchema"] = schema;
        manifest["uiHints"] = hints;
        let mut out = serde_json::to_string_pretty(&manifest).unwrap();
        out.push('\n');
        std::fs::write(&path, out).unwrap();
        return;
    }
    assert_eq!(manifest["id"], "computer-use");
    assert!(
        manifest["configSchema"] == schema,
        "{}: configSchema differs from Config::json_schema(); run UPDATE_MANIFEST=1 cargo test -p computer-use --test openclaw_manifest",
        path.display()
    );
    assert!(
        manifest["uiHints"] == hints,
        "{}: uiHints differ from Config::ui_hints(); run UPDATE_MANIFEST=1 cargo test -p computer-use --test openclaw_manifest",
        path.display()
    );
    // The seed's eight keys keep their names, defaults and bounds in what the gateway sees.
    let props = &manifest["configSchema"]["properties"];
    for (key, default) in [
        ("vmName", serde_json::json!("openclaw-vm")),
        ("lumeApiUrl", serde_json::json!("http://localhost:7777")),
        ("serverPort", serde_json::json!(5000)),
        ("connectTimeoutMs", serde_json::json!(30000)),
        ("commandTimeoutMs", serde_json::json!(60000)),
        ("screenshotScale", serde_json::json!(0.5)),
        ("logVerbose", serde_json::json!(false)),
        ("maxScreenshotBytes", serde_json::json!(10485760)),
    ] {
        assert_eq!(props[key]["default"], default, "{key}");
    }
    assert_eq!(props["connectTimeoutMs"]["minimum"], 1000);
    assert_eq!(props["screenshotScale"]["minimum"], 0.1);
    assert_eq!(props["screenshotScale"]["maximum"], 1.0);
    assert_eq!(props["maxScreenshotBytes"]["minimum"], 1024);
    assert_eq!(manifest["configSchema"]["additionalProperties"], false);
}
