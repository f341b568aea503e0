//! `computer-use screenshot -o FILE`: the screen at full resolution, saved as PNG or JPEG by extension,
//! through the core's screenshot tool in screen space (guards and audit apply; PNG is captured lossless,
//! JPEG is the server's capture at `screenshot.captureQuality`, kept as is).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use base64::Engine as _;
use computer_use::tools::screen::Screenshot;
use computer_use::tools::{Content, Space, Tool, ToolContext};
use serde_json::Value;

use crate::json::ScreenshotSaved;
use crate::print;

pub async fn run(mut ctx: ToolContext, output: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let (lossless, label) = match ext.as_str() {
        "png" => (true, "PNG"),
        "jpg" | "jpeg" => (false, "JPEG"),
        other => anyhow::bail!(
            "cannot tell the image format from the extension `{other}` of {}: use .png, .jpg or .jpeg",
            output.display()
        ),
    };
    ctx.space = Space::Screen { lossless };
    let out = Screenshot.call(&ctx, Value::Null).await?;
    let Some(data) = out.content.iter().find_map(|c| match c {
        Content::Image { base64, .. } => Some(base64),
        Content::Text(_) => None,
    }) else {
        anyhow::bail!("the screenshot result holds no image");
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .context("the screenshot's image data is not valid base64")?;
    let dimension = |key: &str| {
        out.details
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0)
    };
    let (width, height) = (dimension("width"), dimension("height"));
    std::fs::write(output, &bytes).with_context(|| format!("cannot write {}", output.display()))?;
    let path = std::fs::canonicalize(output).unwrap_or_else(|_| output.to_path_buf());
    if json {
        print::json(&ScreenshotSaved {
            path,
            width,
            height,
            format: if lossless { "png" } else { "jpeg" },
            bytes: bytes.len(),
        })?;
    } else {
        print::line(format!(
            "saved {width}x{height} {label} screenshot ({} KB) to {}",
            bytes.len().div_ceil(1024),
            path.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
