//! One call on its way into a recording: begun before the guards, observed when they finish, written after
//! the optional after-input screenshot.

use std::future::Future;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use recording::writer::{Appended, NewImage};

use super::{Key, MAX_SECRETS, Recorder, after, lock, step};
use crate::guards::Finished;
use crate::guards::audit::timestamp;
use crate::result::{ToolError, ToolOutput};
use crate::spec::{ToolKind, ToolSpec};
use crate::tools::{Space, ToolContext};

tokio::task_local! {
    /// The call id of the `vm_batch` whose actions are running in this task.
    static PARENT: u64;
}

/// A call being recorded.
pub struct Draft {
    recorder: Arc<Recorder>,
    key: Key,
    call: u64,
    parent: Option<u64>,
    ts: String,
    begun: Instant,
    spec: &'static ToolSpec,
    space: &'static str,
    observed: Option<(recording::Step, Option<NewImage>)>,
}

impl Draft {
    /// Starts recording a call of `spec` on `ctx`, or `None` when recording is off.
    pub fn begin(ctx: &ToolContext, spec: &'static ToolSpec) -> Option<Draft> {
        let recorder = ctx.recorder.clone()?;
        Some(Draft {
            key: Key {
                vm: ctx.vm_name().to_owned(),
                agent: ctx.caller.agent().map(str::to_owned),
                session: ctx.caller.conversation().map(str::to_owned),
            },
            call: recorder.next_call(),
            parent: PARENT.try_with(|p| *p).ok(),
            recorder,
            ts: timestamp(SystemTime::now()),
            begun: Instant::now(),
            spec,
            space: match ctx.space {
                Space::Image => "image",
                Space::Screen { .. } => "screen",
            },
            observed: None,
        })
    }

    /// Runs the tool with this call as the parent of the calls it makes (a batch's actions).
    pub async fn scope<F: Future>(&self, run: F) -> F::Output {
        PARENT.scope(self.call, run).await
    }

    /// Takes what the guards made of the finished call (redacted arguments, refusal, warnings, latency) and the
    /// result the caller gets.
    pub(crate) fn observe(
        &mut self,
        finished: &Finished<'_>,
        result: &Result<ToolOutput, ToolError>,
    ) {
        let open = self.recorder.recording(&self.key);
        let mut open = lock(&open);
        if let Some(args) = finished.args {
            for value in args.removed() {
                if value.chars().count() >= 3 && !open.secrets.contains(value) {
                    open.secrets.push(value.clone());
                }
            }
            let excess = open.secrets.len().saturating_sub(MAX_SECRETS);
            open.secrets.drain(..excess);
        }
        let head = step::Head {
            call: self.call,
            parent: self.parent,
            ts: self.ts.clone(),
            t_ms: millis(self.begun.saturating_duration_since(open.started)),
            tool: self.spec.name,
            kind: self.spec.kind.as_str(),
            space: self.space,
        };
        self.observed = Some(step::build(head, finished, result, &open.secrets));
    }

    /// Adds the after-input screenshot (when configured) and the image's place on the screen, then appends the
    /// step. Never fails the call: a write error is reported once on stderr.
    pub async fn end(self, ctx: &ToolContext, ok: bool) {
        let Some((step, mut image)) = self.observed else {
            return;
        };
        if let Some(image) = image.as_mut() {
            image.info.region = step::region(ctx, image.info.frame);
        }
        let after = if ok
            && self.spec.kind == ToolKind::Input
            && self.recorder.config.screenshot_after_input()
        {
            after::capture(ctx).await
        } else {
            None
        };
        let open = self.recorder.recording(&self.key);
        let mut open = lock(&open);
        let Some(writer) = open.writer.as_mut() else {
            return;
        };
        match writer.append(step, image, after) {
            Ok(Appended::Written { .. }) => {}
            Ok(Appended::Full) => {
                if !open.full {
                    open.full = true;
                    tracing::warn!(
                        "the recording budget (record.maxBytes = {} bytes) is used up by step lines alone; later calls are not recorded (raise record.maxBytes, or start a new process to start new recordings)",
                        self.recorder.config.max_bytes()
                    );
                }
            }
            Err(e) => {
                let dir = writer.dir().display().to_string();
                open.writer = None;
                tracing::error!(
                    dir = %dir,
                    "cannot write the recording: {e}; later calls of this recording are not recorded"
                );
            }
        }
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
