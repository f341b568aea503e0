//! The posture audit of an `openclaw.json` (JSON5), checked against the seed's security model with the pinned
//! OpenClaw's (2026.9.6) rules. Needs no network: `computer-use doctor --offline` runs this alone.
//!
//! - [`document`] reads the file: roster forms (`agents.entries`, legacy `agents.list`, none), main agent,
//!   policy layers per agent;
//! - [`policy`] evaluates a tool name against those layers as the gateway does (globs, groups, deny wins,
//!   exclusive allowlists, `group:plugins`); [`catalog`] holds the 2026.9.6 groups and profiles;
//! - [`keys`] flags keys the pinned gateway rejects; [`plugin`] checks that the plugin loads and its config is
//!   valid; [`agents`] checks main, worker and every other agent; [`risks`] the seed's soft risks.

pub mod agents;
pub mod catalog;
pub mod document;
pub mod keys;
pub mod plugin;
pub mod policy;
pub mod risks;

use std::path::{Path, PathBuf};

use computer_use::config::{Config, PLUGIN_ID};

use self::document::{Document, RosterForm};
use self::policy::PluginTools;
use crate::report::Check;

/// Check id of the file itself.
pub const PARSE: &str = "posture.parse";

/// Which agents play which role, and where relative plugin paths resolve.
#[derive(Debug, Clone)]
pub struct PostureOptions {
    /// The agent that talks to the user (default `main`; a legacy `default: true` agent also counts).
    pub main_agent: String,
    /// The agent that drives the VM (default `worker`).
    pub worker_agent: String,
    /// Where relative `plugins.load.paths` resolve: the directory OpenClaw is started from (default: this
    /// process's current directory).
    pub base_dir: PathBuf,
}

impl Default for PostureOptions {
    fn default() -> Self {
        PostureOptions {
            main_agent: "main".to_owned(),
            worker_agent: "worker".to_owned(),
            base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }
}

/// The plugin's tools, from the core's registry (what the shim registers with OpenClaw).
pub fn plugin_tools() -> PluginTools {
    PluginTools {
        id: PLUGIN_ID.to_owned(),
        tools: computer_use::tools::list()
            .iter()
            .map(|t| t.name.to_lowercase())
            .collect(),
    }
}

/// Audits the file at `path`.
pub fn audit_file(path: &Path, opts: &PostureOptions) -> Vec<Check> {
    match computer_use::config::read_text(path) {
        Ok(text) => audit(&text, &path.display().to_string(), opts),
        Err(e) => vec![Check::fail_from_error(PARSE, &e)],
    }
}

/// Audits JSON5 text; `origin` names it in messages.
pub fn audit(text: &str, origin: &str, opts: &PostureOptions) -> Vec<Check> {
    let value = match computer_use::config::parse_json5(text, origin) {
        Ok(v) => v,
        Err(e) => return vec![Check::fail_from_error(PARSE, &e)],
    };
    let doc = Document::new(value);
    if !doc.is_openclaw() {
        return standalone(text, origin);
    }
    let form = match doc.roster_form() {
        RosterForm::Entries => "agents.entries",
        RosterForm::List => "legacy agents.list",
        RosterForm::None => "no agent roster",
    };
    let mut checks = vec![Check::pass(
        PARSE,
        format!(
            "{origin} is an openclaw.json ({form}, {} agent(s))",
            doc.agents().len()
        ),
    )];
    checks.push(keys::check(&doc));
    checks.push(plugin::enabled(&doc));
    checks.push(plugin::path(&doc, &opts.base_dir));
    let (config_check, config) = plugin::config(&doc);
    checks.push(config_check);
    checks.extend(agents::checks(&doc, &plugin_tools(), opts));
    match config {
        Some(config) => checks.extend(risks::checks(&config)),
        None => checks.extend(risks::skipped("no valid plugin config")),
    }
    checks
}

/// A standalone computer-use config block: only its own risks can be audited.
fn standalone(text: &str, origin: &str) -> Vec<Check> {
    let mut checks = vec![Check::info(
        PARSE,
        format!(
            "{origin} is a computer-use config block, not an openclaw.json: the agent and plugin checks need the openclaw.json (pass it with --config)"
        ),
    )];
    match Config::from_json5_str(text, origin) {
        Ok(config) => checks.extend(risks::checks(&config)),
        Err(e) => {
            checks.push(Check::fail_from_error(plugin::CONFIG, &e));
            checks.extend(risks::skipped("the config is invalid"));
        }
    }
    checks
}
