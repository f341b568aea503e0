//! Encoding RGB8 pixels into the configured output format.
//!
//! Encoder choices are measured (`bench/imaging.sh`; end-to-end figures in `bench/RESULTS-screenshot.md`): JPEG via
//! libjpeg-turbo (see [`super::jpeg`]); PNG via `image`'s fdeflate "Fast" mode (~15x faster than
//! the default level, ~40% larger), with the default level kept as a fitting step; WebP lossless
//! via `image`'s pure-Rust encoder (as fast as PNG Fast, ~40% fewer bytes). Note that a downscaled
//! PNG of a text-heavy screen can be *larger* than the full-size one (resampling turns flat text
//! pixels into many shades), which is one more reason JPEG is the default.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};

use super::{ImagingError, OutputFormat, jpeg};

/// PNG deflate effort: `Fast` first, `Balanced` only when Fast does not fit the byte cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PngEffort {
    /// fdeflate, ~5 ms for 1440x900.
    Fast,
    /// zlib level 6-like, ~15x slower, ~30% smaller on text-heavy screens.
    Balanced,
}

/// Encodes `width`×`height` RGB8 `pixels`. `quality` applies to JPEG only.
pub fn encode(
    pixels: &[u8],
    (width, height): (u32, u32),
    format: OutputFormat,
    quality: u8,
    effort: PngEffort,
) -> Result<Vec<u8>, ImagingError> {
    let failed = |e: image::ImageError| ImagingError::Encode(e.to_string());
    match format {
        OutputFormat::Jpeg => jpeg::encode(pixels, width, height, quality),
        OutputFormat::Png => {
            let mut out = Vec::with_capacity(pixels.len() / 2);
            let compression = match effort {
                PngEffort::Fast => CompressionType::Fast,
                PngEffort::Balanced => CompressionType::Default,
            };
            PngEncoder::new_with_quality(&mut out, compression, FilterType::Adaptive)
                .write_image(pixels, width, height, ExtendedColorType::Rgb8)
                .map_err(failed)?;
            Ok(out)
        }
        OutputFormat::Webp => {
            let mut out = Vec::with_capacity(pixels.len() / 3);
            WebPEncoder::new_lossless(&mut out)
                .write_image(pixels, width, height, ExtendedColorType::Rgb8)
                .map_err(failed)?;
            Ok(out)
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::synthetic::busy_desktop;

    #[test]
    fn lossless_formats_round_trip() {
        let px = busy_desktop(320, 200);
        for (format, effort) in [
            (OutputFormat::Png, PngEffort::Fast),
            (OutputFormat::Png, PngEffort::Balanced),
            (OutputFormat::Webp, PngEffort::Fast),
        ] {
            let bytes = encode(&px, (320, 200), format, 80, effort).unwrap();
            let back = image::load_from_memory(&bytes).unwrap().into_rgb8();
            assert_eq!(back.dimensions(), (320, 200));
            assert!(
                back.as_raw() == &px,
                "{format:?} {effort:?} is not lossless"
            );
        }
    }

    #[test]
    fn balanced_png_is_smaller_than_fast() {
        let px = busy_desktop(640, 400);
        let fast = encode(&px, (640, 400), OutputFormat::Png, 0, PngEffort::Fast).unwrap();
        let balanced = encode(&px, (640, 400), OutputFormat::Png, 0, PngEffort::Balanced).unwrap();
        assert!(
            balanced.len() < fast.len(),
            "{} vs {}",
            balanced.len(),
            fast.len()
        );
    }
}
