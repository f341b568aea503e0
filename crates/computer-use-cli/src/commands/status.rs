//! `computer-use status`: the core's status report (what `vm_status` returns to agents), as one line for
//! people or the report itself with `--json`.
//!
//! On failure the error names the VM, the provider and the session's health (server down, VM not running,
//! not responding, …), and `--json` prints them as an object on stdout too, so scripts need not parse the
//! message.

use std::process::ExitCode;

use anyhow::Context as _;
use computer_use::tools::control::{HealthReport, Status, StatusReport};
use computer_use::tools::{Tool, ToolContext, TypedTool};
use serde_json::Value;

use crate::json::StatusFailure;
use crate::{exit, print};

pub async fn run(ctx: &ToolContext, json: bool) -> anyhow::Result<ExitCode> {
    let session = ctx.session()?;
    let target = session.target();
    let provider = target.provider.kind().as_str();
    let out = match Status.call(ctx, Value::Null).await {
        Ok(out) => out,
        Err(e) => {
            let health = session.health();
            if json {
                print::json(&StatusFailure {
                    vm: target.name.clone(),
                    provider,
                    health: HealthReport::from(&health),
                    error: e.message.clone(),
                    hint: e.hint.clone(),
                })?;
                eprintln!("error: {e}");
                return Ok(exit::ERROR.into());
            }
            // vm_status's error already names the VM, the provider and the session's health.
            return Err(anyhow::Error::new(e));
        }
    };
    let report: StatusReport =
        serde_json::from_value(Value::Object(out.details)).with_context(|| {
            format!(
                "{} returned details that are not a status report",
                Status::SPEC.name
            )
        })?;
    if json {
        print::json(&report)?;
    } else {
        print::line(format!(
            "VM '{}' ({}) at {}: cua-computer-server {} (protocol {}), screen {}x{}",
            report.vm,
            report.via(),
            report.address.as_deref().unwrap_or("an unknown address"),
            report.server_version,
            report.protocol,
            report.screen_width,
            report.screen_height
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
