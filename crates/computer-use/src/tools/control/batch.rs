//! `vm_batch`: a short list of actions in one call, with one screenshot at the end — the agent saves a model
//! turn (and an image) per step when it already knows the next few actions (cua-speedrun's `step`).
//!
//! Rules that keep it safe:
//! - every tool name is checked before anything runs (unknown tools and tools whose spec refuses batching —
//!   nested batches, tools whose image would be dropped — are refused up front, so a typo in action 5 does
//!   not leave actions 1–4 done);
//! - actions run in order through the registry, each validating its own arguments;
//! - the first failure stops the batch: the error says which actions ran, which failed and why, and that the
//!   rest did not run. Nothing is ever replayed; an ambiguous failure makes the whole batch ambiguous;
//! - images returned by inner actions are dropped; only the final screenshot (if asked for) is returned. It
//!   is taken through the same path as a `vm_screenshot` call, so it passes the guards like any other, is
//!   "unchanged since frame N" when the screen is, and tells what the batch's input actions did: its
//!   `effect` (and `changedRegion`) is lifted into the batch's details and into each input action's result.

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::spec::{Batching, Effect, ToolKind, ToolSpec};
use crate::tools::screen::{Screenshot, unchanged};
use crate::tools::{
    Content, Tool, ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool, find, registry,
};

/// Most actions one batch may hold: a batch is for the next few known steps, not a script.
pub const MAX_ACTIONS: usize = 20;
/// Longest per-action result text kept in the batch result.
const SHORT_TEXT: usize = 160;

/// `vm_batch {actions, screenshot?}`.
pub struct Batch;

/// Arguments of `vm_batch`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchArgs {
    /// Run in order, 1 to 20 (the description and the bounds say it).
    #[schemars(description = "")]
    #[schemars(length(min = 1, max = 20))]
    pub actions: Vec<BatchAction>,
    /// End with one screenshot when every action succeeded (the description says it).
    #[schemars(description = "")]
    #[serde(default)]
    pub screenshot: bool,
}

/// One action of a batch.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchAction {
    /// A vm_* tool's name.
    #[schemars(description = "")]
    pub tool: String,
    /// That tool's arguments.
    #[schemars(description = "")]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub args: Map<String, Value>,
}

/// `"args": null` means no arguments, as it does for a direct call.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default())
}

impl TypedTool for Batch {
    type Args = BatchArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_batch",
        title: "Batch",
        description: "Run vm_* actions [{tool, args}] in order; stops at the first failure. screenshot: true \
            ends with one.",
        kind: ToolKind::Meta,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: true,
        batching: Batching::Refused(
            "vm_batch cannot contain vm_batch; put all the actions in one list",
        ),
        commands: &[
            CommandName::Screenshot,
            CommandName::GetCursorPosition,
            CommandName::MoveCursor,
        ],
    };

    fn nested_calls(args: &BatchArgs) -> Vec<(String, Value)> {
        // A batch refused up front runs nothing (and never a nested batch).
        if check_actions(&args.actions).is_err() {
            return Vec::new();
        }
        args.actions
            .iter()
            .map(|a| (a.tool.clone(), Value::Object(a.args.clone())))
            .collect()
    }

    async fn run(&self, ctx: &ToolContext, args: BatchArgs) -> Result<ToolOutput, ToolError> {
        let BatchArgs {
            actions,
            screenshot,
        } = args;
        check_actions(&actions)?;
        let total = actions.len();
        let names: Vec<String> = actions.iter().map(|a| a.tool.clone()).collect();
        let mut ran: Vec<Ran> = Vec::with_capacity(total);
        for (i, action) in actions.into_iter().enumerate() {
            if ctx.cancel.is_cancelled() {
                return Err(cancelled_report(&ran, &names));
            }
            let BatchAction { tool, args } = action;
            match crate::tools::call(ctx, &tool, Value::Object(args)).await {
                Ok(out) => {
                    // Its image is dropped: the agent never gets it, so nothing is "unchanged since" it.
                    unchanged::dropped(ctx, &out);
                    ran.push(Ran {
                        index: i + 1,
                        text: short(&out.joined_text()),
                        details: out.details,
                        tool,
                    });
                }
                Err(e) => return Err(failure_report(&ran, &names, i, &e)),
            }
        }
        let summary = format!(
            "Ran all {total} action{}:\n{}",
            if total == 1 { "" } else { "s" },
            ran_lines(&ran)
        );
        let results: Vec<Value> = ran.iter().map(Ran::to_json).collect();
        let mut out = ToolOutput::text(summary)
            .with("ran", total)
            .with("total", total)
            .with("results", results);
        if !screenshot {
            return Ok(out);
        }
        match Screenshot.call(ctx, Value::Null).await {
            Ok(shot) => {
                if let Some(frame) = shot.details.get("frame") {
                    out.details.insert("frame".into(), frame.clone());
                }
                lift_effect(&mut out, &shot.details);
                out.details
                    .insert("screenshot".into(), Value::Object(shot.details));
                out.content.extend(shot.content);
            }
            // The actions all happened; only the look afterwards failed. Say so rather than fail the batch.
            Err(e) => {
                out.content.push(Content::Text(format!(
                    "The final screenshot failed ({}): {}. Take one with {}.",
                    e.kind.as_str(),
                    e.message,
                    Screenshot::SPEC.name
                )));
                out.details
                    .insert("screenshotError".into(), Value::from(e.message));
            }
        }
        Ok(out)
    }
}

