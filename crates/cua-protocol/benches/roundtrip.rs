//! Round-trip latency of our [`cua_protocol::Client`] against a minimal raw WebSocket client, on the same
//! server in the same run: what do the client's queue, connection task, reply parsing and decoding cost?
//!
//! Targets (from the issue): our client adds under 5% over the raw client for screenshots and under 0.1 ms
//! for `version`. This is a benchmark, not a test: it prints a markdown table and PASS/MISS verdicts and
//! exits 0 either way (it exits 1 only when it cannot run at all).
//!
//! Method: both clients hold one socket each to the same server. Per iteration each client runs the command
//! once, back to back, and which one goes first alternates between iterations (A B, B A, …) so drift and
//! "second call in a pair" effects hit both equally. 5 warm-up calls each, then n = 100 for the cheap
//! commands and 50 for screenshots. Next to the medians it reports the paired difference with a confidence
//! interval, because on a busy 2-core machine the server's own jitter is far larger than the client's cost.
//! A second table times the client-side steps on captured (and synthetic 1 and 4 MiB) replies, to show where
//! any difference comes from. `CUA_BENCH_RUNTIME=current_thread` reruns it without cross-thread wake-ups.
//!
//! Run it through `bench/protocol.sh` (it starts a private desktop and fills the screen), or against a running
//! server: `CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p cua-protocol --bench roundtrip`.

use std::borrow::Cow;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::Engine as _;
use cua_protocol::{CaptureFormat, Client, ClientOptions, Endpoint, Reply, Version};
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// JPEG quality asked for (fixed, so runs compare with each other).
const JPEG_QUALITY: u8 = 70;
const WARMUP: usize = 5;
const N_CHEAP: usize = 100;
const N_SCREENSHOT: usize = 50;
/// Target: our median screenshot round trip at most this many times the raw one.
const SCREENSHOT_MAX_RATIO: f64 = 1.05;
/// Target: our median `version` round trip at most this much slower than the raw one.
const VERSION_MAX_EXTRA_MS: f64 = 0.1;

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(
        "CUA_WS_URL is not set\n  hint: run bench/protocol.sh (it starts a private desktop and sets it), or point it at a running server: CUA_WS_URL=ws://127.0.0.1:8000/ws cargo bench -p cua-protocol --bench roundtrip"
    )]
    NoUrl,
    #[error("cannot start the tokio runtime: {0}")]
    Runtime(std::io::Error),
    #[error(
        "CUA_BENCH_RUNTIME must be `multi_thread` (the default) or `current_thread`, got `{0}`"
    )]
    BadRuntime(String),
    #[error("the benchmark task failed: {0}")]
    Task(String),
    #[error("our client: {0}")]
    Ours(#[from] cua_protocol::Error),
    #[error(
        "raw client: cannot connect to {url}: {source}\n  hint: is cua-computer-server listening there?"
    )]
    RawConnect {
        url: String,
        source: tungstenite::Error,
    },
    #[error("raw client: `{command}`: {detail}")]
    Raw {
        command: &'static str,
        detail: String,
    },
}

/// One benchmarked command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Version,
    MoveCursor,
    ScreenSize,
    Png,
    Jpeg,
}

impl Case {
    const ALL: [Case; 5] = [
        Case::Version,
        Case::MoveCursor,
        Case::ScreenSize,
        Case::Png,
        Case::Jpeg,
    ];

    fn label(self) -> String {
        match self {
            Case::Version => "`version`".into(),
            Case::MoveCursor => "`move_cursor`".into(),
            Case::ScreenSize => "`get_screen_size`".into(),
            Case::Png => "`screenshot` PNG".into(),
            Case::Jpeg => format!("`screenshot` JPEG q{JPEG_QUALITY}"),
        }
    }

