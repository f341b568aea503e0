//! Human approval: `guards.approval` names the calls a person must approve (tools, shell commands outside the
//! allowlist or all of them, key combinations, file writes). The core classifies each call after the exec
//! policy and before the loop guard and rate limit, and before anything is sent; a call that needs approval is
//! put to the [`Approver`] the face provides on the [`crate::tools::ToolContext`] (the MCP face asks its client
//! with `elicitation/create`). Approved: the call goes on. Declined, cancelled, no answer within `timeoutSecs`,
//! or no approver at all: refused, nothing sent (fail closed).
//!
//! The prompt shows the tool, the VM and the arguments with secrets scrubbed (the audit log's scrubber), because
//! approval prompts are shown in chat surfaces and logs, and with every character outside printable ASCII
//! written as `\u{…}`, so a look-alike or an invisible character cannot hide what the person approves.
//!
//! A face whose host asks the person itself (the OpenClaw plugin) gets the classification ahead of the call
//! ([`crate::tools::classify`]) with a one-time token, and comes back with it once the person allowed the call:
//! see [`grants`].

pub mod grants;

use std::fmt::{self, Write as _};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::config::{ApprovalConfig, ApprovalExec};
use crate::spec::{ToolKind, ToolSpec};

/// What a person is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRequest {
    /// The tool.
    pub tool: &'static str,
    /// The VM it would act on.
    pub vm: String,
    /// A short title (printable ASCII, ≤ 80 characters).
    pub title: String,
    /// Why it needs approval: which part of `guards.approval` names it.
    pub reasons: Vec<String>,
    /// What the call would do and why it needs approval (secrets scrubbed, printable ASCII, ≤ 500 characters).
    pub description: String,
    /// Exactly which call: the VM, the tool and its typed arguments.
    pub digest: CallDigest,
}

/// A SHA-256 of one call as the core will make it: the VM, the tool and its typed arguments (after parsing and
/// the exec policy, so defaults and a lowered timeout are part of it). What a one-time approval is bound to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallDigest(pub(crate) [u8; 32]);

impl CallDigest {
    /// The digest of `tool` called with the typed arguments `args` on VM `vm`.
    pub fn of(vm: &str, tool: &str, args: &Value) -> CallDigest {
        let mut hash = Sha256::new();
        // Length-prefixed, so no two different calls hash the same bytes.
        for part in [vm, tool, args.to_string().as_str()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        CallDigest(hash.finalize().into())
    }
}

impl fmt::Debug for CallDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallDigest(")?;
        for b in &self.0[..6] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// The person's answer, as the face got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalDecision {
    /// Go ahead.
    Approved,
    /// Declined or cancelled (the text says which, for the refusal).
    Declined(String),
    /// Nobody could be asked: the text says why and how to make asking possible.
    Unavailable(String),
    /// The approval that came with the call does not hold (a one-time token used, expired, forged or for
    /// another call): the text says which.
    Invalid(String),
}

/// The future an approver returns.
pub type ApprovalFuture<'a> = Pin<Box<dyn Future<Output = ApprovalDecision> + Send + 'a>>;

/// How a face asks a person. The core bounds the wait with `guards.approval.timeoutSecs`.
pub trait Approver: Send + Sync + fmt::Debug {
    /// Asks about one call.
    fn approve<'a>(&'a self, request: &'a ApprovalRequest) -> ApprovalFuture<'a>;
}

/// The compiled `guards.approval`.
#[derive(Debug)]
pub(crate) struct ApprovalPolicy {
    tools: Vec<String>,
    tool_set: GlobSet,
    keys: Vec<String>,
    key_set: GlobSet,
    exec: ApprovalExec,
    file_writes: bool,
    timeout: Duration,
}

fn compile(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        // Validation refuses globs that do not compile; one that slipped through matches everything (fail closed).
        let glob = GlobBuilder::new(g)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
            .or_else(|_| GlobBuilder::new("*").build());
        if let Ok(glob) = glob {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

impl ApprovalPolicy {
    pub(crate) fn new(config: &ApprovalConfig) -> ApprovalPolicy {
        ApprovalPolicy {
            tools: config.tools().to_vec(),
            tool_set: compile(config.tools()),
            keys: config.keys().to_vec(),
            key_set: compile(config.keys()),
            exec: config.exec(),
            file_writes: config.file_writes(),
            timeout: config.timeout(),
        }
    }

    /// Whether refused commands go to a person.
    pub(crate) fn asks_outside_allowlist(&self) -> bool {
        self.exec == ApprovalExec::OutsideAllowlist
    }

    /// How long to wait for the answer.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Why the call of `spec` with typed arguments `args` needs approval, if it does.
    pub(crate) fn reasons(&self, spec: &ToolSpec, args: &Value) -> Vec<String> {
        let mut why = Vec::new();
        if let Some(i) = self.tool_set.matches(spec.name).into_iter().min() {
            why.push(format!(
                "guards.approval.tools[{i}] `{}` names it",
                self.tools.get(i).map(String::as_str).unwrap_or_default()
            ));
        }
        if self.exec == ApprovalExec::Always && spec.kind == ToolKind::Shell {
            why.push("guards.approval.exec is \"always\"".to_owned());
        }
        if self.file_writes && spec.kind == ToolKind::Files && spec.changes_vm() {
            why.push("guards.approval.fileWrites is on".to_owned());
        }
        if spec.kind == ToolKind::Input
            && let Some(keys) = args.get("keys").and_then(Value::as_str)
        {
            let combos = std::iter::once(keys.to_lowercase())
                .chain(keys.split_whitespace().map(str::to_lowercase));
            if let Some(i) = combos
                .filter_map(|c| self.key_set.matches(&c).into_iter().min())
                .min()
            {
                why.push(format!(
                    "guards.approval.keys[{i}] `{}` matches `{keys}`",
                    self.keys.get(i).map(String::as_str).unwrap_or_default()
                ));
            }
        }
        why
    }
}

/// `text` with every character outside printable ASCII written as `\u{hex}`: what a person approves is shown as
/// it is (no look-alikes, no invisible or bidirectional characters), and no approval surface widens it.
pub(crate) fn display_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    out
}

/// `text` cut to `max` characters.
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
