//! The soak of the reliability issue: at least 10,000 mixed actions through the core against one real
//! cua-computer-server, reporting this process's resident memory and open file descriptors at the start
//! (after a warm-up), every `SOAK_SAMPLE_EVERY` actions and at the end, and every failed or wrong reply.
//!
//! The actions and their checks are the CI soak's (`tests/support/soak.rs`): a GUI caller (moves, cursor
//! reads, one screenshot in eight) and a shell caller (commands, a file written and read back) at once, each
//! reply checked by content. Targets: no error; open descriptors back at the start figure; resident memory
//! within 8 MiB of the start (allocator arenas settle early; a leak grows with the action count).
//!
//! Run it through `bench/soak.sh` (private desktop), or against a running server:
//! `CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p computer-use --bench soak`. Environment: `SOAK_ACTIONS`
//! (10000), `SOAK_WARMUP` (200), `SOAK_SAMPLE_EVERY` (1000), `SOAK_DIR` (a directory on the server's machine
//! for the file actions; default a new one under /tmp, which is right when the server runs here). Prints a
//! markdown table; exits 0 whether or not the targets are met, 1 if it cannot run.

#[path = "../tests/support/soak.rs"]
mod soak;

mod support;

use std::process::ExitCode;

use std::sync::Arc;
use support::env_number;

use computer_use::config::Config;
use computer_use::tools::ToolContext;
use computer_use::vm::Vms;

/// The issue's minimum for the full run.
const FULL_RUN: usize = 10_000;
/// Resident memory growth allowed between the first and last sample.
const RSS_GROWTH_TARGET_KIB: u64 = 8 * 1024;

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(
        "CUA_WS_URL is not set\n  hint: run bench/soak.sh (it starts a private desktop), or point it at a running server: CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p computer-use --bench soak"
    )]
    NoUrl,
    #[error(transparent)]
    Number(#[from] support::BadNumber),
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot create the scratch directory {0}: {1}")]
    Scratch(String, std::io::Error),
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("soak: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BenchError> {
    let url = std::env::var("CUA_WS_URL").map_err(|_| BenchError::NoUrl)?;
    let actions = env_number("SOAK_ACTIONS", FULL_RUN, 2)?;
    let warmup = env_number("SOAK_WARMUP", 200, 0)?;
    let sample_every = env_number("SOAK_SAMPLE_EVERY", 1000, 2)?;
    let scratch = match std::env::var("SOAK_DIR") {
        Ok(dir) => dir,
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("cu-soak-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|e| BenchError::Scratch(dir.display().to_string(), e))?;
            dir.display().to_string()
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(BenchError::Runtime)?;
    let report = runtime.block_on(async {
        let text = format!(
            r#"{{ provider: "url", serverUrl: "{url}", {} }}"#,
            soak::SOAK_CONFIG
        );
        let config = Config::from_json5_str(&text, "soak bench")
            .map_err(|e| BenchError::Config(e.to_string()))?;
        let ctx = ToolContext::new(Arc::new(Vms::new(Arc::new(config))));
        eprintln!("soak: {warmup} warm-up actions, then {actions} measured, against {url}");
        Ok::<_, BenchError>(soak::run(&ctx, warmup, actions, sample_every, &scratch).await)
    })?;
    print_report(&report, actions);
    Ok(())
}

fn print_report(report: &soak::Report, asked: usize) {
    let (start, end) = (report.start(), report.end());
    let secs = report.took.as_secs_f64();
    let growth = end.rss_kib as i64 - start.rss_kib as i64;
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!(
        "## Soak: {} actions through the core on one VM\n",
        report.actions
    );
    println!("| Figure | Value | Target | Verdict |");
    println!("|---|---|---|---|");
    println!(
        "| actions | {} ({}) | ≥ {FULL_RUN} | {} |",
        report.actions,
        report
            .per_tool
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        verdict(report.actions >= FULL_RUN)
    );
    println!(
        "| errors | {}{} | 0 | {} |",
        report.errors,
        if report.first_errors.is_empty() {
            String::new()
        } else {
            format!(
                " (first: {})",
                report.first_errors.join("; ").replace('|', "/")
            )
        },
        verdict(report.errors == 0)
    );
    println!(
        "| duration | {secs:.1} s ({:.0} actions/s) | – | – |",
        report.actions as f64 / secs.max(1e-9)
    );
    println!(
        "| RSS start → end (peak) | {} → {} KiB ({growth:+} KiB; peak {} KiB) | growth ≤ {} KiB | {} |",
        start.rss_kib,
        end.rss_kib,
        report.peak_rss_kib(),
        RSS_GROWTH_TARGET_KIB,
        verdict(growth <= RSS_GROWTH_TARGET_KIB as i64)
    );
    println!(
        "| open fds start → end | {} → {} | equal | {} |",
        start.fds,
        end.fds,
        verdict(end.fds == start.fds)
    );
    if asked < FULL_RUN {
        println!(
            "\nShort run ({asked} actions, SOAK_ACTIONS): the figures are a smoke check, not the soak."
        );
    }
    println!("\n| After actions | Time | RSS KiB | Open fds |");
    println!("|---|---|---|---|");
    for s in &report.samples {
        println!(
            "| {} | {:.1} s | {} | {} |",
            s.actions,
            s.at.as_secs_f64(),
            s.usage.rss_kib,
            s.usage.fds
        );
    }
}
