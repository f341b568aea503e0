//! [`Client`]: the cheap, cloneable handle callers use, with one typed method per server command.
//!
//! Methods are grouped the way the server's command list is (screen, mouse, keyboard, scroll, clipboard and
//! shell, files, apps and windows, accessibility). Each names the command it sends.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

use crate::command::{Button, CaptureFormat, Command, ScrollDirection};
use crate::endpoint::{Endpoint, Resolve};
use crate::error::Error;
use crate::reply::{self, CommandOutput, Point, Reply, Screenshot, Size, Version};
use crate::ws::actor::{Actor, Job, Stats};
use crate::ws::connection::Connection;
use crate::ws::{ClientOptions, ConnectionState};

/// A handle to one WebSocket connection (opened lazily, reopened after failures). Clone it freely: all clones
/// share the connection and its FIFO queue. The connection task ends when the last clone is dropped.
#[derive(Clone)]
pub struct Client {
    tx: mpsc::Sender<Job>,
    state: watch::Receiver<ConnectionState>,
    opts: Arc<ClientOptions>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("state", &*self.state.borrow())
            .finish()
    }
}

impl Client {
    /// Creates a client that asks `resolver` for the address before every connection. Must be called inside a
    /// tokio runtime (it spawns the connection task). Nothing is contacted until the first command.
    pub fn new(resolver: impl Resolve, opts: ClientOptions) -> Client {
        let opts = Arc::new(opts);
        let (tx, rx) = mpsc::channel(opts.queue_capacity.max(1));
        let (state_tx, state) = watch::channel(ConnectionState::Idle);
        let stats = Arc::new(Stats::default());
        let actor = Actor {
            rx,
            resolver: Arc::new(resolver),
            opts: opts.clone(),
            state: state_tx,
            stats: stats.clone(),
            conn: None,
        };
        tokio::spawn(actor.run());
        Client {
            tx,
            state,
            opts,
            stats,
        }
    }

    /// A client for a fixed `ws://…/ws` URL with default options.
    pub fn connect_url(url: &str) -> Result<Client, Error> {
        Ok(Client::new(Endpoint::parse(url)?, ClientOptions::default()))
    }

    /// Connects now (if not connected) and returns the server's version: a cheap health check.
    pub async fn version(&self) -> Result<Version, Error> {
        self.send(&Command::Version).await?.decode()
    }

    /// Opens one connection outside the queue and checks it: for `doctor` and start-up probes.
    pub async fn probe(endpoint: Endpoint, opts: &ClientOptions) -> Result<Version, Error> {
        let conn = Connection::open(endpoint, opts, opts.connect_timeout).await?;
        let version = conn.version().clone();
        conn.close().await;
        Ok(version)
    }

