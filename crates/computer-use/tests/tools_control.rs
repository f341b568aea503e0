//! `vm_status`, `vm_wait` and `vm_batch`: against the real server on a private Xvfb desktop where the tool
//! touches the VM, and without one where nothing should reach a server (argument bounds, cancellation,
//! refusals that happen before anything runs — a dead server URL proves nothing was sent).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use computer_use::config::Config;
use computer_use::tools::{Content, ToolContext, ToolErrorKind, ToolOutput};
use computer_use::vm::Vms;
use serde_json::json;
use testkit::desktop::Desktop;

/// A context whose server does not exist (port 9, discard): any call that reaches for the VM fails with
/// Unavailable, so a success proves the tool never needed the server.
fn offline_ctx() -> ToolContext {
    let config = Config::from_json5_str(
        r#"{ provider: "url", serverUrl: "ws://127.0.0.1:9/ws", connectTimeoutMs: 2000 }"#,
        "test",
    )
    .unwrap();
    ToolContext::new(Arc::new(Vms::new(Arc::new(config))))
}

fn images(out: &ToolOutput) -> usize {
    out.content
        .iter()
        .filter(|c| matches!(c, Content::Image { .. }))
        .count()
}

// ---- vm_wait -------------------------------------------------------------------------------------------

#[tokio::test]
async fn wait_sleeps_for_the_time_asked_and_refuses_out_of_range_values() {
    let ctx = offline_ctx();
    let start = Instant::now();
    let out = ok(&ctx, "vm_wait", json!({"ms": 250})).await;
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(250), "{took:?}");
    assert!(took < Duration::from_millis(2000), "{took:?}");
    assert_eq!(out.joined_text(), "Waited 250 ms.");
    assert_eq!(out.details["waitedMs"], 250);
    assert_eq!(images(&out), 0);

    for bad in [0, -1, 30_001, 1_000_000] {
        let e = err(&ctx, "vm_wait", json!({"ms": bad})).await;
        assert_eq!(e.kind, ToolErrorKind::Rejected, "{bad}: {e}");
        assert!(e.message.contains("between 1 and 30000"), "{e}");
    }
    let e = err(&ctx, "vm_wait", json!({"ms": "soon"})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments, "{e}");
    let e = err(&ctx, "vm_wait", json!({})).await;
    assert!(e.message.contains("missing field `ms`"), "{e}");
    let e = err(&ctx, "vm_wait", json!({"ms": 5, "extra": true})).await;
    assert!(e.message.contains("unknown field `extra`"), "{e}");
}

#[tokio::test]
async fn cancelling_a_long_wait_returns_promptly() {
    let ctx = offline_ctx();
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        cancel.cancel();
    });
    let start = Instant::now();
    let e = err(&ctx, "vm_wait", json!({"ms": 30000})).await;
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "cancel took {took:?}");
    assert!(took >= Duration::from_millis(150), "{took:?}");
    assert!(e.message.contains("cancelled"), "{e}");
    assert!(e.message.contains("30000 ms"), "{e}");
}

#[tokio::test]
async fn wait_with_a_screenshot_ends_with_one_image_of_the_screen() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let out = ok(&ctx, "vm_wait", json!({"ms": 50, "screenshot": true})).await;
    assert_eq!(images(&out), 1);
    let img = image(&out);
    assert_eq!((img.width(), img.height()), (640, 400));
    assert!(
        out.joined_text()
            .starts_with("Waited 50 ms. Screenshot 640x400"),
        "{}",
        out.joined_text()
    );
    assert_eq!(out.details["waitedMs"], 50);
    assert!(out.details["frame"].as_u64().unwrap() >= 1);
}

// ---- vm_status -----------------------------------------------------------------------------------------

