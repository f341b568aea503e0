//! The capture path every tool that returns or needs an image shares: ask the server for a screenshot,
//! measure the input space once per connection (calibration), prepare the image for the caller off the
//! async threads, and record a [`Frame`] so pointer actions can be mapped back.
//!
//! Capture format: JPEG (the server's PNG encoder is ~27x slower on busy screens) unless the output is
//! lossless. Agents ([`Space::Image`]) get the model's budget (scale, long edge, pixels, bytes); people
//! ([`Space::Screen`]) get the screen at full resolution.

use coords::{Calibration, Frame};
use cua_protocol::CaptureFormat;
use imaging::{ImagePolicy, OutputFormat, Prepared};

use crate::config::ImageFormatKind;
use crate::result::ToolError;
use crate::tools::pointer::Mouse;
use crate::tools::{Space, ToolContext, ToolOutput, TypedTool};
use crate::vm::{VmSession, held};

/// A captured, prepared and framed image.
pub struct Captured {
    /// The image sent to the caller.
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
            if image.steps.is_empty() || image.quality.is_none() && image.steps.len() == 1 {
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
        ToolOutput::image(text, details, &image.bytes, image.mime)
    }
}

/// The image policy for this caller: the configuration's model budget, or the full screen for people.
pub fn policy(ctx: &ToolContext) -> ImagePolicy {
    let config = ctx.vms.config();
    let shot = config.screenshot();
    let model = ImagePolicy {
        scale: config.screenshot_scale(),
        max_bytes: usize::try_from(config.max_screenshot_bytes()).unwrap_or(usize::MAX),
        format: output_format(shot.encoding()),
        jpeg_quality: shot.quality(),
        max_long_edge: shot.max_long_edge(),
        max_pixels: shot.max_pixels(),
        ..ImagePolicy::default()
    };
    match ctx.space {
        Space::Image => model,
        Space::Screen { lossless } => ImagePolicy {
            scale: 1.0,
            max_long_edge: u32::MAX,
            max_pixels: u64::MAX,
            hard_max_edge: u32::MAX,
            max_bytes: usize::MAX,
            format: if lossless {
                OutputFormat::Png
            } else {
                OutputFormat::Jpeg
            },
            jpeg_quality: shot.capture_quality(),
            ..model
        },
    }
}

fn output_format(kind: ImageFormatKind) -> OutputFormat {
    match kind {
        ImageFormatKind::Jpeg => OutputFormat::Jpeg,
        ImageFormatKind::Png => OutputFormat::Png,
        ImageFormatKind::Webp => OutputFormat::Webp,
    }
}

/// What to ask the server for: JPEG at `screenshot.captureQuality` unless the output is lossless.
pub(crate) fn capture_format(ctx: &ToolContext) -> (CaptureFormat, Option<u8>) {
    let shot = ctx.vms.config().screenshot();
    let lossless = match ctx.space {
        Space::Image => shot.encoding() != ImageFormatKind::Jpeg,
        Space::Screen { lossless } => lossless,
    };
    if lossless {
        (CaptureFormat::Png, None)
    } else {
        (CaptureFormat::Jpeg, Some(shot.capture_quality()))
    }
}

/// The server's capture (in the format looks use, so byte comparisons hold) and the calibration of this
/// connection (calibrating first if needed).
pub(crate) async fn grab(
    ctx: &ToolContext,
    session: &VmSession,
) -> Result<(Vec<u8>, Calibration), ToolError> {
    let (format, quality) = capture_format(ctx);
    let raw = ctx
        .cancellable(session, session.gui().screenshot(format, quality))
        .await?;
    let (_, shot_w, shot_h) = imaging::dimensions(&raw.bytes).map_err(|e| {
        ToolError::rejected(format!("the server's screenshot does not decode: {e}"))
    })?;
    let calibration = calibrate(ctx, session, shot_w, shot_h).await?;
    Ok((raw.bytes, calibration))
}

/// Takes a screenshot, calibrates if needed, prepares it for the caller and records its frame.
pub async fn capture(ctx: &ToolContext, session: &VmSession) -> Result<Captured, ToolError> {
    let (raw, calibration) = grab(ctx, session).await?;
    let policy = policy(ctx);
    let image = tokio::task::spawn_blocking(move || imaging::prepare(&raw, &policy))
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
    // Measuring sweeps the pointer to the far corner and back: with a button down that is a drag across
    // the screen. Keep the last measurement of this screen size (the input space does not change with a
    // reconnect) and measure again once nothing is held.
    let held = session.held_buttons().list();
    if !held.is_empty() {
        return match session.frames().calibration() {
            Some(c) if c.shot_w == shot_w && c.shot_h == shot_h => Ok(c),
            _ => Err(ToolError::rejected(format!(
                "the {} is held down and the screen is {shot_w}x{shot_h}, a size not measured yet; measuring it would drag across the screen. Release it first ({} with action \"up\"), then take the screenshot again.",
                held::names(&held).replacen(" button", " mouse button", 1),
                Mouse::SPEC.name
            ))),
        };
    }
    let before = ctx.cancellable(session, client.cursor_position()).await?;
    // Twice the screenshot size is past the edge in every space (points are never larger than pixels);
    // far larger values make X11 fail the move.
    let far = (f64::from(shot_w) * 2.0, f64::from(shot_h) * 2.0);
    ctx.cancellable(session, client.move_cursor(far.0, far.1))
        .await?;
    let max = ctx.cancellable(session, client.cursor_position()).await;
    let restored = ctx
        .cancellable(session, client.move_cursor(before.x, before.y))
        .await;
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

/// The current calibration of the session, measuring it (with a small throw-away screenshot for the
/// screenshot size) when this connection has none yet.
pub async fn current_calibration(
    ctx: &ToolContext,
    session: &VmSession,
) -> Result<Calibration, ToolError> {
    /// JPEG quality of the probe: low, it is never shown.
    const PROBE_QUALITY: u8 = 20;
    if let Some(c) = session.frames().calibration()
        && c.generation == session.gui().connects()
    {
        return Ok(c);
    }
    let probe = ctx
        .cancellable(
            session,
            session
                .gui()
                .screenshot(CaptureFormat::Jpeg, Some(PROBE_QUALITY)),
        )
        .await?;
    let (_, w, h) = imaging::dimensions(&probe.bytes).map_err(|e| {
        ToolError::rejected(format!("the server's screenshot does not decode: {e}"))
    })?;
    calibrate(ctx, session, w, h).await
}