    fn command(self) -> &'static str {
        match self {
            Case::Version => "version",
            Case::MoveCursor => "move_cursor",
            Case::ScreenSize => "get_screen_size",
            Case::Png | Case::Jpeg => "screenshot",
        }
    }

    fn samples(self) -> usize {
        match self {
            Case::Png | Case::Jpeg => N_SCREENSHOT,
            _ => N_CHEAP,
        }
    }

    fn is_image(self) -> bool {
        matches!(self, Case::Png | Case::Jpeg)
    }

    /// The request frame the raw client sends: byte for byte what our client serialises.
    fn raw_frame(self, i: usize) -> String {
        match self {
            Case::Version => r#"{"command":"version"}"#.into(),
            Case::MoveCursor => {
                let (x, y) = point(i);
                format!(r#"{{"command":"move_cursor","params":{{"x":{x:.1},"y":{y:.1}}}}}"#)
            }
            Case::ScreenSize => r#"{"command":"get_screen_size"}"#.into(),
            Case::Png => r#"{"command":"screenshot","params":{"format":"png"}}"#.into(),
            Case::Jpeg => {
                format!(
                    r#"{{"command":"screenshot","params":{{"format":"jpeg","quality":{JPEG_QUALITY}}}}}"#
                )
            }
        }
    }
}

/// A different on-screen point per iteration (both clients of one iteration use the same one).
fn point(i: usize) -> (f64, f64) {
    ((100 + (i * 37) % 900) as f64, (100 + (i * 53) % 500) as f64)
}

/// Runs one command through our client; returns the decoded image size (0 for other commands).
async fn ours(client: &Client, case: Case, i: usize) -> Result<usize, cua_protocol::Error> {
    Ok(match case {
        Case::Version => {
            client.version().await?;
            0
        }
        Case::MoveCursor => {
            let (x, y) = point(i);
            client.move_cursor(x, y).await?;
            0
        }
        Case::ScreenSize => {
            client.screen_size().await?;
            0
        }
        Case::Png => client
            .screenshot(CaptureFormat::Png, None)
            .await?
            .bytes
            .len(),
        Case::Jpeg => client
            .screenshot(CaptureFormat::Jpeg, Some(JPEG_QUALITY))
            .await?
            .bytes
            .len(),
    })
}

/// The minimal client: tokio-tungstenite with its defaults, one socket, no queue, no task of its own.
struct RawClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// The least a client must read from a reply: `success`, and for screenshots `image_data` borrowed from the
/// frame (a plain `&str`: serde copies an `Option<Cow<str>>` even with `borrow`). The server's base64 has no
/// JSON escapes, so borrowing always works.
#[derive(Deserialize)]
struct RawReply<'a> {
    success: bool,
    #[serde(default)]
    image_data: Option<&'a str>,
    #[serde(borrow, default)]
    error: Option<Cow<'a, str>>,
}

impl RawClient {
    async fn connect(url: &str) -> Result<RawClient, BenchError> {
        let (ws, _response) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|source| BenchError::RawConnect {
                url: url.to_string(),
                source,
            })?;
        Ok(RawClient { ws })
    }

    /// Sends `frame`, waits for the next text frame, checks it. Returns the decoded image size (0 when
    /// `image` is false) and the reply frame (kept by the caller for the breakdown; costs nothing here).
    async fn call(
        &mut self,
        command: &'static str,
        frame: String,
        image: bool,
    ) -> Result<(usize, Utf8Bytes), BenchError> {
        let fail = |detail: String| BenchError::Raw { command, detail };
        self.ws
            .send(Message::text(frame))
            .await
            .map_err(|e| fail(format!("send failed: {e}")))?;
        let text = loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(t))) => break t,
                // The server's keepalive pings: tungstenite queues the pong by itself.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Binary(b))) => {
                    return Err(fail(format!(
                        "unexpected binary frame of {} bytes",
                        b.len()
                    )));
                }
                Some(Ok(Message::Close(f))) => {
                    return Err(fail(format!("server closed the socket: {f:?}")));
                }
                Some(Err(e)) => return Err(fail(format!("read failed: {e}"))),
                None => return Err(fail("connection closed".into())),
            }
        };
        let size = check_reply(text.as_str(), image).map_err(fail)?;
        Ok((size, text))
    }
}

/// The raw client's reply handling: parse, check `success`, base64-decode `image_data` for screenshots.
fn check_reply(text: &str, image: bool) -> Result<usize, String> {
    let reply: RawReply<'_> =
        serde_json::from_str(text).map_err(|e| format!("reply is not the expected JSON: {e}"))?;
    if !reply.success {
        return Err(format!(
            "server reported failure: {}",
            reply.error.as_deref().unwrap_or("(no reason)")
        ));
    }
    if !image {
        return Ok(0);
    }
    let data = reply.image_data.ok_or("no `image_data` in the reply")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|e| format!("`image_data` is not base64: {e}"))?;
    Ok(bytes.len())
}

