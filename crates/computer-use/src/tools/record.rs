//! Recording every tool call, from every face, so an operator can see afterwards what the agent saw and did.
//!
//! Turned on by `record.dir` (or `--record DIR`). [`crate::tools::call`]'s one path gives each call a
//! [`Draft`]: the guards finish the call as usual (audit line included), then hand the recorder what the audit
//! line was made of (`GuardedCall::finish_observed`); the draft adds what the result holds —
//! the image the model received, where pointer input landed (`details.landed`, which the pointer tools put
//! there), a command's streams — and, for input actions when `record.screenshotAfterInput` is set, a cheap
//! screenshot taken for the recording only. Then the step is appended (the `recording` crate's writer:
//! append-only, crash-safe, bounded by `record.maxBytes`).
//!
//! **One recording per VM, agent and session**: the key is the configured VM name, the agent id and the
//! session key the face passed ([`ToolContext::caller`]); the first call of a key
//! creates its directory. At most 64 stay open; the least recently used is closed first (its session's next
//! call starts a new recording). Calls a `vm_batch` runs are recorded as steps of their own with the batch as
//! `parent` (a task-local carries the batch's call id into them).
//!
//! **What is kept, and what is not.** Arguments are redacted by the audit log's own rules (the same
//! [`crate::guards::audit`] code, so a rule added there applies here). Every text kept — the result text, guard
//! messages, warnings, a command's output — is scrubbed of every value redacted so far in the same recording
//! (a password typed at step 3 does not reappear in step 9's output) and of base64 data runs. Image data
//! goes to image files only: never into a line, the audit log or stderr. Recording errors are reported on
//! stderr once per recording and never fail the call.

pub(crate) mod after;
mod draft;
mod step;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use recording::format::{FORMAT, Meta, VERSION};
use recording::writer::{Budget, Writer, dir_name};

use crate::config::{Config, RecordConfig};
use crate::guards::audit::timestamp;

#[cfg(doc)]
use crate::tools::ToolContext;
pub use draft::Draft;

/// Most scrub values a recording remembers (typed text and secrets of earlier steps).
const MAX_SECRETS: usize = 4096;
/// Most recordings kept open (one file handle each). A long-running gateway sees many sessions: past this, the
/// least recently used recording is closed, and a later call of its session starts a new one.
const MAX_OPEN: usize = 64;

/// Which recording a call belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    vm: String,
    agent: Option<String>,
    session: Option<String>,
}

/// One open recording.
struct Open {
    /// `None` once creating or writing it failed (reported once; later calls are not recorded).
    writer: Option<Writer>,
    /// When it started, for each step's offset.
    started: Instant,
    /// Its last call, for closing the least recently used.
    used: Instant,
    /// Values redacted in earlier steps, scrubbed from every later text.
    secrets: Vec<String>,
    /// Whether the budget ran out (reported once).
    full: bool,
}

/// The recordings of one face (one per VM, agent and session), sharing one byte budget.
pub struct Recorder {
    root: PathBuf,
    config: RecordConfig,
    budget: Arc<Mutex<Budget>>,
    open: Mutex<HashMap<Key, Arc<Mutex<Open>>>>,
    next_call: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("root", &self.root)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// The recorder `config` asks for, or `None` when `record.dir` is not set.
    pub fn from_config(config: &Config) -> Option<Recorder> {
        let record = config.record();
        let root = record.dir()?.to_path_buf();
        Some(Recorder {
            budget: Budget::shared(record.max_bytes()),
            config: record.clone(),
            root,
            open: Mutex::new(HashMap::new()),
            next_call: std::sync::atomic::AtomicU64::new(1),
        })
    }

    /// The directory recordings are written in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directories of the recordings opened so far (for tests and the CLI's closing message).
    pub fn recordings(&self) -> Vec<PathBuf> {
        let open = lock(&self.open);
        let mut dirs: Vec<PathBuf> = open
            .values()
            .filter_map(|o| lock(o).writer.as_ref().map(|w| w.dir().to_path_buf()))
            .collect();
        dirs.sort();
        dirs
    }

    fn next_call(&self) -> u64 {
        self.next_call
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The recording of `key`, created (directory, `meta.json`) on first use.
    fn recording(&self, key: &Key) -> Arc<Mutex<Open>> {
        let mut open = lock(&self.open);
        if let Some(o) = open.get(key) {
            lock(o).used = Instant::now();
            return o.clone();
        }
        if open.len() >= MAX_OPEN {
            let oldest = open
                .iter()
                .min_by_key(|(_, o)| lock(o).used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                open.remove(&k);
            }
        }
        let now = SystemTime::now();
        let started = timestamp(now);
        let meta = Meta {
            format: FORMAT.to_owned(),
            version: VERSION,
            started: started.clone(),
            vm: key.vm.clone(),
            agent: key.agent.clone(),
            session: key.session.clone(),
            pid: std::process::id(),
            producer: format!("computer-use {}", env!("CARGO_PKG_VERSION")),
        };
        let name = dir_name(&compact(&started), &meta);
        let writer = match Writer::create(&self.root, &name, &meta, self.budget.clone()) {
            Ok(w) => {
                tracing::info!(dir = %w.dir().display(), "recording tool calls");
                Some(w)
            }
            Err(e) => {
                tracing::error!(
                    dir = %self.root.display(),
                    "cannot create a recording: {e}; calls of VM `{}` go on unrecorded (check that record.dir is writable)",
                    key.vm
                );
                None
            }
        };
        let o = Arc::new(Mutex::new(Open {
            writer,
            started: Instant::now(),
            used: Instant::now(),
            secrets: Vec::new(),
            full: false,
        }));
        open.insert(key.clone(), o.clone());
        o
    }
}

/// `2026-11-25T15:38:00.123Z` → `20261125T153800Z`.
fn compact(ts: &str) -> String {
    let mut out: String = ts
        .split('.')
        .next()
        .unwrap_or(ts)
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    out.push('Z');
    out
}

/// A poisoned lock only means another call panicked mid-write; the state is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_timestamps_name_directories() {
        assert_eq!(compact("2026-11-25T15:38:00.123Z"), "20261125T153800Z");
    }
}
