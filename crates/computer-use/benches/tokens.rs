//! The tokens benchmark of the "fewer tokens, fewer silent failures" issue, on one private desktop in one run:
//!
//! 1. **A scripted 30-step agent session** (open a terminal, type, run commands, wait for output, scroll),
//!    played twice through [`computer_use::tools::call`] — once with `screenshot.skipUnchanged` off (every
//!    look sends its image: the baseline), once on (ours). For each: the looks, the images sent, their bytes,
//!    and the estimated tokens. Image tokens use Anthropic's formula for an image within its size limits,
//!    `ceil(width * height / 750)` (`docs/model-clients.md`); text is estimated at 4 bytes a token.
//! 2. **The cost of effect reporting per input action**: the same key press (Shift: no change) and the same
//!    typed character (into a terminal: a change) as a person (no tracking; the same connection as the
//!    agent's default), as an agent with
//!    the default (the effect is told by the next look: no capture), and as an agent with
//!    `screenshot.checkEffects` (captures after the action), interleaved.
//! 3. **The unchanged reply vs the raw capture**: a minimal WebSocket client's JPEG capture (the floor), our
//!    client's capture, `vm_screenshot` answering "unchanged since frame N", and `vm_screenshot` sending the
//!    image (decode, scale, encode), interleaved on a static screen full of text. Target: unchanged ≤ 1.05×
//!    the floor.
//!
//! Run it through `bench/tokens.sh` (private desktop, release build, writes `bench/RESULTS-tokens.md`), or
//! against a running server: `CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p computer-use --bench tokens`.
//! Prints one markdown report; exits 0 whether or not the target is met, 1 if it cannot run.

mod support;

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use computer_use::config::Config;
use computer_use::config::defaults::CAPTURE_QUALITY;
use computer_use::tools::{Content, Space, ToolContext, ToolOutput};
use computer_use::vm::Vms;
use cua_protocol::CaptureFormat;
use serde_json::{Value, json};
use support::Stats;
use support::raw::RawClient;

const MIN_RUNS: usize = 30;
/// Guard thresholds raised so the measurement loops (dozens of identical calls) are not refused as loops;
/// the guards still run on every call.
const GUARDS: &str = "guards: {
    rate: { screenshotsPerMinute: 1000000, screenshotBurst: 1000000, actionsPerMinute: 1000000, actionBurst: 1000000 },
    loop: { repeatWarn: 1000000, repeatRefuse: 1000000, alternationWarn: 1000000, alternationRefuse: 1000000,
            identicalScreenshotsWarn: 1000000, identicalScreenshotsRefuse: 1000000 } }";
/// The terminal of the session: top left, 100x30, no rc files.
const TERM_TITLE: &str = "tokbench";

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tokens bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let url = std::env::var("CUA_WS_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .ok_or("CUA_WS_URL is not set\n  hint: run bench/tokens.sh (it starts a private desktop), or point it at a running server: CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p computer-use --bench tokens")?;
    let runs =
        support::env_number("TOKENS_BENCH_RUNS", MIN_RUNS, MIN_RUNS).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    runtime.block_on(async {
        let mut out = String::new();
        eprintln!("tokens bench: the 30-step session, skipUnchanged off then on");
        let off = session(&agent(&url, "screenshot: { skipUnchanged: false }")?).await?;
        let on = session(&agent(&url, "")?).await?;
        sessions_table(&mut out, &off, &on);
        eprintln!("tokens bench: effect reporting, {runs} rounds");
        effects(&mut out, &url, runs).await?;
        // A few milliseconds each and a ±5% target: four times the rounds, for a steadier median.
        eprintln!(
            "tokens bench: the unchanged reply vs the raw capture, {} rounds",
            4 * runs
        );
        unchanged(&mut out, &url, 4 * runs).await?;
        Ok(out)
    })
}