#[tokio::test]
async fn status_reports_version_screen_calibration_and_health_of_the_real_server() {
    let desktop = Desktop::start();
    // The image scale must not leak into the input calibration.
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let out = ok(&ctx, "vm_status", json!({})).await;
    let text = out.joined_text();
    let d = &out.details;
    eprintln!("vm_status: {text}\ndetails: {d:?}");
    assert_eq!(d["serverVersion"], "0.3.46", "{d:?}");
    assert_eq!(d["os"], "linux", "{d:?}");
    assert_eq!(
        (d["screenWidth"].as_u64(), d["screenHeight"].as_u64()),
        (Some(1280), Some(800))
    );
    assert_eq!(d["screenshotWidth"], 1280);
    assert_eq!(d["inputWidth"].as_f64(), Some(1280.0));
    assert_eq!(d["inputHeight"].as_f64(), Some(800.0));
    assert_eq!(d["scaleX"].as_f64(), Some(1.0));
    assert_eq!(d["scaleY"].as_f64(), Some(1.0));
    assert_eq!(d["health"]["state"], "connected", "{d:?}");
    assert_eq!(d["health"]["server"], "0.3.46");
    assert_eq!(d["vm"], "default");
    assert_eq!(d["provider"], "url");
    assert_eq!(d["address"], format!("127.0.0.1:{}", desktop.port()));
    assert_eq!(d["unavailableCommands"], json!([]), "{d:?}");
    assert!(d["serverCommands"].as_u64().unwrap() > 40, "{d:?}");
    // Measuring the calibration records no frame: the agent's latest image is unchanged.
    assert!(d.get("latestFrame").is_none(), "{d:?}");
    assert!(
        text.contains("cua-computer-server 0.3.46 on linux"),
        "{text}"
    );
    assert!(text.contains("screen 1280x800"), "{text}");
    assert!(text.contains("(scale 1.0)"), "{text}");
    assert!(text.contains("(connected)"), "{text}");
    assert!(
        text.contains("Every server command the vm_* tools use is available."),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");

    // After a screenshot, the status names its frame and reuses the same calibration.
    let shot = ok(&ctx, "vm_screenshot", json!({})).await;
    let again = ok(&ctx, "vm_status", json!({})).await;
    assert_eq!(again.details["latestFrame"], shot.details["frame"]);
    assert_eq!(again.details["scaleX"].as_f64(), Some(1.0));
    assert!(xdotool_mouse(&desktop).0 < 1280);
}

#[tokio::test]
async fn status_measures_the_screen_it_finds() {
    let desktop = Desktop::builder().screen(1024, 768).start();
    let ctx = ctx(&desktop, "");
    let out = ok(&ctx, "vm_status", json!({})).await;
    assert_eq!(out.details["screenWidth"], 1024);
    assert_eq!(out.details["screenHeight"], 768);
    assert_eq!(out.details["inputWidth"].as_f64(), Some(1024.0));
    assert!(
        out.joined_text().contains("screen 1024x768"),
        "{}",
        out.joined_text()
    );
}

#[tokio::test]
async fn status_of_an_unreachable_server_is_unavailable_and_names_the_vm() {
    let e = err(&offline_ctx(), "vm_status", json!({})).await;
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    // The session's health leads the message: nothing listens there.
    assert!(
        e.message
            .starts_with("vm_status: VM `default` via url [server down]: "),
        "{e}"
    );
    assert!(e.message.contains("127.0.0.1:9"), "{e}");
}

// ---- vm_batch: refusals before anything runs -------------------------------------------------------------

/// `n` short waits, each a different length (the loop guard refuses a 5th identical call in a row).
fn waits(n: usize) -> Vec<serde_json::Value> {
    (1..=n)
        .map(|ms| json!({"tool": "vm_wait", "args": {"ms": ms}}))
        .collect()
}

#[tokio::test]
async fn batch_refuses_bad_lists_before_running_anything() {
    let ctx = offline_ctx();

    let e = err(&ctx, "vm_batch", json!({"actions": waits(21)})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(e.message.contains("at most 20 actions, got 21"), "{e}");
    ok(&ctx, "vm_batch", json!({"actions": waits(20)})).await;
    // `args` may be left out or null for tools without arguments; vm_wait then names its missing field.
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "args": null}]}),
    )
    .await;
    assert!(e.message.contains("missing field `ms`"), "{e}");

    let e = err(&ctx, "vm_batch", json!({"actions": []})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(e.message.contains("at least one action"), "{e}");

    // A slow first action proves the refusal came before anything ran.
    let start = Instant::now();
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_wait", "args": {"ms": 3000}},
            {"tool": "vm_batch", "args": {"actions": waits(1)}},
            {"tool": "vm_screenshot"},
            {"tool": "vm_zoom", "args": {}},
            {"tool": "vm_teleport", "args": {}},
        ]}),
    )
    .await;
    assert!(
        start.elapsed() < Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    let m = &e.message;
    assert!(m.contains("nothing ran"), "{m}");
    assert!(
        m.contains("action 2: vm_batch cannot contain vm_batch"),
        "{m}"
    );
    assert!(
        m.contains("action 3: vm_screenshot is not allowed in a batch"),
        "{m}"
    );
    assert!(m.contains("`screenshot: true`"), "{m}");
    assert!(m.contains("action 4: vm_zoom is not allowed"), "{m}");
    assert!(m.contains("action 5: unknown tool `vm_teleport`"), "{m}");
    assert!(m.contains("vm_wait"), "the allowed tools are listed: {m}");
    assert!(!m.contains("action 1"), "{m}");

    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "arg": {}}]}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
    assert!(e.message.contains("unknown field `arg`"), "{e}");
}

