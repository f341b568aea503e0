//! Test harnesses shared by the workspace's integration tests: a private real desktop running
//! cua-computer-server ([`desktop`]) and a faithful fake of the Lume HTTP API ([`lume_fake`]), so tests
//! exercise real parts wherever they can run on a Linux CI machine.

pub mod desktop;
pub mod lume_fake;
