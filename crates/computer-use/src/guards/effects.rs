//! What a caller's input actions did to the screen, told from the captures it takes anyway.
//!
//! An agent that clicks into a modal dialog, types into the wrong window, or drives a macOS guest whose
//! Accessibility grant went stale gets "Clicked at …" back every time, and wastes turns finding out that
//! nothing happened. So each caller's input actions (clicks, typing, keys, scrolls, drags, mouse buttons:
//! [`ToolSpec::acts_on_screen`](crate::spec::ToolSpec::acts_on_screen)) are remembered as *pending* until
//! the next capture for that caller — its next screenshot, a `vm_wait` or batch ending with one, or a check
//! the loop guard or `screenshot.checkEffects` takes. That capture is compared with the previous one and
//! *settles* them: `changed` (with the region that changed), `unchanged`, or `unknown` (nothing to compare
//! with). Several actions in a row that changed nothing earn a warning that names the likely causes and
//! their fixes. No capture is taken for this unless configured.
//!
//! The comparison is done on the pixels the caller is shown (see `imaging::changed_region`); this module
//! keeps the memory and the wording, the capture path (`tools/screen/unchanged.rs`) does the looking.

use std::sync::Arc;

use coords::Frame;
use imaging::Region;
use serde_json::{Map, Value, json};

/// Most pending actions kept (a caller acting hundreds of times without looking is reported as "many").
const MAX_PENDING: usize = 64;
/// Most actions named in the no-effect warning (the latest ones).
const WARN_NAMES: usize = 6;

/// Pixels at the resolution the caller is shown (after scaling): what "unchanged" is decided on.
#[derive(Debug)]
pub struct Pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGB, 3 bytes a pixel, row by row.
    pub rgb: Vec<u8>,
}

/// One capture as remembered.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The server's bytes: a byte-identical capture is the same screen, found without decoding anything.
    pub raw: Arc<Vec<u8>>,
    /// A hash of `raw`: the loop guard's identity of this screen.
    pub hash: u64,
    /// The pixels the caller is (or would be) shown.
    pub pixels: Arc<Pixels>,
    /// The frame it was shown as, if it was sent (a check is not).
    pub frame: Option<u64>,
}

/// The last image sent to a caller, with its frame: what an "unchanged since frame N" reply refers to.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Its frame (made the latest again when the screen is unchanged).
    pub frame: Frame,
    /// The capture it was made from (its `raw` may be a later capture that looked the same).
    pub seen: Seen,
}

/// What one capture says about the actions before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The screen changed; the region (in pixels of the image the caller is shown) when known.
    Changed(Option<Region>),
    /// Nothing changed on the screen.
    Unchanged,
    /// Nothing to compare with (no capture before them).
    Unknown,
}

impl Outcome {
    /// `changed`, `unchanged` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Changed(_) => "changed",
            Outcome::Unchanged => "unchanged",
            Outcome::Unknown => "unknown",
        }
    }
}

/// What one caller has been shown of one VM, and what it did since.
#[derive(Debug, Default)]
pub struct ScreenMemory {
    /// The last image sent.
    pub shown: Option<Shown>,
    /// The last capture for this caller (an image sent, or a check): effects are measured from it.
    pub seen: Option<Seen>,
    /// Input actions since `seen`, oldest first.
    pending: Vec<&'static str>,
    /// More actions than [`MAX_PENDING`] since `seen`.
    overflow: usize,
    /// How many input actions in a row changed nothing (settled as `unchanged`).
    no_effect_run: usize,
    /// The latest of them, oldest first (at most [`WARN_NAMES`]).
    no_effect_recent: std::collections::VecDeque<&'static str>,
}

/// The actions one capture settled, and what it said about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The actions, oldest first (tool names).
    pub actions: Vec<&'static str>,
    /// How many more there were than listed.
    pub more: usize,
    /// What the capture said.
    pub outcome: Outcome,
    /// The warning after several actions in a row without effect.
    pub warning: Option<String>,
}

