//! The `lume-fake` binary as the end-to-end tests use it: start it, read its `listening on` line, query it,
//! stop it with SIGTERM. Plain std HTTP/1.1 keeps testkit free of an HTTP client dependency.
#![expect(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts the binary and returns it with its base URL.
fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lume-fake"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    (child, url)
}

/// `GET path` over a fresh connection; returns the status line and the body.
fn get(url: &str, path: &str) -> (String, String) {
    let addr = url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn serves_the_vms_from_its_arguments_until_sigterm() {
    let (mut child, url) = start(&[
        "--port",
        "0",
        "--vm",
        "openclaw-vm=127.0.0.1",
        "--vm",
        "b=:stopped",
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let (status, body) = get(&url, "/lume/vms/openclaw-vm");
    assert!(status.contains("200"), "{status}");
    let vm: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (vm["status"].as_str(), vm["ipAddress"].as_str()),
        (Some("running"), Some("127.0.0.1"))
    );

    let (_, body) = get(&url, "/lume/vms");
    let list: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> = list.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["b", "openclaw-vm"]);
    assert!(list[0]["ipAddress"].is_null());

    let (status, body) = get(&url, "/lume/vms/ghost");
    assert!(status.contains("400"), "{status}");
    assert!(body.contains("Virtual machine not found: ghost"), "{body}");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "lume-fake ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_lume-fake"))
        .args(["--vm", "no-equals"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expected NAME=IP[:STATUS]") && err.contains("usage:"),
        "{err}"
    );
}

#[test]
fn busy_port_exits_1() {
    let (mut first, url) = start(&["--vm", "a=127.0.0.1"]);
    let port = url.rsplit(':').next().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lume-fake"))
        .args(["--port", port])
        .output()
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot listen"),
        "{out:?}"
    );
}
