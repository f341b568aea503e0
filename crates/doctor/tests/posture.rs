//! The posture audit of openclaw.json, rule by rule, each on a good and a bad config. No fakes: the input is
//! text, the audit is pure. The good baseline is the README's documented config (`tests/e2e/docs-config.json5`,
//! which the pinned gateway's `openclaw config validate` accepts); bad configs are that file with one change,
//! or the seed's own minimal config.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use computer_use_doctor::posture::{self, PostureOptions};
use computer_use_doctor::{Check, Status};
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Relative plugin paths resolve against the repository root, as in the README.
fn opts() -> PostureOptions {
    PostureOptions {
        base_dir: repo(),
        ..PostureOptions::default()
    }
}

fn audit_text(text: &str) -> Vec<Check> {
    posture::audit(text, "test.json5", &opts())
}

fn audit(value: &Value) -> Vec<Check> {
    audit_text(&serde_json::to_string_pretty(value).unwrap())
}

fn docs() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/e2e/docs-config.json5")).unwrap();
    computer_use::config::parse_json5(&text, "docs").unwrap()
}

fn get<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {checks:#?}"))
}

fn status(checks: &[Check], id: &str) -> Status {
    get(checks, id).status
}

/// Asserts the status and that the message (or fix) mentions each word.
fn expect(checks: &[Check], id: &str, want: Status, words: &[&str]) {
    let c = get(checks, id);
    assert_eq!(c.status, want, "{id}: {c:#?}");
    let text = format!("{}\n{}", c.message, c.fix.as_deref().unwrap_or(""));
    for w in words {
        assert!(text.contains(w), "{id} should mention `{w}`: {text}");
    }
}

/// `value` with `pointer` (a JSON pointer) set to `new`, creating objects on the way.
fn with(mut value: Value, pointer: &str, new: Value) -> Value {
    let mut cur = &mut value;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            cur.as_object_mut().unwrap().insert((*part).to_owned(), new);
            break;
        }
        cur = cur
            .as_object_mut()
            .unwrap()
            .entry((*part).to_owned())
            .or_insert_with(|| json!({}));
    }
    value
}

fn without(mut value: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value
        .pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    value
}

fn no_failures(checks: &[Check]) {
    let failed: Vec<_> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

// ---- the baseline and the seed --------------------------------------------------------------------------

#[test]
fn the_documented_config_passes_every_rule() {
    let checks = audit(&docs());
    no_failures(&checks);
    for id in [
        "posture.parse",
        "posture.keys",
        "posture.plugin.enabled",
        "posture.plugin.path",
        "posture.plugin.config",
        "posture.main.vm_tools",
        "posture.main.delegate",
        "posture.worker.tools",
        "posture.worker.host",
        "posture.worker.sandbox",
        "posture.worker.subagents",
        "posture.agents.vm_tools",
        "posture.tool_search",
        "risk.rate_limit",
        "risk.transport",
    ] {
        assert_eq!(status(&checks, id), Status::Pass, "{:#?}", get(&checks, id));
    }
    // The documented config keeps the seed's open exec policy: a soft risk, said as such.
    expect(
        &checks,
        "risk.exec_policy",
        Status::Warn,
        &["open", "allowlist"],
    );
    expect(&checks, "risk.egress", Status::Info, &["firewall"]);
}

/// The seed's "Minimal config (dev/test)", verbatim apart from whitespace: legacy `agents.list`, `isDefault`,
/// `sandbox.network`, no Tool Search switch, a sandboxed worker without the sandbox allowlist.
const SEED_MINIMAL: &str = r#"{
  "agents": {
    "defaults": { "sandbox": { "mode": "all", "scope": "agent", "workspaceAccess": "rw" } },
    "list": [
      { "id": "main", "name": "Main", "isDefault": true, "model": "claude-sonnet-4-20250514",
        "sandbox": { "mode": "all", "scope": "agent", "workspaceAccess": "rw", "network": "none" },
        "tools": { "allow": ["group:fs", "memory_search", "memory_get", "group:sessions", "message"],
                   "deny": ["group:runtime", "group:web", "vm_*"] },
        "subagents": { "allowAgents": ["worker"] } },
      { "id": "worker", "name": "Computer Worker", "model": "claude-sonnet-4-20250514",
        "tools": { "allow": ["vm_*", "sessions_send", "session_status"], "deny": ["exec"] },
        "subagents": { "allowAgents": [] } }
    ]
  },
  "plugins": {
    "load": { "paths": ["./extensions/computer-use"] },
    "entries": { "computer-use": { "enabled": true, "config": {
      "vmName": "openclaw-vm", "lumeApiUrl": "http://localhost:7777", "serverPort": 5000,
      "connectTimeoutMs": 30000, "commandTimeoutMs": 60000, "screenshotScale": 0.5,
      "logVerbose": false, "maxScreenshotBytes": 10485760 } } }
  }
}"#;

