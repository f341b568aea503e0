//! A client for Lume's HTTP API (`lume serve`), which manages macOS Virtualization.framework VMs.
//!
//! # Brief overview
//!
//! We use Lume to find a VM's IP address, and optionally to start or stop the VM. [`LumeClient`] has one
//! async method per route: [`LumeClient::get_vm`], [`LumeClient::list_vms`], [`LumeClient::run_vm`],
//! [`LumeClient::stop_vm`] and [`LumeClient::host_status`]. Replies decode into [`VmDetails`] (with an open
//! [`VmStatus`]) and [`HostStatus`]; failures are a [`LumeError`] whose message says how to fix it.
//!
//! The facts this crate encodes come from Lume's source (`docs/lume-api.md` names the files), and differ from what one
//! might guess:
//! - the IP is `ipAddress`, and a `"running"` VM has `ipAddress: null` until its DHCP lease appears;
//! - an unknown VM is HTTP **400** `Virtual machine not found: X` ([`LumeError::VmNotFound`]), while **404**
//!   means the URL is wrong ([`LumeError::RouteNotFound`]);
//! - `run` answers 202 before the VM boots; `stop` answers only after the VM stopped plus 5 s.
//!
//! The client is a protocol client only: it does not poll, retry or interpret; callers decide what a booting
//! VM means for them. `vncUrl` carries a password, so [`VmDetails`]'s `Debug` redacts it.
//!
//! ```
//! use std::time::Duration;
//! use lume_api::{LumeClient, LumeError, VmDetails, VmStatus};
//!
//! // URLs are checked up front, and the error names the bad value.
//! let err = LumeClient::new("localhost:7777", Duration::from_secs(5)).unwrap_err();
//! assert!(matches!(err, LumeError::InvalidUrl { .. }));
//! assert!(err.to_string().contains("`localhost:7777`"));
//!
//! // A VM that runs but is still booting: no IP yet.
//! let vm: VmDetails = serde_json::from_str(r#"{"name":"openclaw-vm","status":"running","ipAddress":null}"#)?;
//! assert_eq!(vm.status, VmStatus::Running);
//! assert_eq!(vm.ip_address, None);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Against a live server (`lume serve`):
//!
//! ```no_run
//! # async fn demo() -> Result<(), lume_api::LumeError> {
//! use std::time::Duration;
//! let lume = lume_api::LumeClient::new("http://127.0.0.1:7777", Duration::from_secs(5))?;
//! match lume.get_vm("openclaw-vm").await {
//!     Ok(vm) => println!("{} is {} at {:?}", vm.name, vm.status, vm.ip_address),
//!     Err(e) if e.is_not_found() => println!("no such VM: {e}"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod client;
mod error;
mod vm;

pub use client::{LumeClient, STOP_EXTRA_TIMEOUT};
pub use error::LumeError;
pub use vm::{DiskSize, HostStatus, RunOptions, SharedDirectory, VmDetails, VmStatus};
