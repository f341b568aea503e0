//! Is Lume's HTTP API reachable at `lumeApiUrl`? `GET /lume/vms`, as the seed's Step 3 checks it with curl.
//!
//! Seed symptoms recognised (README, "What differs from the Phase 8 guide, and why"; `docs/lume-api.md`, "Errors"):
//! "Lume API returned 404" means a wrong Lume URL (an
//! unknown route), never a missing VM — Lume answers 400 for that; nothing listening means `lume serve` is not
//! running. The messages and fixes are the Lume client's own, as the core passes them on
//! ([`computer_use::vm::VmError::Lume`]).

use computer_use::vm::lifecycle::{LumeVm, VmDetails};

use crate::report::Check;

/// Check id.
pub const ID: &str = "lume.api";

/// The check, and the VMs Lume knows when it answered.
pub async fn check(lume: &LumeVm, api_url: &str) -> (Check, Option<Vec<VmDetails>>) {
    match lume.list().await {
        Ok(vms) => {
            let names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
            let listed = if names.is_empty() {
                "no VMs".to_owned()
            } else {
                format!("{} VM(s): {}", names.len(), names.join(", "))
            };
            (
                Check::pass(ID, format!("Lume HTTP API at {api_url} answers ({listed})")),
                Some(vms),
            )
        }
        Err(e) if e.is_wrong_lume_url() => (
            Check::fail_from_error(ID, &e).add_fix(
                "(the seed's \"Lume API returned 404\": a 404 is a wrong URL or path prefix; an unknown VM is a 400 \"Virtual machine not found\")",
            ),
            None,
        ),
        Err(e) => (Check::fail_from_error(ID, &e), None),
    }
}
