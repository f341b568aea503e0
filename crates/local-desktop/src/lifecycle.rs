//! `up`, `down` and `status` of one desktop, and the server-only operations the fault tests need.
//!
//! Every command that changes the desktop holds the state directory's lock, so `up` and `down` (and the
//! watchdog's `down`) never interleave. `up` is idempotent: a desktop that is fully up is reported, a
//! half-dead one is cleaned up and started afresh, and a start-up that fails stops what it had started.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::process::Signal;

use crate::config::{DesktopConfig, Display, Screen};
use crate::proc::{self, ProcRef, Stopped};
use crate::state::{State, StateDir};
use crate::{Error, Supervision, net, openbox, prereqs, server, watchdog, xvfb};

/// A progress line for people ("starting Xvfb :99 (1280x800x24)"); the CLI prints them on stderr.
pub type Progress<'a> = &'a mut dyn FnMut(&str);

/// What `up` did.
#[derive(Debug)]
pub struct Up {
    /// The running desktop.
    pub desktop: Desktop,
    /// It was already up; nothing was started.
    pub already_up: bool,
    /// How long `up` took.
    pub took: Duration,
}

/// A desktop that is (or was recently) up, as its state file describes it.
#[derive(Debug, Clone)]
pub struct Desktop {
    dir: StateDir,
    state: State,
}

impl Desktop {
    /// The desktop recorded in `state_dir`; `None` when there is none.
    pub fn open(state_dir: &Path) -> Result<Option<Desktop>, Error> {
        let dir = StateDir::new(state_dir);
        Ok(dir.load()?.map(|state| Desktop { dir, state }))
    }

    /// The X display.
    pub fn display(&self) -> Display {
        self.state.display
    }

    /// Its screen.
    pub fn screen(&self) -> Screen {
        self.state.screen
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.state.port
    }

    /// `ws://127.0.0.1:PORT/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.state.port)
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where the parts' logs are.
    pub fn log_dir(&self) -> PathBuf {
        self.dir.log_dir()
    }

    /// The recorded processes.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// (Re)starts only the server on the recorded display and port and waits until it answers; a leftover
    /// (killed, frozen) server group is stopped first. Xvfb must still run.
    pub fn start_server(&mut self, within: Duration) -> Result<(), Error> {
        let _lock = self.dir.lock()?;
        let mut state = self.dir.load()?.ok_or_else(|| Error::NotUp {
            state_dir: self.dir.path().to_path_buf(),
        })?;
        if !state.xvfb.is_some_and(|x| x.alive()) {
            return Err(Error::NotUp {
                state_dir: self.dir.path().to_path_buf(),
            });
        }
        if let Some(server) = state.server {
            if server.alive() && net::status(state.port, Duration::from_secs(2)).is_some() {
                self.state = state;
                return Ok(());
            }
            stop(server, "cua-computer-server")?;
        }
        let server = server::start(&state, &self.dir)?;
        state.server = Some(server);
        self.dir.save(&state)?;
        self.state = state;
        server::await_ready(server, self.state.port, &self.dir, within)?;
        Ok(())
    }

    /// Stops only the server (its whole process group); Xvfb and openbox keep running.
    pub fn stop_server(&self) -> Result<(), Error> {
        let _lock = self.dir.lock()?;
        if let Some(server) = self.dir.load()?.and_then(|s| s.server) {
            stop(server, "cua-computer-server")?;
        }
        Ok(())
    }

    /// Sends `signal` to the server's process group (a fault for tests: kill, freeze, thaw). After
    /// [`ServerSignal::Kill`] it waits until the group is gone.
    pub fn signal_server(&self, signal: ServerSignal) -> Result<(), Error> {
        let server = self
            .state
            .server
            .filter(ProcRef::alive)
            .ok_or_else(|| Error::NotUp {
                state_dir: self.dir.path().to_path_buf(),
            })?;
        proc::signal_group(server.pid, signal.as_rustix()).map_err(Error::io(format!(
            "cannot signal the server's group {}",
            server.pid
        )))?;
        if matches!(signal, ServerSignal::Kill)
            && !proc::wait_group_gone(server.pid, proc::TERM_GRACE)
        {
            return Err(Error::Io {
                action: format!("the server's group {} after SIGKILL", server.pid),
                source: std::io::Error::other("still running after 5 s"),
            });
        }
        Ok(())
    }
}

