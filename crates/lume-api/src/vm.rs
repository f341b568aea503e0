//! The JSON shapes Lume sends and accepts, decoded leniently.
//!
//! Lume's `VMDetails` encoder writes every key, `null` when absent, but older Lume versions send fewer keys and
//! the synthetic "pulling" object has only `name`, `status` and `downloadProgress` (`docs/lume-api.md`, "The VM
//! object"). So everything except `name` and `status` is optional, unknown keys are ignored, and `status` is
//! an open type: a status this client does not know must not make a VM unreadable.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A VM's `status` as Lume reports it. Open: unknown values are kept in [`VmStatus::Other`], and
/// [`VmStatus::as_str`] always gives back the exact string Lume sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VmStatus {
    /// `"running"`: the VM runs (its `ipAddress` may still be null while it boots).
    Running,
    /// `"stopped"`.
    Stopped,
    /// `"provisioning"` (being created or set up), or `"provisioning (stale)"` when `stale` is true (Lume saw a
    /// provisioning marker whose process is gone).
    Provisioning {
        /// True for `"provisioning (stale)"`.
        stale: bool,
    },
    /// `"pulling"`: an image pull started by `/lume/pull/start` is still downloading.
    Pulling,
    /// Any other value, verbatim.
    Other(String),
}

impl VmStatus {
    /// Classifies a raw status string; never fails.
    pub fn parse(raw: &str) -> Self {
        match raw {
            "running" => Self::Running,
            "stopped" => Self::Stopped,
            "provisioning" => Self::Provisioning { stale: false },
            "provisioning (stale)" => Self::Provisioning { stale: true },
            "pulling" => Self::Pulling,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The exact string Lume sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Running => "running",
            Self::Stopped => "stopped",
            Self::Provisioning { stale: false } => "provisioning",
            Self::Provisioning { stale: true } => "provisioning (stale)",
            Self::Pulling => "pulling",
            Self::Other(s) => s,
        }
    }

    /// True for [`VmStatus::Running`].
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running)
    }

    /// True for [`VmStatus::Provisioning`], stale or not.
    pub fn is_provisioning(&self) -> bool {
        matches!(self, Self::Provisioning { .. })
    }
}

impl fmt::Display for VmStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for VmStatus {
    fn from(raw: &str) -> Self {
        Self::parse(raw)
    }
}

impl<'de> Deserialize<'de> for VmStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Self::parse(&raw))
    }
}

impl Serialize for VmStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Disk usage of a VM, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DiskSize {
    /// Bytes used on the host.
    pub allocated: Option<u64>,
    /// Size of the virtual disk.
    pub total: Option<u64>,
}

/// One VM as `GET /lume/vms/{name}` and `GET /lume/vms` describe it.
///
/// `Debug` redacts the password in `vnc_url`; never log `vnc_url` itself.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VmDetails {
    /// The VM's name.
    pub name: String,
    /// Its status; see [`VmStatus`].
    pub status: VmStatus,
    /// `"macOS"` or `"linux"`.
    #[serde(default)]
    pub os: Option<String>,
    /// Virtual CPUs.
    #[serde(default)]
    pub cpu_count: Option<u32>,
    /// Memory in bytes.
    #[serde(default)]
    pub memory_size: Option<u64>,
    /// Disk usage.
    #[serde(default)]
    pub disk_size: Option<DiskSize>,
    /// Display size in pixels, `"WxH"` (e.g. `"1024x768"`); a HiDPI guest's point size is smaller.
    #[serde(default)]
    pub display: Option<String>,
    /// What provisioning is doing, e.g. `"ipsw_install"`, while `status` is provisioning.
    #[serde(default)]
    pub provisioning_operation: Option<String>,
    /// `vnc://:<password>@127.0.0.1:<port>` while running. **Contains a password**: never log it.
    #[serde(default)]
    pub vnc_url: Option<String>,
    /// The VM's IP address: the only IP key Lume has. Null while a running VM boots (its DHCP lease is not
    /// known yet), when stopped, and when no lease is known.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Whether port 22 answered; null without an IP.
    #[serde(default)]
    pub ssh_available: Option<bool>,
    /// The storage location holding the VM (e.g. `"home"`).
    #[serde(default)]
    pub location_name: Option<String>,
    /// Always null in Lume's GET output (shares are never reported); kept as raw JSON should that change.
    #[serde(default)]
    pub shared_directories: Option<serde_json::Value>,
    /// `"nat"`, `"bridged"`, ...
    #[serde(default)]
    pub network_mode: Option<String>,
    /// Percent (0 to 100) while pulling.
    #[serde(default)]
    pub download_progress: Option<f64>,
}

impl VmDetails {
    /// `ip_address` parsed as an IP address; `None` when absent or not an address.
    pub fn ip_addr(&self) -> Option<IpAddr> {
        self.ip_address
            .as_deref()
            .and_then(|s| s.trim().parse().ok())
    }

