//! The guards in front of the real tools, through `tools::call`, against the real cua-computer-server on a
//! private Xvfb desktop: a runaway screenshot loop costs no images (or, with images resent, is refused at the
//! configured count), a runaway click loop on a static screen is warned, then stopped at the configured count
//! (and the refused click never reaches the desktop), the exec policy stops a command before the VM sees it,
//! and the audit log of real calls holds no image data and no typed text. Repeats that change the screen
//! (a click counter in a terminal) are the last test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use computer_use::tools::ToolErrorKind;
use serde_json::json;
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;

fn first_text(out: &computer_use::tools::ToolOutput) -> String {
    match out.content.first() {
        Some(computer_use::tools::Content::Text(t)) => t.clone(),
        other => panic!("first block is not text: {other:?}"),
    }
}

/// A runaway screenshot loop on a static screen costs no images: the first look returns one, every later look
/// is "unchanged since frame N" (no image), warned from the 3rd on and never refused. With `skipUnchanged`
/// off the images are sent (the same frame each time), and the 6th identical one is refused.
#[tokio::test]
async fn a_runaway_screenshot_loop_is_answered_cheaply_or_refused_at_6() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let first = ok(&ctx, "vm_screenshot", json!({})).await;
    image(&first);
    let frame = first.details["frame"].as_u64().unwrap();
    for n in 2..=10u64 {
        let out = ok(&ctx, "vm_screenshot", json!({})).await;
        assert_eq!(images_in(&out), 0, "look {n} resent the image");
        assert_eq!(out.details["unchangedSince"], frame);
        let text = out.joined_text();
        assert_eq!(
            text.starts_with("Loop warning: the screen has not changed in the last"),
            n >= 3,
            "look {n}: {text}"
        );
        assert!(
            text.contains(&format!("Screen unchanged since frame {frame} ")),
            "{text}"
        );
    }
    // Something changes on the screen: the image is back, as a new frame.
    desktop.run_in_display("xsetroot", ["-solid", "#336699"]);
    let out = ok(&ctx, "vm_screenshot", json!({})).await;
    image(&out);
    assert!(first_text(&out).starts_with("Screenshot "), "{out:?}");
    assert!(out.details["frame"].as_u64().unwrap() > frame);

    let resend = self::ctx(&desktop, "screenshot: { skipUnchanged: false }");
    let mut frame = None;
    for n in 1..=5u64 {
        let out = ok(&resend, "vm_screenshot", json!({})).await;
        image(&out);
        let f = out.details["frame"].as_u64().unwrap();
        assert_eq!(
            *frame.get_or_insert(f),
            f,
            "an unchanged screen keeps its frame"
        );
        let text = first_text(&out);
        if n < 3 {
            assert!(text.starts_with("Screenshot "), "screenshot {n}: {text}");
        } else {
            assert_eq!(
                text,
                format!(
                    "Loop warning: the screen has not changed in the last {n} screenshots. If you are waiting for something, wait longer between looks; otherwise change approach: the 6th identical screenshot will be refused."
                )
            );
        }
    }
    let e = err(&resend, "vm_screenshot", json!({})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert_eq!(
        e.message,
        format!(
            "Loop guard: the screen has not changed in the last 6 screenshots, so this one is not returned (frame {} is identical to the last image you have). More screenshots will not help: act on what is on the screen, wait longer between looks, or check progress another way (e.g. a command).",
            frame.unwrap()
        )
    );
}

fn images_in(out: &computer_use::tools::ToolOutput) -> usize {
    out.content
        .iter()
        .filter(|c| matches!(c, computer_use::tools::Content::Image { .. }))
        .count()
}

