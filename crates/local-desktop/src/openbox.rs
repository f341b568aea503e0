//! The window manager. Without one, launched windows are neither placed nor focused, so typed text goes
//! nowhere. openbox is ready once it has set the EWMH root properties; `xdotool get_desktop` fails before.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::Display;
use crate::proc::ProcRef;
use crate::spawn::{self, DeathSignal, Part};
use crate::state::StateDir;
use crate::{Error, logs};

/// Starts openbox on `display` (not waiting for it: see [`await_ready`]).
pub(crate) fn start(display: Display, dir: &StateDir, tied: bool) -> Result<ProcRef, Error> {
    let mut command = Command::new("openbox");
    command.env("DISPLAY", display.to_string());
    let child = spawn::spawn(Part {
        command,
        name: "openbox",
        log: &dir.log("openbox"),
        tie: tied.then_some(DeathSignal::Term),
    })?;
    Ok(ProcRef::of_child(&child))
}

/// Waits until openbox manages `display`, up to `within` (the configured ready timeout: openbox takes a fraction
/// of a second on an idle machine, but many seconds on a loaded 2-core one starting several desktops).
pub(crate) fn await_ready(
    openbox: ProcRef,
    display: Display,
    dir: &StateDir,
    within: Duration,
) -> Result<(), Error> {
    let log = dir.log("openbox");
    let started = Instant::now();
    loop {
        if !openbox.alive() {
            crate::proc::reap(openbox.pid);
            return Err(Error::StartFailed {
                what: "openbox",
                reason: "it exited during start-up".to_owned(),
                tail: logs::tail(&log, 25),
                log,
            });
        }
        let answered = Command::new("xdotool")
            .arg("get_desktop")
            .env("DISPLAY", display.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if answered {
            return Ok(());
        }
        if started.elapsed() > within {
            return Err(Error::NotReady {
                what: "openbox",
                reason: "`xdotool get_desktop` still fails (no EWMH desktop set)".to_owned(),
                within,
                tail: logs::tail(&log, 25),
                log,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
