//! `testkit::xterm` on a real private desktop: the window it reports is the terminal's, focus makes it the one
//! X sends keys to, a held terminal reports its command's exit and drawn output, and dropping it ends it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use testkit::desktop::{Desktop, process_alive};
use testkit::eventually;
use testkit::xterm::Xterm;

fn stdout(desktop: &Desktop, args: &[&str]) -> String {
    let out = desktop.run_in_display("xdotool", args);
    assert!(out.status.success(), "xdotool {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn open_finds_the_window_and_focus_sends_keys_to_its_shell() {
    let desktop = Desktop::start();
    let dir = tempfile::tempdir().unwrap();
    let term = Xterm::builder(&desktop, "kit-term (1)")
        .geometry("60x10+40+30")
        .dir(dir.path())
        .open()
        .await;
    let id = term.window().to_string();
    assert_eq!(
        stdout(&desktop, &["getwindowname", &id]),
        "kit-term (1)",
        "the window is the terminal's (and a title with regex characters is found literally)"
    );
    term.focus().await;
    assert_eq!(stdout(&desktop, &["getactivewindow"]), id);

    // Keys typed right after focus reach the shell, which runs in `dir`: no pause needed after `open`.
    let typed = desktop.run_in_display(
        "xdotool",
        ["type", "--delay", "20", "echo kit-ok > out.txt\n"],
    );
    assert!(typed.status.success(), "{typed:?}");
    let out = dir.path().join("out.txt");
    let got = eventually(Duration::from_secs(10), async || {
        std::fs::read_to_string(&out)
            .ok()
            .filter(|s| s == "kit-ok\n")
    })
    .await;
    assert_eq!(
        got.as_deref(),
        Some("kit-ok\n"),
        "the typed command did not run in dir"
    );

    let pid = term.pid();
    assert!(process_alive(pid));
    drop(term);
    assert!(
        !process_alive(pid),
        "dropping the Xterm leaves xterm {pid} running"
    );
    let gone = desktop.run_in_display("xdotool", ["getwindowname", &id]);
    assert!(!gone.status.success(), "window {id} outlived its xterm");
}

#[tokio::test]
async fn a_held_terminal_reports_its_exit_and_keeps_its_output() {
    let desktop = Desktop::start();
    let term = Xterm::builder(&desktop, "kit-hold")
        .command(["sh", "-c", "seq 1 15; exit 3"])
        .hold()
        .open()
        .await;
    assert_eq!(term.wait_for_exit().await, 3);
    // Drawn and still: the window's pixels no longer change, and the window is still there to look at.
    let dump = |t: &Xterm| {
        desktop
            .run_in_display("xwd", ["-silent", "-id", &t.window().to_string()])
            .stdout
    };
    let first = dump(&term);
    assert!(!first.is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        dump(&term) == first,
        "the held window changed after wait_for_exit"
    );

    // A terminal with text differs from an empty one of the same size.
    let empty = Xterm::builder(&desktop, "kit-empty")
        .command(["sh", "-c", "true"])
        .hold()
        .open()
        .await;
    empty.wait_for_exit().await;
    assert!(
        dump(&empty) != first,
        "the output of `seq` is not in the window's pixels"
    );
}
