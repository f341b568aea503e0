//! Screenshot pipeline benchmark: each step and end to end, side by side with Pillow.
//!
//! Exists to justify the pipeline's choices (decoder, DCT scaling or not, resize filter, encoder,
//! two cores) with numbers from this machine, and to check the ~20 ms budget for turning the
//! server's JPEG q85 of a busy 2880x1800 screen into the model image. `bench/imaging.sh` runs it:
//!
//! 1. `imaging -- generate DIR` writes the synthetic desktop as raw RGB (`DIR/desktop.rgb`);
//! 2. `bench/imaging_pillow.py` saves it as the server does (PNG `optimize=True`, JPEG q85) and
//!    times Pillow doing the same steps (`DIR/pillow.tsv`);
//! 3. `imaging -- run DIR` times our steps on the same files and prints one table with both.
//!
//! Without arguments (plain `cargo bench`) it makes its own inputs and prints only our column.
//! `IMAGING_BENCH_RUNS` sets the number of timed runs (default 30, at least 30 for the table).
#![expect(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use computer_use_imaging::synthetic::busy_desktop;
use computer_use_imaging::{ImagePolicy, OutputFormat, Region, prepare, steps};
use fast_image_resize::FilterType;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

const W: u32 = 2880;
const H: u32 = 1800;
const HALF: (u32, u32) = (1440, 900);

/// Median and p90 (nearest rank) of `samples` (ms).
fn stats(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let rank = |p: f64| samples[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    (rank(0.5), rank(0.9))
}

/// PSNR in dB of `out` against `reference` (same size, RGB8).
fn psnr(out: &[u8], reference: &[u8]) -> f64 {
    assert_eq!(out.len(), reference.len(), "PSNR of different sizes");
    let mse = out
        .iter()
        .zip(reference)
        .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
        .sum::<f64>()
        / out.len() as f64;
    10.0 * (255.0 * 255.0 / mse.max(1e-12)).log10()
}

#[derive(Default, Clone)]
struct Cell {
    median: f64,
    p90: f64,
    bytes: Option<usize>,
    psnr: Option<f64>,
}

/// What a timed case returns, for the size and quality columns.
enum Out {
    Nothing,
    /// An encoded image: its size, and PSNR if the case asks for it.
    Encoded(Vec<u8>),
    /// Raw RGB8 pixels of the given size: PSNR.
    Resized(Vec<u8>, (u32, u32)),
}

/// One table row: a closure timed `runs` times, interleaved with all other cases.
struct Case<'a> {
    key: &'static str,
    label: &'static str,
    psnr: bool,
    run: Box<dyn FnMut() -> Out + 'a>,
}

fn case<'a>(
    key: &'static str,
    label: &'static str,
    psnr: bool,
    run: impl FnMut() -> Out + 'a,
) -> Case<'a> {
    Case {
        key,
        label,
        psnr,
        run: Box::new(run),
    }
}

/// Exact Lanczos3 downscales of the lossless source: the quality yardstick, one per size.
struct References {
    truth: RgbImage,
    by_size: HashMap<(u32, u32), Vec<u8>>,
}

impl References {
    fn get(&mut self, size: (u32, u32)) -> &[u8] {
        let truth = &self.truth;
        self.by_size.entry(size).or_insert_with(|| {
            let mut out = vec![0; size.0 as usize * size.1 as usize * 3];
            steps::resize_band(
                truth,
                Region::full(truth),
                size,
                0,
                &mut out,
                FilterType::Lanczos3,
            )
            .unwrap();
            out
        })
    }

    fn of_encoded(&mut self, encoded: &[u8]) -> f64 {
        let img = image::load_from_memory(encoded).unwrap().into_rgb8();
        psnr(img.as_raw(), self.get(img.dimensions()))
    }
}

fn unbounded(scale: f64, parallel: bool) -> ImagePolicy {
    ImagePolicy {
        scale,
        max_pixels: u64::MAX,
        parallel,
        ..ImagePolicy::default()
    }
}

