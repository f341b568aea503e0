//! Every intended interaction happens: what an **application receives** from the tools, checked with the
//! event probe (`testkit::probe`, a GTK 3 window logging every key, button, wheel and drag event with its
//! modifiers, and the text its text view holds) on a private desktop with the real cua-computer-server.
//!
//! - modifiers on pointer actions (ctrl-click, shift-click, ctrl+shift right-click, cmd(Super)-click,
//!   shift-drag, ctrl-drag, ctrl-scroll, shift-scroll, vm_mouse with ctrl) and buttons 8/9;
//! - keys held with `vm_key` `action: "down"`, released after a cancelled call, a dropped call and at a
//!   session's end (X's own modifier state is the check: `QueryPointer`);
//! - text in every script typed character-exact (the paste path on Linux), with the clipboard restored;
//! - keys the server cannot send (keypad keys, Super+letter), and the plain refusal where the guest cannot.
//!
//! Each test prints its counts per group (`cargo nextest run … --no-capture`): the figures of the resolution
//! note. Coordinates are screen pixels (the CLI's [`Space::Screen`]).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use computer_use::tools::pointer::held;
use computer_use::tools::{Space, ToolContext, ToolErrorKind};
use serde_json::{Value, json};
use testkit::desktop::Desktop;
use testkit::probe::{Event, Probe};
use tokio_util::sync::CancellationToken;

/// GTK's double-click time is 400 ms: presses further apart count as new single clicks.
const CLICK_GAP: Duration = Duration::from_millis(450);

fn screen_ctx(desktop: &Desktop) -> ToolContext {
    ToolContext {
        space: Space::Screen { lossless: false },
        ..ctx(desktop, "")
    }
}

/// The first event after `mark` matching `pred`, or a panic naming what arrived instead.
async fn expect(
    probe: &Probe<'_>,
    mark: usize,
    what: &str,
    pred: impl Fn(&Event) -> bool,
) -> Event {
    match probe.wait_for(mark, pred).await {
        Some(e) => e,
        None => panic!(
            "{what}: no such event; the probe received {:#?}",
            probe.since(mark)
        ),
    }
}

/// One pointer case: the call, and the event the application must receive.
struct Case {
    name: &'static str,
    tool: &'static str,
    args: Value,
    /// `button N` or `scroll DIR`.
    event: &'static str,
    mods: &'static [&'static str],
}

fn matches(e: &Event, event: &str) -> bool {
    match event.split_once(' ') {
        Some(("button", n)) => e.ev == "button" && e.kind == "press" && e.button.to_string() == n,
        Some(("scroll", dir)) => e.ev == "scroll" && e.dir == dir,
        _ => false,
    }
}

