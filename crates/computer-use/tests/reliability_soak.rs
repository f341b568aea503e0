//! The soak, CI size: 1,500 mixed actions through the core against the **real** cua-computer-server on a
//! private Xvfb desktop (the driver is `support/soak.rs`, shared with `bench/soak.sh`, which runs 10,000+).
//! Every reply is checked by content; no action may fail (nothing is injected here); open file descriptors
//! return to the warmed-up baseline and resident memory grows by less than [`MAX_RSS_GROWTH_KIB`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "support/soak.rs"]
mod soak;

use common::*;
use testkit::desktop::Desktop;

const ACTIONS: usize = 1_500;
const WARMUP: usize = 200;
/// Resident memory may grow this much from the warmed-up baseline (measured: well under 100 KiB). A leak of
/// 3 KiB per action, or of one decoded screen (750 KiB here) per screenshot action, exceeds it.
const MAX_RSS_GROWTH_KIB: u64 = 4 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifteen_hundred_mixed_actions_keep_descriptors_and_memory_flat() {
    // A small screen keeps screenshot processing cheap in a debug build; the code paths are the same.
    let desktop = Desktop::builder().screen(640, 400).start();
    let ctx = ctx(&desktop, soak::SOAK_CONFIG);
    let dir = scratch("soak");
    let report = soak::run(&ctx, WARMUP, ACTIONS, 250, &dir.display().to_string()).await;
    let (start, end) = (report.start(), report.end());
    eprintln!(
        "soak: {} actions in {:?} ({:.0}/s), {} errors; RSS {} → {} KiB (peak {}); fds {} → {}; {:?}",
        report.actions,
        report.took,
        report.actions as f64 / report.took.as_secs_f64(),
        report.errors,
        start.rss_kib,
        end.rss_kib,
        report.peak_rss_kib(),
        start.fds,
        end.fds,
        report.per_tool
    );
    for s in &report.samples {
        eprintln!(
            "  after {:>5} actions ({:>6.1?}): RSS {} KiB, {} fds",
            s.actions, s.at, s.usage.rss_kib, s.usage.fds
        );
    }
    assert_eq!(report.actions, ACTIONS);
    assert_eq!(
        report.errors, 0,
        "actions failed or got wrong replies: {:?}",
        report.first_errors
    );
    assert!(
        report.per_tool.len() >= 6,
        "every kind of action ran: {:?}",
        report.per_tool
    );
    assert!(start.rss_kib > 0 && start.fds > 0, "{start:?}");
    assert_eq!(
        end.fds, start.fds,
        "open file descriptors changed over the soak (leaked sockets or files?)"
    );
    assert!(
        end.rss_kib <= start.rss_kib + MAX_RSS_GROWTH_KIB,
        "resident memory grew by {} KiB",
        end.rss_kib.saturating_sub(start.rss_kib)
    );
    let session = ctx.session().unwrap();
    assert_eq!(session.gui().connects(), 1, "the GUI lane reconnected");
    assert_eq!(session.shell().connects(), 1, "the shell lane reconnected");
}
