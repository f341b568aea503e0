//! Guards: the checks between the tools and the VM sessions, so every face (CLI, MCP, OpenClaw) gets them.
//!
//! The seed lists "no rate limiting — runaway tool loops are possible" and `vm_exec` command injection as
//! known weaknesses; these close them. Every call through [`crate::tools::call`] passes [`Guards::run`]:
//!
//! - **before** the tool runs: the [exec policy](exec_policy) (`vm_exec`/`vm_launch` commands; also lowers
//!   an over-long `timeout`), the [loop guard](loops) (the same call again and again, two calls in
//!   alternation) and the [rate limit](rate) (a token bucket per VM, screenshots on their own budget). A
//!   refusal is a [`ToolError`] of kind `Rejected` whose message says why and what to do; nothing is sent.
//! - **after** it ran: screen bookkeeping (a hash of every returned image: identical screenshots in a row
//!   are warned about, then refused; a screen not seen recently counts as progress and resets the loop
//!   counts), warnings prepended to the result text, and one [audit] line (redacted arguments,
//!   outcome, latency) when an audit file is configured. With `logVerbose` the same line goes to stderr.
//!
//! State is per VM and lives in one [`Guards`] value shared by every call of a face: create one
//! [`crate::tools::ToolContext`] per face and clone it per call (a fresh context would start with fresh
//! budgets). Time comes from a [`Clock`] so tests can use a [`FakeClock`].

pub mod audit;
pub mod exec_policy;
pub mod loops;
pub mod rate;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::{Config, GuardsConfig};
use crate::tools::{Content, ToolError, ToolErrorKind, ToolOutput};

use self::audit::{AuditLog, Redactor};
use self::exec_policy::ExecPolicy;
use self::loops::{ActionKey, LoopGuard, Verdict};
use self::rate::{Budget, RateGuard};

/// Tools that only look at the screen and return an image: they use the screenshot budget, are exempt
/// from the repeated-call rule (the identical-screenshot rule covers them) and may be refused after the
/// fact (taking a screenshot changes nothing in the VM).
pub const SCREENSHOT_TOOLS: &[&str] = &["vm_screenshot", "vm_zoom"];

/// Which guard refused a call (the audit log's `guard` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardKind {
    /// The per-VM rate limit.
    Rate,
    /// The loop guard.
    Loop,
    /// The exec policy.
    ExecPolicy,
}

impl GuardKind {
    /// Stable name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardKind::Rate => "rate",
            GuardKind::Loop => "loop",
            GuardKind::ExecPolicy => "exec_policy",
        }
    }
}

/// A call refused by a guard: which one, and the message the agent reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The guard that refused.
    pub guard: GuardKind,
    /// What happened and what to do.
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(guard: GuardKind, message: impl Into<String>) -> Refusal {
        Refusal {
            guard,
            message: message.into(),
        }
    }
}

impl From<Refusal> for ToolError {
    fn from(r: Refusal) -> ToolError {
        ToolError::rejected(r.message)
    }
}

/// Monotonic time for the guards: the time since an arbitrary origin.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now, as a duration since the clock's origin.
    fn now(&self) -> Duration;
}

/// The real monotonic clock.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that moves only when told to: for tests of rates and windows without sleeping. Clones share
/// the same time.
#[derive(Debug, Clone, Default)]
pub struct FakeClock {
    nanos: Arc<AtomicU64>,
}

impl FakeClock {
    /// A clock at zero.
    pub fn new() -> FakeClock {
        FakeClock::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// The guard state of one VM.
struct VmGuards {
    rate: RateGuard,
    loops: Mutex<LoopGuard>,
}

/// Text prepended to a successful result (a loop warning, the lowered timeout), with a kind for the audit
/// log (which does not repeat the text: loop warnings quote the arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) kind: &'static str,
    pub(crate) text: String,
}

/// What a call that passed the guards carries to its end.
struct Admitted {
    notes: Vec<Note>,
    vm: Arc<VmGuards>,
}

/// All guards of a face: settings, per-VM state, the audit log.
pub struct Guards {
    settings: GuardsConfig,
    exec: ExecPolicy,
    clock: Arc<dyn Clock>,
    /// Configured VM names; calls for any other name share one state (they fail in the session anyway).
    known_vms: Vec<String>,
    vms: Mutex<HashMap<String, Arc<VmGuards>>>,
    audit: Option<AuditLog>,
    redactor: Redactor,
    verbose: bool,
}

impl fmt::Debug for Guards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guards")
            .field("settings", &self.settings)
            .field("audit", &self.audit.as_ref().map(AuditLog::path))
            .field("verbose", &self.verbose)
            .finish_non_exhaustive()
    }
}

