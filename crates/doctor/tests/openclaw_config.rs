//! `computer-use openclaw config`: the merge keeps comments and unrelated keys, is idempotent, adds the worker
//! to main's allowAgents, and its result passes the posture audit. Pure text in, text out (no fakes); the
//! pinned gateway's own validator runs on the same output in `tests/e2e/openclaw-config.test.mjs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use computer_use_doctor::openclaw_config::{self, SetupError, SetupOptions, Target, merge::merge};
use computer_use_doctor::posture::{self, PostureOptions};
use computer_use_doctor::{Check, Status};
use serde_json::{Value, json};

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../extensions/computer-use")
        .canonicalize()
        .unwrap()
}

fn opts(target: Target) -> SetupOptions {
    SetupOptions::new(plugin_dir().display().to_string(), target)
}

fn parse(text: &str) -> Value {
    computer_use::config::parse_json5(text, "merged").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn audit(text: &str) -> Vec<Check> {
    posture::audit(text, "merged", &PostureOptions::default())
}

fn assert_posture_passes(text: &str) {
    let checks = audit(text);
    let failed: Vec<_> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    assert!(failed.is_empty(), "{failed:#?}\n{text}");
    for id in [
        "posture.keys",
        "posture.plugin.enabled",
        "posture.plugin.path",
        "posture.main.vm_tools",
        "posture.main.delegate",
        "posture.worker.tools",
        "posture.worker.host",
        "posture.worker.sandbox",
        "posture.worker.subagents",
    ] {
        let c = checks.iter().find(|c| c.id == id).unwrap();
        assert_eq!(c.status, Status::Pass, "{c:#?}\n{text}");
    }
}

/// A user's existing 2026.9 config: comments of both kinds, trailing commas, unquoted keys, single quotes, and
/// sections the merge must not touch.
const EXISTING: &str = r#"// Production gateway — edited by hand, keep these notes!
{
  /* The gateway itself */
  gateway: { mode: 'local', port: 18789, bind: 'loopback', },

  models: {
    mode: 'merge', // merge with the built-in catalog
  },

  agents: {
    ownership: 'explicit',
    entries: {
      main: {
        name: 'Main',
        // main only talks and delegates
        tools: { allow: ['group:fs', 'group:sessions', 'message'], deny: ['group:runtime'], },
        subagents: { allowAgents: ['search'], },
      },
      search: { tools: { allow: ['group:web'], }, }, // the search agent
    },
  },

  plugins: {
    entries: {
      'voice-call': { enabled: true, config: { provider: 'twilio' } }, // unrelated plugin
    },
  },
}
"#;

const COMMENTS: &[&str] = &[
    "// Production gateway — edited by hand, keep these notes!",
    "/* The gateway itself */",
    "// merge with the built-in catalog",
    "// main only talks and delegates",
    "// the search agent",
    "// unrelated plugin",
];

#[test]
fn merging_keeps_comments_and_unrelated_keys_and_adds_what_is_missing() {
    let before = parse(EXISTING);
    let merged = merge(EXISTING, "existing", &opts(Target::Current)).unwrap();
    for comment in COMMENTS {
        assert!(
            merged.text.contains(comment),
            "lost `{comment}`:\n{}",
            merged.text
        );
    }
    let after = parse(&merged.text);
    for key in ["gateway", "models"] {
        assert_eq!(after[key], before[key], "{key} changed");
    }
    assert_eq!(
        after["agents"]["entries"]["search"],
        before["agents"]["entries"]["search"]
    );
    assert_eq!(
        after["plugins"]["entries"]["voice-call"],
        before["plugins"]["entries"]["voice-call"]
    );
    // What was added.
    assert_eq!(
        after["plugins"]["load"]["paths"],
        json!([plugin_dir().display().to_string()])
    );
    let entry = &after["plugins"]["entries"]["computer-use"];
    assert_eq!(entry["enabled"], true);
    assert_eq!(entry["config"]["vmName"], "openclaw-vm");
    assert_eq!(entry["config"]["serverPort"], 5000);
    assert_eq!(
        entry["config"].as_object().unwrap().len(),
        8,
        "the seed's eight keys"
    );
    let worker = &after["agents"]["entries"]["worker"];
    assert_eq!(
        worker["tools"]["allow"],
        json!(["vm_*", "sessions_send", "session_status"])
    );
    assert_eq!(
        worker["tools"]["sandbox"]["tools"]["alsoAllow"],
        json!(["vm_*"])
    );
    assert_eq!(worker["subagents"]["allowAgents"], json!([]));
    // main keeps its own entries and gains the worker; its allowlist already leaves vm_* out.
    assert_eq!(
        after["agents"]["entries"]["main"]["subagents"]["allowAgents"],
        json!(["search", "worker"])
    );
    assert_eq!(
        after["agents"]["entries"]["main"]["tools"],
        before["agents"]["entries"]["main"]["tools"]
    );
    assert_eq!(after["tools"]["toolSearch"], false);
    assert!(
        merged
            .changes
            .iter()
            .any(|c| c.contains("agents.entries.main.subagents.allowAgents")),
        "{:?}",
        merged.changes
    );
    // The other agent (search) has an allowlist without vm_*: nothing to warn about.
    let checks = audit(&merged.text);
    assert_posture_passes(&merged.text);
    assert_eq!(
        checks
            .iter()
            .find(|c| c.id == "posture.agents.vm_tools")
            .unwrap()
            .status,
        Status::Pass
    );
}

#[test]
fn merging_twice_changes_nothing_the_second_time() {
    for (start, target) in [
        (EXISTING, Target::Current),
        ("", Target::Current),
        ("{}", Target::Legacy),
        (SEED_STYLE_LIST, Target::Current),
    ] {
        let first = merge(start, "t", &opts(target)).unwrap();
        assert!(!first.changes.is_empty());
        let second = merge(&first.text, "t", &opts(target)).unwrap();
        assert_eq!(
            second.changes,
            Vec::<String>::new(),
            "second run of {start:?}"
        );
        assert_eq!(second.text, first.text);
    }
}

#[test]
fn write_creates_then_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.json");
    std::fs::write(&path, EXISTING).unwrap();
    // openclaw.json may hold tokens: its permissions survive the rewrite.
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let first = openclaw_config::write(&path, &opts(Target::Current)).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, first.text);
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let second = openclaw_config::write(&path, &opts(Target::Current)).unwrap();
    assert!(second.changes.is_empty(), "{:?}", second.changes);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        mtime,
        "rewritten without changes"
    );
    // A missing file is created.
    let fresh = dir.path().join("new.json");
    openclaw_config::write(&fresh, &opts(Target::Current)).unwrap();
    assert_posture_passes(&std::fs::read_to_string(&fresh).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The seed's legacy list form (fixed keys): the merge stays in that form.
const SEED_STYLE_LIST: &str = r#"{
  "agents": {
    "list": [
      // the seed's main agent
      { "id": "main", "name": "Main", "tools": { "allow": ["group:fs", "group:sessions"], "deny": ["vm_*"] } },
    ],
  },
}"#;

