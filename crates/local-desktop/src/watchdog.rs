//! The watchdog: a small process that stops the desktop once its owner process has exited, so a benchmark
//! or test script killed outright (SIGKILL, a CI time limit) does not leave a desktop behind.
//!
//! A library cannot start "itself" as a separate process, so the host program supplies the command that
//! runs [`run_from_env`] ([`WatchdogHost`]; `computer-use` has a hidden `vm watchdog` for it). The state
//! directory and the owner travel in environment variables, so the host's argument parsing stays trivial.
//! The owner is recorded with its start time: a reused pid does not keep the desktop alive.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::proc::ProcRef;
use crate::spawn::{self, Part};
use crate::state::StateDir;
use crate::{Error, lifecycle};

/// Environment variable naming the state directory the watchdog guards.
pub const STATE_DIR_ENV: &str = "LOCAL_DESKTOP_WATCHDOG_STATE_DIR";
/// Environment variable naming the owner, `PID:START`.
pub const OWNER_ENV: &str = "LOCAL_DESKTOP_WATCHDOG_OWNER";
/// How often the owner is looked at: the desktop is gone within about this long after the owner.
const POLL: Duration = Duration::from_millis(500);

/// The program (and leading arguments) that runs [`run_from_env`] in a process of its own.
#[derive(Debug, Clone)]
pub struct WatchdogHost {
    /// The executable, e.g. the `computer-use` binary itself.
    pub program: PathBuf,
    /// Its arguments, e.g. `["vm", "watchdog"]`.
    pub args: Vec<OsString>,
}

/// Starts the watchdog for the desktop in `dir`, owned by `owner`.
pub(crate) fn spawn(host: &WatchdogHost, owner: ProcRef, dir: &StateDir) -> Result<ProcRef, Error> {
    let mut command = Command::new(&host.program);
    command
        .args(&host.args)
        .env(STATE_DIR_ENV, dir.path())
        .env(OWNER_ENV, format!("{}:{}", owner.pid, owner.start));
    let child = spawn::spawn(Part {
        command,
        name: "watchdog",
        log: &dir.log("watchdog"),
        tie: None,
    })?;
    Ok(ProcRef::of_child(&child))
}

/// The watchdog's body: waits while the owner runs, then stops the desktop (`down`). Returns when the
/// desktop is down; fails when the environment does not name a state directory and an owner.
pub fn run_from_env() -> Result<(), Error> {
    let dir = std::env::var_os(STATE_DIR_ENV)
        .map(StateDir::new)
        .ok_or_else(|| Error::invalid(STATE_DIR_ENV, "", "the state directory to guard"))?;
    let owner_text = std::env::var(OWNER_ENV).unwrap_or_default();
    let owner = owner_text
        .split_once(':')
        .and_then(|(pid, start)| {
            Some(ProcRef {
                pid: pid.parse().ok()?,
                start: start.parse().ok()?,
            })
        })
        .ok_or_else(|| Error::invalid(OWNER_ENV, &owner_text, "PID:START of the owner"))?;
    while owner.alive() {
        std::thread::sleep(POLL);
    }
    eprintln!(
        "watchdog: owner pid {} exited at about {}; stopping the desktop in {}",
        owner.pid,
        crate::logs::timestamp(),
        dir.path().display()
    );
    lifecycle::down(dir.path(), &mut |line| eprintln!("watchdog: {line}"))?;
    Ok(())
}
