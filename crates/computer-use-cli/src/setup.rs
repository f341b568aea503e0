//! From global flags to the core's configuration: `--config` (a JSON5 plugin block or an `openclaw.json`),
//! else the fresh-machine default (`local`), then `COMPUTER_USE_*` environment overrides, then the flags
//! themselves (which go through the same validation as environment values).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use computer_use::config::{Config, ConfigError};

use crate::cli::Global;

pub fn config(global: &Global) -> anyhow::Result<Arc<Config>> {
    Ok(config_from(config_path(global).as_deref(), global)?)
}

/// `--config`, else `$COMPUTER_USE_CONFIG`.
pub fn config_path(global: &Global) -> Option<PathBuf> {
    global
        .config
        .clone()
        .or_else(|| std::env::var_os("COMPUTER_USE_CONFIG").map(Into::into))
}

/// The configuration from `path` (the local default without one), then the environment and the flags. The
/// error stays typed so `doctor` can show its message and its fix apart.
pub fn config_from(path: Option<&Path>, global: &Global) -> Result<Arc<Config>, ConfigError> {
    let config = Config::load(path, |k| std::env::var(k).ok())?;
    with_flags(config, global)
}

/// The OpenClaw shim's plugin config object (`plugins.entries["computer-use"].config`, as JSON), validated like
/// a config file, then the `COMPUTER_USE_*` environment and the global flags on top, as for `--config`.
pub fn plugin_config(json: &str, global: &Global) -> anyhow::Result<Arc<Config>> {
    let block: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        anyhow::anyhow!(
            "--plugin-config is not valid JSON ({e}): pass the plugin's config object, e.g. --plugin-config '{{\"vmName\":\"openclaw-vm\"}}'"
        )
    })?;
    let mut config = Config::for_openclaw_block(block)?;
    config.apply_env(|k| std::env::var(k).ok())?;
    Ok(with_flags(config, global)?)
}

/// Applies `--provider` / `--server-url` through the same validation as environment values.
fn with_flags(mut config: Config, global: &Global) -> Result<Arc<Config>, ConfigError> {
    let mut flags = HashMap::new();
    if let Some(p) = &global.provider {
        flags.insert("COMPUTER_USE_PROVIDER", p.clone());
    }
    if let Some(u) = &global.server_url {
        flags.insert("COMPUTER_USE_SERVER_URL", u.clone());
        if global.provider.is_none() {
            flags.insert("COMPUTER_USE_PROVIDER", "url".to_string());
        }
    }
    if !flags.is_empty() {
        config.apply_env(|k| flags.get(k).cloned())?;
    }
    if let Some(dir) = &global.record {
        config.set_record_dir(absolute(dir))?;
    }
    for w in config.warnings() {
        tracing::warn!("{w}");
    }
    Ok(Arc::new(config))
}

/// `path` against the working directory when relative (`--record rec` means `./rec`).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
