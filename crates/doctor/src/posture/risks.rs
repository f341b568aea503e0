//! The seed's soft risks ("Security model" and "Limitations"), read from the plugin's own configuration:
//! - `vm_exec` command injection: the exec policy is `open` (the seed's behaviour) → a warning;
//! - "No rate limiting": our guards add one by default; turned off → a warning;
//! - "WebSocket security": `ws://` is acceptable on Lume's host-local NAT, not across a network → a warning
//!   for an unencrypted URL to anything but loopback or Lume's NAT subnet (192.168.64.0/24);
//! - "VM network egress": Lume VMs have full internet access by default; nothing here can see the VM's
//!   firewall → always informational;
//! - the `cloud` key: Cua Cloud has ended (cua-sandbox 0.9.1, `cua_sandbox/_ended.py`), so `cloud` only
//!   authenticates to a self-hosted container → informational, present only when a VM uses it.

use computer_use::tools::TypedTool;
use computer_use::tools::shell::{Exec, Launch};
use std::net::IpAddr;

use computer_use::config::{Config, ExecMode, Provider};

use crate::report::Check;

/// Check id.
pub const EXEC: &str = "risk.exec_policy";
/// Check id.
pub const RATE: &str = "risk.rate_limit";
/// Check id.
pub const TRANSPORT: &str = "risk.transport";
/// Check id.
pub const EGRESS: &str = "risk.egress";
/// Check id (only when a VM has a `cloud` section).
pub const CLOUD: &str = "risk.cloud";

/// Every soft-risk check for a configuration.
pub fn checks(config: &Config) -> Vec<Check> {
    let mut checks = vec![exec(config), rate(config), transport(config), egress()];
    checks.extend(cloud(config));
    checks
}

/// The same checks, skipped (no usable plugin config).
pub fn skipped(why: &str) -> Vec<Check> {
    [EXEC, RATE, TRANSPORT, EGRESS]
        .iter()
        .map(|id| Check::skip(id, why))
        .collect()
}

fn exec(config: &Config) -> Check {
    let exec = config.guards().exec();
    match exec.mode() {
        ExecMode::Open => Check::warn(
            EXEC,
            format!(
                "guards.exec.mode is \"open\" (the seed's behaviour): {} and {} run any command an agent composes, including text relayed from web pages or messages",
                Exec::SPEC.name,
                Launch::SPEC.name
            ),
            "set guards.exec to { mode: \"allowlist\", allow: [the programs the worker needs] } or { mode: \"deny\", deny: [patterns] }",
        ),
        mode => Check::pass(
            EXEC,
            format!(
                "guards.exec.mode is \"{}\" ({} allowed, {} denied patterns)",
                mode.as_str(),
                exec.allow().len(),
                exec.deny().len()
            ),
        ),
    }
}

fn rate(config: &Config) -> Check {
    let rate = config.guards().rate();
    if !rate.enabled() {
        return Check::warn(
            RATE,
            "guards.rate.enabled is false: nothing limits a runaway tool loop (the seed's \"No rate limiting\")",
            "remove `enabled: false` from guards.rate (defaults: 600 actions and 120 screenshots per minute per VM)",
        );
    }
    Check::pass(
        RATE,
        format!(
            "rate limit on: {} actions and {} screenshots per minute per VM",
            rate.actions_per_minute(),
            rate.screenshots_per_minute()
        ),
    )
}

/// What `cloud` does now that the hosted service behind it is gone.
fn cloud(config: &Config) -> Option<Check> {
    let uses = config.cloud_containers();
    if uses.is_empty() {
        return None;
    }
    let listed: Vec<String> = uses
        .iter()
        .map(|(vm, container)| format!("VM `{vm}`: container `{container}`"))
        .collect();
    Some(Check::info(
        CLOUD,
        format!(
            "`cloud` is set ({}). Cua Cloud has ended (cua-sandbox 0.9.1, cua_sandbox/_ended.py): no hosted service is \
             behind it. The server's `authenticate` now serves self-hosted containers only — a cua-computer-server \
             started with CONTAINER_NAME set to that name, reached through serverUrl. Remove `cloud` for a Lume VM \
             or the local desktop",
            listed.join(", ")
        ),
    ))
}

fn transport(config: &Config) -> Check {
    let mut exposed = Vec::new();
    let mut notes = Vec::new();
    for name in config.vm_names() {
        let Ok(target) = config.vm(Some(&name)) else {
            continue;
        };
        match &target.provider {
            Provider::Url { url } if url.scheme() == "ws" && !is_host_local(url) => {
                exposed.push(format!("`{name}`: {url}"));
            }
            Provider::Lume { tls: false, .. } => {
                notes.push(format!("`{name}`: ws:// over Lume's host-local NAT"));
            }
            Provider::Url { url } | Provider::Local { url } => {
                notes.push(format!("`{name}`: {url}"));
            }
            Provider::Lume { .. } => notes.push(format!("`{name}`: wss:// to the VM")),
            _ => {}
        }
    }
    if !exposed.is_empty() {
        return Check::warn(
            TRANSPORT,
            format!(
                "unencrypted ws:// to a non-local address: {} (screenshots, typed text and commands cross the network in clear)",
                exposed.join(", ")
            ),
            "use a wss:// serverUrl (TLS in front of cua-computer-server), or keep the VM on a host-local network",
        );
    }
    Check::pass(
        TRANSPORT,
        format!(
            "connections stay host-local or use TLS ({})",
            notes.join("; ")
        ),
    )
}

/// Loopback, or Lume's shared NAT subnet (vmnet's 192.168.64.0/24), by literal address or `localhost`.
fn is_host_local(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => {
            IpAddr::V4(ip).is_loopback() || ip.octets()[..3] == [192, 168, 64]
        }
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn egress() -> Check {
    Check::info(
        EGRESS,
        format!(
            "VM egress is not restricted by computer-use: Lume VMs have full internet access by default, so a worker with {} could send data out; restrict it with the macOS firewall or DNS blocking inside the VM, or run the VM without networking and exchange files through the shared directory",
            Exec::SPEC.name
        ),
    )
}
