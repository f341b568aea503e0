//! From the configuration as written to one concrete target per VM: which server, at which URL, with
//! which timeouts and credentials.
//!
//! This is the second stage of configuration (the first is parsing + validation): everything here is
//! already validated, so resolution only merges a `vms` entry over the top-level values, applies the
//! provider-specific defaults (port 5000 for Lume, 8000 for local) and reads the cloud API key.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use super::defaults as d;
use super::error::{ConfigError, Problem};
use super::raw::{Cloud, Config, ProviderKind, VmEntry};
use super::secret::CloudCredentials;

/// Everything needed to reach one VM's cua-computer-server.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VmTarget {
    /// The VM's name in this configuration (`default` or a key of `vms`), not the Lume VM name.
    pub name: String,
    /// How to reach the server.
    pub provider: Provider,
    /// Time allowed to reach the VM and the server (`connectTimeoutMs`).
    pub connect_timeout: Duration,
    /// Time allowed per command (`commandTimeoutMs`).
    pub command_timeout: Duration,
    /// Cloud credentials, when the VM has a `cloud` section.
    pub cloud: Option<CloudCredentials>,
}

/// How a VM's server is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Provider {
    /// A Lume VM: ask the Lume API at `api_url` for `vm_name`'s IP, then connect to
    /// `ws[s]://{ip}:{port}{path}`.
    Lume {
        /// Lume HTTP API base URL.
        api_url: Url,
        /// Lume's name of the VM.
        vm_name: String,
        /// Server port inside the VM.
        port: u16,
        /// WebSocket endpoint path (starts with `/`).
        path: String,
        /// Use `wss://`.
        tls: bool,
        /// Host directory to share into the VM on `vm up`.
        shared_dir: Option<PathBuf>,
    },
    /// A server at a fixed URL.
    Url {
        /// The `ws://` or `wss://` URL.
        url: Url,
    },
    /// A server on this machine: `ws://127.0.0.1:{serverPort or 8000}{wsPath}`.
    Local {
        /// The loopback URL.
        url: Url,
    },
}

impl Provider {
    /// The kind of this provider.
    pub fn kind(&self) -> ProviderKind {
        match self {
            Self::Lume { .. } => ProviderKind::Lume,
            Self::Url { .. } => ProviderKind::Url,
            Self::Local { .. } => ProviderKind::Local,
        }
    }

    /// The server's WebSocket URL. A Lume VM's URL depends on its IP, which only the Lume API knows:
    /// pass it as `vm_ip` (it is ignored for the other providers); `None` for Lume without an IP.
    pub fn websocket_url(&self, vm_ip: Option<IpAddr>) -> Option<Url> {
        match self {
            Self::Url { url } | Self::Local { url } => Some(url.clone()),
            Self::Lume {
                port, path, tls, ..
            } => {
                let host = match vm_ip? {
                    IpAddr::V4(ip) => ip.to_string(),
                    IpAddr::V6(ip) => format!("[{ip}]"),
                };
                let scheme = if *tls { "wss" } else { "ws" };
                Url::parse(&format!("{scheme}://{host}:{port}{path}")).ok()
            }
        }
    }
}

/// The effective settings of one VM: a `vms` entry's values over the top-level ones.
pub(super) struct Merged<'a> {
    pub(super) provider: ProviderKind,
    pub(super) vm_name: &'a str,
    pub(super) lume_api_url: &'a str,
    pub(super) server_port: Option<u16>,
    pub(super) server_url: Option<&'a str>,
    pub(super) ws_path: &'a str,
    pub(super) tls: bool,
    pub(super) cloud: Option<&'a Cloud>,
    pub(super) shared_dir: Option<&'a Path>,
}

impl Config {
    pub(super) fn merged<'a>(&'a self, entry: Option<&'a VmEntry>) -> Merged<'a> {
        let e = entry;
        Merged {
            provider: e.and_then(|e| e.provider).unwrap_or(self.provider),
            vm_name: e
                .and_then(|e| e.vm_name.as_deref())
                .unwrap_or(&self.vm_name),
            lume_api_url: e
                .and_then(|e| e.lume_api_url.as_deref())
                .unwrap_or(&self.lume_api_url),
            server_port: e.and_then(|e| e.server_port).or(self.server_port),
            server_url: e
                .and_then(|e| e.server_url.as_deref())
                .or(self.server_url.as_deref()),
            ws_path: e
                .and_then(|e| e.ws_path.as_deref())
                .unwrap_or(&self.ws_path),
            tls: e.and_then(|e| e.tls).unwrap_or(self.tls),
            cloud: e.and_then(|e| e.cloud.as_ref()).or(self.cloud.as_ref()),
            shared_dir: e
                .and_then(|e| e.shared_dir.as_deref())
                .or(self.shared_dir.as_deref()),
        }
    }

