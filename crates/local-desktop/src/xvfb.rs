//! The virtual X display.
//!
//! Readiness: Xvfb accepts connections on its Unix socket, and the display's lock file names *our* Xvfb (not
//! another X server that answered on the same number). Xvfb's `-displayfd` would report readiness without
//! polling, but it also turns off the lock file that other X servers and `check_display_free` rely on.
//! A display is taken when its lock file names a live process; a lock left by a dead X server is removed
//! first, because Xvfb would still refuse the display while that server is an unreaped zombie (a
//! container's PID 1 may never reap it).

use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::config::{Display, Screen};
use crate::proc::{self, ProcRef};
use crate::spawn::{self, DeathSignal, Part};
use crate::state::StateDir;
use crate::{Error, logs};

/// Fails with [`Error::DisplayTaken`] when a live process holds the display's lock; removes a stale lock.
pub(crate) fn check_display_free(display: Display) -> Result<(), Error> {
    let lock = display.lock_file();
    let Ok(text) = std::fs::read_to_string(&lock) else {
        return Ok(());
    };
    match lock_holder(&text) {
        Some(pid) if proc::process_alive(pid) => Err(Error::DisplayTaken {
            display: display.to_string(),
            holder: Some((pid, proc::cmdline(pid))),
        }),
        _ => {
            // Another user's stale lock cannot be removed; Xvfb will then say so and we report it as taken.
            let _ = std::fs::remove_file(&lock);
            Ok(())
        }
    }
}

fn lock_holder(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// Starts Xvfb and waits until it accepts connections, up to `within` (the configured ready timeout; well
/// under a second on an idle machine); `record` saves its pid before the wait.
pub(crate) fn start(
    display: Display,
    screen: Screen,
    dir: &StateDir,
    tied: bool,
    within: Duration,
    record: impl FnOnce(ProcRef) -> Result<(), Error>,
) -> Result<ProcRef, Error> {
    let log = dir.log("xvfb");
    let mut command = Command::new("Xvfb");
    command
        .arg(display.to_string())
        .args(["-screen", "0", &screen.to_string()])
        .args(["-nolisten", "tcp", "-noreset"]);
    let child = spawn::spawn(Part {
        command,
        name: "Xvfb",
        log: &log,
        tie: tied.then_some(DeathSignal::Term),
    })?;
    let xvfb = ProcRef::of_child(&child);
    record(xvfb)?;
    let started = Instant::now();
    loop {
        if !xvfb.alive() {
            proc::reap(xvfb.pid);
            return Err(exited(display, &log));
        }
        if UnixStream::connect(display.socket()).is_ok() {
            let holder = lock_owner(display);
            return match holder {
                Some(pid) if pid == xvfb.pid => Ok(xvfb),
                other => Err(Error::DisplayTaken {
                    display: display.to_string(),
                    holder: other.map(|pid| (pid, proc::cmdline(pid))),
                }),
            };
        }
        if started.elapsed() > within {
            return Err(Error::NotReady {
                what: "Xvfb",
                reason: format!("display {display} did not accept connections"),
                within,
                tail: logs::tail(&log, 25),
                log,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pid in the display's lock file.
fn lock_owner(display: Display) -> Option<u32> {
    std::fs::read_to_string(display.lock_file())
        .ok()
        .and_then(|t| lock_holder(&t))
}

/// Why Xvfb exited during start-up: someone else's display, or a failure of its own.
fn exited(display: Display, log: &std::path::Path) -> Error {
    let taken = [
        "already active",
        "address already in use",
        "cannot establish any listening sockets",
    ];
    if taken.iter().any(|needle| logs::mentions(log, needle)) {
        return Error::DisplayTaken {
            display: display.to_string(),
            holder: lock_owner(display)
                .filter(|&pid| proc::process_alive(pid))
                .map(|pid| (pid, proc::cmdline(pid))),
        };
    }
    Error::StartFailed {
        what: "Xvfb",
        reason: "it exited during start-up".to_owned(),
        tail: logs::tail(log, 25),
        log: log.to_path_buf(),
    }
}
