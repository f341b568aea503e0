//! Errors of loading, validating and resolving the configuration.
//!
//! Every error names what is wrong (the file, the key path, the environment variable) and how to fix it,
//! the two apart ([`ConfigError::message`], [`ConfigError::hint`]) so a face can show the fix on its own. Validation collects all problems of a configuration into one [`ConfigError::Invalid`] so a user
//! fixes them in one pass instead of one restart per typo. No message ever contains a secret.

use std::fmt;
use std::path::PathBuf;

use crate::hint::HintLine;

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
///
/// Like every error of the workspace it says what happened ([`ConfigError::message`]) and what to do
/// ([`ConfigError::hint`]); `Display` is the two joined.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", self.message(), HintLine(self.hint()))]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The text is not JSON5.
    Parse {
        /// Where the text came from (a file path, `environment`, ...).
        origin: String,
        /// 1-based line and column, when the parser knows them.
        position: Option<(usize, usize)>,
        /// What the parser expected.
        message: String,
    },

    /// An `openclaw.json` without a computer-use plugin entry.
    MissingPluginEntry {
        /// The file.
        origin: String,
        /// The top-level key that identified the file as an OpenClaw configuration.
        marker: String,
    },

    /// One or more values are wrong; all of them are listed (each problem names its own fix, so there is no
    /// separate hint).
    Invalid {
        /// Where the configuration came from.
        origin: String,
        /// Every problem found, in document order.
        problems: Vec<Problem>,
    },

    /// A call named a VM the configuration does not define.
    UnknownVm {
        /// The requested name.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },

    /// The cloud API key could not be obtained.
    MissingApiKey {
        /// The cloud container name.
        container: String,
        /// What was tried (the environment variable or the file), never the key.
        reason: String,
        /// How to provide the key (returned by [`ConfigError::hint`]).
        hint: String,
    },
}

impl ConfigError {
    /// What is wrong, without what to do about it (that is [`ConfigError::hint`]); `Display` prints this
    /// first.
    pub fn message(&self) -> String {
        match self {
            Self::Read { path, source } => {
                format!(
                    "cannot read configuration file {}: {source}",
                    path.display()
                )
            }
            Self::Parse {
                origin,
                position,
                message,
            } => format!(
                "{origin}: not valid JSON5{}: {message}",
                position
                    .map(|(l, c)| format!(" at line {l}, column {c}"))
                    .unwrap_or_default()
            ),
            Self::MissingPluginEntry { origin, marker } => format!(
                "{origin} is an OpenClaw configuration (it has a top-level `{marker}` key) but has no plugins.entries[\"computer-use\"]"
            ),
            Self::Invalid { origin, problems } => format_invalid(origin, problems),
            Self::UnknownVm { name, known } => format!(
                "no VM named `{name}` is configured; configured VMs: {}",
                known.join(", ")
            ),
            Self::MissingApiKey {
                container, reason, ..
            } => format!("cloud API key for container `{container}` is not available: {reason}"),
        }
    }

    /// How to fix it, computed from the variant's data; `None` for [`ConfigError::Invalid`], whose listed
    /// problems each say their own fix. Faces show it as the fix (the doctor's `fix:` line); `Display`
    /// prints it after the message as `"\n  hint: …"`.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Read { .. } => "check the path, or run without a configuration file to use the local defaults".to_owned(),
            Self::Parse { .. } => "fix the syntax at that position (JSON5 accepts comments, trailing commas, unquoted keys and single quotes)".to_owned(),
            Self::MissingPluginEntry { .. } => "add `\"computer-use\": { \"enabled\": true, \"config\": { ... } }` under plugins.entries, or point at a standalone computer-use configuration".to_owned(),
            Self::Invalid { .. } => return None,
            Self::UnknownVm { name, .. } => format!(
                "use one of those names, or add `{name}` under `vms` in the configuration"
            ),
            Self::MissingApiKey { hint, .. } => hint.clone(),
        })
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_separate_from_messages_and_displayed_after_them() {
        let errors = [
            ConfigError::UnknownVm {
                name: "lab".into(),
                known: vec!["default".into(), "mac2".into()],
            },
            ConfigError::Parse {
                origin: "c.json5".into(),
                position: Some((3, 7)),
                message: "expected `}`".into(),
            },
            ConfigError::MissingApiKey {
                container: "box".into(),
                reason: "CUA_API_KEY is not set".into(),
                hint: "export CUA_API_KEY".into(),
            },
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
            ConfigError::UnknownVm {
                name: "lab".into(),
                known: vec!["default".into()],
            }
            .to_string(),
            "no VM named `lab` is configured; configured VMs: default\n  hint: use one of those names, or add `lab` under `vms` in the configuration"
        );
    }

    #[test]
    fn an_invalid_configuration_lists_its_problems_and_has_no_separate_hint() {
        let e = ConfigError::Invalid {
            origin: "c.json5".into(),
            problems: vec![Problem::new(
                &["serverPort".into()],
                "serverPort: must be 1–65535",
            )],
        };
        assert_eq!(e.hint(), None);
        assert_eq!(
            e.to_string(),
            "invalid computer-use configuration in c.json5:\n  - serverPort: must be 1–65535"
        );
    }
}
