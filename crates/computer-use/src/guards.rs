//! Guards: the checks between the tools and the VM sessions, so every face (CLI, MCP, OpenClaw) gets them.
//!
//! The seed lists "no rate limiting — runaway tool loops are possible" and `vm_exec` command injection as
//! known weaknesses; these close them. Every call through [`crate::tools::call`] is parsed into its typed
//! arguments first, then carried through the guards as one [`GuardedCall`]:
//!
//! 1. [`GuardedCall::judge_exec`] — the [exec policy](exec_policy) judges the command the tool declared from
//!    its typed arguments (`vm_exec`, `vm_launch`; also lowers an over-long timeout);
//! 2. [`GuardedCall::admit`] — the [loop guard](loops) (the same call again and again, two calls in
//!    alternation, while the screen does not change) and the [rate limit](rate) (a token bucket per VM;
//!    [`ToolKind::Look`] tools spend the screenshot budget);
//! 3. the tool runs;
//! 4. [`GuardedCall::finish`] — screen bookkeeping (looks in a row at the same screen are warned about;
//!    identical images are then refused, "unchanged" replies never are), warnings prepended to the result
//!    text, and one [audit] line (redacted arguments, outcome, latency) when an audit file is configured.
//!    With `logVerbose` the same line goes to stderr.
//!
//! The loop guard and the [effects] memory (what each caller was shown, and what its input actions
//! did to the screen) are kept per caller and VM ([`crate::caller`]); the rate limit per VM.
//!
//! A refusal is a [`ToolError`] of kind `Rejected` whose message says why and what to do; nothing is sent.
//! The guards read only the tool's [`ToolSpec`] and typed view, never tool names.
//!
//! State is per VM and lives in one [`Guards`] value shared by every call of a face: create one
//! [`crate::tools::ToolContext`] per face and clone it per call (a fresh context would start with fresh
//! budgets). Time comes from a [`Clock`] so tests can use a [`crate::clock::FakeClock`].

pub mod approval;
pub mod audit;
pub mod effects;
pub mod exec_policy;
pub mod loops;
pub mod rate;
mod screens;
pub(crate) mod tool_policy;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use crate::caller::Caller;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, GuardsConfig};
use crate::result::{Content, ToolError, ToolOutput};
use crate::spec::{ExecRequest, ToolKind, ToolSpec};

use self::approval::grants::Grants;
use self::approval::{ApprovalDecision, ApprovalPolicy, ApprovalRequest, Approver, CallDigest};
use self::audit::{AuditLog, Redacted, Redactor};
use self::effects::ScreenMemory;
use self::exec_policy::ExecPolicy;
use self::loops::{ActionKey, Look, LoopGuard, Verdict};
use self::rate::{Budget, RateGuard};
use self::tool_policy::ToolPolicy;

/// Which guard refused a call (the audit log's `guard` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardKind {
    /// The per-VM rate limit.
    Rate,
    /// The loop guard.
    Loop,
    /// The exec policy.
    ExecPolicy,
    /// The tool policy (`tools.allow`/`tools.deny`).
    ToolPolicy,
    /// Human approval (`guards.approval`): declined, unanswered, or nobody to ask.
    Approval,
}

