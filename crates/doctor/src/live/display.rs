//! Screen size and HiDPI scale. The scale comes from the calibration the screenshot check measured (the
//! pointer's range against the screenshot's pixels, see `computer_use::coords`): Lume creates macOS displays at
//! 220 ppi, so macOS guests usually run HiDPI, where clicks are in points (half the pixels). Informational:
//! the tools map coordinates either way.

use computer_use::coords::Calibration;
use computer_use::vm::VmSession;

use crate::report::Check;

/// Check id.
pub const ID: &str = "display";

/// The check.
pub async fn check(session: &VmSession, calibration: Option<Calibration>) -> Check {
    let size = match session.gui().screen_size().await {
        Ok(size) => size,
        Err(e) => return Check::fail_from_error(ID, &session.explain(e)),
    };
    let screen = format!("screen {}x{}", size.width, size.height);
    let Some(c) = calibration else {
        return Check::info(ID, format!("{screen}; HiDPI scale unknown (no screenshot)"));
    };
    let scale = c.scale_x();
    if (scale - 1.0).abs() < 0.01 {
        return Check::pass(
            ID,
            format!("{screen}; input in screen pixels (scale 1.0, not HiDPI)"),
        );
    }
    Check::pass(
        ID,
        format!(
            "{screen}; HiDPI: input space {:.0}x{:.0} points, {:.2} per screenshot pixel (backing scale {:.1}); the tools map clicks to points",
            c.input_w,
            c.input_h,
            scale,
            1.0 / scale
        ),
    )
}
