//! How alike two screens are, and where they differ: SSIM over 8x8 windows of the grayscale images.
//!
//! Why SSIM: it compares local structure (edges, text strokes) and brightness the way people notice changes,
//! and it is stable under what does not matter here (JPEG noise, a pixel of resampling). Why
//! `image-compare`: it computes SSIM with the standard constants over non-overlapping 8x8 windows and returns
//! the per-window map, which is exactly what is needed to say *where* screens differ; it builds on the `image`
//! crate the workspace already uses.
//!
//! The decision uses the **worst window**, not the mean: a regression test must notice one changed line of
//! text, which moves the mean of a whole screen by less than its noise. Both images are compared in grayscale
//! at the recorded image's size (at most [`MAX_EDGE`] pixels on the long edge).

use image::{GrayImage, imageops::FilterType};

/// Longest edge the comparison works at; larger images are scaled down first.
pub const MAX_EDGE: u32 = 1024;
/// The default threshold on the worst window's SSIM: below it, two screens differ.
pub const DEFAULT_THRESHOLD: f64 = 0.9;
/// SSIM window size (image-compare's).
const WINDOW: u32 = 8;

/// The result of comparing a recorded screen with a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Mean SSIM over all windows (1 = identical).
    pub mean: f64,
    /// SSIM of the least similar window: what the threshold is applied to.
    pub worst: f64,
    /// Where they differ: `[x, y, width, height]` in pixels of the recorded image, one box per connected group
    /// of windows below the threshold.
    pub regions: Vec<[u32; 4]>,
    /// Whether the new image had another size (it was scaled to the recorded one to compare).
    pub resized: bool,
}

impl Comparison {
    /// Whether the screens match at `threshold`.
    pub fn matches(&self, threshold: f64) -> bool {
        self.worst >= threshold
    }
}

/// Why two images could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// An image does not decode.
    #[error("the {which} image does not decode")]
    Decode {
        /// `recorded` or `new`.
        which: &'static str,
        /// The decoder's error.
        source: image::ImageError,
    },
    /// SSIM failed (not expected for images of equal size).
    #[error("comparison failed: {0}")]
    Ssim(String),
}

/// Compares `recorded` with `new` (encoded images); regions are the windows below `threshold`.
pub fn compare(recorded: &[u8], new: &[u8], threshold: f64) -> Result<Comparison, CompareError> {
    let a = image::load_from_memory(recorded)
        .map_err(|source| CompareError::Decode {
            which: "recorded",
            source,
        })?
        .into_luma8();
    let b = image::load_from_memory(new)
        .map_err(|source| CompareError::Decode {
            which: "new",
            source,
        })?
        .into_luma8();
    Ok(compare_gray(&a, &b, threshold))
}

/// [`compare`] on decoded grayscale images.
pub fn compare_gray(recorded: &GrayImage, new: &GrayImage, threshold: f64) -> Comparison {
    let (rw, rh) = recorded.dimensions();
    let (w, h) = working_size(rw, rh);
    let resized = new.dimensions() != recorded.dimensions();
    let a = scaled(recorded, w, h);
    let b = scaled(new, w, h);
    let similarity = match image_compare::gray_similarity_structure(
        &image_compare::Algorithm::MSSIMSimple,
        &a,
        &b,
    ) {
        Ok(s) => s,
        // Equal sizes by construction; an empty image is the only other way here.
        Err(_) => {
            return Comparison {
                mean: 1.0,
                worst: 1.0,
                regions: Vec::new(),
                resized,
            };
        }
    };
    // image-compare does not name the map's type outside the crate; its grayscale rendering holds each
    // window's SSIM, clamped to 0..1, as 0..255.
    let map = similarity.image.to_color_map().into_luma8();
    // One value per window: the map holds the window's SSIM at each of its pixels.
    let cols = w.div_ceil(WINDOW);
    let rows = h.div_ceil(WINDOW);
    let mut worst = f64::INFINITY;
    let mut below = vec![false; (cols * rows) as usize];
    for row in 0..rows {
        for col in 0..cols {
            let v = f64::from(map.get_pixel(col * WINDOW, row * WINDOW)[0]) / 255.0;
            worst = worst.min(v);
            below[(row * cols + col) as usize] = v < threshold;
        }
    }
    let sx = f64::from(rw) / f64::from(w);
    let sy = f64::from(rh) / f64::from(h);
    let regions = groups(&below, cols, rows)
        .into_iter()
        .map(|[c0, r0, c1, r1]| {
            let x0 = f64::from(c0 * WINDOW) * sx;
            let y0 = f64::from(r0 * WINDOW) * sy;
            let x1 = (f64::from((c1 + 1) * WINDOW) * sx).min(f64::from(rw));
            let y1 = (f64::from((r1 + 1) * WINDOW) * sy).min(f64::from(rh));
            [
                x0 as u32,
                y0 as u32,
                (x1 - x0).ceil() as u32,
                (y1 - y0).ceil() as u32,
            ]
        })
        .collect();
    Comparison {
        mean: similarity.score,
        worst: if worst.is_finite() { worst } else { 1.0 },
        regions,
        resized,
    }
}