impl GuardKind {
    /// Stable name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardKind::Rate => "rate",
            GuardKind::Loop => "loop",
            GuardKind::ExecPolicy => "exec_policy",
            GuardKind::ToolPolicy => "tool_policy",
            GuardKind::Approval => "approval",
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

/// Most callers remembered per VM; the least recently active is forgotten first (its next look gets the
/// image again, its loop history starts afresh). Bounds the memory of a server whose clients come and go.
const MAX_CALLERS: usize = 32;

/// The guard state of one VM: its rate limit, and each caller's state.
struct VmGuards {
    rate: RateGuard,
    callers: Mutex<HashMap<Caller, (u64, Arc<CallerGuards>)>>,
    /// Bumped on every use of a caller's state, for forgetting the least recently active.
    uses: std::sync::atomic::AtomicU64,
}

impl VmGuards {
    fn caller(&self, caller: &Caller, limits: &crate::config::LoopConfig) -> Arc<CallerGuards> {
        let used = self.uses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut map = lock(&self.callers);
        if let Some((at, state)) = map.get_mut(caller) {
            *at = used;
            return state.clone();
        }
        if map.len() >= MAX_CALLERS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(c, _)| c.clone())
        {
            map.remove(&oldest);
        }
        let state = Arc::new(CallerGuards {
            loops: Mutex::new(LoopGuard::new(limits.clone())),
            screen: Mutex::new(ScreenMemory::default()),
        });
        map.insert(caller.clone(), (used, state.clone()));
        state
    }
}

/// What the guards keep for one caller on one VM.
pub struct CallerGuards {
    loops: Mutex<LoopGuard>,
    /// What the caller was shown, and what its input actions did since (see [`effects`]).
    pub screen: Mutex<ScreenMemory>,
}

impl fmt::Debug for CallerGuards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallerGuards").finish_non_exhaustive()
    }
}

/// Text prepended to a successful result (a loop warning, the lowered timeout), with a kind for the audit
/// log (which does not repeat the text: loop warnings quote the arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) kind: &'static str,
    pub(crate) text: String,
}

/// All guards of a face: settings, per-VM state, the audit log.
pub struct Guards {
    settings: GuardsConfig,
    exec: ExecPolicy,
    approval: ApprovalPolicy,
    /// One-time approval tokens issued to a host that asks the person itself (the OpenClaw plugin).
    grants: Arc<Grants>,
    /// The tool policy per configured VM (unknown names get the top-level one).
    tools: HashMap<String, ToolPolicy>,
    default_tools: ToolPolicy,
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

    /// The guards of `config` on the given clock (tests use a [`crate::clock::FakeClock`]).
    pub fn with_clock(config: &Config, clock: Arc<dyn Clock>) -> Guards {
        let settings = config.guards().clone();
        let audit = config
            .audit()
            .path()
            .map(|p| AuditLog::new(p.to_path_buf(), config.audit().max_bytes()));
        let tools = config
            .vm_names()
            .into_iter()
            .map(|vm| {
                let policy = ToolPolicy::new(config.tool_policy(Some(&vm)));
                (vm, policy)
            })
            .collect();
        Guards {
            exec: ExecPolicy::new(settings.exec()),
            approval: ApprovalPolicy::new(settings.approval()),
            grants: Arc::new(Grants::new(clock.clone())),
            tools,
            default_tools: ToolPolicy::new(config.tool_policy(None)),
            settings,
            clock,
            known_vms: config.vm_names(),
            vms: Mutex::new(HashMap::new()),
            audit,
            redactor: Redactor::new(
                config.audit(),
                config.audit().path().is_some() || config.log_verbose(),
            ),
            verbose: config.log_verbose(),
        }
    }

    /// Starts one call of the tool `spec` on the configured VM `vm` (by the default caller; see
    /// [`GuardedCall::by`]); see the module documentation for the steps that follow.
    pub fn begin<'g>(&'g self, vm: &str, spec: &'static ToolSpec) -> GuardedCall<'g> {
        GuardedCall {
            guards: self,
            vm: vm.to_owned(),
            caller: Caller::default(),
            spec,
            started: self.clock.now(),
            notes: Vec::new(),
            state: None,
            logged_args: None,
            refused_by: None,
            outside_allowlist: None,
            keep_args: false,
        }
    }

    /// The one-time approval tokens of this face ([`approval::grants`]).
    pub fn grants(&self) -> Arc<Grants> {
        self.grants.clone()
    }