/// Signals the fault helpers send to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSignal {
    /// SIGKILL: the server (and what it launched) dies without cleaning up.
    Kill,
    /// SIGSTOP: connections stay open but nothing answers (a hung server).
    Stop,
    /// SIGCONT: undoes [`ServerSignal::Stop`].
    Cont,
}

impl ServerSignal {
    fn as_rustix(self) -> Signal {
        match self {
            ServerSignal::Kill => Signal::KILL,
            ServerSignal::Stop => Signal::STOP,
            ServerSignal::Cont => Signal::CONT,
        }
    }
}

/// Starts the desktop `config` describes and waits until the server answers `GET /status`.
pub fn up(config: &DesktopConfig, progress: Progress<'_>) -> Result<Up, Error> {
    let began = Instant::now();
    let dir = StateDir::new(&config.state_dir);
    let _lock = dir.lock()?;
    if let Some(state) = dir.load()? {
        if is_up(&state) {
            if state.display != config.display || state.port != config.port {
                return Err(Error::AlreadyUpElsewhere {
                    display: state.display.to_string(),
                    port: state.port,
                    wanted_display: config.display.to_string(),
                    wanted_port: config.port,
                    state_dir: dir.path().to_path_buf(),
                });
            }
            progress("already up");
            return Ok(Up {
                desktop: Desktop { dir, state },
                already_up: true,
                took: began.elapsed(),
            });
        }
        progress(&format!(
            "stale state in {} (a part is not running); cleaning up first",
            dir.path().display()
        ));
        teardown(&state, &dir, progress)?;
    }
    let tied = matches!(config.supervision, Supervision::TiedToThisProcess);
    prereqs::check(&config.venv, tied)?;
    std::fs::create_dir_all(dir.log_dir()).map_err(Error::io(format!(
        "cannot create {}",
        dir.log_dir().display()
    )))?;
    // Each `up` starts a fresh server log (restarts within one `up` append to it).
    std::fs::write(dir.log("server"), "").map_err(Error::io(format!(
        "cannot write {}",
        dir.log("server").display()
    )))?;
    let mut state = State {
        display: config.display,
        screen: config.screen,
        port: config.port,
        venv: config.venv.clone(),
        server_env: config.server_env.clone(),
        tied,
        xvfb: None,
        openbox: None,
        server: None,
        watchdog: None,
    };
    dir.save(&state)?;
    match start_parts(config, &dir, &mut state, progress) {
        Ok(()) => {
            progress(&format!("up in {:.3} s", began.elapsed().as_secs_f64()));
            Ok(Up {
                desktop: Desktop { dir, state },
                already_up: false,
                took: began.elapsed(),
            })
        }
        Err(error) => {
            progress("start-up failed; stopping what was started");
            // From memory, not the file: the file may be what failed.
            if let Err(cleanup) = teardown(&state, &dir, &mut |_| {}) {
                progress(&format!("cleanup failed too: {cleanup}"));
            }
            Err(error)
        }
    }
}

fn start_parts(
    config: &DesktopConfig,
    dir: &StateDir,
    state: &mut State,
    progress: Progress<'_>,
) -> Result<(), Error> {
    server::check_port_free(config.port)?;
    xvfb::check_display_free(config.display)?;
    // The watchdog goes first, so an owner killed during start-up is covered too.
    if let Supervision::Owner { pid, host } = &config.supervision {
        let owner = ProcRef::of(*pid)
            .ok_or_else(|| Error::invalid("owner pid", &pid.to_string(), "a running process"))?;
        state.watchdog = Some(watchdog::spawn(host, owner, dir)?);
        dir.save(state)?;
    }
    progress(&format!(
        "starting Xvfb {} ({})",
        config.display, config.screen
    ));
    xvfb::start(
        config.display,
        config.screen,
        dir,
        state.tied,
        config.ready_timeout,
        |xvfb| {
            state.xvfb = Some(xvfb);
            dir.save(state)
        },
    )?;
    progress("starting openbox");
    let openbox = openbox::start(config.display, dir, state.tied)?;
    state.openbox = Some(openbox);
    dir.save(state)?;
    progress(&format!(
        "starting cua-computer-server {} on 127.0.0.1:{}",
        crate::SERVER_VERSION,
        config.port
    ));
    // The server's Python start-up (seconds) overlaps openbox's.
    let server = server::start(state, dir)?;
    state.server = Some(server);
    dir.save(state)?;
    openbox::await_ready(openbox, config.display, dir, config.ready_timeout)?;
    server::await_ready(server, config.port, dir, config.ready_timeout)?;
    Ok(())
}

