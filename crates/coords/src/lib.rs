//! Coordinate spaces and frames.
//!
//! Agents send coordinates in the pixel space of the **last image we returned** (scaled and maybe cropped).
//! The server takes pointer input in its own input space, which on macOS Lume guests (HiDPI) differs from
//! its screenshot pixels: physical 2880x1800 → screenshot 1920x1200 → points 1440x900. So there are three
//! maps, composed here once:
//!
//! ```text
//! image px ──(Frame: origin + to_source)──► screenshot px ──(Calibration: input/shot)──► input points
//! ```
//!
//! A [`Frame`] is recorded for every image returned (screenshot or zoom) with an id; pointer actions may name
//! the frame they were computed on, and an action on a frame whose calibration no longer holds (the screen
//! size changed, or the connection was re-made and re-measured differently) is refused: take a new
//! screenshot.
#![deny(missing_docs)]

use std::sync::Mutex;

/// The server's screenshot pixels vs its input space, measured per connection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Screenshot width in pixels.
    pub shot_w: u32,
    /// Screenshot height in pixels.
    pub shot_h: u32,
    /// Input-space width (points on macOS; pixels on X11).
    pub input_w: f64,
    /// Input-space height.
    pub input_h: f64,
    /// The connection generation (`Client::connects`) it was measured on.
    pub generation: u64,
}

impl Calibration {
    /// Input units per screenshot pixel, horizontally.
    pub fn scale_x(&self) -> f64 {
        self.input_w / f64::from(self.shot_w.max(1))
    }

    /// Input units per screenshot pixel, vertically.
    pub fn scale_y(&self) -> f64 {
        self.input_h / f64::from(self.shot_h.max(1))
    }

    /// Whether two calibrations describe the same mapping (generation aside).
    pub fn same_geometry(&self, other: &Calibration) -> bool {
        self.shot_w == other.shot_w
            && self.shot_h == other.shot_h
            && (self.input_w - other.input_w).abs() < 0.5
            && (self.input_h - other.input_h).abs() < 0.5
    }
}

/// The mapping of one image we returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Id the agent may cite.
    pub id: u64,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Left edge of the image in screenshot pixels (0 unless a zoom).
    pub origin_x: f64,
    /// Top edge in screenshot pixels.
    pub origin_y: f64,
    /// Screenshot pixels per image pixel, horizontally.
    pub to_source_x: f64,
    /// Screenshot pixels per image pixel, vertically.
    pub to_source_y: f64,
    /// The calibration in force when the image was taken.
    pub calibration: Calibration,
}

/// A coordinate problem the agent can fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoordError {
    /// Outside the image.
    #[error(
        "point ({x}, {y}) is outside the {width}x{height} image of frame {frame}: x must be in 0..{width} and y in 0..{height} (pixels of the last screenshot)"
    )]
    OutOfRange {
        /// X as sent.
        x: f64,
        /// Y as sent.
        y: f64,
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// Frame id.
        frame: u64,
    },
    /// The frame cited is not the current one, or the screen changed since.
    #[error(
        "frame {cited} is stale (the current frame is {current}): take a new screenshot and use its coordinates"
    )]
    Stale {
        /// The frame the action named.
        cited: u64,
        /// The current frame.
        current: u64,
    },
    /// Not a number.
    #[error("coordinates must be finite numbers, got ({x}, {y})")]
    NotFinite {
        /// X.
        x: f64,
        /// Y.
        y: f64,
    },
}

impl Frame {
    /// The id of [`Frame::screen`]: no image was returned, the caller speaks in screen pixels.
    pub const SCREEN_ID: u64 = 0;

    /// The screen itself at full resolution, for callers who give screen pixels (people at the CLI): origin
    /// 0, one screenshot pixel per unit, mapped to input through `calibration` only. Never recorded, so it
    /// does not replace the agent's latest image.
    pub fn screen(calibration: Calibration) -> Frame {
        Frame {
            id: Frame::SCREEN_ID,
            width: calibration.shot_w,
            height: calibration.shot_h,
            origin_x: 0.0,
            origin_y: 0.0,
            to_source_x: 1.0,
            to_source_y: 1.0,
            calibration,
        }
    }

    /// Whether this is [`Frame::screen`] rather than a returned image.
    pub fn is_screen(&self) -> bool {
        self.id == Frame::SCREEN_ID
    }