#[tokio::test]
async fn modifiers_reach_the_application_on_pointer_actions() {
    let desktop = Desktop::start();
    let probe = Probe::open(&desktop).await;
    let ctx = screen_ctx(&desktop);
    let session = ctx.session().unwrap();
    let (cx, cy) = probe.pad_center();
    let at = |dx: i64| json!({"x": cx + dx, "y": cy});
    let with = |mut v: Value, k: &str, m: Value| {
        v[k] = m;
        v
    };
    let cases = vec![
        Case {
            name: "ctrl-click",
            tool: "vm_click",
            args: with(at(-300), "modifiers", json!("ctrl")),
            event: "button 1",
            mods: &["ctrl"],
        },
        Case {
            name: "shift-click",
            tool: "vm_click",
            args: with(at(-250), "modifiers", json!("shift")),
            event: "button 1",
            mods: &["shift"],
        },
        Case {
            name: "ctrl+shift right-click",
            tool: "vm_click",
            args: with(
                with(at(-200), "modifiers", json!("ctrl+shift")),
                "button",
                json!("right"),
            ),
            event: "button 3",
            mods: &["ctrl", "shift"],
        },
        Case {
            name: "cmd (Super) click",
            tool: "vm_click",
            args: with(at(-150), "modifiers", json!("cmd")),
            event: "button 1",
            mods: &["super"],
        },
        // (No alt-click: openbox, like most Linux window managers, takes Alt+button presses to move windows,
        // so the application never sees them. Alt reaches applications with keys: see the keys test.)
        Case {
            name: "shift middle-click",
            tool: "vm_click",
            args: with(
                with(at(-50), "modifiers", json!("shift")),
                "button",
                json!("middle"),
            ),
            event: "button 2",
            mods: &["shift"],
        },
        Case {
            name: "shift-drag",
            tool: "vm_drag",
            args: json!({"from": [cx - 200, cy - 50], "to": [cx + 100, cy + 50], "modifiers": "shift"}),
            event: "button 1",
            mods: &["shift"],
        },
        Case {
            name: "ctrl-drag",
            tool: "vm_drag",
            args: json!({"from": [cx + 200, cy - 50], "to": [cx - 100, cy + 50], "modifiers": "ctrl"}),
            event: "button 1",
            mods: &["ctrl"],
        },
        Case {
            name: "ctrl-scroll",
            tool: "vm_scroll",
            args: json!({"direction": "down", "clicks": 1, "x": cx, "y": cy, "modifiers": "ctrl"}),
            event: "scroll down",
            mods: &["ctrl"],
        },
        Case {
            name: "shift-scroll",
            tool: "vm_scroll",
            args: json!({"direction": "up", "clicks": 1, "x": cx, "y": cy, "modifiers": "shift"}),
            event: "scroll up",
            mods: &["shift"],
        },
        Case {
            name: "vm_mouse down with ctrl",
            tool: "vm_mouse",
            args: json!({"action": "down", "x": cx + 50, "y": cy, "modifiers": "ctrl"}),
            event: "button 1",
            mods: &["ctrl"],
        },
        Case {
            name: "plain click (no modifiers)",
            tool: "vm_click",
            args: at(100),
            event: "button 1",
            mods: &[],
        },
        Case {
            name: "back (button 8)",
            tool: "vm_click",
            args: with(at(150), "button", json!("back")),
            event: "button 8",
            mods: &[],
        },
        Case {
            name: "forward (button 9)",
            tool: "vm_click",
            args: with(at(200), "button", json!("forward")),
            event: "button 9",
            mods: &[],
        },
        Case {
            name: "shift+back",
            tool: "vm_click",
            args: with(
                with(at(250), "button", json!("back")),
                "modifiers",
                json!("shift"),
            ),
            event: "button 8",
            mods: &["shift"],
        },
    ];
    let mut failures = Vec::new();
    println!(
        "{:<28} {:<12} {:<22} result",
        "case", "expected", "received"
    );
    for case in &cases {
        tokio::time::sleep(CLICK_GAP).await;
        let mark = probe.mark();
        let out = ok(&ctx, case.tool, case.args.clone()).await;
        if case.tool == "vm_mouse" {
            ok(&ctx, "vm_mouse", json!({"action": "up"})).await;
        }
        let got = probe.wait_for(mark, |e| matches(e, case.event)).await;
        let received = got.as_ref().map_or("nothing".to_owned(), |e| {
            format!("{} {:?}", case.event, e.state)
        });
        let good = got.as_ref().is_some_and(|e| e.has_exactly(case.mods));
        // Nothing stays held: the session's record and X's own state.
        let left = held::held_keys(&session);
        let mask = desktop.modifier_mask();
        let clean = left.is_empty() && mask == 0;
        println!(
            "{:<28} {:<12} {:<22} {}",
            case.name,
            case.mods.join("+"),
            received,
            if good && clean { "ok" } else { "FAIL" }
        );
        if !good || !clean {
            failures.push(format!(
                "{}: expected {} with {:?}, received {received}; still held {left:?}, X modifier mask {mask:#x}; result: {}",
                case.name,
                case.event,
                case.mods,
                out.joined_text()
            ));
        }
        if case.tool == "vm_drag" && good {
            // Motion between press and release carried the modifier too.
            let drags: Vec<Event> = probe
                .since(mark)
                .into_iter()
                .filter(|e| e.ev == "drag")
                .collect();
            if drags.is_empty()
                || !drags
                    .iter()
                    .all(|e| e.state.iter().any(|s| s == case.mods[0]))
            {
                failures.push(format!(
                    "{}: drag motion without {:?}: {drags:?}",
                    case.name, case.mods
                ));
            }
        }
    }
    println!(
        "modifiers group: {} of {} cases received exactly",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    let out = ok(&ctx, "vm_click", with(at(300), "modifiers", json!("ctrl"))).await;
    assert!(
        out.joined_text().contains("with ctrl held"),
        "{}",
        out.joined_text()
    );
    // A modifier that is not one is refused before anything is sent (the last click's events settle first).
    tokio::time::sleep(CLICK_GAP).await;
    let mark = probe.mark();
    let e = err(&ctx, "vm_click", with(at(0), "modifiers", json!("ctrl+a"))).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        probe.since(mark).iter().all(|e| !matches(e, "button 1")),
        "a refused click reached the app"
    );
}

