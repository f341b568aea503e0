//! Every client command against the **real** cua-computer-server 0.3.46 on a private Xvfb desktop, checking
//! effects (cursor position, files the shell wrote, the X selection, pixels), not just `success`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use cua_protocol::{
    Button, CaptureFormat, Command, Endpoint, Error, HttpClient, ImageFormat, Outcome,
    ScrollDirection,
};
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;

#[tokio::test]
async fn discovery_version_status_and_catalog_cover_every_modelled_command() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let v = client.version().await.unwrap();
    assert_eq!(v.package, cua_protocol::TESTED_PACKAGE);
    assert_eq!(v.protocol.as_u64(), Some(1));

    let http = HttpClient::new(
        Endpoint::parse(&desktop.ws_url()).unwrap(),
        Duration::from_secs(10),
    )
    .unwrap();
    let status = http.status().await.unwrap();
    assert_eq!(status.status, "ok");
    assert_eq!(status.os_type.as_deref(), Some("linux"));

    let catalog = http.commands().await.unwrap();
    let modelled = [
        Command::Version,
        Command::Screenshot {
            format: CaptureFormat::Png,
            quality: None,
        },
        Command::GetScreenSize,
        Command::GetCursorPosition,
        Command::LeftClick { x: None, y: None },
        Command::RightClick { x: None, y: None },
        Command::DoubleClick { x: None, y: None },
        Command::MoveCursor { x: 0.0, y: 0.0 },
        Command::MouseDown {
            x: None,
            y: None,
            button: Button::Left,
        },
        Command::MouseUp {
            x: None,
            y: None,
            button: Button::Left,
        },
        Command::DragTo {
            x: 0.0,
            y: 0.0,
            button: Button::Left,
            duration: 0.0,
        },
        Command::Drag {
            path: vec![],
            button: Button::Left,
            duration: 0.0,
        },
        Command::TypeText {
            text: String::new(),
        },
        Command::PressKey { key: String::new() },
        Command::Hotkey { keys: vec![] },
        Command::KeyDown { key: String::new() },
        Command::KeyUp { key: String::new() },
        Command::Scroll { x: 0.0, y: 0.0 },
        Command::ScrollDirection {
            direction: ScrollDirection::Up,
            clicks: 1,
        },
        Command::ScrollUp { clicks: 1 },
        Command::ScrollDown { clicks: 1 },
        Command::CopyToClipboard,
        Command::SetClipboard {
            text: String::new(),
        },
        Command::RunCommand {
            command: String::new(),
            timeout: None,
        },
        Command::FileExists {
            path: String::new(),
        },
        Command::DirectoryExists {
            path: String::new(),
        },
        Command::ListDir {
            path: String::new(),
        },
        Command::ReadText {
            path: String::new(),
        },
        Command::WriteText {
            path: String::new(),
            content: String::new(),
        },
        Command::ReadBytes {
            path: String::new(),
            offset: 0,
            length: None,
        },
        Command::WriteBytes {
            path: String::new(),
            content_b64: String::new(),
            append: false,
        },
        Command::GetFileSize {
            path: String::new(),
        },
        Command::DeleteFile {
            path: String::new(),
        },
        Command::CreateDir {
            path: String::new(),
        },
        Command::DeleteDir {
            path: String::new(),
        },
        Command::Open {
            target: String::new(),
        },
        Command::Launch {
            app: String::new(),
            args: None,
        },
        Command::GetCurrentWindowId,
        Command::GetApplicationWindows { app: String::new() },
        Command::GetWindowName { window_id: 0 },
        Command::GetWindowSize { window_id: 0 },
        Command::GetWindowPosition { window_id: 0 },
        Command::SetWindowSize {
            window_id: 0,
            width: 0,
            height: 0,
        },
        Command::SetWindowPosition {
            window_id: 0,
            x: 0,
            y: 0,
        },
        Command::MaximizeWindow { window_id: 0 },
        Command::MinimizeWindow { window_id: 0 },
        Command::ActivateWindow { window_id: 0 },
        Command::CloseWindow { window_id: 0 },
        Command::GetDesktopEnvironment,
        Command::SetWallpaper {
            path: String::new(),
        },
        Command::GetAccessibilityTree,
        Command::FindElement {
            role: None,
            title: None,
            value: None,
        },
    ];
    for c in &modelled {
        assert!(
            catalog.supports(c.name()),
            "server does not list `{}`",
            c.name()
        );
    }
    // Whatever the server offers beyond our enum must be a known, deliberately unmodelled command.
    let ours: Vec<&str> = modelled.iter().map(Command::name).collect();
    let extra: Vec<&String> = catalog
        .commands
        .keys()
        .filter(|k| !ours.contains(&k.as_str()))
        .collect();
    for name in &extra {
        assert!(
            ["diorama_cmd", "multitouch_gesture"].contains(&name.as_str()),
            "server command `{name}` is neither modelled nor known to be platform-only"
        );
    }
}

