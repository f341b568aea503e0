//! The `vm_*` tools: one registry, the single source of truth for every face.
//!
//! Each tool is a unit struct implementing [`TypedTool`]: a name, a description (tokens cost money, so they
//! are short), a closed argument type (`#[serde(deny_unknown_fields)]`) whose JSON Schema is generated from
//! it, and an async `run`. Faces never restate a tool: MCP lists [`registry`] and calls [`call`], the CLI's
//! `tools --json` prints the same list, and the OpenClaw shim registers what the binary reports.
//!
//! Results are text and images plus structured `details`; failures are a [`ToolError`] whose kind tells a
//! face whether the model should read it (soft) or the call failed (hard), and whether the action may have
//! happened (never replay: say so and let the agent re-observe).

mod context;
mod error;
mod output;
mod registry;

pub mod control;
pub mod files;
pub mod keyboard;
pub mod pointer;
pub mod screen;
pub mod shell;

pub use context::ToolContext;
pub use error::{ToolError, ToolErrorKind};
pub use output::{Content, ToolOutput};
pub use registry::{ToolInfo, call, find, list, registry};

use std::future::Future;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A boxed tool future.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolError>> + Send + 'a>>;

/// A tool as the registry sees it (object safe).
pub trait Tool: Send + Sync + 'static {
    /// `vm_…`.
    fn name(&self) -> &'static str;
    /// What the model reads.
    fn description(&self) -> &'static str;
    /// The closed JSON Schema of the arguments.
    fn input_schema(&self) -> Value;
    /// Parses `args` and runs.
    fn call<'a>(&'a self, ctx: &'a ToolContext, args: Value) -> ToolFuture<'a>;
}

/// The convenient way to write a tool: typed arguments, schema derived from them.
pub trait TypedTool: Send + Sync + 'static {
    /// Argument type; must be `#[serde(deny_unknown_fields)]`.
    type Args: DeserializeOwned + JsonSchema + Send;
    /// `vm_…`.
    const NAME: &'static str;
    /// What the model reads.
    const DESCRIPTION: &'static str;
    /// Runs with parsed arguments.
    fn run(
        &self,
        ctx: &ToolContext,
        args: Self::Args,
    ) -> impl Future<Output = Result<ToolOutput, ToolError>> + Send;
}

impl<T: TypedTool> Tool for T {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn description(&self) -> &'static str {
        T::DESCRIPTION
    }

    fn input_schema(&self) -> Value {
        crate::config::generate_schema::<T::Args>()
    }

    fn call<'a>(&'a self, ctx: &'a ToolContext, args: Value) -> ToolFuture<'a> {
        Box::pin(async move {
            let args = parse_args::<T::Args>(T::NAME, args)?;
            self.run(ctx, args).await
        })
    }
}

/// Parses arguments; `null` means `{}`. Errors name the tool, the field and what was expected.
pub fn parse_args<A: DeserializeOwned>(tool: &str, args: Value) -> Result<A, ToolError> {
    let args = if args.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        args
    };
    if !args.is_object() {
        return Err(ToolError::invalid(format!(
            "{tool}: arguments must be a JSON object, got {}",
            kind_of(&args)
        )));
    }
    serde_json::from_value(args)
        .map_err(|e| ToolError::invalid(format!("{tool}: invalid arguments: {e}")))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
