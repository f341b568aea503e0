//! What one tool call returns: content for the model with structured details, or a classified error.
//!
//! Kept apart from [`crate::tools`] so the guards can read and amend results without depending on the
//! tools themselves (data flows one way: tools → guards → sessions).

mod error;
mod output;

pub use error::{ToolError, ToolErrorKind};
pub use output::{Content, ToolOutput};

/// Whether a failed action may have taken effect (not sent / failed / unknown), as the wire client decides.
pub use cua_protocol::Outcome;
