//! Tests of the configuration type: the seed's documented config loads unchanged, every bound, type,
//! enum and unknown key is rejected with an actionable message, all problems are reported together,
//! environment overrides, VM resolution, cloud credentials and JSON5 syntax. Checks of the same shape are
//! tables: `assert_loads` (configuration → the value read back) and `assert_refused` (configuration =>
//! the fragments of its error text).
#![expect(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use computer_use::config::{Config, ConfigError, Provider, ProviderKind, Secret};
use serde_json::json;

/// The `config` object of the seed's `plugins.entries["computer-use"]` block, verbatim.
const SEED_BLOCK: &str = r#"{
    "vmName": "openclaw-vm",
    "lumeApiUrl": "http://localhost:7777",
    "serverPort": 5000,
    "connectTimeoutMs": 30000,
    "commandTimeoutMs": 60000,
    "screenshotScale": 0.5,
    "logVerbose": false,
    "maxScreenshotBytes": 10485760
  }"#;

/// The seed's "Minimal config (dev/test)" openclaw.json, verbatim.
const SEED_MINIMAL_OPENCLAW: &str = r#"{
  "agents": {
    "defaults": {
      "sandbox": {
        "mode": "all",
        "scope": "agent",
        "workspaceAccess": "rw"
      }
    },
    "list": [
      {
        "id": "main",
        "name": "Main",
        "isDefault": true,
        "model": "claude-sonnet-4-20250514",
        "sandbox": {
          "mode": "all",
          "scope": "agent",
          "workspaceAccess": "rw",
          "network": "none"
        },
        "tools": {
          "allow": ["group:fs", "memory_search", "memory_get", "group:sessions", "message"],
          "deny": ["group:runtime", "group:web", "vm_*"]
        },
        "subagents": {
          "allowAgents": ["worker"]
        }
      },
      {
        "id": "worker",
        "name": "Computer Worker",
        "model": "claude-sonnet-4-20250514",
        "tools": {
          "allow": ["vm_*", "sessions_send", "session_status"],
          "deny": ["exec"]
        },
        "subagents": {
          "allowAgents": []
        }
      }
    ]
  },

  "plugins": {
    "load": {
      "paths": [
        "./extensions/computer-use"
      ]
    },
    "entries": {
      "computer-use": {
        "enabled": true,
        "config": {
          "vmName": "openclaw-vm",
          "lumeApiUrl": "http://localhost:7777",
          "serverPort": 5000,
          "connectTimeoutMs": 30000,
          "commandTimeoutMs": 60000,
          "screenshotScale": 0.5,
          "logVerbose": false,
          "maxScreenshotBytes": 10485760
        }
      }
    }
  }
}"#;

/// The seed's plugin snippet ("Add the computer-use plugin to your `plugins` section"), with its
/// comments, placed where its comments say it goes.
const SEED_SNIPPET_IN_OPENCLAW: &str = r#"{
  "agents": { "list": [] },
  "plugins": {
    // In plugins.load.paths (create this block if absent):
    "load": {
      "paths": ["./extensions/computer-use"]
    },

    // In plugins.entries:
    "entries": {
      "computer-use": {
        "enabled": true,
        "config": {
          "vmName": "openclaw-vm",
          "lumeApiUrl": "http://localhost:7777",
          "serverPort": 5000,
          "connectTimeoutMs": 30000,
          "commandTimeoutMs": 60000,
          "screenshotScale": 0.5,
          "logVerbose": false,
          "maxScreenshotBytes": 10485760
        }
      }
    }
  }
}"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_json5_str(text, "test.json5")
}

/// The full error text of an invalid configuration.
fn err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// A fresh directory under the system temp dir (removed by the test that made it).
fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "computer-use-config-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lume(config: &Config, name: Option<&str>) -> (String, String, u16, String, bool) {
    match config.vm_with_env(name, &no_env).unwrap().provider {
        Provider::Lume {
            api_url,
            vm_name,
            port,
            path,
            tls,
            ..
        } => (api_url.to_string(), vm_name, port, path, tls),
        other => panic!("expected a Lume provider, got {other:?}"),
    }
}

fn assert_seed_values(config: &Config) {
    assert_eq!(config.provider(), ProviderKind::Lume);
    assert_eq!(
        lume(config, None),
        (
            "http://localhost:7777/".to_owned(),
            "openclaw-vm".to_owned(),
            5000,
            "/ws".to_owned(),
            false
        )
    );
    let vm = config.vm_with_env(None, &no_env).unwrap();
    assert_eq!(vm.name, "default");
    assert_eq!(vm.connect_timeout.as_millis(), 30_000);
    assert_eq!(vm.command_timeout.as_millis(), 60_000);
    assert!(vm.cloud.is_none());
    assert_eq!(config.screenshot_scale(), 0.5);
    assert!(!config.log_verbose());
    assert_eq!(config.max_screenshot_bytes(), 10_485_760);
}

