//! The on-disk types: `meta.json` ([`Meta`]) and one line of `steps.jsonl` ([`Step`]).
//!
//! Field names are camelCase JSON. Readers ignore fields they do not know, so later versions may add fields
//! without breaking older viewers; a change of meaning bumps [`VERSION`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `meta.json`'s `format`.
pub const FORMAT: &str = "computer-use-recording";
/// The format version this crate writes and reads.
pub const VERSION: u32 = 1;
/// The metadata file, written once before any step.
pub const META_FILE: &str = "meta.json";
/// The step lines.
pub const STEPS_FILE: &str = "steps.jsonl";
/// The directory of image files.
pub const IMAGES_DIR: &str = "img";

/// Who recorded what, where. Written once, before the first step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written.
    pub version: u32,
    /// When the recording started (UTC, RFC 3339 with milliseconds).
    pub started: String,
    /// The configured VM name (`default` or a key of `vms`).
    pub vm: String,
    /// The calling agent's id, when the face knows it (the OpenClaw shim sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The caller's session key, when the face knows it (the OpenClaw shim sends the agent's session key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The recording process.
    pub pid: u32,
    /// `computer-use <version>`.
    pub producer: String,
}

/// One tool call. Written when the call ends, so calls nested in a `vm_batch` come before the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// 1-based position in `steps.jsonl` (what the viewer and the replay report call "step N").
    pub step: u64,
    /// The call's id, unique in the process; nested calls name their batch's id in `parent`.
    pub call: u64,
    /// The id of the call this one ran inside (a `vm_batch`), if any. Replay re-sends only top-level calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u64>,
    /// When the call started (UTC, RFC 3339 with milliseconds).
    pub ts: String,
    /// Milliseconds from the recording's start to the call's start.
    pub t_ms: u64,
    /// The tool (`vm_click`, …).
    pub tool: String,
    /// The tool's kind: `look`, `input`, `shell`, `files`, `meta` (or empty for an unknown tool).
    #[serde(default)]
    pub kind: String,
    /// The caller's coordinate space: `image` (agents: pixels of the latest image) or `screen` (people).
    #[serde(default)]
    pub space: String,
    /// The arguments exactly as the audit log shows them (redacted by the same rules).
    pub args: Value,
    /// `ok`, or the error kind (`rejected`, `failed`, `unavailable`, `ambiguous`, `invalid_arguments`).
    pub outcome: String,
    /// The guard that refused the call (`rate`, `loop`, `exec_policy`, …), if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// Warnings the guards added to the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The failure, for a call that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// Time from the start of the call to its end, as the audit log measures it.
    pub latency_ms: u64,
    /// The result's text as the model read it (scrubbed like the audit log's messages, shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The image the model received, if the result had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// A screenshot taken after an input action (when the recording is configured to take one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<ImageRef>,
    /// Where pointer input landed, in screen pixels (the screenshot's full-resolution pixels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landed: Option<Landed>,
    /// A shell command's streams and exit status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecOutput>,
    /// The result's numeric and boolean details (frame id, sizes, counts); strings are left out, since they
    /// can be file contents or clipboard text.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

impl Step {
    /// Whether the call failed (any outcome but `ok`).
    pub fn failed(&self) -> bool {
        self.outcome != "ok"
    }

    /// The frame id of the result (its image's, or the frame a pointer action was mapped through).
    pub fn frame(&self) -> Option<u64> {
        self.details.get("frame").and_then(Value::as_u64)
    }
}

/// A warning the guards added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// `loop_warning`, `screen_warning`, `timeout_lowered`, …
    pub kind: String,
    /// The text the model read (scrubbed).
    pub text: String,
}

/// A failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// What happened (scrubbed like the audit log's `error`).
    pub message: String,
    /// What to do about it, when the cause named a fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Whether the action may have happened: `not_sent`, `failed` or `unknown`.
    pub effect: String,
}

/// An image file of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRef {
    /// Path relative to the recording directory (`img/000012.jpg`). A missing file was dropped to stay within
    /// the byte budget (or the recording was cut while writing it).
    pub file: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub mime: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the file.
    pub bytes: u64,
    /// The frame id the model may cite, for images the model received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    /// The part of the screen the image shows, `[x, y, width, height]` in screen pixels (a zoom shows a part;
    /// a screenshot all of it). Maps [`Landed`] points onto the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<[f64; 4]>,
}

impl ImageRef {
    /// Screen pixel → image pixel, through [`ImageRef::region`] (none: the image is the whole screen at its
    /// own size).
    pub fn to_image(&self, x: f64, y: f64) -> (f64, f64) {
        match self.region {
            Some([rx, ry, rw, rh]) if rw > 0.0 && rh > 0.0 => (
                (x - rx) * f64::from(self.width) / rw,
                (y - ry) * f64::from(self.height) / rh,
            ),
            _ => (x, y),
        }
    }
}

/// Where pointer input landed, in screen pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Landed {
    /// X of the (last) point.
    pub x: f64,
    /// Y of the (last) point.
    pub y: f64,
    /// A drag's whole path, first point first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<[f64; 2]>>,
}

/// What a shell command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecOutput {
    /// Exit status.
    pub return_code: i64,
    /// Standard output as the model read it (scrubbed, shortened).
    pub stdout: String,
    /// Standard error as the model read it (scrubbed, shortened).
    pub stderr: String,
}

/// Whether `v` holds a value the audit rules replaced (`{"redacted": …}`): such a call cannot be re-sent as
/// it was made.
pub fn has_redacted(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.contains_key("redacted") || map.values().any(has_redacted),
        Value::Array(items) => items.iter().any(has_redacted),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn screen_points_map_onto_zoomed_and_scaled_images() {
        let image = |region| ImageRef {
            file: "img/000001.jpg".into(),
            mime: "image/jpeg".into(),
            width: 640,
            height: 400,
            bytes: 1,
            frame: None,
            region,
        };
        assert_eq!(
            image(Some([0.0, 0.0, 1280.0, 800.0])).to_image(640.0, 400.0),
            (320.0, 200.0)
        );
        assert_eq!(
            image(Some([100.0, 100.0, 320.0, 200.0])).to_image(260.0, 200.0),
            (320.0, 200.0)
        );
        assert_eq!(image(None).to_image(5.0, 6.0), (5.0, 6.0));
    }

    #[test]
    fn redaction_markers_are_found_at_any_depth() {
        assert!(has_redacted(
            &json!({"actions": [{"args": {"text": {"redacted": "text"}}}]})
        ));
        assert!(!has_redacted(&json!({"text": "plain", "keys": ["a"]})));
    }
}
