//! The after-input screenshot (`record.screenshotAfterInput`): the server's own JPEG of the whole screen,
//! taken for the recording only. It is not a tool call (no guard budget spent, no audit line, no frame the
//! agent could cite), and it changes nothing on the screen: no pointer move, no calibration.

use cua_protocol::CaptureFormat;
use recording::format::ImageRef;
use recording::writer::NewImage;

use crate::result::ToolError;
use crate::tools::ToolContext;

/// JPEG quality asked of the server: enough to read a screen, a fraction of a model image's cost.
pub const AFTER_QUALITY: u8 = 60;

/// A screenshot of the whole screen, or `None` if it could not be taken (the recording then has no after
/// image for this step; the call is not affected).
pub(super) async fn capture(ctx: &ToolContext) -> Option<NewImage> {
    if ctx.cancel.is_cancelled() {
        return None;
    }
    let bytes = match capture_now(ctx).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::debug!(
                "the recording's after-input screenshot failed: {}",
                e.message
            );
            return None;
        }
    };
    let (_, width, height) = imaging::dimensions(&bytes).ok()?;
    Some(NewImage {
        bytes,
        info: ImageRef {
            file: String::new(),
            mime: "image/jpeg".to_owned(),
            width,
            height,
            bytes: 0,
            frame: None,
            region: Some([0.0, 0.0, f64::from(width), f64::from(height)]),
        },
    })
}

/// The server's JPEG of the whole screen at [`AFTER_QUALITY`] (what the recorder stores after an input; the
/// replay takes the same to compare with it).
pub(crate) async fn capture_now(ctx: &ToolContext) -> Result<Vec<u8>, ToolError> {
    let session = ctx.session()?;
    let shot = ctx
        .cancellable(
            &session,
            session
                .gui()
                .screenshot(CaptureFormat::Jpeg, Some(AFTER_QUALITY)),
        )
        .await?;
    Ok(shot.bytes.to_vec())
}
