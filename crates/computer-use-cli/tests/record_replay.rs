//! Replay as a regression test, against the **real** cua-computer-server on three private Xvfb desktops: a
//! session recorded on the first (through `serve --stdio --record`) replays green on a fresh second one
//! (exit 0, every action through the guards and the audit log), and on a third whose terminals are another
//! colour (an X resource set before the replay) it diverges at step 3 — the first screenshot that shows the
//! terminal — with exit 1, stops there, and writes a report page with both screens and the difference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{BIN, Server, initialize};
use recording::Recording;
use serde_json::json;
use testkit::desktop::Desktop;

fn config(dir: &Path, name: &str, desktop: &Desktop, extra: &str) -> String {
    let path = dir.join(format!("{name}.json5"));
    std::fs::write(
        &path,
        format!(
            r#"{{ provider: "url", serverUrl: "{}", connectTimeoutMs: 5000, {extra} }}"#,
            desktop.ws_url()
        ),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

fn wait_for_terminal(desktop: &Desktop) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out =
            desktop.run_in_display("xdotool", ["search", "--onlyvisible", "--class", "XTerm"]);
        if !String::from_utf8_lossy(&out.stdout).trim().is_empty() {
            // The first screenshot is compared with settling on replay; here it only has to show the window.
            std::thread::sleep(Duration::from_millis(500));
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the launched xterm did not appear"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn replay(config: &str, recording: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--config", config, "record", "replay"])
        .arg(recording)
        .args(extra)
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap()
}

