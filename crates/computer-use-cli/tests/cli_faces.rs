//! The CLI for people goes through the core like every other face: a `click` in screen pixels is a `vm_click`
//! call that passes the guards and leaves an audit line, and lands where the person pointed (checked with
//! xdotool on the real desktop); `screenshot` saves the screen at full resolution through `vm_screenshot`;
//! a closed stdout ends a command quietly. Real parts: the real cua-computer-server on a private Xvfb desktop.
#![expect(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::BIN;
use serde_json::Value;
use testkit::desktop::Desktop;

/// Runs the binary against `desktop` with `config` (JSON5 body) and `args`.
fn run(desktop: &Desktop, config: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .env("COMPUTER_USE_PROVIDER", "url")
        .env("COMPUTER_USE_SERVER_URL", desktop.ws_url())
        .env_remove("COMPUTER_USE_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn cli_click_and_screenshot_go_through_the_tools_guards_and_audit() {
    let desktop = Desktop::builder().screen(1024, 768).start();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let config = dir.path().join("config.json5");
    std::fs::write(
        &config,
        format!(
            "{{ provider: 'url', serverUrl: {:?}, audit: {{ path: {:?} }}, commandTimeoutMs: 7000, guards: {{ exec: {{ mode: 'deny', deny: ['rm -rf *'] }} }} }}",
            desktop.ws_url(),
            audit.display().to_string()
        ),
    )
    .unwrap();

    // A click in screen pixels lands on that pixel (the screenshot for the model would be half this size).
    let out = run(&desktop, &config, &["click", "700", "500"]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Clicked at (700, 500)"), "{stdout}");
    assert!(stdout.contains("screen pixels"), "{stdout}");
    let location = desktop.run_in_display("xdotool", ["getmouselocation"]);
    let location = String::from_utf8_lossy(&location.stdout);
    assert!(location.starts_with("x:700 y:500"), "{location}");

    // The guards apply to the CLI: a denied command is refused, nothing runs, and the audit says which guard.
    let out = run(&desktop, &config, &["exec", "--", "rm", "-rf", "/tmp/x"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("deny pattern `rm -rf *`"),
        "{out:?}"
    );

    // Without --timeout, exec uses the configured commandTimeoutMs (7 s here), not a default of the CLI's own.
    let out = run(&desktop, &config, &["--json", "exec", "--", "echo", "hi"]);
    assert!(out.status.success(), "{out:?}");
    let details: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(details["timeout"], 7, "{details}");
    assert_eq!(details["stdout"], "hi\n", "{details}");

    // A full-resolution screenshot through vm_screenshot.
    let png = dir.path().join("shot.png");
    let out = run(
        &desktop,
        &config,
        &["--json", "screenshot", "-o", png.to_str().unwrap()],
    );
    assert!(out.status.success(), "{out:?}");
    let saved: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (saved["width"].as_u64(), saved["height"].as_u64()),
        (Some(1024), Some(768))
    );
    let image = image::open(&png).unwrap();
    assert_eq!((image.width(), image.height()), (1024, 768));

    let lines = audit_lines(&audit);
    let tools: Vec<&str> = lines.iter().map(|l| l["tool"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        ["vm_click", "vm_exec", "vm_exec", "vm_screenshot"],
        "{lines:?}"
    );
    assert_eq!(lines[0]["args"]["x"], 700.0);
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[1]["guard"], "exec_policy");
    assert_eq!(lines[2]["outcome"], "ok");
    assert_eq!(lines[3]["images"], 1);
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    // The reader is gone before the command writes: its write fails with EPIPE.
    drop(reader);
    let out = Command::new(BIN)
        .args(["tools", "--json"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.is_empty(),
        "nothing to say about a reader that left: {stderr}"
    );
}
