//! `computer-use doctor`: picks the file and the configuration, runs the doctor crate's checks, renders them
//! (✓/✗/!/i/- lines with the fix below, or `--json`) and exits 1 when any check failed.

use std::process::ExitCode;

use computer_use_doctor::{DoctorOptions, Report, Status};

use crate::cli::{DoctorArgs, Global};
use crate::{exit, setup};

pub async fn run(global: &Global, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let file = setup::config_path(global)
        .or_else(|| computer_use_doctor::find_openclaw_config(|k| std::env::var(k).ok()));
    let config = setup::config_from(file.as_deref(), global);
    let mut opts = DoctorOptions {
        offline: args.offline,
        ..DoctorOptions::default()
    };
    opts.live.vm = global.vm.clone();
    if !global.json {
        let what = file.as_ref().map_or_else(
            || "no config file (the local desktop)".to_owned(),
            |f| f.display().to_string(),
        );
        eprintln!("computer-use doctor: {what}");
    }
    let report = computer_use_doctor::run(file.as_deref(), config, &opts, &mut |line| {
        eprintln!("  … {line}")
    })
    .await;
    if global.json {
        crate::print::line(report.to_json())?;
    } else {
        crate::print::text(&human(&report))?;
    }
    Ok(if report.failed() {
        exit::ERROR.into()
    } else {
        ExitCode::SUCCESS
    })
}

/// One line per check (`✓ id  message`), the fix indented below, then a summary line.
fn human(report: &Report) -> String {
    let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for check in &report.checks {
        let mut lines = check.message.lines();
        let first = lines.next().unwrap_or_default();
        out.push_str(&format!(
            "{} {:width$}  {first}\n",
            check.status.mark(),
            check.id
        ));
        let indent = " ".repeat(width + 4);
        for line in lines {
            out.push_str(&format!("{indent}{}\n", line.trim_start()));
        }
        if let Some(fix) = &check.fix {
            for (i, line) in fix.lines().enumerate() {
                let label = if i == 0 { "fix: " } else { "     " };
                out.push_str(&format!("{indent}{label}{line}\n"));
            }
        }
    }
    out.push_str(&format!(
        "{} passed, {} failed, {} warnings, {} skipped\n",
        report.count(Status::Pass),
        report.count(Status::Fail),
        report.count(Status::Warn),
        report.count(Status::Skip)
    ));
    out
}
