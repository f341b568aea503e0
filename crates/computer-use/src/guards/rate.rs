//! The rate limit: a token bucket per VM (governor's GCRA), so a runaway agent cannot flood a VM.
//!
//! Screenshots have their own budget (each costs the model thousands of tokens, and a polling agent takes
//! many); every other call spends the action budget. Over budget, the call is refused before anything is
//! sent, and the message says how long to wait. The defaults are generous: only a loop reaches them.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::config::RateConfig;
use crate::guards::{Clock, GuardKind, Refusal};

/// Which budget a call spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    Actions,
    Screenshots,
}

/// Our [`Clock`] as governor's clock, so tests can drive the buckets with a fake clock.
#[derive(Debug, Clone)]
struct GovClock(Arc<dyn Clock>);

impl governor::clock::Clock for GovClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.0.now())
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, GovClock, NoOpMiddleware<Nanos>>;

/// One bucket and what it allows, for messages.
struct Bucket {
    limiter: Limiter,
    per_minute: u32,
    burst: u32,
    /// What is counted, plural (`actions`).
    what: &'static str,
    /// The setting that raises it.
    key: &'static str,
}

impl Bucket {
    fn new(
        per_minute: u32,
        burst: u32,
        what: &'static str,
        key: &'static str,
        clock: &GovClock,
    ) -> Bucket {
        let rate = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let burst_nz = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(Duration::from_secs(60) / rate.get())
            .unwrap_or_else(|| Quota::per_minute(rate))
            .allow_burst(burst_nz);
        Bucket {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            per_minute: rate.get(),
            burst: burst_nz.get(),
            what,
            key,
        }
    }
}

/// The buckets of one VM.
pub(crate) struct RateGuard {
    clock: GovClock,
    actions: Bucket,
    screenshots: Bucket,
}

impl std::fmt::Debug for RateGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateGuard").finish_non_exhaustive()
    }
}

impl RateGuard {
    pub(crate) fn new(config: &RateConfig, clock: Arc<dyn Clock>) -> RateGuard {
        let clock = GovClock(clock);
        RateGuard {
            actions: Bucket::new(
                config.actions_per_minute(),
                config.action_burst(),
                "actions",
                "guards.rate.actionsPerMinute",
                &clock,
            ),
            screenshots: Bucket::new(
                config.screenshots_per_minute(),
                config.screenshot_burst(),
                "screenshots",
                "guards.rate.screenshotsPerMinute",
                &clock,
            ),
            clock,
        }
    }

    /// Takes one token from `budget`, or refuses with the time to wait.
    pub(crate) fn check(&self, budget: Budget, vm: &str) -> Result<(), Refusal> {
        let bucket = match budget {
            Budget::Actions => &self.actions,
            Budget::Screenshots => &self.screenshots,
        };
        bucket.limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            Refusal::new(
                GuardKind::Rate,
                format!(
                    "Rate limit: VM `{vm}` is over its budget of {} {} per minute (bursts of {}); this call was not sent. Retry in {}, and slow down: fewer, more deliberate calls (the operator can raise {}).",
                    bucket.per_minute,
                    bucket.what,
                    bucket.burst,
                    show_wait(wait),
                    bucket.key
                ),
            )
        })
    }
}

/// `0.2 s`, `1.5 s`, `12 s`: rounded up, so retrying after that long succeeds.
fn show_wait(d: Duration) -> String {
    let tenths = d.as_nanos().div_ceil(100_000_000).max(1);
    if tenths < 100 {
        format!("{}.{} s", tenths / 10, tenths % 10)
    } else {
        format!("{} s", tenths.div_ceil(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up() {
        assert_eq!(show_wait(Duration::ZERO), "0.1 s");
        assert_eq!(show_wait(Duration::from_millis(100)), "0.1 s");
        assert_eq!(show_wait(Duration::from_millis(101)), "0.2 s");
        assert_eq!(show_wait(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(show_wait(Duration::from_millis(9_990)), "10 s");
        assert_eq!(show_wait(Duration::from_millis(12_050)), "13 s");
    }
}
