//! The seed's security model for the agents, checked with the gateway's own policy semantics
//! ([`super::policy`]):
//! - **main** cannot call `vm_*` (an explicit deny, or an allowlist without them: a deny-only agent that does
//!   not deny `vm_*` gets every plugin tool by default, `docs/openclaw.md`, "Tool policy") and may delegate to
//!   the worker (`sessions_send`, or `sessions_spawn` with `worker` in `subagents.allowAgents`, "Delegation"
//!   there);
//! - the **worker** can call `vm_*`, `sessions_send` and `session_status`, nothing that reaches the host
//!   ([`super::catalog::HOST_TOOLS`]), and spawns no subagents ("prevents delegation chains"); when its
//!   sessions are sandboxed, the sandbox's second allowlist must let `vm_*` through ("Tool policy" there: they
//!   still run in the gateway process);
//! - **no other agent** gets `vm_*` without meaning to.

use computer_use::tools::TypedTool;
use computer_use::tools::pointer::Click;
use serde_json::Value;

use super::PostureOptions;
use super::catalog::{self, HOST_TOOLS, WORKER_CORE_TOOLS};
use super::document::{Agent, AgentPolicy, Document, SandboxMode};
use super::policy::{PluginTools, glob_matches, strings};
use crate::report::Check;

/// Check ids.
pub const MAIN_VM: &str = "posture.main.vm_tools";
/// Check id.
pub const MAIN_DELEGATE: &str = "posture.main.delegate";
/// Check id.
pub const WORKER_TOOLS: &str = "posture.worker.tools";
/// Check id.
pub const WORKER_HOST: &str = "posture.worker.host";
/// Check id.
pub const WORKER_SANDBOX: &str = "posture.worker.sandbox";
/// Check id.
pub const WORKER_SUBAGENTS: &str = "posture.worker.subagents";
/// Check id.
pub const OTHERS: &str = "posture.agents.vm_tools";
/// Check id.
pub const TOOL_SEARCH: &str = "posture.tool_search";

/// Every agent check, in order.
pub fn checks(doc: &Document, plugin: &PluginTools, opts: &PostureOptions) -> Vec<Check> {
    let mut out = Vec::new();
    match doc.main_agent(&opts.main_agent) {
        Some(main) => {
            let policy = doc.policy(&main);
            out.push(main_vm_tools(&main, &policy, plugin));
            out.push(main_delegate(
                doc,
                &main,
                &policy,
                plugin,
                &opts.worker_agent,
            ));
        }
        None => {
            let why = format!(
                "no agent `{}` (nor one legacy `default: true` agent): the main agent's checks did not run",
                opts.main_agent
            );
            out.push(Check::skip(MAIN_VM, why.clone()));
            out.push(Check::skip(MAIN_DELEGATE, why));
        }
    }
    match doc.agent(&opts.worker_agent) {
        Some(worker) => {
            let policy = doc.policy(&worker);
            out.push(worker_tools(&worker, &policy, plugin));
            out.push(worker_host(&worker, &policy, plugin));
            out.push(worker_sandbox(&worker, &policy, plugin));
            out.push(worker_subagents(doc, &worker, &policy, plugin));
        }
        None => {
            out.push(Check::fail(
                WORKER_TOOLS,
                format!(
                    "no agent `{}`: nothing in this config drives the VM the seed's way (a worker with vm_* only)",
                    opts.worker_agent
                ),
                "run `computer-use openclaw config --write --config <openclaw.json>` to add the worker agent",
            ));
            for id in [WORKER_HOST, WORKER_SANDBOX, WORKER_SUBAGENTS] {
                out.push(Check::skip(id, "no worker agent"));
            }
        }
    }
    out.push(others(doc, plugin, opts));
    out.push(tool_search(doc));
    out
}

/// The plugin tools the policy lets through (unsandboxed).
fn reachable<'a>(policy: &AgentPolicy, plugin: &'a PluginTools) -> Vec<&'a str> {
    plugin
        .tools
        .iter()
        .filter(|t| policy.allows(t, plugin))
        .map(String::as_str)
        .collect()
}

fn list(tools: &[&str]) -> String {
    const SHOWN: usize = 6;
    let mut text = tools
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if tools.len() > SHOWN {
        text.push_str(&format!(", … ({} in all)", tools.len()));
    }
    text
}

