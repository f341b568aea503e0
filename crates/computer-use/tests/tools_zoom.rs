//! `vm_zoom` against the real server: the zoomed image is the screen's own pixels (compared with a PNG
//! capture taken through the raw client), and its frame maps clicks back to the right place on the screen
//! (checked with `xdotool`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use computer_use::tools::{ToolContext, ToolErrorKind};
use cua_protocol::CaptureFormat;
use serde_json::json;
use testkit::desktop::Desktop;
use testkit::xterm::Xterm;

/// The raw server's PNG of the whole screen, decoded.
async fn raw_png(ctx: &ToolContext) -> image::RgbImage {
    let shot = ctx
        .session()
        .unwrap()
        .gui()
        .screenshot(CaptureFormat::Png, None)
        .await
        .unwrap();
    image::load_from_memory(&shot.bytes).unwrap().to_rgb8()
}

/// Mean absolute difference per channel value, and the number of differing channel values.
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> (f64, usize) {
    assert_eq!(a.dimensions(), b.dimensions());
    let mut sum = 0u64;
    let mut differing = 0usize;
    for (x, y) in a.as_raw().iter().zip(b.as_raw()) {
        let d = u64::from(x.abs_diff(*y));
        sum += d;
        differing += usize::from(d > 0);
    }
    (sum as f64 / a.as_raw().len() as f64, differing)
}

