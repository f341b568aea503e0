//! An xterm on a test [`Desktop`], for tests that type into a terminal, select its text or need busy pixels.
//!
//! The harness starts it itself (not through the server under test) and waits by polling what X and the
//! terminal report, never by sleeping a guess: [`XtermBuilder::open`] returns once the window is mapped
//! (`xdotool search --onlyvisible`) and its command has started (a marker file the command's wrapper
//! writes: by then xterm has set up the terminal, so keys typed from now on reach the command);
//! [`Xterm::focus`] once X reports the window active and focused; [`Xterm::wait_for_exit`] once a
//! [`hold`](XtermBuilder::hold) terminal's command has finished and its pixels (`xwd`) stopped changing.
//! Dropping the [`Xterm`] kills it.
//!
//! ```no_run
//! # async fn example() {
//! use testkit::desktop::Desktop;
//! use testkit::xterm::Xterm;
//!
//! let desktop = Desktop::start();
//! let term = Xterm::builder(&desktop, "typing-test")
//!     .command(["bash", "--norc", "--noprofile"])
//!     .open()
//!     .await;
//! term.focus().await;
//! // ... type through the server, then check what the shell did ...
//! # let _ = term.window();
//! # }
//! ```
//!
//! Needs `xterm`, `xdotool` and `xwd` (x11-apps) on PATH: scripts/bootstrap installs them (scripts/programs).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::desktop::Desktop;
use crate::eventually;

/// How long a terminal may take to map its window and start its command (a loaded 2-core machine running
/// several desktops at once is slow).
const OPEN_LIMIT: Duration = Duration::from_secs(20);
/// How long X may take to report the window active and focused.
const FOCUS_LIMIT: Duration = Duration::from_secs(10);
/// How long a held terminal's command may run, and its output take to settle.
const EXIT_LIMIT: Duration = Duration::from_secs(30);
/// Consecutive identical window dumps (100 ms apart) that count as "drawn".
const STILL_DUMPS: usize = 3;

/// Runs the command after writing `$1/started`; under `-hold`, also writes `$1/exited` when it ends.
const WRAPPER: &str = r#"marks=$1; shift; : > "$marks/started"; exec "$@""#;
const WRAPPER_HOLD: &str =
    r#"marks=$1; shift; : > "$marks/started"; "$@"; echo $? > "$marks/exited""#;

/// Configures an xterm before [`XtermBuilder::open`] starts it.
#[derive(Debug)]
#[must_use = "an XtermBuilder does nothing until `open` is awaited"]
pub struct XtermBuilder<'d> {
    desktop: &'d Desktop,
    title: String,
    geometry: String,
    dir: Option<PathBuf>,
    command: Vec<OsString>,
    hold: bool,
    mouse_reports: bool,
}

impl<'d> XtermBuilder<'d> {
    /// Size in characters and position in pixels, xterm's `-geometry` (default `80x20+0+0`).
    pub fn geometry(mut self, geometry: &str) -> Self {
        geometry.clone_into(&mut self.geometry);
        self
    }

    /// The command's working directory (default: the test's).
    pub fn dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    /// The program and arguments to run (default `/bin/sh`, a shell without start-up files: a slow or
    /// hanging rc file would swallow what is typed).
    pub fn command<I, S>(mut self, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command = argv.into_iter().map(|a| a.as_ref().to_owned()).collect();
        self
    }

    /// Keeps the window, with the command's output, after the command ends (`-hold`), so
    /// [`Xterm::wait_for_exit`] can wait for it.
    pub fn hold(mut self) -> Self {
        self.hold = true;
        self
    }

    /// For a command that turns on mouse reporting (`ESC [ ? 1000 h`) to see clicks: the terminal then does
    /// not accept synthetic events (xterm switches its mouse operations off when `allowSendEvents` is on).
    /// The server's clicks arrive all the same (XTest, not SendEvent); its typing may not.
    pub fn mouse_reports(mut self) -> Self {
        self.mouse_reports = true;
        self
    }

    /// Starts the xterm and waits until its window is mapped and its command has started. It accepts
    /// synthetic key events (`allowSendEvents`), which the server's typing needs.
    ///
    /// # Panics
    /// When xterm cannot be started, exits, or its window or command does not appear within 20 s; the
    /// message carries xterm's stderr.
    pub async fn open(self) -> Xterm<'d> {
        let marks = tempfile::Builder::new()
            .prefix("testkit-xterm-")
            .tempdir()
            .unwrap_or_else(|e| panic!("testkit::xterm: cannot create a marker directory: {e}"));
        let stderr_path = marks.path().join("stderr");
        let stderr = std::fs::File::create(&stderr_path).unwrap_or_else(|e| {
            panic!(
                "testkit::xterm: cannot create {}: {e}",
                stderr_path.display()
            )
        });
        let mut command = self.desktop.command("xterm");
        command.args(["-T", &self.title, "-geometry", &self.geometry]);
        if !self.mouse_reports {
            command.args(["-xrm", "XTerm*allowSendEvents: true"]);
        }
        if self.hold {
            command.arg("-hold");
        }
        let wrapper = if self.hold { WRAPPER_HOLD } else { WRAPPER };
        // -e must come last: everything after it is the command.
        command
            .args(["-e", "/bin/sh", "-c", wrapper, "sh"])
            .arg(marks.path())
            .args(&self.command)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "testkit::xterm: cannot start xterm on {}: {e} (scripts/bootstrap installs it)",
                self.desktop.display()
            )
        });
        let mut term = Xterm {
            desktop: self.desktop,
            child,
            window: 0,
            title: self.title,
            hold: self.hold,
            marks,
        };
        let title = term.title.clone();
        let started = term.marks.path().join("started");
        let found = eventually(OPEN_LIMIT, async || {
            if let Ok(Some(status)) = term.child.try_wait() {
                panic!(
                    "testkit::xterm: xterm `{title}` exited ({status}) before its window appeared: {}",
                    term.stderr()
                );
            }
            let window = term.find_window()?;
            started.exists().then_some(window)
        })
        .await;
        match found {
            Some(window) => term.window = window,
            None => panic!(
                "testkit::xterm: xterm `{title}` on {}: window mapped: {}, command started: {}, after {OPEN_LIMIT:?}; stderr: {}",
                self.desktop.display(),
                term.find_window().is_some(),
                started.exists(),
                term.stderr()
            ),
        }
        term
    }
}

