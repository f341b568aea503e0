//! The pointer tools against the real server on a private Xvfb desktop. Effects are checked on the X
//! display, independently of the server: the pointer with `xdotool getmouselocation`, held buttons with the
//! core pointer's `QueryPointer` mask ([`Desktop::pointer_buttons`]: python-xlib from the server's own venv;
//! `xdotool` cannot show buttons and `xinput` is not installed), the X PRIMARY selection with `xclip`, wheel and button events
//! with a small X client that prints every button press its window receives, and screenshots.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use computer_use::tools::pointer::held;
use computer_use::tools::{ToolContext, ToolErrorKind};
use cua_protocol::{Button, CaptureFormat};
use serde_json::{Value, json};
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;
use tokio_util::sync::CancellationToken;

/// xterm's multi-click interval is 250 ms by default; wait it out (generously: the machine is loaded) so the
/// next press starts a new selection instead of extending the previous one.
const MULTI_CLICK_GAP: Duration = Duration::from_millis(700);

fn close(actual: (i64, i64), expected: (i64, i64), tolerance: i64, what: &str) {
    assert!(
        (actual.0 - expected.0).abs() <= tolerance && (actual.1 - expected.1).abs() <= tolerance,
        "{what}: X pointer at {actual:?}, expected {expected:?} ±{tolerance}"
    );
}

const BUTTON1_MASK: u32 = 1 << 8;

fn primary(desktop: &Desktop) -> String {
    String::from_utf8_lossy(
        &desktop
            .run_in_display("xclip", ["-o", "-selection", "primary"])
            .stdout,
    )
    .to_string()
}

async fn primary_becomes(desktop: &Desktop, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let got = eventually(Duration::from_secs(3), async || {
        Some(primary(desktop)).filter(|s| ok(s))
    })
    .await;
    got.unwrap_or_else(|| panic!("{what}: PRIMARY is {:?}", primary(desktop)))
}

/// Clicks (`button`: double or triple) at `at` until PRIMARY satisfies `ok`, at most three times. xterm counts
/// a multi-click only when its presses arrive within 250 ms of each other; on a loaded 2-core machine the X
/// server occasionally delivers them later, which xterm reads as separate clicks. Each attempt starts after
/// the multi-click gap, so attempts never combine; a click kind that does not work fails all three.
async fn click_until_primary(
    ctx: &ToolContext,
    desktop: &Desktop,
    at: Value,
    button: &str,
    ok_text: impl Fn(&str) -> bool,
) {
    for attempt in 1..=3 {
        tokio::time::sleep(MULTI_CLICK_GAP).await;
        ok(
            ctx,
            "vm_click",
            json!({"x": at[0], "y": at[1], "button": button}),
        )
        .await;
        let got = eventually(Duration::from_secs(2), async || {
            Some(primary(desktop)).filter(|s| ok_text(s))
        })
        .await;
        if got.is_some() {
            return;
        }
        eprintln!(
            "{button} click attempt {attempt}: PRIMARY is {:?}",
            primary(desktop)
        );
    }
    panic!(
        "{button} click: PRIMARY is {:?} after three attempts",
        primary(desktop)
    );
}

/// An xterm at the top-left showing `alpha beta gamma` on its first row, focused. Returns it (dropping it
/// closes it) and (x of the first cell's left edge, y of the first row's centre, cell width, row height) in
/// screen pixels.
async fn xterm_with_text<'d>(
    desktop: &'d Desktop,
    ctx: &ToolContext,
    title: &str,
) -> (Xterm<'d>, (f64, f64, f64, f64)) {
    // A shell without the user's start-up files: a slow or hanging rc file (pyenv's rehash lock, seen here)
    // would swallow the typed command line.
    let term = Xterm::builder(desktop, title)
        .command(["bash", "--norc", "--noprofile"])
        .open()
        .await;
    term.focus().await;
    let session = ctx.session().unwrap();
    let gui = session.gui();
    gui.type_text("clear; echo alpha beta gamma").await.unwrap();
    gui.press_key("enter").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let win = i64::from(term.window());
    let size = gui.window_size(win).await.unwrap();
    let (wx, wy) = gui.window_position(win).await.unwrap();
    let row_h = f64::from(size.height) / 20.0;
    let char_w = f64::from(size.width) / 80.0;
    (term, (wx as f64, wy as f64 + row_h * 0.5, char_w, row_h))
}

