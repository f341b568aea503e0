//! Replaying a recording as a regression test: its actions are sent again, through [`crate::tools::call`]
//! (guards and audit apply, and the replay is itself recorded when recording is on), and each screen is
//! compared with the recorded one (SSIM, see `recording::compare`). The first step whose screen, outcome or
//! exit status differs ends the replay.
//!
//! What replay never does:
//! - **send an action twice.** Each recorded call is sent exactly once; a failed or ambiguous call is not
//!   retried. Waiting for a screen to settle takes extra screenshots (reads) only, outside the guards, without
//!   audit lines, and they change nothing on the screen.
//! - **reach another VM than the one asked for.** The context's VM is the one the caller named (`--vm`, else
//!   the recording's VM name); `agentVms` is not consulted (the replay has no agent). A VM whose screen size
//!   differs from the recording's is refused before anything is sent: every click would land elsewhere.
//! - **invent arguments.** A call whose recorded arguments were redacted (typed text under
//!   `audit.redactText`, secret-named values) cannot be sent as it was made: the replay refuses up front, or
//!   skips those calls when asked to (and says so per step).
//!
//! Frame ids differ between runs: a recorded `frame` argument is rewritten to the frame the replay got at the
//! same step (and dropped if there is none), so a stale-frame check still means what it meant.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use base64::Engine as _;
use cua_protocol::CaptureFormat;
use recording::Recording;
use recording::compare::{Comparison, compare};
use recording::format::{Step, has_redacted};
use recording::view::{ReplayReport, ReplayStep};
use serde_json::Value;

use crate::result::{Content, ToolError, ToolErrorKind, ToolOutput};
use crate::tools::{Space, ToolContext, capture};

/// How a replay compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayOptions {
    /// Minimum SSIM of the least similar 8x8 window for two screens to match.
    pub threshold: f64,
    /// How long a screen may take to settle into the recorded one.
    pub settle: Duration,
    /// Skip calls whose recorded arguments were redacted instead of refusing the replay.
    pub skip_redacted: bool,
}

/// How a replay ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every step matched.
    Matched,
    /// The first divergent step.
    Diverged(u64),
    /// The replay could not go on at this step (the VM became unreachable, …): not a verdict on the software.
    Error(u64, String),
}

/// The result of a replay: the verdict and the report to render.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// How it ended.
    pub verdict: Verdict,
    /// Per step, for the report page.
    pub report: ReplayReport,
}

/// Why a replay could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Steps whose arguments were redacted.
    #[error(
        "{} step(s) cannot be replayed because their arguments were redacted when recorded: {}. Record with `audit: {{ redactText: false }}` to replay typed text (secret-named values are never recorded), or pass --skip-redacted to replay the other steps",
        steps.len(),
        steps.iter().map(|(n, t)| format!("step {n} ({t})")).collect::<Vec<_>>().join(", ")
    )]
    Redacted {
        /// Step number and tool.
        steps: Vec<(u64, String)>,
    },
    /// The VM asked for is not configured.
    #[error("{0}")]
    Vm(String),
    /// The VM's screen is not the recording's size.
    #[error(
        "the VM `{vm}` has a {now_w}x{now_h} screen but the recording was made on {rec_w}x{rec_h}: every point would land elsewhere, so nothing was sent. Replay onto a VM with the recorded screen size (e.g. `computer-use vm up --screen {rec_w}x{rec_h}`)"
    )]
    ScreenSize {
        /// The VM.
        vm: String,
        /// Recorded width.
        rec_w: u64,
        /// Recorded height.
        rec_h: u64,
        /// The VM's width.
        now_w: u32,
        /// The VM's height.
        now_h: u32,
    },
    /// The VM could not be reached before anything was sent.
    #[error("cannot reach the VM `{vm}` to replay onto it: {error}")]
    Unreachable {
        /// The VM.
        vm: String,
        /// Why.
        error: ToolError,
    },
    /// Nothing to replay.
    #[error("the recording has no steps to replay")]
    Empty,
}

