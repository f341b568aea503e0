//! Errors of loading, validating and resolving the configuration.
//!
//! Every message names what is wrong (the file, the key path, the environment variable) and how to fix
//! it. Validation collects all problems of a configuration into one [`ConfigError::Invalid`] so a user
//! fixes them in one pass instead of one restart per typo. No message ever contains a secret.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a configuration value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// Key path of the offending value, e.g. `["vms", "mac2", "serverPort"]`; empty for the whole
    /// configuration.
    pub path: Vec<String>,
    /// The full, actionable message (it already names the key).
    pub message: String,
}

impl Problem {
    pub(super) fn new(path: &[String], message: impl Into<String>) -> Self {
        Self {
            path: path.to_vec(),
            message: message.into(),
        }
    }

    /// The key path joined with dots (`vms.mac2.serverPort`), or `(top level)` for the whole object.
    pub fn dotted_path(&self) -> String {
        dotted(&self.path)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Joins a key path with dots; `(top level)` for the empty path.
pub(super) fn dotted(path: &[String]) -> String {
    if path.is_empty() {
        "(top level)".to_owned()
    } else {
        path.join(".")
    }
}

/// Why a configuration could not be loaded or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {}: {source}\nhint: check the path, or run without a configuration file to use the local defaults", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The text is not JSON5.
    #[error("{origin}: not valid JSON5{}: {message}\nhint: fix the syntax at that position (JSON5 accepts comments, trailing commas, unquoted keys and single quotes)", position.map(|(l, c)| format!(" at line {l}, column {c}")).unwrap_or_default())]
    Parse {
        /// Where the text came from (a file path, `environment`, ...).
        origin: String,
        /// 1-based line and column, when the parser knows them.
        position: Option<(usize, usize)>,
        /// What the parser expected.
        message: String,
    },

    /// An `openclaw.json` without a computer-use plugin entry.
    #[error(
        "{origin} is an OpenClaw configuration (it has a top-level `{marker}` key) but has no plugins.entries[\"computer-use\"]\nhint: add `\"computer-use\": {{ \"enabled\": true, \"config\": {{ ... }} }}` under plugins.entries, or point at a standalone computer-use configuration"
    )]
    MissingPluginEntry {
        /// The file.
        origin: String,
        /// The top-level key that identified the file as an OpenClaw configuration.
        marker: String,
    },

    /// One or more values are wrong; all of them are listed.
    #[error("{}", format_invalid(origin, problems))]
    Invalid {
        /// Where the configuration came from.
        origin: String,
        /// Every problem found, in document order.
        problems: Vec<Problem>,
    },

    /// A call named a VM the configuration does not define.
    #[error("no VM named `{name}` is configured; configured VMs: {}\nhint: use one of those names, or add `{name}` under `vms` in the configuration", known.join(", "))]
    UnknownVm {
        /// The requested name.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },

    /// The cloud API key could not be obtained.
    #[error("cloud API key for container `{container}` is not available: {reason}\nhint: {hint}")]
    MissingApiKey {
        /// The cloud container name.
        container: String,
        /// What was tried (the environment variable or the file), never the key.
        reason: String,
        /// How to provide the key.
        hint: String,
    },
}

impl ConfigError {
    /// The problems of an [`ConfigError::Invalid`] error; empty for other kinds.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn format_invalid(origin: &str, problems: &[Problem]) -> String {
    let mut out = match problems.len() {
        1 => format!("invalid computer-use configuration in {origin}:"),
        n => format!("invalid computer-use configuration in {origin} ({n} problems):"),
    };
    for problem in problems {
        out.push_str("\n  - ");
        out.push_str(&problem.message);
    }
    out
}
