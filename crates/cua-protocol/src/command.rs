//! The commands cua-computer-server understands, as one typed enum.
//!
//! Serialises to the server's request frame `{"command": "<name>", "params": {...}}` (serde's adjacent tagging
//! gives exactly that shape). Canonical names only: the server also accepts aliases (`type`, `key`, `click`…),
//! but sending the canonical name keeps logs and `GET /commands` checks simple.
//!
//! Each command knows whether it is *idempotent* — safe to send again after an ambiguous failure. Only reads
//! are: replaying a click, a key press, typed text, a shell command, a write or a launch could do it twice.

use serde::Serialize;

/// A mouse button as the server names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Button {
    /// The primary button.
    #[default]
    Left,
    /// The secondary button.
    Right,
    /// The wheel button.
    Middle,
}

/// A scroll direction for `scroll_direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScrollDirection {
    /// Towards the top.
    Up,
    /// Towards the bottom.
    Down,
    /// Towards the left.
    Left,
    /// Towards the right.
    Right,
}

/// The image encoding the server should use for `screenshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureFormat {
    /// Lossless; slow on busy screens (the server encodes with `optimize=True`).
    Png,
    /// Lossy; ~27x faster than PNG on busy screens.
    Jpeg,
}

/// Declares [`CommandName`] with each command's wire name, in one list.
macro_rules! command_names {
    ($($variant:ident => $wire:literal,)*) => {
        /// A server command's name without its parameters: what a tool declares it may send and what
        /// `GET /commands` is checked against.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum CommandName {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
        }

        impl CommandName {
            /// Every command, in protocol order.
            pub const ALL: &'static [CommandName] = &[$(CommandName::$variant,)*];

            /// The canonical wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CommandName::$variant => $wire,)*
                }
            }
        }
    };
}

command_names! {
    Version => "version",
    Screenshot => "screenshot",
    GetScreenSize => "get_screen_size",
    GetCursorPosition => "get_cursor_position",
    LeftClick => "left_click",
    RightClick => "right_click",
    DoubleClick => "double_click",
    MoveCursor => "move_cursor",
    MouseDown => "mouse_down",
    MouseUp => "mouse_up",
    DragTo => "drag_to",
    Drag => "drag",
    TypeText => "type_text",
    PressKey => "press_key",
    Hotkey => "hotkey",
    KeyDown => "key_down",
    KeyUp => "key_up",
    Scroll => "scroll",
    ScrollDirection => "scroll_direction",
    ScrollUp => "scroll_up",
    ScrollDown => "scroll_down",
    CopyToClipboard => "copy_to_clipboard",
    SetClipboard => "set_clipboard",
    RunCommand => "run_command",
    FileExists => "file_exists",
    DirectoryExists => "directory_exists",
    ListDir => "list_dir",
    ReadText => "read_text",
    WriteText => "write_text",
    ReadBytes => "read_bytes",
    WriteBytes => "write_bytes",
    GetFileSize => "get_file_size",
    DeleteFile => "delete_file",
    CreateDir => "create_dir",
    DeleteDir => "delete_dir",
    Open => "open",
    Launch => "launch",
    GetCurrentWindowId => "get_current_window_id",
    GetApplicationWindows => "get_application_windows",
    GetWindowName => "get_window_name",
    GetWindowSize => "get_window_size",
    GetWindowPosition => "get_window_position",
    SetWindowSize => "set_window_size",
    SetWindowPosition => "set_window_position",
    MaximizeWindow => "maximize_window",
    MinimizeWindow => "minimize_window",
    ActivateWindow => "activate_window",
    CloseWindow => "close_window",
    GetDesktopEnvironment => "get_desktop_environment",
    SetWallpaper => "set_wallpaper",
    GetAccessibilityTree => "get_accessibility_tree",
    FindElement => "find_element",
}

