//! The configuration of computer-use: one type for every face (the OpenClaw plugin, the CLI, the MCP
//! server), loaded from JSON5, validated with every problem reported at once, overridable from the
//! environment, exported as the JSON Schema of OpenClaw's plugin manifest, and resolved into one
//! [`VmTarget`] per VM.
//!
//! # Shape
//!
//! The top level is the plugin block, i.e. what sits in `plugins.entries["computer-use"].config` of
//! `openclaw.json`. It carries the seed's eight keys with the seed's names, defaults and bounds
//! (`vmName`, `lumeApiUrl`, `serverPort`, `connectTimeoutMs`, `commandTimeoutMs`, `screenshotScale`,
//! `logVerbose`, `maxScreenshotBytes`) plus ours: `provider` (`lume` | `url` | `local`), `serverUrl`,
//! `wsPath`, `tls`, `cloud`, `sharedDir`, `vms` (more VMs by name, each overriding top-level values),
//! `defaultVm`, and the sections `guards` (rate limit, loop guard, exec policy) and `audit` (the audit
//! log), read by [`crate::guards`]. The top-level values describe the VM named `default`.
//!
//! # Two defaults
//!
//! * A configuration block that leaves `provider` out uses **`lume`**: that is what the seed's block
//!   means ([`Config::default`], `{}`).
//! * A machine with **no configuration at all** uses [`Config::default_local`]: provider **`local`**,
//!   i.e. a cua-computer-server on this machine at `ws://127.0.0.1:8000/ws`.
//!
//! `serverPort` defaults to **5000** for `lume` (the seed's value) but to **8000** for `local` (the
//! port cua-computer-server itself defaults to) whenever it is not given.
//!
//! # Stages
//!
//! 1. [`Config::from_json5_str`] / [`Config::load_file`] / [`Config::for_openclaw_block`]: parse,
//!    then validate structurally against the schema (types, ranges, enums, unknown keys) and
//!    semantically (URLs, paths, cross-key rules); all problems come back in one
//!    [`ConfigError::Invalid`].
//! 2. [`Config::apply_env`]: `COMPUTER_USE_*` overrides, validated the same way (see [`Config::env_overrides`]).
//! 3. [`Config::vm`]: one VM's [`VmTarget`], with the cloud API key read at that moment.
//!
//! ```
//! use computer_use::config::{Config, Provider};
//!
//! let config = Config::from_json5_str("{ vmName: 'mac', serverPort: 5001, /* JSON5 */ }", "example")?;
//! let vm = config.vm(None)?;
//! assert!(matches!(vm.provider, Provider::Lume { port: 5001, .. }));
//! # Ok::<(), computer_use::config::ConfigError>(())
//! ```

pub mod defaults;
mod env;
mod error;
pub mod exec_patterns;
mod load;
mod raw;
mod resolve;
mod schema;

/// The schema normaliser (inline, closed objects, no null branches), shared with the tools' argument schemas.
pub(crate) use schema::generate as generate_schema;
mod secret;
mod semantic;
mod validate;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

pub use defaults::{
    CLOUD_API_KEY_ENV, DEFAULT_VM, ENV_PREFIX, LOCAL_SERVER_PORT, PLUGIN_ID, SEED_KEYS, SERVER_PORT,
};
pub use env::EnvOverride;
pub use error::{ConfigError, Problem};
pub use raw::{
    ApprovalConfig, ApprovalExec, AuditConfig, Cloud, Config, ExecConfig, ExecMode, GuardsConfig,
    ImageFormatKind, LoopConfig, ProviderKind, RateConfig, RecordConfig, ScreenshotConfig,
    ToolPolicyConfig, Toolset, VmEntry,
};
pub use resolve::{Provider, VmTarget};
pub use secret::{CloudCredentials, Secret};

impl Config {
    /// The configuration of a machine with no configuration at all: a cua-computer-server on this
    /// machine (provider `local`, `ws://127.0.0.1:8000/ws`), with the seed's other defaults.
    pub fn default_local() -> Self {
        Self {
            provider: ProviderKind::Local,
            ..Self::default()
        }
    }

