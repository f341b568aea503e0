//! Who is calling: what the core remembers per caller (per VM) is keyed by it — the last image sent, so an
//! unchanged screen is not sent again; the input actions since, so their effect can be reported; the loop
//! guard's history, so one agent's repeats never count against another's calls.
//!
//! What matters is whose model context holds the last image, so a caller is, most specific first:
//! - **a conversation** the face names (`_meta["computer-use/session"]`; the OpenClaw shim sends the
//!   calling agent's session key), with its agent: it is the same caller across MCP sessions, which is what
//!   a client of the sessionless streamable-HTTP revision (2026-07-28) needs to be remembered at all;
//! - else **the MCP session** (stdio: the process's one client; streamable HTTP: each `Mcp-Session-Id`) and,
//!   within it, the agent sent as `_meta["computer-use/agent"]`. A sessionless request naming no
//!   conversation is a caller of its own: it always gets the image;
//! - **the CLI**: each invocation is a process of its own with fresh state, so a person is one caller per
//!   command (and people get full screenshots, never "unchanged" replies).
//!
//! Erring towards more callers is the safe side: a new caller's first look gets the image. Two runs that
//! claim the same conversation share what is remembered.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The identity of a caller: a face session and, optionally, an agent within it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Caller {
    /// The face session; 0 when a conversation names the caller.
    session: u64,
    agent: Option<String>,
    conversation: Option<String>,
}

impl Caller {
    /// A caller for a new face session (a fresh number each time; 0 is the process's default caller).
    pub fn new_session() -> Caller {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Caller {
            session: NEXT.fetch_add(1, Ordering::Relaxed),
            agent: None,
            conversation: None,
        }
    }

    /// This session's caller for `agent` (None: the session itself).
    pub fn with_agent(&self, agent: Option<&str>) -> Caller {
        Caller {
            agent: agent.map(str::to_owned),
            ..self.clone()
        }
    }

    /// The caller of the conversation `id`, whatever face session it arrives in (None: this caller).
    pub fn in_conversation(&self, id: Option<&str>) -> Caller {
        match id {
            Some(id) => Caller {
                session: 0,
                agent: self.agent.clone(),
                conversation: Some(id.to_owned()),
            },
            None => self.clone(),
        }
    }

    /// The agent id, if the face named one.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }

    /// The conversation's name (OpenClaw's session key), if the face named one.
    pub fn conversation(&self) -> Option<&str> {
        self.conversation.as_deref()
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.conversation {
            Some(c) => write!(f, "conversation {c}")?,
            None => write!(f, "session {}", self.session)?,
        }
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

    #[test]
    fn a_conversation_is_the_same_caller_in_any_session() {
        let a = Caller::new_session().with_agent(Some("worker"));
        let b = Caller::new_session().with_agent(Some("worker"));
        let in_a = a.in_conversation(Some("agent:worker:main"));
        assert_eq!(in_a, b.in_conversation(Some("agent:worker:main")));
        assert_ne!(in_a, a.in_conversation(Some("agent:worker:other")));
        assert_ne!(
            in_a,
            Caller::new_session()
                .with_agent(Some("lab"))
                .in_conversation(Some("agent:worker:main"))
        );
        assert_eq!(a.in_conversation(None), a);
        assert_eq!(
            in_a.to_string(),
            "conversation agent:worker:main, agent worker"
        );
    }
}
