//! A private, real desktop per test: Xvfb + openbox + the real cua-computer-server 0.3.46 on a free
//! loopback port, so client tests run against the real server and can check effects on the X display
//! independently of it (xdotool, xclip, ...). Each [`Desktop`] owns its own display number, port and state
//! directory, so tests run in parallel; dropping it stops everything it started.
//!
//! The processes are managed by the `local-desktop` crate, the same code as `computer-use vm up|down` for
//! the local provider; this module only picks numbers, ties the desktop to the test process and adds
//! fault injection for reliability tests.
//!
//! Prerequisites: `scripts/bootstrap` has been run once (Debian packages + the server's venv). The harness
//! never installs anything: if something is missing, [`Desktop::start`] panics with the message naming
//! what and the command to run.
//!
//! Lifetime: dropping a [`Desktop`] stops it. If the test process dies without running `Drop` (SIGKILL, a
//! nextest time limit, an abort), the kernel's parent-death signal stops its parts at once
//! ([`local_desktop::Supervision::TiedToThisProcess`]).
//!
//! Blocking: [`Desktop::start`] (about 2 s on an idle 2-core machine, 3–6 s while builds and other tests
//! load it; nearly all of it is the server's Python start-up), [`Drop`], [`Desktop::restart_server`] and the
//! other fault helpers block the calling thread. That is fine inside `#[tokio::test]`: the test's own
//! runtime has nothing else to do while the desktop starts or stops.
//!
//! ```no_run
//! # async fn example() {
//! let desktop = testkit::desktop::Desktop::builder().screen(1024, 768).start();
//! let url = desktop.ws_url(); // ws://127.0.0.1:PORT/ws
//! let pos = desktop.run_in_display("xdotool", ["getmouselocation"]);
//! # let _ = (url, pos);
//! # }
//! ```

mod alloc;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use local_desktop::process_alive;
use local_desktop::{DesktopConfig, Display, Error, Screen, ServerSignal, Supervision};

/// How often `start` picks new numbers after a display or port collision.
const START_ATTEMPTS: u32 = 8;
/// How long the server gets to answer `GET /status`; generous because parallel tests share 2 cores.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Configures a [`Desktop`] before starting it.
#[derive(Debug, Clone)]
pub struct DesktopBuilder {
    width: u32,
    height: u32,
    server_env: Vec<(String, String)>,
}

impl Default for DesktopBuilder {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 800,
            server_env: Vec::new(),
        }
    }
}