impl Guards {
    /// The guards of `config`, on the real clock.
    pub fn new(config: &Config) -> Guards {
        Guards::with_clock(config, Arc::new(SystemClock::default()))
    }

    /// The guards of `config` on the given clock (tests use a [`FakeClock`]).
    pub fn with_clock(config: &Config, clock: Arc<dyn Clock>) -> Guards {
        let settings = config.guards().clone();
        let audit = config
            .audit()
            .path()
            .map(|p| AuditLog::new(p.to_path_buf(), config.audit().max_bytes()));
        Guards {
            exec: ExecPolicy::new(settings.exec()),
            settings,
            clock,
            known_vms: config.vm_names(),
            vms: Mutex::new(HashMap::new()),
            audit,
            redactor: Redactor::new(config.audit()),
            verbose: config.log_verbose(),
        }
    }

    /// Runs one tool call through the guards: checks, then `call` with the (possibly adjusted) arguments,
    /// then bookkeeping, warnings and the audit line. `vm` is the configured VM name the call is for.
    pub async fn run<F, Fut>(
        &self,
        vm: &str,
        tool: &str,
        mut args: Value,
        call: F,
    ) -> Result<ToolOutput, ToolError>
    where
        F: FnOnce(Value) -> Fut,
        Fut: Future<Output = Result<ToolOutput, ToolError>>,
    {
        let started = self.clock.now();
        let admitted = self.admit(vm, tool, &mut args);
        // Redacted before the call takes the arguments, and only when someone will read them.
        let logged_args =
            (self.audit.is_some() || self.verbose).then(|| self.redactor.redact_args(&args));
        let (result, guard, notes) = match admitted {
            Err(refusal) => (
                Err(ToolError::from(refusal.clone())),
                Some(refusal.guard),
                Vec::new(),
            ),
            Ok(admitted) => {
                let result = call(args).await;
                let mut notes = admitted.notes;
                let (result, guard) = self.after(tool, &admitted.vm, result, &mut notes);
                (result.map(|out| with_notes(out, &notes)), guard, notes)
            }
        };
        if let Some(args) = logged_args {
            let latency = self.clock.now().saturating_sub(started);
            let record = audit::Record {
                vm,
                tool,
                args,
                result: &result,
                guard,
                notes: &notes,
                latency,
            };
            let line = self.redactor.line(&record);
            if self.verbose {
                tracing::info!(target: "computer_use::audit", "{line}");
            }
            if let Some(audit) = &self.audit {
                audit.write(&line);
            }
        }
        result
    }

    /// The checks before a call: exec policy, loop guard, rate limit (in that order, so a call refused by
    /// policy or as a loop spends no budget). A call that passes is recorded for the loop guard.
    fn admit(&self, vm: &str, tool: &str, args: &mut Value) -> Result<Admitted, Refusal> {
        let mut notes: Vec<Note> = self
            .exec
            .check(tool, args)?
            .into_iter()
            .map(|text| Note {
                kind: "timeout_lowered",
                text,
            })
            .collect();
        let state = self.state(vm);
        let screenshot = SCREENSHOT_TOOLS.contains(&tool);
        let now = self.clock.now();
        let mut loops = lock(&state.loops);
        let key = ActionKey::new(tool, args);
        if self.settings.loops().enabled() && !screenshot {
            match loops.check(&key, now) {
                Verdict::Allow => {}
                Verdict::Warn(text) => notes.push(Note {
                    kind: "loop_warning",
                    text,
                }),
                Verdict::Refuse(text) => return Err(Refusal::new(GuardKind::Loop, text)),
            }
        }
        if self.settings.rate().enabled() {
            let budget = if screenshot {
                Budget::Screenshots
            } else {
                Budget::Actions
            };
            state.rate.check(budget, vm)?;
        }
        if !screenshot {
            loops.record(key, now);
        }
        drop(loops);
        Ok(Admitted { notes, vm: state })
    }

