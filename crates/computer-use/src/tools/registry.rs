//! The list of tools, sorted by name: what every face lists and calls.

use std::sync::OnceLock;

use serde_json::Value;

use crate::tools::{
    Tool, ToolContext, ToolError, ToolOutput, control, files, keyboard, pointer, screen, shell,
};

/// Every tool, sorted by name.
pub fn registry() -> &'static [&'static dyn Tool] {
    static TOOLS: OnceLock<Vec<&'static dyn Tool>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let mut all: Vec<&'static dyn Tool> = Vec::new();
        all.extend_from_slice(screen::TOOLS);
        all.extend_from_slice(pointer::TOOLS);
        all.extend_from_slice(keyboard::TOOLS);
        all.extend_from_slice(shell::TOOLS);
        all.extend_from_slice(files::TOOLS);
        all.extend_from_slice(control::TOOLS);
        all.sort_by_key(|t| t.name());
        all
    })
}

/// A tool by name.
pub fn find(name: &str) -> Option<&'static dyn Tool> {
    registry().iter().copied().find(|t| t.name() == name)
}

/// Name, description and schema of a tool, for listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ToolInfo {
    /// `vm_…`.
    pub name: &'static str,
    /// What the model reads.
    pub description: &'static str,
    /// Closed JSON Schema of the arguments.
    #[serde(rename = "inputSchema")]
    pub input_schema: Value,
}

/// Every tool's listing entry, sorted by name.
pub fn list() -> Vec<ToolInfo> {
    registry()
        .iter()
        .map(|t| ToolInfo {
            name: t.name(),
            description: t.description(),
            input_schema: t.input_schema(),
        })
        .collect()
}

/// Calls a tool by name through the guards (rate limit, loop guard, exec policy, audit: see
/// [`crate::guards`]); an unknown name is an invalid-arguments error naming the tools.
pub async fn call(ctx: &ToolContext, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    let Some(tool) = find(name) else {
        let names: Vec<&str> = registry().iter().map(|t| t.name()).collect();
        return Err(ToolError::invalid(format!(
            "unknown tool `{name}`; the tools are: {}",
            names.join(", ")
        )));
    };
    ctx.guards
        .run(ctx.vm_name(), name, args, |args| tool.call(ctx, args))
        .await
}
