//! The command line, declared with clap. Only parsing lives here; each command's work is in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Configuration: --config FILE (a JSON5 computer-use config block, or an openclaw.json whose
plugins.entries[\"computer-use\"].config is used), else $COMPUTER_USE_CONFIG, else the local desktop
(ws://127.0.0.1:8000/ws). COMPUTER_USE_<KEY> environment variables override single keys.

Exit status: 0 success, 1 failure, 2 bad usage; `exec` exits with the guest command's status.";

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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect and show the server version, screen size and connection state.
    #[command(
        after_help = "Example:\n  computer-use status\n  computer-use --config openclaw.json status --json"
    )]
    Status,
    /// Save a screenshot (PNG or JPEG, by the file's extension).
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
        /// Seconds before the server kills the command.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// The command line (joined with spaces, run by the guest's shell).
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Click at a point (screen pixels).
    #[command(after_help = "Example:\n  computer-use click 640 400 --button double")]
    Click {
        x: f64,
        y: f64,
        #[arg(long, value_enum, default_value_t = ClickButton::Left)]
        button: ClickButton,
    },
    /// Type text into the focused window.
    #[command(after_help = "Example:\n  computer-use type 'Hello from worker agent'")]
    Type { text: String },
    /// Press a key or a combination (server key names, e.g. enter, esc, ctrl+c).
    #[command(after_help = "Example:\n  computer-use key enter\n  computer-use key ctrl+shift+t")]
    Key { keys: String },
    /// Scroll up or down by notches.
    #[command(after_help = "Example:\n  computer-use scroll down --clicks 3")]
    Scroll {
        #[arg(value_enum)]
        direction: ScrollWay,
        #[arg(long, default_value_t = 5)]
        clicks: u32,
    },
    /// Launch an application in the VM.
    #[command(after_help = "Example:\n  computer-use launch xterm -- -geometry 80x24")]
    Launch {
        app: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Manage Lume VMs (lume provider only).
    #[command(subcommand)]
    Vm(VmCommand),
}

#[derive(Debug, Subcommand)]
pub enum VmCommand {
    /// List the VMs Lume knows.
    #[command(after_help = "Example:\n  computer-use --config openclaw.json vm list")]
    List,
    /// Show the configured VM's state and IP.
    #[command(after_help = "Example:\n  computer-use vm status")]
    Status,
    /// Start the VM (with the configured shared directory) and wait for its IP.
    #[command(after_help = "Example:\n  computer-use vm up")]
    Up,
    /// Stop the VM.
    #[command(after_help = "Example:\n  computer-use vm down")]
    Down,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClickButton {
    Left,
    Right,
    Double,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScrollWay {
    Up,
    Down,
}
