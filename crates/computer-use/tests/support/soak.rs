//! The soak driver, shared by the CI test (`tests/reliability_soak.rs`, ~1,500 actions) and the benchmark
//! (`benches/soak.rs` via `bench/soak.sh`, 10,000 or more): mixed actions through the core
//! (`tools::call`, as every face calls it) on one VM, two callers at once — one on the GUI lane (moves,
//! cursor reads, screenshots), one on the shell lane (commands, file writes and reads) — each reply checked by
//! content. It samples this process's resident memory and open file descriptors as it goes.
//!
//! Included with `#[path]` by both targets (a test and a bench cannot share a module otherwise).
#![allow(dead_code)]

use std::time::{Duration, Instant};

use base64::Engine as _;
use computer_use::tools::{Content, ToolContext, ToolOutput};
use serde_json::json;
use testkit::process::Usage;

/// Configuration keys a soak runs with (JSON5 object body, to add to the provider's keys). The rate limit
/// is off because a soak *is* a runaway loop by design, and so is the loop guard (a static screen gives
/// identical screenshots); both are tested on their own in `guards*.rs`.
pub const SOAK_CONFIG: &str =
    "screenshotScale: 0.5, guards: { rate: {enabled: false}, loop: {enabled: false} }";

/// One resource sample: after `actions` actions.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Actions completed so far.
    pub actions: usize,
    /// When.
    pub at: Duration,
    /// This process's usage then.
    pub usage: Usage,
}

/// What a soak found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Actions made (both callers).
    pub actions: usize,
    /// Failed or wrong replies.
    pub errors: usize,
    /// The first few of them.
    pub first_errors: Vec<String>,
    /// Resource samples: after the warm-up, then every `sample_every` actions, then at the end.
    pub samples: Vec<Sample>,
    /// Wall time of the measured part (after the warm-up).
    pub took: Duration,
    /// Actions per tool.
    pub per_tool: Vec<(&'static str, usize)>,
}

impl Report {
    /// The first sample (after the warm-up: both lanes connected, buffers allocated).
    pub fn start(&self) -> Usage {
        self.samples
            .first()
            .map_or(Usage { rss_kib: 0, fds: 0 }, |s| s.usage)
    }

    /// The last sample.
    pub fn end(&self) -> Usage {
        self.samples.last().map_or(self.start(), |s| s.usage)
    }

    /// The largest resident size seen.
    pub fn peak_rss_kib(&self) -> u64 {
        self.samples
            .iter()
            .map(|s| s.usage.rss_kib)
            .max()
            .unwrap_or(0)
    }
}

/// The GUI caller's cycle: mostly cheap pointer calls, one screenshot in eight.
const GUI_CYCLE: [&str; 8] = [
    "vm_move",
    "vm_cursor",
    "vm_move",
    "vm_cursor",
    "vm_screenshot",
    "vm_move",
    "vm_cursor",
    "vm_cursor",
];
/// The shell caller's cycle: commands, and a file written then read back.
const SHELL_CYCLE: [&str; 4] = ["vm_exec", "vm_exec", "vm_file_write", "vm_file_read"];

/// Runs `warmup` actions, then `actions` more, sampling usage every `sample_every` actions. `scratch` is a
/// directory inside the VM for the file actions.
pub async fn run(
    ctx: &ToolContext,
    warmup: usize,
    actions: usize,
    sample_every: usize,
    scratch: &str,
) -> Report {
    // Warm-up: connect both lanes, take the first frame, allocate what steady state needs.
    let mut state = State::new(scratch);
    for i in 0..warmup {
        let tool = if i % 2 == 0 {
            GUI_CYCLE[i / 2 % GUI_CYCLE.len()]
        } else {
            SHELL_CYCLE[i / 2 % SHELL_CYCLE.len()]
        };
        let _ = state.act(ctx, tool, i).await;
    }
    settle().await;
    let started = Instant::now();
    let mut report = Report {
        actions: 0,
        errors: 0,
        first_errors: Vec::new(),
        samples: vec![sample(0, started)],
        took: Duration::ZERO,
        per_tool: Vec::new(),
    };
    let mut done = 0;
    while done < actions {
        let chunk = sample_every.min(actions - done).max(2);
        // Two callers at once, one per lane, half of the chunk each.
        let (gui, shell) = tokio::join!(
            state.gui.clone().lane(ctx, &GUI_CYCLE, done / 2, chunk / 2),
            state
                .shell
                .clone()
                .lane(ctx, &SHELL_CYCLE, done / 2, chunk - chunk / 2),
        );
        state.gui = gui.0;
        state.shell = shell.0;
        for (tool, outcome) in gui.1.into_iter().chain(shell.1) {
            report.actions += 1;
            *count(&mut report.per_tool, tool) += 1;
            if let Err(e) = outcome {
                report.errors += 1;
                if report.first_errors.len() < 5 {
                    report.first_errors.push(format!("{tool}: {e}"));
                }
            }
        }
        done += chunk;
        if done < actions {
            report.samples.push(sample(done, started));
        }
    }
    report.took = started.elapsed();
    settle().await;
    report.samples.push(sample(report.actions, started));
    report
}