fn audit_tools(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["tool"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_recording_replays_green_on_a_fresh_desktop_and_diverges_where_the_desktop_differs() {
    let (recorded_on, fresh, changed) = std::thread::scope(|s| {
        let a = s.spawn(Desktop::start);
        let b = s.spawn(Desktop::start);
        (Desktop::start(), a.join().unwrap(), b.join().unwrap())
    });
    let dir = tempfile::Builder::new()
        .prefix("cu-record-replay-")
        .tempdir()
        .unwrap();
    let root = dir.path().join("recordings");

    // The session: typed text is kept (redactText: false) so it can be replayed.
    let record_config = config(
        dir.path(),
        "record",
        &recorded_on,
        &format!(
            "audit: {{ redactText: false }}, record: {{ dir: {:?} }}",
            root.display().to_string()
        ),
    );
    let (mut server, _) =
        Server::spawn_with(&["--config", &record_config, "serve", "--stdio"], &[]);
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let mut id = 1;
    let mut call = |server: &mut Server, tool: &str, args: serde_json::Value| {
        id += 1;
        let reply = server.request(id, "tools/call", json!({"name": tool, "arguments": args}));
        assert_eq!(reply["result"]["isError"], json!(false), "{tool}: {reply}");
    };
    call(&mut server, "vm_exec", json!({"command": "true"}));
    call(
        &mut server,
        "vm_launch",
        json!({"app": "xterm", "args": ["-geometry", "60x10+40+40", "-xrm", "XTerm*allowSendEvents: true", "-e", "sh"]}),
    );
    wait_for_terminal(&recorded_on);
    call(&mut server, "vm_screenshot", json!({}));
    call(&mut server, "vm_click", json!({"x": 100, "y": 60}));
    call(
        &mut server,
        "vm_type",
        json!({"text": "echo replayed-$((6*7))"}),
    );
    call(&mut server, "vm_key", json!({"keys": "enter"}));
    std::thread::sleep(Duration::from_millis(500));
    call(&mut server, "vm_screenshot", json!({}));
    server.stop();
    let dirs = recording::list::recording_dirs(&root);
    assert_eq!(dirs.len(), 1);
    let recording = &dirs[0];
    assert_eq!(Recording::open(recording).unwrap().steps.len(), 7);

    // A fresh desktop: every step matches; the actions went through the guards and the audit log.
    let fresh_audit = dir.path().join("fresh-audit.jsonl");
    let fresh_config = config(
        dir.path(),
        "fresh",
        &fresh,
        &format!("audit: {{ path: {:?} }}", fresh_audit.display().to_string()),
    );
    let report = dir.path().join("green.html");
    let out = replay(&fresh_config, recording, &["-o", report.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "replay on a fresh desktop: {stderr}"
    );
    assert!(stderr.contains("all 7 steps matched"), "{stderr}");
    assert_eq!(
        audit_tools(&fresh_audit),
        [
            "vm_exec",
            "vm_launch",
            "vm_screenshot",
            "vm_click",
            "vm_type",
            "vm_key",
            "vm_screenshot"
        ]
    );
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("all 7 steps matched")
    );

    // Terminals of another colour, set before the replay: steps 1 and 2 show no screen and match; step 3 is
    // the first screenshot with the terminal in it.
    let resources = dir.path().join("xterm.ad");
    std::fs::write(
        &resources,
        "XTerm*background: black\nXTerm*foreground: green\n",
    )
    .unwrap();
    let merged = changed.run_in_display("xrdb", ["-merge", resources.to_str().unwrap()]);
    assert!(
        merged.status.success(),
        "xrdb: {}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let changed_audit = dir.path().join("changed-audit.jsonl");
    let changed_config = config(
        dir.path(),
        "changed",
        &changed,
        &format!(
            "audit: {{ path: {:?} }}",
            changed_audit.display().to_string()
        ),
    );
    let report = dir.path().join("diverged.html");
    let out = replay(
        &changed_config,
        recording,
        &["--settle", "3", "-o", report.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "replay on a changed desktop: {stderr}"
    );
    assert!(stderr.contains("diverged at step 3"), "{stderr}");
    assert_eq!(
        audit_tools(&changed_audit),
        ["vm_exec", "vm_launch", "vm_screenshot"],
        "nothing after the divergent step was sent"
    );
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(
        page.contains("\"status\":\"diverged\""),
        "the report marks the step"
    );
    assert!(
        page.contains("id=\"r3\""),
        "the report holds the new screen of step 3"
    );
    let regions = page.split("\"regions\":[[").count() - 1;
    assert!(regions >= 1, "the report marks where the screens differ");
    println!(
        "reports: {} and {}",
        dir.path().join("green.html").display(),
        report.display()
    );
    // Keep the pages for people to look at.
    let keep =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("record-replay-diverged.html");
    std::fs::copy(&report, &keep).unwrap();
    println!("kept: {}", keep.display());
}

/// A recording made here with the writer (no VM needed): a screenshot step and a typed text redacted by the
/// audit rules.
fn crafted_recording(root: &Path) -> std::path::PathBuf {
    use recording::format::{ImageRef, Meta, Step};
    use recording::writer::{Budget, NewImage, Writer};
    let meta = Meta {
        format: recording::format::FORMAT.into(),
        version: recording::format::VERSION,
        started: "2026-11-25T15:38:00.000Z".into(),
        vm: "default".into(),
        agent: None,
        session: None,
        pid: 1,
        producer: "test".into(),
    };
    let mut w = Writer::create(root, "crafted", &meta, Budget::shared(u64::MAX)).unwrap();
    let step = |tool: &str, args: serde_json::Value| Step {
        step: 0,
        call: 1,
        parent: None,
        ts: meta.started.clone(),
        t_ms: 0,
        tool: tool.into(),
        kind: "look".into(),
        space: "image".into(),
        args,
        outcome: "ok".into(),
        guard: None,
        warnings: Vec::new(),
        error: None,
        latency_ms: 1,
        text: None,
        image: None,
        after: None,
        landed: None,
        exec: None,
        details: Default::default(),
    };
    let mut png = Vec::new();
    image::RgbImage::new(4, 4)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let image = NewImage {
        bytes: png,
        info: ImageRef {
            file: String::new(),
            mime: "image/png".into(),
            width: 4,
            height: 4,
            bytes: 0,
            frame: Some(1),
            region: None,
        },
    };
    w.append(step("vm_screenshot", json!({})), Some(image), None)
        .unwrap();
    w.append(
        step(
            "vm_type",
            json!({"text": {"redacted": "text", "chars": 6, "sha256": "00"}}),
        ),
        None,
        None,
    )
    .unwrap();
    w.dir().to_owned()
}

fn cli(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn record_commands_refuse_what_they_cannot_do_and_say_what_to_do() {
    let dir = tempfile::Builder::new()
        .prefix("cu-record-cli-")
        .tempdir()
        .unwrap();
    let rec = crafted_recording(dir.path());
    let rec_arg = rec.to_str().unwrap();
    let root_arg = dir.path().to_str().unwrap();

    let out = cli(&["record", "list", root_arg]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(rec_arg),
        "{out:?}"
    );

    // The directory of recordings is not a recording: the error names the one inside.
    let out = cli(&["record", "view", root_arg]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("is not a recording (no meta.json); it holds one recording:")
            && stderr.contains(rec_arg),
        "{stderr}"
    );
    let out = cli(&["record", "view", rec_arg]);
    assert!(out.status.success(), "{out:?}");
    assert!(rec.join("index.html").is_file());

    // Replay: typed text that was redacted cannot be re-sent; nothing is contacted (the local desktop's port
    // may be closed: the refusal comes first).
    let out = cli(&["record", "replay", rec_arg]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("step 2 (vm_type)")
            && stderr.contains("redactText: false")
            && stderr.contains("--skip-redacted"),
        "{stderr}"
    );
    // Another VM than the configuration has.
    let out = cli(&["--vm", "lab", "record", "replay", rec_arg]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--vm `lab` is not a VM of this configuration"),
        "{stderr}"
    );
    // A threshold that is not an SSIM.
    let out = cli(&["record", "replay", rec_arg, "--threshold", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an SSIM in 0..1"));
}
