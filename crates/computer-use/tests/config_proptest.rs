//! Property tests: loading never panics, whatever the input (arbitrary text, JSON5-like text, arbitrary
//! JSON values, values built from our own keys, arbitrary environment values), and a configuration that
//! loads survives a round trip through its JSON form.

use computer_use::config::Config;
use proptest::prelude::*;
use serde_json::{Map, Value};

const KEYS: &[&str] = &[
    "vmName",
    "lumeApiUrl",
    "serverPort",
    "connectTimeoutMs",
    "commandTimeoutMs",
    "screenshotScale",
    "logVerbose",
    "maxScreenshotBytes",
    "provider",
    "serverUrl",
    "wsPath",
    "tls",
    "cloud",
    "sharedDir",
    "vms",
    "defaultVm",
    "containerName",
    "apiKeyEnv",
    "apiKeyFile",
    "plugins",
    "entries",
    "computer-use",
    "config",
    "gateway",
    "mac2",
    "default",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0u32..70000).prop_map(Value::from),
        (0.0f64..2.0).prop_map(Value::from),
        prop_oneof![
            Just("lume"),
            Just("url"),
            Just("local"),
            Just("ws://h:8000/ws"),
            Just("http://localhost:7777"),
            Just("/ws"),
            Just("/abs/dir"),
            Just("rel"),
            Just(""),
            Just("default"),
            Just("mac2"),
        ]
        .prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ]
}

/// JSON values whose object keys are mostly our own, so the validator's deep paths are exercised.
fn json_value() -> impl Strategy<Value = Value> {
    let key =
        prop_oneof![4 => proptest::sample::select(KEYS).prop_map(str::to_owned), 1 => ".{0,8}"];
    scalar().prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn exercise(config: &Config) {
    for name in config.vm_names() {
        let _ = config.vm_with_env(Some(&name), &|_| None);
    }
    let _ = config.vm_with_env(None, &|_| Some("key".into()));
    let _ = config.warnings();
    let again = Config::for_openclaw_block(config.to_json());
    assert_eq!(
        again.ok().as_ref(),
        Some(config),
        "round trip through to_json"
    );
}

/// Plugin blocks made only of in-range values of the seed's keys and a few of ours.
fn valid_block() -> impl Strategy<Value = Value> {
    (
        proptest::option::of("[a-z][a-z0-9-]{0,15}"),
        proptest::option::of(1u32..=65535),
        proptest::option::of(1000u64..=10_000_000_000),
        proptest::option::of(1000u64..=10_000_000_000),
        proptest::option::of(0.1f64..=1.0),
        proptest::option::of(any::<bool>()),
        proptest::option::of(1024u64..=u64::MAX),
        proptest::option::of(prop_oneof![Just("lume"), Just("local")]),
        proptest::option::of("/[a-z]{0,8}"),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(vm, port, connect, command, scale, verbose, max, provider, path, tls)| {
                let mut obj = Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        obj.insert(k.to_owned(), v);
                    }
                };
                put("vmName", vm.map(Value::from));
                put("serverPort", port.map(Value::from));
                put("connectTimeoutMs", connect.map(Value::from));
                put("commandTimeoutMs", command.map(Value::from));
                put("screenshotScale", scale.map(Value::from));
                put("logVerbose", verbose.map(Value::from));
                put("maxScreenshotBytes", max.map(Value::from));
                put("provider", provider.map(Value::from));
                put("wsPath", path.map(Value::from));
                put("tls", tls.map(Value::from));
                Value::Object(obj)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        if let Ok(config) = Config::from_json5_str(&text, "fuzz") {
            exercise(&config);
        }
    }

    #[test]
    fn json5_like_text_never_panics(text in r#"[{}\[\]:,'"a-zA-Z0-9 /*\n.+\-_\\]{0,300}"#) {
        if let Ok(config) = Config::from_json5_str(&text, "fuzz") {
            exercise(&config);
        }
    }

    #[test]
    fn arbitrary_json_values_never_panic(value in json_value()) {
        if let Ok(config) = Config::for_openclaw_block(value.clone()) {
            exercise(&config);
        }
        let text = value.to_string();
        if let Ok(config) = Config::from_json5_str(&text, "fuzz") {
            exercise(&config);
        }
    }

    #[test]
    fn in_range_values_are_accepted_and_round_trip(block in valid_block()) {
        let config = Config::for_openclaw_block(block.clone());
        prop_assert!(config.is_ok(), "{block}: {:?}", config.err().map(|e| e.to_string()));
        if let Ok(config) = config {
            exercise(&config);
            let from_text = Config::from_json5_str(&block.to_string(), "generated").ok();
            prop_assert_eq!(from_text.as_ref(), Some(&config));
        }
    }

    #[test]
    fn arbitrary_env_values_never_panic(
        values in proptest::collection::vec(".{0,24}", 14),
        base in json_value(),
    ) {
        let mut config = Config::for_openclaw_block(base).unwrap_or_else(|_| Config::default_local());
        let vars: Vec<String> = Config::env_overrides().iter().map(|e| e.var.clone()).collect();
        let before = config.clone();
        let env = |name: &str| vars.iter().position(|v| v == name).and_then(|i| values.get(i).cloned());
        match config.apply_env(env) {
            Ok(()) => exercise(&config),
            Err(_) => prop_assert_eq!(&config, &before),
        }
    }
}
