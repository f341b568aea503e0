//! OpenClaw's tool policy, evaluated the way the pinned gateway (2026.9.6) evaluates it, so the audit answers
//! "can this agent call `vm_click`?" exactly as the gateway would.
//!
//! The rules (`docs/openclaw.md`, "Tool policy": the pinned package's
//! `openclaw:docs/gateway/config-tools/tool-policy.md`, checked against its `dist/tool-policy-match-*.mjs`,
//! `dist/glob-pattern-*.mjs`, `dist/tool-policy-*.mjs` and `dist/sandbox-tool-policy-*.mjs`):
//! - names and patterns are trimmed and **lower-cased** (`VM_*` = `vm_*`), and aliases applied (`bash` = `exec`);
//! - `group:plugins` stands for every plugin tool and a plugin id (`computer-use`) for that plugin's tools;
//!   `group:<section>` for the core group's members ([`super::catalog`]);
//! - `*` matches anything (including nothing) and anchors at both ends: `vm_*` matches `vm_click`, `*click`
//!   matches `vm_click`; a pattern without `*` is an exact name;
//! - within a layer **deny wins**; an empty or missing `allow` allows everything not denied; a non-empty
//!   `allow` is **exclusive**; `alsoAllow` widens `allow` (alone, it means "everything plus these");
//! - layers only narrow: a tool is callable when every layer (profile, global `tools`, the agent's `tools`, and
//!   for sandboxed sessions the sandbox's own list) allows it. Provider-specific layers (`byProvider`) are left
//!   out: they can only narrow further, so leaving them out errs towards "callable".

use serde_json::Value;

use super::catalog;

/// The plugin whose tools are being audited: its id and tool names (`vm_*`), to expand `group:plugins` and
/// the plugin id in policies.
#[derive(Debug, Clone)]
pub struct PluginTools {
    /// The plugin id (`computer-use`).
    pub id: String,
    /// Its tools, lower-case.
    pub tools: Vec<String>,
}

/// One allow/deny layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Where it comes from, for messages (e.g. `agents.entries.main.tools`).
    pub source: String,
    /// `None`: no allowlist (everything not denied).
    pub allow: Option<Vec<String>>,
    /// Patterns refused.
    pub deny: Vec<String>,
}

impl Layer {
    /// The layer of a `tools`-like object (`{allow, alsoAllow, deny}`), or `None` when it sets neither allow
    /// nor deny (OpenClaw's `pickSandboxToolPolicy`).
    pub fn from_tools(source: &str, tools: Option<&Value>) -> Option<Layer> {
        let tools = tools?;
        let allow = strings(tools.get("allow"));
        let also = strings(tools.get("alsoAllow")).unwrap_or_default();
        let allow = match allow {
            Some(base) => Some(union_allow(base, &also)),
            None if !also.is_empty() => Some(union_allow(Vec::new(), &also)),
            None => None,
        };
        let deny = strings(tools.get("deny"));
        if allow.is_none() && deny.is_none() {
            return None;
        }
        Some(Layer {
            source: source.to_owned(),
            allow,
            deny: deny.unwrap_or_default(),
        })
    }

    /// The profile layer: the profile's allowlist plus `alsoAllow`; `None` without a (known) profile.
    pub fn from_profile(source: &str, profile: &str, also_allow: &[String]) -> Option<Layer> {
        let mut allow: Vec<String> = catalog::profile(profile)?
            .into_iter()
            .map(str::to_owned)
            .collect();
        for extra in also_allow {
            if !allow.contains(extra) {
                allow.push(extra.clone());
            }
        }
        Some(Layer {
            source: source.to_owned(),
            allow: Some(allow),
            deny: Vec::new(),
        })
    }

    /// Whether this layer lets `tool` through.
    pub fn allows(&self, tool: &str, plugin: &PluginTools) -> bool {
        let tool = normalize(tool);
        if matches_any(&tool, &self.deny, plugin) {
            return false;
        }
        let Some(allow) = &self.allow else {
            return true;
        };
        if expand(allow, plugin).is_empty() {
            return true;
        }
        // OpenClaw lets an allowed `write` imply `apply_patch`.
        matches_any(&tool, allow, plugin)
            || (tool == "apply_patch" && matches_any("write", allow, plugin))
    }

    /// Whether the layer's deny list (not its allowlist) refuses `tool`.
    pub fn denies(&self, tool: &str, plugin: &PluginTools) -> bool {
        matches_any(&normalize(tool), &self.deny, plugin)
    }

