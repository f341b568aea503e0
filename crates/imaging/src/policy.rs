//! The screenshot budget: what size, format and byte cap an image must meet, with every default in
//! one place so the config layer, the tools and the docs cannot drift apart.
//!
//! Defaults come from the model clients' limits in `docs/model-clients.md` (Anthropic downsamples
//! above a 1568 px long edge or ~1.15 MP and rejects > 2000 px in many-image requests) and from the
//! measurements in `bench/imaging.sh` (on a busy desktop at the default budget, JPEG q80 is ~290 KiB,
//! WebP lossless ~800 KiB, PNG Fast ~1.4 MiB).

/// Encoding of the image handed to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Lossy, smallest, fastest to encode: the default.
    Jpeg,
    /// Lossless, accepted everywhere, but ~4x the bytes of JPEG q80 on a busy screen.
    Png,
    /// Lossless WebP: ~half the bytes of PNG at similar speed, for clients that accept `image/webp`.
    Webp,
}

impl OutputFormat {
    /// The MIME type sent with the image.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }
}

/// How a screenshot is scaled, encoded and fitted under a byte cap.
///
/// The size rules apply in order: `scale` first (the user's `screenshotScale`), then the model
/// budget (`max_long_edge`, `max_pixels`, `hard_max_edge`) shrinks further if needed, aspect ratio
/// kept; an image is never upscaled. Only if the encoded image is over `max_bytes` does fitting
/// lower JPEG quality (down to `min_jpeg_quality`) and then the size (down to `min_long_edge`).
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePolicy {
    /// `screenshotScale`, clamped to 0.1..=1.0 (a NaN counts as 1.0). Ignored by [`crop`](super::crop),
    /// whose point is to show native pixels.
    pub scale: f64,
    /// Longest edge the model should see; larger images are downsampled by the API anyway, so
    /// sending more only costs bytes and latency.
    pub max_long_edge: u32,
    /// Pixel-count budget (width × height).
    pub max_pixels: u64,
    /// Absolute cap per edge: the Anthropic API rejects larger images in many-image requests.
    pub hard_max_edge: u32,
    /// Output encoding.
    pub format: OutputFormat,
    /// JPEG quality (1..=100) tried first.
    pub jpeg_quality: u8,
    /// Lowest JPEG quality fitting may step down to before it shrinks the image instead.
    pub min_jpeg_quality: u8,
    /// Fitting never shrinks the long edge below this (unless the image was already smaller).
    pub min_long_edge: u32,
    /// `maxScreenshotBytes`: cap on the encoded image (raw bytes, before any base64).
    pub max_bytes: usize,
    /// Use both cores for resize + JPEG encode (top and bottom halves in parallel). Results are
    /// bit-identical either way; off only for measurements.
    pub parallel: bool,
}

impl Default for ImagePolicy {
    fn default() -> Self {
        Self {
            scale: 1.0,
            max_long_edge: MODEL_MAX_LONG_EDGE,
            max_pixels: MODEL_MAX_PIXELS,
            hard_max_edge: 2000,
            format: OutputFormat::Jpeg,
            jpeg_quality: DEFAULT_JPEG_QUALITY,
            min_jpeg_quality: 35,
            min_long_edge: 640,
            max_bytes: 10 * 1024 * 1024,
            parallel: true,
        }
    }
}

/// Smallest scale a screenshot may be reduced by (`screenshotScale`'s lower bound): below a tenth, text
/// is unreadable.
pub const MIN_SCALE: f64 = 0.1;
/// Largest scale: screenshots are never enlarged.
pub const MAX_SCALE: f64 = 1.0;
/// The model's long-edge budget: larger images are downsampled by the model API anyway.
pub const MODEL_MAX_LONG_EDGE: u32 = 1568;
/// The model's pixel budget (about 1.15 megapixels).
pub const MODEL_MAX_PIXELS: u64 = 1_150_000;
/// JPEG quality tried first for the model image.
pub const DEFAULT_JPEG_QUALITY: u8 = 80;

