//! The command line, declared with clap. Only parsing lives here; each command's work is in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Configuration: --config FILE (a JSON5 computer-use config block, or an openclaw.json whose
plugins.entries[\"computer-use\"].config is used), else $COMPUTER_USE_CONFIG, else the local desktop
(ws://127.0.0.1:8000/ws). COMPUTER_USE_<KEY> environment variables override single keys.

Exit status: 0 success, 1 failure, 2 bad usage; `exec` exits with the guest command's status; `vm up`
exits 3 when the display, 4 when the port is in use by someone else.";

/// Drive a VM's desktop (or the local one) through cua-computer-server.
#[derive(Debug, Parser)]
#[command(name = "computer-use", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Configuration file (JSON5 config block, or an openclaw.json).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override the provider: lume, url or local.
    #[arg(long, global = true, value_name = "PROVIDER")]
    pub provider: Option<String>,
    /// Connect to this ws:// or wss:// URL (implies --provider url).
    #[arg(long, global = true, value_name = "URL")]
    pub server_url: Option<String>,
    /// Which configured VM to use (a key of `vms`; default: the top-level VM).
    #[arg(long, global = true, value_name = "NAME")]
    pub vm: Option<String>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// More log detail on stderr (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Record every tool call into a new recording under DIR (as `record.dir` in the configuration; `serve`
    /// records one per VM, agent and session). View it with `computer-use record view`.
    #[arg(long, global = true, value_name = "DIR")]
    pub record: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect and show the server version, screen size and connection state (the same report as vm_status).
    #[command(
        after_help = "Example:\n  computer-use status\n  computer-use --config openclaw.json status --json"
    )]
    Status,
    /// Save a full-resolution screenshot (PNG or JPEG, by the file's extension).
    #[command(after_help = "Example:\n  computer-use screenshot -o desktop.png")]
    Screenshot {
        /// Output file (.png, .jpg or .jpeg).
        #[arg(short, long, default_value = "screenshot.png")]
        output: PathBuf,
    },
    /// Run a shell command in the VM; exits with its status.
    #[command(
        after_help = "Example:\n  computer-use exec -- uname -a\n  computer-use exec --timeout 120 -- 'make -j4 2>&1 | tail'"
    )]
    Exec {
        /// Seconds before the server kills the command (default: commandTimeoutMs from the configuration).
        #[arg(long)]
        timeout: Option<u64>,
        /// The command line (joined with spaces, run by the guest's shell).
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Click at a point in screen pixels (as in a full-size `computer-use screenshot`).
    #[command(after_help = "Example:\n  computer-use click 640 400 --button double")]
    Click {
        x: f64,
        y: f64,
        /// Which click (default: left).
        #[arg(long, value_parser = click_buttons())]
        button: Option<String>,
    },
    /// Type text into the focused window.
    #[command(after_help = "Example:\n  computer-use type 'Hello from worker agent'")]
    Type { text: String },
    /// Press a key or a combination (server key names, e.g. enter, esc, ctrl+c).
    #[command(after_help = "Example:\n  computer-use key enter\n  computer-use key ctrl+shift+t")]
    Key { keys: String },
    /// Scroll by wheel notches, where the pointer is or at a point in screen pixels.
    #[command(
        after_help = "Example:\n  computer-use scroll down --clicks 3\n  computer-use scroll up --at 640 400"
    )]
    Scroll {
        #[arg(value_parser = scroll_directions())]
        direction: String,
        /// Wheel notches (default: vm_scroll's default).
        #[arg(long)]
        clicks: Option<u32>,
        /// Scroll at this point (screen pixels) instead of where the pointer is.
        #[arg(long, num_args = 2, value_names = ["X", "Y"])]
        at: Option<Vec<f64>>,
    },
    /// Launch an application in the VM.
    #[command(after_help = "Example:\n  computer-use launch xterm -- -geometry 80x24")]
    Launch {
        app: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Start, stop and look at the VM: a Lume VM, or the local desktop (Xvfb + openbox + the server).
    #[command(subcommand)]
    Vm(VmCommand),
    /// Serve the vm_* tools over MCP: on stdio for a client that spawns us, or on streamable HTTP at /mcp.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// List the vm_* tools and their arguments (no VM contact); --json prints their schemas. Only the
    /// configuration's `toolset` is listed, less the tools its tool policy (`tools.allow`/`tools.deny`) denies.
    #[command(
        after_help = "Example:\n  computer-use tools\n  computer-use tools --json --config computer-use.json5\n  computer-use tools --json --plugin-config '{\"tools\":{\"deny\":[\"vm_exec\"]}}'\n  computer-use tools --json --toolset seed"
    )]
    Tools(ToolsArgs),
    /// Check the whole deployment (Lume, VM, server, screenshot, shared directory, latency) and the security
    /// posture of openclaw.json; exits 1 when any check fails.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// OpenClaw setup helpers.
    #[command(subcommand)]
    Openclaw(OpenclawCommand),
    /// Recordings of tool calls (`record.dir` or `--record DIR`): list them, view one in the browser, replay one
    /// against a VM as a regression test.
    #[command(subcommand)]
    Record(RecordCommand),
}

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// List the recordings in DIR (default: record.dir of the configuration): start, VM, agent, session,
    /// steps, failures, size.
    #[command(
        after_help = "Example:\n  computer-use record list /var/lib/computer-use/recordings\n  computer-use record list --json"
    )]
    List {
        /// A directory of recordings (or one recording).
        dir: Option<PathBuf>,
    },
    /// Write one self-contained HTML page for a recording (no network; open it from disk): filmstrip, each
    /// step's tool, arguments, outcome and screen with the input drawn where it landed.
    #[command(after_help = RECORD_VIEW_HELP)]
    View {
        /// The recording's directory (one of those `record list` shows).
        dir: PathBuf,
        /// The page to write (default: DIR/index.html).
        #[arg(short, long, value_name = "FILE.html")]
        output: Option<PathBuf>,
    },
    /// Re-send a recording's actions to a VM through the guards, compare each screen with the recorded one,
    /// stop at the first divergent step and write a report page. Exit 0: every step matched; 1: a step
    /// diverged; 2: the replay could not run.
    #[command(after_help = RECORD_REPLAY_HELP)]
    Replay(ReplayArgs),
}

