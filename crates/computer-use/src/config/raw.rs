//! The configuration as written: serde + schemars types, the single source of truth for every key.
//!
//! Parsing, the JSON Schema exported into OpenClaw's manifest (`configSchema`), structural validation,
//! environment overrides (`COMPUTER_USE_*`) and the UI hints are all derived from these types, so adding a
//! key is one field here (with its doc comment, `title` and bounds). Doc comments are user-facing: they
//! become the schema's `description`s that OpenClaw shows next to each setting.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::defaults as d;

/// Configuration of the computer-use plugin (`plugins.entries["computer-use"].config` in openclaw.json,
/// or a standalone JSON5 file for the `computer-use` binary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[schemars(title = "computer-use configuration")]
pub struct Config {
    /// Name of the Lume VM that runs cua-computer-server (provider `lume`).
    #[schemars(title = "VM name", length(min = 1))]
    pub(super) vm_name: String,

    /// Base URL of the Lume HTTP API on the host, used to find the VM's IP address (provider `lume`).
    #[schemars(title = "Lume API URL", length(min = 1))]
    pub(super) lume_api_url: String,

    /// Port of cua-computer-server: inside the VM for provider `lume` (default 5000), on 127.0.0.1 for
    /// provider `local` (default 8000, the server's own default).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(
        title = "Server port",
        range(min = d::SERVER_PORT_MIN, max = d::SERVER_PORT_MAX),
        extend("default" = d::SERVER_PORT)
    )]
    pub(super) server_port: Option<u16>,

    /// Milliseconds to wait for the VM and the server to become reachable.
    #[schemars(title = "Connect timeout (ms)", range(min = d::TIMEOUT_MIN_MS))]
    pub(super) connect_timeout_ms: u64,

    /// Milliseconds one command may take before it is abandoned.
    #[schemars(title = "Command timeout (ms)", range(min = d::TIMEOUT_MIN_MS))]
    pub(super) command_timeout_ms: u64,

    /// Factor applied to screenshot width and height before they are returned (1.0 = full size).
    #[schemars(
        title = "Screenshot scale",
        range(min = d::SCREENSHOT_SCALE_MIN, max = d::SCREENSHOT_SCALE_MAX)
    )]
    pub(super) screenshot_scale: f64,

    /// Log every command and its timing (never screenshots or secrets).
    #[schemars(title = "Verbose logging")]
    pub(super) log_verbose: bool,

    /// Largest screenshot accepted from the server, in bytes.
    #[schemars(title = "Max screenshot bytes", range(min = d::MAX_SCREENSHOT_BYTES_MIN))]
    pub(super) max_screenshot_bytes: u64,

    /// How to reach cua-computer-server: `lume` (a Lume VM on this host, found through `lumeApiUrl`),
    /// `url` (a fixed `serverUrl`) or `local` (a server on this machine at 127.0.0.1).
    #[schemars(title = "Provider")]
    pub(super) provider: ProviderKind,

    /// WebSocket URL of cua-computer-server for provider `url`, e.g. `ws://host:8000/ws`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Server URL", example = &"ws://192.168.64.5:8000/ws")]
    pub(super) server_url: Option<String>,

    /// Path of the server's WebSocket endpoint for providers `lume` and `local`.
    #[schemars(title = "WebSocket path")]
    pub(super) ws_path: String,

    /// Use `wss://` instead of `ws://` to reach the VM (provider `lume`).
    #[schemars(title = "TLS")]
    pub(super) tls: bool,

    /// cua cloud credentials: the container name, and where to read the API key from. The key itself is
    /// never stored in this configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Cloud")]
    pub(super) cloud: Option<Cloud>,

    /// Absolute host directory shared into the Lume VM by `computer-use vm up` (appears in macOS guests
    /// at `/Volumes/My Shared Files`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Shared directory", example = &"/Users/me/.openclaw/workspaces/main/vm-shared")]
    pub(super) shared_dir: Option<PathBuf>,

    /// More VMs by name; each entry overrides the top-level values for that VM. The top-level values
    /// describe the VM named `default`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(title = "VMs")]
    pub(super) vms: BTreeMap<String, VmEntry>,

    /// VM used when a call names none: `default` (the top-level VM) or a key of `vms`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Default VM", extend("default" = d::DEFAULT_VM))]
    pub(super) default_vm: Option<String>,
}

