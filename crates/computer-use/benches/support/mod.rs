//! Shared by the benchmarks (`screenshot`, `lanes`, `soak`, `tokens`): summary statistics and numeric settings
//! read from the environment, so every table computes its medians the same way, and the raw capture floor.
#![allow(dead_code)] // each bench uses a part

pub mod raw;

/// Median and p90 (nearest rank) of samples in ms.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub n: usize,
    pub median: f64,
    pub p90: f64,
}

impl Stats {
    pub fn of(samples: &[f64]) -> Stats {
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let rank = |p: f64| {
            let i = ((p * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
            s.get(i).copied().unwrap_or(f64::NAN)
        };
        Stats {
            n,
            median: rank(0.5),
            p90: rank(0.9),
        }
    }
}

/// A numeric setting that is not a whole number at or above its minimum.
#[derive(Debug, thiserror::Error)]
#[error("{name} must be a whole number >= {min}, got `{value}`")]
pub struct BadNumber {
    name: &'static str,
    min: usize,
    value: String,
}

/// The whole number in environment variable `name` (at least `min`), or `default` when it is unset.
pub fn env_number(name: &'static str, default: usize, min: usize) -> Result<usize, BadNumber> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => match value.trim().parse::<usize>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(BadNumber { name, min, value }),
        },
    }
}
