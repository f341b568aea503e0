//! Looking at the screen for an agent without resending what it already has, and telling what its input
//! actions did: every screenshot an agent gets (`vm_screenshot`, `vm_wait`'s, `vm_batch`'s closing one) and
//! every check taken for it goes through here.
//!
//! **Unchanged screens are not resent.** A look is compared with the last image sent to the same caller
//! ([`crate::caller`]) on the same VM. When no pixel of the model-sized image differs by more than
//! [`imaging::PIXEL_TOLERANCE`] (2 of 255) in any channel, the reply is the text "unchanged since frame N"
//! and no image (`screenshot.skipUnchanged`, on by default; `vm_screenshot` with `force: true` gets the image,
//! labelled frame N). Frame N is made the latest frame again ([`coords::Frames::reissue`]), so points read
//! off it map through it and an action citing it is not stale.
//!
//! **The unchanged path is cheap.** The server's JPEG encoder is deterministic, so an unchanged screen comes
//! back byte for byte: when the capture equals both the image sent and the last capture, nothing is decoded,
//! scaled or encoded — the reply costs the capture and a memory compare. Only a capture whose bytes differ
//! is prepared and compared on pixels (a change below the tolerance still gets the "unchanged" reply).
//!
//! **Effects.** The same capture settles the caller's pending input actions (see
//! [`crate::guards::effects`]): compared with the previous capture for this caller, they `changed` the
//! screen (and where), or left it `unchanged`, with a warning after several in a row without effect. Every
//! capture also tells the loop guard which screen the caller is on ([`crate::guards::Guards::saw_screen`]).
//!
//! People at the CLI ([`Space::Screen`]) always get the full-size image; nothing is remembered for them.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use coords::{Calibration, Frame};
use imaging::{PIXEL_TOLERANCE, Prepared, changed_region};
use serde_json::{Value, json};

use crate::guards::CallerGuards;
use crate::guards::effects::{Outcome, Pixels, ScreenMemory, Seen, Settled, Shown};
use crate::result::{Content, ToolError, ToolOutput};
use crate::tools::capture::{Captured, capture, grab, policy};
use crate::tools::{Space, ToolContext};
use crate::vm::VmSession;

/// A screenshot for the caller: the image, or "unchanged since frame N" when it already has it (unless
/// `force`), with the effect of its input actions since the previous capture.
pub async fn look(
    ctx: &ToolContext,
    session: &VmSession,
    force: bool,
) -> Result<ToolOutput, ToolError> {
    if ctx.space != Space::Image {
        return Ok(capture(ctx, session).await?.into_output());
    }
    let skip = ctx.vms.config().screenshot().skip_unchanged() && !force;
    let (raw, calibration) = grab(ctx, session).await?;
    let state = ctx.guards.caller(ctx.vm_name(), &ctx.caller);
    let (shown, seen) = {
        let m = memory(&state);
        (m.shown.clone(), m.seen.clone())
    };
    // Byte-identical to what the caller was shown and to its last capture: nothing to decode or compare.
    if skip
        && let (Some(shown), Some(seen)) = (&shown, &seen)
        && *shown.seen.raw == raw
        && *seen.raw == raw
        && let Some(frame) = session.frames().reissue(shown.frame)
    {
        let settled = settle(ctx, &state, Outcome::Unchanged);
        ctx.guards.saw_screen(ctx.vm_name(), &ctx.caller, seen.hash);
        return Ok(unchanged_output(&frame, seen.frame, settled));
    }
    let (image, mut current) = prepare(ctx, raw, seen.as_ref()).await?;
    let outcome = outcome(seen.as_ref(), &current);
    // The caller's image still shows this screen: keep its frame (and its pixels as the reference, so slow
    // drift below the tolerance never adds up), take the new bytes for the fast path next time.
    let same = shown.as_ref().filter(|s| {
        let (a, b) = (&s.seen.pixels, &current.pixels);
        (a.width, a.height) == (b.width, b.height)
            && changed_region(&a.rgb, &b.rgb, b.width, b.height, PIXEL_TOLERANCE).is_none()
    });
    let reissued = same.and_then(|s| {
        session
            .frames()
            .reissue(s.frame)
            .map(|frame| (frame, s.seen.pixels.clone()))
    });
    let since = seen.as_ref().and_then(|s| s.frame);
    let (out, new_shown) = match reissued {
        Some((frame, pixels)) => {
            current.frame = Some(frame.id);
            let shown = Shown {
                frame,
                seen: Seen {
                    pixels,
                    ..current.clone()
                },
            };
            let out = if skip {
                None
            } else {
                Some(Captured { image, frame }.into_output())
            };
            (out, shown)
        }
        None => {
            let frame = record(session, &image, calibration);
            current.frame = Some(frame.id);
            let shown = Shown {
                frame,
                seen: current.clone(),
            };
            (Some(Captured { image, frame }.into_output()), shown)
        }
    };
    let frame = new_shown.frame;
    {
        let mut m = memory(&state);
        m.shown = Some(new_shown);
        m.seen = Some(current.clone());
    }
    let settled = settle(ctx, &state, outcome);
    ctx.guards
        .saw_screen(ctx.vm_name(), &ctx.caller, current.hash);
    Ok(match out {
        None => unchanged_output(&frame, since, settled),
        Some(out) => with_effect(out, settled, since),
    })
}

