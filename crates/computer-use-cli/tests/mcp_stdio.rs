//! The MCP face seen from outside, over the real binary's stdio with hand-written JSON-RPC (no SDK in
//! between): how fast a spawned `serve --stdio` answers `initialize`, that no VM is contacted before the
//! first call, that `tools/list` is exactly `computer-use tools --json`, and how malformed calls and failing
//! tools are answered.
//!
//! The VM address points at a TCP listener this test owns, so "no contact" is observed, not assumed; the
//! failing call goes to a port nobody listens on. Effects on a real desktop are tested by the Python MCP
//! client in `tests/mcp/`.
#![expect(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

/// Generous for a loaded 2-core CI machine; the real figure is printed.
const INITIALIZE_BUDGET: Duration = Duration::from_millis(500);

fn cli_tools() -> Value {
    let out = Command::new(BIN)
        .args(["tools", "--json"])
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tools --json failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    value["tools"].clone()
}

#[test]
fn initialize_is_fast_lazy_and_tools_list_matches_the_cli() {
    // A listener standing in for the VM's server: it must not see a connection before the first tool call.
    let vm = TcpListener::bind("127.0.0.1:0").unwrap();
    vm.set_nonblocking(true).unwrap();
    let url = format!("ws://{}/ws", vm.local_addr().unwrap());

    let mut timings = Vec::new();
    for round in 0..5 {
        let (mut server, started) = Server::spawn(&url);
        let reply = server.request(1, "initialize", initialize());
        let elapsed = started.elapsed();
        timings.push(elapsed);
        let result = &reply["result"];
        assert_eq!(result["serverInfo"]["name"], "computer-use", "{reply}");
        assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(result["capabilities"]["tools"].is_object(), "{reply}");
        assert!(
            result["instructions"]
                .as_str()
                .is_some_and(|i| i.contains("vm_screenshot")),
            "{reply}"
        );
        if round == 0 {
            server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
            let listed = server.request(2, "tools/list", json!({}));
            let listed = &listed["result"]["tools"];
            let cli = cli_tools();
            assert_eq!(
                *listed, cli,
                "tools/list differs from `computer-use tools --json`"
            );
            let tools = listed.as_array().unwrap();
            assert!(
                tools.iter().any(|t| t["name"] == "vm_screenshot"),
                "{listed}"
            );
            for tool in tools {
                let schema = &tool["inputSchema"];
                assert_eq!(schema["type"], "object", "{tool}");
                // Lean: no schemars titles, no `additionalProperties` (unknown fields are refused by name all
                // the same: see the malformed-call test).
                assert!(
                    schema.get("title").is_none() && schema.get("additionalProperties").is_none(),
                    "{} carries bytes the model does not need",
                    tool["name"]
                );
                assert!(
                    tool["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{tool}"
                );
            }
        }
        server.stop();
    }
    match vm.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the server contacted the VM before any tool call: {other:?}"),
    }
    let mut sorted = timings.clone();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    eprintln!(
        "process start -> initialize answered: median {} ms, all {:?} ms",
        median.as_millis(),
        timings.iter().map(Duration::as_millis).collect::<Vec<_>>()
    );
    assert!(
        median < INITIALIZE_BUDGET,
        "initialize took {median:?} (median of {timings:?}); budget {INITIALIZE_BUDGET:?}"
    );
}

