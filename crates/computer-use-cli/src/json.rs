//! The `--json` output of the commands for people, as types: what scripts may rely on. (`status` prints the
//! core's own `StatusReport`; `tools --json` the registry's `ToolInfo` list; `doctor --json` the doctor's
//! `Report::to_json`.)

use serde::Serialize;
use serde_json::{Map, Value};

/// `computer-use screenshot --json`.
#[derive(Debug, Serialize)]
pub struct ScreenshotSaved {
    /// Where the file was written (absolute when it could be resolved).
    pub path: std::path::PathBuf,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// `png` or `jpeg`.
    pub format: &'static str,
    /// File size.
    pub bytes: usize,
}

/// `computer-use status --json` when the VM cannot be reached: which VM, what its session found, the error.
#[derive(Debug, Serialize)]
pub struct StatusFailure {
    /// Configured VM name.
    pub vm: String,
    /// `lume`, `url` or `local`.
    pub provider: &'static str,
    /// The session's health.
    pub health: computer_use::tools::control::HealthReport,
    /// What failed.
    pub error: String,
    /// What to do, when the error names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// `computer-use exec|type|key|launch|click|scroll --json`: the tool's details, as its result carries them.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ToolDetails(pub Map<String, Value>);

/// `computer-use vm list|status|up|down --json`: one VM.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VmRow {
    /// Lume's name of the VM.
    pub name: String,
    /// `running`, `stopped`, ….
    pub status: String,
    /// Its address, once it has one.
    pub ip_address: Option<String>,
}

/// `computer-use openclaw config --json` (printing): the openclaw.json text.
#[derive(Debug, Serialize)]
pub struct OpenclawSnippet {
    /// The JSON5 text.
    pub text: String,
}

/// `computer-use openclaw config --write --json`: what was merged.
#[derive(Debug, Serialize)]
pub struct OpenclawWritten<'a> {
    /// The file written.
    pub path: &'a std::path::Path,
    /// What was added or changed, one line each.
    pub changes: &'a [String],
    /// What the user should know (kept as it was, needs attention).
    pub notes: &'a [String],
}