/// Per-command measurements of both clients.
struct Measured {
    case: Case,
    raw_ms: Vec<f64>,
    ours_ms: Vec<f64>,
    /// Per iteration: whether the raw client went first.
    raw_first: Vec<bool>,
    /// Decoded image size of the last call (bytes), screenshots only.
    image_bytes: usize,
    /// Reply frame size of the last raw call (bytes).
    frame_bytes: usize,
    /// The last raw reply, for the breakdown.
    last_reply: Utf8Bytes,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn measure(case: Case, raw: &mut RawClient, client: &Client) -> Result<Measured, BenchError> {
    let n = case.samples();
    let mut m = Measured {
        case,
        raw_ms: Vec::with_capacity(n),
        ours_ms: Vec::with_capacity(n),
        raw_first: Vec::with_capacity(n),
        image_bytes: 0,
        frame_bytes: 0,
        last_reply: Utf8Bytes::default(),
    };
    for i in 0..WARMUP + n {
        let mut raw_time = Duration::ZERO;
        let mut ours_time = Duration::ZERO;
        for raw_turn in [i.is_multiple_of(2), !i.is_multiple_of(2)] {
            if raw_turn {
                let t = Instant::now();
                let (size, reply) = raw
                    .call(case.command(), case.raw_frame(i), case.is_image())
                    .await?;
                raw_time = t.elapsed();
                m.frame_bytes = reply.len();
                m.last_reply = reply;
                m.image_bytes = size;
            } else {
                let t = Instant::now();
                let size = ours(client, case, i).await?;
                ours_time = t.elapsed();
                if case.is_image() && size.abs_diff(m.image_bytes) > m.image_bytes / 2 {
                    eprintln!(
                        "roundtrip: note: {} image sizes differ a lot between the clients ({size} vs {} bytes): is the screen changing?",
                        case.label(),
                        m.image_bytes
                    );
                }
            }
        }
        if i >= WARMUP {
            m.raw_ms.push(ms(raw_time));
            m.ours_ms.push(ms(ours_time));
            m.raw_first.push(i.is_multiple_of(2));
        }
    }
    Ok(m)
}

/// Median (mean of the middle two for even n) and p90 (nearest rank) in ms.
fn stats(samples: &[f64]) -> (f64, f64) {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = s.len();
    let median = if n.is_multiple_of(2) {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    } else {
        s[n / 2]
    };
    let rank = ((0.9 * n as f64).ceil() as usize).clamp(1, n);
    (median, s[rank - 1])
}

/// Our overhead with the order effect cancelled: each block of two consecutive iterations has one where raw
/// went first and one where ours did, and its value is the mean of the two differences (ours − raw, ms).
/// Returns the median over the blocks and its distribution-free 95% confidence interval (sign-test order
/// statistics): how sure this run is about the overhead, given the server's noise.
fn paired_delta(m: &Measured) -> (f64, f64, f64) {
    let diffs: Vec<f64> = m
        .ours_ms
        .iter()
        .zip(&m.raw_ms)
        .map(|(o, r)| o - r)
        .collect();
    let mut blocks: Vec<f64> = diffs
        .chunks_exact(2)
        .map(|pair| (pair[0] + pair[1]) / 2.0)
        .collect();
    blocks.sort_by(f64::total_cmp);
    let n = blocks.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let half_width = 1.96 * (n as f64).sqrt() / 2.0;
    let lo = ((n as f64 / 2.0 - half_width).floor() as usize).clamp(1, n);
    let hi = ((n as f64 / 2.0 + 1.0 + half_width).ceil() as usize).clamp(1, n);
    (stats(&blocks).0, blocks[lo - 1], blocks[hi - 1])
}

/// How much slower the second call of an iteration is than the first, whichever client made it (median, ms):
/// a server-side effect that the alternating order cancels, reported so it is not mistaken for overhead.
fn order_effect(m: &Measured) -> f64 {
    let second_minus_first: Vec<f64> = m
        .ours_ms
        .iter()
        .zip(&m.raw_ms)
        .zip(&m.raw_first)
        .map(|((o, r), raw_first)| if *raw_first { o - r } else { r - o })
        .collect();
    stats(&second_minus_first).0
}

/// Our client's handling of one reply, step by step, replicated from its source (`connection.rs` copies the
/// frame into a `String`, `Reply::parse` builds a `serde_json::Value`, `Screenshot::from_reply` or
/// `Reply::decode` extracts the result). Returns the µs of [copy, parse, decode, free].
fn ours_steps(command: &'static str, text: &str, image: bool) -> [f64; 4] {
    let t0 = Instant::now();
    let owned = text.to_string();
    let t1 = Instant::now();
    let parsed = Reply::parse(command, &owned);
    let (version, reply) = if image {
        (None, parsed.ok())
    } else {
        (Some(parsed.and_then(Reply::decode::<Version>)), None)
    };
    let t2 = Instant::now();
    let bytes = reply
        .as_ref()
        .and_then(|r| r.fields().get("image_data"))
        .and_then(serde_json::Value::as_str)
        .map(|data| base64::engine::general_purpose::STANDARD.decode(data.trim()));
    let t3 = Instant::now();
    std::hint::black_box((&version, &bytes));
    drop((bytes, reply, version, owned));
    let t4 = Instant::now();
    [us(t1 - t0), us(t2 - t1), us(t3 - t2), us(t4 - t3)]
}

/// The raw client's handling of one reply ([`check_reply`], split into steps). Returns the µs of
/// [copy (none), parse, decode, free].
fn raw_steps(text: &str, image: bool) -> [f64; 4] {
    let t0 = Instant::now();
    let reply = serde_json::from_str::<RawReply<'_>>(text);
    let t1 = Instant::now();
    let bytes = if image {
        reply
            .as_ref()
            .ok()
            .and_then(|r| r.image_data)
            .map(|data| base64::engine::general_purpose::STANDARD.decode(data.as_bytes()))
    } else {
        None
    };
    let t2 = Instant::now();
    std::hint::black_box((&reply, &bytes));
    drop((bytes, reply));
    let t3 = Instant::now();
    [0.0, us(t1 - t0), us(t2 - t1), us(t3 - t2)]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A `{"success":true,"image_data":…}` reply of about `frame_bytes` with pseudo-random image data, to see
/// how the client-side steps scale beyond what this screen produced.
fn synthetic_reply(frame_bytes: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let raw: Vec<u8> = (0..frame_bytes / 4 * 3)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    format!(r#"{{"success":true,"image_data":"{b64}","format":"png"}}"#)
}

/// A model of our client's actor hop, without any I/O: a job with a oneshot reply sent over a bounded mpsc
/// channel to another task, which answers at once. Median of `reps` round trips, in ms.
async fn actor_hop_model(reps: usize) -> f64 {
    let (tx, mut rx) = mpsc::channel::<(String, oneshot::Sender<String>)>(256);
    let echo = tokio::spawn(async move {
        while let Some((frame, reply)) = rx.recv().await {
            let _ = reply.send(frame);
        }
    });
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let (reply, wait) = oneshot::channel();
        if tx.send((String::from("x"), reply)).await.is_err() {
            break;
        }
        if wait.await.is_err() {
            break;
        }
        samples.push(ms(t.elapsed()));
    }
    drop(tx);
    let _ = echo.await;
    stats(&samples).0
}

fn fmt_ms(v: f64) -> String {
    format!("{v:.3}")
}

fn print_table(results: &[Measured], flavor: Flavor) {
    println!(
        "| Command | n | Raw median (ms) | Raw p90 (ms) | Ours median (ms) | Ours p90 (ms) | Ratio (ours/raw) | Δ median (ms) | Paired Δ [95% CI] (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in results {
        let (raw_med, raw_p90) = stats(&m.raw_ms);
        let (our_med, our_p90) = stats(&m.ours_ms);
        let (paired, lo, hi) = paired_delta(m);
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.3} | {:+.3} | {paired:+.3} [{lo:+.3}, {hi:+.3}] |",
            m.case.label(),
            m.raw_ms.len(),
            fmt_ms(raw_med),
            fmt_ms(raw_p90),
            fmt_ms(our_med),
            fmt_ms(our_p90),
            our_med / raw_med,
            our_med - raw_med
        );
    }
    println!();
    let sizes: Vec<String> = results
        .iter()
        .filter(|m| m.case.is_image())
        .map(|m| {
            format!(
                "{}: {} B image in a {} B reply",
                m.case.label(),
                m.image_bytes,
                m.frame_bytes
            )
        })
        .collect();
    println!(
        "Raw = tokio-tungstenite with its defaults on one socket: send the JSON text frame, await the next text frame, \
         serde_json-parse it into a borrowed struct, check `success`; for screenshots it also base64-decodes \
         `image_data`, because our client decodes it too, so the comparison is like for like. \
         Ours = `cua_protocol::Client` with `ClientOptions::default()` (queue → connection task → oneshot reply, \
         `serde_json::Value` parse, typed decode, base64 decode). Same server, same run, interleaved per \
         iteration with the order alternating; {WARMUP} warm-up calls each; wall time per call on a \
         {}. Paired Δ = median over blocks of two iterations (one in each order) of the mean difference \
         ours − raw, with its 95% confidence interval: when the interval straddles a target, this run could \
         not tell (the interval assumes independent iterations; bursts of load from other processes make it \
         optimistic). Payloads (last call): {}.",
        flavor.describe(),
        sizes.join("; ")
    );
    let effects: Vec<String> = results
        .iter()
        .map(|m| format!("{} {:+.3} ms", m.case.label(), order_effect(m)))
        .collect();
    println!();
    println!(
        "Order effect (the second call of an iteration minus the first, whichever client made it; median; \
         server-side, cancelled by the alternating order): {}.",
        effects.join(", ")
    );
}

