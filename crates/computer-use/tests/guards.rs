//! The guards on their own: rate limit, loop guard, exec policy and audit log, each on the allow and the
//! refuse side with the exact messages the agent reads, plus the guard configuration's validation.
//!
//! The guards run in front of a **fake tool** (a closure that records its arguments and returns text, or a
//! fixed image for `vm_screenshot`) on a **fake clock**, so budgets and windows are tested without sleeping.
//! The harness drives a [`GuardedCall`] the way `tools::call` does (the registry's spec; for `vm_exec` and
//! `vm_launch` the real typed arguments and the command they declare), with the fake in place of `run`.
//! The same guards in front of the real tools and the real server are tested in `guards_real.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use computer_use::caller::Caller;
use computer_use::clock::FakeClock;
use computer_use::config::Config;
use computer_use::guards::{GuardedCall, Guards};
use computer_use::spec::{Batching, Effect, ToolKind, ToolSpec};
use computer_use::tools::shell::{Exec, Launch};
use computer_use::tools::{
    Content, ToolError, ToolErrorKind, ToolOutput, TypedTool, find, parse_args,
};
use serde_json::{Value, json};

/// Guards from a config body, a fake clock, and a fake tool that records what reached it.
struct Harness {
    guards: Guards,
    clock: FakeClock,
    ran: Mutex<Vec<(String, Value)>>,
    /// The fake screen: what `vm_screenshot` returns (base64).
    screen: Mutex<String>,
    frame: AtomicU64,
    /// Screen checks the loop guard asked for.
    checks: AtomicU64,
}

impl Harness {
    fn new(body: &str) -> Harness {
        let config = Config::from_json5_str(&format!("{{ {body} }}"), "test").unwrap();
        let clock = FakeClock::new();
        Harness {
            guards: Guards::with_clock(&config, Arc::new(clock.clone())),
            clock,
            ran: Mutex::new(Vec::new()),
            screen: Mutex::new("c2NyZWVuIEE=".to_owned()),
            frame: AtomicU64::new(0),
            checks: AtomicU64::new(0),
        }
    }

    async fn call(&self, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
        self.call_on("default", tool, args).await
    }

    /// A call by another caller (an MCP session, an agent) on the default VM.
    async fn call_as(
        &self,
        caller: &Caller,
        tool: &str,
        args: Value,
    ) -> Result<ToolOutput, ToolError> {
        self.call_full("default", caller, tool, args, |args| async move {
            self.fake(tool, args)
        })
        .await
    }

    async fn call_on(&self, vm: &str, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
        self.call_with(vm, tool, args, |args| async move { self.fake(tool, args) })
            .await
    }

    /// One call through the guards, with `run` in place of the tool.
    async fn call_with<F, Fut>(
        &self,
        vm: &str,
        tool: &str,
        args: Value,
        run: F,
    ) -> Result<ToolOutput, ToolError>
    where
        F: FnOnce(Value) -> Fut,
        Fut: std::future::Future<Output = Result<ToolOutput, ToolError>>,
    {
        self.call_full(vm, &Caller::default(), tool, args, run)
            .await
    }

    /// One call by `caller` through the guards, with `run` in place of the tool.
    async fn call_full<F, Fut>(
        &self,
        vm: &str,
        caller: &Caller,
        tool: &str,
        mut args: Value,
        run: F,
    ) -> Result<ToolOutput, ToolError>
    where
        F: FnOnce(Value) -> Fut,
        Fut: std::future::Future<Output = Result<ToolOutput, ToolError>>,
    {
        let spec = find(tool).map_or(&CUSTOM, |t| t.spec());
        let mut call = self.guards.begin(vm, spec).by(caller);
        let judged = match tool {
            "vm_exec" => judge::<Exec>(&mut call, &mut args),
            "vm_launch" => judge::<Launch>(&mut call, &mut args),
            _ => Ok(()),
        };
        call.log_args(&args);
        if let Err(e) = judged {
            return call.finish(Err(e));
        }
        // What `tools::call` does for a repeated input call when the caller has not looked since its last
        // call: check the screen first (here: the fake screen), so a changing screen counts as progress.
        if spec.acts_on_screen() && self.guards.needs_evidence(vm, caller, tool, &args) {
            self.checks.fetch_add(1, Ordering::SeqCst);
            let screen = self.screen.lock().unwrap().clone();
            self.guards.saw_screen(vm, caller, screen_id(&screen));
        }
        if let Err(e) = call.admit(&args) {
            return call.finish(Err(e));
        }
        let result = run(args).await;
        call.finish(result)
    }

    fn fake(&self, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
        self.ran.lock().unwrap().push((tool.to_owned(), args));
        if tool == "vm_screenshot" {
            let frame = self.frame.fetch_add(1, Ordering::SeqCst) + 1;
            let base64 = self.screen.lock().unwrap().clone();
            // What the real capture path tells the loop guard: which screen the caller is on.
            self.guards
                .saw_screen("default", &Caller::default(), screen_id(&base64));
            return Ok(ToolOutput {
                content: vec![
                    Content::Text(format!("Screenshot, frame {frame}")),
                    Content::Image {
                        base64,
                        mime: "image/png",
                    },
                ],
                details: [("frame".to_owned(), Value::from(frame))]
                    .into_iter()
                    .collect(),
            });
        }
        Ok(ToolOutput::text(format!("did {tool}")))
    }

    fn runs(&self) -> usize {
        self.ran.lock().unwrap().len()
    }

    fn last_args(&self) -> Value {
        self.ran.lock().unwrap().last().unwrap().1.clone()
    }

    fn show(&self, base64: &str) {
        *self.screen.lock().unwrap() = base64.to_owned();
    }
}

/// The fake screen's identity (the real capture path hashes the server's bytes).
fn screen_id(base64: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    base64.hash(&mut h);
    h.finish()
}

