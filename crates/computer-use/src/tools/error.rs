//! Tool failures, classified for the faces.
//!
//! - `InvalidArguments`: the call itself is malformed (MCP: a protocol error `invalid_params`).
//! - `Rejected`: refused before anything was sent (unknown key, point off-screen, stale frame, policy): the
//!   model should read it and adjust. Soft.
//! - `Failed`: the server ran the action and reported a failure (file not found, window gone). Soft.
//! - `Unavailable`: the VM or its server cannot be reached (nothing was sent). Hard.
//! - `Ambiguous`: the action was sent but no reply came (timeout, connection lost, cancelled): it may or may
//!   not have happened. Hard; the text tells the agent to observe before retrying. Never replayed.

use cua_protocol::Outcome;

use crate::vm::VmError;

/// How a tool failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolErrorKind {
    /// Malformed call (wrong types, unknown fields, missing required fields).
    InvalidArguments,
    /// Refused before sending.
    Rejected,
    /// The server reported a failure.
    Failed,
    /// The VM or server is unreachable; nothing was sent.
    Unavailable,
    /// Sent, outcome unknown.
    Ambiguous,
}

impl ToolErrorKind {
    /// Stable lower-case name for structured output.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolErrorKind::InvalidArguments => "invalid_arguments",
            ToolErrorKind::Rejected => "rejected",
            ToolErrorKind::Failed => "failed",
            ToolErrorKind::Unavailable => "unavailable",
            ToolErrorKind::Ambiguous => "ambiguous",
        }
    }
}

/// A tool failure with an actionable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    /// Classification.
    pub kind: ToolErrorKind,
    /// What happened and what to do.
    pub message: String,
}

impl ToolError {
    /// A malformed call.
    pub fn invalid(message: impl Into<String>) -> ToolError {
        ToolError {
            kind: ToolErrorKind::InvalidArguments,
            message: message.into(),
        }
    }

    /// Refused before sending.
    pub fn rejected(message: impl Into<String>) -> ToolError {
        ToolError {
            kind: ToolErrorKind::Rejected,
            message: message.into(),
        }
    }

    /// Hard failures make OpenClaw mark the call failed (the shim throws); soft ones are for the model to read.
    pub fn is_hard(&self) -> bool {
        matches!(
            self.kind,
            ToolErrorKind::Unavailable | ToolErrorKind::Ambiguous
        )
    }

    /// Whether the action may have taken effect.
    pub fn outcome(&self) -> Outcome {
        match self.kind {
            ToolErrorKind::Ambiguous => Outcome::Unknown,
            ToolErrorKind::Failed => Outcome::Failed,
            _ => Outcome::NotSent,
        }
    }
}

impl From<VmError> for ToolError {
    fn from(e: VmError) -> ToolError {
        let kind = match &e {
            VmError::Protocol(p) => match p.outcome() {
                Outcome::Unknown => ToolErrorKind::Ambiguous,
                Outcome::Failed => ToolErrorKind::Failed,
                Outcome::NotSent if matches!(p, cua_protocol::Error::InvalidArgument { .. }) => {
                    ToolErrorKind::Rejected
                }
                Outcome::NotSent => ToolErrorKind::Unavailable,
            },
            VmError::Config(_) => ToolErrorKind::Rejected,
            _ => ToolErrorKind::Unavailable,
        };
        let mut message = e.to_string();
        if kind == ToolErrorKind::Ambiguous && !message.contains("screenshot") {
            message.push_str("\n  The action was not repeated. Take a screenshot to see whether it happened before trying again.");
        }
        ToolError { kind, message }
    }
}
