//! Downscaling with fast_image_resize (SIMD, runtime CPU detection), band by band.
//!
//! The output is produced in horizontal bands so two threads can each resize (and then encode) one
//! half. Each band is resized from a fractional crop of the source that maps exactly onto its
//! output rows, and fast_image_resize reads filter taps beyond a crop box from the surrounding
//! image, so the bands are bit-identical to a one-piece resize (checked by a test).

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use super::ImagingError;

/// Filter picked by `bench/imaging.sh` (busy 2880x1800 desktop → 1440x900, one thread, PSNR against
/// an exact Lanczos3 downscale of the lossless source): Bilinear 30.3 dB / 4.4 ms, Catmull-Rom
/// 36.9 dB / 5.2 ms, Lanczos3 39.8 dB / 6.7 ms; after JPEG q80 at the default budget 28.9, 31.5
/// and 32.0 dB. Catmull-Rom (the kernel of Pillow's BICUBIC) is within 0.5 dB of Lanczos3 once
/// encoded, for ~1.5 ms less; Bilinear visibly blurs 1-px strokes.
pub const FILTER: FilterType = FilterType::CatmullRom;

/// A rectangle of the source image, in source pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width (≥ 1).
    pub width: u32,
    /// Height (≥ 1).
    pub height: u32,
}

impl Region {
    /// The whole of `image`.
    pub fn full(image: &RgbImage) -> Self {
        Self {
            x: 0,
            y: 0,
            width: image.width(),
            height: image.height(),
        }
    }
}

/// Fills `out` (rows `first_row..first_row + out.len() / (width * 3)` of a `width`×`height` output)
/// with `region` of `src` scaled to `width`×`height`, using `filter`. Same size → plain copy.
pub fn resize_band(
    src: &RgbImage,
    region: Region,
    (width, height): (u32, u32),
    first_row: u32,
    out: &mut [u8],
    filter: FilterType,
) -> Result<(), ImagingError> {
    let row_bytes = width as usize * 3;
    let rows = u32::try_from(out.len() / row_bytes.max(1))
        .map_err(|e| ImagingError::Encode(e.to_string()))?;
    if (region.width, region.height) == (width, height) {
        copy_rows(src, region, first_row, out);
        return Ok(());
    }
    let source = ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3)
        .map_err(|e| ImagingError::Encode(format!("resize source: {e}")))?;
    let mut dest = Image::from_slice_u8(width, rows, out, PixelType::U8x3)
        .map_err(|e| ImagingError::Encode(format!("resize target: {e}")))?;
    let step = f64::from(region.height) / f64::from(height);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(filter))
        .crop(
            f64::from(region.x),
            f64::from(region.y) + f64::from(first_row) * step,
            f64::from(region.width),
            f64::from(rows) * step,
        );
    Resizer::new()
        .resize(&source, &mut dest, &options)
        .map_err(|e| ImagingError::Encode(format!("resize: {e}")))
}

/// Copies `region`'s rows starting at `first_row` into `out` (no scaling).
fn copy_rows(src: &RgbImage, region: Region, first_row: u32, out: &mut [u8]) {
    let src_row = src.width() as usize * 3;
    let (x0, w) = (region.x as usize * 3, region.width as usize * 3);
    for (i, dst) in out.chunks_exact_mut(w).enumerate() {
        let start = (region.y + first_row) as usize * src_row + i * src_row + x0;
        if let Some(row) = src.as_raw().get(start..start + w) {
            dst.copy_from_slice(row);
        }
    }
}

/// `region` of `src` at `size`, in one piece with [`FILTER`] (tests, benches and one-thread runs).
pub fn resize(src: &RgbImage, region: Region, size: (u32, u32)) -> Result<Vec<u8>, ImagingError> {
    let mut out = vec![0; size.0 as usize * size.1 as usize * 3];
    resize_band(src, region, size, 0, &mut out, FILTER)?;
    Ok(out)
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::synthetic::busy_desktop;

    #[test]
    fn bands_equal_one_piece_resize() {
        let src = RgbImage::from_raw(1280, 800, busy_desktop(1280, 800)).unwrap();
        let region = Region {
            x: 100,
            y: 50,
            width: 1000,
            height: 700,
        };
        for filter in [FilterType::Bilinear, FILTER, FilterType::Lanczos3] {
            let size = (517, 361);
            let mut whole = vec![0; 517 * 361 * 3];
            resize_band(&src, region, size, 0, &mut whole, filter).unwrap();
            let mut bands = vec![0; 517 * 361 * 3];
            let (top, bottom) = bands.split_at_mut(517 * 3 * 176);
            resize_band(&src, region, size, 0, top, filter).unwrap();
            resize_band(&src, region, size, 176, bottom, filter).unwrap();
            assert!(
                whole == bands,
                "{filter:?}: bands differ from one-piece resize"
            );
        }
    }

    #[test]
    fn same_size_is_an_exact_crop() {
        let src = RgbImage::from_raw(64, 48, busy_desktop(64, 48)).unwrap();
        let region = Region {
            x: 3,
            y: 5,
            width: 20,
            height: 10,
        };
        let out = resize(&src, region, (20, 10)).unwrap();
        for y in 0..10 {
            for x in 0..20 {
                let i = (y * 20 + x) as usize * 3;
                assert_eq!(&out[i..i + 3], &src.get_pixel(x + 3, y + 5).0[..]);
            }
        }
    }
}
