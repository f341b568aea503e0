//! Benchmark (not a test) of recordings, run by `bench/record.sh`, which starts a private desktop (Xvfb +
//! openbox + the real cua-computer-server) and sets `CUA_WS_URL`:
//!
//! 1. **Cost per step**: the same calls through `tools::call` with and without `record.dir`, interleaved one by
//!    one on the same desktop (so drift hits both sides alike): `vm_screenshot` of a busy screen (four
//!    terminals full of text) and `vm_move`. Targets: ≤ 5 % on `vm_screenshot`, ≤ 1 ms on a move.
//! 2. **The writer alone**: appending a step with that screenshot's image, in process.
//! 3. **The viewer**: a 500-step recording (250 screenshots of that screen, 250 clicks), `record view`'s page
//!    written, then opened from disk in headless Chromium over WebDriver: time until the page's script has
//!    built the filmstrip and shown step 1, until step 1's screenshot is decoded, and per step switch. Target:
//!    opens in < 2 s.
//!
//! Prints markdown tables on stdout. Knobs: `RECORD_SHOTS` (100), `RECORD_MOVES` (300), `RECORD_STEPS` (500).

#[path = "../tests/common/browser.rs"]
mod browser;

use std::sync::Arc;
use std::time::{Duration, Instant};

use computer_use::config::Config;
use computer_use::tools::{Content, ToolContext};
use computer_use::vm::Vms;
use recording::format::{ImageRef, Landed, Meta, Step};
use recording::writer::{Budget, NewImage, Writer};
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error>;

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("record bench: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("record bench: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn env_number(name: &str, default: usize) -> Result<usize, Error> {
    match std::env::var(name) {
        Ok(v) => Ok(v
            .trim()
            .parse()
            .map_err(|_| format!("{name}={v:?} is not a whole number"))?),
        Err(_) => Ok(default),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

async fn run() -> Result<(), Error> {
    let url = std::env::var("CUA_WS_URL").map_err(|_| {
        "CUA_WS_URL is not set: run bench/record.sh (it starts a private desktop), or point it at a running server"
    })?;
    let shots = env_number("RECORD_SHOTS", 100)?;
    let moves = env_number("RECORD_MOVES", 300)?;
    let steps = env_number("RECORD_STEPS", 500)?;
    let dir = tempfile::Builder::new()
        .prefix("cu-record-bench-")
        .tempdir()?;
    let context = |record: bool| -> Result<ToolContext, Error> {
        let record = if record {
            format!(
                ", record: {{ dir: {:?} }}",
                dir.path().join("rec").display().to_string()
            )
        } else {
            String::new()
        };
        let text = format!(
            r#"{{ provider: "url", serverUrl: "{url}", guards: {{ rate: {{enabled: false}}, loop: {{enabled: false}} }}{record} }}"#
        );
        let config = Config::from_json5_str(&text, "record bench")?;
        Ok(ToolContext::new(Arc::new(Vms::new(Arc::new(config)))))
    };
    let plain = context(false)?;
    let recorded = context(true)?;

    // A busy screen: four terminals full of text.
    for (x, y) in [(0, 0), (640, 0), (0, 400), (640, 400)] {
        computer_use::tools::call(
            &plain,
            "vm_launch",
            json!({"app": "xterm", "args": ["-geometry", format!("100x28+{x}+{y}"), "-hold", "-e", "sh", "-c", "ls -lR /usr/lib | head -300"]}),
        )
        .await?;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    // 1. Cost per step, interleaved.
    let call = async |ctx: &ToolContext,
                      tool: &str,
                      args: Value|
           -> Result<(f64, computer_use::tools::ToolOutput), Error> {
        let t = Instant::now();
        let out = computer_use::tools::call(ctx, tool, args).await?;
        Ok((t.elapsed().as_secs_f64() * 1000.0, out))
    };
    // Warm both sessions (connection, calibration).
    call(&plain, "vm_screenshot", json!({})).await?;
    let (_, shot) = call(&recorded, "vm_screenshot", json!({})).await?;
    let (mut s_plain, mut s_rec) = (Vec::new(), Vec::new());
    // Which side goes first alternates too, so neither gains from following the other.
    for i in 0..shots {
        if i % 2 == 0 {
            s_plain.push(call(&plain, "vm_screenshot", json!({})).await?.0);
            s_rec.push(call(&recorded, "vm_screenshot", json!({})).await?.0);
        } else {
            s_rec.push(call(&recorded, "vm_screenshot", json!({})).await?.0);
            s_plain.push(call(&plain, "vm_screenshot", json!({})).await?.0);
        }
    }
    let (mut m_plain, mut m_rec) = (Vec::new(), Vec::new());
    for i in 0..moves {
        let args = json!({"x": 10 + (i % 200), "y": 10 + (i % 150)});
        if i % 2 == 0 {
            m_plain.push(call(&plain, "vm_move", args.clone()).await?.0);
            m_rec.push(call(&recorded, "vm_move", args).await?.0);
        } else {
            m_rec.push(call(&recorded, "vm_move", args.clone()).await?.0);
            m_plain.push(call(&plain, "vm_move", args).await?.0);
        }
    }
    let image = shot
        .content
        .iter()
        .find_map(|c| match c {
            Content::Image { base64, .. } => Some(base64.clone()),
            Content::Text(_) => None,
        })
        .ok_or("the screenshot had no image")?;
    let image = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.decode(image)?
    };
    let (_, width, height) = imaging::dimensions(&image)?;
    println!(
        "## Recording's cost per step (same desktop, interleaved, end to end through tools::call)\n"
    );
    println!(
        "Screen: 1280x800 with four terminals of text; model image {width}x{height} JPEG, {} KiB.\n",
        image.len() / 1024
    );
    println!(
        "| call | n | without recording: median / mean | with recording: median / mean | difference (median) | target |"
    );
    println!("|---|---|---|---|---|---|");
    let (sp, sr) = (median(&mut s_plain.clone()), median(&mut s_rec.clone()));
    println!(
        "| vm_screenshot | {shots} | {sp:.2} / {:.2} ms | {sr:.2} / {:.2} ms | {:+.2} ms ({:+.1} %) | ≤ 5 % |",
        mean(&s_plain),
        mean(&s_rec),
        sr - sp,
        (sr - sp) / sp * 100.0
    );
    let (mp, mr) = (median(&mut m_plain.clone()), median(&mut m_rec.clone()));
    println!(
        "| vm_move | {moves} | {mp:.3} / {:.3} ms | {mr:.3} / {:.3} ms | {:+.3} ms | ≤ 1 ms |",
        mean(&m_plain),
        mean(&m_rec),
        mr - mp
    );

    // 2. The writer alone.
    let meta = Meta {
        format: recording::format::FORMAT.into(),
        version: recording::format::VERSION,
        started: "2026-11-25T15:38:00.000Z".into(),
        vm: "default".into(),
        agent: Some("bench".into()),
        session: None,
        pid: std::process::id(),
        producer: "record bench".into(),
    };
    let step = |n: usize, tool: &str| Step {
        step: 0,
        call: n as u64,
        parent: None,
        ts: meta.started.clone(),
        t_ms: n as u64 * 1500,
        tool: tool.into(),
        kind: if tool == "vm_click" { "input" } else { "look" }.into(),
        space: "image".into(),
        args: if tool == "vm_click" {
            json!({"x": 100 + n % 400, "y": 80 + n % 300, "button": "left"})
        } else {
            json!({})
        },
        outcome: if n % 50 == 49 { "rejected" } else { "ok" }.into(),
        guard: None,
        warnings: Vec::new(),
        error: None,
        latency_ms: 120,
        text: Some(format!("{tool} step {n}")),
        image: None,
        after: None,
        landed: (tool == "vm_click").then(|| Landed {
            x: (200 + 2 * (n % 400)) as f64,
            y: (160 + 2 * (n % 300)) as f64,
            path: None,
        }),
        exec: None,
        details: Default::default(),
    };
    let new_image = || NewImage {
        bytes: image.clone(),
        info: ImageRef {
            file: String::new(),
            mime: "image/jpeg".into(),
            width,
            height,
            bytes: 0,
            frame: None,
            region: Some([0.0, 0.0, 1280.0, 800.0]),
        },
    };
    let mut writer = Writer::create(
        &dir.path().join("writer"),
        "w",
        &meta,
        Budget::shared(u64::MAX),
    )?;
    let mut appends = Vec::new();
    for n in 0..200 {
        let t = Instant::now();
        writer.append(step(n, "vm_screenshot"), Some(new_image()), None)?;
        appends.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut lines = Vec::new();
    for n in 0..200 {
        let t = Instant::now();
        writer.append(step(n, "vm_click"), None, None)?;
        lines.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("\n## The writer alone (in process)\n");
    println!("| append | n | median | mean |");
    println!("|---|---|---|---|");
    println!(
        "| a step with that {} KiB image | 200 | {:.3} ms | {:.3} ms |",
        image.len() / 1024,
        median(&mut appends.clone()),
        mean(&appends)
    );
    println!(
        "| a step without image | 200 | {:.3} ms | {:.3} ms |",
        median(&mut lines.clone()),
        mean(&lines)
    );

    // 3. The viewer: a recording of `steps` steps, half of them screenshots.
    let mut viewer = Writer::create(
        &dir.path().join("viewer"),
        "v",
        &meta,
        Budget::shared(u64::MAX),
    )?;
    for n in 0..steps {
        if n % 2 == 0 {
            viewer.append(step(n, "vm_screenshot"), Some(new_image()), None)?;
        } else {
            viewer.append(step(n, "vm_click"), None, None)?;
        }
    }
    let rec = recording::Recording::open(viewer.dir())?;
    let t = Instant::now();
    let page = recording::view::render(&rec, None);
    let render_ms = t.elapsed().as_secs_f64() * 1000.0;
    let page_path = dir.path().join("viewer.html");
    std::fs::write(&page_path, &page)?;
    let url = format!("file://{}", page_path.display());
    let browser = browser::Browser::start(1400, 1000).await;
    let (mut ready, mut decoded, mut load_end, mut switch) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        browser.client.goto("about:blank").await?;
        browser.client.goto(&url).await?;
        let v = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const wait = () => document.body.dataset.ready === '1' ? go() : setTimeout(wait, 5);
                 const go = () => {
                   const img = document.querySelector('#screens img');
                   (img ? img.decode() : Promise.resolve()).then(() => {
                     const nav = performance.getEntriesByType('navigation')[0];
                     done([Number(document.body.dataset.readyMs), performance.now(), nav ? nav.loadEventEnd : -1]);
                   });
                 };
                 wait();",
                Vec::new(),
            )
            .await?;
        let v: Vec<f64> = v
            .as_array()
            .ok_or("no timings")?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        ready.push(v[0]);
        decoded.push(v[1]);
        load_end.push(v[2]);
        let s = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 let i = 0; const times = [];
                 const next = () => {
                   if (i++ >= 20) return done(times.reduce((a, b) => a + b, 0) / times.length);
                   const t = performance.now();
                   document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}));
                   const img = document.querySelector('#screens img');
                   (img ? img.decode() : Promise.resolve()).then(() => { times.push(performance.now() - t); next(); });
                 };
                 next();",
                Vec::new(),
            )
            .await?;
        switch.push(s.as_f64().unwrap_or(-1.0));
    }
    let count = browser.eval("return document.body.dataset.count;").await;
    browser.close().await;
    println!(
        "\n## The viewer: {steps} steps ({} screenshots of {width}x{height}), headless Chromium, page from disk\n",
        steps.div_ceil(2)
    );
    println!(
        "Page {:.1} MiB, written by `record view` in {render_ms:.0} ms (thumbnails included); the page shows {count} steps.\n",
        page.len() as f64 / 1048576.0
    );
    println!("| measure (median of 3 loads) | value | target |");
    println!("|---|---|---|");
    println!(
        "| script done: filmstrip built, step 1 shown | {:.0} ms | |",
        median(&mut ready)
    );
    println!("| load event end | {:.0} ms | |", median(&mut load_end));
    println!(
        "| step 1's screenshot decoded and on screen | {:.0} ms | < 2000 ms |",
        median(&mut decoded)
    );
    println!(
        "| next step (→) until its screenshot is decoded, mean of 20 | {:.1} ms | |",
        median(&mut switch)
    );
    Ok(())
}
