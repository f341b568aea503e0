//! End-to-end checks of the screenshot pipeline on synthetic busy desktops encoded the way the
//! server sends them (PNG and JPEG q85): sizes, budgets, pixel fidelity, byte-cap fitting, the
//! seed's "too large" message, zoom crops, and robustness against garbage input.
#![expect(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use computer_use_imaging::synthetic::busy_desktop;
use computer_use_imaging::{
    ImagePolicy, ImagingError, OutputFormat, Prepared, crop, format_size, prepare,
};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use proptest::prelude::*;

/// A screen: its true pixels and the two encodings the server can send.
struct Screen {
    truth: RgbImage,
    png: Vec<u8>,
    jpeg: Vec<u8>,
}

fn make(width: u32, height: u32) -> Screen {
    let truth = RgbImage::from_raw(width, height, busy_desktop(width, height)).unwrap();
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(truth.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 85)
        .write_image(truth.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap();
    Screen { truth, png, jpeg }
}

fn retina() -> &'static Screen {
    static S: OnceLock<Screen> = OnceLock::new();
    S.get_or_init(|| make(2880, 1800))
}

fn laptop() -> &'static Screen {
    static S: OnceLock<Screen> = OnceLock::new();
    S.get_or_init(|| make(1280, 800))
}

fn decoded(p: &Prepared) -> RgbImage {
    let format = match p.mime {
        "image/jpeg" => image::ImageFormat::Jpeg,
        "image/png" => image::ImageFormat::Png,
        "image/webp" => image::ImageFormat::WebP,
        other => panic!("unexpected mime {other}"),
    };
    image::load_from_memory_with_format(&p.bytes, format)
        .expect("output decodes")
        .into_rgb8()
}

/// Mean RGB of `[x0, x1) × [y0, y1)`.
fn mean(img: &RgbImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for y in y0..y1 {
        for x in x0..x1 {
            for (s, v) in sum.iter_mut().zip(img.get_pixel(x, y).0) {
                *s += f64::from(v);
            }
        }
    }
    let n = f64::from((x1 - x0) * (y1 - y0));
    sum.map(|s| s / n)
}

/// Output checks every prepared screenshot must pass, plus colour fidelity against `truth`.
fn check(p: &Prepared, truth: &RgbImage, tolerance: f64) {
    let img = decoded(p);
    assert_eq!(
        img.dimensions(),
        (p.width, p.height),
        "reported size must match the image"
    );
    assert!(
        p.width <= p.source_width && p.height <= p.source_height,
        "upscaled: {p:?}"
    );
    let expected_h = f64::from(p.width) * f64::from(p.source_height) / f64::from(p.source_width);
    assert!(
        (f64::from(p.height) - expected_h).abs() <= 1.0,
        "aspect off: {p:?}"
    );
    assert!((p.to_source_x - f64::from(p.source_width) / f64::from(p.width)).abs() < 1e-9);
    assert!((p.to_source_y - f64::from(p.source_height) / f64::from(p.height)).abs() < 1e-9);
    // Regions in source pixels: wallpaper corner, a text-heavy window body, a title bar.
    let (w, h) = truth.dimensions();
    for rect in [
        (w * 4 / 5, h * 17 / 20, w - 8, h - 8),
        (w / 10, h / 5, w * 2 / 5, h / 2),
        (w / 2, h / 5 + 4, w * 9 / 10, h / 5 + 20),
    ] {
        let out_rect = (
            (f64::from(rect.0) / p.to_source_x).round() as u32,
            (f64::from(rect.1) / p.to_source_y).round() as u32,
            (f64::from(rect.2) / p.to_source_x).round() as u32,
            (f64::from(rect.3) / p.to_source_y).round() as u32,
        );
        let (a, b) = (mean(truth, rect), mean(&img, out_rect));
        for c in 0..3 {
            assert!(
                (a[c] - b[c]).abs() <= tolerance,
                "{} region {rect:?}: source {a:?} vs output {b:?}",
                p.mime
            );
        }
    }
}

