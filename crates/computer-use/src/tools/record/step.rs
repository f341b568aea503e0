//! A finished call as a recording step: the audit's view of it (redacted arguments, refusal, warnings, latency)
//! plus what the result holds for the model (image, text, landing point, a command's streams), scrubbed.

use base64::Engine as _;
use recording::format::{ErrorInfo, ExecOutput, ImageRef, Landed, Step, Warning};
use recording::writer::NewImage;
use serde_json::{Map, Value};

use crate::guards::Finished;
use crate::result::{Content, ToolError, ToolOutput};
use crate::tools::ToolContext;

/// Longest result text kept (characters).
const TEXT_CHARS: usize = 4_000;
/// Longest stream of a command's output kept (characters); the tool itself returns at most 50 KB of both.
const STREAM_CHARS: usize = 64 * 1024;

/// The parts of a step known before the call ends.
pub(super) struct Head {
    pub(super) call: u64,
    pub(super) parent: Option<u64>,
    pub(super) ts: String,
    pub(super) t_ms: u64,
    pub(super) tool: &'static str,
    pub(super) kind: &'static str,
    pub(super) space: &'static str,
}

/// The step (number 0 until written) and the model's image, if the result had one.
pub(super) fn build(
    head: Head,
    finished: &Finished<'_>,
    result: &Result<ToolOutput, ToolError>,
    secrets: &[String],
) -> (Step, Option<NewImage>) {
    let short = finished.redactor.with_max_chars(TEXT_CHARS);
    let long = finished.redactor.with_max_chars(STREAM_CHARS);
    let args = finished
        .args
        .map(|a| a.value().clone())
        .unwrap_or(Value::Null);
    let warnings = finished
        .notes
        .iter()
        .map(|n| Warning {
            kind: n.kind.to_owned(),
            text: short.scrub(&n.text, secrets),
        })
        .collect();
    let mut step = Step {
        step: 0,
        call: head.call,
        parent: head.parent,
        ts: head.ts,
        t_ms: head.t_ms,
        tool: head.tool.to_owned(),
        kind: head.kind.to_owned(),
        space: head.space.to_owned(),
        args,
        outcome: "ok".to_owned(),
        guard: finished.guard.map(|g| g.as_str().to_owned()),
        warnings,
        error: None,
        latency_ms: u64::try_from(finished.latency.as_millis()).unwrap_or(u64::MAX),
        text: None,
        image: None,
        after: None,
        landed: None,
        exec: None,
        details: Map::new(),
    };
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            step.outcome = e.kind.as_str().to_owned();
            step.error = Some(ErrorInfo {
                message: short.scrub(&e.message, secrets),
                hint: e.hint.as_ref().map(|h| short.scrub(h, secrets)),
                effect: e.outcome_name().to_owned(),
            });
            return (step, None);
        }
    };
    let text: Vec<&str> = out
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) => Some(t.as_str()),
            Content::Image { .. } => None,
        })
        .collect();
    if !text.is_empty() {
        step.text = Some(short.scrub(&text.join("\n"), secrets));
    }
    for (k, v) in &out.details {
        if matches!(v, Value::Number(_) | Value::Bool(_)) {
            step.details.insert(k.clone(), v.clone());
        }
    }
    step.landed = out
        .details
        .get("landed")
        .and_then(|l| serde_json::from_value::<Landed>(l.clone()).ok());
    if let Some(code) = out.details.get("returnCode").and_then(Value::as_i64) {
        let stream = |name: &str| {
            let s = out.details.get(name).and_then(Value::as_str).unwrap_or("");
            long.scrub(s, secrets)
        };
        step.exec = Some(ExecOutput {
            return_code: code,
            stdout: stream("stdout"),
            stderr: stream("stderr"),
        });
    }
    let image = out.content.iter().find_map(|c| match c {
        Content::Image { base64, mime } => Some((base64, *mime)),
        Content::Text(_) => None,
    });
    let image = image.and_then(|(data, mime)| {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        let (_, width, height) = imaging::dimensions(&bytes).ok()?;
        Some(NewImage {
            bytes,
            info: ImageRef {
                file: String::new(),
                mime: mime.to_owned(),
                width,
                height,
                bytes: 0,
                frame: out.details.get("frame").and_then(Value::as_u64),
                region: None,
            },
        })
    });
    (step, image)
}

/// The part of the screen the image of frame `frame` shows, `[x, y, w, h]` in screen pixels, from the session's
/// record of that frame (if it is still the latest: a concurrent call may have taken a newer one).
pub(super) fn region(ctx: &ToolContext, frame: Option<u64>) -> Option<[f64; 4]> {
    let frame = frame?;
    let latest = ctx.session().ok()?.frames().latest()?;
    (latest.id == frame).then(|| {
        [
            latest.origin_x,
            latest.origin_y,
            f64::from(latest.width) * latest.to_source_x,
            f64::from(latest.height) * latest.to_source_y,
        ]
    })
}