/// A bare X window (override-redirect, so it sits exactly where asked) whose client prints the button
/// number of every press it receives: clicks and wheel notches become observable lines.
struct EventWindow {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl EventWindow {
    const SCRIPT: &str = r#"
import sys
from Xlib import X, display
d = display.Display()
s = d.screen()
w = s.root.create_window(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), 0,
    s.root_depth, X.InputOutput, X.CopyFromParent, background_pixel=s.white_pixel,
    override_redirect=True, event_mask=X.ButtonPressMask | X.ExposureMask)
w.map()
d.sync()
print("ready", flush=True)
while True:
    e = d.next_event()
    if e.type == X.ButtonPress:
        print(e.detail, flush=True)
"#;

    /// Opens the window at (x, y) with size (w, h), screen pixels.
    fn open(desktop: &Desktop, x: u32, y: u32, w: u32, h: u32) -> EventWindow {
        let mut child = desktop
            .command(desktop.server_python())
            .args([
                "-c",
                Self::SCRIPT,
                &x.to_string(),
                &y.to_string(),
                &w.to_string(),
                &h.to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines.recv_timeout(Duration::from_secs(10));
        assert_eq!(
            first.as_deref(),
            Ok("ready"),
            "the event window did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
        EventWindow { child, lines }
    }

    /// Button numbers received so far (waits until `n` arrived or 3 s passed, then a little longer to catch
    /// extras).
    fn presses(&self, n: usize) -> Vec<u8> {
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while got.len() < n && std::time::Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                got.push(line.trim().parse().unwrap());
            }
        }
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(300)) {
            got.push(line.trim().parse().unwrap());
        }
        got
    }
}

impl Drop for EventWindow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn schema_of(name: &str) -> Value {
    computer_use::tools::list()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"))
        .input_schema
}

#[tokio::test]
async fn the_seed_tools_keep_their_parameters_and_defaults() {
    let click = schema_of("vm_click");
    assert_eq!(click["required"], json!(["x", "y"]), "{click}");
    let buttons = click["properties"]["button"].to_string();
    for b in ["left", "right", "double", "middle", "triple"] {
        assert!(buttons.contains(&format!("\"{b}\"")), "{buttons}");
    }
    assert_eq!(click["properties"]["button"]["default"], json!("left"));
    let scroll = schema_of("vm_scroll");
    assert_eq!(scroll["required"], json!(["direction"]), "{scroll}");
    assert_eq!(scroll["properties"]["clicks"]["default"], json!(5));
    let dirs = scroll["properties"]["direction"].to_string();
    for d in ["up", "down", "left", "right"] {
        assert!(dirs.contains(&format!("\"{d}\"")), "{dirs}");
    }
    // Closed by the argument types (the lean list carries no `additionalProperties`): an unknown field is
    // refused by name before anything is sent.
    let ctx = ctx_for("{}");
    for name in [
        "vm_click",
        "vm_move",
        "vm_drag",
        "vm_mouse",
        "vm_cursor",
        "vm_zoom",
    ] {
        assert!(
            schema_of(name).get("additionalProperties").is_none(),
            "{name}"
        );
        let e = err(&ctx, name, json!({"bogus": 1})).await;
        assert_eq!(e.kind, ToolErrorKind::InvalidArguments, "{name}: {e}");
        assert!(e.message.contains("unknown field `bogus`"), "{name}: {e}");
    }
}

