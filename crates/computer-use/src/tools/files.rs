//! Files in the VM: `vm_file_read`, `vm_file_write` and `vm_file_list`, on the shell lane.
//!
//! Transfers are chunked so no WebSocket frame comes near the server's 16 MiB limit: reads ask for
//! [`READ_PIECE_BYTES`] per `read_bytes`, writes send [`WRITE_PIECE_BYTES`] per `write_bytes` (first piece
//! replaces unless appending, the rest append). One call moves at most [`MAX_READ_BYTES`] /
//! [`MAX_WRITE_BYTES`]; the results say how to get or put the rest (`offset`, `append`).

mod list;
mod read;
mod write;

pub use list::{FileList, FileListArgs, MAX_LISTED, MAX_TYPED_ENTRIES};
pub use read::{FileRead, FileReadArgs};
pub use write::{FileWrite, FileWriteArgs};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tools::{ToolError, TypedTool};

/// Bytes per `read_bytes` request (its reply is ~1.4 MB of base64).
pub const READ_PIECE_BYTES: u64 = 1 << 20;

/// Bytes per `write_bytes` request: 768 KiB is 1 MiB of base64 in the frame.
pub const WRITE_PIECE_BYTES: usize = 768 << 10;

/// The most bytes one `vm_file_read` returns.
pub const MAX_READ_BYTES: u64 = 8 << 20;

/// The most bytes one `vm_file_write` writes.
pub const MAX_WRITE_BYTES: usize = 8 << 20;

/// How file content is carried in arguments and results.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")] // the values name the choices; not sent with every tool list
pub enum Encoding {
    /// UTF-8 text.
    #[default]
    Text,
    /// Base64 of any bytes.
    Base64,
}

impl Encoding {
    /// `text` or `base64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Text => "text",
            Encoding::Base64 => "base64",
        }
    }
}

/// Puts `what` (the tool and the path) in front of a failure, with a hint for a missing path.
pub(crate) fn about(e: ToolError, what: &str) -> ToolError {
    let list = FileList::SPEC.name;
    let hint = if e.message.contains("No such file or directory") {
        Some(format!(
            "check the path with {list} on its directory; paths are inside the VM and `~` is the server user's home"
        ))
    } else if e.message.contains("Is a directory") {
        Some(format!("that is a directory; list it with {list}"))
    } else {
        None
    };
    ToolError {
        message: format!("{what}: {}", e.message),
        hint: hint.or(e.hint),
        kind: e.kind,
    }
}
