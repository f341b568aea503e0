//! The computer-use core: everything a face (CLI, MCP server, OpenClaw shim) needs, and nothing about those
//! faces.
//!
//! # Brief overview
//! - [`config`] — the one configuration type (the seed's plugin keys plus ours), JSON5 loading, validation,
//!   JSON Schema export, and resolution into per-VM targets.
//! - [`vm`] — sessions to each VM's cua-computer-server: address resolution (Lume / URL / local desktop),
//!   two lanes per VM, Lume lifecycle (`vm up|down|list|status`).
//! - [`tools`] — the `vm_*` tools: the registry, and [`tools::call`], the one path every face's call takes;
//!   [`tools::record`] records every call, one recording per VM, agent and session (`record.dir`, `--record`).
//! - [`spec`] — each tool's facts (kind, effect, batching, server commands, annotations): one home each.
//! - [`result`] — what a call returns: content and details, or a classified error with its hint.
//! - [`guards`] — between the tools and the sessions: rate limit, loop guard, exec policy, audit log.
//! - [`programs`] — which guest programs run other programs (the exec allowlist's table, with reasons).
//! - [`replay`] — a recording's actions sent again through [`tools::call`], each screen compared (a test).
//! - [`hint`] — [`Hinted`]: every error's message and its hint (what to do) apart, for faces that show the fix
//!   on its own.
//! - [`clock`] — monotonic time, fakeable in tests.
//! - [`caller`] — who is calling (face session, agent): what is remembered per caller is keyed by it.
//!
//! The screenshot pipeline (`computer-use-imaging`), the coordinate spaces (`computer-use-coords`) and the
//! key names (`computer-use-keys`) are crates of their own: they know nothing of VMs or tools.
//!
//! Data flows one way: face → [`tools`] → [`guards`] → [`vm`] session → wire (`cua-protocol`, `lume-api`).
#![deny(missing_docs)]

pub mod caller;
pub mod clock;
pub mod config;
pub mod guards;
pub mod hint;
pub mod programs;
pub mod replay;
pub mod result;
pub mod spec;
pub mod tools;
pub mod vm;

pub use hint::Hinted;
