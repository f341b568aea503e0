//! Several VMs behind one MCP server, chosen per agent: `agentVms` maps the agent id a call carries in
//! `_meta["computer-use/agent"]` (what the OpenClaw shim sends for the calling agent) to a configured VM.
//! Two real desktops (Xvfb + the real cua-computer-server each) stand in for two VMs; each call's shell
//! command reports the display it ran on, so a call that reached the wrong VM cannot pass. The agent is also
//! the caller whose last image is remembered: each agent gets its own first image.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Server, initialize};
use serde_json::{Value, json};
use testkit::desktop::Desktop;

fn exec_display(server: &mut Server, id: u64, agent: Option<&str>) -> String {
    let mut params = json!({"name": "vm_exec", "arguments": {"command": "echo \"$DISPLAY\""}});
    if let Some(agent) = agent {
        params["_meta"] = json!({ "computer-use/agent": agent });
    }
    let reply = server.request(id, "tools/call", params);
    let result = &reply["result"];
    assert_eq!(result["isError"], Value::Bool(false), "{reply}");
    result["structuredContent"]["stdout"]
        .as_str()
        .unwrap_or_else(|| panic!("no stdout in {reply}"))
        .trim()
        .to_owned()
}

#[test]
fn each_agent_reaches_the_vm_agent_vms_maps_it_to() {
    let (main, lab) = std::thread::scope(|s| {
        let lab = s.spawn(|| Desktop::builder().screen(800, 600).start());
        (Desktop::start(), lab.join().unwrap())
    });
    let dir = std::env::temp_dir().join(format!("cu-agents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("computer-use.json5");
    std::fs::write(
        &config,
        format!(
            r#"{{
  // the top-level VM is `default`; `lab` is a second one
  provider: "url", serverUrl: "{}", connectTimeoutMs: 2000,
  vms: {{ lab: {{ serverUrl: "{}" }} }},
  agentVms: {{ "worker-lab": "lab", worker: "default" }},
}}"#,
            main.ws_url(),
            lab.ws_url()
        ),
    )
    .unwrap();
    let config_arg = config.to_string_lossy().to_string();
    let (mut server, _) = Server::spawn_with(&["--config", &config_arg, "serve", "--stdio"], &[]);
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    assert_eq!(
        exec_display(&mut server, 2, Some("worker-lab")),
        lab.display()
    );
    assert_eq!(exec_display(&mut server, 3, Some("worker")), main.display());
    // Interleaved, so a session mix-up after the first calls would show too.
    assert_eq!(
        exec_display(&mut server, 4, Some("worker-lab")),
        lab.display()
    );
    // An agent not in agentVms, and a call without an agent, use the default VM.
    assert_eq!(
        exec_display(&mut server, 5, Some("someone-else")),
        main.display()
    );
    assert_eq!(exec_display(&mut server, 6, None), main.display());

    // What is remembered per caller is per agent: each agent's first look gets the image, its next look of
    // the same screen is "unchanged since" its own frame; another agent on the same VM still gets the image.
    let mut look = |id: u64, agent: &str| {
        let reply = server.request(
            id,
            "tools/call",
            json!({"name": "vm_screenshot", "arguments": {}, "_meta": {"computer-use/agent": agent}}),
        );
        let content = reply["result"]["content"].as_array().unwrap().clone();
        let images = content.iter().filter(|c| c["type"] == "image").count();
        (images, reply["result"]["structuredContent"].clone())
    };
    let (images, first) = look(7, "worker");
    assert_eq!(images, 1, "{first}");
    let (images, again) = look(8, "worker");
    assert_eq!(images, 0, "{again}");
    assert_eq!(again["unchangedSince"], first["frame"]);
    let (images, other) = look(9, "someone-else");
    assert_eq!(images, 1, "another agent's first look: {other}");
    let (images, _) = look(10, "someone-else");
    assert_eq!(images, 0);
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_agent_mapped_to_an_unknown_vm_is_a_configuration_error_naming_the_vms() {
    let dir = std::env::temp_dir().join(format!("cu-agents-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("computer-use.json5");
    std::fs::write(
        &config,
        r#"{ provider: "url", serverUrl: "ws://127.0.0.1:9/ws", vms: { lab: {} }, agentVms: { w: "labb" } }"#,
    )
    .unwrap();
    let out = std::process::Command::new(common::BIN)
        .args(["--config", &config.to_string_lossy(), "status"])
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "accepted: {stderr}");
    assert!(stderr.contains("agentVms.w"), "{stderr}");
    assert!(
        stderr.contains("\"labb\" is not a configured VM"),
        "{stderr}"
    );
    assert!(stderr.contains("default, lab"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
