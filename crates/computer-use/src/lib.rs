//! The computer-use core: everything a face (CLI, MCP server, OpenClaw shim) needs, and nothing about those
//! faces.
//!
//! # Brief overview
//! - [`config`] — the one configuration type (the seed's plugin keys plus ours), JSON5 loading, validation,
//!   JSON Schema export, and resolution into per-VM targets.
//! - [`vm`] — sessions to each VM's cua-computer-server: address resolution (Lume / URL / local desktop),
//!   two lanes per VM, Lume lifecycle (`vm up|down|list|status`).
//! - [`imaging`] — the screenshot pipeline: decode → scale → encode → fit the byte and model budgets.
//! - [`coords`] — image pixels ↔ screenshot pixels ↔ input points, frames and their staleness.
//! - [`keys`] — key names people write → the server's key names.
//! - [`tools`] — the `vm_*` tools: registry, schemas, results; the single source for every face.
//! - [`guards`] — between the tools and the sessions: rate limit, loop guard, exec policy, audit log.
//! - [`hint`] — [`Hinted`]: every error's message and its hint (what to do) apart, for faces that show the fix
//!   on its own.
//!
//! Data flows one way: face → tools → guards → [`vm`] session → wire (`cua-protocol`, `lume-api`).
#![deny(missing_docs)]

pub mod config;
pub mod coords;
pub mod guards;
pub mod hint;
pub mod imaging;
pub mod keys;
pub mod tools;
pub mod vm;

/// The wire client, re-exported so faces need no direct dependency on it.
pub use cua_protocol as cua;
pub use hint::Hinted;
