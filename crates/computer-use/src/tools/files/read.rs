//! `vm_file_read`: reads a file (or a byte range of it) as UTF-8 text or base64.
//!
//! The size is asked first (a missing file fails there, naming the path), then the range is fetched in
//! [`READ_PIECE_BYTES`] pieces, at most [`MAX_READ_BYTES`] per call. The result's first block is exactly the
//! content; a second block says which bytes it holds and, if more remain, the `offset` to continue from. In
//! text mode a range that ends inside a multi-byte character stops before it (the next offset starts there),
//! and content that is not UTF-8 fails with the advice to use base64.

use base64::Engine as _;
use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::files::{Encoding, MAX_READ_BYTES, READ_PIECE_BYTES, about};
use crate::tools::{Content, ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};

/// `vm_file_read {path, offset?, length?, encoding?}`.
pub struct FileRead;

/// Arguments of `vm_file_read`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileReadArgs {
    /// File path in the VM (`~` = home).
    #[schemars(description = "")]
    pub path: String,
    /// Byte offset to start at (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub offset: u64,
    /// Bytes to read; default: to the end (at most 8 MiB per call).
    #[schemars(description = "")]
    #[serde(default)]
    pub length: Option<u64>,
    /// `text` (UTF-8) or `base64` (any bytes): the values say it.
    #[schemars(description = "")]
    #[serde(default)]
    pub encoding: Encoding,
}

impl TypedTool for FileRead {
    type Args = FileReadArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_file_read",
        title: "Read file",
        description: "Read a file in the VM (text or base64) from offset, 8 MiB per call.",
        kind: ToolKind::Files,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[CommandName::GetFileSize, CommandName::ReadBytes],
    };

    async fn run(&self, ctx: &ToolContext, args: FileReadArgs) -> Result<ToolOutput, ToolError> {
        let path = args.path.as_str();
        if path.trim().is_empty() {
            return Err(ToolError::invalid("vm_file_read: `path` is empty"));
        }
        let what = format!("vm_file_read `{path}`");
        let session = ctx.session()?;
        let client = session.shell();
        let size = ctx
            .cancellable(&session, client.file_size(path))
            .await
            .map_err(|e| about(e, &what))?;
        if args.offset > size {
            return Err(ToolError::rejected(format!(
                "{what}: offset {} is past the end of the file ({size} bytes)",
                args.offset
            )));
        }
        let available = size - args.offset;
        let wanted = args.length.unwrap_or(available).min(available);
        let capped = wanted > MAX_READ_BYTES;
        let wanted = wanted.min(MAX_READ_BYTES);

        let mut bytes: Vec<u8> = Vec::with_capacity(usize::try_from(wanted).unwrap_or(0));
        while (bytes.len() as u64) < wanted {
            let at = args.offset + bytes.len() as u64;
            let ask = (wanted - bytes.len() as u64).min(READ_PIECE_BYTES);
            let piece = ctx
                .cancellable(&session, client.read_bytes(path, at, Some(ask)))
                .await
                .map_err(|e| about(e, &what))?;
            let short = (piece.len() as u64) < ask;
            bytes.extend_from_slice(&piece);
            if short {
                break; // the file shrank while we read it
            }
        }
        let range_end_is_eof = args.offset + bytes.len() as u64 >= size;

        let (data, read) = match args.encoding {
            Encoding::Base64 => (
                base64::engine::general_purpose::STANDARD.encode(&bytes),
                bytes.len() as u64,
            ),
            Encoding::Text => {
                let text = utf8(bytes, args.offset, range_end_is_eof, &what)?;
                let n = text.len() as u64;
                (text, n)
            }
        };
        let next = args.offset + read;
        let end = next >= size;
        let mut summary = format!(
            "`{path}`: bytes {}–{next} of {size} ({read} bytes, {}).",
            args.offset,
            args.encoding.as_str()
        );
        if !end {
            let why = if capped {
                format!(" (a call returns at most {MAX_READ_BYTES} bytes)")
            } else {
                String::new()
            };
            summary.push_str(&format!(
                " {} bytes remain{why}: call again with offset {next}.",
                size - next
            ));
        }
        Ok(ToolOutput {
            content: vec![Content::Text(data), Content::Text(summary)],
            details: Default::default(),
        }
        .with("path", path)
        .with("encoding", args.encoding.as_str())
        .with("offset", args.offset)
        .with("bytes", read)
        .with("size", size)
        .with("nextOffset", next)
        .with("eof", end))
    }
}

/// The bytes as text. A character cut off by the end of a range that is not the end of the file is left for
/// the next read (the text is shorter than the bytes); anything else that is not UTF-8 is an error.
fn utf8(mut bytes: Vec<u8>, offset: u64, at_eof: bool, what: &str) -> Result<String, ToolError> {
    if let Err(e) = std::str::from_utf8(&bytes) {
        if e.error_len().is_none() && !at_eof {
            bytes.truncate(e.valid_up_to());
        } else {
            let at = offset + e.valid_up_to() as u64;
            let why = if e.valid_up_to() == 0 && offset > 0 {
                " (if the offset is inside a multi-byte character, use the nextOffset of the previous read)"
            } else {
                ""
            };
            return Err(ToolError::new(
                ToolErrorKind::Failed,
                format!(
                    "{what}: the content is not UTF-8 text (invalid byte at offset {at}){why}; \
                     read it with encoding \"base64\""
                ),
            ));
        }
    }
    String::from_utf8(bytes).map_err(|e| ToolError::rejected(format!("{what}: not UTF-8: {e}")))
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_character_cut_by_the_range_end_is_left_for_the_next_read() {
        let cut = "ab✓".as_bytes()[..4].to_vec(); // `ab` + 2 of ✓'s 3 bytes
        assert_eq!(utf8(cut.clone(), 0, false, "t").unwrap(), "ab");
        assert!(utf8(cut, 0, true, "t").is_err());
        let e = utf8(vec![b'a', 0xff, b'b'], 10, false, "t").unwrap_err();
        assert!(
            e.message.contains("offset 11") && e.message.contains("base64"),
            "{e}"
        );
    }
}
