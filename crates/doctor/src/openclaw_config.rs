//! `computer-use openclaw config`: the plugin entry and the worker agent for the user's OpenClaw, printed as a
//! minimal `openclaw.json`, or merged into an existing one (`--write`) keeping its comments and everything
//! else; the main agent gains `worker` in `subagents.allowAgents` (and `vm_*` in its deny list if it could
//! call them). The result passes the pinned gateway's `openclaw config validate` and `computer-use doctor
//! --offline` (both tested in `tests/e2e/openclaw-config.test.mjs`).
//!
//! - [`version`]: which OpenClaw shape to write (2026.9.x or the guide's 2026.2.x), detected with
//!   `openclaw --version` unless given;
//! - [`generate`]: the pieces; [`merge`]: the comment-preserving, idempotent merge.

pub mod generate;
pub mod merge;
pub mod version;

use std::path::{Path, PathBuf};

use computer_use::Hinted;
use computer_use::config::ConfigError;
use computer_use::hint::HintLine;

pub use self::version::Target;

/// What to write and for which OpenClaw.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    /// The `plugins.load.paths` entry: the plugin's directory (absolute is safest: OpenClaw resolves relative
    /// paths against the directory it runs in).
    pub plugin_path: String,
    /// The config shape.
    pub target: Target,
    /// The user-facing agent (default `main`).
    pub main_agent: String,
    /// The agent that drives the VM (default `worker`).
    pub worker_agent: String,
}

impl SetupOptions {
    /// Options for `target` with the plugin at `plugin_path` and the seed's agent names.
    pub fn new(plugin_path: impl Into<String>, target: Target) -> SetupOptions {
        SetupOptions {
            plugin_path: plugin_path.into(),
            target,
            main_agent: "main".to_owned(),
            worker_agent: "worker".to_owned(),
        }
    }
}

/// A merge's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The whole new file.
    pub text: String,
    /// What was added or changed, one line each (empty: nothing to do).
    pub changes: Vec<String>,
    /// Things left as they were that the user should know about.
    pub notes: Vec<String>,
}

/// Why the config could not be written. Says what happened and what to do apart ([`Hinted`]); `Display` is
/// the two joined, like every error of the workspace.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", self.message(), HintLine(self.hint()))]
#[non_exhaustive]
pub enum SetupError {
    /// The existing file is not JSON5 (the core's parser says where, and how to fix it).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The existing file could not be parsed for editing (after it parsed as JSON5).
    Parse(String),
    /// A key the merge must extend holds something other than an object.
    NotAnObject {
        /// The key path.
        path: String,
    },
    /// A key the merge must extend holds something other than an array.
    NotAnArray {
        /// The key path.
        path: String,
    },
    /// Reading or writing the file failed.
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Hinted for SetupError {
    fn message(&self) -> String {
        match self {
            SetupError::Config(e) => e.message(),
            SetupError::Parse(message) => message.clone(),
            SetupError::NotAnObject { path } => format!(
                "`{path}` is not an object, so the plugin and worker cannot be merged into it"
            ),
            SetupError::NotAnArray { path } => {
                format!("`{path}` is not an array, so it cannot be extended")
            }
            SetupError::Io {
                action,
                path,
                source,
            } => format!("cannot {action} {}: {source}", path.display()),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            SetupError::Config(e) => e.hint(),
            SetupError::Parse(_) => None,
            SetupError::NotAnObject { path } => Some(format!(
                "fix `{path}` by hand (it must be an object like {{ ... }}), then run this again"
            )),
            SetupError::NotAnArray { path } => Some(format!(
                "make `{path}` a list like [\"...\"], then run this again"
            )),
            SetupError::Io { .. } => Some("check the path and its permissions".to_owned()),
        }
    }
}

/// The pieces as a minimal, complete `openclaw.json` (what the command prints without `--write`).
pub fn snippet(opts: &SetupOptions) -> Result<String, SetupError> {
    let header = format!(
        "// computer-use for OpenClaw ({}): the plugin, a main agent that delegates to the worker, and the worker.\n// Merge into your openclaw.json with `computer-use openclaw config --write --config <openclaw.json>`.\n",
        match opts.target {
            Target::Current => "2026.9.x",
            Target::Legacy => "before 2026.9",
        }
    );
    Ok(merge::merge(&format!("{header}{{}}\n"), "snippet", opts)?.text)
}

/// Merges into the file at `path` (an empty document when it does not exist yet) and writes it back when
/// something changed. The file is replaced by renaming a sibling temporary file, so a failure leaves it intact.
pub fn write(path: &Path, opts: &SetupOptions) -> Result<Merged, SetupError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(SetupError::Io {
                action: "read",
                path: path.to_owned(),
                source,
            });
        }
    };
    let merged = merge::merge(&text, &path.display().to_string(), opts)?;
    if merged.text != text {
        let io = |source| SetupError::Io {
            action: "write",
            path: path.to_owned(),
            source,
        };
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        write_private(&tmp, &merged.text).map_err(io)?;
        if let Ok(meta) = std::fs::metadata(path) {
            // Keep the original file's permissions (openclaw.json may hold tokens).
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })?;
    }
    Ok(merged)
}

/// Writes a new file readable by its owner only (it gets the original file's permissions afterwards), so an
/// openclaw.json holding tokens is never briefly world-readable.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// The plugin directory shipped next to this binary: the first ancestor of the executable holding
/// `extensions/computer-use/openclaw.plugin.json` (a build in `target/release` of the repository finds it).
pub fn find_plugin_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.ancestors().skip(1).find_map(|dir| {
        let plugin = dir.join("extensions").join("computer-use");
        plugin
            .join("openclaw.plugin.json")
            .is_file()
            .then_some(plugin)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_errors_keep_their_hint_apart_from_the_message() {
        let errors = [
            SetupError::NotAnObject {
                path: "plugins".into(),
            },
            SetupError::NotAnArray {
                path: "plugins.load.paths".into(),
            },
            SetupError::Io {
                action: "write",
                path: "/x/openclaw.json".into(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
            SetupError::Config(ConfigError::Parse {
                origin: "openclaw.json".into(),
                position: Some((2, 3)),
                message: "expected `,`".into(),
            }),
        ];
        for e in errors {
            let (message, hint) = (e.message(), e.hint());
            let Some(hint) = hint else {
                panic!("{e:?} has a hint")
            };
            assert!(!hint.is_empty() && !message.contains(&hint), "{e:?}");
            assert!(!message.contains("hint:"), "{message}");
            assert_eq!(e.to_string(), format!("{message}\n  hint: {hint}"));
        }
        assert_eq!(
            SetupError::NotAnArray { path: "a".into() }.to_string(),
            "`a` is not an array, so it cannot be extended\n  hint: make `a` a list like [\"...\"], then run this again"
        );
        assert_eq!(SetupError::Parse("t: bad".into()).to_string(), "t: bad");
    }
}
