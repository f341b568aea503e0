//! The exec policy: which commands `vm_exec` and `vm_launch` may run, checked before anything is sent.
//!
//! cua-computer-server runs `run_command` through a shell, and `launch` too when it has no `args`, so the
//! check cannot rely on the server. Modes (`guards.exec.mode`):
//! - `open` — any command (the guide's behaviour);
//! - `deny` — any command that matches no `deny` glob. A seatbelt, not a boundary: a shell can always spell a
//!   command another way. The globs are tried on the whole command, on each part between shell separators
//!   (`;`, `&`, `|`, newlines, backquotes, parentheses), and on each part's lexed words with paths normalised
//!   (`cat /etc//shadow` is `cat /etc/shadow`);
//! - `allowlist` — the boundary. The command is lexed (`exec_policy::lex`) into words (anything `/bin/sh` would read
//!   differently — operators, expansions, globs, comments, control characters — is refused); the program (the
//!   first word, path-normalised) must be listed; no argument may make it run another program (the
//!   [table](crate::programs)); no deny glob may match; and what the server's shell receives is the judged argv
//!   **re-quoted**, so it runs exactly the words that were judged. `vm_launch` with `args` (no shell) is judged
//!   on its program and arguments as given.
//!
//! Every refusal names its rule (`(rule: find-exec)`). The tools declare what to judge from their typed
//! arguments ([`ExecRequest`]), and the policy rewrites it in place, so the tool sends what was judged. In every
//! mode a timeout (seconds) above `maxTimeoutSecs` is lowered to it.

mod lex;
mod path;

use globset::GlobSet;

use crate::config::exec_patterns::compile_deny;
use crate::config::{ExecConfig, ExecMode};
use crate::guards::{GuardKind, Refusal};
use crate::programs;
use crate::spec::{ExecCommand, ExecRequest};

/// Characters where a shell command line splits into separately run parts (deny mode's candidates).
const SEPARATORS: &[char] = &[';', '|', '&', '\n', '\r', '`', '(', ')'];

/// Why the allowlist refused a command: the rule's name and the sentence the agent reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Denied {
    pub(crate) rule: &'static str,
    pub(crate) why: String,
}

impl Denied {
    pub(crate) fn new(rule: &'static str, why: impl Into<String>) -> Denied {
        Denied {
            rule,
            why: why.into(),
        }
    }
}

/// A refused command, and whether a person may still approve it (`guards.approval.exec: "outsideAllowlist"`):
/// commands outside the allowlist may be, commands matching a deny pattern never are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecRefusal {
    pub(crate) refusal: Refusal,
    pub(crate) approvable: bool,
}

/// The compiled policy.
#[derive(Debug)]
pub(crate) struct ExecPolicy {
    mode: ExecMode,
    allow: Vec<String>,
    unrestricted: Vec<String>,
    deny: Vec<String>,
    /// The compiled `deny` globs (None if one does not compile: validation reports it, and the policy then
    /// refuses every command rather than ignore the list).
    deny_set: Option<GlobSet>,
    max_timeout_secs: u64,
}

impl ExecPolicy {
    pub(crate) fn new(config: &ExecConfig) -> ExecPolicy {
        let deny_set = compile_deny(config.deny()).ok();
        ExecPolicy {
            mode: config.mode(),
            allow: config.allow().iter().map(|a| path::normalize(a)).collect(),
            unrestricted: config
                .unrestricted()
                .iter()
                .map(|a| path::normalize(a))
                .collect(),
            deny: config.deny().to_vec(),
            deny_set,
            max_timeout_secs: config.max_timeout_secs(),
        }
    }

    /// Judges a call's command, rewriting it into what the server must run (allowlist mode: the judged argv,
    /// re-quoted); may lower its timeout. Returns notes for the result text.
    pub(crate) fn check(&self, request: ExecRequest<'_>) -> Result<Vec<String>, ExecRefusal> {
        let mut notes = Vec::new();
        let ExecRequest {
            mut command,
            timeout_secs,
        } = request;
        if let Some(timeout) = timeout_secs {
            self.clamp_timeout(timeout, &mut notes);
        }
        match self.mode {
            ExecMode::Allowlist => {
                let judged = self.check_allowlist(&mut command);
                if let Err(refused) = &judged
                    && refused.approvable
                {
                    // `approval.exec: outsideAllowlist` lets a person approve what the allowlist refuses, never
                    // what `deny` names: the refused text is matched the way deny mode matches it first.
                    self.check_deny_mode(&command)?;
                }
                judged?;
            }
            ExecMode::Deny => self.check_deny_mode(&command)?,
            _ => {}
        }
        Ok(notes)
    }

