//! `lume-fake`: the fake Lume HTTP API (`testkit::lume_fake`) as a process, for end-to-end tests that start
//! our binaries as separate processes. It is a FAKE: real Lume is macOS-only (see `docs/lume-api.md`).
//!
//! ```text
//! lume-fake [--port N] [--boot-after-ms MS] --vm NAME=IP[:STATUS] [--vm ...]
//! ```
//! `--vm openclaw-vm=127.0.0.1` is a running VM at that IP; `--vm a=:stopped` has no IP; STATUS is one of
//! running (default), stopped, provisioning, pulling. Prints `listening on http://127.0.0.1:PORT` on stdout
//! once it accepts connections, and runs until SIGTERM or SIGINT. Exit codes: 0 after a signal, 1 if the port
//! cannot be bound, 2 for bad arguments.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use testkit::lume_fake::{FakeVm, LumeFake, status};

const USAGE: &str =
    "usage: lume-fake [--port N] [--boot-after-ms MS] --vm NAME=IP[:STATUS] [--vm ...]
  STATUS: running (default) | stopped | provisioning | pulling; IP may be empty (no IP)";

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("lume-fake: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The handlers are installed before the "listening" line: whoever reads it may send SIGTERM at once, and
    // this thread may not run again before it arrives (a loaded machine).
    let signalled = shutdown_signal();
    let fake = match LumeFake::start_on(args.port, args.vms).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("lume-fake: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::from(1);
        }
    };
    println!("listening on {}", fake.url());
    // Whoever waits for the line reads it through a pipe: flush now, not at exit.
    let _ = std::io::stdout().flush();
    signalled.await;
    fake.stop().await;
    ExitCode::SUCCESS
}

struct Args {
    port: u16,
    vms: Vec<FakeVm>,
}

/// Parses the arguments; `Ok(None)` for `--help`.
fn parse(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut port = 0;
    let mut boot_after = None;
    let mut specs = Vec::new();
    while let Some(arg) = argv.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| argv.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let v = value()?;
                port = v
                    .parse()
                    .map_err(|_| format!("--port: `{v}` is not a port number"))?;
            }
            "--boot-after-ms" => {
                let v = value()?;
                let ms: u64 = v
                    .parse()
                    .map_err(|_| format!("--boot-after-ms: `{v}` is not a number"))?;
                boot_after = Some(Duration::from_millis(ms));
            }
            "--vm" => specs.push(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let mut vms = Vec::new();
    for spec in specs {
        let mut vm = parse_vm(&spec)?;
        vm.boot_after = boot_after;
        vms.push(vm);
    }
    Ok(Some(Args { port, vms }))
}

/// `NAME=IP[:STATUS]`; the status is split off only when it is a known word, so IPv6 addresses survive.
fn parse_vm(spec: &str) -> Result<FakeVm, String> {
    let (name, rest) = spec
        .split_once('=')
        .ok_or(format!("--vm `{spec}`: expected NAME=IP[:STATUS]"))?;
    if name.is_empty() {
        return Err(format!("--vm `{spec}`: the name is empty"));
    }
    let known = [
        status::RUNNING,
        status::STOPPED,
        status::PROVISIONING,
        status::PULLING,
    ];
    let (ip, status_name) = match rest.rsplit_once(':') {
        Some((ip, s)) if known.contains(&s) => (ip, s),
        _ => (rest, status::RUNNING),
    };
    let vm = if status_name == status::PULLING {
        FakeVm::pulling(name, 0.0)
    } else {
        FakeVm::new(name).status(status_name)
    };
    Ok(if ip.is_empty() { vm } else { vm.ip(ip) })
}

/// A future that ends at SIGTERM or SIGINT. The SIGTERM handler is installed when this is called, not when the
/// future is first polled.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_vms_and_port() {
        let a = args(&[
            "--port",
            "7777",
            "--vm",
            "openclaw-vm=127.0.0.1",
            "--vm=b=:stopped",
            "--vm",
            "c=::1",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(a.port, 7777);
        assert_eq!(a.vms[0], FakeVm::running("openclaw-vm", "127.0.0.1"));
        assert_eq!(a.vms[1], FakeVm::new("b"));
        assert_eq!(a.vms[2], FakeVm::running("c", "::1"));
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(args(&["--port", "x"]).is_err());
        assert!(args(&["--vm", "noequals"]).is_err());
        assert!(args(&["--vm"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        assert!(args(&["--help"]).unwrap().is_none());
    }
}
