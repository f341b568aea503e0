//! The writer and the reader together, on real files: what a reader sees after appends, after the budget
//! runs out, and after a cut at any byte of the steps file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recording::Recording;
use recording::format::{IMAGES_DIR, ImageRef, Meta, STEPS_FILE, Step};
use recording::writer::{Appended, Budget, NewImage, Writer};
use serde_json::json;

fn meta() -> Meta {
    Meta {
        format: recording::format::FORMAT.into(),
        version: recording::format::VERSION,
        started: "2026-11-25T15:38:00.000Z".into(),
        vm: "default".into(),
        agent: Some("worker".into()),
        session: None,
        pid: 1,
        producer: "test".into(),
    }
}

fn step(tool: &str) -> Step {
    Step {
        step: 0,
        call: 1,
        parent: None,
        ts: "2026-11-25T15:38:00.000Z".into(),
        t_ms: 0,
        tool: tool.into(),
        kind: "look".into(),
        space: "image".into(),
        args: json!({}),
        outcome: "ok".into(),
        guard: None,
        warnings: Vec::new(),
        error: None,
        latency_ms: 1,
        text: None,
        image: None,
        after: None,
        landed: None,
        exec: None,
        details: Default::default(),
    }
}

fn image(size: usize) -> NewImage {
    NewImage {
        bytes: vec![7u8; size],
        info: ImageRef {
            file: String::new(),
            mime: "image/jpeg".into(),
            width: 10,
            height: 10,
            bytes: 0,
            frame: None,
            region: None,
        },
    }
}

#[test]
fn images_are_dropped_oldest_first_and_every_step_line_is_kept() {
    let root = tempfile::tempdir().unwrap();
    let budget = Budget::shared(60_000);
    let mut w = Writer::create(root.path(), "rec", &meta(), budget.clone()).unwrap();
    for _ in 0..10 {
        let got = w
            .append(step("vm_screenshot"), Some(image(20_000)), None)
            .unwrap();
        assert!(
            matches!(
                got,
                Appended::Written {
                    images_left_out: 0,
                    ..
                }
            ),
            "{got:?}"
        );
    }
    assert!(budget.lock().unwrap().used() <= 60_000);
    let r = Recording::open(w.dir()).unwrap();
    assert_eq!(r.steps.len(), 10, "every line is kept");
    let present: Vec<bool> = r
        .steps
        .iter()
        .map(|s| r.image_bytes(s.image.as_ref().unwrap()).is_some())
        .collect();
    // Room for two 20 kB images next to the lines and the metadata: the newest two remain.
    assert_eq!(
        present,
        [
            false, false, false, false, false, false, false, false, true, true
        ]
    );
    assert_eq!(
        r.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );

    // An image larger than the whole budget is left out; its line is written.
    let got = w
        .append(step("vm_screenshot"), Some(image(100_000)), None)
        .unwrap();
    assert!(
        matches!(
            got,
            Appended::Written {
                images_left_out: 1,
                ..
            }
        ),
        "{got:?}"
    );
    // A line that cannot fit at all ends the recording.
    let mut huge = step("vm_exec");
    huge.text = Some("x".repeat(70_000));
    assert_eq!(w.append(huge, None, None).unwrap(), Appended::Full);
    assert_eq!(
        w.append(step("vm_move"), None, None).unwrap(),
        Appended::Full
    );
    assert_eq!(Recording::open(w.dir()).unwrap().steps.len(), 11);
}

#[test]
fn a_recording_cut_at_any_byte_reads_back_to_its_last_whole_step() {
    let root = tempfile::tempdir().unwrap();
    let mut w = Writer::create(root.path(), "rec", &meta(), Budget::shared(u64::MAX)).unwrap();
    for _ in 0..4 {
        w.append(step("vm_screenshot"), Some(image(100)), None)
            .unwrap();
    }
    let dir = w.dir().to_owned();
    drop(w);
    let full = std::fs::read(dir.join(STEPS_FILE)).unwrap();
    let ends: Vec<usize> = full
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    for cut in 0..=full.len() {
        std::fs::write(dir.join(STEPS_FILE), &full[..cut]).unwrap();
        let r = Recording::open(&dir).unwrap();
        let whole = ends.iter().filter(|&&e| e <= cut).count();
        assert_eq!(r.steps.len(), whole, "cut at byte {cut}");
        assert_eq!(r.bad_lines, 0);
        // Every step read back has its image on disk: images are written before their line.
        for s in &r.steps {
            assert!(r.image_bytes(s.image.as_ref().unwrap()).is_some());
        }
    }
}

#[test]
fn image_files_outside_the_image_directory_are_never_read() {
    let root = tempfile::tempdir().unwrap();
    let mut w = Writer::create(root.path(), "rec", &meta(), Budget::shared(u64::MAX)).unwrap();
    w.append(step("vm_screenshot"), Some(image(10)), None)
        .unwrap();
    let r = Recording::open(w.dir()).unwrap();
    let mut evil = r.steps[0].image.clone().unwrap();
    for file in [
        "meta.json",
        "img/../meta.json",
        "/etc/passwd",
        &format!("{IMAGES_DIR}/"),
    ] {
        evil.file = file.into();
        assert_eq!(r.image_bytes(&evil), None, "{file}");
    }
}

#[test]
fn a_directory_of_recordings_is_not_a_recording_and_says_which_it_holds() {
    let root = tempfile::tempdir().unwrap();
    let w = Writer::create(root.path(), "rec", &meta(), Budget::shared(u64::MAX)).unwrap();
    let e = Recording::open(root.path()).unwrap_err().to_string();
    assert!(
        e.contains("is not a recording (no meta.json); it holds one recording:"),
        "{e}"
    );
    assert!(e.contains(&w.dir().display().to_string()), "{e}");
    let (list, errors) = recording::list::list(root.path()).unwrap();
    assert_eq!(list.len(), 1);
    assert!(errors.is_empty());
}