/// A tool the registry does not have, for the audit's redaction by argument name.
const CUSTOM: ToolSpec = ToolSpec {
    name: "vm_custom",
    title: "Custom",
    description: "A tool only this test has.",
    kind: ToolKind::Meta,
    effect: Effect::ReadOnly,
    idempotent: true,
    open_world: false,
    batching: Batching::Allowed,
    commands: &[],
};

/// The exec policy on `T`'s typed arguments, as `tools::call` does it; `args` becomes the typed arguments
/// (with a lowered timeout) as JSON.
fn judge<T: TypedTool>(call: &mut GuardedCall<'_>, args: &mut Value) -> Result<(), ToolError> {
    let mut typed: T::Args = parse_args(T::SPEC.name, args.clone())?;
    if let Some(request) = T::exec_request(&mut typed) {
        call.judge_exec(request)?;
    }
    let mut json = serde_json::to_value(&typed).unwrap();
    json.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    *args = json;
    Ok(())
}

fn first_text(out: &ToolOutput) -> &str {
    match out.content.first() {
        Some(Content::Text(t)) => t,
        other => panic!("first block is not text: {other:?}"),
    }
}

fn rejected(r: Result<ToolOutput, ToolError>) -> String {
    match r {
        Err(e) if e.kind == ToolErrorKind::Rejected => e.message,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A successful result with no guard note.
fn plain(r: Result<ToolOutput, ToolError>) -> ToolOutput {
    let out = r.unwrap();
    assert!(
        !first_text(&out).starts_with("Loop") && !first_text(&out).starts_with("Note"),
        "unexpected note: {out:?}"
    );
    assert!(out.details.get("warnings").is_none());
    out
}

// ---------------------------------------------------------------------------------------------
// Rate limit

#[tokio::test]
async fn action_budget_allows_its_burst_then_refuses_with_the_wait() {
    let h = Harness::new(
        "guards: { rate: { actionsPerMinute: 60, actionBurst: 3 }, loop: { enabled: false } }",
    );
    for _ in 0..3 {
        plain(h.call("vm_click", json!({"x": 1, "y": 1})).await);
    }
    let message = rejected(h.call("vm_click", json!({"x": 1, "y": 1})).await);
    assert_eq!(
        message,
        "Rate limit: VM `default` is over its budget of 60 actions per minute (bursts of 3); this call was not sent. Retry in 1.0 s, and slow down: fewer, more deliberate calls (the operator can raise guards.rate.actionsPerMinute)."
    );
    assert_eq!(h.runs(), 3, "the refused call did not reach the tool");
    h.clock.advance(Duration::from_millis(400));
    let message = rejected(h.call("vm_click", json!({"x": 1, "y": 1})).await);
    assert!(message.contains("Retry in 0.6 s"), "{message}");
    h.clock.advance(Duration::from_millis(600));
    plain(h.call("vm_click", json!({"x": 1, "y": 1})).await);
    assert_eq!(h.runs(), 4);
}

#[tokio::test]
async fn default_budget_is_a_burst_of_60_actions_refilled_at_600_per_minute() {
    let h = Harness::new("guards: { loop: { enabled: false } }");
    for i in 0..60 {
        h.call("vm_key", json!({"keys": format!("k{i}")}))
            .await
            .unwrap();
    }
    let message = rejected(h.call("vm_key", json!({"keys": "x"})).await);
    assert!(
        message.contains("budget of 600 actions per minute (bursts of 60)")
            && message.contains("Retry in 0.1 s"),
        "{message}"
    );
    h.clock.advance(Duration::from_millis(100));
    h.call("vm_key", json!({"keys": "x"})).await.unwrap();
}

#[tokio::test]
async fn screenshots_have_their_own_budget() {
    let h = Harness::new(
        "guards: { rate: { screenshotsPerMinute: 30, screenshotBurst: 2 }, loop: { enabled: false } }",
    );
    h.call("vm_screenshot", json!({})).await.unwrap();
    h.call("vm_screenshot", json!({})).await.unwrap();
    let message = rejected(h.call("vm_screenshot", json!({})).await);
    assert_eq!(
        message,
        "Rate limit: VM `default` is over its budget of 30 screenshots per minute (bursts of 2); this call was not sent. Retry in 2.0 s, and slow down: fewer, more deliberate calls (the operator can raise guards.rate.screenshotsPerMinute)."
    );
    // Actions are not affected by the screenshot budget.
    plain(h.call("vm_click", json!({"x": 1, "y": 1})).await);
    h.clock.advance(Duration::from_secs(2));
    h.call("vm_screenshot", json!({})).await.unwrap();
}

#[tokio::test]
async fn budgets_are_per_vm() {
    let h = Harness::new(
        "vms: { mac2: { vmName: 'other' } }, guards: { rate: { actionsPerMinute: 1, actionBurst: 1 }, loop: { enabled: false } }",
    );
    h.call_on("default", "vm_click", json!({})).await.unwrap();
    let message = rejected(h.call_on("default", "vm_click", json!({})).await);
    assert!(message.starts_with("Rate limit: VM `default`"), "{message}");
    h.call_on("mac2", "vm_click", json!({})).await.unwrap();
    let message = rejected(h.call_on("mac2", "vm_click", json!({})).await);
    assert!(message.starts_with("Rate limit: VM `mac2`"), "{message}");
}

#[tokio::test]
async fn rate_limit_can_be_turned_off() {
    let h = Harness::new(
        "guards: { rate: { enabled: false, actionsPerMinute: 1, actionBurst: 1 }, loop: { enabled: false } }",
    );
    for _ in 0..100 {
        h.call("vm_click", json!({})).await.unwrap();
    }
    assert_eq!(h.runs(), 100);
}

// ---------------------------------------------------------------------------------------------
// Loop guard: repeated calls

const CLICK_WARN_3: &str = r#"Loop warning: this is the 3rd identical call in a row of vm_click {"x":10,"y":20}. If it is not doing what you expect, take a screenshot and change approach: the 5th identical call will be refused."#;
const CLICK_REFUSE_5: &str = r#"Loop guard: refused the 5th identical call in a row of vm_click {"x":10,"y":20}; it was not sent. Repeating it is not making progress: take a screenshot, check what is on the screen and try something different (a different action or a changed screen lifts this)."#;

#[tokio::test]
async fn identical_calls_are_warned_at_3_and_refused_at_5() {
    let h = Harness::new("");
    let click = json!({"x": 10, "y": 20});
    plain(h.call("vm_click", click.clone()).await);
    plain(h.call("vm_click", click.clone()).await);
    let third = h.call("vm_click", click.clone()).await.unwrap();
    assert_eq!(first_text(&third), CLICK_WARN_3);
    assert_eq!(third.joined_text(), format!("{CLICK_WARN_3}\ndid vm_click"));
    assert_eq!(third.details["warnings"], json!([CLICK_WARN_3]));
    let fourth = h.call("vm_click", click.clone()).await.unwrap();
    assert!(first_text(&fourth).starts_with("Loop warning: this is the 4th identical call"));
    // Same call with its keys in another order is still the same call.
    let message = rejected(h.call("vm_click", json!({"y": 20, "x": 10})).await);
    assert_eq!(message, CLICK_REFUSE_5);
    assert_eq!(h.runs(), 4, "the refused call did not reach the tool");
    // It stays refused while nothing changes.
    assert_eq!(
        rejected(h.call("vm_click", click.clone()).await),
        CLICK_REFUSE_5
    );
    // A different call is progress: the count starts again.
    plain(h.call("vm_key", json!({"keys": "escape"})).await);
    plain(h.call("vm_click", click.clone()).await);
    plain(h.call("vm_click", click).await);
    assert_eq!(h.runs(), 7);
}

#[tokio::test]
async fn a_runaway_loop_is_stopped_within_the_configured_count() {
    let h = Harness::new("guards: { loop: { repeatWarn: 2, repeatRefuse: 4 } }");
    let mut refused = 0;
    for _ in 0..100 {
        if h.call("vm_type", json!({"text": "retry"})).await.is_err() {
            refused += 1;
        }
    }
    assert_eq!(h.runs(), 3, "only repeatRefuse - 1 calls ran");
    assert_eq!(refused, 97);
}

#[tokio::test]
async fn a_new_screen_is_progress_but_a_screen_seen_before_is_not() {
    let h = Harness::new("");
    let scroll = json!({"direction": "down"});
    // Scrolling a long page: each screenshot shows something new, so repeating the scroll is fine.
    for i in 0..8 {
        plain(h.call("vm_scroll", scroll.clone()).await);
        h.show(&format!("cGFnZSA{i}"));
        plain(h.call("vm_screenshot", json!({})).await);
    }
    // At the bottom of the page the screen toggles between two states A and B: both are new once
    // (progress), after that they were seen before, so the scrolls add up: 1, 2, 3 (warned), 4 (warned), 5.
    let mut outcomes = Vec::new();
    for i in 0..6 {
        let out = h.call("vm_scroll", scroll.clone()).await.unwrap();
        outcomes.push(first_text(&out).starts_with("Loop warning"));
        h.show(if i % 2 == 0 {
            "Ym90dG9tIEE="
        } else {
            "Ym90dG9tIEI="
        });
        h.call("vm_screenshot", json!({})).await.unwrap();
    }
    assert_eq!(outcomes, [false, false, false, false, true, true]);
    let message = rejected(h.call("vm_scroll", scroll.clone()).await);
    assert!(
        message.starts_with("Loop guard: refused the 5th identical call in a row of vm_scroll {\"direction\":\"down\"}"),
        "{message}"
    );
}

#[tokio::test]
async fn old_calls_leave_the_window() {
    let h = Harness::new("guards: { loop: { windowMs: 10000 } }");
    for _ in 0..4 {
        h.call("vm_click", json!({})).await.unwrap();
    }
    h.clock.advance(Duration::from_secs(11));
    plain(h.call("vm_click", json!({})).await);
}

#[tokio::test]
async fn loop_guard_can_be_turned_off() {
    let h = Harness::new("guards: { loop: { enabled: false } }");
    for _ in 0..20 {
        plain(h.call("vm_click", json!({})).await);
        plain(h.call("vm_screenshot", json!({})).await);
    }
    assert_eq!(h.runs(), 40);
}

// ---------------------------------------------------------------------------------------------
// Loop guard: progress is a changing screen, runaways are repeats on a static one

/// Five (and twenty) identical clicks on a "+" button, each changing the screen (the counter), are progress:
/// the guard checks the screen before a call it would warn about, sees a new screen, and lets it through.
#[tokio::test]
async fn identical_clicks_that_each_change_the_screen_are_never_warned_or_refused() {
    let h = Harness::new("");
    h.show("Y291bnRlciAw");
    plain(h.call("vm_screenshot", json!({})).await);
    let plus = json!({"x": 200, "y": 120});
    for i in 1..=20 {
        plain(h.call("vm_click", plus.clone()).await);
        h.show(&format!("counter {i}")); // what the click did
    }
    assert_eq!(h.runs(), 21, "every click ran");
    let checks = h.checks.load(Ordering::SeqCst);
    assert!(
        (9..=10).contains(&checks),
        "a check before every other click from the 3rd on: {checks}"
    );
}

/// The same clicks on a dead button (the screen never changes) are still a runaway: checked, warned at the
/// 3rd and 4th, refused at the 5th and after, and the refused clicks never reach the tool.
#[tokio::test]
async fn identical_clicks_on_a_static_screen_are_refused_at_the_5th() {
    let h = Harness::new("");
    plain(h.call("vm_screenshot", json!({})).await);
    let dead = json!({"x": 10, "y": 20});
    plain(h.call("vm_click", dead.clone()).await);
    plain(h.call("vm_click", dead.clone()).await);
    assert_eq!(
        first_text(&h.call("vm_click", dead.clone()).await.unwrap()),
        CLICK_WARN_3
    );
    assert!(
        first_text(&h.call("vm_click", dead.clone()).await.unwrap()).starts_with("Loop warning")
    );
    for _ in 0..3 {
        assert_eq!(
            rejected(h.call("vm_click", dead.clone()).await),
            CLICK_REFUSE_5
        );
    }
    assert_eq!(h.runs(), 5, "1 screenshot and 4 clicks ran");
    // Before each refusal the screen was checked again: once it has changed, the click is progress.
    h.show("c29tZXRoaW5nIGVsc2U=");
    plain(h.call("vm_click", dead).await);
}

/// A refusal concerns only the refused call: unrelated calls go through without a warning, and so do the
/// same calls made by another caller (another MCP session or agent), whose history is its own.
#[tokio::test]
async fn a_refusal_never_hits_unrelated_calls_or_other_callers() {
    let h = Harness::new("");
    let dead = json!({"x": 10, "y": 20});
    for _ in 0..4 {
        h.call("vm_click", dead.clone()).await.unwrap();
    }
    rejected(h.call("vm_click", dead.clone()).await);
    let other_agent = Caller::new_session().with_agent(Some("worker-lab"));
    for _ in 0..2 {
        plain(h.call_as(&other_agent, "vm_click", dead.clone()).await);
    }
    plain(h.call("vm_key", json!({"keys": "enter"})).await);
    plain(h.call("vm_type", json!({"text": "next step"})).await);
    plain(h.call("vm_scroll", json!({"direction": "down"})).await);
    plain(h.call("vm_exec", json!({"command": "ls"})).await);
    plain(h.call("vm_click", json!({"x": 300, "y": 40})).await);
    // The other agent's history grew on its own: its 3rd identical click is its first warning.
    let third = h.call_as(&other_agent, "vm_click", dead).await.unwrap();
    assert_eq!(first_text(&third), CLICK_WARN_3);
}

/// "Unchanged since frame N" replies cost a few tokens: looks at a static screen are counted and warned from
/// the 3rd on, but never refused.
#[tokio::test]
async fn unchanged_replies_are_warned_about_but_never_refused() {
    let h = Harness::new("");
    let unchanged = || async {
        let mut out = ToolOutput::text("Screen unchanged since frame 1");
        out.details.insert("unchangedSince".into(), json!(1));
        out.details.insert("frame".into(), json!(1));
        Ok(out)
    };
    plain(h.call("vm_screenshot", json!({})).await);
    for n in 2..=12 {
        let out = h
            .call_with("default", "vm_screenshot", json!({}), |_| unchanged())
            .await
            .unwrap();
        if n < 3 {
            assert_eq!(first_text(&out), "Screen unchanged since frame 1");
        } else {
            assert_eq!(
                first_text(&out),
                format!(
                    "Loop warning: the screen has not changed in the last {n} looks. If you are waiting for something, wait longer between looks; otherwise act on what is on the screen."
                )
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loop guard: alternation

#[tokio::test]
async fn alternation_is_warned_at_4_calls_and_refused_at_8() {
    let h = Harness::new("");
    let down = json!({"direction": "down"});
    let up = json!({"direction": "up"});
    plain(h.call("vm_scroll", down.clone()).await);
    plain(h.call("vm_scroll", up.clone()).await);
    plain(h.call("vm_scroll", down.clone()).await);
    let fourth = h.call("vm_scroll", up.clone()).await.unwrap();
    assert_eq!(
        first_text(&fourth),
        r#"Loop warning: the last 4 calls alternate between vm_scroll {"direction":"up"} and vm_scroll {"direction":"down"}. If this is not making progress, take a screenshot and change approach: the 8th alternating call will be refused."#
    );
    for args in [&down, &up, &down] {
        let out = h.call("vm_scroll", args.clone()).await.unwrap();
        assert!(first_text(&out).starts_with("Loop warning: the last "));
    }
    let message = rejected(h.call("vm_scroll", up.clone()).await);
    assert_eq!(
        message,
        r#"Loop guard: refused vm_scroll {"direction":"up"}; it was not sent: it would be the 8th call alternating between vm_scroll {"direction":"up"} and vm_scroll {"direction":"down"}. Going back and forth is not making progress: take a screenshot, check what is on the screen and try something different."#
    );
    assert_eq!(h.runs(), 7);
    // A third call breaks the alternation.
    plain(h.call("vm_key", json!({"keys": "escape"})).await);
    plain(h.call("vm_scroll", up).await);
}

// ---------------------------------------------------------------------------------------------
// Loop guard: identical screenshots

const SCREEN_WARN_3: &str = "Loop warning: the screen has not changed in the last 3 screenshots. If you are waiting for something, wait longer between looks; otherwise change approach: the 6th identical screenshot will be refused.";

#[tokio::test]
async fn identical_screenshots_are_warned_at_3_and_refused_at_6() {
    let h = Harness::new("");
    plain(h.call("vm_screenshot", json!({})).await);
    plain(h.call("vm_screenshot", json!({})).await);
    for n in 3..=5 {
        let out = h.call("vm_screenshot", json!({})).await.unwrap();
        assert_eq!(
            first_text(&out),
            SCREEN_WARN_3.replace("last 3", &format!("last {n}"))
        );
        assert!(
            out.content
                .iter()
                .any(|c| matches!(c, Content::Image { .. })),
            "a warned screenshot still has its image"
        );
    }
    let message = rejected(h.call("vm_screenshot", json!({})).await);
    assert_eq!(
        message,
        "Loop guard: the screen has not changed in the last 6 screenshots, so this one is not returned (frame 6 is identical to the last image you have). More screenshots will not help: act on what is on the screen, wait longer between looks, or check progress another way (e.g. a command)."
    );
    assert!(rejected(h.call("vm_screenshot", json!({})).await).contains("the last 7 screenshots"));
    // The screen changes: the screenshot is returned and the count starts again.
    h.show("bmV3IHNjcmVlbg==");
    plain(h.call("vm_screenshot", json!({})).await);
    plain(h.call("vm_screenshot", json!({})).await);
}

#[tokio::test]
async fn a_different_action_between_identical_screenshots_resets_their_count() {
    let h = Harness::new("");
    for i in 0..10 {
        plain(
            h.call("vm_exec", json!({"command": format!("step {i}")}))
                .await,
        );
        plain(h.call("vm_screenshot", json!({})).await);
    }
}

// ---------------------------------------------------------------------------------------------
// Exec policy

#[tokio::test]
async fn open_mode_runs_anything_and_lowers_long_timeouts() {
    let h = Harness::new("guards: { exec: { maxTimeoutSecs: 120 } }");
    plain(
        h.call(
            "vm_exec",
            json!({"command": "curl -s x | sh; echo $HOME > /tmp/y"}),
        )
        .await,
    );
    plain(
        h.call("vm_exec", json!({"command": "sleep 1", "timeout": 120}))
            .await,
    );
    assert_eq!(h.last_args()["timeout"], 120);
    let out = h
        .call("vm_exec", json!({"command": "make", "timeout": 900}))
        .await
        .unwrap();
    assert_eq!(
        first_text(&out),
        "Note: the timeout was lowered from 900 s to 120 s, the configured maximum."
    );
    assert_eq!(h.last_args(), json!({"command": "make", "timeout": 120}));
    // The default maximum is 600 s.
    let h = Harness::new("");
    h.call("vm_exec", json!({"command": "x", "timeout": 3600}))
        .await
        .unwrap();
    assert_eq!(h.last_args()["timeout"], 600);
}

#[tokio::test]
async fn allowlist_runs_listed_programs_and_refuses_everything_else() {
    let h = Harness::new(
        "guards: { exec: { mode: 'allowlist', allow: ['ls', 'find', 'xterm', '/usr/bin/git'], deny: ['* /etc/shadow'] } }",
    );
    plain(h.call("vm_exec", json!({"command": "ls -la /tmp"})).await);
    plain(
        h.call("vm_exec", json!({"command": "  /usr/bin/git status"}))
            .await,
    );
    plain(
        h.call("vm_exec", json!({"command": "find . -name '*.rs'"}))
            .await,
    );
    plain(
        h.call(
            "vm_launch",
            json!({"app": "xterm", "args": ["-geometry", "80x24"]}),
        )
        .await,
    );
    plain(h.call("vm_launch", json!({"app": "xterm"})).await);
    assert_eq!(h.runs(), 5);
    // What reaches the tool is the judged argv re-quoted: the shell reads back exactly those words.
    plain(
        h.call(
            "vm_exec",
            json!({"command": "ls\t -la  \"a b\" c\\ d '$x' \"-exec\""}),
        )
        .await,
    );
    assert_eq!(h.last_args()["command"], "ls -la 'a b' 'c d' '$x' -exec");
    plain(
        h.call("vm_launch", json!({"app": "xterm  -geometry '80x24'"}))
            .await,
    );
    assert_eq!(h.last_args()["app"], "xterm -geometry 80x24");
    assert_eq!(h.runs(), 7);
    let cases = [
        (
            json!({"command": "curl http://example.com"}),
            "Exec policy (allowlist): the command was not run: `curl` is not an allowed program. Allowed programs: ls, find, xterm, /usr/bin/git (rule: not-allowed).",
        ),
        (
            json!({"command": "ls; rm -rf /"}),
            "Exec policy (allowlist): the command was not run: it contains an unquoted `;`, a shell operator. Send one plain command per call, without ; & | < > ( ) (quote the character if it is part of an argument) (rule: metacharacter).",
        ),
        (
            json!({"command": "ls\nrm x"}),
            "Exec policy (allowlist): the command was not run: it contains a line break. Send one command per call, on one line (rule: control).",
        ),
        (
            json!({"command": "ls $(whoami)"}),
            "Exec policy (allowlist): the command was not run: it contains `$` outside single quotes, which the shell would expand (variables, command substitution). Put the value in single quotes if it is meant literally (rule: expansion).",
        ),
        (
            json!({"command": "find . \"-exec\" rm '{}' +"}),
            "Exec policy (allowlist): the command was not run: the argument `-exec` makes `find` run a program for each file found. List the files with `find` and act on them in separate calls (rule: find-exec).",
        ),
        (
            json!({"command": "/bin/ls"}),
            "Exec policy (allowlist): the command was not run: `/bin/ls` is not an allowed program. Allowed programs: ls, find, xterm, /usr/bin/git (rule: not-allowed).",
        ),
        (
            json!({"command": "ls /etc/shadow"}),
            "Exec policy: the command was not run: it matches the deny pattern `* /etc/shadow` (guards.exec.deny[0]).",
        ),
        (
            json!({"command": "   "}),
            "Exec policy (allowlist): the command was not run: the command is empty (rule: empty).",
        ),
    ];
    for (args, want) in cases {
        assert_eq!(
            rejected(h.call("vm_exec", args.clone()).await),
            want,
            "{args}"
        );
    }
    let launch_cases = [
        (
            json!({"app": "xterm -e sh", "args": ["-x"]}),
            "Exec policy (allowlist): the command was not run: `xterm -e sh` is not a plain program name (with `args`, `app` must be the program alone) (rule: program-name).",
        ),
        (
            json!({"app": "xterm & curl x"}),
            "Exec policy (allowlist): the command was not run: it contains an unquoted `&`, a shell operator. Send one plain command per call, without ; & | < > ( ) (quote the character if it is part of an argument) (rule: metacharacter).",
        ),
        (
            json!({"app": "firefox", "args": ["x"]}),
            "Exec policy (allowlist): the command was not run: `firefox` is not an allowed program. Allowed programs: ls, find, xterm, /usr/bin/git (rule: not-allowed).",
        ),
    ];
    for (args, want) in launch_cases {
        assert_eq!(
            rejected(h.call("vm_launch", args.clone()).await),
            want,
            "{args}"
        );
    }
    // Arguments the tool cannot read never reach the policy: they fail to parse, naming the field.
    for (tool, args, field) in [
        ("vm_exec", json!({"cmd": "ls"}), "unknown field `cmd`"),
        (
            "vm_launch",
            json!({"app": "xterm", "args": [1]}),
            "args[0]: expected a string",
        ),
    ] {
        let e = h.call(tool, args).await.unwrap_err();
        assert_eq!(e.kind, ToolErrorKind::InvalidArguments, "{e}");
        assert!(e.message.contains(field), "{e}");
    }
    assert_eq!(h.runs(), 7, "no refused command reached the tool");
    // Other tools are not the exec policy's business.
    plain(h.call("vm_type", json!({"text": "curl; rm -rf /"})).await);
}

#[tokio::test]
async fn an_empty_allowlist_allows_nothing() {
    let h = Harness::new("guards: { exec: { mode: 'allowlist' } }");
    assert_eq!(
        rejected(h.call("vm_exec", json!({"command": "ls"})).await),
        "Exec policy (allowlist): the command was not run: `ls` is not an allowed program. Allowed programs: none (guards.exec.allow is empty) (rule: not-allowed)."
    );
}

#[tokio::test]
async fn deny_mode_refuses_matching_commands_and_their_parts() {
    let h = Harness::new(
        "guards: { exec: { mode: 'deny', deny: ['rm -rf *', '*sudo *', 'shutdown*'] } }",
    );
    for ok in [
        "ls -la",
        "echo rm -rf is dangerous",
        "rm file.txt",
        "pseudo-tool x",
    ] {
        plain(h.call("vm_exec", json!({"command": ok})).await);
    }
    let cases = [
        ("rm -rf /", 0),
        ("rm    -rf   /home", 0),
        ("cd / && rm -rf x", 0),
        ("true; rm -rf ~", 0),
        ("echo $(rm -rf /tmp/x)", 0),
        ("sudo ls", 1),
        ("ls | sudo tee x", 1),
        ("shutdown -h now", 2),
    ];
    for (command, index) in cases {
        let pattern = ["rm -rf *", "*sudo *", "shutdown*"][index];
        assert_eq!(
            rejected(h.call("vm_exec", json!({"command": command})).await),
            format!(
                "Exec policy: the command was not run: it matches the deny pattern `{pattern}` (guards.exec.deny[{index}])."
            ),
            "{command}"
        );
    }
    // vm_launch with args runs without a shell: the pattern sees the joined command line.
    assert!(
        rejected(
            h.call("vm_launch", json!({"app": "sudo", "args": ["reboot"]}))
                .await
        )
        .contains("`*sudo *`")
    );
    plain(h.call("vm_launch", json!({"app": "xclock"})).await);
    assert_eq!(h.runs(), 5);
}

// ---------------------------------------------------------------------------------------------
// Audit log

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cu-guards-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A real PNG and a JPEG header, as base64, to prove no image data reaches the log.
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[tokio::test]
async fn audit_log_records_every_call_without_secrets_text_or_images() {
    let dir = scratch("audit");
    let path = dir.join("audit.jsonl");
    let h = Harness::new(&format!(
        "audit: {{ path: {:?}, keyFile: {:?} }}, guards: {{ exec: {{ mode: 'deny', deny: ['rm -rf *'] }} }}",
        path.display().to_string(),
        dir.join("audit-key").display().to_string()
    ));
    h.show(PNG_B64);
    let jpeg = format!("/9j/4AAQSkZJRgABAQAAAQABAAD{}", "A".repeat(400));
    h.call("vm_screenshot", json!({})).await.unwrap();
    h.call("vm_type", json!({"text": "hunter2-typed-secret"}))
        .await
        .unwrap();
    h.call(
        "vm_file_write",
        json!({"path": "/tmp/p.jpg", "content": jpeg, "encoding": "base64"}),
    )
    .await
    .unwrap();
    h.call(
        "vm_custom",
        json!({"apiKey": "sk-live-SECRET123", "blob": jpeg}),
    )
    .await
    .unwrap();
    h.call("vm_exec", json!({"command": "rm -rf /"}))
        .await
        .unwrap_err();
    // A tool error that echoes the typed text, on a fake clock that moves 250 ms during the call.
    let clock = h.clock.clone();
    let failed = h
        .call_with(
            "default",
            "vm_type",
            json!({"text": "another-typed-secret"}),
            |args| async move {
                clock.advance(Duration::from_millis(250));
                Err(ToolError::failed(format!(
                    "could not type {}",
                    args["text"].as_str().unwrap()
                )))
            },
        )
        .await;
    assert!(failed.is_err());
    for _ in 0..5 {
        let _ = h
            .call("vm_type", json!({"text": "hunter2-typed-secret"}))
            .await;
    }

    let text = std::fs::read_to_string(&path).unwrap();
    for banned in [
        "hunter2-typed-secret",
        "another-typed-secret",
        "sk-live-SECRET123",
        "iVBOR",
        "/9j/",
    ] {
        assert!(
            !text.contains(banned),
            "the audit log contains {banned}:\n{text}"
        );
    }
    let lines = lines(&path);
    assert_eq!(lines.len(), 11, "one line per call:\n{text}");
    for line in &lines {
        let ts = line["ts"].as_str().unwrap();
        assert_eq!(ts.len(), 24, "{ts}");
        assert!(ts.ends_with('Z') && &ts[10..11] == "T", "{ts}");
        assert_eq!(line["vm"], "default");
        assert!(line["latencyMs"].is_u64());
    }
    assert_eq!(lines[0]["tool"], "vm_screenshot");
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[0]["images"], 1);
    // A keyed hash (HMAC-SHA256 under the per-install key, created mode 0600 where audit.keyFile says), not
    // the plain SHA-256 prefix a dictionary reverses (SHA-256("hunter2-typed-secret") starts 3ed3e4e2099c20d2).
    let tag = lines[1]["args"]["text"]["hmac"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        lines[1]["args"],
        json!({"text": {"redacted": "text", "chars": 20, "hmac": tag}})
    );
    assert!(
        tag.len() == 16 && tag.chars().all(|c| c.is_ascii_hexdigit()),
        "{tag}"
    );
    assert_ne!(tag, "3ed3e4e2099c20d2");
    {
        use std::os::unix::fs::PermissionsExt as _;
        let key = std::fs::metadata(dir.join("audit-key")).unwrap();
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(lines[2]["args"]["path"], "/tmp/p.jpg");
    assert_eq!(lines[2]["args"]["content"]["redacted"], "data");
    assert_eq!(lines[3]["args"]["apiKey"], json!({"redacted": "secret"}));
    assert_eq!(lines[3]["args"]["blob"]["redacted"], "data");
    assert_eq!(
        lines[4],
        json!({
            "ts": lines[4]["ts"], "vm": "default", "tool": "vm_exec",
            "args": {"command": "rm -rf /"}, "outcome": "rejected", "guard": "exec_policy",
            "error": "Exec policy: the command was not run: it matches the deny pattern `rm -rf *` (guards.exec.deny[0]).",
            "latencyMs": 0,
        })
    );
    assert_eq!(lines[5]["outcome"], "failed");
    assert_eq!(lines[5]["error"], "could not type [redacted]");
    assert_eq!(lines[5]["latencyMs"], 250);
    assert_eq!(lines[8]["warnings"], json!(["loop_warning"]));
    assert_eq!(lines[10]["outcome"], "rejected");
    assert_eq!(lines[10]["guard"], "loop");
    assert!(
        lines[10].get("error").is_none(),
        "loop messages quote the arguments"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn typed_text_is_logged_when_redaction_is_off() {
    let dir = scratch("audit-plain");
    let path = dir.join("audit.jsonl");
    let h = Harness::new(&format!(
        "audit: {{ path: {:?}, redactText: false, maxValueChars: 16 }}",
        path.display().to_string()
    ));
    h.call("vm_type", json!({"text": "hello"})).await.unwrap();
    h.call("vm_exec", json!({"command": "echo 0123456789abcdefghij"}))
        .await
        .unwrap();
    h.call("vm_custom", json!({"token": "t0k3n"}))
        .await
        .unwrap();
    let lines = lines(&path);
    assert_eq!(lines[0]["args"], json!({"text": "hello"}));
    assert_eq!(
        lines[1]["args"],
        json!({"command": "echo 0123456789a…[+9 chars]"})
    );
    assert_eq!(lines[2]["args"], json!({"token": {"redacted": "secret"}}));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn audit_log_rotates_once_and_stays_bounded() {
    let dir = scratch("audit-rotate");
    let path = dir.join("audit.jsonl");
    let h = Harness::new(&format!(
        "audit: {{ path: {:?}, maxBytes: 4096 }}, guards: {{ rate: {{ enabled: false }} }}",
        path.display().to_string()
    ));
    for i in 0..200 {
        h.call("vm_exec", json!({"command": format!("echo call-{i:04}")}))
            .await
            .unwrap();
    }
    let rotated = dir.join("audit.jsonl.1");
    let size = std::fs::metadata(&path).unwrap().len();
    let old_size = std::fs::metadata(&rotated).unwrap().len();
    assert!(size <= 4096 && old_size <= 4096, "{size} {old_size}");
    assert!(!dir.join("audit.jsonl.2").exists());
    let current = lines(&path);
    let previous = lines(&rotated);
    assert_eq!(current.last().unwrap()["args"]["command"], "echo call-0199");
    // The two files hold the most recent calls, in order, without a gap.
    let all: Vec<&Value> = previous.iter().chain(current.iter()).collect();
    let first: usize = all[0]["args"]["command"].as_str().unwrap()[10..]
        .parse()
        .unwrap();
    for (offset, line) in all.iter().enumerate() {
        assert_eq!(
            line["args"]["command"],
            format!("echo call-{:04}", first + offset)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unwritable_audit_path_does_not_fail_calls() {
    let h = Harness::new("audit: { path: '/nonexistent-dir-for-audit/a.jsonl' }");
    plain(h.call("vm_click", json!({})).await);
    plain(h.call("vm_click", json!({"x": 1})).await);
}

// ---------------------------------------------------------------------------------------------
// Configuration

fn config_error(body: &str) -> String {
    match Config::from_json5_str(&format!("{{ {body} }}"), "test") {
        Ok(_) => panic!("{body} should be invalid"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn guard_settings_are_validated_with_the_fix() {
    let cases = [
        (
            "guards: { exec: { deny: ['rm *'] } }",
            "`guards.exec.deny` is set but `guards.exec.mode` is \"open\", which runs every command: set `mode: \"deny\"` (or \"allowlist\") to apply the patterns",
        ),
        (
            "guards: { exec: { mode: 'deny', allow: ['ls'] } }",
            "`guards.exec.allow` is set but `guards.exec.mode` is \"deny\", which does not read it: set `mode: \"allowlist\"` to allow only the listed programs",
        ),
        (
            "guards: { exec: { mode: 'allowlist', allow: ['ls -la'] } }",
            "`guards.exec.allow.0` = \"ls -la\" must be a program name or path only (no spaces, arguments, quotes, `=` or shell metacharacters)",
        ),
        (
            "guards: { exec: { mode: 'allowlist', allow: ['ls', 'python3'] } }",
            "`guards.exec.allow.1` = \"python3\" can run any program (an interpreter: its arguments (`-c`, `-e`, a script) are code, and code can start programs), so allowing it allows every command: remove it, or also list it in `guards.exec.unrestricted` to say you know this",
        ),
        (
            "guards: { exec: { mode: 'allowlist', allow: ['/usr/bin/env'] } }",
            "`guards.exec.allow.0` = \"/usr/bin/env\" can run any program (a launcher",
        ),
        (
            "guards: { exec: { mode: 'allowlist', allow: ['ls'], unrestricted: ['sh'] } }",
            "`guards.exec.unrestricted.0` = \"sh\" is not in `guards.exec.allow`",
        ),
        (
            "guards: { exec: { mode: 'allowlist', allow: ['if'] } }",
            "`guards.exec.allow.0` = \"if\" is a shell reserved word, not a program",
        ),
        (
            "guards: { exec: { mode: 'allowlist', allow: ['/usr/bin/../bin/ls'] } }",
            "has `.` or `..` components",
        ),
        (
            "guards: { exec: { mode: 'deny', deny: ['ok *', '[oops'] } }",
            "`guards.exec.deny.1` = \"[oops\" is not a valid glob (",
        ),
        (
            "guards: { exec: { mode: 'deny', deny: [3] } }",
            "`guards.exec.deny.0` must be a string, got an integer (3)",
        ),
        (
            "guards: { exec: { mode: 'strict' } }",
            "`guards.exec.mode` = \"strict\" is not allowed: use one of \"open\", \"deny\", \"allowlist\"",
        ),
        (
            "guards: { loop: { repeatWarn: 6 } }",
            "`guards.loop.repeatWarn` = 6 is above `repeatRefuse` = 5: the warning would never be seen; make it at most 5",
        ),
        (
            "guards: { loop: { repeatRefuse: 1 } }",
            "`guards.loop.repeatRefuse` = 1 is out of range: must be at least 2 (default 5)",
        ),
        (
            "guards: { loop: { alternationRefuse: 2 } }",
            "`guards.loop.alternationRefuse` = 2 is out of range: must be at least 3 (default 8)",
        ),
        (
            "guards: { rate: { actionsPerMinute: 0 } }",
            "`guards.rate.actionsPerMinute` = 0 is out of range: must be at least 1 (default 600)",
        ),
        (
            "guards: { rate: { perMinute: 5 } }",
            "`guards.rate`: unknown key `perMinute`",
        ),
        (
            "audit: { path: 'audit.jsonl' }",
            "`audit.path` = \"audit.jsonl\" must be an absolute path, e.g. \"/var/log/computer-use/audit.jsonl\"",
        ),
        (
            "audit: { maxBytes: 100 }",
            "`audit.maxBytes` = 100 is out of range: must be at least 4096 (default 10485760)",
        ),
    ];
    for (body, want) in cases {
        let message = config_error(body);
        assert!(message.contains(want), "{body}:\n{message}\nwanted: {want}");
    }
}

#[test]
fn guard_defaults_and_warnings() {
    let config = Config::from_json5_str("{}", "test").unwrap();
    let g = config.guards();
    assert!(g.rate().enabled() && g.loops().enabled());
    assert_eq!(
        (g.rate().actions_per_minute(), g.rate().action_burst()),
        (600, 60)
    );
    assert_eq!(g.rate().screenshots_per_minute(), 120);
    assert_eq!((g.loops().repeat_warn(), g.loops().repeat_refuse()), (3, 5));
    assert_eq!(
        (
            g.loops().identical_screenshots_warn(),
            g.loops().identical_screenshots_refuse()
        ),
        (3, 6)
    );
    assert_eq!(g.exec().mode().as_str(), "open");
    assert_eq!(config.audit().path(), None);
    let config =
        Config::from_json5_str("{ guards: { exec: { mode: 'allowlist' } } }", "test").unwrap();
    assert_eq!(
        config.warnings(),
        [
            "`guards.exec.mode` is \"allowlist\" but `guards.exec.allow` is empty: every command to run and every program to launch will be refused"
        ]
    );
}

#[test]
fn the_readme_guards_example_is_a_valid_configuration() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme
        .split("\n## Guards\n")
        .nth(1)
        .expect("README has a Guards section");
    let block = section
        .split("```json5\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the Guards section has a json5 example");
    let config = Config::from_json5_str(block, "README.md").unwrap();
    assert_eq!(config.guards().exec().allow(), ["ls", "cat", "git"]);
    assert_eq!(config.guards().loops().repeat_refuse(), 5);
    assert!(config.audit().path().is_some());
}

/// A `tracing` writer into a shared buffer, to see what `logVerbose` puts on stderr.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn log_verbose_writes_each_call_to_the_log_without_text_or_images() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let run = |body: &str| {
        let h = Harness::new(body);
        h.show(PNG_B64);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            h.call("vm_screenshot", json!({})).await.unwrap();
            h.call("vm_type", json!({"text": "verbose-typed-text"}))
                .await
                .unwrap();
        });
    };
    tracing::subscriber::with_default(subscriber, || {
        run("logVerbose: false");
        assert!(
            captured.0.lock().unwrap().is_empty(),
            "quiet without logVerbose"
        );
        run("logVerbose: true");
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains(r#""tool":"vm_screenshot""#) && text.contains(r#""images":1"#),
        "{text}"
    );
    assert!(text.contains(r#""tool":"vm_type""#), "{text}");
    for banned in ["verbose-typed-text", "iVBOR"] {
        assert!(!text.contains(banned), "stderr contains {banned}: {text}");
    }
}