/// A long back-and-forth path over the pad: ~2 s of moves, so a cancellation lands mid-drag.
fn long_drag(probe: &Probe<'_>, modifiers: &str) -> Value {
    let [x, y, w, _] = probe.pad();
    let points: Vec<Value> = (0..200)
        .map(|i| json!([x + 50 + (i % 40) * (w - 100) / 40, y + 100]))
        .collect();
    json!({"path": points, "modifiers": modifiers})
}

#[tokio::test]
async fn held_keys_are_released_after_a_cancelled_call_and_at_session_end() {
    let desktop = Desktop::start();
    let probe = Probe::open(&desktop).await;
    let ctx = screen_ctx(&desktop);
    let session = ctx.session().unwrap();
    let (cx, cy) = probe.pad_center();
    const SHIFT: u32 = 1;
    const CONTROL: u32 = 4;
    const ALT: u32 = 8;

    // 1. Held on purpose across calls: shift down, two clicks (a range selection), up.
    let out = ok(&ctx, "vm_key", json!({"keys": "shift", "action": "down"})).await;
    assert!(
        out.joined_text().contains("Holding shift"),
        "{}",
        out.joined_text()
    );
    assert_eq!(desktop.modifier_mask(), SHIFT, "X sees Shift down");
    for dx in [-100, 100] {
        tokio::time::sleep(CLICK_GAP).await;
        let mark = probe.mark();
        ok(&ctx, "vm_click", json!({"x": cx + dx, "y": cy})).await;
        let e = expect(&probe, mark, "click while shift is held", |e| {
            matches(e, "button 1")
        })
        .await;
        assert!(e.has_exactly(&["shift"]), "{e:?}");
    }
    ok(&ctx, "vm_key", json!({"keys": "shift", "action": "up"})).await;
    assert_eq!(desktop.modifier_mask(), 0);
    assert!(held::held_keys(&session).is_empty());

    // 2. A held key is released when a later input call is cancelled (a broken sequence).
    ok(
        &ctx,
        "vm_key",
        json!({"keys": "ctrl+alt", "action": "down"}),
    )
    .await;
    assert_eq!(desktop.modifier_mask(), CONTROL | ALT);
    let cancelled = ToolContext {
        cancel: CancellationToken::new(),
        ..ctx.clone()
    };
    cancelled.cancel.cancel();
    let e = err(&cancelled, "vm_click", json!({"x": cx, "y": cy})).await;
    assert_eq!(e.kind, ToolErrorKind::Ambiguous, "{e}");
    assert!(
        e.message.contains("Released the held alt and ctrl keys"),
        "{e}"
    );
    assert!(held::held_keys(&session).is_empty());
    assert_eq!(
        desktop.modifier_mask(),
        0,
        "X still has a modifier down after the cancelled call"
    );

    // 3. A call killed mid-way by its caller's cancellation: the ctrl-drag's ctrl and button both go up.
    ok(&ctx, "vm_move", json!({"x": cx, "y": cy + 100})).await;
    let cancelled = ToolContext {
        cancel: CancellationToken::new(),
        ..ctx.clone()
    };
    let token = cancelled.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        token.cancel();
    });
    let mark = probe.mark();
    let e = err(&cancelled, "vm_drag", long_drag(&probe, "ctrl")).await;
    assert_eq!(e.kind, ToolErrorKind::Ambiguous, "{e}");
    assert!(e.message.contains("part-way"), "{e}");
    assert!(e.message.contains("ctrl key"), "{e}");
    let press = expect(&probe, mark, "the drag's press", |e| matches(e, "button 1")).await;
    assert!(press.has_exactly(&["ctrl"]), "{press:?}");
    assert_eq!(
        desktop.modifier_mask(),
        0,
        "ctrl left down after a cancelled ctrl-drag"
    );
    assert_eq!(desktop.pointer_buttons(), 0);
    assert!(held::held_keys(&session).is_empty() && held::held(&session).is_empty());

    // 4. A call dropped by its caller (a timeout around it): the guard's task releases the key.
    let dropped = tokio::time::timeout(
        Duration::from_millis(500),
        computer_use::tools::call(&ctx, "vm_drag", long_drag(&probe, "shift")),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the drag finished within 500 ms: {dropped:?}"
    );
    assert_eq!(
        held::held_keys(&session),
        vec!["shift".to_owned()],
        "recorded mid-drag"
    );
    let released = eventually(Duration::from_secs(5), async || {
        (desktop.modifier_mask() == 0 && held::held_keys(&session).is_empty()).then_some(())
    })
    .await;
    assert!(
        released.is_some(),
        "the dropped call's shift was not released (X mask {:#x}, recorded {:?})",
        desktop.modifier_mask(),
        held::held_keys(&session)
    );

    // 5. The session's end (the MCP server's shutdown) releases keys held on purpose.
    ok(&ctx, "vm_key", json!({"keys": "alt", "action": "down"})).await;
    assert_eq!(desktop.modifier_mask(), ALT);
    let ended = held::release_held(&ctx.vms).await;
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(desktop.modifier_mask(), 0);
    tokio::time::sleep(CLICK_GAP).await;
    let mark = probe.mark();
    ok(&ctx, "vm_click", json!({"x": cx, "y": cy})).await;
    let e = expect(&probe, mark, "a click after all that", |e| {
        matches(e, "button 1")
    })
    .await;
    assert!(e.has_exactly(&[]), "{e:?}");
}