fn print_verdicts(results: &[Measured]) {
    println!();
    for m in results {
        let (raw_med, _) = stats(&m.raw_ms);
        let (our_med, _) = stats(&m.ours_ms);
        let line = match m.case {
            Case::Png | Case::Jpeg => {
                let ratio = our_med / raw_med;
                let verdict = if ratio < SCREENSHOT_MAX_RATIO {
                    "PASS"
                } else {
                    "MISS"
                };
                let (_, lo, hi) = paired_delta(m);
                format!(
                    "{verdict}: {} adds {:+.1}% over raw (target < {:.0}%); paired 95% CI {:+.1}% … {:+.1}%{}",
                    m.case.label(),
                    (ratio - 1.0) * 100.0,
                    (SCREENSHOT_MAX_RATIO - 1.0) * 100.0,
                    lo / raw_med * 100.0,
                    hi / raw_med * 100.0,
                    confidence(
                        hi / raw_med < SCREENSHOT_MAX_RATIO - 1.0,
                        lo / raw_med >= SCREENSHOT_MAX_RATIO - 1.0
                    )
                )
            }
            Case::Version => {
                let extra = our_med - raw_med;
                let verdict = if extra < VERSION_MAX_EXTRA_MS {
                    "PASS"
                } else {
                    "MISS"
                };
                let (_, lo, hi) = paired_delta(m);
                format!(
                    "{verdict}: {} adds {extra:+.3} ms over raw (target < {VERSION_MAX_EXTRA_MS} ms); paired 95% CI {lo:+.3} … {hi:+.3} ms{}",
                    m.case.label(),
                    confidence(hi < VERSION_MAX_EXTRA_MS, lo >= VERSION_MAX_EXTRA_MS)
                )
            }
            Case::MoveCursor | Case::ScreenSize => continue,
        };
        println!("- {line}");
    }
}

