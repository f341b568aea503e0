//! The fault matrix of the reliability issue, through the core (`tools::call`, the way every face calls it):
//! the **real** cua-computer-server on private Xvfb desktops for server faults (killed mid-command, restarted,
//! frozen with SIGSTOP), the Lume API **fake** (`testkit::lume_fake`; real Lume is macOS-only) for Lume down,
//! slow, flapping and a stopped VM. For each fault: the caller gets a clear error or the right result within a
//! bounded time, the session's health names the state, nothing is replayed (counted by the lines a guest
//! command appends to a file), and the next call works. Reply faults the real server cannot produce are in
//! `crates/cua-protocol/tests/reply_faults.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use computer_use::tools::ToolErrorKind;
use computer_use::vm::Health;
use serde_json::json;
use testkit::desktop::Desktop;
use testkit::lume_fake::{FakeVm, LumeFake};

/// `vm_exec` that appends one line to `path` (the count of server-side effects), then sleeps.
fn append_then_sleep(path: &std::path::Path, line: &str, sleep_s: u32) -> serde_json::Value {
    json!({"command": format!("echo {line} >> {}; sleep {sleep_s}", path.display()), "timeout": 30})
}

#[tokio::test]
async fn killed_restarted_and_frozen_servers_are_reported_and_nothing_is_replayed() {
    let desktop = Desktop::start();
    // A 3 s command timeout makes the keepalive 1.5 s + 1.5 s; a 2 s connect budget bounds a handshake with
    // a frozen server.
    let ctx = ctx(
        &desktop,
        "commandTimeoutMs: 3000, connectTimeoutMs: 2000, guards: {loop: {enabled: false}}",
    );
    let session = ctx.session().unwrap();
    assert_eq!(session.health(), Health::NotConnected);
    let status = ok(&ctx, "vm_status", json!({})).await;
    assert_eq!(status.details["health"]["state"], "connected");
    assert_eq!(status.details["lanes"]["shell"]["state"], "not_connected");
    let dir = scratch("rel-kill");
    let effects = dir.join("effects");

    // 1. Killed in the middle of a shell command: a prompt, ambiguous failure; the command is not replayed.
    let running = {
        let ctx = ctx.clone();
        let args = append_then_sleep(&effects, "killed", 10);
        tokio::spawn(async move { computer_use::tools::call(&ctx, "vm_exec", args).await })
    };
    let started = eventually(Duration::from_secs(10), async || {
        (lines_of(&effects).len() == 1).then_some(())
    })
    .await;
    assert!(started.is_some(), "the guest command never started");
    let killed_at = Instant::now();
    desktop.kill_server();
    let e = running.await.unwrap().unwrap_err();
    assert!(
        killed_at.elapsed() < Duration::from_secs(3),
        "the in-flight call took {:?} to fail",
        killed_at.elapsed()
    );
    assert_eq!(e.kind, ToolErrorKind::Ambiguous, "{e}");
    assert!(
        e.to_string().contains("may or may not have taken effect"),
        "{e}"
    );
    assert!(
        matches!(session.lane_health().1, Health::Reconnecting { .. }),
        "{:?}",
        session.lane_health()
    );

    // 2. While it is down: the health says "server down", in vm_status's error too; nothing was sent.
    let e = err(&ctx, "vm_status", json!({})).await;
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(e.message.contains("[server down]"), "{e}");
    assert!(
        e.message.contains(&format!("127.0.0.1:{}", desktop.port())),
        "{e}"
    );
    assert!(
        matches!(session.health(), Health::ServerDown { .. }),
        "{:?}",
        session.health()
    );

    // 3. Restarted: the next call reconnects by itself and works; the killed command ran exactly once.
    desktop.restart_server();
    let out = ok(&ctx, "vm_exec", json!({"command": "echo back"})).await;
    assert_eq!(out.details["stdout"], "back\n");
    assert_eq!(
        lines_of(&effects),
        ["killed"],
        "the killed command was replayed"
    );
    ok(&ctx, "vm_screenshot", json!({})).await;
    assert!(matches!(session.health(), Health::Connected { .. }));

    // 4. Frozen (SIGSTOP, like a suspended VM): the idle connections' keepalive finds it within ~3 s.
    desktop.freeze_server();
    let frozen_at = Instant::now();
    let seen = eventually(Duration::from_secs(8), async || {
        matches!(session.lane_health().0, Health::Unresponsive { .. }).then_some(())
    })
    .await;
    assert!(
        seen.is_some(),
        "the GUI lane's health stayed {:?}",
        session.lane_health().0
    );
    let detected = frozen_at.elapsed();
    assert!(detected < Duration::from_secs(6), "{detected:?}");
    // A call now fails within the connect budget, naming the freeze; the health says so too.
    let started = Instant::now();
    let e = err(&ctx, "vm_status", json!({})).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(e.message.contains("[server not responding]"), "{e}");
    assert!(e.message.contains("frozen"), "{e}");
    // A shell command sent into the freeze: it fails without a hang and is never sent twice.
    let frozen_effects = dir.join("frozen-effects");
    let started = Instant::now();
    let e = err(
        &ctx,
        "vm_exec",
        append_then_sleep(&frozen_effects, "frozen", 0),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(e.is_hard(), "{e}");

    // 5. Thawed: the next call works; the command sent into the freeze ran at most once.
    desktop.thaw_server();
    let out = ok(&ctx, "vm_exec", json!({"command": "echo thawed"})).await;
    assert_eq!(out.details["stdout"], "thawed\n");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        lines_of(&frozen_effects).len() <= 1,
        "the command sent into the freeze ran {} times",
        lines_of(&frozen_effects).len()
    );
    let status = ok(&ctx, "vm_status", json!({})).await;
    assert_eq!(status.details["health"]["state"], "connected");
}

