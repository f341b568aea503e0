//! Looking at the screen: `vm_screenshot` and `vm_zoom`. Both capture through [`crate::tools::capture()`],
//! which every tool that returns an image shares; an agent's screenshots go through [`unchanged`] (an
//! unchanged screen is not resent; the effect of its input actions is told), and `effects` is where every
//! call meets the effect reports.

pub(crate) mod effects;
mod screenshot;
pub mod unchanged;
mod zoom;

pub use screenshot::{Screenshot, ScreenshotArgs};
pub use zoom::{ZOOM_LOSSLESS_MAX_BYTES, Zoom, ZoomArgs};