/// The closing screenshot's report on the batch's input actions, in the batch's details and in each input
/// action's result (whose effect was `unknown` when it ran).
fn lift_effect(out: &mut ToolOutput, shot: &Map<String, Value>) {
    let Some(effect) = shot.get("effect").cloned() else {
        return;
    };
    for key in ["effect", "changedRegion", "effectOf"] {
        if let Some(v) = shot.get(key) {
            out.details.insert(key.into(), v.clone());
        }
    }
    if let Some(Value::Array(results)) = out.details.get_mut("results") {
        for r in results {
            let details = &mut r["details"];
            if details.get("effect") == Some(&Value::from("unknown")) {
                details["effect"] = effect.clone();
            }
        }
    }
}

/// Refuses the batch before anything runs: wrong length, unknown tools, tools that may not be batched.
fn check_actions(actions: &[BatchAction]) -> Result<(), ToolError> {
    if actions.is_empty() {
        return Err(ToolError::rejected(
            "vm_batch needs at least one action in `actions`",
        ));
    }
    if actions.len() > MAX_ACTIONS {
        return Err(ToolError::rejected(format!(
            "vm_batch takes at most {MAX_ACTIONS} actions, got {}: split them into several batches",
            actions.len()
        )));
    }
    let problems: Vec<String> = actions
        .iter()
        .enumerate()
        .filter_map(|(i, a)| refusal(&a.tool).map(|why| format!("action {}: {why}", i + 1)))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ToolError::rejected(format!(
            "vm_batch refused; nothing ran:\n  {}",
            problems.join("\n  ")
        )))
    }
}

/// Why `tool` may not appear in a batch, if it may not: its spec's refusal, or that no such tool exists.
fn refusal(tool: &str) -> Option<String> {
    match find(tool).map(|t| t.spec().batching) {
        Some(Batching::Allowed) => None,
        Some(Batching::Refused(why)) => Some(why.to_owned()),
        None => Some(format!(
            "unknown tool `{tool}`; a batch may use: {}",
            batchable().join(", ")
        )),
    }
}

/// The tools a batch may contain.
fn batchable() -> Vec<&'static str> {
    registry()
        .iter()
        .map(|t| t.spec())
        .filter(|spec| spec.batching == Batching::Allowed)
        .map(|spec| spec.name)
        .collect()
}

/// An action that ran.
struct Ran {
    index: usize,
    tool: String,
    text: String,
    details: Map<String, Value>,
}

impl Ran {
    fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "tool": self.tool,
            "ok": true,
            "text": self.text,
            "details": self.details,
        })
    }
}

