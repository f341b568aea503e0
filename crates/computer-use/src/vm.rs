//! VM sessions: from a configured target to live connections to its cua-computer-server.
//!
//! - [`resolve`] turns a [`crate::config::VmTarget`] into an address, asking Lume for the VM's IP before every
//!   (re)connect (a restarted VM gets a new DHCP lease) and waiting while it boots;
//! - [`VmSession`] holds the connections of one VM (two lanes: GUI and shell, see [`session`]);
//! - [`Vms`] keeps one session per configured VM, created on first use;
//! - [`lifecycle`] starts, stops and lists Lume VMs (`computer-use vm …`); [`local`] starts and stops the
//!   local desktop for the `local` provider;
//! - [`probe`] makes one connection attempt, for checks that must not retry;
//! - [`held`] and [`held_keys`] record the mouse buttons and keys held on the VM; [`guest`] its OS.

pub mod error;
pub mod guest;
pub mod held;
pub mod held_keys;
pub mod lifecycle;
pub mod local;
pub mod probe;
pub mod resolve;
pub mod session;
pub mod sessions;

pub use error::VmError;
pub use guest::{GuestOs, guest_os};
pub use held::HeldButtons;
pub use held_keys::HeldKeys;
pub use session::{Health, VmSession};
pub use sessions::Vms;
