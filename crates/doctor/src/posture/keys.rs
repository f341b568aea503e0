//! Keys and shapes the pinned OpenClaw (2026.9.6) rejects — the gateway refuses to start on them — each with
//! its replacement. Every rule here was reproduced with the pinned `openclaw config validate`
//! (collected in `docs/openclaw.md`, "Keys 2026.9.6 rejects"):
//!
//! | Written | 2026.9.6 says | Use |
//! |---|---|---|
//! | the seed's `isDefault: true` on an agent | `Unrecognized key: "isDefault"` | `default: true` in a legacy `agents.list`, or `agents.entries` + `agents.ownership: "explicit"` |
//! | the seed's `sandbox.network` | `Unrecognized key: "network"` | `sandbox.docker.network` |
//! | 2.x `agents.defaults.memorySearch` | `Unrecognized key: "memorySearch"` | top-level `memory.search` |
//! | `allow` and `alsoAllow` in one `tools` scope | `cannot set both allow and alsoAllow in the same scope` | merge them into `allow` |
//! | several agents, no `ownership: "explicit"` and not exactly one `default: true` | `multi-agent rosters require agents.ownership="explicit" or one legacy default=true marker` | `agents.ownership: "explicit"` |
//! | `ownership: "explicit"` together with a `default: true` marker | `cannot be combined with a legacy default=true marker` | drop the marker |

use serde_json::Value;

use super::document::{Document, RosterForm};
use crate::report::Check;

/// Check id.
pub const ID: &str = "posture.keys";

/// One rejected key or shape.
struct Finding {
    path: String,
    problem: String,
    fix: String,
}

/// The rejected-keys check: one check listing every finding (a pass when there is none).
pub fn check(doc: &Document) -> Check {
    let findings = findings(doc);
    if findings.is_empty() {
        return Check::pass(
            ID,
            "no keys the pinned OpenClaw (2026.9.6) rejects (isDefault, sandbox.network, memorySearch, allow with alsoAllow, roster ownership)",
        );
    }
    let message = std::iter::once(format!(
        "{} key(s) the pinned OpenClaw (2026.9.6) rejects; the gateway refuses to start with them:",
        findings.len()
    ))
    .chain(
        findings
            .iter()
            .map(|f| format!("  {}: {}", f.path, f.problem)),
    )
    .collect::<Vec<_>>()
    .join("\n");
    let fix = findings
        .iter()
        .map(|f| format!("{}: {}", f.path, f.fix))
        .collect::<Vec<_>>()
        .join("\n");
    Check::fail(ID, message, fix)
}

fn findings(doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    let form = doc.roster_form();
    let agents = doc.agents();
    for agent in agents.iter().filter(|a| !a.implicit) {
        if agent.entry.get("isDefault").is_some() {
            out.push(Finding {
                path: format!("{}.isDefault", agent.path),
                problem: "Unrecognized key \"isDefault\" (the seed's key)".into(),
                fix: match form {
                    RosterForm::List => "replace it with `default: true`".into(),
                    _ => "remove it; agents.entries has no default marker: set `agents.ownership: \"explicit\"` and pick the agent with --agent or bindings".into(),
                },
            });
        }
        sandbox_network(&mut out, agent.entry, &agent.path);
        for (path, tools) in
            tools_scopes(agent.entry.get("tools"), &format!("{}.tools", agent.path))
        {
            allow_with_also_allow(&mut out, tools, &path);
        }
    }
    let defaults = doc.at(&["agents", "defaults"]);
    sandbox_network(&mut out, defaults, "agents.defaults");
    if defaults.get("memorySearch").is_some() {
        out.push(Finding {
            path: "agents.defaults.memorySearch".into(),
            problem: "Unrecognized key \"memorySearch\" (2026.2.x)".into(),
            fix: "move it to the top-level `memory: { search: { ... } }`".into(),
        });
    }
    for (path, tools) in tools_scopes(doc.root.get("tools"), "tools") {
        allow_with_also_allow(&mut out, tools, &path);
    }
    ownership(&mut out, doc, &agents);
    out
}

/// `sandbox.network` on an agent or the defaults.
fn sandbox_network(out: &mut Vec<Finding>, entry: &Value, path: &str) {
    if let Some(network) = entry.get("sandbox").and_then(|s| s.get("network")) {
        out.push(Finding {
            path: format!("{path}.sandbox.network"),
            problem: "Unrecognized key \"network\" (the seed's key)".into(),
            fix: format!(
                "move it to `sandbox.docker.network` (e.g. `docker: {{ network: {network} }}`)"
            ),
        });
    }
}

/// A `tools` object and its `byProvider.<id>` scopes, with their paths.
fn tools_scopes<'a>(tools: Option<&'a Value>, path: &str) -> Vec<(String, &'a Value)> {
    let Some(tools) = tools.filter(|t| t.is_object()) else {
        return Vec::new();
    };
    let mut scopes = vec![(path.to_owned(), tools)];
    if let Some(by) = tools.get("byProvider").and_then(Value::as_object) {
        scopes.extend(
            by.iter()
                .map(|(id, scope)| (format!("{path}.byProvider.{id}"), scope)),
        );
    }
    scopes
}

fn allow_with_also_allow(out: &mut Vec<Finding>, tools: &Value, path: &str) {
    let non_empty = |k: &str| {
        tools
            .get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if non_empty("allow") && non_empty("alsoAllow") {
        out.push(Finding {
            path: path.to_owned(),
            problem: "sets both `allow` and `alsoAllow` in one scope".into(),
            fix: "merge the `alsoAllow` entries into `allow` (or drop `allow` and use `profile` + `alsoAllow`)".into(),
        });
    }
}

fn ownership(out: &mut Vec<Finding>, doc: &Document, agents: &[super::document::Agent<'_>]) {
    let explicit = doc.at(&["agents", "ownership"]).as_str() == Some("explicit");
    let marked = agents
        .iter()
        .filter(|a| a.entry.get("default") == Some(&Value::Bool(true)))
        .count();
    let real = agents.iter().filter(|a| !a.implicit).count();
    if explicit && marked > 0 {
        out.push(Finding {
            path: "agents.ownership".into(),
            problem:
                "`ownership: \"explicit\"` cannot be combined with a legacy `default: true` marker"
                    .into(),
            fix: "remove the agents' `default: true`".into(),
        });
    } else if !explicit && real > 1 && marked != 1 {
        out.push(Finding {
            path: "agents.ownership".into(),
            problem: format!(
                "{real} agents but no `ownership: \"explicit\"` and {marked} `default: true` markers (multi-agent rosters need one of them)"
            ),
            fix: "add `ownership: \"explicit\"` under `agents`".into(),
        });
    }
}
