//! Runs `scripts/desktop` for one private desktop and reads the state file it writes, so the Rust harness
//! and the shell tooling share one implementation of starting, stopping and signalling the processes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `scripts/desktop up` exit status when the X display number is taken by someone else.
pub(crate) const EXIT_DISPLAY_BUSY: i32 = 3;
/// `scripts/desktop up` exit status when the TCP port is taken by someone else.
pub(crate) const EXIT_PORT_BUSY: i32 = 4;

/// Location of the script, resolved from this crate's source directory so tests work from any cwd.
pub(crate) fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/desktop")
}

/// One invocation context: the state directory that identifies the desktop plus the variables for `up`.
#[derive(Debug)]
pub(crate) struct Script {
    pub(crate) state_dir: PathBuf,
    pub(crate) env: Vec<(&'static str, String)>,
}

impl Script {
    /// Runs `scripts/desktop <args>` and waits for it; panics only if bash itself cannot be spawned.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let path = script_path();
        // Through bash, so a checkout that lost the executable bit still works.
        let mut command = Command::new("bash");
        command
            .arg(&path)
            .args(args)
            .env("CUA_STATE_DIR", &self.state_dir)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())));
        match command.output() {
            Ok(output) => output,
            Err(err) => panic!(
                "testkit::desktop: cannot run `bash {} {}`: {err} (is bash installed?)",
                path.display(),
                args.join(" ")
            ),
        }
    }

    /// Like [`Script::run`] but panics with the script's output unless it exits 0.
    pub(crate) fn run_ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        if !output.status.success() {
            panic!(
                "testkit::desktop: `scripts/desktop {}` failed ({})\n{}",
                args.join(" "),
                output.status,
                describe(&output)
            );
        }
        output
    }

    /// Reads `state.env` (KEY=VALUE lines written by `scripts/desktop`).
    pub(crate) fn state(&self) -> Result<State, String> {
        let path = self.state_dir.join("state.env");
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        Ok(State(
            text.lines()
                .filter_map(|line| line.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
    }
}

/// Parsed `state.env`.
pub(crate) struct State(HashMap<String, String>);

impl State {
    /// A recorded pid (the script always writes XVFB_PID, WM_PID and SERVER_PID once up).
    pub(crate) fn pid(&self, key: &str) -> Result<u32, String> {
        match self.0.get(key).map(|v| v.parse::<u32>()) {
            Some(Ok(pid)) => Ok(pid),
            other => Err(format!("state.env has no valid {key} (got {other:?})")),
        }
    }
}

/// The pids of a desktop that is up.
pub(crate) struct Pids {
    pub(crate) xvfb: u32,
    pub(crate) window_manager: u32,
    pub(crate) server: u32,
}

impl Pids {
    pub(crate) fn read(script: &Script) -> Result<Pids, String> {
        let state = script.state()?;
        Ok(Pids {
            xvfb: state.pid("XVFB_PID")?,
            window_manager: state.pid("WM_PID")?,
            server: state.pid("SERVER_PID")?,
        })
    }
}

/// The script's exit status, stdout and stderr, for panic messages.
pub(crate) fn describe(output: &Output) -> String {
    format!(
        "--- stdout ---\n{}--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
