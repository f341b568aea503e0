//! Round-trip latency: a few `version` commands (idempotent, tiny) on the GUI lane, median and worst. A slow
//! path (a remote VM, an overloaded host) makes every agent step slower; nothing breaks, so it only warns.

use std::time::{Duration, Instant};

use computer_use::vm::VmSession;

use crate::report::Check;

/// Check id.
pub const ID: &str = "latency";

/// Median above this earns a warning.
const SLOW: Duration = Duration::from_millis(250);

/// The check over `samples` round trips (at least one).
pub async fn check(session: &VmSession, samples: u32) -> Check {
    let mut times = Vec::new();
    for _ in 0..samples.max(1) {
        let started = Instant::now();
        if let Err(e) = session.gui().version().await {
            return Check::fail_from_error(ID, &session.explain(e));
        }
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    let text = format!(
        "round trip median {:.1} ms, worst {:.1} ms over {} `version` commands",
        ms(median),
        ms(worst),
        times.len()
    );
    if median > SLOW {
        return Check::warn(
            ID,
            format!("{text}: slow"),
            "check the network path to the VM and the host's load; every agent action pays this at least once",
        );
    }
    Check::pass(ID, text)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
