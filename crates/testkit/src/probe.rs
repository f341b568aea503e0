//! The event probe on a test [`Desktop`]: a small GTK 3 application (`crates/testkit/probe/event_probe.py`)
//! that logs every key, button, wheel and drag event it receives, with its modifiers, and the text its text
//! view holds — so tests assert **what an application received**, not what the client sent.
//!
//! The window (800x600 at the top-left corner) has two parts: the **pad** (top half, [`Probe::pad_center`]),
//! which takes pointer events and does nothing with them except count left clicks on screen ("clicks: N", so
//! every click changes the pixels), and the **text view** (bottom half), which has the keyboard focus from
//! the start; clicks on the pad do not take the focus away.
//!
//! Why GTK: it is the toolkit of the applications agents drive on Linux desktops, it takes typed and pasted
//! text through an input-method context like them, holds every Unicode script (emoji, ZWJ sequences, RTL,
//! combining marks) and reports buttons 8/9 and the Super modifier. It runs on Debian's own Python
//! (`/usr/bin/python3` with `python3-gi` and `gir1.2-gtk-3.0`), not the server's venv; `scripts/bootstrap`
//! installs those packages (scripts/programs).
//!
//! ```no_run
//! # async fn example() {
//! use testkit::desktop::Desktop;
//! use testkit::probe::Probe;
//!
//! let desktop = Desktop::start();
//! let probe = Probe::open(&desktop).await;
//! // ... click at probe.pad_center() and type through the tools under test ...
//! let _ = probe.wait_for_text("hello").await;
//! let _ = probe.clicks();
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::desktop::Desktop;
use crate::eventually;

/// Debian's Python, which has `gi` (python3-gi); the server's venv does not.
pub const PYTHON: &str = "/usr/bin/python3";
/// How long the probe may take to show its window and get the focus.
const OPEN_LIMIT: Duration = Duration::from_secs(30);
/// How long an expected event or text may take to arrive.
pub const EVENT_LIMIT: Duration = Duration::from_secs(10);

/// The probe's script in this crate.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("probe/event_probe.py")
}

/// One logged event (the probe's JSON line). Fields absent from an event are empty or zero.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Event {
    /// `ready`, `key`, `button`, `scroll`, `drag`, `text`, `cleared`.
    pub ev: String,
    /// `press` or `release` (keys and buttons).
    #[serde(rename = "type")]
    pub kind: String,
    /// GDK's keysym name: `a`, `Return`, `KP_Enter`, `Control_L`.
    pub keyval: String,
    /// The character the key produces, empty for none.
    #[serde(rename = "char")]
    pub character: String,
    /// Modifier and button state when the event happened: `shift lock ctrl alt mod2..mod5 super hyper meta
    /// button1..button5`.
    pub state: Vec<String>,
    /// Button number (1 left, 2 middle, 3 right, 8 back, 9 forward).
    pub button: u32,
    /// 1, 2 or 3 for a single, double or triple press (GDK's own click counting).
    pub clicks: u32,
    /// `up`, `down`, `left`, `right` (wheel).
    pub dir: String,
    /// The text view's whole text (`text` events).
    pub text: String,
    /// Root x.
    pub x: i64,
    /// Root y.
    pub y: i64,
    /// Whether X marked the event as sent by `XSendEvent`.
    pub synthetic: bool,
}

impl Event {
    /// Whether the event's state has every one of `mods` and no other keyboard modifier (buttons and
    /// Num Lock's mod2 are ignored).
    pub fn has_exactly(&self, mods: &[&str]) -> bool {
        const KEYBOARD: [&str; 9] = [
            "shift", "lock", "ctrl", "alt", "mod4", "mod5", "super", "hyper", "meta",
        ];
        let mut have: Vec<&str> = self
            .state
            .iter()
            .map(String::as_str)
            .filter(|s| KEYBOARD.contains(s))
            .collect();
        // Super is Mod4 in X's default modifier map; GDK reports it as mod4, sometimes also as the virtual
        // super: both are "super" here.
        for s in &mut have {
            if *s == "mod4" {
                *s = "super";
            }
        }
        have.dedup();
        let mut want: Vec<&str> = mods.to_vec();
        have.sort_unstable();
        have.dedup();
        want.sort_unstable();
        have == want
    }
}