#[tokio::test]
async fn a_runaway_click_loop_is_stopped_at_the_5th_click_which_never_reaches_the_desktop() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    ok(&ctx, "vm_screenshot", json!({})).await;
    let click = json!({"x": 50, "y": 40});
    let mut done = 0;
    let mut refused = Vec::new();
    for n in 1..=20 {
        if n == 5 {
            // Clicks 1-4 put the pointer at (100, 80) on the 2x screen; move it away to see whether the
            // 5th click happens.
            assert_eq!(xdotool_mouse(&desktop), (100, 80));
            desktop.run_in_display("xdotool", ["mousemove", "300", "200"]);
        }
        match computer_use::tools::call(&ctx, "vm_click", click.clone()).await {
            Ok(out) => {
                done += 1;
                let text = first_text(&out);
                assert_eq!(
                    text.starts_with("Loop warning: this is the"),
                    n >= 3,
                    "click {n}: {text}"
                );
            }
            Err(e) => {
                assert_eq!(e.kind, ToolErrorKind::Rejected);
                refused.push(e.message);
            }
        }
    }
    assert_eq!(done, 4, "the loop was stopped at the 5th identical click");
    assert_eq!(refused.len(), 16);
    assert_eq!(
        refused[0],
        r#"Loop guard: refused the 5th identical call in a row of vm_click {"button":"left","x":50,"y":40}; it was not sent. Repeating it is not making progress: take a screenshot, check what is on the screen and try something different (a different action or a changed screen lifts this)."#
    );
    assert_eq!(
        xdotool_mouse(&desktop),
        (300, 200),
        "no refused click reached the desktop"
    );
    // A different action lifts it.
    ok(&ctx, "vm_click", json!({"x": 60, "y": 40})).await;
    ok(&ctx, "vm_click", click).await;
    assert_eq!(xdotool_mouse(&desktop), (100, 80));
}

