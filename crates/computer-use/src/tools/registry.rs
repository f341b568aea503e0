//! The list of tools, sorted by name: what every face lists and calls. Adding a tool is one line here.
//! The configuration's `toolset` narrows what agents see and call (`seed`: the Phase 8 guide's seven).

use std::sync::OnceLock;

use serde_json::Value;

use crate::config::Toolset;
use crate::spec::Annotations;
use crate::tools::{Tool, TypedTool, control, files, keyboard, pointer, screen, shell};

/// The Phase 8 guide's seven tools, with the guide's names and parameters: toolset `seed`.
pub const SEED_TOOLS: [&str; 7] = [
    screen::Screenshot::SPEC.name,
    shell::Exec::SPEC.name,
    pointer::Click::SPEC.name,
    keyboard::Type::SPEC.name,
    keyboard::Key::SPEC.name,
    shell::Launch::SPEC.name,
    pointer::Scroll::SPEC.name,
];

/// Whether `toolset` has the tool `name`.
pub fn in_toolset(toolset: Toolset, name: &str) -> bool {
    match toolset {
        Toolset::Full => true,
        Toolset::Seed => SEED_TOOLS.contains(&name),
    }
}

/// Every tool, sorted by name.
pub fn registry() -> &'static [&'static dyn Tool] {
    static TOOLS: OnceLock<Vec<&'static dyn Tool>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let mut all: Vec<&'static dyn Tool> = vec![
            &screen::Screenshot,
            &screen::Zoom,
            &pointer::Click,
            &pointer::Move,
            &pointer::Drag,
            &pointer::Mouse,
            &pointer::Cursor,
            &pointer::Scroll,
            &keyboard::Type,
            &keyboard::Key,
            &keyboard::Clipboard,
            &shell::Exec,
            &shell::Launch,
            &files::FileRead,
            &files::FileWrite,
            &files::FileList,
            &control::Status,
            &control::Wait,
            &control::Batch,
        ];
        all.sort_by_key(|t| t.spec().name);
        all
    })
}

/// A tool by name.
pub fn find(name: &str) -> Option<&'static dyn Tool> {
    registry().iter().copied().find(|t| t.spec().name == name)
}

/// What `tools/list` shows of a tool: name, description, schema and annotations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ToolInfo {
    /// `vm_…`.
    pub name: &'static str,
    /// What the model reads.
    pub description: &'static str,
    /// Closed JSON Schema of the arguments.
    #[serde(rename = "inputSchema")]
    pub input_schema: Value,
    /// MCP annotations (read-only, destructive, idempotent, open world), from the tool's spec.
    pub annotations: Annotations,
}

/// Every tool's listing entry, sorted by name.
pub fn list() -> Vec<ToolInfo> {
    list_for(Toolset::Full)
}

/// The listing entries of `toolset`'s tools, sorted by name.
pub fn list_for(toolset: Toolset) -> Vec<ToolInfo> {
    registry()
        .iter()
        .filter(|t| in_toolset(toolset, t.spec().name))
        .map(|t| ToolInfo {
            name: t.spec().name,
            description: t.spec().description,
            input_schema: t.input_schema(),
            annotations: t.spec().annotations(),
        })
        .collect()
}

/// The listing entries of `toolset`'s tools that exist for the agent on VM `vm` under `guards`' tool policy
/// (what MCP's `tools/list`, `computer-use tools` and the OpenClaw plugin show).
pub fn list_allowed(guards: &crate::guards::Guards, vm: &str, toolset: Toolset) -> Vec<ToolInfo> {
    list_for(toolset)
        .into_iter()
        .filter(|t| guards.tool_allowed(vm, t.name))
        .collect()
}
