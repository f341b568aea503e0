//! Finding the server of a VM before each connection attempt.
//!
//! - `url` and `local`: a fixed address.
//! - `lume`: `GET {lumeApiUrl}/lume/vms/{vmName}` every time (a restarted VM gets a new DHCP lease, so a cached
//!   IP would go stale), reading `ipAddress` (not `ip`). `running` with `ipAddress: null` means the VM is
//!   booting: poll until an IP appears or `connectTimeoutMs` runs out, reporting progress. A stopped VM gets
//!   the seed's message with the command fixed (Lume has no `start` command).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cua_protocol::{CloudAuth, Endpoint, Resolve, ResolveError, ResolveFuture};
use lume_api::{LumeClient, LumeError, VmDetails, VmStatus};
use tokio::time::Instant;

use crate::config::{Provider, VmTarget};
use crate::vm::VmError;

/// How often a booting VM is asked for its IP.
const BOOT_POLL: Duration = Duration::from_millis(1000);
/// A slow Lume is given up on this much before the connect budget ends, so the caller reads "Lume did not
/// answer" rather than the client's generic "the address could not be found in time".
const LUME_MARGIN: Duration = Duration::from_millis(250);

/// Builds the resolver for a target.
pub fn resolver_for(target: &VmTarget) -> Result<Arc<dyn Resolve>, VmError> {
    let auth = target.cloud.as_ref().map(|c| CloudAuth {
        container_name: c.container_name.clone(),
        api_key: cua_protocol::Secret::new(c.api_key.expose()),
    });
    Ok(match &target.provider {
        Provider::Url { url } | Provider::Local { url } => {
            Arc::new(Endpoint::parse(url.as_str())?.with_auth(auth))
        }
        Provider::Lume {
            api_url,
            vm_name,
            port,
            path,
            tls,
            ..
        } => Arc::new(LumeResolver {
            lume: LumeClient::new(api_url.as_str(), Duration::from_secs(10))?,
            vm_name: vm_name.clone(),
            port: *port,
            path: path.clone(),
            tls: *tls,
            auth,
            wait: target.connect_timeout,
            last_ip: Mutex::new(None),
        }),
    })
}

/// Asks Lume for the VM's IP before each connection.
pub struct LumeResolver {
    lume: LumeClient,
    vm_name: String,
    port: u16,
    path: String,
    tls: bool,
    auth: Option<CloudAuth>,
    wait: Duration,
    last_ip: Mutex<Option<IpAddr>>,
}

impl Resolve for LumeResolver {
    fn resolve(&self) -> ResolveFuture<'_> {
        Box::pin(self.resolve_now())
    }
}

impl LumeResolver {
    async fn resolve_now(&self) -> Result<Endpoint, ResolveError> {
        let started = Instant::now();
        let deadline = started + self.wait;
        let lume_deadline = started + self.wait.saturating_sub(LUME_MARGIN);
        let mut announced = false;
        loop {
            let vm = tokio::time::timeout_at(lume_deadline, self.lume.get_vm(&self.vm_name))
                .await
                .map_err(|_| self.lume_too_slow())?
                .map_err(lume_failure)?;
            match vm_address(&vm) {
                Ok(ip) => {
                    self.note_ip(ip);
                    return Endpoint::from_parts(&ip.to_string(), self.port, &self.path, self.tls)
                        .map(|e| e.with_auth(self.auth.clone()))
                        .map_err(|e| ResolveError {
                            message: e.message(),
                            hint: e.hint(),
                            transient: false,
                            not_running: false,
                        });
                }
                Err(Wait::Booting) if Instant::now() + BOOT_POLL < deadline => {
                    if !announced {
                        tracing::info!(vm = %self.vm_name, "VM is running but has no IP address yet (booting); waiting up to {:?}", self.wait);
                        announced = true;
                    }
                    tokio::time::sleep(BOOT_POLL).await;
                }
                Err(Wait::Booting) => {
                    return Err(ResolveError {
                        message: format!(
                            "VM '{}' is running but has no IP address after {}s (still booting, or no DHCP lease)",
                            self.vm_name,
                            self.wait.as_secs()
                        ),
                        hint: Some(
                            "wait and retry, check `lume ls`, or raise connectTimeoutMs".to_owned(),
                        ),
                        transient: true,
                        not_running: false,
                    });
                }
                Err(Wait::Stop(message, transient)) => {
                    return Err(ResolveError {
                        message,
                        hint: None,
                        transient,
                        not_running: true,
                    });
                }
            }
        }
    }

    /// Lume did not answer within the connect budget.
    fn lume_too_slow(&self) -> ResolveError {
        ResolveError {
            message: format!(
                "Lume at {} did not answer about VM '{}' within the connect timeout ({} ms)",
                self.lume.base_url(),
                self.vm_name,
                self.wait.as_millis(),
            ),
            hint: Some(format!(
                "check that `lume serve` is responsive (`curl -s {}/lume/vms`), or raise connectTimeoutMs",
                self.lume.base_url()
            )),
            transient: true,
            not_running: false,
        }
    }

    /// Remembers the IP and says when it changed (a restarted VM gets a new lease).
    fn note_ip(&self, ip: IpAddr) {
        let Ok(mut last) = self.last_ip.lock() else {
            return;
        };
        if let Some(old) = *last
            && old != ip
        {
            tracing::warn!(vm = %self.vm_name, %old, new = %ip, "the VM's IP address changed; reconnecting to the new address");
        }
        *last = Some(ip);
    }
}

enum Wait {
    Booting,
    Stop(String, bool),
}

/// The IP of a VM that can be connected to now, or why not (every `Stop` means Lume reports the VM is not
/// running: stopped, being pulled or provisioned, or in another state).
fn vm_address(vm: &VmDetails) -> Result<IpAddr, Wait> {
    let name = &vm.name;
    match &vm.status {
        VmStatus::Running => vm.ip_addr().ok_or(Wait::Booting),
        VmStatus::Stopped => Err(Wait::Stop(not_running(name), false)),
        VmStatus::Provisioning { .. } => Err(Wait::Stop(
            format!(
                "VM '{name}' is still being provisioned ({}); wait until `lume ls` shows it stopped, then start it with: lume run {name} --no-display",
                vm.provisioning_operation
                    .as_deref()
                    .unwrap_or("in progress")
            ),
            true,
        )),
        VmStatus::Pulling => Err(Wait::Stop(
            format!(
                "VM '{name}' is still being pulled ({}% downloaded); wait for the pull to finish",
                vm.download_progress
                    .map_or_else(|| "?".to_string(), |p| format!("{p:.0}"))
            ),
            true,
        )),
        other => Err(Wait::Stop(
            format!(
                "VM '{name}' is in state `{}`, not running. Start it with: lume run {name} --no-display",
                other.as_str()
            ),
            false,
        )),
    }
}

/// The seed's message, with the command fixed: Lume has no `start` command.
pub fn not_running(name: &str) -> String {
    format!(
        "VM '{name}' is not running. Start it with: lume run {name} --no-display (or `computer-use vm up`)"
    )
}

fn lume_failure(e: LumeError) -> ResolveError {
    ResolveError {
        transient: e.is_transient(),
        message: e.message(),
        hint: e.hint(),
        not_running: false,
    }
}
