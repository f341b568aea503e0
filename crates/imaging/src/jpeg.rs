//! JPEG decoding and encoding with libjpeg-turbo (the `turbojpeg` crate, vendored and linked statically).
//!
//! Why libjpeg-turbo and not the pure-Rust codecs: on the busy 2880x1800 screenshot (the server's q90 JPEG)
//! zune-jpeg decoded in ~31 ms and jpeg-encoder encoded 1356x847 in ~10 ms; libjpeg-turbo decodes the
//! same file in ~25 ms and encodes in ~4 ms (`bench/imaging.sh`, `bench/screenshot.sh`). It can also
//! decode to 1/2, 1/4 or 1/8 size in the DCT domain, used only where enough resizing is left after it
//! (see `REDUCING_GAP` in [`super`]). Entropy decoding stays serial: the server writes no restart markers.

use image::RgbImage;
use turbojpeg::{Compressor, Decompressor, Image, PixelFormat, ScalingFactor, Subsamp};

use super::ImagingError;

/// The DCT scalings used, largest reduction first: libjpeg-turbo's power-of-two ones, whose reduced
/// IDCTs average whole 2x2/4x4/8x8 blocks (the M/8 ones in between blur text unevenly).
const SCALINGS: [ScalingFactor; 3] = [
    ScalingFactor::ONE_EIGHTH,
    ScalingFactor::ONE_QUARTER,
    ScalingFactor::ONE_HALF,
];

fn decode_error(e: turbojpeg::Error) -> ImagingError {
    ImagingError::Decode(format!("JPEG: {e}"))
}

fn encode_error(e: turbojpeg::Error) -> ImagingError {
    ImagingError::Encode(format!("JPEG: {e}"))
}

/// The largest power-of-two reduction of a `width`×`height` JPEG that is still at least `at_least`
/// in both directions, as (numerator, denominator); (1, 1) when none is.
pub fn reduction(width: u32, height: u32, at_least: (u32, u32)) -> (u32, u32) {
    SCALINGS
        .iter()
        .map(|s| (s.num() as u32, s.denom() as u32))
        .find(|&(num, denom)| {
            let scaled = |edge: u32| (u64::from(edge) * u64::from(num)).div_ceil(u64::from(denom));
            scaled(width) >= u64::from(at_least.0) && scaled(height) >= u64::from(at_least.1)
        })
        .unwrap_or((1, 1))
}

/// Decodes a JPEG to RGB8, reduced in the DCT domain by `(num, denom)` (from [`reduction`]; (1, 1) for
/// full size). `max_edge` bounds the header's size before anything is allocated.
pub fn decode(
    input: &[u8],
    (num, denom): (u32, u32),
    max_edge: u32,
) -> Result<RgbImage, ImagingError> {
    let mut decompressor = Decompressor::new().map_err(decode_error)?;
    let header = decompressor.read_header(input).map_err(decode_error)?;
    let too_big = header.width == 0
        || header.height == 0
        || header.width > max_edge as usize
        || header.height > max_edge as usize;
    if too_big {
        return Err(ImagingError::Decode(format!(
            "JPEG header says {}x{} (accepted: 1..={max_edge} px per edge)",
            header.width, header.height
        )));
    }
    let header = if (num, denom) == (1, 1) {
        header
    } else {
        let factor = ScalingFactor::new(num as usize, denom as usize);
        decompressor
            .set_scaling_factor(factor)
            .map_err(decode_error)?;
        header.scaled(factor)
    };
    let (width, height) = (header.width, header.height);
    let mut pixels = vec![0u8; width * height * 3];
    let image = Image {
        pixels: pixels.as_mut_slice(),
        width,
        pitch: width * 3,
        height,
        format: PixelFormat::RGB,
    };
    decompressor
        .decompress(input, image)
        .map_err(decode_error)?;
    let (w, h) = (to_u32(width)?, to_u32(height)?);
    RgbImage::from_raw(w, h, pixels)
        .ok_or_else(|| ImagingError::Decode(format!("JPEG decoder returned a short {w}x{h} image")))
}

fn to_u32(edge: usize) -> Result<u32, ImagingError> {
    u32::try_from(edge)
        .map_err(|_| ImagingError::Decode(format!("JPEG edge {edge} px is too large")))
}

/// Chroma subsampling for `quality`: 4:2:0 below 90 (libjpeg's default), 4:4:4 from 90 up, where
/// colour fringes on text would be the most visible loss left.
fn subsampling(quality: u8) -> Subsamp {
    if quality >= 90 {
        Subsamp::None
    } else {
        Subsamp::Sub2x2
    }
}

/// Encodes RGB8 `pixels` (`width`×`height`) at `quality` (1–100).
pub fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    quality: u8,
) -> Result<Vec<u8>, ImagingError> {
    let expected = width as usize * height as usize * 3;
    if pixels.len() != expected || width == 0 || height == 0 {
        return Err(ImagingError::Encode(format!(
            "{width}x{height} RGB needs {expected} bytes, got {}",
            pixels.len()
        )));
    }
    let mut compressor = Compressor::new().map_err(encode_error)?;
    compressor
        .set_quality(i32::from(quality.clamp(1, 100)))
        .map_err(encode_error)?;
    compressor
        .set_subsamp(subsampling(quality))
        .map_err(encode_error)?;
    let image = Image {
        pixels,
        width: width as usize,
        pitch: width as usize * 3,
        height: height as usize,
        format: PixelFormat::RGB,
    };
    compressor.compress_to_vec(image).map_err(encode_error)
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::synthetic::busy_desktop;

    #[test]
    fn reduction_never_goes_below_the_target() {
        assert_eq!(reduction(2880, 1800, (1356, 847)), (1, 2));
        assert_eq!(reduction(2880, 1800, (1440, 900)), (1, 2));
        assert_eq!(reduction(2880, 1800, (1441, 900)), (1, 1));
        assert_eq!(reduction(2880, 1800, (700, 400)), (1, 4));
        assert_eq!(reduction(2880, 1800, (300, 200)), (1, 8));
        assert_eq!(reduction(1280, 800, (1280, 800)), (1, 1));
        // Odd edges round up, as libjpeg-turbo's scaled sizes do.
        assert_eq!(reduction(1001, 801, (501, 401)), (1, 2));
    }

    #[test]
    fn round_trip_at_full_and_half_scale() {
        let (w, h) = (1356, 847);
        let px = busy_desktop(w, h);
        for quality in [35, 80, 95] {
            let jpeg = encode(&px, w, h, quality).unwrap();
            let full = decode(&jpeg, (1, 1), 16_384).unwrap();
            assert_eq!(full.dimensions(), (w, h));
            let half = decode(&jpeg, (1, 2), 16_384).unwrap();
            assert_eq!(half.dimensions(), (w.div_ceil(2), h.div_ceil(2)));
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16], (1, 1), 16_384).is_err());
        assert!(decode(b"", (1, 2), 16_384).is_err());
        assert!(encode(&[0; 10], 4, 4, 80).is_err());
        let jpeg = encode(&busy_desktop(64, 48), 64, 48, 80).unwrap();
        let err = decode(&jpeg, (1, 1), 32).err().map(|e| e.to_string());
        assert!(err.as_deref().unwrap_or("").contains("64x48"), "{err:?}");
    }
}