    /// Image pixel → input space, bounds-checked against the image.
    pub fn to_input(&self, x: f64, y: f64) -> Result<(f64, f64), CoordError> {
        if !x.is_finite() || !y.is_finite() {
            return Err(CoordError::NotFinite { x, y });
        }
        if x < 0.0 || y < 0.0 || x >= f64::from(self.width) || y >= f64::from(self.height) {
            return Err(CoordError::OutOfRange {
                x,
                y,
                width: self.width,
                height: self.height,
                frame: self.id,
            });
        }
        let c = &self.calibration;
        let ix = ((self.origin_x + x * self.to_source_x) * c.scale_x()).round();
        let iy = ((self.origin_y + y * self.to_source_y) * c.scale_y()).round();
        Ok((
            ix.clamp(0.0, c.input_w - 1.0),
            iy.clamp(0.0, c.input_h - 1.0),
        ))
    }

    /// Input space → image pixel (for reporting the cursor position); may lie outside a zoomed image.
    pub fn from_input(&self, ix: f64, iy: f64) -> (f64, f64) {
        let c = &self.calibration;
        let x = (ix / c.scale_x() - self.origin_x) / self.to_source_x;
        let y = (iy / c.scale_y() - self.origin_y) / self.to_source_y;
        (x.round(), y.round())
    }
}

/// Per-VM record of the calibration and the latest frame.
#[derive(Debug, Default)]
pub struct Frames {
    inner: Mutex<FramesInner>,
}

#[derive(Debug, Default)]
struct FramesInner {
    next_id: u64,
    latest: Option<Frame>,
    calibration: Option<Calibration>,
}

impl Frames {
    /// The current calibration, if measured.
    pub fn calibration(&self) -> Option<Calibration> {
        self.inner.lock().ok().and_then(|g| g.calibration)
    }

    /// Stores a new calibration.
    pub fn set_calibration(&self, c: Calibration) {
        if let Ok(mut g) = self.inner.lock() {
            g.calibration = Some(c);
        }
    }