/// Stops the desktop recorded in `state_dir` (watchdog, server, openbox, Xvfb) and removes its state file;
/// the logs stay. Returns whether there was one. Idempotent.
pub fn down(state_dir: &Path, progress: Progress<'_>) -> Result<bool, Error> {
    let dir = StateDir::new(state_dir);
    let _lock = dir.lock()?;
    let Some(state) = dir.load()? else {
        return Ok(false);
    };
    progress(&format!(
        "stopping the desktop on {} (port {})",
        state.display, state.port
    ));
    teardown(&state, &dir, progress)?;
    Ok(true)
}

/// Stops what `state` names, the watchdog first so it cannot race us, then removes the state file. Every
/// part is tried even when one fails; the first failure is returned.
fn teardown(state: &State, dir: &StateDir, progress: Progress<'_>) -> Result<(), Error> {
    let me = std::process::id();
    let parts = [
        (state.watchdog.filter(|w| w.pid != me), "watchdog"),
        (state.server, "cua-computer-server"),
        (state.openbox, "openbox"),
        (state.xvfb, "Xvfb"),
    ];
    let mut first_error = None;
    for (part, name) in parts {
        let Some(part) = part else { continue };
        match stop(part, name) {
            Ok(Stopped::Killed) => progress(&format!("{name} ignored SIGTERM; killed it")),
            Ok(Stopped::PidReused) => progress(&format!(
                "not stopping {name}: pid {} now belongs to another process",
                part.pid
            )),
            Ok(_) => {}
            Err(e) => {
                progress(&e.to_string());
                first_error.get_or_insert(e);
            }
        }
    }
    dir.remove()?;
    first_error.map_or(Ok(()), Err)
}

fn stop(part: ProcRef, name: &str) -> Result<Stopped, Error> {
    proc::stop_group(part).map_err(Error::io(format!("cannot stop {name}")))
}

/// Fully up: every recorded part runs and the server answers.
fn is_up(state: &State) -> bool {
    [state.xvfb, state.openbox, state.server]
        .iter()
        .all(|p| p.is_some_and(|p| p.alive()))
        && net::status(state.port, Duration::from_secs(2)).is_some()
}

/// One part's state in [`Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartState {
    /// Running (for the server: and answering).
    Up,
    /// The server runs but does not answer `GET /status` (frozen or busy).
    NotAnswering,
    /// Not running.
    Down,
}

/// What `status` found.
#[derive(Debug, Clone)]
pub struct Status {
    /// The recorded desktop; `None` when nothing is recorded (down).
    pub desktop: Option<Desktop>,
    /// Xvfb.
    pub xvfb: PartState,
    /// openbox.
    pub openbox: PartState,
    /// cua-computer-server.
    pub server: PartState,
    /// The server's `GET /status` answer.
    pub server_status: Option<String>,
}

impl Status {
    /// Every part is up.
    pub fn is_up(&self) -> bool {
        self.desktop.is_some()
            && [self.xvfb, self.openbox, self.server]
                .iter()
                .all(|p| *p == PartState::Up)
    }
}

/// Looks at the desktop recorded in `state_dir` without changing anything.
pub fn status(state_dir: &Path) -> Result<Status, Error> {
    let Some(desktop) = Desktop::open(state_dir)? else {
        return Ok(Status {
            desktop: None,
            xvfb: PartState::Down,
            openbox: PartState::Down,
            server: PartState::Down,
            server_status: None,
        });
    };
    let running = |p: Option<ProcRef>| {
        if p.is_some_and(|p| p.alive()) {
            PartState::Up
        } else {
            PartState::Down
        }
    };
    let server_status = desktop
        .state
        .server
        .filter(ProcRef::alive)
        .and_then(|_| net::status(desktop.port(), Duration::from_secs(2)));
    let server = match (running(desktop.state.server), &server_status) {
        (PartState::Up, None) => PartState::NotAnswering,
        (state, _) => state,
    };
    Ok(Status {
        xvfb: running(desktop.state.xvfb),
        openbox: running(desktop.state.openbox),
        server,
        server_status,
        desktop: Some(desktop),
    })
}
