//! Screen size and HiDPI scale, from the core's status report (what `vm_status` tells agents): the scale is
//! the calibration's (the pointer's range against the screenshot's pixels, see the `computer-use-coords`
//! crate). Lume creates macOS displays at 220 ppi, so macOS guests usually run HiDPI, where clicks are in
//! points (half the pixels). Informational: the tools map coordinates either way.

use computer_use::tools::ToolContext;
use computer_use::tools::control::StatusReport;

use crate::report::Check;

/// Check id.
pub const ID: &str = "display";

/// The check.
pub async fn check(ctx: &ToolContext) -> Check {
    let report = match StatusReport::measure(ctx).await {
        Ok(report) => report,
        Err(e) => return Check::fail_from_error(ID, &e),
    };
    let screen = format!("screen {}x{}", report.screen_width, report.screen_height);
    let scale = report.scale_x;
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
            report.input_width,
            report.input_height,
            scale,
            1.0 / scale
        ),
    )
}