/// `  1. vm_wait: Waited 10 ms.` per action.
fn ran_lines(ran: &[Ran]) -> String {
    ran.iter()
        .map(|r| format!("  {}. {}: {}", r.index, r.tool, r.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `3. vm_key, 4. vm_exec` for the actions from `from` (0-based) on.
fn not_run(names: &[String], from: usize) -> String {
    names
        .iter()
        .enumerate()
        .skip(from)
        .map(|(i, n)| format!("{}. {n}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error for a failed action (`failed` is 0-based): keeps its kind, lists what ran and what did not.
fn failure_report(ran: &[Ran], names: &[String], failed: usize, e: &ToolError) -> ToolError {
    let total = names.len();
    let tool = names.get(failed).map(String::as_str).unwrap_or("?");
    let mut message = format!(
        "vm_batch stopped at action {} of {total} ({tool}), which {}: {}",
        failed + 1,
        if e.kind == ToolErrorKind::Ambiguous {
            "may or may not have taken effect"
        } else {
            "failed"
        },
        e.message
    );
    if ran.is_empty() {
        message.push_str("\nNo action before it ran.");
    } else {
        message.push_str(&format!("\nThese ran and succeeded:\n{}", ran_lines(ran)));
    }
    if failed + 1 < total {
        message.push_str(&format!("\nNot run: {}.", not_run(names, failed + 1)));
    }
    message.push_str("\nNothing was repeated.");
    if e.kind == ToolErrorKind::Ambiguous && !e.to_string().contains("screenshot") {
        message.push_str(" Take a screenshot to see whether it happened before trying again.");
    }
    // Arguments rejected by an action after earlier ones took effect are not a malformed call of the
    // batch as a whole: report them as refused (soft) so the agent reads the list of what ran.
    let kind = match e.kind {
        ToolErrorKind::InvalidArguments if !ran.is_empty() => ToolErrorKind::Rejected,
        kind => kind,
    };
    ToolError {
        kind,
        message,
        hint: e.hint.clone(),
    }
}

/// The error when the caller cancels between actions.
fn cancelled_report(ran: &[Ran], names: &[String]) -> ToolError {
    let mut message = format!(
        "vm_batch was cancelled by the caller after {} of {} actions.",
        ran.len(),
        names.len()
    );
    if !ran.is_empty() {
        message.push_str(&format!("\nThese ran and succeeded:\n{}", ran_lines(ran)));
    }
    message.push_str(&format!("\nNot run: {}.", not_run(names, ran.len())));
    ToolError::rejected(message)
}

/// The first non-empty line, at most [`SHORT_TEXT`] characters.
fn short(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("ok");
    if line.chars().count() <= SHORT_TEXT {
        line.to_string()
    } else {
        let cut: String = line.chars().take(SHORT_TEXT - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn short_keeps_the_first_line_and_cuts_on_characters() {
        assert_eq!(short("\n  first  \nsecond"), "first");
        assert_eq!(short(""), "ok");
        let long = "é".repeat(400);
        let s = short(&long);
        assert_eq!(s.chars().count(), SHORT_TEXT);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn an_ambiguous_failure_keeps_its_kind_and_names_what_did_not_run() {
        let ran = vec![Ran {
            index: 1,
            tool: "vm_wait".into(),
            text: "Waited 5 ms.".into(),
            details: Map::new(),
        }];
        let e = ToolError::new(ToolErrorKind::Ambiguous, "no reply within 60 s");
        let r = failure_report(&ran, &names(&["vm_wait", "vm_click", "vm_key"]), 1, &e);
        assert_eq!(r.kind, ToolErrorKind::Ambiguous);
        assert!(r.message.contains("action 2 of 3 (vm_click)"), "{r}");
        assert!(r.message.contains("may or may not"), "{r}");
        assert!(r.message.contains("1. vm_wait: Waited 5 ms."), "{r}");
        assert!(r.message.contains("Not run: 3. vm_key."), "{r}");
        assert!(r.message.contains("Take a screenshot"), "{r}");
    }

    #[test]
    fn bad_arguments_after_effects_are_refusals_but_first_stay_invalid() {
        let e = ToolError::invalid("vm_click: invalid arguments: missing field `x`");
        let first = failure_report(&[], &names(&["vm_click"]), 0, &e);
        assert_eq!(first.kind, ToolErrorKind::InvalidArguments);
        assert!(
            first.message.contains("No action before it ran."),
            "{first}"
        );
        let ran = vec![Ran {
            index: 1,
            tool: "vm_wait".into(),
            text: "ok".into(),
            details: Map::new(),
        }];
        let later = failure_report(&ran, &names(&["vm_wait", "vm_click"]), 1, &e);
        assert_eq!(later.kind, ToolErrorKind::Rejected);
        assert!(!later.message.contains("Not run"), "{later}");
    }
}
