//! The exec policy: which commands `vm_exec` and `vm_launch` may run, checked before anything is sent.
//!
//! cua-computer-server runs `run_command` through a shell, and `launch` too when it has no `args`, so the
//! check cannot rely on the server. Modes (`guards.exec.mode`):
//! - `open` — any command (the guide's behaviour);
//! - `deny` — any command that matches no `deny` glob; the globs are tried on the whole command and on each
//!   part between shell separators (`;`, `&`, `|`, newlines, backquotes, parentheses), so `rm -rf *` also
//!   catches `cd / && rm -rf x`. A deny list is a seatbelt, not a boundary: a shell can always spell a
//!   command another way;
//! - `allowlist` — the boundary: one plain command whose program is listed (shell metacharacters refused,
//!   as are `find`'s `-exec`-style arguments that run another program), and no deny match.
//!
//! The tools declare what to judge from their typed arguments ([`ExecRequest`]), so the policy and the tool
//! cannot disagree on what the arguments mean. In every mode a timeout (seconds) above `maxTimeoutSecs` is
//! lowered to it.

use globset::GlobSet;

use crate::config::exec_patterns::{METACHARACTERS, compile_deny};
use crate::config::{ExecConfig, ExecMode};
use crate::guards::{GuardKind, Refusal};
use crate::spec::{ExecCommand, ExecRequest};

/// Arguments that make an allowed program run another one (`find -exec`, `-execdir`, `-ok`, `-okdir`).
const EXEC_ARGS: &[&str] = &["-exec", "-execdir", "-ok", "-okdir"];

/// Characters where a shell command line splits into separately run parts.
const SEPARATORS: &[char] = &[';', '|', '&', '\n', '\r', '`', '(', ')'];

/// The command of a `vm_exec` or `vm_launch` call, as the server will run it.
enum Command<'a> {
    /// Text a shell interprets (`vm_exec`, or `vm_launch` without `args`).
    Shell(&'a str),
    /// A program started directly with its arguments (`vm_launch` with `args`).
    Program { app: &'a str, args: Vec<&'a str> },
}

/// The compiled policy.
#[derive(Debug)]
pub(crate) struct ExecPolicy {
    mode: ExecMode,
    allow: Vec<String>,
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
            allow: config.allow().to_vec(),
            deny: config.deny().to_vec(),
            deny_set,
            max_timeout_secs: config.max_timeout_secs(),
        }
    }

    /// Judges a call's command; may lower its timeout. Returns notes for the result text.
    pub(crate) fn check(&self, request: ExecRequest<'_>) -> Result<Vec<String>, Refusal> {
        let mut notes = Vec::new();
        let ExecRequest {
            command,
            timeout_secs,
        } = request;
        if let Some(timeout) = timeout_secs {
            self.clamp_timeout(timeout, &mut notes);
        }
        if self.mode == ExecMode::Open {
            return Ok(notes);
        }
        let command = match command {
            ExecCommand::Shell(text) => Command::Shell(text.as_str()),
            // The server starts a program through a shell when it has no arguments.
            ExecCommand::Program { app, args } if args.is_empty() => Command::Shell(app.as_str()),
            ExecCommand::Program { app, args } => Command::Program {
                app: app.as_str(),
                args: args.iter().map(String::as_str).collect(),
            },
        };
        self.check_command(&command)?;
        Ok(notes)
    }

    fn check_command(&self, command: &Command<'_>) -> Result<(), Refusal> {
        if self.mode == ExecMode::Allowlist {
            self.check_allowlist(command)?;
        }
        self.check_deny(command)
    }

    fn check_allowlist(&self, command: &Command<'_>) -> Result<(), Refusal> {
        let refuse = |why: String| {
            Refusal::new(
                GuardKind::ExecPolicy,
                format!("Exec policy (allowlist): the command was not run: {why}."),
            )
        };
        let (program, args): (&str, Vec<&str>) = match command {
            Command::Shell(text) => {
                if let Some(c) = text.chars().find(|c| METACHARACTERS.contains(c)) {
                    return Err(refuse(format!(
                        "it contains {}, a shell metacharacter. Send one plain command per call, without ; | & $ ` ( ) < > or line breaks",
                        show_char(c)
                    )));
                }
                let mut words = text.split_whitespace();
                let Some(program) = words.next() else {
                    return Err(refuse("the command is empty".to_owned()));
                };
                (program, words.collect())
            }
            Command::Program { app, args } => {
                if app.is_empty()
                    || app.chars().any(char::is_whitespace)
                    || app.contains(METACHARACTERS)
                {
                    return Err(refuse(format!(
                        "`{app}` is not a plain program name (with `args`, `app` must be the program alone)"
                    )));
                }
                (app, args.clone())
            }
        };
        if !self.allow.iter().any(|a| a == program) {
            let allowed = if self.allow.is_empty() {
                "none (guards.exec.allow is empty)".to_owned()
            } else {
                self.allow.join(", ")
            };
            return Err(refuse(format!(
                "`{program}` is not an allowed program. Allowed programs: {allowed}"
            )));
        }
        if let Some(arg) = args.iter().find(|a| EXEC_ARGS.contains(a)) {
            return Err(refuse(format!(
                "the argument `{arg}` makes `{program}` run another program, which is not allowed"
            )));
        }
        Ok(())
    }

    fn check_deny(&self, command: &Command<'_>) -> Result<(), Refusal> {
        if self.deny.is_empty() {
            return Ok(());
        }
        let Some(set) = &self.deny_set else {
            return Err(Refusal::new(
                GuardKind::ExecPolicy,
                "Exec policy: the command was not run: a guards.exec.deny pattern is not a valid glob, so no command runs until the configuration is fixed (loading the configuration names the pattern).",
            ));
        };
        let candidates: Vec<String> = match command {
            Command::Shell(text) => {
                let mut all = vec![normalize(text)];
                all.extend(
                    text.split(SEPARATORS)
                        .map(normalize)
                        .filter(|part| !part.is_empty()),
                );
                all
            }
            Command::Program { app, args } => {
                let mut words = vec![*app];
                words.extend(args.iter().copied());
                vec![normalize(&words.join(" "))]
            }
        };
        let hit = candidates
            .iter()
            .filter_map(|c| set.matches(c).into_iter().min())
            .min();
        match hit {
            Some(i) => Err(Refusal::new(
                GuardKind::ExecPolicy,
                format!(
                    "Exec policy: the command was not run: it matches the deny pattern `{}` (guards.exec.deny[{i}]).",
                    self.deny.get(i).map(String::as_str).unwrap_or_default()
                ),
            )),
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

/// Trimmed, with every whitespace run as one space, so patterns need not guess the spacing.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn show_char(c: char) -> String {
    match c {
        '\n' => "a line break".to_owned(),
        '\r' => "a carriage return".to_owned(),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_collapses_whitespace() {
        assert_eq!(normalize("  rm   -rf\t/ "), "rm -rf /");
    }
}
