//! Writing a recording: append-only, crash-safe, bounded.
//!
//! **Crash safety.** `meta.json` is written (to a temporary name, then renamed) before the first step. For each
//! step, its image files are written completely first, then its line is appended to `steps.jsonl` in one
//! `write` on a file opened for appending. So whenever the process dies — SIGKILL included — every line in the
//! file is whole except perhaps the last (which readers ignore), and every image a whole line names was written
//! before it. An image without a line (the process died in between) is ignored.
//!
//! **fsync policy.** `meta.json` and the directory entry are synced once, when the recording is created. Steps
//! are not synced: once `write` returns, the data is in the kernel's page cache and survives the death of the
//! process (what a kill, a panic or an OOM kill does), but not a power loss or a kernel crash. Syncing every
//! step would cost milliseconds per call (an fsync on this class of disk), more than the ≤ 1 ms a recorded
//! `vm_move` may cost.
//!
//! **Budget.** One [`Budget`] bounds every recording of a process together (`record.maxBytes`). When a step
//! would pass it, image files are deleted, oldest first (across the recordings sharing the budget), until the
//! step fits; the step lines are always kept, and a line whose image file is missing reads as "image dropped".
//! If the step still does not fit, its own images are left out; if not even its line fits, the recording is
//! full: the step and every later one is refused ([`Appended::Full`]) and the core says so once on stderr.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::format::{IMAGES_DIR, ImageRef, META_FILE, Meta, STEPS_FILE, Step};

/// The byte budget shared by the recordings of one process.
#[derive(Debug)]
pub struct Budget {
    max: u64,
    used: u64,
    /// Image files written under this budget, oldest first, with their sizes.
    images: VecDeque<(PathBuf, u64)>,
}

impl Budget {
    /// A budget of `max` bytes, shared by every writer given a clone of it.
    pub fn shared(max: u64) -> Arc<Mutex<Budget>> {
        Arc::new(Mutex::new(Budget {
            max,
            used: 0,
            images: VecDeque::new(),
        }))
    }

    /// Bytes counted so far (step lines, metadata and the images not yet dropped).
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Deletes the oldest images until `need` more bytes fit; returns how many were deleted and whether it fits.
    fn make_room(&mut self, need: u64) -> (usize, bool) {
        let mut dropped = 0;
        while self.used + need > self.max {
            let Some((path, size)) = self.images.pop_front() else {
                return (dropped, false);
            };
            // Already gone (deleted by hand) is as good as deleted.
            let _ = std::fs::remove_file(&path);
            self.used = self.used.saturating_sub(size);
            dropped += 1;
        }
        (dropped, true)
    }
}

fn lock(b: &Mutex<Budget>) -> MutexGuard<'_, Budget> {
    match b.lock() {
        Ok(g) => g,
        // Another writer panicked mid-update; the counters are still usable.
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// An image to store with a step: the encoded bytes and their MIME type.
#[derive(Clone)]
pub struct NewImage {
    /// Encoded image.
    pub bytes: Vec<u8>,
    /// Its reference, without `file` and `bytes` (the writer fills both in).
    pub info: ImageRef,
}

impl std::fmt::Debug for NewImage {
    // Never print image data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NewImage({}, {} bytes)",
            self.info.mime,
            self.bytes.len()
        )
    }
}

/// What became of an appended step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Written as step `step`; `dropped` older images were deleted to make room, and `images_left_out` of its
    /// own images did not fit.
    Written {
        /// Its step number.
        step: u64,
        /// Older image files deleted for it.
        dropped: usize,
        /// Its own images that were not written.
        images_left_out: usize,
    },
    /// The budget cannot hold even the step's line: nothing was written, and nothing more will be.
    Full,
}

/// One recording being written.
#[derive(Debug)]
pub struct Writer {
    dir: PathBuf,
    steps: File,
    next: u64,
    budget: Arc<Mutex<Budget>>,
    full: bool,
}

