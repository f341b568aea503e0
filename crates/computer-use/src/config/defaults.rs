//! Every default and bound of the configuration, named once.
//!
//! The serde/schemars types in `raw.rs` read these constants for their `Default` impl and their schema
//! bounds, the resolver reads them for the values a block may leave out, and the tests compare them
//! against the seed's documented block. Changing a default is a change here and nowhere else.

/// The seed's Lume VM name.
pub const VM_NAME: &str = "openclaw-vm";
/// The seed's Lume HTTP API base URL (Lume's default port is 7777).
pub const LUME_API_URL: &str = "http://localhost:7777";
/// The seed's cua-computer-server port inside a Lume VM.
///
/// The real server defaults to 8000 (see `LOCAL_SERVER_PORT`); 5000 is kept because the seed's
/// documented block uses it and users' VMs were set up with `--port 5000`.
pub const SERVER_PORT: u16 = 5000;
/// Port of a cua-computer-server started with its own defaults: used by provider `local` when
/// `serverPort` is not given.
pub const LOCAL_SERVER_PORT: u16 = 8000;
/// Lowest allowed `serverPort`.
pub const SERVER_PORT_MIN: u16 = 1;
/// Highest allowed `serverPort`.
pub const SERVER_PORT_MAX: u16 = 65535;
/// How long to wait for a VM to boot, get an IP and accept the WebSocket.
pub const CONNECT_TIMEOUT_MS: u64 = 30_000;
/// How long one command may take.
pub const COMMAND_TIMEOUT_MS: u64 = 60_000;
/// Lowest allowed timeout: below a second every real call would fail.
pub const TIMEOUT_MIN_MS: u64 = 1_000;
/// Scale factor applied to screenshots before they reach the model.
pub const SCREENSHOT_SCALE: f64 = 0.5;
/// Smallest allowed scale.
pub const SCREENSHOT_SCALE_MIN: f64 = 0.1;
/// Largest allowed scale (no upscaling).
pub const SCREENSHOT_SCALE_MAX: f64 = 1.0;
/// The seed's screenshot size limit (10 MiB).
pub const MAX_SCREENSHOT_BYTES: u64 = 10_485_760;
/// Smallest allowed screenshot size limit: nothing useful fits below 1 KiB.
pub const MAX_SCREENSHOT_BYTES_MIN: u64 = 1_024;
/// cua-computer-server's WebSocket endpoint; every other path gets HTTP 403.
pub const WS_PATH: &str = "/ws";
/// The environment variable the cua SDKs read the cloud API key from.
pub const CLOUD_API_KEY_ENV: &str = "CUA_API_KEY";
/// Name of the VM described by the top-level keys (as opposed to a `vms` entry).
pub const DEFAULT_VM: &str = "default";
/// Prefix of the environment variables that override top-level keys.
pub const ENV_PREFIX: &str = "COMPUTER_USE_";
/// The plugin id: the key under `plugins.entries` in `openclaw.json`.
pub const PLUGIN_ID: &str = "computer-use";
/// The seed's eight keys: shown as basic (not advanced) settings in OpenClaw's UI.
pub const SEED_KEYS: [&str; 8] = [
    "vmName",
    "lumeApiUrl",
    "serverPort",
    "connectTimeoutMs",
    "commandTimeoutMs",
    "screenshotScale",
    "logVerbose",
    "maxScreenshotBytes",
];

/// serde default for `cloud.apiKeyEnv`.
pub(super) fn cloud_api_key_env() -> String {
    CLOUD_API_KEY_ENV.to_owned()
}