#[tokio::test]
async fn a_zoom_is_the_screens_own_pixels_and_clicks_on_it_land_in_the_region() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    // Detail to zoom into: a terminal at the top-left showing a listing, drawn before the first screenshot.
    let term = Xterm::builder(&desktop, "zoom-detail")
        .command([
            "bash",
            "--norc",
            "--noprofile",
            "-c",
            "ls -la /usr/bin | head -18",
        ])
        .hold()
        .open()
        .await;
    term.wait_for_exit().await;
    let shot = ok(&ctx, "vm_screenshot", json!({})).await;
    let f1 = shot.details["frame"].as_u64().unwrap();

    // Image (100, 50) 120x80 at scale 0.5 = screen (200, 100) 240x160, shown 1:1.
    let zoom = ok(
        &ctx,
        "vm_zoom",
        json!({"x": 100, "y": 50, "width": 120, "height": 80, "frame": f1}),
    )
    .await;
    let d = &zoom.details;
    assert_eq!(
        (
            &d["regionX"],
            &d["regionY"],
            &d["regionWidth"],
            &d["regionHeight"]
        ),
        (&json!(200), &json!(100), &json!(240), &json!(160)),
        "{d:?}"
    );
    assert_eq!(
        d["mimeType"],
        json!("image/png"),
        "a small zoom is lossless"
    );
    assert_eq!(d["sourceFrame"], json!(f1));
    let f2 = d["frame"].as_u64().unwrap();
    assert!(f2 > f1);
    let text = zoom.joined_text();
    assert!(text.contains("native resolution"), "{text}");
    let zoomed = image(&zoom).to_rgb8();
    assert_eq!(zoomed.dimensions(), (240, 160));
    let screen = raw_png(&ctx).await;
    let expected = image::imageops::crop_imm(&screen, 200, 100, 240, 160).to_image();
    let (mean, differing) = difference(&zoomed, &expected);
    assert_eq!(
        differing, 0,
        "the lossless zoom differs from the server's PNG (mean {mean})"
    );
    // The region is not blank: it shows the listing (so the comparison compared something).
    let dark = zoomed.pixels().filter(|p| p.0[0] < 128).count();
    let share = dark as f64 / f64::from(240 * 160);
    assert!(
        (0.02..0.98).contains(&share),
        "the zoomed region is nearly uniform ({share:.3} dark): nothing was compared"
    );

    // The zoom's centre is the region's centre on the screen.
    let click = ok(&ctx, "vm_click", json!({"x": 120, "y": 80})).await;
    let (x, y) = xdotool_mouse(&desktop);
    assert!(
        (x - 320).abs() <= 1 && (y - 180).abs() <= 1,
        "click at the zoom's centre landed at ({x}, {y}), expected (320, 180)"
    );
    assert_eq!(click.details["frame"], json!(f2));
    let cursor = ok(&ctx, "vm_cursor", json!({})).await;
    assert_eq!(
        (&cursor.details["x"], &cursor.details["y"]),
        (&json!(120.0), &json!(80.0))
    );
    // Zoom coordinates are bounded by the zoomed image.
    let e = err(&ctx, "vm_click", json!({"x": 240, "y": 5})).await;
    assert!(e.message.contains("0..240"), "{e}");

    // A zoom of the zoom starts at its origin.
    let inner = ok(
        &ctx,
        "vm_zoom",
        json!({"x": 10, "y": 20, "width": 50, "height": 40}),
    )
    .await;
    assert_eq!(
        (&inner.details["regionX"], &inner.details["regionY"]),
        (&json!(210), &json!(120))
    );
    ok(&ctx, "vm_move", json!({"x": 0, "y": 0})).await;
    let (x, y) = xdotool_mouse(&desktop);
    assert!((x - 210).abs() <= 1 && (y - 120).abs() <= 1, "({x}, {y})");

    // Refusals: outside the current (zoomed, 50x40) image, or citing an old frame.
    let e = err(
        &ctx,
        "vm_zoom",
        json!({"x": 30, "y": 0, "width": 30, "height": 10}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(
        e.message.contains("x in 0..50") && e.message.contains("x + width <= 50"),
        "{e}"
    );
    let e = err(
        &ctx,
        "vm_zoom",
        json!({"x": 0, "y": 0, "width": 10, "height": 10, "frame": f1}),
    )
    .await;
    assert_eq!(e.kind, ToolErrorKind::Rejected);
    assert!(e.message.contains("take a new screenshot"), "{e}");
}

/// A full-screen, photo-like picture (a vertical gradient with noise) drawn by a small python-xlib client:
/// text compresses well as PNG, this does not, so it exercises the lossless budget.
struct Picture(std::process::Child);

impl Picture {
    const SCRIPT: &str = r#"
import os
from Xlib import X, display
d = display.Display()
s = d.screen()
W, H = s.width_in_pixels, s.height_in_pixels
w = s.root.create_window(0, 0, W, H, 0, s.root_depth, X.InputOutput, X.CopyFromParent,
    background_pixel=s.black_pixel, override_redirect=True, event_mask=X.ExposureMask)
gc = w.create_gc()
rows = []
for y in range(H):
    g = (y * 200) // H
    table = bytes(min(255, g + (b & 7)) for b in range(256))
    rows.append(os.urandom(W * 4).translate(table))
def paint():
    for y in range(0, H, 40):
        h = min(40, H - y)
        w.put_image(gc, 0, y, W, h, X.ZPixmap, 24, 0, b"".join(rows[y:y + h]))
    d.sync()
w.map()
d.sync()
paint()
print("ready", flush=True)
while True:
    e = d.next_event()
    if e.type == X.Expose and e.count == 0:
        paint()
"#;

    fn show(desktop: &Desktop) -> Picture {
        use std::io::BufRead as _;
        let mut child = desktop
            .command(desktop.server_python())
            .args(["-c", Self::SCRIPT])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the picture client did not start");
        std::thread::sleep(Duration::from_millis(300));
        Picture(child)
    }
}

impl Drop for Picture {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_photo_like_full_screen_zoom_falls_back_to_jpeg_close_to_the_screen() {
    let desktop = Desktop::start();
    let ctx = ctx(&desktop, "screenshotScale: 0.5");
    let _picture = Picture::show(&desktop);
    ok(&ctx, "vm_screenshot", json!({})).await;
    let zoom = ok(
        &ctx,
        "vm_zoom",
        json!({"x": 0, "y": 0, "width": 640, "height": 400}),
    )
    .await;
    let d = &zoom.details;
    assert_eq!(
        d["mimeType"],
        json!("image/jpeg"),
        "a photo-like full-screen zoom should not be lossless: {d:?}"
    );
    let zoomed = image(&zoom).to_rgb8();
    assert_eq!(zoomed.dimensions(), (1280, 800), "native resolution");
    let screen = raw_png(&ctx).await;
    let (mean, _) = difference(&zoomed, &screen);
    assert!(
        mean < 5.0,
        "the JPEG zoom is too far from the screen: mean abs difference {mean:.2}"
    );
    // Full-screen zoom: image pixels are screen pixels.
    ok(&ctx, "vm_move", json!({"x": 1000, "y": 700})).await;
    let (x, y) = xdotool_mouse(&desktop);
    assert!((x - 1000).abs() <= 1 && (y - 700).abs() <= 1, "({x}, {y})");
}
