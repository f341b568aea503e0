//! A deterministic synthetic "busy desktop" screenshot.
//!
//! Lives in the library (not in a test helper) so that unit tests, the integration tests and the
//! benchmark all measure and check the same picture. Real screenshots are what the pipeline is tuned
//! for: large smooth areas (wallpaper gradient), flat window backgrounds, and many 1-px text strokes
//! that are hard to compress and easy to blur. The generator reproduces those three traits without
//! shipping binary fixtures.

/// Renders a `width`×`height` RGB8 desktop: a diagonal gradient wallpaper, a few windows with title
/// bars, and rows of 1-px glyph strokes inside them. Same inputs → same pixels.
pub fn busy_desktop(width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut px = vec![0u8; w * h * 3];
    // Wallpaper: a smooth two-axis gradient.
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * 3;
            px[i] = (20 + x * 90 / w.max(1)) as u8;
            px[i + 1] = (40 + y * 110 / h.max(1)) as u8;
            px[i + 2] = (120 + (x + y) * 100 / (w + h).max(1)) as u8;
        }
    }
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Three overlapping windows, placed relative to the screen so any size works.
    let windows = [
        (w / 20, h / 12, w * 11 / 20, h * 7 / 10, [250u8, 250, 250]),
        (w * 9 / 20, h / 5, w / 2, h * 3 / 5, [255, 255, 255]),
        (w / 8, h * 3 / 5, w * 2 / 5, h * 3 / 10, [235, 240, 245]),
    ];
    for &(wx, wy, ww, wh, bg) in &windows {
        fill(&mut px, w, h, (wx, wy, ww, wh), bg);
        fill(&mut px, w, h, (wx, wy, ww, 28.min(wh)), [60, 63, 70]);
        // Text rows: 10-px glyph cells on an 18-px line pitch, with word gaps.
        let mut ty = wy + 40;
        while ty + 12 < wy + wh {
            let mut tx = wx + 12;
            let line_end = wx + ww.saturating_sub(12 + rng.below(ww / 3 + 1));
            while tx + 8 < line_end {
                if rng.below(7) == 0 {
                    tx += 7; // word gap
                    continue;
                }
                let ink = if rng.below(9) == 0 {
                    [30, 90, 200]
                } else {
                    [20, 20, 20]
                };
                glyph(&mut px, w, h, tx, ty, &mut rng, ink);
                tx += 8;
            }
            ty += 18;
        }
    }
    px
}

/// Fills the rectangle `(x, y, width, height)`, clipped to the screen.
fn fill(px: &mut [u8], w: usize, h: usize, rect: (usize, usize, usize, usize), c: [u8; 3]) {
    let (x0, y0, ww, wh) = rect;
    for y in y0.min(h)..(y0 + wh).min(h) {
        for x in x0.min(w)..(x0 + ww).min(w) {
            let i = (y * w + x) * 3;
            px[i..i + 3].copy_from_slice(&c);
        }
    }
}

/// One 7×10 glyph built from 1-px vertical and horizontal strokes.
fn glyph(
    px: &mut [u8],
    w: usize,
    h: usize,
    x0: usize,
    y0: usize,
    rng: &mut XorShift,
    ink: [u8; 3],
) {
    let mut put = |x: usize, y: usize| {
        if x < w && y < h {
            let i = (y * w + x) * 3;
            px[i..i + 3].copy_from_slice(&ink);
        }
    };
    for _ in 0..2 + rng.below(2) {
        let x = x0 + rng.below(6);
        let (a, b) = (rng.below(4), 6 + rng.below(4));
        for y in a..b {
            put(x, y0 + y);
        }
    }
    for _ in 0..1 + rng.below(2) {
        let y = y0 + 2 + rng.below(7);
        for x in 0..2 + rng.below(5) {
            put(x0 + x, y);
        }
    }
}

/// Tiny deterministic PRNG: the picture must not depend on a crate's RNG version.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}
