//! Starting one part of the desktop: in its own process group, stdin from /dev/null, output appended to its
//! log, and — for a desktop tied to this process — with a parent-death signal.
//!
//! Why a process group per part: `down` and the fault helpers signal a part together with everything it
//! started (the server's launched apps die with it), and a terminal's Ctrl-C, sent to the foreground group,
//! does not reach the desktop. `process_group(0)` is std's safe `setpgid(0, 0)`; the workspace forbids
//! `unsafe`, so no `pre_exec` hooks.
//!
//! Why a keeper thread for tied desktops: Linux delivers the parent-death signal when the *thread* that
//! spawned a child exits, not the process. Tests start desktops from short-lived threads, so every tied
//! part is spawned from one thread that lives as long as the process. `setpriv --pdeathsig` (util-linux)
//! arms the signal between fork and exec without `unsafe` here.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;

use crate::Error;

/// The signal a tied part gets when this process dies: TERM lets Xvfb remove its lock file; the server is
/// killed outright, since SIGTERM would stay pending forever on a server a test froze with SIGSTOP.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DeathSignal {
    Term,
    Kill,
}

/// How to start one part.
pub(crate) struct Part<'a> {
    /// The program and its arguments, environment included.
    pub command: Command,
    /// Name for messages.
    pub name: &'static str,
    /// Its log file (appended to).
    pub log: &'a Path,
    /// Die with this process (`Some`) or live on until stopped (`None`).
    pub tie: Option<DeathSignal>,
}

/// Starts `part`; the child leads its own process group (pid == pgid).
pub(crate) fn spawn(part: Part<'_>) -> Result<Child, Error> {
    let Part {
        command,
        name,
        log,
        tie,
    } = part;
    let program = command.get_program().to_string_lossy().into_owned();
    let log_file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(Error::io(format!(
            "cannot open {name}'s log {}",
            log.display()
        )))?;
    let stderr = log_file.try_clone().map_err(Error::io(format!(
        "cannot open {name}'s log {}",
        log.display()
    )))?;
    let mut command = match tie {
        None => command,
        Some(signal) => through_setpriv(command, signal),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(log_file))
        .stderr(Stdio::from(stderr))
        .process_group(0);
    let spawned = match tie {
        None => command.spawn(),
        Some(_) => on_keeper_thread(move || command.spawn()),
    };
    spawned.map_err(|source| Error::Spawn { program, source })
}

/// `setpriv --pdeathsig SIG -- PROGRAM ARGS…` with the original environment and directory.
fn through_setpriv(original: Command, signal: DeathSignal) -> Command {
    let mut command = Command::new("setpriv");
    command.arg("--pdeathsig").arg(match signal {
        DeathSignal::Term => "TERM",
        DeathSignal::Kill => "KILL",
    });
    command
        .arg("--")
        .arg(original.get_program())
        .args(original.get_args());
    for (key, value) in original.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    if let Some(dir) = original.get_current_dir() {
        command.current_dir(dir);
    }
    command
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on the keeper thread (started on first use, never ending) and returns its result.
fn on_keeper_thread(
    job: impl FnOnce() -> std::io::Result<Child> + Send + 'static,
) -> std::io::Result<Child> {
    static KEEPER: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (jobs, receiver) = mpsc::channel::<Job>();
        // If the thread cannot start, the receiver is dropped and every send below fails with a message.
        let _ = std::thread::Builder::new()
            .name("local-desktop-keeper".to_owned())
            .spawn(move || {
                for job in receiver {
                    job();
                }
            });
        jobs
    });
    let (reply, result) = mpsc::channel();
    keeper
        .send(Box::new(move || {
            let _ = reply.send(job());
        }))
        .map_err(|_| {
            std::io::Error::other("the local-desktop keeper thread could not be started")
        })?;
    result
        .recv()
        .map_err(|_| std::io::Error::other("the local-desktop keeper thread stopped"))?
}
