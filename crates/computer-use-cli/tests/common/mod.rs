//! The MCP face's test harness: a `computer-use serve --stdio` child driven with hand-written JSON-RPC lines
//! (no SDK in between), shared by the tests of this crate.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub mod browser;

pub const BIN: &str = env!("CARGO_BIN_EXE_computer-use");
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// A `serve --stdio` child with line-oriented access to its stdout.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    pub fn spawn(server_url: &str) -> (Server, Instant) {
        Server::spawn_with(
            &["serve", "--stdio"],
            &[
                ("COMPUTER_USE_PROVIDER", "url"),
                ("COMPUTER_USE_SERVER_URL", server_url),
                ("COMPUTER_USE_CONNECT_TIMEOUT_MS", "1000"),
            ],
        )
    }

    /// `computer-use <args>` with `envs` set and no configuration inherited from the environment.
    pub fn spawn_with(args: &[&str], envs: &[(&str, &str)]) -> (Server, Instant) {
        let started = Instant::now();
        let mut child = Command::new(BIN)
            .args(args)
            .envs(envs.iter().copied())
            .env_remove("COMPUTER_USE_CONFIG")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn {BIN}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr_pipe = child.stderr.take().unwrap();
        let (etx, stderr) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            let _ = etx.send(text);
        });
        let stdin = child.stdin.take();
        (
            Server {
                child,
                stdin,
                lines,
                stderr,
            },
            started,
        )
    }

    pub fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message on stdout; every line must be JSON-RPC (stdout belongs to the protocol).
    pub fn recv(&mut self) -> Value {
        let line = self.lines.recv_timeout(REPLY_TIMEOUT).unwrap_or_else(|e| {
            panic!(
                "no reply within {REPLY_TIMEOUT:?} ({e}); stderr: {}",
                self.stop()
            )
        });
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout carried a non-JSON line ({e}): {line}"));
        assert_eq!(value["jsonrpc"], "2.0", "{line}");
        value
    }

    /// Sends a request and returns its response (skipping notifications).
    pub fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.recv();
            if message["id"] == id {
                return message;
            }
        }
    }

    /// SIGKILL, as an OOM killer or `kill -9` would: no cleanup of any kind.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Closes stdin and waits for a clean exit; returns stderr.
    pub fn stop(&mut self) -> String {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = self
            .stderr
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default();
        assert!(
            status.is_some_and(|s| s.success()),
            "the server did not exit cleanly within 10 s of stdin closing ({status:?}); stderr:\n{stderr}"
        );
        stderr
    }
}

pub fn initialize() -> Value {
    json!({
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "computer-use-cli-test", "version": "0"},
    })
}