#[test]
fn malformed_calls_are_protocol_errors_and_failures_are_error_results() {
    // A port nobody listens on: the call fails fast with "connection refused".
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/ws", closed.local_addr().unwrap());
    drop(closed);
    let (mut server, _) = Server::spawn(&url);
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    let bad = server.request(
        2,
        "tools/call",
        json!({"name": "vm_screenshot", "arguments": {"bogus": 1}}),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let message = bad["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("vm_screenshot") && message.contains("bogus"),
        "{bad}"
    );

    let unknown = server.request(3, "tools/call", json!({"name": "vm_fly", "arguments": {}}));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    assert!(
        unknown["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("vm_fly") && m.contains("vm_screenshot")),
        "{unknown}"
    );

    let failed = server.request(
        4,
        "tools/call",
        json!({"name": "vm_screenshot", "arguments": {}}),
    );
    let result = &failed["result"];
    assert_eq!(result["isError"], true, "{failed}");
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    assert!(!text.is_empty(), "the model must get a message: {failed}");
    let structured = &result["structuredContent"];
    assert_eq!(structured["ok"], false, "{failed}");
    assert_eq!(structured["error"], "unavailable", "{failed}");
    assert_eq!(structured["outcome"], "not_sent", "{failed}");
    assert_eq!(structured["hard"], true, "{failed}");

    server.stop();
}

#[test]
fn http_on_a_non_loopback_address_needs_a_token() {
    let out = Command::new(BIN)
        .args(["serve", "--http", "0.0.0.0:0"])
        .env_remove("COMPUTER_USE_MCP_TOKEN")
        .env_remove("COMPUTER_USE_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refusing") && stderr.contains("COMPUTER_USE_MCP_TOKEN"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Issue "Guards": a runaway loop driven through the MCP face is stopped within the configured count. The
/// repeated call (`vm_wait`) needs no VM, so nothing else can stop it; the default loop guard warns at the
/// 3rd identical call and refuses the 5th, which is not run.
#[test]
fn a_runaway_loop_through_mcp_is_warned_then_refused_at_the_configured_count() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/ws", closed.local_addr().unwrap());
    drop(closed);
    let (mut server, _) = Server::spawn(&url);
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let mut refused_at = None;
    for i in 1..=20u64 {
        let reply = server.request(
            10 + i,
            "tools/call",
            json!({"name": "vm_wait", "arguments": {"ms": 1}}),
        );
        let result = &reply["result"];
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        match i {
            1 | 2 => assert!(
                result["isError"] != true && !text.contains("Loop"),
                "call {i}: {reply}"
            ),
            3 | 4 => {
                assert!(result["isError"] != true, "call {i}: {reply}");
                assert!(
                    text.contains("Loop warning"),
                    "call {i} should warn: {reply}"
                );
            }
            _ => {}
        }
        if result["isError"] == true {
            assert!(text.contains("Loop guard: refused"), "{reply}");
            assert_eq!(result["structuredContent"]["error"], "rejected", "{reply}");
            refused_at = Some(i);
            break;
        }
    }
    assert_eq!(
        refused_at,
        Some(5),
        "the loop guard should refuse the 5th identical call"
    );
    // A different action is progress: the agent can go on.
    let other = server.request(
        99,
        "tools/call",
        json!({"name": "vm_wait", "arguments": {"ms": 2}}),
    );
    assert!(other["result"]["isError"] != true, "{other}");
    server.stop();
}

/// The tool policy in the core, seen from the MCP face: a configuration that denies tools makes `tools/list`
/// leave them out (the same list `computer-use tools --json --plugin-config` prints for the OpenClaw plugin), and
/// a call of a denied tool is refused before the VM is contacted.
#[test]
fn a_denied_tool_is_not_listed_and_is_refused_if_called() {
    let vm = TcpListener::bind("127.0.0.1:0").unwrap();
    vm.set_nonblocking(true).unwrap();
    let url = format!("ws://{}/ws", vm.local_addr().unwrap());
    let plugin = json!({
        "provider": "url",
        "serverUrl": url,
        "tools": {"allow": ["vm_*"], "deny": ["vm_exec", "vm_file_*"]},
    })
    .to_string();
    let (mut server, _) =
        Server::spawn_with(&["serve", "--stdio", "--plugin-config", &plugin], &[]);
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let listed = server.request(2, "tools/list", json!({}));
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"vm_screenshot"), "{names:?}");
    for denied in ["vm_exec", "vm_file_read", "vm_file_write", "vm_file_list"] {
        assert!(!names.contains(&denied), "{denied} is listed: {names:?}");
    }
    let out = Command::new(BIN)
        .args(["tools", "--json", "--plugin-config", &plugin])
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        cli["tools"], listed["result"]["tools"],
        "the CLI and MCP list different tools"
    );

    let refused = server.request(
        3,
        "tools/call",
        json!({"name": "vm_exec", "arguments": {"command": "touch /tmp/never"}}),
    );
    let result = &refused["result"];
    assert_eq!(result["isError"], true, "{refused}");
    assert_eq!(
        result["structuredContent"]["message"],
        "Tool policy: vm_exec is not available on VM `default`: it is denied by tools.deny[0] `vm_exec`; nothing was sent. Use the tools that are listed.",
        "{refused}"
    );
    // A denied tool inside a batch is refused the same way.
    let batch = server.request(
        4,
        "tools/call",
        json!({"name": "vm_batch", "arguments": {"actions": [{"tool": "vm_file_read", "args": {"path": "/etc/hostname"}}]}}),
    );
    assert!(
        batch["result"]["structuredContent"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Tool policy: vm_file_read is not available")),
        "{batch}"
    );
    server.stop();
    match vm.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a refused call contacted the VM: {other:?}"),
    }
}

