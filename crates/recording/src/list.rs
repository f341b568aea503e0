//! The recordings under a root directory (`record.dir`), for `computer-use record list`.

use std::path::{Path, PathBuf};

use crate::format::META_FILE;
use crate::read::{ReadError, Recording};

/// One recording, summed up.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Its directory.
    pub dir: PathBuf,
    /// When it started.
    pub started: String,
    /// The VM.
    pub vm: String,
    /// The agent, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The session key, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Complete steps.
    pub steps: usize,
    /// Steps that failed.
    pub failures: usize,
    /// Bytes on disk (metadata, steps and the images still there).
    pub bytes: u64,
    /// Whether its last line was cut.
    pub cut: bool,
}

/// The directories directly inside `root` that hold a recording, sorted by name (so by start time).
pub fn recording_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(META_FILE).is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The recordings in `root` (or `root` itself, when it is one), oldest first. Unreadable ones are skipped with
/// their error in the second list.
pub fn list(root: &Path) -> Result<(Vec<Summary>, Vec<ReadError>), ReadError> {
    let dirs = if root.join(META_FILE).is_file() {
        vec![root.to_owned()]
    } else {
        if let Err(e) = std::fs::read_dir(root) {
            return Err(ReadError::Io {
                path: root.to_owned(),
                source: e,
            });
        }
        recording_dirs(root)
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        match Recording::open(&dir) {
            Ok(r) => out.push(Summary {
                bytes: dir_bytes(&dir),
                started: r.meta.started.clone(),
                vm: r.meta.vm.clone(),
                agent: r.meta.agent.clone(),
                session: r.meta.session.clone(),
                steps: r.steps.len(),
                failures: r.failures(),
                cut: r.cut,
                dir,
            }),
            Err(e) => errors.push(e),
        }
    }
    Ok((out, errors))
}

/// Total size of the files in `dir` and its `img/`.
fn dir_bytes(dir: &Path) -> u64 {
    fn files(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok().map(|m| (e.path(), m)))
                    .map(|(p, m)| if m.is_dir() { files(&p) } else { m.len() })
                    .sum()
            })
            .unwrap_or(0)
    }
    files(dir)
}