#[test]
fn the_seeds_minimal_config_is_flagged_with_each_replacement() {
    let checks = audit_text(SEED_MINIMAL);
    expect(
        &checks,
        "posture.parse",
        Status::Pass,
        &["legacy agents.list", "2 agent"],
    );
    expect(
        &checks,
        "posture.keys",
        Status::Fail,
        &[
            "agents.list[0].isDefault",
            "replace it with `default: true`",
            "agents.list[0].sandbox.network",
            "sandbox.docker.network",
            "ownership",
        ],
    );
    // The seed's security model itself holds in the legacy form...
    assert_eq!(status(&checks, "posture.main.vm_tools"), Status::Pass);
    assert_eq!(status(&checks, "posture.worker.host"), Status::Pass);
    // ...but on 2026.9.6 its sandboxed worker would not see vm_* at all.
    expect(
        &checks,
        "posture.worker.sandbox",
        Status::Fail,
        &[
            "agents.defaults.sandbox.mode",
            "alsoAllow: [\"vm_*\"]",
            "agents.list[1].tools",
        ],
    );
    expect(
        &checks,
        "posture.tool_search",
        Status::Warn,
        &["toolSearch: false"],
    );
}

#[test]
fn json5_comments_trailing_commas_quotes_and_unquoted_keys_are_read() {
    let text = r#"
    // The whole setup, written the way people write JSON5.
    {
      /* agents */
      agents: {
        ownership: 'explicit',
        entries: {
          main: { tools: { deny: ['VM_*',], }, subagents: { allowAgents: ['worker',], }, },
          worker: {
            tools: { allow: ['vm_*', 'sessions_send', 'session_status',], deny: ['group:runtime'], },
            subagents: { allowAgents: [], },
          },
        },
      },
      tools: { toolSearch: false, },
      plugins: {
        load: { paths: ['./extensions/computer-use',], },
        entries: { 'computer-use': { enabled: true, config: { vmName: 'mac', }, }, },
      },
    }
    "#;
    let checks = audit_text(text);
    no_failures(&checks);
    expect(
        &checks,
        "posture.parse",
        Status::Pass,
        &["agents.entries", "2 agent"],
    );
    // `VM_*` denies vm_click: globs are case-insensitive.
    expect(
        &checks,
        "posture.main.vm_tools",
        Status::Pass,
        &["denied explicitly"],
    );
    expect(
        &checks,
        "posture.worker.tools",
        Status::Pass,
        &["sessions_send"],
    );
}

#[test]
fn a_syntax_error_names_the_position() {
    let checks = audit_text("{ agents: { entries: { main: { tools: [ } } }");
    expect(&checks, "posture.parse", Status::Fail, &["line 1"]);
    assert_eq!(checks.len(), 1, "nothing else can be audited: {checks:#?}");
}

#[test]
fn the_legacy_list_form_fixed_for_2026_9_passes() {
    let text = r#"{
      agents: {
        defaults: { sandbox: { mode: "all" } },
        list: [
          { id: "main", default: true, sandbox: { docker: { network: "none" } },
            tools: { allow: ["group:fs", "group:sessions"], deny: ["vm_*"] }, subagents: { allowAgents: ["worker"] } },
          { id: "worker", tools: { allow: ["vm_*", "sessions_send", "session_status"], deny: ["exec"],
                                    sandbox: { tools: { alsoAllow: ["vm_*"] } } },
            subagents: { allowAgents: [] } },
        ],
      },
      tools: { toolSearch: false },
      plugins: { load: { paths: ["./extensions/computer-use"] }, entries: { "computer-use": { enabled: true } } },
    }"#;
    let checks = audit_text(text);
    no_failures(&checks);
    expect(&checks, "posture.keys", Status::Pass, &[]);
    expect(
        &checks,
        "posture.worker.sandbox",
        Status::Pass,
        &["sandboxed"],
    );
}

