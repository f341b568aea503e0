//! `vm_type`, `vm_key` and `vm_clipboard` against the real server on a private desktop, checking effects:
//! what is typed into a focused xterm lands in files written by its shell, and the clipboard is read back
//! with xclip independently of the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use computer_use::tools::{Content, ToolErrorKind};
use serde_json::json;
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;

/// An xterm running bash (without start-up files) in `dir`, focused, so what the tools type reaches the shell.
async fn focused_xterm<'d>(desktop: &'d Desktop, title: &str, dir: &Path) -> Xterm<'d> {
    let term = Xterm::builder(desktop, title)
        .geometry("100x30+0+0")
        .dir(dir)
        .command(["bash", "--norc", "--noprofile"])
        .open()
        .await;
    term.focus().await;
    term
}

/// Waits until `path` holds exactly `expected`, or panics showing what it holds.
async fn wait_for_exact(path: &Path, expected: &str, limit: Duration) {
    let got = eventually(limit, async || {
        std::fs::read_to_string(path).ok().filter(|s| s == expected)
    })
    .await;
    if got.is_none() {
        let have = std::fs::read_to_string(path).unwrap_or_default();
        let first_diff = have.chars().zip(expected.chars()).position(|(a, b)| a != b);
        panic!(
            "{} should hold the {} expected characters; it holds {} (first difference at char {first_diff:?}): {:?}",
            path.display(),
            expected.chars().count(),
            have.chars().count(),
            have.chars().take(200).collect::<String>()
        );
    }
}

/// `n` characters a shell can take inside single quotes, in a fixed pseudo-random order.
fn quotable_text(n: usize) -> String {
    let alphabet: Vec<char> =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:;=+/@%^~()[]{}<>?*&|$#\""
            .chars()
            .collect();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[(state % alphabet.len() as u64) as usize]
        })
        .collect()
}

#[tokio::test]
async fn typed_text_and_keys_arrive_in_a_terminal() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let dir = scratch("type");
    let _term = focused_xterm(&desktop, "cu-type", &dir).await;

    let out = ok(
        &ctx,
        "vm_type",
        json!({"text": "echo hello-typed > plain.txt"}),
    )
    .await;
    assert_eq!(out.details["characters"], 28);
    let out = ok(&ctx, "vm_key", json!({"keys": "Return"})).await;
    assert_eq!(out.details["keys"], json!(["enter"]));
    wait_for_exact(
        &dir.join("plain.txt"),
        "hello-typed\n",
        Duration::from_secs(10),
    )
    .await;

    // Unicode, and `\n` in the text presses Enter. xterm has no key that pastes the clipboard (its
    // Shift+Insert pastes PRIMARY), so in xterm text is typed with keys (`paste: "none"`). On X11 the server's
    // pynput borrows spare keycodes for characters missing from the layout and some land where XKB cannot
    // reach them (a server limitation on Linux guests, see keyboard/typing.rs); these characters all get
    // reachable keycodes on a fresh desktop.
    let uni = "café naïve ñandú über Ærø ✓";
    let out = ok(
        &ctx,
        "vm_type",
        json!({"text": format!("printf '%s' '{uni}' > uni.txt\n"), "paste": "none"}),
    )
    .await;
    assert!(
        out.joined_text().contains("may arrive altered"),
        "{}",
        out.joined_text()
    );
    wait_for_exact(&dir.join("uni.txt"), uni, Duration::from_secs(10)).await;

    // Aliases: ctrl+u (a hotkey) erases the typed line, `Enter` runs the next one.
    ok(&ctx, "vm_type", json!({"text": "echo WRONG"})).await;
    let out = ok(&ctx, "vm_key", json!({"keys": "ctrl+U"})).await;
    assert_eq!(out.details["keys"], json!(["ctrl", "u"]));
    ok(&ctx, "vm_type", json!({"text": "echo kept > alias.txt"})).await;
    ok(&ctx, "vm_key", json!({"keys": "Enter"})).await;
    wait_for_exact(&dir.join("alias.txt"), "kept\n", Duration::from_secs(10)).await;
    let out = ok(&ctx, "vm_key", json!({"keys": "esc"})).await;
    assert_eq!(out.details["keys"], json!(["esc"]));
    let out = ok(&ctx, "vm_key", json!({"keys": "Escape"})).await;
    assert_eq!(out.details["keys"], json!(["esc"]));

    // An unknown key is refused with suggestions, and nothing reaches the server.
    let gui_frames = ctx.session().unwrap().gui().frames_sent();
    let e = err(&ctx, "vm_key", json!({"keys": "ctrl+entr"})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
    assert!(e.message.contains("did you mean enter"), "{e}");
    assert!(e.message.contains("Nothing was pressed"), "{e}");
    let e = err(&ctx, "vm_key", json!({"keys": "hyperspace"})).await;
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{e}");
    assert_eq!(ctx.session().unwrap().gui().frames_sent(), gui_frames);
    let e = err(&ctx, "vm_type", json!({"text": ""})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments, "{e}");
    assert_eq!(ctx.session().unwrap().gui().frames_sent(), gui_frames);
}

#[tokio::test]
async fn ten_thousand_characters_arrive_complete() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let dir = scratch("type10k");
    let _term = focused_xterm(&desktop, "cu-type-10k", &dir).await;

    let body = quotable_text(10_000);
    let line = format!("printf '%s' '{body}' > long.txt");
    let started = std::time::Instant::now();
    let out = ok(&ctx, "vm_type", json!({"text": line})).await;
    let took = started.elapsed();
    assert_eq!(out.details["characters"], line.chars().count());
    assert!(out.details["chunks"].as_u64().unwrap() >= 50, "{out:?}");
    ok(&ctx, "vm_key", json!({"keys": "enter"})).await;
    wait_for_exact(&dir.join("long.txt"), &body, Duration::from_secs(60)).await;
    eprintln!("typed {} characters in {took:?}", line.chars().count());
}

#[tokio::test]
async fn clipboard_is_set_confirmed_and_read_back() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "");
    let text = format!("clip-test éè ✓ {}", std::process::id());
    let out = ok(&ctx, "vm_clipboard", json!({"text": text})).await;
    assert_eq!(out.details["confirmed"], true, "{out:?}");
    assert_eq!(out.details["characters"], text.chars().count());

    // Independently of the server: X's clipboard holds it.
    let seen = eventually(Duration::from_secs(5), async || {
        let o = desktop.run_in_display("xclip", ["-selection", "clipboard", "-o"]);
        let s = String::from_utf8_lossy(&o.stdout).to_string();
        (s == text).then_some(s)
    })
    .await;
    assert_eq!(seen.as_deref(), Some(text.as_str()));

    let out = ok(&ctx, "vm_clipboard", json!({})).await;
    assert_eq!(out.content[0], Content::Text(text.clone()));
    assert_eq!(out.details["text"], text.as_str());

    let e = err(&ctx, "vm_clipboard", json!({"txt": "x"})).await;
    assert_eq!(e.kind, ToolErrorKind::InvalidArguments, "{e}");
}
