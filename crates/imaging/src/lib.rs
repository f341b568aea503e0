//! Screenshot processing: server PNG/JPEG bytes in, a model-sized image that fits the byte cap out.
//!
//! The server's capture is the slow part (PNG with `optimize=True` ~600 ms on a busy 2880x1800
//! screen, JPEG q85 ~42 ms), so callers ask it for JPEG and this module re-scales and re-encodes:
//! decode (libjpeg-turbo, reduced in the DCT domain only for outputs under a quarter of the screen's
//! size; png for PNG) → resize (fast_image_resize, Catmull-Rom, two bands on two cores) → encode
//! (libjpeg-turbo, PNG Fast, WebP lossless). Entropy decoding is serial and is most of the time left.
//! Everything here is pure and synchronous; callers run it in `tokio::task::spawn_blocking`.
//! Measurements: `bench/imaging.sh`.
#![deny(missing_docs)]

mod decode;
mod diff;
mod encode;
mod error;
mod fit;
mod jpeg;
mod policy;
mod resize;
pub mod synthetic;

pub use decode::{SourceFormat, dimensions};
pub use diff::{PIXEL_TOLERANCE, changed_region};
pub use error::{ImagingError, format_size};
pub use policy::{
    DEFAULT_JPEG_QUALITY, ImagePolicy, MAX_SCALE, MIN_SCALE, MODEL_MAX_LONG_EDGE, MODEL_MAX_PIXELS,
    OutputFormat,
};
pub use resize::Region;

/// Internal steps, public for the benchmark (`benches/imaging.rs`) only.
#[doc(hidden)]
pub mod steps {
    pub use super::decode::{decode, decode_at_least, dimensions, sniff};
    pub use super::encode::{PngEffort, encode};
    pub use super::jpeg::encode as encode_jpeg;
    pub use super::resize::{FILTER, resize, resize_band};
}

/// An image ready to send, with what is needed to map its pixels back to the screenshot.
#[derive(Clone, PartialEq)]
pub struct Prepared {
    /// Encoded image.
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub mime: &'static str,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Width of the server's screenshot.
    pub source_width: u32,
    /// Height of the server's screenshot.
    pub source_height: u32,
    /// Left edge of the shown region in the screenshot (0 unless cropped).
    pub origin_x: u32,
    /// Top edge of the shown region in the screenshot (0 unless cropped).
    pub origin_y: u32,
    /// Screenshot pixels per output pixel, horizontally: `source_x = origin_x + x * to_source_x`.
    pub to_source_x: f64,
    /// Screenshot pixels per output pixel, vertically: `source_y = origin_y + y * to_source_y`.
    pub to_source_y: f64,
    /// JPEG quality used; `None` for lossless output or an unchanged server image.
    pub quality: Option<u8>,
    /// What fitting did, in order (e.g. `quality 80→65`); empty when the first try fitted.
    pub steps: Vec<String>,
    /// The RGB pixels that were encoded (`width * height * 3` bytes), for telling whether two images show
    /// the same thing at the resolution the caller sees ([`changed_region`]); empty when the server's image
    /// was returned unchanged (nothing was decoded: use [`decode_rgb`]).
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for Prepared {
    /// Never prints the image bytes (logs must not carry image data).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("mime", &self.mime)
            .field("size", &format_args!("{}x{}", self.width, self.height))
            .field(
                "source",
                &format_args!("{}x{}", self.source_width, self.source_height),
            )
            .field("origin", &(self.origin_x, self.origin_y))
            .field("to_source", &(self.to_source_x, self.to_source_y))
            .field("quality", &self.quality)
            .field("steps", &self.steps)
            .field("pixels", &format_args!("<{} bytes>", self.pixels.len()))
            .finish()
    }
}

/// How much larger than the output a DCT-reduced JPEG decode must stay (Pillow's `thumbnail` uses the
/// same "reducing gap" of 2). Decoding the busy 2880x1800 capture straight to 1440x900 and resizing
/// that to 1356x847 saves ~6 ms but measured 25.1 dB against a Lanczos3 of the lossless screen, vs
/// 36.8 dB from a full decode: visibly softer small text, which is what an agent reads. With a gap of 2
/// the reduced decode only applies to screens at least four times the output's size.
const REDUCING_GAP: u32 = 2;