#[tokio::test]
async fn exec_policy_stops_a_command_before_the_vm_sees_it() {
    let desktop = Desktop::start();
    let dir = scratch("guards-exec");
    let ctx = ctx(
        &desktop,
        "guards: { exec: { mode: 'allowlist', allow: ['echo', 'touch'], deny: ['touch */forbidden*'], maxTimeoutSecs: 5 } }",
    );
    let out = ok(&ctx, "vm_exec", json!({"command": "echo allowed-ok"})).await;
    assert!(out.joined_text().contains("allowed-ok"), "{out:?}");

    let redirected = dir.join("redirected");
    let e = err(
        &ctx,
        "vm_exec",
        json!({"command": format!("echo x > {}", redirected.display())}),
    )
    .await;
    assert_eq!(
        e.message,
        "Exec policy (allowlist): the command was not run: it contains an unquoted `>`, a shell operator. Send one plain command per call, without ; & | < > ( ) (quote the character if it is part of an argument) (rule: metacharacter)."
    );
    let forbidden = dir.join("forbidden-file");
    let e = err(
        &ctx,
        "vm_exec",
        json!({"command": format!("touch {}", forbidden.display())}),
    )
    .await;
    assert_eq!(
        e.message,
        "Exec policy: the command was not run: it matches the deny pattern `touch */forbidden*` (guards.exec.deny[0])."
    );
    let e = err(&ctx, "vm_launch", json!({"app": "xclock"})).await;
    assert!(
        e.message.contains("`xclock` is not an allowed program"),
        "{e}"
    );
    let allowed = dir.join("allowed-file");
    ok(
        &ctx,
        "vm_exec",
        json!({"command": format!("touch {}", allowed.display())}),
    )
    .await;
    assert!(allowed.exists(), "the allowed command ran");
    assert!(
        !redirected.exists() && !forbidden.exists(),
        "refused commands never ran"
    );

    let out = ok(
        &ctx,
        "vm_exec",
        json!({"command": "echo t", "timeout": 100}),
    )
    .await;
    assert_eq!(
        first_text(&out),
        "Note: the timeout was lowered from 100 s to 5 s, the configured maximum."
    );
    assert_eq!(
        out.details["timeout"], 5,
        "the tool ran with the lowered timeout"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn audit_log_of_real_calls_has_no_image_data_and_no_typed_text() {
    let desktop = Desktop::start();
    let dir = scratch("guards-audit");
    let path = dir.join("audit.jsonl");
    let ctx = ctx(
        &desktop,
        &format!("audit: {{ path: {:?} }}", path.display().to_string()),
    );
    let shot = ok(&ctx, "vm_screenshot", json!({})).await;
    image(&shot);
    ok(
        &ctx,
        "vm_type",
        json!({"text": "typed-on-the-real-desktop"}),
    )
    .await;
    ok(&ctx, "vm_exec", json!({"command": "echo audit-ok"})).await;
    ok(&ctx, "vm_screenshot", json!({})).await;
    let text = std::fs::read_to_string(&path).unwrap();
    for banned in ["/9j/", "iVBOR", "typed-on-the-real-desktop"] {
        assert!(
            !text.contains(banned),
            "audit log contains {banned}:\n{text}"
        );
    }
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let tools: Vec<&str> = lines.iter().map(|l| l["tool"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        ["vm_screenshot", "vm_type", "vm_exec", "vm_screenshot"]
    );
    assert!(lines.iter().all(|l| l["outcome"] == "ok"), "{text}");
    assert_eq!(lines[0]["images"], 1);
    assert_eq!(lines[1]["args"]["text"]["chars"], 25);
    assert_eq!(lines[2]["args"]["command"], "echo audit-ok");
    assert!(lines[2]["latencyMs"].as_u64().is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_batch_closing_screenshot_spends_the_screenshot_budget_and_is_refused_over_it() {
    let desktop = Desktop::start();
    let ctx = ctx(
        &desktop,
        "guards: { rate: { screenshotsPerMinute: 1, screenshotBurst: 1 } }",
    );
    let out = ok(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_move", "args": {"x": 10, "y": 10}}], "screenshot": true}),
    )
    .await;
    image(&out); // the budget's one screenshot
    // The budget is spent: a plain screenshot is refused, and so is the batch's closing one, whose actions ran.
    let e = err(&ctx, "vm_screenshot", json!({})).await;
    assert!(e.message.starts_with("Rate limit:"), "{e}");
    let out = ok(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_move", "args": {"x": 20, "y": 20}}], "screenshot": true}),
    )
    .await;
    assert!(
        !out.content
            .iter()
            .any(|c| matches!(c, computer_use::tools::Content::Image { .. })),
        "a screenshot over the budget was returned: {out:?}"
    );
    let why = out.details["screenshotError"].as_str().unwrap_or_default();
    assert!(
        why.starts_with("Rate limit:") && why.contains("screenshots per minute"),
        "{out:?}"
    );
}

/// A click counter: bash in an xterm with mouse reporting on (`ESC [ ? 1000 h`) reads each button press the
/// terminal reports and redraws `clicks: N` (and writes N to a file). Identical clicks on it each change the
/// screen: 20 in a row, and 5 in one batch, are progress, never refused. A runaway of identical clicks on
/// the empty desktop (a static screen) is still refused at the 5th, the refused clicks never reach the
/// desktop, and the calls after the refusal that have nothing to do with it are not refused or warned.
#[tokio::test]
async fn identical_clicks_that_change_the_screen_are_progress_and_a_static_runaway_is_still_refused()
 {
    let desktop = Desktop::start();
    let dir = scratch("guards-counter");
    let count_file = dir.join("count");
    // Each report is ESC [ M, then the button byte (a space for a left press, `#` for a release), then x, y.
    let script = format!(
        r#"printf '\033[?1000h'; n=0; printf 'clicks: 0'
while IFS= read -rsn1 c; do
  [ "$c" = $'\033' ] || continue
  IFS= read -rsn5 rest
  if [ "${{rest:2:1}}" = " " ]; then n=$((n+1)); printf '\rclicks: %d' "$n"; echo "$n" > {}; fi
done"#,
        count_file.display()
    );
    let term = Xterm::builder(&desktop, "click-counter")
        .geometry("30x4+0+0")
        .command(["bash", "--norc", "--noprofile", "-c", &script])
        .mouse_reports()
        .open()
        .await;
    term.wait_until_drawn().await;
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    ok(&ctx, "vm_screenshot", json!({})).await;
    // (30, 15) of the half-size image is (60, 30) on the screen: inside the counter's window.
    let plus = json!({"x": 30, "y": 15});
    let mut warned = 0;
    for n in 1..=20 {
        let out = computer_use::tools::call(&ctx, "vm_click", plus.clone())
            .await
            .unwrap_or_else(|e| panic!("identical click {n} on the counter was refused: {e}"));
        if first_text(&out).starts_with("Loop warning") {
            warned += 1;
        }
    }
    let count = || -> u32 {
        std::fs::read_to_string(&count_file)
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(0)
    };
    // The clicks reach the terminal: all of them on a quiet machine. Under heavy load (a fresh-clone CI run on
    // two cores) a click sent and acknowledged by the server was seen lost between X and xterm once in 20, so
    // the counter must reach at least 18 — what the guard is asked is only that none was refused (above).
    let settle = async |want: u32| {
        eventually(std::time::Duration::from_secs(10), async || {
            (count() >= want).then_some(())
        })
        .await;
        count()
    };
    let seen = settle(20).await;
    assert!(seen >= 18, "the counter saw {seen} of 20 clicks");
    // The guard checks the screen before a click it would warn about; only a terminal that has not drawn
    // the previous click yet (a loaded machine) can make a check look like no progress.
    assert!(
        warned <= 1,
        "{warned} of 20 progressing clicks were warned about"
    );
    let batch = ok(
        &ctx,
        "vm_batch",
        json!({"actions": vec![json!({"tool": "vm_click", "args": plus.clone()}); 5]}),
    )
    .await;
    assert_eq!(batch.details["ran"], 5, "{batch:?}");
    let after_batch = settle(seen + 5).await;
    assert!(
        after_batch >= seen + 4,
        "the counter saw {} of the batch's 5 clicks",
        after_batch - seen
    );

    // A runaway on the empty desktop. The first click there takes the focus from the terminal (a change),
    // so look until the screen has settled (an "unchanged since frame N" reply: on a loaded machine the
    // terminal may redraw its unfocused cursor only after the first look); from then on nothing changes.
    let dead = json!({"x": 400, "y": 300});
    ok(&ctx, "vm_click", dead.clone()).await;
    let settled = eventually(std::time::Duration::from_secs(10), async || {
        let look = ok(&ctx, "vm_screenshot", json!({})).await;
        look.details.get("unchangedSince").map(|_| ())
    })
    .await;
    assert!(
        settled.is_some(),
        "the screen never settled after the click"
    );
    ok(&ctx, "vm_click", dead.clone()).await;
    ok(&ctx, "vm_click", dead.clone()).await;
    let third = ok(&ctx, "vm_click", dead.clone()).await;
    assert!(
        first_text(&third).starts_with("Loop warning: this is the 3rd identical call"),
        "{third:?}"
    );
    ok(&ctx, "vm_click", dead.clone()).await;
    desktop.run_in_display("xdotool", ["mousemove", "700", "500"]);
    let e = err(&ctx, "vm_click", dead.clone()).await;
    assert!(
        e.message
            .starts_with("Loop guard: refused the 5th identical call in a row of vm_click"),
        "{e}"
    );
    assert_eq!(
        xdotool_mouse(&desktop),
        (700, 500),
        "the refused click never reached the desktop"
    );
    // Calls that have nothing to do with it go through, without a warning.
    for (tool, args) in [
        ("vm_click", plus.clone()),
        ("vm_scroll", json!({"direction": "down", "clicks": 1})),
        ("vm_key", json!({"keys": "shift"})),
        ("vm_move", json!({"x": 300, "y": 200})),
    ] {
        let out = ok(&ctx, tool, args).await;
        assert!(!first_text(&out).starts_with("Loop"), "{tool}: {out:?}");
    }
    let last = settle(after_batch + 1).await;
    assert!(
        last > after_batch,
        "the click after the refusal did not reach the counter"
    );
    drop(term);
    std::fs::remove_dir_all(&dir).unwrap();
}
