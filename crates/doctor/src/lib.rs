//! `computer-use doctor` and `computer-use openclaw config`: where a Phase 8 deployment (Lume → VM → server →
//! OpenClaw agents) is broken or unsafe, and what to do about it.
//!
//! # Brief overview
//! - [`live`] — checks against the running deployment, in order, each with the fix: Lume's API, the VM, the
//!   server's port/path/protocol, a screenshot within budget, screen and HiDPI scale, the shared directory,
//!   latency. Every instruction of the seed that no longer holds is recognised from its symptom.
//! - [`posture`] — the `openclaw.json` audit against the seed's security model, with the pinned OpenClaw's
//!   tool-policy semantics (no network).
//! - [`openclaw_config`] — the plugin entry and worker agent, printed or merged into `openclaw.json` keeping
//!   its comments.
//! - [`report`] — [`Check`]s and the [`Report`] the CLI renders (human lines or `--json`).
//!
//! The core crate (`computer-use`) knows nothing of OpenClaw; this crate uses its public APIs (configuration,
//! `LumeVm`, the resolver, `VmSession`, the screenshot capture) so its answers are what the tools meet.
#![deny(missing_docs)]

pub mod live;
pub mod openclaw_config;
pub mod posture;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use computer_use::Hinted;
use computer_use::config::Config;

pub use live::LiveOptions;
pub use posture::PostureOptions;
pub use report::{Check, Report, Status};

/// Check id of a configuration the live checks cannot use.
pub const CONFIG: &str = "config";

/// What one `doctor` run checks.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    /// Only the posture audit (no network).
    pub offline: bool,
    /// Settings of the live checks.
    pub live: LiveOptions,
    /// Settings of the posture audit.
    pub posture: PostureOptions,
}

/// Runs the live checks (unless offline) with `config`, then the posture audit of `config_file`.
///
/// `config` is the effective configuration (file, environment and flags applied), or why it could not be
/// built (a [`computer_use::config::ConfigError`], or any error with a message and a hint);
/// `config_file` the file the user pointed at (an `openclaw.json`, or a standalone config block).
/// `progress` receives a line now and then while a check waits (a booting VM).
pub async fn run<E: Hinted>(
    config_file: Option<&Path>,
    config: Result<Arc<Config>, E>,
    opts: &DoctorOptions,
    progress: &mut dyn FnMut(&str),
) -> Report {
    let mut report = Report::default();
    if !opts.offline {
        match config {
            Ok(config) => report.extend(live::run(config, &opts.live, progress).await),
            Err(why) => {
                let mut check = Check::fail_from_error(CONFIG, &why);
                if check.fix.is_none() {
                    check = check.with_fix("fix the configuration as the message says");
                }
                report.extend([check]);
                report.extend(
                    live::IDS
                        .iter()
                        .map(|id| Check::skip(id, "the configuration is not usable")),
                );
            }
        }
    }
    match config_file {
        Some(path) => report.extend(posture::audit_file(path, &opts.posture)),
        None => report.extend([Check::skip(
            posture::PARSE,
            "no openclaw.json to audit: pass it with --config (or set $OPENCLAW_CONFIG_PATH)",
        )]),
    }
    report
}

/// The OpenClaw configuration file of this user, if there is one: `$OPENCLAW_CONFIG_PATH`, else
/// `~/.openclaw/openclaw.json` when it exists (OpenClaw's own defaults: `docs/openclaw.md`, "A headless gateway
/// for tests").
pub fn find_openclaw_config(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = env("OPENCLAW_CONFIG_PATH").filter(|p| !p.trim().is_empty()) {
        return Some(PathBuf::from(path));
    }
    let home = env("OPENCLAW_HOME").or_else(|| env("HOME"))?;
    let path = PathBuf::from(home).join(".openclaw").join("openclaw.json");
    path.is_file().then_some(path)
}