/// The seed's Lume block with this test's Lume URL, server port and budgets.
fn lume_config(lume: &LumeFake, port: u16) -> String {
    format!(
        r#"{{ vmName: "openclaw-vm", lumeApiUrl: "{}", serverPort: {port}, connectTimeoutMs: 1500,
             commandTimeoutMs: 5000, guards: {{loop: {{enabled: false}}}} }}"#,
        lume.url()
    )
}

#[tokio::test]
async fn lume_down_slow_or_flapping_fails_clearly_within_the_connect_budget_and_the_next_call_works()
 {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::running("openclaw-vm", "127.0.0.1")]).await;
    let config = lume_config(&lume, desktop.port());
    let bound = Duration::from_millis(1500 + 700);

    // Down: refused at once, with the fix; the next call after it is back works.
    lume.stop().await;
    let ctx = ctx_for(&config);
    let started = Instant::now();
    let e = err(&ctx, "vm_exec", json!({"command": "echo 1"})).await;
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(
        e.message.contains("Lume HTTP server not reachable")
            && e.hint.as_deref().is_some_and(|h| h.contains("lume serve")),
        "{e}"
    );
    let health = ctx.session().unwrap().health();
    assert!(
        matches!(&health, Health::Unavailable { reason } if reason.contains("Lume")),
        "{health:?}"
    );
    lume.restart().await.unwrap();
    ok(&ctx, "vm_exec", json!({"command": "echo 2"})).await;
    ok(&ctx, "vm_screenshot", json!({})).await;

    // Once both lanes are connected, Lume is not asked again until a reconnect (each lane resolves the
    // address itself when it connects): its outage changes nothing.
    let asked = lume.requests().len();
    lume.stop().await;
    for i in 0..3 {
        let out = ok(&ctx, "vm_exec", json!({"command": format!("echo up-{i}")})).await;
        assert_eq!(out.details["stdout"], format!("up-{i}\n"));
    }
    ok(&ctx, "vm_screenshot", json!({})).await;
    lume.restart().await.unwrap();
    assert_eq!(lume.requests().len(), asked);

    // Slow: a Lume that answers after 5 s is given up on within the 1.5 s connect budget, by name.
    lume.set_delay(Duration::from_secs(5));
    let ctx = ctx_for(&config);
    let started = Instant::now();
    let e = err(&ctx, "vm_screenshot", json!({})).await;
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(
        e.message.contains("did not answer") && e.message.contains(&lume.url()),
        "{e}"
    );
    lume.set_delay(Duration::ZERO);
    ok(&ctx, "vm_screenshot", json!({})).await;

    // Flapping (every other request a 500): a failing call says so, the next one works.
    lume.set_flapping(true);
    let ctx = ctx_for(&config);
    let e = err(&ctx, "vm_exec", json!({"command": "echo flap"})).await;
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(e.message.contains("500"), "{e}");
    let out = ok(&ctx, "vm_exec", json!({"command": "echo steady"})).await;
    assert_eq!(out.details["stdout"], "steady\n");
    lume.set_flapping(false);
}

