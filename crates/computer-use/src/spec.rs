//! What the core knows about a tool besides its code: the one home of every tool fact.
//!
//! Each tool declares a [`ToolSpec`] next to its implementation: its name and description, what kind of tool
//! it is, whether and how it changes the VM, whether it may run inside `vm_batch`, and which server commands
//! it may send. Everything else reads these facts instead of keeping its own list of tool names: the guards
//! (which budget a call spends, which calls the loop guard counts), `vm_batch` (what it refuses), `vm_status`
//! (which tools a server without some command cannot serve), and the faces (the MCP annotations in
//! `tools/list`, the OpenClaw manifest's `contracts.tools`).
//!
//! What the exec policy judges is also declared by the tool, from its *typed* arguments: see
//! [`ExecRequest`].

use cua_protocol::CommandName;
use serde::Serialize;

/// What a tool is for; decides which guard rules apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    /// Looks at the screen (screenshot, zoom, pointer position): spends the screenshot budget, is not
    /// counted as a repeated action (identical screens are watched instead).
    Look,
    /// Drives the desktop: pointer, keyboard, clipboard.
    Input,
    /// Runs programs in the VM: judged by the exec policy.
    Shell,
    /// Reads or writes files in the VM.
    Files,
    /// Steers the other tools: status, waiting, batches.
    Meta,
}

impl ToolKind {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolKind::Look => "look",
            ToolKind::Input => "input",
            ToolKind::Shell => "shell",
            ToolKind::Files => "files",
            ToolKind::Meta => "meta",
        }
    }
}

/// What a tool may do to the VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Changes nothing in the VM.
    ReadOnly,
    /// Changes the VM only by adding to it (moving the pointer, starting a program, scrolling).
    Additive,
    /// May change or destroy what is there (a click on "Delete", typed text, a shell command, a file write).
    Destructive,
}

/// Whether a tool may be one of `vm_batch`'s actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// Allowed.
    Allowed,
    /// Refused, with the sentence the agent reads (why, and what to do instead).
    Refused(&'static str),
}

/// Every fact about one tool that is not its code.
#[derive(Debug, Clone, Copy)]
pub struct ToolSpec {
    /// `vm_…`: the name every face lists and calls.
    pub name: &'static str,
    /// A short human title (MCP's `annotations.title`).
    pub title: &'static str,
    /// What the model reads: what the tool does and what it needs, said once and briefly (it is sent with
    /// every model call).
    pub description: &'static str,
    /// What kind of tool it is.
    pub kind: ToolKind,
    /// What it may do to the VM.
    pub effect: Effect,
    /// Whether calling it twice with the same arguments leaves the VM as calling it once does.
    pub idempotent: bool,
    /// Whether it may reach beyond the desktop (a shell command can reach the network).
    pub open_world: bool,
    /// Whether it may be one of `vm_batch`'s actions.
    pub batching: Batching,
    /// The server commands it may send, calibration included; `vm_status` names the tools a server
    /// without one of them cannot serve.
    pub commands: &'static [CommandName],
}

/// Server commands that deliver input meant to change what is on the screen (pointer moves alone are not:
/// hovering often changes nothing, and every pointer tool moves).
const SCREEN_INPUT: &[CommandName] = &[
    CommandName::LeftClick,
    CommandName::RightClick,
    CommandName::DoubleClick,
    CommandName::MouseDown,
    CommandName::MouseUp,
    CommandName::DragTo,
    CommandName::Drag,
    CommandName::TypeText,
    CommandName::PressKey,
    CommandName::Hotkey,
    CommandName::KeyDown,
    CommandName::KeyUp,
    CommandName::Scroll,
    CommandName::ScrollDirection,
    CommandName::ScrollUp,
    CommandName::ScrollDown,
];

impl ToolSpec {
    /// Whether a call may change the VM.
    pub fn changes_vm(&self) -> bool {
        self.effect != Effect::ReadOnly
    }

    /// Whether the tool delivers input meant to change the screen (clicks, typing, keys, scrolls, drags,
    /// mouse buttons), read from the commands it may send: its effect is reported from the next capture
    /// ([`crate::guards::effects`]), and its repeats count as a loop only while the screen stays the same.
    pub fn acts_on_screen(&self) -> bool {
        self.kind == ToolKind::Input && self.commands.iter().any(|c| SCREEN_INPUT.contains(c))
    }

