//! The server's replies: the success check every reply needs, and a typed value per command.
//!
//! The real shape (not the one the Phase 8 guide's plugin, IT-HUSET/openclaw-guide `extensions/computer-use`,
//! assumed): fields sit at the **top level** next to
//! `success`; there is no `data` wrapper. A handler's own `"success": false` wins over the server's `true`, so
//! `success` is always checked and never inferred from which fields are present. Failure text is in `error`,
//! or `message` for a few handlers, or (for a timed-out `run_command`) only in `stderr`.

use base64::Engine as _;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, truncate};

/// A successful reply: the top-level fields, `success` removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    command: &'static str,
    fields: Map<String, Value>,
}

impl Reply {
    /// Parses a reply frame to `command`, turning `success:false` into [`Error::CommandFailed`].
    pub fn parse(command: &'static str, text: &str) -> Result<Reply, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| Error::Protocol {
            command,
            detail: format!("not JSON ({e}): {}", truncate(text, 200)),
        })?;
        Reply::from_value(command, value)
    }

    /// Like [`Reply::parse`] for an already decoded value.
    pub fn from_value(command: &'static str, value: Value) -> Result<Reply, Error> {
        let Value::Object(mut fields) = value else {
            return Err(Error::Protocol {
                command,
                detail: format!(
                    "expected a JSON object, got {}",
                    truncate(&value.to_string(), 200)
                ),
            });
        };
        match fields.remove("success") {
            Some(Value::Bool(true)) => Ok(Reply { command, fields }),
            Some(Value::Bool(false)) => Err(failure(command, &fields)),
            other => Err(Error::Protocol {
                command,
                detail: format!(
                    "missing or non-boolean `success` ({}); is this a cua-computer-server?",
                    other
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "absent".into())
                ),
            }),
        }
    }

    /// The command this reply answers.
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// The reply's fields (without `success`).
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// Consumes the reply into its field map.
    pub fn into_fields(self) -> Map<String, Value> {
        self.fields
    }

    /// Decodes the fields into a typed reply.
    pub fn decode<T: DeserializeOwned>(self) -> Result<T, Error> {
        let command = self.command;
        serde_json::from_value(Value::Object(self.fields)).map_err(|e| Error::Protocol {
            command,
            detail: format!("reply fields do not match the expected shape: {e}"),
        })
    }
}

/// Builds the error for a `success:false` reply: `error`, else `message`, else `stderr`.
fn failure(command: &'static str, fields: &Map<String, Value>) -> Error {
    let text = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let message = text("error")
        .or_else(|| text("message"))
        .or_else(|| text("stderr"))
        .unwrap_or_else(|| "the server reported a failure without a reason".into());
    let code = text("code").or_else(|| fields.get("status_code").map(|v| v.to_string()));
    Error::CommandFailed {
        command,
        message,
        code,
    }
}

/// `version`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Version {
    /// Protocol version (1).
    pub protocol: Value,
    /// Package version, e.g. `0.3.46`.
    pub package: String,
}

impl Version {
    /// Whether the package version is `min` or newer, compared numerically part by part (`0.3.46` ≥ `0.3.9`;
    /// unparsable parts count as 0, pre-release suffixes are ignored).
    pub fn package_at_least(&self, min: &str) -> bool {
        let parts = |s: &str| -> [u64; 3] {
            let mut out = [0; 3];
            for (slot, part) in out.iter_mut().zip(s.split(['.', '-', '+'])) {
                *slot = part
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0);
            }
            out
        };
        parts(&self.package) >= parts(min)
    }
}

/// Width and height in pixels or points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Size {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A position in the server's input space.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Point {
    /// X.
    pub x: f64,
    /// Y.
    pub y: f64,
}

/// The image format of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl ImageFormat {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
        }
    }

    /// Sniffs the format from magic bytes; the server's `format` label may be absent (VNC backend).
    pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
            Some(ImageFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else {
            None
        }
    }
}

/// A decoded `screenshot` reply: raw image bytes (base64 already decoded here, never in the tools).
#[derive(Clone, PartialEq)]
pub struct Screenshot {
    /// PNG or JPEG bytes.
    pub bytes: Vec<u8>,
    /// Sniffed from the bytes.
    pub format: ImageFormat,
}

impl std::fmt::Debug for Screenshot {
    // Never print image data, not even in debug logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screenshot")
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Screenshot {
    pub(crate) fn from_reply(reply: Reply) -> Result<Screenshot, Error> {
        let command = reply.command();
        let data = reply
            .fields()
            .get("image_data")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Protocol {
                command,
                detail: "no `image_data` in the screenshot reply".into(),
            })?;
        let data = data.strip_prefix("data:").map_or(data, |rest| {
            rest.split_once(',').map_or(rest, |(_, b64)| b64)
        });
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| Error::Protocol {
                command,
                detail: format!("`image_data` is not base64: {e}"),
            })?;
        let format = ImageFormat::sniff(&bytes).ok_or_else(|| Error::Protocol {
            command,
            detail: "`image_data` is neither PNG nor JPEG".into(),
        })?;
        Ok(Screenshot { bytes, format })
    }
}

