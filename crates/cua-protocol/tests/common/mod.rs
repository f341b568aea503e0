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

/// Launches an xterm that accepts synthetic key events, at the top-left, titled `title`, and focuses it by
/// clicking into it. Returns its window id.
pub async fn focused_xterm(client: &Client, title: &str) -> i64 {
    let args = [
        "-xrm",
        "XTerm*allowSendEvents: true",
        "-geometry",
        "80x20+0+0",
        "-T",
        title,
        "-sl",
        "1000",
        // A plain shell: the user's interactive bash may run start-up files that stall (a stale pyenv lock
        // did here), and then typed text is never run.
        "-e",
        "/bin/sh",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    client.launch("xterm", Some(args)).await.unwrap();
    let id = eventually(Duration::from_secs(10), async || {
        client
            .application_windows(title)
            .await
            .ok()
            .and_then(|w| w.first().copied())
    })
    .await
    .unwrap_or_else(|| panic!("xterm window `{title}` did not appear within 10 s"));
    // Let the shell start, then click inside to give it the keyboard focus.
    tokio::time::sleep(Duration::from_millis(500)).await;
    client.left_click(Some((200.0, 100.0))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    id
}

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