impl std::fmt::Display for CommandName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request to cua-computer-server. See `GET /commands` on a running server for the authoritative list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "command", content = "params", rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)] // field names are the server's parameter names, documented on each variant
pub enum Command {
    /// `version` → `protocol`, `package`.
    Version,
    /// `screenshot` → `image_data` (base64), `format`.
    Screenshot {
        format: CaptureFormat,
        #[serde(skip_serializing_if = "Option::is_none")]
        quality: Option<u8>,
    },
    /// `get_screen_size` → `size {width, height}` (physical pixels; a full grab on the server, not cheap).
    GetScreenSize,
    /// `get_cursor_position` → `position {x, y}` (input space).
    GetCursorPosition,
    /// Click the left button; moves first when both coordinates are given.
    LeftClick {
        #[serde(skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
    },
    /// Click the right button.
    RightClick {
        #[serde(skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
    },
    /// Double-click the left button.
    DoubleClick {
        #[serde(skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
    },
    /// Move the pointer (clamped to the screen by the server).
    MoveCursor { x: f64, y: f64 },
    /// Press a button (and hold it).
    MouseDown {
        #[serde(skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
        button: Button,
    },
    /// Release a button.
    MouseUp {
        #[serde(skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
        button: Button,
    },
    /// Press at the current position, move to (x, y), release.
    DragTo {
        x: f64,
        y: f64,
        button: Button,
        duration: f64,
    },
    /// Press at the first point, follow the path, release at the last.
    Drag {
        path: Vec<[f64; 2]>,
        button: Button,
        duration: f64,
    },
    /// Type Unicode text into the focused window.
    TypeText { text: String },
    /// Press and release one key (server key names, see the core's keymap).
    PressKey { key: String },
    /// Press keys in order, release in reverse.
    Hotkey { keys: Vec<String> },
    /// Press a key and hold it.
    KeyDown { key: String },
    /// Release a held key.
    KeyUp { key: String },
    /// Scroll by wheel amounts (`+y` = up) at the current pointer position.
    Scroll { x: f64, y: f64 },
    /// Scroll in a direction by `clicks` notches.
    ScrollDirection {
        direction: ScrollDirection,
        clicks: u32,
    },
    /// Scroll up by `clicks` notches.
    ScrollUp { clicks: u32 },
    /// Scroll down by `clicks` notches.
    ScrollDown { clicks: u32 },
    /// Read the clipboard (despite the name) → `content`.
    CopyToClipboard,
    /// Replace the clipboard's text.
    SetClipboard { text: String },
    /// Run a shell command → `stdout`, `stderr`, `return_code`. Succeeds for any exit code.
    RunCommand {
        command: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout: Option<u64>,
    },
    /// → `exists`.
    FileExists { path: String },
    /// → `exists`.
    DirectoryExists { path: String },
    /// → `files` (names only, unsorted).
    ListDir { path: String },
    /// → `content`.
    ReadText { path: String },
    /// Write (replace) a text file.
    WriteText { path: String, content: String },
    /// → `content_b64`.
    ReadBytes {
        path: String,
        offset: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        length: Option<u64>,
    },
    /// Write or append bytes.
    WriteBytes {
        path: String,
        content_b64: String,
        append: bool,
    },
    /// → `size`.
    GetFileSize { path: String },
    /// Delete a file.
    DeleteFile { path: String },
    /// `mkdir -p`.
    CreateDir { path: String },
    /// Remove an empty directory.
    DeleteDir { path: String },
    /// Open a URL or file with the desktop's default handler.
    Open { target: String },
    /// Start an application → `pid`.
    Launch {
        app: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        args: Option<Vec<String>>,
    },
    /// → `window_id`.
    GetCurrentWindowId,
    /// → `windows` (ids) whose title contains `app`.
    GetApplicationWindows { app: String },
    /// → `name`.
    GetWindowName { window_id: i64 },
    /// → `width`, `height`.
    GetWindowSize { window_id: i64 },
    /// → `x`, `y`.
    GetWindowPosition { window_id: i64 },
    /// Resize a window.
    SetWindowSize {
        window_id: i64,
        width: i64,
        height: i64,
    },
    /// Move a window.
    SetWindowPosition { window_id: i64, x: i64, y: i64 },
    /// Maximise a window.
    MaximizeWindow { window_id: i64 },
    /// Minimise a window.
    MinimizeWindow { window_id: i64 },
    /// Raise and focus a window.
    ActivateWindow { window_id: i64 },
    /// Close a window.
    CloseWindow { window_id: i64 },
    /// → `environment`.
    GetDesktopEnvironment,
    /// Set the desktop background.
    SetWallpaper { path: String },
    /// → platform-specific tree (a stub on Linux).
    GetAccessibilityTree,
    /// → `element` (macOS only).
    FindElement {
        #[serde(skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
}

impl Command {
    /// The canonical wire name (`left_click`, `run_command`, …).
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Which command this is, without its parameters.
    pub fn kind(&self) -> CommandName {
        use Command::*;
        match self {
            Version => CommandName::Version,
            Screenshot { .. } => CommandName::Screenshot,
            GetScreenSize => CommandName::GetScreenSize,
            GetCursorPosition => CommandName::GetCursorPosition,
            LeftClick { .. } => CommandName::LeftClick,
            RightClick { .. } => CommandName::RightClick,
            DoubleClick { .. } => CommandName::DoubleClick,
            MoveCursor { .. } => CommandName::MoveCursor,
            MouseDown { .. } => CommandName::MouseDown,
            MouseUp { .. } => CommandName::MouseUp,
            DragTo { .. } => CommandName::DragTo,
            Drag { .. } => CommandName::Drag,
            TypeText { .. } => CommandName::TypeText,
            PressKey { .. } => CommandName::PressKey,
            Hotkey { .. } => CommandName::Hotkey,
            KeyDown { .. } => CommandName::KeyDown,
            KeyUp { .. } => CommandName::KeyUp,
            Scroll { .. } => CommandName::Scroll,
            ScrollDirection { .. } => CommandName::ScrollDirection,
            ScrollUp { .. } => CommandName::ScrollUp,
            ScrollDown { .. } => CommandName::ScrollDown,
            CopyToClipboard => CommandName::CopyToClipboard,
            SetClipboard { .. } => CommandName::SetClipboard,
            RunCommand { .. } => CommandName::RunCommand,
            FileExists { .. } => CommandName::FileExists,
            DirectoryExists { .. } => CommandName::DirectoryExists,
            ListDir { .. } => CommandName::ListDir,
            ReadText { .. } => CommandName::ReadText,
            WriteText { .. } => CommandName::WriteText,
            ReadBytes { .. } => CommandName::ReadBytes,
            WriteBytes { .. } => CommandName::WriteBytes,
            GetFileSize { .. } => CommandName::GetFileSize,
            DeleteFile { .. } => CommandName::DeleteFile,
            CreateDir { .. } => CommandName::CreateDir,
            DeleteDir { .. } => CommandName::DeleteDir,
            Open { .. } => CommandName::Open,
            Launch { .. } => CommandName::Launch,
            GetCurrentWindowId => CommandName::GetCurrentWindowId,
            GetApplicationWindows { .. } => CommandName::GetApplicationWindows,
            GetWindowName { .. } => CommandName::GetWindowName,
            GetWindowSize { .. } => CommandName::GetWindowSize,
            GetWindowPosition { .. } => CommandName::GetWindowPosition,
            SetWindowSize { .. } => CommandName::SetWindowSize,
            SetWindowPosition { .. } => CommandName::SetWindowPosition,
            MaximizeWindow { .. } => CommandName::MaximizeWindow,
            MinimizeWindow { .. } => CommandName::MinimizeWindow,
            ActivateWindow { .. } => CommandName::ActivateWindow,
            CloseWindow { .. } => CommandName::CloseWindow,
            GetDesktopEnvironment => CommandName::GetDesktopEnvironment,
            SetWallpaper { .. } => CommandName::SetWallpaper,
            GetAccessibilityTree => CommandName::GetAccessibilityTree,
            FindElement { .. } => CommandName::FindElement,
        }
    }

