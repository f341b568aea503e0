//! The one path of a tool call, whichever face it comes from: find the tool → parse its typed arguments →
//! guards on the typed call (exec policy, loop guard — which may first check the screen for a repeated
//! input call, see `screen::effects` — rate limit) → run → note an input action for its effect report →
//! finish (screen bookkeeping, warnings, audit line). A reviewer following a call from MCP, the CLI or the
//! OpenClaw shim arrives here.

use serde_json::Value;

use crate::config::Toolset;
use crate::result::{ToolError, ToolOutput};
use crate::tools::args::parse_args;
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
    let mut args = match parse_args::<T::Args>(T::SPEC.name, raw.clone()) {
        Ok(args) => args,
        Err(e) => {
            guarded.log_args(&raw);
            return guarded.finish(Err(e));
        }
    };
    if let Some(request) = T::exec_request(&mut args)
        && let Err(refusal) = guarded.judge_exec(request)
    {
        guarded.log_args(&typed_json(&args, raw));
        return guarded.finish(Err(refusal));
    }
    let typed = typed_json(&args, raw);
    guarded.log_args(&typed);
    effects::before_admit(ctx, T::SPEC, &typed).await;
    if let Err(refusal) = guarded.admit(&typed) {
        return guarded.finish(Err(refusal));
    }
    let result = tool.run(ctx, args).await;
    let result = effects::after_run(ctx, T::SPEC, result).await;
    guarded.finish(result)
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