// ---- rejected keys ---------------------------------------------------------------------------------------

#[test]
fn keys_the_pinned_gateway_rejects_are_flagged_with_the_replacement() {
    let d = docs();
    let bad = with(d.clone(), "/agents/entries/main/isDefault", json!(true));
    expect(
        &audit(&bad),
        "posture.keys",
        Status::Fail,
        &[
            "agents.entries.main.isDefault",
            "agents.ownership",
            "remove it",
        ],
    );
    let bad = with(d.clone(), "/agents/defaults/sandbox/network", json!("none"));
    expect(
        &audit(&bad),
        "posture.keys",
        Status::Fail,
        &["agents.defaults.sandbox.network", "sandbox.docker.network"],
    );
    let bad = with(
        d.clone(),
        "/agents/defaults/memorySearch",
        json!({"enabled": true}),
    );
    expect(
        &audit(&bad),
        "posture.keys",
        Status::Fail,
        &["memorySearch", "memory: { search"],
    );
    let bad = with(
        d.clone(),
        "/agents/entries/worker/tools/alsoAllow",
        json!(["read"]),
    );
    expect(
        &audit(&bad),
        "posture.keys",
        Status::Fail,
        &["agents.entries.worker.tools", "alsoAllow", "merge"],
    );
    let bad = with(d.clone(), "/agents/entries/main/default", json!(true));
    expect(
        &audit(&bad),
        "posture.keys",
        Status::Fail,
        &["cannot be combined", "default: true"],
    );
    let bad = without(d, "/agents/ownership");
    expect(
        &audit(&bad),
        "posture.keys",
        Status::Fail,
        &["2 agents", "ownership: \"explicit\""],
    );
}

// ---- the plugin -------------------------------------------------------------------------------------------

#[test]
fn the_plugin_must_be_loaded_and_enabled() {
    let d = docs();
    expect(
        &audit(&d),
        "posture.plugin.enabled",
        Status::Pass,
        &["enabled"],
    );

    let bad = without(d.clone(), "/plugins/entries/computer-use");
    expect(
        &audit(&bad),
        "posture.plugin.enabled",
        Status::Fail,
        &["no \"computer-use\" entry", "--write"],
    );
    let bad = with(
        d.clone(),
        "/plugins/entries/computer-use/enabled",
        json!(false),
    );
    expect(
        &audit(&bad),
        "posture.plugin.enabled",
        Status::Fail,
        &["enabled is false"],
    );
    let bad = without(d.clone(), "/plugins/entries/computer-use/enabled");
    expect(
        &audit(&bad),
        "posture.plugin.enabled",
        Status::Warn,
        &["enabled: true"],
    );
    let bad = with(d.clone(), "/plugins/enabled", json!(false));
    expect(
        &audit(&bad),
        "posture.plugin.enabled",
        Status::Fail,
        &["no plugin at all"],
    );
    let bad = with(d.clone(), "/plugins/deny", json!(["Computer-Use"]));
    expect(
        &audit(&bad),
        "posture.plugin.enabled",
        Status::Fail,
        &["deny wins"],
    );

    // plugins.allow is exclusive: present without the plugin, the vm_* tools never load.
    let bad = with(d.clone(), "/plugins/allow", json!(["voice-call"]));
    expect(
        &audit(&bad),
        "posture.plugin.enabled",
        Status::Fail,
        &["exclusive", "add \"computer-use\" to plugins.allow"],
    );
    let good = with(d, "/plugins/allow", json!(["voice-call", "computer-use"]));
    expect(
        &audit(&good),
        "posture.plugin.enabled",
        Status::Pass,
        &["plugins.allow"],
    );
}