impl DesktopBuilder {
    /// Screen size of the Xvfb display (24-bit). The server's `--width/--height` flags are ignored by the
    /// server, so the display itself is sized.
    pub fn screen(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Adds an environment variable for the server process (e.g. `CONTAINER_NAME` to test cloud mode).
    pub fn server_env(mut self, name: &str, value: &str) -> Self {
        self.server_env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Starts the desktop and waits until the server answers `GET /status`.
    ///
    /// # Panics
    /// When the desktop cannot start (missing packages or venv, Xvfb or the server failing, no free
    /// display/port after several tries), with the reason and what to do about it.
    pub fn start(self) -> Desktop {
        let began = Instant::now();
        let state_dir = match tempfile::Builder::new()
            .prefix("testkit-desktop-")
            .tempdir()
        {
            Ok(dir) => dir,
            Err(err) => {
                panic!("testkit::desktop: cannot create a temporary state directory: {err}")
            }
        };
        let mut config = match DesktopConfig::from_env(|k| std::env::var(k).ok()) {
            Ok(config) => config,
            Err(err) => panic!("testkit::desktop: {err}"),
        };
        config.screen = Screen {
            width: self.width,
            height: self.height,
            depth: 24,
        };
        config.state_dir = state_dir.path().to_path_buf();
        config.ready_timeout = READY_TIMEOUT;
        config.server_env = self.server_env;
        config.supervision = Supervision::TiedToThisProcess;
        let mut last_collision = String::new();
        for _ in 0..START_ATTEMPTS {
            config.port = alloc::free_port();
            config.display = Display(alloc::free_display());
            let mut progress = |line: &str| tracing::debug!("testkit desktop: {line}");
            match local_desktop::up(&config, &mut progress) {
                Ok(up) => {
                    let state = up.desktop.state();
                    let pid = |p: Option<local_desktop::ProcRef>| p.map_or(0, |p| p.pid);
                    let desktop = Desktop {
                        port: config.port,
                        display: config.display.to_string(),
                        log_dir: up.desktop.log_dir(),
                        xvfb_pid: pid(state.xvfb),
                        wm_pid: pid(state.openbox),
                        inner: Mutex::new(up.desktop),
                        width: self.width,
                        height: self.height,
                        startup: began.elapsed(),
                        state_dir: Some(state_dir),
                    };
                    tracing::debug!(
                        port = config.port,
                        x_display = desktop.display(),
                        startup_ms = desktop.startup.as_millis() as u64,
                        "testkit desktop up"
                    );
                    return desktop;
                }
                Err(collision @ (Error::DisplayTaken { .. } | Error::PortTaken { .. })) => {
                    tracing::debug!(%collision, "display or port collision; retrying");
                    last_collision = collision.to_string();
                }
                Err(err) => panic!(
                    "testkit::desktop: could not start a desktop on {} port {}: {err}",
                    config.display, config.port
                ),
            }
        }
        panic!(
            "testkit::desktop: no free display/port after {START_ATTEMPTS} attempts; last try: {last_collision}"
        )
    }
}

/// A running private desktop; stopped (server, openbox, Xvfb) when dropped.
///
/// If the test process dies without running `Drop` (SIGKILL, abort), the kernel stops the parts (see the
/// module docs). When dropped during a panic, the state directory with the logs is kept and its path
/// printed to stderr.
#[derive(Debug)]
pub struct Desktop {
    port: u16,
    display: String,
    width: u32,
    height: u32,
    log_dir: PathBuf,
    xvfb_pid: u32,
    wm_pid: u32,
    /// The lifecycle handle; behind a lock because a restart records the new server.
    inner: Mutex<local_desktop::Desktop>,
    startup: Duration,
    /// `Option` so `Drop` can keep the directory for post-mortem after a failed test.
    state_dir: Option<tempfile::TempDir>,
}

impl Desktop {
    /// Starts a 1280x800 desktop; see [`DesktopBuilder::start`].
    pub fn start() -> Desktop {
        DesktopBuilder::default().start()
    }

    /// Configures a desktop (screen size) before starting it.
    pub fn builder() -> DesktopBuilder {
        DesktopBuilder::default()
    }

    /// The server's WebSocket URL, `ws://127.0.0.1:PORT/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    /// The server's HTTP base URL, `http://127.0.0.1:PORT` (append `/status`, `/cmd`, `/commands`).
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The X display, e.g. `:4711`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The screen size the display was created with.
    pub fn screen_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Directory with `xvfb.log`, `openbox.log` and `server.log`.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    /// The server log so far, for assertion messages (empty if unreadable).
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.log_dir.join("server.log")).unwrap_or_default()
    }

    /// Pid (and process-group id) of the current server process; changes after [`Desktop::restart_server`].
    pub fn server_pid(&self) -> u32 {
        self.inner().state().server.map_or(0, |s| s.pid)
    }

    /// Pid of the Xvfb process.
    pub fn xvfb_pid(&self) -> u32 {
        self.xvfb_pid
    }

    /// Pid of the openbox window manager.
    pub fn window_manager_pid(&self) -> u32 {
        self.wm_pid
    }

    /// How long [`Desktop::start`] took, including collision retries.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// SIGKILLs the server's process group (the server and any app it launched) and waits until it is
    /// gone. Xvfb and openbox keep running, so [`Desktop::restart_server`] can bring the server back.
    pub fn kill_server(&self) {
        self.signal_server(ServerSignal::Kill);
    }

    /// Starts the server again on the same port and display and waits for `GET /status`. Stops a
    /// leftover (e.g. frozen) server first.
    pub fn restart_server(&self) {
        if let Err(err) = self.inner().start_server(READY_TIMEOUT) {
            panic!(
                "testkit::desktop: restarting the server on {} failed: {err}",
                self.display
            )
        }
    }

    /// SIGSTOPs the server's process group: connections stay open but nothing answers (a hung server).
    pub fn freeze_server(&self) {
        self.signal_server(ServerSignal::Stop);
    }

    /// SIGCONTs the server's process group after [`Desktop::freeze_server`].
    pub fn thaw_server(&self) {
        self.signal_server(ServerSignal::Cont);
    }

