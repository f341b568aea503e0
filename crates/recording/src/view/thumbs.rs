//! Filmstrip thumbnails: small JPEGs made once when the page is written, so the browser never decodes a full
//! screenshot just to draw the strip.

use base64::Engine as _;

/// Thumbnail width in pixels (the strip shows them at 110 CSS pixels; a little more stays sharp on HiDPI).
const WIDTH: u32 = 192;
/// JPEG quality of a thumbnail.
const QUALITY: u8 = 70;

/// A `data:image/jpeg;base64,…` thumbnail of an encoded image, or `None` if it does not decode.
pub(super) fn thumbnail(bytes: &[u8]) -> Option<String> {
    let image = image::load_from_memory(bytes).ok()?;
    let height =
        (u64::from(image.height()) * u64::from(WIDTH) / u64::from(image.width().max(1))).max(1);
    let small = image
        .thumbnail(WIDTH, u32::try_from(height).unwrap_or(WIDTH))
        .into_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY);
    small.write_with_encoder(encoder).ok()?;
    let mut uri = String::from("data:image/jpeg;base64,");
    base64::engine::general_purpose::STANDARD.encode_string(&out, &mut uri);
    Some(uri)
}
