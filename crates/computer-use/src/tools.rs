//! The `vm_*` tools: one registry, the single source of truth for every face.
//!
//! Each tool is a unit struct implementing [`TypedTool`]: a [`ToolSpec`] (name, description and every other
//! fact about it), a closed argument type (`#[serde(deny_unknown_fields)]`) whose JSON Schema is generated
//! from it, and an async `run`. Faces never restate a tool: MCP lists [`registry`] and calls [`call`], the
//! CLI's `tools --json` prints the same list, and the OpenClaw shim registers what the binary reports.
//!
//! Every call takes one path, [`call`]: find the tool, parse its typed arguments, pass the guards on them
//! (see [`crate::guards`]), run, finish (warnings, audit). `vm_batch` runs its actions through the same
//! path, so each action is guarded like a call of its own.
//!
//! Results are text and images plus structured `details`; failures are a [`ToolError`] whose kind tells a
//! face whether the model should read it (soft) or the call failed (hard), and whether the action may have
//! happened (never replay: say so and let the agent re-observe).
//!
//! # Adding a tool
//! See ARCHITECTURE.md ("Adding a tool"): one file with the argument type, the [`ToolSpec`] and `run`, and one
//! line in [`registry`].

mod args;
mod call;
pub mod capture;
mod classify;
mod context;
pub mod record;
mod registry;
mod schema;

pub mod control;
pub mod files;
pub mod keyboard;
pub mod pointer;
pub mod screen;
pub mod shell;

pub use crate::result::{Content, Outcome, ToolError, ToolErrorKind, ToolOutput};
pub use crate::spec::{Annotations, Batching, Effect, ToolKind, ToolSpec};
pub use args::parse_args;
pub use call::call;
pub use capture::{Captured, capture};
pub use classify::{HostApproval, classify};
pub use context::{Space, ToolContext};
pub use registry::{
    SEED_TOOLS, ToolInfo, find, in_toolset, list, list_allowed, list_for, registry,
};

use std::future::Future;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::guards::approval::ApprovalRequest;
use crate::spec::ExecRequest;

/// A boxed tool future.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolError>> + Send + 'a>>;

/// A tool as the registry sees it (object safe). Implemented for every [`TypedTool`]; call tools through
/// [`call`], which adds nothing a tool could skip.
pub trait Tool: Send + Sync + 'static {
    /// Every fact about the tool.
    fn spec(&self) -> &'static ToolSpec;
    /// The closed JSON Schema of the arguments.
    fn input_schema(&self) -> Value;
    /// Parses `args`, passes the guards and runs (see [`call`]).
    fn call<'a>(&'a self, ctx: &'a ToolContext, args: Value) -> ToolFuture<'a>;
    /// What a person must approve before [`Tool::call`] with `args` may run (see [`classify`]): nothing for a
    /// call the guards refuse anyway or that needs no approval. Sends nothing, spends no budget.
    fn approvals(&self, ctx: &ToolContext, args: Value) -> Vec<ApprovalRequest>;
}

/// The way to write a tool: typed arguments, schema derived from them, facts in [`TypedTool::SPEC`].
pub trait TypedTool: Send + Sync + 'static {
    /// Argument type; must be `#[serde(deny_unknown_fields)]`. Serialised back to JSON for the loop guard
    /// and the audit log, so they see the arguments as the tool does (defaults filled in).
    type Args: DeserializeOwned + Serialize + JsonSchema + Send + Sync;
    /// Every fact about the tool.
    const SPEC: &'static ToolSpec;

    /// The command the exec policy must judge, borrowed from the typed arguments (so what is judged is what
    /// runs). `None` (the default) for tools that run no program.
    fn exec_request(_args: &mut Self::Args) -> Option<ExecRequest<'_>> {
        None
    }

    /// The calls this tool will make through [`call`] with these arguments (tool name, arguments), so a host
    /// that asks for approval ahead of the call ([`classify`]) asks about them too. Empty (the default) for
    /// every tool but `vm_batch`.
    fn nested_calls(_args: &Self::Args) -> Vec<(String, Value)> {
        Vec::new()
    }

    /// Runs with parsed arguments that passed the guards.
    fn run(
        &self,
        ctx: &ToolContext,
        args: Self::Args,
    ) -> impl Future<Output = Result<ToolOutput, ToolError>> + Send;
}

impl<T: TypedTool> Tool for T {
    fn spec(&self) -> &'static ToolSpec {
        T::SPEC
    }

    fn input_schema(&self) -> Value {
        schema::tool_schema::<T::Args>()
    }

    fn call<'a>(&'a self, ctx: &'a ToolContext, args: Value) -> ToolFuture<'a> {
        Box::pin(call::guarded(self, ctx, args))
    }

    fn approvals(&self, ctx: &ToolContext, args: Value) -> Vec<ApprovalRequest> {
        call::approvals::<T>(ctx, args)
    }
}