#[tokio::test]
async fn screenshots_decode_to_the_screen_size_in_both_formats() {
    let desktop = Desktop::builder().screen(1024, 640).start();
    let client = client(&desktop);
    let size = client.screen_size().await.unwrap();
    assert_eq!((size.width, size.height), (1024, 640));
    for (format, expect) in [
        (CaptureFormat::Png, ImageFormat::Png),
        (CaptureFormat::Jpeg, ImageFormat::Jpeg),
    ] {
        let shot = client.screenshot(format, Some(80)).await.unwrap();
        assert_eq!(shot.format, expect);
        let img = image::load_from_memory(&shot.bytes).unwrap();
        assert_eq!((img.width(), img.height()), (1024, 640), "{format:?}");
    }
}

#[tokio::test]
async fn pointer_moves_clamps_and_reports_position() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    client.move_cursor(100.0, 200.0).await.unwrap();
    let p = client.cursor_position().await.unwrap();
    assert_eq!((p.x, p.y), (100.0, 200.0));
    // Independent check through X itself.
    let out = desktop.run_in_display("xdotool", ["getmouselocation"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("x:100 y:200"), "xdotool says {text}");
    // Off-screen points are clamped by the server; floats are truncated.
    client.move_cursor(5000.0, -20.0).await.unwrap();
    let p = client.cursor_position().await.unwrap();
    assert_eq!((p.x, p.y), (1279.0, 0.0));
    client.move_cursor(10.7, 20.2).await.unwrap();
    let p = client.cursor_position().await.unwrap();
    assert_eq!((p.x, p.y), (10.0, 20.0));
}

#[tokio::test]
async fn typing_keys_and_hotkeys_reach_a_shell_in_xterm() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let dir = scratch("typing");
    let term = Xterm::builder(&desktop, "typing-test").open().await;
    term.focus().await;

    let typed = dir.join("typed.txt");
    shell_line(&client, &format!("echo cua-typed-OK > {}", typed.display())).await;
    wait_for_file(&typed, "cua-typed-OK").await;

    // key_down/key_up hold Shift around a plain key press: the shell receives a capital letter.
    let held = dir.join("held.txt");
    client.type_text("echo ").await.unwrap();
    client.key_down("shift").await.unwrap();
    client.press_key("q").await.unwrap();
    client.key_up("shift").await.unwrap();
    shell_line(&client, &format!(" > {}", held.display())).await;
    wait_for_file(&held, "Q").await;

    // hotkey ctrl+u erases the line typed so far: only the second command runs.
    let hot = dir.join("hotkey.txt");
    client.type_text("echo WRONG").await.unwrap();
    client.hotkey(&["ctrl", "u"]).await.unwrap();
    shell_line(&client, &format!("echo right > {}", hot.display())).await;
    wait_for_file(&hot, "right").await;

    // Unicode text arrives intact.
    let uni = dir.join("unicode.txt");
    shell_line(
        &client,
        &format!("printf '%s' 'café ✓' > {}", uni.display()),
    )
    .await;
    wait_for_file(&uni, "café ✓").await;
}

