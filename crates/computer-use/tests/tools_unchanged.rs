//! Unchanged screens and effect reports against the real cua-computer-server on a private Xvfb desktop:
//!
//! - a static desktop gives one image, then "unchanged since frame N" replies without an image; one pixel of
//!   change (a single root-window pixel, set with `xsetroot -bitmap`) gives a new image; `force: true` gets
//!   the image again under the same frame;
//! - a click citing the frame of an "unchanged" reply is valid and lands where that image says, also after
//!   a zoom made another frame the latest;
//! - input actions report their effect from the next look: `unchanged` after clicks on an empty desktop
//!   area (and, after three of them, the warning naming the likely causes), `changed` with the region after
//!   typing into a terminal (also in a batch, whose closing screenshot tells it); with
//!   `screenshot.checkEffects` the action's own result says it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use computer_use::tools::{Content, ToolOutput};
use serde_json::json;
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;

fn images_in(out: &ToolOutput) -> usize {
    out.content
        .iter()
        .filter(|c| matches!(c, Content::Image { .. }))
        .count()
}

/// Sets the root window to black with one white pixel at (`x`, `y`) (none when `None`): a full-screen XBM
/// bitmap, so exactly that pixel differs.
fn root_with_pixel(desktop: &Desktop, pixel: Option<(u32, u32)>) {
    let (w, h) = desktop.screen_size();
    let stride = w.div_ceil(8) as usize;
    let mut bits = vec![0u8; stride * h as usize];
    if let Some((x, y)) = pixel {
        bits[y as usize * stride + x as usize / 8] |= 1 << (x % 8);
    }
    let body: Vec<String> = bits.iter().map(|b| format!("0x{b:02x}")).collect();
    let xbm = format!(
        "#define p_width {w}\n#define p_height {h}\nstatic unsigned char p_bits[] = {{\n{}\n}};\n",
        body.join(",")
    );
    let path = scratch("unchanged-xbm").join("root.xbm");
    std::fs::write(&path, xbm).unwrap();
    let out = desktop.run_in_display(
        "xsetroot",
        [
            "-bitmap",
            path.to_str().unwrap(),
            "-fg",
            "white",
            "-bg",
            "black",
        ],
    );
    assert!(out.status.success(), "xsetroot: {out:?}");
}

#[tokio::test]
async fn a_static_desktop_gives_one_image_then_unchanged_replies_and_one_pixel_a_new_image() {
    let desktop = Desktop::start();
    root_with_pixel(&desktop, None);
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let first = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(images_in(&first), 1);
    let f1 = first.details["frame"].as_u64().unwrap();
    for _ in 0..3 {
        let out = ok(&ctx, "vm_screenshot", json!({})).await;
        assert_eq!(images_in(&out), 0, "{out:?}");
        assert_eq!(out.details["unchangedSince"], f1);
        assert_eq!(out.details["frame"], f1);
        assert_eq!(out.details["width"], 640);
        assert!(
            out.joined_text().contains(&format!(
                "Screen unchanged since frame {f1} (640x400); that image still stands"
            )),
            "{}",
            out.joined_text()
        );
    }
    // vm_wait's screenshot follows the same rule.
    let waited = ok(&ctx, "vm_wait", json!({"ms": 50, "screenshot": true})).await;
    assert_eq!(images_in(&waited), 0);
    assert!(
        waited
            .joined_text()
            .starts_with(&format!("Waited 50 ms. Screen unchanged since frame {f1}")),
        "{}",
        waited.joined_text()
    );
    // force: the image again, under the same frame.
    let forced = ok(&ctx, "vm_screenshot", json!({"force": true})).await;
    assert_eq!(images_in(&forced), 1);
    assert_eq!(forced.details["frame"], f1);

    // One pixel of the 1280x800 screen changes: a new image, a new frame.
    root_with_pixel(&desktop, Some((701, 333)));
    let changed = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(images_in(&changed), 1, "{}", changed.joined_text());
    let f2 = changed.details["frame"].as_u64().unwrap();
    assert!(f2 > f1);
    let img = image(&changed).to_rgb8();
    let lit = img.get_pixel(350, 166).0;
    assert!(
        lit.iter().any(|c| *c > 8),
        "the pixel shows in the image: {lit:?}"
    );
    let unchanged = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(unchanged.details["unchangedSince"], f2);

    // A zoom makes another frame the latest; an unchanged look makes f2 the latest again, and a click
    // citing it lands where that image says: (100, 50) of the half-size image is (200, 100) on the screen.
    ok(
        &ctx,
        "vm_zoom",
        json!({"x": 10, "y": 10, "width": 100, "height": 80}),
    )
    .await;
    let stale = err(&ctx, "vm_move", json!({"x": 100, "y": 50, "frame": f2})).await;
    assert!(stale.message.contains("stale"), "{stale}");
    let again = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(again.details["unchangedSince"], f2);
    ok(&ctx, "vm_click", json!({"x": 100, "y": 50, "frame": f2})).await;
    assert_eq!(xdotool_mouse(&desktop), (200, 100));
    let moved = ok(&ctx, "vm_move", json!({"x": 320, "y": 200, "frame": f2})).await;
    assert_eq!(moved.details["frame"], f2);
    assert_eq!(xdotool_mouse(&desktop), (640, 400));
}