/// Replays `recording` onto the VM of `ctx` (the caller sets `ctx.vm`; see the module documentation).
pub async fn replay(
    ctx: &ToolContext,
    recording: &Recording,
    options: ReplayOptions,
) -> Result<Replayed, ReplayError> {
    let vm = ctx.vm_name().to_owned();
    ctx.vms
        .config()
        .vm(ctx.vm.as_deref())
        .map_err(|e| ReplayError::Vm(e.to_string()))?;
    let top: Vec<&Step> = recording
        .steps
        .iter()
        .filter(|s| s.parent.is_none())
        .collect();
    if top.is_empty() {
        return Err(ReplayError::Empty);
    }
    let redacted: Vec<(u64, String)> = top
        .iter()
        .filter(|s| has_redacted(&s.args))
        .map(|s| (s.step, s.tool.clone()))
        .collect();
    if !redacted.is_empty() && !options.skip_redacted {
        return Err(ReplayError::Redacted { steps: redacted });
    }
    check_screen(ctx, &vm, &top).await?;

    let mut run = Run {
        ctx,
        recording,
        options,
        frames: HashMap::new(),
        last_recorded: None,
        last_new: None,
        steps: BTreeMap::new(),
    };
    let mut verdict = Verdict::Matched;
    for step in &top {
        match run.step(step).await {
            StepEnd::Go => {}
            StepEnd::Diverged => {
                verdict = Verdict::Diverged(step.step);
                break;
            }
            StepEnd::Error(message) => {
                verdict = Verdict::Error(step.step, message);
                break;
            }
        }
    }
    for step in &top {
        run.steps.entry(step.step).or_insert_with(|| ReplayStep {
            status: "not run".into(),
            message: "not replayed: the replay stopped earlier".into(),
            against: None,
            image: None,
            regions: Vec::new(),
        });
    }
    let (summary, ok, focus) = match &verdict {
        Verdict::Matched => (
            format!(
                "Replay onto VM `{vm}`: all {} steps matched (threshold {}).",
                top.len(),
                options.threshold
            ),
            true,
            None,
        ),
        Verdict::Diverged(n) => (
            format!(
                "Replay onto VM `{vm}` diverged at step {n}: {}",
                run.steps.get(n).map(|s| s.message.as_str()).unwrap_or("")
            ),
            false,
            Some(*n),
        ),
        Verdict::Error(n, message) => (
            format!("Replay onto VM `{vm}` stopped at step {n}: {message}"),
            false,
            Some(*n),
        ),
    };
    Ok(Replayed {
        verdict,
        report: ReplayReport {
            summary,
            ok,
            focus,
            steps: run.steps,
        },
    })
}

/// Refuses a VM whose screen is not the recorded size (read from the recording's first screenshot).
async fn check_screen(ctx: &ToolContext, vm: &str, steps: &[&Step]) -> Result<(), ReplayError> {
    let recorded = steps.iter().find_map(|s| {
        let w = s.details.get("screenWidth").and_then(Value::as_u64)?;
        let h = s.details.get("screenHeight").and_then(Value::as_u64)?;
        Some((w, h))
    });
    let Some((rec_w, rec_h)) = recorded else {
        return Ok(());
    };
    let unreachable = |error: ToolError| ReplayError::Unreachable {
        vm: vm.to_owned(),
        error,
    };
    let session = ctx.session().map_err(unreachable)?;
    let shot = ctx
        .cancellable(
            &session,
            session.gui().screenshot(CaptureFormat::Jpeg, Some(20)),
        )
        .await
        .map_err(unreachable)?;
    let (_, now_w, now_h) = imaging::dimensions(&shot.bytes).map_err(|e| {
        unreachable(ToolError::rejected(format!(
            "the server's screenshot does not decode: {e}"
        )))
    })?;
    if (u64::from(now_w), u64::from(now_h)) != (rec_w, rec_h) {
        return Err(ReplayError::ScreenSize {
            vm: vm.to_owned(),
            rec_w,
            rec_h,
            now_w,
            now_h,
        });
    }
    Ok(())
}

enum StepEnd {
    Go,
    Diverged,
    Error(String),
}

/// An encoded image and its MIME type.
#[derive(Clone)]
struct Shot {
    bytes: Vec<u8>,
    mime: String,
}

struct Run<'a> {
    ctx: &'a ToolContext,
    recording: &'a Recording,
    options: ReplayOptions,
    /// Recorded frame id → the replay's frame id at the same step.
    frames: HashMap<u64, u64>,
    /// The latest recorded image and the latest new one (a result without an image, such as "unchanged since
    /// frame N", stands for the latest image).
    last_recorded: Option<(u64, Shot)>,
    last_new: Option<Shot>,
    steps: BTreeMap<u64, ReplayStep>,
}

