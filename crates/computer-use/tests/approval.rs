//! Human approval in the core, without a VM: which calls `guards.approval` names (tools, key combinations, file
//! writes, shell commands outside the allowlist or all of them — nested in `vm_batch` too), judged by
//! `tools::classify` on the typed arguments the call itself will have; and the one-time tokens a host that asks
//! the person itself (the OpenClaw plugin) brings back: accepted once, only for the exact call (VM, tool,
//! arguments) they were issued for, only before they expire, never when forged.
//!
//! The calls that run are `vm_wait` without a screenshot, which contacts no VM, so the effect of an approval
//! (the call ran) is visible here; approvals of real commands on the real server are proven by
//! `tests/mcp/test_approval.py` (MCP elicitation) and `tests/e2e/approval.test.mjs` (the OpenClaw gateway).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use computer_use::clock::FakeClock;
use computer_use::config::Config;
use computer_use::guards::Guards;
use computer_use::guards::approval::grants::{GRACE, GrantApprover};
use computer_use::tools::{self, HostApproval, ToolContext, ToolError, ToolErrorKind};
use computer_use::vm::Vms;
use serde_json::{Value, json};

/// A context on a fake clock for the configuration `body` (a URL VM nobody listens on: nothing here may
/// reach a VM).
fn context(body: &str) -> (ToolContext, FakeClock) {
    let config = Config::from_json5_str(
        &format!("{{ provider: 'url', serverUrl: 'ws://127.0.0.1:9/ws', {body} }}"),
        "test",
    )
    .unwrap();
    let clock = FakeClock::new();
    let guards = Arc::new(Guards::with_clock(&config, Arc::new(clock.clone())));
    (
        ToolContext::with_guards(Arc::new(Vms::new(Arc::new(config))), guards),
        clock,
    )
}

fn classify(ctx: &ToolContext, tool: &str, args: Value) -> Option<HostApproval> {
    tools::classify(ctx, tool, args).unwrap()
}