#[tokio::test]
async fn batch_schema_is_closed_but_leaves_each_actions_args_to_its_tool() {
    let info = computer_use::tools::list()
        .into_iter()
        .find(|t| t.name == "vm_batch")
        .unwrap();
    let s = &info.input_schema;
    // Closed by the argument types (an unknown field is refused by name: see the test above), not by
    // `additionalProperties`, which the lean tool list leaves out; `args` is any object.
    assert!(s.get("additionalProperties").is_none(), "{s}");
    assert_eq!(s["required"], json!(["actions"]), "{s}");
    assert_eq!(s["properties"]["actions"]["maxItems"], 20, "{s}");
    let item = &s["properties"]["actions"]["items"];
    assert_eq!(item["required"], json!(["tool"]), "{s}");
    assert_eq!(item["properties"]["args"]["type"], "object", "{s}");
    let e = computer_use::tools::parse_args::<computer_use::tools::control::BatchArgs>(
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1, "anything": 2}, "extra": 1}]}),
    )
    .unwrap_err();
    assert!(e.message.contains("unknown field `extra`"), "{e}");
    for name in ["vm_status", "vm_wait", "vm_batch"] {
        assert!(
            computer_use::tools::find(name).is_some(),
            "{name} is registered"
        );
    }
}

// ---- vm_batch: running -----------------------------------------------------------------------------------

#[tokio::test]
async fn batch_stops_at_the_first_failure_and_reports_what_ran() {
    let ctx = offline_ctx();
    let start = Instant::now();
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_wait", "args": {"ms": 100}},
            {"tool": "vm_wait", "args": {"ms": 0}},
            {"tool": "vm_wait", "args": {"ms": 3000}},
        ]}),
    )
    .await;
    // The third (3 s) wait never ran.
    assert!(
        start.elapsed() < Duration::from_millis(2000),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        e.kind,
        ToolErrorKind::Rejected,
        "the failing action's kind: {e}"
    );
    let m = &e.message;
    assert!(
        m.starts_with("vm_batch stopped at action 2 of 3 (vm_wait), which failed:"),
        "{m}"
    );
    assert!(m.contains("between 1 and 30000"), "{m}");
    assert!(m.contains("1. vm_wait: Waited 100 ms."), "{m}");
    assert!(m.contains("Not run: 3. vm_wait."), "{m}");

    // A failure reaching the VM keeps its kind (hard).
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1}}, {"tool": "vm_status"}]}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::Unavailable, "{e}");
    assert!(e.message.contains("1. vm_wait: Waited 1 ms."), "{e}");

    // Bad arguments of a later action, after earlier ones took effect, are a soft refusal.
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1}}, {"tool": "vm_wait", "args": {"ms": "x"}}]}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
    assert!(
        e.message
            .contains("vm_wait: ms: expected a whole number, got \"x\""),
        "{e}"
    );
}