#[tokio::test]
async fn input_actions_report_their_effect_and_three_without_one_earn_the_warning() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    ok(&ctx, "vm_screenshot", json!({})).await;
    // Left clicks on the empty desktop change nothing.
    let click = ok(&ctx, "vm_click", json!({"x": 500, "y": 300})).await;
    assert_eq!(click.details["effect"], "unknown", "told by the next look");
    let look = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(look.details["effect"], "unchanged", "{look:?}");
    assert_eq!(look.details["effectOf"], json!(["vm_click"]));
    let text = look.joined_text();
    assert!(
        text.contains("Effect: vm_click (since frame")
            && text.contains("changed nothing on the screen."),
        "{text}"
    );
    assert!(!text.contains("Warning"), "{text}");
    ok(&ctx, "vm_click", json!({"x": 510, "y": 300})).await;
    ok(&ctx, "vm_click", json!({"x": 520, "y": 300})).await;
    let look = ok(&ctx, "vm_screenshot", json!({})).await;
    let text = look.joined_text();
    assert!(
        text.contains("Warning: the last 3 input actions (vm_click, vm_click, vm_click) changed nothing on the screen."),
        "{text}"
    );
    for cause in [
        "dialog",
        "focus",
        "Accessibility or Screen Recording permission",
    ] {
        assert!(text.contains(cause), "{text}");
    }
    assert_eq!(look.details["warnings"].as_array().unwrap().len(), 1);

    // Typing into a terminal changes the screen, where the terminal is.
    let term = Xterm::builder(&desktop, "effects")
        .geometry("40x10+100+100")
        .command(["bash", "--norc", "--noprofile"])
        .open()
        .await;
    term.focus().await;
    term.wait_until_drawn().await;
    ok(&ctx, "vm_screenshot", json!({})).await;
    let typed = ok(&ctx, "vm_type", json!({"text": "x"})).await;
    assert_eq!(typed.details["effect"], "unknown");
    term.wait_until_drawn().await;
    let look = ok(&ctx, "vm_screenshot", json!({})).await;
    assert_eq!(images_in(&look), 1);
    assert_eq!(look.details["effect"], "changed", "{look:?}");
    let r = &look.details["changedRegion"];
    let (x, y) = (r["x"].as_u64().unwrap(), r["y"].as_u64().unwrap());
    let (w, h) = (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap());
    // The terminal's window is at (100, 100) on the screen, (50, 50) in the half-size image, and 40 columns
    // of a 6-pixel font wide: one character changes a few pixels inside it.
    assert!(
        x >= 50 && y >= 50 && x + w <= 50 + 130 && y + h <= 50 + 90 && w * h < 400,
        "{r}"
    );
    assert!(
        look.joined_text().contains("Effect: vm_type (since frame"),
        "{}",
        look.joined_text()
    );
    assert!(
        !look.joined_text().contains("Warning"),
        "a change ends the run"
    );

    // A batch's closing screenshot tells the effect of its input actions, on the batch and on each action.
    let batch = ok(
        &ctx,
        "vm_batch",
        json!({"actions": [
            {"tool": "vm_type", "args": {"text": "z"}},
            {"tool": "vm_wait", "args": {"ms": 300}},
        ], "screenshot": true}),
    )
    .await;
    assert_eq!(batch.details["effect"], "changed", "{batch:?}");
    assert_eq!(batch.details["effectOf"], json!(["vm_type"]));
    assert_eq!(batch.details["results"][0]["details"]["effect"], "changed");
    assert!(
        batch.details["results"][1]["details"]
            .get("effect")
            .is_none()
    );
    assert!(
        batch.joined_text().contains("Effect: vm_type (since frame"),
        "{}",
        batch.joined_text()
    );

    // With checkEffects the action's own result says it, at the cost of a capture.
    let checking = self::ctx(
        &desktop,
        "screenshotScale: 0.5, screenshot: { checkEffects: true }",
    );
    ok(&checking, "vm_screenshot", json!({})).await;
    let typed = ok(&checking, "vm_type", json!({"text": "y"})).await;
    assert_eq!(typed.details["effect"], "changed", "{typed:?}");
    assert!(
        typed
            .joined_text()
            .contains("Effect: vm_type changed the screen"),
        "{}",
        typed.joined_text()
    );
    // A click on the empty desktop takes the focus from the terminal (its cursor turns hollow: a change
    // where the terminal is); a second one changes nothing.
    let click = ok(&checking, "vm_click", json!({"x": 600, "y": 380})).await;
    assert_eq!(click.details["effect"], "changed", "{click:?}");
    let click = ok(&checking, "vm_click", json!({"x": 610, "y": 380})).await;
    assert_eq!(click.details["effect"], "unchanged", "{click:?}");
}