    /// Parses and validates JSON5 text: either a plugin block (`{ vmName: ..., ... }`) or a whole
    /// `openclaw.json` (recognised by a top-level `plugins`, `agents` or `gateway` key), from which
    /// `plugins.entries["computer-use"].config` is used. `origin` (a file path, "stdin", ...) is named
    /// in every error.
    pub fn from_json5_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let value = load::parse_json5(text, origin)?;
        let (block, block_origin) = load::plugin_block(value, origin)?;
        load::from_value(block, &block_origin)
    }

    /// Reads and validates a JSON5 file (a plugin block or a whole `openclaw.json`).
    pub fn load_file(path: &Path) -> Result<Self, ConfigError> {
        let text = load::read_file(path)?;
        Self::from_json5_str(&text, &path.display().to_string())
    }

    /// The usual way to get the configuration: the file if given, else [`Config::default_local`],
    /// then the environment's `COMPUTER_USE_*` overrides.
    pub fn load(
        path: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => Self::load_file(path)?,
            None => Self::default_local(),
        };
        config.apply_env(env)?;
        Ok(config)
    }

    /// Validates the plugin block OpenClaw passes to the plugin (`api.pluginConfig`, as JSON). `null`
    /// (no `config` in the entry) means defaults.
    pub fn for_openclaw_block(block: Value) -> Result<Self, ConfigError> {
        let block = if block.is_null() {
            Value::Object(serde_json::Map::new())
        } else {
            block
        };
        load::from_value(
            block,
            "OpenClaw plugin config (plugins.entries[\"computer-use\"].config)",
        )
    }

    /// Applies `COMPUTER_USE_<KEY>` environment overrides (environment wins over the file). Each value
    /// is validated like a file value and errors name the variable; on error `self` is unchanged.
    pub fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        *self = env::apply(self, &env)?;
        Ok(())
    }

    /// The environment variables [`Config::apply_env`] reads, one per top-level scalar key.
    pub fn env_overrides() -> &'static [EnvOverride] {
        env::table()
    }

    /// The JSON Schema for OpenClaw's manifest `configSchema`: inline, every object closed with
    /// `additionalProperties: false`, seed defaults and bounds included.
    pub fn json_schema() -> Value {
        schema::manifest()
    }

    /// OpenClaw manifest `uiHints`: label and placeholder per key (dotted paths, `*` for `vms` names),
    /// `advanced: true` for every key beyond the seed's eight.
    pub fn ui_hints() -> Value {
        schema::ui_hints(schema::annotated())
    }

    /// Advisories that do not make the configuration invalid (e.g. more than two Lume VMs on one host).
    pub fn warnings(&self) -> Vec<String> {
        semantic::warnings(self)
    }

    /// The provider of the top-level (`default`) VM.
    pub fn provider(&self) -> ProviderKind {
        self.provider
    }

    /// Factor applied to screenshots before they are returned (0.1–1.0).
    pub fn screenshot_scale(&self) -> f64 {
        self.screenshot_scale
    }

    /// Largest screenshot accepted from the server, in bytes.
    pub fn max_screenshot_bytes(&self) -> u64 {
        self.max_screenshot_bytes
    }

    /// Whether every command is logged with its timing.
    pub fn log_verbose(&self) -> bool {
        self.log_verbose
    }

    /// Time allowed to reach a VM and its server.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// Time allowed per command.
    pub fn command_timeout(&self) -> Duration {
        Duration::from_millis(self.command_timeout_ms)
    }

    /// Turns recording on into `dir` (`--record DIR`), keeping the other `record` settings. The directory must
    /// be absolute, as in a configuration file: a face resolves a relative one against its working directory
    /// first.
    pub fn set_record_dir(&mut self, dir: std::path::PathBuf) -> Result<(), ConfigError> {
        if !dir.is_absolute() {
            return Err(ConfigError::Invalid {
                origin: "--record".to_owned(),
                problems: vec![Problem::new(
                    &["record".to_owned(), "dir".to_owned()],
                    format!(
                        "{:?} must be an absolute path, e.g. \"/var/lib/computer-use/recordings\"",
                        dir.display().to_string()
                    ),
                )],
            });
        }
        self.record.dir = Some(dir);
        Ok(())
    }

    /// The configuration as a JSON plugin block, defaults filled in (for `config show` and for writing
    /// an openclaw.json entry). Contains no secrets.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Parses JSON5 text into a plain JSON value without validating it as a configuration (nesting is limited and
/// errors name the line and column), for callers that read other parts of an `openclaw.json`, such as
/// `computer-use doctor`'s posture audit. `origin` is named in the error.
pub fn parse_json5(text: &str, origin: &str) -> Result<Value, ConfigError> {
    load::parse_json5(text, origin)
}

/// Reads a configuration file as UTF-8 text, refusing files far larger than any configuration.
pub fn read_text(path: &Path) -> Result<String, ConfigError> {
    load::read_file(path)
}
