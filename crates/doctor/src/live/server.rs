//! Is cua-computer-server reachable on the configured port and path, and does it speak our protocol? One
//! connection attempt (`computer_use::vm::probe`), so a refused connection is reported at once rather than retried for
//! the whole connect budget as a tool call would.
//!
//! Seed symptoms recognised (README, "What differs from the Phase 8 guide, and why"; `docs/cua-computer-server.md`):
//! connection refused from the VM's IP is the server's
//! loopback default bind (the seed's `cua-computer-server --port 5000`) or no server at all (the seed's
//! `pip install cua-computer` installs the client SDK, not the server); HTTP 403 on the upgrade is a path other
//! than `/ws`; an old package (0.1.25 is what pip picks on Python 3.11) is refused with the install line. The
//! wording comes from cua-protocol's errors, re-worded by the session where the provider knows better (the
//! local desktop).

use computer_use::config::{Provider, VmTarget};
use computer_use::vm::VmSession;
use computer_use::vm::probe::{Probe, ProbeFailure, ServerVersion, TESTED_SERVER_PACKAGE, probe};

use crate::report::Check;

/// Check id: the server answers the WebSocket handshake.
pub const REACHABLE: &str = "server.reachable";
/// Check id: the server's package and protocol version.
pub const VERSION: &str = "server.version";

const INSTALL: &str = "the server is the PyPI package `cua-computer-server` (pip install \"cua-computer-server==0.3.46\" \"fastapi<0.145\" with Python 3.12 or 3.13), not the seed's `cua-computer`, which is the client SDK and installs no server";

/// The two checks; the bool says whether later checks can talk to the server.
pub async fn check(target: &VmTarget, session: &VmSession) -> (Vec<Check>, bool) {
    let unknown = |check: Check| {
        (
            vec![
                check,
                Check::skip(VERSION, "the server's address is unknown"),
            ],
            false,
        )
    };
    let (url, version) = match probe(session).await {
        Probe::Unresolvable(e) => return unknown(Check::fail_from_error(REACHABLE, &e)),
        Probe::NoAddress(e) => return unknown(Check::fail_from_error(REACHABLE, &e)),
        Probe::Answered { url, version } => (url, version),
    };
    match version {
        Ok(version) => {
            let reachable = Check::pass(REACHABLE, format!("cua-computer-server answers at {url}"));
            (vec![reachable, version_check(&version)], true)
        }
        Err(ProbeFailure::Unsupported(e)) => (
            vec![
                Check::pass(REACHABLE, format!("a cua-computer-server answers at {url}")),
                Check::fail_from_error(VERSION, &e),
            ],
            false,
        ),
        Err(failure) => {
            let refused = matches!(failure, ProbeFailure::Refused(_));
            let mut check = Check::fail_from_error(REACHABLE, failure.error());
            let port_key = match target.provider {
                Provider::Lume { .. } => Some("serverPort"),
                Provider::Url { .. } => Some("the port in serverUrl"),
                _ => None,
            };
            if let (true, Some(port_key)) = (refused, port_key) {
                check = check.add_fix(&format!(
                    "if nothing runs there yet: {INSTALL}; started without --port it listens on 8000 (set {port_key} to match)"
                ));
            }
            (
                vec![check, Check::skip(VERSION, "the server is not reachable")],
                false,
            )
        }
    }
}

/// Pass for the tested package or newer, a warning for an older (still supported) one.
fn version_check(version: &ServerVersion) -> Check {
    let text = format!(
        "cua-computer-server {} (protocol {})",
        version.package, version.protocol
    );
    if !version.package_at_least(TESTED_SERVER_PACKAGE) {
        return Check::warn(
            VERSION,
            format!(
                "{text}: older than {}, the version computer-use is tested with",
                TESTED_SERVER_PACKAGE
            ),
            format!("upgrade inside the VM: {INSTALL}"),
        );
    }
    Check::pass(VERSION, text)
}
