//! The audit trail: one JSON line per tool call, so an operator can see afterwards what an agent did.
//!
//! A line holds the time (UTC), the VM, the tool, the arguments, the outcome (`ok` or the error kind), the
//! guard that refused (if any), the kinds of warnings given, the error message and the latency. What never
//! goes in: images (results are not logged, only how many images they had; an argument that looks like
//! base64 data is replaced by its length), secrets (an argument whose name says key/token/password/secret/…
//! is replaced wholesale), and — unless `audit.redactText` is false — typed text, clipboard text and file
//! contents, which appear as their length and a SHA-256 prefix (enough to check what was typed, not to
//! read it). Long strings are cut to `audit.maxValueChars`.
//!
//! The file is bounded: past `audit.maxBytes` it is renamed to `<path>.1` (replacing the previous one) and
//! a new file is started, so it never takes more than twice that. Writes are small appends made under a
//! lock; a failure to write is reported on stderr and does not fail the call.

mod key;
mod scrub;

pub use key::default_key_path;

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

use self::key::AuditKey;
use self::scrub::Scrubber;
use crate::config::AuditConfig;
use crate::guards::{GuardKind, Note, lock};
use crate::result::{Content, ToolError, ToolOutput};

/// Argument names whose string values are typed or written text (redacted unless configured otherwise).
pub const TEXT_ARGS: &[&str] = &[
    "text",
    "content",
    "contents",
    "data",
    "value",
    "clipboard",
    "input",
    "stdin",
    "body",
];

/// Words that make an argument name a secret (compared lower-case, without `_` and `-`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "auth",
    "cookie",
    "bearer",
];

/// Names containing "key" that are key presses, not secrets (`vm_key {keys}`, `key_down {key}`).
const KEY_PRESS_ARGS: &[&str] = &["key", "keys", "hotkey", "hotkeys"];

/// Base64 runs at least this long are data (an image, a file), never worth auditing.
const DATA_RUN: usize = 256;

/// Whether an argument name marks a secret: it contains password/token/secret/… or "key" (apiKey,
/// accessKey, sshKey, …) other than the key-press names `key`/`keys`/`hotkey`.
pub fn is_secret_name(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_WORDS.iter().any(|w| n.contains(w))
        || (n.contains("key") && !KEY_PRESS_ARGS.contains(&n.as_str()))
}

/// What one call leaves in the log.
pub(crate) struct Record<'a> {
    pub(crate) vm: &'a str,
    pub(crate) tool: &'a str,
    /// Already redacted.
    pub(crate) args: &'a Redacted,
    pub(crate) result: &'a Result<ToolOutput, ToolError>,
    pub(crate) guard: Option<GuardKind>,
    pub(crate) notes: &'a [Note],
    pub(crate) latency: Duration,
}

/// Arguments after redaction, and the removed text (scrubbed from messages too).
pub(crate) struct Redacted {
    value: Value,
    removed: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Line<'a> {
    ts: String,
    vm: &'a str,
    tool: &'a str,
    args: &'a Value,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    guard: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    images: Option<usize>,
    latency_ms: u64,
}

/// Applies the audit's redaction rules.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    redact_text: bool,
    max_chars: usize,
    scrubber: Scrubber,
    /// The HMAC key of text hashes; None when it could not be read or created (then only lengths are logged).
    key: Option<AuditKey>,
}

impl Redactor {
    /// The redactor of an audit configuration. The key file is only read (or created) when someone reads the
    /// log (`audited`), so a face without an audit log never touches it.
    pub(crate) fn new(config: &AuditConfig, audited: bool) -> Redactor {
        let key = if audited && config.redact_text() {
            let path = config
                .key_file()
                .map(Path::to_path_buf)
                .or_else(default_key_path);
            match path.map(|p| (AuditKey::load_or_create(&p), p)) {
                Some((Ok(key), _)) => Some(key),
                Some((Err(e), p)) => {
                    tracing::warn!(
                        path = %p.display(),
                        "cannot read or create the audit key ({e}); typed text is logged as its length only (set audit.keyFile to a writable path)"
                    );
                    None
                }
                None => {
                    tracing::warn!(
                        "no place for the audit key (neither XDG_CONFIG_HOME nor HOME is set); typed text is logged as its length only (set audit.keyFile)"
                    );
                    None
                }
            }
        } else {
            None
        };
        Redactor {
            redact_text: config.redact_text(),
            max_chars: config.max_value_chars(),
            scrubber: Scrubber::new(config.redact_patterns()),
            key,
        }
    }