impl ScreenMemory {
    /// Notes an input action that ran (its effect is settled by the next capture).
    pub fn acted(&mut self, tool: &'static str) {
        if self.pending.len() < MAX_PENDING {
            self.pending.push(tool);
        } else {
            self.overflow += 1;
        }
    }

    /// Whether input actions are waiting for a capture to tell their effect.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Settles the pending actions with what a new capture says (`None` when there were none), and keeps the
    /// count of actions in a row without effect: `warn_at` or more earns the warning.
    pub fn settle(&mut self, outcome: Outcome, warn_at: u32) -> Option<Settled> {
        if self.pending.is_empty() {
            return None;
        }
        let actions = std::mem::take(&mut self.pending);
        let more = std::mem::take(&mut self.overflow);
        match outcome {
            Outcome::Unchanged => {
                self.no_effect_run += actions.len() + more;
                for a in &actions {
                    if self.no_effect_recent.len() == WARN_NAMES {
                        self.no_effect_recent.pop_front();
                    }
                    self.no_effect_recent.push_back(a);
                }
            }
            Outcome::Changed(_) => {
                self.no_effect_run = 0;
                self.no_effect_recent.clear();
            }
            Outcome::Unknown => {}
        }
        let run = self.no_effect_run;
        let warning = (outcome == Outcome::Unchanged
            && u32::try_from(run).unwrap_or(u32::MAX) >= warn_at.max(1))
        .then(|| no_effect_warning(run, &self.no_effect_recent));
        Some(Settled {
            actions,
            more,
            outcome,
            warning,
        })
    }
}

impl Settled {
    /// `vm_click`, `vm_click and vm_type`, `vm_click, vm_key and 3 more`.
    fn names(&self) -> String {
        let mut names: Vec<String> = self.actions.iter().map(|s| (*s).to_owned()).collect();
        if self.more > 0 {
            names.push(format!("{} more", self.more));
        }
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => String::new(),
        }
    }

    /// The sentence the caller reads, `since` naming the frame the comparison starts from when known; `None`
    /// when the effect is unknown (nothing worth a line).
    pub fn text(&self, since: Option<u64>) -> Option<String> {
        let since = since
            .map(|f| format!(" (since frame {f})"))
            .unwrap_or_default();
        let line = match self.outcome {
            Outcome::Changed(Some(r)) => format!(
                "Effect: {}{since} changed the screen, within x {}–{}, y {}–{} of this image.",
                self.names(),
                r.x,
                r.x + r.width - 1,
                r.y,
                r.y + r.height - 1
            ),
            Outcome::Changed(None) => {
                format!("Effect: {}{since} changed the screen.", self.names())
            }
            Outcome::Unchanged => format!(
                "Effect: {}{since} changed nothing on the screen.",
                self.names()
            ),
            Outcome::Unknown => return None,
        };
        Some(match &self.warning {
            Some(w) => format!("{line}\n{w}"),
            None => line,
        })
    }

    /// The result's details: `effect` (`changed`, `unchanged` or `unknown`), `effectOf` (the actions, and
    /// `effectOfMore` beyond them), `changedRegion` (`{x, y, width, height}` in pixels of the image the caller
    /// is shown) and `effectSince` (the frame compared with), and the warning in `warnings`.
    pub fn details(&self, since: Option<u64>) -> Map<String, Value> {
        let mut d = Map::new();
        d.insert("effect".into(), json!(self.outcome.as_str()));
        d.insert("effectOf".into(), json!(self.actions));
        if self.more > 0 {
            d.insert("effectOfMore".into(), json!(self.more));
        }
        if let Outcome::Changed(Some(r)) = self.outcome {
            d.insert(
                "changedRegion".into(),
                json!({"x": r.x, "y": r.y, "width": r.width, "height": r.height}),
            );
        }
        if let Some(f) = since {
            d.insert("effectSince".into(), json!(f));
        }
        if let Some(w) = &self.warning {
            d.insert("warnings".into(), json!([w]));
        }
        d
    }
}