/// A tool the plugin registers, to ask a policy which of its layers refuses the plugin's tools.
const PROBE_TOOL: &str = Click::SPEC.name;

fn main_vm_tools(main: &Agent<'_>, policy: &AgentPolicy, plugin: &PluginTools) -> Check {
    let tools_path = Document::tools_path(main);
    let open = reachable(policy, plugin);
    if open.is_empty() {
        let how = if policy.explicitly_denies(PROBE_TOOL, plugin) {
            "denied explicitly".to_owned()
        } else {
            let layer = policy
                .refused_by(PROBE_TOOL, plugin)
                .map_or_else(|| "?".to_owned(), |l| l.source.clone());
            format!("left out of the allowlist of {layer}")
        };
        return Check::pass(
            MAIN_VM,
            format!("main (`{}`) cannot call vm_* ({how})", main.path),
        );
    }
    let why = if policy.layers.iter().any(|l| l.has_allowlist(plugin)) {
        "its allowlist names them".to_owned()
    } else {
        "it has no allowlist, and plugin tools are on by default for agents that only deny"
            .to_owned()
    };
    let sandbox_note = match policy.sandbox_mode {
        SandboxMode::Off => "",
        _ if open.iter().all(|t| !policy.sandbox.allows(t, plugin)) => {
            " (its sandbox tool policy drops them today, but that is not a policy: sandbox off, or a sandbox alsoAllow, brings them back)"
        }
        _ => "",
    };
    Check::fail(
        MAIN_VM,
        format!(
            "main (`{}`) can call {} of the {} vm_* tools ({}): {why}{sandbox_note}; the seed's main agent must delegate VM work to the worker",
            main.path,
            open.len(),
            plugin.tools.len(),
            list(&open)
        ),
        format!("add \"vm_*\" to {tools_path}.deny"),
    )
}

fn main_delegate(
    doc: &Document,
    main: &Agent<'_>,
    policy: &AgentPolicy,
    plugin: &PluginTools,
    worker: &str,
) -> Check {
    let a2a = doc.at(&["tools", "agentToAgent"]);
    let a2a_blocked = if a2a.get("enabled") == Some(&Value::Bool(false)) {
        Some("tools.agentToAgent.enabled is false".to_owned())
    } else {
        strings(a2a.get("allow"))
            .filter(|allow| {
                !allow
                    .iter()
                    .any(|p| glob_matches(&p.trim().to_lowercase(), &worker.to_lowercase()))
            })
            .map(|_| format!("tools.agentToAgent.allow does not name `{worker}`"))
    };
    let can_send = policy.allows("sessions_send", plugin);
    let allow_agents = doc.allow_agents(main).or_else(|| default_allow_agents(doc));
    let lists_worker = allow_agents
        .as_ref()
        .is_some_and(|a| a.iter().any(|p| p == "*" || p == &worker.to_lowercase()));
    let can_spawn = policy.allows("sessions_spawn", plugin) && lists_worker;
    let allow_path = format!("{}.subagents.allowAgents", main.path);
    match (can_send && a2a_blocked.is_none(), can_spawn) {
        (true, true) => Check::pass(
            MAIN_DELEGATE,
            format!(
                "main can delegate to `{worker}` (sessions_send; sessions_spawn: {allow_path} lists it)"
            ),
        ),
        (true, false) => Check::warn(
            MAIN_DELEGATE,
            format!(
                "main can reach `{worker}` with sessions_send, but {allow_path} does not list it, so sessions_spawn to it is refused"
            ),
            format!(
                "add \"{worker}\" to {allow_path} (`computer-use openclaw config --write` does)"
            ),
        ),
        (false, true) => Check::pass(
            MAIN_DELEGATE,
            format!("main can delegate to `{worker}` with sessions_spawn ({allow_path} lists it)"),
        ),
        (false, false) => {
            let mut why = Vec::new();
            if !can_send {
                why.push("it cannot call sessions_send".to_owned());
            }
            why.extend(a2a_blocked);
            if !lists_worker {
                why.push(format!("{allow_path} does not list `{worker}`"));
            }
            Check::fail(
                MAIN_DELEGATE,
                format!("main cannot delegate to `{worker}`: {}", why.join("; ")),
                format!(
                    "allow sessions_send for main (e.g. \"group:sessions\" in {}.allow) and add \"{worker}\" to {allow_path}",
                    Document::tools_path(main)
                ),
            )
        }
    }
}