fn run(dir: &Path, png: &[u8], jpeg: &[u8], runs: usize) {
    let mut refs = References {
        truth: RgbImage::from_raw(W, H, busy_desktop(W, H)).unwrap(),
        by_size: HashMap::new(),
    };
    let budget = ImagePolicy::default().target_size(W, H, true);
    // Inputs of the resize and encode steps, made once outside the timing.
    let (_, decoded) = steps::decode(jpeg).unwrap();
    let full = Region::full(&decoded);
    let half_px = steps::resize(&decoded, full, HALF).unwrap();
    let budget_px = steps::resize(&decoded, full, budget).unwrap();

    let mut cases = vec![
        case(
            "decode_png",
            "decode PNG (optimize=True) 2880x1800",
            false,
            || {
                std::hint::black_box(steps::decode(png).unwrap());
                Out::Nothing
            },
        ),
        case("decode_jpeg", "decode JPEG q85 2880x1800", false, || {
            std::hint::black_box(steps::decode(jpeg).unwrap());
            Out::Nothing
        }),
    ];
    for (key, label, size) in [
        (
            "decode_jpeg_dct_half",
            "decode JPEG with DCT scaling 1/2 → 1440x900 (libjpeg-turbo)",
            HALF,
        ),
        (
            "decode_jpeg_dct_quarter",
            "decode JPEG with DCT scaling 1/4 → 720x450 (libjpeg-turbo)",
            (720, 450),
        ),
    ] {
        cases.push(case(key, label, false, move || {
            let (_, image) = steps::decode_at_least(jpeg, size).unwrap();
            assert_eq!(image.dimensions(), size);
            std::hint::black_box(image);
            Out::Nothing
        }));
    }
    for (key, label, filter) in [
        (
            "resize_bilinear",
            "resize → 1440x900 Bilinear (Pillow BILINEAR)",
            FilterType::Bilinear,
        ),
        (
            "resize_catmull",
            "resize → 1440x900 Catmull-Rom (Pillow BICUBIC)",
            FilterType::CatmullRom,
        ),
        (
            "resize_lanczos3",
            "resize → 1440x900 Lanczos3 (Pillow LANCZOS)",
            FilterType::Lanczos3,
        ),
    ] {
        let decoded = &decoded;
        cases.push(case(key, label, true, move || {
            let mut out = vec![0; 1440 * 900 * 3];
            steps::resize_band(decoded, full, HALF, 0, &mut out, filter).unwrap();
            Out::Resized(out, HALF)
        }));
    }
    let decoded_ref = &decoded;
    cases.push(case(
        "resize_budget",
        "resize → 1356x847 (budget), Catmull-Rom, 1 thread",
        false,
        move || Out::Resized(steps::resize(decoded_ref, full, budget).unwrap(), budget),
    ));
    cases.push(case(
        "resize_budget_2t",
        "resize → 1356x847 (budget), Catmull-Rom, 2 threads",
        false,
        move || {
            let mut out = vec![0; budget.0 as usize * budget.1 as usize * 3];
            let (top, bottom) = out.split_at_mut(budget.0 as usize * 3 * (budget.1 / 2) as usize);
            std::thread::scope(|s| {
                s.spawn(|| {
                    steps::resize_band(
                        decoded_ref,
                        full,
                        budget,
                        budget.1 / 2,
                        bottom,
                        steps::FILTER,
                    )
                    .unwrap()
                });
                steps::resize_band(decoded_ref, full, budget, 0, top, steps::FILTER).unwrap();
            });
            Out::Resized(out, budget)
        },
    ));
    for (key, label, px, size) in [
        (
            "encode_jpeg_half",
            "encode JPEG q80 1440x900 (libjpeg-turbo)",
            &half_px,
            HALF,
        ),
        (
            "encode_jpeg_budget",
            "encode JPEG q80 1356x847 (libjpeg-turbo)",
            &budget_px,
            budget,
        ),
    ] {
        cases.push(case(key, label, false, move || {
            Out::Encoded(steps::encode_jpeg(px, size.0, size.1, 80).unwrap())
        }));
    }
    for (key, label, px, size, format) in [
        (
            "encode_png_budget",
            "encode PNG fast 1356x847 (Pillow level 1)",
            budget_px.as_slice(),
            budget,
            OutputFormat::Png,
        ),
        (
            "encode_png_full",
            "encode PNG fast 2880x1800 (Pillow level 1)",
            decoded.as_raw(),
            (W, H),
            OutputFormat::Png,
        ),
        (
            "encode_webp_budget",
            "encode WebP lossless 1356x847 (Pillow method 0)",
            &budget_px,
            budget,
            OutputFormat::Webp,
        ),
        (
            "encode_webp_full",
            "encode WebP lossless 2880x1800 (Pillow method 0)",
            decoded.as_raw(),
            (W, H),
            OutputFormat::Webp,
        ),
    ] {
        cases.push(case(key, label, false, move || {
            Out::Encoded(steps::encode(px, size, format, 80, steps::PngEffort::Fast).unwrap())
        }));
    }
    let budget_policy = ImagePolicy::default();
    let e2e = [
        (
            "e2e_jpeg_half",
            "E2E JPEG q85 → scale 0.5 → JPEG q80",
            jpeg,
            unbounded(0.5, true),
        ),
        (
            "e2e_jpeg_half_1t",
            "E2E JPEG q85 → scale 0.5 → JPEG q80, 1 thread",
            jpeg,
            unbounded(0.5, false),
        ),
        (
            "e2e_jpeg_budget",
            "E2E JPEG q85 → budget → JPEG q80",
            jpeg,
            budget_policy.clone(),
        ),
        (
            "e2e_jpeg_budget_1t",
            "E2E JPEG q85 → budget → JPEG q80, 1 thread",
            jpeg,
            ImagePolicy {
                parallel: false,
                ..budget_policy.clone()
            },
        ),
        (
            "e2e_png_half",
            "E2E PNG → scale 0.5 → JPEG q80",
            png,
            unbounded(0.5, true),
        ),
        (
            "e2e_png_budget",
            "E2E PNG → budget → JPEG q80",
            png,
            budget_policy.clone(),
        ),
        (
            "e2e_jpeg_budget_png",
            "E2E JPEG q85 → budget → PNG fast",
            jpeg,
            ImagePolicy {
                format: OutputFormat::Png,
                ..budget_policy.clone()
            },
        ),
        (
            "e2e_jpeg_budget_webp",
            "E2E JPEG q85 → budget → WebP lossless",
            jpeg,
            ImagePolicy {
                format: OutputFormat::Webp,
                ..budget_policy.clone()
            },
        ),
    ];
    for (key, label, input, policy) in e2e {
        cases.push(case(key, label, true, move || {
            Out::Encoded(prepare(input, &policy).unwrap().bytes)
        }));
    }

    // Warm up, then time round-robin: a burst of load from other processes on this shared
    // machine then spreads over all rows instead of spoiling one.
    for c in &mut cases {
        for _ in 0..2 {
            (c.run)();
        }
    }
    let mut samples = vec![Vec::with_capacity(runs); cases.len()];
    let mut last: Vec<Out> = cases.iter().map(|_| Out::Nothing).collect();
    for _ in 0..runs {
        for (i, c) in cases.iter_mut().enumerate() {
            let start = Instant::now();
            let out = std::hint::black_box((c.run)());
            samples[i].push(start.elapsed().as_secs_f64() * 1e3);
            last[i] = out;
        }
    }
    let mut rows = Vec::new();
    for ((c, times), out) in cases.iter().zip(samples).zip(last) {
        let (median, p90) = stats(times);
        let mut cell = Cell {
            median,
            p90,
            ..Cell::default()
        };
        match out {
            Out::Nothing => {}
            Out::Encoded(bytes) => {
                cell.bytes = Some(bytes.len());
                cell.psnr = c.psnr.then(|| refs.of_encoded(&bytes));
            }
            Out::Resized(px, size) => cell.psnr = c.psnr.then(|| psnr(&px, refs.get(size))),
        }
        rows.push((c.key, c.label, cell));
    }
    drop(cases);
    let pillow = read_pillow(dir, &mut refs);
    print_table(&rows, &pillow, runs);
}

