//! Starting, stopping and listing Lume VMs (`computer-use vm list|status|up|down`).
//!
//! `up` is `POST /lume/vms/{name}/run` (with the configured shared directory, no display) followed by a wait
//! for the VM's IP; Lume answers 202 before the VM boots, so the wait is what tells the user it worked.

use std::time::Duration;

use lume_api::{LumeClient, RunOptions, SharedDirectory};
/// What Lume reports about a VM, and the state it is in: the lifecycle's answers, re-exported so its callers
/// (the CLI, the doctor) use them through the core and need no dependency on the Lume client.
pub use lume_api::{VmDetails, VmStatus};
use tokio::time::Instant;

use crate::config::{Provider, VmTarget};
use crate::vm::VmError;

/// The Lume side of a target: its API client and VM name.
pub struct LumeVm {
    client: LumeClient,
    vm_name: String,
    shared_dir: Option<std::path::PathBuf>,
    wait: Duration,
}

impl LumeVm {
    /// Only `lume` targets have a lifecycle; others get an error that says so.
    pub fn for_target(target: &VmTarget) -> Result<LumeVm, VmError> {
        match &target.provider {
            Provider::Lume {
                api_url,
                vm_name,
                shared_dir,
                ..
            } => Ok(LumeVm {
                client: LumeClient::new(api_url.as_str(), Duration::from_secs(10))?,
                vm_name: vm_name.clone(),
                shared_dir: shared_dir.clone(),
                wait: target.connect_timeout.max(Duration::from_secs(60)),
            }),
            other => Err(VmError::Lifecycle(format!(
                "VM '{}' uses the `{}` provider: only `lume` VMs (and, with `computer-use vm`, the `local` desktop) can be listed, started or stopped",
                target.name,
                other.kind().as_str()
            ))),
        }
    }

    /// Lume's name of the VM.
    pub fn name(&self) -> &str {
        &self.vm_name
    }

    /// All VMs Lume knows.
    pub async fn list(&self) -> Result<Vec<VmDetails>, VmError> {
        Ok(self.client.list_vms().await?)
    }

    /// This VM's details.
    pub async fn status(&self) -> Result<VmDetails, VmError> {
        Ok(self.client.get_vm(&self.vm_name).await?)
    }

    /// Starts the VM (if stopped) and waits for its IP. `progress` is called about once a second while waiting.
    pub async fn up(&self, mut progress: impl FnMut(&str)) -> Result<VmDetails, VmError> {
        let vm = self.status().await?;
        if !vm.status.is_running() {
            if !matches!(vm.status, VmStatus::Stopped) {
                return Err(VmError::Lifecycle(format!(
                    "VM '{}' is `{}`; it can be started once it is stopped",
                    self.vm_name,
                    vm.status.as_str()
                )));
            }
            let shared_directories = self
                .shared_dir
                .iter()
                .map(|p| SharedDirectory::read_write(p.to_string_lossy()))
                .collect();
            let options = RunOptions {
                no_display: true,
                shared_directories,
            };
            self.client.run_vm(&self.vm_name, &options).await?;
            progress(&format!("starting VM '{}'", self.vm_name));
        }
        self.wait_for_ip(self.wait, progress).await
    }

    /// Polls Lume about once a second until the VM runs and has an IP address (a running VM has none until its
    /// DHCP lease appears), calling `progress` on each poll; fails after `within`. Starts nothing: `up` starts the
    /// VM first, `computer-use doctor` only watches a VM that is booting.
    pub async fn wait_for_ip(
        &self,
        within: Duration,
        mut progress: impl FnMut(&str),
    ) -> Result<VmDetails, VmError> {
        let started = Instant::now();
        loop {
            let vm = self.status().await?;
            if vm.status.is_running()
                && let Some(ip) = vm.ip_address.as_deref()
            {
                progress(&format!("VM '{}' is running at {ip}", self.vm_name));
                return Ok(vm);
            }
            if started.elapsed() > within {
                return Err(VmError::NoIpAddress {
                    vm: self.vm_name.clone(),
                    waited: within,
                    status: vm.status.as_str().to_owned(),
                });
            }
            progress(&format!(
                "waiting for VM '{}' to boot ({}s, status `{}`)",
                self.vm_name,
                started.elapsed().as_secs(),
                vm.status.as_str()
            ));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Stops the VM (Lume blocks for several seconds while it shuts down).
    pub async fn down(&self) -> Result<(), VmError> {
        let vm = self.status().await?;
        if !vm.status.is_running() {
            return Ok(());
        }
        Ok(self.client.stop_vm(&self.vm_name).await?)
    }
}
