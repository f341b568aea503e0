//! One function per command. Each loads the configuration, takes the VM session from the core, runs, and
//! prints a short human line (or JSON with `--json`) on stdout.

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
use computer_use::vm::{VmSession, Vms};

use crate::cli::{Cli, Command, VmCommand};
use crate::setup;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // `tools` needs no configuration at all, and `serve` may build its own from `--plugin-config`.
    match &cli.command {
        Command::Tools => return tools::run(cli.global.json),
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
        Command::Status => status::run(&*session(&vms, g)?, g.json).await,
        Command::Screenshot { output } => {
            screenshot::run(&*session(&vms, g)?, &output, g.json).await
        }
        Command::Exec { timeout, command } => input::exec(&ctx, &command, timeout, g.json).await,
        Command::Click { x, y, button } => input::click(&*session(&vms, g)?, x, y, button).await,
        Command::Type { text } => input::type_text(&ctx, &text, g.json).await,
        Command::Key { keys } => input::key(&ctx, &keys, g.json).await,
        Command::Scroll { direction, clicks } => {
            input::scroll(&*session(&vms, g)?, direction, clicks).await
        }
        Command::Launch { app, args } => input::launch(&ctx, &app, args, g.json).await,
        Command::Vm(cmd) => vm::run(&vms, g.vm.as_deref(), cmd, g.json).await,
        // Answered above.
        Command::Tools | Command::Serve(_) | Command::Doctor(_) | Command::Openclaw(_) => {
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn session(vms: &Vms, global: &crate::cli::Global) -> anyhow::Result<Arc<VmSession>> {
    Ok(vms.get(global.vm.as_deref())?)
}

/// Turns a protocol error into the session's best explanation.
pub(crate) fn explain(session: &VmSession, e: computer_use::cua::Error) -> anyhow::Error {
    anyhow::Error::new(session.explain(e))
}