const RECORD_VIEW_HELP: &str = "\
Examples:
  computer-use record view ~/recordings/20261125T153800Z-default-worker-4242
  computer-use record view DIR -o /tmp/run.html

Keys in the page: ←/→ previous/next step, f/F next/previous failure, / search, Home/End.";

const RECORD_REPLAY_HELP: &str = "\
Examples:
  computer-use record replay DIR                    # onto the VM the recording names
  computer-use --vm lab record replay DIR           # onto the configured VM `lab`
  computer-use record replay DIR --threshold 0.8 -o report.html

The actions go to the VM asked for (--vm, else the recording's VM name) and to no other: agentVms does not
apply, and a VM whose screen size differs from the recording's is refused before anything is sent. Each
action is sent once and never retried; waiting for a screen to settle takes extra screenshots only. Typed
text the recording redacted (audit.redactText) cannot be replayed: record with `audit: {redactText: false}`,
or pass --skip-redacted to replay the rest.";

/// `computer-use record replay` flags.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording's directory.
    pub dir: PathBuf,
    /// Two screens match when the SSIM of their least similar 8x8 window (grayscale) is at least this.
    #[arg(long, default_value_t = recording::compare::DEFAULT_THRESHOLD, value_name = "0..1")]
    pub threshold: f64,
    /// Seconds to wait for a screen to settle into the recorded one before calling it divergent.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub settle: f64,
    /// Skip steps whose arguments were redacted when recorded (instead of refusing the replay).
    #[arg(long)]
    pub skip_redacted: bool,
    /// The report page (default: DIR/replay-<time>.html).
    #[arg(short, long, value_name = "FILE.html")]
    pub output: Option<PathBuf>,
}

const DOCTOR_HELP: &str = "\
Examples:
  computer-use doctor --config ~/.openclaw/openclaw.json
  computer-use doctor --config openclaw.json --offline      # the posture audit alone, no network
  computer-use doctor --config openclaw.json --json | jq '.checks[] | select(.status == \"fail\")'

Without --config: $COMPUTER_USE_CONFIG, else $OPENCLAW_CONFIG_PATH, else ~/.openclaw/openclaw.json, else the
local desktop. Each line is ✓ (pass), ✗ (fail), ! (warning), i (information) or - (skipped), with the fix
below it. --json prints {ok, failed, warnings, checks: [{id, status, message, fix}]}.";

/// `computer-use doctor` flags.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Only audit openclaw.json (no Lume, VM or server contact).
    #[arg(long)]
    pub offline: bool,
}

/// `--toolset` of `tools`: the configuration's `toolset` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ToolsetArg {
    /// Every tool.
    Full,
    /// The Phase 8 guide's seven.
    Seed,
}

