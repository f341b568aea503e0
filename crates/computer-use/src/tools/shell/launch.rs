//! `vm_launch`: starts a program or app in the VM and reports its pid.
//!
//! The server's `launch` has a quirk: with `args` it runs the program directly (a missing program is an
//! error), but without `args` it goes through a shell, and a missing program still "succeeds" with the
//! shell's pid. So without `args`, the command's first word is looked up first (`command -v`, one shell
//! round trip of a few ms). If it is not a command and the guest is macOS, the name is opened as an
//! application (`open -a TextEdit`: the seed's own example, which the shell could never start); otherwise the
//! call fails naming the missing command. Command lines with shell syntax are passed on unchecked.

use std::time::Duration;

use cua_protocol::CommandName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ExecCommand, ExecRequest, ToolKind, ToolSpec};
use crate::tools::shell::{Exec, shell_quote};
use crate::tools::{ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};
use crate::vm::VmSession;

/// Time allowed for the look-up and for `open -a`.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// `vm_launch {app, args?}`.
pub struct Launch;

/// Arguments of `vm_launch`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchArgs {
    /// Without args, a command line works too.
    pub app: String,
    /// Run without a shell.
    #[serde(default)]
    pub args: Option<Vec<String>>,
}

impl TypedTool for Launch {
    type Args = LaunchArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_launch",
        title: "Launch app",
        description: "Start a program or app (macOS names like TextEdit work); returns its pid.",
        kind: ToolKind::Shell,
        effect: Effect::Additive,
        idempotent: false,
        open_world: true,
        batching: Batching::Allowed,
        commands: &[CommandName::Launch, CommandName::RunCommand],
    };

    /// Both paths are judged: with `args` the program and its arguments, without them the command line
    /// the server's shell will run.
    fn exec_request(args: &mut LaunchArgs) -> Option<ExecRequest<'_>> {
        let LaunchArgs { app, args } = args;
        let command = match args {
            Some(args) if !args.is_empty() => ExecCommand::Program { app, args },
            _ => ExecCommand::Shell(app),
        };
        Some(ExecRequest {
            command,
            timeout_secs: None,
        })
    }

    async fn run(&self, ctx: &ToolContext, args: LaunchArgs) -> Result<ToolOutput, ToolError> {
        let app = args.app.trim();
        if app.is_empty() {
            return Err(ToolError::invalid("vm_launch: `app` is empty"));
        }
        let session = ctx.session()?;
        let client = session.shell();
        if let Some(argv) = args.args.filter(|a| !a.is_empty()) {
            let pid = ctx
                .cancellable(&session, client.launch(app, Some(argv)))
                .await
                .map_err(|e| launch_failed(e, app))?;
            return Ok(started(app, pid, "exec"));
        }
        match look_up(ctx, &session, app).await? {
            Found::Command | Found::Unchecked => {
                let pid = ctx
                    .cancellable(&session, client.launch(app, None))
                    .await
                    .map_err(|e| launch_failed(e, app))?;
                Ok(started(app, pid, "shell"))
            }
            Found::MacOs => open_app(ctx, &session, app).await,
            Found::Missing(word) => Err(ToolError::new(
                ToolErrorKind::Failed,
                format!(
                    "vm_launch: `{word}` is not a command in the VM (not found in its PATH); nothing was started. \
                     Check the name ({} `ls /usr/bin`), or give the program's full path.",
                    Exec::SPEC.name
                ),
            )),
        }
    }
}

/// What the look-up of a command line's first word found.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// A command in the PATH (or a path that exists).
    Command,
    /// Not a command, on a macOS guest: try it as an application name.
    MacOs,
    /// Not a command.
    Missing(String),
    /// Shell syntax: not checked.
    Unchecked,
}

async fn look_up(ctx: &ToolContext, session: &VmSession, app: &str) -> Result<Found, ToolError> {
    let Some(word) = first_command(app) else {
        return Ok(Found::Unchecked);
    };
    let probe = format!(
        "if command -v {} >/dev/null 2>&1; then echo found; else uname -s; fi",
        shell_quote(word)
    );
    let out = ctx
        .cancellable(session, session.shell().run_command(&probe, CHECK_TIMEOUT))
        .await?;
    Ok(match out.stdout.trim() {
        "found" => Found::Command,
        "Darwin" => Found::MacOs,
        _ => Found::Missing(word.to_string()),
    })
}

/// The command a plain command line runs (after `NAME=value` assignments), or None when it has shell syntax
/// the look-up could misread.
fn first_command(app: &str) -> Option<&str> {
    if app.chars().any(|c| "|&;<>()$`\\\"'*?[]#~{}!\n".contains(c)) {
        return None;
    }
    app.split_whitespace().find(|w| !is_assignment(w))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        name.chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
            && !name.is_empty()
    })
}

/// Opens a macOS application by name (`open -a`), which reports a missing application.
async fn open_app(
    ctx: &ToolContext,
    session: &VmSession,
    app: &str,
) -> Result<ToolOutput, ToolError> {
    let command = format!("open -a {}", shell_quote(app));
    let out = ctx
        .cancellable(
            session,
            session.shell().run_command(&command, CHECK_TIMEOUT),
        )
        .await?;
    if out.return_code != 0 {
        return Err(ToolError::new(
            ToolErrorKind::Failed,
            format!(
                "vm_launch: `{app}` is neither a command nor an application in the VM: {}. \
                 Check the name ({} `ls /Applications`).",
                out.stderr.trim(),
                Exec::SPEC.name
            ),
        ));
    }
    Ok(ToolOutput::text(format!(
        "Opened the application `{app}` (`open -a`). Take a screenshot to see its window."
    ))
    .with("app", app)
    .with("via", "open -a"))
}

fn started(app: &str, pid: Option<i64>, via: &str) -> ToolOutput {
    let pid_text = pid.map_or_else(|| "pid unknown".to_string(), |p| format!("pid {p}"));
    let out = ToolOutput::text(format!(
        "Started `{app}` ({pid_text}). Take a screenshot to see its window."
    ))
    .with("app", app)
    .with("via", via);
    match pid {
        Some(p) => out.with("pid", p),
        None => out,
    }
}

fn launch_failed(e: ToolError, app: &str) -> ToolError {
    if e.kind != ToolErrorKind::Failed {
        return e;
    }
    let hint = if e.message.contains("No such file or directory") {
        " It is not a program in the VM's PATH: check the name or give its full path. \
         On macOS, start apps by name without `args`, or use app \"open\" with args [\"-a\", \"App\", …]."
    } else {
        ""
    };
    let message = format!("vm_launch: could not start `{app}`: {}.{hint}", e.message);
    ToolError { message, ..e }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_of_a_plain_command_line_is_found() {
        assert_eq!(first_command("xterm"), Some("xterm"));
        assert_eq!(first_command("xclock -digital"), Some("xclock"));
        assert_eq!(first_command("LANG=C FOO_1=x gedit a.txt"), Some("gedit"));
        assert_eq!(first_command("Visual Studio Code"), Some("Visual"));
        assert_eq!(first_command("cd /tmp && make"), None);
        assert_eq!(first_command("echo $HOME"), None);
        assert!(!is_assignment("=x"));
        assert!(!is_assignment("1A=x"));
    }
}
