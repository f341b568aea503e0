//! Load: 50 concurrent callers across 5 VM sessions, each session its own **real** cua-computer-server on its
//! own private Xvfb desktop, all calls through the core (`tools::call`) as the faces make them.
//!
//! Why 5 desktops and not 5 named VMs on one: a session's pointer belongs to its desktop, so only separate
//! desktops let every session move and read its own pointer and be checked by content; and each desktop has a
//! different screen width, so a screenshot that reached the wrong session is caught by its size. The screens
//! are small (about 500x360) to keep 5 servers affordable on 2 cores (start-up ~5 s in parallel).
//!
//! Every reply is checked to be the caller's own: shell callers echo unique tokens (shell lane), screenshot
//! callers get their session's screen width (GUI lane), the pointer caller of each session reads back exactly
//! where it moved (GUI lane; no other caller moves that pointer). Fairness: callers loop closed (the next call
//! after the previous reply), so a first-come-first-served lane serves them in turns; at every completion no
//! caller on a lane may be more than [`MAX_SPREAD`] calls ahead of another on the same lane (a LIFO or
//! starving lane would let early callers fall behind by whole rounds).
//!
//! Guards are off here: 50 callers are a burst the rate limit is meant to refuse, and repeated screenshots of a
//! static screen are what the loop guard refuses (both are tested in `guards*.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;
use computer_use::tools::ToolContext;
use serde_json::json;
use testkit::desktop::Desktop;

const SESSIONS: usize = 5;
const CALLERS_PER_SESSION: usize = 10;
/// Calls per caller (the pointer caller makes two per round: move, then cursor).
const ROUNDS: usize = 20;
/// Callers 1..=SHELL_CALLERS of a session run shell commands; the rest take screenshots; caller 0 moves.
const SHELL_CALLERS: usize = 5;
/// Largest lead, in completed calls, of one caller over another on the same lane: FIFO turns give 1–2; the
/// rest is room for scheduling hiccups on a loaded 2-core machine. A starving lane gives leads near ROUNDS.
const MAX_SPREAD: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Lane {
    Gui,
    Shell,
}

/// Completed calls per lane, in completion order: (session, caller).
type Log = Arc<Mutex<HashMap<(usize, Lane), Vec<usize>>>>;

fn record(log: &Log, session: usize, lane: Lane, caller: usize) {
    log.lock()
        .unwrap()
        .entry((session, lane))
        .or_default()
        .push(caller);
}

async fn caller(ctx: ToolContext, session: usize, caller: usize, width: u64, log: Log) -> usize {
    let mut calls = 0;
    if caller == 0 {
        // The session's pointer caller: a screenshot sets the frame (scale 1, so image px = screen px).
        ok(&ctx, "vm_screenshot", json!({})).await;
        for round in 0..ROUNDS {
            let (x, y) = (
                (10 + 37 * caller + 11 * round) as f64,
                (20 + 7 * round) as f64,
            );
            ok(&ctx, "vm_move", json!({"x": x, "y": y})).await;
            record(&log, session, Lane::Gui, caller);
            let at = ok(&ctx, "vm_cursor", json!({})).await;
            record(&log, session, Lane::Gui, caller);
            assert_eq!(
                (at.details["x"].as_f64(), at.details["y"].as_f64()),
                (Some(x), Some(y)),
                "session {session}: the pointer caller read someone else's cursor"
            );
            calls += 2;
        }
    } else if caller <= SHELL_CALLERS {
        for round in 0..ROUNDS {
            let token = format!("tok-s{session}-c{caller}-r{round}-{}", std::process::id());
            let out = ok(&ctx, "vm_exec", json!({"command": format!("echo {token}")})).await;
            record(&log, session, Lane::Shell, caller);
            assert_eq!(
                out.details["stdout"],
                format!("{token}\n"),
                "session {session} caller {caller} got another caller's reply"
            );
            calls += 1;
        }
    } else {
        for _ in 0..ROUNDS {
            let shot = ok(&ctx, "vm_screenshot", json!({})).await;
            record(&log, session, Lane::Gui, caller);
            assert_eq!(
                shot.details["width"].as_u64(),
                Some(width),
                "session {session} caller {caller} got another session's screenshot"
            );
            calls += 1;
        }
    }
    calls
}