#[test]
fn the_plugin_directory_must_be_found_and_its_config_valid() {
    let d = docs();
    expect(
        &audit(&d),
        "posture.plugin.path",
        Status::Pass,
        &["extensions/computer-use"],
    );
    let abs = repo()
        .join("extensions/computer-use")
        .canonicalize()
        .unwrap();
    let good = with(d.clone(), "/plugins/load/paths", json!([abs]));
    expect(&audit(&good), "posture.plugin.path", Status::Pass, &[]);

    let bad = with(
        d.clone(),
        "/plugins/load/paths",
        json!(["./nowhere/computer-use"]),
    );
    expect(
        &audit(&bad),
        "posture.plugin.path",
        Status::Fail,
        &["does not exist", "nowhere"],
    );
    let bad = without(d.clone(), "/plugins/load");
    expect(
        &audit(&bad),
        "posture.plugin.path",
        Status::Warn,
        &["plugin not found: computer-use"],
    );

    let bad = with(
        d,
        "/plugins/entries/computer-use/config/serverPort",
        json!("five thousand"),
    );
    let checks = audit(&bad);
    expect(
        &checks,
        "posture.plugin.config",
        Status::Fail,
        &["serverPort"],
    );
    assert_eq!(status(&checks, "risk.exec_policy"), Status::Skip);
}

// ---- the main agent ----------------------------------------------------------------------------------------

#[test]
fn main_must_not_reach_vm_tools() {
    let d = docs();
    let main_tools = "/agents/entries/main/tools";

    // Deny-only without vm_*: plugin tools are on by default.
    let bad = with(d.clone(), main_tools, json!({"deny": ["group:runtime"]}));
    expect(
        &audit(&bad),
        "posture.main.vm_tools",
        Status::Fail,
        &[
            "19 of the 19",
            "no allowlist",
            "add \"vm_*\" to agents.entries.main.tools.deny",
        ],
    );
    // No tools section at all: the same.
    let bad = without(d.clone(), main_tools);
    expect(
        &audit(&bad),
        "posture.main.vm_tools",
        Status::Fail,
        &["no allowlist"],
    );
    // An allowlist that names them, through group:plugins or the plugin id.
    for entry in ["group:plugins", "computer-use", "vm_*", "*"] {
        let bad = with(
            d.clone(),
            main_tools,
            json!({"allow": ["group:sessions", entry]}),
        );
        expect(
            &audit(&bad),
            "posture.main.vm_tools",
            Status::Fail,
            &["allowlist names them"],
        );
    }
    // A glob that catches some only.
    let bad = with(d.clone(), main_tools, json!({"deny": ["*click", "vm_s*"]}));
    let checks = audit(&bad);
    expect(&checks, "posture.main.vm_tools", Status::Fail, &["vm_exec"]);
    assert!(
        !get(&checks, "posture.main.vm_tools")
            .message
            .contains("vm_click,")
    );

    // Good: an allowlist without them (group:openclaw excludes plugin tools), a global deny, a profile.
    let good = with(d.clone(), main_tools, json!({"allow": ["group:openclaw"]}));
    expect(
        &audit(&good),
        "posture.main.vm_tools",
        Status::Pass,
        &["allowlist"],
    );
    let good = with(
        with(d.clone(), main_tools, json!({"deny": ["group:web"]})),
        "/tools/deny",
        json!(["VM_*"]),
    );
    expect(
        &audit(&good),
        "posture.main.vm_tools",
        Status::Pass,
        &["denied explicitly"],
    );
    let good = with(d.clone(), main_tools, json!({"profile": "coding"}));
    expect(
        &audit(&good),
        "posture.main.vm_tools",
        Status::Pass,
        &["profile"],
    );
    let bad = with(d, main_tools, json!({"profile": "full"}));
    expect(&audit(&bad), "posture.main.vm_tools", Status::Fail, &[]);
}

