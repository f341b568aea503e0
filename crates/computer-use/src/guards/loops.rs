//! The loop guard: an agent stuck in a retry cycle repeats itself while nothing changes, so repetition on an
//! unchanging screen is what we watch. It is kept per caller and VM (see [`crate::caller`]): one agent's
//! calls never count against another's.
//!
//! Three patterns, each first warned about (text prepended to the result), then refused with a message that
//! tells the agent to change approach:
//! - the same call (tool + arguments) several times in a row;
//! - two calls in alternation (A B A B …), e.g. scrolling down and up, or toggling between two tabs;
//! - looks in a row that show the same screen. An "unchanged since frame N" reply costs a few tokens, so
//!   those are counted and warned about but never refused; an identical *image* (with `skipUnchanged` off,
//!   or `force`) is refused at the threshold, since more of them cost thousands of tokens each.
//!
//! Progress lifts it: any different call that is not part of an alternation, or a screen not seen among the
//! last few (a screen toggling between two states is not progress). The screens are the caller's captures:
//! its screenshots, and — before a repeated input call would be warned or refused — a check the guard asks
//! for when the caller has not looked since its previous call (`LoopGuard::needs_evidence`). So five
//! clicks on a "+" button that each change the screen are progress, while five clicks on a dead button are
//! a runaway. Calls older than the window no longer count. A refused call is not recorded, so repeating it
//! stays refused while nothing changes; any other call is judged on its own.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::Value;

use crate::config::LoopConfig;
use crate::guards::ordinal;

/// How many distinct recent screens count as "seen before".
const RECENT_SCREENS: usize = 8;

/// Longest argument text shown in a message.
const SHOW_ARGS_CHARS: usize = 80;

/// A call's identity: tool name and canonical arguments (keys sorted, `null` = `{}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionKey {
    tool: String,
    args: String,
}

impl ActionKey {
    pub(crate) fn new(tool: &str, args: &Value) -> ActionKey {
        let args = if args.is_null() {
            "{}".to_owned()
        } else {
            let mut out = String::new();
            canonical(args, &mut out);
            out
        };
        ActionKey {
            tool: tool.to_owned(),
            args,
        }
    }

    /// `vm_click {"x":10,"y":20}` (arguments cut to a readable length).
    fn show(&self) -> String {
        if self.args == "{}" {
            return self.tool.clone();
        }
        let args = if self.args.chars().count() > SHOW_ARGS_CHARS {
            let cut: String = self.args.chars().take(SHOW_ARGS_CHARS).collect();
            format!("{cut}…")
        } else {
            self.args.clone()
        };
        format!("{} {args}", self.tool)
    }
}

/// JSON with object keys sorted, so `{"y":1,"x":2}` and `{"x":2,"y":1}` are the same call (and `1` and `1.0`).
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(k) {
                    canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        // Whole numbers read as people write them (`50`, not the `50.0` of a typed f64 argument).
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                out.push_str(&format!("{}", f as i64));
            }
            _ => out.push_str(&n.to_string()),
        },
        other => out.push_str(&other.to_string()),
    }
}

/// The loop guard's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allow,
    /// Allowed, with this text prepended to the result.
    Warn(String),
    /// Refused with this message.
    Refuse(String),
}

/// What a look returned, for the identical-screen rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// "Unchanged since frame N": no image, a few tokens.
    Unchanged,
    /// An image (a hash of it); `refusable` for look tools, whose image is the whole point of the call.
    Image { hash: u64, refusable: bool },
}

/// The loop state of one caller on one VM.
#[derive(Debug)]
pub(crate) struct LoopGuard {
    limits: LoopConfig,
    /// Calls (except screenshots) since the last progress, oldest first, with their time.
    history: VecDeque<(Duration, ActionKey)>,
    /// Recently seen screens (hashes of the caller's captures), most recent last, and when the last was seen.
    screens: VecDeque<u64>,
    screens_at: Option<Duration>,
    /// The last image returned and when.
    last_image: Option<(u64, Duration)>,
    /// Looks in a row that showed the same screen, ending with the last one.
    screen_streak: u32,
    /// Calls recorded so far, and their count when a screen was last seen: a capture since the last call
    /// is evidence of what it did.
    calls: u64,
    seen_at: u64,
}

impl LoopGuard {
    pub(crate) fn new(limits: LoopConfig) -> LoopGuard {
        LoopGuard {
            limits,
            history: VecDeque::new(),
            screens: VecDeque::new(),
            screens_at: None,
            last_image: None,
            screen_streak: 0,
            calls: 0,
            seen_at: 0,
        }
    }

