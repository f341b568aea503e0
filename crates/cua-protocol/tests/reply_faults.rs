//! Replies the real server never sends, from the scripted **fake** peer (`testkit::scripted_ws`): truncated
//! JSON, a frame cut off mid-way, a reply above the client's size limit, frames nobody asked for, a reply that
//! never comes. For each: the caller gets a clear error or the right result within a bounded time, the server
//! receives every command frame exactly as often as the retry rules allow (input never twice), and the next
//! call works. Faults the real server can produce (killed, restarted, frozen) are in `faults.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use cua_protocol::{Client, ClientOptions, ConnectionState, Disconnect, Endpoint, Error, Outcome};
use testkit::scripted_ws::{ScriptedServer, Step};

const SIZE: &str = r#"{"success":true,"size":{"width":640,"height":480}}"#;

fn client_of(server: &ScriptedServer, opts: ClientOptions) -> Client {
    Client::new(Endpoint::parse(&server.url()).unwrap(), opts)
}

fn output(stdout: &str) -> String {
    format!(r#"{{"success":true,"stdout":"{stdout}\n","stderr":"","return_code":0}}"#)
}

#[tokio::test]
async fn truncated_json_is_a_protocol_error_and_the_connection_stays_usable() {
    let server = ScriptedServer::start(vec![
        Step::reply(r#"{"success":true,"size":{"width":64"#),
        Step::reply(SIZE),
    ])
    .await;
    let client = client_of(&server, ClientOptions::default());
    let e = client.screen_size().await.unwrap_err();
    assert!(matches!(e, Error::Protocol { .. }), "{e}");
    assert!(e.to_string().contains("get_screen_size"), "{e}");
    assert!(e.to_string().contains("not JSON"), "{e}");
    // The reply arrived (it was just unreadable), so the socket is still in step and is kept.
    let size = client.screen_size().await.unwrap();
    assert_eq!((size.width, size.height), (640, 480));
    assert_eq!(server.received(), 2);
    assert_eq!(client.connects(), 1);
}

#[tokio::test]
async fn a_frame_cut_off_mid_way_fails_input_once_and_resends_only_a_read() {
    let server = ScriptedServer::start(vec![
        // A click whose reply dies half-way: ambiguous, never resent.
        Step::CutOff(r#"{"success":true,"padding":"................................"}"#.into()),
        // A read whose reply dies half-way: resent once on a new connection, which answers.
        Step::CutOff(SIZE.into()),
        Step::reply(SIZE),
        // The next call after all that.
        Step::reply(output("next")),
    ])
    .await;
    let client = client_of(&server, ClientOptions::default());
    let started = Instant::now();
    let e = client.left_click(Some((10.0, 20.0))).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(e, Error::ConnectionLost { sent: true, .. }), "{e}");
    assert_eq!(e.outcome(), Outcome::Unknown);
    assert!(
        e.to_string().contains("may or may not have taken effect"),
        "{e}"
    );
    assert_eq!(server.received(), 1, "the click was sent again");

    let size = client.screen_size().await.unwrap();
    assert_eq!(size.width, 640);
    let frames = server.frames();
    assert_eq!(frames.len(), 3, "{frames:?}");
    assert!(frames[1].contains("get_screen_size") && frames[2].contains("get_screen_size"));

    let out = client
        .run_command("echo next", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "next\n");
    assert_eq!(server.received(), 4);
    assert_eq!(server.connections(), 3, "one new connection per cut-off");
}

#[tokio::test]
async fn an_oversized_reply_is_refused_with_the_limit_not_resent_and_the_next_call_works() {
    let big = format!(
        r#"{{"success":true,"image_data":"{}"}}"#,
        "A".repeat(200 * 1024)
    );
    let server = ScriptedServer::start(vec![Step::reply(big), Step::reply(SIZE)]).await;
    let opts = ClientOptions {
        max_message_bytes: 64 * 1024,
        ..ClientOptions::default()
    };
    let client = client_of(&server, opts);
    let started = Instant::now();
    let e = client
        .screenshot(cua_protocol::CaptureFormat::Png, None)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(e, Error::ReplyTooLarge { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("`screenshot`") && text.contains("larger than this client accepts"),
        "{text}"
    );
    assert!(text.contains("65536"), "the limit is named: {text}");
    assert_eq!(e.outcome(), Outcome::Unknown);
    // A read, but resending would only fetch the same oversized reply again.
    assert_eq!(server.received(), 1);
    match client.state() {
        ConnectionState::Disconnected { cause, .. } => assert_eq!(cause, Disconnect::Discarded),
        other => panic!("the connection should have been dropped: {other:?}"),
    }
    let size = client.screen_size().await.unwrap();
    assert_eq!(size.height, 480);
    assert_eq!(client.connects(), 2);
}

#[tokio::test]
async fn a_frame_nobody_asked_for_is_never_taken_for_the_next_reply() {
    // 1. Arriving while the connection is idle: the connection is dropped at once, and the next command gets
    //    its own reply on a new one.
    let server = ScriptedServer::start(vec![
        Step::ReplyThen {
            reply: output("first"),
            extra: output("INJECTED"),
            after: Duration::from_millis(100),
        },
        Step::reply(output("second")),
    ])
    .await;
    let client = client_of(&server, ClientOptions::default());
    let out = client
        .run_command("echo first", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "first\n");
    tokio::time::sleep(Duration::from_millis(400)).await;
    match client.state() {
        ConnectionState::Disconnected { cause, reason } => {
            assert_eq!(cause, Disconnect::Discarded);
            assert!(reason.contains("unsolicited"), "{reason}");
        }
        other => panic!("an unsolicited frame must drop the connection: {other:?}"),
    }
    let out = client
        .run_command("echo second", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "second\n");
    assert_eq!(client.connects(), 2);

    // 2. A duplicated reply (both frames in one write) while the next caller is already queued: the duplicate
    //    is found before the queued command is sent, so that command goes out once, on a new connection, and
    //    gets its own reply.
    let server = ScriptedServer::start(vec![
        Step::Duplicate {
            reply: output("mine"),
            extra: output("DUPLICATE"),
            delay: Duration::from_millis(300),
        },
        Step::reply(output("yours")),
    ])
    .await;
    let client = client_of(&server, ClientOptions::default());
    client.version().await.unwrap();
    let first = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .run_command("echo mine", Duration::from_secs(5))
                .await
        })
    };
    // Queued well before the first reply (300 ms) arrives.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = client
        .run_command("echo yours", Duration::from_secs(5))
        .await
        .unwrap();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.stdout, "mine\n");
    assert_eq!(
        second.stdout, "yours\n",
        "the duplicate was taken as the reply"
    );
    let frames = server.frames();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(frames[1].contains("echo yours"));
    assert_eq!(client.connects(), 2);
}

