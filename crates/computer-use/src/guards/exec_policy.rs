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
//! Both tools are read generically from their JSON arguments (`vm_exec {command, timeout?}`,
//! `vm_launch {app, args?}`); in a checking mode a call whose command cannot be read is refused (fail
//! closed). In every mode a `vm_exec` `timeout` (seconds) above `maxTimeoutSecs` is lowered to it.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::Value;

use crate::config::{ExecConfig, ExecMode};
use crate::guards::{GuardKind, Refusal};

/// Characters that make a shell do more than run one program (`$` covers `$(…)` and `${…}`).
pub const METACHARACTERS: &[char] = &[';', '|', '&', '`', '$', '(', ')', '<', '>', '\n', '\r'];

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

/// Compiles one deny pattern (`*` matches anything, including `/`).
fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(false).build()
}

/// Why a `deny` pattern is unusable, for configuration validation; None if it is fine.
pub fn pattern_problem(pattern: &str) -> Option<String> {
    if pattern.trim().is_empty() {
        return Some("is empty; write a glob such as \"rm -rf *\"".to_owned());
    }
    glob(pattern)
        .err()
        .map(|e| format!("is not a valid glob ({}); `*` matches anything, `?` one character, `[abc]` one of a set", e.kind()))
}

/// Why an `allow` entry is unusable, for configuration validation; None if it is fine.
pub fn program_problem(program: &str) -> Option<String> {
    if program.is_empty() {
        return Some(
            "is empty; list program names such as \"ls\" or paths such as \"/usr/bin/git\""
                .to_owned(),
        );
    }
    if program.chars().any(char::is_whitespace) || program.contains(METACHARACTERS) {
        return Some(
            "must be a program name or path only (no spaces, arguments or shell metacharacters)"
                .to_owned(),
        );
    }
    None
}

impl ExecPolicy {
    pub(crate) fn new(config: &ExecConfig) -> ExecPolicy {
        let deny_set = config
            .deny()
            .iter()
            .try_fold(GlobSetBuilder::new(), |mut b, p| {
                b.add(glob(p)?);
                Ok::<_, globset::Error>(b)
            })
            .and_then(|b| b.build())
            .ok();
        ExecPolicy {
            mode: config.mode(),
            allow: config.allow().to_vec(),
            deny: config.deny().to_vec(),
            deny_set,
            max_timeout_secs: config.max_timeout_secs(),
        }
    }

    /// Checks a call; may lower `timeout` in `args`. Returns notes for the result text.
    pub(crate) fn check(&self, tool: &str, args: &mut Value) -> Result<Vec<String>, Refusal> {
        let mut notes = Vec::new();
        match tool {
            "vm_exec" => {
                self.clamp_timeout(args, &mut notes);
                if self.mode != ExecMode::Open {
                    let command = args
                        .get("command")
                        .and_then(Value::as_str)
                        .ok_or_else(|| self.unreadable(tool, "a string `command`"))?;
                    self.check_command(&Command::Shell(command))?;
                }
            }
            "vm_launch" if self.mode != ExecMode::Open => {
                let app = args
                    .get("app")
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.unreadable(tool, "a string `app`"))?;
                let launch_args = match args.get("args") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(Value::as_str)
                        .collect::<Option<Vec<&str>>>()
                        .ok_or_else(|| self.unreadable(tool, "`args` as an array of strings"))?,
                    Some(_) => return Err(self.unreadable(tool, "`args` as an array of strings")),
                };
                // The server starts `app` through a shell when there are no arguments.
                let command = if launch_args.is_empty() {
                    Command::Shell(app)
                } else {
                    Command::Program {
                        app,
                        args: launch_args,
                    }
                };
                self.check_command(&command)?;
            }
            _ => {}
        }
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

    fn clamp_timeout(&self, args: &mut Value, notes: &mut Vec<String>) {
        let Some(timeout) = args.get_mut("timeout") else {
            return;
        };
        // Anything but a whole number of seconds is left to the tool's own argument check.
        let Some(asked) = timeout.as_u64() else {
            return;
        };
        let max = self.max_timeout_secs;
        if asked > max {
            *timeout = Value::from(max);
            notes.push(format!(
                "Note: the timeout was lowered from {asked} s to {max} s, the configured maximum."
            ));
        }
    }

    fn unreadable(&self, tool: &str, expected: &str) -> Refusal {
        Refusal::new(
            GuardKind::ExecPolicy,
            format!(
                "Exec policy ({}): the call was not sent: {tool} needs {expected} to be checked.",
                self.mode.as_str()
            ),
        )
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

    #[test]
    fn pattern_and_program_problems() {
        assert_eq!(pattern_problem("rm -rf *"), None);
        assert!(pattern_problem("[unclosed").is_some_and(|p| p.contains("not a valid glob")));
        assert!(pattern_problem(" ").is_some());
        assert_eq!(program_problem("/usr/bin/git"), None);
        assert!(program_problem("ls -la").is_some());
        assert!(program_problem("a;b").is_some());
        assert!(program_problem("").is_some());
    }
}