fn count<'a>(per_tool: &'a mut Vec<(&'static str, usize)>, tool: &'static str) -> &'a mut usize {
    let i = match per_tool.iter().position(|(t, _)| *t == tool) {
        Some(i) => i,
        None => {
            per_tool.push((tool, 0));
            per_tool.len() - 1
        }
    };
    &mut per_tool[i].1
}

/// Lets finished calls' clean-up (dropped sockets, blocking-pool work) complete before a sample.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}

fn sample(actions: usize, started: Instant) -> Sample {
    Sample {
        actions,
        at: started.elapsed(),
        usage: Usage::current().unwrap_or(Usage { rss_kib: 0, fds: 0 }),
    }
}

/// Per-caller state: where the pointer should be, the scratch file.
#[derive(Debug, Clone)]
struct Caller {
    scratch: String,
    pointer: Option<(f64, f64)>,
    written: Option<String>,
}

#[derive(Debug)]
struct State {
    gui: Caller,
    shell: Caller,
}

impl State {
    fn new(scratch: &str) -> State {
        let caller = Caller {
            scratch: scratch.to_owned(),
            pointer: None,
            written: None,
        };
        State {
            gui: caller.clone(),
            shell: caller,
        }
    }

    async fn act(&mut self, ctx: &ToolContext, tool: &'static str, i: usize) -> Result<(), String> {
        if GUI_CYCLE.contains(&tool) {
            self.gui.act(ctx, tool, i).await
        } else {
            self.shell.act(ctx, tool, i).await
        }
    }
}

impl Caller {
    /// `n` actions of `cycle`, starting at position `from`.
    async fn lane(
        mut self,
        ctx: &ToolContext,
        cycle: &[&'static str],
        from: usize,
        n: usize,
    ) -> (Caller, Vec<(&'static str, Result<(), String>)>) {
        let mut out = Vec::with_capacity(n);
        for i in from..from + n {
            let tool = cycle[i % cycle.len()];
            out.push((tool, self.act(ctx, tool, i).await));
        }
        (self, out)
    }

    /// One action, its reply checked by content.
    async fn act(&mut self, ctx: &ToolContext, tool: &'static str, i: usize) -> Result<(), String> {
        let token = format!("soak-{}-{i}", std::process::id());
        let args = match tool {
            // A new point every time, inside the half-scale image of any screen of 320x200 or more.
            "vm_move" => {
                let p = (
                    f64::from((i * 37 % 150) as u32) + 5.0,
                    f64::from((i * 11 % 90) as u32) + 5.0,
                );
                self.pointer = Some(p);
                json!({"x": p.0, "y": p.1})
            }
            "vm_exec" => json!({"command": format!("echo {token}")}),
            "vm_file_write" => {
                self.written = Some(token.clone());
                json!({"path": format!("{}/soak.txt", self.scratch), "content": token})
            }
            "vm_file_read" => json!({"path": format!("{}/soak.txt", self.scratch)}),
            _ => json!({}),
        };
        let out = computer_use::tools::call(ctx, tool, args)
            .await
            .map_err(|e| e.message)?;
        self.check(tool, &token, &out)
    }

    fn check(&self, tool: &str, token: &str, out: &ToolOutput) -> Result<(), String> {
        let d = &out.details;
        let ok = match tool {
            "vm_exec" => d["stdout"].as_str() == Some(format!("{token}\n").as_str()),
            "vm_cursor" => match self.pointer {
                Some((x, y)) => {
                    (d["x"].as_f64().unwrap_or(-1.0) - x).abs() <= 1.0
                        && (d["y"].as_f64().unwrap_or(-1.0) - y).abs() <= 1.0
                }
                None => true,
            },
            // An image, or for a screen that did not change since the last image "unchanged since frame N",
            // where N is the frame the reply reissues (`screenshot.skipUnchanged`).
            "vm_screenshot" => {
                out.content.iter().any(|c| match c {
                    Content::Image { base64, .. } => base64::engine::general_purpose::STANDARD
                        .decode(base64)
                        .is_ok_and(|b| b.len() > 100),
                    _ => false,
                }) || (d["unchangedSince"].is_u64() && d["unchangedSince"] == d["frame"])
            }
            "vm_file_read" => match (&self.written, out.content.first()) {
                (Some(w), Some(Content::Text(t))) => t == w,
                (None, _) => true,
                _ => false,
            },
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("wrong reply: {:?}", out.details))
        }
    }
}
