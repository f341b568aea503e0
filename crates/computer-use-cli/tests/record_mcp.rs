//! Recording through the MCP face, against the **real** cua-computer-server on a private Xvfb desktop, and the
//! viewer opened in a **real** Chromium (Debian's, driven over WebDriver by chromedriver).
//!
//! The session is an agent's: `computer-use serve --stdio --record` driven with hand-written JSON-RPC, each call
//! carrying the agent id and session key the OpenClaw shim sends. It launches a terminal, clicks into it, types a
//! secret, presses a key, drags, scrolls, runs a command, and makes a call that is refused (off the image), one
//! that fails in the VM, one with malformed arguments carrying an API key, and one the exec policy refuses.
//! Then: every call is a step, with the coordinates X itself reports; the arguments are exactly the audit log's;
//! nothing in the recording's text or the server's stderr contains the secret, the API key or image data. The
//! page `record view` writes opens from disk with no console error and no request, shows every step, draws the
//! click where it landed (within 2 px on the displayed image), and moves with ←/→, `f` and search. A PNG of
//! the page is written for people to look at (its path is printed).
//!
//! Another test kills the server with SIGKILL while it is recording and reads the recording back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::browser::Browser;
use common::{BIN, Server, initialize};
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::key::Key;
use recording::Recording;
use serde_json::{Value, json};
use testkit::desktop::Desktop;

const SECRET: &str = "hunter2-typed-secret";
const API_KEY: &str = "sk-live-SECRET123";
const AGENT: &str = "worker";
const SESSION: &str = "agent:worker:main";

/// A tools/call for the agent's session; returns the JSON-RPC reply.
fn call(server: &mut Server, id: u64, tool: &str, args: Value) -> Value {
    server.request(
        id,
        "tools/call",
        json!({
            "name": tool,
            "arguments": args,
            "_meta": {"computer-use/agent": AGENT, "computer-use/session": SESSION},
        }),
    )
}

fn ok(reply: &Value) -> &Value {
    assert_eq!(reply["result"]["isError"], json!(false), "{reply}");
    &reply["result"]["structuredContent"]
}

