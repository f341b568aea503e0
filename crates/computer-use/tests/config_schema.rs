//! Tests of the exported JSON Schema (OpenClaw manifest `configSchema`) and `uiHints`: exactly the
//! type's keys, the seed's eight keys with the seed's defaults and bounds, inline, closed at every object
//! level, and defaults that agree with the Rust defaults.
#![expect(clippy::unwrap_used)]

use std::collections::BTreeSet;

use computer_use::config::{Config, SEED_KEYS};
use serde_json::{Value, json};

/// A configuration that sets every key, at the top level, in a `vms` entry and in `cloud`.
const EVERY_KEY: &str = r#"{
  vmName: 'a', lumeApiUrl: 'http://h:7777', serverPort: 5000, connectTimeoutMs: 1000,
  commandTimeoutMs: 1000, screenshotScale: 1, logVerbose: true, maxScreenshotBytes: 2048,
  provider: 'lume', serverUrl: 'ws://h:8000/ws', wsPath: '/ws', tls: true,
  cloud: { containerName: 'c', apiKeyEnv: 'K', apiKeyFile: '/k' },
  sharedDir: '/s', defaultVm: 'x',
  guards: { rate: { enabled: true, actionsPerMinute: 10, actionBurst: 2, screenshotsPerMinute: 5,
                    screenshotBurst: 1 },
            loop: { enabled: true, repeatWarn: 2, repeatRefuse: 3, alternationWarn: 4,
                    alternationRefuse: 6, identicalScreenshotsWarn: 2, identicalScreenshotsRefuse: 3,
                    windowMs: 1000 },
            exec: { mode: 'allowlist', allow: ['ls', 'sh'], unrestricted: ['sh'], deny: ['rm *'],
                    maxTimeoutSecs: 5 },
            approval: { tools: ['vm_exec'], exec: 'outsideAllowlist', keys: ['ctrl+alt+*'], fileWrites: true,
                        timeoutSecs: 30 } },
  tools: { allow: ['vm_*'], deny: ['vm_exec'] },
  audit: { path: '/a.jsonl', maxBytes: 4096, redactText: false, maxValueChars: 16,
           redactPatterns: ['corp-[0-9]+'], keyFile: '/k2' },
  record: { dir: '/r', maxBytes: 1048576, screenshotAfterInput: true },
  screenshot: { encoding: 'webp', quality: 60, captureQuality: 85, maxLongEdge: 1000, maxPixels: 500000,
                skipUnchanged: false, checkEffects: true, noEffectWarn: 5 },
  toolset: 'seed',
  agentVms: { worker: 'x' },
  vms: { x: { provider: 'url', vmName: 'b', lumeApiUrl: 'http://h:7777', serverPort: 1,
              serverUrl: 'ws://h:1/ws', wsPath: '/ws', tls: false, sharedDir: '/t',
              cloud: { containerName: 'd', apiKeyEnv: 'K', apiKeyFile: '/k' },
              tools: { deny: ['vm_type'] } } },
}"#;

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn schema_has_exactly_the_types_keys() {
    let schema = Config::json_schema();
    let full = Config::from_json5_str(EVERY_KEY, "every-key")
        .unwrap()
        .to_json();
    assert_eq!(keys(&schema["properties"]), keys(&full));
    assert_eq!(
        keys(&schema["properties"]["vms"]["additionalProperties"]["properties"]),
        keys(&full["vms"]["x"])
    );
    assert_eq!(
        keys(&schema["properties"]["cloud"]["properties"]),
        keys(&full["cloud"])
    );
    for section in ["rate", "loop", "exec", "approval"] {
        assert_eq!(
            keys(&schema["properties"]["guards"]["properties"][section]["properties"]),
            keys(&full["guards"][section]),
            "guards.{section}"
        );
    }
    assert_eq!(
        keys(&schema["properties"]["audit"]["properties"]),
        keys(&full["audit"])
    );
    assert_eq!(
        keys(&schema["properties"]["record"]["properties"]),
        keys(&full["record"])
    );
    assert_eq!(
        keys(&schema["properties"]["screenshot"]["properties"]),
        keys(&full["screenshot"])
    );
    assert_eq!(keys(&full).len(), 23);
}