#[test]
fn main_must_be_able_to_delegate_to_the_worker() {
    let d = docs();
    expect(
        &audit(&d),
        "posture.main.delegate",
        Status::Pass,
        &["sessions_send"],
    );

    let no_spawn_list = with(
        d.clone(),
        "/agents/entries/main/subagents/allowAgents",
        json!([]),
    );
    expect(
        &audit(&no_spawn_list),
        "posture.main.delegate",
        Status::Warn,
        &["sessions_spawn", "add \"worker\""],
    );
    let cut_off = with(
        no_spawn_list,
        "/agents/entries/main/tools/allow",
        json!(["group:fs", "message"]),
    );
    expect(
        &audit(&cut_off),
        "posture.main.delegate",
        Status::Fail,
        &["cannot call sessions_send", "does not list `worker`"],
    );
    let a2a_off = with(
        with(d.clone(), "/tools/agentToAgent", json!({"enabled": false})),
        "/agents/entries/main/subagents/allowAgents",
        json!([]),
    );
    expect(
        &audit(&a2a_off),
        "posture.main.delegate",
        Status::Fail,
        &["agentToAgent.enabled is false"],
    );
    // sessions_spawn alone is enough when allowAgents names the worker ("*" counts).
    let spawn_only = with(
        with(d, "/tools/agentToAgent", json!({"enabled": false})),
        "/agents/entries/main/subagents/allowAgents",
        json!(["*"]),
    );
    expect(
        &audit(&spawn_only),
        "posture.main.delegate",
        Status::Pass,
        &["sessions_spawn"],
    );
}

// ---- the worker --------------------------------------------------------------------------------------------

#[test]
fn the_worker_must_reach_vm_tools_and_the_session_tools() {
    let d = docs();
    let allow = "/agents/entries/worker/tools/allow";
    let bad = without(d.clone(), "/agents/entries/worker");
    let checks = audit(&bad);
    expect(
        &checks,
        "posture.worker.tools",
        Status::Fail,
        &["no agent `worker`", "--write"],
    );
    assert_eq!(status(&checks, "posture.worker.host"), Status::Skip);

    let bad = with(d.clone(), allow, json!(["sessions_send", "session_status"]));
    expect(
        &audit(&bad),
        "posture.worker.tools",
        Status::Fail,
        &["cannot call any vm_* tool"],
    );
    let bad = with(
        d.clone(),
        allow,
        json!([
            "vm_screenshot",
            "vm_click",
            "sessions_send",
            "session_status"
        ]),
    );
    expect(
        &audit(&bad),
        "posture.worker.tools",
        Status::Warn,
        &["leaves out", "vm_exec"],
    );
    let bad = with(d.clone(), allow, json!(["vm_*"]));
    expect(
        &audit(&bad),
        "posture.worker.tools",
        Status::Warn,
        &["sessions_send, session_status"],
    );
    // group:plugins and the plugin id grant them too; an explicit deny of one tool is respected as intent.
    let good = with(d.clone(), allow, json!(["group:plugins", "group:sessions"]));
    let checks = audit(&good);
    expect(&checks, "posture.worker.tools", Status::Pass, &[]);
    expect(
        &checks,
        "posture.worker.host",
        Status::Warn,
        &["sessions_list", "(15 in all)"],
    );
    let good = with(
        d,
        "/agents/entries/worker/tools/deny",
        json!(["exec", "vm_exec"]),
    );
    expect(
        &audit(&good),
        "posture.worker.tools",
        Status::Pass,
        &["18 vm_* tools", "1 denied explicitly: vm_exec"],
    );
}

#[test]
fn the_worker_must_not_reach_the_host() {
    let d = docs();
    let tools = "/agents/entries/worker/tools";
    // The seed's worker denies only exec; without its allowlist that leaves process and code_execution.
    let bad = with(d.clone(), tools, json!({"deny": ["exec"]}));
    expect(
        &audit(&bad),
        "posture.worker.host",
        Status::Fail,
        &["process", "code_execution", "group:runtime"],
    );
    // `bash` is an alias of exec.
    let bad = with(
        d.clone(),
        tools,
        json!({"allow": ["vm_*", "sessions_send", "session_status", "BASH"]}),
    );
    expect(&audit(&bad), "posture.worker.host", Status::Fail, &["exec"]);
    // group:nodes drives the gateway's own desktop.
    let bad = with(
        d.clone(),
        tools,
        json!({"allow": ["vm_*", "sessions_send", "session_status", "group:nodes"]}),
    );
    expect(
        &audit(&bad),
        "posture.worker.host",
        Status::Fail,
        &["computer"],
    );
    // Extra tools that stay on the gateway side are a warning.
    let meh = with(
        d.clone(),
        tools,
        json!({"allow": ["vm_*", "sessions_send", "session_status", "group:fs"]}),
    );
    expect(
        &audit(&meh),
        "posture.worker.host",
        Status::Warn,
        &["read", "write"],
    );
    // Deny wins over an allowlist that names the group.
    let good = with(
        d,
        tools,
        json!({"allow": ["vm_*", "sessions_send", "session_status", "group:runtime"], "deny": ["group:runtime"]}),
    );
    expect(
        &audit(&good),
        "posture.worker.host",
        Status::Pass,
        &["exec denied"],
    );
}

