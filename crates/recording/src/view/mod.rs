//! The viewer: one self-contained HTML page per recording (and per replay report).
//!
//! Self-contained means one file that opens from disk and fetches nothing: the CSS and JavaScript are inline,
//! every image is in the page as base64, and the page's Content Security Policy (`default-src 'none'`, images
//! only from `data:`) makes any request impossible even by mistake. Screenshots sit in
//! `<script type="text/plain">` blocks (the HTML parser skips over them cheaply) and become images only when
//! their step is shown; the filmstrip shows small thumbnails made here, loaded lazily. So a recording of
//! hundreds of steps opens in well under the 2 s the issue asks for (`bench/record.sh` measures it).
//!
//! The page shows each step's tool, arguments (as recorded: redacted like the audit log), outcome, latency,
//! guard refusal and warnings, typed text and keys, `vm_exec`'s streams and exit status, and the screen with the
//! click, drag path or scroll point drawn where the input landed. Keys: ←/→ step, `f`/`F` next/previous failure,
//! `/` search, Home/End.

mod thumbs;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::format::{ImageRef, Step};
use crate::read::Recording;

const CSS: &str = include_str!("viewer.css");
const JS: &str = include_str!("viewer.js");

/// One step of a replay report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayStep {
    /// `match`, `diverged`, `skipped`, `error` or `not run`.
    pub status: String,
    /// What happened, in a sentence.
    pub message: String,
    /// The recorded step whose image the new one was compared with.
    pub against: Option<u64>,
    /// The new screen, if one was taken: MIME type, encoded bytes, width, height.
    pub image: Option<(String, Vec<u8>, u32, u32)>,
    /// Where the screens differ, in pixels of the recorded image.
    pub regions: Vec<[u32; 4]>,
}

/// A replay report: the recording with the replay's outcome per step.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReport {
    /// One line: what happened overall.
    pub summary: String,
    /// Whether every step matched.
    pub ok: bool,
    /// The step to open at (the divergent one).
    pub focus: Option<u64>,
    /// By step number.
    pub steps: BTreeMap<u64, ReplayStep>,
}

/// The page for `recording`, with a replay report if given.
pub fn render(recording: &Recording, replay: Option<&ReplayReport>) -> String {
    let mut images = String::new();
    let mut steps_json = Vec::with_capacity(recording.steps.len());
    for step in &recording.steps {
        let mut v = step_json(step);
        let mut thumb = None;
        for (field, key) in [("image", "i"), ("after", "a")] {
            let Some(image) = (if field == "image" {
                &step.image
            } else {
                &step.after
            }) else {
                continue;
            };
            let key = format!("{key}{}", step.step);
            let bytes = recording.image_bytes(image);
            if let Some(bytes) = &bytes {
                push_block(&mut images, &key, bytes);
                if thumb.is_none() {
                    thumb = thumbs::thumbnail(bytes);
                }
            }
            v.insert(field.into(), image_json(image, &key, bytes.is_none()));
        }
        if let Some(t) = thumb {
            v.insert("thumb".into(), Value::String(t));
        }
        if let Some(r) = replay.and_then(|r| r.steps.get(&step.step)) {
            let mut rj = json!({
                "status": r.status,
                "message": r.message,
                "against": r.against,
                "regions": r.regions,
            });
            if let Some((mime, bytes, width, height)) = &r.image {
                let key = format!("r{}", step.step);
                push_block(&mut images, &key, bytes);
                rj["image"] = json!({"key": key, "mime": mime, "width": width, "height": height});
            }
            v.insert("replay".into(), rj);
        }
        steps_json.push(Value::Object(v));
    }
    let meta = &recording.meta;
    let mut who = format!("VM {}", meta.vm);
    if let Some(agent) = &meta.agent {
        let _ = write!(who, " · agent {agent}");
    }
    if let Some(session) = &meta.session {
        let _ = write!(who, " · session {session}");
    }
    let data = json!({
        "meta": meta,
        "steps": steps_json,
        "replay": replay.map(|r| json!({"summary": r.summary, "ok": r.ok, "focus": r.focus})),
    });
    let title = if replay.is_some() {
        format!("Replay of {}", dir_label(recording))
    } else {
        format!("Recording {}", dir_label(recording))
    };
    let failures = recording.failures();
    let mut page = String::with_capacity(images.len() + 64 * 1024);
    page.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    page.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    let _ = writeln!(page, "<title>{}</title>", escape(&title));
    let _ = writeln!(page, "<style>{CSS}</style></head><body>");
    let _ = writeln!(
        page,
        "<header><h1>{}</h1><span class=\"meta\">{} · started {} · {} steps · {} failed{}</span>\
         <input id=\"search\" type=\"search\" placeholder=\"Search steps (/)\" aria-label=\"Search steps\">\
         <span id=\"counter\" class=\"meta\"></span>\
         <span class=\"keys\"><kbd>←</kbd><kbd>→</kbd> step · <kbd>f</kbd>/<kbd>F</kbd> next/previous failure · <kbd>/</kbd> search</span></header>",
        escape(&title),
        escape(&who),
        escape(&meta.started),
        recording.steps.len(),
        failures,
        if recording.cut {
            " · the recording was cut while writing its last step"
        } else {
            ""
        },
    );
    page.push_str("<div id=\"banner\"></div><nav id=\"strip\" aria-label=\"Steps\"></nav>\n");
    page.push_str(
        "<main><section id=\"screens\"></section><section id=\"info\"></section></main>\n",
    );
    let _ = writeln!(
        page,
        "<script type=\"application/json\" id=\"data\">{}</script>",
        script_safe(&data.to_string())
    );
    page.push_str(&images);
    let _ = writeln!(page, "<script>{JS}</script>\n</body></html>");
    page
}

/// The step as the page's data: the recorded fields, with images replaced by references to their blocks.
fn step_json(step: &Step) -> Map<String, Value> {
    let mut v = match serde_json::to_value(step) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    v.remove("image");
    v.remove("after");
    v
}

fn image_json(image: &ImageRef, key: &str, missing: bool) -> Value {
    json!({
        "key": key,
        "mime": image.mime,
        "width": image.width,
        "height": image.height,
        "region": image.region,
        "frame": image.frame,
        "missing": missing,
    })
}

/// One image as a `<script type="text/plain">` block of base64.
fn push_block(out: &mut String, key: &str, bytes: &[u8]) {
    let _ = write!(out, "<script type=\"text/plain\" id=\"{key}\">");
    base64::engine::general_purpose::STANDARD.encode_string(bytes, out);
    out.push_str("</script>\n");
}

/// JSON that cannot end its `<script>` element early: `<` is written as `\u003c` (valid inside JSON strings,
/// and `<` appears nowhere else in JSON).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dir_label(recording: &Recording) -> String {
    recording
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| recording.dir.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let text = r#"{"text":"</script><script>alert(1)</script>"}"#;
        let safe = script_safe(text);
        assert!(!safe.contains("</script"));
        let back: Value = serde_json::from_str(&safe).unwrap_or(Value::Null);
        assert_eq!(back["text"], "</script><script>alert(1)</script>");
    }
}
