//! Recordings of computer-use sessions: what an agent saw and did, step by step.
//!
//! A recording is one directory:
//!
//! ```text
//! <root>/<started>-<vm>[-<agent>][-<session>]-<pid>-<n>/
//!   meta.json      who and where: VM, agent, session key, start time, producer (written once, first)
//!   steps.jsonl    one JSON line per tool call, appended when the call ends
//!   img/           the images those lines name: 000012.jpg (what the model received), 000012-after.jpg
//! ```
//!
//! - [`format`](mod@format) — the types of `meta.json` and of a step line.
//! - [`writer`] — append-only and crash-safe: an image is written before the line that names it, and a line is
//!   one `write` of a whole line, so a recording cut by a kill reads back up to its last complete step. Bounded
//!   by a byte budget: images go first, oldest first; step lines are kept.
//! - [`read`] — reading a recording back (a cut last line is ignored, a dropped image is reported as such);
//!   [`list`] finds the recordings under a root.
//! - [`compare`] — how alike two screens are (SSIM over 8x8 windows of the grayscale images) and where they differ.
//! - [`view`] — one self-contained HTML page (no network: inline CSS and JS, images as data) with a filmstrip,
//!   the input drawn where it landed, keyboard navigation and search; also the replay report.
//!
//! This crate knows recordings, not tools: the core (`computer-use`) decides what goes into a step.
#![deny(missing_docs)]

pub mod compare;
pub mod format;
pub mod list;
pub mod read;
pub mod view;
pub mod writer;

pub use format::{ErrorInfo, ExecOutput, ImageRef, Landed, Meta, Step, Warning};
pub use read::{ReadError, Recording};
pub use writer::{Budget, Writer};