#[tokio::test]
async fn drag_double_click_and_mouse_buttons_select_text_in_xterm() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let term = Xterm::builder(&desktop, "select-test").open().await;
    term.focus().await;
    shell_line(&client, "clear; echo alpha beta gamma").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let primary = || {
        String::from_utf8_lossy(
            &desktop
                .run_in_display("xclip", ["-o", "-selection", "primary"])
                .stdout,
        )
        .to_string()
    };
    // After `clear`, row 0 of the xterm holds the output. Cell size from the window's client area
    // (80x20 cells); screen position from the window's position (the window manager adds a title bar).
    let win = client.current_window_id().await.unwrap();
    let size = client.window_size(win).await.unwrap();
    let (wx, wy) = client.window_position(win).await.unwrap();
    let row_h = f64::from(size.height) / 20.0;
    let char_w = f64::from(size.width) / 80.0;
    let y = wy as f64 + row_h * 0.5;
    let x0 = wx as f64;

    client
        .double_click(Some((x0 + char_w * 7.5, y)))
        .await
        .unwrap(); // inside "beta"
    let sel = eventually(Duration::from_secs(3), async || {
        Some(primary()).filter(|s| s == "beta")
    })
    .await;
    assert_eq!(
        sel.as_deref(),
        Some("beta"),
        "double-click selection: {:?}",
        primary()
    );

    tokio::time::sleep(Duration::from_millis(700)).await;
    client.move_cursor(x0 + char_w * 0.2, y).await.unwrap();
    client
        .drag_to(x0 + char_w * 10.0, y, Button::Left, 0.2)
        .await
        .unwrap();
    let sel = eventually(Duration::from_secs(3), async || {
        Some(primary()).filter(|s| s.starts_with("alpha b"))
    })
    .await;
    assert!(sel.is_some(), "drag_to selection: {:?}", primary());

    // Wait out xterm's multi-click interval so the next press starts a new selection.
    tokio::time::sleep(Duration::from_millis(700)).await;
    // The Linux handler presses and releases per path segment, so a clean selection needs a 2-point path.
    client
        .drag(
            vec![[x0 + char_w * 11.2, y], [x0 + char_w * 16.0, y]],
            Button::Left,
            0.2,
        )
        .await
        .unwrap();
    let sel = eventually(Duration::from_secs(3), async || {
        Some(primary()).filter(|s| s.trim_start().starts_with("gamm"))
    })
    .await;
    assert!(sel.is_some(), "drag path selection: {:?}", primary());

    tokio::time::sleep(Duration::from_millis(700)).await;
    client
        .mouse_down(Some((x0 + char_w * 0.2, y)), Button::Left)
        .await
        .unwrap();
    client.move_cursor(x0 + char_w * 5.0, y).await.unwrap();
    client
        .mouse_up(Some((x0 + char_w * 5.0, y)), Button::Left)
        .await
        .unwrap();
    let sel = eventually(Duration::from_secs(3), async || {
        Some(primary()).filter(|s| s.starts_with("alph") && !s.contains("beta"))
    })
    .await;
    assert!(sel.is_some(), "mouse down/up selection: {:?}", primary());

    client
        .right_click(Some((x0 + char_w * 40.0, y + row_h * 6.0)))
        .await
        .unwrap();
    assert!(
        client
            .drag(vec![[1.0, 1.0]], Button::Left, 0.1)
            .await
            .is_err(),
        "a one-point drag is refused before sending"
    );
}

