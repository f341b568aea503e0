//! An `openclaw.json` as the audit reads it: the agent roster in either form, which agent is "main", and each
//! agent's tool policy layers.
//!
//! Roster forms (`docs/openclaw.md`, "Runtime and roster": the pinned 2026.9.6 package's
//! `openclaw:docs/gateway/config-agents/entries-and-multi-agent.md` and its `readAgentRosterProperty`): current
//! `agents.entries.<id>` (with `agents.ownership: "explicit"`), legacy `agents.list: [{id, default?, ...}]`
//! (still accepted by 2026.9.6, migrated in memory). `entries` wins when both are present. With no roster at
//! all there is one implicit agent, `main`, whose tools come from `agents.defaults.tools`. Agent ids are
//! compared lower-cased, as OpenClaw normalises them.

use serde_json::Value;

use super::policy::{Layer, PluginTools, strings};

/// Which roster form the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterForm {
    /// `agents.entries.<id>` (2026.9.x).
    Entries,
    /// `agents.list[]` (2026.2.x, still accepted).
    List,
    /// No roster: one implicit `main` agent.
    None,
}

/// One configured agent.
#[derive(Debug, Clone)]
pub struct Agent<'a> {
    /// Lower-cased id.
    pub id: String,
    /// Key path of its entry, for messages (`agents.entries.worker`, `agents.list[1]`, or `agents.defaults`
    /// for the implicit main agent).
    pub path: String,
    /// The entry (`{}` for the implicit agent).
    pub entry: &'a Value,
    /// True for the implicit agent of a file without a roster.
    pub implicit: bool,
}

static EMPTY: Value = Value::Null;

/// A parsed `openclaw.json`.
#[derive(Debug, Clone)]
pub struct Document {
    /// The whole file as JSON.
    pub root: Value,
}

/// How an agent's sessions are sandboxed (`sandbox.mode`, agent over `agents.defaults`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxMode {
    /// Not sandboxed.
    Off,
    /// Every session sandboxed.
    All,
    /// Sessions other than the agent's main session (spawned subagents, for one) are sandboxed.
    NonMain,
}

/// An agent's tool policy: the layers every call passes, plus the sandbox's own layer.
#[derive(Debug, Clone)]
pub struct AgentPolicy {
    /// Profile, global `tools`, the agent's `tools`.
    pub layers: Vec<Layer>,
    /// The sandbox tool policy (applies to sandboxed sessions only).
    pub sandbox: Layer,
    /// Whether (which) sessions are sandboxed.
    pub sandbox_mode: SandboxMode,
    /// Where `sandbox.mode` comes from, for messages.
    pub sandbox_source: String,
}

impl AgentPolicy {
    /// Whether an unsandboxed session of the agent may call `tool`.
    pub fn allows(&self, tool: &str, plugin: &PluginTools) -> bool {
        self.layers.iter().all(|l| l.allows(tool, plugin))
    }

    /// Whether a sandboxed session of the agent may call `tool`.
    pub fn allows_sandboxed(&self, tool: &str, plugin: &PluginTools) -> bool {
        self.allows(tool, plugin) && self.sandbox.allows(tool, plugin)
    }

    /// The first layer that refuses `tool`, for messages.
    pub fn refused_by(&self, tool: &str, plugin: &PluginTools) -> Option<&Layer> {
        self.layers.iter().find(|l| !l.allows(tool, plugin))
    }

    /// Whether some layer refuses `tool` by a deny entry (not only by leaving it out of an allowlist).
    pub fn explicitly_denies(&self, tool: &str, plugin: &PluginTools) -> bool {
        self.layers.iter().any(|l| l.denies(tool, plugin))
    }
}

impl Document {
    /// Wraps a parsed file.
    pub fn new(root: Value) -> Document {
        Document { root }
    }

    /// `root[a][b]...`, `Null` when absent.
    pub fn at(&self, path: &[&str]) -> &Value {
        path.iter()
            .fold(&self.root, |v, k| v.get(*k).unwrap_or(&EMPTY))
    }