/// Pauses before the second and third capture of the loop guard's check, when the first shows no new screen:
/// an application draws a moment after its input (a terminal on a loaded machine, tens of milliseconds or
/// more), and a repeat must not be taken for a runaway because the last one is not drawn yet.
const EVIDENCE_RETRIES: [std::time::Duration; 2] = [
    std::time::Duration::from_millis(100),
    std::time::Duration::from_millis(250),
];

/// The loop guard's evidence, a capture that is not sent: settles the caller's pending actions and tells the
/// loop guard which screen it is on. When it is not a new screen, it is taken again after 100 ms and after
/// 250 ms more, so a slow redraw is not taken for "nothing changed".
pub async fn check(ctx: &ToolContext, session: &VmSession) -> Result<Option<Settled>, ToolError> {
    let (mut current, mut outcome) = compare(ctx, session).await?;
    for pause in EVIDENCE_RETRIES {
        if ctx
            .guards
            .is_new_screen(ctx.vm_name(), &ctx.caller, current.hash)
        {
            break;
        }
        ctx.pause(pause).await?;
        (current, outcome) = compare(ctx, session).await?;
    }
    Ok(commit(ctx, current, outcome))
}

/// Pauses before each check after an input action (`screenshot.checkEffects`): applications draw a moment
/// after the input arrives, so a first check that sees no change is taken again once, later.
const SETTLE: [std::time::Duration; 2] = [
    std::time::Duration::from_millis(50),
    std::time::Duration::from_millis(150),
];

/// The check `screenshot.checkEffects` takes after an input action: one capture 50 ms after it, and when
/// that shows no change, one more 150 ms later (so a slow redraw is not reported as "changed nothing").
pub async fn check_action(
    ctx: &ToolContext,
    session: &VmSession,
) -> Result<Option<Settled>, ToolError> {
    let mut last = None;
    for pause in SETTLE {
        ctx.pause(pause).await?;
        let (current, outcome) = compare(ctx, session).await?;
        let changed = outcome != Outcome::Unchanged;
        last = Some((current, outcome));
        if changed {
            break;
        }
    }
    Ok(last.and_then(|(current, outcome)| commit(ctx, current, outcome)))
}

/// A capture compared with the caller's last one (which stays as it is).
async fn compare(ctx: &ToolContext, session: &VmSession) -> Result<(Seen, Outcome), ToolError> {
    let (raw, _) = grab(ctx, session).await?;
    let state = ctx.guards.caller(ctx.vm_name(), &ctx.caller);
    let seen = memory(&state).seen.clone();
    let current = match &seen {
        Some(s) if *s.raw == raw => Seen {
            frame: None,
            ..s.clone()
        },
        _ => prepare(ctx, raw, seen.as_ref()).await?.1,
    };
    let outcome = outcome(seen.as_ref(), &current);
    Ok((current, outcome))
}

/// Makes `current` the caller's last capture, tells the loop guard, and settles the pending actions.
fn commit(ctx: &ToolContext, current: Seen, outcome: Outcome) -> Option<Settled> {
    let state = ctx.guards.caller(ctx.vm_name(), &ctx.caller);
    let hash = current.hash;
    memory(&state).seen = Some(current);
    ctx.guards.saw_screen(ctx.vm_name(), &ctx.caller, hash);
    settle(ctx, &state, outcome)
}

/// An image the caller never got after all (`vm_batch` drops its actions' images): if it is the one
/// remembered as shown, forget it, so the next look sends the image rather than "unchanged since" it.
pub fn dropped(ctx: &ToolContext, out: &ToolOutput) {
    let has_image = out
        .content
        .iter()
        .any(|c| matches!(c, Content::Image { .. }));
    let Some(frame) = out.details.get("frame").and_then(Value::as_u64) else {
        return;
    };
    if !has_image || ctx.space != Space::Image {
        return;
    }
    let state = ctx.guards.caller(ctx.vm_name(), &ctx.caller);
    let mut m = memory(&state);
    if m.shown.as_ref().is_some_and(|s| s.frame.id == frame) {
        m.shown = None;
    }
}

