//! The virtual X display.
//!
//! Readiness comes from Xvfb itself: with `-displayfd 1` it writes the display number to its stdout once it
//! accepts connections, so there is nothing to poll. A display is taken when its lock file names a live
//! process; a lock left by a dead X server is removed first, because Xvfb would still refuse the display
//! while that server is an unreaped zombie (a container's PID 1 may never reap it).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use crate::config::{Display, Screen};
use crate::proc::{self, ProcRef};
use crate::spawn::{self, DeathSignal, Part};
use crate::state::StateDir;
use crate::{Error, logs};

/// How long Xvfb gets to accept connections; it takes well under a second.
const READY_WITHIN: Duration = Duration::from_secs(10);

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

/// Starts Xvfb and waits until it accepts connections.
pub(crate) fn start(
    display: Display,
    screen: Screen,
    dir: &StateDir,
    tied: bool,
    record: impl FnOnce(ProcRef) -> Result<(), Error>,
) -> Result<ProcRef, Error> {
    let log = dir.log("xvfb");
    let mut command = Command::new("Xvfb");
    command
        .arg(display.to_string())
        .args(["-screen", "0", &screen.to_string()])
        .args(["-nolisten", "tcp", "-noreset", "-displayfd", "1"]);
    let mut child = spawn::spawn(Part {
        command,
        name: "Xvfb",
        log: &log,
        pipe_stdout: true,
        tie: tied.then_some(DeathSignal::Term),
    })?;
    let xvfb = ProcRef::of_child(&child);
    record(xvfb)?;
    await_ready(&mut child, xvfb, display, log)?;
    Ok(xvfb)
}

fn await_ready(
    child: &mut Child,
    xvfb: ProcRef,
    display: Display,
    log: std::path::PathBuf,
) -> Result<(), Error> {
    let Some(stdout) = child.stdout.take() else {
        return Err(Error::io("Xvfb's stdout")(std::io::Error::other(
            "was not piped",
        )));
    };
    // A blocking read ends with the number or with EOF when Xvfb exits; the thread adds the time limit.
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
    });
    match receiver.recv_timeout(READY_WITHIN) {
        Ok(Ok(line)) if line.trim() == display.0.to_string() => Ok(()),
        Ok(_) => {
            // EOF: Xvfb exited. Reap it, then tell "someone else's display" from other failures.
            let _ = child.wait();
            if logs::mentions(&log, "already active")
                || logs::mentions(&log, "address already in use")
                || logs::mentions(&log, "cannot establish any listening sockets")
            {
                let holder = std::fs::read_to_string(display.lock_file())
                    .ok()
                    .and_then(|t| lock_holder(&t))
                    .filter(|&pid| pid != xvfb.pid)
                    .map(|pid| (pid, proc::cmdline(pid)));
                return Err(Error::DisplayTaken {
                    display: display.to_string(),
                    holder,
                });
            }
            Err(Error::StartFailed {
                what: "Xvfb",
                reason: "it exited during start-up".to_owned(),
                tail: logs::tail(&log, 25),
                log,
            })
        }
        Err(_) => Err(Error::NotReady {
            what: "Xvfb",
            reason: format!("it did not report display {display} as ready"),
            within: READY_WITHIN,
            tail: logs::tail(&log, 25),
            log,
        }),
    }
}