#[test]
fn a_sandboxed_worker_needs_vm_tools_in_its_sandbox_allowlist() {
    let d = docs();
    let bad = without(d.clone(), "/agents/entries/worker/tools/sandbox");
    expect(
        &audit(&bad),
        "posture.worker.sandbox",
        Status::Fail,
        &["drops", "alsoAllow"],
    );
    // The global sandbox policy counts, and group:plugins names plugin tools.
    let good = with(
        bad.clone(),
        "/tools/sandbox/tools/alsoAllow",
        json!(["group:plugins"]),
    );
    expect(
        &audit(&good),
        "posture.worker.sandbox",
        Status::Pass,
        &["lets vm_* through"],
    );
    let not_sandboxed = with(
        bad.clone(),
        "/agents/entries/worker/sandbox",
        json!({"mode": "off"}),
    );
    expect(
        &audit(&not_sandboxed),
        "posture.worker.sandbox",
        Status::Pass,
        &["not sandboxed"],
    );
    let non_main = with(bad, "/agents/defaults/sandbox/mode", json!("non-main"));
    expect(
        &audit(&non_main),
        "posture.worker.sandbox",
        Status::Warn,
        &["non-main"],
    );
}

#[test]
fn the_worker_must_not_spawn_subagents() {
    let d = docs();
    let spawner = with(
        d.clone(),
        "/agents/entries/worker/tools/allow",
        json!(["vm_*", "sessions_send", "session_status", "sessions_spawn"]),
    );
    expect(
        &audit(&spawner),
        "posture.worker.subagents",
        Status::Pass,
        &["is empty"],
    );
    let bad = with(
        spawner.clone(),
        "/agents/entries/worker/subagents/allowAgents",
        json!(["main"]),
    );
    expect(
        &audit(&bad),
        "posture.worker.subagents",
        Status::Fail,
        &[
            "main",
            "set agents.entries.worker.subagents.allowAgents to []",
        ],
    );
    let unset = without(spawner, "/agents/entries/worker/subagents");
    expect(
        &audit(&unset),
        "posture.worker.subagents",
        Status::Warn,
        &["copies of itself"],
    );
}

// ---- other agents, Tool Search -----------------------------------------------------------------------------

#[test]
fn no_other_agent_gets_vm_tools_unintentionally() {
    let d = docs();
    let bad = with(
        d.clone(),
        "/agents/entries/search",
        json!({"tools": {"deny": ["exec"]}}),
    );
    expect(
        &audit(&bad),
        "posture.agents.vm_tools",
        Status::Warn,
        &["search", "19 vm_* tools"],
    );
    let good = with(
        d,
        "/agents/entries/search",
        json!({"tools": {"allow": ["group:web"]}}),
    );
    expect(&audit(&good), "posture.agents.vm_tools", Status::Pass, &[]);
}

#[test]
fn tool_search_must_be_off_for_direct_vm_schemas() {
    let d = docs();
    expect(&audit(&d), "posture.tool_search", Status::Pass, &[]);
    let bad = without(d.clone(), "/tools/toolSearch");
    expect(
        &audit(&bad),
        "posture.tool_search",
        Status::Warn,
        &["toolSearch: false"],
    );
    let good = with(d, "/tools/toolSearch", json!({"enabled": false}));
    expect(&audit(&good), "posture.tool_search", Status::Pass, &[]);
}

