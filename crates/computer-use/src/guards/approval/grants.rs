//! One-time approval tokens, for faces whose host asks the person itself.
//!
//! The OpenClaw plugin cannot ask from inside a tool call: OpenClaw asks (`before_tool_call` →
//! `requireApproval`) before it runs the tool. So the plugin first asks the core to classify the call
//! ([`crate::tools::classify`]); a call that needs approval gets a `Grant` here and the plugin a random token
//! for it. Only once OpenClaw reports that a person allowed the call does the plugin send the token back with
//! the call (MCP `_meta`, which the model never writes: it writes tool arguments, and those are closed schemas).
//! The core then accepts the call only if the token
//! - was issued by this process (a forged or guessed token is unknown: 256 random bits),
//! - has not been used (single use: a replay is refused, and a token shown with the wrong call is burnt),
//! - has not expired (`guards.approval.timeoutSecs` plus [`GRACE`] after it was issued: OpenClaw itself gives
//!   up waiting for the person after `timeoutSecs`),
//! - was issued for exactly this call: the VM, the tool and its typed arguments (a SHA-256 [`CallDigest`]).
//!
//! Anything else refuses the call with the reason; nothing is sent. Tokens live in memory only, so a restart of
//! the process refuses the approvals it issued before (fail closed).

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::clock::Clock;

use super::{ApprovalDecision, ApprovalFuture, ApprovalRequest, Approver, CallDigest};

/// How long a token outlives the approval timeout: the time between OpenClaw's answer and the call reaching
/// the core (the hook returns, OpenClaw starts the tool, the plugin forwards it).
pub const GRACE: Duration = Duration::from_secs(15);

/// Most grants kept at once (issued and not used, or used and remembered to name a replay as such). A host that
/// classifies calls it never makes cannot grow this without bound; the oldest go first.
const MAX_GRANTS: usize = 512;

/// What one token allows.
#[derive(Debug)]
struct Grant {
    /// The calls it allows, each once: one for a plain call, each action that needs approval for `vm_batch`.
    calls: Vec<CallDigest>,
    /// When it stops being accepted (clock time).
    expires: Duration,
    /// Every call it allowed has been made (kept until expiry to name a replay).
    spent: bool,
}

/// Why a token did not allow a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRefusal {
    /// No token came with the call.
    Missing,
    /// Not a token this process issued (forged, mistyped, or issued before a restart), or forgotten long after
    /// it expired.
    Unknown,
    /// Already used for the call it was issued for.
    Spent,
    /// Issued too long ago.
    Expired,
    /// Issued for another call (another VM, tool or arguments); the token is burnt.
    OtherCall,
}

impl fmt::Display for GrantRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GrantRefusal::Missing => {
                "no approval came with the call. The OpenClaw plugin asks a person through OpenClaw \
                 (before_tool_call → requireApproval) and passes the core's one-time token only once they allowed \
                 it: connect an approval client (the Control UI, `openclaw tui`, a chat channel with approvals) and \
                 answer with `openclaw approvals resolve <id> allow-once`"
            }
            GrantRefusal::Unknown => {
                "the approval token is not one this computer-use process issued (forged, or issued before it \
                 restarted)"
            }
            GrantRefusal::Spent => {
                "the approval token was already used: one approval runs one call; this call needs a new approval"
            }
            GrantRefusal::Expired => {
                "the approval token expired (guards.approval.timeoutSecs after the call was classified): ask again"
            }
            GrantRefusal::OtherCall => {
                "the approval token was issued for another call (another VM, tool or arguments); it is now void: \
                 ask for approval of this call"
            }
        })
    }
}

/// The tokens one face has issued (shared by every call of the face, like the rest of [`crate::guards::Guards`]).
pub struct Grants {
    clock: Arc<dyn Clock>,
    grants: Mutex<HashMap<String, Grant>>,
}

impl fmt::Debug for Grants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the tokens.
        f.debug_struct("Grants")
            .field("held", &lock(&self.grants).len())
            .finish_non_exhaustive()
    }
}

impl Grants {
    /// An empty store on `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Grants {
        Grants {
            clock,
            grants: Mutex::new(HashMap::new()),
        }
    }

    /// A new token allowing each of `calls` once, for `ttl`. None only if the OS gives no randomness (then
    /// nothing can be approved this way: fail closed).
    pub(crate) fn issue(&self, calls: Vec<CallDigest>, ttl: Duration) -> Option<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).ok()?;
        let token = bytes.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let now = self.clock.now();
        let mut grants = lock(&self.grants);
        grants.retain(|_, g| g.expires > now);
        while grants.len() >= MAX_GRANTS {
            let oldest = grants
                .iter()
                .min_by_key(|(_, g)| g.expires)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => grants.remove(&k),
                None => break,
            };
        }
        grants.insert(
            token.clone(),
            Grant {
                calls,
                expires: now.saturating_add(ttl),
                spent: false,
            },
        );
        Some(token)
    }

    /// Uses `token` for the call `digest`: Ok once per call it was issued for.
    pub fn redeem(&self, token: Option<&str>, digest: &CallDigest) -> Result<(), GrantRefusal> {
        let token = token.ok_or(GrantRefusal::Missing)?;
        let now = self.clock.now();
        let mut grants = lock(&self.grants);
        let grant = grants.get_mut(token).ok_or(GrantRefusal::Unknown)?;
        if grant.spent {
            return Err(GrantRefusal::Spent);
        }
        if grant.expires <= now {
            grant.spent = true;
            return Err(GrantRefusal::Expired);
        }
        let Some(i) = grant.calls.iter().position(|c| c == digest) else {
            grant.spent = true;
            return Err(GrantRefusal::OtherCall);
        };
        grant.calls.swap_remove(i);
        grant.spent = grant.calls.is_empty();
        Ok(())
    }
}