impl Writer {
    /// Creates `<root>/<name>` (or `<name>-2`, … if taken), writes `meta.json` and opens `steps.jsonl`. The
    /// root is created if missing; directories are private (0700) and files 0600: a recording holds what the
    /// agent saw.
    pub fn create(
        root: &Path,
        name: &str,
        meta: &Meta,
        budget: Arc<Mutex<Budget>>,
    ) -> io::Result<Writer> {
        create_private_dir_all(root)?;
        let dir = fresh_dir(root, name)?;
        create_private_dir_all(&dir.join(IMAGES_DIR))?;
        let meta_text = serde_json::to_string_pretty(meta).map_err(io::Error::other)? + "\n";
        let tmp = dir.join(format!("{META_FILE}.tmp"));
        {
            let mut f = private_file(&tmp, false)?;
            f.write_all(meta_text.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, dir.join(META_FILE))?;
        let steps = private_file(&dir.join(STEPS_FILE), true)?;
        // The directory entries (meta.json, steps.jsonl, img/) survive a crash from here on.
        File::open(&dir)?.sync_all()?;
        lock(&budget).used += meta_text.len() as u64;
        Ok(Writer {
            dir,
            steps,
            next: 1,
            budget,
            full: false,
        })
    }

    /// The recording's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The number the next step will get.
    pub fn next_step(&self) -> u64 {
        self.next
    }

    /// Appends `step` (its `step` number is assigned here) with its model image and after-input screenshot:
    /// images first, then the line (see the module documentation for the order and the budget).
    pub fn append(
        &mut self,
        mut step: Step,
        image: Option<NewImage>,
        after: Option<NewImage>,
    ) -> io::Result<Appended> {
        if self.full {
            return Ok(Appended::Full);
        }
        let number = self.next;
        step.step = number;
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for (slot, new, suffix) in [
            (&mut step.image, image, ""),
            (&mut step.after, after, "-after"),
        ] {
            let Some(NewImage { bytes, mut info }) = new else {
                continue;
            };
            info.file = format!("{IMAGES_DIR}/{number:06}{suffix}.{}", extension(&info.mime));
            info.bytes = bytes.len() as u64;
            files.push((self.dir.join(&info.file), bytes));
            *slot = Some(info);
        }
        let mut line = serde_json::to_string(&step).map_err(io::Error::other)?;
        line.push('\n');
        let line_len = line.len() as u64;
        let images_len: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();

        let mut budget = lock(&self.budget);
        let (mut dropped, fits) = budget.make_room(line_len + images_len);
        let mut left_out = 0;
        if !fits {
            left_out = files.len();
            files.clear();
            let (more, fits) = budget.make_room(line_len);
            dropped += more;
            if !fits {
                self.full = true;
                return Ok(Appended::Full);
            }
        }
        for (path, bytes) in &files {
            let mut f = private_file(path, false)?;
            f.write_all(bytes)?;
            budget.used += bytes.len() as u64;
            budget.images.push_back((path.clone(), bytes.len() as u64));
        }
        self.steps.write_all(line.as_bytes())?;
        budget.used += line_len;
        self.next += 1;
        Ok(Appended::Written {
            step: number,
            dropped,
            images_left_out: left_out,
        })
    }
}

/// `jpg`, `png`, `webp` (`bin` for anything else).
fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "bin",
    }
}

/// `root/name`, or `root/name-2`, `-3`, … when taken; created empty and private.
fn fresh_dir(root: &Path, name: &str) -> io::Result<PathBuf> {
    for n in 1..1000u32 {
        let candidate = if n == 1 {
            root.join(name)
        } else {
            root.join(format!("{name}-{n}"))
        };
        match create_private_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{}: 1000 recordings named {name}-N exist already",
            root.display()
        ),
    ))
}

fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path)
}

fn create_private_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path)
}

fn private_file(path: &Path, append: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    if append {
        options.create(true).append(true);
    } else {
        options.create_new(true).write(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// A name for a recording directory: `<started>-<vm>[-<agent>][-<session>]-<pid>`, each part cut to 40
/// characters of `[A-Za-z0-9._-]` (others become `_`), so any agent id or session key makes a safe name.
pub fn dir_name(started_compact: &str, meta: &Meta) -> String {
    let mut parts = vec![started_compact.to_owned(), safe(&meta.vm)];
    if let Some(agent) = &meta.agent {
        parts.push(safe(agent));
    }
    if let Some(session) = &meta.session {
        parts.push(safe(session));
    }
    parts.push(meta.pid.to_string());
    parts.join("-")
}

fn safe(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    // Never `.` or `..`, never empty.
    if cleaned.chars().all(|c| c == '.') {
        format!("_{cleaned}")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_whatever_the_ids() {
        let meta = Meta {
            format: "f".into(),
            version: 1,
            started: "s".into(),
            vm: "default".into(),
            agent: Some("../../etc".into()),
            session: Some("agent:worker:main/x y".into()),
            pid: 42,
            producer: "p".into(),
        };
        assert_eq!(
            dir_name("20261125T153800Z", &meta),
            "20261125T153800Z-default-.._.._etc-agent_worker_main_x_y-42"
        );
        assert_eq!(safe(".."), "_..");
        assert_eq!(safe(""), "_");
    }
}