    /// Records a new frame (ids start at 1) and returns it.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        width: u32,
        height: u32,
        origin: (f64, f64),
        to_source: (f64, f64),
        calibration: Calibration,
    ) -> Frame {
        let mut g = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        g.next_id += 1;
        let frame = Frame {
            id: g.next_id,
            width,
            height,
            origin_x: origin.0,
            origin_y: origin.1,
            to_source_x: to_source.0,
            to_source_y: to_source.1,
            calibration,
        };
        g.latest = Some(frame);
        g.calibration = Some(calibration);
        frame
    }

    /// Makes `frame`, recorded earlier, the latest again; returns it, or `None` when it cannot be (it was never
    /// recorded here, or the current calibration maps differently from the one it was taken with).
    ///
    /// For a caller told that the screen is unchanged since that frame instead of being sent a new image:
    /// the image it holds is then the latest one, so points read off it map through it, and an action citing
    /// its id is not stale.
    pub fn reissue(&self, frame: Frame) -> Option<Frame> {
        let mut g = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if frame.is_screen() || frame.id > g.next_id {
            return None;
        }
        if g.calibration
            .is_some_and(|c| !c.same_geometry(&frame.calibration))
        {
            return None;
        }
        g.latest = Some(frame);
        Some(frame)
    }

    /// The latest frame, if any.
    pub fn latest(&self) -> Option<Frame> {
        self.inner.lock().ok().and_then(|g| g.latest)
    }

    /// The frame to map an action with: the latest one; if the action cites a frame, it must be the latest
    /// and its geometry must still match the current calibration.
    pub fn for_action(&self, cited: Option<u64>) -> Result<Option<Frame>, CoordError> {
        let g = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Some(latest) = g.latest else {
            return Ok(None);
        };
        let current_ok = g
            .calibration
            .is_none_or(|c| c.same_geometry(&latest.calibration));
        match cited {
            Some(id) if id != latest.id || !current_ok => Err(CoordError::Stale {
                cited: id,
                current: latest.id,
            }),
            None if !current_ok => Err(CoordError::Stale {
                cited: latest.id,
                current: latest.id + 1,
            }),
            _ => Ok(Some(latest)),
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cal(shot: (u32, u32), input: (f64, f64)) -> Calibration {
        Calibration {
            shot_w: shot.0,
            shot_h: shot.1,
            input_w: input.0,
            input_h: input.1,
            generation: 1,
        }
    }

    fn frame(img: (u32, u32), shot: (u32, u32), input: (f64, f64)) -> Frame {
        Frame {
            id: 1,
            width: img.0,
            height: img.1,
            origin_x: 0.0,
            origin_y: 0.0,
            to_source_x: f64::from(shot.0) / f64::from(img.0),
            to_source_y: f64::from(shot.1) / f64::from(img.1),
            calibration: cal(shot, input),
        }
    }

    #[test]
    fn retina_centre_maps_to_point_centre() {
        // macOS Lume: screenshot 1920x1200, points 1440x900; image scaled to 1568x980.
        let f = frame((1568, 980), (1920, 1200), (1440.0, 900.0));
        let (x, y) = f.to_input(784.0, 490.0).unwrap();
        assert!(
            (x - 720.0).abs() <= 1.0 && (y - 450.0).abs() <= 1.0,
            "({x}, {y})"
        );
    }

    #[test]
    fn half_scale_on_x11_doubles() {
        let f = frame((640, 400), (1280, 800), (1280.0, 800.0));
        assert_eq!(f.to_input(320.0, 200.0).unwrap(), (640.0, 400.0));
        assert_eq!(f.to_input(0.0, 0.0).unwrap(), (0.0, 0.0));
        assert_eq!(f.to_input(639.0, 399.0).unwrap(), (1278.0, 798.0));
        assert_eq!(f.from_input(640.0, 400.0), (320.0, 200.0));
    }

    #[test]
    fn out_of_range_names_the_valid_range() {
        let f = frame((640, 400), (1280, 800), (1280.0, 800.0));
        let e = f.to_input(640.0, 10.0).unwrap_err();
        assert!(
            e.to_string()
                .contains("x must be in 0..640 and y in 0..400"),
            "{e}"
        );
        assert!(f.to_input(f64::NAN, 1.0).is_err());
    }

    #[test]
    fn stale_frames_are_refused() {
        let frames = Frames::default();
        let c = cal((1280, 800), (1280.0, 800.0));
        let f1 = frames.record(640, 400, (0.0, 0.0), (2.0, 2.0), c);
        assert_eq!(frames.for_action(Some(f1.id)).unwrap().unwrap().id, 1);
        let f2 = frames.record(640, 400, (0.0, 0.0), (2.0, 2.0), c);
        assert!(matches!(
            frames.for_action(Some(f1.id)),
            Err(CoordError::Stale { .. })
        ));
        assert_eq!(frames.for_action(None).unwrap().unwrap().id, f2.id);
        // The screen changed size: even uncited actions must re-observe.
        frames.set_calibration(cal((1024, 768), (1024.0, 768.0)));
        assert!(frames.for_action(None).is_err());
    }

    #[test]
    fn a_reissued_frame_is_the_latest_again_while_its_geometry_holds() {
        let frames = Frames::default();
        let c = cal((1280, 800), (1280.0, 800.0));
        let f1 = frames.record(640, 400, (0.0, 0.0), (2.0, 2.0), c);
        let zoom = frames.record(100, 100, (10.0, 10.0), (1.0, 1.0), c);
        assert!(frames.for_action(Some(f1.id)).is_err());
        assert_eq!(frames.reissue(f1), Some(f1));
        assert_eq!(frames.for_action(Some(f1.id)).unwrap(), Some(f1));
        assert!(frames.for_action(Some(zoom.id)).is_err());
        // Never recorded here, or the screen's geometry changed since: not reissued.
        assert_eq!(frames.reissue(Frame { id: 99, ..f1 }), None);
        assert_eq!(frames.reissue(Frame::screen(c)), None);
        frames.set_calibration(cal((1024, 768), (1024.0, 768.0)));
        assert_eq!(frames.reissue(f1), None);
    }

    proptest! {
        #[test]
        fn mapping_round_trips_within_one_pixel(
            shot_w in 200u32..4000, shot_h in 200u32..3000,
            scale in 0.1f64..1.0, retina in prop_oneof![Just(1.0f64), Just(0.5), Just(0.75)],
            fx in 0.0f64..1.0, fy in 0.0f64..1.0,
        ) {
            let img_w = ((f64::from(shot_w) * scale).round() as u32).max(1);
            let img_h = ((f64::from(shot_h) * scale).round() as u32).max(1);
            let input = ((f64::from(shot_w) * retina).round(), (f64::from(shot_h) * retina).round());
            let f = frame((img_w, img_h), (shot_w, shot_h), input);
            let x = (fx * f64::from(img_w - 1)).floor();
            let y = (fy * f64::from(img_h - 1)).floor();
            let (ix, iy) = f.to_input(x, y).unwrap();
            prop_assert!(ix >= 0.0 && ix < input.0 && iy >= 0.0 && iy < input.1);
            let (bx, by) = f.from_input(ix, iy);
            // Within one image pixel, plus the input-space quantisation when input is coarser than the image.
            let tol_x = 1.0 + (f64::from(img_w) / input.0).max(0.0);
            let tol_y = 1.0 + (f64::from(img_h) / input.1).max(0.0);
            prop_assert!((bx - x).abs() <= tol_x, "x {x} -> {ix} -> {bx}");
            prop_assert!((by - y).abs() <= tol_y, "y {y} -> {iy} -> {by}");
        }
    }
}