/// Waits until a visible XTerm window exists and its pixels stop changing (polling X, not sleeping a guess).
fn wait_for_terminal(desktop: &Desktop) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        let out =
            desktop.run_in_display("xdotool", ["search", "--onlyvisible", "--class", "XTerm"]);
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if let Some(w) = text.lines().next() {
            break w.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "the launched xterm did not appear"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut last = Vec::new();
    let mut still = 0;
    while still < 3 {
        let dump = desktop
            .run_in_display("xwd", ["-silent", "-id", &window])
            .stdout;
        still = if !dump.is_empty() && dump == last {
            still + 1
        } else {
            0
        };
        last = dump;
        assert!(Instant::now() < deadline, "the xterm kept changing");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn mouse(desktop: &Desktop) -> (i64, i64) {
    let out = desktop.run_in_display("xdotool", ["getmouselocation", "--shell"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    (get("X"), get("Y"))
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every file of the recording except its images, as text.
fn recording_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mcp_session_is_recorded_step_by_step_without_secrets_and_opens_in_a_real_browser() {
    let desktop = Desktop::start();
    assert_eq!(desktop.screen_size(), (1280, 800));
    let dir = tempfile::Builder::new()
        .prefix("cu-record-mcp-")
        .tempdir()
        .unwrap();
    let rec_root = dir.path().join("recordings");
    let audit = dir.path().join("audit.jsonl");
    let typed = dir.path().join("typed.txt");
    let config = dir.path().join("computer-use.json5");
    std::fs::write(
        &config,
        format!(
            r#"{{
  provider: "url", serverUrl: "{}", connectTimeoutMs: 5000,
  audit: {{ path: {:?} }},
  record: {{ dir: {:?}, screenshotAfterInput: true }},
  guards: {{ exec: {{ mode: "deny", deny: ["rm -rf *"] }} }},
}}"#,
            desktop.ws_url(),
            audit.display().to_string(),
            rec_root.display().to_string(),
        ),
    )
    .unwrap();
    let config_arg = config.to_string_lossy().to_string();
    let (mut server, _) = Server::spawn_with(&["--config", &config_arg, "serve", "--stdio"], &[]);
    server.request(1, "initialize", initialize());
    server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    // 1 look, 2 launch a terminal whose shell writes what is typed to a file, 3 look again.
    let shot = ok(&call(&mut server, 2, "vm_screenshot", json!({}))).clone();
    assert_eq!(
        (shot["width"].as_u64(), shot["height"].as_u64()),
        (Some(640), Some(400))
    );
    ok(&call(
        &mut server,
        3,
        "vm_launch",
        json!({"app": "xterm", "args": [
            "-geometry", "60x10+40+40", "-xrm", "XTerm*allowSendEvents: true",
            "-e", "sh", "-c", format!("cat > {}", typed.display()),
        ]}),
    ));
    wait_for_terminal(&desktop);
    let frame = ok(&call(&mut server, 4, "vm_screenshot", json!({})))["frame"]
        .as_u64()
        .unwrap();
    // 4 click into the terminal (image pixels; the image is half the screen's size).
    ok(&call(
        &mut server,
        5,
        "vm_click",
        json!({"x": 100, "y": 60, "frame": frame}),
    ));
    assert_eq!(
        mouse(&desktop),
        (200, 120),
        "X reports the click where the recording must say it landed"
    );
    // 5 type the secret, 6 a key: the shell's `cat` writes the line.
    ok(&call(&mut server, 6, "vm_type", json!({"text": SECRET})));
    ok(&call(&mut server, 7, "vm_key", json!({"keys": "enter"})));
    testkit::eventually(Duration::from_secs(10), async || {
        std::fs::read_to_string(&typed)
            .ok()
            .filter(|t| t.contains(SECRET))
    })
    .await
    .expect("the typed line reached the terminal's shell");
    // 7 drag, 8 scroll at a point, 9 a command whose output is the secret.
    ok(&call(
        &mut server,
        8,
        "vm_drag",
        json!({"from": [70, 50], "to": [150, 50]}),
    ));
    assert_eq!(mouse(&desktop), (300, 100));
    ok(&call(
        &mut server,
        9,
        "vm_scroll",
        json!({"direction": "down", "clicks": 2, "x": 120, "y": 70}),
    ));
    let exec = ok(&call(
        &mut server,
        10,
        "vm_exec",
        json!({"command": format!("cat {}", typed.display())}),
    ))
    .clone();
    assert_eq!(
        exec["stdout"],
        format!("{SECRET}\n"),
        "the model itself reads the output"
    );
    // 10 refused (off the image), 11 failed in the VM, 12 malformed (with an API key), 13 refused by a guard.
    let off = call(&mut server, 11, "vm_click", json!({"x": 5000, "y": 5}));
    assert_eq!(off["result"]["isError"], json!(true), "{off}");
    let missing = call(
        &mut server,
        12,
        "vm_file_read",
        json!({"path": "/nonexistent/cu-record-test"}),
    );
    assert_eq!(
        missing["result"]["structuredContent"]["error"], "failed",
        "{missing}"
    );
    let malformed = call(
        &mut server,
        13,
        "vm_type",
        json!({"text": "x", "apiKey": API_KEY}),
    );
    assert_eq!(malformed["error"]["code"], -32602, "{malformed}");
    let refused = call(
        &mut server,
        14,
        "vm_exec",
        json!({"command": "rm -rf /tmp/cu-record-nothing"}),
    );
    assert_eq!(
        refused["result"]["structuredContent"]["error"], "rejected",
        "{refused}"
    );
    // 14 a last look.
    ok(&call(&mut server, 15, "vm_screenshot", json!({})));
    let stderr = server.stop();

    // One recording: this VM, agent and session.
    let dirs = recording::list::recording_dirs(&rec_root);
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let r = Recording::open(&dirs[0]).unwrap();
    assert_eq!(r.meta.vm, "default");
    assert_eq!(r.meta.agent.as_deref(), Some(AGENT));
    assert_eq!(r.meta.session.as_deref(), Some(SESSION));
    assert!(!r.cut && r.bad_lines == 0);
    let tools: Vec<&str> = r.steps.iter().map(|s| s.tool.as_str()).collect();
    assert_eq!(
        tools,
        [
            "vm_screenshot",
            "vm_launch",
            "vm_screenshot",
            "vm_click",
            "vm_type",
            "vm_key",
            "vm_drag",
            "vm_scroll",
            "vm_exec",
            "vm_click",
            "vm_file_read",
            "vm_type",
            "vm_exec",
            "vm_screenshot",
        ]
    );
    let outcomes: Vec<&str> = r.steps.iter().map(|s| s.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "ok",
            "rejected",
            "failed",
            "invalid_arguments",
            "rejected",
            "ok"
        ]
    );
    assert_eq!(
        r.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
        (1..=14).collect::<Vec<_>>()
    );

    // Arguments, outcome and guard exactly as the audit log has them.
    let audit = audit_lines(&audit);
    assert_eq!(audit.len(), r.steps.len());
    for (step, line) in r.steps.iter().zip(&audit) {
        assert_eq!(step.tool, line["tool"], "step {}", step.step);
        assert_eq!(
            step.args, line["args"],
            "step {}: arguments differ from the audit log's",
            step.step
        );
        assert_eq!(step.outcome, line["outcome"], "step {}", step.step);
        assert_eq!(
            step.guard.as_deref(),
            line["guard"].as_str(),
            "step {}",
            step.step
        );
    }

    // The images the model received, with their place on the screen.
    for n in [1, 3, 14] {
        let s = &r.steps[n - 1];
        let image = s
            .image
            .as_ref()
            .unwrap_or_else(|| panic!("step {n} has no image"));
        assert_eq!(
            (image.width, image.height, image.region),
            (640, 400, Some([0.0, 0.0, 1280.0, 800.0]))
        );
        let bytes = r.image_bytes(image).unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 400), "step {n}");
    }
    assert_eq!(r.steps[2].image.as_ref().unwrap().frame, Some(frame));
    // Where input landed, in screen pixels: what X reported above.
    let landed = |n: usize| {
        r.steps[n - 1]
            .landed
            .clone()
            .unwrap_or_else(|| panic!("step {n} has no landing point"))
    };
    assert_eq!(
        (landed(4).x, landed(4).y, landed(4).path),
        (200.0, 120.0, None)
    );
    assert_eq!(landed(7).path, Some(vec![[140.0, 100.0], [300.0, 100.0]]));
    assert_eq!((landed(8).x, landed(8).y), (240.0, 140.0));
    // After each input action, a screenshot of the whole screen for the recording (the model never saw it).
    for n in [4, 5, 6, 7, 8] {
        let after = r.steps[n - 1]
            .after
            .as_ref()
            .unwrap_or_else(|| panic!("step {n} has no after image"));
        assert_eq!((after.width, after.height), (1280, 800), "step {n}");
        assert!(r.image_bytes(after).is_some(), "step {n}");
    }
    assert!(
        r.steps[9].after.is_none(),
        "a refused click has no after image"
    );
    // The command's output, scrubbed of what was typed earlier; the refusals and failures with their reasons.
    let exec = r.steps[8].exec.as_ref().unwrap();
    assert_eq!(
        (exec.return_code, exec.stdout.as_str()),
        (0, "[redacted]\n")
    );
    assert!(
        r.steps[9]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("outside the 640x400 image"),
        "{:?}",
        r.steps[9].error
    );
    assert_eq!(r.steps[11].args["apiKey"], json!({"redacted": "secret"}));
    assert_eq!(r.steps[12].guard.as_deref(), Some("exec_policy"));
    assert_eq!(r.steps[4].args["text"]["redacted"], "text");
    assert_eq!(r.steps[5].args, json!({"keys": "enter"}));

    // No secret, API key or image data anywhere but the image files; none on stderr.
    let text = recording_text(&dirs[0]);
    for banned in [SECRET, API_KEY, "iVBOR", "/9j/"] {
        assert!(
            !text.contains(banned),
            "the recording's text contains {banned}"
        );
        assert!(
            !stderr.contains(banned),
            "stderr contains {banned}:\n{stderr}"
        );
    }

    view_in_chromium(&dirs[0], &r).await;
}