#[test]
fn scale_half_and_full_on_both_inputs() {
    let unbounded = ImagePolicy {
        max_pixels: u64::MAX,
        max_long_edge: 4000,
        hard_max_edge: 4000,
        ..ImagePolicy::default()
    };
    for screen in [retina(), laptop()] {
        let (w, h) = screen.truth.dimensions();
        for input in [&screen.png, &screen.jpeg] {
            let half = prepare(
                input,
                &ImagePolicy {
                    scale: 0.5,
                    ..unbounded.clone()
                },
            )
            .unwrap();
            assert_eq!((half.width, half.height), (w / 2, h / 2));
            assert_eq!(half.mime, "image/jpeg");
            assert_eq!(half.quality, Some(80));
            check(&half, &screen.truth, 4.0);
            let full = prepare(
                input,
                &ImagePolicy {
                    scale: 1.0,
                    ..unbounded.clone()
                },
            )
            .unwrap();
            assert_eq!((full.width, full.height), (w, h));
            check(&full, &screen.truth, 4.0);
        }
    }
}

#[test]
fn default_budget_limits_a_retina_screen() {
    for input in [&retina().png, &retina().jpeg] {
        let p = prepare(input, &ImagePolicy::default()).unwrap();
        assert!(p.width.max(p.height) <= 1568, "{p:?}");
        assert!(
            u64::from(p.width) * u64::from(p.height) <= 1_150_000,
            "{p:?}"
        );
        assert!(p.width >= 1300, "budget wasted: {p:?}");
        assert!(p.steps.is_empty(), "{p:?}");
        check(&p, &retina().truth, 4.0);
    }
    // scale 0.5 → 1440x900 = 1.3 MP, still over the pixel budget.
    let p = prepare(
        &retina().jpeg,
        &ImagePolicy {
            scale: 0.5,
            ..ImagePolicy::default()
        },
    )
    .unwrap();
    assert_eq!((p.width, p.height), (1356, 847));
}

#[test]
fn a_small_screen_is_never_upscaled_and_passes_through() {
    let p = prepare(&laptop().jpeg, &ImagePolicy::default()).unwrap();
    assert_eq!((p.width, p.height), (1280, 800));
    assert_eq!(
        p.bytes,
        laptop().jpeg,
        "an in-budget JPEG needs no re-encode"
    );
    assert_eq!(p.to_source_x, 1.0);
    let p = prepare(&laptop().png, &ImagePolicy::default()).unwrap();
    assert_eq!((p.width, p.height, p.mime), (1280, 800, "image/jpeg"));
    check(&p, &laptop().truth, 4.0);
}

#[test]
fn every_output_format_has_the_right_mime_and_pixels() {
    for (format, mime) in [
        (OutputFormat::Jpeg, "image/jpeg"),
        (OutputFormat::Png, "image/png"),
        (OutputFormat::Webp, "image/webp"),
    ] {
        let policy = ImagePolicy {
            format,
            scale: 0.5,
            ..ImagePolicy::default()
        };
        let p = prepare(&retina().png, &policy).unwrap();
        assert_eq!(p.mime, mime);
        assert_eq!(p.quality.is_some(), format == OutputFormat::Jpeg);
        check(&p, &retina().truth, 4.0);
    }
}

#[test]
fn parallel_and_serial_pipelines_agree() {
    for format in [OutputFormat::Jpeg, OutputFormat::Png] {
        let serial = prepare(
            &retina().jpeg,
            &ImagePolicy {
                parallel: false,
                format,
                ..ImagePolicy::default()
            },
        )
        .unwrap();
        let parallel = prepare(
            &retina().jpeg,
            &ImagePolicy {
                parallel: true,
                format,
                ..ImagePolicy::default()
            },
        )
        .unwrap();
        assert_eq!(
            (serial.width, serial.height),
            (parallel.width, parallel.height)
        );
        assert!(
            decoded(&serial) == decoded(&parallel),
            "{format:?}: parallel output differs"
        );
    }
}