impl Default for Config {
    /// The values of a configuration block that sets nothing (`{}`), i.e. the seed's defaults with
    /// provider `lume`. A machine with no configuration at all uses [`Config::default_local`] instead.
    fn default() -> Self {
        Self {
            vm_name: d::VM_NAME.to_owned(),
            lume_api_url: d::LUME_API_URL.to_owned(),
            server_port: None,
            connect_timeout_ms: d::CONNECT_TIMEOUT_MS,
            command_timeout_ms: d::COMMAND_TIMEOUT_MS,
            screenshot_scale: d::SCREENSHOT_SCALE,
            log_verbose: false,
            max_screenshot_bytes: d::MAX_SCREENSHOT_BYTES,
            provider: ProviderKind::Lume,
            server_url: None,
            ws_path: d::WS_PATH.to_owned(),
            tls: false,
            cloud: None,
            shared_dir: None,
            vms: BTreeMap::new(),
            default_vm: None,
        }
    }
}

/// Which kind of cua-computer-server a VM is reached through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ProviderKind {
    /// A Lume VM on this host; its IP comes from the Lume HTTP API.
    #[default]
    Lume,
    /// A server at a fixed `serverUrl`.
    Url,
    /// A server on this machine at 127.0.0.1.
    Local,
}

impl ProviderKind {
    /// The name used in configuration files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lume => "lume",
            Self::Url => "url",
            Self::Local => "local",
        }
    }
}

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One named VM under `vms`: every key is optional and overrides the top-level value for this VM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VmEntry {
    /// How to reach this VM's server (`lume`, `url` or `local`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Provider")]
    pub(super) provider: Option<ProviderKind>,

    /// Lume VM name of this VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "VM name", length(min = 1))]
    pub(super) vm_name: Option<String>,

    /// Lume HTTP API of the host running this VM (Lume allows two macOS VMs per host).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Lume API URL", length(min = 1))]
    pub(super) lume_api_url: Option<String>,

    /// cua-computer-server port of this VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Server port", range(min = d::SERVER_PORT_MIN, max = d::SERVER_PORT_MAX))]
    pub(super) server_port: Option<u16>,

    /// WebSocket URL of this VM's server (provider `url`), e.g. `ws://host:8000/ws`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Server URL")]
    pub(super) server_url: Option<String>,

    /// WebSocket endpoint path of this VM's server.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "WebSocket path")]
    pub(super) ws_path: Option<String>,

    /// Use `wss://` for this VM (provider `lume`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "TLS")]
    pub(super) tls: Option<bool>,

    /// cua cloud credentials of this VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Cloud")]
    pub(super) cloud: Option<Cloud>,

    /// Absolute host directory shared into this VM by `computer-use vm up`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Shared directory")]
    pub(super) shared_dir: Option<PathBuf>,
}

/// cua cloud credentials. The API key is read at connect time from `apiKeyFile` if set, otherwise from
/// the environment variable `apiKeyEnv`; it is never part of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cloud {
    /// Name of the cloud container (sent with the API key when authenticating).
    #[schemars(title = "Container name", length(min = 1))]
    pub(super) container_name: String,

    /// Environment variable holding the API key.
    #[serde(default = "d::cloud_api_key_env")]
    #[schemars(title = "API key variable", length(min = 1))]
    pub(super) api_key_env: String,

    /// Absolute path of a file whose content is the API key; takes precedence over `apiKeyEnv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "API key file")]
    pub(super) api_key_file: Option<PathBuf>,
}

impl Cloud {
    /// The cloud container's name.
    pub fn container_name(&self) -> &str {
        &self.container_name
    }

    /// The environment variable the API key is read from when no `apiKeyFile` is set.
    pub fn api_key_env(&self) -> &str {
        &self.api_key_env
    }

    /// The file the API key is read from, if configured.
    pub fn api_key_file(&self) -> Option<&std::path::Path> {
        self.api_key_file.as_deref()
    }
}
