//! Connection-level behaviour under faults: timeouts discard the socket, nothing is replayed, keepalive
//! detects a frozen server, the client reconnects after a restart, concurrent callers each get their own reply.
//! Against the **real** server where it can produce the fault; the scripted WebSocket peer
//! (`testkit::scripted_ws`, a fake) only for replies the real server never sends (malformed, wrong shape,
//! silence after accept). More reply faults (truncated, oversized, unsolicited) are in `reply_faults.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use cua_protocol::{Client, ClientOptions, CloudAuth, Command, Endpoint, Error, Outcome, Secret};
use testkit::desktop::Desktop;
use testkit::scripted_ws::{ScriptedServer, Step};
use tokio::net::TcpListener;

#[tokio::test]
async fn a_timed_out_command_discards_the_socket_so_its_late_reply_is_never_misattributed() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    client.version().await.unwrap();
    let slow = Command::RunCommand {
        command: "sleep 1; echo LATE".into(),
        timeout: None,
    };
    let e = client
        .send_with_timeout(&slow, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { sent: true, .. }), "{e}");
    assert_eq!(e.outcome(), Outcome::Unknown);
    assert!(e.to_string().contains("300ms"), "{e}");
    // The next command gets its own reply, never "LATE".
    let out = client
        .run_command("echo NEXT", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "NEXT\n");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let out = client
        .run_command("echo AFTER", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "AFTER\n");
    assert_eq!(
        client.connects(),
        2,
        "the timed-out socket must have been replaced"
    );
}

#[tokio::test]
async fn concurrent_callers_each_get_their_own_reply_in_order() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = client.clone();
        let order = order.clone();
        tasks.push(tokio::spawn(async move {
            let token = format!("token-{i}-{}", i * 7919);
            let out = client
                .run_command(&format!("echo {token}"), Duration::from_secs(20))
                .await
                .unwrap();
            assert_eq!(
                out.stdout.trim(),
                token,
                "caller {i} got someone else's reply"
            );
            order.lock().unwrap().push(i);
        }));
        // Stagger submission so that arrival order is defined.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(client.connects(), 1);
    assert_eq!(client.frames_sent(), 40);
    let order = order.lock().unwrap().clone();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(
        order, sorted,
        "replies were not handed out first come, first served"
    );
}

#[tokio::test]
async fn a_killed_server_fails_the_in_flight_call_at_once_and_the_next_call_reconnects() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    let marker = scratch("kill").join("clicked");
    client.version().await.unwrap();
    let in_flight = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .run_command("sleep 10", Duration::from_secs(30))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed_at = Instant::now();
    desktop.kill_server();
    let e = in_flight.await.unwrap().unwrap_err();
    assert!(
        killed_at.elapsed() < Duration::from_secs(3),
        "in-flight call hung for {:?}",
        killed_at.elapsed()
    );
    assert!(matches!(e, Error::ConnectionLost { sent: true, .. }), "{e}");
    assert!(
        e.to_string().contains("may or may not have taken effect"),
        "{e}"
    );

    // While it is down: a clear refusal naming the address, and nothing sent.
    let e = client.version().await.unwrap_err();
    assert!(matches!(e, Error::ConnectRefused { .. }), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("127.0.0.1:{}", desktop.port())),
        "{e}"
    );
    assert_eq!(e.outcome(), Outcome::NotSent);

    desktop.restart_server();
    let out = client
        .run_command(
            &format!("touch {}; echo up", marker.display()),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(out.stdout, "up\n");
    assert!(client.connects() >= 2);
}

#[tokio::test]
async fn keepalive_detects_a_frozen_server_and_recovers_after_it_thaws() {
    let desktop = Desktop::start();
    let opts = ClientOptions {
        ping_interval: Duration::from_millis(500),
        pong_timeout: Duration::from_millis(1000),
        command_timeout: Duration::from_secs(30),
        ..ClientOptions::default()
    };
    let client = client_with(&desktop, opts);
    client.version().await.unwrap();
    desktop.freeze_server();
    let started = Instant::now();
    let e = client.screen_size().await;
    let elapsed = started.elapsed();
    desktop.thaw_server();
    let e = e.unwrap_err();
    assert!(
        elapsed < Duration::from_secs(5),
        "frozen server detected only after {elapsed:?}"
    );
    assert!(e.to_string().contains("keepalive"), "{e}");
    // A read is idempotent, so it may have been resent once; the client then reported the failure.
    let v = client.version().await.unwrap();
    assert_eq!(v.package, cua_protocol::TESTED_PACKAGE);
}

