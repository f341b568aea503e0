//! Who is calling: what the core remembers per caller (per VM) is keyed by it — the last image sent, so an
//! unchanged screen is not sent again; the input actions since, so their effect can be reported; the loop
//! guard's history, so one agent's repeats never count against another's calls.
//!
//! A caller is the face's session and, within it, the agent:
//! - **MCP**: each client session (stdio: the process's one client; streamable HTTP: each `Mcp-Session-Id`)
//!   gets its own number, and an agent id sent as `_meta["computer-use/agent"]` (the OpenClaw shim sends the
//!   calling agent's) tells agents sharing one session apart;
//! - **the CLI**: each invocation is a process of its own with fresh state, so a person is one caller per
//!   command (and people get full screenshots, never "unchanged" replies).
//!
//! Two callers that are the same model conversation (an agent reconnecting in a new MCP session) are two
//! callers: the first look of the new one always gets the image, which is the safe side.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The identity of a caller: a face session and, optionally, an agent within it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Caller {
    session: u64,
    agent: Option<String>,
}

impl Caller {
    /// A caller for a new face session (a fresh number each time; 0 is the process's default caller).
    pub fn new_session() -> Caller {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Caller {
            session: NEXT.fetch_add(1, Ordering::Relaxed),
            agent: None,
        }
    }

    /// This session's caller for `agent` (None: the session itself).
    pub fn with_agent(&self, agent: Option<&str>) -> Caller {
        Caller {
            session: self.session,
            agent: agent.map(str::to_owned),
        }
    }

    /// The agent id, if the face named one.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session {}", self.session)?;
        if let Some(agent) = &self.agent {
            write!(f, ", agent {agent}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_distinct_and_agents_split_a_session() {
        let a = Caller::new_session();
        let b = Caller::new_session();
        assert_ne!(a, b);
        assert_ne!(a, Caller::default());
        let worker = a.with_agent(Some("worker"));
        assert_ne!(worker, a);
        assert_eq!(worker, a.with_agent(Some("worker")));
        assert_ne!(worker, b.with_agent(Some("worker")));
        assert_eq!(worker.with_agent(None), a);
        assert_eq!(
            worker.to_string(),
            format!("session {}, agent worker", a.session)
        );
    }
}
