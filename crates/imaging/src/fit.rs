//! Rendering at a target size and stepping quality, compression and size down until the encoded
//! image fits `max_bytes`.
//!
//! Order of steps (cheapest loss of information first): JPEG quality 80→65→50→35 (down to
//! `min_jpeg_quality`); PNG deflate effort Fast→Balanced; then the size in ×0.75 steps down to
//! `min_long_edge`, always resampled from the source, not from the previous step. Only when the
//! smallest allowed image is still too big does it fail with [`ImagingError::TooLarge`].

use std::borrow::Cow;

use image::RgbImage;

use super::encode::{PngEffort, encode};
use super::resize::{FILTER, Region, resize_band};
use super::{ImagePolicy, ImagingError, OutputFormat, policy};

/// Quality decrement per fitting step.
const QUALITY_STEP: u8 = 15;
/// Size factor per fitting step.
const SIZE_STEP: f64 = 0.75;
/// Below this many output pixels a second thread costs more than it saves.
const PARALLEL_MIN_PIXELS: u64 = 256 * 1024;

/// The encoded image and what it took to get there.
pub struct Fitted {
    /// Encoded image.
    pub bytes: Vec<u8>,
    /// The RGB pixels that were encoded (`width * height * 3` bytes).
    pub pixels: Vec<u8>,
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// JPEG quality used.
    pub quality: Option<u8>,
    /// Human-readable fitting steps, e.g. `quality 80→65`.
    pub steps: Vec<String>,
}

/// Renders `region` of `src` at `size` and fits it under `policy.max_bytes`.
pub fn fit(
    src: &RgbImage,
    region: Region,
    size: (u32, u32),
    policy: &ImagePolicy,
) -> Result<Fitted, ImagingError> {
    let format = policy.format;
    let mut quality = policy.first_quality();
    let min_quality = policy.min_jpeg_quality.clamp(1, 100);
    let mut effort = PngEffort::Fast;
    let mut size = size;
    let mut steps = Vec::new();
    let (mut pixels, mut bytes) =
        render(src, region, size, format, quality, effort, policy.parallel)?;
    while bytes.len() > policy.max_bytes {
        if format == OutputFormat::Jpeg && quality > min_quality {
            let next = quality.saturating_sub(QUALITY_STEP).max(min_quality);
            steps.push(format!("quality {quality}→{next}"));
            quality = next;
            bytes = encode(&pixels, size, format, quality, effort)?;
        } else if format == OutputFormat::Png && effort == PngEffort::Fast {
            steps.push("png compression fast→balanced".to_owned());
            effort = PngEffort::Balanced;
            bytes = encode(&pixels, size, format, quality, effort)?;
        } else {
            let Some(next) = smaller(size, (region.width, region.height), policy.min_long_edge)
            else {
                return Err(ImagingError::TooLarge {
                    bytes: bytes.len(),
                    max: policy.max_bytes,
                });
            };
            steps.push(format!("size {}x{}→{}x{}", size.0, size.1, next.0, next.1));
            size = next;
            (pixels, bytes) = render(src, region, size, format, quality, effort, policy.parallel)?;
        }
    }
    let quality = (format == OutputFormat::Jpeg).then_some(quality);
    Ok(Fitted {
        bytes,
        pixels: pixels.into_owned(),
        width: size.0,
        height: size.1,
        quality,
        steps,
    })
}

/// The next size down from `(w, h)` (×0.75, long edge not below `min_long_edge`), computed from
/// the `source` size so rounding errors do not pile up, or `None` if there is none.
fn smaller((w, h): (u32, u32), source: (u32, u32), min_long_edge: u32) -> Option<(u32, u32)> {
    let long = w.max(h);
    let target_long = ((f64::from(long) * SIZE_STEP) as u32).max(min_long_edge);
    if target_long >= long {
        return None;
    }
    let next = policy::scaled(
        source.0,
        source.1,
        f64::from(target_long) / f64::from(source.0.max(source.1)),
    );
    (next.0 < w || next.1 < h).then_some(next)
}

/// Resizes and encodes. With `parallel`, two threads each resize one band (libjpeg-turbo's encode of a
/// model-sized image is ~4 ms: not worth splitting).
/// Returns the resized pixels too, so quality steps need not resize again.
fn render<'a>(
    src: &'a RgbImage,
    region: Region,
    size: (u32, u32),
    format: OutputFormat,
    quality: u8,
    effort: PngEffort,
    parallel: bool,
) -> Result<(Cow<'a, [u8]>, Vec<u8>), ImagingError> {
    if region == Region::full(src) && size == (src.width(), src.height()) {
        let bytes = encode(src.as_raw(), size, format, quality, effort)?;
        return Ok((Cow::Borrowed(src.as_raw()), bytes));
    }
    let (w, h) = size;
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    let big = u64::from(w) * u64::from(h) >= PARALLEL_MIN_PIXELS && h >= 2;
    if !parallel || !big {
        resize_band(src, region, size, 0, &mut pixels, FILTER)?;
        let bytes = encode(&pixels, size, format, quality, effort)?;
        return Ok((Cow::Owned(pixels), bytes));
    }
    let top_rows = h / 2;
    let (top, bottom) = pixels.split_at_mut(top_rows as usize * w as usize * 3);
    let (upper, lower) = std::thread::scope(|s| {
        let lower = s.spawn(|| resize_band(src, region, size, top_rows, bottom, FILTER));
        (resize_band(src, region, size, 0, top, FILTER), lower.join())
    });
    upper?;
    lower.map_err(|_| ImagingError::Encode("resize thread panicked".into()))??;
    let bytes = encode(&pixels, size, format, quality, effort)?;
    Ok((Cow::Owned(pixels), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_steps_stop_at_min_long_edge() {
        let src = (2880, 1800);
        assert_eq!(smaller((1356, 847), src, 640), Some((1017, 635)));
        assert_eq!(smaller((1017, 635), src, 640), Some((762, 476)));
        assert_eq!(smaller((800, 500), src, 640), Some((640, 400)));
        assert_eq!(smaller((640, 400), src, 640), None);
        assert_eq!(smaller((300, 200), (300, 200), 640), None);
    }
}
