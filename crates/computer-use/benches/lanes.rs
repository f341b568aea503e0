//! The lanes benchmark of the reliability issue, on one real cua-computer-server:
//!
//! 1. Screenshot latency while a long `vm_exec` (`sleep LANES_SLEEP_S`, default 30) runs on the shell lane,
//!    against the same screenshots with nothing else running (one idle block before the exec and one after,
//!    so drift hits both). Target: median during the exec at most 1.2x the idle median. Rows for
//!    `vm_screenshot` end to end and for the GUI lane's capture alone (no image processing), so a slowdown
//!    can be told apart from the server being blocked.
//! 2. Actions per second on one VM, one caller: through the core (`tools::call`, guards on the path but with
//!    the rate limit and loop guard off) against the raw `cua_protocol::Client` on its own connection, for a
//!    pointer move, a cursor read and a shell command. The two run in alternating blocks of 25, and which
//!    goes first alternates too.
//!
//! Run it through `bench/lanes.sh` (private desktop), or against a running server:
//! `CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p computer-use --bench lanes`. Environment:
//! `LANES_RUNS` (30 screenshots per block), `LANES_SLEEP_S` (30), `LANES_ACTIONS` (300 per side and action).
//! Prints markdown tables; exits 0 whether or not the target is met, 1 if it cannot run.

mod support;

use std::process::ExitCode;

use std::sync::Arc;
use std::time::{Duration, Instant};
use support::Stats;
use support::env_number;

use computer_use::config::Config;
use computer_use::tools::ToolContext;
use computer_use::vm::Vms;
use cua_protocol::{CaptureFormat, Client};
use serde_json::{Value, json};

/// The issue's target: screenshot median during a long exec ≤ this × idle.
const TARGET_RATIO: f64 = 1.2;
/// Alternating block size of the throughput comparison.
const BLOCK: usize = 25;

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(
        "CUA_WS_URL is not set\n  hint: run bench/lanes.sh (it starts a private desktop), or point it at a running server: CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p computer-use --bench lanes"
    )]
    NoUrl,
    #[error(transparent)]
    Number(#[from] support::BadNumber),
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
    #[error("{tool} failed: {message}")]
    Tool { tool: String, message: String },
    #[error("raw client: {0}")]
    Raw(#[from] cua_protocol::Error),
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lanes: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BenchError> {
    let url = std::env::var("CUA_WS_URL").map_err(|_| BenchError::NoUrl)?;
    let runs = env_number("LANES_RUNS", 30, 3)?;
    let sleep_s = env_number("LANES_SLEEP_S", 30, 2)?;
    let actions = env_number("LANES_ACTIONS", 300, BLOCK)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(BenchError::Runtime)?;
    runtime.block_on(async {
        let text = format!(
            r#"{{ provider: "url", serverUrl: "{url}",
                 guards: {{ rate: {{enabled: false}}, loop: {{enabled: false}} }} }}"#
        );
        let config = Config::from_json5_str(&text, "lanes bench")
            .map_err(|e| BenchError::Config(e.to_string()))?;
        let ctx = ToolContext::new(Arc::new(Vms::new(Arc::new(config))));
        let raw = Client::connect_url(&url)?;
        eprintln!(
            "lanes: {runs} screenshots per block, exec sleep {sleep_s}s, {actions} actions per side"
        );
        screenshots_during_exec(&ctx, runs, sleep_s).await?;
        throughput(&ctx, &raw, actions).await
    })
}

async fn call(ctx: &ToolContext, tool: &str, args: Value) -> Result<(), BenchError> {
    computer_use::tools::call(ctx, tool, args)
        .await
        .map(drop)
        .map_err(|e| BenchError::Tool {
            tool: tool.into(),
            message: e.message,
        })
}

/// One block of `n` end-to-end screenshots and `n` GUI-lane captures, alternating; latencies in ms.
async fn shots(ctx: &ToolContext, n: usize) -> Result<(Vec<f64>, Vec<f64>), BenchError> {
    let session = ctx.session().map_err(|e| BenchError::Tool {
        tool: "session".into(),
        message: e.message,
    })?;
    let (mut tool, mut capture) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let t = Instant::now();
        call(ctx, "vm_screenshot", json!({})).await?;
        tool.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        session
            .gui()
            .screenshot(
                CaptureFormat::Jpeg,
                Some(computer_use::config::defaults::CAPTURE_QUALITY),
            )
            .await?;
        capture.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((tool, capture))
}

