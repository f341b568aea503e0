//! Picks a free loopback TCP port and a free X display number for a private desktop, so tests running in
//! parallel (threads of one `cargo test`, or separate nextest processes) do not collide. Both picks are
//! racy by nature; `local_desktop::up` reports a collision as its own error (display or port taken) and
//! the harness retries with new numbers.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;

/// Display numbers are drawn from this range, away from the usual :0..:99 of real sessions.
const DISPLAYS: std::ops::Range<u32> = 100..30_000;

/// A port the kernel considered free a moment ago (bind to port 0, read it, release it).
pub(crate) fn free_port() -> u16 {
    match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(err) => panic!("testkit::desktop: cannot bind 127.0.0.1:0 to find a free port: {err}"),
    }
}

/// A display number whose socket and lock file do not exist.
pub(crate) fn free_display() -> u32 {
    for _ in 0..1000 {
        let n = DISPLAYS.start + (random() % u64::from(DISPLAYS.end - DISPLAYS.start)) as u32;
        let socket = format!("/tmp/.X11-unix/X{n}");
        let lock = format!("/tmp/.X{n}-lock");
        if !Path::new(&socket).exists() && !Path::new(&lock).exists() {
            return n;
        }
    }
    panic!(
        "testkit::desktop: no free X display number in {DISPLAYS:?} after 1000 tries (stale /tmp/.X*-lock files?)"
    )
}

/// A random number from the standard library's per-instance random hash keys (no `rand` dependency).
fn random() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish()
}
