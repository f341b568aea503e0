//! Whether two images of the same size show the same thing, and where they differ: how "the screen has not
//! changed" is decided, on the pixels the caller is shown (after scaling), not on compressed bytes.
//!
//! Two images are the same when no channel of any pixel differs by more than [`PIXEL_TOLERANCE`]: enough to
//! absorb rounding in a resampler or a decoder, far below any visible change (a typed character or a clock
//! digit changes pixels by tens to hundreds). Rows are compared as slices first (a memcmp), so identical
//! images cost one pass over memory.

use crate::resize::Region;

/// Largest per-channel difference (of 255) that still counts as the same pixel.
pub const PIXEL_TOLERANCE: u8 = 2;

/// The smallest rectangle holding every pixel of `a` and `b` (both `width * height` RGB, 3 bytes a pixel)
/// whose channels differ by more than `tolerance`; `None` when there is none (the images are the same).
/// Buffers of another length than `width * height * 3` are different images: the whole area is returned.
pub fn changed_region(
    a: &[u8],
    b: &[u8],
    width: u32,
    height: u32,
    tolerance: u8,
) -> Option<Region> {
    let row = width as usize * 3;
    let whole = Region {
        x: 0,
        y: 0,
        width: width.max(1),
        height: height.max(1),
    };
    if a.len() != row * height as usize || b.len() != a.len() {
        return Some(whole);
    }
    if row == 0 {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0u32, 0u32);
    for (y, (ra, rb)) in a.chunks_exact(row).zip(b.chunks_exact(row)).enumerate() {
        if ra == rb {
            continue;
        }
        let y = y as u32;
        for (x, (pa, pb)) in ra.chunks_exact(3).zip(rb.chunks_exact(3)).enumerate() {
            let differs = pa
                .iter()
                .zip(pb)
                .any(|(ca, cb)| ca.abs_diff(*cb) > tolerance);
            if differs {
                let x = x as u32;
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    (x0 != u32::MAX).then(|| Region {
        x: x0,
        y: y0,
        width: x1 - x0 + 1,
        height: y1 - y0 + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: u32, h: u32, fill: u8) -> Vec<u8> {
        vec![fill; (w * h * 3) as usize]
    }

    fn set(img: &mut [u8], w: u32, x: u32, y: u32, rgb: [u8; 3]) {
        let i = ((y * w + x) * 3) as usize;
        img[i..i + 3].copy_from_slice(&rgb);
    }

    #[test]
    fn same_images_and_changes_within_the_tolerance_are_the_same() {
        let a = image(8, 4, 100);
        assert_eq!(changed_region(&a, &a.clone(), 8, 4, PIXEL_TOLERANCE), None);
        let mut b = a.clone();
        set(&mut b, 8, 3, 2, [102, 98, 100]);
        assert_eq!(changed_region(&a, &b, 8, 4, PIXEL_TOLERANCE), None);
    }

    #[test]
    fn one_pixel_beyond_the_tolerance_is_a_change_and_the_region_bounds_every_change() {
        let a = image(8, 4, 100);
        let mut b = a.clone();
        set(&mut b, 8, 3, 2, [100, 103, 100]);
        assert_eq!(
            changed_region(&a, &b, 8, 4, PIXEL_TOLERANCE),
            Some(Region {
                x: 3,
                y: 2,
                width: 1,
                height: 1
            })
        );
        set(&mut b, 8, 6, 0, [0, 0, 0]);
        set(&mut b, 8, 1, 3, [255, 0, 0]);
        assert_eq!(
            changed_region(&a, &b, 8, 4, PIXEL_TOLERANCE),
            Some(Region {
                x: 1,
                y: 0,
                width: 6,
                height: 4
            })
        );
    }

    #[test]
    fn images_of_other_sizes_differ_everywhere() {
        let a = image(8, 4, 0);
        let b = image(4, 8, 0);
        assert_eq!(
            changed_region(&a, &b[..48], 8, 4, 0),
            Some(Region {
                x: 0,
                y: 0,
                width: 8,
                height: 4
            })
        );
        assert_eq!(
            changed_region(&a, &image(8, 3, 0), 8, 4, 0),
            Some(Region {
                x: 0,
                y: 0,
                width: 8,
                height: 4
            })
        );
    }
}