/// Host approvals over the wire, as the OpenClaw shim speaks them: only `serve --stdio --host-approvals` (the
/// shim's child) classifies calls and accepts one-time tokens in `_meta`; any other MCP server ignores a token a
/// client made up and still asks by elicitation, so an ordinary MCP client cannot approve its own calls. The
/// calls are `vm_wait`, which needs no VM.
#[test]
fn only_a_host_approval_server_classifies_calls_and_takes_tokens() {
    let plugin = json!({
        "provider": "url",
        "serverUrl": "ws://127.0.0.1:9/ws",
        "guards": {"approval": {"tools": ["vm_wait"], "timeoutSecs": 30}},
    })
    .to_string();
    let call = |server: &mut Server, id: u64, token: &str| {
        server.request(
            id,
            "tools/call",
            json!({"name": "vm_wait", "arguments": {"ms": 1}, "_meta": {"computer-use/approval": token}}),
        )
    };
    let message = |reply: &Value| {
        reply["result"]["structuredContent"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // An ordinary MCP server: no classification, and a made-up token changes nothing.
    let (mut plain, _) = Server::spawn_with(&["serve", "--stdio", "--plugin-config", &plugin], &[]);
    plain.request(1, "initialize", initialize());
    plain.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let refused = plain.request(
        2,
        "computer-use/classifyApproval",
        json!({"name": "vm_wait", "arguments": {"ms": 1}}),
    );
    assert_eq!(refused["error"]["code"], -32601, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--host-approvals")),
        "{refused}"
    );
    let reply = call(&mut plain, 3, &"0".repeat(64));
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    assert!(
        message(&reply).contains("did not declare the `elicitation` capability"),
        "{reply}"
    );
    plain.stop();

    // The shim's child.
    let (mut host, _) = Server::spawn_with(
        &[
            "serve",
            "--stdio",
            "--host-approvals",
            "--plugin-config",
            &plugin,
        ],
        &[],
    );
    host.request(1, "initialize", initialize());
    host.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let none = host.request(
        2,
        "computer-use/classifyApproval",
        json!({"name": "vm_cursor", "arguments": {}}),
    );
    assert_eq!(none["result"], json!({"approval": null}), "{none}");
    let asked = host.request(
        3,
        "computer-use/classifyApproval",
        json!({"name": "vm_wait", "arguments": {"ms": 1}, "_meta": {"computer-use/agent": "worker"}}),
    );
    let approval = &asked["result"]["approval"];
    assert_eq!(
        approval["title"], "Approve vm_wait on VM default",
        "{asked}"
    );
    assert_eq!(approval["timeoutMs"], 30_000, "{asked}");
    let token = approval["token"].as_str().unwrap().to_owned();
    let bad = host.request(
        4,
        "computer-use/classifyApproval",
        json!({"name": "vm_wait"}),
    );
    assert_eq!(
        bad["result"]["approval"],
        Value::Null,
        "no arguments: malformed, nobody asked: {bad}"
    );
    let missing = host.request(5, "computer-use/classifyApproval", json!({}));
    assert_eq!(missing["error"]["code"], -32602, "{missing}");

    let ran = call(&mut host, 6, &token);
    assert_ne!(ran["result"]["isError"], true, "{ran}");
    assert_eq!(ran["result"]["content"][0]["text"], "Waited 1 ms.", "{ran}");
    let replay = call(&mut host, 7, &token);
    assert!(message(&replay).contains("already used"), "{replay}");
    host.stop();

    // Host approvals are for the stdio child only.
    let out = Command::new(BIN)
        .args(["serve", "--http", "127.0.0.1:0", "--host-approvals"])
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--host-approvals"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `toolset: "seed"` (here `COMPUTER_USE_TOOLSET`): `tools/list` is the guide's seven, the same entries as
/// `computer-use tools --json --toolset seed`, and a call of any other tool is refused by name without
/// contacting the VM (a listener owned by this test sees no connection).
#[test]
fn the_seed_toolset_lists_and_serves_only_the_guides_seven() {
    let vm = TcpListener::bind("127.0.0.1:0").unwrap();
    vm.set_nonblocking(true).unwrap();
    let url = format!("ws://{}/ws", vm.local_addr().unwrap());
    let (mut server, _) = Server::spawn_with(
        &["serve", "--stdio"],
        &[
            ("COMPUTER_USE_PROVIDER", "url"),
            ("COMPUTER_USE_SERVER_URL", &url),
            ("COMPUTER_USE_TOOLSET", "seed"),
        ],
    );
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let listed = server.request(2, "tools/list", json!({}));
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
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
    let out = Command::new(BIN)
        .args(["tools", "--json", "--toolset", "seed"])
        .env_remove("COMPUTER_USE_CONFIG")
        .env_remove("COMPUTER_USE_TOOLSET")
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["result"]["tools"], cli["tools"]);

    let refused = server.request(3, "tools/call", json!({"name": "vm_zoom", "arguments": {}}));
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`vm_zoom` is not in this server's tool set (toolset \"seed\")")
            && message.contains("vm_click, vm_exec"),
        "{refused}"
    );
    server.stop();
    match vm.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a refused call contacted the VM: {other:?}"),
    }
}