    /// Whether the layer has a non-empty allowlist.
    pub fn has_allowlist(&self, plugin: &PluginTools) -> bool {
        self.allow
            .as_ref()
            .is_some_and(|a| !expand(a, plugin).is_empty())
    }
}

/// `allow` widened by `alsoAllow` (OpenClaw's `unionAllow`: an empty base means "everything", kept as `*`).
fn union_allow(base: Vec<String>, also: &[String]) -> Vec<String> {
    if also.is_empty() {
        return base;
    }
    let mut out = if base.is_empty() {
        vec!["*".to_owned()]
    } else {
        base
    };
    for a in also {
        if !out.contains(a) {
            out.push(a.clone());
        }
    }
    out
}

/// The string entries of a JSON array (other entries are ignored, as OpenClaw does); `None` if not an array.
pub fn strings(value: Option<&Value>) -> Option<Vec<String>> {
    let items = value?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// Trimmed, lower-cased, aliases applied.
pub fn normalize(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    catalog::ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower, |(_, real)| (*real).to_owned())
}

/// Patterns after `group:plugins`, plugin-id and core-group expansion; blank entries dropped.
pub fn expand(patterns: &[String], plugin: &PluginTools) -> Vec<String> {
    let mut out = Vec::new();
    for p in patterns {
        let p = normalize(p);
        if p.is_empty() {
            continue;
        }
        if p == "group:plugins" || p == plugin.id {
            out.extend(plugin.tools.iter().cloned());
        } else if let Some(members) = catalog::group(&p) {
            out.extend(members.into_iter().map(str::to_owned));
        } else {
            out.push(p);
        }
    }
    out
}

/// Whether any pattern (after expansion) matches the normalized `tool`.
pub fn matches_any(tool: &str, patterns: &[String], plugin: &PluginTools) -> bool {
    expand(patterns, plugin)
        .iter()
        .any(|p| glob_matches(p, tool))
}

/// OpenClaw's glob: `*` alone matches everything; otherwise `*` is `.*` and the pattern is anchored.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = match parts.split_first() {
        Some(split) => split,
        None => return false,
    };
    let Some(mut remaining) = name.strip_prefix(first) else {
        return false;
    };
    let (last, middle) = match rest.split_last() {
        Some(split) => split,
        None => return remaining.is_empty(),
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn plugin() -> PluginTools {
        PluginTools {
            id: "computer-use".into(),
            tools: vec!["vm_click".into(), "vm_exec".into()],
        }
    }

    fn layer(allow: Option<&[&str]>, deny: &[&str]) -> Layer {
        Layer {
            source: "t".into(),
            allow: allow.map(|a| a.iter().map(|s| s.to_string()).collect()),
            deny: deny.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn globs_anchor_at_both_ends() {
        assert!(glob_matches("vm_*", "vm_click"));
        assert!(glob_matches("vm_*", "vm_"));
        assert!(!glob_matches("vm_*", "xvm_click"));
        assert!(glob_matches("*click", "vm_click"));
        assert!(!glob_matches("*click", "vm_clicks"));
        assert!(glob_matches("v*_*k", "vm_click"));
        assert!(!glob_matches("vm_*_x", "vm_x"));
        assert!(glob_matches("a*a", "aa"));
        assert!(!glob_matches("a*a", "a"));
    }

    #[test]
    fn deny_wins_and_case_does_not_matter() {
        let p = plugin();
        let l = layer(Some(&["VM_*"]), &["Vm_Exec"]);
        assert!(l.allows("vm_click", &p));
        assert!(!l.allows("vm_exec", &p));
        assert!(!l.allows("read", &p));
    }

    #[test]
    fn groups_plugin_ids_and_aliases_expand() {
        let p = plugin();
        assert!(layer(Some(&["group:plugins"]), &[]).allows("vm_click", &p));
        assert!(layer(Some(&["computer-use"]), &[]).allows("vm_exec", &p));
        assert!(!layer(Some(&["group:openclaw"]), &[]).allows("vm_click", &p));
        assert!(!layer(None, &["group:runtime"]).allows("bash", &p));
        assert!(layer(Some(&["write"]), &[]).allows("apply_patch", &p));
        assert!(layer(Some(&[]), &[]).allows("anything", &p));
    }

    #[test]
    fn also_allow_alone_means_everything_plus() {
        let l = Layer::from_tools("t", Some(&serde_json::json!({"alsoAllow": ["x"]}))).unwrap();
        assert_eq!(l.allow, Some(vec!["*".to_string(), "x".to_string()]));
        assert!(Layer::from_tools("t", Some(&serde_json::json!({"profile": "coding"}))).is_none());
    }
}
