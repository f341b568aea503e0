//! Looking at the screen: `vm_screenshot`, and the capture path every tool that returns an image shares.
//!
//! Capture: ask the server for JPEG (its PNG encoder is ~27x slower on busy screens), calibrate the input space
//! once per connection, then decode → scale → encode → fit the budgets off the async threads, and record a
//! [`Frame`] so pointer actions can be mapped back.

use std::time::Duration;

use base64::Engine as _;
use cua_protocol::CaptureFormat;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::coords::{Calibration, Frame};
use crate::imaging::{ImagePolicy, Prepared};
use crate::tools::{Content, Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::vm::VmSession;

/// This module's tools.
pub const TOOLS: &[&dyn Tool] = &[&Screenshot];

/// JPEG quality asked of the server: high, because we re-encode after scaling.
pub const CAPTURE_QUALITY: u8 = 90;

/// `vm_screenshot {}`.
pub struct Screenshot;

/// No arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenshotArgs {}

impl TypedTool for Screenshot {
    type Args = ScreenshotArgs;
    const NAME: &'static str = "vm_screenshot";
    const DESCRIPTION: &'static str = "Take a screenshot of the VM's screen. Returns the image and its frame id; \
        all coordinates you send to other vm_* tools are pixels of the latest image.";

    async fn run(&self, ctx: &ToolContext, _args: ScreenshotArgs) -> Result<ToolOutput, ToolError> {
        let session = ctx.session()?;
        let shot = capture(ctx, &session).await?;
        Ok(shot.into_output())
    }
}

/// A captured, prepared and framed image.
pub struct Captured {
    /// The image sent to the model.
    pub image: Prepared,
    /// Its frame.
    pub frame: Frame,
}

impl Captured {
    /// The standard result: one line of metadata, then the image.
    pub fn into_output(self) -> ToolOutput {
        let Captured { image, frame } = self;
        let c = frame.calibration;
        let text = format!(
            "Screenshot {}x{} ({}{}), frame {}; screen {}x{}. Coordinates for other tools are pixels of this image.{}",
            image.width,
            image.height,
            image.mime.trim_start_matches("image/").to_uppercase(),
            image.quality.map(|q| format!(" q{q}")).unwrap_or_default(),
            frame.id,
            c.shot_w,
            c.shot_h,
            if image.steps.is_empty() {
                String::new()
            } else {
                format!(" (fitted to the size limit: {})", image.steps.join(", "))
            }
        );
        let details = serde_json::json!({
            "frame": frame.id,
            "width": image.width,
            "height": image.height,
            "mimeType": image.mime,
            "bytes": image.bytes.len(),
            "screenWidth": c.shot_w,
            "screenHeight": c.shot_h,
            "scale": f64::from(image.width) / f64::from(c.shot_w.max(1)),
        });
        let serde_json::Value::Object(details) = details else {
            return ToolOutput::text(text);
        };
        ToolOutput {
            content: vec![
                Content::Text(text),
                Content::Image {
                    base64: base64::engine::general_purpose::STANDARD.encode(&image.bytes),
                    mime: image.mime,
                },
            ],
            details,
        }
    }
}

/// The image policy from the configuration.
pub fn policy(ctx: &ToolContext) -> ImagePolicy {
    let config = ctx.vms.config();
    ImagePolicy {
        scale: config.screenshot_scale(),
        max_bytes: usize::try_from(config.max_screenshot_bytes()).unwrap_or(usize::MAX),
        ..ImagePolicy::default()
    }
}

/// Takes a screenshot, calibrates if needed, prepares it for the model and records its frame.
pub async fn capture(ctx: &ToolContext, session: &VmSession) -> Result<Captured, ToolError> {
    let raw = cancellable(
        ctx,
        session,
        session
            .gui()
            .screenshot(CaptureFormat::Jpeg, Some(CAPTURE_QUALITY)),
    )
    .await?;
    let (_, shot_w, shot_h) = crate::imaging::steps::dimensions(&raw.bytes).map_err(|e| {
        ToolError::rejected(format!("the server's screenshot does not decode: {e}"))
    })?;
    let calibration = calibrate(ctx, session, shot_w, shot_h).await?;
    let policy = policy(ctx);
    let image = tokio::task::spawn_blocking(move || crate::imaging::prepare(&raw.bytes, &policy))
        .await
        .map_err(|e| {
            ToolError::rejected(format!(
                "internal error while preparing the screenshot: {e}"
            ))
        })?
        .map_err(|e| ToolError::rejected(e.to_string()))?;
    let frame = session.frames().record(
        image.width,
        image.height,
        (f64::from(image.origin_x), f64::from(image.origin_y)),
        (image.to_source_x, image.to_source_y),
        calibration,
    );
    Ok(Captured { image, frame })
}

/// Measures the input space once per connection: the pointer clamps to the screen, so moving it far away
/// and reading it back gives the input-space size (points on HiDPI macOS, pixels on X11). The pointer is
/// put back where it was.
pub async fn calibrate(
    ctx: &ToolContext,
    session: &VmSession,
    shot_w: u32,
    shot_h: u32,
) -> Result<Calibration, ToolError> {
    let client = session.gui();
    let generation = client.connects();
    if let Some(c) = session.frames().calibration()
        && c.generation == generation
        && c.shot_w == shot_w
        && c.shot_h == shot_h
    {
        return Ok(c);
    }
    let before = cancellable(ctx, session, client.cursor_position()).await?;
    // Twice the screenshot size is past the edge in every space (points are never larger than pixels);
    // far larger values make X11 fail the move.
    let far = (f64::from(shot_w) * 2.0, f64::from(shot_h) * 2.0);
    cancellable(ctx, session, client.move_cursor(far.0, far.1)).await?;
    let max = cancellable(ctx, session, client.cursor_position()).await;
    let restored = cancellable(ctx, session, client.move_cursor(before.x, before.y)).await;
    let max = max?;
    restored?;
    let calibration = Calibration {
        shot_w,
        shot_h,
        input_w: max.x + 1.0,
        input_h: max.y + 1.0,
        generation: client.connects(),
    };
    let (rx, ry) = (calibration.scale_x(), calibration.scale_y());
    if (rx - ry).abs() > 0.01 * rx.max(ry) {
        tracing::warn!(
            rx,
            ry,
            "input space and screenshot have different aspect ratios; mapping each axis separately"
        );
    }
    tracing::debug!(?calibration, "calibrated the input space");
    session.frames().set_calibration(calibration);
    Ok(calibration)
}

/// Runs a client call unless the caller cancels first (dropping the call discards its connection, so a late
/// reply can never be misread). Protocol errors are explained by the session.
pub async fn cancellable<T>(
    ctx: &ToolContext,
    session: &VmSession,
    call: impl std::future::Future<Output = Result<T, cua_protocol::Error>>,
) -> Result<T, ToolError> {
    tokio::select! {
        r = call => r.map_err(|e| ToolError::from(session.explain(e))),
        _ = ctx.cancel.cancelled() => Err(ToolError {
            kind: crate::tools::ToolErrorKind::Ambiguous,
            message: "the call was cancelled by the caller; it may or may not have taken effect".into(),
        }),
    }
}

/// A short pause, cancellable.
pub async fn pause(ctx: &ToolContext, d: Duration) -> Result<(), ToolError> {
    tokio::select! {
        _ = tokio::time::sleep(d) => Ok(()),
        _ = ctx.cancel.cancelled() => Err(ToolError::rejected("cancelled by the caller")),
    }
}