async fn screenshots_during_exec(
    ctx: &ToolContext,
    runs: usize,
    sleep_s: usize,
) -> Result<(), BenchError> {
    // Warm both lanes: connections, calibration, the first frame.
    call(ctx, "vm_exec", json!({"command": "true"})).await?;
    shots(ctx, 3).await?;

    let (mut idle_tool, mut idle_capture) = shots(ctx, runs).await?;
    let exec = {
        let ctx = ctx.clone();
        let args = json!({"command": format!("sleep {sleep_s}"), "timeout": sleep_s + 30});
        tokio::spawn(async move {
            let t = Instant::now();
            let r = computer_use::tools::call(&ctx, "vm_exec", args).await;
            (r.map(drop).map_err(|e| e.message), t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (busy_tool, busy_capture) = shots(ctx, runs).await?;
    let overlapped = !exec.is_finished();
    let (exec_result, exec_took) = exec.await.map_err(|e| BenchError::Tool {
        tool: "vm_exec".into(),
        message: e.to_string(),
    })?;
    exec_result.map_err(|message| BenchError::Tool {
        tool: "vm_exec".into(),
        message,
    })?;
    let (after_tool, after_capture) = shots(ctx, runs).await?;
    idle_tool.extend(after_tool);
    idle_capture.extend(after_capture);

    println!("## Screenshots while `vm_exec sleep {sleep_s}` runs on the shell lane\n");
    println!(
        "| What | Idle median / p90 (n) | During the exec median / p90 (n) | Ratio of medians | Target | Verdict |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, idle, busy, target) in [
        ("`vm_screenshot` end to end", &idle_tool, &busy_tool, true),
        (
            "GUI lane capture alone (JPEG)",
            &idle_capture,
            &busy_capture,
            false,
        ),
    ] {
        let (i, b) = (Stats::of(idle), Stats::of(busy));
        let ratio = b.median / i.median;
        let verdict = if !overlapped {
            "INVALID (the exec ended first)"
        } else if ratio <= TARGET_RATIO {
            "PASS"
        } else {
            "MISS"
        };
        println!(
            "| {label} | {:.1} / {:.1} ms ({}) | {:.1} / {:.1} ms ({}) | {ratio:.2}x | {} | {} |",
            i.median,
            i.p90,
            i.n,
            b.median,
            b.p90,
            b.n,
            if target { "≤ 1.2x" } else { "–" },
            if target { verdict } else { "–" }
        );
    }
    println!(
        "\nThe exec took {:.1} s (asked: {sleep_s} s); every busy screenshot ran while it was still running: {}.\n",
        exec_took.as_secs_f64(),
        if overlapped { "yes" } else { "no" }
    );
    Ok(())
}

async fn core_action(ctx: &ToolContext, label: &str, i: usize) -> Result<(), BenchError> {
    match label {
        "pointer move" => {
            call(
                ctx,
                "vm_move",
                json!({"x": 10 + i % 200, "y": 10 + i % 150}),
            )
            .await
        }
        "cursor read" => call(ctx, "vm_cursor", json!({})).await,
        _ => call(ctx, "vm_exec", json!({"command": format!("echo {i}")})).await,
    }
}

async fn raw_action(raw: &Client, label: &str, i: usize) -> Result<(), BenchError> {
    match label {
        "pointer move" => {
            raw.move_cursor((20 + i % 200) as f64, (20 + i % 150) as f64)
                .await?
        }
        "cursor read" => drop(raw.cursor_position().await?),
        _ => drop(
            raw.run_command(&format!("echo {i}"), Duration::from_secs(30))
                .await?,
        ),
    }
    Ok(())
}

/// A figure of the throughput table.
struct Rate {
    label: &'static str,
    core: f64,
    raw: f64,
}

async fn throughput(ctx: &ToolContext, raw: &Client, n: usize) -> Result<(), BenchError> {
    raw.version().await?;
    let mut rates = Vec::new();
    for label in ["pointer move", "cursor read", "shell command (echo)"] {
        let (mut core_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
        let mut done = 0;
        let mut block_no = 0;
        while done < n {
            let block = BLOCK.min(n - done);
            // Which side goes first alternates between blocks, so warm-up and drift hit both alike.
            for side in if block_no % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            } {
                let t = Instant::now();
                for i in done..done + block {
                    if side {
                        core_action(ctx, label, i).await?;
                    } else {
                        raw_action(raw, label, i).await?;
                    }
                }
                *if side { &mut core_time } else { &mut raw_time } += t.elapsed();
            }
            done += block;
            block_no += 1;
        }
        rates.push(Rate {
            label,
            core: n as f64 / core_time.as_secs_f64(),
            raw: n as f64 / raw_time.as_secs_f64(),
        });
    }
    println!(
        "## Actions per second on one VM, one caller: the core vs the raw cua-protocol client\n"
    );
    println!("| Action | Core (`tools::call`) | Raw client | Core / raw |");
    println!("|---|---|---|---|");
    for r in rates {
        println!(
            "| {} ({n} each) | {:.0}/s | {:.0}/s | {:.2} |",
            r.label,
            r.core,
            r.raw,
            r.core / r.raw
        );
    }
    Ok(())
}