fn working_size(w: u32, h: u32) -> (u32, u32) {
    let long = w.max(h).max(1);
    if long <= MAX_EDGE {
        return (w.max(1), h.max(1));
    }
    let f = f64::from(MAX_EDGE) / f64::from(long);
    (
        ((f64::from(w) * f).round() as u32).max(1),
        ((f64::from(h) * f).round() as u32).max(1),
    )
}

fn scaled(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    if img.dimensions() == (w, h) {
        img.clone()
    } else {
        image::imageops::resize(img, w, h, FilterType::Triangle)
    }
}

/// Bounding boxes `[col0, row0, col1, row1]` (inclusive) of the 8-connected groups of `true` cells.
fn groups(cells: &[bool], cols: u32, rows: u32) -> Vec<[u32; 4]> {
    let mut seen = vec![false; cells.len()];
    let mut out = Vec::new();
    for start in 0..cells.len() {
        if !cells[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let (mut c0, mut r0, mut c1, mut r1) = (u32::MAX, u32::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (c, r) = (i as u32 % cols, i as u32 / cols);
            c0 = c0.min(c);
            r0 = r0.min(r);
            c1 = c1.max(c);
            r1 = r1.max(r);
            for dr in -1i64..=1 {
                for dc in -1i64..=1 {
                    let (nc, nr) = (i64::from(c) + dc, i64::from(r) + dr);
                    if nc < 0 || nr < 0 || nc >= i64::from(cols) || nr >= i64::from(rows) {
                        continue;
                    }
                    let j = (nr as u32 * cols + nc as u32) as usize;
                    if cells[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push([c0, r0, c1, r1]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A "screen": text-like strokes on a grey background.
    fn screen() -> GrayImage {
        GrayImage::from_fn(320, 200, |x, y| {
            if y % 12 < 2 && x % 7 < 4 {
                Luma([20])
            } else {
                Luma([200])
            }
        })
    }

    #[test]
    fn identical_screens_match_and_a_changed_patch_is_found_where_it_is() {
        let a = screen();
        let same = compare_gray(&a, &a, DEFAULT_THRESHOLD);
        assert_eq!(same.worst, 1.0);
        assert!(same.regions.is_empty());
        assert!(same.matches(DEFAULT_THRESHOLD));

        let mut b = a.clone();
        for y in 100..130 {
            for x in 40..90 {
                b.put_pixel(x, y, Luma([90]));
            }
        }
        let diff = compare_gray(&a, &b, DEFAULT_THRESHOLD);
        assert!(!diff.matches(DEFAULT_THRESHOLD), "{diff:?}");
        assert!(diff.mean > 0.9, "one patch barely moves the mean: {diff:?}");
        assert_eq!(diff.regions.len(), 1, "{diff:?}");
        let [x, y, w, h] = diff.regions[0];
        // The patch, rounded out to whole 8-pixel windows.
        assert!(
            x <= 40 && y <= 100 && x + w >= 90 && y + h >= 130,
            "{diff:?}"
        );
        assert!(
            x >= 32 && y >= 96 && x + w <= 96 && y + h <= 136,
            "{diff:?}"
        );
    }

    #[test]
    fn groups_are_connected_components() {
        #[rustfmt::skip]
        let cells = [
            true,  true,  false, false,
            false, false, false, true,
            false, false, false, true,
        ];
        assert_eq!(groups(&cells, 4, 3), vec![[0, 0, 1, 0], [3, 1, 3, 2]]);
    }

    #[test]
    fn large_images_are_compared_at_a_bounded_size() {
        assert_eq!(working_size(2880, 1800), (1024, 640));
        assert_eq!(working_size(640, 400), (640, 400));
    }
}