    /// Safe to send again after an ambiguous failure: only reads, which change nothing on the guest.
    ///
    /// `copy_to_clipboard` reads the clipboard despite its name.
    pub fn is_idempotent(&self) -> bool {
        use Command::*;
        matches!(
            self,
            Version
                | Screenshot { .. }
                | GetScreenSize
                | GetCursorPosition
                | CopyToClipboard
                | FileExists { .. }
                | DirectoryExists { .. }
                | ListDir { .. }
                | ReadText { .. }
                | ReadBytes { .. }
                | GetFileSize { .. }
                | GetCurrentWindowId
                | GetApplicationWindows { .. }
                | GetWindowName { .. }
                | GetWindowSize { .. }
                | GetWindowPosition { .. }
                | GetDesktopEnvironment
                | GetAccessibilityTree
                | FindElement { .. }
        )
    }

    /// The request frame's JSON text.
    pub fn to_frame(&self) -> String {
        // Serialising this enum cannot fail: every field is a plain string, number, bool or list of them.
        serde_json::to_string(self)
            .unwrap_or_else(|_| format!("{{\"command\":\"{}\"}}", self.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame(c: &Command) -> serde_json::Value {
        serde_json::from_str(&c.to_frame()).unwrap_or_default()
    }

    #[test]
    fn unit_commands_send_no_params() {
        assert_eq!(frame(&Command::Version), json!({"command": "version"}));
    }

    #[test]
    fn params_are_nested_and_optional_fields_omitted() {
        assert_eq!(
            frame(&Command::LeftClick {
                x: Some(10.0),
                y: Some(20.0)
            }),
            json!({"command": "left_click", "params": {"x": 10.0, "y": 20.0}})
        );
        assert_eq!(
            frame(&Command::LeftClick { x: None, y: None }),
            json!({"command": "left_click", "params": {}})
        );
        assert_eq!(
            frame(&Command::RunCommand {
                command: "echo hi".into(),
                timeout: Some(5)
            }),
            json!({"command": "run_command", "params": {"command": "echo hi", "timeout": 5}})
        );
        assert_eq!(
            frame(&Command::Screenshot {
                format: CaptureFormat::Jpeg,
                quality: Some(85)
            }),
            json!({"command": "screenshot", "params": {"format": "jpeg", "quality": 85}})
        );
        assert_eq!(
            frame(&Command::ScrollDirection {
                direction: ScrollDirection::Left,
                clicks: 3
            }),
            json!({"command": "scroll_direction", "params": {"direction": "left", "clicks": 3}})
        );
    }

    #[test]
    fn serialised_name_matches_name() {
        let samples = [
            Command::GetScreenSize,
            Command::MouseDown {
                x: None,
                y: None,
                button: Button::Middle,
            },
            Command::WriteBytes {
                path: "/x".into(),
                content_b64: String::new(),
                append: true,
            },
            Command::GetWindowName { window_id: 1 },
            Command::FindElement {
                role: None,
                title: None,
                value: None,
            },
        ];
        for c in samples {
            assert_eq!(frame(&c)["command"], json!(c.name()));
        }
    }

    #[test]
    fn only_reads_are_idempotent() {
        assert!(Command::Version.is_idempotent());
        assert!(Command::CopyToClipboard.is_idempotent());
        assert!(!Command::LeftClick { x: None, y: None }.is_idempotent());
        assert!(
            !Command::RunCommand {
                command: "ls".into(),
                timeout: None
            }
            .is_idempotent()
        );
        assert!(
            !Command::SetClipboard {
                text: String::new()
            }
            .is_idempotent()
        );
        assert!(
            !Command::Launch {
                app: "xterm".into(),
                args: None
            }
            .is_idempotent()
        );
    }

    #[test]
    fn every_command_name_is_listed_once() {
        let names: std::collections::BTreeSet<&str> =
            CommandName::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), CommandName::ALL.len());
        assert_eq!(Command::Version.kind(), CommandName::Version);
        assert_eq!(CommandName::RunCommand.to_string(), "run_command");
    }
}
