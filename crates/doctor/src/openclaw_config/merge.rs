//! Merging the plugin entry and the worker into an existing `openclaw.json` without losing what the user wrote:
//! the file is edited as a concrete syntax tree (`jsonc-parser`'s CST, which parses every JSON5 form OpenClaw
//! accepts), so comments, blank lines, unquoted keys, single quotes and trailing commas survive, and only the
//! missing pieces are added. Merging is idempotent: a second run finds everything in place and changes nothing.
//!
//! Decisions are made on the parsed value (the same [`Document`] the posture audit reads), edits on the CST.

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstArray, CstInputValue, CstObject, CstRootNode};
use serde_json::Value;

use super::generate;
use super::version::Target;
use super::{Merged, SetupError, SetupOptions};
use crate::posture::document::{Agent, Document, RosterForm};
use crate::posture::plugin_tools;
use computer_use::config::PLUGIN_ID;

/// Merges into `text` (`origin` names it in errors).
pub fn merge(text: &str, origin: &str, opts: &SetupOptions) -> Result<Merged, SetupError> {
    let value = if text.trim().is_empty() {
        Value::Object(serde_json::Map::new())
    } else {
        computer_use::config::parse_json5(text, origin)?
    };
    if !value.is_object() {
        return Err(SetupError::NotAnObject {
            path: "(top level)".into(),
        });
    }
    let doc = Document::new(value);
    let root = CstRootNode::parse(text, &ParseOptions::default())
        .map_err(|e| SetupError::Parse(format!("{origin}: {e}")))?;
    let mut m = Merger {
        opts,
        changes: Vec::new(),
        notes: Vec::new(),
    };
    let top = root.object_value_or_set();
    m.plugins(&top, &doc)?;
    m.agents(&top, &doc)?;
    if opts.target == Target::Current {
        m.tool_search(&top, &doc)?;
    }
    let mut out = root.to_string();
    if text.trim().is_empty() || (!out.ends_with('\n') && text.ends_with('\n')) {
        out.push('\n');
    }
    Ok(Merged {
        text: out,
        changes: m.changes,
        notes: m.notes,
    })
}

struct Merger<'a> {
    opts: &'a SetupOptions,
    changes: Vec<String>,
    notes: Vec<String>,
}