#[tokio::test]
async fn an_idle_connection_survives_the_servers_keepalive_window() {
    let desktop = Desktop::start();
    let client = client(&desktop);
    client.version().await.unwrap();
    // The server closes connections that do not answer its pings within 40 s; ours keeps reading.
    tokio::time::sleep(Duration::from_secs(45)).await;
    client.version().await.unwrap();
    assert_eq!(client.connects(), 1, "the idle connection was dropped");
}

#[tokio::test]
async fn wrong_path_refused_port_and_foreign_servers_get_actionable_errors() {
    let desktop = Desktop::start();
    let wrong = Endpoint::parse(&format!("ws://127.0.0.1:{}/nope", desktop.port())).unwrap();
    let e = Client::new(wrong, ClientOptions::default())
        .version()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::WrongPath { .. }), "{e}");
    assert!(e.to_string().contains("/ws"), "{e}");

    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = Endpoint::parse(&format!("ws://127.0.0.1:{free}/ws")).unwrap();
    let started = Instant::now();
    let e = Client::new(refused, ClientOptions::default())
        .version()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "refusal took {:?}",
        started.elapsed()
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{free}")) && text.contains("--host 0.0.0.0 --port"),
        "{text}"
    );

    // A plain HTTP server that is not cua-computer-server.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            use tokio::io::AsyncWriteExt as _;
            let _ = sock
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nNot found")
                .await;
        }
    });
    let e = Client::new(
        Endpoint::parse(&format!("ws://127.0.0.1:{port}/ws")).unwrap(),
        ClientOptions::default(),
    )
    .version()
    .await
    .unwrap_err();
    assert!(matches!(e, Error::NotCuaServer { .. }), "{e}");
    assert!(e.to_string().contains("404"), "{e}");
}

#[tokio::test]
async fn malformed_and_silent_replies_fail_clearly_and_input_is_never_replayed() {
    let server = ScriptedServer::start(vec![
        Step::reply("{not json"),
        Step::reply(r#"{"data":{"x":1}}"#),
        Step::Silent, // the click's reply never comes
    ])
    .await;
    let opts = ClientOptions {
        command_timeout: Duration::from_millis(500),
        ..ClientOptions::default()
    };
    let client = Client::new(Endpoint::parse(&server.url()).unwrap(), opts);
    let e = client.screen_size().await.unwrap_err();
    assert!(
        matches!(e, Error::Protocol { .. }) && e.to_string().contains("not JSON"),
        "{e}"
    );
    let e = client.screen_size().await.unwrap_err();
    assert!(
        e.to_string().contains("missing or non-boolean `success`"),
        "{e}"
    );
    let e = client.left_click(Some((1.0, 2.0))).await.unwrap_err();
    assert!(matches!(e, Error::Timeout { sent: true, .. }), "{e}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.received(), 3, "the click was sent again");
}

#[tokio::test]
async fn cloud_mode_authenticates_first_and_reports_refusals_without_the_key() {
    // The real server in cloud mode, with its auth call pointed at a loopback fake of the auth endpoint.
    let auth = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let auth_url = format!("http://{}", auth.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut sock, _)) = auth.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let ok = req.contains("Bearer good-key");
            let resp = if ok {
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
            } else {
                "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            };
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    let desktop = Desktop::builder()
        .server_env("CONTAINER_NAME", "test-vm")
        .server_env("CUA_BASE_URL_AUTH", &auth_url)
        .start();
    let endpoint = |key: &str, name: &str| {
        Endpoint::parse(&desktop.ws_url())
            .unwrap()
            .with_auth(Some(CloudAuth {
                container_name: name.into(),
                api_key: Secret::new(key),
            }))
    };
    let good = Client::new(endpoint("good-key", "test-vm"), ClientOptions::default());
    assert_eq!(
        good.version().await.unwrap().package,
        cua_protocol::TESTED_PACKAGE
    );
    assert_eq!(
        good.run_command("echo authed", Duration::from_secs(5))
            .await
            .unwrap()
            .stdout,
        "authed\n"
    );

    let bad = Client::new(
        endpoint("bad-key-SECRET", "test-vm"),
        ClientOptions::default(),
    );
    let e = bad.version().await.unwrap_err();
    assert!(matches!(e, Error::AuthFailed { .. }), "{e}");
    assert!(
        !format!("{e} {e:?}").contains("bad-key-SECRET"),
        "the key leaked into the error"
    );

    let none = Client::new(
        Endpoint::parse(&desktop.ws_url()).unwrap(),
        ClientOptions::default(),
    );
    let e = none.version().await.unwrap_err();
    assert!(matches!(e, Error::AuthRequired), "{e}");
}
