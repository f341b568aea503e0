//! Tests of the desktop harness itself against the real Xvfb + openbox + cua-computer-server: it starts,
//! the server drives *its* display, several run at once, the fault helpers do what they say, and nothing
//! is left running afterwards, even when the test process is killed. They need `scripts/bootstrap` to have been run; they fail loudly otherwise.
#![expect(clippy::unwrap_used, reason = "test code")]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use testkit::desktop::{Desktop, process_alive};

/// One HTTP/1.1 request over a fresh connection; returns the raw response (headers + body) or the I/O
/// error (connection refused, read timeout).
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    timeout: Duration,
) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn get_status(desktop: &Desktop) -> std::io::Result<String> {
    http(desktop.port(), "GET", "/status", "", Duration::from_secs(5))
}

fn assert_status_ok(desktop: &Desktop) {
    let response = get_status(desktop).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"status":"ok","os_type":"linux""#),
        "unexpected /status answer: {response}"
    );
}

/// Polls `condition` for up to 5 s.
fn eventually(condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    condition()
}

/// Waits up to 5 s for `pid` to disappear (zombies count as gone).
fn wait_gone(pid: u32) -> bool {
    eventually(|| !process_alive(pid))
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn start_answers_status_and_uses_its_own_display() {
    let desktop = Desktop::builder().screen(1024, 768).start();
    eprintln!("Desktop::start() took {:?}", desktop.startup_time());

    assert_status_ok(&desktop);
    assert_eq!(
        desktop.ws_url(),
        format!("ws://127.0.0.1:{}/ws", desktop.port())
    );
    assert_eq!(
        desktop.http_url(),
        format!("http://127.0.0.1:{}", desktop.port())
    );
    assert!(desktop.display().starts_with(':'));
    assert!(desktop.log_dir().join("server.log").is_file());
    assert!(process_alive(desktop.server_pid()));
    assert!(process_alive(desktop.xvfb_pid()));
    assert!(process_alive(desktop.window_manager_pid()));

    // The display has the requested size, seen by X itself and by the server.
    let geometry = desktop.run_in_display("xdotool", ["getdisplaygeometry"]);
    assert_eq!(stdout(&geometry), "1024 768", "{geometry:?}");
    let size = http(
        desktop.port(),
        "POST",
        "/cmd",
        r#"{"command":"get_screen_size"}"#,
        Duration::from_secs(10),
    )
    .unwrap();
    assert!(size.contains(r#""width": 1024, "height": 768"#), "{size}");

    // The server moves the pointer of this display (checked independently of the server).
    let moved = http(
        desktop.port(),
        "POST",
        "/cmd",
        r#"{"command":"move_cursor","params":{"x":123,"y":45}}"#,
        Duration::from_secs(10),
    )
    .unwrap();
    assert!(moved.contains(r#""success": true"#), "{moved}");
    let location = desktop.run_in_display("xdotool", ["getmouselocation"]);
    assert!(
        stdout(&location).starts_with("x:123 y:45 "),
        "pointer not where the server put it: {location:?}"
    );
}

#[test]
fn two_desktops_run_at_once() {
    let a = Desktop::start();
    let b = Desktop::builder().screen(800, 600).start();

    assert_ne!(a.port(), b.port());
    assert_ne!(a.display(), b.display());
    assert_status_ok(&a);
    assert_status_ok(&b);
    assert_eq!(
        stdout(&a.run_in_display("xdotool", ["getdisplaygeometry"])),
        "1280 800"
    );
    assert_eq!(
        stdout(&b.run_in_display("xdotool", ["getdisplaygeometry"])),
        "800 600"
    );

    // Stopping one leaves the other untouched.
    let a_pids = [a.server_pid(), a.window_manager_pid(), a.xvfb_pid()];
    drop(a);
    for pid in a_pids {
        assert!(
            wait_gone(pid),
            "pid {pid} of the dropped desktop is still running"
        );
    }
    assert_status_ok(&b);
}

#[test]
fn kill_and_restart_server_keeps_the_display() {
    let desktop = Desktop::start();
    let old_pid = desktop.server_pid();

    desktop.kill_server();
    assert!(
        !process_alive(old_pid),
        "server pid {old_pid} survived kill_server"
    );
    let refused = get_status(&desktop);
    assert!(
        refused.is_err(),
        "a killed server still answered: {refused:?}"
    );
    assert!(
        process_alive(desktop.xvfb_pid()),
        "kill_server must keep Xvfb"
    );
    assert!(
        process_alive(desktop.window_manager_pid()),
        "kill_server must keep openbox"
    );

    desktop.restart_server();
    assert_ne!(desktop.server_pid(), old_pid);
    assert!(process_alive(desktop.server_pid()));
    assert_status_ok(&desktop);
    assert!(
        desktop
            .server_log()
            .contains("starting cua-computer-server"),
        "server log should record both starts"
    );
}

#[test]
fn frozen_server_does_not_answer_until_thawed() {
    let desktop = Desktop::start();

    desktop.freeze_server();
    // The kernel still accepts the connection (listen backlog), but nothing answers.
    let frozen = http(
        desktop.port(),
        "GET",
        "/status",
        "",
        Duration::from_millis(800),
    );
    assert!(frozen.is_err(), "a frozen server answered: {frozen:?}");

    desktop.thaw_server();
    assert_status_ok(&desktop);
}

#[test]
fn drop_stops_everything_even_when_frozen() {
    let desktop = Desktop::start();
    let pids = [
        desktop.server_pid(),
        desktop.window_manager_pid(),
        desktop.xvfb_pid(),
    ];
    let port = desktop.port();
    let display_number = desktop.display().trim_start_matches(':').to_owned();
    // A frozen server must still be stopped by Drop (SIGTERM is held until SIGCONT).
    desktop.freeze_server();

    drop(desktop);

    for pid in pids {
        assert!(!process_alive(pid), "pid {pid} still running after Drop");
    }
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts connections after Drop"
    );
    let lock = format!("/tmp/.X{display_number}-lock");
    assert!(!Path::new(&lock).exists(), "{lock} left behind by Xvfb");
}

/// Not a test on its own: a test process that starts a desktop, prints its pids and waits to be killed by
/// [`a_killed_test_process_leaves_no_desktop`].
#[test]
#[ignore = "started by a_killed_test_process_leaves_no_desktop"]
fn desktop_owner() {
    if std::env::var_os("TESTKIT_DESKTOP_OWNER").is_none() {
        return;
    }
    let desktop = Desktop::start();
    println!(
        "PIDS {} {} {} DISPLAY {}",
        desktop.server_pid(),
        desktop.window_manager_pid(),
        desktop.xvfb_pid(),
        desktop.display()
    );
    std::thread::sleep(Duration::from_secs(600));
}

/// A test process killed without running `Drop` (SIGKILL, a nextest time limit) must not leave a desktop
/// behind: its parts die with it. The killed process is this test binary run again as [`desktop_owner`].
#[test]
fn a_killed_test_process_leaves_no_desktop() {
    let mut owner = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "desktop_owner", "--ignored", "--nocapture"])
        .env("TESTKIT_DESKTOP_OWNER", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(owner.stdout.take().unwrap());
    let line = std::io::BufRead::lines(stdout)
        .map_while(Result::ok)
        .find(|l| l.starts_with("PIDS "))
        .unwrap_or_else(|| panic!("the owner process printed no pids (its stderr is above)"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let pids: Vec<u32> = words[1..4].iter().map(|p| p.parse().unwrap()).collect();
    let lock = format!("/tmp/.X{}-lock", words[5].trim_start_matches(':'));
    assert!(pids.iter().all(|&pid| process_alive(pid)), "{line}");

    owner.kill().unwrap();
    owner.wait().unwrap();

    for pid in pids {
        assert!(
            wait_gone(pid),
            "pid {pid} still running 5 s after the owner was killed"
        );
    }
    assert!(
        eventually(|| !Path::new(&lock).exists()),
        "{lock} left behind"
    );
}

#[tokio::test]
async fn usable_from_tokio_test() {
    let desktop = Desktop::start();
    let port = desktop.port();
    let response = tokio::task::spawn_blocking(move || {
        http(port, "GET", "/status", "", Duration::from_secs(5))
    })
    .await
    .unwrap()
    .unwrap();
    assert!(response.contains(r#""status":"ok""#), "{response}");
}
