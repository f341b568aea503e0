//! Processes as `/proc` shows them, and stopping whole process groups.
//!
//! Why `/proc` and start times: the desktop's processes outlive the command that started them, so later
//! commands (`down`, `status`, the watchdog) only have the pids recorded in the state file. A pid can be
//! reused by an unrelated process after ours exited, so every recorded pid carries its start time
//! (`/proc/PID/stat` field 22) and is only trusted while both match. Zombies count as gone: a container's
//! PID 1 may never reap the orphans the desktop leaves behind, and a zombie holds no display, port or file.

use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitOptions};
use serde::{Deserialize, Serialize};

/// A process recorded by pid and start time, so a reused pid is never mistaken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcRef {
    /// The pid; also its process-group id, since every desktop process leads its own group.
    pub pid: u32,
    /// Clock ticks after boot at which it started (`/proc/PID/stat` field 22).
    pub start: u64,
}

impl ProcRef {
    /// The process `pid` as it is now; `None` when there is no such live process.
    pub fn of(pid: u32) -> Option<ProcRef> {
        let stat = Stat::read(pid)?;
        stat.live().then_some(ProcRef {
            pid,
            start: stat.start,
        })
    }

    /// A child this process just started: recorded even if it already exited (a zombie until reaped), so
    /// the failure is reported from its log and `down` still knows the pid.
    pub(crate) fn of_child(child: &std::process::Child) -> ProcRef {
        let pid = child.id();
        ProcRef {
            pid,
            start: Stat::read(pid).map_or(0, |s| s.start),
        }
    }

    /// True while this very process (same pid and start time) runs and is not a zombie.
    pub fn alive(&self) -> bool {
        Stat::read(self.pid).is_some_and(|s| s.live() && s.start == self.start)
    }
}

/// The fields of `/proc/PID/stat` this crate needs.
struct Stat {
    state: char,
    pgid: u32,
    start: u64,
}

impl Stat {
    fn read(pid: u32) -> Option<Stat> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Stat::parse(&text)
    }

    /// Field 2 (the command name) may contain spaces and parentheses, so fields are counted after the last `)`.
    fn parse(text: &str) -> Option<Stat> {
        let (_, rest) = text.rsplit_once(')')?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(Stat {
            state: fields.first()?.chars().next()?,
            pgid: fields.get(2)?.parse().ok()?,
            start: fields.get(19)?.parse().ok()?,
        })
    }

    fn live(&self) -> bool {
        !matches!(self.state, 'Z' | 'X')
    }
}

/// True when `pid` is a live process (zombies count as gone).
pub fn process_alive(pid: u32) -> bool {
    Stat::read(pid).is_some_and(|s| s.live())
}

/// The command line of `pid`, for messages ("display :99 is in use by pid 42 (Xvfb :99 …)").
pub(crate) fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            raw.split(|b| *b == 0)
                .filter(|part| !part.is_empty())
                .map(|part| String::from_utf8_lossy(part).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// True when some live (non-zombie) process is in process group `pgid`.
pub fn group_alive(pgid: u32) -> bool {
    let Some(pid) = rustix_pid(pgid) else {
        return false;
    };
    // Fast path: no process at all in the group. The signal-0 probe also succeeds for zombies, hence the scan.
    if rustix::process::test_kill_process_group(pid).is_err() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .any(|p| Stat::read(p).is_some_and(|s| s.pgid == pgid && s.live()))
}

/// Sends `signal` to every process of group `pgid`; a group that is already gone is not an error.
pub(crate) fn signal_group(pgid: u32, signal: Signal) -> std::io::Result<()> {
    let Some(pid) = rustix_pid(pgid) else {
        return Ok(());
    };
    match rustix::process::kill_process_group(pid, signal) {
        Ok(()) | Err(rustix::io::Errno::SRCH) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Polls until group `pgid` has no live process, for at most `limit`; true when it is gone.
pub(crate) fn wait_group_gone(pgid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        reap(pgid);
        if !group_alive(pgid) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// How a process group was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// Nothing of it was running.
    WasGone,
    /// It ended after SIGTERM.
    Terminated,
    /// It ignored SIGTERM for [`TERM_GRACE`] and was killed.
    Killed,
    /// Its leader's pid belongs to another process now: left alone.
    PidReused,
}

/// How long a group gets to exit after SIGTERM before SIGKILL.
pub(crate) const TERM_GRACE: Duration = Duration::from_secs(5);

/// Stops the process group led by `leader`: SIGTERM plus SIGCONT (a frozen group holds SIGTERM until it
/// continues), then SIGKILL after [`TERM_GRACE`]. Fails only when the group survives SIGKILL.
pub(crate) fn stop_group(leader: ProcRef) -> std::io::Result<Stopped> {
    if process_alive(leader.pid) && !leader.alive() {
        return Ok(Stopped::PidReused);
    }
    if !group_alive(leader.pid) {
        reap(leader.pid);
        return Ok(Stopped::WasGone);
    }
    signal_group(leader.pid, Signal::TERM)?;
    signal_group(leader.pid, Signal::CONT)?;
    if wait_group_gone(leader.pid, TERM_GRACE) {
        return Ok(Stopped::Terminated);
    }
    signal_group(leader.pid, Signal::KILL)?;
    if wait_group_gone(leader.pid, TERM_GRACE) {
        return Ok(Stopped::Killed);
    }
    Err(std::io::Error::other(format!(
        "process group {} is still running {} s after SIGKILL",
        leader.pid,
        TERM_GRACE.as_secs()
    )))
}

/// Reaps `pid` if it is a child of this process that has exited, so a long-lived owner (a test process)
/// does not collect zombies. Anything else (not our child, still running) is left as it is.
pub(crate) fn reap(pid: u32) {
    if let Some(p) = rustix_pid(pid) {
        let _ = rustix::process::waitpid(Some(p), WaitOptions::NOHANG);
    }
}

fn rustix_pid(pid: u32) -> Option<Pid> {
    Pid::from_raw(i32::try_from(pid).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_last_parenthesis() {
        let line = "4242 (we ird) (name)) S 1 4240 4240 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2 3";
        let stat = Stat::parse(line).unwrap_or_else(|| panic!("unparsed: {line}"));
        assert_eq!(stat.state, 'S');
        assert_eq!(stat.pgid, 4240);
        assert_eq!(stat.start, 987654);
    }

    #[test]
    fn this_process_is_alive_and_a_reused_pid_is_not_it() {
        let me = ProcRef::of(std::process::id())
            .unwrap_or_else(|| panic!("no /proc entry for this process"));
        assert!(me.alive());
        let other = ProcRef {
            start: me.start + 1,
            ..me
        };
        assert!(!other.alive(), "a different start time must not match");
    }
}