impl From<ToolsetArg> for computer_use::config::Toolset {
    fn from(t: ToolsetArg) -> Self {
        match t {
            ToolsetArg::Full => computer_use::config::Toolset::Full,
            ToolsetArg::Seed => computer_use::config::Toolset::Seed,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum OpenclawCommand {
    /// Print the plugin entry and the worker agent for your OpenClaw, or merge them into openclaw.json
    /// (--write), keeping its comments; the main agent gets `worker` in subagents.allowAgents.
    #[command(after_help = OPENCLAW_CONFIG_HELP)]
    Config(OpenclawConfigArgs),
}

const OPENCLAW_CONFIG_HELP: &str = "\
Examples:
  computer-use openclaw config                                   # print a minimal openclaw.json
  computer-use openclaw config --write --config ~/.openclaw/openclaw.json
  computer-use openclaw config --openclaw-version 2026.2.19     # the guide's agents.list form

--write merges into --config FILE (else $OPENCLAW_CONFIG_PATH, else ~/.openclaw/openclaw.json; created when
missing) and says what it added; running it again changes nothing. Check the result with
`openclaw config validate` and `computer-use doctor --offline --config FILE`.";

/// `computer-use openclaw config` flags.
#[derive(Debug, Args)]
pub struct OpenclawConfigArgs {
    /// Merge into the openclaw.json instead of printing.
    #[arg(long)]
    pub write: bool,
    /// The plugin directory for plugins.load.paths (default: extensions/computer-use next to this binary).
    #[arg(long, value_name = "DIR")]
    pub plugin_path: Option<PathBuf>,
    /// Write for this OpenClaw version (default: what `openclaw --version` says, else 2026.9.6).
    #[arg(long, value_name = "VERSION")]
    pub openclaw_version: Option<String>,
}

const SERVE_HELP: &str = "\
Examples:
  computer-use serve --stdio
  computer-use --config openclaw.json serve --stdio
  computer-use serve --http 127.0.0.1:8765
  COMPUTER_USE_MCP_TOKEN=$(openssl rand -hex 32) computer-use serve --http 0.0.0.0:8765 --allow-host vmhost.lan

HTTP binds loopback unless told otherwise; any other address needs a bearer token (clients send
`Authorization: Bearer TOKEN`). The bound address is printed on stderr. No VM is contacted until the first
tool call.";

/// Where `tools` reads the configuration whose tool policy it applies.
#[derive(Debug, Args)]
pub struct ToolsArgs {
    /// The OpenClaw plugin config object, as JSON (what the OpenClaw shim passes), instead of --config.
    #[arg(long, value_name = "JSON")]
    pub plugin_config: Option<String>,
    /// Which tools, instead of the configuration's `toolset`: `full` (all) or `seed` (the Phase 8 guide's
    /// seven).
    #[arg(long, value_enum, env = "COMPUTER_USE_TOOLSET")]
    pub toolset: Option<ToolsetArg>,
}

/// How `serve` talks to its client.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("transport").required(true).args(["stdio", "http"])))]
pub struct ServeArgs {
    /// Speak MCP on stdin/stdout (logs go to stderr).
    #[arg(long)]
    pub stdio: bool,
    /// Listen for MCP streamable HTTP on ADDR, at /mcp: IP:PORT, or a bare PORT for 127.0.0.1 (port 0
    /// picks a free port).
    #[arg(long, value_name = "ADDR", value_parser = listen_addr)]
    pub http: Option<std::net::SocketAddr>,
    /// Bearer token HTTP clients must send; required to bind a non-loopback address. Prefer the environment
    /// variable: command lines are visible to other users.
    #[arg(
        long,
        env = "COMPUTER_USE_MCP_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<Token>,
    /// Also accept this Host name or address from HTTP clients (repeatable; loopback names and the bound
    /// address are always accepted).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// The OpenClaw plugin config object, as JSON (what the OpenClaw shim passes), instead of --config.
    #[arg(long, value_name = "JSON")]
    pub plugin_config: Option<String>,
    /// The client asks the person itself (the OpenClaw plugin, through OpenClaw's approvals): calls that
    /// `guards.approval` names run only with the one-time token the client gets by classifying the call first
    /// (`computer-use/classifyApproval`), not by elicitation. stdio only.
    #[arg(long, conflicts_with = "http")]
    pub host_approvals: bool,
}

/// `--http` values: `IP:PORT`, `[IPv6]:PORT`, `localhost:PORT`, or a bare `PORT` (loopback).
fn listen_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    let loopback = std::net::Ipv4Addr::LOCALHOST;
    if let Ok(port) = s.parse::<u16>() {
        return Ok((loopback, port).into());
    }
    if let Some(port) = s.strip_prefix("localhost:")
        && let Ok(port) = port.parse::<u16>()
    {
        return Ok((loopback, port).into());
    }
    s.parse().map_err(|_| {
        format!("`{s}` is not an address to listen on: use IP:PORT (e.g. 127.0.0.1:8765) or a port")
    })
}

/// A bearer token; its Debug form hides the value so it never reaches a log.
#[derive(Clone)]
pub struct Token(pub String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl std::str::FromStr for Token {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Token(s.to_string()))
    }
}

const VM_UP_HELP: &str = "\
Examples:
  computer-use vm up                                   # the local desktop on :99, ws://127.0.0.1:8000/ws
  computer-use vm up --display :5 --screen 1920x1080 --port 8001 --state-dir /tmp/desk5
  computer-use --config openclaw.json vm up            # a Lume VM (with the configured shared directory)

Local provider: starts Xvfb, openbox and cua-computer-server (idempotent), waits until the server answers,
and leaves them running until `computer-use vm down`. With --owner-pid a watchdog stops the desktop once that
process has exited. Missing packages or the server's venv are named with the command that installs them
(scripts/bootstrap). Exit status: 0 up, 1 failure, 3 the display is in use by someone else, 4 the port is in
use by someone else (pick other numbers and retry).";

#[derive(Debug, Subcommand)]
pub enum VmCommand {
    /// List the VMs Lume knows (the local provider: its one desktop).
    #[command(after_help = "Example:\n  computer-use --config openclaw.json vm list")]
    List(StateDirArg),
    /// Show the VM's state: Lume's status and IP, or which parts of the local desktop run (exit 1 unless
    /// all do).
    #[command(after_help = "Example:\n  computer-use vm status\n  computer-use vm status --json")]
    Status(StateDirArg),
    /// Start the VM and wait until it can be used: a Lume VM until it has an IP, the local desktop until
    /// its server answers.
    #[command(after_help = VM_UP_HELP)]
    Up(VmUpArgs),
    /// Stop the VM (the local desktop: every process it started; its logs stay).
    #[command(after_help = "Example:\n  computer-use vm down")]
    Down(StateDirArg),
    /// Internal: the local desktop's watchdog, started by `vm up --owner-pid`.
    #[command(hide = true)]
    Watchdog,
}

/// Where the local desktop keeps its state and logs.
#[derive(Debug, Args)]
pub struct StateDirArg {
    /// Local provider: the desktop's state directory (default ~/.cache/computer-use/desktop); one per
    /// desktop, so several run side by side.
    #[arg(long, env = "CUA_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

/// `computer-use vm up` flags; all but the state directory apply to the local provider only.
#[derive(Debug, Args)]
pub struct VmUpArgs {
    /// Local provider: the X display to create (default :99).
    #[arg(long, env = "CUA_DISPLAY", value_name = ":N")]
    pub display: Option<computer_use::vm::local::Display>,
    /// Local provider: the screen, WIDTHxHEIGHT[xDEPTH] (default 1280x800x24).
    #[arg(long, env = "CUA_SCREEN", value_name = "WxH[xD]")]
    pub screen: Option<computer_use::vm::local::Screen>,
    /// Local provider: the server's loopback port (default: serverPort, 8000).
    #[arg(long, env = "CUA_PORT", value_name = "PORT")]
    pub port: Option<u16>,
    #[command(flatten)]
    pub state: StateDirArg,
    /// Local provider: stop the desktop once this process has exited (a watchdog process watches it).
    #[arg(long, env = "CUA_OWNER_PID", value_name = "PID")]
    pub owner_pid: Option<u32>,
    /// Local provider: seconds to wait for the server to answer (default 20).
    #[arg(long, env = "CUA_READY_TIMEOUT", value_name = "SECS")]
    pub ready_timeout: Option<u64>,
}

/// The clicks `vm_click` accepts, from the core (one list for the tool and the CLI).
fn click_buttons() -> clap::builder::PossibleValuesParser {
    use computer_use::tools::pointer::ClickButton;
    clap::builder::PossibleValuesParser::new(ClickButton::ALL.map(ClickButton::name))
}

/// The directions `vm_scroll` accepts, from the core.
fn scroll_directions() -> clap::builder::PossibleValuesParser {
    use computer_use::tools::pointer::ScrollDirection;
    clap::builder::PossibleValuesParser::new(ScrollDirection::ALL.map(ScrollDirection::name))
}