#[tokio::test]
async fn cancelling_a_batch_stops_it_and_lists_what_did_not_run() {
    let ctx = offline_ctx();
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
    });
    let start = Instant::now();
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_wait", "args": {"ms": 10}},
            {"tool": "vm_wait", "args": {"ms": 30000}},
            {"tool": "vm_wait", "args": {"ms": 30000}},
        ]}),
    )
    .await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let m = &e.message;
    assert!(m.contains("stopped at action 2 of 3"), "{m}");
    assert!(m.contains("cancelled"), "{m}");
    assert!(m.contains("1. vm_wait: Waited 10 ms."), "{m}");
    assert!(m.contains("Not run: 3. vm_wait."), "{m}");
}

#[tokio::test]
async fn batch_drops_inner_images_and_ends_with_one_screenshot() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let out = ok(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_status"},
            {"tool": "vm_wait", "args": {"ms": 20, "screenshot": true}},
            {"tool": "vm_wait", "args": {"ms": 20}},
        ], "screenshot": true}),
    )
    .await;
    assert_eq!(images(&out), 1, "{out:?}");
    assert_eq!(image(&out).width(), 640);
    let d = &out.details;
    assert_eq!((d["ran"].as_u64(), d["total"].as_u64()), (Some(3), Some(3)));
    let results = d["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["tool"], "vm_status");
    assert_eq!(results[0]["index"], 1);
    assert_eq!(results[0]["details"]["serverVersion"], "0.3.46");
    assert!(
        results[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("Waited 20 ms.")
    );
    // The final screenshot is a newer frame than the inner one.
    let inner = results[1]["details"]["frame"].as_u64().unwrap();
    assert_eq!(d["frame"].as_u64().unwrap(), inner + 1);
    assert_eq!(d["screenshot"]["width"], 640);
    let text = out.joined_text();
    assert!(text.starts_with("Ran all 3 actions:"), "{text}");
    assert!(text.contains("3. vm_wait: Waited 20 ms."), "{text}");
    assert!(text.contains("Screenshot 640x400"), "{text}");

    // Without `screenshot`, no image at all.
    let out = ok(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1, "screenshot": true}}]}),
    )
    .await;
    assert_eq!(images(&out), 0);
    // The agent has the previous batch's closing screenshot, and the screen has not changed since.
    assert!(
        out.joined_text().starts_with(
            "Ran all 1 action:\n  1. vm_wait: Waited 1 ms. Screen unchanged since frame"
        ),
        "{}",
        out.joined_text()
    );
}

// ---- vm_batch with the real input tools ----------------------------------------------------------------