    /// The MCP annotations, derived from the facts above.
    pub fn annotations(&self) -> Annotations {
        Annotations {
            title: self.title,
            read_only_hint: self.effect == Effect::ReadOnly,
            destructive_hint: self.effect == Effect::Destructive,
            idempotent_hint: self.idempotent,
            open_world_hint: self.open_world,
        }
    }
}

/// MCP's tool annotations (`tools/list` → `annotations`), as the protocol names them.
///
/// Serialised without what MCP's defaults already say (`readOnlyHint` false, `destructiveHint` true,
/// `idempotentHint` false, `openWorldHint` true), and without `destructiveHint` and `idempotentHint` for a
/// read-only tool (MCP: "meaningful only when readOnlyHint is false"): the list is sent with every model
/// call, so it says nothing a client already knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    /// Human title.
    pub title: &'static str,
    /// Changes nothing.
    pub read_only_hint: bool,
    /// May destroy or overwrite.
    pub destructive_hint: bool,
    /// Repeating it changes nothing more.
    pub idempotent_hint: bool,
    /// Reaches beyond the desktop.
    pub open_world_hint: bool,
}

impl Serialize for Annotations {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        if self.read_only_hint {
            map.serialize_entry("readOnlyHint", &true)?;
        } else {
            if !self.destructive_hint {
                map.serialize_entry("destructiveHint", &false)?;
            }
            if self.idempotent_hint {
                map.serialize_entry("idempotentHint", &true)?;
            }
        }
        if !self.open_world_hint {
            map.serialize_entry("openWorldHint", &false)?;
        }
        map.serialize_entry("title", self.title)?;
        map.end()
    }
}

/// The command a call would run, as the exec policy must judge it, borrowed from the call's typed arguments
/// so that what is judged is exactly what is sent. The policy may rewrite it (e.g. lower the timeout).
#[derive(Debug)]
pub struct ExecRequest<'a> {
    /// What runs.
    pub command: ExecCommand<'a>,
    /// The call's timeout in seconds, when the tool has one (`None` inside: the configured default).
    pub timeout_secs: Option<&'a mut Option<u64>>,
}

/// How the server will run a command.
#[derive(Debug)]
pub enum ExecCommand<'a> {
    /// Text a shell interprets (`vm_exec`, or `vm_launch` without `args`).
    Shell(&'a mut String),
    /// A program started directly with its arguments, no shell (`vm_launch` with `args`).
    Program {
        /// The program.
        app: &'a mut String,
        /// Its arguments.
        args: &'a mut Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ToolSpec = ToolSpec {
        name: "vm_test",
        title: "Test",
        description: "A test tool.",
        kind: ToolKind::Input,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: true,
        batching: Batching::Allowed,
        commands: &[CommandName::LeftClick],
    };

    #[test]
    fn screen_input_is_read_from_the_commands() {
        assert!(SPEC.acts_on_screen());
        let hover = ToolSpec {
            commands: &[CommandName::MoveCursor, CommandName::Screenshot],
            ..SPEC
        };
        assert!(!hover.acts_on_screen());
        let clipboard = ToolSpec {
            commands: &[CommandName::SetClipboard],
            ..SPEC
        };
        assert!(!clipboard.acts_on_screen());
        let shell = ToolSpec {
            kind: ToolKind::Shell,
            ..SPEC
        };
        assert!(!shell.acts_on_screen());
    }

    #[test]
    fn annotations_come_from_the_facts() {
        let a = SPEC.annotations();
        assert!(!a.read_only_hint && a.destructive_hint && !a.idempotent_hint && a.open_world_hint);
        assert!(SPEC.changes_vm());
        // MCP's defaults (not read-only, destructive, not idempotent, open world) are left out.
        let json = serde_json::to_value(a).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"title": "Test"}));
        let read_only = ToolSpec {
            effect: Effect::ReadOnly,
            idempotent: true,
            open_world: false,
            ..SPEC
        };
        assert_eq!(
            serde_json::to_value(read_only.annotations()).unwrap_or_default(),
            serde_json::json!({"readOnlyHint": true, "openWorldHint": false, "title": "Test"})
        );
        let additive = ToolSpec {
            effect: Effect::Additive,
            idempotent: true,
            ..SPEC
        };
        assert_eq!(
            serde_json::to_value(additive.annotations()).unwrap_or_default(),
            serde_json::json!({"destructiveHint": false, "idempotentHint": true, "title": "Test"})
        );
    }
}