fn default_allow_agents(doc: &Document) -> Option<Vec<String>> {
    strings(
        doc.at(&["agents", "defaults", "subagents"])
            .get("allowAgents"),
    )
    .map(|v| v.into_iter().map(|s| s.trim().to_lowercase()).collect())
}

fn worker_tools(worker: &Agent<'_>, policy: &AgentPolicy, plugin: &PluginTools) -> Check {
    let open = reachable(policy, plugin);
    let closed: Vec<&str> = plugin
        .tools
        .iter()
        .map(String::as_str)
        .filter(|t| !open.contains(t))
        .collect();
    let missing_core: Vec<&str> = WORKER_CORE_TOOLS
        .iter()
        .copied()
        .filter(|t| !policy.allows(t, plugin))
        .collect();
    let tools_path = Document::tools_path(worker);
    if open.is_empty() {
        let layer = policy
            .refused_by(PROBE_TOOL, plugin)
            .map_or_else(|| "?".to_owned(), |l| l.source.clone());
        return Check::fail(
            WORKER_TOOLS,
            format!(
                "the worker (`{}`) cannot call any vm_* tool (refused by {layer})",
                worker.path
            ),
            format!("allow \"vm_*\" in {tools_path}.allow and make sure no deny matches it"),
        );
    }
    let unintended: Vec<&str> = closed
        .iter()
        .copied()
        .filter(|t| !policy.explicitly_denies(t, plugin))
        .collect();
    if !unintended.is_empty() {
        return Check::warn(
            WORKER_TOOLS,
            format!(
                "the worker can call {} of the {} vm_* tools; its allowlist leaves out {}",
                open.len(),
                plugin.tools.len(),
                list(&unintended)
            ),
            format!(
                "allow \"vm_*\" in {tools_path}.allow (deny single tools explicitly if that is the intent)"
            ),
        );
    }
    if !missing_core.is_empty() {
        return Check::warn(
            WORKER_TOOLS,
            format!(
                "the worker can call vm_* but not {} (the seed's worker has vm_*, sessions_send and session_status)",
                missing_core.join(", ")
            ),
            format!(
                "add {} to {tools_path}.allow",
                missing_core
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let denied = if closed.is_empty() {
        String::new()
    } else {
        format!(" ({} denied explicitly: {})", closed.len(), list(&closed))
    };
    Check::pass(
        WORKER_TOOLS,
        format!(
            "the worker can call {} vm_* tools{denied}, sessions_send and session_status",
            open.len()
        ),
    )
}

fn worker_host(worker: &Agent<'_>, policy: &AgentPolicy, plugin: &PluginTools) -> Check {
    let tools_path = Document::tools_path(worker);
    let host: Vec<&str> = HOST_TOOLS
        .iter()
        .copied()
        .filter(|t| policy.allows(t, plugin))
        .collect();
    if !host.is_empty() {
        return Check::fail(
            WORKER_HOST,
            format!(
                "the worker can call {} — tools that act on the gateway host, not in the VM (the seed's worker has no exec on the host)",
                host.join(", ")
            ),
            format!(
                "give it the allowlist [\"vm_*\", \"sessions_send\", \"session_status\"] in {tools_path}.allow and add \"group:runtime\" to {tools_path}.deny"
            ),
        );
    }
    let extra: Vec<&str> = catalog::core_tools()
        .into_iter()
        .filter(|t| !WORKER_CORE_TOOLS.contains(t) && policy.allows(t, plugin))
        .collect();
    let how = if policy.explicitly_denies("exec", plugin) {
        "exec denied"
    } else {
        "exec not in its allowlist"
    };
    if !extra.is_empty() {
        return Check::warn(
            WORKER_HOST,
            format!(
                "no host tools ({how}), but the worker can also call {}; the seed's worker has only vm_*, sessions_send and session_status",
                list(&extra)
            ),
            format!(
                "narrow {tools_path}.allow to [\"vm_*\", \"sessions_send\", \"session_status\"]"
            ),
        );
    }
    Check::pass(
        WORKER_HOST,
        format!(
            "the worker has nothing that reaches the host ({how}; group:runtime and group:nodes unreachable)"
        ),
    )
}

fn worker_sandbox(worker: &Agent<'_>, policy: &AgentPolicy, plugin: &PluginTools) -> Check {
    let tools_path = Document::tools_path(worker);
    let dropped: Vec<&str> = reachable(policy, plugin)
        .into_iter()
        .filter(|t| !policy.sandbox.allows(t, plugin))
        .collect();
    let fix = format!("add `sandbox: {{ tools: {{ alsoAllow: [\"vm_*\"] }} }}` to {tools_path}");
    match policy.sandbox_mode {
        SandboxMode::Off => Check::pass(
            WORKER_SANDBOX,
            format!(
                "the worker is not sandboxed ({}); vm_* run in the gateway process either way",
                policy.sandbox_source
            ),
        ),
        _ if dropped.is_empty() => Check::pass(
            WORKER_SANDBOX,
            format!(
                "the worker is sandboxed ({}) and its sandbox tool policy lets vm_* through (they still run in the gateway process, not the container)",
                policy.sandbox_source
            ),
        ),
        SandboxMode::All => Check::fail(
            WORKER_SANDBOX,
            format!(
                "the worker is sandboxed ({}: \"all\") and its sandbox tool policy drops {}: sandboxed sessions only get tools that second allowlist names",
                policy.sandbox_source,
                list(&dropped)
            ),
            fix,
        ),
        SandboxMode::NonMain => Check::warn(
            WORKER_SANDBOX,
            format!(
                "the worker's non-main sessions are sandboxed ({}: \"non-main\") and its sandbox tool policy drops {} there",
                policy.sandbox_source,
                list(&dropped)
            ),
            fix,
        ),
    }
}

fn worker_subagents(
    doc: &Document,
    worker: &Agent<'_>,
    policy: &AgentPolicy,
    plugin: &PluginTools,
) -> Check {
    let path = format!("{}.subagents.allowAgents", worker.path);
    if !policy.allows("sessions_spawn", plugin) {
        return Check::pass(
            WORKER_SUBAGENTS,
            "the worker cannot spawn subagents (sessions_spawn is not callable)",
        );
    }
    match doc
        .allow_agents(worker)
        .or_else(|| default_allow_agents(doc))
    {
        Some(list) if list.is_empty() => Check::pass(
            WORKER_SUBAGENTS,
            format!("the worker spawns no subagents ({path} is empty)"),
        ),
        Some(list) => Check::fail(
            WORKER_SUBAGENTS,
            format!(
                "the worker may spawn subagents ({path}: {}): a delegation chain the seed rules out",
                list.join(", ")
            ),
            format!("set {path} to []"),
        ),
        None => Check::warn(
            WORKER_SUBAGENTS,
            format!("{path} is not set: the worker may spawn copies of itself with sessions_spawn"),
            format!("set {path} to [] (as the seed does)"),
        ),
    }
}

fn others(doc: &Document, plugin: &PluginTools, opts: &PostureOptions) -> Check {
    let main_id = doc.main_agent(&opts.main_agent).map(|a| a.id);
    let worker_id = opts.worker_agent.to_lowercase();
    let mut open = Vec::new();
    for agent in doc.agents() {
        if Some(&agent.id) == main_id.as_ref() || agent.id == worker_id {
            continue;
        }
        let policy = doc.policy(&agent);
        let tools = reachable(&policy, plugin);
        if !tools.is_empty() {
            open.push(format!(
                "{} (`{}`: {} vm_* tools)",
                agent.id,
                agent.path,
                tools.len()
            ));
        }
    }
    if open.is_empty() {
        return Check::pass(OTHERS, "no agent besides the worker can call vm_*");
    }
    Check::warn(
        OTHERS,
        format!(
            "other agents can call vm_*: {} — plugin tools are on by default for agents without an allowlist",
            open.join(", ")
        ),
        "add \"vm_*\" to those agents' tools.deny unless they are meant to drive the VM",
    )
}

fn tool_search(doc: &Document) -> Check {
    let ts = doc.at(&["tools", "toolSearch"]);
    let off = ts == &Value::Bool(false) || ts.get("enabled") == Some(&Value::Bool(false));
    if off {
        return Check::pass(
            TOOL_SEARCH,
            "tools.toolSearch is off: the worker's model sees the vm_* schemas directly",
        );
    }
    Check::warn(
        TOOL_SEARCH,
        "Tool Search is on (the 2026.9.x default): the worker's model sees only tool_search/tool_describe/tool_call and must look vm_* up before each use",
        "set `tools: { toolSearch: false }`",
    )
}
