//! `computer-use vm up|status|down` for the local provider, through the real binary against the real Xvfb,
//! openbox and cua-computer-server: what scripts and people rely on — the exit status (0, 1, 3 display
//! taken, 4 port taken), the `CUA_*` variables scripts/desktop read, the JSON, the owner watchdog, and that
//! `down` leaves nothing running. They need `scripts/bootstrap` to have been run; they fail loudly otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use testkit::desktop::process_alive;

fn cli(state_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_computer-use"));
    command
        .env("CUA_STATE_DIR", state_dir)
        .env("CUA_READY_TIMEOUT", "60")
        .env_remove("CUA_DISPLAY")
        .env_remove("CUA_PORT")
        .env_remove("CUA_OWNER_PID")
        .env_remove("COMPUTER_USE_CONFIG");
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    eprintln!(
        "--- {:?}: {}\n{}{}",
        command.get_args().collect::<Vec<_>>(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_display() -> String {
    let seed = std::process::id();
    (0..1000u32)
        .map(|i| 20_000 + (seed.wrapping_mul(31).wrapping_add(i * 7_919)) % 10_000)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .map(|n| format!(":{n}"))
        .unwrap()
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

fn pids(up: &Value) -> Vec<u32> {
    ["xvfb", "openbox", "server", "watchdog"]
        .iter()
        .filter_map(|k| up["pids"][k].as_u64())
        .map(|p| p as u32)
        .collect()
}

#[test]
fn up_status_down_with_the_scripts_variables() {
    let state = tempfile::tempdir().unwrap();
    let (display, port) = (free_display(), free_port());

    let up = run(cli(state.path())
        .args(["--json", "vm", "up", "--screen", "800x600"])
        .env("CUA_DISPLAY", &display)
        .env("CUA_PORT", port.to_string()));
    assert!(up.status.success());
    let up: Value = serde_json::from_slice(&up.stdout).unwrap();
    assert_eq!(up["url"], format!("ws://127.0.0.1:{port}/ws"));
    assert_eq!(up["display"], display.as_str());
    assert_eq!(up["screen"], "800x600x24");
    assert_eq!(up["alreadyUp"], false);
    let all = pids(&up);
    assert_eq!(all.len(), 3, "{up}");

    // The rest of the CLI reaches the desktop `vm up` started (same port through the configuration).
    let status = run(cli(state.path())
        .args(["--json", "status"])
        .env("COMPUTER_USE_SERVER_PORT", port.to_string()));
    assert!(status.status.success());
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["screenWidth"], 800, "{status}");

    let vm_status = run(cli(state.path()).args(["vm", "status"]));
    assert!(vm_status.status.success());
    let text = String::from_utf8_lossy(&vm_status.stdout);
    assert!(
        text.contains(&format!("display: up, {display} (800x600x24")) && text.ends_with("up\n"),
        "{text}"
    );

    let down = run(cli(state.path()).args(["vm", "down"]));
    assert!(down.status.success());
    for pid in all {
        assert!(!process_alive(pid), "pid {pid} still running after vm down");
    }
    assert!(TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err());

    let after = run(cli(state.path()).args(["vm", "status"]));
    assert_eq!(after.status.code(), Some(1), "down is exit status 1");
    assert!(String::from_utf8_lossy(&after.stdout).starts_with("down (no state in"));
}

#[test]
fn a_taken_port_is_exit_status_4_and_a_taken_display_3() {
    let state = tempfile::tempdir().unwrap();
    let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = holder.local_addr().unwrap().port();
    let taken_port = run(cli(state.path())
        .args(["vm", "up", "--display", &free_display()])
        .args(["--port", &port.to_string()]));
    assert_eq!(taken_port.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&taken_port.stderr);
    assert!(
        stderr.contains(&format!(
            "port {port} is in use by pid {}",
            std::process::id()
        )),
        "{stderr}"
    );
    drop(holder);

    let display = free_display();
    let mut x = Command::new("Xvfb")
        .args([&display, "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/bootstrap installs it)");
    let lock = format!("/tmp/.X{}-lock", &display[1..]);
    assert!(eventually(Duration::from_secs(10), || Path::new(&lock).exists()));
    let taken_display = run(cli(state.path())
        .args(["vm", "up", "--display", &display])
        .args(["--port", &free_port().to_string()]));
    x.kill().unwrap();
    x.wait().unwrap();
    assert_eq!(taken_display.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&taken_display.stderr);
    assert!(
        stderr.contains(&format!("display {display} is in use by pid {}", x.id())),
        "{stderr}"
    );
    assert!(
        !state.path().join("state.json").exists(),
        "failed ups leave no state"
    );
}

#[test]
fn a_missing_venv_names_the_bootstrap_command() {
    let state = tempfile::tempdir().unwrap();
    let venv = state.path().join("no-venv");
    let out = run(cli(state.path())
        .args(["vm", "up", "--display", &free_display()])
        .args(["--port", &free_port().to_string()])
        .env("CUA_VENV", &venv));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&venv.display().to_string())
            && stderr.contains(&format!("`CUA_VENV={} ", venv.display()))
            && stderr.contains("scripts/bootstrap`"),
        "{stderr}"
    );
}

#[test]
fn the_owner_watchdog_stops_the_desktop_when_the_owner_dies() {
    let state = tempfile::tempdir().unwrap();
    let mut owner = Command::new("sleep").arg("600").spawn().unwrap();
    let up = run(cli(state.path())
        .args(["--json", "vm", "up", "--display", &free_display()])
        .args(["--port", &free_port().to_string()])
        .env("CUA_OWNER_PID", owner.id().to_string()));
    assert!(up.status.success());
    let up: Value = serde_json::from_slice(&up.stdout).unwrap();
    let all = pids(&up);
    assert_eq!(
        all.len(),
        4,
        "a watchdog runs besides the three parts: {up}"
    );
    assert!(all.iter().all(|&p| process_alive(p)));

    owner.kill().unwrap();
    owner.wait().unwrap();

    for pid in all {
        assert!(
            eventually(Duration::from_secs(10), || !process_alive(pid)),
            "pid {pid} still running 10 s after the owner died"
        );
    }
    assert!(!state.path().join("state.json").exists());
}
