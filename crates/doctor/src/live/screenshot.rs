//! Does a screenshot work and fit `maxScreenshotBytes`? It runs the `vm_screenshot` capture path itself
//! (`computer_use::tools::capture`: JPEG capture, calibration, scaling, fitting the byte budget), without the
//! guards or the audit log (a diagnosis must not spend the agent's budget), so the answer is what the agent's
//! first screenshot would get.
//!
//! Seed symptom recognised: "Screenshot too large (12.3 MB). Max: 10 MB." — the imaging error keeps that first
//! sentence; its "Fix:" part becomes the fix.

use std::time::Instant;

use computer_use::tools::{ToolContext, capture};
use computer_use::vm::VmSession;

use crate::report::Check;

/// Check id.
pub const ID: &str = "screenshot";

/// The check.
pub async fn check(ctx: &ToolContext, session: &VmSession) -> Check {
    let max = ctx.vms.config().max_screenshot_bytes();
    let started = Instant::now();
    match capture(ctx, session).await {
        Ok(shot) => {
            let c = shot.frame.calibration;
            let image = &shot.image;
            Check::pass(
                ID,
                format!(
                    "screenshot works: {}x{} screen → {}x{} {} of {} bytes (maxScreenshotBytes {max}) in {} ms",
                    c.shot_w,
                    c.shot_h,
                    image.width,
                    image.height,
                    image.mime,
                    image.bytes.len(),
                    started.elapsed().as_millis()
                ),
            )
        }
        Err(e) => {
            let (message, fix) = match e.message.split_once(" Fix: ") {
                Some((m, f)) => (m.to_owned(), f.to_owned()),
                None => (
                    e.message.clone(),
                    "see the message; `computer-use screenshot -o shot.png` reproduces it"
                        .to_owned(),
                ),
            };
            Check::fail(ID, message, fix)
        }
    }
}
