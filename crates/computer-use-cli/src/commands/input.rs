//! Actions for people: `exec`, `type`, `key`, `launch` go through the core's tools (so the guards and the
//! audit log apply, and behaviour — chunked typing, key names, output caps — is the agents' own), and the
//! tool's text is printed. `click` and `scroll` take **screen pixels** (what a person reads off the screen
//! or a full-size `computer-use screenshot`), so they drive the session's input lane directly instead of the
//! tools' image-pixel space.

use std::process::ExitCode;

use computer_use::tools::{self, ToolContext};
use computer_use::vm::VmSession;
use serde_json::{Value, json};

use super::explain;
use crate::cli::{ClickButton, ScrollWay};

/// Runs a tool and prints its text (or its details as JSON).
async fn tool(ctx: &ToolContext, name: &str, args: Value, json_out: bool) -> anyhow::Result<Value> {
    let out = tools::call(ctx, name, args).await?;
    let details = Value::Object(out.details.clone());
    if json_out {
        println!("{details}");
    } else if name != "vm_exec" {
        println!("{}", out.joined_text());
    }
    Ok(details)
}

pub async fn exec(
    ctx: &ToolContext,
    command: &[String],
    timeout: u64,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let args = json!({"command": command.join(" "), "timeout": timeout.max(1)});
    let details = tool(ctx, "vm_exec", args, json_out).await?;
    if !json_out {
        print!("{}", details["stdout"].as_str().unwrap_or_default());
        eprint!("{}", details["stderr"].as_str().unwrap_or_default());
    }
    let code = details["returnCode"].as_i64().unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

pub async fn type_text(ctx: &ToolContext, text: &str, json_out: bool) -> anyhow::Result<ExitCode> {
    tool(ctx, "vm_type", json!({"text": text}), json_out).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn key(ctx: &ToolContext, keys: &str, json_out: bool) -> anyhow::Result<ExitCode> {
    tool(ctx, "vm_key", json!({"keys": keys}), json_out).await?;
    Ok(ExitCode::SUCCESS)
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
    tool(ctx, "vm_launch", call, json_out).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn click(
    session: &VmSession,
    x: f64,
    y: f64,
    button: ClickButton,
) -> anyhow::Result<ExitCode> {
    let at = Some((x, y));
    let client = session.gui();
    let result = match button {
        ClickButton::Left => client.left_click(at).await,
        ClickButton::Right => client.right_click(at).await,
        ClickButton::Double => client.double_click(at).await,
    };
    result.map_err(|e| explain(session, e))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn scroll(session: &VmSession, way: ScrollWay, clicks: u32) -> anyhow::Result<ExitCode> {
    let client = session.gui();
    let result = match way {
        ScrollWay::Up => client.scroll_up(clicks).await,
        ScrollWay::Down => client.scroll_down(clicks).await,
    };
    result.map_err(|e| explain(session, e))?;
    Ok(ExitCode::SUCCESS)
}
