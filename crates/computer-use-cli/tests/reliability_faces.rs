//! Reliability as the faces show it, through the real binary: a client that cancels a `vm_drag` in flight over
//! MCP stdio leaves no mouse button held on the **real** server's desktop (checked with X's own pointer mask)
//! and the next call works, and a key held with `vm_key` is released when the MCP session ends; `computer-use status` reports the session's health (connected, server down, VM
//! not running) in text and JSON. Lume is the documented **fake** (`testkit::lume_fake`; real Lume is
//! macOS-only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use testkit::desktop::Desktop;
use testkit::lume_fake::{FakeVm, LumeFake};

/// Button1Mask of X's QueryPointer.
const BUTTON1: u32 = 1 << 8;
/// ControlMask of X's QueryPointer.
const CONTROL: u32 = 4;

/// Polls `check` every 50 ms until it holds or `limit` passes.
fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

#[test]
fn a_drag_cancelled_over_mcp_releases_the_button_and_the_next_call_works() {
    let desktop = Desktop::start();
    let (mut server, _) = Server::spawn(&desktop.ws_url());
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let shot = server.request(
        2,
        "tools/call",
        json!({"name": "vm_screenshot", "arguments": {}}),
    );
    assert_ne!(shot["result"]["isError"], true, "{shot}");

    // A long back-and-forth drag over the empty desktop (image pixels at the default 0.5 scale): seconds of
    // moves with button 1 down, so the cancellation lands in the middle.
    let path: Vec<Value> = (0..400)
        .map(|i| json!([20 + (i % 40) * 14, 300 - (i % 7) * 10]))
        .collect();
    server.send(&json!({
        "jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "vm_drag", "arguments": {"path": path}},
    }));
    assert!(
        wait_until(Duration::from_secs(10), || desktop.pointer_buttons()
            & BUTTON1
            != 0),
        "the drag never pressed button 1"
    );
    let cancelled_at = Instant::now();
    server.send(&json!({
        "jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 3, "reason": "the user gave up"},
    }));
    assert!(
        wait_until(Duration::from_secs(5), || desktop.pointer_buttons() == 0),
        "button 1 is still held {:?} after the cancellation",
        cancelled_at.elapsed()
    );
    let released_after = cancelled_at.elapsed();

    // The session goes on: the next call is answered (a reply to the cancelled request, if the SDK sends one,
    // is skipped by `request`).
    let cursor = server.request(
        4,
        "tools/call",
        json!({"name": "vm_cursor", "arguments": {}}),
    );
    assert_ne!(cursor["result"]["isError"], true, "{cursor}");
    assert_eq!(
        cursor["result"]["structuredContent"]["held"],
        json!([]),
        "{cursor}"
    );
    let moved = server.request(
        5,
        "tools/call",
        json!({"name": "vm_move", "arguments": {"x": 100, "y": 100}}),
    );
    assert_ne!(moved["result"]["isError"], true, "{moved}");
    assert_eq!(desktop.pointer_buttons(), 0);
    // A key held on purpose stays down across calls, and the session's end (the client closes stdin)
    // releases it: X's own modifier state is the check.
    let held = server.request(
        6,
        "tools/call",
        json!({"name": "vm_key", "arguments": {"keys": "ctrl", "action": "down"}}),
    );
    assert_ne!(held["result"]["isError"], true, "{held}");
    assert_eq!(desktop.modifier_mask(), CONTROL, "ctrl held by vm_key down");
    let stderr = server.stop();
    assert_eq!(
        desktop.modifier_mask(),
        0,
        "ctrl still down after the MCP session ended"
    );
    eprintln!("button released {released_after:?} after the cancellation");
    // The drag was stopped by the cancellation, not finished: the server logged it as ambiguous.
    assert!(
        stderr.contains("vm_drag") && stderr.contains("ambiguous"),
        "the server did not report the cancelled drag; stderr:\n{stderr}"
    );
}

fn status(envs: &[(&str, &str)], config: Option<&std::path::Path>, json: bool) -> Output {
    let mut command = Command::new(BIN);
    if let Some(path) = config {
        command.arg("--config").arg(path);
    }
    if json {
        command.arg("--json");
    }
    command
        .arg("status")
        .env_remove("COMPUTER_USE_CONFIG")
        .env_remove("RUST_LOG");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test]
async fn status_reports_connected_server_down_and_vm_not_running() {
    // Server down: nothing listens on the port.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/ws", closed.local_addr().unwrap());
    drop(closed);
    let env = [
        ("COMPUTER_USE_PROVIDER", "url"),
        ("COMPUTER_USE_SERVER_URL", url.as_str()),
    ];
    let out = status(&env, None, true);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["health"]["state"], "server_down", "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("connection refused"),
        "{v}"
    );
    let out = status(&env, None, false);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("VM `default` via url [server down]: connection refused"),
        "{stderr}"
    );

    // VM not running: Lume (the fake) reports it stopped.
    let lume = LumeFake::start(vec![FakeVm::stopped("openclaw-vm", "127.0.0.1")]).await;
    let dir = tempfile_dir();
    let config = dir.join("config.json5");
    std::fs::write(
        &config,
        format!(
            r#"{{ vmName: "openclaw-vm", lumeApiUrl: "{}", connectTimeoutMs: 2000 }}"#,
            lume.url()
        ),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking({
        let config = config.clone();
        move || status(&[], Some(&config), true)
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["health"]["state"], "vm_not_running", "{v}");
    assert!(
        v["health"]["reason"]
            .as_str()
            .unwrap()
            .contains("lume run openclaw-vm"),
        "{v}"
    );

    // Connected: a real server.
    let desktop = Desktop::start();
    let url = desktop.ws_url();
    let out = tokio::task::spawn_blocking(move || {
        status(
            &[
                ("COMPUTER_USE_PROVIDER", "url"),
                ("COMPUTER_USE_SERVER_URL", url.as_str()),
            ],
            None,
            true,
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(&out);
    assert_eq!(v["health"]["state"], "connected", "{v}");
    assert_eq!(v["health"]["server"], "0.3.46", "{v}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cu-cli-rel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