    fn signal_server(&self, signal: ServerSignal) {
        if let Err(err) = self.inner().signal_server(signal) {
            panic!(
                "testkit::desktop: {signal:?} to the server on {} failed: {err}",
                self.display
            )
        }
    }

    /// The lifecycle handle (a panicked holder cannot leave it inconsistent: it is only read or replaced).
    fn inner(&self) -> MutexGuard<'_, local_desktop::Desktop> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The server's own Python (the first word of its command line): its venv has python-xlib (a pynput
    /// dependency), which tests use to ask X directly.
    ///
    /// # Panics
    /// When the server's command line cannot be read or does not start with a python.
    pub fn server_python(&self) -> PathBuf {
        let cmdline =
            std::fs::read(format!("/proc/{}/cmdline", self.server_pid())).unwrap_or_else(|e| {
                panic!("testkit::desktop: cannot read the server's command line: {e}")
            });
        let first = cmdline.split(|b| *b == 0).next().unwrap_or_default();
        let python = PathBuf::from(String::from_utf8_lossy(first).to_string());
        assert!(
            python
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("python")),
            "testkit::desktop: the server's command line does not start with its python: {python:?}"
        );
        python
    }

    /// The core pointer's held buttons as X reports them: the `QueryPointer` mask bits Button1Mask (`1 << 8`)
    /// to Button5Mask, 0 when none is down. `xdotool` cannot show buttons and `xinput` is not installed, so it
    /// asks X through python-xlib from the server's venv.
    ///
    /// # Panics
    /// When the query fails (the display is gone).
    pub fn pointer_buttons(&self) -> u32 {
        self.query_pointer_mask() & 0x1f00
    }

    /// The keyboard modifiers X holds as down (or locked) right now: the `QueryPointer` mask bits ShiftMask
    /// (1), LockMask (2), ControlMask (4), Mod1Mask (8, Alt) … Mod5Mask (`1 << 7`); Mod4Mask (64) is Super.
    /// Num Lock (Mod2Mask, 16) is left out. A modifier left pressed by a broken call shows here.
    ///
    /// # Panics
    /// When the query fails (the display is gone).
    pub fn modifier_mask(&self) -> u32 {
        self.query_pointer_mask() & 0xef
    }

    fn query_pointer_mask(&self) -> u32 {
        let out = self
            .command(self.server_python())
            .args([
                "-c",
                "from Xlib import display; print(display.Display().screen().root.query_pointer().mask)",
            ])
            .output()
            .unwrap_or_else(|e| panic!("testkit::desktop: cannot run the server's python: {e}"));
        assert!(
            out.status.success(),
            "testkit::desktop: QueryPointer via python-xlib failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        text.trim().parse().unwrap_or_else(|e| {
            panic!("testkit::desktop: QueryPointer printed {text:?}, not a number: {e}")
        })
    }

    /// A command with `DISPLAY` set to this desktop, for checks that bypass the server.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.display);
        command
    }

    /// Runs `program args...` against this display and returns its output whatever the exit status
    /// (tests assert on it), e.g. `run_in_display("xdotool", ["getmouselocation"])`.
    ///
    /// # Panics
    /// When the program cannot be spawned (not installed: see scripts/bootstrap).
    pub fn run_in_display<I, S>(&self, program: &str, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        match self.command(program).args(args).output() {
            Ok(output) => output,
            Err(err) => panic!(
                "testkit::desktop: cannot run `{program}` on {}: {err} (scripts/bootstrap installs xdotool, xclip, xterm, x11-apps)",
                self.display
            ),
        }
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let state_dir = self.inner().state_dir().to_path_buf();
        if let Err(err) = local_desktop::down(&state_dir, &mut |_| {}) {
            // Never panic in Drop (it may run during a panic); say it loudly instead.
            eprintln!(
                "testkit::desktop: stopping desktop {} failed; processes may be left running: {err}",
                self.display
            );
        }
        if std::thread::panicking()
            && let Some(mut dir) = self.state_dir.take()
        {
            dir.disable_cleanup(true);
            eprintln!(
                "testkit::desktop: test panicked; logs of desktop {} kept in {}",
                self.display,
                self.log_dir.display()
            );
        }
    }
}
