//! The one path of a tool call, whichever face it comes from: find the tool → parse its typed arguments →
//! guards on the typed call (tool policy, exec policy, human approval, loop guard — which may first check the
//! screen for a repeated input call, see `screen::effects` — rate limit) → run → note an input action for its
//! effect report → finish (screen bookkeeping, warnings, audit line) → the recording's step (when `record.dir`
//! is set; see [`crate::tools::record`]). A reviewer following a call from MCP, the CLI or the OpenClaw shim
//! arrives here.

use serde_json::Value;

use crate::config::Toolset;
use crate::guards::GuardedCall;
use crate::guards::approval::ApprovalRequest;
use crate::result::{ToolError, ToolOutput};
use crate::tools::args::parse_args;
use crate::tools::record::Draft;
use crate::tools::screen::effects;
use crate::tools::{Space, ToolContext, TypedTool, find, in_toolset, registry};

/// Calls the tool `name` with JSON `args` through the guards. An unknown name, or for an agent a tool outside
/// the configured `toolset`, is an invalid-arguments error naming the tools there are.
pub async fn call(ctx: &ToolContext, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
    let toolset = match ctx.space {
        Space::Image => ctx.vms.config().toolset(),
        // People at the CLI have every command whatever the agents' tool set.
        Space::Screen { .. } => Toolset::Full,
    };
    let Some(tool) = find(name).filter(|t| in_toolset(toolset, t.spec().name)) else {
        let names: Vec<&str> = registry()
            .iter()
            .map(|t| t.spec().name)
            .filter(|n| in_toolset(toolset, n))
            .collect();
        let which = match (find(name), toolset) {
            (Some(_), Toolset::Seed) => format!(
                "`{name}` is not in this server's tool set (toolset \"{}\")",
                toolset.as_str()
            ),
            _ => format!("unknown tool `{name}`"),
        };
        return Err(ToolError::invalid(format!(
            "{which}; the tools are: {}",
            names.join(", ")
        )));
    };
    tool.call(ctx, args).await
}

/// The steps after the look-up, for one typed tool.
pub(super) async fn guarded<T: TypedTool>(
    tool: &T,
    ctx: &ToolContext,
    raw: Value,
) -> Result<ToolOutput, ToolError> {
    let mut guarded = ctx.guards.begin(ctx.vm_name(), T::SPEC).by(&ctx.caller);
    let draft = Draft::begin(ctx, T::SPEC);
    if draft.is_some() {
        guarded.keep_args();
    }
    let (args, typed) = match prepare::<T>(&mut guarded, raw) {
        Ok(prepared) => prepared,
        Err(refusal) => return finish(ctx, guarded, draft, Err(refusal)).await,
    };
    if let Err(refusal) = guarded
        .approve(&typed, ctx.approver.as_deref(), &ctx.cancel)
        .await
    {
        return finish(ctx, guarded, draft, Err(refusal)).await;
    }
    effects::before_admit(ctx, T::SPEC, &typed).await;
    if let Err(refusal) = guarded.admit(&typed) {
        return finish(ctx, guarded, draft, Err(refusal)).await;
    }
    let result = match &draft {
        Some(d) => d.scope(tool.run(ctx, args)).await,
        None => tool.run(ctx, args).await,
    };
    let result = effects::after_run(ctx, T::SPEC, result).await;
    finish(ctx, guarded, draft, result).await
}

/// The guards' finish (warnings, audit line), then the recording's step when recording is on.
async fn finish(
    ctx: &ToolContext,
    guarded: GuardedCall<'_>,
    draft: Option<Draft>,
    result: Result<ToolOutput, ToolError>,
) -> Result<ToolOutput, ToolError> {
    let Some(mut draft) = draft else {
        return guarded.finish(result);
    };
    let result = guarded.finish_observed(result, |finished, result| {
        draft.observe(finished, result);
    });
    draft.end(ctx, result.is_ok()).await;
    result
}

/// The steps a call and its classification share: tool policy, typed arguments, exec policy. Returns the
/// arguments and their JSON (what approval, the loop guard and the audit see), or the refusal.
fn prepare<T: TypedTool>(
    guarded: &mut GuardedCall<'_>,
    raw: Value,
) -> Result<(T::Args, Value), ToolError> {
    if let Err(refusal) = guarded.check_tool() {
        guarded.log_args(&raw);
        return Err(refusal);
    }
    let mut args = match parse_args::<T::Args>(T::SPEC.name, raw.clone()) {
        Ok(args) => args,
        Err(e) => {
            guarded.log_args(&raw);
            return Err(e);
        }
    };
    if let Some(request) = T::exec_request(&mut args)
        && let Err(refusal) = guarded.judge_exec(request)
    {
        guarded.log_args(&typed_json(&args, raw));
        return Err(refusal);
    }
    let typed = typed_json(&args, raw);
    guarded.log_args(&typed);
    Ok((args, typed))
}

/// What a person must approve before this call may run: its own approval and its nested calls' (`vm_batch`),
/// judged exactly as [`guarded`] will judge them. A call the guards refuse anyway needs nobody's approval.
pub(super) fn approvals<T: TypedTool>(ctx: &ToolContext, raw: Value) -> Vec<ApprovalRequest> {
    let mut guarded = ctx.guards.begin(ctx.vm_name(), T::SPEC).by(&ctx.caller);
    let Ok((args, typed)) = prepare::<T>(&mut guarded, raw) else {
        return Vec::new();
    };
    let mut requests: Vec<ApprovalRequest> = guarded.approval_request(&typed).into_iter().collect();
    for (name, nested) in T::nested_calls(&args) {
        if let Some(tool) = find(&name) {
            requests.extend(tool.approvals(ctx, nested));
        }
    }
    requests
}

/// The typed arguments as JSON (what the guards and the audit see), without the unset optional fields;
/// the raw arguments if they do not serialise, which no argument type of ours does.
fn typed_json<A: serde::Serialize>(args: &A, raw: Value) -> Value {
    match serde_json::to_value(args) {
        Ok(mut typed) => {
            drop_nulls(&mut typed);
            typed
        }
        Err(_) => raw,
    }
}

/// Removes `null` members of objects, recursively (`frame: None` is the same call as no `frame`).
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_optionals_are_not_part_of_the_call() {
        let mut v = serde_json::json!({"x": 1, "frame": null, "nested": [{"a": null, "b": 2}]});
        drop_nulls(&mut v);
        assert_eq!(v, serde_json::json!({"x": 1, "nested": [{"b": 2}]}));
    }
}