/// `run_command`: a non-zero `return_code` is a result, not a failure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommandOutput {
    /// Standard output.
    #[serde(default)]
    pub stdout: String,
    /// Standard error.
    #[serde(default)]
    pub stderr: String,
    /// Exit status (negative when killed by a signal).
    #[serde(default)]
    pub return_code: i64,
}

#[derive(Deserialize)]
pub(crate) struct SizeReply {
    pub size: Size,
}

#[derive(Deserialize)]
pub(crate) struct PositionReply {
    pub position: Point,
}

#[derive(Deserialize)]
pub(crate) struct ContentReply {
    pub content: String,
}

#[derive(Deserialize)]
pub(crate) struct ExistsReply {
    pub exists: bool,
}

#[derive(Deserialize)]
pub(crate) struct FilesReply {
    pub files: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct BytesReply {
    pub content_b64: String,
}

#[derive(Deserialize)]
pub(crate) struct FileSizeReply {
    pub size: u64,
}

#[derive(Deserialize)]
pub(crate) struct PidReply {
    pub pid: Option<i64>,
}

#[derive(Deserialize)]
pub(crate) struct WindowIdReply {
    pub window_id: i64,
}

#[derive(Deserialize)]
pub(crate) struct WindowsReply {
    pub windows: Vec<i64>,
}

#[derive(Deserialize)]
pub(crate) struct NameReply {
    pub name: String,
}

#[derive(Deserialize)]
pub(crate) struct XyReply {
    pub x: i64,
    pub y: i64,
}

#[derive(Deserialize)]
pub(crate) struct EnvironmentReply {
    pub environment: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_versions_compare_numerically() {
        let v = |package: &str| Version {
            protocol: Value::from(1),
            package: package.to_owned(),
        };
        assert!(v("0.3.46").package_at_least("0.3.0"));
        assert!(v("0.3.46").package_at_least("0.3.46"));
        assert!(v("0.10.0").package_at_least("0.3.46"));
        assert!(v("1.0.0rc1").package_at_least("0.3.46"));
        assert!(!v("0.3.9").package_at_least("0.3.46"));
        assert!(!v("0.1.25").package_at_least("0.3.0"));
    }

    #[test]
    fn fields_are_top_level() {
        let r = Reply::parse(
            "version",
            r#"{"success":true,"protocol":1,"package":"0.3.46"}"#,
        );
        let v: Version = r.and_then(Reply::decode).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.package, "0.3.46");
    }

    #[test]
    fn failure_text_from_error_message_or_stderr() {
        let e = Reply::parse(
            "press_key",
            r#"{"success":false,"error":"Unknown key: return"}"#,
        );
        assert!(
            matches!(e, Err(Error::CommandFailed { ref message, .. }) if message == "Unknown key: return")
        );
        let e = Reply::parse(
            "find_element",
            r#"{"success":false,"message":"Element search not supported on Linux"}"#,
        );
        assert!(
            matches!(e, Err(Error::CommandFailed { ref message, .. }) if message.contains("not supported"))
        );
        let e = Reply::parse(
            "run_command",
            r#"{"success":false,"stdout":"","stderr":"Command timed out after 1s","return_code":-1}"#,
        );
        assert!(
            matches!(e, Err(Error::CommandFailed { ref message, .. }) if message.contains("timed out"))
        );
        let e = Reply::parse(
            "version",
            r#"{"success":false,"error":"x","code":"unsupported_in_vnc"}"#,
        );
        assert!(
            matches!(e, Err(Error::CommandFailed { code: Some(ref c), .. }) if c == "unsupported_in_vnc")
        );
    }

    #[test]
    fn handler_false_wins_and_missing_success_is_protocol_error() {
        assert!(Reply::parse("x", r#"{"success":false}"#).is_err());
        assert!(matches!(
            Reply::parse("x", r#"{"data":{}}"#),
            Err(Error::Protocol { .. })
        ));
        assert!(matches!(
            Reply::parse("x", "[1]"),
            Err(Error::Protocol { .. })
        ));
        assert!(matches!(
            Reply::parse("x", "{trunc"),
            Err(Error::Protocol { .. })
        ));
    }

    #[test]
    fn nonzero_exit_is_a_result() {
        let out: CommandOutput = Reply::parse(
            "run_command",
            r#"{"success":true,"stdout":"hi\n","stderr":"err\n","return_code":3}"#,
        )
        .and_then(Reply::decode)
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.return_code, 3);
        assert_eq!(out.stderr, "err\n");
    }

    #[test]
    fn screenshot_sniffs_and_rejects_garbage() {
        let png = base64::engine::general_purpose::STANDARD.encode([0x89, b'P', b'N', b'G', 0, 0]);
        let r = Reply::parse(
            "screenshot",
            &format!(r#"{{"success":true,"image_data":"{png}"}}"#),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let s = Screenshot::from_reply(r).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.format, ImageFormat::Png);
        assert!(!format!("{s:?}").contains("137"));
        let r = Reply::parse("screenshot", r#"{"success":true,"image_data":"aGVsbG8="}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(Screenshot::from_reply(r).is_err());
    }
}
