//! `vm_file_write`: writes text or base64 content to a file, replacing it or appending.
//!
//! Content is sent in [`WRITE_PIECE_BYTES`] pieces (the first replaces the file unless `append`, the rest
//! append), at most [`MAX_WRITE_BYTES`] per call. If a piece fails, the result says how many bytes were
//! written and that the file is incomplete; nothing is resent. After a replacing write the file's size is
//! checked against what was sent.

use base64::Engine as _;
use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::files::FileRead;
use crate::tools::files::{Encoding, MAX_WRITE_BYTES, WRITE_PIECE_BYTES, about};
use crate::tools::{ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};

/// `vm_file_write {path, content, encoding?, append?}`.
pub struct FileWrite;

/// Arguments of `vm_file_write`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileWriteArgs {
    /// `~` = home; its directory must exist.
    pub path: String,
    /// Text, or base64 with `encoding: base64` (the description says it).
    #[schemars(description = "")]
    pub content: String,
    /// `text` (UTF-8) or `base64` (any bytes): the values say it.
    #[schemars(description = "")]
    #[serde(default)]
    pub encoding: Encoding,
    /// Append instead of replacing: the name says it.
    #[schemars(description = "")]
    #[serde(default)]
    pub append: bool,
}

impl TypedTool for FileWrite {
    type Args = FileWriteArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_file_write",
        title: "Write file",
        description: "Write or append to a file in the VM (text or base64); 8 MiB per call.",
        kind: ToolKind::Files,
        effect: Effect::Destructive,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[CommandName::GetFileSize, CommandName::WriteBytes],
    };

    async fn run(&self, ctx: &ToolContext, args: FileWriteArgs) -> Result<ToolOutput, ToolError> {
        let path = args.path.as_str();
        if path.trim().is_empty() {
            return Err(ToolError::invalid("vm_file_write: `path` is empty"));
        }
        let what = format!("vm_file_write `{path}`");
        let bytes = decode(args.content, args.encoding, &what)?;
        if bytes.len() > MAX_WRITE_BYTES {
            return Err(ToolError::rejected(format!(
                "{what}: {} bytes is more than the {MAX_WRITE_BYTES} one call writes; nothing was written. \
                 Write the first part, then the rest in further calls with append: true.",
                bytes.len()
            )));
        }
        let session = ctx.session()?;
        let client = session.shell();
        let total = bytes.len();
        let mut written = 0usize;
        let pieces: Vec<&[u8]> = if bytes.is_empty() {
            vec![&[]]
        } else {
            bytes.chunks(WRITE_PIECE_BYTES).collect()
        };
        for (i, piece) in pieces.iter().enumerate() {
            let append = args.append || i > 0;
            if let Err(e) = ctx
                .cancellable(&session, client.write_bytes(path, piece, append))
                .await
            {
                return Err(incomplete(about(e, &what), written, total, args.append));
            }
            written += piece.len();
        }
        let size = ctx
            .cancellable(&session, client.file_size(path))
            .await
            .map_err(|e| about(e, &what))?;
        if !args.append && size != total as u64 {
            return Err(ToolError::new(
                ToolErrorKind::Failed,
                format!(
                    "{what}: wrote {total} bytes but the file now has {size}; something else changed it. \
                     Read it back with {} to check.",
                    FileRead::SPEC.name
                ),
            ));
        }
        let verb = if args.append { "Appended" } else { "Wrote" };
        let how = if pieces.len() > 1 {
            format!(" in {} pieces", pieces.len())
        } else {
            String::new()
        };
        Ok(ToolOutput::text(format!(
            "{verb} {total} bytes to `{path}`{how}; the file has {size} bytes."
        ))
        .with("path", path)
        .with("bytes", total)
        .with("size", size)
        .with("append", args.append))
    }
}

/// The bytes to write.
fn decode(content: String, encoding: Encoding, what: &str) -> Result<Vec<u8>, ToolError> {
    match encoding {
        Encoding::Text => Ok(content.into_bytes()),
        Encoding::Base64 => {
            let compact: String = content
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            let engine = &base64::engine::general_purpose::STANDARD;
            engine
                .decode(&compact)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
                .map_err(|e| {
                    ToolError::invalid(format!(
                        "{what}: `content` is not valid base64 ({e}); nothing was written. \
                         Send standard base64, or use encoding \"text\" for text."
                    ))
                })
        }
    }
}

/// The failure after `written` of `total` bytes went out.
fn incomplete(e: ToolError, written: usize, total: usize, append: bool) -> ToolError {
    if written == 0 {
        let message = format!("{}\n  Nothing was written (not retried).", e.message);
        return ToolError { message, ..e };
    }
    let redo = if append {
        format!(
            "check its size with {}, then append the rest (from byte {written} of the content)",
            FileRead::SPEC.name
        )
    } else {
        "write the whole content again (not with append)".to_string()
    };
    let message = format!(
        "{}\n  Only {written} of {total} bytes were written before this (not retried); the file is incomplete: {redo}.",
        e.message
    );
    ToolError { message, ..e }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn base64_content_is_decoded_leniently_and_refused_when_broken() {
        let b = decode("aGVs\nbG8=".into(), Encoding::Base64, "t").unwrap();
        assert_eq!(b, b"hello");
        assert_eq!(
            decode("aGVsbG8".into(), Encoding::Base64, "t").unwrap(),
            b"hello"
        );
        let e = decode("not base64!".into(), Encoding::Base64, "t").unwrap_err();
        assert_eq!(e.kind, ToolErrorKind::InvalidArguments);
        assert_eq!(
            decode("é".into(), Encoding::Text, "t").unwrap(),
            "é".as_bytes()
        );
    }

    #[test]
    fn a_partial_write_says_the_file_is_incomplete() {
        let e = ToolError::new(ToolErrorKind::Ambiguous, "lost");
        let e = incomplete(e, 786_432, 3_145_728, false);
        assert!(e.message.contains("Only 786432 of 3145728 bytes"), "{e}");
        assert!(e.message.contains("write the whole content again"), "{e}");
    }
}
