//! Actions for people: each runs the core's tool through `Tool::call` — the path every agent call takes, so
//! the guards, the audit log and the held-button record apply and the behaviour (chunked typing, key names,
//! output caps) is the agents' own — and prints the tool's text (or its details as JSON).
//!
//! `click` and `scroll` take **screen pixels** (what a person reads off the screen or a full-size
//! `computer-use screenshot`): they run in [`Space::Screen`], which maps them through the calibration only,
//! instead of the agents' image-pixel space. Defaults (scroll clicks, exec timeout) are the tools' own:
//! only what was given on the command line is sent.

use std::process::ExitCode;

use computer_use::tools::keyboard::{Key, Type};
use computer_use::tools::pointer::{Click, Scroll};
use computer_use::tools::shell::{Exec, Launch};
use computer_use::tools::{Space, Tool, ToolContext, ToolOutput};
use serde_json::{Map, Value, json};

use crate::json::ToolDetails;
use crate::print;

/// Runs a tool and prints its text (or its details as JSON); returns the output.
async fn run(
    ctx: &ToolContext,
    tool: &dyn Tool,
    args: Value,
    json_out: bool,
) -> anyhow::Result<ToolOutput> {
    let out = tool.call(ctx, args).await?;
    if json_out {
        print::json(&ToolDetails(out.details.clone()))?;
    }
    Ok(out)
}

async fn run_and_say(
    ctx: &ToolContext,
    tool: &dyn Tool,
    args: Value,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let out = run(ctx, tool, args, json_out).await?;
    if !json_out {
        print::line(out.joined_text())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn exec(
    ctx: &ToolContext,
    command: &[String],
    timeout: Option<u64>,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let mut args = json!({"command": command.join(" ")});
    if let Some(timeout) = timeout {
        args["timeout"] = json!(timeout);
    }
    let out = run(ctx, &Exec, args, json_out).await?;
    if !json_out {
        print::text(out.details["stdout"].as_str().unwrap_or_default())?;
        eprint!("{}", out.details["stderr"].as_str().unwrap_or_default());
    }
    let code = out.details["returnCode"].as_i64().unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

pub async fn type_text(ctx: &ToolContext, text: &str, json_out: bool) -> anyhow::Result<ExitCode> {
    run_and_say(ctx, &Type, json!({"text": text}), json_out).await
}

pub async fn key(ctx: &ToolContext, keys: &str, json_out: bool) -> anyhow::Result<ExitCode> {
    run_and_say(ctx, &Key, json!({"keys": keys}), json_out).await
}

pub async fn launch(
    ctx: &ToolContext,
    app: &str,
    args: Vec<String>,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let mut call = json!({"app": app});
    if !args.is_empty() {
        call["args"] = json!(args);
    }
    run_and_say(ctx, &Launch, call, json_out).await
}

pub async fn click(
    ctx: ToolContext,
    x: f64,
    y: f64,
    button: Option<String>,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let mut args = Map::new();
    args.insert("x".into(), json!(x));
    args.insert("y".into(), json!(y));
    if let Some(button) = button {
        args.insert("button".into(), json!(button));
    }
    run_and_say(
        &in_screen_pixels(ctx),
        &Click,
        Value::Object(args),
        json_out,
    )
    .await
}

pub async fn scroll(
    ctx: ToolContext,
    direction: &str,
    clicks: Option<u32>,
    at: Option<Vec<f64>>,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let mut args = Map::new();
    args.insert("direction".into(), json!(direction));
    if let Some(clicks) = clicks {
        args.insert("clicks".into(), json!(clicks));
    }
    if let Some([x, y]) = at.as_deref() {
        args.insert("x".into(), json!(x));
        args.insert("y".into(), json!(y));
    }
    run_and_say(
        &in_screen_pixels(ctx),
        &Scroll,
        Value::Object(args),
        json_out,
    )
    .await
}

/// People give screen pixels; a screenshot they take is full size (PNG here: only the space matters).
fn in_screen_pixels(mut ctx: ToolContext) -> ToolContext {
    ctx.space = Space::Screen { lossless: true };
    ctx
}