    /// `text` with secrets scrubbed (for approval prompts, which chat surfaces show and log).
    pub(crate) fn scrub_text(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }

    /// The arguments as they may be logged.
    pub(crate) fn redact_args(&self, args: &Value) -> Redacted {
        let mut removed = Vec::new();
        let value = self.redact(args, false, &mut removed);
        Redacted { value, removed }
    }

    fn redact(&self, v: &Value, text: bool, removed: &mut Vec<String>) -> Value {
        match v {
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let value = if is_secret_name(k) {
                        collect_strings(v, removed);
                        serde_json::json!({"redacted": "secret"})
                    } else {
                        let text = text || TEXT_ARGS.contains(&k.to_ascii_lowercase().as_str());
                        self.redact(v, text, removed)
                    };
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.redact(i, text, removed))
                    .collect(),
            ),
            Value::String(s) if longest_base64_run(s) >= DATA_RUN => {
                removed.push(s.clone());
                serde_json::json!({"redacted": "data", "chars": s.chars().count()})
            }
            Value::String(s) if text && self.redact_text => {
                removed.push(s.clone());
                match &self.key {
                    Some(key) => {
                        serde_json::json!({"redacted": "text", "chars": s.chars().count(), "hmac": key.tag(s)})
                    }
                    None => serde_json::json!({"redacted": "text", "chars": s.chars().count()}),
                }
            }
            Value::String(s) => {
                let scrubbed = self.scrubber.scrub(s);
                if scrubbed != *s {
                    removed.push(s.clone());
                }
                Value::String(cut(&scrubbed, self.max_chars))
            }
            other => other.clone(),
        }
    }

    /// The JSON line for a call (no trailing newline).
    pub(crate) fn line(&self, r: &Record<'_>) -> String {
        let (outcome, error, images) = match r.result {
            Ok(out) => {
                let images = out
                    .content
                    .iter()
                    .filter(|c| matches!(c, Content::Image { .. }))
                    .count();
                ("ok", None, Some(images))
            }
            Err(e) => {
                // Loop messages quote the arguments (typed text included): the guard name says enough.
                let message = (r.guard != Some(GuardKind::Loop))
                    .then(|| self.scrub(&e.message, &r.args.removed));
                (e.kind.as_str(), message, None)
            }
        };
        let line = Line {
            ts: timestamp(SystemTime::now()),
            vm: r.vm,
            tool: r.tool,
            args: &r.args.value,
            outcome,
            guard: r.guard.map(GuardKind::as_str),
            warnings: r.notes.iter().map(|n| n.kind).collect(),
            error,
            images,
            latency_ms: u64::try_from(r.latency.as_millis()).unwrap_or(u64::MAX),
        };
        serde_json::to_string(&line).unwrap_or_else(|e| {
            format!(
                r#"{{"tool":{:?},"error":"audit line not serializable: {e}"}}"#,
                r.tool
            )
        })
    }

    /// A message without the redacted values, secrets, data runs or excess length.
    pub(crate) fn scrub(&self, message: &str, removed: &[String]) -> String {
        let mut text = message.to_owned();
        for r in removed.iter().filter(|r| r.chars().count() >= 3) {
            text = text.replace(r.as_str(), "[redacted]");
        }
        let text = self.scrubber.scrub(&text);
        if longest_base64_run(&text) >= DATA_RUN {
            return format!(
                "[message with data removed, {} chars]",
                text.chars().count()
            );
        }
        cut(&text, self.max_chars)
    }
}

impl Redacted {
    /// The arguments as they may be logged (for the recorder, which records them exactly so).
    pub(crate) fn value(&self) -> &Value {
        &self.value
    }

    /// The values taken out (to scrub them from other text the recorder keeps).
    pub(crate) fn removed(&self) -> &[String] {
        &self.removed
    }
}

