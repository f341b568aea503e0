//! The tool policy: which tools exist for the agent on each VM (`tools: {allow, deny}`, globs over tool names,
//! top-level and per VM). It is in the core, not in a face, because MCP clients have no policy layer of their own:
//! a denied tool is left out of every listing (MCP `tools/list`, `computer-use tools`, what the OpenClaw plugin
//! registers) and refused if called anyway, before its arguments are even parsed.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::config::ToolPolicyConfig;

/// One VM's compiled policy.
#[derive(Debug, Clone)]
pub(crate) struct ToolPolicy {
    allow: Vec<String>,
    deny: Vec<String>,
    /// None when `allow` is empty (every tool).
    allow_set: Option<GlobSet>,
    deny_set: GlobSet,
    /// A glob did not compile (validation names it): then no tool is allowed rather than the list ignored.
    broken: bool,
}

fn compile(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        builder.add(GlobBuilder::new(g).case_insensitive(true).build()?);
    }
    builder.build()
}

impl ToolPolicy {
    pub(crate) fn new(config: &ToolPolicyConfig) -> ToolPolicy {
        let allow_set = (!config.allow().is_empty()).then(|| compile(config.allow()));
        let deny_set = compile(config.deny());
        let broken = matches!(allow_set, Some(Err(_))) || deny_set.is_err();
        ToolPolicy {
            allow: config.allow().to_vec(),
            deny: config.deny().to_vec(),
            allow_set: allow_set.and_then(Result::ok),
            deny_set: deny_set.unwrap_or_else(|_| GlobSet::empty()),
            broken,
        }
    }

    /// None if `tool` exists for the agent, else why not.
    pub(crate) fn refusal(&self, tool: &str) -> Option<String> {
        if self.broken {
            return Some("a tools.allow or tools.deny glob does not compile (loading the configuration names it)".to_owned());
        }
        if let Some(i) = self.deny_set.matches(tool).into_iter().min() {
            return Some(format!(
                "it is denied by tools.deny[{i}] `{}`",
                self.deny.get(i).map(String::as_str).unwrap_or_default()
            ));
        }
        match &self.allow_set {
            Some(set) if !set.is_match(tool) => Some(format!(
                "it is not in tools.allow ({})",
                self.allow.join(", ")
            )),
            _ => None,
        }
    }
}