/// Pillow's rows (`key median p90 bytes output-file`), with PSNR computed here from its outputs.
fn read_pillow(dir: &Path, refs: &mut References) -> HashMap<String, Cell> {
    let mut cells = HashMap::new();
    let Ok(text) = std::fs::read_to_string(dir.join("pillow.tsv")) else {
        return cells;
    };
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let [key, median, p90, bytes, output, out_w, out_h] = f[..] else {
            panic!("bad pillow.tsv line: {line}")
        };
        let mut cell = Cell {
            median: median.parse().unwrap(),
            p90: p90.parse().unwrap(),
            ..Cell::default()
        };
        cell.bytes = bytes.parse().ok().filter(|&n: &usize| n > 0);
        if output != "-" {
            let data = std::fs::read(dir.join(output)).unwrap();
            cell.psnr = Some(if output.ends_with(".rgb") {
                let size = (out_w.parse().unwrap(), out_h.parse().unwrap());
                psnr(&data, refs.get(size))
            } else {
                refs.of_encoded(&data)
            });
        }
        cells.insert(key.to_owned(), cell);
    }
    cells
}

fn print_table(rows: &[(&str, &str, Cell)], pillow: &HashMap<String, Cell>, runs: usize) {
    let ms = |c: Option<&Cell>| {
        c.map_or(("—".to_owned(), "—".to_owned()), |c| {
            (format!("{:.1}", c.median), format!("{:.1}", c.p90))
        })
    };
    let kib = |c: Option<&Cell>| {
        c.and_then(|c| c.bytes)
            .map_or("—".to_owned(), |n| format!("{}", n / 1024))
    };
    let db = |c: Option<&Cell>| {
        c.and_then(|c| c.psnr)
            .map_or("—".to_owned(), |p| format!("{p:.1}"))
    };
    println!(
        "\nScreenshot pipeline, busy 2880x1800 desktop, {runs} runs each (ms; KiB; PSNR dB vs exact Lanczos3 of the lossless source)\n"
    );
    println!(
        "| step | ours median | ours p90 | Pillow median | Pillow p90 | KiB ours / Pillow | PSNR ours / Pillow |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let keys: Vec<&str> = rows.iter().map(|r| r.0).collect();
    for (key, label, ours) in rows {
        let theirs = pillow.get(*key);
        let ((om, op), (pm, pp)) = (ms(Some(ours)), ms(theirs));
        println!(
            "| {label} | {om} | {op} | {pm} | {pp} | {} / {} | {} / {} |",
            kib(Some(ours)),
            kib(theirs),
            db(Some(ours)),
            db(theirs)
        );
    }
    // Pillow-only rows (e.g. its draft-mode pipeline), labelled by their key.
    let mut extra: Vec<(&String, &Cell)> = pillow
        .iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .collect();
    extra.sort_by_key(|(k, _)| k.as_str());
    for (key, cell) in extra {
        let (pm, pp) = ms(Some(cell));
        println!(
            "| Pillow only: {key} | — | — | {pm} | {pp} | — / {} | — / {} |",
            kib(Some(cell)),
            db(Some(cell))
        );
    }
}

fn generate(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("desktop.rgb"), busy_desktop(W, H)).unwrap();
    eprintln!("wrote {}", dir.join("desktop.rgb").display());
}

/// Stand-alone inputs when Pillow is not involved (PNG default level, JPEG q85 via `image`).
fn own_inputs() -> (Vec<u8>, Vec<u8>) {
    let px = busy_desktop(W, H);
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Default,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(&px, W, H, ExtendedColorType::Rgb8)
    .unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .write_image(&px, W, H, ExtendedColorType::Rgb8)
        .unwrap();
    (png, jpeg)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runs = std::env::var("IMAGING_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_usize)
        .max(1);
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate", dir] => generate(Path::new(dir)),
        ["run", dir] => {
            let dir = PathBuf::from(dir);
            let read = |name: &str| {
                std::fs::read(dir.join(name)).unwrap_or_else(|e| {
                    panic!("{}: {e}; run bench/imaging.sh", dir.join(name).display())
                })
            };
            run(&dir, &read("desktop.png"), &read("desktop.jpg"), runs);
        }
        [] => {
            let (png, jpeg) = own_inputs();
            run(Path::new("/nonexistent"), &png, &jpeg, runs);
        }
        _ => panic!("usage: imaging [generate DIR | run DIR]"),
    }
}
