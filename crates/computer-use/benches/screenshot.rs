//! The screenshot benchmark of the "vm_* tools" issue, Rust side: is our model-ready screenshot close to
//! what the wire can deliver, and do its coordinates land where they should?
//!
//! Targets: `vm_screenshot` end to end (through [`computer_use::tools::call`]) at most 1.5x the raw JPEG
//! capture floor, and at least 10x faster than the server's own `/mcp` screenshot (measured by
//! `bench/screenshot_py.py`); a move to the image centre puts the pointer at the screen centre (±2 px).
//!
//! Rows (median/p90 of `SCREENSHOT_BENCH_RUNS`, default 30, at least 30):
//! - raw floor: a minimal tokio-tungstenite client sends `screenshot` (JPEG at the core's
//!   [`CAPTURE_QUALITY`]) and base64-decodes the reply — nothing else;
//! - `vm_screenshot` with the seed's default `screenshotScale` 0.5, and with 1.0 (budget-limited), each on its
//!   own url-provider config and connection;
//! - our client's capture alone (`session.gui().screenshot(..)`: what `vm_screenshot` waits for before it
//!   processes), so end to end minus this is what the core adds; the raw floor at q80 and q70 too (what a
//!   lower capture quality would save);
//! - processing alone ([`imaging::prepare`]) on one captured JPEG (saved for Pillow to use),
//!   two cores and one, and its steps (decode, resize, JPEG q80, base64) on one thread.
//!
//! The wire rows run interleaved, in an order that rotates every iteration, so load drift on a busy machine
//! hits them equally. The configuration is the defaults except the guards' thresholds, raised so that 30+
//! identical screenshots of a static screen are not refused as a loop (the guards still run).
//!
//! Then the coordinate check: `vm_screenshot`, a move to the centre of the image (`vm_move` if the registry
//! has it, else the frame's [`Frame::to_input`](computer_use::coords::Frame) + `move_cursor`, which is what
//! `vm_move` does), and the pointer read back with `xdotool` (`DISPLAY`).
//!
//! Run it through `bench/screenshot.sh` (private 2880x1800 desktop full of text, the Python rows, one table),
//! or against a running server: `CUA_WS_URL=ws://127.0.0.1:8000/ws DISPLAY=:99 cargo bench -p computer-use
//! --bench screenshot`. With `SCREENSHOT_BENCH_DIR` set it also writes there `rust.tsv` (rows for the
//! merged table), `capture.jpg`, and the model images made from the q90/q80/q70 captures (`out_q*.jpg`).
//! It prints its own table; exits 0 whether or not targets are met, 1 if it cannot run.

mod support;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::Stats;
use support::raw::RawClient;

use base64::Engine as _;
use computer_use::config::Config;
use computer_use::config::defaults::CAPTURE_QUALITY;
use computer_use::tools::{Content, ToolContext, ToolOutput};
use computer_use::vm::Vms;
use cua_protocol::CaptureFormat;
use imaging::{ImagePolicy, Region, prepare, steps};