/// The warning after `run` input actions in a row changed nothing: the likely causes, each with its fix.
fn no_effect_warning(run: usize, recent: &std::collections::VecDeque<&'static str>) -> String {
    let shown: Vec<&str> = recent.iter().copied().collect();
    format!(
        "Warning: the last {run} input actions ({}{}) changed nothing on the screen. Likely causes: a dialog, \
         menu or popup is taking the input (find it on the screen, then answer or close it, e.g. with Escape); \
         the keyboard focus is in another window (click inside the window you mean first); on a macOS VM, \
         cua-computer-server has lost its Accessibility or Screen Recording permission, so input is dropped \
         (in System Settings > Privacy & Security, switch both on for the program that runs the server, e.g. \
         Terminal or python3, then restart the server).",
        if run > shown.len() { "… " } else { "" },
        shown.join(", ")
    )
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nothing_pending_settles_nothing() {
        let mut m = ScreenMemory::default();
        assert_eq!(m.settle(Outcome::Unchanged, 3), None);
    }

    #[test]
    fn a_change_is_reported_with_its_region_and_resets_the_run() {
        let mut m = ScreenMemory::default();
        m.acted("vm_click");
        m.acted("vm_type");
        let region = Region {
            x: 10,
            y: 20,
            width: 5,
            height: 2,
        };
        let s = m.settle(Outcome::Changed(Some(region)), 3).unwrap();
        assert_eq!(
            s.text(Some(4)).unwrap(),
            "Effect: vm_click and vm_type (since frame 4) changed the screen, within x 10–14, y 20–21 of this image."
        );
        assert_eq!(
            Value::Object(s.details(Some(4))),
            json!({"effect": "changed", "effectOf": ["vm_click", "vm_type"], "effectSince": 4,
                   "changedRegion": {"x": 10, "y": 20, "width": 5, "height": 2}})
        );
        assert!(!m.has_pending());
    }

    #[test]
    fn three_actions_in_a_row_without_effect_earn_the_warning_until_one_has_an_effect() {
        let mut m = ScreenMemory::default();
        m.acted("vm_click");
        let s = m.settle(Outcome::Unchanged, 3).unwrap();
        assert_eq!(
            s.text(None).unwrap(),
            "Effect: vm_click changed nothing on the screen."
        );
        assert_eq!(s.warning, None);
        m.acted("vm_click");
        m.acted("vm_key");
        let s = m.settle(Outcome::Unchanged, 3).unwrap();
        let warning = s.warning.clone().unwrap();
        assert!(
            warning.starts_with(
                "Warning: the last 3 input actions (vm_click, vm_click, vm_key) changed nothing"
            ),
            "{warning}"
        );
        for cause in [
            "dialog",
            "focus",
            "Accessibility or Screen Recording permission",
        ] {
            assert!(warning.contains(cause), "{warning}");
        }
        assert_eq!(s.details(None)["warnings"], json!([warning]));
        // Unknown outcomes neither extend nor end the run; a change ends it.
        m.acted("vm_scroll");
        assert_eq!(m.settle(Outcome::Unknown, 3).unwrap().text(None), None);
        m.acted("vm_scroll");
        assert!(m.settle(Outcome::Unchanged, 3).unwrap().warning.is_some());
        m.acted("vm_type");
        assert!(
            m.settle(Outcome::Changed(None), 3)
                .unwrap()
                .warning
                .is_none()
        );
        m.acted("vm_click");
        assert!(m.settle(Outcome::Unchanged, 3).unwrap().warning.is_none());
    }

    #[test]
    fn many_actions_are_counted_not_listed() {
        let mut m = ScreenMemory::default();
        for _ in 0..MAX_PENDING + 5 {
            m.acted("vm_key");
        }
        let s = m.settle(Outcome::Unchanged, 3).unwrap();
        assert_eq!(s.actions.len(), MAX_PENDING);
        assert_eq!(s.more, 5);
        assert!(
            s.text(None)
                .unwrap()
                .contains("vm_key and 5 more changed nothing")
        );
        assert!(s.warning.unwrap().starts_with(&format!(
            "Warning: the last {} input actions (… vm_key",
            MAX_PENDING + 5
        )));
    }
}
