//! `vm_zoom`: a region of the latest image at the screen's native resolution.

use coords::Frame;
use cua_protocol::{CaptureFormat, CommandName};
use imaging::{ImagePolicy, ImagingError, OutputFormat, Prepared, Region};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::capture::{calibrate, policy};
use crate::tools::pointer::target::{self, num};
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};

/// `vm_zoom {x, y, width, height, frame?}`: a region of the latest image, cropped at the screen's native
/// resolution from a fresh capture, returned like a screenshot with its own frame (origin = the region's
/// top-left in screenshot pixels), so clicks on the zoomed image land where they should.
///
/// Capture format: **PNG**. Measured on this project's 2-core machine (Xvfb 1280x800, `bench`-style loop of
/// 7, medians): a typical desktop (one xterm) PNG 92 ms / 16 KB vs JPEG q95 28 ms / 90 KB; a worst case
/// (full-screen random text) PNG 644 ms vs JPEG q95 47 ms. But JPEG q95 from the server is 4:2:0
/// chroma-subsampled: its per-channel error against the PNG reached 116–159 at sharp coloured edges, which
/// is exactly the detail a zoom exists to show (small text, thin lines, colours). A zoom is an occasional,
/// deliberate call, so exact pixels are worth the extra tens of milliseconds (hundreds on a very busy screen).
///
/// Output: lossless PNG when it fits [`ZOOM_LOSSLESS_MAX_BYTES`] (and `maxScreenshotBytes`); otherwise the
/// screenshot policy's JPEG, fitted the usual way. A region larger than the model budget (1568 px long edge,
/// ~1.15 MP) is scaled down to it, never up.
pub struct Zoom;

/// Largest lossless zoom image; above it the zoom is sent as JPEG. Chosen so the base64 stays under the
/// 1 MB tool-result limit some clients enforce (`docs/model-clients.md`: Claude Desktop).
pub const ZOOM_LOSSLESS_MAX_BYTES: usize = 700 * 1024;

/// A region of the latest screenshot, in its pixels.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoomArgs {
    /// Left edge in image pixels (the description says it).
    #[schemars(description = "")]
    pub x: f64,
    /// Top edge.
    #[schemars(description = "")]
    pub y: f64,
    /// Width.
    #[schemars(description = "")]
    pub width: f64,
    /// Height.
    #[schemars(description = "")]
    pub height: f64,
    /// Frame id of the image; refused if stale.
    #[serde(default)]
    pub frame: Option<u64>,
}

impl TypedTool for Zoom {
    type Args = ZoomArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_zoom",
        title: "Zoom",
        description: "A region x,y,width,height of the latest image at full resolution (small text). \
            x,y then refer to it until the next screenshot.",
        kind: ToolKind::Look,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Refused(
            "vm_zoom is not allowed in a batch (its image would be dropped): set `screenshot: true` on the \
             batch, then call vm_zoom on its own",
        ),
        commands: &[
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
        ],
    };

    async fn run(&self, ctx: &ToolContext, args: ZoomArgs) -> Result<ToolOutput, ToolError> {
        let session = ctx.session()?;
        let frame = target::frame(ctx, &session, args.frame).await?;
        let region = zoom_region(&frame, &args)?;
        let raw = ctx
            .cancellable(&session, session.gui().screenshot(CaptureFormat::Png, None))
            .await?;
        let (_, shot_w, shot_h) = imaging::dimensions(&raw.bytes).map_err(|e| {
            ToolError::rejected(format!("the server's screenshot does not decode: {e}"))
        })?;
        let calibration = calibrate(ctx, &session, shot_w, shot_h).await?;
        if !calibration.same_geometry(&frame.calibration) {
            return Err(ToolError::rejected(format!(
                "the screen changed since frame {} (it is now {shot_w}x{shot_h}): take a new screenshot and choose the region on it",
                frame.id
            )));
        }
        let base = policy(ctx);
        let lossless = ImagePolicy {
            format: OutputFormat::Png,
            // Never shrink a lossless zoom to fit: fall back to JPEG at full size instead.
            min_long_edge: u32::MAX,
            max_bytes: base.max_bytes.min(ZOOM_LOSSLESS_MAX_BYTES),
            ..base.clone()
        };
        let Region {
            x,
            y,
            width,
            height,
        } = region;
        let image = tokio::task::spawn_blocking(move || {
            match imaging::crop(&raw.bytes, x, y, width, height, &lossless) {
                Err(ImagingError::TooLarge { .. }) => {
                    imaging::crop(&raw.bytes, x, y, width, height, &base)
                }
                other => other,
            }
        })
        .await
        .map_err(|e| ToolError::rejected(format!("internal error while cropping the zoom: {e}")))?
        .map_err(|e| ToolError::rejected(e.to_string()))?;
        let zoomed = session.frames().record(
            image.width,
            image.height,
            (f64::from(image.origin_x), f64::from(image.origin_y)),
            (image.to_source_x, image.to_source_y),
            calibration,
        );
        Ok(zoom_output(&args, &frame, region, image, &zoomed))
    }
}

