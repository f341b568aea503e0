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
pub const SCREENSHOT_SCALE_MIN: f64 = imaging::MIN_SCALE;
/// Largest allowed scale (no upscaling).
pub const SCREENSHOT_SCALE_MAX: f64 = imaging::MAX_SCALE;
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

/// JPEG quality asked of the server for a capture that is then scaled and re-encoded (`screenshot.captureQuality`).
pub const CAPTURE_QUALITY: u8 = 90;
/// JPEG quality of the model image (`screenshot.quality`).
pub const MODEL_JPEG_QUALITY: u8 = imaging::DEFAULT_JPEG_QUALITY;
/// Longest edge of the model image (`screenshot.maxLongEdge`).
pub const MAX_LONG_EDGE: u32 = imaging::MODEL_MAX_LONG_EDGE;
/// Pixel budget of the model image (`screenshot.maxPixels`).
pub const MAX_PIXELS: u64 = imaging::MODEL_MAX_PIXELS;

/// Actions (every call except screenshots) allowed per minute per VM: generous, so only a runaway loop
/// reaches it (a human-speed agent makes a few dozen per minute).
pub const ACTIONS_PER_MINUTE: u32 = 600;
/// Actions allowed back to back before the per-minute rate applies.
pub const ACTION_BURST: u32 = 60;
/// Screenshots allowed per minute per VM (each one costs the model thousands of tokens).
pub const SCREENSHOTS_PER_MINUTE: u32 = 120;
/// Screenshots allowed back to back before the per-minute rate applies.
pub const SCREENSHOT_BURST: u32 = 20;
/// Lowest allowed rate or burst: zero would refuse everything; turn the rate limit off instead.
pub const RATE_MIN: u32 = 1;
/// The same action with the same arguments this many times in a row gets a warning in its result.
pub const REPEAT_WARN: u32 = 3;
/// ... and this many times in a row is refused.
pub const REPEAT_REFUSE: u32 = 5;
/// Calls alternating between two actions (A B A B) that earn a warning.
pub const ALTERNATION_WARN: u32 = 4;
/// Calls alternating between two actions that are refused.
pub const ALTERNATION_REFUSE: u32 = 8;
/// Identical screenshots in a row that earn a warning.
pub const IDENTICAL_SCREENSHOTS_WARN: u32 = 3;
/// Input actions in a row that changed nothing on the screen before the result warns and names likely causes.
pub const NO_EFFECT_WARN: u32 = 3;
/// Identical screenshots in a row that are refused.
pub const IDENTICAL_SCREENSHOTS_REFUSE: u32 = 6;
/// Lowest allowed repeat or screenshot threshold: refusing the first call would refuse every call.
pub const REPEAT_MIN: u32 = 2;
/// Lowest allowed alternation threshold: two different calls in a row are not yet an alternation.
pub const ALTERNATION_MIN: u32 = 3;
/// Calls older than this no longer count towards a loop: a loop is a burst, not a habit.
pub const LOOP_WINDOW_MS: u64 = 300_000;
/// Shortest allowed loop window.
pub const LOOP_WINDOW_MIN_MS: u64 = 1_000;
/// Longest `timeout` (seconds) a `vm_exec` call may ask for; larger values are lowered to it.
pub const EXEC_MAX_TIMEOUT_SECS: u64 = 600;
/// Shortest allowed maximum command timeout.
pub const EXEC_MAX_TIMEOUT_MIN_SECS: u64 = 1;
/// Size at which the audit log is rotated to `<path>.1` (so it never takes more than twice this).
pub const AUDIT_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Smallest allowed audit log size: a few lines.
pub const AUDIT_MAX_BYTES_MIN: u64 = 4_096;
/// Longest argument string written to the audit log as is; longer ones are cut.
pub const AUDIT_MAX_VALUE_CHARS: u32 = 1_000;
/// Shortest allowed cut-off for audit values.
pub const AUDIT_MAX_VALUE_CHARS_MIN: u32 = 16;

/// Most bytes one process's recordings take together (`record.maxBytes`): about a thousand model-sized
/// screenshots.
pub const RECORD_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Smallest allowed recording budget: a few screenshots.
pub const RECORD_MAX_BYTES_MIN: u64 = 1024 * 1024;

/// serde default for `cloud.apiKeyEnv`.
pub(super) fn cloud_api_key_env() -> String {
    CLOUD_API_KEY_ENV.to_owned()
}
