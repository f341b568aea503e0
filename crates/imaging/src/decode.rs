//! Format sniffing and decoding of the server's screenshot bytes into RGB8.
//!
//! The server labels its images (`format`), but some handlers omit or mislabel it, so the format
//! is taken from the magic bytes only. PNG goes through `image` (the png crate, fastest measured);
//! JPEG through libjpeg-turbo ([`super::jpeg`]), which can also decode straight to a power-of-two
//! reduction when the caller will shrink the image anyway (see `bench/imaging.sh`).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, RgbImage};

use super::{ImagingError, jpeg};

/// Largest edge accepted from the server: well above any real display (8K is 7680), low enough
/// that a forged header cannot make us allocate gigabytes.
const MAX_EDGE: u32 = 16_384;
/// Decoder allocation cap (a 16384×8192 RGBA frame).
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// The two encodings cua-computer-server produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// `\x89PNG\r\n\x1a\n`
    Png,
    /// `FF D8 FF`
    Jpeg,
}

/// Identifies PNG or JPEG from the first bytes.
pub fn sniff(input: &[u8]) -> Result<SourceFormat, ImagingError> {
    if input.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(SourceFormat::Png)
    } else if input.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(SourceFormat::Jpeg)
    } else {
        let head = input
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ");
        Err(ImagingError::UnknownFormat {
            head: if head.is_empty() {
                "nothing".into()
            } else {
                head
            },
        })
    }
}

fn reader(input: &[u8], format: SourceFormat) -> ImageReader<Cursor<&[u8]>> {
    let format = match format {
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::Jpeg => ImageFormat::Jpeg,
    };
    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader
}

/// Width and height from the header alone (no pixel decoding).
pub fn dimensions(input: &[u8]) -> Result<(SourceFormat, u32, u32), ImagingError> {
    let format = sniff(input)?;
    let (w, h) = reader(input, format)
        .into_dimensions()
        .map_err(|e| ImagingError::Decode(e.to_string()))?;
    if w == 0 || h == 0 {
        return Err(ImagingError::Decode(format!(
            "image has no pixels ({w}x{h})"
        )));
    }
    Ok((format, w, h))
}

/// Decodes to RGB8 at full size. RGB sources (what the server sends) are moved, not copied; others
/// (RGBA, grey, 16-bit) are converted, dropping alpha: screenshots are opaque.
pub fn decode(input: &[u8]) -> Result<(SourceFormat, RgbImage), ImagingError> {
    decode_at_least(input, (u32::MAX, u32::MAX))
}

/// Decodes to RGB8, possibly smaller than the source but never below `at_least` in either direction:
/// a JPEG that will be shown at half size is decoded at half size in the DCT domain, which is both
/// faster and a clean 2x2 average. PNGs are always decoded at full size.
pub fn decode_at_least(
    input: &[u8],
    at_least: (u32, u32),
) -> Result<(SourceFormat, RgbImage), ImagingError> {
    let format = sniff(input)?;
    if format == SourceFormat::Jpeg {
        let (_, width, height) = dimensions(input)?;
        if u64::from(width) * u64::from(height) * 3 > MAX_ALLOC {
            return Err(ImagingError::Decode(format!(
                "JPEG header says {width}x{height}: more than {} MiB of pixels",
                MAX_ALLOC >> 20
            )));
        }
        let reduction = jpeg::reduction(width, height, at_least);
        return Ok((format, jpeg::decode(input, reduction, MAX_EDGE)?));
    }
    let image = reader(input, format)
        .decode()
        .map_err(|e| ImagingError::Decode(e.to_string()))?;
    if image.width() == 0 || image.height() == 0 {
        return Err(ImagingError::Decode(format!(
            "image has no pixels ({}x{})",
            image.width(),
            image.height()
        )));
    }
    Ok((format, image.into_rgb8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_magic_not_label() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok(SourceFormat::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(SourceFormat::Jpeg));
        let err = sniff(b"GIF89a")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("47 49 46 38 39 61"), "{err}");
        assert!(sniff(b"").is_err());
    }

    #[test]
    fn truncated_png_is_an_error() {
        let err = decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").err();
        assert!(matches!(err, Some(ImagingError::Decode(_))), "{err:?}");
    }
}