/// A running xterm; dropping it kills the terminal (and so its command).
#[derive(Debug)]
pub struct Xterm<'d> {
    desktop: &'d Desktop,
    child: Child,
    window: u32,
    title: String,
    hold: bool,
    marks: tempfile::TempDir,
}

impl<'d> Xterm<'d> {
    /// An xterm titled `title` on `desktop`; see [`XtermBuilder`].
    pub fn builder(desktop: &'d Desktop, title: &str) -> XtermBuilder<'d> {
        XtermBuilder {
            desktop,
            title: title.to_owned(),
            geometry: "80x20+0+0".to_owned(),
            dir: None,
            command: vec![OsString::from("/bin/sh")],
            hold: false,
            mouse_reports: false,
        }
    }

    /// The X window id of the terminal (its top-level client window, as window managers and the server's
    /// window commands see it).
    pub fn window(&self) -> u32 {
        self.window
    }

    /// The xterm process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Activates the window through the window manager and waits until X reports it both active and focused,
    /// so keys sent from now on reach it.
    ///
    /// # Panics
    /// When X does not report it within 10 s.
    pub async fn focus(&self) {
        let id = self.window.to_string();
        let focused = eventually(FOCUS_LIMIT, async || {
            let active = self.xdotool(&["getactivewindow"]);
            let focus = self.xdotool(&["getwindowfocus"]);
            if active.as_deref() == Some(id.as_str()) && focus.as_deref() == Some(id.as_str()) {
                return Some(());
            }
            // Asked again on every round: a request made while the window was still settling can be lost.
            let _ = self.xdotool(&["windowactivate", &id]);
            None
        })
        .await;
        assert!(
            focused.is_some(),
            "testkit::xterm: `{}` (window {id}) did not become active and focused within {FOCUS_LIMIT:?}: active {:?}, focus {:?}",
            self.title,
            self.xdotool(&["getactivewindow"]),
            self.xdotool(&["getwindowfocus"]),
        );
    }

    /// For a [`hold`](XtermBuilder::hold) terminal: waits until its command has ended and the window's pixels
    /// have stopped changing (its output is drawn). Returns the command's exit status.
    ///
    /// # Panics
    /// When the terminal was not opened with `hold`, or this takes more than 30 s.
    pub async fn wait_for_exit(&self) -> i32 {
        assert!(
            self.hold,
            "testkit::xterm: wait_for_exit needs a terminal opened with hold()"
        );
        let exited = self.marks.path().join("exited");
        let code = eventually(EXIT_LIMIT, async || {
            std::fs::read_to_string(&exited)
                .ok()
                .and_then(|s| s.trim().parse::<i32>().ok())
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "testkit::xterm: the command in `{}` did not finish within {EXIT_LIMIT:?}",
                self.title
            )
        });
        self.wait_until_drawn().await;
        code
    }

    /// Waits until the window's pixels (an `xwd` dump) are the same in three dumps in a row, 100 ms
    /// apart: what the terminal received has been drawn.
    ///
    /// # Panics
    /// When they are still changing after 30 s, or `xwd` fails.
    pub async fn wait_until_drawn(&self) {
        let mut last: Option<Vec<u8>> = None;
        let mut same = 0;
        let still = eventually(EXIT_LIMIT, async || {
            let dump = self.dump();
            if last.as_ref() == Some(&dump) {
                same += 1;
            } else {
                same = 1;
                last = Some(dump);
            }
            (same >= STILL_DUMPS).then_some(())
        })
        .await;
        assert!(
            still.is_some(),
            "testkit::xterm: `{}` kept changing for {EXIT_LIMIT:?}",
            self.title
        );
    }

    /// The window's current pixels as `xwd` writes them.
    fn dump(&self) -> Vec<u8> {
        let out = self
            .desktop
            .run_in_display("xwd", ["-silent", "-id", &self.window.to_string()]);
        assert!(
            out.status.success(),
            "testkit::xterm: xwd of `{}` failed: {}",
            self.title,
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// The first mapped window whose name is exactly the title.
    fn find_window(&self) -> Option<u32> {
        let pattern = format!("^{}$", regex_escape(&self.title));
        let out = self
            .desktop
            .run_in_display("xdotool", ["search", "--onlyvisible", "--name", &pattern]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|line| line.trim().parse().ok())
    }

    /// `xdotool args…`'s first line of output, if it succeeded.
    fn xdotool(&self, args: &[&str]) -> Option<String> {
        let out = self.desktop.run_in_display("xdotool", args);
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.marks.path().join("stderr")).unwrap_or_default()
    }
}

impl Drop for Xterm<'_> {
    fn drop(&mut self) {
        // The window may be gone already (a test closed it); the kill then fails harmlessly.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Escapes the characters xdotool's POSIX extended regular expressions treat specially.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::regex_escape;

    #[test]
    fn titles_are_matched_literally() {
        assert_eq!(regex_escape("select-test"), "select-test");
        assert_eq!(regex_escape("a.b*(c)"), r"a\.b\*\(c\)");
    }
}