impl ImagePolicy {
    /// `scale` clamped to [`MIN_SCALE`]..=[`MAX_SCALE`] (a NaN counts as 1.0).
    pub fn effective_scale(&self) -> f64 {
        if self.scale.is_nan() {
            MAX_SCALE
        } else {
            self.scale.clamp(MIN_SCALE, MAX_SCALE)
        }
    }

    /// JPEG quality clamped to 1..=100 (libjpeg's range).
    pub(crate) fn first_quality(&self) -> u8 {
        self.jpeg_quality.clamp(1, 100)
    }

    /// Output size for a `width`×`height` source after `scale` (if `apply_scale`) and the model
    /// budget. Never larger than the source, never zero, aspect kept within one pixel.
    pub fn target_size(&self, width: u32, height: u32, apply_scale: bool) -> (u32, u32) {
        if width == 0 || height == 0 {
            return (width, height);
        }
        let long = f64::from(width.max(height));
        let mut factor = if apply_scale {
            self.effective_scale()
        } else {
            1.0
        };
        let edge_cap = self.max_long_edge.min(self.hard_max_edge).max(1);
        factor = factor.min(f64::from(edge_cap) / long);
        let pixels = f64::from(width) * f64::from(height);
        factor = factor.min((self.max_pixels.max(1) as f64 / pixels).sqrt());
        scaled(width, height, factor.min(1.0))
    }
}

/// `width`×`height` times `factor`, rounded down (so budgets hold) but never to zero.
pub(crate) fn scaled(width: u32, height: u32, factor: f64) -> (u32, u32) {
    // The epsilon keeps exact products (2880 × 0.5) from rounding down to 1439.
    let dim = |v: u32| ((f64::from(v) * factor + 1e-6).floor() as u32).clamp(1, v.max(1));
    (dim(width), dim(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_budget_shrinks_retina_screen() {
        let p = ImagePolicy::default();
        let (w, h) = p.target_size(2880, 1800, true);
        assert!(w.max(h) <= 1568, "{w}x{h}");
        assert!(u64::from(w) * u64::from(h) <= 1_150_000, "{w}x{h}");
        assert!((f64::from(w) / f64::from(h) - 1.6).abs() < 0.01, "{w}x{h}");
        assert!(w >= 1350, "budget wasted: {w}x{h}");
    }

    #[test]
    fn scale_applies_first_and_never_upscales() {
        let unbounded = ImagePolicy {
            scale: 0.5,
            max_pixels: u64::MAX,
            ..ImagePolicy::default()
        };
        assert_eq!(unbounded.target_size(2880, 1800, true), (1440, 900));
        // 1440x900 is 1.3 MP: the default budget still shrinks it.
        let p = ImagePolicy {
            scale: 0.5,
            ..ImagePolicy::default()
        };
        assert_eq!(p.target_size(2880, 1800, true), (1356, 847));
        assert_eq!(p.target_size(1280, 800, true), (640, 400));
        assert_eq!(p.target_size(2880, 1800, false), (1356, 847));
        let p = ImagePolicy {
            scale: 3.0,
            ..ImagePolicy::default()
        };
        assert_eq!(p.target_size(800, 600, true), (800, 600));
        assert_eq!(p.target_size(1, 1, true), (1, 1));
    }

    #[test]
    fn hard_max_edge_caps_a_generous_long_edge() {
        let p = ImagePolicy {
            max_long_edge: 5000,
            max_pixels: u64::MAX,
            ..ImagePolicy::default()
        };
        assert_eq!(p.target_size(4000, 100, true), (2000, 50));
    }

    #[test]
    fn odd_scales_are_clamped() {
        let nan = ImagePolicy {
            scale: f64::NAN,
            ..ImagePolicy::default()
        };
        assert_eq!(nan.effective_scale(), 1.0);
        let tiny = ImagePolicy {
            scale: 0.0,
            ..ImagePolicy::default()
        };
        assert_eq!(tiny.target_size(1000, 500, true), (100, 50));
    }
}