/// The effect of the actions settled by a look or a check, added to a result: a text line after the first
/// block, and the details (see [`Settled::details`]).
pub fn with_effect(
    mut out: ToolOutput,
    settled: Option<Settled>,
    since: Option<u64>,
) -> ToolOutput {
    let Some(settled) = settled else {
        return out;
    };
    if let Some(text) = settled.text(since) {
        let at = usize::from(!out.content.is_empty());
        out.content.insert(at, Content::Text(text));
    }
    for (k, v) in settled.details(since) {
        out.details.insert(k, v);
    }
    out
}

/// The capture prepared for the caller (off the async threads), and remembered as seen.
async fn prepare(
    ctx: &ToolContext,
    raw: Vec<u8>,
    previous: Option<&Seen>,
) -> Result<(Prepared, Seen), ToolError> {
    let policy = policy(ctx);
    let raw = Arc::new(raw);
    let input = raw.clone();
    let (mut image, rgb) = tokio::task::spawn_blocking(move || {
        let mut image = imaging::prepare(&input, &policy)?;
        // The server's image kept as it was (already within budget) was not decoded: decode it to compare.
        let rgb = if image.pixels.is_empty() {
            imaging::decode_rgb(&input)?.2
        } else {
            std::mem::take(&mut image.pixels)
        };
        Ok::<_, imaging::ImagingError>((image, rgb))
    })
    .await
    .map_err(|e| {
        ToolError::rejected(format!(
            "internal error while preparing the screenshot: {e}"
        ))
    })?
    .map_err(|e| ToolError::rejected(e.to_string()))?;
    image.pixels = Vec::new();
    let hash = match previous {
        Some(p) if *p.raw == *raw => p.hash,
        _ => hash_of(&raw),
    };
    let pixels = Arc::new(Pixels {
        width: image.width,
        height: image.height,
        rgb,
    });
    Ok((
        image,
        Seen {
            raw,
            hash,
            pixels,
            frame: None,
        },
    ))
}

/// What the new capture says about the actions since `previous`.
fn outcome(previous: Option<&Seen>, current: &Seen) -> Outcome {
    let Some(p) = previous else {
        return Outcome::Unknown;
    };
    if *p.raw == *current.raw {
        return Outcome::Unchanged;
    }
    let (a, b) = (&p.pixels, &current.pixels);
    if (a.width, a.height) != (b.width, b.height) {
        return Outcome::Changed(None);
    }
    match changed_region(&a.rgb, &b.rgb, b.width, b.height, PIXEL_TOLERANCE) {
        None => Outcome::Unchanged,
        Some(region) => Outcome::Changed(Some(region)),
    }
}

/// Settles the caller's pending actions with `outcome`.
fn settle(ctx: &ToolContext, state: &CallerGuards, outcome: Outcome) -> Option<Settled> {
    let warn_at = ctx.vms.config().screenshot().no_effect_warn();
    memory(state).settle(outcome, warn_at)
}

/// Records a new frame for an image about to be sent.
fn record(session: &VmSession, image: &Prepared, calibration: Calibration) -> Frame {
    session.frames().record(
        image.width,
        image.height,
        (f64::from(image.origin_x), f64::from(image.origin_y)),
        (image.to_source_x, image.to_source_y),
        calibration,
    )
}

/// "Screen unchanged since frame N": no image; the frame's size and id in text and details.
fn unchanged_output(frame: &Frame, since: Option<u64>, settled: Option<Settled>) -> ToolOutput {
    let c = frame.calibration;
    let text = format!(
        "Screen unchanged since frame {} ({}x{}); that image still stands and coordinates are its pixels.",
        frame.id, frame.width, frame.height
    );
    let details = json!({
        "frame": frame.id,
        "unchangedSince": frame.id,
        "width": frame.width,
        "height": frame.height,
        "screenWidth": c.shot_w,
        "screenHeight": c.shot_h,
        "scale": f64::from(frame.width) / f64::from(c.shot_w.max(1)),
    });
    let out = ToolOutput {
        details: match details {
            Value::Object(map) => map,
            _ => Default::default(),
        },
        ..ToolOutput::text(text)
    };
    with_effect(out, settled, since)
}

/// A hash of a capture's bytes: the loop guard's identity of a screen.
fn hash_of(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// A poisoned lock only means another call panicked mid-update; the memory is still usable.
fn memory(state: &CallerGuards) -> MutexGuard<'_, ScreenMemory> {
    lock(&state.screen)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}