const WARMUP: usize = 3;
const MIN_RUNS: usize = 30;
/// Pointer tolerance of the coordinate check, in screen pixels.
const TOLERANCE_PX: i64 = 2;

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(
        "CUA_WS_URL is not set\n  hint: run bench/screenshot.sh (it starts a private desktop), or point it at a running server: CUA_WS_URL=ws://127.0.0.1:8000/ws DISPLAY=:99 cargo bench -p computer-use --bench screenshot"
    )]
    NoUrl,
    #[error(transparent)]
    Runs(#[from] support::BadNumber),
    #[error(
        "DISPLAY is not set: the coordinate check reads the pointer with xdotool on the server's display (bench/screenshot.sh sets it)"
    )]
    NoDisplay,
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(std::io::Error),
    #[error("raw client: {0}\n  hint: is cua-computer-server listening at CUA_WS_URL?")]
    Raw(String),
    #[error("{tool} failed: {message}")]
    Tool { tool: String, message: String },
    #[error("our client's capture failed: {0}")]
    Capture(#[from] cua_protocol::Error),
    #[error("configuration: {0}")]
    Config(String),
    #[error("processing: {0}")]
    Imaging(#[from] imaging::ImagingError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot run xdotool (install it: scripts/bootstrap): {0}")]
    Xdotool(std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// One line of the result table.
struct Row {
    key: &'static str,
    label: String,
    stats: Stats,
    size: String,
    bytes: Option<usize>,
    note: String,
}

/// A pass/miss line.
struct Check {
    key: &'static str,
    label: String,
    verdict: &'static str,
    detail: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    checks: Vec<Check>,
    meta: Vec<(&'static str, String)>,
    /// Model images written next to `rust.tsv` (the Python side scores them against a lossless grab).
    files: Vec<(String, Vec<u8>)>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screenshot bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BenchError> {
    let url = std::env::var("CUA_WS_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .ok_or(BenchError::NoUrl)?;
    let runs = support::env_number("SCREENSHOT_BENCH_RUNS", MIN_RUNS, MIN_RUNS)?;
    let display = std::env::var("DISPLAY")
        .ok()
        .filter(|d| !d.is_empty())
        .ok_or(BenchError::NoDisplay)?;
    let out_dir = std::env::var_os("SCREENSHOT_BENCH_DIR").map(PathBuf::from);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(BenchError::Runtime)?;
    let mut report = Report::default();
    let wired = runtime.block_on(wire(&url, &display, runs, &mut report))?;
    drop(runtime);
    processing(&wired, runs, &mut report)?;
    let capture = wired.capture;

    if let Some(dir) = &out_dir {
        let jpg = dir.join("capture.jpg");
        std::fs::write(&jpg, &capture).map_err(|source| BenchError::Write { path: jpg, source })?;
        for (name, bytes) in &report.files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|source| BenchError::Write { path, source })?;
        }
        let tsv = dir.join("rust.tsv");
        std::fs::write(&tsv, to_tsv(&report))
            .map_err(|source| BenchError::Write { path: tsv, source })?;
    }
    print!("{}", to_markdown(&report));
    Ok(())
}

// ---- the wire rows and the coordinate check -----------------------------------------------------------------

/// Which measurement an iteration slot runs.
#[derive(Debug, Clone, Copy)]
enum Probe {
    Raw,
    Default,
    Full,
    OurCapture,
    /// The raw floor at a lower JPEG quality (what asking the server for less would save).
    RawAt(u8),
    /// `vm_screenshot` through `Tool::call` directly: no guards.
    Unguarded,
    /// Our client's capture → `spawn_blocking(prepare)` → base64, hand-rolled: no tool framework at all.
    Bare,
}

/// What the wire part hands to the processing part.
struct Wired {
    /// The last raw capture at [`CAPTURE_QUALITY`].
    capture: Vec<u8>,
    /// The last raw captures at the [`SWEEP`] qualities.
    sweep: [Vec<u8>; 2],
    /// The image policy `vm_screenshot` uses with the default config.
    policy: ImagePolicy,
}

/// Lower capture qualities measured for the "where the time goes" rows.
const SWEEP: [u8; 2] = [80, 70];

async fn wire(
    url: &str,
    display: &str,
    runs: usize,
    report: &mut Report,
) -> Result<Wired, BenchError> {
    let mut raw = RawClient::connect(url).await.map_err(BenchError::Raw)?;
    let seed = context(url, "")?;
    let full = context(url, "screenshotScale: 1.0,")?;
    let session = seed
        .session()
        .map_err(|e| BenchError::Other(format!("no session: {e}")))?;
    let policy = computer_use::tools::capture::policy(&seed);
    report
        .meta
        .push(("jpeg_quality", policy.jpeg_quality.to_string()));
    let unguarded = computer_use::tools::find("vm_screenshot")
        .ok_or_else(|| BenchError::Other("the registry has no vm_screenshot".into()))?;

    let probes = [
        Probe::Raw,
        Probe::Default,
        Probe::Full,
        Probe::OurCapture,
        Probe::RawAt(SWEEP[0]),
        Probe::RawAt(SWEEP[1]),
        Probe::Unguarded,
        Probe::Bare,
    ];
    let mut samples: [Vec<f64>; 8] = Default::default();
    let mut last_raw = Vec::new();
    let mut last_sweep: [Vec<u8>; 2] = Default::default();
    let mut last_out: [Option<ToolOutput>; 2] = [None, None];
    let mut capture_bytes = 0;
    for i in 0..WARMUP + runs {
        for k in 0..probes.len() {
            let slot = (i + k) % probes.len();
            let start = Instant::now();
            match probes[slot] {
                Probe::Raw => {
                    last_raw = raw
                        .screenshot(CAPTURE_QUALITY)
                        .await
                        .map_err(BenchError::Raw)?
                }
                Probe::RawAt(q) => {
                    let bytes = raw.screenshot(q).await.map_err(BenchError::Raw)?;
                    if let Some(i) = SWEEP.iter().position(|s| *s == q) {
                        last_sweep[i] = bytes;
                    }
                }
                Probe::Default => last_out[0] = Some(screenshot(&seed).await?),
                Probe::Full => last_out[1] = Some(screenshot(&full).await?),
                Probe::OurCapture => {
                    let shot = session
                        .gui()
                        .screenshot(CaptureFormat::Jpeg, Some(CAPTURE_QUALITY))
                        .await?;
                    capture_bytes = shot.bytes.len();
                }
                Probe::Unguarded => {
                    unguarded
                        .call(&seed, serde_json::json!({}))
                        .await
                        .map_err(|e| BenchError::Tool {
                            tool: "vm_screenshot (Tool::call)".into(),
                            message: e.to_string(),
                        })?;
                }
                Probe::Bare => {
                    let shot = session
                        .gui()
                        .screenshot(CaptureFormat::Jpeg, Some(CAPTURE_QUALITY))
                        .await?;
                    let policy = policy.clone();
                    let prepared =
                        tokio::task::spawn_blocking(move || prepare(&shot.bytes, &policy))
                            .await
                            .map_err(|e| BenchError::Other(e.to_string()))??;
                    std::hint::black_box(
                        base64::engine::general_purpose::STANDARD.encode(&prepared.bytes),
                    );
                }
            }
            let ms = start.elapsed().as_secs_f64() * 1e3;
            if i >= WARMUP {
                samples[slot].push(ms);
            }
        }
    }

    let (sw, sh) = decoded_size(&last_raw)?;
    report.meta.push(("screen", format!("{sw}x{sh}")));
    report
        .meta
        .push(("capture_quality", CAPTURE_QUALITY.to_string()));
    report.rows.push(Row {
        key: "raw_floor",
        label: format!(
            "Raw JPEG capture, minimal tokio-tungstenite client (q{CAPTURE_QUALITY}, base64-decoded) — the floor"
        ),
        stats: Stats::of(&samples[0]),
        size: format!("{sw}x{sh}"),
        bytes: Some(last_raw.len()),
        note: "server grab + JPEG encode + transfer; nothing else".into(),
    });
    for (idx, (key, label)) in [
        (
            "vm_shot_default",
            "`vm_screenshot` end to end through the core (default config, screenshotScale 0.5)",
        ),
        (
            "vm_shot_full",
            "`vm_screenshot` end to end through the core (screenshotScale 1.0, budget-limited)",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let out = last_out[idx]
            .as_ref()
            .ok_or_else(|| BenchError::Other("no vm_screenshot result".into()))?;
        let (w, h, _) = image_of(out)?;
        report.rows.push(Row {
            key,
            label: label.into(),
            stats: Stats::of(&samples[idx + 1]),
            size: format!("{w}x{h}"),
            bytes: out
                .details
                .get("bytes")
                .and_then(|b| b.as_u64())
                .and_then(|b| usize::try_from(b).ok()),
            note: "model-ready: the JPEG as base64 in a ToolOutput".into(),
        });
    }
    report.rows.push(Row {
        key: "our_capture",
        label: "Our client's capture alone (`gui().screenshot`, the first step of `vm_screenshot`)"
            .into(),
        stats: Stats::of(&samples[3]),
        size: format!("{sw}x{sh}"),
        bytes: Some(capture_bytes),
        note: "cua_protocol::Client, same request as the floor".into(),
    });
    for (i, q) in SWEEP.iter().enumerate() {
        report.rows.push(Row {
            key: if i == 0 { "raw_q80" } else { "raw_q70" },
            label: format!("  raw capture at q{q} (same minimal client)"),
            stats: Stats::of(&samples[4 + i]),
            size: format!("{sw}x{sh}"),
            bytes: Some(last_sweep[i].len()),
            note: "what asking the server for less quality saves".into(),
        });
    }
    report.rows.push(Row {
        key: "vm_shot_unguarded",
        label: "  `vm_screenshot` via `Tool::call` (default config, no guards)".into(),
        stats: Stats::of(&samples[6]),
        size: String::new(),
        bytes: None,
        note: "tools::call minus this = the guards".into(),
    });
    report.rows.push(Row {
        key: "bare_pipeline",
        label: "  capture → `spawn_blocking(prepare)` → base64, hand-rolled (no tool framework)"
            .into(),
        stats: Stats::of(&samples[7]),
        size: String::new(),
        bytes: None,
        note: "the pipeline's own floor".into(),
    });

    for (key, label, ctx) in [
        ("coords_default", "screenshotScale 0.5", &seed),
        ("coords_full", "screenshotScale 1.0", &full),
    ] {
        report
            .checks
            .push(coordinate_check(key, label, ctx, display).await?);
    }
    let path = if computer_use::tools::find("vm_move").is_some() {
        "vm_move (registered)"
    } else {
        "vm_move not registered yet: Frame::to_input on the session's latest frame + client.move_cursor"
    };
    report.meta.push(("move_path", path.into()));
    raw.close().await;
    Ok(Wired {
        capture: last_raw,
        sweep: last_sweep,
        policy,
    })
}

/// Guard thresholds raised so that dozens of identical screenshots in a row (a static screen) are neither
/// rate-limited nor refused as a loop; the guards still run (and hash every image), as they do by default.
const GUARDS: &str = "guards: { \
    rate: { screenshotsPerMinute: 1000000, screenshotBurst: 1000000, actionsPerMinute: 1000000, actionBurst: 1000000 }, \
    loop: { repeatWarn: 1000000, repeatRefuse: 1000000, alternationWarn: 1000000, alternationRefuse: 1000000, \
            identicalScreenshotsWarn: 1000000, identicalScreenshotsRefuse: 1000000 } }";

/// A url-provider context: the defaults plus `extra` keys (a JSON5 object body) and [`GUARDS`].
fn context(url: &str, extra: &str) -> Result<ToolContext, BenchError> {
    let text = format!(r#"{{ provider: "url", serverUrl: "{url}", {extra} {GUARDS} }}"#);
    let config =
        Config::from_json5_str(&text, "bench").map_err(|e| BenchError::Config(e.to_string()))?;
    Ok(ToolContext::new(Arc::new(Vms::new(Arc::new(config)))))
}

async fn screenshot(ctx: &ToolContext) -> Result<ToolOutput, BenchError> {
    call(ctx, "vm_screenshot", serde_json::json!({})).await
}

async fn call(
    ctx: &ToolContext,
    tool: &str,
    args: serde_json::Value,
) -> Result<ToolOutput, BenchError> {
    computer_use::tools::call(ctx, tool, args)
        .await
        .map_err(|e| BenchError::Tool {
            tool: tool.into(),
            message: e.to_string(),
        })
}

/// Width, height and base64 length of a result's image.
fn image_of(out: &ToolOutput) -> Result<(u64, u64, usize), BenchError> {
    let dim = |k: &str| out.details.get(k).and_then(|v| v.as_u64());
    let b64 = out.content.iter().find_map(|c| match c {
        Content::Image { base64, .. } => Some(base64.len()),
        Content::Text(_) => None,
    });
    match (dim("width"), dim("height"), b64) {
        (Some(w), Some(h), Some(b)) => Ok((w, h, b)),
        _ => Err(BenchError::Other(format!(
            "vm_screenshot returned no image or no width/height details: {out:?}"
        ))),
    }
}

fn decoded_size(jpeg: &[u8]) -> Result<(u32, u32), BenchError> {
    let (_, w, h) = steps::dimensions(jpeg)?;
    Ok((w, h))
}

/// Screenshot, move to the image centre, read the pointer with xdotool: must be the screen centre ±2 px.
async fn coordinate_check(
    key: &'static str,
    label: &str,
    ctx: &ToolContext,
    display: &str,
) -> Result<Check, BenchError> {
    let out = screenshot(ctx).await?;
    let (w, h, _) = image_of(&out)?;
    let screen = |k: &str| out.details.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let (sw, sh) = (screen("screenWidth"), screen("screenHeight"));
    let (cx, cy) = (w / 2, h / 2);
    let mut how = String::new();
    if computer_use::tools::find("vm_move").is_some() {
        call(ctx, "vm_move", serde_json::json!({"x": cx, "y": cy})).await?;
        how.push_str("vm_move");
    } else {
        let session = ctx
            .session()
            .map_err(|e| BenchError::Other(format!("no session: {e}")))?;
        let frame = session
            .frames()
            .latest()
            .ok_or_else(|| BenchError::Other("vm_screenshot recorded no frame".into()))?;
        let (ix, iy) = frame
            .to_input(cx as f64, cy as f64)
            .map_err(|e| BenchError::Other(e.to_string()))?;
        session.gui().move_cursor(ix, iy).await?;
        let _ = write!(how, "Frame::to_input → move_cursor({ix}, {iy})");
    }
    let want = ((sw / 2) as i64, (sh / 2) as i64);
    // X applies the warp synchronously, but poll briefly so a slow server cannot fake a miss.
    let mut got = (-1, -1);
    for _ in 0..10 {
        got = pointer(display)?;
        if (got.0 - want.0).abs() <= TOLERANCE_PX && (got.1 - want.1).abs() <= TOLERANCE_PX {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hit = (got.0 - want.0).abs() <= TOLERANCE_PX && (got.1 - want.1).abs() <= TOLERANCE_PX;
    Ok(Check {
        key,
        label: format!("Move to the image centre → pointer at the screen centre ({label})"),
        verdict: if hit { "PASS" } else { "MISS" },
        detail: format!(
            "image {w}x{h}, centre ({cx}, {cy}) via {how}; xdotool: ({}, {}); screen centre ({}, {}) ±{TOLERANCE_PX}",
            got.0, got.1, want.0, want.1
        ),
    })
}

/// The pointer as X sees it (independent of the server).
fn pointer(display: &str) -> Result<(i64, i64), BenchError> {
    let out = std::process::Command::new("xdotool")
        .args(["getmouselocation", "--shell"])
        .env("DISPLAY", display)
        .output()
        .map_err(BenchError::Xdotool)?;
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    match (get("X"), get("Y")) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(BenchError::Other(format!(
            "xdotool getmouselocation on {display} printed no X/Y: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ))),
    }
}

// ---- processing alone -------------------------------------------------------------------------------------

/// Times `f` `runs` times after 2 warm-up calls; returns the stats and the last output.
fn time<T>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, BenchError>,
) -> Result<(Stats, T), BenchError> {
    for _ in 0..2 {
        std::hint::black_box(f()?);
    }
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = std::hint::black_box(f()?);
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        last = Some(out);
    }
    let last = last.ok_or_else(|| BenchError::Other("no runs".into()))?;
    Ok((Stats::of(&samples), last))
}

fn processing(wired: &Wired, runs: usize, report: &mut Report) -> Result<(), BenchError> {
    // The policy vm_screenshot uses with the default config (screenshotScale 0.5).
    let (capture, sweep, policy) = (&wired.capture[..], &wired.sweep, &wired.policy);
    let (stats, out) = time(runs, || Ok(prepare(capture, policy)?))?;
    let size = format!("{}x{}", out.width, out.height);
    report.rows.push(Row {
        key: "prep_ours",
        label: format!(
            "Our processing step alone (`imaging::prepare`: decode → resize → JPEG q{}), two cores",
            policy.jpeg_quality
        ),
        stats,
        size: size.clone(),
        bytes: Some(out.bytes.len()),
        note: format!("same captured JPEG q{CAPTURE_QUALITY} as Pillow's row"),
    });
    report
        .files
        .push((format!("out_q{CAPTURE_QUALITY}.jpg"), out.bytes.clone()));
    for (i, (q, input)) in SWEEP.iter().zip(sweep).enumerate() {
        let (stats, o) = time(runs, || Ok(prepare(input, policy)?))?;
        report
            .files
            .push((format!("out_q{q}.jpg"), o.bytes.clone()));
        report.rows.push(Row {
            key: if i == 0 { "prep_q80" } else { "prep_q70" },
            label: format!("  our processing of a q{q} capture ({} B in)", input.len()),
            stats,
            size: format!("{}x{}", o.width, o.height),
            bytes: Some(o.bytes.len()),
            note: "less to decode".into(),
        });
    }
    let one = ImagePolicy {
        parallel: false,
        ..policy.clone()
    };
    let (stats, out1) = time(runs, || Ok(prepare(capture, &one)?))?;
    report.rows.push(Row {
        key: "prep_ours_1t",
        label: "Our processing step alone, one thread (`parallel: false`)".into(),
        stats,
        size: format!("{}x{}", out1.width, out1.height),
        bytes: Some(out1.bytes.len()),
        note: String::new(),
    });

    let (stats, (_, full)) = time(runs, || Ok(steps::decode(capture)?))?;
    report.rows.push(Row {
        key: "step_decode",
        label: "  step: JPEG decode (libjpeg-turbo)".into(),
        stats,
        size: format!("{}x{}", full.width(), full.height()),
        bytes: None,
        note: String::new(),
    });
    let target = (out.width, out.height);
    let half = (full.width() / 2, full.height() / 2);
    let (stats, (_, reduced)) = time(runs, || Ok(steps::decode_at_least(capture, half)?))?;
    report.rows.push(Row {
        key: "step_decode_half",
        label: "  step: JPEG decode at half size in the DCT domain (libjpeg-turbo; not used: softer text)"
            .into(),
        stats,
        size: format!("{}x{}", reduced.width(), reduced.height()),
        bytes: None,
        note: "would save this much less than the full decode; see imaging::REDUCING_GAP".into(),
    });
    let (stats, pixels) = time(runs, || {
        Ok(steps::resize(&full, Region::full(&full), target)?)
    })?;
    report.rows.push(Row {
        key: "step_resize",
        label: "  step: resize, Catmull-Rom (fast_image_resize), one thread".into(),
        stats,
        size: size.clone(),
        bytes: None,
        note: String::new(),
    });
    let (stats, jpeg) = time(runs, || {
        Ok(steps::encode_jpeg(
            &pixels,
            target.0,
            target.1,
            policy.jpeg_quality,
        )?)
    })?;
    report.rows.push(Row {
        key: "step_jpeg",
        label: format!(
            "  step: JPEG q{} encode (libjpeg-turbo)",
            policy.jpeg_quality
        ),
        stats,
        size: size.clone(),
        bytes: Some(jpeg.len()),
        note: String::new(),
    });
    let (stats, b64) = time(runs, || {
        Ok(base64::engine::general_purpose::STANDARD.encode(&out.bytes))
    })?;
    report.rows.push(Row {
        key: "step_b64",
        label: "  step: base64 of the output".into(),
        stats,
        size,
        bytes: Some(b64.len()),
        note: String::new(),
    });
    Ok(())
}

// ---- output -----------------------------------------------------------------------------------------------

fn clean(s: &str) -> String {
    s.replace(['\t', '\n'], " ")
}

/// `row`/`check`/`meta` lines for `bench/screenshot_py.py merge`.
fn to_tsv(r: &Report) -> String {
    let mut s = String::new();
    for row in &r.rows {
        let _ = writeln!(
            s,
            "row\t{}\t{}\t{}\t{:.2}\t{:.2}\t{}\t{}\t{}",
            row.key,
            clean(&row.label),
            row.stats.n,
            row.stats.median,
            row.stats.p90,
            row.size,
            row.bytes.map(|b| b.to_string()).unwrap_or_default(),
            clean(&row.note)
        );
    }
    for c in &r.checks {
        let _ = writeln!(
            s,
            "check\t{}\t{}\t{}\t{}",
            c.key,
            clean(&c.label),
            c.verdict,
            clean(&c.detail)
        );
    }
    for (k, v) in &r.meta {
        let _ = writeln!(s, "meta\t{k}\t{}", clean(v));
    }
    s
}

fn to_markdown(r: &Report) -> String {
    let floor = r
        .rows
        .iter()
        .find(|x| x.key == "raw_floor")
        .map(|x| x.stats.median);
    let mut s = String::from(
        "\n| Rust side | n | median ms | p90 ms | output | bytes | ÷ floor |\n|---|---|---|---|---|---|---|\n",
    );
    for row in &r.rows {
        let ratio = match floor {
            Some(f) if row.key.starts_with("vm_shot") || row.key == "our_capture" => {
                format!("{:.2}x", row.stats.median / f)
            }
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {:.1} | {:.1} | {} | {} | {} |",
            row.label,
            row.stats.n,
            row.stats.median,
            row.stats.p90,
            row.size,
            row.bytes.map(|b| b.to_string()).unwrap_or_default(),
            ratio
        );
    }
    s.push('\n');
    for c in &r.checks {
        let _ = writeln!(s, "- {} **{}**: {}", c.label, c.verdict, c.detail);
    }
    for (k, v) in &r.meta {
        let _ = writeln!(s, "- {k}: {v}");
    }
    s
}