    /// Whether a capture should decide first whether the repeats before `key` made progress: it would be
    /// warned about as a repeat or an alternation while the caller has not looked since its last call, or it
    /// would be refused (a refusal costs the agent a turn; a look costs a capture).
    pub(crate) fn needs_evidence(&mut self, key: &ActionKey, now: Duration) -> bool {
        self.prune(now);
        let (repeat, alternation) = self.assess(key);
        let l = &self.limits;
        let refused = repeat >= l.repeat_refuse() || alternation >= l.alternation_refuse();
        let warned = repeat >= l.repeat_warn() || alternation >= l.alternation_warn();
        refused || (warned && self.seen_at < self.calls)
    }

    /// Judges a call before it runs (does not record it).
    pub(crate) fn check(&mut self, key: &ActionKey, now: Duration) -> Verdict {
        self.prune(now);
        let (repeat, alternation) = self.assess(key);
        let l = &self.limits;
        let other = self
            .history
            .back()
            .map(|(_, k)| k.show())
            .unwrap_or_default();
        if repeat >= l.repeat_refuse() {
            return Verdict::Refuse(format!(
                "Loop guard: refused the {} identical call in a row of {}; it was not sent. Repeating it is not making progress: take a screenshot, check what is on the screen and try something different (a different action or a changed screen lifts this).",
                ordinal(repeat),
                key.show()
            ));
        }
        if alternation >= l.alternation_refuse() {
            return Verdict::Refuse(format!(
                "Loop guard: refused {}; it was not sent: it would be the {} call alternating between {} and {}. Going back and forth is not making progress: take a screenshot, check what is on the screen and try something different.",
                key.show(),
                ordinal(alternation),
                key.show(),
                other
            ));
        }
        if repeat >= l.repeat_warn() {
            return Verdict::Warn(format!(
                "Loop warning: this is the {} identical call in a row of {}. If it is not doing what you expect, take a screenshot and change approach: the {} identical call will be refused.",
                ordinal(repeat),
                key.show(),
                ordinal(l.repeat_refuse())
            ));
        }
        if alternation >= l.alternation_warn() {
            return Verdict::Warn(format!(
                "Loop warning: the last {alternation} calls alternate between {} and {}. If this is not making progress, take a screenshot and change approach: the {} alternating call will be refused.",
                key.show(),
                other,
                ordinal(l.alternation_refuse())
            ));
        }
        Verdict::Allow
    }

    /// Records a call that was let through. A call that is neither a repeat nor part of an alternation is
    /// progress: the identical-screen count starts again.
    pub(crate) fn record(&mut self, key: ActionKey, now: Duration) {
        self.prune(now);
        let (repeat, alternation) = self.assess(&key);
        if repeat == 1 && alternation == 0 {
            self.screen_streak = 0;
        }
        self.history.push_back((now, key));
        self.calls += 1;
        let cap = self
            .limits
            .repeat_refuse()
            .max(self.limits.alternation_refuse()) as usize;
        while self.history.len() > cap {
            self.history.pop_front();
        }
    }

    /// Whether a capture of `hash` would be progress (see [`LoopGuard::saw_screen`]).
    pub(crate) fn is_new_screen(&self, hash: u64) -> bool {
        !self.screens.is_empty() && !self.screens.contains(&hash)
    }

    /// Notes a capture of the screen for this caller (a look, or a check): a screen not seen among the last
    /// few is progress (the first one seen is not: there is nothing it differs from), and the calls before it
    /// need no more evidence.
    pub(crate) fn saw_screen(&mut self, hash: u64, now: Duration) {
        self.prune(now);
        if self.is_new_screen(hash) {
            // A screen not seen recently: whatever was repeated had an effect.
            self.history.clear();
        }
        self.screens.retain(|h| *h != hash);
        self.screens.push_back(hash);
        if self.screens.len() > RECENT_SCREENS {
            self.screens.pop_front();
        }
        self.screens_at = Some(now);
        self.seen_at = self.calls;
    }