    /// Names of all configured VMs: `default` (the top-level values) first, then the `vms` keys in
    /// sorted order.
    pub fn vm_names(&self) -> Vec<String> {
        std::iter::once(d::DEFAULT_VM.to_owned())
            .chain(self.vms.keys().cloned())
            .collect()
    }

    /// The `cloud.containerName` of each VM that has a `cloud` section, without reading its API key (the doctor
    /// reports what `cloud` means today).
    pub fn cloud_containers(&self) -> Vec<(String, String)> {
        self.vm_names()
            .into_iter()
            .filter_map(|name| {
                let entry = self.vms.get(&name);
                let container = self.merged(entry).cloud?.container_name().to_owned();
                Some((name, container))
            })
            .collect()
    }

    /// The VM used when a call names none (`defaultVm`, else `default`).
    pub fn default_vm_name(&self) -> &str {
        self.default_vm.as_deref().unwrap_or(d::DEFAULT_VM)
    }

    /// The VM `agent` drives according to `agentVms`, or `None` (the caller's default) for an agent that is
    /// not listed or no agent at all.
    pub fn vm_for_agent(&self, agent: Option<&str>) -> Option<&str> {
        agent
            .and_then(|a| self.agent_vms.get(a))
            .map(String::as_str)
    }

    /// Resolves the VM `name` (or the default VM for `None`), reading a cloud API key from this
    /// process's environment.
    pub fn vm(&self, name: Option<&str>) -> Result<VmTarget, ConfigError> {
        self.vm_with_env(name, &|var: &str| std::env::var(var).ok())
    }

    /// Like [`Config::vm`] with an explicit environment for the cloud API key.
    pub fn vm_with_env(
        &self,
        name: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<VmTarget, ConfigError> {
        let name = name.unwrap_or_else(|| self.default_vm_name());
        let entry = if name == d::DEFAULT_VM {
            None
        } else {
            Some(self.vms.get(name).ok_or_else(|| ConfigError::UnknownVm {
                name: name.to_owned(),
                known: self.vm_names(),
            })?)
        };
        let m = self.merged(entry);
        let provider = match m.provider {
            ProviderKind::Lume => Provider::Lume {
                api_url: parse_url(name, "lumeApiUrl", m.lume_api_url)?,
                vm_name: m.vm_name.to_owned(),
                port: m.server_port.unwrap_or(d::SERVER_PORT),
                path: m.ws_path.to_owned(),
                tls: m.tls,
                shared_dir: m.shared_dir.map(Path::to_path_buf),
            },
            ProviderKind::Url => {
                let Some(url) = m.server_url else {
                    return Err(invalid(
                        name,
                        "serverUrl",
                        "provider `url` needs `serverUrl`, e.g. \"ws://host:8000/ws\"",
                    ));
                };
                Provider::Url {
                    url: parse_url(name, "serverUrl", url)?,
                }
            }
            ProviderKind::Local => {
                let port = m.server_port.unwrap_or(d::LOCAL_SERVER_PORT);
                Provider::Local {
                    url: parse_url(
                        name,
                        "wsPath",
                        &format!("ws://127.0.0.1:{port}{}", m.ws_path),
                    )?,
                }
            }
        };
        let cloud = m.cloud.map(|c| c.credentials_with(env)).transpose()?;
        Ok(VmTarget {
            name: name.to_owned(),
            provider,
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            command_timeout: Duration::from_millis(self.command_timeout_ms),
            cloud,
        })
    }
}

fn key_path(vm: &str, key: &str) -> Vec<String> {
    if vm == d::DEFAULT_VM {
        vec![key.to_owned()]
    } else {
        vec!["vms".to_owned(), vm.to_owned(), key.to_owned()]
    }
}

fn invalid(vm: &str, key: &str, message: &str) -> ConfigError {
    let path = key_path(vm, key);
    ConfigError::Invalid {
        origin: format!("VM `{vm}`"),
        problems: vec![Problem::new(
            &path,
            format!("`{}`: {message}", path.join(".")),
        )],
    }
}

/// Validation already checked these URLs; this only guards against a `Config` changed in between.
fn parse_url(vm: &str, key: &str, text: &str) -> Result<Url, ConfigError> {
    Url::parse(text).map_err(|e| invalid(vm, key, &format!("{text:?} is not a valid URL ({e})")))
}