#[tokio::test]
async fn batch_launches_a_terminal_types_a_line_into_it_and_ends_with_one_screenshot() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 1.0");
    let dir = scratch("batch-xterm");
    let file = dir.join("typed.txt");
    let line = format!("echo batch-typed-ok > {}", file.display());
    // xterm sets up its terminal (discarding anything typed so far) before it runs its command, so the
    // command announces itself in a file; the batch waits for that file and the window instead of guessing
    // a start-up time (a fixed wait is flaky while other tests load the machine).
    let ready = dir.join("ready");
    let start_shell = format!("touch {}; exec sh", ready.display());
    let wait_ready = format!(
        "for i in $(seq 150); do [ -e {} ] && xdotool search --name '^batch-term$' >/dev/null && exit 0; \
         sleep 0.1; done; exit 1",
        ready.display()
    );
    let out = ok(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_launch", "args": {"app": "xterm", "args": [
                "-xrm", "XTerm*allowSendEvents: true", "-geometry", "80x20+0+0", "-T", "batch-term",
                "-e", "sh", "-c", start_shell]}},
            {"tool": "vm_exec", "args": {"command": wait_ready}},
            {"tool": "vm_wait", "args": {"ms": 300}},
            {"tool": "vm_click", "args": {"x": 200, "y": 100}},
            {"tool": "vm_type", "args": {"text": line}},
            {"tool": "vm_key", "args": {"keys": "enter"}},
        ], "screenshot": true}),
    )
    .await;
    let got = eventually(Duration::from_secs(10), async || {
        std::fs::read_to_string(&file)
            .ok()
            .filter(|s| s.trim() == "batch-typed-ok")
    })
    .await;
    assert!(
        got.is_some(),
        "{} should hold the typed line's output; batch result: {}",
        file.display(),
        out.joined_text()
    );
    assert_eq!(images(&out), 1, "{out:?}");
    let img = image(&out);
    assert_eq!((img.width(), img.height()), (1280, 800));
    let d = &out.details;
    assert_eq!((d["ran"].as_u64(), d["total"].as_u64()), (Some(6), Some(6)));
    assert_eq!(
        d["results"][1]["details"]["returnCode"], 0,
        "the xterm window appeared: {d:?}"
    );
    let tools: Vec<&str> = d["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tool"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "vm_launch",
            "vm_exec",
            "vm_wait",
            "vm_click",
            "vm_type",
            "vm_key"
        ]
    );
    assert!(d.get("failed").is_none());
    // The click landed where asked (the screenshot scale is 1.0, so image pixels are screen pixels).
    assert_eq!(xdotool_mouse(&desktop), (200, 100));
}

#[tokio::test]
async fn a_failing_action_stops_the_batch_so_later_actions_never_run() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let dir = scratch("batch-stop");
    let first = dir.join("first.txt");
    let third = dir.join("third.txt");
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_exec", "args": {"command": format!("echo one > {}", first.display())}},
            {"tool": "vm_key", "args": {"keys": "notakey"}},
            {"tool": "vm_exec", "args": {"command": format!("echo three > {}", third.display())}},
        ], "screenshot": true}),
    )
    .await;
    assert_eq!(
        e.kind,
        ToolErrorKind::Rejected,
        "an unknown key is refused before sending: {e}"
    );
    let m = &e.message;
    assert!(
        m.starts_with("vm_batch stopped at action 2 of 3 (vm_key), which failed:"),
        "{m}"
    );
    assert!(m.contains("notakey"), "{m}");
    assert!(m.contains("1. vm_exec:"), "{m}");
    assert!(m.contains("Not run: 3. vm_exec."), "{m}");
    assert!(m.contains("Nothing was repeated."), "{m}");
    assert_eq!(std::fs::read_to_string(&first).unwrap().trim(), "one");
    // Give a (wrongly) running third action time to show itself before concluding it never ran.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !third.exists(),
        "the third action ran after the batch stopped"
    );
}

#[tokio::test]
async fn a_batch_on_a_frozen_server_is_ambiguous_and_nothing_is_replayed() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "commandTimeoutMs: 1500");
    let dir = scratch("batch-frozen");
    let third = dir.join("third.txt");
    // Warm the connection so the freeze hits a sent command, not the connect.
    ok(&ctx, "vm_status", json!({})).await;
    let gui_frames = ctx.session().unwrap().gui().frames_sent();
    desktop.freeze_server();
    let e = err(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_wait", "args": {"ms": 1}},
            {"tool": "vm_key", "args": {"keys": "shift"}},
            {"tool": "vm_exec", "args": {"command": format!("echo three > {}", third.display())}},
        ]}),
    )
    .await;
    desktop.thaw_server();
    assert_eq!(e.kind, ToolErrorKind::Ambiguous, "{e}");
    assert!(e.is_hard());
    let m = &e.message;
    assert!(
        m.contains("action 2 of 3 (vm_key), which may or may not have taken effect"),
        "{m}"
    );
    assert!(m.contains("screenshot"), "{m}");
    assert!(m.contains("Not run: 3. vm_exec."), "{m}");
    // Exactly one key frame was written: the key press was sent once and never resent.
    assert_eq!(ctx.session().unwrap().gui().frames_sent(), gui_frames + 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !third.exists(),
        "the third action ran after an ambiguous failure"
    );
}