    /// A one-time token allowing each of `requests`' calls once, valid for `guards.approval.timeoutSecs` plus
    /// [`approval::grants::GRACE`]; None if the OS gives no randomness.
    pub fn issue_grant(&self, requests: &[ApprovalRequest]) -> Option<String> {
        let calls = requests.iter().map(|r| r.digest).collect();
        self.grants.issue(
            calls,
            self.approval
                .timeout()
                .saturating_add(approval::grants::GRACE),
        )
    }

    /// How long a person has to answer (`guards.approval.timeoutSecs`).
    pub fn approval_timeout(&self) -> Duration {
        self.approval.timeout()
    }

    /// Whether the tool `name` exists for the agent on VM `vm` (`tools.allow`/`tools.deny`).
    pub fn tool_allowed(&self, vm: &str, name: &str) -> bool {
        self.tool_policy(vm).refusal(name).is_none()
    }

    fn tool_policy(&self, vm: &str) -> &ToolPolicy {
        self.tools.get(vm).unwrap_or(&self.default_tools)
    }

    /// Whether anyone reads audit lines (the file, or stderr with `logVerbose`).
    fn audited(&self) -> bool {
        self.audit.is_some() || self.verbose
    }

    /// What is kept for `caller` on `vm`: its loop history and its [`ScreenMemory`].
    pub fn caller(&self, vm: &str, caller: &Caller) -> Arc<CallerGuards> {
        self.state(vm).caller(caller, self.settings.loops())
    }

    /// Notes a capture of the screen taken for `caller` (`screen`: a hash of the server's bytes), for the
    /// loop guard: a screen not seen among the caller's last few is progress. The capture path calls this
    /// for every look and check.
    pub fn saw_screen(&self, vm: &str, caller: &Caller, screen: u64) {
        if !self.settings.loops().enabled() {
            return;
        }
        let state = self.caller(vm, caller);
        lock(&state.loops).saw_screen(screen, self.clock.now());
    }

    /// Whether `screen` (a hash of a capture) would be progress for `caller`: not among the screens it saw
    /// last (and not its first).
    pub fn is_new_screen(&self, vm: &str, caller: &Caller, screen: u64) -> bool {
        let state = self.caller(vm, caller);
        lock(&state.loops).is_new_screen(screen)
    }

    /// Whether the loop guard would warn about or refuse this call as a repeat while `caller` has not looked
    /// since its last call: then the caller should capture the screen ([`Guards::saw_screen`]) first, so
    /// that repeats that change the screen count as progress.
    pub fn needs_evidence(&self, vm: &str, caller: &Caller, tool: &str, args: &Value) -> bool {
        if !self.settings.loops().enabled() {
            return false;
        }
        let state = self.caller(vm, caller);
        lock(&state.loops).needs_evidence(&ActionKey::new(tool, args), self.clock.now())
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
                    callers: Mutex::new(HashMap::new()),
                    uses: std::sync::atomic::AtomicU64::new(0),
                })
            })
            .clone()
    }
}

/// One call on its way through the guards: created by [`Guards::begin`], ended by [`GuardedCall::finish`]
/// (which writes the audit line whatever happened).
pub struct GuardedCall<'g> {
    guards: &'g Guards,
    vm: String,
    caller: Caller,
    spec: &'static ToolSpec,
    started: Duration,
    notes: Vec<Note>,
    /// The caller's guard state, once admitted.
    state: Option<Arc<CallerGuards>>,
    /// The arguments as the audit log shows them (redacted), once known.
    logged_args: Option<Redacted>,
    /// The guard that refused the call, if one did.
    refused_by: Option<GuardKind>,
    /// The allowlist's refusal of a command that goes to a person instead (`approval.exec: outsideAllowlist`).
    outside_allowlist: Option<String>,
    /// Redact and keep the arguments even when no audit line is written (the recorder reads them).
    keep_args: bool,
}