#[test]
fn fitting_steps_quality_then_size_under_a_small_cap() {
    let uncapped = prepare(&retina().jpeg, &ImagePolicy::default()).unwrap();
    // Between the q80 size and what q35 can reach: quality steps alone must do it.
    let cap = uncapped.bytes.len() * 3 / 4;
    let p = prepare(
        &retina().jpeg,
        &ImagePolicy {
            max_bytes: cap,
            ..ImagePolicy::default()
        },
    )
    .unwrap();
    assert!(p.bytes.len() <= cap, "{} > {cap}", p.bytes.len());
    assert_eq!(
        p.steps.first().map(String::as_str),
        Some("quality 80→65"),
        "{p:?}"
    );
    assert_eq!((p.width, p.height), (uncapped.width, uncapped.height));
    assert!(p.quality.unwrap() < 80);
    check(&p, &retina().truth, 6.0);
    // Far below what q35 reaches at full budget size: the size must go down too.
    let cap = 60_000;
    let p = prepare(
        &retina().jpeg,
        &ImagePolicy {
            max_bytes: cap,
            ..ImagePolicy::default()
        },
    )
    .unwrap();
    assert!(p.bytes.len() <= cap, "{} > {cap}", p.bytes.len());
    assert_eq!(p.quality, Some(35), "{p:?}");
    assert!(p.steps.iter().any(|s| s.starts_with("size ")), "{p:?}");
    assert!(
        p.width < uncapped.width && p.width.max(p.height) >= 640,
        "{p:?}"
    );
    check(&p, &retina().truth, 8.0);
}

#[test]
fn lossless_formats_fit_by_compression_and_size() {
    let base = ImagePolicy {
        format: OutputFormat::Png,
        ..ImagePolicy::default()
    };
    let fast = prepare(&retina().png, &base).unwrap();
    let cap = fast.bytes.len() / 2;
    let p = prepare(
        &retina().png,
        &ImagePolicy {
            max_bytes: cap,
            ..base
        },
    )
    .unwrap();
    assert!(p.bytes.len() <= cap);
    assert_eq!(
        p.steps.first().map(String::as_str),
        Some("png compression fast→balanced"),
        "{p:?}"
    );
    let webp = ImagePolicy {
        format: OutputFormat::Webp,
        max_bytes: 400_000,
        ..ImagePolicy::default()
    };
    let p = prepare(&retina().png, &webp).unwrap();
    assert!(p.bytes.len() <= 400_000, "{p:?}");
    assert!(
        !p.steps.is_empty() && p.steps.iter().all(|s| s.starts_with("size ")),
        "{p:?}"
    );
    check(&p, &retina().truth, 6.0);
}

#[test]
fn too_large_reports_the_seed_message() {
    let err = prepare(
        &retina().jpeg,
        &ImagePolicy {
            max_bytes: 1000,
            ..ImagePolicy::default()
        },
    )
    .unwrap_err();
    let ImagingError::TooLarge { bytes, max } = err else {
        panic!("expected TooLarge, got {err:?}")
    };
    assert_eq!(max, 1000);
    assert!(bytes > 1000);
    // Even with every step allowed the smallest image (640 px long edge, q35) is tens of KB.
    assert!(bytes < 100_000, "smallest attempt should be small: {bytes}");
    // The seed's wording, checked with an exact 10 MB cap and a >10 MB image (q100, no steps).
    let policy = ImagePolicy {
        scale: 1.0,
        max_long_edge: 3000,
        max_pixels: u64::MAX,
        hard_max_edge: 3000,
        jpeg_quality: 100,
        min_jpeg_quality: 100,
        min_long_edge: 4000,
        max_bytes: 1_048_576,
        ..ImagePolicy::default()
    };
    let err = prepare(&retina().png, &policy).unwrap_err();
    let ImagingError::TooLarge { bytes, .. } = err else {
        panic!("expected TooLarge, got {err:?}")
    };
    let mb = format!("{:.1}", bytes as f64 / 1_048_576.0);
    let mb = mb.trim_end_matches(".0");
    assert_eq!(
        err.to_string(),
        format!(
            "Screenshot too large ({mb} MB). Max: 1 MB. Fix: lower screenshotScale, reduce the VM's display \
             resolution, use the JPEG output format, or raise maxScreenshotBytes."
        )
    );
    let seed = ImagingError::TooLarge {
        bytes: 12_897_485,
        max: 10_485_760,
    };
    assert!(
        seed.to_string()
            .starts_with("Screenshot too large (12.3 MB). Max: 10 MB. "),
        "{seed}"
    );
    assert_eq!(format_size(10_485_760), "10 MB");
}

