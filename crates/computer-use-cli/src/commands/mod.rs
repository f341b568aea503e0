//! One function per command. Each builds the configuration, calls the core (for VM actions: a tool through
//! `computer_use::tools`, the same path an agent's call takes, so the guards, the audit log and the
//! held-button record apply), and prints a short human line (or JSON with `--json`) through `crate::print`.

mod doctor;
mod input;
mod openclaw;
mod screenshot;
mod serve;
mod status;
mod tools;
mod vm;
mod vm_local;

use std::process::ExitCode;
use std::sync::Arc;

use computer_use::tools::ToolContext;
use computer_use::vm::Vms;

use crate::cli::{Cli, Command, VmCommand};
use crate::setup;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // `tools` needs no configuration at all, and `serve` may build its own from `--plugin-config`.
    match &cli.command {
        Command::Tools { toolset } => return tools::run(cli.global.json, (*toolset).into()),
        Command::Serve(args) => return serve::run(&cli.global, args).await,
        // The doctor reports an unusable configuration as a failed check instead of stopping.
        Command::Doctor(args) => return doctor::run(&cli.global, args).await,
        Command::Openclaw(cmd) => return openclaw::run(&cli.global, cmd),
        // The watchdog only needs its environment; a configuration problem must not keep a desktop alive.
        Command::Vm(VmCommand::Watchdog) => return vm_local::watchdog().await,
        _ => {}
    }
    let config = setup::config(&cli.global)?;
    let vms = Arc::new(Vms::new(config));
    let g = &cli.global;
    let mut ctx = ToolContext::new(vms.clone());
    ctx.vm = g.vm.clone();
    match cli.command {
        Command::Status => status::run(&ctx, g.json).await,
        Command::Screenshot { output } => screenshot::run(ctx, &output, g.json).await,
        Command::Exec { timeout, command } => input::exec(&ctx, &command, timeout, g.json).await,
        Command::Click { x, y, button } => input::click(ctx, x, y, button, g.json).await,
        Command::Type { text } => input::type_text(&ctx, &text, g.json).await,
        Command::Key { keys } => input::key(&ctx, &keys, g.json).await,
        Command::Scroll {
            direction,
            clicks,
            at,
        } => input::scroll(ctx, &direction, clicks, at, g.json).await,
        Command::Launch { app, args } => input::launch(&ctx, &app, args, g.json).await,
        Command::Vm(cmd) => vm::run(&vms, g.vm.as_deref(), cmd, g.json).await,
        // Answered above.
        Command::Tools { .. } | Command::Serve(_) | Command::Doctor(_) | Command::Openclaw(_) => {
            Ok(ExitCode::SUCCESS)
        }
    }
}