/// The approver of a face whose host asked the person: it approves a call exactly when the token that came with
/// it ([`Grants::redeem`]) allows it. It never waits.
#[derive(Debug, Clone)]
pub struct GrantApprover {
    grants: Arc<Grants>,
    token: Option<String>,
}

impl GrantApprover {
    /// The approver for one call that came with `token` (None: the call came without one).
    pub fn new(grants: Arc<Grants>, token: Option<String>) -> GrantApprover {
        GrantApprover { grants, token }
    }
}

impl Approver for GrantApprover {
    fn approve<'a>(&'a self, request: &'a ApprovalRequest) -> ApprovalFuture<'a> {
        let decision = match self.grants.redeem(self.token.as_deref(), &request.digest) {
            Ok(()) => ApprovalDecision::Approved,
            Err(why @ GrantRefusal::Missing) => ApprovalDecision::Unavailable(why.to_string()),
            Err(why) => ApprovalDecision::Invalid(why.to_string()),
        };
        Box::pin(std::future::ready(decision))
    }
}

/// A poisoned lock only means another call panicked mid-update; the map is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;

    fn digest(n: u8) -> CallDigest {
        CallDigest([n; 32])
    }

    fn store() -> (Grants, FakeClock) {
        let clock = FakeClock::new();
        (Grants::new(Arc::new(clock.clone())), clock)
    }

    #[test]
    fn a_token_allows_its_call_once() {
        let (grants, _) = store();
        let token = grants
            .issue(vec![digest(1)], Duration::from_secs(10))
            .unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(grants.redeem(Some(&token), &digest(1)), Ok(()));
        assert_eq!(
            grants.redeem(Some(&token), &digest(1)),
            Err(GrantRefusal::Spent)
        );
    }

    #[test]
    fn a_token_is_bound_to_its_call_and_burnt_by_another() {
        let (grants, _) = store();
        let token = grants
            .issue(vec![digest(1)], Duration::from_secs(10))
            .unwrap();
        assert_eq!(
            grants.redeem(Some(&token), &digest(2)),
            Err(GrantRefusal::OtherCall)
        );
        assert_eq!(
            grants.redeem(Some(&token), &digest(1)),
            Err(GrantRefusal::Spent)
        );
    }

    #[test]
    fn tokens_expire() {
        let (grants, clock) = store();
        let token = grants
            .issue(vec![digest(1)], Duration::from_secs(10))
            .unwrap();
        clock.advance(Duration::from_secs(10));
        assert_eq!(
            grants.redeem(Some(&token), &digest(1)),
            Err(GrantRefusal::Expired)
        );
    }

    #[test]
    fn unknown_and_missing_tokens_are_refused() {
        let (grants, _) = store();
        let token = grants
            .issue(vec![digest(1)], Duration::from_secs(10))
            .unwrap();
        let mut forged = token.clone();
        forged.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
        assert_eq!(
            grants.redeem(Some(&forged), &digest(1)),
            Err(GrantRefusal::Unknown)
        );
        assert_eq!(grants.redeem(None, &digest(1)), Err(GrantRefusal::Missing));
        assert_eq!(grants.redeem(Some(&token), &digest(1)), Ok(()));
    }

    #[test]
    fn a_batch_token_allows_each_of_its_calls_once() {
        let (grants, _) = store();
        let token = grants
            .issue(vec![digest(1), digest(2)], Duration::from_secs(10))
            .unwrap();
        assert_eq!(grants.redeem(Some(&token), &digest(2)), Ok(()));
        assert_eq!(grants.redeem(Some(&token), &digest(1)), Ok(()));
        assert_eq!(
            grants.redeem(Some(&token), &digest(1)),
            Err(GrantRefusal::Spent)
        );
    }

    #[test]
    fn the_store_is_bounded_and_forgets_the_oldest_first() {
        let (grants, clock) = store();
        let first = grants
            .issue(vec![digest(1)], Duration::from_secs(60))
            .unwrap();
        clock.advance(Duration::from_secs(1));
        for _ in 0..MAX_GRANTS {
            grants
                .issue(vec![digest(2)], Duration::from_secs(60))
                .unwrap();
        }
        assert_eq!(lock(&grants.grants).len(), MAX_GRANTS);
        assert_eq!(
            grants.redeem(Some(&first), &digest(1)),
            Err(GrantRefusal::Unknown)
        );
    }
}