#[tokio::test]
async fn a_reply_that_never_comes_is_bounded_by_the_command_timeout_and_not_resent() {
    let server = ScriptedServer::start(vec![Step::Silent, Step::reply(output("after"))]).await;
    let opts = ClientOptions {
        command_timeout: Duration::from_millis(400),
        ..ClientOptions::default()
    };
    let client = client_of(&server, opts);
    client.version().await.unwrap();
    let started = Instant::now();
    let e = client.type_text("secret words").await.unwrap_err();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    assert!(matches!(e, Error::Timeout { sent: true, .. }), "{e}");
    assert!(e.to_string().contains("400ms"), "{e}");
    assert_eq!(e.outcome(), Outcome::Unknown);
    let out = client
        .run_command("echo after", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out.stdout, "after\n");
    let frames = server.frames();
    assert_eq!(frames.len(), 2, "the typing was sent again: {frames:?}");
    assert!(frames[0].contains("type_text"));
}

#[tokio::test]
async fn a_server_that_closes_right_after_a_reply_costs_the_queued_click_nothing() {
    // The close arrives together with the reply while a click waits in the queue: the click sees it before it
    // is sent, so it goes out once, on a new connection, and succeeds (instead of being lost on a dead socket
    // and reported as "may or may not have taken effect").
    let server = ScriptedServer::start(vec![
        Step::ReplyThenClose {
            reply: output("before"),
            delay: Duration::from_millis(300),
        },
        Step::reply(r#"{"success":true}"#),
    ])
    .await;
    let client = client_of(&server, ClientOptions::default());
    client.version().await.unwrap();
    let first = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .run_command("echo before", Duration::from_secs(5))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.left_click(Some((5.0, 5.0))).await.unwrap();
    assert_eq!(first.await.unwrap().unwrap().stdout, "before\n");
    let frames = server.frames();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(frames[1].contains("left_click"));
    assert_eq!(server.connections(), 2);
}