#[tokio::test]
async fn half_scale_maps_moves_and_clicks_onto_the_screen() {
    let desktop = Desktop::start();
    // No screenshot yet: the first pointer call captures one to establish the frame.
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let out = ok(&ctx, "vm_move", json!({"x": 320, "y": 200})).await;
    close(
        xdotool_mouse(&desktop),
        (640, 400),
        1,
        "vm_move without a screenshot",
    );
    assert!(
        out.joined_text().contains("640x400"),
        "{}",
        out.joined_text()
    );

    let shot = ok(&ctx, "vm_screenshot", json!({})).await;
    let f1 = shot.details["frame"].as_u64().unwrap();
    let out = ok(&ctx, "vm_move", json!({"x": 10, "y": 390})).await;
    close(xdotool_mouse(&desktop), (20, 780), 1, "vm_move (10, 390)");
    assert_eq!(out.details["inputX"], json!(20.0));
    assert_eq!(out.details["inputY"], json!(780.0));
    assert_eq!(out.details["frame"], json!(f1));

    let out = ok(&ctx, "vm_click", json!({"x": 320, "y": 200, "frame": f1})).await;
    close(
        xdotool_mouse(&desktop),
        (640, 400),
        1,
        "vm_click (320, 200)",
    );
    let text = out.joined_text();
    assert!(
        text.contains("(320, 200)") && text.contains("(640, 400)"),
        "{text}"
    );
    assert_eq!(out.details["x"], json!(320.0));
    assert_eq!(out.details["inputX"], json!(640.0));

    let cursor = ok(&ctx, "vm_cursor", json!({})).await;
    assert_eq!(cursor.details["x"], json!(320.0), "{cursor:?}");
    assert_eq!(cursor.details["y"], json!(200.0));
    assert_eq!(cursor.details["inputX"], json!(640.0));
    assert_eq!(cursor.details["inside"], json!(true));

    let before = xdotool_mouse(&desktop);
    let e = err(&ctx, "vm_click", json!({"x": 640, "y": 10})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(e.message.contains("0..640"), "{e}");
    let e = err(&ctx, "vm_move", json!({"x": 5, "y": -1})).await;
    assert!(e.message.contains("0..400"), "{e}");
    assert_eq!(
        xdotool_mouse(&desktop),
        before,
        "a refused call must not move"
    );

    // Stale frame: a screenshot of a changed screen makes the first one unusable for citing (of an unchanged
    // screen it would be "unchanged since frame f1", and f1 would stay valid: `tools_unchanged.rs`).
    desktop.run_in_display("xsetroot", ["-solid", "#204060"]);
    let f2 = ok(&ctx, "vm_screenshot", json!({})).await.details["frame"]
        .as_u64()
        .unwrap();
    assert!(f2 > f1);
    let e = err(&ctx, "vm_click", json!({"x": 100, "y": 100, "frame": f1})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(e.message.contains("take a new screenshot"), "{e}");
    assert_eq!(
        xdotool_mouse(&desktop),
        before,
        "a stale click must not move"
    );
    ok(&ctx, "vm_move", json!({"x": 100, "y": 100, "frame": f2})).await;
    close(
        xdotool_mouse(&desktop),
        (200, 200),
        1,
        "vm_move citing the latest frame",
    );

    let e = err(
        &ctx,
        "vm_click",
        json!({"x": 1, "y": 1, "button": "sideways"}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
    let e = err(&ctx, "vm_click", json!({"x": 1, "y": 1, "bogus": true})).await;
    assert!(e.message.contains("unknown field `bogus`"), "{e}");
}

#[tokio::test]
async fn another_geometry_maps_too() {
    let desktop = Desktop::builder().screen(1600, 1000).start();
    let ctx = ctx(&desktop, "screenshotScale: 0.6");
    let shot = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(shot.details["width"], json!(960));
    assert_eq!(shot.details["height"], json!(600));
    ok(&ctx, "vm_move", json!({"x": 480, "y": 300})).await;
    close(xdotool_mouse(&desktop), (800, 500), 1, "centre");
    ok(&ctx, "vm_click", json!({"x": 120, "y": 450})).await;
    close(xdotool_mouse(&desktop), (200, 750), 1, "(120, 450) / 0.6");
    ok(&ctx, "vm_move", json!({"x": 959, "y": 599})).await;
    close(
        xdotool_mouse(&desktop),
        (1598, 998),
        2,
        "bottom-right pixel",
    );
    let cursor = ok(&ctx, "vm_cursor", json!({})).await;
    assert!(
        (cursor.details["x"].as_f64().unwrap() - 959.0).abs() <= 1.0
            && (cursor.details["y"].as_f64().unwrap() - 599.0).abs() <= 1.0,
        "{cursor:?}"
    );
    let e = err(&ctx, "vm_click", json!({"x": 960, "y": 0})).await;
    assert!(
        e.message.contains("0..960") && e.message.contains("0..600"),
        "{e}"
    );
}

#[tokio::test]
async fn each_click_kind_and_scroll_direction_reaches_the_window_under_the_point() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    ok(&ctx, "vm_screenshot", json!({})).await;
    // Screen (600..900, 300..500) = image (300..450, 150..250).
    let events = EventWindow::open(&desktop, 600, 300, 300, 200);
    let at = json!({"x": 375, "y": 200});
    let click = |button: &str| {
        let mut args = at.clone();
        args["button"] = json!(button);
        args
    };
    for (button, expected) in [
        ("left", vec![1]),
        ("right", vec![3]),
        ("middle", vec![2]),
        ("double", vec![1, 1]),
        ("triple", vec![1, 1, 1]),
    ] {
        let out = ok(&ctx, "vm_click", click(button)).await;
        assert_eq!(out.details["button"], json!(button));
        assert_eq!(
            events.presses(expected.len()),
            expected,
            "vm_click {button}"
        );
        tokio::time::sleep(MULTI_CLICK_GAP).await;
    }
    // The seed's default button is left.
    ok(&ctx, "vm_click", at.clone()).await;
    assert_eq!(events.presses(1), vec![1], "vm_click without a button");
    assert_eq!(
        desktop.pointer_buttons(),
        0,
        "no button left held by clicks"
    );

    // Scrolling: X wheel buttons 4 up, 5 down, 6 left, 7 right; one press per click.
    ok(&ctx, "vm_move", json!({"x": 10, "y": 10})).await;
    for (direction, clicks, button) in [
        ("up", 2, 4u8),
        ("down", 3, 5),
        ("left", 2, 6),
        ("right", 4, 7),
    ] {
        let out = ok(
            &ctx,
            "vm_scroll",
            json!({"direction": direction, "clicks": clicks, "x": 375, "y": 200}),
        )
        .await;
        assert_eq!(out.details["direction"], json!(direction));
        assert_eq!(
            events.presses(clicks),
            vec![button; clicks],
            "vm_scroll {direction} {clicks}"
        );
        // The scroll moved the pointer there first.
        close(xdotool_mouse(&desktop), (750, 400), 1, "scroll point");
        ok(&ctx, "vm_move", json!({"x": 10, "y": 10})).await;
    }
    // The seed's default: 5 clicks, where the pointer is. (Not over the root window: openbox switches
    // desktops on the root's wheel.)
    ok(&ctx, "vm_move", at.clone()).await;
    let out = ok(&ctx, "vm_scroll", json!({"direction": "down"})).await;
    assert_eq!(out.details["clicks"], json!(5));
    assert!(
        out.joined_text().contains("where the pointer is"),
        "{}",
        out.joined_text()
    );
    assert_eq!(events.presses(5), vec![5; 5], "default clicks");

    let e = err(&ctx, "vm_scroll", json!({"direction": "up", "clicks": 0})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    let e = err(&ctx, "vm_scroll", json!({"direction": "up", "x": 5})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
    let e = err(&ctx, "vm_scroll", json!({"direction": "sideways"})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
}

#[tokio::test]
async fn scrolling_an_xterm_changes_what_it_shows() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let (_term, (x0, y, _, row_h)) = xterm_with_text(&desktop, &ctx, "scroll-test").await;
    let session = ctx.session().unwrap();
    session.gui().type_text("seq 1 300").await.unwrap();
    session.gui().press_key("enter").await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let shot = async || {
        session
            .gui()
            .screenshot(CaptureFormat::Png, None)
            .await
            .unwrap()
            .bytes
    };
    let settle = || tokio::time::sleep(Duration::from_millis(300));
    let bottom = shot().await;
    let inside = json!({"x": (x0 + 200.0) / 2.0, "y": (y + row_h * 5.0) / 2.0});
    let mut up = inside.clone();
    up["direction"] = json!("up");
    ok(&ctx, "vm_scroll", up).await;
    settle().await;
    let scrolled = shot().await;
    assert!(scrolled != bottom, "vm_scroll up changed nothing on screen");
    ok(&ctx, "vm_scroll", json!({"direction": "down"})).await;
    settle().await;
    assert!(
        shot().await == bottom,
        "vm_scroll down by the same 5 clicks did not return to the bottom"
    );
    // Horizontal scrolling is accepted (an xterm ignores it; the event window test checks it arrives).
    for direction in ["left", "right"] {
        let mut args = inside.clone();
        args["direction"] = json!(direction);
        args["clicks"] = json!(1);
        ok(&ctx, "vm_scroll", args).await;
    }
}

#[tokio::test]
async fn drags_and_held_buttons_select_text_in_an_xterm() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let (_term, (x0, y, char_w, _)) = xterm_with_text(&desktop, &ctx, "select-test").await;
    // Image coordinates of the centre of cell `col` on the first row (screen / 2; fractions are allowed).
    let cell = |col: f64| json!([(x0 + char_w * col) / 2.0, y / 2.0]);

    // Path form: press near the start of "alpha", pass through, release inside "beta".
    let out = ok(
        &ctx,
        "vm_drag",
        json!({"path": [cell(0.2), cell(3.5), cell(6.5), cell(9.5)]}),
    )
    .await;
    assert_eq!(out.details["points"], json!(4));
    primary_becomes(&desktop, "path drag", |s| s.starts_with("alpha be")).await;
    assert_eq!(desktop.pointer_buttons(), 0, "the drag released its button");

    // from/to form.
    tokio::time::sleep(MULTI_CLICK_GAP).await;
    ok(
        &ctx,
        "vm_drag",
        json!({"from": cell(11.2), "to": cell(15.5)}),
    )
    .await;
    primary_becomes(&desktop, "from/to drag", |s| {
        s.trim_start().starts_with("gamm")
    })
    .await;

    // By hand: down, move, (check the cursor and that X sees the button held), up.
    tokio::time::sleep(MULTI_CLICK_GAP).await;
    let start = cell(0.2);
    let out = ok(
        &ctx,
        "vm_mouse",
        json!({"action": "down", "x": start[0], "y": start[1]}),
    )
    .await;
    assert!(
        out.joined_text().contains("holding"),
        "{}",
        out.joined_text()
    );
    let session = ctx.session().unwrap();
    assert_eq!(held::held(&session), vec![Button::Left]);
    let end = cell(4.5);
    ok(&ctx, "vm_move", json!({"x": end[0], "y": end[1]})).await;
    assert_eq!(
        desktop.pointer_buttons(),
        BUTTON1_MASK,
        "X sees button 1 held"
    );
    let cursor = ok(&ctx, "vm_cursor", json!({})).await;
    let (cx, cy) = (
        cursor.details["x"].as_f64().unwrap(),
        cursor.details["y"].as_f64().unwrap(),
    );
    assert!(
        (cx - end[0].as_f64().unwrap()).abs() <= 1.0
            && (cy - end[1].as_f64().unwrap()).abs() <= 1.0,
        "vm_cursor {cx},{cy} vs the move target {end}"
    );
    assert!(
        cursor.joined_text().contains("Holding: left"),
        "{}",
        cursor.joined_text()
    );
    ok(&ctx, "vm_mouse", json!({"action": "up"})).await;
    assert!(held::held(&session).is_empty());
    assert_eq!(desktop.pointer_buttons(), 0);
    primary_becomes(&desktop, "vm_mouse down/move/up", |s| {
        s.starts_with("alph") && !s.contains("beta")
    })
    .await;

    // Double and triple clicks select a word and the whole line.
    let beta = cell(7.5);
    click_until_primary(&ctx, &desktop, beta.clone(), "double", |s| s == "beta").await;
    click_until_primary(&ctx, &desktop, beta, "triple", |s| {
        s.trim_end() == "alpha beta gamma"
    })
    .await;

    // Malformed drags are refused before anything is sent.
    let e = err(&ctx, "vm_drag", json!({"path": [cell(1.0)]})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
    let e = err(&ctx, "vm_drag", json!({"from": cell(1.0)})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
    let e = err(&ctx, "vm_drag", json!({"path": [cell(1.0), [700, 10]]})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(
        e.message.contains("point 2") && e.message.contains("0..640"),
        "{e}"
    );
    assert_eq!(desktop.pointer_buttons(), 0);
}

/// A long back-and-forth path along the first row: ~2 s of moves, so a cancellation lands mid-drag.
fn long_path(x0: f64, y: f64, char_w: f64) -> Value {
    let points: Vec<Value> = (0..200)
        .map(|i| {
            let col = f64::from(i % 40) + 0.5;
            json!([(x0 + char_w * col) / 2.0, y / 2.0])
        })
        .collect();
    json!({ "path": points })
}

#[tokio::test]
async fn a_cancelled_drag_leaves_no_button_held() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let (_term, (x0, y, char_w, row_h)) = xterm_with_text(&desktop, &ctx, "cancel-test").await;
    let session = ctx.session().unwrap();
    // Why the X button mask is the check: xterm publishes PRIMARY only on release, so "a later move does not
    // extend the selection" cannot be seen through xclip while a button is stuck; QueryPointer's mask is X's
    // own record of which core-pointer buttons are down, exactly what a stuck button would be.

    // The session's first pointer call measures the input space first; make it now (a move to an empty part of
    // the terminal), so the cancellation below lands part-way through the drag rather than before its press.
    ok(
        &ctx,
        "vm_move",
        json!({"x": (x0 + char_w * 40.0) / 2.0, "y": (y + row_h * 6.0) / 2.0}),
    )
    .await;

    // 1. The caller cancels the context's token mid-drag: the call returns Ambiguous after releasing.
    let cancelled = ToolContext {
        cancel: CancellationToken::new(),
        ..ctx.clone()
    };
    let token = cancelled.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        token.cancel();
    });
    let e = err(&cancelled, "vm_drag", long_path(x0, y, char_w)).await;
    assert_eq!(e.kind, ToolErrorKind::Ambiguous, "{e}");
    assert!(e.message.contains("part-way"), "{e}");
    assert!(e.message.contains("Released the held left button"), "{e}");
    assert!(held::held(&session).is_empty());
    assert_eq!(
        desktop.pointer_buttons(),
        0,
        "button 1 still held after a cancelled drag"
    );
    // The drag did press (xterm made a selection when the release came) ...
    let selected = primary_becomes(&desktop, "cancelled drag", |s| !s.is_empty()).await;
    // ... and a later plain move with the button up neither presses nor extends anything.
    tokio::time::sleep(MULTI_CLICK_GAP).await;
    ok(
        &ctx,
        "vm_move",
        json!({"x": (x0 + char_w * 60.0) / 2.0, "y": (y + row_h * 8.0) / 2.0}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(desktop.pointer_buttons(), 0);
    assert_eq!(
        primary(&desktop),
        selected,
        "a move after the cancelled drag changed the selection"
    );

    // 2. The caller drops the call (a timeout around it): the guard's task releases the button.
    tokio::time::sleep(MULTI_CLICK_GAP).await;
    let dropped = tokio::time::timeout(
        Duration::from_millis(400),
        computer_use::tools::call(&ctx, "vm_drag", long_path(x0, y, char_w)),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the drag finished within 400 ms: {dropped:?}"
    );
    // Nothing has run since the future was dropped (single-threaded test runtime): still held here.
    assert_eq!(held::held(&session), vec![Button::Left]);
    assert_eq!(
        desktop.pointer_buttons(),
        BUTTON1_MASK,
        "X sees the drag's button down mid-drag"
    );
    let released = eventually(Duration::from_secs(5), async || {
        (desktop.pointer_buttons() == 0 && held::held(&session).is_empty()).then_some(())
    })
    .await;
    assert!(
        released.is_some(),
        "the abandoned drag's button was not released (X mask {:#x}, recorded {:?})",
        desktop.pointer_buttons(),
        held::held(&session)
    );
    // The session still works afterwards.
    ok(&ctx, "vm_move", json!({"x": 10, "y": 10})).await;
    close(
        xdotool_mouse(&desktop),
        (20, 20),
        1,
        "move after an abandoned drag",
    );

    // 3. A button held with vm_mouse is released when a later pointer call is cancelled.
    tokio::time::sleep(MULTI_CLICK_GAP).await;
    // (An empty part of the xterm: a press there starts an empty selection and has no other effect.)
    let (ex, ey) = ((x0 + char_w * 60.0) / 2.0, (y + row_h * 10.0) / 2.0);
    ok(
        &ctx,
        "vm_mouse",
        json!({"action": "down", "x": ex, "y": ey}),
    )
    .await;
    assert_eq!(
        desktop.pointer_buttons(),
        BUTTON1_MASK,
        "button 1 held by vm_mouse"
    );
    let cancelled = ToolContext {
        cancel: CancellationToken::new(),
        ..ctx.clone()
    };
    cancelled.cancel.cancel();
    let e = err(&cancelled, "vm_move", json!({"x": ex - 20.0, "y": ey})).await;
    assert_eq!(e.kind, ToolErrorKind::Ambiguous, "{e}");
    assert!(e.message.contains("Released the held left button"), "{e}");
    assert!(held::held(&session).is_empty());
    assert_eq!(desktop.pointer_buttons(), 0);
}

/// Calibration sweeps the pointer to the far corner and back; with a button held that would be a drag
/// across the screen. After a reconnect (a new connection normally means measuring again) a held button
/// keeps the last measurement of the same screen size; with no measurement at all the screenshot is
/// refused with the fix, and works once the button is released.
#[tokio::test]
async fn calibration_never_sweeps_the_pointer_while_a_button_is_held() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 1.0");
    let session = ctx.session().unwrap();
    ok(&ctx, "vm_screenshot", json!({})).await;
    let measured = session
        .frames()
        .calibration()
        .expect("calibrated by the screenshot");

    // Press on the empty root window (openbox does nothing on a left press there).
    ok(
        &ctx,
        "vm_mouse",
        json!({"action": "down", "x": 600, "y": 500}),
    )
    .await;
    assert_eq!(
        desktop.pointer_buttons(),
        BUTTON1_MASK,
        "button 1 held by vm_mouse"
    );
    desktop.kill_server();
    desktop.restart_server();
    // The first call after the restart fails (the old connection is gone) or reconnects; either way the
    // screenshot after it runs on a new connection.
    let _ = computer_use::tools::call(&ctx, "vm_screenshot", json!({})).await;
    ok(&ctx, "vm_screenshot", json!({})).await;
    assert!(
        session.gui().connects() > measured.generation,
        "no reconnect happened"
    );
    let kept = session.frames().calibration().unwrap();
    assert_eq!(
        kept.generation, measured.generation,
        "measured again while a button was held"
    );
    close(
        xdotool_mouse(&desktop),
        (600, 500),
        0,
        "pointer after the screenshot",
    );
    assert_eq!(
        desktop.pointer_buttons(),
        BUTTON1_MASK,
        "the held button was released"
    );
    ok(&ctx, "vm_mouse", json!({"action": "up"})).await;
    assert_eq!(desktop.pointer_buttons(), 0);
    ok(&ctx, "vm_screenshot", json!({})).await;
    let remeasured = session.frames().calibration().unwrap();
    assert!(
        remeasured.generation > measured.generation,
        "not measured again after the release"
    );

    // A new session that has never measured: the held button makes the screenshot refuse, naming the fix.
    let fresh = common::ctx(&desktop, "screenshotScale: 1.0");
    ok(&fresh, "vm_mouse", json!({"action": "down"})).await;
    let e = err(&fresh, "vm_screenshot", json!({})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
    assert!(e.message.contains("left mouse button is held"), "{e}");
    assert!(e.message.contains("vm_mouse"), "{e}");
    close(
        xdotool_mouse(&desktop),
        (600, 500),
        0,
        "pointer after the refused screenshot",
    );
    ok(&fresh, "vm_mouse", json!({"action": "up"})).await;
    ok(&fresh, "vm_screenshot", json!({})).await;
    assert_eq!(desktop.pointer_buttons(), 0);
}