// ---------------------------------------------------------------------------------------------
// The seed

#[test]
fn seed_block_loads_with_its_values() {
    let config = parse(SEED_BLOCK).unwrap();
    assert_seed_values(&config);
    // Written back, the block keeps the seed's eight values unchanged.
    let written = config.to_json();
    let seed: serde_json::Value = serde_json::from_str(SEED_BLOCK).unwrap();
    for (key, value) in seed.as_object().unwrap() {
        assert_eq!(&written[key], value, "key {key}");
    }
}

#[test]
fn seed_minimal_openclaw_json_yields_the_same_config() {
    let from_block = parse(SEED_BLOCK).unwrap();
    let from_openclaw = parse(SEED_MINIMAL_OPENCLAW).unwrap();
    assert_eq!(from_openclaw, from_block);
    assert_seed_values(&from_openclaw);
}

#[test]
fn seed_snippet_with_comments_yields_the_same_config() {
    assert_eq!(
        parse(SEED_SNIPPET_IN_OPENCLAW).unwrap(),
        parse(SEED_BLOCK).unwrap()
    );
}

#[test]
fn seed_minimal_openclaw_json_loads_from_a_file() {
    let dir = temp_dir();
    let path = dir.join("openclaw.json");
    std::fs::write(&path, SEED_MINIMAL_OPENCLAW).unwrap();
    let config = Config::load_file(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(config, parse(SEED_BLOCK).unwrap());
}

#[test]
fn openclaw_block_from_the_shim_yields_the_same_config() {
    let block: serde_json::Value = serde_json::from_str(SEED_BLOCK).unwrap();
    assert_eq!(
        Config::for_openclaw_block(block).unwrap(),
        parse(SEED_BLOCK).unwrap()
    );
    assert_eq!(
        Config::for_openclaw_block(serde_json::Value::Null).unwrap(),
        Config::default()
    );
}

// ---------------------------------------------------------------------------------------------
// Defaults

#[test]
fn empty_object_means_seed_defaults_with_lume() {
    let config = parse("{}").unwrap();
    assert_eq!(config, Config::default());
    assert_seed_values(&config);
}

#[test]
fn no_configuration_means_local_on_port_8000() {
    let config = Config::default_local();
    assert_eq!(config.provider(), ProviderKind::Local);
    let vm = config.vm_with_env(None, &no_env).unwrap();
    assert_eq!(
        vm.provider,
        Provider::Local {
            url: "ws://127.0.0.1:8000/ws".parse().unwrap()
        }
    );
    assert_eq!(Config::load(None, no_env).unwrap(), config);
}

#[test]
fn lume_websocket_url_is_built_from_the_vm_ip() {
    let config = parse("{serverPort: 8000, tls: true}").unwrap();
    let provider = config.vm_with_env(None, &no_env).unwrap().provider;
    assert_eq!(provider.websocket_url(None), None);
    let ip = "192.168.64.5".parse().unwrap();
    assert_eq!(
        provider.websocket_url(Some(ip)).unwrap().as_str(),
        "wss://192.168.64.5:8000/ws"
    );
}

// ---------------------------------------------------------------------------------------------
// Tables: a configuration, and the value it gives back or the error text it is refused with

/// Reads one value of a loaded configuration, as text.
type Read = fn(&Config) -> String;

/// Each configuration loads, and `read` gives back the expected value.
fn assert_loads(cases: &[(&str, Read, &str)]) {
    for (config, read, expected) in cases {
        let loaded = parse(config).unwrap_or_else(|e| panic!("{config} should load: {e}"));
        assert_eq!(read(&loaded), *expected, "{config}");
    }
}

/// Checks a table of refused configurations, one per line: `config => fragment && fragment ...`. The error
/// text must contain every fragment, and must not contain one written `not: text` (secrets are never echoed).
/// Blank lines and lines starting with `#` are skipped.
fn assert_refused(table: &str) {
    let rows = table
        .lines()
        .map(str::trim)
        .filter(|row| !row.is_empty() && !row.starts_with('#'));
    for row in rows {
        let (config, fragments) = row
            .split_once(" => ")
            .unwrap_or_else(|| panic!("table row without ` => `: {row}"));
        let message = err(config);
        for fragment in fragments.split(" && ") {
            match fragment.strip_prefix("not: ") {
                Some(secret) => assert!(
                    !message.contains(secret),
                    "{config}: the error echoes {secret:?}:\n{message}"
                ),
                None => assert!(
                    message.contains(fragment),
                    "{config}: expected {fragment:?} in:\n{message}"
                ),
            }
        }
    }
}

fn server_port(config: &Config) -> String {
    lume(config, None).2.to_string()
}

fn mac2_server_port(config: &Config) -> String {
    lume(config, Some("mac2")).2.to_string()
}

fn connect_timeout_ms(config: &Config) -> String {
    config.connect_timeout().as_millis().to_string()
}

fn command_timeout_ms(config: &Config) -> String {
    config.command_timeout().as_millis().to_string()
}

fn screenshot_scale(config: &Config) -> String {
    config.screenshot_scale().to_string()
}

fn max_screenshot_bytes(config: &Config) -> String {
    config.max_screenshot_bytes().to_string()
}

fn default_vm(config: &Config) -> String {
    config.default_vm_name().to_owned()
}

/// The default VM's WebSocket URL, for providers that know it without a VM's IP.
fn websocket_url(config: &Config) -> String {
    config
        .vm_with_env(None, &no_env)
        .unwrap()
        .provider
        .websocket_url(None)
        .unwrap()
        .to_string()
}

fn shared_dir(config: &Config) -> String {
    match config.vm_with_env(None, &no_env).unwrap().provider {
        Provider::Lume { shared_dir, .. } => shared_dir
            .map(|dir| dir.display().to_string())
            .unwrap_or_default(),
        other => panic!("expected Lume, got {other:?}"),
    }
}

#[test]
fn local_provider_uses_8000_unless_serverport_is_given() {
    assert_loads(&[
        (
            "{provider: 'local'}",
            websocket_url,
            "ws://127.0.0.1:8000/ws",
        ),
        (
            "{provider: 'local', serverPort: 9001}",
            websocket_url,
            "ws://127.0.0.1:9001/ws",
        ),
        (
            "{provider: 'local', wsPath: '/socket'}",
            websocket_url,
            "ws://127.0.0.1:8000/socket",
        ),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Bounds: below, at and above every limit

#[test]
fn values_at_every_limit_load() {
    assert_loads(&[
        ("{serverPort: 1}", server_port, "1"),
        ("{serverPort: 65535}", server_port, "65535"),
        (
            "{vms: {mac2: {serverPort: 65535}}}",
            mac2_server_port,
            "65535",
        ),
        ("{connectTimeoutMs: 1000}", connect_timeout_ms, "1000"),
        (
            "{connectTimeoutMs: 4000000000}",
            connect_timeout_ms,
            "4000000000",
        ),
        ("{commandTimeoutMs: 1000}", command_timeout_ms, "1000"),
        (
            "{commandTimeoutMs: 4000000000}",
            command_timeout_ms,
            "4000000000",
        ),
        ("{screenshotScale: 0.1}", screenshot_scale, "0.1"),
        ("{screenshotScale: 1.0}", screenshot_scale, "1"),
        ("{screenshotScale: 1}", screenshot_scale, "1"),
        ("{maxScreenshotBytes: 1024}", max_screenshot_bytes, "1024"),
        // Whole floats are whole numbers.
        ("{serverPort: 5000.0}", server_port, "5000"),
    ]);
}

#[test]
fn values_beyond_every_limit_are_refused_with_the_bound_and_the_default() {
    assert_refused(
        r#"
        {serverPort: 0} => `serverPort` = 0 is out of range: must be between 1 and 65535 (default 5000)
        {serverPort: 65536} => `serverPort` = 65536 is out of range: must be between 1 and 65535 (default 5000)
        {serverPort: -1} => `serverPort` = -1 is out of range
        {connectTimeoutMs: 999} => `connectTimeoutMs` = 999 is out of range: must be at least 1000
        {commandTimeoutMs: 999} => `commandTimeoutMs` = 999 is out of range: must be at least 1000
        {connectTimeoutMs: 0} => (default 30000)
        {commandTimeoutMs: 0} => (default 60000)
        {screenshotScale: 1.5} => `screenshotScale` = 1.5 is out of range: must be between 0.1 and 1.0 (default 0.5)
        {screenshotScale: 0.09} => `screenshotScale` = 0.09 is out of range: must be between 0.1 and 1.0 (default 0.5)
        {screenshotScale: 0} => `screenshotScale` = 0 is out of range
        {maxScreenshotBytes: 1023} => `maxScreenshotBytes` = 1023 is out of range: must be at least 1024 (default 10485760)
        # Bounds apply inside `vms` entries too; a fraction is not a whole number.
        {vms: {mac2: {serverPort: 0}}} => `vms.mac2.serverPort` = 0 is out of range: must be between 1 and 65535
        {serverPort: 5000.5} => `serverPort` must be a whole number, got a number (5000.5)
        {screenshot: {noEffectWarn: 0}} => `screenshot.noEffectWarn` = 0 is out of range: must be at least 1 (default 3)
        "#,
    );
}

// ---------------------------------------------------------------------------------------------
// Types

#[test]
fn wrong_types_name_the_key_and_the_expected_type() {
    assert_refused(
        r#"
        {vmName: 5} => `vmName` must be a string, got an integer (5)
        {lumeApiUrl: true} => `lumeApiUrl` must be a string, got a boolean (true)
        {serverPort: '5000'} => `serverPort` must be a whole number, got a string ("5000")
        {connectTimeoutMs: null} => `connectTimeoutMs` must be a whole number, got null
        {commandTimeoutMs: [1]} => `commandTimeoutMs` must be a whole number, got an array
        {screenshotScale: '0.5'} => `screenshotScale` must be a number, got a string ("0.5")
        {logVerbose: 'yes'} => `logVerbose` must be a boolean (true or false), got a string ("yes")
        {maxScreenshotBytes: {}} => `maxScreenshotBytes` must be a whole number, got an object
        {provider: 1} => `provider` must be a string, got an integer (1)
        {serverUrl: 8000} => `serverUrl` must be a string, got an integer (8000)
        {wsPath: false} => `wsPath` must be a string, got a boolean (false)
        {tls: 'true'} => `tls` must be a boolean (true or false), got a string ("true")
        {sharedDir: 1} => `sharedDir` must be a string, got an integer (1)
        {cloud: true} => `cloud` must be an object ({ ... }), got a boolean
        {vms: []} => `vms` must be an object ({ ... }), got an array
        {vms: {mac2: 'x'}} => `vms.mac2` must be an object ({ ... }), got a string ("x")
        {vms: {mac2: {tls: 1}}} => `vms.mac2.tls` must be a boolean (true or false), got an integer (1)
        {defaultVm: 2} => `defaultVm` must be a string, got an integer (2)
        [] => the configuration must be an object ({ ... }), got an array
        'text' => the configuration must be an object ({ ... }), got a string
        # Empty strings, where they mean nothing.
        {vmName: ''} => `vmName` must not be empty
        {cloud: {containerName: ''}} => `cloud.containerName` must not be empty
        "#,
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown keys and enums

#[test]
fn unknown_keys_and_values_list_what_is_allowed() {
    assert_refused(
        r#"
        {toolset: 'tiny'} => `toolset` = "tiny" is not allowed: use one of "full", "seed"
        {screenshot: {skipUnchanged: 'no'}} => `screenshot.skipUnchanged` must be a boolean (true or false), got a string ("no")
        {vmname: 'x'} => unknown key `vmname` (did you mean `vmName`?) && allowed keys: agentVms, audit, cloud, commandTimeoutMs, connectTimeoutMs, defaultVm, guards, && vmName, vms, wsPath
        {totallyNew: 1} => unknown key `totallyNew`; allowed keys:
        # Inside a VM entry, the entry is named; timeouts are top-level only.
        {vms: {mac2: {vmName: 'b', port: 5000}}} => `vms.mac2`: unknown key `port` && allowed keys: cloud, lumeApiUrl, provider, serverPort, serverUrl, sharedDir, tls, tools, vmName, wsPath
        {vms: {mac2: {connectTimeoutMs: 1000}}} => `vms.mac2`: unknown key `connectTimeoutMs`
        {cloud: {}} => `cloud` is missing the required key `containerName`
        {vms: {c: {cloud: {apiKeyEnv: 'K'}}}} => `vms.c.cloud` is missing the required key `containerName`
        {provider: 'docker'} => `provider` = "docker" is not allowed: use one of "lume", "url", "local"
        {vms: {x: {provider: 'LUME'}}} => `vms.x.provider` = "LUME" is not allowed
        # Problems inside `cloud` never echo the value.
        {cloud: {containerName: 'box', apiKey: 'sk-secret-123'}} => `cloud`: unknown key `apiKey` && allowed keys: apiKeyEnv, apiKeyFile, containerName && not: sk-secret-123
        {cloud: {containerName: 'box', apiKeyEnv: 'sk-secret 123'}} => `cloud.apiKeyEnv` is not an environment variable name && not: sk-secret
        {cloud: {containerName: 1234567}} => `cloud.containerName` must be a string, got an integer && not: 1234567
        "#,
    );
}

// ---------------------------------------------------------------------------------------------
// Provider url and URLs

#[test]
fn url_provider_resolves_its_url() {
    let config = parse("{provider: 'url', serverUrl: 'ws://10.0.0.5:8000/ws'}").unwrap();
    assert_eq!(
        config.vm_with_env(None, &no_env).unwrap().provider,
        Provider::Url {
            url: "ws://10.0.0.5:8000/ws".parse().unwrap()
        }
    );
    assert_loads(&[(
        "{provider: 'url', serverUrl: 'wss://box.example.com:8443/ws'}",
        websocket_url,
        "wss://box.example.com:8443/ws",
    )]);
}

#[test]
fn bad_server_urls_name_the_value_and_the_fix() {
    for (url, reason) in [
        ("http://10.0.0.5:8000/ws", "uses `http://`"),
        ("10.0.0.5:8000", "is not a valid URL"),
        ("ws://10.0.0.5:8000", "has no path"),
        ("ws://10.0.0.5:8000/", "has no path"),
        ("not a url", "is not a valid URL"),
        ("ws://:8000/ws", "is not a valid URL (empty host)"),
    ] {
        assert_refused(&format!(
            "{{provider: 'url', serverUrl: {url:?}}} => `serverUrl` = {url:?} && {reason} && write it like \"ws://host:8000/ws\""
        ));
    }
}

#[test]
fn missing_or_bad_urls_paths_and_dirs_name_the_value_and_the_fix() {
    assert_refused(
        r#"
        {provider: 'url'} => `provider` is "url" but `serverUrl` is not set && ws://host:8000/ws
        {vms: {remote: {provider: 'url'}}} => `vms.remote`: provider is "url" but no `serverUrl` is set
        # Also inside a VM entry, and regardless of the provider.
        {vms: {r: {serverUrl: 'http://x/ws'}}} => `vms.r.serverUrl` = "http://x/ws" uses `http://`
        {lumeApiUrl: 'localhost:7777'} => `lumeApiUrl` = "localhost:7777"
        {lumeApiUrl: 'ws://localhost:7777'} => write it like "http://localhost:7777"
        {wsPath: 'ws'} => `wsPath` = "ws" must be a URL path starting with "/"
        {wsPath: '/w s'} => `wsPath`
        {sharedDir: 'vm-shared'} => `sharedDir` = "vm-shared" must be an absolute path
        {sharedDir: '~/vm-shared'} => (`~` is not expanded)
        {cloud: {containerName: 'c', apiKeyFile: 'key.txt'}} => `cloud.apiKeyFile` = "key.txt" must be an absolute path
        {record: {dir: 'recordings'}} => `record.dir` = "recordings" must be an absolute path
        {record: {dir: '/r', maxBytes: 1000}} => `record.maxBytes` && 1048576
        {record: {dirr: '/r'}} => `record`: unknown key `dirr` && allowed keys: dir, maxBytes, screenshotAfterInput
        "#,
    );
    // A good one is kept as written.
    assert_loads(&[(
        "{sharedDir: '/Users/me/vm-shared'}",
        shared_dir,
        "/Users/me/vm-shared",
    )]);
    // Recording: off by default; `--record DIR` turns it on with an absolute directory only.
    let mut config = parse("{record: {maxBytes: 2097152}}").unwrap();
    assert_eq!(config.record().dir(), None);
    assert_eq!(config.record().max_bytes(), 2_097_152);
    let e = config.set_record_dir("rec".into()).unwrap_err().to_string();
    assert!(e.contains("must be an absolute path"), "{e}");
    config.set_record_dir("/var/rec".into()).unwrap();
    assert_eq!(
        config.record().dir(),
        Some(std::path::Path::new("/var/rec"))
    );
    assert_eq!(
        config.record().max_bytes(),
        2_097_152,
        "the other record settings stay"
    );
}

// ---------------------------------------------------------------------------------------------
// All problems at once

#[test]
fn multiple_problems_are_reported_together() {
    let error = parse(
        "{serverPort: 0, screenshotScale: 2, provider: 'url', logVerbose: 'no', bogus: 1, vms: {m: {port: 1, provider: 'lume'}}}",
    )
    .unwrap_err();
    let problems: Vec<String> = error.problems().iter().map(|p| p.message.clone()).collect();
    assert_eq!(problems.len(), 6, "{problems:#?}");
    let text = error.to_string();
    assert!(
        text.starts_with("invalid computer-use configuration in test.json5 (6 problems):"),
        "{text}"
    );
    assert_eq!(text.lines().filter(|l| l.starts_with("  - ")).count(), 6);
    for needle in [
        "`serverPort` = 0",
        "`screenshotScale` = 2",
        "`provider` is \"url\" but `serverUrl` is not set",
        "`logVerbose` must be a boolean",
        "unknown key `bogus`",
        "`vms.m`: unknown key `port`",
    ] {
        assert!(text.contains(needle), "missing {needle}: {text}");
    }
}

#[test]
fn a_bad_value_is_reported_once_not_again_by_the_rule_that_needs_it() {
    let error = parse("{provider: 'url', serverUrl: 42}").unwrap_err();
    assert_eq!(error.problems().len(), 1, "{error}");
    assert!(error.to_string().contains("`serverUrl` must be a string"));
}

// ---------------------------------------------------------------------------------------------
// JSON5 and files

#[test]
fn json5_syntax_is_accepted() {
    let config = parse(
        "// a comment\n{\n  /* block comment */\n  vmName: 'single-quoted',\n  \"serverPort\": 0x1388,\n  screenshotScale: .5,\n  vms: { mac2: { vmName: 'b', }, },\n}\n",
    )
    .unwrap();
    assert_eq!(lume(&config, None).1, "single-quoted");
    assert_eq!(lume(&config, None).2, 5000);
    assert_eq!(lume(&config, Some("mac2")).1, "b");
}

#[test]
fn parse_errors_show_file_line_and_column() {
    let dir = temp_dir();
    let path = dir.join("broken.json5");
    std::fs::write(&path, "{\n  vmName: 'a'\n  serverPort: 5000\n}\n").unwrap();
    let message = Config::load_file(&path).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("not valid JSON5 at line 3, column 3"),
        "{message}"
    );
    assert!(message.contains("hint:"), "{message}");
}

#[test]
fn missing_file_names_the_path() {
    let message = Config::load_file(Path::new("/nonexistent/dir/cu.json5"))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("cannot read configuration file /nonexistent/dir/cu.json5"),
        "{message}"
    );
}

#[test]
fn openclaw_json_problems_say_where_they_looked() {
    assert_refused(
        r#"
        {gateway: {port: 18789}} => test.json5 is an OpenClaw configuration (it has a top-level `gateway` key) && but has no plugins.entries["computer-use"]
        {plugins: {entries: {other: {}}}} => top-level `plugins` key
        {agents: {}} => top-level `agents` key
        # Problems inside our entry name the entry.
        {plugins: {entries: {'computer-use': {config: {serverPort: 0}}}}} => test.json5 (plugins.entries["computer-use"].config) && `serverPort` = 0
        "#,
    );
}

#[test]
fn openclaw_entry_without_config_means_defaults() {
    let config = parse("{plugins: {entries: {'computer-use': {enabled: true}}}}").unwrap();
    assert_eq!(config, Config::default());
}

// ---------------------------------------------------------------------------------------------
// Environment

#[test]
fn env_overrides_file_values() {
    let mut config = parse(SEED_BLOCK).unwrap();
    config
        .apply_env(env_of(&[
            ("COMPUTER_USE_SERVER_PORT", "8000"),
            ("COMPUTER_USE_VM_NAME", "other-vm"),
            ("COMPUTER_USE_LOG_VERBOSE", "true"),
            ("COMPUTER_USE_SCREENSHOT_SCALE", "1.0"),
            ("COMPUTER_USE_CONNECT_TIMEOUT_MS", "5000"),
        ]))
        .unwrap();
    let (_, vm_name, port, _, _) = lume(&config, None);
    assert_eq!((vm_name.as_str(), port), ("other-vm", 8000));
    assert!(config.log_verbose());
    assert_eq!(config.screenshot_scale(), 1.0);
    assert_eq!(config.connect_timeout().as_millis(), 5000);
}

#[test]
fn env_can_switch_provider() {
    let mut config = parse(SEED_BLOCK).unwrap();
    config
        .apply_env(env_of(&[
            ("COMPUTER_USE_PROVIDER", "url"),
            ("COMPUTER_USE_SERVER_URL", "ws://10.1.2.3:8000/ws"),
        ]))
        .unwrap();
    assert_eq!(
        config.vm_with_env(None, &no_env).unwrap().provider,
        Provider::Url {
            url: "ws://10.1.2.3:8000/ws".parse().unwrap()
        }
    );
}

#[test]
fn invalid_env_values_name_the_variable_and_leave_the_config_unchanged() {
    let mut config = parse(SEED_BLOCK).unwrap();
    let before = config.clone();
    let error = config
        .apply_env(env_of(&[
            ("COMPUTER_USE_SERVER_PORT", "abc"),
            ("COMPUTER_USE_SCREENSHOT_SCALE", "2"),
            ("COMPUTER_USE_PROVIDER", "docker"),
            ("COMPUTER_USE_TLS", "maybe"),
        ]))
        .unwrap_err();
    assert_eq!(config, before);
    let text = error.to_string();
    assert_eq!(error.problems().len(), 4, "{text}");
    assert!(
        text.contains("COMPUTER_USE_SERVER_PORT=\"abc\": `serverPort` must be a whole number"),
        "{text}"
    );
    assert!(text.contains(
        "COMPUTER_USE_SCREENSHOT_SCALE: `screenshotScale` = 2 is out of range: must be between 0.1 and 1.0 (default 0.5)"
    ), "{text}");
    assert!(
        text.contains("COMPUTER_USE_PROVIDER: `provider` = \"docker\" is not allowed"),
        "{text}"
    );
    assert!(
        text.contains("COMPUTER_USE_TLS=\"maybe\": `tls` must be true or false"),
        "{text}"
    );
}

#[test]
fn env_values_are_checked_with_the_file_values() {
    let mut config = parse(SEED_BLOCK).unwrap();
    let text = config
        .apply_env(env_of(&[("COMPUTER_USE_PROVIDER", "url")]))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("overrides from COMPUTER_USE_PROVIDER"),
        "{text}"
    );
    assert!(text.contains("`serverUrl` is not set"), "{text}");
    let text = config
        .apply_env(env_of(&[("COMPUTER_USE_SERVER_URL", "http://x:1/ws")]))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("COMPUTER_USE_SERVER_URL: `serverUrl` = \"http://x:1/ws\" uses `http://`"),
        "{text}"
    );
}

#[test]
fn empty_env_values_are_ignored() {
    let mut config = parse(SEED_BLOCK).unwrap();
    config
        .apply_env(env_of(&[
            ("COMPUTER_USE_SERVER_PORT", "  "),
            ("COMPUTER_USE_VM_NAME", ""),
        ]))
        .unwrap();
    assert_eq!(config, parse(SEED_BLOCK).unwrap());
}

#[test]
fn env_table_covers_every_top_level_scalar_key() {
    let vars: Vec<(&str, &str)> = Config::env_overrides()
        .iter()
        .map(|e| (e.var.as_str(), e.key.as_str()))
        .collect();
    for (var, key) in [
        ("COMPUTER_USE_VM_NAME", "vmName"),
        ("COMPUTER_USE_LUME_API_URL", "lumeApiUrl"),
        ("COMPUTER_USE_SERVER_PORT", "serverPort"),
        ("COMPUTER_USE_CONNECT_TIMEOUT_MS", "connectTimeoutMs"),
        ("COMPUTER_USE_COMMAND_TIMEOUT_MS", "commandTimeoutMs"),
        ("COMPUTER_USE_SCREENSHOT_SCALE", "screenshotScale"),
        ("COMPUTER_USE_LOG_VERBOSE", "logVerbose"),
        ("COMPUTER_USE_MAX_SCREENSHOT_BYTES", "maxScreenshotBytes"),
        ("COMPUTER_USE_PROVIDER", "provider"),
        ("COMPUTER_USE_SERVER_URL", "serverUrl"),
        ("COMPUTER_USE_WS_PATH", "wsPath"),
        ("COMPUTER_USE_TLS", "tls"),
        ("COMPUTER_USE_SHARED_DIR", "sharedDir"),
        ("COMPUTER_USE_DEFAULT_VM", "defaultVm"),
        ("COMPUTER_USE_TOOLSET", "toolset"),
    ] {
        assert!(vars.contains(&(var, key)), "{var} missing from {vars:?}");
    }
    // Objects are not overridable from the environment.
    assert_eq!(vars.len(), 15, "{vars:?}");
}

#[test]
fn load_applies_env_over_the_local_default() {
    let config = Config::load(None, env_of(&[("COMPUTER_USE_SERVER_PORT", "8123")])).unwrap();
    assert_eq!(
        config.vm_with_env(None, &no_env).unwrap().provider,
        Provider::Local {
            url: "ws://127.0.0.1:8123/ws".parse().unwrap()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Several VMs

const TWO_HOSTS: &str = r#"{
  vmName: 'mac-a',
  vms: {
    'mac-b': { vmName: 'mac-b' },
    studio: { lumeApiUrl: 'http://studio.local:7777', vmName: 'xcode', serverPort: 8000, tls: true },
    linux: { provider: 'url', serverUrl: 'ws://10.0.0.9:8000/ws' },
    here: { provider: 'local' },
  },
  defaultVm: 'studio',
}"#;

#[test]
fn named_vms_override_top_level_values() {
    let config = parse(TWO_HOSTS).unwrap();
    assert_eq!(
        config.vm_names(),
        ["default", "here", "linux", "mac-b", "studio"]
    );
    assert_eq!(config.default_vm_name(), "studio");
    assert_eq!(
        lume(&config, None),
        (
            "http://studio.local:7777/".to_owned(),
            "xcode".to_owned(),
            8000,
            "/ws".to_owned(),
            true
        )
    );
    assert_eq!(config.vm_with_env(None, &no_env).unwrap().name, "studio");
    assert_eq!(
        lume(&config, Some("default")),
        (
            "http://localhost:7777/".to_owned(),
            "mac-a".to_owned(),
            5000,
            "/ws".to_owned(),
            false
        )
    );
    assert_eq!(lume(&config, Some("mac-b")).1, "mac-b");
    assert_eq!(
        config.vm_with_env(Some("linux"), &no_env).unwrap().provider,
        Provider::Url {
            url: "ws://10.0.0.9:8000/ws".parse().unwrap()
        }
    );
    assert_eq!(
        config.vm_with_env(Some("here"), &no_env).unwrap().provider,
        Provider::Local {
            url: "ws://127.0.0.1:8000/ws".parse().unwrap()
        }
    );
    // The top-level serverPort is inherited, also by a local entry.
    let config = parse("{serverPort: 5001, vms: {here: {provider: 'local'}}}").unwrap();
    assert_eq!(
        config
            .vm_with_env(Some("here"), &no_env)
            .unwrap()
            .provider
            .websocket_url(None)
            .unwrap()
            .as_str(),
        "ws://127.0.0.1:5001/ws"
    );
}

#[test]
fn unknown_vm_lists_the_configured_names() {
    let config = parse(TWO_HOSTS).unwrap();
    let message = config
        .vm_with_env(Some("mac-c"), &no_env)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(
            "no VM named `mac-c` is configured; configured VMs: default, here, linux, mac-b, studio"
        ),
        "{message}"
    );
}

#[test]
fn default_vm_must_exist_and_names_must_be_plain() {
    assert_loads(&[("{defaultVm: 'default'}", default_vm, "default")]);
    assert_refused(
        r#"
        {defaultVm: 'nope', vms: {a: {}}} => `defaultVm` = "nope" is not a configured VM; configured VMs: default, a
        {vms: {default: {}}} => the name `default` is reserved
        {vms: {'my vm': {}}} => VM names must be 1-64 letters, digits
        "#,
    );
}

#[test]
fn more_than_two_lume_vms_on_one_host_is_a_warning() {
    let config = parse("{vmName: 'a', vms: {b: {vmName: 'b'}, c: {vmName: 'c'}}}").unwrap();
    let warnings = config.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("3 Lume VMs (a, b, c)") && warnings[0].contains("at most 2"));
    assert!(parse(TWO_HOSTS).unwrap().warnings().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Cloud credentials

#[test]
fn cloud_key_comes_from_the_environment() {
    let config = parse(
        "{provider: 'url', serverUrl: 'wss://c.example:8443/ws', cloud: {containerName: 'box'}}",
    )
    .unwrap();
    let vm = config
        .vm_with_env(None, &env_of(&[("CUA_API_KEY", "sk-live-123")]))
        .unwrap();
    let cloud = vm.cloud.clone().unwrap();
    assert_eq!(cloud.container_name, "box");
    assert_eq!(cloud.api_key.expose(), "sk-live-123");
    assert!(!format!("{vm:?}").contains("sk-live-123"));
    assert!(format!("{vm:?}").contains("[redacted]"));

    let message = config.vm_with_env(None, &no_env).unwrap_err().to_string();
    assert!(
        message.contains("environment variable CUA_API_KEY is not set"),
        "{message}"
    );
    assert!(message.contains("container `box`"));

    let custom = parse("{cloud: {containerName: 'box', apiKeyEnv: 'MY_KEY'}}").unwrap();
    let message = custom
        .vm_with_env(None, &env_of(&[("CUA_API_KEY", "sk-wrong")]))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("MY_KEY is not set") && !message.contains("sk-wrong"),
        "{message}"
    );
}

#[test]
fn cloud_key_file_wins_over_the_environment() {
    let dir = temp_dir();
    let file = dir.join("key");
    std::fs::write(&file, "sk-from-file\n").unwrap();
    let text = format!(
        "{{cloud: {{containerName: 'box', apiKeyFile: {:?}}}}}",
        file.display().to_string()
    );
    let config = parse(&text).unwrap();
    let vm = config
        .vm_with_env(None, &env_of(&[("CUA_API_KEY", "sk-from-env")]))
        .unwrap();
    assert_eq!(vm.cloud.unwrap().api_key, Secret::new("sk-from-file"));

    std::fs::write(&file, "  \n").unwrap();
    let message = config.vm_with_env(None, &no_env).unwrap_err().to_string();
    assert!(message.contains("is empty"), "{message}");

    std::fs::remove_dir_all(&dir).unwrap();
    let message = config.vm_with_env(None, &no_env).unwrap_err().to_string();
    assert!(
        message.contains("cannot read `cloud.apiKeyFile`"),
        "{message}"
    );
    assert!(message.contains(&file.display().to_string()));
}

#[test]
fn config_never_contains_the_key() {
    let config = parse("{cloud: {containerName: 'box'}}").unwrap();
    let json = config.to_json();
    assert_eq!(
        json["cloud"],
        json!({"containerName": "box", "apiKeyEnv": "CUA_API_KEY"})
    );
}
