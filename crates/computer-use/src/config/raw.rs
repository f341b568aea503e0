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

    /// Which VM each agent drives, by agent id: e.g. `{ "worker": "default", "worker-lab": "lab" }`. The
    /// OpenClaw plugin passes the calling agent's id with every call (MCP clients may send it as
    /// `_meta["computer-use/agent"]`); agents not listed use `defaultVm`. The model never chooses the VM.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(title = "VM per agent", example = &serde_json::json!({"worker": "default", "worker-lab": "lab"}))]
    pub(super) agent_vms: BTreeMap<String, String>,

    /// Which tools exist for the agent: `allow` and `deny` globs over tool names (`vm_*`, `vm_file_*`). A
    /// denied tool is not listed (MCP `tools/list`, `computer-use tools`, the OpenClaw plugin) and is refused if
    /// called. An empty `allow` allows every tool; `deny` wins. A `vms` entry may set its own.
    #[schemars(title = "Tool policy")]
    pub(super) tools: ToolPolicyConfig,

    /// Checks between the agent and each VM: rate limits, the loop guard and the policy for shell
    /// commands (`vm_exec`, `vm_launch`).
    #[schemars(title = "Guards")]
    pub(super) guards: GuardsConfig,

    /// An audit trail: one JSON line per tool call (time, VM, tool, arguments with typed text redacted,
    /// outcome, latency), written to `path`. Off unless a path is given.
    #[schemars(title = "Audit log")]
    pub(super) audit: AuditConfig,

    /// Recordings of every tool call (time, tool, arguments redacted as in the audit log, outcome, the image
    /// the model received, where pointer input landed), one per VM, agent and session, for
    /// `computer-use record view|replay`. Off unless `dir` is given.
    #[schemars(title = "Recording")]
    pub(super) record: RecordConfig,

    /// How screenshots are encoded for the model and the size budget they must fit (after
    /// `screenshotScale` and within `maxScreenshotBytes`); whether an unchanged screen is sent again; how
    /// input actions report their effect.
    #[schemars(title = "Screenshot output")]
    pub(super) screenshot: ScreenshotConfig,

    /// Which tools agents see and may call: `full` (all of them) or `seed` (the Phase 8 guide's seven:
    /// vm_screenshot, vm_exec, vm_click, vm_type, vm_key, vm_launch, vm_scroll), for prompts written for
    /// that plugin and the smallest tool list. People at the CLI always have every command.
    #[schemars(title = "Tool set")]
    pub(super) toolset: Toolset,
}

/// Which tools agents see and may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Toolset {
    /// Every tool (default).
    #[default]
    Full,
    /// The Phase 8 guide's seven tools.
    Seed,
}

impl Toolset {
    /// The name the configuration uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Toolset::Full => "full",
            Toolset::Seed => "seed",
        }
    }
}

/// The image format returned to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormatKind {
    /// Lossy, small, fast (default).
    #[default]
    Jpeg,
    /// Lossless (the server is then asked for PNG too); large for busy screens.
    Png,
    /// Lossless WebP; smaller than PNG, but not every client accepts it.
    Webp,
}

