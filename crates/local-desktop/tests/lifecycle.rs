//! The local desktop's lifecycle against the real Xvfb, openbox and cua-computer-server: up → status → down
//! leaves nothing running; a display or port held by someone else is its own error (exit status 3 / 4); a
//! missing venv names scripts/bootstrap; the watchdog and the tie to the starting process stop the desktop
//! when its owner dies. They need `scripts/bootstrap` to have been run; they fail loudly otherwise.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use local_desktop::{
    DesktopConfig, Display, Error, PartState, ProcRef, Screen, State, Supervision, WatchdogHost,
    process_alive,
};

/// A configuration on a display and port nobody uses (collisions are retried by the callers under test).
fn config(state_dir: &Path) -> DesktopConfig {
    let mut config = DesktopConfig::from_env(|k| std::env::var(k).ok()).unwrap();
    config.display = free_display();
    config.port = free_port();
    config.screen = Screen {
        width: 1024,
        height: 768,
        depth: 24,
    };
    config.state_dir = state_dir.to_path_buf();
    config.ready_timeout = Duration::from_secs(60);
    config
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_display() -> Display {
    let seed = std::process::id() ^ Instant::now().elapsed().subsec_nanos();
    (0..1000)
        .map(|i| Display(30_000 + (seed.wrapping_mul(7919).wrapping_add(i * 104_729)) % 30_000))
        .find(|d| !d.lock_file().exists() && !d.socket().exists())
        .unwrap()
}

fn quiet() -> impl FnMut(&str) {
    |line: &str| eprintln!("desktop: {line}")
}

fn pids(state: &State) -> Vec<u32> {
    [state.xvfb, state.openbox, state.server, state.watchdog]
        .into_iter()
        .flatten()
        .map(|p| p.pid)
        .collect()
}

fn eventually(limit: Duration, condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    condition()
}

fn assert_all_gone(pids: &[u32], within: Duration) {
    for &pid in pids {
        assert!(
            eventually(within, || !process_alive(pid)),
            "pid {pid} ({}) still running",
            std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default()
        );
    }
}

#[test]
fn up_status_down_leaves_no_process() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());

    let up = local_desktop::up(&config, &mut quiet()).unwrap();
    eprintln!("up took {:?}", up.took);
    assert!(!up.already_up);
    let state = up.desktop.state().clone();
    assert_eq!(pids(&state).len(), 3, "{state:?}");
    assert_eq!(
        up.desktop.ws_url(),
        format!("ws://127.0.0.1:{}/ws", config.port)
    );

    let status = local_desktop::status(dir.path()).unwrap();
    assert!(status.is_up(), "{status:?}");
    let answer = status.server_status.clone().unwrap_or_default();
    assert!(answer.contains(r#""status":"ok""#), "{answer}");
    // The server drives this display, at this size.
    let geometry = Command::new("xdotool")
        .arg("getdisplaygeometry")
        .env("DISPLAY", config.display.to_string())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&geometry.stdout).trim(), "1024 768");

    // `up` again is a no-op that reports the running desktop.
    let again = local_desktop::up(&config, &mut quiet()).unwrap();
    assert!(again.already_up);
    assert_eq!(again.desktop.state(), &state);

    assert!(local_desktop::down(dir.path(), &mut quiet()).unwrap());
    assert_all_gone(&pids(&state), Duration::ZERO);
    assert!(
        TcpStream::connect((Ipv4Addr::LOCALHOST, config.port)).is_err(),
        "port {} still accepts connections",
        config.port
    );
    assert!(!config.display.lock_file().exists(), "Xvfb left its lock");
    assert!(!dir.path().join("state.json").exists());
    assert!(
        dir.path().join("logs/server.log").is_file(),
        "logs are kept"
    );
    let status = local_desktop::status(dir.path()).unwrap();
    assert!(!status.is_up());
    assert_eq!(status.server, PartState::Down);
    // `down` again is a no-op.
    assert!(!local_desktop::down(dir.path(), &mut quiet()).unwrap());
}

#[test]
fn a_display_held_by_another_x_server_is_exit_status_3() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let mut other = Command::new("Xvfb")
        .args([&config.display.to_string(), "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/bootstrap installs it)");
    assert!(
        eventually(Duration::from_secs(10), || config
            .display
            .lock_file()
            .exists()),
        "the other Xvfb did not take {}",
        config.display
    );

    let error = local_desktop::up(&config, &mut quiet()).unwrap_err();
    let message = error.to_string();
    other.kill().unwrap();
    other.wait().unwrap();

    assert!(matches!(error, Error::DisplayTaken { .. }), "{error:?}");
    assert_eq!(error.exit_code(), 3);
    assert!(
        message.contains(&format!(
            "display {} is in use by pid {}",
            config.display,
            other.id()
        )) && message.contains("pick another display"),
        "{message}"
    );
    assert!(
        !dir.path().join("state.json").exists(),
        "a failed up leaves no state"
    );
}

