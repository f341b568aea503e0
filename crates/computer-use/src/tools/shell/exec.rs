//! `vm_exec`: runs a shell command in the VM and reports stdout, stderr and the exit status.
//!
//! - The timeout (seconds; default `commandTimeoutMs`, at most [`MAX_TIMEOUT_S`]) is passed to the server,
//!   which kills the process when it runs out, so nothing keeps running unseen. That is a failed call whose
//!   message names the timeout and how to raise it.
//! - A non-zero exit is a result, not an error (`returnCode` in the details: OpenClaw counts a non-zero
//!   `exitCode` detail as a failed call).
//! - Output is capped at [`OUTPUT_CAP_BYTES`] for both streams together (see [`super::output`]).
//! - Binary output is not pasted into the result: a stream with NUL bytes or mostly control characters is
//!   replaced by a note, and output that is not UTF-8 at all (the server cannot even return it) fails with
//!   how to fetch it instead (`base64`, or a file read with `vm_file_read` in base64).
//! - The server waits until every process holding the command's output has exited, and its event loop
//!   (uvloop) leaks the output sockets into background children even when they redirect their output. So
//!   `cmd &` blocks until the timeout, and the server then reports an empty error; that is translated into
//!   advice to start lasting processes with `vm_launch`, whose children inherit nothing.

use std::time::{Duration, Instant};

use cua_protocol::CommandName;
use cua_protocol::CommandOutput;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Batching, Effect, ExecCommand, ExecRequest, ToolKind, ToolSpec};
use crate::tools::files::FileRead;
use crate::tools::shell::Launch;
use crate::tools::shell::output::{OUTPUT_CAP_BYTES, looks_binary, shorten, split_budget};
use crate::tools::{ToolContext, ToolError, ToolErrorKind, ToolOutput, TypedTool};

/// The longest timeout a call may ask for (one hour); longer jobs belong in the background.
pub const MAX_TIMEOUT_S: u64 = 3600;

/// `vm_exec {command, timeout?}`.
pub struct Exec;

/// Arguments of `vm_exec`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecArgs {
    /// Run by /bin/sh in the VM (the description says it).
    #[schemars(description = "")]
    pub command: String,
    /// Seconds before it is killed.
    #[serde(default)]
    pub timeout: Option<u64>,
}

impl TypedTool for Exec {
    type Args = ExecArgs;
    const SPEC: &'static ToolSpec = &ToolSpec {
        name: "vm_exec",
        title: "Run command",
        description: "Run a /bin/sh command in the VM: stdout, stderr, exit status (over 50 KB: start and end). \
            Launch lasting programs instead.",
        kind: ToolKind::Shell,
        effect: Effect::Destructive,
        idempotent: false,
        open_world: true,
        batching: Batching::Allowed,
        commands: &[CommandName::RunCommand],
    };

    fn exec_request(args: &mut ExecArgs) -> Option<ExecRequest<'_>> {
        Some(ExecRequest {
            command: ExecCommand::Shell(&mut args.command),
            timeout_secs: Some(&mut args.timeout),
        })
    }

    async fn run(&self, ctx: &ToolContext, args: ExecArgs) -> Result<ToolOutput, ToolError> {
        if args.command.trim().is_empty() {
            return Err(ToolError::invalid("vm_exec: `command` is empty"));
        }
        let session = ctx.session()?;
        let default_s = session.target().command_timeout.as_secs().max(1);
        let asked = args.timeout.unwrap_or(default_s);
        let timeout_s = asked.clamp(1, MAX_TIMEOUT_S);
        let client = session.shell();
        let started = Instant::now();
        let ran = ctx
            .cancellable(&session, async {
                match client
                    .run_command(&args.command, Duration::from_secs(timeout_s))
                    .await
                {
                    Ok(out) => Ok(Ok(out)),
                    Err(cua_protocol::Error::RemoteTimeout { timeout_s, .. }) => {
                        Ok(Err(timed_out(timeout_s)))
                    }
                    Err(cua_protocol::Error::CommandFailed { message, .. })
                        if message.contains("codec can't decode") =>
                    {
                        Ok(Err(not_utf8(&message)))
                    }
                    // The server's timeout path calls kill() on a shell that already exited, and reports the
                    // resulting ProcessLookupError, whose text is empty (cua-protocol words an empty failure as
                    // "…without a reason"): a background child kept the output pipes open until the timeout.
                    Err(cua_protocol::Error::CommandFailed { message, .. })
                        if message.contains("without a reason")
                            && started.elapsed().as_secs_f64() >= timeout_s as f64 - 0.5 =>
                    {
                        Ok(Err(held_open(timeout_s)))
                    }
                    Err(e) => Err(e),
                }
            })
            .await?;
        let out = ran?;
        let mut result = report(&out);
        if asked != timeout_s {
            result.content.push(crate::tools::Content::Text(format!(
                "(timeout {asked} s was clamped to {timeout_s} s)"
            )));
        }
        Ok(result.with("timeout", timeout_s))
    }
}

