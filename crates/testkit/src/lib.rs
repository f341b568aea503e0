//! Test harnesses shared by the workspace's integration tests: a private real desktop running
//! cua-computer-server ([`desktop`]), a faithful fake of the Lume HTTP API ([`lume_fake`]), a scripted fake
//! WebSocket peer for the replies the real server never sends ([`scripted_ws`]), process resource figures
//! for soak tests ([`process`]), polling for outside effects ([`eventually`]), an xterm on a test desktop
//! ([`xterm`]) and an event probe that logs what an application receives ([`probe`]), so tests exercise real
//! parts wherever they can run on a Linux CI machine.

pub mod desktop;
pub mod lume_fake;
pub mod probe;
pub mod process;
pub mod scripted_ws;
pub mod wait;
pub mod xterm;

pub use wait::eventually;