#[test]
fn a_port_held_by_another_process_is_exit_status_4() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).unwrap();

    let error = local_desktop::up(&config, &mut quiet()).unwrap_err();
    drop(holder);

    assert!(matches!(error, Error::PortTaken { .. }), "{error:?}");
    assert_eq!(error.exit_code(), 4);
    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "port {} is in use by pid {}",
            config.port,
            std::process::id()
        )) && message.contains("pick another port"),
        "{message}"
    );
    assert!(!config.display.lock_file().exists(), "nothing was started");
}

#[test]
fn a_missing_venv_names_scripts_bootstrap() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.venv = dir.path().join("no-venv");

    let error = local_desktop::up(&config, &mut quiet()).unwrap_err();

    assert!(matches!(error, Error::MissingParts { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("scripts/bootstrap")
            && message.contains(&config.venv.display().to_string()),
        "{message}"
    );
    // The venv is not the default, so the command says which one to build.
    assert!(message.contains("CUA_VENV="), "{message}");
}

/// Not a test on its own: the watchdog host that [`the_watchdog_stops_the_desktop_when_its_owner_dies`]
/// starts by running this test binary again (a library cannot re-run itself otherwise).
#[test]
#[ignore = "started by the_watchdog_stops_the_desktop_when_its_owner_dies"]
fn watchdog_host() {
    if std::env::var_os(local_desktop::watchdog::STATE_DIR_ENV).is_some() {
        local_desktop::watchdog::run_from_env().unwrap();
    }
}

#[test]
fn the_watchdog_stops_the_desktop_when_its_owner_dies() {
    let dir = tempfile::tempdir().unwrap();
    let mut owner = Command::new("sleep").arg("600").spawn().unwrap();
    let mut config = config(dir.path());
    config.supervision = Supervision::Owner {
        pid: owner.id(),
        host: WatchdogHost {
            program: std::env::current_exe().unwrap(),
            args: ["--exact", "watchdog_host", "--ignored", "--nocapture"]
                .map(Into::into)
                .to_vec(),
        },
    };
    let up = local_desktop::up(&config, &mut quiet()).unwrap();
    let state = up.desktop.state().clone();
    assert!(state.watchdog.is_some_and(|w| w.alive()), "{state:?}");
    let all = pids(&state);
    assert_eq!(all.len(), 4);

    owner.kill().unwrap();
    owner.wait().unwrap();

    assert_all_gone(&all, Duration::from_secs(10));
    assert!(
        eventually(Duration::from_secs(5), || !dir
            .path()
            .join("state.json")
            .exists()),
        "the watchdog's down removes the state"
    );
    let log = std::fs::read_to_string(dir.path().join("logs/watchdog.log")).unwrap_or_default();
    assert!(
        log.contains(&format!("owner pid {} exited", owner.id())),
        "{log}"
    );
}

/// Not a test on its own: a process that starts a desktop tied to itself, prints its state directory and
/// waits to be killed by [`a_tied_desktop_dies_with_the_process_that_started_it`].
#[test]
#[ignore = "started by a_tied_desktop_dies_with_the_process_that_started_it"]
fn tied_desktop_host() {
    let Some(dir) = std::env::var_os("TIED_DESKTOP_STATE_DIR") else {
        return;
    };
    let mut config = config(Path::new(&dir));
    config.supervision = Supervision::TiedToThisProcess;
    // From a short-lived thread, as tests do: the tie must outlive it.
    std::thread::spawn(move || local_desktop::up(&config, &mut quiet()).unwrap())
        .join()
        .unwrap();
    println!("UP");
    std::thread::sleep(Duration::from_secs(600));
}

#[test]
fn a_tied_desktop_dies_with_the_process_that_started_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut host = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tied_desktop_host", "--ignored", "--nocapture"])
        .env("TIED_DESKTOP_STATE_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = host.stdout.take().unwrap();
    let up = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line == "UP");
    assert!(
        up,
        "the host did not start its desktop (see its stderr above)"
    );
    let state = local_desktop::Desktop::open(dir.path())
        .unwrap()
        .unwrap()
        .state()
        .clone();
    let all = pids(&state);
    assert_eq!(all.len(), 3, "{state:?}");
    assert!(state.server.is_some_and(|s: ProcRef| s.alive()));

    // SIGKILL: no destructor, no cleanup code of the host runs.
    host.kill().unwrap();
    host.wait().unwrap();

    assert_all_gone(&all, Duration::from_secs(5));
    assert!(
        eventually(Duration::from_secs(5), || !state
            .display
            .lock_file()
            .exists()),
        "Xvfb got SIGTERM and removes its lock"
    );
}