/// Screenshot encoding and the model's size budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ScreenshotConfig {
    /// Image encoding: `jpeg` (default), `png` or `webp` (lossless: the capture is PNG as well).
    #[schemars(title = "Encoding")]
    pub(super) encoding: ImageFormatKind,

    /// JPEG quality of the returned image; lowered step by step when the image must fit `maxScreenshotBytes`.
    #[schemars(title = "JPEG quality", range(min = 30, max = 95))]
    pub(super) quality: u8,

    /// JPEG quality asked of the server for the capture that is then scaled and re-encoded. 90 keeps small
    /// text crisp through the second encode; 80 saves ~9 ms per screenshot of a busy 2880x1800 screen (the
    /// server's encode and the transfer) for ~0.25 dB (`bench/RESULTS-screenshot.md`).
    #[schemars(title = "Capture JPEG quality", range(min = 50, max = 95))]
    pub(super) capture_quality: u8,

    /// Longest edge of the returned image in pixels (models downsample above ~1568; 2000 is a hard API limit).
    #[schemars(title = "Max long edge", range(min = 256, max = 2000))]
    pub(super) max_long_edge: u32,

    /// Most pixels of the returned image (~1.15 MP is what models see without downsampling).
    #[schemars(title = "Max pixels", range(min = 65536, max = 4000000))]
    pub(super) max_pixels: u64,

    /// When a screenshot shows what the last image returned to the same caller showed (no pixel of the
    /// model-sized image differs by more than 2 of 255 in any channel), return the text "unchanged since
    /// frame N" instead of the image; `vm_screenshot` with `force: true` still gets it.
    #[schemars(title = "Skip unchanged screenshots")]
    pub(super) skip_unchanged: bool,

    /// Capture the screen after every input action (click, type, key, scroll, drag, mouse button) to report
    /// at once whether it changed the screen. Off: the effect is reported by the next screenshot, at no
    /// extra cost. On: a capture 50 ms after each action, and one more 150 ms later when the first shows no
    /// change (`bench/RESULTS-tokens.md` measures the cost).
    #[schemars(title = "Check every action's effect")]
    pub(super) check_effects: bool,

    /// This many input actions in a row that changed nothing on the screen earn a warning naming likely
    /// causes (a dialog, focus elsewhere, a macOS permission) and the fix.
    #[schemars(title = "No-effect warning at", range(min = 1))]
    pub(super) no_effect_warn: u32,
}

impl Default for ScreenshotConfig {
    fn default() -> Self {
        Self {
            encoding: ImageFormatKind::Jpeg,
            quality: d::MODEL_JPEG_QUALITY,
            capture_quality: d::CAPTURE_QUALITY,
            max_long_edge: d::MAX_LONG_EDGE,
            max_pixels: d::MAX_PIXELS,
            skip_unchanged: true,
            check_effects: false,
            no_effect_warn: d::NO_EFFECT_WARN,
        }
    }
}

impl ScreenshotConfig {
    /// Output encoding.
    pub fn encoding(&self) -> ImageFormatKind {
        self.encoding
    }

    /// JPEG quality.
    pub fn quality(&self) -> u8 {
        self.quality
    }

    /// JPEG quality asked of the server.
    pub fn capture_quality(&self) -> u8 {
        self.capture_quality
    }

    /// Longest edge in pixels.
    pub fn max_long_edge(&self) -> u32 {
        self.max_long_edge
    }

    /// Most pixels.
    pub fn max_pixels(&self) -> u64 {
        self.max_pixels
    }

    /// Whether an unchanged screen is answered with text instead of the image again.
    pub fn skip_unchanged(&self) -> bool {
        self.skip_unchanged
    }

    /// Whether every input action captures the screen to report its effect at once.
    pub fn check_effects(&self) -> bool {
        self.check_effects
    }

    /// Input actions in a row without effect before the warning.
    pub fn no_effect_warn(&self) -> u32 {
        self.no_effect_warn
    }
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
            agent_vms: BTreeMap::new(),
            tools: ToolPolicyConfig::default(),
            guards: GuardsConfig::default(),
            audit: AuditConfig::default(),
            record: RecordConfig::default(),
            screenshot: ScreenshotConfig::default(),
            toolset: Toolset::Full,
        }
    }
}

impl Config {
    /// The guard settings (rate limits, loop guard, exec policy).
    pub fn guards(&self) -> &GuardsConfig {
        &self.guards
    }

    /// The tool policy of the VM `vm` (`None`: the default VM): its `vms` entry's `tools` if set, else the
    /// top-level one.
    pub fn tool_policy(&self, vm: Option<&str>) -> &ToolPolicyConfig {
        vm.and_then(|name| self.vms.get(name))
            .and_then(|e| e.tools.as_ref())
            .unwrap_or(&self.tools)
    }

    /// The audit log settings.
    pub fn audit(&self) -> &AuditConfig {
        &self.audit
    }

    /// The recording settings.
    pub fn record(&self) -> &RecordConfig {
        &self.record
    }

    /// Screenshot encoding and budget.
    pub fn screenshot(&self) -> &ScreenshotConfig {
        &self.screenshot
    }