#[test]
fn seed_keys_have_the_seeds_defaults_and_bounds() {
    let props = &Config::json_schema()["properties"];
    let expected = [
        (
            "vmName",
            json!({"type": "string", "default": "openclaw-vm"}),
        ),
        (
            "lumeApiUrl",
            json!({"type": "string", "default": "http://localhost:7777"}),
        ),
        (
            "serverPort",
            json!({"type": "integer", "default": 5000, "minimum": 1, "maximum": 65535}),
        ),
        (
            "connectTimeoutMs",
            json!({"type": "integer", "default": 30000, "minimum": 1000}),
        ),
        (
            "commandTimeoutMs",
            json!({"type": "integer", "default": 60000, "minimum": 1000}),
        ),
        (
            "screenshotScale",
            json!({"type": "number", "default": 0.5, "minimum": 0.1, "maximum": 1.0}),
        ),
        ("logVerbose", json!({"type": "boolean", "default": false})),
        (
            "maxScreenshotBytes",
            json!({"type": "integer", "default": 10485760, "minimum": 1024}),
        ),
    ];
    assert_eq!(
        expected.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        SEED_KEYS
    );
    for (key, want) in expected {
        for (field, value) in want.as_object().unwrap() {
            assert_eq!(&props[key][field], value, "{key}.{field}");
        }
        assert!(
            props[key]["description"].is_string(),
            "{key} has a description"
        );
        if !want.as_object().unwrap().contains_key("maximum") {
            assert!(props[key].get("maximum").is_none(), "{key} has no maximum");
        }
    }
}

#[test]
fn provider_is_an_enum_defaulting_to_lume() {
    let provider = &Config::json_schema()["properties"]["provider"];
    assert_eq!(provider["type"], "string");
    assert_eq!(provider["enum"], json!(["lume", "url", "local"]));
    assert_eq!(provider["default"], "lume");
}

/// Walks every object schema: each must be `type: object` and closed, either by
/// `additionalProperties: false` or (a map) by a schema for its values that is itself closed.
fn assert_closed(schema: &Value, path: &str) {
    let obj = schema.as_object().unwrap();
    let is_object = obj.get("type") == Some(&json!("object")) || obj.contains_key("properties");
    if !is_object {
        return;
    }
    assert_eq!(obj.get("type"), Some(&json!("object")), "{path}: type");
    match obj.get("additionalProperties") {
        Some(Value::Bool(false)) => {}
        // A map: its values are closed objects (`vms`) or plain strings (`agentVms`).
        Some(values @ Value::Object(_)) if values["type"] == "string" => {}
        Some(values @ Value::Object(_)) => {
            assert_eq!(values["type"], "object", "{path}: map values are objects");
            assert_closed(values, &format!("{path}.*"));
        }
        other => {
            panic!("{path}: additionalProperties is {other:?}, must be false or a closed schema")
        }
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (key, sub) in props {
            assert_closed(sub, &format!("{path}.{key}"));
        }
    }
}

#[test]
fn every_object_is_closed_and_the_schema_is_inline() {
    let schema = Config::json_schema();
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    assert_closed(&schema, "(root)");
    let text = schema.to_string();
    for banned in [
        "$ref",
        "$defs",
        "definitions",
        "$schema",
        "\"format\"",
        "\"null\"",
        "anyOf",
        "oneOf",
        "x-",
    ] {
        assert!(!text.contains(banned), "schema contains {banned}: {text}");
    }
}

#[test]
fn schema_defaults_agree_with_the_rust_defaults() {
    let schema = Config::json_schema();
    let defaults = Config::default().to_json();
    for (key, sub) in schema["properties"].as_object().unwrap() {
        let Some(default) = sub.get("default") else {
            continue;
        };
        match key.as_str() {
            // Not serialized when unset; resolved per provider (5000 lume, 8000 local).
            "serverPort" => assert_eq!(default, &json!(5000)),
            "defaultVm" => assert_eq!(default, &json!("default")),
            _ => assert_eq!(&defaults[key], default, "{key}"),
        }
    }
}

#[test]
fn ui_hints_label_every_key_and_mark_non_seed_keys_advanced() {
    let hints = Config::ui_hints();
    let schema = Config::json_schema();
    for key in keys(&schema["properties"]) {
        let hint = &hints[&key];
        assert!(hint["label"].is_string(), "{key} has a label: {hint}");
        let advanced = hint.get("advanced") == Some(&Value::Bool(true));
        assert_eq!(
            advanced,
            !SEED_KEYS.contains(&key.as_str()),
            "{key} advanced"
        );
        assert!(
            hint.get("sensitive").is_none(),
            "{key}: no key holds a secret"
        );
    }
    assert_eq!(
        hints["lumeApiUrl"],
        json!({"label": "Lume API URL", "placeholder": "http://localhost:7777"})
    );
    assert_eq!(
        hints["serverUrl"]["placeholder"],
        "ws://192.168.64.5:8000/ws"
    );
    assert_eq!(hints["cloud.containerName"]["label"], "Container name");
    assert_eq!(hints["vms.*.serverPort"]["advanced"], true);
    assert!(
        hints
            .get("logVerbose")
            .unwrap()
            .get("placeholder")
            .is_none()
    );
}

#[test]
fn descriptions_are_single_paragraph_text() {
    let schema = Config::json_schema();
    let provider = schema["properties"]["provider"]["description"]
        .as_str()
        .unwrap();
    assert!(!provider.contains('\n'), "{provider}");
    assert!(provider.contains("`lume`") && provider.contains("`local`"));
}