#[test]
fn crop_returns_native_pixels() {
    let policy = ImagePolicy {
        format: OutputFormat::Png,
        scale: 0.25,
        ..ImagePolicy::default()
    };
    let (x, y, w, h) = (101, 57, 333, 222);
    let p = crop(&retina().png, x, y, w, h, &policy).unwrap();
    assert_eq!(
        (p.width, p.height, p.origin_x, p.origin_y),
        (w, h, x, y),
        "scale must not apply to a zoom"
    );
    assert_eq!(
        (p.source_width, p.source_height, p.to_source_x),
        (2880, 1800, 1.0)
    );
    let out = decoded(&p);
    let expected = image::imageops::crop_imm(&retina().truth, x, y, w, h).to_image();
    assert!(out == expected, "cropped pixels differ from the source");
    let webp = crop(
        &retina().png,
        x,
        y,
        w,
        h,
        &ImagePolicy {
            format: OutputFormat::Webp,
            ..policy
        },
    )
    .unwrap();
    assert!(decoded(&webp) == expected);
    // A region larger than the budget is shrunk like a screenshot.
    let big = crop(&retina().jpeg, 0, 0, 2880, 1000, &ImagePolicy::default()).unwrap();
    assert!(
        big.width <= 1568 && u64::from(big.width) * u64::from(big.height) <= 1_150_000,
        "{big:?}"
    );
    assert!((big.to_source_x - 2880.0 / f64::from(big.width)).abs() < 1e-9);
}

#[test]
fn crop_outside_the_image_names_the_valid_range() {
    for (x, y, w, h) in [
        (2800, 0, 100, 10),
        (0, 1800, 10, 1),
        (0, 0, 0, 10),
        (u32::MAX, 0, 2, 2),
    ] {
        let err = crop(&laptop().png, x, y, w, h, &ImagePolicy::default()).unwrap_err();
        assert!(matches!(err, ImagingError::Region { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("1280x800") && text.contains("x + width <= 1280"),
            "{text}"
        );
    }
}

#[test]
fn bad_input_is_an_error() {
    let policy = ImagePolicy::default();
    assert!(matches!(
        prepare(b"", &policy),
        Err(ImagingError::UnknownFormat { .. })
    ));
    assert!(matches!(
        prepare(b"GIF89a....", &policy),
        Err(ImagingError::UnknownFormat { .. })
    ));
    let png = &laptop().png;
    assert!(matches!(
        prepare(&png[..png.len() / 2], &policy),
        Err(ImagingError::Decode(_))
    ));
    let jpeg = &retina().jpeg; // needs a resize, so the body is decoded
    let truncated = prepare(&jpeg[..200], &policy);
    assert!(truncated.is_err(), "{truncated:?}");
}

fn small_inputs() -> &'static (Vec<u8>, Vec<u8>) {
    static S: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    S.get_or_init(|| {
        let s = make(64, 40);
        (s.png, s.jpeg)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), magic in 0..3usize) {
        let mut input = match magic {
            0 => Vec::new(),
            1 => b"\x89PNG\r\n\x1a\n".to_vec(),
            _ => vec![0xFF, 0xD8, 0xFF],
        };
        input.extend(bytes);
        let policy = ImagePolicy { scale: 0.5, ..ImagePolicy::default() };
        let _ = prepare(&input, &policy);
        let _ = crop(&input, 1, 1, 8, 8, &policy);
    }

    #[test]
    fn corrupted_images_never_panic(which in 0..2usize, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let (png, jpeg) = small_inputs();
        let mut input = if which == 0 { png.clone() } else { jpeg.clone() };
        for (at, value) in flips {
            let i = at % input.len();
            input[i] = value;
        }
        let policy = ImagePolicy { scale: 0.5, format: OutputFormat::Png, ..ImagePolicy::default() };
        let _ = prepare(&input, &policy);
    }
}