    /// Which tools agents see and may call.
    pub fn toolset(&self) -> Toolset {
        self.toolset
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

    /// This VM's tool policy (replaces the top-level `tools` for this VM).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Tool policy")]
    pub(super) tools: Option<ToolPolicyConfig>,
}

/// Globs over tool names: which tools exist for the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ToolPolicyConfig {
    /// Tools that exist (globs, e.g. `vm_screenshot`, `vm_*`); empty: every tool.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Allowed tools")]
    pub(super) allow: Vec<String>,

    /// Tools that do not exist even if allowed (globs, e.g. `vm_exec`, `vm_file_*`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Denied tools")]
    pub(super) deny: Vec<String>,
}

impl ToolPolicyConfig {
    /// Allowed tool globs (empty: all).
    pub fn allow(&self) -> &[String] {
        &self.allow
    }

    /// Denied tool globs.
    pub fn deny(&self) -> &[String] {
        &self.deny
    }
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

/// Checks between the agent and each VM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct GuardsConfig {
    /// A token bucket per VM: a call over budget is refused with the time to wait.
    #[schemars(title = "Rate limit")]
    pub(super) rate: RateConfig,

    /// Repeated calls: the same call again and again, two calls in alternation, or an unchanged screen
    /// first earn a warning in the result, then are refused until the agent does something else.
    #[serde(rename = "loop")]
    #[schemars(title = "Loop guard")]
    pub(super) loops: LoopConfig,

    /// Which shell commands `vm_exec` and `vm_launch` may run.
    #[schemars(title = "Exec policy")]
    pub(super) exec: ExecConfig,

    /// Calls that need a person's approval before anything is sent: the face asks (MCP: elicitation; OpenClaw:
    /// its approvals, through the plugin's `before_tool_call` hook; a face that cannot ask refuses). No answer
    /// within `timeoutSecs` is a refusal.
    #[schemars(title = "Human approval")]
    pub(super) approval: ApprovalConfig,
}

/// When a shell command needs a person's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ApprovalExec {
    /// Never because of the exec policy.
    #[default]
    Never,
    /// Commands the allowlist refuses go to a person instead (deny patterns still refuse).
    OutsideAllowlist,
    /// Every `vm_exec` and `vm_launch` call.
    Always,
}

/// What needs a person's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ApprovalConfig {
    /// Tools every call of which needs approval (globs over tool names, e.g. `vm_file_write`, `vm_exec`).
    #[schemars(title = "Tools needing approval")]
    pub(super) tools: Vec<String>,

    /// Shell commands: `never`, `outsideAllowlist` (what the allowlist refuses is asked about instead) or
    /// `always`.
    #[schemars(title = "Commands needing approval")]
    pub(super) exec: ApprovalExec,

    /// Key combinations that need approval (globs over the combination as written, lower case, e.g.
    /// `ctrl+alt+*`, `cmd+q`).
    #[schemars(title = "Keys needing approval")]
    pub(super) keys: Vec<String>,

    /// Every call that writes a file in the VM.
    #[schemars(title = "File writes need approval")]
    pub(super) file_writes: bool,

    /// Seconds to wait for the answer; no answer is a refusal.
    #[schemars(title = "Approval timeout (s)", range(min = 1, max = 600))]
    pub(super) timeout_secs: u64,
}

impl Default for ApprovalConfig {
    fn default() -> Self {
        Self {
            tools: Vec::new(),
            exec: ApprovalExec::Never,
            keys: Vec::new(),
            file_writes: false,
            timeout_secs: 120,
        }
    }
}

impl ApprovalConfig {
    /// Tool globs.
    pub fn tools(&self) -> &[String] {
        &self.tools
    }
    /// Shell commands.
    pub fn exec(&self) -> ApprovalExec {
        self.exec
    }
    /// Key globs.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
    /// File writes.
    pub fn file_writes(&self) -> bool {
        self.file_writes
    }
    /// The timeout.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout_secs)
    }
}

impl GuardsConfig {
    /// Rate limit settings.
    pub fn rate(&self) -> &RateConfig {
        &self.rate
    }

    /// Loop guard settings.
    pub fn loops(&self) -> &LoopConfig {
        &self.loops
    }

    /// Exec policy settings.
    pub fn exec(&self) -> &ExecConfig {
        &self.exec
    }

    /// What needs a person's approval.
    pub fn approval(&self) -> &ApprovalConfig {
        &self.approval
    }
}

