//! Reading a recording back, as far as it goes.
//!
//! A recording may have been cut by a kill at any point (see [`crate::writer`]): the last line may be partial
//! and is then ignored; an image a line names may be missing (dropped to stay within the budget) and reads as
//! dropped. A line in the middle that does not parse (the file was edited) is skipped and counted, not fatal.

use std::path::{Path, PathBuf};

use crate::format::{FORMAT, IMAGES_DIR, ImageRef, META_FILE, Meta, STEPS_FILE, Step, VERSION};

/// Why a directory could not be read as a recording.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The directory or a file of it could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// What was read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// No `meta.json`: not a recording (maybe the directory that holds recordings).
    #[error("{} is not a recording (no {META_FILE}){}", dir.display(), children_hint(children))]
    NotARecording {
        /// The directory given.
        dir: PathBuf,
        /// Recordings found directly inside it.
        children: Vec<PathBuf>,
    },
    /// `meta.json` is not what this version writes.
    #[error("{}: {reason}", path.display())]
    BadMeta {
        /// The file.
        path: PathBuf,
        /// What is wrong, and what to do.
        reason: String,
    },
}

fn children_hint(children: &[PathBuf]) -> String {
    match children {
        [] => String::new(),
        [only] => format!("; it holds one recording: {}", only.display()),
        many => format!(
            "; it holds {} recordings (`computer-use record list` shows them), e.g. {}",
            many.len(),
            many[many.len() - 1].display()
        ),
    }
}

/// A recording as read from disk.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Its directory.
    pub dir: PathBuf,
    /// `meta.json`.
    pub meta: Meta,
    /// Every complete step, in file order.
    pub steps: Vec<Step>,
    /// Lines in the middle that did not parse and were skipped.
    pub bad_lines: usize,
    /// Whether the last line was cut (the recording was interrupted while writing it).
    pub cut: bool,
}

impl Recording {
    /// Reads the recording in `dir`.
    pub fn open(dir: &Path) -> Result<Recording, ReadError> {
        let meta_path = dir.join(META_FILE);
        let meta_text = match std::fs::read_to_string(&meta_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !dir.is_dir() {
                    return Err(ReadError::Io {
                        path: dir.to_owned(),
                        source: e,
                    });
                }
                return Err(ReadError::NotARecording {
                    dir: dir.to_owned(),
                    children: crate::list::recording_dirs(dir),
                });
            }
            Err(e) => {
                return Err(ReadError::Io {
                    path: meta_path,
                    source: e,
                });
            }
        };
        let meta: Meta = serde_json::from_str(&meta_text).map_err(|e| ReadError::BadMeta {
            path: meta_path.clone(),
            reason: format!("not a recording's metadata ({e})"),
        })?;
        if meta.format != FORMAT {
            return Err(ReadError::BadMeta {
                path: meta_path,
                reason: format!("format is {:?}, not {FORMAT:?}", meta.format),
            });
        }
        if meta.version > VERSION {
            return Err(ReadError::BadMeta {
                path: meta_path,
                reason: format!(
                    "format version {} is newer than this computer-use reads ({VERSION}): upgrade computer-use",
                    meta.version
                ),
            });
        }
        let steps_path = dir.join(STEPS_FILE);
        let text = match std::fs::read(&steps_path) {
            Ok(bytes) => bytes,
            // Created but cut before the steps file appeared: no steps.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(ReadError::Io {
                    path: steps_path,
                    source: e,
                });
            }
        };
        let (steps, bad_lines, cut) = parse_steps(&text);
        Ok(Recording {
            dir: dir.to_owned(),
            meta,
            steps,
            bad_lines,
            cut,
        })
    }

    /// The file of an image reference.
    pub fn image_path(&self, image: &ImageRef) -> PathBuf {
        self.dir.join(&image.file)
    }

    /// The bytes of an image, or `None` when it was dropped (or never written). Only files inside the
    /// recording's image directory are read, whatever a line says.
    pub fn image_bytes(&self, image: &ImageRef) -> Option<Vec<u8>> {
        let name = image.file.strip_prefix(&format!("{IMAGES_DIR}/"))?;
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return None;
        }
        std::fs::read(self.dir.join(IMAGES_DIR).join(name)).ok()
    }

    /// The steps that failed.
    pub fn failures(&self) -> usize {
        self.steps.iter().filter(|s| s.failed()).count()
    }
}

/// Complete lines parsed; a last line without its newline is the cut one.
fn parse_steps(bytes: &[u8]) -> (Vec<Step>, usize, bool) {
    let mut steps = Vec::new();
    let mut bad = 0;
    let complete_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let cut = complete_len < bytes.len();
    for line in bytes[..complete_len].split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Step>(line) {
            Ok(step) => steps.push(step),
            Err(_) => bad += 1,
        }
    }
    (steps, bad, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64) -> String {
        format!(
            r#"{{"step":{n},"call":{n},"ts":"t","tMs":0,"tool":"vm_move","args":{{}},"outcome":"ok","latencyMs":1}}"#
        )
    }

    #[test]
    fn a_cut_last_line_is_ignored_and_earlier_ones_kept() {
        let whole = format!("{}\n{}\n{}\n", line(1), line(2), line(3));
        let bytes = whole.as_bytes();
        // Every cut point: the steps read back are exactly the whole lines before it.
        for cut_at in 0..=bytes.len() {
            let (steps, bad, cut) = parse_steps(&bytes[..cut_at]);
            let whole_lines = bytes[..cut_at].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(steps.len(), whole_lines, "cut at {cut_at}");
            assert_eq!(bad, 0, "cut at {cut_at}");
            assert_eq!(
                cut,
                cut_at > 0 && bytes[cut_at - 1] != b'\n',
                "cut at {cut_at}"
            );
        }
    }
}