    /// Bookkeeping after a call: hashes returned images (identical screens in a row are warned about, then
    /// a screenshot is refused; a new screen is progress). Returns which guard refused, if one did.
    fn after(
        &self,
        tool: &str,
        vm: &VmGuards,
        result: Result<ToolOutput, ToolError>,
        notes: &mut Vec<Note>,
    ) -> (Result<ToolOutput, ToolError>, Option<GuardKind>) {
        let out = match result {
            Ok(out) if self.settings.loops().enabled() => out,
            other => return (other, None),
        };
        let Some(hash) = image_hash(&out) else {
            return (Ok(out), None);
        };
        let screenshot = SCREENSHOT_TOOLS.contains(&tool);
        let frame = out.details.get("frame").and_then(Value::as_u64);
        let verdict = lock(&vm.loops).observe_screen(hash, self.clock.now(), screenshot, frame);
        match verdict {
            Verdict::Allow => (Ok(out), None),
            Verdict::Warn(text) => {
                notes.push(Note {
                    kind: "screen_warning",
                    text,
                });
                (Ok(out), None)
            }
            Verdict::Refuse(text) => (
                Err(ToolError {
                    kind: ToolErrorKind::Rejected,
                    message: text,
                }),
                Some(GuardKind::Loop),
            ),
        }
    }

    /// The state of `vm`, created on first use.
    fn state(&self, vm: &str) -> Arc<VmGuards> {
        let name = if self.known_vms.iter().any(|k| k == vm) {
            vm
        } else {
            "(unknown VM)"
        };
        let mut map = lock(&self.vms);
        map.entry(name.to_owned())
            .or_insert_with(|| {
                Arc::new(VmGuards {
                    rate: RateGuard::new(self.settings.rate(), self.clock.clone()),
                    loops: Mutex::new(LoopGuard::new(self.settings.loops().clone())),
                })
            })
            .clone()
    }
}

/// A poisoned lock only means another call panicked mid-update; the counters are still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A hash of every image of a result (the encoded bytes, as base64), or None without images.
fn image_hash(out: &ToolOutput) -> Option<u64> {
    let mut hasher = Sha256::new();
    let mut any = false;
    for c in &out.content {
        if let Content::Image { base64, mime } = c {
            hasher.update(mime.as_bytes());
            hasher.update(base64.as_bytes());
            any = true;
        }
    }
    any.then(|| {
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    })
}

/// Prepends the notes as one text block and lists them in `details.warnings`.
fn with_notes(mut out: ToolOutput, notes: &[Note]) -> ToolOutput {
    if notes.is_empty() {
        return out;
    }
    let texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    out.content.insert(0, Content::Text(texts.join("\n")));
    out.details.insert(
        "warnings".to_owned(),
        Value::Array(texts.into_iter().map(Value::from).collect()),
    );
    out
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `12th`, `13th`, `21st`.
pub(crate) fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 5, 11, 12, 13, 21, 22, 23, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "5th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
    }

    #[test]
    fn fake_clock_clones_share_time() {
        let a = FakeClock::new();
        let b = a.clone();
        a.advance(Duration::from_millis(1500));
        assert_eq!(b.now(), Duration::from_millis(1500));
    }

    #[test]
    fn image_hash_depends_on_the_image_only() {
        let img = |b: &str| ToolOutput {
            content: vec![
                Content::Text("t".into()),
                Content::Image {
                    base64: b.into(),
                    mime: "image/jpeg",
                },
            ],
            details: Default::default(),
        };
        assert_eq!(image_hash(&ToolOutput::text("x")), None);
        assert_eq!(image_hash(&img("AAAA")), image_hash(&img("AAAA")));
        assert_ne!(image_hash(&img("AAAA")), image_hash(&img("AAAB")));
    }
}
