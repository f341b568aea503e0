//! A fake VM: its configuration ([`FakeVm`], with a builder) and how the fake renders it as Lume's JSON.
//!
//! The rendering follows Lume's `VMDetails` encoder (`docs/lume-api.md`, "The VM object"): every key present,
//! `null` when absent; `ipAddress`, `vncUrl` and `sshAvailable` only while running (and the IP only once the
//! boot delay has passed); `sharedDirectories` always null; a pulling VM is the three-key synthetic object.

use std::time::{Duration, Instant};

use serde::Serialize;

/// Lume's status strings that the fake gives meaning to; any other string is reported verbatim.
pub mod status {
    /// The VM runs.
    pub const RUNNING: &str = "running";
    /// The VM is stopped.
    pub const STOPPED: &str = "stopped";
    /// The VM is being created or set up.
    pub const PROVISIONING: &str = "provisioning";
    /// Provisioning whose process is gone.
    pub const PROVISIONING_STALE: &str = "provisioning (stale)";
    /// An image pull is downloading the VM.
    pub const PULLING: &str = "pulling";
}

/// A VM the fake knows. Build one with [`FakeVm::running`], [`FakeVm::stopped`], [`FakeVm::pulling`] or
/// [`FakeVm::new`], then adjust it with the builder methods.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FakeVm {
    /// The VM's name.
    pub name: String,
    /// `"macOS"` or `"linux"`.
    pub os: String,
    /// Lume status string (see [`status`]); `"pulling"` makes GET return only the pull-progress object.
    pub status: String,
    /// The address the VM gets from DHCP once booted; shown as `ipAddress` while running.
    pub ip: Option<String>,
    /// A running VM shows `ipAddress: null` until this long after the fake started (for a VM that starts
    /// running) or after `run`; `None` means the IP shows at once.
    pub boot_after: Option<Duration>,
    /// `cpuCount`.
    pub cpu_count: u32,
    /// `memorySize` in bytes.
    pub memory_size: u64,
    /// `diskSize.allocated` in bytes.
    pub disk_allocated: u64,
    /// `diskSize.total` in bytes.
    pub disk_total: u64,
    /// `display`, `"WxH"` in pixels.
    pub display: String,
    /// The password in `vncUrl` (`vnc://:<password>@127.0.0.1:<port>`), a secret in real Lume.
    pub vnc_password: String,
    /// The port in `vncUrl`.
    pub vnc_port: u16,
    /// `sshAvailable` once the IP shows.
    pub ssh_available: bool,
    /// `locationName`.
    pub location_name: String,
    /// `networkMode`.
    pub network_mode: String,
    /// `provisioningOperation` while provisioning.
    pub provisioning_operation: Option<String>,
    /// `downloadProgress` (0 to 100) while pulling.
    pub download_progress: f64,
}

impl FakeVm {
    /// A stopped macOS VM without an IP, with Lume-like defaults for everything else.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            os: "macOS".to_owned(),
            status: status::STOPPED.to_owned(),
            ip: None,
            boot_after: None,
            cpu_count: 4,
            memory_size: 8 * 1024 * 1024 * 1024,
            disk_allocated: 43_209_637_888,
            disk_total: 85_899_345_920,
            display: "1024x768".to_owned(),
            vnc_password: "fig-november-north-eight".to_owned(),
            vnc_port: 62527,
            ssh_available: true,
            location_name: "home".to_owned(),
            network_mode: "nat".to_owned(),
            provisioning_operation: None,
            download_progress: 0.0,
        }
    }

    /// A running VM whose `ipAddress` is `ip`.
    pub fn running(name: impl Into<String>, ip: impl Into<String>) -> Self {
        Self::new(name).status(status::RUNNING).ip(ip)
    }

    /// A stopped VM that gets `ip` once `run` and booted.
    pub fn stopped(name: impl Into<String>, ip: impl Into<String>) -> Self {
        Self::new(name).ip(ip)
    }

    /// A VM being pulled (`/lume/pull/start`): GET answers only `{"name","status":"pulling","downloadProgress"}`,
    /// and, as in Lume (whose list reads the disk), the list does not show it.
    pub fn pulling(name: impl Into<String>, progress: f64) -> Self {
        let mut vm = Self::new(name).status(status::PULLING);
        vm.download_progress = progress;
        vm
    }

    /// Sets the status string.
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = status.into();
        self
    }

    /// Sets the IP the VM has when booted.
    pub fn ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }

    /// Makes the VM show `ipAddress: null` for `after` once it runs.
    pub fn boot_after(mut self, after: Duration) -> Self {
        self.boot_after = Some(after);
        self
    }

    /// Sets `os` (`"macOS"` or `"linux"`).
    pub fn os(mut self, os: impl Into<String>) -> Self {
        self.os = os.into();
        self
    }

    /// Sets `display` (`"WxH"`).
    pub fn display(mut self, display: impl Into<String>) -> Self {
        self.display = display.into();
        self
    }

    /// Sets the VNC password shown inside `vncUrl`.
    pub fn vnc_password(mut self, password: impl Into<String>) -> Self {
        self.vnc_password = password.into();
        self
    }

    /// Sets `provisioningOperation` (shown while provisioning).
    pub fn provisioning_operation(mut self, op: impl Into<String>) -> Self {
        self.provisioning_operation = Some(op.into());
        self
    }
}

