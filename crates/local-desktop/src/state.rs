//! The state directory of one desktop: `state.json` (what was started, by pid and start time), the
//! `.lock` that serialises commands on it, and `logs/`.
//!
//! Why a file: `up` returns while the desktop keeps running, and `down`, `status`, the watchdog and the test
//! harness's fault helpers are other processes or later calls. The file is rewritten (atomically) after each
//! process starts, so a start-up that is killed halfway still leaves enough for `down` to clean up.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::FlockOperation;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::config::{Display, Screen};
use crate::proc::ProcRef;

/// How long a command waits for another one working on the same desktop.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// What `up` started, as recorded in `state.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// The X display.
    pub display: Display,
    /// Its screen.
    pub screen: Screen,
    /// The server's loopback port.
    pub port: u16,
    /// The venv the server runs from (a restart uses the same).
    pub venv: PathBuf,
    /// Extra environment of the server (kept for restarts).
    #[serde(default)]
    pub server_env: Vec<(String, String)>,
    /// Processes die with the process that started them (see [`crate::Supervision::TiedToThisProcess`]).
    #[serde(default)]
    pub tied: bool,
    /// Xvfb.
    pub xvfb: Option<ProcRef>,
    /// openbox.
    pub openbox: Option<ProcRef>,
    /// cua-computer-server.
    pub server: Option<ProcRef>,
    /// The watchdog, when an owner process was given.
    pub watchdog: Option<ProcRef>,
}

/// The files of one desktop's state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    /// The state directory at `root` (nothing is created until needed).
    pub fn new(root: impl Into<PathBuf>) -> StateDir {
        StateDir { root: root.into() }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// `logs/`: `xvfb.log`, `openbox.log`, `server.log`, `watchdog.log`.
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// One part's log file.
    pub fn log(&self, name: &str) -> PathBuf {
        self.log_dir().join(format!("{name}.log"))
    }

    fn file(&self) -> PathBuf {
        self.root.join("state.json")
    }

    /// The recorded state; `None` when there is none (never started, or stopped).
    pub fn load(&self) -> Result<Option<State>, Error> {
        let path = self.file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::State {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::State {
                path,
                reason: format!("not a desktop state ({e})"),
            })
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    pub(crate) fn save(&self, state: &State) -> Result<(), Error> {
        let path = self.file();
        let tmp = self
            .root
            .join(format!("state.json.tmp.{}", std::process::id()));
        let text = serde_json::to_string_pretty(state).map_err(|e| Error::State {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| Error::State {
                path,
                reason: e.to_string(),
            })
    }

    /// Removes the state file (the logs stay for post-mortems).
    pub(crate) fn remove(&self) -> Result<(), Error> {
        match std::fs::remove_file(self.file()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::State {
                path: self.file(),
                reason: e.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Takes the directory's lock (creating the directory), waiting up to two minutes for another command.
    /// The lock is released when the returned guard is dropped, or by the kernel when this process dies.
    pub(crate) fn lock(&self) -> Result<Lock, Error> {
        std::fs::create_dir_all(&self.root)
            .map_err(Error::io(format!("cannot create {}", self.root.display())))?;
        let path = self.root.join(".lock");
        // Rust opens files close-on-exec, so the desktop's processes never inherit (and keep) the lock.
        let file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(Error::io(format!("cannot open {}", path.display())))?;
        let started = Instant::now();
        loop {
            match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(Lock { _file: file }),
                Err(rustix::io::Errno::WOULDBLOCK | rustix::io::Errno::INTR) => {}
                Err(e) => {
                    return Err(Error::Io {
                        action: format!("cannot lock {}", path.display()),
                        source: e.into(),
                    });
                }
            }
            if started.elapsed() > LOCK_WAIT {
                return Err(Error::Locked {
                    path,
                    within: LOCK_WAIT,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Holds a state directory's lock until dropped.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}
