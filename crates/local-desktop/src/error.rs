//! Errors of the local desktop, each saying what to do about it. Two have their own exit status in
//! `computer-use vm up` ([`Error::exit_code`]) because callers retry them with other numbers: a display
//! taken by someone else (3) and a port taken by someone else (4).

use std::path::PathBuf;
use std::time::Duration;

/// Exit status of `computer-use vm up` when the X display is in use by someone else.
pub const EXIT_DISPLAY_TAKEN: u8 = 3;
/// Exit status of `computer-use vm up` when the port is in use by someone else.
pub const EXIT_PORT_TAKEN: u8 = 4;

/// Something the local desktop could not do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting has a value it cannot have.
    #[error("{what} must be {expected}, got `{value}`")]
    Invalid {
        /// The flag, variable or setting.
        what: String,
        /// What was given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// Programs or the server's venv are not installed.
    #[error(
        "the local desktop needs what is missing here:\n{}\n  fix: install them with `{bootstrap}` (Debian packages and the cua-computer-server venv; idempotent), then run `computer-use vm up` again",
        missing.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n")
    )]
    MissingParts {
        /// One line per missing part.
        missing: Vec<String>,
        /// The exact command that installs them.
        bootstrap: String,
    },
    /// The X display is in use by a process this desktop did not start.
    #[error(
        "display {display} is in use{}; pick another display (--display or CUA_DISPLAY)",
        holder_text(holder)
    )]
    DisplayTaken {
        /// The display, `:99`.
        display: String,
        /// Who holds it, when known: pid and command line.
        holder: Option<(u32, String)>,
    },
    /// The port is in use by a process this desktop did not start.
    #[error(
        "port {port} is in use{}, which this desktop did not start; stop it or pick another port (--port or CUA_PORT)",
        holder_text(holder)
    )]
    PortTaken {
        /// The port.
        port: u16,
        /// Who holds it, when known: pid and command line.
        holder: Option<(u32, String)>,
    },
    /// `up` with other numbers than the desktop already running in this state directory.
    #[error(
        "a desktop is already up on display {display}, port {port} (state {}), not on {wanted_display} port {wanted_port}; stop it first with `computer-use vm down`, or use another state directory (--state-dir or CUA_STATE_DIR)",
        state_dir.display()
    )]
    AlreadyUpElsewhere {
        /// The running desktop's display.
        display: String,
        /// The running desktop's port.
        port: u16,
        /// What was asked for.
        wanted_display: String,
        /// What was asked for.
        wanted_port: u16,
        /// The state directory.
        state_dir: PathBuf,
    },
    /// A command that needs a running desktop found none.
    #[error("the local desktop is not up (no state in {}); start it with `computer-use vm up`", state_dir.display())]
    NotUp {
        /// The state directory looked at.
        state_dir: PathBuf,
    },
    /// A program could not be started at all.
    #[error(
        "cannot start {program}: {source} (is it installed? `scripts/bootstrap` installs the desktop's parts)"
    )]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A part exited or failed while starting.
    #[error("{what} failed to start: {reason}\n--- last lines of {} ---\n{tail}---", log.display())]
    StartFailed {
        /// Xvfb, openbox or cua-computer-server.
        what: &'static str,
        /// What was seen.
        reason: String,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// A part did not become ready in time.
    #[error("{what} was not ready within {} s: {reason}; on a slow or busy machine raise the limit (--ready-timeout or CUA_READY_TIMEOUT)\n--- last lines of {} ---\n{tail}---", within.as_secs(), log.display())]
    NotReady {
        /// Xvfb, openbox or cua-computer-server.
        what: &'static str,
        /// What was waited for.
        reason: String,
        /// The limit.
        within: Duration,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// Another command holds the state directory's lock for too long.
    #[error("another `computer-use vm` command holds {} for over {} s; wait for it or stop it", path.display(), within.as_secs())]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        within: Duration,
    },
    /// The state file cannot be read or written.
    #[error("state file {}: {reason}; if no desktop of it is running, remove the file", path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file or process operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The exit status `computer-use vm up` uses for this error: [`EXIT_DISPLAY_TAKEN`], [`EXIT_PORT_TAKEN`],
    /// else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::DisplayTaken { .. } => EXIT_DISPLAY_TAKEN,
            Error::PortTaken { .. } => EXIT_PORT_TAKEN,
            _ => 1,
        }
    }

    pub(crate) fn invalid(what: &str, value: &str, expected: &'static str) -> Error {
        Error::Invalid {
            what: what.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }

    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }
}

fn holder_text(holder: &Option<(u32, String)>) -> String {
    match holder {
        Some((pid, cmdline)) if cmdline.is_empty() => format!(" by pid {pid}"),
        Some((pid, cmdline)) => format!(" by pid {pid} ({cmdline})"),
        None => String::new(),
    }
}
