//! The recorder in the core's one call path, against the **real** cua-computer-server on a private Xvfb
//! desktop: a `vm_batch`'s actions are steps of their own with the batch as parent (replay re-sends only the
//! batch), each agent gets its own recording, and a person's screen-pixel click is recorded as such.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use computer_use::tools::Space;
use recording::Recording;
use serde_json::json;
use testkit::desktop::Desktop;

#[tokio::test]
async fn batches_agents_and_screen_pixels_are_recorded_as_what_they_are() {
    let desktop = Desktop::start();
    let dir = scratch("record-core");
    let base = ctx(
        &desktop,
        &format!("record: {{ dir: {:?} }}", dir.display().to_string()),
    );
    let worker = base.clone().for_agent(Some("worker"));
    ok(&worker, "vm_screenshot", json!({})).await;
    let batch = ok(
        &worker,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_move", "args": {"x": 10, "y": 10}},
            {"tool": "vm_click", "args": {"x": 20, "y": 30}},
        ], "screenshot": true}),
    )
    .await;
    assert_eq!(batch.details["ran"], 2);
    // Another agent on the same VM: its own recording. A person's click at the CLI: screen pixels.
    let other = base
        .clone()
        .for_agent(Some("other"))
        .in_conversation(Some("s-1"));
    let mut person = other.clone();
    person.space = Space::Screen { lossless: true };
    ok(&person, "vm_click", json!({"x": 300, "y": 200})).await;

    let recorder = base.recorder.clone().unwrap();
    let dirs = recorder.recordings();
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    let open = |agent: &str| {
        dirs.iter()
            .map(|d| Recording::open(d).unwrap())
            .find(|r| r.meta.agent.as_deref() == Some(agent))
            .unwrap()
    };
    let w = open("worker");
    let tools: Vec<(&str, bool)> = w
        .steps
        .iter()
        .map(|s| (s.tool.as_str(), s.parent.is_some()))
        .collect();
    assert_eq!(
        tools,
        [
            ("vm_screenshot", false),
            ("vm_move", true),
            ("vm_click", true),
            ("vm_screenshot", true),
            ("vm_batch", false),
        ],
        "nested calls first (they end first), each naming the batch"
    );
    let batch_call = w.steps[4].call;
    assert!(w.steps[1..4].iter().all(|s| s.parent == Some(batch_call)));
    // The batch's closing screenshot is recorded as what the model received: on this static desktop (a move
    // and a click on the bare root window change no pixel) "unchanged since frame N" and no image, since the
    // model still holds frame N (`screenshot.skipUnchanged`, on by default).
    let said = batch.joined_text();
    assert!(said.contains("Screen unchanged since frame"), "{said}");
    assert!(
        w.steps[4].image.is_none() && w.steps[3].image.is_none(),
        "an unchanged reply carries no image: {:?}",
        w.steps[4]
    );
    assert!(
        w.steps[4]
            .text
            .as_deref()
            .is_some_and(|t| t.contains("Screen unchanged since frame")),
        "{:?}",
        w.steps[4]
    );
    assert!(
        w.steps[0].image.is_some(),
        "the first screenshot is the image the model received"
    );
    let click = &w.steps[2];
    assert_eq!(
        (
            click.landed.as_ref().unwrap().x,
            click.landed.as_ref().unwrap().y
        ),
        (40.0, 60.0)
    );
    assert_eq!(click.space, "image");

    let o = open("other");
    assert_eq!(o.meta.session.as_deref(), Some("s-1"));
    assert_eq!(o.steps.len(), 1);
    assert_eq!(o.steps[0].space, "screen");
    assert_eq!(
        (
            o.steps[0].landed.as_ref().unwrap().x,
            o.steps[0].landed.as_ref().unwrap().y
        ),
        (300.0, 200.0)
    );
    assert_eq!(xdotool_mouse(&desktop), (300, 200));

    // No record.dir, no recorder.
    assert!(ctx(&desktop, "").recorder.is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}