/// Per-VM rate limits (token buckets). Screenshots have their own budget; every other call counts as an
/// action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RateConfig {
    /// Apply the rate limits.
    #[schemars(title = "Rate limit on")]
    pub(super) enabled: bool,

    /// Actions (every call except screenshots) allowed per minute per VM.
    #[schemars(title = "Actions per minute", range(min = d::RATE_MIN))]
    pub(super) actions_per_minute: u32,

    /// Actions allowed back to back before the per-minute rate applies.
    #[schemars(title = "Action burst", range(min = d::RATE_MIN))]
    pub(super) action_burst: u32,

    /// Screenshots allowed per minute per VM.
    #[schemars(title = "Screenshots per minute", range(min = d::RATE_MIN))]
    pub(super) screenshots_per_minute: u32,

    /// Screenshots allowed back to back before the per-minute rate applies.
    #[schemars(title = "Screenshot burst", range(min = d::RATE_MIN))]
    pub(super) screenshot_burst: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            actions_per_minute: d::ACTIONS_PER_MINUTE,
            action_burst: d::ACTION_BURST,
            screenshots_per_minute: d::SCREENSHOTS_PER_MINUTE,
            screenshot_burst: d::SCREENSHOT_BURST,
        }
    }
}

impl RateConfig {
    /// Whether the rate limits apply.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Actions per minute per VM.
    pub fn actions_per_minute(&self) -> u32 {
        self.actions_per_minute
    }

    /// Actions allowed back to back.
    pub fn action_burst(&self) -> u32 {
        self.action_burst
    }

    /// Screenshots per minute per VM.
    pub fn screenshots_per_minute(&self) -> u32 {
        self.screenshots_per_minute
    }

    /// Screenshots allowed back to back.
    pub fn screenshot_burst(&self) -> u32 {
        self.screenshot_burst
    }
}

/// Loop guard thresholds. A call is warned at the `…Warn` count and refused at the `…Refuse` count; any
/// different call (not part of an alternation) or a screen not seen recently resets the counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LoopConfig {
    /// Apply the loop guard.
    #[schemars(title = "Loop guard on")]
    pub(super) enabled: bool,

    /// The same call (tool and arguments) this many times in a row earns a warning.
    #[schemars(title = "Repeat warning at", range(min = d::REPEAT_MIN))]
    pub(super) repeat_warn: u32,

    /// The same call this many times in a row is refused.
    #[schemars(title = "Repeat refused at", range(min = d::REPEAT_MIN))]
    pub(super) repeat_refuse: u32,

    /// This many calls alternating between two calls (A B A B) earn a warning.
    #[schemars(title = "Alternation warning at", range(min = d::ALTERNATION_MIN))]
    pub(super) alternation_warn: u32,

    /// This many calls alternating between two calls are refused.
    #[schemars(title = "Alternation refused at", range(min = d::ALTERNATION_MIN))]
    pub(super) alternation_refuse: u32,

    /// This many identical screenshots in a row earn a warning.
    #[schemars(title = "Identical screenshots warning at", range(min = d::REPEAT_MIN))]
    pub(super) identical_screenshots_warn: u32,

    /// This many identical screenshots in a row are refused.
    #[schemars(title = "Identical screenshots refused at", range(min = d::REPEAT_MIN))]
    pub(super) identical_screenshots_refuse: u32,

    /// Milliseconds a call counts towards a loop.
    #[schemars(title = "Loop window (ms)", range(min = d::LOOP_WINDOW_MIN_MS))]
    pub(super) window_ms: u64,
}

impl Default for LoopConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            repeat_warn: d::REPEAT_WARN,
            repeat_refuse: d::REPEAT_REFUSE,
            alternation_warn: d::ALTERNATION_WARN,
            alternation_refuse: d::ALTERNATION_REFUSE,
            identical_screenshots_warn: d::IDENTICAL_SCREENSHOTS_WARN,
            identical_screenshots_refuse: d::IDENTICAL_SCREENSHOTS_REFUSE,
            window_ms: d::LOOP_WINDOW_MS,
        }
    }
}

impl LoopConfig {
    /// Whether the loop guard applies.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Identical calls in a row that earn a warning.
    pub fn repeat_warn(&self) -> u32 {
        self.repeat_warn
    }