/// `record view`, then the page in Chromium: no console error, no request, every step, the click marker where
/// the click landed, keyboard navigation, "next failure" and search; a PNG of the page for people.
async fn view_in_chromium(dir: &Path, r: &Recording) {
    let page = dir.join("page.html");
    let out = Command::new(BIN)
        .args(["record", "view"])
        .arg(dir)
        .arg("-o")
        .arg(&page)
        .env_remove("COMPUTER_USE_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "record view failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let browser = Browser::start(1400, 1000).await;
    let url = format!("file://{}", page.display());
    // What the browser loaded before our page (its own start page) is not the page's doing.
    browser.log("performance").await;
    browser.log("browser").await;
    browser.client.goto(&url).await.unwrap();
    let ready = browser
        .eval("return document.body.dataset.ready === '1';")
        .await;
    assert_eq!(ready, json!(true), "the page's script did not finish");
    assert_eq!(
        browser.eval("return document.body.dataset.count;").await,
        json!(r.steps.len().to_string())
    );
    assert_eq!(
        browser
            .eval("return document.querySelectorAll('#strip .cell').length;")
            .await,
        json!(r.steps.len())
    );
    assert_eq!(
        browser.eval("return document.body.dataset.step;").await,
        json!("1")
    );

    // ←/→: to the click (step 4).
    for _ in 0..3 {
        press(&browser, Key::Right).await;
    }
    assert_eq!(
        browser.eval("return document.body.dataset.step;").await,
        json!("4")
    );
    press(&browser, Key::Left).await;
    press(&browser, Key::Right).await;
    // The marker sits where the click landed: image pixel (100, 60) of the 640x400 screenshot the agent clicked on.
    let geometry = browser
        .eval(
            "const m = document.getElementById('marker'); const img = m.closest('.frame').querySelector('img');
             const r = img.getBoundingClientRect(); const c = m.getBoundingClientRect();
             return [c.left + c.width / 2, c.top + c.height / 2, r.left, r.top, r.width, r.height, img.naturalWidth];",
        )
        .await;
    let g: Vec<f64> = geometry
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        g[6], 640.0,
        "the marker is drawn on the model's 640x400 image"
    );
    let expected = (g[2] + 100.0 * g[4] / 640.0, g[3] + 60.0 * g[5] / 400.0);
    assert!(
        (g[0] - expected.0).abs() <= 2.0 && (g[1] - expected.1).abs() <= 2.0,
        "marker at ({}, {}), the click landed at ({}, {}) on the displayed image",
        g[0],
        g[1],
        expected.0,
        expected.1
    );
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let png = shots.join("record-viewer-click.png");
    std::fs::write(&png, browser.client.screenshot().await.unwrap()).unwrap();
    println!("viewer screenshot (the click step): {}", png.display());

    // `f` goes to the next failure and wraps; `F` back.
    let mut visited = Vec::new();
    for _ in 0..5 {
        press(&browser, 'f').await;
        visited.push(browser.eval("return document.body.dataset.step;").await);
    }
    assert_eq!(
        visited,
        [
            json!("10"),
            json!("11"),
            json!("12"),
            json!("13"),
            json!("10")
        ]
    );
    press(&browser, 'F').await;
    assert_eq!(
        browser.eval("return document.body.dataset.step;").await,
        json!("13")
    );
    let png = shots.join("record-viewer-refusal.png");
    std::fs::write(&png, browser.client.screenshot().await.unwrap()).unwrap();
    println!("viewer screenshot (a guard refusal): {}", png.display());

    // `/` then a query: the matching steps; Enter goes to the next one.
    press(&browser, '/').await;
    for c in "vm_exec".chars() {
        press(&browser, c).await;
    }
    assert_eq!(
        browser.eval("return document.body.dataset.matches;").await,
        json!("2")
    );
    press(&browser, Key::Enter).await;
    assert_eq!(
        browser.eval("return document.body.dataset.step;").await,
        json!("9")
    );

    // Nothing went wrong, and nothing was fetched: the page's own file is the only request.
    let console = browser.log("browser").await;
    let errors: Vec<&Value> = console
        .iter()
        .filter(|e| e["level"] != "INFO" && e["level"] != "DEBUG")
        .collect();
    assert!(errors.is_empty(), "console messages: {errors:#?}");
    // Requests the page made: those of its document, or started by it. (Chromium's own start page, still
    // loading chrome:// resources in the background, is not the page's doing.)
    let events: Vec<Value> = browser
        .log("performance")
        .await
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
        .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
        .map(|m| m["message"]["params"].clone())
        .collect();
    let request_url = |p: &Value| p["request"]["url"].as_str().unwrap_or("").to_owned();
    assert!(
        events.iter().any(|p| request_url(p) == url),
        "the network log did not even see the page's own load: {events:#?}"
    );
    let requests: Vec<String> = events
        .iter()
        .filter(|p| p["documentURL"] == url.as_str() || p["initiator"]["url"] == url.as_str())
        .map(request_url)
        .filter(|u| !u.starts_with("data:") && *u != url)
        .collect();
    assert!(requests.is_empty(), "the page made requests: {requests:?}");
    browser.close().await;
}