    /// Whether the file looks like an `openclaw.json` (rather than a standalone plugin block).
    pub fn is_openclaw(&self) -> bool {
        ["plugins", "agents", "gateway"]
            .iter()
            .any(|k| self.root.get(*k).is_some())
    }

    /// The roster form in use.
    pub fn roster_form(&self) -> RosterForm {
        let agents = self.at(&["agents"]);
        if agents.get("entries").is_some_and(|v| !v.is_null()) {
            RosterForm::Entries
        } else if agents.get("list").is_some_and(|v| !v.is_null()) {
            RosterForm::List
        } else {
            RosterForm::None
        }
    }

    /// Every configured agent, in file order (the implicit `main` when there is no roster).
    pub fn agents(&self) -> Vec<Agent<'_>> {
        match self.roster_form() {
            RosterForm::Entries => self
                .at(&["agents", "entries"])
                .as_object()
                .map(|entries| {
                    entries
                        .iter()
                        .filter(|(_, v)| v.is_object())
                        .map(|(id, entry)| Agent {
                            id: id.trim().to_lowercase(),
                            path: format!("agents.entries.{id}"),
                            entry,
                            implicit: false,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            RosterForm::List => self
                .at(&["agents", "list"])
                .as_array()
                .map(|list| {
                    list.iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_object())
                        .map(|(i, entry)| Agent {
                            id: entry
                                .get("id")
                                .and_then(Value::as_str)
                                .unwrap_or("main")
                                .trim()
                                .to_lowercase(),
                            path: format!("agents.list[{i}]"),
                            entry,
                            implicit: false,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            RosterForm::None => vec![Agent {
                id: "main".to_owned(),
                path: "agents.defaults".to_owned(),
                entry: &EMPTY,
                implicit: true,
            }],
        }
    }

    /// The agent with this id.
    pub fn agent(&self, id: &str) -> Option<Agent<'_>> {
        let id = id.to_lowercase();
        self.agents().into_iter().find(|a| a.id == id)
    }

    /// The agent that talks to the user: `main` if configured, else the one legacy `default: true` agent.
    pub fn main_agent(&self, main_id: &str) -> Option<Agent<'_>> {
        self.agent(main_id).or_else(|| {
            let marked: Vec<_> = self
                .agents()
                .into_iter()
                .filter(|a| a.entry.get("default") == Some(&Value::Bool(true)))
                .collect();
            (marked.len() == 1)
                .then(|| marked.into_iter().next())
                .flatten()
        })
    }

    /// The agent's `tools` object (the implicit agent uses `agents.defaults.tools`).
    pub fn agent_tools<'a>(&'a self, agent: &Agent<'a>) -> Option<&'a Value> {
        if agent.implicit {
            Some(self.at(&["agents", "defaults", "tools"])).filter(|v| !v.is_null())
        } else {
            agent.entry.get("tools")
        }
    }

    /// Where an agent's tools are configured, for messages.
    pub fn tools_path(agent: &Agent<'_>) -> String {
        format!("{}.tools", agent.path)
    }

    /// The agent's policy layers as the gateway assembles them (`resolveEffectiveToolPolicy`): the profile (the
    /// agent's, else the global one, with `alsoAllow`), the global `tools`, the agent's `tools`; plus the sandbox
    /// tool policy (`resolveSandboxToolPolicyForAgent`).
    pub fn policy(&self, agent: &Agent<'_>) -> AgentPolicy {
        let global = self.root.get("tools").filter(|v| v.is_object());
        let own = self.agent_tools(agent);
        let tools_path = Self::tools_path(agent);
        let mut layers = Vec::new();
        let profile = own
            .and_then(|t| t.get("profile"))
            .and_then(Value::as_str)
            .map(|p| (p, format!("{tools_path}.profile")))
            .or_else(|| {
                global
                    .and_then(|t| t.get("profile"))
                    .and_then(Value::as_str)
                    .map(|p| (p, "tools.profile".to_owned()))
            });
        if let Some((profile, source)) = profile {
            let also = strings(own.and_then(|t| t.get("alsoAllow")))
                .or_else(|| strings(global.and_then(|t| t.get("alsoAllow"))))
                .unwrap_or_default();
            layers.extend(Layer::from_profile(
                &format!("{source} \"{profile}\""),
                profile,
                &also,
            ));
        }
        layers.extend(Layer::from_tools("tools", global));
        layers.extend(Layer::from_tools(&tools_path, own));
        let (sandbox_mode, sandbox_source) = self.sandbox_mode(agent);
        AgentPolicy {
            layers,
            sandbox: self.sandbox_layer(agent),
            sandbox_mode,
            sandbox_source,
        }
    }

    /// `sandbox.mode` of the agent, else of `agents.defaults`, else off.
    fn sandbox_mode(&self, agent: &Agent<'_>) -> (SandboxMode, String) {
        let own = agent
            .entry
            .get("sandbox")
            .and_then(|s| s.get("mode"))
            .and_then(Value::as_str)
            .map(|m| (m, format!("{}.sandbox.mode", agent.path)));
        let inherited = || {
            self.at(&["agents", "defaults", "sandbox", "mode"])
                .as_str()
                .map(|m| (m, "agents.defaults.sandbox.mode".to_owned()))
        };
        match own.or_else(inherited) {
            Some(("all", src)) => (SandboxMode::All, src),
            Some(("non-main", src)) => (SandboxMode::NonMain, src),
            Some((_, src)) => (SandboxMode::Off, src),
            None => (SandboxMode::Off, "agents.defaults.sandbox.mode".to_owned()),
        }
    }

    /// The sandbox's own tool policy: each of `allow`/`alsoAllow`/`deny` from the agent's
    /// `tools.sandbox.tools`, else the global `tools.sandbox.tools`, else the sandbox defaults
    /// (`mergeAllowlist`; the default deny list loses entries an explicit allow names).
    fn sandbox_layer(&self, agent: &Agent<'_>) -> Layer {
        use super::catalog::{SANDBOX_DEFAULT_ALLOW, SANDBOX_DEFAULT_DENY};
        let own = self
            .agent_tools(agent)
            .and_then(|t| t.get("sandbox"))
            .and_then(|s| s.get("tools"));
        let global = self.at(&["tools", "sandbox", "tools"]);
        let pick = |field: &str| {
            strings(own.and_then(|o| o.get(field))).or_else(|| strings(global.get(field)))
        };
        let allow_cfg = pick("allow");
        let also_cfg = pick("alsoAllow").unwrap_or_default();
        let default_allow = || {
            SANDBOX_DEFAULT_ALLOW
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        };
        let allow = match &allow_cfg {
            Some(base) if base.is_empty() => Vec::new(),
            Some(base) => union(base.clone(), &also_cfg),
            None if !also_cfg.is_empty() => union(default_allow(), &also_cfg),
            None => default_allow(),
        };
        let explicit: Vec<String> = allow_cfg
            .unwrap_or_default()
            .into_iter()
            .chain(also_cfg)
            .collect();
        let no_plugin = PluginTools {
            id: String::new(),
            tools: Vec::new(),
        };
        let deny = pick("deny").unwrap_or_else(|| {
            SANDBOX_DEFAULT_DENY
                .iter()
                .filter(|d| !super::policy::matches_any(d, &explicit, &no_plugin))
                .map(|s| (*s).to_owned())
                .collect()
        });
        Layer {
            source: format!(
                "the sandbox tool policy ({}.sandbox.tools, else tools.sandbox.tools)",
                Self::tools_path(agent)
            ),
            allow: Some(allow),
            deny,
        }
    }

    /// The agent's `subagents.allowAgents` (lower-cased), `None` when not set.
    pub fn allow_agents(&self, agent: &Agent<'_>) -> Option<Vec<String>> {
        let own = agent
            .entry
            .get("subagents")
            .and_then(|s| s.get("allowAgents"));
        strings(own).map(|v| v.into_iter().map(|s| s.trim().to_lowercase()).collect())
    }
}

fn union(mut base: Vec<String>, extra: &[String]) -> Vec<String> {
    for e in extra {
        if !base.contains(e) {
            base.push(e.clone());
        }
    }
    base
}