impl Merger<'_> {
    fn plugins(&mut self, top: &CstObject, doc: &Document) -> Result<(), SetupError> {
        let plugins = object_at(top, "plugins", "plugins")?;
        let load = object_at(&plugins, "load", "plugins.load")?;
        let paths = array_at(&load, "paths", "plugins.load.paths")?;
        let existing: Vec<String> = array_strings(&paths);
        if let Some(kept) = existing
            .iter()
            .find(|p| p.trim_end_matches('/').ends_with(PLUGIN_ID))
        {
            if kept != &self.opts.plugin_path {
                self.notes.push(format!(
                    "kept plugins.load.paths entry `{kept}` (it names the plugin); `{}` is where this binary's plugin is",
                    self.opts.plugin_path
                ));
            }
        } else {
            paths.append(CstInputValue::from(self.opts.plugin_path.as_str()));
            self.changes.push(format!(
                "added `{}` to plugins.load.paths",
                self.opts.plugin_path
            ));
        }

        let entries = object_at(&plugins, "entries", "plugins.entries")?;
        match entries.get(PLUGIN_ID) {
            None => {
                entries.append(PLUGIN_ID, generate::plugin_entry());
                self.changes.push(format!(
                    "added plugins.entries[\"{PLUGIN_ID}\"] (enabled, the seed's config block)"
                ));
            }
            Some(prop) => {
                let Some(entry) = prop.object_value() else {
                    return Err(SetupError::NotAnObject {
                        path: format!("plugins.entries[\"{PLUGIN_ID}\"]"),
                    });
                };
                let enabled = doc.at(&["plugins", "entries", PLUGIN_ID, "enabled"]);
                if enabled != &Value::Bool(true) {
                    match entry.get("enabled") {
                        Some(p) => p.set_value(CstInputValue::Bool(true)),
                        None => {
                            entry.insert(0, "enabled", CstInputValue::Bool(true));
                        }
                    }
                    self.changes.push(format!(
                        "set plugins.entries[\"{PLUGIN_ID}\"].enabled to true"
                    ));
                }
            }
        }

        let listed = |key: &str| {
            doc.at(&["plugins", key]).as_array().map(|a| {
                a.iter().any(|v| {
                    v.as_str()
                        .is_some_and(|s| s.trim().eq_ignore_ascii_case(PLUGIN_ID))
                })
            })
        };
        if listed("allow") == Some(false)
            && doc
                .at(&["plugins", "allow"])
                .as_array()
                .is_some_and(|a| !a.is_empty())
        {
            let allow = array_at(&plugins, "allow", "plugins.allow")?;
            allow.append(CstInputValue::from(PLUGIN_ID));
            self.changes.push(format!(
                "added \"{PLUGIN_ID}\" to plugins.allow (the allowlist is exclusive)"
            ));
        }
        if listed("deny") == Some(true) {
            self.notes.push(format!(
                "plugins.deny lists \"{PLUGIN_ID}\": left as is; remove it or the plugin never loads"
            ));
        }
        Ok(())
    }

    fn agents(&mut self, top: &CstObject, doc: &Document) -> Result<(), SetupError> {
        let target = self.opts.target;
        let worker_id = self.opts.worker_agent.as_str();
        let main_id = self.opts.main_agent.as_str();
        let form = match doc.roster_form() {
            RosterForm::None => None,
            form => Some(form),
        };
        let agents = object_at(top, "agents", "agents")?;
        let use_list = match form {
            Some(RosterForm::List) => true,
            Some(_) => false,
            None => target == Target::Legacy,
        };
        let main = doc.main_agent(main_id).filter(|a| !a.implicit);
        let worker = doc.agent(worker_id);
        if use_list {
            let list = array_at(&agents, "list", "agents.list")?;
            if form.is_none() {
                let defaults_tools = doc.at(&["agents", "defaults", "tools"]);
                list.append(generate::main_agent(
                    Some(defaults_tools).filter(|v| !v.is_null()),
                    worker_id,
                    Some(main_id),
                ));
                self.changes.push(format!(
                    "added agent `{main_id}` (default: true; vm_* denied; may spawn `{worker_id}`)"
                ));
            }
            if worker.is_none() {
                list.append(generate::worker(target, Some(worker_id)));
                self.changes
                    .push(format!("added agent `{worker_id}` to agents.list"));
            }
            if let Some(main) = &main {
                let index = list_index(&main.path);
                let Some(obj) =
                    index.and_then(|i| list.elements().get(i).and_then(|n| n.as_object()))
                else {
                    return Err(SetupError::NotAnObject {
                        path: main.path.clone(),
                    });
                };
                self.update_main(&obj, main, doc)?;
                let marked = doc
                    .agents()
                    .iter()
                    .filter(|a| a.entry.get("default") == Some(&Value::Bool(true)))
                    .count();
                let explicit = doc.at(&["agents", "ownership"]).as_str() == Some("explicit");
                if marked == 0 && !explicit {
                    obj.insert(1, "default", CstInputValue::Bool(true));
                    self.changes.push(format!(
                        "marked `{}` as the default agent (a multi-agent list needs one)",
                        main.id
                    ));
                }
            }
        } else {
            let entries = object_at(&agents, "entries", "agents.entries")?;
            if form.is_none() {
                let defaults_tools = doc.at(&["agents", "defaults", "tools"]);
                entries.append(
                    main_id,
                    generate::main_agent(
                        Some(defaults_tools).filter(|v| !v.is_null()),
                        worker_id,
                        None,
                    ),
                );
                self.changes.push(format!(
                    "added agent `{main_id}` (vm_* denied; may spawn `{worker_id}`)"
                ));
                if !defaults_tools.is_null() {
                    self.notes.push(format!(
                        "`{main_id}` got a copy of agents.defaults.tools: with a roster, agents no longer inherit it"
                    ));
                }
            }
            if worker.is_none() {
                entries.append(worker_id, generate::worker(target, None));
                self.changes
                    .push(format!("added agent `{worker_id}` to agents.entries"));
            }
            if let Some(main) = &main {
                let key = main.path.trim_start_matches("agents.entries.");
                let Some(obj) = entries.object_value(key) else {
                    return Err(SetupError::NotAnObject {
                        path: main.path.clone(),
                    });
                };
                self.update_main(&obj, main, doc)?;
            }
            let marked = doc
                .agents()
                .iter()
                .filter(|a| !a.implicit && a.entry.get("default") == Some(&Value::Bool(true)))
                .count();
            if agents.get("ownership").is_none() && marked == 0 {
                agents.insert(0, "ownership", CstInputValue::from("explicit"));
                self.changes.push(
                    "set agents.ownership to \"explicit\" (2026.9.x requires it for several agents)".into(),
                );
            }
        }
        if worker.is_some() {
            self.notes.push(format!(
                "agent `{worker_id}` exists and was left unchanged; `computer-use doctor --offline` audits it"
            ));
        }
        if main.is_none() && form.is_some() {
            self.notes.push(format!(
                "no agent `{main_id}` (nor a legacy default agent): add \"{worker_id}\" to your user-facing agent's subagents.allowAgents and \"vm_*\" to its tools.deny"
            ));
        }
        Ok(())
    }

    /// Adds the worker to main's `subagents.allowAgents` and denies `vm_*` to main if it could call them.
    fn update_main(
        &mut self,
        obj: &CstObject,
        main: &Agent<'_>,
        doc: &Document,
    ) -> Result<(), SetupError> {
        let worker_id = self.opts.worker_agent.to_lowercase();
        let allow_agents = doc.allow_agents(main);
        let has_worker = allow_agents
            .as_ref()
            .is_some_and(|a| a.iter().any(|p| p == "*" || *p == worker_id));
        if !has_worker {
            let subagents = object_at(obj, "subagents", &format!("{}.subagents", main.path))?;
            let list = array_at(
                &subagents,
                "allowAgents",
                &format!("{}.subagents.allowAgents", main.path),
            )?;
            list.append(CstInputValue::from(self.opts.worker_agent.as_str()));
            self.changes.push(format!(
                "added \"{}\" to {}.subagents.allowAgents",
                self.opts.worker_agent, main.path
            ));
        }
        let plugin = plugin_tools();
        let policy = doc.policy(main);
        if plugin.tools.iter().any(|t| policy.allows(t, &plugin)) {
            let tools = object_at(obj, "tools", &format!("{}.tools", main.path))?;
            let deny = array_at(&tools, "deny", &format!("{}.tools.deny", main.path))?;
            deny.append(CstInputValue::from("vm_*"));
            self.changes.push(format!(
                "added \"vm_*\" to {}.tools.deny (main delegates VM work to the worker)",
                main.path
            ));
        }
        Ok(())
    }

    fn tool_search(&mut self, top: &CstObject, doc: &Document) -> Result<(), SetupError> {
        match doc.at(&["tools", "toolSearch"]) {
            Value::Null => {
                let tools = object_at(top, "tools", "tools")?;
                tools.append("toolSearch", CstInputValue::Bool(false));
                self.changes.push(
                    "set tools.toolSearch to false (the worker's model then sees the vm_* schemas directly)".into(),
                );
            }
            Value::Bool(false) => {}
            _ => self.notes.push(
                "tools.toolSearch is set and was left as is; with Tool Search on, models reach vm_* only through tool_search".into(),
            ),
        }
        Ok(())
    }
}

/// The object under `name`, created when missing; an error naming `path` when it is something else.
fn object_at(parent: &CstObject, name: &str, path: &str) -> Result<CstObject, SetupError> {
    parent
        .object_value_or_create(name)
        .ok_or_else(|| SetupError::NotAnObject {
            path: path.to_owned(),
        })
}

/// The array under `name`, created when missing; an error naming `path` when it is something else.
fn array_at(parent: &CstObject, name: &str, path: &str) -> Result<CstArray, SetupError> {
    parent
        .array_value_or_create(name)
        .ok_or_else(|| SetupError::NotAnArray {
            path: path.to_owned(),
        })
}

/// The string elements of a CST array.
fn array_strings(array: &CstArray) -> Vec<String> {
    array
        .elements()
        .iter()
        .filter_map(|e| e.as_string_lit())
        .filter_map(|s| s.decoded_value().ok())
        .collect()
}

/// `agents.list[3]` → 3.
fn list_index(path: &str) -> Option<usize> {
    path.strip_prefix("agents.list[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}