    fn check_allowlist(&self, command: &mut ExecCommand<'_>) -> Result<(), ExecRefusal> {
        match command {
            ExecCommand::Shell(text) => {
                let argv = lex::lex(text).map_err(outside)?;
                self.judge(&argv).map_err(outside)?;
                self.deny_words(&argv)?;
                **text = lex::requote(&argv).map_err(outside)?;
            }
            ExecCommand::Program { app, args } => {
                // No shell: the program and its arguments reach exec as they are, so they are judged as they
                // are. The program must be one plain word.
                if app.is_empty() || app.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(outside(Denied::new(
                        "program-name",
                        format!(
                            "`{}` is not a plain program name (with `args`, `app` must be the program alone)",
                            app.escape_debug()
                        ),
                    )));
                }
                let mut argv = Vec::with_capacity(args.len() + 1);
                argv.push(app.clone());
                argv.extend(args.iter().cloned());
                self.judge(&argv).map_err(outside)?;
                self.deny_words(&argv)?;
            }
        }
        Ok(())
    }

    /// The allowlist's rules on a lexed argv.
    fn judge(&self, argv: &[String]) -> Result<(), Denied> {
        let Some((program, args)) = argv.split_first() else {
            return Err(Denied::new("empty", "the command is empty"));
        };
        if is_assignment(program) {
            return Err(Denied::new(
                "env-prefix",
                format!(
                    "it starts with the environment assignment `{program}`, which changes how the program behaves (LD_PRELOAD, PAGER, GIT_* …). Send the command without it"
                ),
            ));
        }
        if path::has_dot_components(program) {
            return Err(Denied::new(
                "path-spelling",
                format!(
                    "the program path `{program}` has `.` or `..` components; write the path the allowlist names"
                ),
            ));
        }
        let normalized = path::normalize(program);
        if !self.allow.contains(&normalized) {
            let allowed = if self.allow.is_empty() {
                "none (guards.exec.allow is empty)".to_owned()
            } else {
                self.allow.join(", ")
            };
            return Err(Denied::new(
                "not-allowed",
                format!("`{program}` is not an allowed program. Allowed programs: {allowed}"),
            ));
        }
        if self.unrestricted.contains(&normalized) {
            return Ok(());
        }
        if let Some(reason) = programs::launcher_reason(&normalized) {
            // Configuration validation refuses this combination; kept so the policy holds on its own.
            return Err(Denied::new(
                "launcher",
                format!(
                    "`{program}` runs other programs ({reason}); the operator must list it in guards.exec.unrestricted to allow it"
                ),
            ));
        }
        if let Some(finding) = programs::check_args(&normalized, args) {
            return Err(Denied::new(finding.rule, finding.why));
        }
        Ok(())
    }

    /// Deny mode: the raw command, each part between separators, and each part's lexed words.
    fn check_deny_mode(&self, command: &ExecCommand<'_>) -> Result<(), ExecRefusal> {
        let candidates: Vec<String> = match command {
            ExecCommand::Shell(text) => {
                let mut all = vec![squash(text)];
                for part in text.split(SEPARATORS) {
                    all.push(squash(part));
                    if let Some(words) = shlex::split(part) {
                        all.push(joined(&words));
                    }
                }
                all.retain(|c| !c.is_empty());
                all
            }
            ExecCommand::Program { app, args } => {
                let mut words = vec![(*app).clone()];
                words.extend(args.iter().cloned());
                vec![joined(&words)]
            }
        };
        self.deny_candidates(&candidates)
    }

    fn deny_words(&self, argv: &[String]) -> Result<(), ExecRefusal> {
        self.deny_candidates(&[joined(argv)])
    }

    fn deny_candidates(&self, candidates: &[String]) -> Result<(), ExecRefusal> {
        if self.deny.is_empty() {
            return Ok(());
        }
        let refused = |message: String| ExecRefusal {
            refusal: Refusal::new(GuardKind::ExecPolicy, message),
            approvable: false,
        };
        let Some(set) = &self.deny_set else {
            return Err(refused(
                "Exec policy: the command was not run: a guards.exec.deny pattern is not a valid glob, so no command runs until the configuration is fixed (loading the configuration names the pattern).".to_owned(),
            ));
        };
        let hit = candidates
            .iter()
            .filter_map(|c| set.matches(c).into_iter().min())
            .min();
        match hit {
            Some(i) => Err(refused(format!(
                "Exec policy: the command was not run: it matches the deny pattern `{}` (guards.exec.deny[{i}]).",
                self.deny.get(i).map(String::as_str).unwrap_or_default()
            ))),
            None => Ok(()),
        }
    }

    fn clamp_timeout(&self, timeout: &mut Option<u64>, notes: &mut Vec<String>) {
        let Some(asked) = *timeout else {
            return;
        };
        let max = self.max_timeout_secs;
        if asked > max {
            *timeout = Some(max);
            notes.push(format!(
                "Note: the timeout was lowered from {asked} s to {max} s, the configured maximum."
            ));
        }
    }
}

/// An allowlist refusal (a person may approve it instead, when configured).
fn outside(denied: Denied) -> ExecRefusal {
    ExecRefusal {
        refusal: Refusal::new(
            GuardKind::ExecPolicy,
            format!(
                "Exec policy (allowlist): the command was not run: {} (rule: {}).",
                denied.why, denied.rule
            ),
        ),
        approvable: true,
    }
}

/// `NAME=value`: a shell variable assignment before the command.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .chars()
                .enumerate()
                .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
    })
}

/// Words with paths normalised, joined by single spaces: what deny globs are matched against.
fn joined(words: &[String]) -> String {
    words
        .iter()
        .map(|w| path::normalize(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trimmed, with every whitespace run as one space, so patterns need not guess the spacing.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squashing_collapses_whitespace() {
        assert_eq!(squash("  rm   -rf\t/ "), "rm -rf /");
        assert_eq!(
            joined(&["cat".into(), "/etc//shadow".into()]),
            "cat /etc/shadow"
        );
        assert!(is_assignment("LD_PRELOAD=/x.so"));
        assert!(!is_assignment("--x=1"));
        assert!(!is_assignment("=x"));
    }
}
