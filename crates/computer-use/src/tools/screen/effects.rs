//! The two places a tool call meets the effect reports, both called by `tools::call`:
//!
//! - [`before_admit`]: when the loop guard would warn about or refuse a repeated input call and the caller has
//!   not looked since its last call, the screen is checked first, so that repeats which change the screen
//!   (a "+" button, "next page") count as progress and a runaway on a static screen does not;
//! - [`after_run`]: an input action that ran is noted as pending for the caller; its effect is told by the
//!   next capture (`details.effect` is `unknown` until then), or at once with `screenshot.checkEffects`
//!   (a capture 50 ms after the action, and one more 150 ms later when the first shows no change).
//!
//! Only agents ([`Space::Image`]) are watched: people at the CLI look at the screen themselves.

use serde_json::{Value, json};

use crate::result::{ToolError, ToolOutput};
use crate::spec::ToolSpec;
use crate::tools::screen::unchanged::{check, check_action, with_effect};
use crate::tools::{Space, ToolContext};

/// Checks the screen before a repeated input call when the loop guard needs the evidence (see the module
/// documentation). A failed check changes nothing: the call is judged as it would have been.
pub(crate) async fn before_admit(ctx: &ToolContext, spec: &ToolSpec, args: &Value) {
    if ctx.space != Space::Image || !spec.acts_on_screen() {
        return;
    }
    if !ctx
        .guards
        .needs_evidence(ctx.vm_name(), &ctx.caller, spec.name, args)
    {
        return;
    }
    if let Ok(session) = ctx.session()
        && let Err(e) = check(ctx, &session).await
    {
        tracing::debug!(tool = spec.name, error = %e, "the loop guard's screen check failed");
    }
}

/// Notes an input action that ran, and reports its effect: `unknown` until a capture tells, or at once with
/// `screenshot.checkEffects`.
pub(crate) async fn after_run(
    ctx: &ToolContext,
    spec: &'static ToolSpec,
    result: Result<ToolOutput, ToolError>,
) -> Result<ToolOutput, ToolError> {
    if ctx.space != Space::Image || !spec.acts_on_screen() {
        return result;
    }
    let mut out = result?;
    let state = ctx.guards.caller(ctx.vm_name(), &ctx.caller);
    match state.screen.lock() {
        Ok(mut m) => m.acted(spec.name),
        Err(poisoned) => poisoned.into_inner().acted(spec.name),
    }
    if ctx.vms.config().screenshot().check_effects()
        && let Ok(session) = ctx.session()
    {
        match check_action(ctx, &session).await {
            Ok(settled) => out = with_effect(out, settled, None),
            Err(e) => tracing::debug!(tool = spec.name, error = %e, "the effect check failed"),
        }
    }
    out.details
        .entry("effect")
        .or_insert_with(|| json!("unknown"));
    Ok(out)
}