/// The result for a command that ran (whatever its exit status).
pub fn report(out: &CommandOutput) -> ToolOutput {
    let (out_binary, err_binary) = (looks_binary(&out.stdout), looks_binary(&out.stderr));
    let shown_len = |s: &str, binary: bool| if binary { 0 } else { s.len() };
    let (out_budget, err_budget) = split_budget(
        shown_len(&out.stdout, out_binary),
        shown_len(&out.stderr, err_binary),
        OUTPUT_CAP_BYTES,
    );
    let (stdout, out_dropped) = stream(&out.stdout, out_binary, out_budget, "stdout");
    let (stderr, err_dropped) = stream(&out.stderr, err_binary, err_budget, "stderr");
    let dropped = out_dropped + err_dropped;
    let mut text = format!("exit status {}", out.return_code);
    if dropped > 0 {
        text.push_str(&format!(
            " (output shortened: {dropped} bytes left out; redirect it to a file and read that with {} offset/length to see all)",
            FileRead::SPEC.name
        ));
    }
    text.push_str(&format!("\n--- stdout ---\n{stdout}"));
    if !out.stderr.is_empty() {
        if !stdout.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("--- stderr ---\n{stderr}"));
    }
    ToolOutput::text(text)
        .with("returnCode", out.return_code)
        .with("stdout", stdout)
        .with("stderr", stderr)
        .with("stdoutBytes", out.stdout.len())
        .with("stderrBytes", out.stderr.len())
        .with("truncated", dropped > 0)
        .with("droppedBytes", dropped)
        .with("binary", out_binary || err_binary)
}

/// One stream as shown, and how many of its bytes were left out.
fn stream(text: &str, binary: bool, budget: usize, name: &str) -> (String, usize) {
    if binary {
        let note = format!(
            "[{} bytes of binary {name} (NUL or control bytes) not shown: pipe it through `base64`, or redirect it \
             to a file and read that with {} encoding \"base64\"]",
            text.len(),
            FileRead::SPEC.name
        );
        return (note, text.len());
    }
    shorten(text, budget)
}

/// The failure for a command the server killed at its timeout.
fn timed_out(timeout_s: u64) -> ToolError {
    ToolError::new(
        ToolErrorKind::Failed,
        format!(
            "vm_exec: the command did not finish within its {timeout_s} s timeout and was killed in the VM (its output is lost). \
             Pass a larger `timeout` in seconds (up to {MAX_TIMEOUT_S}; the default comes from commandTimeoutMs), \
             or {}",
            background()
        ),
    )
}

/// How to run something long or lasting: `vm_exec` waits until every process holding its output exits.
fn background() -> String {
    format!(
        "run it in the background with {} (app \"sh\", args [\"-c\", \"CMD > /tmp/cmd.log 2>&1\"]) \
         and read the log with {}.",
        Launch::SPEC.name,
        FileRead::SPEC.name
    )
}

/// The failure for a shell that finished while something it started in the background kept the output open.
fn held_open(timeout_s: u64) -> ToolError {
    ToolError::new(
        ToolErrorKind::Failed,
        format!(
            "vm_exec: the command did not return within its {timeout_s} s timeout: its shell finished, but a process \
             it started in the background (`&`, `nohup`) kept the output open, and that process is still running. \
             vm_exec waits for every process holding its output; to start something that keeps running, {}",
            background()
        ),
    )
}

/// The failure for output the server could not decode as UTF-8.
fn not_utf8(server_message: &str) -> ToolError {
    ToolError::new(
        ToolErrorKind::Failed,
        format!(
            "vm_exec: the command ran, but its output is not UTF-8 text (binary?), so the server could not return it \
             or its exit status ({server_message}). Pipe the output through `base64` (e.g. `CMD | base64`), or \
             redirect it to a file and read that with {} encoding \"base64\".",
            FileRead::SPEC.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stdout: &str, stderr: &str, code: i64) -> ToolOutput {
        report(&CommandOutput {
            stdout: stdout.into(),
            stderr: stderr.into(),
            return_code: code,
        })
    }

    #[test]
    fn a_failing_command_is_a_result_with_its_streams() {
        let out = run("hi\n", "err\n", 3);
        assert_eq!(out.details["returnCode"], 3);
        assert!(!out.details.contains_key("exitCode"));
        assert_eq!(out.details["stdout"], "hi\n");
        assert_eq!(out.details["stderr"], "err\n");
        assert_eq!(
            out.joined_text(),
            "exit status 3\n--- stdout ---\nhi\n--- stderr ---\nerr\n"
        );
    }

    #[test]
    fn big_output_is_cut_and_counted_and_binary_is_not_pasted() {
        let big = "✓".repeat(40_000); // 120,000 bytes
        let out = run(&big, "small error", 1);
        assert_eq!(out.details["truncated"], true);
        let dropped = out.details["droppedBytes"].as_u64().unwrap_or(0) as usize;
        assert!(dropped >= 120_000 - OUTPUT_CAP_BYTES, "{dropped}");
        assert_eq!(out.details["stderr"], "small error");
        let out = run("a\0b", "", 0);
        assert_eq!(out.details["binary"], true);
        assert!(
            out.joined_text().contains("base64"),
            "{}",
            out.joined_text()
        );
        assert!(!out.joined_text().contains('\0'));
    }
}
