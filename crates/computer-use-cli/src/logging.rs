//! Logs go to stderr only (stdout may carry MCP or machine-readable output). `-v` shows debug detail,
//! `-q` only errors; `RUST_LOG` overrides both.

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn,computer_use=info",
        (false, 1) => "info,computer_use=debug,cua_protocol=debug",
        // rmcp logs whole responses at debug, screenshots included: keep it at info.
        (false, _) => "debug,rmcp=info",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .try_init();
}