#[derive(Debug, Deserialize)]
struct Ready {
    pad: [i64; 4],
    text: [i64; 4],
    window: u64,
}

/// A running probe; dropping it kills it.
#[derive(Debug)]
pub struct Probe<'d> {
    desktop: &'d Desktop,
    child: Child,
    dir: tempfile::TempDir,
    pad: [i64; 4],
    text_area: [i64; 4],
    window: u64,
}

impl<'d> Probe<'d> {
    /// Starts the probe on `desktop` and waits until its window is shown and focused (the probe logs
    /// `ready` on its first focus).
    ///
    /// # Panics
    /// When the probe cannot start (Debian's python3 with GTK missing: `scripts/bootstrap` installs it) or
    /// is not ready within 30 s; the message carries its stderr.
    pub async fn open(desktop: &'d Desktop) -> Probe<'d> {
        let dir = tempfile::Builder::new()
            .prefix("testkit-probe-")
            .tempdir()
            .unwrap_or_else(|e| panic!("testkit::probe: cannot create a directory: {e}"));
        let log = dir.path().join("events.jsonl");
        let stderr = std::fs::File::create(dir.path().join("stderr"))
            .unwrap_or_else(|e| panic!("testkit::probe: cannot create its stderr file: {e}"));
        let child = desktop
            .command(PYTHON)
            .arg(script())
            .arg(&log)
            .arg("event-probe")
            .env("GDK_BACKEND", "x11")
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "testkit::probe: cannot start {PYTHON} (Debian's python3 with python3-gi and gir1.2-gtk-3.0; run scripts/bootstrap): {e}"
                )
            });
        let mut probe = Probe {
            desktop,
            child,
            dir,
            pad: [0; 4],
            text_area: [0; 4],
            window: 0,
        };
        let ready = eventually(OPEN_LIMIT, async || {
            if let Ok(Some(status)) = probe.child.try_wait() {
                panic!(
                    "testkit::probe: the probe exited ({status}) before it was ready (it needs Debian's python3-gi and gir1.2-gtk-3.0: run scripts/bootstrap): {}",
                    probe.stderr()
                );
            }
            let line = std::fs::read_to_string(probe.log()).ok()?;
            let first = line.lines().find(|l| l.contains("\"ready\""))?;
            serde_json::from_str::<Ready>(first).ok()
        })
        .await;
        let Some(ready) = ready else {
            panic!(
                "testkit::probe: not ready within {OPEN_LIMIT:?} on {}; stderr: {}",
                desktop.display(),
                probe.stderr()
            );
        };
        probe.pad = ready.pad;
        probe.text_area = ready.text;
        probe.window = ready.window;
        probe
    }

    /// The log file (one JSON event per line).
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("events.jsonl")
    }

    /// The X window id of the probe's top-level window.
    pub fn window(&self) -> u64 {
        self.window
    }

    /// The middle of the pad, in screen pixels: where pointer tests click, drag and scroll.
    pub fn pad_center(&self) -> (i64, i64) {
        let [x, y, w, h] = self.pad;
        (x + w / 2, y + h / 2)
    }

    /// The pad's rectangle `[x, y, w, h]` in screen pixels.
    pub fn pad(&self) -> [i64; 4] {
        self.pad
    }

    /// The text view's rectangle `[x, y, w, h]` in screen pixels.
    pub fn text_area(&self) -> [i64; 4] {
        self.text_area
    }

    /// Every event logged so far (after [`Probe::clear`], the old ones are still here; use [`Probe::since`]).
    pub fn events(&self) -> Vec<Event> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The number of events logged so far, to pass to [`Probe::since`] later.
    pub fn mark(&self) -> usize {
        self.events().len()
    }

    /// The events logged after `mark`.
    pub fn since(&self, mark: usize) -> Vec<Event> {
        self.events().into_iter().skip(mark).collect()
    }

    /// The text view's text now (empty before anything was typed).
    pub fn text(&self) -> String {
        let mut text = String::new();
        for e in self.events() {
            match e.ev.as_str() {
                "text" => text = e.text,
                "cleared" => text.clear(),
                _ => {}
            }
        }
        text
    }

    /// Left-button presses on the pad so far (the counter the pad shows).
    pub fn clicks(&self) -> usize {
        self.events()
            .iter()
            .filter(|e| e.ev == "button" && e.kind == "press" && e.button == 1 && e.clicks == 1)
            .count()
    }

    /// Empties the text view (SIGUSR1 to the probe) and waits until it says so.
    ///
    /// # Panics
    /// When the probe does not confirm within 10 s.
    pub async fn clear(&self) {
        let before = self.count("cleared");
        let sent = std::process::Command::new("kill")
            .args(["-USR1", &self.child.id().to_string()])
            .status();
        assert!(
            sent.is_ok_and(|s| s.success()),
            "testkit::probe: cannot signal the probe"
        );
        let done = eventually(EVENT_LIMIT, async || {
            (self.count("cleared") > before).then_some(())
        })
        .await;
        assert!(
            done.is_some(),
            "testkit::probe: the text view was not cleared"
        );
    }

    /// Waits until the text view holds exactly `want`; returns the text it holds at the end either way (so the
    /// caller's assertion shows what arrived).
    pub async fn wait_for_text(&self, want: &str) -> String {
        self.wait_for_text_within(want, EVENT_LIMIT).await
    }

    /// [`Probe::wait_for_text`] with another limit (short, where a mismatch is expected and measured).
    pub async fn wait_for_text_within(&self, want: &str, limit: Duration) -> String {
        eventually(limit, async || {
            (self.text() == want).then(|| want.to_owned())
        })
        .await
        .unwrap_or_else(|| self.text())
    }

    /// Waits until an event after `mark` matches `pred` and returns it (`None` after 10 s).
    pub async fn wait_for(&self, mark: usize, pred: impl Fn(&Event) -> bool) -> Option<Event> {
        eventually(EVENT_LIMIT, async || {
            self.since(mark).into_iter().find(|e| pred(e))
        })
        .await
    }

    /// Activates the probe's window and waits until X reports it focused (after another window took the
    /// focus).
    ///
    /// # Panics
    /// When X does not report it within 10 s.
    pub async fn focus(&self) {
        let id = self.window.to_string();
        let focused = eventually(EVENT_LIMIT, async || {
            let out = self.desktop.run_in_display("xdotool", ["getwindowfocus"]);
            if String::from_utf8_lossy(&out.stdout).trim() == id {
                return Some(());
            }
            let _ = self
                .desktop
                .run_in_display("xdotool", ["windowactivate", &id]);
            None
        })
        .await;
        assert!(
            focused.is_some(),
            "testkit::probe: window {id} did not get the focus"
        );
    }

    fn count(&self, ev: &str) -> usize {
        self.events().iter().filter(|e| e.ev == ev).count()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::Event;

    #[test]
    fn modifier_state_is_compared_without_buttons_and_num_lock() {
        let e = Event {
            state: vec!["ctrl".into(), "mod2".into(), "button1".into()],
            ..Event::default()
        };
        assert!(e.has_exactly(&["ctrl"]));
        assert!(!e.has_exactly(&["ctrl", "shift"]));
        let s = Event {
            state: vec!["mod4".into(), "super".into()],
            ..Event::default()
        };
        assert!(s.has_exactly(&["super"]));
        let m = Event {
            state: vec!["mod4".into()],
            ..Event::default()
        };
        assert!(m.has_exactly(&["super"]));
    }
}