impl Redactor {
    /// The same rules with another cut-off, for longer text than an argument (a command's output in a
    /// recording).
    pub(crate) fn with_max_chars(&self, max_chars: usize) -> Redactor {
        Redactor {
            max_chars,
            ..self.clone()
        }
    }
}

/// Every string inside `v` (so a secret's value is also scrubbed from messages).
fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

fn cut(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max {
        return s.to_owned();
    }
    let kept: String = s.chars().take(max).collect();
    format!("{kept}…[+{} chars]", count - max)
}

/// Length of the longest run of base64 characters.
fn longest_base64_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// `2026-11-25T15:38:00.123Z`.
pub(crate) fn timestamp(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// The audit file.
#[derive(Debug)]
pub(crate) struct AuditLog {
    path: PathBuf,
    max_bytes: u64,
    file: Mutex<Option<File>>,
    /// Set after a failure was reported, so a broken disk does not flood stderr; cleared on success.
    broken: AtomicBool,
}

impl AuditLog {
    /// Opened on the first write, so a bad path does not stop a face from starting.
    pub(crate) fn new(path: PathBuf, max_bytes: u64) -> AuditLog {
        AuditLog {
            path,
            max_bytes,
            file: Mutex::new(None),
            broken: AtomicBool::new(false),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line, rotating first if it would pass the size limit.
    pub(crate) fn write(&self, line: &str) {
        let mut file = lock(&self.file);
        match self.append(&mut file, line) {
            Ok(()) => self.broken.store(false, Ordering::Relaxed),
            Err(e) => {
                *file = None;
                if !self.broken.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        path = %self.path.display(),
                        "cannot write the audit log: {e}; calls go on without an audit trail until it works again (check that the directory exists and is writable)"
                    );
                }
            }
        }
    }

    fn append(&self, slot: &mut Option<File>, line: &str) -> std::io::Result<()> {
        let needed = line.len() as u64 + 1;
        if slot.is_none() {
            *slot = Some(self.open()?);
        }
        let size = match slot.as_ref() {
            Some(f) => f.metadata()?.len(),
            None => 0,
        };
        if size > 0 && size + needed > self.max_bytes {
            *slot = None;
            std::fs::rename(&self.path, rotated(&self.path))?;
            *slot = Some(self.open()?);
        }
        let mut text = String::with_capacity(line.len() + 1);
        text.push_str(line);
        text.push('\n');
        match slot.as_mut() {
            Some(f) => f.write_all(text.as_bytes()),
            None => Ok(()),
        }
    }

    fn open(&self) -> std::io::Result<File> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            // Commands and paths are nobody else's business.
            options.mode(0o600);
        }
        options.open(&self.path)
    }
}

/// `<path>.1`.
pub fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_utc_iso8601() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_621_080_123);
        assert_eq!(timestamp(t), "2026-11-25T15:38:00.123Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(timestamp(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn secret_names() {
        for name in [
            "apiKey",
            "api_key",
            "password",
            "X-Auth-Token",
            "secret",
            "sshKey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["keys", "key", "hotkey", "text", "command", "x"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn redaction_rules() {
        let r = Redactor {
            redact_text: true,
            max_chars: 10,
            scrubber: Scrubber::default(),
            key: None,
        };
        let out = r.redact_args(&json!({
            "text": "hello",
            "nested": [{"content": "file body"}],
            "token": {"a": "b"},
            "command": "echo 0123456789abc",
            "x": 5,
        }));
        assert_eq!(
            out.value,
            json!({
                "text": {"redacted": "text", "chars": 5},
                "nested": [{"content": {"redacted": "text", "chars": 9}}],
                "token": {"redacted": "secret"},
                "command": "echo 01234…[+8 chars]",
                "x": 5,
            })
        );
        let mut removed = out.removed;
        removed.sort();
        assert_eq!(removed, ["b", "file body", "hello"]);
    }

    #[test]
    fn data_runs_are_detected() {
        assert_eq!(longest_base64_run("ab cd+/= x"), 5);
        assert!(longest_base64_run(&"A".repeat(300)) >= DATA_RUN);
    }
}
