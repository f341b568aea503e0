//! `vm_screenshot` against the real server: the image is scaled by `screenshotScale`, fits the budgets,
//! and its frame maps back to the screen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::json;
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;

#[tokio::test]
async fn screenshot_applies_the_scale_and_reports_its_frame() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let out = ok(&ctx, "vm_screenshot", json!({})).await;
    let img = image(&out);
    assert_eq!((img.width(), img.height()), (640, 400));
    assert_eq!(out.details["width"], 640);
    assert_eq!(out.details["screenWidth"], 1280);
    assert_eq!(out.details["mimeType"], "image/jpeg");
    let first = out.details["frame"].as_u64().unwrap();
    assert!(out.joined_text().contains("frame"), "{}", out.joined_text());
    // A changed screen is a new frame (an unchanged one is "unchanged since": `tools_unchanged.rs`).
    desktop.run_in_display("xsetroot", ["-solid", "#406020"]);
    let again = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(again.details["frame"].as_u64().unwrap(), first + 1);
    let e = err(&ctx, "vm_screenshot", json!({"bogus": 1})).await;
    assert!(e.message.contains("unknown field `bogus`"), "{e}");
}

#[tokio::test]
async fn a_tiny_byte_cap_is_met_by_stepping_down_or_refused_with_the_seeds_message() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 1.0, maxScreenshotBytes: 1024");
    let e = err(&ctx, "vm_screenshot", json!({})).await;
    assert!(e.message.starts_with("Screenshot too large ("), "{e}");
    assert!(
        e.message.contains("Max: 1 KB") || e.message.contains("Max: 0"),
        "{e}"
    );
}

#[tokio::test]
async fn the_output_format_and_budget_come_from_the_config() {
    let desktop = Desktop::builder().screen(1600, 1000).start();
    let ctx = ctx(
        &desktop,
        r#"screenshotScale: 1.0, screenshot: { encoding: "png", maxLongEdge: 800 }"#,
    );
    let out = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(out.details["mimeType"], "image/png");
    let img = image(&out);
    assert_eq!((img.width(), img.height()), (800, 500));
    let webp = ctx_webp(&desktop);
    let out = ok(&webp, "vm_screenshot", json!({})).await;
    assert_eq!(out.details["mimeType"], "image/webp");
}

/// `screenshot.captureQuality` is what the server is asked for: on a screen that fits the budget at scale 1.0
/// the server's JPEG is returned unchanged, so its size shows the quality it was encoded at.
#[tokio::test]
async fn the_capture_quality_comes_from_the_config() {
    let desktop = Desktop::start();
    // Text on the screen, so the two qualities differ clearly in size.
    let term = Xterm::builder(&desktop, "capture-quality")
        .geometry("120x40+0+0")
        .command(["sh", "-c", "ls -lR /usr/lib | head -n 300"])
        .hold()
        .open()
        .await;
    term.wait_for_exit().await;
    let bytes = |ctx: &computer_use::tools::ToolContext| {
        let ctx = ctx.clone();
        async move {
            let out = ok(&ctx, "vm_screenshot", json!({})).await;
            assert_eq!(out.details["mimeType"], "image/jpeg");
            out.details["bytes"]
                .as_u64()
                .unwrap_or_else(|| panic!("no bytes in {:?}", out.details))
        }
    };
    let low = bytes(&ctx(
        &desktop,
        "screenshotScale: 1.0, screenshot: { captureQuality: 50 }",
    ))
    .await;
    let high = bytes(&ctx(
        &desktop,
        "screenshotScale: 1.0, screenshot: { captureQuality: 95 }",
    ))
    .await;
    drop(term);
    assert!(high > low * 3 / 2, "q95 capture {high} B vs q50 {low} B");
    let e =
        computer_use::config::Config::from_json5_str("{ screenshot: { captureQuality: 99 } }", "t")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
    assert!(e.contains("captureQuality") && e.contains("95"), "{e}");
}

fn ctx_webp(desktop: &Desktop) -> computer_use::tools::ToolContext {
    ctx(desktop, r#"screenshot: { encoding: "webp", quality: 60 }"#)
}
