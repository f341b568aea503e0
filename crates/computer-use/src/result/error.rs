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

use crate::hint::HintLine;
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
///
/// `message` says what happened (and, for most refusals, what to do in the same sentence); `hint`, when
/// set, is the separate fix an underlying error named (start the server with `--host 0.0.0.0`, start the
/// VM, …). Faces render both; `Display` gives the text a model reads: the message, then `hint: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    /// Classification.
    pub kind: ToolErrorKind,
    /// What happened.
    pub message: String,
    /// What to do about it, when the cause names a fix of its own.
    pub hint: Option<String>,
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.message, HintLine(self.hint.as_deref()))
    }
}

impl std::error::Error for ToolError {}

impl ToolError {
    /// A failure of `kind` without a separate hint.
    pub fn new(kind: ToolErrorKind, message: impl Into<String>) -> ToolError {
        ToolError {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// A malformed call.
    pub fn invalid(message: impl Into<String>) -> ToolError {
        ToolError::new(ToolErrorKind::InvalidArguments, message)
    }

    /// Refused before sending.
    pub fn rejected(message: impl Into<String>) -> ToolError {
        ToolError::new(ToolErrorKind::Rejected, message)
    }

    /// The server ran the action and reported a failure.
    pub fn failed(message: impl Into<String>) -> ToolError {
        ToolError::new(ToolErrorKind::Failed, message)
    }

    /// Sent, no answer: it may or may not have happened.
    pub fn ambiguous(message: impl Into<String>) -> ToolError {
        ToolError::new(ToolErrorKind::Ambiguous, message)
    }

    /// The same failure with `hint` as its fix.
    pub fn with_hint(mut self, hint: impl Into<String>) -> ToolError {
        self.hint = Some(hint.into());
        self
    }

    /// Hard failures make OpenClaw mark the call failed (the shim throws); soft ones are for the model to read.
    pub fn is_hard(&self) -> bool {
        matches!(
            self.kind,
            ToolErrorKind::Unavailable | ToolErrorKind::Ambiguous
        )
    }

    /// [`ToolError::outcome`] as a stable lower-case name: `not_sent`, `failed` or `unknown`.
    pub fn outcome_name(&self) -> &'static str {
        match self.outcome() {
            Outcome::NotSent => "not_sent",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
        }
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
        let mut message = e.message();
        let hint = e.hint();
        if kind == ToolErrorKind::Ambiguous
            && !message.contains("screenshot")
            && !hint.as_deref().is_some_and(|h| h.contains("screenshot"))
        {
            message.push_str("\n  The action was not repeated. Take a screenshot to see whether it happened before trying again.");
        }
        ToolError {
            kind,
            message,
            hint,
        }
    }
}
