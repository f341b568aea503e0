//! The `computer-use` binary: a thin face over the core library. It parses arguments, loads the
//! configuration, calls the core, and prints. Exit codes are documented in [`exit`].

mod cli;
mod commands;
mod exit;
mod json;
mod logging;
mod mcp;
mod print;
mod setup;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    logging::init(args.global.verbose, args.global.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::ERROR.into();
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(code) => code,
        // The reader went away (`computer-use tools | head -1`): nothing is wrong.
        Err(e) if print::is_closed(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::ERROR.into()
        }
    }
}