/// The region in screenshot pixels: the image rectangle mapped through `frame`, widened to whole pixels.
fn zoom_region(frame: &Frame, args: &ZoomArgs) -> Result<Region, ToolError> {
    let ZoomArgs {
        x,
        y,
        width,
        height,
        ..
    } = *args;
    let (img_w, img_h) = (f64::from(frame.width), f64::from(frame.height));
    let ok = [x, y, width, height].iter().all(|v| v.is_finite())
        && x >= 0.0
        && y >= 0.0
        && width >= 1.0
        && height >= 1.0
        && x + width <= img_w
        && y + height <= img_h;
    if !ok {
        return Err(ToolError::rejected(format!(
            "region x={x} y={y} width={width} height={height} does not fit the {}x{} image of frame {}: need x in 0..{}, \
             y in 0..{}, width and height >= 1, x + width <= {} and y + height <= {} (pixels of the latest screenshot)",
            frame.width,
            frame.height,
            frame.id,
            frame.width,
            frame.height,
            frame.width,
            frame.height
        )));
    }
    let (shot_w, shot_h) = (frame.calibration.shot_w, frame.calibration.shot_h);
    let edge = |origin: f64, v: f64, scale: f64, max: u32, up: bool| -> u32 {
        let s = origin + v * scale;
        let s = if up {
            (s - 1e-6).ceil()
        } else {
            (s + 1e-6).floor()
        };
        s.clamp(0.0, f64::from(max)) as u32
    };
    let x0 = edge(frame.origin_x, x, frame.to_source_x, shot_w, false);
    let y0 = edge(frame.origin_y, y, frame.to_source_y, shot_h, false);
    let x1 = edge(frame.origin_x, x + width, frame.to_source_x, shot_w, true).max(x0 + 1);
    let y1 = edge(frame.origin_y, y + height, frame.to_source_y, shot_h, true).max(y0 + 1);
    Ok(Region {
        x: x0.min(shot_w.saturating_sub(1)),
        y: y0.min(shot_h.saturating_sub(1)),
        width: x1.min(shot_w).saturating_sub(x0).max(1),
        height: y1.min(shot_h).saturating_sub(y0).max(1),
    })
}

fn zoom_output(
    args: &ZoomArgs,
    from: &Frame,
    region: Region,
    image: Prepared,
    zoomed: &Frame,
) -> ToolOutput {
    let format = image.mime.trim_start_matches("image/").to_uppercase();
    let native = image.width == region.width && image.height == region.height;
    let text = format!(
        "Zoom of ({}, {}) {}x{} of frame {} = screen pixels ({}, {}) {}x{}, shown at {}x{} ({format}{}{}), frame {}. \
         Coordinates for other tools are now pixels of this zoomed image; take a screenshot to return to the full view.",
        num(args.x),
        num(args.y),
        num(args.width),
        num(args.height),
        from.id,
        region.x,
        region.y,
        region.width,
        region.height,
        image.width,
        image.height,
        image.quality.map(|q| format!(" q{q}")).unwrap_or_default(),
        if native {
            ", native resolution"
        } else {
            ", scaled to the size budget"
        },
        zoomed.id,
    );
    let details = serde_json::json!({
        "frame": zoomed.id,
        "sourceFrame": from.id,
        "width": image.width,
        "height": image.height,
        "mimeType": image.mime,
        "bytes": image.bytes.len(),
        "regionX": region.x,
        "regionY": region.y,
        "regionWidth": region.width,
        "regionHeight": region.height,
        "scale": f64::from(image.width) / f64::from(region.width.max(1)),
    });
    ToolOutput::image(text, details, &image.bytes, image.mime)
}

#[cfg(test)]
mod tests {
    use coords::Calibration;

    use super::*;

    fn frame(img: (u32, u32), origin: (f64, f64), to_source: f64) -> Frame {
        Frame {
            id: 7,
            width: img.0,
            height: img.1,
            origin_x: origin.0,
            origin_y: origin.1,
            to_source_x: to_source,
            to_source_y: to_source,
            calibration: Calibration {
                shot_w: 1280,
                shot_h: 800,
                input_w: 1280.0,
                input_h: 800.0,
                generation: 1,
            },
        }
    }

    fn args(x: f64, y: f64, width: f64, height: f64) -> ZoomArgs {
        ZoomArgs {
            x,
            y,
            width,
            height,
            frame: None,
        }
    }

    #[test]
    fn a_half_scale_region_doubles_into_screenshot_pixels() {
        let f = frame((640, 400), (0.0, 0.0), 2.0);
        let r = zoom_region(&f, &args(100.0, 50.0, 60.0, 40.0));
        assert_eq!(
            r.ok(),
            Some(Region {
                x: 200,
                y: 100,
                width: 120,
                height: 80
            })
        );
        // The whole image is the whole screen.
        let r = zoom_region(&f, &args(0.0, 0.0, 640.0, 400.0));
        assert_eq!(
            r.ok(),
            Some(Region {
                x: 0,
                y: 0,
                width: 1280,
                height: 800
            })
        );
    }

    #[test]
    fn a_zoom_of_a_zoom_starts_at_its_origin() {
        let f = frame((200, 100), (300.0, 400.0), 1.0);
        let r = zoom_region(&f, &args(10.5, 20.0, 50.0, 30.0));
        assert_eq!(
            r.ok(),
            Some(Region {
                x: 310,
                y: 420,
                width: 51,
                height: 30
            })
        );
    }

    #[test]
    fn regions_outside_the_image_name_the_valid_range() {
        let f = frame((640, 400), (0.0, 0.0), 2.0);
        for bad in [
            args(600.0, 0.0, 50.0, 10.0),
            args(-1.0, 0.0, 5.0, 5.0),
            args(0.0, 0.0, 0.0, 5.0),
            args(f64::NAN, 0.0, 5.0, 5.0),
        ] {
            let e = zoom_region(&f, &bad)
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(
                e.contains("x in 0..640") && e.contains("x + width <= 640"),
                "{e}"
            );
        }
    }
}