    /// The current connection state.
    pub fn state(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    /// A receiver that sees every state change.
    pub fn watch_state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// How many connections this client has opened so far (tests use it to see reconnects).
    pub fn connects(&self) -> u64 {
        self.stats.connects.load(Ordering::Relaxed)
    }

    /// How many command frames were written so far (tests use it to prove nothing was replayed).
    pub fn frames_sent(&self) -> u64 {
        self.stats.sent.load(Ordering::Relaxed)
    }

    /// The options this client runs with.
    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// Sends a command with the default time limit and returns its successful reply.
    pub async fn send(&self, command: &Command) -> Result<Reply, Error> {
        self.send_with_timeout(command, self.opts.command_timeout)
            .await
    }

    /// Sends a command with an explicit time limit for its reply.
    pub async fn send_with_timeout(
        &self,
        command: &Command,
        timeout: Duration,
    ) -> Result<Reply, Error> {
        let name = command.name();
        let text = self
            .submit(name, command.to_frame(), command.is_idempotent(), timeout)
            .await?;
        Reply::parse(name, &text)
    }

    /// Escape hatch for commands this crate does not model yet: `{"command": name, "params": params}`.
    /// Treated as non-idempotent (never resent). Errors name it as `custom command`.
    pub async fn send_raw(
        &self,
        name: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Reply, Error> {
        let frame = serde_json::json!({"command": name, "params": params}).to_string();
        let text = self.submit("custom command", frame, false, timeout).await?;
        Reply::parse("custom command", &text)
    }

    async fn submit(
        &self,
        name: &'static str,
        frame: String,
        idempotent: bool,
        timeout: Duration,
    ) -> Result<String, Error> {
        if frame.len() > crate::MAX_REQUEST_BYTES {
            return Err(Error::InvalidArgument {
                command: name,
                detail: format!(
                    "request of {} bytes exceeds the {} byte limit (the server closes the connection above 16 MiB); send it in smaller pieces",
                    frame.len(),
                    crate::MAX_REQUEST_BYTES
                ),
            });
        }
        let (reply, rx) = oneshot::channel();
        let job = Job {
            name,
            frame,
            idempotent,
            timeout,
            reply,
        };
        self.tx.send(job).await.map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    // ---- screen -------------------------------------------------------------------------------------------

    /// `screenshot`: PNG, or JPEG at `quality` (1–95; the server clamps).
    pub async fn screenshot(
        &self,
        format: CaptureFormat,
        quality: Option<u8>,
    ) -> Result<Screenshot, Error> {
        let quality = match format {
            CaptureFormat::Jpeg => quality,
            CaptureFormat::Png => None,
        };
        Screenshot::from_reply(self.send(&Command::Screenshot { format, quality }).await?)
    }

    /// `get_screen_size`: physical pixels.
    #[doc(alias = "get_screen_size")]
    pub async fn screen_size(&self) -> Result<Size, Error> {
        Ok(self
            .send(&Command::GetScreenSize)
            .await?
            .decode::<reply::SizeReply>()?
            .size)
    }

    /// `get_cursor_position`: input space (points on macOS).
    #[doc(alias = "get_cursor_position")]
    pub async fn cursor_position(&self) -> Result<Point, Error> {
        Ok(self
            .send(&Command::GetCursorPosition)
            .await?
            .decode::<reply::PositionReply>()?
            .position)
    }

    // ---- mouse --------------------------------------------------------------------------------------------

    /// `left_click` at a point (or where the pointer is).
    pub async fn left_click(&self, at: Option<(f64, f64)>) -> Result<(), Error> {
        let (x, y) = split(at);
        self.send(&Command::LeftClick { x, y }).await.map(drop)
    }

    /// `right_click`.
    pub async fn right_click(&self, at: Option<(f64, f64)>) -> Result<(), Error> {
        let (x, y) = split(at);
        self.send(&Command::RightClick { x, y }).await.map(drop)
    }

    /// `double_click`.
    pub async fn double_click(&self, at: Option<(f64, f64)>) -> Result<(), Error> {
        let (x, y) = split(at);
        self.send(&Command::DoubleClick { x, y }).await.map(drop)
    }

    /// `move_cursor`.
    pub async fn move_cursor(&self, x: f64, y: f64) -> Result<(), Error> {
        self.send(&Command::MoveCursor { x, y }).await.map(drop)
    }

    /// `mouse_down`.
    pub async fn mouse_down(&self, at: Option<(f64, f64)>, button: Button) -> Result<(), Error> {
        let (x, y) = split(at);
        self.send(&Command::MouseDown { x, y, button })
            .await
            .map(drop)
    }

    /// `mouse_up`.
    pub async fn mouse_up(&self, at: Option<(f64, f64)>, button: Button) -> Result<(), Error> {
        let (x, y) = split(at);
        self.send(&Command::MouseUp { x, y, button })
            .await
            .map(drop)
    }

    /// `drag_to`: from the current position to (x, y).
    pub async fn drag_to(
        &self,
        x: f64,
        y: f64,
        button: Button,
        duration_s: f64,
    ) -> Result<(), Error> {
        let cmd = Command::DragTo {
            x,
            y,
            button,
            duration: duration_s,
        };
        self.send(&cmd).await.map(drop)
    }

    /// `drag` along a path of at least two points.
    pub async fn drag(
        &self,
        path: Vec<[f64; 2]>,
        button: Button,
        duration_s: f64,
    ) -> Result<(), Error> {
        if path.len() < 2 {
            return Err(Error::InvalidArgument {
                command: "drag",
                detail: format!("a drag path needs at least 2 points, got {}", path.len()),
            });
        }
        let cmd = Command::Drag {
            path,
            button,
            duration: duration_s,
        };
        self.send(&cmd).await.map(drop)
    }

    // ---- keyboard -----------------------------------------------------------------------------------------

    /// `type_text`.
    pub async fn type_text(&self, text: &str) -> Result<(), Error> {
        self.send(&Command::TypeText { text: text.into() })
            .await
            .map(drop)
    }

    /// `press_key` with a server key name.
    pub async fn press_key(&self, key: &str) -> Result<(), Error> {
        self.send(&Command::PressKey { key: key.into() })
            .await
            .map(drop)
    }

    /// `hotkey`: press in order, release in reverse.
    pub async fn hotkey(&self, keys: &[&str]) -> Result<(), Error> {
        let keys = keys.iter().map(|k| (*k).to_string()).collect();
        self.send(&Command::Hotkey { keys }).await.map(drop)
    }

    /// `key_down`.
    pub async fn key_down(&self, key: &str) -> Result<(), Error> {
        self.send(&Command::KeyDown { key: key.into() })
            .await
            .map(drop)
    }

    /// `key_up`.
    pub async fn key_up(&self, key: &str) -> Result<(), Error> {
        self.send(&Command::KeyUp { key: key.into() })
            .await
            .map(drop)
    }

    // ---- scroll -------------------------------------------------------------------------------------------

    /// `scroll` by wheel amounts (`+y` = up).
    pub async fn scroll(&self, x: f64, y: f64) -> Result<(), Error> {
        self.send(&Command::Scroll { x, y }).await.map(drop)
    }

    /// `scroll_direction`.
    pub async fn scroll_direction(
        &self,
        direction: ScrollDirection,
        clicks: u32,
    ) -> Result<(), Error> {
        self.send(&Command::ScrollDirection { direction, clicks })
            .await
            .map(drop)
    }

    /// `scroll_up`.
    pub async fn scroll_up(&self, clicks: u32) -> Result<(), Error> {
        self.send(&Command::ScrollUp { clicks }).await.map(drop)
    }

    /// `scroll_down`.
    pub async fn scroll_down(&self, clicks: u32) -> Result<(), Error> {
        self.send(&Command::ScrollDown { clicks }).await.map(drop)
    }

    // ---- clipboard and shell ------------------------------------------------------------------------------

    /// `copy_to_clipboard`: reads the clipboard's text.
    #[doc(alias = "copy_to_clipboard")]
    pub async fn clipboard(&self) -> Result<String, Error> {
        Ok(self
            .send(&Command::CopyToClipboard)
            .await?
            .decode::<reply::ContentReply>()?
            .content)
    }

    /// `set_clipboard`.
    pub async fn set_clipboard(&self, text: &str) -> Result<(), Error> {
        self.send(&Command::SetClipboard { text: text.into() })
            .await
            .map(drop)
    }

    /// `run_command` with a server-side timeout (the server kills the process when it runs out). The reply is
    /// awaited a little longer than that so the server's own verdict arrives. A non-zero exit is `Ok`.
    pub async fn run_command(
        &self,
        command: &str,
        timeout: Duration,
    ) -> Result<CommandOutput, Error> {
        let timeout_s = timeout.as_secs_f64().ceil().max(1.0) as u64;
        let cmd = Command::RunCommand {
            command: command.into(),
            timeout: Some(timeout_s),
        };
        let wait = Duration::from_secs(timeout_s) + Duration::from_secs(5);
        match self.send_with_timeout(&cmd, wait).await {
            Ok(reply) => reply.decode(),
            Err(Error::CommandFailed { message, .. })
                if message.starts_with("Command timed out") =>
            {
                Err(Error::RemoteTimeout {
                    command: crate::error::truncate(command, 200),
                    timeout_s,
                })
            }
            Err(e) => Err(e),
        }
    }

    // ---- files --------------------------------------------------------------------------------------------

    /// `file_exists`.
    pub async fn file_exists(&self, path: &str) -> Result<bool, Error> {
        let cmd = Command::FileExists { path: path.into() };
        Ok(self
            .send(&cmd)
            .await?
            .decode::<reply::ExistsReply>()?
            .exists)
    }

    /// `directory_exists`.
    pub async fn directory_exists(&self, path: &str) -> Result<bool, Error> {
        let cmd = Command::DirectoryExists { path: path.into() };
        Ok(self
            .send(&cmd)
            .await?
            .decode::<reply::ExistsReply>()?
            .exists)
    }

    /// `list_dir`: names, sorted here for stable output.
    pub async fn list_dir(&self, path: &str) -> Result<Vec<String>, Error> {
        let cmd = Command::ListDir { path: path.into() };
        let mut files = self.send(&cmd).await?.decode::<reply::FilesReply>()?.files;
        files.sort();
        Ok(files)
    }

    /// `read_text`.
    pub async fn read_text(&self, path: &str) -> Result<String, Error> {
        let cmd = Command::ReadText { path: path.into() };
        Ok(self
            .send(&cmd)
            .await?
            .decode::<reply::ContentReply>()?
            .content)
    }

    /// `write_text`.
    pub async fn write_text(&self, path: &str, content: &str) -> Result<(), Error> {
        let cmd = Command::WriteText {
            path: path.into(),
            content: content.into(),
        };
        self.send(&cmd).await.map(drop)
    }

    /// `read_bytes` of one range.
    pub async fn read_bytes(
        &self,
        path: &str,
        offset: u64,
        length: Option<u64>,
    ) -> Result<Vec<u8>, Error> {
        let cmd = Command::ReadBytes {
            path: path.into(),
            offset,
            length,
        };
        let b64 = self
            .send(&cmd)
            .await?
            .decode::<reply::BytesReply>()?
            .content_b64;
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| Error::Protocol {
                command: "read_bytes",
                detail: format!("`content_b64` is not base64: {e}"),
            })
    }

    /// `write_bytes` (replace, or append).
    pub async fn write_bytes(&self, path: &str, bytes: &[u8], append: bool) -> Result<(), Error> {
        let cmd = Command::WriteBytes {
            path: path.into(),
            content_b64: base64::engine::general_purpose::STANDARD.encode(bytes),
            append,
        };
        self.send(&cmd).await.map(drop)
    }

    /// `get_file_size`.
    #[doc(alias = "get_file_size")]
    pub async fn file_size(&self, path: &str) -> Result<u64, Error> {
        let cmd = Command::GetFileSize { path: path.into() };
        Ok(self
            .send(&cmd)
            .await?
            .decode::<reply::FileSizeReply>()?
            .size)
    }

    /// `delete_file`.
    pub async fn delete_file(&self, path: &str) -> Result<(), Error> {
        self.send(&Command::DeleteFile { path: path.into() })
            .await
            .map(drop)
    }

    /// `create_dir` (like `mkdir -p`).
    pub async fn create_dir(&self, path: &str) -> Result<(), Error> {
        self.send(&Command::CreateDir { path: path.into() })
            .await
            .map(drop)
    }

    /// `delete_dir` (empty directories only).
    pub async fn delete_dir(&self, path: &str) -> Result<(), Error> {
        self.send(&Command::DeleteDir { path: path.into() })
            .await
            .map(drop)
    }

    // ---- apps and windows ---------------------------------------------------------------------------------

    /// `launch` → pid. With `args`, the server starts the program directly (a missing program is an error);
    /// without, through a shell (a missing program still "succeeds").
    pub async fn launch(&self, app: &str, args: Option<Vec<String>>) -> Result<Option<i64>, Error> {
        let cmd = Command::Launch {
            app: app.into(),
            args,
        };
        Ok(self.send(&cmd).await?.decode::<reply::PidReply>()?.pid)
    }

    /// `open` a URL or file with the default handler.
    pub async fn open(&self, target: &str) -> Result<(), Error> {
        self.send(&Command::Open {
            target: target.into(),
        })
        .await
        .map(drop)
    }

    /// `get_current_window_id`.
    #[doc(alias = "get_current_window_id")]
    pub async fn current_window_id(&self) -> Result<i64, Error> {
        Ok(self
            .send(&Command::GetCurrentWindowId)
            .await?
            .decode::<reply::WindowIdReply>()?
            .window_id)
    }

    /// `get_application_windows`: ids of windows whose title contains `app`.
    #[doc(alias = "get_application_windows")]
    pub async fn application_windows(&self, app: &str) -> Result<Vec<i64>, Error> {
        let cmd = Command::GetApplicationWindows { app: app.into() };
        Ok(self
            .send(&cmd)
            .await?
            .decode::<reply::WindowsReply>()?
            .windows)
    }

    /// `get_window_name`.
    #[doc(alias = "get_window_name")]
    pub async fn window_name(&self, window_id: i64) -> Result<String, Error> {
        let cmd = Command::GetWindowName { window_id };
        Ok(self.send(&cmd).await?.decode::<reply::NameReply>()?.name)
    }

    /// `get_window_size`.
    #[doc(alias = "get_window_size")]
    pub async fn window_size(&self, window_id: i64) -> Result<Size, Error> {
        self.send(&Command::GetWindowSize { window_id })
            .await?
            .decode()
    }

    /// `get_window_position`.
    #[doc(alias = "get_window_position")]
    pub async fn window_position(&self, window_id: i64) -> Result<(i64, i64), Error> {
        let r = self
            .send(&Command::GetWindowPosition { window_id })
            .await?
            .decode::<reply::XyReply>()?;
        Ok((r.x, r.y))
    }

    /// `set_window_size`.
    pub async fn set_window_size(
        &self,
        window_id: i64,
        width: i64,
        height: i64,
    ) -> Result<(), Error> {
        let cmd = Command::SetWindowSize {
            window_id,
            width,
            height,
        };
        self.send(&cmd).await.map(drop)
    }

    /// `set_window_position`.
    pub async fn set_window_position(&self, window_id: i64, x: i64, y: i64) -> Result<(), Error> {
        let cmd = Command::SetWindowPosition { window_id, x, y };
        self.send(&cmd).await.map(drop)
    }

    /// `activate_window`.
    pub async fn activate_window(&self, window_id: i64) -> Result<(), Error> {
        self.send(&Command::ActivateWindow { window_id })
            .await
            .map(drop)
    }

    /// `close_window`.
    pub async fn close_window(&self, window_id: i64) -> Result<(), Error> {
        self.send(&Command::CloseWindow { window_id })
            .await
            .map(drop)
    }

    /// `get_desktop_environment`.
    #[doc(alias = "get_desktop_environment")]
    pub async fn desktop_environment(&self) -> Result<String, Error> {
        Ok(self
            .send(&Command::GetDesktopEnvironment)
            .await?
            .decode::<reply::EnvironmentReply>()?
            .environment)
    }

    // ---- accessibility ------------------------------------------------------------------------------------

    /// `get_accessibility_tree` (a hard-coded stub on Linux: never use it for geometry there).
    #[doc(alias = "get_accessibility_tree")]
    pub async fn accessibility_tree(&self) -> Result<serde_json::Map<String, Value>, Error> {
        Ok(self
            .send(&Command::GetAccessibilityTree)
            .await?
            .into_fields())
    }

    /// `find_element` (macOS only; Linux answers "not supported").
    pub async fn find_element(
        &self,
        role: Option<String>,
        title: Option<String>,
        value: Option<String>,
    ) -> Result<Value, Error> {
        let cmd = Command::FindElement { role, title, value };
        let mut fields = self.send(&cmd).await?.into_fields();
        Ok(fields.remove("element").unwrap_or(Value::Null))
    }
}

fn split(at: Option<(f64, f64)>) -> (Option<f64>, Option<f64>) {
    match at {
        Some((x, y)) => (Some(x), Some(y)),
        None => (None, None),
    }
}
