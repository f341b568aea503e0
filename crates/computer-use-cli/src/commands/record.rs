//! `computer-use record list|view|replay`: the recordings `record.dir` (or `--record DIR`) collects.
//!
//! `list` and `view` read files only; `replay` sends the recording's actions to a VM through the core
//! (`computer_use::replay`), so the guards and the audit log apply, and writes the report page.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use computer_use::config::Config;
use computer_use::replay::{ReplayOptions, Verdict, replay};
use computer_use::tools::ToolContext;
use computer_use::vm::Vms;
use recording::Recording;

use crate::cli::{Global, RecordCommand, ReplayArgs};
use crate::print;

/// Exit status of a replay whose screens diverged.
const DIVERGED: u8 = 1;
/// Exit status of a replay that could not run.
const REPLAY_ERROR: u8 = 2;

pub async fn run(global: &Global, command: &RecordCommand) -> anyhow::Result<ExitCode> {
    match command {
        RecordCommand::List { dir } => list(global, dir.as_deref()),
        RecordCommand::View { dir, output } => view(dir, output.as_deref()),
        RecordCommand::Replay(args) => Ok(match replay_command(global, args).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(REPLAY_ERROR)
            }
        }),
    }
}

fn list(global: &Global, dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let root = match dir {
        Some(d) => d.to_path_buf(),
        None => {
            let config = crate::setup::config(global)?;
            match config.record().dir() {
                Some(d) => d.to_path_buf(),
                None => bail!(
                    "no directory of recordings: give one (`computer-use record list DIR`), or set record.dir in the configuration"
                ),
            }
        }
    };
    let (recordings, errors) = recording::list::list(&root)?;
    for e in &errors {
        tracing::warn!("skipped: {e}");
    }
    if global.json {
        print::json(&serde_json::json!({ "recordings": recordings }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if recordings.is_empty() {
        print::line(format!("no recordings in {}", root.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    print::line(format!(
        "{:<24}  {:<10}  {:<12}  {:>6}  {:>6}  {:>9}  DIRECTORY",
        "STARTED", "VM", "AGENT", "STEPS", "FAILED", "SIZE"
    ))?;
    for r in &recordings {
        print::line(format!(
            "{:<24}  {:<10}  {:<12}  {:>6}  {:>6}  {:>9}  {}{}",
            r.started,
            r.vm,
            r.agent.as_deref().unwrap_or("-"),
            r.steps,
            r.failures,
            human_bytes(r.bytes),
            r.dir.display(),
            if r.cut { " (cut)" } else { "" }
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn view(dir: &Path, output: Option<&Path>) -> anyhow::Result<ExitCode> {
    let recording = Recording::open(dir)?;
    let page = recording::view::render(&recording, None);
    let out = output.map_or_else(|| dir.join("index.html"), Path::to_path_buf);
    write_page(&out, &page)?;
    print::line(format!(
        "{}: {} steps, {} failed{}",
        out.display(),
        recording.steps.len(),
        recording.failures(),
        if recording.cut {
            "; the recording was cut while writing its last step"
        } else {
            ""
        }
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn replay_command(global: &Global, args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "--threshold {} is not an SSIM in 0..1 (1 = identical; the default {} tolerates JPEG noise, not a changed line of text)",
            args.threshold,
            recording::compare::DEFAULT_THRESHOLD
        );
    }
    if !args.settle.is_finite() || args.settle < 0.0 {
        bail!(
            "--settle {} must be a number of seconds, 0 or more",
            args.settle
        );
    }
    let recording = Recording::open(&args.dir)?;
    let config: Arc<Config> = crate::setup::config(global)?;
    let vm = global
        .vm
        .clone()
        .unwrap_or_else(|| recording.meta.vm.clone());
    config.vm(Some(&vm)).with_context(|| match &global.vm {
        Some(asked) => format!("--vm `{asked}` is not a VM of this configuration"),
        None => format!(
            "the recording was made on VM `{vm}`, which this configuration does not have: name a configured VM with --vm NAME"
        ),
    })?;
    let mut ctx = ToolContext::new(Arc::new(Vms::new(config)));
    // The VM asked for, and no other: no agent, so agentVms cannot redirect the calls.
    ctx.vm = Some(vm.clone());
    let options = ReplayOptions {
        threshold: args.threshold,
        settle: Duration::from_secs_f64(args.settle),
        skip_redacted: args.skip_redacted,
    };
    let replayed = replay(&ctx, &recording, options).await?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| default_report(&args.dir));
    let page = recording::view::render(&recording, Some(&replayed.report));
    write_page(&out, &page)?;
    eprintln!("{}", replayed.report.summary);
    eprintln!("report: {}", out.display());
    Ok(match replayed.verdict {
        Verdict::Matched => ExitCode::SUCCESS,
        Verdict::Diverged(_) => ExitCode::from(DIVERGED),
        Verdict::Error(..) => ExitCode::from(REPLAY_ERROR),
    })
}

fn default_report(dir: &Path) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    dir.join(format!("replay-{secs}.html"))
}

fn write_page(path: &Path, page: &str) -> anyhow::Result<()> {
    std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