    /// Notes what a call returned to look at: the identical-screen rule.
    pub(crate) fn look(&mut self, look: Look, now: Duration, frame: Option<u64>) -> Verdict {
        self.prune(now);
        let (refusable, same) = match look {
            Look::Unchanged => (false, true),
            Look::Image { hash, refusable } => {
                let same = self.last_image.is_some_and(|(last, _)| last == hash);
                self.last_image = Some((hash, now));
                (refusable, same)
            }
        };
        self.screen_streak = if same { self.screen_streak + 1 } else { 1 };
        let streak = self.screen_streak;
        let l = &self.limits;
        if look == Look::Unchanged {
            return if streak >= l.identical_screenshots_warn() {
                Verdict::Warn(format!(
                    "Loop warning: the screen has not changed in the last {streak} looks. If you are waiting for something, wait longer between looks; otherwise act on what is on the screen."
                ))
            } else {
                Verdict::Allow
            };
        }
        if refusable && streak >= l.identical_screenshots_refuse() {
            let frame = frame
                .map(|f| format!(" (frame {f} is identical to the last image you have)"))
                .unwrap_or_default();
            return Verdict::Refuse(format!(
                "Loop guard: the screen has not changed in the last {streak} screenshots, so this one is not returned{frame}. More screenshots will not help: act on what is on the screen, wait longer between looks, or check progress another way (e.g. a command)."
            ));
        }
        if streak >= l.identical_screenshots_warn() {
            return Verdict::Warn(format!(
                "Loop warning: the screen has not changed in the last {streak} screenshots. If you are waiting for something, wait longer between looks; otherwise change approach: the {} identical screenshot will be refused.",
                ordinal(l.identical_screenshots_refuse())
            ));
        }
        Verdict::Allow
    }

    /// Forgets calls and screens older than the window.
    fn prune(&mut self, now: Duration) {
        let window = self.limits.window();
        let expired = |at: Duration| now.saturating_sub(at) > window;
        while self.history.front().is_some_and(|(at, _)| expired(*at)) {
            self.history.pop_front();
        }
        if self.last_image.is_some_and(|(_, at)| expired(at)) {
            self.last_image = None;
            self.screen_streak = 0;
        }
        if self.screens_at.is_some_and(expired) {
            self.screens_at = None;
            self.screens.clear();
        }
    }

    /// For a candidate call: how many identical calls in a row it would make, and how long the
    /// alternation it would extend is (0 unless at least A B A).
    fn assess(&self, key: &ActionKey) -> (u32, u32) {
        let repeat = 1 + self
            .history
            .iter()
            .rev()
            .take_while(|(_, k)| k == key)
            .count();
        let mut alternation = 0;
        if let Some((_, last)) = self.history.back()
            && last != key
        {
            let mut run = 1;
            for (i, (_, k)) in self.history.iter().rev().enumerate() {
                let expected = if i % 2 == 0 { last } else { key };
                if k != expected {
                    break;
                }
                run += 1;
            }
            if run >= 3 {
                alternation = run;
            }
        }
        (
            u32::try_from(repeat).unwrap_or(u32::MAX),
            u32::try_from(alternation).unwrap_or(u32::MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_recursively() {
        let a = ActionKey::new(
            "t",
            &json!({"y": 1, "x": {"b": [1, {"d": 2, "c": 3}], "a": "s"}}),
        );
        let b = ActionKey::new(
            "t",
            &json!({"x": {"a": "s", "b": [1, {"c": 3, "d": 2}]}, "y": 1}),
        );
        assert_eq!(a, b);
        assert_eq!(a.args, r#"{"x":{"a":"s","b":[1,{"c":3,"d":2}]},"y":1}"#);
        assert_eq!(
            ActionKey::new("t", &Value::Null),
            ActionKey::new("t", &json!({}))
        );
    }

    #[test]
    fn long_arguments_are_cut_in_messages() {
        let key = ActionKey::new("vm_type", &json!({"text": "a".repeat(200)}));
        let shown = key.show();
        assert!(shown.starts_with("vm_type {\"text\":\"aaa"), "{shown}");
        assert!(shown.ends_with('…'));
        assert_eq!(
            shown.chars().count(),
            "vm_type ".len() + SHOW_ARGS_CHARS + 1
        );
    }

    #[test]
    fn alternation_length_counts_the_candidate() {
        let mut g = LoopGuard::new(LoopConfig::default());
        let a = ActionKey::new("a", &json!({}));
        let b = ActionKey::new("b", &json!({}));
        let t = Duration::ZERO;
        assert_eq!(g.assess(&a), (1, 0));
        g.record(a.clone(), t);
        assert_eq!(g.assess(&b), (1, 0));
        g.record(b.clone(), t);
        assert_eq!(g.assess(&a), (1, 3));
        g.record(a.clone(), t);
        assert_eq!(g.assess(&b), (1, 4));
        assert_eq!(g.assess(&a), (2, 0));
    }
}