    /// Identical calls in a row that are refused.
    pub fn repeat_refuse(&self) -> u32 {
        self.repeat_refuse
    }

    /// Alternating calls that earn a warning.
    pub fn alternation_warn(&self) -> u32 {
        self.alternation_warn
    }

    /// Alternating calls that are refused.
    pub fn alternation_refuse(&self) -> u32 {
        self.alternation_refuse
    }

    /// Identical screenshots in a row that earn a warning.
    pub fn identical_screenshots_warn(&self) -> u32 {
        self.identical_screenshots_warn
    }

    /// Identical screenshots in a row that are refused.
    pub fn identical_screenshots_refuse(&self) -> u32 {
        self.identical_screenshots_refuse
    }

    /// How long a call counts towards a loop.
    pub fn window(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.window_ms)
    }
}

/// Which commands `vm_exec` and `vm_launch` may run. The policy is checked here, before anything is sent:
/// cua-computer-server runs commands through a shell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ExecConfig {
    /// `open`: any command (the guide's behaviour); `deny`: any command that matches no `deny` pattern;
    /// `allowlist`: only plain commands whose program is in `allow` (no shell metacharacters), and none
    /// that matches a `deny` pattern.
    #[schemars(title = "Exec mode")]
    pub(super) mode: ExecMode,

    /// Programs `allowlist` mode accepts: a bare name (`ls`) matches a command written with that name; a
    /// path (`/usr/bin/git`) matches only that path (`/usr//bin/git` is the same path). Interpreters and
    /// launchers (shells, python, env, sudo, xargs, make, …) allow everything and must also be listed in
    /// `unrestricted`.
    #[schemars(title = "Allowed programs")]
    pub(super) allow: Vec<String>,

    /// Programs in `allow` that can run any other program (interpreters, shells, launchers): listing them
    /// here says you know that allowing them allows every command. Their arguments are not checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Unrestricted programs")]
    pub(super) unrestricted: Vec<String>,

    /// Glob patterns of refused commands (`*` matches anything, e.g. `rm -rf *`, `*sudo *`), matched
    /// against the command's words with paths normalised (`cat /etc//shadow` is `cat /etc/shadow`), the whole
    /// command, and each part between shell separators. A seatbelt, not a boundary.
    #[schemars(title = "Denied command patterns")]
    pub(super) deny: Vec<String>,

    /// Longest `timeout` in seconds a `vm_exec` call may ask for; larger values are lowered to it.
    #[schemars(title = "Max command timeout (s)", range(min = d::EXEC_MAX_TIMEOUT_MIN_SECS))]
    pub(super) max_timeout_secs: u64,
}

impl Default for ExecConfig {
    fn default() -> Self {
        Self {
            mode: ExecMode::Open,
            allow: Vec::new(),
            unrestricted: Vec::new(),
            deny: Vec::new(),
            max_timeout_secs: d::EXEC_MAX_TIMEOUT_SECS,
        }
    }
}

impl ExecConfig {
    /// The policy mode.
    pub fn mode(&self) -> ExecMode {
        self.mode
    }

    /// Programs allowed in `allowlist` mode.
    pub fn allow(&self) -> &[String] {
        &self.allow
    }

    /// Allowed programs that may run anything (acknowledged launchers and interpreters).
    pub fn unrestricted(&self) -> &[String] {
        &self.unrestricted
    }

    /// Glob patterns of refused commands.
    pub fn deny(&self) -> &[String] {
        &self.deny
    }

    /// The largest `timeout` a command may ask for.
    pub fn max_timeout_secs(&self) -> u64 {
        self.max_timeout_secs
    }
}

/// How `vm_exec` and `vm_launch` commands are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExecMode {
    /// Any command.
    #[default]
    Open,
    /// Any command that matches no `deny` pattern.
    Deny,
    /// Only plain commands whose program is listed in `allow`.
    Allowlist,
}

impl ExecMode {
    /// The name used in configuration files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Deny => "deny",
            Self::Allowlist => "allowlist",
        }
    }
}

