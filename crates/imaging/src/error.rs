//! Typed imaging errors whose messages tell the user what to change.

/// Everything that can go wrong turning a server screenshot into a model image.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImagingError {
    /// The bytes are neither PNG nor JPEG (checked by magic bytes, not by any label).
    #[error(
        "screenshot data is neither PNG nor JPEG (starts with {head}); check that the server \
         returned an image and that base64 was decoded"
    )]
    UnknownFormat {
        /// The first bytes, hex, for the log.
        head: String,
    },
    /// The image header or body is corrupt or exceeds the decoder's limits.
    #[error("cannot decode the screenshot: {0}; retake it, or check the server's image format")]
    Decode(String),
    /// Even the smallest allowed image is over `max_bytes`. The first sentence matches the
    /// original plugin's message so existing docs and log searches still apply.
    #[error(
        "Screenshot too large ({}). Max: {}. Fix: lower screenshotScale, reduce the VM's display \
         resolution, use the JPEG output format, or raise maxScreenshotBytes.",
        format_size(*bytes),
        format_size(*max)
    )]
    TooLarge {
        /// Size of the smallest encoding tried.
        bytes: usize,
        /// The cap (`maxScreenshotBytes`).
        max: usize,
    },
    /// A crop region outside the image.
    #[error(
        "region x={x} y={y} width={width} height={height} is outside the {image_width}x{image_height} \
         screenshot: need width >= 1, height >= 1, x + width <= {image_width}, y + height <= \
         {image_height} (x in 0..{image_width}, y in 0..{image_height})"
    )]
    Region {
        /// Requested left edge.
        x: u32,
        /// Requested top edge.
        y: u32,
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
        /// The screenshot's width.
        image_width: u32,
        /// The screenshot's height.
        image_height: u32,
    },
    /// The encoder failed (should not happen for valid dimensions).
    #[error("cannot encode the screenshot: {0}; try another output format")]
    Encode(String),
}

/// Formats a byte count the way the original plugin did: MiB with one decimal, ".0" trimmed
/// (10485760 → "10 MB"). Below 0.1 MB, where that would print "0 MB", it switches to KB.
pub fn format_size(bytes: usize) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mb = one_decimal(bytes as f64 / MIB);
    if mb != "0" {
        format!("{mb} MB")
    } else if bytes >= 1024 {
        format!("{} KB", one_decimal(bytes as f64 / 1024.0))
    } else {
        format!("{bytes} bytes")
    }
}

fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_message_is_reproduced() {
        let e = ImagingError::TooLarge {
            bytes: (12.3 * 1_048_576.0) as usize,
            max: 10_485_760,
        };
        let text = e.to_string();
        assert!(
            text.starts_with("Screenshot too large (12.3 MB). Max: 10 MB. Fix: "),
            "{text}"
        );
        assert!(text.contains("maxScreenshotBytes"), "{text}");
    }

    #[test]
    fn sizes_format_like_the_plugin() {
        assert_eq!(format_size(10_485_760), "10 MB");
        assert_eq!(format_size(1_048_576 * 3 / 2), "1.5 MB");
        assert_eq!(format_size(100_000), "0.1 MB");
        assert_eq!(format_size(2048), "2 KB");
        assert_eq!(format_size(1500), "1.5 KB");
        assert_eq!(format_size(10), "10 bytes");
    }
}