/// Samples per character class; each must arrive exactly.
const TEXT_CLASSES: &[(&str, &[&str])] = &[
    ("ascii", &["Hello, World! 123", "a-b_c=d+e;f'g\"h`i~j"]),
    (
        "latin-1",
        &["café", "naïve façade", "Grüße, Straße ß", "¿Qué tal? ¡Olé!"],
    ),
    (
        "cjk",
        &["日本語", "中文输入测试", "한국어 텍스트", "漢字かなカナ"],
    ),
    ("emoji", &["rocket 🚀 done", "😀😃😄", "👍 ok ✅"]),
    (
        "zwj",
        &[
            "👨\u{200d}👩\u{200d}👧\u{200d}👦",
            "🏳\u{fe0f}\u{200d}🌈",
            "👩\u{200d}💻 coding",
        ],
    ),
    ("rtl", &["שלום עולם", "مرحبا بالعالم", "abc עברית 123"]),
    (
        "combining",
        &[
            "e\u{301}",
            "n\u{303}o",
            "a\u{308}\u{301}",
            "Z\u{351}\u{352}a\u{353}",
        ],
    ),
    (
        "mixed",
        &[
            "café ✓ Ωμέγα",
            "Hello 世界 🌍!",
            "line one\nзначение ✓\nline three",
        ],
    ),
];