/// One key press (down and up) to whatever has the focus.
async fn press(browser: &Browser, key: impl Into<char>) {
    let value = key.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value })
        .then(KeyAction::Up { value });
    browser.client.perform_actions(keys).await.unwrap();
}

#[test]
fn a_recording_cut_by_sigkill_mid_step_reads_back_to_its_last_complete_step() {
    let desktop = Desktop::start();
    let dir = tempfile::Builder::new()
        .prefix("cu-record-kill-")
        .tempdir()
        .unwrap();
    // Kill once the recording holds 1, 5 and 12 whole steps: calls are still queued and one is running.
    for (round, target) in [1usize, 5, 12].into_iter().enumerate() {
        let root = dir.path().join(format!("round-{round}"));
        let root_arg = root.to_string_lossy().to_string();
        let (mut server, _) = Server::spawn_with(
            &["serve", "--stdio", "--record", &root_arg],
            &[
                ("COMPUTER_USE_PROVIDER", "url"),
                ("COMPUTER_USE_SERVER_URL", &desktop.ws_url()),
                ("COMPUTER_USE_CONNECT_TIMEOUT_MS", "5000"),
            ],
        );
        server.request(1, "initialize", initialize());
        server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        // Forty calls in flight at once (they run one at a time on the VM), killed part-way.
        let sent = 40;
        for id in 0..sent {
            let (tool, args) = match id % 3 {
                0 => ("vm_screenshot", json!({})),
                1 => ("vm_exec", json!({"command": format!("echo call-{id}")})),
                _ => ("vm_move", json!({"x": 10 + id, "y": 10})),
            };
            server.send(
                &json!({"jsonrpc": "2.0", "id": 100 + id, "method": "tools/call",
                "params": {"name": tool, "arguments": args}}),
            );
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let lines = recording::list::recording_dirs(&root)
                .first()
                .and_then(|d| std::fs::read(d.join(recording::format::STEPS_FILE)).ok())
                .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
            if lines >= target {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: only {lines} steps recorded after 30 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        server.kill();

        let dirs = recording::list::recording_dirs(&root);
        assert_eq!(dirs.len(), 1, "round {round}: {dirs:?}");
        let r = Recording::open(&dirs[0]).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let n = r.steps.len();
        assert!(
            n >= target && n < sent as usize,
            "round {round}: {n} steps; the kill must fall inside the session"
        );
        assert_eq!(r.bad_lines, 0, "round {round}");
        assert_eq!(
            r.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
            (1..=n as u64).collect::<Vec<_>>()
        );
        for s in &r.steps {
            if let Some(image) = &s.image {
                let bytes = r
                    .image_bytes(image)
                    .unwrap_or_else(|| panic!("round {round}: step {} lost its image", s.step));
                assert!(
                    image::load_from_memory(&bytes).is_ok(),
                    "round {round}: step {}'s image is whole",
                    s.step
                );
            }
        }
        // And it still makes a page.
        let out = Command::new(BIN)
            .args(["record", "view"])
            .arg(&dirs[0])
            .env_remove("COMPUTER_USE_CONFIG")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!(
            "round {round}: killed with {n} of {sent} steps recorded (last line cut: {})",
            r.cut
        );
    }
}