    /// `vnc_url` with its password replaced by `<redacted>`, safe to show and log.
    pub fn vnc_url_redacted(&self) -> Option<String> {
        self.vnc_url.as_deref().map(redact_url_credentials)
    }
}

impl fmt::Debug for VmDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VmDetails")
            .field("name", &self.name)
            .field("status", &self.status)
            .field("os", &self.os)
            .field("cpu_count", &self.cpu_count)
            .field("memory_size", &self.memory_size)
            .field("disk_size", &self.disk_size)
            .field("display", &self.display)
            .field("provisioning_operation", &self.provisioning_operation)
            .field("vnc_url", &self.vnc_url_redacted())
            .field("ip_address", &self.ip_address)
            .field("ssh_available", &self.ssh_available)
            .field("location_name", &self.location_name)
            .field("shared_directories", &self.shared_directories)
            .field("network_mode", &self.network_mode)
            .field("download_progress", &self.download_progress)
            .finish()
    }
}

/// Replaces everything between `scheme://` and the last `@` with `<redacted>`. Cutting at the *last* `@`
/// over-redacts rather than leaking a password that itself contains `@`.
fn redact_url_credentials(url: &str) -> String {
    let Some(at) = url.rfind('@') else {
        return url.to_owned();
    };
    let start = url.find("://").map_or(0, |i| i + 3);
    if start > at {
        return "<redacted>".to_owned();
    }
    format!("{}<redacted>{}", &url[..start], &url[at..])
}

/// Lume's health reply, `GET /lume/host/status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HostStatus {
    /// `"healthy"` when the server works.
    pub status: String,
    /// Number of VMs counted by Lume.
    #[serde(default)]
    pub vm_count: Option<u32>,
    /// How many VMs may run at once (2 on macOS).
    #[serde(default, rename = "maxVMs")]
    pub max_vms: Option<u32>,
    /// How many more VMs may start.
    #[serde(default)]
    pub available_slots: Option<u32>,
    /// The API version string Lume reports (not the Lume release).
    #[serde(default)]
    pub version: Option<String>,
}

/// The body of `POST /lume/vms/{name}/run`. Lume ignores keys it does not know and treats all as optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOptions {
    /// Start without Lume's VNC viewer window (`lume run --no-display`).
    pub no_display: bool,
    /// Host directories to share with the guest (virtio-fs); each must exist on the Lume host, or Lume answers
    /// 400 `Host path does not exist or is not a directory`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_directories: Vec<SharedDirectory>,
}

/// One host directory shared with the guest. macOS guests mount it at `/Volumes/My Shared Files/<basename>`;
/// Linux guests must `mount -t virtiofs com.apple.virtio-fs.automount <dir>` themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedDirectory {
    /// Absolute path of a directory on the Lume host.
    pub host_path: String,
    /// Share it read-only.
    pub read_only: bool,
}

impl SharedDirectory {
    /// A read-write share of `host_path`.
    pub fn read_write(host_path: impl Into<String>) -> Self {
        Self {
            host_path: host_path.into(),
            read_only: false,
        }
    }

