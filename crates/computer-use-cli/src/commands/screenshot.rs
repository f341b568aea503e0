//! `computer-use screenshot -o FILE`: a full-resolution capture saved as PNG or JPEG by extension.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use computer_use::cua::CaptureFormat;
use computer_use::vm::VmSession;

use super::explain;

pub async fn run(session: &VmSession, output: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let (format, quality, label) = match ext.as_str() {
        "png" => (CaptureFormat::Png, None, "PNG"),
        "jpg" | "jpeg" => (CaptureFormat::Jpeg, Some(90), "JPEG"),
        other => anyhow::bail!(
            "cannot tell the image format from the extension `{other}` of {}: use .png, .jpg or .jpeg",
            output.display()
        ),
    };
    let shot = session
        .gui()
        .screenshot(format, quality)
        .await
        .map_err(|e| explain(session, e))?;
    let (_, width, height) = computer_use::imaging::dimensions(&shot.bytes)
        .with_context(|| "the server sent an image that does not decode")?;
    std::fs::write(output, &shot.bytes)
        .with_context(|| format!("cannot write {}", output.display()))?;
    let path = std::fs::canonicalize(output).unwrap_or_else(|_| output.to_path_buf());
    if json {
        let out = serde_json::json!({
            "path": path, "width": width, "height": height, "format": label.to_lowercase(), "bytes": shot.bytes.len(),
        });
        println!("{out}");
    } else {
        println!(
            "saved {width}x{height} {label} screenshot ({} KB) to {}",
            shot.bytes.len().div_ceil(1024),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
