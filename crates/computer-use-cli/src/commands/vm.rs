//! `computer-use vm list|status|up|down`: Lume VMs here, the local desktop in [`super::vm_local`]. Progress
//! goes to stderr while waiting.

use std::process::ExitCode;

use computer_use::config::Provider;
use computer_use::vm::Vms;
use computer_use::vm::lifecycle::LumeVm;

use crate::cli::VmCommand;
use crate::json::VmRow;

pub async fn run(
    vms: &Vms,
    name: Option<&str>,
    cmd: VmCommand,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let target = vms.config().vm(name)?;
    if matches!(target.provider, Provider::Local { .. }) {
        return super::vm_local::run(&target, cmd, json).await;
    }
    let lume = LumeVm::for_target(&target)?;
    match cmd {
        VmCommand::List(_) => {
            let list = lume.list().await?;
            if json {
                let rows: Vec<_> = list.iter().map(row).collect();
                crate::print::json(&rows)?;
            } else {
                for vm in &list {
                    crate::print::line(format!(
                        "{:<24} {:<14} {}",
                        vm.name,
                        vm.status.as_str(),
                        vm.ip_address.as_deref().unwrap_or("-")
                    ))?;
                }
            }
        }
        VmCommand::Status(_) => {
            let vm = lume.status().await?;
            if json {
                crate::print::json(&row(&vm))?;
            } else {
                crate::print::line(format!(
                    "VM '{}' is {} (IP {})",
                    vm.name,
                    vm.status.as_str(),
                    vm.ip_address.as_deref().unwrap_or("none yet")
                ))?;
            }
        }
        VmCommand::Up(_) => {
            let vm = lume.up(|msg| eprintln!("{msg}")).await?;
            if json {
                crate::print::json(&row(&vm))?;
            } else {
                crate::print::line(format!(
                    "VM '{}' is running at {}",
                    vm.name,
                    vm.ip_address.as_deref().unwrap_or("?")
                ))?;
            }
        }
        VmCommand::Down(_) => {
            lume.down().await?;
            if json {
                crate::print::line(serde_json::json!({"name": lume.name(), "status": "stopped"}))?;
            } else {
                crate::print::line(format!("VM '{}' is stopped", lume.name()))?;
            }
        }
        // Answered before the configuration is loaded.
        VmCommand::Watchdog => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn row(vm: &computer_use::vm::lifecycle::VmDetails) -> VmRow {
    VmRow {
        name: vm.name.clone(),
        status: vm.status.as_str().to_owned(),
        ip_address: vm.ip_address.clone(),
    }
}