#[tokio::test]
async fn a_stopped_vm_is_reported_as_not_running_with_the_fix_and_works_once_started() {
    let desktop = Desktop::start();
    let lume = LumeFake::start(vec![FakeVm::stopped("openclaw-vm", "127.0.0.1")]).await;
    let ctx = ctx_for(&lume_config(&lume, desktop.port()));
    let started = Instant::now();
    let e = err(&ctx, "vm_status", json!({})).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(e.message.contains("[VM not running]"), "{e}");
    assert!(
        e.message
            .contains("Start it with: lume run openclaw-vm --no-display"),
        "{e}"
    );
    let health = ctx.session().unwrap().health();
    assert!(matches!(health, Health::VmNotRunning { .. }), "{health:?}");
    assert_eq!(health.state(), "vm_not_running");
    lume.set_status("openclaw-vm", "running");
    let out = ok(&ctx, "vm_status", json!({})).await;
    assert_eq!(out.details["health"]["state"], "connected");
}

#[tokio::test]
async fn one_frozen_vm_never_stalls_another() {
    let (a, b) = (Desktop::start(), Desktop::start());
    let config = format!(
        r#"{{ commandTimeoutMs: 20000, connectTimeoutMs: 3000, guards: {{loop: {{enabled: false}}}},
             vms: {{ a: {{provider: "url", serverUrl: "{}"}}, b: {{provider: "url", serverUrl: "{}"}} }},
             defaultVm: "a" }}"#,
        a.ws_url(),
        b.ws_url()
    );
    let base = ctx_for(&config);
    let (on_a, on_b) = (on_vm(&base, "a"), on_vm(&base, "b"));
    // Connect both lanes of both VMs (a lane connecting to a frozen server would fail by its connect budget).
    for ctx in [&on_a, &on_b] {
        ok(ctx, "vm_status", json!({})).await;
        ok(ctx, "vm_exec", json!({"command": "true"})).await;
    }

    a.freeze_server();
    // Calls on both of A's lanes hang on the frozen server (until the keepalive gives up after up to 20 s of
    // silence; long, so that B's calls finish first even on a loaded machine) ...
    let stuck: Vec<_> = [
        ("vm_screenshot", json!({})),
        ("vm_exec", json!({"command": "echo stuck"})),
    ]
    .into_iter()
    .map(|(tool, args)| {
        let ctx = on_a.clone();
        tokio::spawn(async move { computer_use::tools::call(&ctx, tool, args).await })
    })
    .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // ... while B answers every kind of call promptly.
    let started = Instant::now();
    for i in 0..4 {
        let shot = ok(&on_b, "vm_screenshot", json!({})).await;
        assert!(shot.details["width"].as_u64().unwrap() > 0);
        let out = ok(&on_b, "vm_exec", json!({"command": format!("echo b-{i}")})).await;
        assert_eq!(out.details["stdout"], format!("b-{i}\n"));
        ok(&on_b, "vm_move", json!({"x": 10 + i, "y": 20})).await;
        ok(&on_b, "vm_cursor", json!({})).await;
    }
    let took = started.elapsed();
    let status = ok(&on_b, "vm_status", json!({})).await;
    assert_eq!(status.details["health"]["state"], "connected");
    if stuck.iter().any(|t| t.is_finished()) {
        let mut ended = Vec::new();
        for t in stuck {
            if t.is_finished() {
                ended.push(t.await.unwrap());
            }
        }
        panic!(
            "A's calls should still be waiting on the frozen server; after {:?} of B's calls: {ended:?}",
            started.elapsed()
        );
    }
    eprintln!("16 calls on B took {took:?} while A was frozen");
    assert!(took < Duration::from_secs(12), "B was held up: {took:?}");

    a.thaw_server();
    for call in stuck {
        // Each ends (a reply after the thaw, or the keepalive's verdict); none hangs.
        let _ = tokio::time::timeout(Duration::from_secs(20), call)
            .await
            .expect("a call on the thawed VM hung");
    }
    let out = ok(&on_a, "vm_exec", json!({"command": "echo a-again"})).await;
    assert_eq!(out.details["stdout"], "a-again\n");
}
