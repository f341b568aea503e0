//! Shared helpers for the tests that drive the **real** cua-computer-server on a private Xvfb desktop
//! (started by `testkit::desktop::Desktop`; nothing here is a mock).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use cua_protocol::{Client, ClientOptions, Endpoint};
use testkit::desktop::Desktop;

/// A client for the desktop's server with test-friendly limits.
pub fn client(desktop: &Desktop) -> Client {
    client_with(desktop, ClientOptions::default())
}

pub fn client_with(desktop: &Desktop, opts: ClientOptions) -> Client {
    Client::new(Endpoint::parse(&desktop.ws_url()).unwrap(), opts)
}

/// A fresh directory for files the guest writes (the guest is this machine).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cua-protocol-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[allow(unused_imports)] // not every test file polls
pub use testkit::eventually;

/// Types a shell command line into the focused terminal and presses Enter.
pub async fn shell_line(client: &Client, line: &str) {
    client.type_text(line).await.unwrap();
    client.press_key("enter").await.unwrap();
}

/// Waits until `path` holds `expected` (trimmed), or panics with what it holds.
pub async fn wait_for_file(path: &std::path::Path, expected: &str) {
    let got = eventually(Duration::from_secs(10), async || {
        std::fs::read_to_string(path)
            .ok()
            .filter(|s| s.trim() == expected)
    })
    .await;
    assert!(
        got.is_some(),
        "{} should contain {expected:?}, has {:?}",
        path.display(),
        std::fs::read_to_string(path).ok()
    );
}