#[test]
fn without_a_roster_the_implicit_main_uses_the_defaults_tools() {
    let text = r#"{
      agents: { defaults: { tools: { deny: ["vm_*"] } } },
      plugins: { entries: { "computer-use": { enabled: true } } },
    }"#;
    let checks = audit_text(text);
    expect(&checks, "posture.parse", Status::Pass, &["no agent roster"]);
    expect(
        &checks,
        "posture.main.vm_tools",
        Status::Pass,
        &["agents.defaults"],
    );
    expect(
        &checks,
        "posture.worker.tools",
        Status::Fail,
        &["no agent `worker`"],
    );
    let open = audit_text(r#"{ plugins: { entries: { "computer-use": { enabled: true } } } }"#);
    expect(
        &open,
        "posture.main.vm_tools",
        Status::Fail,
        &["no allowlist"],
    );
}

// ---- the seed's soft risks -----------------------------------------------------------------------------------

#[test]
fn soft_risks_of_the_plugin_config() {
    let d = docs();
    let cfg = "/plugins/entries/computer-use/config";
    let locked = with(
        d.clone(),
        &format!("{cfg}/guards"),
        json!({"exec": {"mode": "allowlist", "allow": ["ls"]}}),
    );
    expect(
        &audit(&locked),
        "risk.exec_policy",
        Status::Pass,
        &["allowlist"],
    );
    let no_rate = with(
        d.clone(),
        &format!("{cfg}/guards"),
        json!({"rate": {"enabled": false}}),
    );
    expect(
        &audit(&no_rate),
        "risk.rate_limit",
        Status::Warn,
        &["runaway"],
    );
    let remote = with(
        with(d.clone(), &format!("{cfg}/provider"), json!("url")),
        &format!("{cfg}/serverUrl"),
        json!("ws://10.0.0.5:8000/ws"),
    );
    expect(
        &audit(&remote),
        "risk.transport",
        Status::Warn,
        &["ws://10.0.0.5", "wss://"],
    );
    let nat = with(
        with(d.clone(), &format!("{cfg}/provider"), json!("url")),
        &format!("{cfg}/serverUrl"),
        json!("ws://192.168.64.7:5000/ws"),
    );
    expect(&audit(&nat), "risk.transport", Status::Pass, &[]);
    let tls = with(
        with(d, &format!("{cfg}/provider"), json!("url")),
        &format!("{cfg}/serverUrl"),
        json!("wss://vm.example.net/ws"),
    );
    expect(&audit(&tls), "risk.transport", Status::Pass, &[]);
}

#[test]
fn the_cloud_key_is_explained_now_that_cua_cloud_has_ended() {
    let d = docs();
    assert!(
        audit(&d).iter().all(|c| c.id != "risk.cloud"),
        "no `cloud` key, no note"
    );
    let cloud = with(
        d,
        "/plugins/entries/computer-use/config/cloud",
        json!({"containerName": "my-box"}),
    );
    expect(
        &audit(&cloud),
        "risk.cloud",
        Status::Info,
        &[
            "VM `default`: container `my-box`",
            "Cua Cloud has ended (cua-sandbox 0.9.1, cua_sandbox/_ended.py)",
            "self-hosted containers only",
            "CONTAINER_NAME",
        ],
    );
    // Per VM too, and in a standalone block; the key itself is never read.
    let checks = audit_text(
        "{ provider: 'url', serverUrl: 'ws://127.0.0.1:8000/ws', vms: { box: { cloud: { containerName: 'c1', apiKeyEnv: 'NOT_SET_ANYWHERE' } } } }",
    );
    expect(
        &checks,
        "risk.cloud",
        Status::Info,
        &["VM `box`: container `c1`"],
    );
}

#[test]
fn a_standalone_config_block_gets_its_own_risks_only() {
    let checks = audit_text("{ provider: 'url', serverUrl: 'ws://example.net:8000/ws' }");
    expect(
        &checks,
        "posture.parse",
        Status::Info,
        &["not an openclaw.json"],
    );
    expect(&checks, "risk.transport", Status::Warn, &["example.net"]);
    assert!(checks.iter().all(|c| !c.id.starts_with("posture.main")));
}