/// What the guards made of a finished call, handed to an observer by [`GuardedCall::finish_observed`] (the
/// recorder): the same redacted arguments, guard and warnings the audit line has.
pub(crate) struct Finished<'a> {
    /// The arguments, redacted as the audit log shows them.
    pub(crate) args: Option<&'a Redacted>,
    /// The guard that refused the call.
    pub(crate) guard: Option<GuardKind>,
    /// Warnings given.
    pub(crate) notes: &'a [Note],
    /// From [`Guards::begin`] to the end of the call.
    pub(crate) latency: Duration,
    /// The audit's redaction rules.
    pub(crate) redactor: &'a Redactor,
}

impl GuardedCall<'_> {
    /// This call as made by `caller` (whose loop history it joins).
    pub fn by(mut self, caller: &Caller) -> Self {
        self.caller = caller.clone();
        self
    }

    /// The tool being called.
    pub fn spec(&self) -> &'static ToolSpec {
        self.spec
    }

    /// The tool policy: a tool the configuration denies does not exist for the agent, whatever its arguments.
    pub fn check_tool(&mut self) -> Result<(), ToolError> {
        match self.guards.tool_policy(&self.vm).refusal(self.spec.name) {
            None => Ok(()),
            Some(why) => {
                let message = format!(
                    "Tool policy: {} is not available on VM `{}`: {why}; nothing was sent. Use the tools that are listed.",
                    self.spec.name, self.vm
                );
                Err(self.refuse(Refusal::new(GuardKind::ToolPolicy, message)))
            }
        }
    }

    /// Remembers the arguments for the audit line: the typed arguments (as JSON) once parsed, or the raw
    /// arguments of a call that did not parse. Redacted at once, and only when someone reads the log.
    pub fn log_args(&mut self, args: &Value) {
        if self.guards.audited() || self.keep_args {
            self.logged_args = Some(self.guards.redactor.redact_args(args));
        }
    }

    /// Keeps the redacted arguments for an observer of [`GuardedCall::finish_observed`] even when no audit line
    /// is written. Call before [`GuardedCall::log_args`].
    pub(crate) fn keep_args(&mut self) {
        self.keep_args = true;
    }

    /// The exec policy on the command the tool declared; may lower its timeout (with a note).
    pub fn judge_exec(&mut self, request: ExecRequest<'_>) -> Result<(), ToolError> {
        match self.guards.exec.check(request) {
            Ok(notes) => {
                self.notes.extend(notes.into_iter().map(|text| Note {
                    kind: "timeout_lowered",
                    text,
                }));
                Ok(())
            }
            Err(refused) if refused.approvable && self.guards.approval.asks_outside_allowlist() => {
                self.outside_allowlist = Some(refused.refusal.message);
                Ok(())
            }
            Err(refused) => Err(self.refuse(refused.refusal)),
        }
    }

    /// What a person would be asked about this call (typed arguments `args`), if `guards.approval` says it needs
    /// one: the tool, VM and arguments (secrets scrubbed, shown as printable ASCII), why, and the call's digest.
    pub fn approval_request(&self, args: &Value) -> Option<ApprovalRequest> {
        let guards = self.guards;
        let mut reasons = guards.approval.reasons(self.spec, args);
        if let Some(refusal) = &self.outside_allowlist {
            reasons.push(format!("the exec allowlist refuses it ({refusal})"));
        }
        if reasons.is_empty() {
            return None;
        }
        let shown = guards.redactor.scrub_text(&args.to_string());
        let description = guards.redactor.scrub_text(&format!(
            "{} {} on VM `{}`. Needs approval because {}.",
            self.spec.name,
            approval::cut(&shown, 300),
            self.vm,
            reasons.join("; ")
        ));
        Some(ApprovalRequest {
            tool: self.spec.name,
            vm: self.vm.clone(),
            title: approval::cut(
                &approval::display_safe(&format!("Approve {} on VM {}", self.spec.name, self.vm)),
                80,
            ),
            description: approval::cut(&approval::display_safe(&description), 500),
            reasons,
            digest: CallDigest::of(&self.vm, self.spec.name, args),
        })
    }

    /// Human approval: if `guards.approval` says this call (typed arguments `args`) needs a person, asks
    /// `approver` and waits up to `timeoutSecs` (or until `cancel`). Anything but an approval refuses the call.
    pub async fn approve(
        &mut self,
        args: &Value,
        approver: Option<&dyn Approver>,
        cancel: &tokio_util::sync::CancellationToken,
    ) -> Result<(), ToolError> {
        let guards = self.guards;
        let Some(request) = self.approval_request(args) else {
            return Ok(());
        };
        let refused = |this: &mut Self, why: String| {
            Err(this.refuse(Refusal::new(
                GuardKind::Approval,
                format!(
                    "Approval: {} was not run: {why}; nothing was sent.",
                    this.spec.name
                ),
            )))
        };
        let Some(approver) = approver else {
            return refused(
                self,
                format!(
                    "it needs a person's approval ({}), and this face cannot ask anyone. Use a face that asks (an MCP client with elicitation, the OpenClaw plugin), or change guards.approval",
                    request.reasons.join("; ")
                ),
            );
        };
        let timeout = guards.approval.timeout();
        let decision = tokio::select! {
            d = tokio::time::timeout(timeout, approver.approve(&request)) => d,
            _ = cancel.cancelled() => Ok(ApprovalDecision::Declined("the caller cancelled the call while it waited for approval".to_owned())),
        };
        match decision {
            Ok(ApprovalDecision::Approved) => Ok(()),
            Ok(ApprovalDecision::Declined(why)) => {
                refused(self, format!("the person asked declined ({why})"))
            }
            Ok(ApprovalDecision::Unavailable(why)) => refused(
                self,
                format!("it needs a person's approval, but nobody could be asked: {why}"),
            ),
            Ok(ApprovalDecision::Invalid(why)) => refused(
                self,
                format!("the approval that came with it does not hold: {why}"),
            ),
            Err(_) => refused(
                self,
                format!(
                    "nobody approved it within {} s (guards.approval.timeoutSecs)",
                    timeout.as_secs()
                ),
            ),
        }
    }

    /// The loop guard and the rate limit, on the call's typed arguments (`args`, as JSON). A call that
    /// passes is recorded for the loop guard. A refused call spends no budget.
    pub fn admit(&mut self, args: &Value) -> Result<(), ToolError> {
        let guards = self.guards;
        let vm_state = guards.state(&self.vm);
        let state = vm_state.caller(&self.caller, guards.settings.loops());
        let look = self.spec.kind == ToolKind::Look;
        let now = guards.clock.now();
        let mut loops = lock(&state.loops);
        let key = ActionKey::new(self.spec.name, args);
        if guards.settings.loops().enabled() && !look {
            match loops.check(&key, now) {
                Verdict::Allow => {}
                Verdict::Warn(text) => self.notes.push(Note {
                    kind: "loop_warning",
                    text,
                }),
                Verdict::Refuse(text) => {
                    drop(loops);
                    return Err(self.refuse(Refusal::new(GuardKind::Loop, text)));
                }
            }
        }
        if guards.settings.rate().enabled() {
            let budget = if look {
                Budget::Screenshots
            } else {
                Budget::Actions
            };
            if let Err(refusal) = vm_state.rate.check(budget, &self.vm) {
                drop(loops);
                return Err(self.refuse(refusal));
            }
        }
        if !look {
            loops.record(key, now);
        }
        drop(loops);
        self.state = Some(state);
        Ok(())
    }

    /// Ends the call: screen bookkeeping on an admitted call's images (identical screens in a row are
    /// warned about, then a look is refused; a new screen is progress), the warnings prepended to a
    /// successful result, and the audit line.
    pub fn finish(self, result: Result<ToolOutput, ToolError>) -> Result<ToolOutput, ToolError> {
        self.finish_observed(result, |_, _| {})
    }

    /// [`GuardedCall::finish`], then `observe` sees what the audit line was made of and the final result.
    pub(crate) fn finish_observed(
        mut self,
        result: Result<ToolOutput, ToolError>,
        observe: impl FnOnce(&Finished<'_>, &Result<ToolOutput, ToolError>),
    ) -> Result<ToolOutput, ToolError> {
        let result = match (result, &self.state) {
            (Ok(out), Some(state)) if self.guards.settings.loops().enabled() => {
                self.observe_screen(state.clone(), out)
            }
            (other, _) => other,
        };
        let result = result.map(|out| with_notes(out, &self.notes));
        self.write_audit(&result);
        observe(
            &Finished {
                args: self.logged_args.as_ref(),
                guard: self.refused_by,
                notes: &self.notes,
                latency: self.guards.clock.now().saturating_sub(self.started),
                redactor: &self.guards.redactor,
            },
            &result,
        );
        result
    }

    /// The identical-screen rule on what the call returned to look at: an "unchanged since frame N" reply
    /// (`details.unchangedSince`) or an image. A result that embeds another call's look (`vm_batch`'s
    /// closing screenshot, under `details.screenshot`) was counted by that call.
    fn observe_screen(
        &mut self,
        state: Arc<CallerGuards>,
        out: ToolOutput,
    ) -> Result<ToolOutput, ToolError> {
        if out.details.get("screenshot").is_some_and(Value::is_object) {
            return Ok(out);
        }
        let look = if out.details.contains_key("unchangedSince") {
            Look::Unchanged
        } else if let Some(hash) = screens::image_hash(&out) {
            Look::Image {
                hash,
                refusable: self.spec.kind == ToolKind::Look,
            }
        } else {
            return Ok(out);
        };
        let frame = out.details.get("frame").and_then(Value::as_u64);
        let verdict = lock(&state.loops).look(look, self.guards.clock.now(), frame);
        match verdict {
            Verdict::Allow => Ok(out),
            Verdict::Warn(text) => {
                self.notes.push(Note {
                    kind: "screen_warning",
                    text,
                });
                Ok(out)
            }
            Verdict::Refuse(text) => Err(self.refuse(Refusal::new(GuardKind::Loop, text))),
        }
    }

    /// Records which guard refused and turns the refusal into the agent's error.
    fn refuse(&mut self, refusal: Refusal) -> ToolError {
        self.refused_by = Some(refusal.guard);
        ToolError::from(refusal)
    }

    fn write_audit(&self, result: &Result<ToolOutput, ToolError>) {
        let guards = self.guards;
        if !guards.audited() {
            return;
        }
        let empty = guards.redactor.redact_args(&Value::Null);
        let record = audit::Record {
            vm: &self.vm,
            tool: self.spec.name,
            args: self.logged_args.as_ref().unwrap_or(&empty),
            result,
            guard: self.refused_by,
            notes: &self.notes,
            latency: guards.clock.now().saturating_sub(self.started),
        };
        let line = guards.redactor.line(&record);
        if guards.verbose {
            tracing::info!(target: "computer_use::audit", "{line}");
        }
        if let Some(audit) = &guards.audit {
            audit.write(&line);
        }
    }
}

/// A poisoned lock only means another call panicked mid-update; the counters are still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Prepends the notes as one text block and lists them first in `details.warnings` (after them, warnings
/// the tool gave, e.g. that several actions had no effect).
fn with_notes(mut out: ToolOutput, notes: &[Note]) -> ToolOutput {
    if notes.is_empty() {
        return out;
    }
    let texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    out.content.insert(0, Content::Text(texts.join("\n")));
    let mut warnings: Vec<Value> = texts.into_iter().map(Value::from).collect();
    if let Some(Value::Array(own)) = out.details.remove("warnings") {
        warnings.extend(own);
    }
    out.details
        .insert("warnings".to_owned(), Value::Array(warnings));
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
}