/// An agent's context (image pixels) on the server at `url`, with `extra` config keys.
fn agent(url: &str, extra: &str) -> Result<ToolContext, String> {
    let text = format!(r#"{{ provider: "url", serverUrl: "{url}", {GUARDS}, {extra} }}"#);
    let config = Config::from_json5_str(&text, "tokens bench").map_err(|e| e.to_string())?;
    Ok(ToolContext::new(Arc::new(Vms::new(Arc::new(config)))))
}

async fn call(ctx: &ToolContext, tool: &str, args: Value) -> Result<ToolOutput, String> {
    computer_use::tools::call(ctx, tool, args.clone())
        .await
        .map_err(|e| format!("{tool} {args}: {e}"))
}

// ---- 1. the session -----------------------------------------------------------------------------------------

/// What one run of the session sent.
#[derive(Debug, Default)]
struct SessionStats {
    looks: usize,
    images: usize,
    image_bytes: usize,
    image_tokens: usize,
    look_text_bytes: usize,
    unchanged_steps: Vec<usize>,
    effects: Vec<(usize, String)>,
    wall_ms: f64,
}

/// The 30 steps, in image pixels of the default half-size screenshot: the terminal is at the top left.
fn steps() -> Vec<(&'static str, Value)> {
    let type_ = |t: &str| ("vm_type", json!({ "text": t }));
    let enter = || ("vm_key", json!({"keys": "enter"}));
    let look = || ("vm_screenshot", json!({}));
    let wait = |ms: u64| ("vm_wait", json!({"ms": ms, "screenshot": true}));
    vec![
        look(),
        (
            "vm_launch",
            json!({"app": "xterm", "args": ["-xrm", "XTerm*allowSendEvents: true", "-T", TERM_TITLE,
                "-geometry", "100x30+0+0", "-e", "bash", "--norc", "--noprofile"]}),
        ),
        wait(1500),
        ("vm_click", json!({"x": 50, "y": 40})),
        look(),
        type_("echo hello from the bench"),
        enter(),
        look(),
        type_("ls -la /usr/lib | head -40"),
        enter(),
        wait(500),
        look(),
        type_("seq 1 300"),
        enter(),
        wait(300),
        (
            "vm_scroll",
            json!({"direction": "up", "clicks": 5, "x": 150, "y": 100}),
        ),
        look(),
        (
            "vm_scroll",
            json!({"direction": "down", "clicks": 5, "x": 150, "y": 100}),
        ),
        look(),
        type_("sleep 2; echo done"),
        enter(),
        wait(500),
        wait(500),
        wait(2000),
        look(),
        ("vm_click", json!({"x": 500, "y": 350})),
        look(),
        ("vm_click", json!({"x": 50, "y": 40})),
        ("vm_key", json!({"keys": "ctrl+l"})),
        look(),
    ]
}

async fn session(ctx: &ToolContext) -> Result<SessionStats, String> {
    let mut stats = SessionStats::default();
    let mut pid = None;
    let started = Instant::now();
    for (i, (tool, args)) in steps().into_iter().enumerate() {
        let step = i + 1;
        let out = call(ctx, tool, args).await?;
        if tool == "vm_launch" {
            pid = out.details.get("pid").and_then(Value::as_i64);
        }
        let is_look = tool == "vm_screenshot" || tool == "vm_wait";
        if !is_look {
            continue;
        }
        stats.looks += 1;
        stats.look_text_bytes += out.joined_text().len();
        for c in &out.content {
            if let Content::Image { base64, .. } = c {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(base64)
                    .map_err(|e| format!("step {step}: image is not base64: {e}"))?;
                let (_, w, h) = imaging::dimensions(&bytes).map_err(|e| e.to_string())?;
                stats.images += 1;
                stats.image_bytes += bytes.len();
                stats.image_tokens += (u64::from(w) * u64::from(h)).div_ceil(750) as usize;
            }
        }
        if out.details.contains_key("unchangedSince") {
            stats.unchanged_steps.push(step);
        }
        if let Some(effect) = out.details.get("effect").and_then(Value::as_str) {
            stats.effects.push((step, effect.to_owned()));
        }
    }
    stats.wall_ms = started.elapsed().as_secs_f64() * 1e3;
    // Close the session's terminal so the next run starts from the same empty desktop.
    if let Some(pid) = pid {
        call(
            ctx,
            "vm_exec",
            json!({"command": format!("kill {pid}; sleep 0.5")}),
        )
        .await?;
    }
    Ok(stats)
}

fn sessions_table(out: &mut String, off: &SessionStats, on: &SessionStats) {
    let tokens = |s: &SessionStats| s.image_tokens + s.look_text_bytes.div_ceil(4);
    let saved = |a: usize, b: usize| {
        if a == 0 {
            "–".to_owned()
        } else {
            format!("{:.0}%", 100.0 * (a as f64 - b as f64) / a as f64)
        }
    };
    let _ = writeln!(
        out,
        "## A scripted 30-step agent session, with and without `skipUnchanged`\n"
    );
    let _ = writeln!(
        out,
        "| | `skipUnchanged: false` (every look sends its image) | `skipUnchanged: true` (default) | Saved |"
    );
    let _ = writeln!(out, "|---|---|---|---|");
    let _ = writeln!(
        out,
        "| looks (`vm_screenshot`, `vm_wait` with a screenshot) | {} | {} | |",
        off.looks, on.looks
    );
    let _ = writeln!(
        out,
        "| images sent | {} | {} | {} |",
        off.images,
        on.images,
        saved(off.images, on.images)
    );
    let _ = writeln!(
        out,
        "| image bytes | {} | {} | {} |",
        off.image_bytes,
        on.image_bytes,
        saved(off.image_bytes, on.image_bytes)
    );
    let _ = writeln!(
        out,
        "| estimated image tokens (`ceil(w*h/750)` per image) | {} | {} | {} |",
        off.image_tokens,
        on.image_tokens,
        saved(off.image_tokens, on.image_tokens)
    );
    let _ = writeln!(
        out,
        "| text bytes of the looks (4 bytes ≈ 1 token) | {} | {} | |",
        off.look_text_bytes, on.look_text_bytes
    );
    let _ = writeln!(
        out,
        "| estimated tokens of the looks, images + text | {} | {} | {} |",
        tokens(off),
        tokens(on),
        saved(tokens(off), tokens(on))
    );
    let _ = writeln!(
        out,
        "| wall time of the session | {:.1} s | {:.1} s | |",
        off.wall_ms / 1e3,
        on.wall_ms / 1e3
    );
    let steps = |v: &[usize]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let effects = |v: &[(usize, String)]| {
        v.iter()
            .map(|(s, e)| format!("{s}: {e}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "\nWith `skipUnchanged`, the looks at steps {} were \"unchanged since frame N\" (no image). Effects reported by the looks (step: effect of the input actions before it): {}.\n",
        steps(&on.unchanged_steps),
        effects(&on.effects)
    );
}

// ---- 2. effect reporting ------------------------------------------------------------------------------------

async fn effects(out: &mut String, url: &str, runs: usize) -> Result<(), String> {
    let default = agent(url, "")?;
    let checking = agent(url, "screenshot: { checkEffects: true }")?;
    // A person: the same connection and guards as `default`, in screen pixels, where nothing is tracked.
    let person = ToolContext {
        space: Space::Screen { lossless: false },
        ..default.clone()
    };
    // A terminal to type into, at the top left; the clicks go to the empty desktop at the bottom right.
    let launched = call(
        &person,
        "vm_launch",
        json!({"app": "xterm", "args": ["-xrm", "XTerm*allowSendEvents: true", "-T", TERM_TITLE,
            "-geometry", "80x10+0+0", "-e", "bash", "--norc", "--noprofile"]}),
    )
    .await?;
    let pid = launched.details.get("pid").and_then(Value::as_i64);
    call(&person, "vm_wait", json!({"ms": 1500})).await?;
    call(&person, "vm_click", json!({"x": 100, "y": 60})).await?;
    for ctx in [&default, &checking] {
        call(ctx, "vm_screenshot", json!({})).await?;
    }
    // The no-op is a press of Shift (an input action that changes nothing on the screen and keeps the focus:
    // clicks in a terminal close together would make a multi-click selection); a typed character is a change.
    let mut samples: [Vec<f64>; 6] = Default::default();
    for i in 0..runs + 2 {
        let shift = || json!({"keys": "shift"});
        let probes: [(&ToolContext, &str, Value); 6] = [
            // (0-2: a Shift press; 3-5: a typed character) × (person, agent default, agent checkEffects)
            (&person, "vm_key", shift()),
            (&default, "vm_key", shift()),
            (&checking, "vm_key", shift()),
            (&person, "vm_type", json!({"text": "x"})),
            (&default, "vm_type", json!({"text": "x"})),
            (&checking, "vm_type", json!({"text": "x"})),
        ];
        // Within each group of three the order rotates every round, so load drift hits them alike.
        let order: Vec<usize> = (0..6).map(|j| (j / 3) * 3 + (j % 3 + i) % 3).collect();
        for k in order {
            let (ctx, tool, args) = probes[k].clone();
            if k == 2 {
                // Untimed: a look, so the checked key press is compared with the screen as it is now (a
                // terminal may still be drawing the last typed character when the previous check was taken).
                call(&checking, "vm_wait", json!({"ms": 200, "screenshot": true})).await?;
            }
            let t = Instant::now();
            let result = call(ctx, tool, args).await?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if i >= 2 {
                samples[k].push(ms);
            }
            if k == 2 && i >= 2 && result.details.get("effect") != Some(&json!("unchanged")) {
                return Err(format!(
                    "round {i}: a Shift press reported {:?} ({})",
                    result.details.get("effect"),
                    result.joined_text()
                ));
            }
            if k == 5 && i >= 2 && result.details.get("effect") != Some(&json!("changed")) {
                return Err(format!(
                    "a typed character reported {:?}",
                    result.details.get("effect")
                ));
            }
        }
        // Clear the typed line now and then so the terminal does not wrap forever.
        if i % 20 == 19 {
            call(&person, "vm_key", json!({"keys": "ctrl+u"})).await?;
        }
    }
    if let Some(pid) = pid {
        call(
            &person,
            "vm_exec",
            json!({"command": format!("kill {pid}")}),
        )
        .await?;
    }
    let s: Vec<Stats> = samples.iter().map(|v| Stats::of(v)).collect();
    let ms = |s: &Stats| format!("{:.1} / {:.1} ms", s.median, s.p90);
    let _ = writeln!(
        out,
        "## Effect reporting: cost per input action (median / p90 of {runs}, interleaved)\n"
    );
    let _ = writeln!(
        out,
        "| Action | Person (no tracking) | Agent, default: told by the next look | Agent, `checkEffects: true` | Cost, default | Cost, `checkEffects` |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (name, base, default, check) in [
        (
            "`vm_key shift` (no change: two captures with `checkEffects`)",
            &s[0],
            &s[1],
            &s[2],
        ),
        (
            "`vm_type` one character into a terminal (a change: one capture)",
            &s[3],
            &s[4],
            &s[5],
        ),
    ] {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {:+.1} ms | {:+.1} ms |",
            ms(base),
            ms(default),
            ms(check),
            default.median - base.median,
            check.median - default.median
        );
    }
    let _ = writeln!(
        out,
        "\nThe default adds no capture (the effect is settled by the agent's next look, which it takes anyway); `checkEffects` waits 50 ms, captures, and when nothing changed waits 150 ms more and captures again.\n"
    );
    Ok(())
}

// ---- 3. the unchanged reply vs the raw capture ----------------------------------------------------------------

async fn unchanged(out: &mut String, url: &str, runs: usize) -> Result<(), String> {
    let skip = agent(url, "")?;
    let resend = agent(url, "screenshot: { skipUnchanged: false }")?;
    let mut raw = RawClient::connect(url).await?;
    let session = skip.session().map_err(|e| e.to_string())?;
    // A screen full of text that then stays as it is: a terminal listing /usr/lib, held open.
    let busy = call(
        &skip,
        "vm_launch",
        json!({"app": "xterm", "args": ["-hold", "-T", TERM_TITLE, "-geometry", "200x60+0+0", "-e", "sh", "-c",
            "ls -lR /usr/lib 2>/dev/null | head -n 400"]}),
    )
    .await?;
    call(&skip, "vm_wait", json!({"ms": 2000})).await?;
    let first = call(&skip, "vm_screenshot", json!({})).await?;
    call(&resend, "vm_screenshot", json!({})).await?;
    let raw_bytes = raw.screenshot(CAPTURE_QUALITY).await?.len();
    let mut samples: [Vec<f64>; 4] = Default::default();
    for i in 0..runs + 3 {
        // Rotate the order every round so load drift hits every row alike.
        for k in 0..4 {
            let probe = (k + i) % 4;
            let t = Instant::now();
            match probe {
                0 => {
                    raw.screenshot(CAPTURE_QUALITY).await?;
                }
                1 => {
                    session
                        .gui()
                        .screenshot(CaptureFormat::Jpeg, Some(CAPTURE_QUALITY))
                        .await
                        .map_err(|e| e.to_string())?;
                }
                2 => {
                    let o = call(&skip, "vm_screenshot", json!({})).await?;
                    if !o.details.contains_key("unchangedSince") {
                        return Err(format!(
                            "the screen changed during the measurement: {}",
                            o.joined_text()
                        ));
                    }
                }
                _ => {
                    call(&resend, "vm_screenshot", json!({})).await?;
                }
            }
            if i >= 3 {
                samples[probe].push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    raw.close().await;
    if let Some(pid) = busy.details.get("pid").and_then(Value::as_i64) {
        call(&skip, "vm_exec", json!({"command": format!("kill {pid}")})).await?;
    }
    let s: Vec<Stats> = samples.iter().map(|v| Stats::of(v)).collect();
    let floor = s[0].median;
    let ratio = s[2].median / floor;
    let (w, h) = (
        first
            .details
            .get("screenWidth")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        first
            .details
            .get("screenHeight")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    );
    let _ = writeln!(
        out,
        "## The unchanged reply vs the raw capture ({w}x{h} screen with a terminal full of text, JPEG q{CAPTURE_QUALITY} capture of {raw_bytes} bytes; median / p90 of {runs}, interleaved)\n"
    );
    let _ = writeln!(out, "| What | median / p90 | × raw floor |");
    let _ = writeln!(out, "|---|---|---|");
    for (name, st) in [
        ("raw capture: a minimal WebSocket client (the floor)", &s[0]),
        ("our client's capture alone (what a look waits for)", &s[1]),
        (
            "`vm_screenshot` → \"unchanged since frame N\" (byte-identical capture: no decode, scale or encode)",
            &s[2],
        ),
        (
            "`vm_screenshot` → the image (`skipUnchanged: false`: decode, scale, encode, base64)",
            &s[3],
        ),
    ] {
        let _ = writeln!(
            out,
            "| {name} | {:.1} / {:.1} ms | {:.2}× |",
            st.median,
            st.p90,
            st.median / floor
        );
    }
    let verdict = if ratio <= 1.05 { "PASS" } else { "MISS" };
    let _ = writeln!(
        out,
        "\nTarget: an unchanged reply costs at most 1.05× the raw capture. Measured {ratio:.3}× the minimal client's capture ({:.3}× our client's capture, which the reply waits for: {:+.2} ms for the tool call, guards and compare): **{verdict}**.\n",
        s[2].median / s[1].median,
        s[2].median - s[1].median
    );
    Ok(())
}