    /// A read-only share of `host_path`.
    pub fn read_only(host_path: impl Into<String>) -> Self {
        Self {
            host_path: host_path.into(),
            read_only: true,
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A running VM as Lume's `VMDetails` encoder writes it: every key, `/` escaped (`docs/lume-api.md`, "The VM
    /// object").
    const RUNNING: &str = r#"{
      "name": "macos-sequoia-cua_latest",
      "os": "macOS",
      "cpuCount": 4,
      "memorySize": 8589934592,
      "diskSize": {"allocated": 43209637888, "total": 85899345920},
      "display": "1024x768",
      "status": "running",
      "provisioningOperation": null,
      "vncUrl": "vnc:\/\/:fig-november-north-eight@127.0.0.1:62527",
      "ipAddress": "192.168.64.2",
      "sshAvailable": true,
      "locationName": "home",
      "sharedDirectories": null,
      "networkMode": "nat",
      "downloadProgress": null
    }"#;

    #[test]
    fn parses_the_reference_vm() {
        let vm: VmDetails = serde_json::from_str(RUNNING).unwrap();
        assert_eq!(vm.name, "macos-sequoia-cua_latest");
        assert_eq!(vm.status, VmStatus::Running);
        assert_eq!(vm.os.as_deref(), Some("macOS"));
        assert_eq!(vm.cpu_count, Some(4));
        assert_eq!(vm.memory_size, Some(8_589_934_592));
        assert_eq!(
            vm.disk_size,
            Some(DiskSize {
                allocated: Some(43_209_637_888),
                total: Some(85_899_345_920)
            })
        );
        assert_eq!(vm.display.as_deref(), Some("1024x768"));
        assert_eq!(
            vm.vnc_url.as_deref(),
            Some("vnc://:fig-november-north-eight@127.0.0.1:62527")
        );
        assert_eq!(vm.ip_address.as_deref(), Some("192.168.64.2"));
        assert_eq!(vm.ip_addr(), Some("192.168.64.2".parse().unwrap()));
        assert_eq!(vm.ssh_available, Some(true));
        assert_eq!(vm.location_name.as_deref(), Some("home"));
        assert_eq!(vm.shared_directories, None);
        assert_eq!(vm.network_mode.as_deref(), Some("nat"));
        assert_eq!(vm.download_progress, None);
    }

    #[test]
    fn parses_the_pulling_object() {
        let vm: VmDetails = serde_json::from_str(
            r#"{"name":"sequoia","status":"pulling","downloadProgress":42.5}"#,
        )
        .unwrap();
        assert_eq!(vm.status, VmStatus::Pulling);
        assert_eq!(vm.download_progress, Some(42.5));
        assert_eq!(vm.ip_address, None);
        assert_eq!(vm.os, None);
    }

    #[test]
    fn booting_vm_has_no_ip() {
        let json = RUNNING
            .replace(r#""192.168.64.2""#, "null")
            .replace("true", "null");
        let vm: VmDetails = serde_json::from_str(&json).unwrap();
        assert!(vm.status.is_running());
        assert_eq!(vm.ip_address, None);
        assert_eq!(vm.ip_addr(), None);
        assert_eq!(vm.ssh_available, None);
    }

    #[test]
    fn unknown_keys_and_statuses_are_accepted() {
        let vm: VmDetails = serde_json::from_str(
            r#"{"name":"a","status":"suspended","downloadedBytes":5,"somethingNew":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(vm.status, VmStatus::Other("suspended".into()));
        assert_eq!(vm.status.as_str(), "suspended");
    }

    #[test]
    fn stale_provisioning_counts_as_provisioning_and_keeps_its_text() {
        let vm: VmDetails = serde_json::from_str(
            r#"{"name":"a","status":"provisioning (stale)","provisioningOperation":"ipsw_install"}"#,
        )
        .unwrap();
        assert!(vm.status.is_provisioning());
        assert_eq!(vm.status.to_string(), "provisioning (stale)");
        assert_eq!(vm.provisioning_operation.as_deref(), Some("ipsw_install"));
    }

    #[test]
    fn status_round_trips_every_known_value() {
        for raw in [
            "running",
            "stopped",
            "provisioning",
            "provisioning (stale)",
            "pulling",
            "weird",
        ] {
            assert_eq!(VmStatus::parse(raw).as_str(), raw);
        }
    }

    #[test]
    fn missing_name_or_status_is_an_error() {
        assert!(serde_json::from_str::<VmDetails>(r#"{"name":"a"}"#).is_err());
        assert!(serde_json::from_str::<VmDetails>(r#"{"status":"running"}"#).is_err());
    }

    #[test]
    fn debug_redacts_the_vnc_password() {
        let vm: VmDetails = serde_json::from_str(RUNNING).unwrap();
        let dbg = format!("{vm:?}");
        assert!(!dbg.contains("fig-november-north-eight"), "{dbg}");
        assert!(dbg.contains("vnc://<redacted>@127.0.0.1:62527"), "{dbg}");
        assert!(dbg.contains("192.168.64.2"), "{dbg}");
    }

    #[test]
    fn redaction_cuts_at_the_last_at_sign() {
        assert_eq!(
            redact_url_credentials("vnc://:p@ss@h:1"),
            "vnc://<redacted>@h:1"
        );
        assert_eq!(redact_url_credentials("vnc://h:1"), "vnc://h:1");
        assert_eq!(redact_url_credentials("weird@x://"), "<redacted>");
    }

    #[test]
    fn parses_the_reference_host_status() {
        let h: HostStatus = serde_json::from_str(
            r#"{"status":"healthy","vmCount":1,"maxVMs":2,"availableSlots":1,"version":"1.0.0"}"#,
        )
        .unwrap();
        assert_eq!(h.status, "healthy");
        assert_eq!(
            (h.vm_count, h.max_vms, h.available_slots),
            (Some(1), Some(2), Some(1))
        );
        assert_eq!(h.version.as_deref(), Some("1.0.0"));
    }

    #[test]
    fn run_options_serialize_camel_case_and_omit_empty_shares() {
        let bare = serde_json::to_value(RunOptions {
            no_display: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(bare, serde_json::json!({"noDisplay": true}));
        let with = RunOptions {
            no_display: false,
            shared_directories: vec![SharedDirectory::read_only("/tmp/x")],
        };
        assert_eq!(
            serde_json::to_value(with).unwrap(),
            serde_json::json!({"noDisplay": false, "sharedDirectories": [{"hostPath": "/tmp/x", "readOnly": true}]})
        );
    }
}
