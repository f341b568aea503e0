//! `computer-use openclaw config`: prints the plugin entry and worker agent as a minimal openclaw.json, or
//! merges them into one (`--write`), reporting what changed. The work is the doctor crate's.

use std::path::PathBuf;
use std::process::ExitCode;

use computer_use_doctor::openclaw_config::{self, SetupOptions, Target, version};

use crate::cli::{Global, OpenclawCommand, OpenclawConfigArgs};
use crate::json::{OpenclawSnippet, OpenclawWritten};

pub fn run(global: &Global, cmd: &OpenclawCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        OpenclawCommand::Config(args) => config(global, args),
    }
}

fn config(global: &Global, args: &OpenclawConfigArgs) -> anyhow::Result<ExitCode> {
    let opts = options(args)?;
    if !args.write {
        let text = openclaw_config::snippet(&opts)?;
        if global.json {
            crate::print::json(&OpenclawSnippet { text })?;
        } else {
            crate::print::text(&text)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let path = global
        .config
        .clone()
        .or_else(|| computer_use_doctor::find_openclaw_config(|k| std::env::var(k).ok()))
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".openclaw").join("openclaw.json"))
        })
        .ok_or_else(|| anyhow::anyhow!("no openclaw.json to write: pass --config FILE"))?;
    let merged = openclaw_config::write(&path, &opts)?;
    if global.json {
        crate::print::json(&OpenclawWritten {
            path: &path,
            changes: &merged.changes,
            notes: &merged.notes,
        })?;
    } else if merged.changes.is_empty() {
        crate::print::line(format!(
            "{}: already set up, nothing changed",
            path.display()
        ))?;
    } else {
        crate::print::line(format!("{}: updated", path.display()))?;
        for change in &merged.changes {
            crate::print::line(format!("  + {change}"))?;
        }
    }
    if !global.json {
        for note in &merged.notes {
            eprintln!("  note: {note}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The plugin path and OpenClaw shape from the flags, else from this binary's location and `openclaw --version`.
fn options(args: &OpenclawConfigArgs) -> anyhow::Result<SetupOptions> {
    let version = match &args.openclaw_version {
        Some(v) => v.clone(),
        None => version::detect().unwrap_or_else(|why| {
            eprintln!(
                "note: {why}; writing for OpenClaw {} (set --openclaw-version otherwise)",
                version::PINNED
            );
            version::PINNED.to_owned()
        }),
    };
    let target = Target::for_version(&version).ok_or_else(|| {
        anyhow::anyhow!("--openclaw-version `{version}` is not a version like 2026.9.6")
    })?;
    let plugin_path = match &args.plugin_path {
        Some(p) => std::path::absolute(p)?,
        None => openclaw_config::find_plugin_dir().unwrap_or_else(|| {
            eprintln!(
                "note: no extensions/computer-use next to this binary; writing ./extensions/computer-use (relative to where OpenClaw runs); pass --plugin-path otherwise"
            );
            PathBuf::from("./extensions/computer-use")
        }),
    };
    Ok(SetupOptions::new(plugin_path.display().to_string(), target))
}
