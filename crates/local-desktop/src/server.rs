//! cua-computer-server on 127.0.0.1: started from the venv with telemetry off, ready when the listening
//! socket is its own and `GET /status` answers 200.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::proc::{self, ProcRef};
use crate::spawn::{self, DeathSignal, Part};
use crate::state::{State, StateDir};
use crate::{Error, logs, net};

/// How long a listening socket that no process holds any more may take to go away: a server just killed
/// can leave its listener in the socket table for a moment on a loaded machine (seen in CI while the kernel
/// tore down a SIGKILLed server with connections pending).
const ORPHAN_LISTENER_GRACE: Duration = Duration::from_secs(5);

/// Fails with [`Error::PortTaken`] when anything listens on `port` (loopback or wildcard). A listener that
/// no process holds is waited for up to [`ORPHAN_LISTENER_GRACE`] before it counts as taken.
pub(crate) fn check_port_free(port: u16) -> Result<(), Error> {
    let started = Instant::now();
    loop {
        let Some(inode) = net::listener_inode(port) else {
            return Ok(());
        };
        let holder = net::socket_holder(inode);
        if holder.is_some() || started.elapsed() > ORPHAN_LISTENER_GRACE {
            return Err(Error::PortTaken {
                port,
                holder: holder.map(|pid| (pid, proc::cmdline(pid))),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts the server for `state` (its display, port, venv and extra environment); does not wait.
pub(crate) fn start(state: &State, dir: &StateDir) -> Result<ProcRef, Error> {
    check_port_free(state.port)?;
    let log = dir.log("server");
    // A header per start, so a restarted server's log shows both runs.
    let header = format!(
        "=== {}: starting cua-computer-server on 127.0.0.1:{}, DISPLAY={}\n",
        logs::timestamp(),
        state.port,
        state.display
    );
    std::fs::File::options()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| f.write_all(header.as_bytes()))
        .map_err(Error::io(format!("cannot write {}", log.display())))?;
    let mut command = Command::new(state.venv.join("bin").join("cua-computer-server"));
    command
        .args(["--host", "127.0.0.1", "--port", &state.port.to_string()])
        // Cloud mode only when a test asks for it; never inherited from the caller's shell.
        .env_remove("CONTAINER_NAME")
        .env("DISPLAY", state.display.to_string())
        .env("CUA_TELEMETRY", "0")
        .env("DO_NOT_TRACK", "1")
        .envs(state.server_env.iter().map(|(k, v)| (k, v)));
    let child = spawn::spawn(Part {
        command,
        name: "cua-computer-server",
        log: &log,
        tie: state.tied.then_some(DeathSignal::Kill),
    })?;
    Ok(ProcRef::of_child(&child))
}

/// Waits until `server` holds the listening socket on `port` and answers `GET /status`; returns the answer.
pub(crate) fn await_ready(
    server: ProcRef,
    port: u16,
    dir: &StateDir,
    within: Duration,
) -> Result<String, Error> {
    let log = dir.log("server");
    let started = Instant::now();
    loop {
        if !server.alive() {
            proc::reap(server.pid);
            if logs::mentions(&log, "address already in use") {
                return Err(Error::PortTaken {
                    port,
                    holder: net::listener_inode(port)
                        .and_then(net::socket_holder)
                        .map(|pid| (pid, proc::cmdline(pid))),
                });
            }
            return Err(Error::StartFailed {
                what: "cua-computer-server",
                reason: "it exited during start-up".to_owned(),
                tail: logs::tail(&log, 25),
                log,
            });
        }
        let ours = net::listener_inode(port).is_some_and(|i| net::pid_holds_socket(server.pid, i));
        if ours && let Some(body) = net::status(port, Duration::from_secs(1)) {
            return Ok(body);
        }
        if started.elapsed() > within {
            return Err(Error::NotReady {
                what: "cua-computer-server",
                reason: format!("GET http://127.0.0.1:{port}/status did not answer"),
                within,
                tail: logs::tail(&log, 25),
                log,
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
