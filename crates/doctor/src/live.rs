//! The live checks, in the order a deployment is built (the seed's Steps 1–3): Lume's HTTP API → the VM
//! exists, runs and has an IP → cua-computer-server answers on the configured port and path, with a supported
//! protocol → a screenshot works within `maxScreenshotBytes` → screen size and HiDPI scale → the shared
//! directory is mounted in the VM → round-trip latency.
//!
//! A check runs only when the ones it needs passed; the others are reported as skipped with the reason, so
//! the first failure is the one to fix. Each group is one file: [`lume`], [`vm`], [`server`], [`screenshot`],
//! [`display`], [`shared_dir`], [`latency`]. They use the core's own paths (configuration, `LumeVm`, the
//! resolver, `VmSession`, the screenshot capture) so the answer is what the tools would meet.

pub mod display;
pub mod latency;
pub mod lume;
pub mod screenshot;
pub mod server;
pub mod shared_dir;
pub mod vm;

use std::sync::Arc;

use computer_use::config::{Config, Provider};
use computer_use::tools::ToolContext;
use computer_use::vm::Vms;
use computer_use::vm::lifecycle::LumeVm;

use crate::report::Check;

/// Settings of a live run.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Which configured VM (`None`: the default VM).
    pub vm: Option<String>,
    /// Where a macOS guest automounts Lume's shares ([`shared_dir::MACOS_SHARE_ROOT`]).
    pub macos_share_root: String,
    /// Round trips measured by the latency check.
    pub latency_samples: u32,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            vm: None,
            macos_share_root: shared_dir::MACOS_SHARE_ROOT.to_owned(),
            latency_samples: 5,
        }
    }
}

/// Every live check id, in order.
pub const IDS: &[&str] = &[
    lume::ID,
    vm::EXISTS,
    vm::RUNNING,
    vm::ADDRESS,
    server::REACHABLE,
    server::VERSION,
    screenshot::ID,
    display::ID,
    shared_dir::ID,
    latency::ID,
];

/// Runs the live checks against `config`'s VM. `progress` receives a line now and then while waiting (a booting
/// VM); it never receives check results.
pub async fn run(
    config: Arc<Config>,
    opts: &LiveOptions,
    progress: &mut dyn FnMut(&str),
) -> Vec<Check> {
    let mut out = Vec::new();
    let target = match config.vm(opts.vm.as_deref()) {
        Ok(target) => target,
        Err(e) => {
            out.push(Check::fail_from_error(lume::ID, &e));
            return skip_rest(out, "the configuration names no usable VM");
        }
    };
    let mut guest_os = None;
    match &target.provider {
        Provider::Lume { api_url, .. } => {
            let lume = match LumeVm::for_target(&target) {
                Ok(lume) => lume,
                Err(e) => {
                    out.push(Check::fail_from_error(lume::ID, &e));
                    return skip_rest(out, "Lume is not reachable");
                }
            };
            let (check, known) = lume::check(&lume, api_url.as_str().trim_end_matches('/')).await;
            out.push(check);
            let Some(known) = known else {
                return skip_rest(out, "Lume is not reachable");
            };
            let (checks, details) =
                vm::check(&lume, &known, target.connect_timeout, progress).await;
            out.extend(checks);
            let Some(details) = details else {
                return skip_rest(out, "the VM is not up");
            };
            guest_os = details.os;
        }
        other => {
            let why = format!(
                "provider `{}`: no Lume VM (the server is at {})",
                other.kind(),
                other
                    .websocket_url(None)
                    .map_or_else(|| "?".to_owned(), |u| u.to_string())
            );
            for id in [lume::ID, vm::EXISTS, vm::RUNNING, vm::ADDRESS] {
                out.push(Check::skip(id, why.clone()));
            }
        }
    }

    let vms = Arc::new(Vms::new(config));
    let mut ctx = ToolContext::new(vms);
    ctx.vm = opts.vm.clone();
    let session = match ctx.session() {
        Ok(session) => session,
        Err(e) => {
            out.push(Check::fail(
                server::REACHABLE,
                e.message,
                "check the configuration",
            ));
            return skip_rest(out, "no session to the server");
        }
    };
    let (checks, reachable) = server::check(&target, &session).await;
    out.extend(checks);
    if !reachable {
        return skip_rest(out, "the server is not reachable");
    }
    out.push(screenshot::check(&ctx, &session).await);
    out.push(display::check(&ctx).await);
    out.push(
        shared_dir::check(
            &target,
            &session,
            guest_os.as_deref(),
            &opts.macos_share_root,
        )
        .await,
    );
    out.push(latency::check(&session, opts.latency_samples).await);
    out
}

/// `out` plus a skip for every live check id not in it yet.
fn skip_rest(mut out: Vec<Check>, why: &str) -> Vec<Check> {
    for id in IDS {
        if !out.iter().any(|c| c.id == *id) {
            out.push(Check::skip(id, why));
        }
    }
    out
}
