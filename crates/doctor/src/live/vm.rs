//! Does the VM exist in Lume, is it running, and does it have an IP address? A running VM without an IP is
//! booting (its DHCP lease is not known yet): wait for it, with progress, within `connectTimeoutMs`.
//!
//! Seed symptoms recognised: the seed's "Start it with: lume start openclaw-vm" names a command Lume does not
//! have (`lume run … --no-display`); the seed's plugin read `ip`, the field is `ipAddress` and null while booting.

use std::time::{Duration, Instant};

use computer_use::vm::lifecycle::{LumeVm, VmDetails, VmStatus};

use crate::report::Check;

/// Check id: Lume knows the VM.
pub const EXISTS: &str = "vm.exists";
/// Check id: the VM runs.
pub const RUNNING: &str = "vm.running";
/// Check id: the VM has an IP address.
pub const ADDRESS: &str = "vm.address";

/// The three checks, and the VM's details when all passed.
pub async fn check(
    lume: &LumeVm,
    known: &[VmDetails],
    wait: Duration,
    progress: &mut dyn FnMut(&str),
) -> (Vec<Check>, Option<VmDetails>) {
    let name = lume.name();
    let mut out = Vec::new();
    let vm = match lume.status().await {
        Ok(vm) => vm,
        Err(e) if e.is_vm_not_found() => {
            let names: Vec<&str> = known.iter().map(|v| v.name.as_str()).collect();
            let also = if names.is_empty() {
                format!(
                    "Lume has no VMs yet: create one with `lume create {name} --os macos --ipsw latest`"
                )
            } else {
                format!(
                    "Lume knows: {}; set vmName to one of them",
                    names.join(", ")
                )
            };
            out.push(Check::fail_from_error(EXISTS, &e).add_fix(&also));
            return (
                skip_after(out, EXISTS, &format!("VM '{name}' does not exist")),
                None,
            );
        }
        Err(e) => {
            out.push(Check::fail_from_error(EXISTS, &e));
            return (
                skip_after(out, EXISTS, "Lume did not describe the VM"),
                None,
            );
        }
    };
    out.push(Check::pass(
        EXISTS,
        format!("Lume knows VM '{name}' ({})", describe(&vm)),
    ));
    match &vm.status {
        VmStatus::Running => out.push(Check::pass(RUNNING, format!("VM '{name}' is running"))),
        VmStatus::Stopped => {
            out.push(Check::fail(
                RUNNING,
                format!("VM '{name}' is not running (status `stopped`)"),
                format!(
                    "start it with: lume run {name} --no-display (or `computer-use vm up`); Lume has no `lume start` command, whatever the seed's message says"
                ),
            ));
            return (
                skip_after(out, RUNNING, &format!("VM '{name}' is not running")),
                None,
            );
        }
        other => {
            let detail = match other {
                VmStatus::Pulling => format!(
                    "still being pulled ({}% downloaded)",
                    vm.download_progress
                        .map_or_else(|| "?".to_owned(), |p| format!("{p:.0}"))
                ),
                VmStatus::Provisioning { .. } => format!(
                    "still being provisioned ({})",
                    vm.provisioning_operation
                        .as_deref()
                        .unwrap_or("in progress")
                ),
                s => format!("in state `{}`", s.as_str()),
            };
            out.push(Check::fail(
                RUNNING,
                format!("VM '{name}' is {detail}, not running"),
                format!("wait until `lume ls` shows it stopped, then start it with: lume run {name} --no-display"),
            ));
            return (
                skip_after(out, RUNNING, &format!("VM '{name}' is not running")),
                None,
            );
        }
    }
    if let Some(ip) = vm.ip_address.as_deref() {
        out.push(Check::pass(
            ADDRESS,
            format!("VM '{name}' has IP address {ip}"),
        ));
        return (out, Some(vm));
    }
    progress(&format!(
        "VM '{name}' is running but has no IP address yet (booting); waiting up to {}s",
        wait.as_secs()
    ));
    let started = Instant::now();
    match lume.wait_for_ip(wait, |m| progress(m)).await {
        Ok(vm) => {
            out.push(Check::pass(
                ADDRESS,
                format!(
                    "VM '{name}' has IP address {} (it was booting; the address appeared after {:.0}s)",
                    vm.ip_address.as_deref().unwrap_or("?"),
                    started.elapsed().as_secs_f64()
                ),
            ));
            (out, Some(vm))
        }
        Err(e) => {
            out.push(
                Check::fail_from_error(ADDRESS, &e)
                    .add_fix("or raise connectTimeoutMs if the VM boots slowly"),
            );
            (out, None)
        }
    }
}

/// `os, N CPUs, M GiB, display WxH, network`.
fn describe(vm: &VmDetails) -> String {
    let mut parts = Vec::new();
    parts.extend(vm.os.clone());
    parts.extend(vm.cpu_count.map(|c| format!("{c} CPUs")));
    parts.extend(
        vm.memory_size
            .map(|m| format!("{:.0} GiB", m as f64 / f64::from(1u32 << 30))),
    );
    parts.extend(vm.display.as_ref().map(|d| format!("display {d}")));
    parts.extend(vm.network_mode.as_ref().map(|n| format!("network {n}")));
    parts.join(", ")
}

/// The VM checks after `failed`, skipped with `why`.
fn skip_after(mut out: Vec<Check>, failed: &str, why: &str) -> Vec<Check> {
    let rest: &[&str] = match failed {
        EXISTS => &[RUNNING, ADDRESS],
        RUNNING => &[ADDRESS],
        _ => &[],
    };
    out.extend(rest.iter().map(|id| Check::skip(id, why)));
    out
}