#[test]
fn the_legacy_list_form_stays_a_list_with_a_default_agent() {
    let merged = merge(SEED_STYLE_LIST, "t", &opts(Target::Current)).unwrap();
    assert!(merged.text.contains("// the seed's main agent"));
    let after = parse(&merged.text);
    assert!(after["agents"].get("entries").is_none(), "{}", merged.text);
    let list = after["agents"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0]["default"], true,
        "a multi-agent list needs a default"
    );
    assert_eq!(list[0]["subagents"]["allowAgents"], json!(["worker"]));
    assert_eq!(list[1]["id"], "worker");
    assert_posture_passes(&merged.text);
}

#[test]
fn main_that_could_call_vm_tools_gets_them_denied() {
    let text = r#"{ agents: { ownership: "explicit", entries: { main: { tools: { deny: ["group:web"] } } } } }"#;
    let merged = merge(text, "t", &opts(Target::Current)).unwrap();
    let after = parse(&merged.text);
    assert_eq!(
        after["agents"]["entries"]["main"]["tools"]["deny"],
        json!(["group:web", "vm_*"])
    );
    assert_posture_passes(&merged.text);
}

#[test]
fn an_empty_or_rosterless_file_gets_main_and_worker() {
    let merged = merge("", "t", &opts(Target::Current)).unwrap();
    let after = parse(&merged.text);
    assert_eq!(after["agents"]["ownership"], "explicit");
    assert_eq!(
        after["agents"]["entries"]["main"]["tools"]["deny"],
        json!(["vm_*"])
    );
    assert_posture_passes(&merged.text);
    // The implicit main agent's tools came from agents.defaults.tools: main keeps them.
    let text = r#"{ agents: { defaults: { tools: { allow: ["group:fs", "group:sessions"] } } } }"#;
    let merged = merge(text, "t", &opts(Target::Current)).unwrap();
    let after = parse(&merged.text);
    assert_eq!(
        after["agents"]["entries"]["main"]["tools"],
        json!({"allow": ["group:fs", "group:sessions"], "deny": ["vm_*"]})
    );
    assert!(
        merged
            .notes
            .iter()
            .any(|n| n.contains("agents.defaults.tools"))
    );
    assert_posture_passes(&merged.text);
}

