//! Polling for effects that happen outside the test's control (an X window mapping, a selection owner
//! changing, a server coming back): tests say how long they are willing to wait instead of sleeping a guess.

use std::time::{Duration, Instant};

/// How often a condition is checked again.
const POLL: Duration = Duration::from_millis(100);

/// Checks `check` until it yields `Some` or `limit` has passed (then `None`); always checks at least once.
pub async fn eventually<T>(
    limit: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if start.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}
