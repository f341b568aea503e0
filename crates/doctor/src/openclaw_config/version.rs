//! Which OpenClaw the config is written for. Two shapes are known for certain (`docs/openclaw.md`, "Runtime and
//! roster"):
//! the pinned 2026.9.6 (verified: `agents.entries` + `ownership: "explicit"`, `tools.toolSearch`, the sandbox's
//! second allowlist) and the guide's 2026.2.19 (`agents.list` + `default: true`, none of those keys). Versions
//! before 2026.9 get the guide's shape, which 2026.9.6 also still accepts (as a legacy roster).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The OpenClaw version the tests pin and the docs describe.
pub const PINNED: &str = "2026.9.6";

/// How long `openclaw --version` may take (it answers in well under a second).
const DETECT_TIMEOUT: Duration = Duration::from_secs(20);

/// The config shape to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// 2026.9 and later: `agents.entries`, `ownership: "explicit"`, `tools.toolSearch: false`, the worker's
    /// `tools.sandbox.tools.alsoAllow`.
    Current,
    /// Before 2026.9 (the guide's 2026.2.19): `agents.list` with `default: true`, no 9.x-only keys.
    Legacy,
}

impl Target {
    /// The shape for an OpenClaw version such as `2026.9.6` or `OpenClaw 2026.2.19 (abc)`.
    pub fn for_version(version: &str) -> Option<Target> {
        let (year, minor, _) = parse(version)?;
        Some(if (year, minor) >= (2026, 9) {
            Target::Current
        } else {
            Target::Legacy
        })
    }
}

/// The first `YYYY.M.P` in `text`.
pub fn parse(text: &str) -> Option<(u32, u32, u32)> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find_map(|token| {
            let mut parts = token.trim_matches('.').split('.');
            let year = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            let patch = parts.next()?.parse().ok()?;
            (year >= 2000).then_some((year, minor, patch))
        })
}

/// Asks `openclaw --version` (from `PATH`); `Err` says why not (not installed, no suitable Node, no answer).
pub fn detect() -> Result<String, String> {
    let mut child = Command::new("openclaw")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("`openclaw` is not on PATH ({e})"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < DETECT_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) => {
                // Only our own child, by its handle.
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`openclaw --version` did not answer within {}s",
                    DETECT_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("`openclaw --version` failed: {e}")),
        }
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("`openclaw --version` failed: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    match parse(&text) {
        Some((y, m, p)) => Ok(format!("{y}.{m}.{p}")),
        None => Err(format!(
            "`openclaw --version` printed no version (exit {}): {}",
            output.status,
            text.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_pick_the_shape() {
        assert_eq!(parse("OpenClaw 2026.9.6 (eb377ac)"), Some((2026, 9, 6)));
        assert_eq!(Target::for_version("2026.9.6"), Some(Target::Current));
        assert_eq!(Target::for_version("2026.10.1"), Some(Target::Current));
        assert_eq!(Target::for_version("2027.1.0"), Some(Target::Current));
        assert_eq!(Target::for_version("2026.2.19"), Some(Target::Legacy));
        assert_eq!(Target::for_version("v1.2"), None);
    }
}
