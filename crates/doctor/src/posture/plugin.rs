//! Is the plugin loaded and enabled, can the gateway find it, and is its config valid?
//!
//! OpenClaw's rules (`docs/openclaw.md`, "Plugins", from `openclaw:docs/gateway/config-extensions.md` of the pinned
//! openclaw 2026.9.6 package):
//! `plugins.enabled: false` turns every plugin off; `plugins.deny` wins; a non-empty `plugins.allow` is
//! **exclusive** (unlisted plugins do not load, and `tools.allow: ["*"]` does not bring their tools back); then
//! `plugins.entries.<id>.enabled`. The plugin is found through `plugins.load.paths` (relative paths resolve
//! against the directory the gateway runs in) or an install record (`openclaw plugins install`), which lives in
//! the state directory, not in this file.

use std::path::{Path, PathBuf};

use computer_use::config::{Config, PLUGIN_ID};
use serde_json::Value;

use super::document::Document;
use super::policy::strings;
use crate::report::Check;

/// Check ids.
pub const ENABLED: &str = "posture.plugin.enabled";
/// Check id: the plugin directory.
pub const PATH: &str = "posture.plugin.path";
/// Check id: the plugin's own config block.
pub const CONFIG: &str = "posture.plugin.config";

const WRITE_FIX: &str =
    "run `computer-use openclaw config --write --config <openclaw.json>` to add the plugin entry";

/// Whether OpenClaw will load the plugin.
pub fn enabled(doc: &Document) -> Check {
    let plugins = doc.at(&["plugins"]);
    if plugins.get("enabled") == Some(&Value::Bool(false)) {
        return Check::fail(
            ENABLED,
            "plugins.enabled is false: OpenClaw loads no plugin at all",
            "remove `plugins.enabled: false`",
        );
    }
    let names = |key: &str| {
        strings(plugins.get(key))
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.trim().to_lowercase())
            .collect::<Vec<_>>()
    };
    if names("deny").iter().any(|p| p == PLUGIN_ID) {
        return Check::fail(
            ENABLED,
            format!("plugins.deny lists \"{PLUGIN_ID}\": the plugin never loads (deny wins)"),
            format!("remove \"{PLUGIN_ID}\" from plugins.deny"),
        );
    }
    let allow = names("allow");
    if !allow.is_empty() && !allow.iter().any(|p| p == PLUGIN_ID) {
        return Check::fail(
            ENABLED,
            format!(
                "plugins.allow is set ({}) and does not list \"{PLUGIN_ID}\": the allowlist is exclusive, so the vm_* tools never load",
                allow.join(", ")
            ),
            format!("add \"{PLUGIN_ID}\" to plugins.allow"),
        );
    }
    let entry = plugins.get("entries").and_then(|e| e.get(PLUGIN_ID));
    let Some(entry) = entry else {
        return Check::fail(
            ENABLED,
            format!("plugins.entries has no \"{PLUGIN_ID}\" entry"),
            WRITE_FIX,
        );
    };
    match entry.get("enabled") {
        Some(Value::Bool(true)) => Check::pass(
            ENABLED,
            format!(
                "plugins.entries[\"{PLUGIN_ID}\"] is enabled{}",
                if allow.is_empty() {
                    String::new()
                } else {
                    " and listed in plugins.allow".to_owned()
                }
            ),
        ),
        Some(Value::Bool(false)) => Check::fail(
            ENABLED,
            format!("plugins.entries[\"{PLUGIN_ID}\"].enabled is false: OpenClaw does not load it"),
            "set `enabled: true`",
        ),
        _ => Check::warn(
            ENABLED,
            format!("plugins.entries[\"{PLUGIN_ID}\"] does not set `enabled`"),
            "set `enabled: true` (as `openclaw plugins install -l` does): plugins OpenClaw discovers by itself stay disabled until enabled",
        ),
    }
}

/// Whether `plugins.load.paths` leads to the plugin's directory. `base` is where relative paths resolve (the
/// directory the gateway is started from).
pub fn path(doc: &Document, base: &Path) -> Check {
    let paths = strings(doc.at(&["plugins", "load"]).get("paths")).unwrap_or_default();
    let mut missing = Vec::new();
    for raw in &paths {
        let dir = resolve(raw, base);
        match manifest_id(&dir) {
            Some(id) if id == PLUGIN_ID => {
                return Check::pass(
                    PATH,
                    format!(
                        "plugins.load.paths entry `{raw}` is the plugin ({})",
                        dir.display()
                    ),
                );
            }
            Some(_) => {}
            None if !dir.exists() => missing.push(format!("`{raw}` ({})", dir.display())),
            None => {}
        }
    }
    let named: Vec<&String> = paths
        .iter()
        .filter(|p| p.trim_end_matches('/').ends_with(PLUGIN_ID))
        .collect();
    if !missing.is_empty() && !named.is_empty() {
        return Check::fail(
            PATH,
            format!(
                "plugins.load.paths names the plugin but the directory does not exist: {} (relative paths resolve against the directory OpenClaw runs in, here {})",
                missing.join(", "),
                base.display()
            ),
            "use the absolute path of extensions/computer-use, or start OpenClaw from the directory the relative path assumes",
        );
    }
    Check::warn(
        PATH,
        "no plugins.load.paths entry leads to the plugin's directory (one whose openclaw.plugin.json has id \"computer-use\")",
        "fine if it was installed with `openclaw plugins install` (the record is in OpenClaw's state directory); otherwise add the absolute path of extensions/computer-use to plugins.load.paths, or the gateway reports `plugin not found: computer-use`",
    )
}

/// `~/` expanded, relative paths joined to `base`.
fn resolve(raw: &str, base: &Path) -> PathBuf {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    let p = base.join(raw);
    // `absolute` also drops `.` components, so messages show a clean path.
    std::path::absolute(&p).unwrap_or(p)
}

/// The `id` of the plugin manifest in `dir`, if there is a readable one.
fn manifest_id(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("openclaw.plugin.json")).ok()?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    manifest.get("id")?.as_str().map(str::to_owned)
}

/// The plugin's config block, validated by the same code the plugin runs; the config on success.
pub fn config(doc: &Document) -> (Check, Option<Config>) {
    let Some(entry) = doc.at(&["plugins", "entries"]).get(PLUGIN_ID) else {
        return (
            Check::skip(CONFIG, "no plugin entry, so no plugin config to check"),
            None,
        );
    };
    let block = entry.get("config").cloned().unwrap_or(Value::Null);
    match Config::for_openclaw_block(block) {
        Ok(config) => (
            Check::pass(
                CONFIG,
                format!(
                    "plugins.entries[\"{PLUGIN_ID}\"].config is valid (provider {}, VM {})",
                    config.provider(),
                    describe_vm(&config)
                ),
            ),
            Some(config),
        ),
        Err(e) => {
            let mut check = Check::fail_from_error(CONFIG, &e);
            if check.fix.is_none() {
                check = check.with_fix(format!(
                    "correct each value listed in plugins.entries[\"{PLUGIN_ID}\"].config: OpenClaw refuses to start with an invalid plugin config"
                ));
            }
            (check, None)
        }
    }
}

fn describe_vm(config: &Config) -> String {
    match config.vm(None).map(|t| t.provider) {
        Ok(computer_use::config::Provider::Lume { vm_name, port, .. }) => {
            format!("'{vm_name}', server port {port}")
        }
        Ok(p) => p
            .websocket_url(None)
            .map_or_else(|| "?".to_owned(), |u| u.to_string()),
        Err(e) => format!("not resolvable: {e}"),
    }
}
