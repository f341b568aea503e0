//! From the agent's coordinates (pixels of the latest image we returned) to the server's input space, and the
//! wording every pointer result shares.
//!
//! Mapping goes through the latest [`Frame`] (see `coords`); a cited frame that is not the latest is
//! refused before anything is sent. With no frame yet (no screenshot on this session), one is captured first
//! so the calibration and the image space exist; the result then names that image's size.

use serde_json::{Map, Value, json};

use crate::tools::capture::{capture, current_calibration};
use crate::tools::{Space, ToolContext, ToolError};
use crate::vm::VmSession;
use coords::{CoordError, Frame};

/// A point in the image and where it lands in the input space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Image x as sent.
    pub x: f64,
    /// Image y as sent.
    pub y: f64,
    /// Input-space x sent to the server.
    pub ix: f64,
    /// Input-space y sent to the server.
    pub iy: f64,
}

impl Point {
    /// `(ix, iy)` for the client's `at` parameters.
    pub fn input(&self) -> (f64, f64) {
        (self.ix, self.iy)
    }

    /// `(x, y) → screen (ix, iy)`.
    pub fn describe(&self) -> String {
        format!(
            "({}, {}) → screen ({}, {})",
            num(self.x),
            num(self.y),
            num(self.ix),
            num(self.iy)
        )
    }
}

/// A coordinate problem → a refusal the model reads (the message names the valid range or says to take a
/// new screenshot).
pub fn coord_error(e: CoordError) -> ToolError {
    ToolError::rejected(e.to_string())
}

/// The frame to map this call with; see the module documentation.
pub async fn frame(
    ctx: &ToolContext,
    session: &VmSession,
    cited: Option<u64>,
) -> Result<Frame, ToolError> {
    if let Space::Screen { .. } = ctx.space {
        return Ok(Frame::screen(current_calibration(ctx, session).await?));
    }
    match session.frames().for_action(cited) {
        Ok(Some(frame)) => Ok(frame),
        Ok(None) => match cited {
            Some(id) => Err(ToolError::rejected(format!(
                "frame {id} is unknown (no screenshot was taken on this VM session yet): take a new screenshot and use its coordinates"
            ))),
            None => Ok(capture(ctx, session).await?.frame),
        },
        Err(e) => Err(coord_error(e)),
    }
}

/// Maps one image point through `frame`, bounds-checked.
pub fn map(frame: &Frame, x: f64, y: f64) -> Result<Point, ToolError> {
    let (ix, iy) = frame.to_input(x, y).map_err(coord_error)?;
    Ok(Point { x, y, ix, iy })
}

/// Both coordinates or neither: `Some` only when both are given.
pub fn optional_point(
    tool: &str,
    x: Option<f64>,
    y: Option<f64>,
) -> Result<Option<(f64, f64)>, ToolError> {
    match (x, y) {
        (Some(x), Some(y)) => Ok(Some((x, y))),
        (None, None) => Ok(None),
        _ => Err(ToolError::invalid(format!(
            "{tool}: give both x and y, or neither (to act where the pointer is)"
        ))),
    }
}

/// ` (image pixels of frame N, WxH)`: reminds the model which space its numbers were read in.
pub fn space(frame: &Frame) -> String {
    if frame.is_screen() {
        return format!("screen pixels, {}x{}", frame.width, frame.height);
    }
    format!(
        "image pixels of frame {}, {}x{}",
        frame.id, frame.width, frame.height
    )
}

/// The details every pointer result carries for one point, `landed` included.
pub fn details(frame: &Frame, p: &Point) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("x".into(), json!(p.x));
    map.insert("y".into(), json!(p.y));
    map.insert("inputX".into(), json!(p.ix));
    map.insert("inputY".into(), json!(p.iy));
    map.insert("frame".into(), json!(frame.id));
    map.insert("landed".into(), landed(frame, std::slice::from_ref(p)));
    map
}

/// Where input landed, in screen pixels (full-resolution screenshot pixels): the input-space points sent
/// to the server, mapped back through the frame's calibration. `{x, y}` of the last point, plus `path` when
/// there are several (a drag). The recording draws it on the screenshot the agent saw.
pub fn landed(frame: &Frame, points: &[Point]) -> Value {
    let c = &frame.calibration;
    let screen = |p: &Point| [p.ix / c.scale_x(), p.iy / c.scale_y()];
    let Some(last) = points.last() else {
        return Value::Null;
    };
    let [x, y] = screen(last);
    if points.len() > 1 {
        let path: Vec<[f64; 2]> = points.iter().map(screen).collect();
        json!({"x": x, "y": y, "path": path})
    } else {
        json!({"x": x, "y": y})
    }
}

/// A coordinate for text: integers without a fraction, others with one decimal.
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(num(320.0), "320");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(12.26), "12.3");
    }

    #[test]
    fn landing_points_are_screen_pixels_whatever_the_input_space() {
        // A HiDPI macOS guest: 2880x1800 screenshot pixels, 1440x900 input points.
        let calibration = coords::Calibration {
            shot_w: 2880,
            shot_h: 1800,
            input_w: 1440.0,
            input_h: 900.0,
            generation: 1,
        };
        let frame = Frame::screen(calibration);
        let p = |ix, iy| Point {
            x: 0.0,
            y: 0.0,
            ix,
            iy,
        };
        assert_eq!(
            landed(&frame, &[p(720.0, 450.0)]),
            json!({"x": 1440.0, "y": 900.0})
        );
        assert_eq!(
            landed(&frame, &[p(0.0, 1.0), p(10.0, 20.0)]),
            json!({"x": 20.0, "y": 40.0, "path": [[0.0, 2.0], [20.0, 40.0]]})
        );
    }

    #[test]
    fn half_given_points_are_invalid() {
        assert!(optional_point("t", Some(1.0), None).is_err());
        assert_eq!(optional_point("t", None, None), Ok(None));
        assert_eq!(
            optional_point("t", Some(1.0), Some(2.0)),
            Ok(Some((1.0, 2.0)))
        );
    }
}