/// The largest lead of one caller over another on a lane, at any moment of its completion log.
fn max_spread(order: &[usize]) -> usize {
    let callers: Vec<usize> = {
        let mut c = order.to_vec();
        c.sort_unstable();
        c.dedup();
        c
    };
    let mut done: HashMap<usize, usize> = callers.iter().map(|&c| (c, 0)).collect();
    let mut worst = 0;
    for &c in order {
        *done.get_mut(&c).unwrap() += 1;
        let max = *done.values().max().unwrap();
        // Callers that already finished all their calls no longer compete.
        let min = done
            .iter()
            .filter(|(k, _)| order.iter().filter(|&&o| o == **k).count() > done[k])
            .map(|(_, &v)| v)
            .min()
            .unwrap_or(max);
        worst = worst.max(max.saturating_sub(min));
    }
    worst
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_callers_across_five_sessions_each_get_their_own_replies_in_fair_turns() {
    let widths: Vec<u32> = (0..SESSIONS).map(|i| 480 + 32 * i as u32).collect();
    let started = Instant::now();
    let desktops: Vec<Desktop> = std::thread::scope(|s| {
        let handles: Vec<_> = widths
            .iter()
            .map(|&w| s.spawn(move || Desktop::builder().screen(w, 360).start()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    eprintln!("{SESSIONS} desktops up in {:?}", started.elapsed());
    let vms: Vec<String> = desktops
        .iter()
        .enumerate()
        .map(|(i, d)| format!(r#"v{i}: {{provider: "url", serverUrl: "{}"}}"#, d.ws_url()))
        .collect();
    let base = ctx_for(&format!(
        r#"{{ screenshotScale: 1.0, vms: {{ {} }}, defaultVm: "v0",
             guards: {{ rate: {{enabled: false}}, loop: {{enabled: false}} }} }}"#,
        vms.join(", ")
    ));
    // Connect every lane first, so the run measures calls, not connection set-up.
    for i in 0..SESSIONS {
        let ctx = on_vm(&base, &format!("v{i}"));
        ok(&ctx, "vm_exec", json!({"command": "true"})).await;
        ok(&ctx, "vm_screenshot", json!({})).await;
    }

    let log: Log = Arc::default();
    let run = Instant::now();
    let mut tasks = Vec::new();
    for (s, &width) in widths.iter().enumerate() {
        for c in 0..CALLERS_PER_SESSION {
            let ctx = on_vm(&base, &format!("v{s}"));
            let log = log.clone();
            let width = u64::from(width);
            tasks.push(tokio::spawn(caller(ctx, s, c, width, log)));
        }
    }
    let mut calls = 0;
    for t in tasks {
        calls += t.await.unwrap();
    }
    let took = run.elapsed();
    eprintln!(
        "{calls} calls by {} callers in {took:?} ({:.0} calls/s)",
        SESSIONS * CALLERS_PER_SESSION,
        calls as f64 / took.as_secs_f64()
    );
    assert_eq!(
        calls,
        SESSIONS * (ROUNDS * 2 + (CALLERS_PER_SESSION - 1) * ROUNDS)
    );

    let log = log.lock().unwrap();
    for s in 0..SESSIONS {
        for lane in [Lane::Gui, Lane::Shell] {
            let order = &log[&(s, lane)];
            let spread = max_spread(order);
            eprintln!(
                "session {s} {lane:?} lane: {} calls, largest lead {spread}",
                order.len()
            );
            assert!(
                spread <= MAX_SPREAD,
                "session {s} {lane:?} lane was unfair (a caller led by {spread}): {order:?}"
            );
        }
    }
    // Each session kept its own two connections: no reconnects under load.
    for i in 0..SESSIONS {
        let session = on_vm(&base, &format!("v{i}")).session().unwrap();
        assert_eq!(session.gui().connects(), 1, "v{i} GUI lane reconnected");
        assert_eq!(session.shell().connects(), 1, "v{i} shell lane reconnected");
    }
}

#[test]
fn spread_counts_the_largest_lead_among_callers_still_running() {
    assert_eq!(max_spread(&[1, 2, 3, 1, 2, 3]), 1);
    assert_eq!(max_spread(&[1, 1, 1, 2, 2, 2]), 3);
    // Caller 1 finished early (2 calls); it does not count against caller 2 afterwards.
    assert_eq!(max_spread(&[1, 2, 1, 2, 2, 2]), 1);
}