/// Types every sample into the probe with `extra` arguments; returns (class, exact, total) and the misses.
async fn type_classes(
    ctx: &ToolContext,
    probe: &Probe<'_>,
    extra: Value,
    limit: Duration,
) -> (Vec<(&'static str, usize, usize)>, Vec<String>) {
    let mut counts = Vec::new();
    let mut misses = Vec::new();
    for (class, samples) in TEXT_CLASSES {
        let mut exact = 0;
        for sample in *samples {
            probe.clear().await;
            let mut args = json!({"text": sample});
            if let (Some(args), Some(extra)) = (args.as_object_mut(), extra.as_object()) {
                args.extend(extra.clone());
            }
            let out = ok(ctx, "vm_type", args).await;
            let got = probe.wait_for_text_within(sample, limit).await;
            if got == *sample {
                exact += 1;
            } else {
                misses.push(format!(
                    "{class}: {sample:?} arrived as {got:?} ({})",
                    out.joined_text()
                ));
            }
        }
        counts.push((*class, exact, samples.len()));
    }
    (counts, misses)
}

#[tokio::test]
async fn text_in_every_script_arrives_character_exact() {
    let desktop = Desktop::start();
    let probe = Probe::open(&desktop).await;
    let ctx = screen_ctx(&desktop);
    ok(
        &ctx,
        "vm_clipboard",
        json!({"text": "what the user had copied"}),
    )
    .await;

    // The server's way (every character as a key), for the before/after figures; not asserted.
    let (before, _) = type_classes(
        &ctx,
        &probe,
        json!({"paste": "none"}),
        Duration::from_secs(2),
    )
    .await;
    let (after, misses) = type_classes(&ctx, &probe, json!({}), testkit::probe::EVENT_LIMIT).await;
    println!("{:<10} {:>14} {:>14}", "class", "keys only", "vm_type");
    for ((class, b, n), (_, a, _)) in before.iter().zip(&after) {
        println!(
            "{class:<10} {:>14} {:>14}",
            format!("{b}/{n}"),
            format!("{a}/{n}")
        );
    }
    assert!(misses.is_empty(), "{misses:#?}");

    // The result says which way the text went; ASCII stays typed.
    probe.clear().await;
    let out = ok(&ctx, "vm_type", json!({"text": "ls\ncafé ✓\n"})).await;
    assert_eq!(probe.wait_for_text("ls\ncafé ✓\n").await, "ls\ncafé ✓\n");
    let text = out.joined_text();
    assert!(
        text.contains("6 pasted with ctrl+v") && text.contains("clipboard restored"),
        "{text}"
    );
    assert_eq!(out.details["via"], "keys+paste");
    let out = ok(&ctx, "vm_type", json!({"text": "plain"})).await;
    assert_eq!(out.details["via"], "keys");
    // The clipboard is what it was before any of this.
    let clip = ok(&ctx, "vm_clipboard", json!({})).await;
    assert_eq!(clip.details["text"], "what the user had copied");
    // A paste key that is not a key is refused before anything is sent.
    let e = err(&ctx, "vm_type", json!({"text": "é", "paste": "ctrl+vv"})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
}

#[tokio::test]
async fn keys_the_server_cannot_send_arrive_or_are_refused_plainly() {
    let desktop = Desktop::start();
    let probe = Probe::open(&desktop).await;
    let ctx = screen_ctx(&desktop);
    let key_press = |keyval: &'static str| {
        move |e: &Event| e.ev == "key" && e.kind == "press" && e.keyval == keyval
    };
    let cases: &[(&str, &str, &[&str])] = &[
        ("kp_enter", "KP_Enter", &[]),
        ("kp_add", "KP_Add", &[]),
        ("numpad5", "KP_5", &[]),
        ("ctrl+kp_subtract", "KP_Subtract", &["ctrl"]),
        ("cmd+a", "a", &["super"]),
        ("super+shift+n", "N", &["super", "shift"]),
        ("ctrl+a", "a", &["ctrl"]),
        ("alt+f", "f", &["alt"]),
    ];
    let mut failures = Vec::new();
    for (keys, keyval, mods) in cases {
        let mark = probe.mark();
        let out = ok(&ctx, "vm_key", json!({"keys": keys})).await;
        match probe.wait_for(mark, key_press(keyval)).await {
            Some(e) if e.has_exactly(mods) => {
                println!("{keys:<18} received {keyval} {:?}: ok", e.state)
            }
            other => failures.push(format!(
                "{keys}: expected {keyval} with {mods:?}, got {other:?}; {}",
                out.joined_text()
            )),
        }
    }
    println!(
        "keys group: {} of {} received exactly",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(desktop.modifier_mask(), 0);

    // Caps Lock: pressed, and the result says plainly that it does not change typed text.
    let out = ok(&ctx, "vm_key", json!({"keys": "caps_lock"})).await;
    assert!(
        out.joined_text().contains("does not change typed text"),
        "{}",
        out.joined_text()
    );
    probe.clear().await;
    ok(&ctx, "vm_type", json!({"text": "abc"})).await;
    assert_eq!(
        probe.wait_for_text("abc").await,
        "abc",
        "typed text ignores Caps Lock, as the result says"
    );
    ok(&ctx, "vm_key", json!({"keys": "caps_lock"})).await;
    assert_eq!(desktop.modifier_mask(), 0, "Caps Lock is off again");
}

#[tokio::test]
async fn without_xdotool_in_the_guest_nothing_is_claimed() {
    // A guest whose PATH has an `xdotool` that is not there (exit 127, as the shell reports a missing one).
    let bin = scratch("no-xdotool");
    std::fs::write(bin.join("xdotool"), "#!/bin/sh\nexit 127\n").unwrap();
    std::process::Command::new("chmod")
        .args(["+x"])
        .arg(bin.join("xdotool"))
        .status()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let desktop = Desktop::builder().server_env("PATH", &path).start();
    let probe = Probe::open(&desktop).await;
    let ctx = screen_ctx(&desktop);
    let (cx, cy) = probe.pad_center();
    let mark = probe.mark();
    let e = err(&ctx, "vm_key", json!({"keys": "cmd+a"})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
    assert!(
        e.message.contains("cmd+a was NOT pressed") && e.message.contains("bare a"),
        "{e}"
    );
    assert!(e.message.contains("no xdotool"), "{e}");
    let e = err(&ctx, "vm_key", json!({"keys": "kp_enter"})).await;
    assert!(
        e.message.contains("kp_enter was NOT pressed") && e.message.contains("no keypad keys"),
        "{e}"
    );
    let e = err(
        &ctx,
        "vm_click",
        json!({"x": cx, "y": cy, "button": "back"}),
    )
    .await;
    assert!(
        e.message.contains("not clicked") && e.message.contains("button 8"),
        "{e}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let arrived: Vec<Event> = probe
        .since(mark)
        .into_iter()
        .filter(|e| {
            (e.ev == "key" && e.kind == "press" && e.keyval != "Super_L") || (e.ev == "button")
        })
        .collect();
    assert!(
        arrived.is_empty(),
        "refused input reached the app: {arrived:?}"
    );
    assert_eq!(desktop.modifier_mask(), 0);
}