#[tokio::test]
async fn scrolling_changes_what_the_terminal_shows() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let term = Xterm::builder(&desktop, "scroll-test").open().await;
    term.focus().await;
    shell_line(&client, "clear; seq 1 300").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let shot = async || {
        client
            .screenshot(CaptureFormat::Png, None)
            .await
            .unwrap()
            .bytes
    };
    let settle = || tokio::time::sleep(Duration::from_millis(300));
    let bottom = shot().await;
    client.move_cursor(200.0, 100.0).await.unwrap();
    client.scroll_up(5).await.unwrap();
    settle().await;
    let up5 = shot().await;
    assert!(up5 != bottom, "scroll_up changed nothing on screen");
    client.scroll_down(5).await.unwrap();
    settle().await;
    assert!(
        shot().await == bottom,
        "scroll_down(5) did not return to the bottom"
    );
    client
        .scroll_direction(ScrollDirection::Up, 2)
        .await
        .unwrap();
    settle().await;
    let up2 = shot().await;
    assert!(
        up2 != bottom && up2 != up5,
        "scroll_direction up 2 did not land between bottom and up 5"
    );
    client.scroll(0.0, -2.0).await.unwrap();
    settle().await;
    assert!(
        shot().await == bottom,
        "scroll(0, -2) did not scroll back down"
    );
    let bad = client
        .send_raw(
            "scroll_direction",
            serde_json::json!({"direction": "sideways"}),
            Duration::from_secs(5),
        )
        .await;
    assert!(
        matches!(bad, Err(Error::CommandFailed { ref message, .. }) if message.contains("Invalid direction")),
        "{bad:?}"
    );
}

#[tokio::test]
async fn shell_commands_report_output_exit_codes_and_timeouts() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let out = client
        .run_command("echo hi; echo err >&2; exit 3", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.return_code),
        ("hi\n", "err\n", 3)
    );

    let started = std::time::Instant::now();
    let e = client
        .run_command("sleep 5", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::RemoteTimeout { timeout_s: 1, .. }),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "server-side timeout took {:?}",
        started.elapsed()
    );
    assert_eq!(e.outcome(), Outcome::Failed);
    // The connection is still good afterwards.
    assert_eq!(
        client
            .run_command("echo ok", Duration::from_secs(5))
            .await
            .unwrap()
            .stdout,
        "ok\n"
    );
}

#[tokio::test]
async fn server_error_replies_are_typed() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let e = client.press_key("return").await.unwrap_err();
    assert!(
        matches!(e, Error::CommandFailed { ref message, .. } if message == "Unknown key: return"),
        "{e}"
    );
    assert_eq!(e.outcome(), Outcome::Failed);

    let e = client
        .send_raw("frobnicate", serde_json::json!({}), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Unknown command: frobnicate"), "{e}");

    let e = client
        .read_text("/nonexistent/cua-test-file")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("No such file or directory"), "{e}");

    let e = client
        .find_element(Some("button".into()), None, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not supported on Linux"), "{e}");

    // The socket survives every one of these.
    assert_eq!(client.connects(), 1);
    client.version().await.unwrap();
}

#[tokio::test]
async fn clipboard_round_trips_unicode() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let text = "clip-test éè ✓";
    client.set_clipboard(text).await.unwrap();
    // xclip takes the selection asynchronously (docs/cua-computer-server.md, the clipboard): poll briefly.
    let got = eventually(Duration::from_secs(3), async || {
        client.clipboard().await.ok().filter(|c| c == text)
    })
    .await;
    assert_eq!(got.as_deref(), Some(text));
    let xclip = desktop.run_in_display("xclip", ["-o", "-selection", "clipboard"]);
    assert_eq!(String::from_utf8_lossy(&xclip.stdout), text);
}