/// The audit log: one JSON line per tool call. Never contains screenshots or API keys; typed text and
/// file contents appear as their length and a keyed hash unless `redactText` is false; secrets inside any
/// logged string (commands, URLs, typed text) are scrubbed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Absolute path of the audit file (JSON lines); no path, no audit log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Audit file", example = &"/var/log/computer-use/audit.jsonl")]
    pub(super) path: Option<PathBuf>,

    /// Size in bytes at which the file is renamed to `<path>.1` (replacing the previous one) and a new
    /// file is started.
    #[schemars(title = "Audit file max bytes", range(min = d::AUDIT_MAX_BYTES_MIN))]
    pub(super) max_bytes: u64,

    /// Write typed text, clipboard text and file contents as their length and a hash instead of the text.
    #[schemars(title = "Redact typed text")]
    pub(super) redact_text: bool,

    /// Longer argument strings (e.g. long commands) are cut to this many characters.
    #[schemars(title = "Max value length", range(min = d::AUDIT_MAX_VALUE_CHARS_MIN))]
    pub(super) max_value_chars: u32,

    /// More secrets to scrub from every logged string, as regular expressions (Rust `regex` syntax), on top of
    /// the built-in ones (authorization headers, password flags, secret-looking `key=value`, URL user-info,
    /// well-known key formats, PEM keys, JWTs, high-entropy strings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "Extra secret patterns", example = &"corp-[0-9a-f]{32}")]
    pub(super) redact_patterns: Vec<String>,

    /// Absolute path of the HMAC key for text hashes (created mode 0600 if missing). Default:
    /// `~/.config/computer-use/audit-key`, deliberately not next to the log, so a copied log cannot be
    /// dictionary-attacked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Audit key file", example = &"/etc/computer-use/audit-key")]
    pub(super) key_file: Option<PathBuf>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            path: None,
            max_bytes: d::AUDIT_MAX_BYTES,
            redact_text: true,
            max_value_chars: d::AUDIT_MAX_VALUE_CHARS,
            redact_patterns: Vec::new(),
            key_file: None,
        }
    }
}

impl AuditConfig {
    /// The audit file, if auditing is on.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// Size at which the file is rotated.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Whether typed text and file contents are redacted.
    pub fn redact_text(&self) -> bool {
        self.redact_text
    }

    /// Longest argument string written as is.
    pub fn max_value_chars(&self) -> usize {
        usize::try_from(self.max_value_chars).unwrap_or(usize::MAX)
    }

    /// Extra secret patterns (regular expressions).
    pub fn redact_patterns(&self) -> &[String] {
        &self.redact_patterns
    }

    /// The HMAC key file, if configured.
    pub fn key_file(&self) -> Option<&std::path::Path> {
        self.key_file.as_deref()
    }
}

/// Recordings: one directory per VM, agent and session under `dir`, each a `meta.json`, one JSON line per tool
/// call and the images those lines name. Holds what the model saw (screenshots, command output, result text),
/// with arguments redacted like the audit log: keep it as private as the conversation itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RecordConfig {
    /// Absolute directory the recordings are written in (created if missing); no directory, no recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(title = "Recordings directory", example = &"/var/lib/computer-use/recordings")]
    pub(super) dir: Option<PathBuf>,

    /// Most bytes the recordings of one process may take together. Past it, image files are deleted oldest
    /// first (step lines are kept); when only step lines are left and they fill it, recording stops.
    #[schemars(title = "Recordings max bytes", range(min = d::RECORD_MAX_BYTES_MIN))]
    pub(super) max_bytes: u64,

    /// After each successful input action (click, typing, keys, drag, scroll, …), take a cheap screenshot
    /// (the server's JPEG, not scaled) for the recording only; the model does not see it. Costs one capture
    /// per action on the VM's GUI connection.
    #[schemars(title = "Screenshot after input")]
    pub(super) screenshot_after_input: bool,
}

impl Default for RecordConfig {
    fn default() -> Self {
        Self {
            dir: None,
            max_bytes: d::RECORD_MAX_BYTES,
            screenshot_after_input: false,
        }
    }
}

impl RecordConfig {
    /// The recordings directory, if recording is on.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// The byte budget of one process's recordings.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Whether input actions are followed by a screenshot for the recording.
    pub fn screenshot_after_input(&self) -> bool {
        self.screenshot_after_input
    }
}