/// A shared directory as a `run` request asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeSharedDir {
    /// `hostPath`.
    pub host_path: String,
    /// `readOnly` (false when absent).
    pub read_only: bool,
}

/// A VM as the running fake holds it.
#[derive(Debug)]
pub(crate) struct VmState {
    pub(crate) vm: FakeVm,
    /// When the IP becomes visible; `None` means at once.
    pub(crate) ip_from: Option<Instant>,
    /// The shared directories of the last accepted `run`.
    pub(crate) shared_dirs: Option<Vec<FakeSharedDir>>,
    /// How many `run` requests changed this VM from stopped to running.
    pub(crate) runs: u32,
}

impl VmState {
    pub(crate) fn new(vm: FakeVm, now: Instant) -> Self {
        let mut state = Self {
            vm,
            ip_from: None,
            shared_dirs: None,
            runs: 0,
        };
        if state.is_running() {
            state.start_booting(now);
        }
        state
    }

    pub(crate) fn is_running(&self) -> bool {
        self.vm.status == status::RUNNING
    }

    pub(crate) fn is_pulling(&self) -> bool {
        self.vm.status == status::PULLING
    }

    /// Starts the boot clock: the IP shows `boot_after` from `now`.
    pub(crate) fn start_booting(&mut self, now: Instant) {
        self.ip_from = self.vm.boot_after.map(|d| now + d);
    }

    /// The body of `GET /lume/vms/{name}` for this VM, keys in Lume's order.
    pub(crate) fn to_json(&self, now: Instant) -> String {
        let vm = &self.vm;
        if self.is_pulling() {
            let pulling = Pulling {
                name: &vm.name,
                status: status::PULLING,
                download_progress: vm.download_progress,
            };
            return serde_json::to_string(&pulling).unwrap_or_default();
        }
        let running = self.is_running();
        let booted = running && self.ip_from.is_none_or(|t| now >= t);
        let ip = if booted { vm.ip.clone() } else { None };
        let provisioning = vm.status.starts_with(status::PROVISIONING);
        let details = Details {
            name: &vm.name,
            os: &vm.os,
            cpu_count: vm.cpu_count,
            memory_size: vm.memory_size,
            disk_size: DiskSize {
                allocated: vm.disk_allocated,
                total: vm.disk_total,
            },
            display: &vm.display,
            status: &vm.status,
            provisioning_operation: if provisioning {
                vm.provisioning_operation.as_deref()
            } else {
                None
            },
            vnc_url: running
                .then(|| format!("vnc://:{}@127.0.0.1:{}", vm.vnc_password, vm.vnc_port)),
            ssh_available: ip.as_ref().map(|_| vm.ssh_available),
            ip_address: ip,
            location_name: &vm.location_name,
            shared_directories: None,
            network_mode: &vm.network_mode,
            download_progress: None,
        };
        // Serializing plain structs of strings and numbers cannot fail.
        serde_json::to_string(&details).unwrap_or_default()
    }
}

/// Lume's `VMDetails`, in its key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Details<'a> {
    name: &'a str,
    os: &'a str,
    cpu_count: u32,
    memory_size: u64,
    disk_size: DiskSize,
    display: &'a str,
    status: &'a str,
    provisioning_operation: Option<&'a str>,
    vnc_url: Option<String>,
    ip_address: Option<String>,
    ssh_available: Option<bool>,
    location_name: &'a str,
    shared_directories: Option<()>,
    network_mode: &'a str,
    download_progress: Option<f64>,
}

/// The synthetic object Lume answers while `/lume/pull/start` downloads the VM.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pulling<'a> {
    name: &'a str,
    status: &'a str,
    download_progress: f64,
}

#[derive(Serialize)]
struct DiskSize {
    allocated: u64,
    total: u64,
}