/// Scales (by `policy.scale`, then the model budget), encodes and fits a screenshot.
///
/// `input` is the server's PNG or JPEG; the format is sniffed from its magic bytes. When no
/// resizing is needed, the output format matches the input and it already fits, the server's bytes
/// are returned unchanged (no generation loss, no work).
pub fn prepare(input: &[u8], policy: &ImagePolicy) -> Result<Prepared, ImagingError> {
    let (format, width, height) = decode::dimensions(input)?;
    let target = policy.target_size(width, height, true);
    let same_format = matches!(
        (format, policy.format),
        (SourceFormat::Jpeg, OutputFormat::Jpeg) | (SourceFormat::Png, OutputFormat::Png)
    );
    if target == (width, height) && same_format && input.len() <= policy.max_bytes {
        return Ok(Prepared {
            bytes: input.to_vec(),
            mime: policy.format.mime(),
            width,
            height,
            source_width: width,
            source_height: height,
            origin_x: 0,
            origin_y: 0,
            to_source_x: 1.0,
            to_source_y: 1.0,
            quality: None,
            steps: vec!["kept the server's image unchanged (already within budget)".to_owned()],
            pixels: Vec::new(),
        });
    }
    // A JPEG is decoded at a reduced size only while that still leaves the resize a factor of
    // REDUCING_GAP to filter; mapping back to the screenshot still uses the screenshot's own size.
    let at_least = (
        target.0.saturating_mul(REDUCING_GAP),
        target.1.saturating_mul(REDUCING_GAP),
    );
    let (_, image) = decode::decode_at_least(input, at_least)?;
    let source = Region {
        x: 0,
        y: 0,
        width,
        height,
    };
    finish(
        &image,
        Region::full(&image),
        source,
        (width, height),
        target,
        policy,
    )
}

/// The RGB pixels of a PNG or JPEG at its full size: `(width, height, width * height * 3 bytes)`.
pub fn decode_rgb(input: &[u8]) -> Result<(u32, u32, Vec<u8>), ImagingError> {
    let (_, image) = decode::decode(input)?;
    Ok((image.width(), image.height(), image.into_raw()))
}

/// A region of the screenshot at native resolution (for a zoom tool), fitted by the same budget
/// and byte cap as [`prepare`]. `policy.scale` is not applied: showing native pixels is the point.
pub fn crop(
    input: &[u8],
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    policy: &ImagePolicy,
) -> Result<Prepared, ImagingError> {
    let (_, image_width, image_height) = decode::dimensions(input)?;
    let fits = |start: u32, len: u32, max: u32| {
        len >= 1 && start.checked_add(len).is_some_and(|end| end <= max)
    };
    if !fits(x, width, image_width) || !fits(y, height, image_height) {
        return Err(ImagingError::Region {
            x,
            y,
            width,
            height,
            image_width,
            image_height,
        });
    }
    let (_, image) = decode::decode(input)?;
    let region = Region {
        x,
        y,
        width,
        height,
    };
    let target = policy.target_size(width, height, false);
    finish(
        &image,
        region,
        region,
        (image_width, image_height),
        target,
        policy,
    )
}

/// Fits `region` of the decoded `image` (which may be a DCT-reduced decode) into `target`; `source` is
/// the same region in the server's screenshot pixels (`source_size` in all), for mapping the output back.
fn finish(
    image: &image::RgbImage,
    region: Region,
    source: Region,
    source_size: (u32, u32),
    target: (u32, u32),
    policy: &ImagePolicy,
) -> Result<Prepared, ImagingError> {
    let fitted = fit::fit(image, region, target, policy)?;
    if !fitted.steps.is_empty() {
        tracing::debug!(steps = ?fitted.steps, bytes = fitted.bytes.len(), "screenshot fitted to maxScreenshotBytes");
    }
    Ok(Prepared {
        mime: policy.format.mime(),
        width: fitted.width,
        height: fitted.height,
        source_width: source_size.0,
        source_height: source_size.1,
        origin_x: source.x,
        origin_y: source.y,
        to_source_x: f64::from(source.width) / f64::from(fitted.width),
        to_source_y: f64::from(source.height) / f64::from(fitted.height),
        quality: fitted.quality,
        steps: fitted.steps,
        bytes: fitted.bytes,
        pixels: fitted.pixels,
    })
}
