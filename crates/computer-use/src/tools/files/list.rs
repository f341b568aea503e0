//! `vm_file_list`: the names in a directory, sorted.
//!
//! The server returns bare names (unsorted; the client sorts them). For small directories (up to
//! [`MAX_TYPED_ENTRIES`]) each name is checked with `directory_exists` (a fraction of a millisecond each) so
//! directories can be marked with a trailing `/`; larger listings stay unmarked rather than slow.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::files::about;
use crate::tools::shell::Exec;
use crate::tools::{ToolContext, ToolError, ToolOutput, TypedTool};

/// Directories with at most this many entries get their subdirectories marked.
pub const MAX_TYPED_ENTRIES: usize = 100;

/// The most names shown in the text (all are in the details).
pub const MAX_LISTED: usize = 1000;

/// `vm_file_list {path}`.
pub struct FileList;

/// Arguments of `vm_file_list`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileListArgs {
    /// Directory path in the VM (`~` = home).
    #[schemars(description = "")]
    pub path: String,
}

impl TypedTool for FileList {
    type Args = FileListArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_file_list",
        title: "List files",
        description: "List a directory in the VM (directories end in /).",
        kind: ToolKind::Files,
        effect: Effect::ReadOnly,
        idempotent: true,
        open_world: false,
        batching: Batching::Allowed,
        commands: &[CommandName::DirectoryExists, CommandName::ListDir],
    };

    async fn run(&self, ctx: &ToolContext, args: FileListArgs) -> Result<ToolOutput, ToolError> {
        let path = args.path.as_str();
        if path.trim().is_empty() {
            return Err(ToolError::invalid("vm_file_list: `path` is empty"));
        }
        let what = format!("vm_file_list `{path}`");
        let session = ctx.session()?;
        let client = session.shell();
        let names = ctx
            .cancellable(&session, client.list_dir(path))
            .await
            .map_err(|e| about(e, &what))?;
        let mut dirs: Option<Vec<bool>> = None;
        if names.len() <= MAX_TYPED_ENTRIES {
            let mut marks = Vec::with_capacity(names.len());
            for name in &names {
                let child = join(path, name);
                marks.push(
                    ctx.cancellable(&session, client.directory_exists(&child))
                        .await?,
                );
            }
            dirs = Some(marks);
        }
        let shown: Vec<String> = names
            .iter()
            .enumerate()
            .take(MAX_LISTED)
            .map(|(i, n)| match &dirs {
                Some(d) if d.get(i).copied().unwrap_or(false) => format!("{n}/"),
                _ => n.clone(),
            })
            .collect();
        let mut text = match (names.len(), &dirs) {
            (0, _) => format!("`{path}` is empty."),
            (n, Some(_)) => format!("`{path}`: {n} entries (directories end with /):"),
            (n, None) => format!("`{path}`: {n} entries:"),
        };
        for line in &shown {
            text.push('\n');
            text.push_str(line);
        }
        if names.len() > MAX_LISTED {
            text.push_str(&format!(
                "\n… and {} more (use {} with ls/find to filter)",
                names.len() - MAX_LISTED,
                Exec::SPEC.name
            ));
        }
        let mut out = ToolOutput::text(text)
            .with("path", path)
            .with("entries", names.clone());
        if let Some(d) = dirs {
            let dir_names: Vec<&String> = names
                .iter()
                .zip(d)
                .filter_map(|(n, is_dir)| is_dir.then_some(n))
                .collect();
            out = out.with("directories", serde_json::json!(dir_names));
        }
        Ok(out)
    }
}

/// `dir/name` without doubling the separator.
fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') || dir.ends_with('\\') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn joining_does_not_double_the_separator() {
        assert_eq!(super::join("/tmp", "a"), "/tmp/a");
        assert_eq!(super::join("/", "a"), "/a");
        assert_eq!(super::join("~", "a"), "~/a");
    }
}