impl Run<'_> {
    async fn step(&mut self, step: &Step) -> StepEnd {
        if has_redacted(&step.args) {
            self.note(
                step,
                "skipped",
                "skipped: its arguments were redacted when recorded",
                None,
                None,
                Vec::new(),
            );
            return StepEnd::Go;
        }
        let mut ctx = self.ctx.clone();
        ctx.space = if step.space == "screen" {
            Space::Screen {
                lossless: step.image.as_ref().is_some_and(|i| i.mime == "image/png"),
            }
        } else {
            Space::Image
        };
        let mut args = step.args.clone();
        rewrite_frames(&mut args, &self.frames);
        let result = crate::tools::call(&ctx, &step.tool, args).await;

        // Outcome and exit status first: a different outcome is a divergence whatever the screen shows.
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.kind.as_str(),
        };
        if let Err(e) = &result
            && e.kind == ToolErrorKind::Unavailable
            && step.outcome != outcome
        {
            let message = format!("the VM became unreachable: {}", e.message);
            self.note(step, "error", &message, None, None, Vec::new());
            return StepEnd::Error(message);
        }
        if outcome != step.outcome {
            let message = format!(
                "the call's outcome was `{}` when recorded and is `{outcome}` now{}",
                step.outcome,
                match &result {
                    Err(e) => format!(": {}", first_line(&e.message)),
                    Ok(_) => String::new(),
                }
            );
            self.note(step, "diverged", &message, None, None, Vec::new());
            return StepEnd::Diverged;
        }
        let out = result.ok();
        if let (Some(rec), Some(code)) = (
            &step.exec,
            out.as_ref()
                .and_then(|o| o.details.get("returnCode"))
                .and_then(Value::as_i64),
        ) && rec.return_code != code
        {
            let message = format!(
                "the command exited with status {} when recorded and {code} now",
                rec.return_code
            );
            self.note(step, "diverged", &message, None, None, Vec::new());
            return StepEnd::Diverged;
        }
        let new_frame = out
            .as_ref()
            .and_then(|o| o.details.get("frame"))
            .and_then(Value::as_u64);
        if let (Some(rec), Some(new)) = (step.frame(), new_frame) {
            self.frames.insert(rec, new);
        }

        // The model's image.
        let recorded_image = step.image.as_ref().and_then(|i| {
            self.recording.image_bytes(i).map(|b| {
                (
                    step.step,
                    Shot {
                        bytes: b,
                        mime: i.mime.clone(),
                    },
                )
            })
        });
        let new_image = out.as_ref().and_then(image_of);
        if step.image.is_some() && recorded_image.is_none() {
            self.note(step, "match", "outcome matched; the recorded image was dropped (record.maxBytes), so the screen was not compared", None, None, Vec::new());
        }
        let compare_image = match (&recorded_image, &new_image) {
            (Some(r), Some(n)) => Some((r.clone(), n.clone())),
            // "Unchanged since frame N": no new image where one was recorded, or the other way round.
            (Some(r), None) => self.last_new.clone().map(|n| (r.clone(), n)),
            (None, Some(n)) if step.kind == "look" => {
                self.last_recorded.clone().map(|r| (r, n.clone()))
            }
            _ => None,
        };
        if let Some(r) = &recorded_image {
            self.last_recorded = Some(r.clone());
        }
        if let Some(n) = &new_image {
            self.last_new = Some(n.clone());
        }
        // Only a whole-screen capture can be taken again to wait for the screen (not a zoom, not a batch's).
        let can_poll = step.details.contains_key("screenWidth");
        if let Some(((against, rec), new)) = compare_image
            && let Err(end) = self.settle(against, &rec, new, can_poll, step).await
        {
            return end;
        }

        // The after-input screenshot.
        if let Some(after) = &step.after
            && out.is_some()
            && let Some(bytes) = self.recording.image_bytes(after)
        {
            let rec = Shot {
                bytes,
                mime: after.mime.clone(),
            };
            if let Err(end) = self.settle_after(&rec, step).await {
                return end;
            }
        }
        self.steps.entry(step.step).or_insert_with(|| ReplayStep {
            status: "match".into(),
            message: format!("outcome `{outcome}` as recorded"),
            against: None,
            image: None,
            regions: Vec::new(),
        });
        StepEnd::Go
    }

    /// Compares the step's new image with the recorded one, taking more screenshots (through the same capture
    /// path, so they are comparable) until it matches or `settle` runs out.
    async fn settle(
        &mut self,
        against: u64,
        rec: &Shot,
        mut new: Shot,
        can_poll: bool,
        step: &Step,
    ) -> Result<(), StepEnd> {
        let deadline = Instant::now() + self.options.settle;
        let mut waited = false;
        loop {
            let c = match compare(&rec.bytes, &new.bytes, self.options.threshold) {
                Ok(c) => c,
                Err(e) => {
                    let message = format!("cannot compare the screens: {e}");
                    self.note(step, "error", &message, Some(&new), None, Vec::new());
                    return Err(StepEnd::Error(message));
                }
            };
            if c.matches(self.options.threshold) {
                let message = format!(
                    "screen matches (worst window SSIM {:.3}, mean {:.3}){}",
                    c.worst,
                    c.mean,
                    if waited {
                        " after waiting for it to settle"
                    } else {
                        ""
                    }
                );
                self.note(
                    step,
                    "match",
                    &message,
                    Some(&new),
                    Some(against),
                    Vec::new(),
                );
                return Ok(());
            }
            if !can_poll || Instant::now() >= deadline {
                self.diverged(step, against, &c, &new);
                return Err(StepEnd::Diverged);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            waited = true;
            let Ok(session) = self.ctx.session() else {
                self.diverged(step, against, &c, &new);
                return Err(StepEnd::Diverged);
            };
            let mut ctx = self.ctx.clone();
            ctx.space = Space::Image;
            if step.space == "screen" {
                ctx.space = Space::Screen {
                    lossless: rec.mime == "image/png",
                };
            }
            match capture(&ctx, &session).await {
                Ok(shot) => {
                    if let Some(rec_frame) = step.frame() {
                        self.frames.insert(rec_frame, shot.frame.id);
                    }
                    new = Shot {
                        bytes: shot.image.bytes.clone(),
                        mime: shot.image.mime.to_owned(),
                    };
                    self.last_new = Some(new.clone());
                }
                Err(e) => {
                    let message = format!(
                        "a screenshot while waiting for the screen failed: {}",
                        e.message
                    );
                    self.note(step, "error", &message, Some(&new), None, Vec::new());
                    return Err(StepEnd::Error(message));
                }
            }
        }
    }

    /// The after-input screenshot, taken like the recorder takes it, until it matches or `settle` runs out.
    async fn settle_after(&mut self, rec: &Shot, step: &Step) -> Result<(), StepEnd> {
        let deadline = Instant::now() + self.options.settle;
        loop {
            let new = match crate::tools::record::after::capture_now(self.ctx).await {
                Ok(bytes) => Shot {
                    bytes,
                    mime: "image/jpeg".into(),
                },
                Err(e) => {
                    let message = format!("the after-input screenshot failed: {}", e.message);
                    self.note(step, "error", &message, None, None, Vec::new());
                    return Err(StepEnd::Error(message));
                }
            };
            let c = match compare(&rec.bytes, &new.bytes, self.options.threshold) {
                Ok(c) => c,
                Err(e) => {
                    let message = format!("cannot compare the screens: {e}");
                    self.note(step, "error", &message, Some(&new), None, Vec::new());
                    return Err(StepEnd::Error(message));
                }
            };
            if c.matches(self.options.threshold) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.diverged(step, step.step, &c, &new);
                return Err(StepEnd::Diverged);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    fn diverged(&mut self, step: &Step, against: u64, c: &Comparison, new: &Shot) {
        let message = format!(
            "the screen differs from the recorded one in {} region(s) (worst window SSIM {:.3} < threshold {}, mean {:.3}), still after {:.0} s",
            c.regions.len(),
            c.worst,
            self.options.threshold,
            c.mean,
            self.options.settle.as_secs_f64()
        );
        self.note(
            step,
            "diverged",
            &message,
            Some(new),
            Some(against),
            c.regions.clone(),
        );
    }

    fn note(
        &mut self,
        step: &Step,
        status: &str,
        message: &str,
        new: Option<&Shot>,
        against: Option<u64>,
        regions: Vec<[u32; 4]>,
    ) {
        let image = new.and_then(|s| {
            let (_, w, h) = imaging::dimensions(&s.bytes).ok()?;
            Some((s.mime.clone(), s.bytes.clone(), w, h))
        });
        self.steps.insert(
            step.step,
            ReplayStep {
                status: status.into(),
                message: message.into(),
                against,
                image,
                regions,
            },
        );
    }
}

/// The first image of a result.
fn image_of(out: &ToolOutput) -> Option<Shot> {
    out.content.iter().find_map(|c| match c {
        Content::Image { base64, mime } => base64::engine::general_purpose::STANDARD
            .decode(base64)
            .ok()
            .map(|bytes| Shot {
                bytes,
                mime: (*mime).to_owned(),
            }),
        Content::Text(_) => None,
    })
}

/// Every `frame` argument (also inside a batch's actions) mapped to the replay's frame, or removed when the
/// replay has no counterpart.
fn rewrite_frames(v: &mut Value, frames: &HashMap<u64, u64>) {
    match v {
        Value::Object(map) => {
            if let Some(recorded) = map.get("frame").and_then(Value::as_u64) {
                match frames.get(&recorded) {
                    Some(new) => {
                        map.insert("frame".into(), Value::from(*new));
                    }
                    None => {
                        map.remove("frame");
                    }
                }
            }
            map.values_mut().for_each(|v| rewrite_frames(v, frames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_frames(v, frames)),
        _ => {}
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_are_rewritten_to_the_replays_or_dropped() {
        let frames = HashMap::from([(7, 2)]);
        let mut args =
            json!({"x": 1, "frame": 7, "actions": [{"tool": "vm_click", "args": {"frame": 9}}]});
        rewrite_frames(&mut args, &frames);
        assert_eq!(
            args,
            json!({"x": 1, "frame": 2, "actions": [{"tool": "vm_click", "args": {}}]})
        );
    }
}