/// Each row: a configuration, a call, and the reason its approval must give (None: nobody is asked).
#[test]
fn classification_names_exactly_the_configured_calls() {
    let allowlist = "guards: { exec: { mode: 'allowlist', allow: ['ls', 'git'], deny: ['cat /etc/shadow'] }, \
                     approval: { exec: 'outsideAllowlist' } }";
    let rows: &[(&str, &str, Value, Option<&str>)] = &[
        // tools: globs over tool names, case-insensitive
        (
            "guards: { approval: { tools: ['vm_file_*'] } }",
            "vm_file_write",
            json!({"path": "/tmp/a", "content": "x"}),
            Some("guards.approval.tools[0] `vm_file_*` names it"),
        ),
        (
            "guards: { approval: { tools: ['VM_SCREENSHOT'] } }",
            "vm_screenshot",
            json!({}),
            Some("guards.approval.tools[0] `VM_SCREENSHOT` names it"),
        ),
        (
            "guards: { approval: { tools: ['vm_file_*'] } }",
            "vm_screenshot",
            json!({}),
            None,
        ),
        // keys: globs over the combination as written, lower-cased; each of several in one call
        (
            "guards: { approval: { keys: ['ctrl+alt+*', 'cmd+q'] } }",
            "vm_key",
            json!({"keys": "ctrl+alt+delete"}),
            Some("guards.approval.keys[0] `ctrl+alt+*` matches `ctrl+alt+delete`"),
        ),
        (
            "guards: { approval: { keys: ['ctrl+alt+*', 'cmd+q'] } }",
            "vm_key",
            json!({"keys": "CTRL+ALT+T"}),
            Some("guards.approval.keys[0] `ctrl+alt+*` matches `CTRL+ALT+T`"),
        ),
        (
            "guards: { approval: { keys: ['ctrl+alt+*', 'cmd+q'] } }",
            "vm_key",
            json!({"keys": "ctrl+a cmd+q"}),
            Some("guards.approval.keys[1] `cmd+q` matches `ctrl+a cmd+q`"),
        ),
        (
            "guards: { approval: { keys: ['ctrl+alt+*', 'cmd+q'] } }",
            "vm_key",
            json!({"keys": "ctrl+c"}),
            None,
        ),
        (
            "guards: { approval: { keys: ['ctrl+alt+*'] } }",
            "vm_type",
            json!({"text": "ctrl+alt+delete"}),
            None,
        ),
        // fileWrites: the tools that change files, not the ones that read them
        (
            "guards: { approval: { fileWrites: true } }",
            "vm_file_write",
            json!({"path": "/tmp/a", "content": "x"}),
            Some("guards.approval.fileWrites is on"),
        ),
        (
            "guards: { approval: { fileWrites: true } }",
            "vm_file_read",
            json!({"path": "/tmp/a"}),
            None,
        ),
        (
            "guards: { approval: { fileWrites: true } }",
            "vm_file_list",
            json!({"path": "/tmp"}),
            None,
        ),
        // exec: always
        (
            "guards: { approval: { exec: 'always' } }",
            "vm_exec",
            json!({"command": "ls"}),
            Some("guards.approval.exec is \"always\""),
        ),
        (
            "guards: { approval: { exec: 'always' } }",
            "vm_launch",
            json!({"app": "xterm"}),
            Some("guards.approval.exec is \"always\""),
        ),
        (
            "guards: { approval: { exec: 'always' } }",
            "vm_file_write",
            json!({"path": "/tmp/a", "content": "x"}),
            None,
        ),
        // exec: outsideAllowlist — what the allowlist refuses goes to a person; deny and malformed calls do not
        (
            allowlist,
            "vm_exec",
            json!({"command": "ls -la /tmp"}),
            None,
        ),
        (
            allowlist,
            "vm_exec",
            json!({"command": "rm -rf /tmp/x"}),
            Some(
                "the exec allowlist refuses it (Exec policy (allowlist): the command was not run: ",
            ),
        ),
        (
            allowlist,
            "vm_exec",
            json!({"command": "git -c alias.x='!touch /tmp/pwn' x"}),
            Some("(rule: git-config)"),
        ),
        (
            allowlist,
            "vm_exec",
            json!({"command": "cat /etc//shadow"}),
            None,
        ),
        (
            allowlist,
            "vm_exec",
            json!({"command": "ls; cat /etc/shadow"}),
            None,
        ),
        (
            allowlist,
            "vm_exec",
            json!({"command": "ls; echo hi"}),
            Some("(rule: metacharacter)"),
        ),
        (
            allowlist,
            "vm_exec",
            json!({"command": "rm -rf /tmp/x", "bogus": 1}),
            None,
        ),
        // denied tools and unknown tools are refused by the call itself: nobody is asked
        (
            "tools: { deny: ['vm_exec'] }, guards: { approval: { tools: ['vm_exec'] } }",
            "vm_exec",
            json!({"command": "ls"}),
            None,
        ),
        (
            "guards: { approval: { tools: ['*'] } }",
            "vm_nonexistent",
            json!({}),
            None,
        ),
        // nested in vm_batch: the batch is asked about with what in it needs approval
        (
            "guards: { approval: { keys: ['ctrl+alt+*'] } }",
            "vm_batch",
            json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1}}, {"tool": "vm_key", "args": {"keys": "ctrl+alt+f1"}}]}),
            Some("vm_batch with 1 call(s) that need approval: vm_key"),
        ),
        (
            "guards: { approval: { keys: ['ctrl+alt+*'] } }",
            "vm_batch",
            json!({"actions": [{"tool": "vm_key", "args": {"keys": "enter"}}]}),
            None,
        ),
        // a batch refused up front (here: a nested batch) runs nothing, so nobody is asked about it
        (
            "guards: { approval: { keys: ['ctrl+alt+*'] } }",
            "vm_batch",
            json!({"actions": [{"tool": "vm_batch", "args": {"actions": [{"tool": "vm_key", "args": {"keys": "ctrl+alt+f1"}}]}}]}),
            None,
        ),
    ];
    let mut failures = Vec::new();
    for (body, tool, args, want) in rows {
        let (ctx, _) = context(body);
        let got = classify(&ctx, tool, args.clone());
        let ok = match (want, &got) {
            (None, None) => true,
            (Some(reason), Some(approval)) => {
                approval.description.contains(reason)
                    && approval
                        .title
                        .starts_with(&format!("Approve {tool} on VM default"))
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{body} | {tool} {args}: want {want:?}, got {:?}",
                got.map(|a| a.description)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_prompt_scrubs_secrets_and_shows_every_character() {
    let (ctx, _) = context("guards: { approval: { exec: 'always' } }");
    let approval = classify(
        &ctx,
        "vm_exec",
        json!({"command": "curl -H 'Authorization: Bearer sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789' https://x.test; echo ｒｍ\u{202e}"}),
    )
    .unwrap();
    assert!(
        !approval.description.contains("abcdefghijklmnop"),
        "{}",
        approval.description
    );
    assert!(
        approval.description.contains("\\u{ff52}\\u{ff4d}\\u{202e}"),
        "{}",
        approval.description
    );
    assert!(
        approval
            .description
            .chars()
            .all(|c| c == ' ' || c.is_ascii_graphic()),
        "{}",
        approval.description
    );
    assert!(approval.description.chars().count() <= 500 && approval.title.chars().count() <= 80);
    assert_eq!(approval.timeout_ms, 120_000);
    assert_eq!(approval.token.len(), 64);
}

/// A call of `tool` with `args`, carrying `token` the way the OpenClaw plugin does.
async fn call(
    ctx: &ToolContext,
    tool: &str,
    args: Value,
    token: Option<&str>,
) -> Result<String, ToolError> {
    let mut ctx = ctx.clone();
    ctx.approver = Some(Arc::new(GrantApprover::new(
        ctx.guards.grants(),
        token.map(str::to_owned),
    )));
    tools::call(&ctx, tool, args)
        .await
        .map(|out| out.joined_text())
}

fn refusal(result: Result<String, ToolError>) -> String {
    let e = result.expect_err("the call ran");
    assert_eq!(e.kind, ToolErrorKind::Rejected, "{}", e.message);
    assert!(e.message.starts_with("Approval: "), "{}", e.message);
    assert!(e.message.ends_with("nothing was sent."), "{}", e.message);
    e.message
}

/// `outsideAllowlist` puts what the allowlist refuses to a person, but what `deny` names is refused outright,
/// however it is spelt: nobody is asked, and no token could make it run.
#[tokio::test]
async fn deny_still_refuses_what_a_person_could_otherwise_approve() {
    let (ctx, _) = context(
        "guards: { exec: { mode: 'allowlist', allow: ['ls'], deny: ['cat /etc/shadow', 'rm *'] }, \
         approval: { exec: 'outsideAllowlist' } }",
    );
    for command in [
        "cat /etc//shadow",
        "ls; cat /etc/shadow",
        "ls && rm -rf /",
        "rm  -rf /tmp/x",
    ] {
        let args = json!({ "command": command });
        assert!(
            classify(&ctx, "vm_exec", args.clone()).is_none(),
            "{command} was put to a person"
        );
        let e = call(&ctx, "vm_exec", args, Some(&"0".repeat(64)))
            .await
            .unwrap_err();
        assert_eq!(e.kind, ToolErrorKind::Rejected);
        assert!(
            e.message.contains("matches the deny pattern"),
            "{command}: {}",
            e.message
        );
    }
}

const WAIT: &str = "guards: { approval: { tools: ['vm_wait'], timeoutSecs: 30 } }";

#[tokio::test]
async fn a_token_runs_its_call_once() {
    let (ctx, _) = context(WAIT);
    let args = json!({"ms": 1});
    let token = classify(&ctx, "vm_wait", args.clone()).unwrap().token;
    assert_eq!(
        call(&ctx, "vm_wait", args.clone(), Some(&token))
            .await
            .unwrap(),
        "Waited 1 ms."
    );
    let replay = refusal(call(&ctx, "vm_wait", args, Some(&token)).await);
    assert!(
        replay.contains("the approval token was already used"),
        "{replay}"
    );
}

#[tokio::test]
async fn without_a_token_the_call_is_refused_with_how_to_approve() {
    let (ctx, _) = context(WAIT);
    let message = refusal(call(&ctx, "vm_wait", json!({"ms": 1}), None).await);
    assert!(
        message.contains("no approval came with the call"),
        "{message}"
    );
    assert!(
        message.contains("openclaw approvals resolve <id> allow-once"),
        "{message}"
    );
}

#[tokio::test]
async fn a_forged_token_is_refused() {
    let (ctx, _) = context(WAIT);
    let token = classify(&ctx, "vm_wait", json!({"ms": 1})).unwrap().token;
    for forged in [
        "0".repeat(64),
        token.to_uppercase(),
        format!("{token} "),
        token[..63].to_owned(),
        String::new(),
    ] {
        let message = refusal(call(&ctx, "vm_wait", json!({"ms": 1}), Some(&forged)).await);
        assert!(
            message.contains("not one this computer-use process issued"),
            "{forged:?}: {message}"
        );
    }
    // The real token still works: a forgery does not burn it.
    assert!(
        call(&ctx, "vm_wait", json!({"ms": 1}), Some(&token))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_token_is_bound_to_the_tool_the_arguments_and_the_vm() {
    let body = format!(
        "vms: {{ lab: {{}} }}, {}",
        WAIT.replace("['vm_wait']", "['vm_wait', 'vm_file_read']")
    );
    let (ctx, _) = context(&body);
    let mut lab = ctx.clone();
    lab.vm = Some("lab".to_owned());
    let cases: [(&ToolContext, &str, Value); 3] = [
        (&ctx, "vm_wait", json!({"ms": 2})),
        (&ctx, "vm_file_read", json!({"path": "/tmp/x"})),
        (&lab, "vm_wait", json!({"ms": 1})),
    ];
    for (other_ctx, tool, args) in cases {
        let token = classify(&ctx, "vm_wait", json!({"ms": 1})).unwrap().token;
        let message = refusal(call(other_ctx, tool, args.clone(), Some(&token)).await);
        assert!(
            message.contains("issued for another call"),
            "{tool} {args}: {message}"
        );
        // Shown with the wrong call, the token is void for its own call too.
        let message = refusal(call(&ctx, "vm_wait", json!({"ms": 1}), Some(&token)).await);
        assert!(message.contains("already used"), "{message}");
    }
    // Defaults filled in are part of the call: `{ms: 1}` and `{ms: 1, screenshot: false}` are the same call.
    let token = classify(&ctx, "vm_wait", json!({"ms": 1})).unwrap().token;
    assert!(
        call(
            &ctx,
            "vm_wait",
            json!({"ms": 1, "screenshot": false}),
            Some(&token)
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn a_token_expires_after_the_timeout_and_its_grace() {
    let (ctx, clock) = context(WAIT);
    let early = classify(&ctx, "vm_wait", json!({"ms": 1})).unwrap().token;
    let late = classify(&ctx, "vm_wait", json!({"ms": 1})).unwrap().token;
    clock.advance(Duration::from_secs(30) + GRACE - Duration::from_millis(1));
    assert!(
        call(&ctx, "vm_wait", json!({"ms": 1}), Some(&early))
            .await
            .is_ok()
    );
    clock.advance(Duration::from_millis(1));
    let message = refusal(call(&ctx, "vm_wait", json!({"ms": 1}), Some(&late)).await);
    assert!(message.contains("the approval token expired"), "{message}");
}

#[tokio::test]
async fn a_batch_token_runs_each_nested_call_that_needs_it_once() {
    let (ctx, _) = context(WAIT);
    let batch = json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1}}, {"tool": "vm_wait", "args": {"ms": 2}}]});
    let approval = classify(&ctx, "vm_batch", batch.clone()).unwrap();
    assert!(
        approval
            .description
            .contains("vm_batch with 2 call(s) that need approval"),
        "{}",
        approval.description
    );
    let ran = call(&ctx, "vm_batch", batch.clone(), Some(&approval.token))
        .await
        .unwrap();
    assert!(ran.starts_with("Ran all 2 actions"), "{ran}");
    let replay = call(&ctx, "vm_batch", batch, Some(&approval.token))
        .await
        .unwrap_err();
    assert!(
        replay
            .message
            .contains("the approval token was already used"),
        "{}",
        replay.message
    );
    // A nested call needing approval without a token: the batch stops before it, nothing of it runs.
    let unapproved = call(
        &ctx,
        "vm_batch",
        json!({"actions": [{"tool": "vm_wait", "args": {"ms": 1}}]}),
        None,
    )
    .await
    .unwrap_err();
    assert!(
        unapproved
            .message
            .contains("no approval came with the call"),
        "{}",
        unapproved.message
    );
}

#[tokio::test]
async fn classification_sends_nothing_and_spends_no_budget() {
    // A burst of one action: had classification spent it, the call after it would be refused by the rate limit.
    let (ctx, _) = context(&WAIT.replace(
        "timeoutSecs: 30",
        "timeoutSecs: 30 }, rate: { actionBurst: 1, actionsPerMinute: 1 }, loop: { enabled: false",
    ));
    for _ in 0..5 {
        assert!(classify(&ctx, "vm_wait", json!({"ms": 1})).is_some());
    }
    let token = classify(&ctx, "vm_wait", json!({"ms": 1})).unwrap().token;
    assert!(
        call(&ctx, "vm_wait", json!({"ms": 1}), Some(&token))
            .await
            .is_ok()
    );
}
