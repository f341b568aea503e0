//! Looking at the screen: `vm_screenshot` and `vm_zoom`. Both capture through [`crate::tools::capture()`],
//! which every tool that returns an image shares.

mod screenshot;
mod zoom;

pub use screenshot::{Screenshot, ScreenshotArgs};
pub use zoom::{ZOOM_LOSSLESS_MAX_BYTES, Zoom, ZoomArgs};