#[tokio::test]
async fn file_operations_round_trip() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let dir = scratch("files");
    let d = dir.display();
    let sub = format!("{d}/sub/deeper");
    client.create_dir(&sub).await.unwrap();
    assert!(client.directory_exists(&sub).await.unwrap());
    let text_path = format!("{sub}/note.txt");
    client.write_text(&text_path, "héllo\nworld").await.unwrap();
    assert_eq!(std::fs::read_to_string(&text_path).unwrap(), "héllo\nworld");
    assert_eq!(client.read_text(&text_path).await.unwrap(), "héllo\nworld");
    assert!(client.file_exists(&text_path).await.unwrap());
    assert_eq!(
        client.file_size(&text_path).await.unwrap(),
        "héllo\nworld".len() as u64
    );

    let bin_path = format!("{sub}/data.bin");
    let bytes: Vec<u8> = (0..=255u8).collect();
    client
        .write_bytes(&bin_path, &bytes[..100], false)
        .await
        .unwrap();
    client
        .write_bytes(&bin_path, &bytes[100..], true)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&bin_path).unwrap(), bytes);
    assert_eq!(
        client.read_bytes(&bin_path, 250, Some(10)).await.unwrap(),
        bytes[250..]
    );
    assert_eq!(
        client.list_dir(&sub).await.unwrap(),
        vec!["data.bin", "note.txt"]
    );

    client.delete_file(&bin_path).await.unwrap();
    client.delete_file(&text_path).await.unwrap();
    assert!(!client.file_exists(&text_path).await.unwrap());
    client.delete_dir(&sub).await.unwrap();
    assert!(!client.directory_exists(&sub).await.unwrap());
    assert!(client.delete_dir(&format!("{d}/sub/never")).await.is_err());
}

#[tokio::test]
async fn windows_can_be_found_measured_moved_and_closed() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let term = Xterm::builder(&desktop, "window-test").open().await;
    term.focus().await;
    let id = i64::from(term.window());
    assert!(
        client
            .window_name(id)
            .await
            .unwrap()
            .contains("window-test")
    );
    assert_eq!(client.current_window_id().await.unwrap(), id);
    let size = client.window_size(id).await.unwrap();
    assert!(size.width > 100 && size.height > 100, "{size:?}");
    // pywinctl's moveTo often reports `success: false` although the window moved (it checks too early), so
    // judge by the effect.
    let _ = client.set_window_position(id, 300, 200).await;
    let moved = eventually(Duration::from_secs(3), async || {
        client
            .window_position(id)
            .await
            .ok()
            .filter(|&(x, y)| (x - 300).abs() <= 10 && (y - 200).abs() <= 40)
    })
    .await;
    assert!(
        moved.is_some(),
        "window did not move: {:?}",
        client.window_position(id).await
    );
    client.activate_window(id).await.unwrap();
    assert!(!client.desktop_environment().await.unwrap().is_empty());
    // The Linux accessibility tree is a stub, but the command answers.
    assert!(client.accessibility_tree().await.is_ok());
    // Like moveTo, pywinctl's close() may report false for a window that does close: judge by the effect.
    let _ = client.close_window(id).await;
    let gone = eventually(Duration::from_secs(5), async || {
        client
            .application_windows("window-test")
            .await
            .ok()
            .filter(Vec::is_empty)
    })
    .await;
    assert!(gone.is_some(), "window still listed after close_window");
}

#[tokio::test]
async fn http_cmd_transport_parses_the_data_record_and_detail_errors() {
    let desktop = Desktop::start();
    let http = HttpClient::new(
        Endpoint::parse(&desktop.ws_url()).unwrap(),
        Duration::from_secs(10),
    )
    .unwrap();
    let v: cua_protocol::Version = http.cmd(&Command::Version).await.unwrap().decode().unwrap();
    assert_eq!(v.package, cua_protocol::TESTED_PACKAGE);
    // Non-ASCII survives the ASCII-escaped JSON of /cmd.
    let out: cua_protocol::CommandOutput = http
        .cmd(&Command::RunCommand {
            command: "printf 'café ✓'".into(),
            timeout: Some(5),
        })
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(out.stdout, "café ✓");
    // HTTP 200 with success:false is a failure.
    let e = http
        .cmd(&Command::PressKey {
            key: "return".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::CommandFailed { ref message, .. } if message == "Unknown key: return"),
        "{e}"
    );
    // Pre-dispatch errors are 400 {"detail"}.
    let e = http
        .cmd_raw("frobnicate", serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Http { status: Some(400), ref detail, .. } if detail == "Unknown command: frobnicate"),
        "{e}"
    );
}