#[test]
fn the_plugin_is_enabled_and_allowed_without_losing_its_config() {
    let text = r#"{
      plugins: {
        allow: ["voice-call"],
        load: { paths: ["/opt/somewhere/computer-use"] },
        entries: { "computer-use": { enabled: false, config: { vmName: "mac-2" } } },
      },
    }"#;
    let merged = merge(text, "t", &opts(Target::Current)).unwrap();
    let after = parse(&merged.text);
    assert_eq!(
        after["plugins"]["allow"],
        json!(["voice-call", "computer-use"])
    );
    assert_eq!(
        after["plugins"]["entries"]["computer-use"],
        json!({"enabled": true, "config": {"vmName": "mac-2"}})
    );
    // An existing path naming the plugin is kept (and not duplicated), with a note.
    assert_eq!(
        after["plugins"]["load"]["paths"],
        json!(["/opt/somewhere/computer-use"])
    );
    assert!(
        merged
            .notes
            .iter()
            .any(|n| n.contains("/opt/somewhere/computer-use")),
        "{:?}",
        merged.notes
    );
}

#[test]
fn an_existing_worker_is_left_alone_and_reported() {
    let text = r#"{ agents: { ownership: "explicit", entries: {
      main: { tools: { deny: ["vm_*"] }, subagents: { allowAgents: ["worker"] } },
      worker: { tools: { allow: ["vm_screenshot"] } } } } }"#;
    let merged = merge(text, "t", &opts(Target::Current)).unwrap();
    let after = parse(&merged.text);
    assert_eq!(
        after["agents"]["entries"]["worker"],
        json!({"tools": {"allow": ["vm_screenshot"]}})
    );
    assert!(merged.notes.iter().any(|n| n.contains("left unchanged")));
}

#[test]
fn shapes_that_cannot_be_merged_are_errors_naming_the_key() {
    let err = merge("{ plugins: [] }", "t", &opts(Target::Current)).unwrap_err();
    assert!(
        matches!(err, SetupError::NotAnObject { ref path } if path == "plugins"),
        "{err}"
    );
    assert!(err.to_string().contains("hint:"));
    let err = merge(
        "{ plugins: { load: { paths: 'x' } } }",
        "t",
        &opts(Target::Current),
    )
    .unwrap_err();
    assert!(err.to_string().contains("plugins.load.paths"), "{err}");
    let err = merge("{ agents: ", "t", &opts(Target::Current)).unwrap_err();
    assert!(err.to_string().contains("JSON5"), "{err}");
}

#[test]
fn the_printed_snippet_is_a_complete_config_for_each_openclaw_shape() {
    let current = openclaw_config::snippet(&opts(Target::Current)).unwrap();
    assert!(current.starts_with("// computer-use for OpenClaw (2026.9.x)"));
    assert_posture_passes(&current);
    let legacy = openclaw_config::snippet(&opts(Target::Legacy)).unwrap();
    let value = parse(&legacy);
    assert_eq!(value["agents"]["list"][0]["default"], true);
    assert!(
        value.get("tools").is_none(),
        "no 9.x-only keys for older OpenClaw: {legacy}"
    );
    assert!(value["agents"]["list"][1]["tools"].get("sandbox").is_none());
}