/// Says whether the confidence interval settles the verdict.
fn confidence(surely_within: bool, surely_over: bool) -> &'static str {
    if surely_within {
        " (the interval is within the target)"
    } else if surely_over {
        " (the whole interval is over the target)"
    } else {
        " (the interval straddles the target: within this run's noise)"
    }
}

/// Times each client's reply handling without the network, on the captured replies and synthetic 1 and 4 MiB
/// ones (a Retina-sized PNG), to show where a difference in the main table comes from.
async fn print_breakdown(results: &[Measured]) {
    const REPS: usize = 50;
    let synthetic = [
        (1usize, synthetic_reply(1 << 20)),
        (4, synthetic_reply(4 << 20)),
    ];
    let mut replies: Vec<(String, &'static str, &str, bool)> = results
        .iter()
        .filter(|m| m.case.is_image() || m.case == Case::Version)
        .map(|m| {
            (
                m.case.label(),
                m.case.command(),
                m.last_reply.as_str(),
                m.case.is_image(),
            )
        })
        .collect();
    for (mib, text) in &synthetic {
        replies.push((
            format!("synthetic {mib} MiB screenshot"),
            "screenshot",
            text.as_str(),
            true,
        ));
    }
    println!();
    println!(
        "Where the time goes: each client's reply handling without the network (µs, median of {REPS}, the two \
         clients alternating; ours replicates `connection.rs` + `Reply::parse` + `Screenshot::from_reply`):"
    );
    println!();
    println!(
        "| Reply | Bytes | Client | Frame → `String` copy | JSON parse | base64 decode | Free | Total (median of sums) |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for (label, command, text, image) in replies {
        let mut ours: Vec<[f64; 4]> = Vec::with_capacity(REPS);
        let mut raw: Vec<[f64; 4]> = Vec::with_capacity(REPS);
        for _ in 0..REPS {
            ours.push(ours_steps(command, text, image));
            raw.push(raw_steps(text, image));
        }
        for (client, steps) in [("ours", &ours), ("raw", &raw)] {
            let column = |k: usize| stats(&steps.iter().map(|s| s[k]).collect::<Vec<_>>()).0;
            let total = stats(&steps.iter().map(|s| s.iter().sum()).collect::<Vec<f64>>()).0;
            println!(
                "| {label} | {} | {client} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
                text.len(),
                column(0),
                column(1),
                column(2),
                column(3),
                total
            );
        }
    }
    println!();
    println!(
        "Actor hop model (a job over a bounded mpsc channel to another task, the answer over a oneshot, no I/O; \
         median of 1000): {:.1} µs",
        actor_hop_model(1000).await * 1000.0
    );
}

async fn run(url: String, flavor: Flavor) -> Result<(), BenchError> {
    let client = Client::new(Endpoint::parse(&url)?, ClientOptions::default());
    let mut raw = RawClient::connect(&url).await?;
    let version = client.version().await?;
    let size = client.screen_size().await?;
    eprintln!(
        "roundtrip: cua-computer-server {} at {url}, screen {}x{}",
        version.package, size.width, size.height
    );
    let mut results = Vec::new();
    for case in Case::ALL {
        eprintln!(
            "roundtrip: {} ({} warm-up + {} each)",
            case.label(),
            WARMUP,
            case.samples()
        );
        results.push(measure(case, &mut raw, &client).await?);
    }
    println!(
        "## cua-protocol round trip: our client vs raw tokio-tungstenite (cua-computer-server {}, screen {}x{})",
        version.package, size.width, size.height
    );
    println!();
    print_table(&results, flavor);
    print_verdicts(&results);
    print_breakdown(&results).await;
    Ok(())
}

/// The tokio runtime flavour to measure on (`CUA_BENCH_RUNTIME`).
#[derive(Debug, Clone, Copy)]
enum Flavor {
    /// The product's: the caller and the client's connection task may run on different worker threads.
    MultiThread,
    /// Everything on one thread: no cross-thread wake-ups, isolates what the actor hop costs beyond them.
    CurrentThread,
}

impl Flavor {
    fn from_env() -> Result<Flavor, BenchError> {
        match std::env::var("CUA_BENCH_RUNTIME")
            .unwrap_or_default()
            .as_str()
        {
            "" | "multi_thread" => Ok(Flavor::MultiThread),
            "current_thread" => Ok(Flavor::CurrentThread),
            other => Err(BenchError::BadRuntime(other.to_string())),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Flavor::MultiThread => {
                "tokio multi-thread runtime (the benchmark runs as a spawned task)"
            }
            Flavor::CurrentThread => {
                "tokio current-thread runtime (CUA_BENCH_RUNTIME=current_thread)"
            }
        }
    }
}

fn main() -> ExitCode {
    let outcome = (|| {
        let url = std::env::var("CUA_WS_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .ok_or(BenchError::NoUrl)?;
        let flavor = Flavor::from_env()?;
        let mut builder = match flavor {
            Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread(),
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        };
        let runtime = builder.enable_all().build().map_err(BenchError::Runtime)?;
        // Run as a spawned task, as a tool call in the product does (on a worker thread, not the main thread).
        runtime.block_on(async {
            tokio::spawn(run(url, flavor))
                .await
                .map_err(|e| BenchError::Task(e.to_string()))?
        })
    })();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roundtrip: error: {e}");
            ExitCode::FAILURE
        }
    }
}
