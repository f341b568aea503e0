//! JPEG encoding with jpeg-encoder, optionally on both cores.
//!
//! jpeg-encoder (pure Rust, SIMD) is the fastest Rust encoder measured here, but single-threaded.
//! A baseline JPEG can still be produced by two threads: each encodes one horizontal band with the
//! same (standard) Huffman and quantisation tables, and the bands are joined with a restart marker.
//! A restart resets the DC predictors, which is exactly the state a fresh encoder starts in, so the
//! joined file decodes to the same pixels as a one-thread encode. The split is on an MCU row, and
//! the top band is the longer one, so the restart interval (MCUs in the top band) is never
//! exceeded by the bottom band.

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::ImagingError;

/// Below this many pixels a second thread costs more than it saves.
const PARALLEL_MIN_PIXELS: u64 = 256 * 1024;

/// Chroma subsampling and MCU height for `quality`: 4:2:0 below 90 (as libjpeg does by default),
/// 4:4:4 from 90 up.
fn sampling(quality: u8) -> (SamplingFactor, u32) {
    if quality >= 90 {
        (SamplingFactor::F_1_1, 8)
    } else {
        (SamplingFactor::F_2_2, 16)
    }
}

/// Where to split a `width`×`height` image for a two-band encode: `(top_rows, restart_interval)`,
/// or `None` when the image is too small or the interval would not fit the 16-bit DRI field.
pub fn split(width: u32, height: u32, quality: u8) -> Option<(u32, u16)> {
    if u64::from(width) * u64::from(height) < PARALLEL_MIN_PIXELS {
        return None;
    }
    let (_, mcu) = sampling(quality);
    let mcu_rows = height.div_ceil(mcu);
    if mcu_rows < 2 {
        return None;
    }
    let top_mcu_rows = mcu_rows.div_ceil(2);
    let interval = u16::try_from(top_mcu_rows * width.div_ceil(mcu)).ok()?;
    Some((top_mcu_rows * mcu, interval))
}

/// Encodes RGB8 `pixels` (`width`×`height`) at `quality`; a non-zero `restart_interval` makes the
/// output joinable by [`join`].
pub fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    restart_interval: u16,
) -> Result<Vec<u8>, ImagingError> {
    let too_big =
        || ImagingError::Encode(format!("{width}x{height} exceeds JPEG's 65535 px limit"));
    let w = u16::try_from(width).map_err(|_| too_big())?;
    let h = u16::try_from(height).map_err(|_| too_big())?;
    let mut out = Vec::with_capacity(pixels.len() / 8);
    let mut encoder = Encoder::new(&mut out, quality.clamp(1, 100));
    encoder.set_sampling_factor(sampling(quality).0);
    // Chroma keeps jpeg-encoder's default top-left sampling: averaging (libjpeg's method) measured
    // ~30% slower for +0.3 dB PSNR on the busy desktop; luma, which carries the text, is unaffected.
    encoder.set_restart_interval(restart_interval);
    encoder
        .encode(pixels, w, h, ColorType::Rgb)
        .map_err(|e| ImagingError::Encode(e.to_string()))?;
    Ok(out)
}

/// Encodes on two threads when [`split`] allows, else on this one. Output decodes identically.
pub fn encode_parallel(
    pixels: &[u8],
    width: u32,
    height: u32,
    quality: u8,
) -> Result<Vec<u8>, ImagingError> {
    let Some((top_rows, interval)) = split(width, height, quality) else {
        return encode(pixels, width, height, quality, 0);
    };
    let (top, bottom) = pixels.split_at((top_rows * width * 3) as usize);
    let (top, bottom) = std::thread::scope(|s| {
        let lower = s.spawn(|| encode(bottom, width, height - top_rows, quality, interval));
        let upper = encode(top, width, top_rows, quality, interval);
        (upper, lower.join())
    });
    let bottom =
        bottom.map_err(|_| ImagingError::Encode("JPEG encoder thread panicked".into()))??;
    match join(top?, &bottom, height) {
        Some(joined) => Ok(joined),
        None => encode(pixels, width, height, quality, 0),
    }
}

/// Joins two band encodings (made with the same quality and restart interval) into one JPEG of
/// `height` rows: the top file with its frame height patched, RST0, the bottom file's scan data.
/// `None` if either file is not laid out as jpeg-encoder writes it.
pub fn join(mut top: Vec<u8>, bottom: &[u8], height: u32) -> Option<Vec<u8>> {
    let height = u16::try_from(height).ok()?;
    if !top.ends_with(&[0xFF, 0xD9]) || !bottom.ends_with(&[0xFF, 0xD9]) {
        return None;
    }
    let sof = find_segment(&top, 0xC0)?;
    top.get_mut(sof + 5..sof + 7)?
        .copy_from_slice(&height.to_be_bytes());
    let sos = find_segment(bottom, 0xDA)?;
    let sos_len = usize::from(u16::from_be_bytes([
        *bottom.get(sos + 2)?,
        *bottom.get(sos + 3)?,
    ]));
    let scan = bottom.get(sos + 2 + sos_len..)?;
    top.truncate(top.len() - 2);
    top.reserve(scan.len() + 2);
    top.extend_from_slice(&[0xFF, 0xD0]);
    top.extend_from_slice(scan);
    Some(top)
}

/// Offset of the first marker segment `FF <marker>` before the scan data.
fn find_segment(jpeg: &[u8], marker: u8) -> Option<usize> {
    let mut i = 2; // after SOI
    loop {
        if *jpeg.get(i)? != 0xFF {
            return None;
        }
        let m = *jpeg.get(i + 1)?;
        if m == marker {
            return Some(i);
        }
        if m == 0xDA {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*jpeg.get(i + 2)?, *jpeg.get(i + 3)?]));
        i += 2 + len;
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::imaging::synthetic::busy_desktop;

    fn decode(jpeg: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
            .unwrap()
            .into_rgb8()
    }

    #[test]
    fn two_band_encode_decodes_like_one_band() {
        for (w, h, q) in [
            (1356, 847, 80),
            (1440, 900, 80),
            (1200, 1001, 95),
            (1024, 700, 35),
        ] {
            let px = busy_desktop(w, h);
            assert!(split(w, h, q).is_some(), "{w}x{h} should split");
            let serial = encode(&px, w, h, q, 0).unwrap();
            let parallel = encode_parallel(&px, w, h, q).unwrap();
            let (a, b) = (decode(&serial), decode(&parallel));
            assert_eq!(b.dimensions(), (w, h));
            assert!(a.as_raw() == b.as_raw(), "{w}x{h} q{q}: pixels differ");
        }
    }

    #[test]
    fn small_or_huge_images_are_not_split() {
        assert_eq!(split(300, 200, 80), None);
        assert_eq!(split(16_000, 16_000, 80), None); // interval > 65535
        assert_eq!(split(1356, 848, 80), Some((432, 27 * 85)));
    }

    #[test]
    fn join_rejects_foreign_bytes() {
        assert_eq!(
            join(vec![0xFF, 0xD8, 0xFF, 0xD9], &[0xFF, 0xD8, 0xFF, 0xD9], 10),
            None
        );
        assert_eq!(join(vec![1, 2, 3], &[], 10), None);
    }
}
