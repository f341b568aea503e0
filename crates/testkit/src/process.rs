//! Resource figures of a process from `/proc` (Linux), for soak tests and benchmarks that must show memory and
//! open file descriptors stay flat over thousands of actions.

use std::io;

/// Resident set size and open file descriptors at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// `VmRSS` from `/proc/PID/status`, in KiB.
    pub rss_kib: u64,
    /// Entries in `/proc/PID/fd`.
    pub fds: usize,
}

impl Usage {
    /// This process's usage.
    pub fn current() -> io::Result<Usage> {
        Usage::of("self")
    }

    /// The usage of process `pid` (a number, or `self`).
    pub fn of(pid: &str) -> io::Result<Usage> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let rss_kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| io::Error::other(format!("no VmRSS in /proc/{pid}/status")))?;
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))?.count();
        Ok(Usage { rss_kib, fds })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_descriptors() {
        let usage = Usage::current().unwrap_or_else(|e| panic!("{e}"));
        assert!(usage.rss_kib > 0, "{usage:?}");
        // stdin, stdout and stderr at least.
        assert!(usage.fds >= 3, "{usage:?}");
    }
}
