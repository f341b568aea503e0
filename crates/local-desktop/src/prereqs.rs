//! What must be installed before `up` can work, checked up front so a missing part is one clear message
//! naming `scripts/bootstrap` (which installs all of it, idempotently) instead of a failed start-up halfway.
//! `up` never installs anything itself: installing needs root and minutes, which a lifecycle command should
//! not do behind the user's back.

use std::path::{Path, PathBuf};

use crate::Error;

/// A program the desktop runs, and the Debian package that has it.
struct Program {
    name: &'static str,
    package: &'static str,
    why: &'static str,
}

const PROGRAMS: &[Program] = &[
    Program {
        name: "Xvfb",
        package: "xvfb",
        why: "the virtual X display",
    },
    Program {
        name: "openbox",
        package: "openbox",
        why: "the window manager",
    },
    Program {
        name: "xdotool",
        package: "xdotool",
        why: "tells when openbox is ready",
    },
];

/// `setpriv` ties processes to their starter ([`crate::Supervision::TiedToThisProcess`]).
const SETPRIV: Program = Program {
    name: "setpriv",
    package: "util-linux",
    why: "ties the desktop to the test process",
};

/// Fails with [`Error::MissingParts`] when a program or the venv is missing.
pub(crate) fn check(venv: &Path, tied: bool) -> Result<(), Error> {
    let mut missing: Vec<String> = PROGRAMS
        .iter()
        .chain(tied.then_some(&SETPRIV))
        .filter(|p| find_program(p.name).is_none())
        .map(|p| format!("`{}` ({}; Debian package {})", p.name, p.why, p.package))
        .collect();
    let server = venv.join("bin").join("cua-computer-server");
    if !is_executable(&server) {
        missing.push(format!(
            "the cua-computer-server {} venv at {} (no {})",
            crate::SERVER_VERSION,
            venv.display(),
            server.display()
        ));
    } else if !venv.join(".complete").is_file() {
        missing.push(format!(
            "a complete venv at {} (scripts/bootstrap marks a finished install with .complete)",
            venv.display()
        ));
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::MissingParts {
        missing,
        bootstrap: bootstrap_command(venv),
    })
}

/// The exact command that installs the missing parts: `scripts/bootstrap` of the checkout this binary was
/// built in when it can be found (an absolute path then), with `CUA_VENV` when the venv is not the default.
pub fn bootstrap_command(venv: &Path) -> String {
    let script = checkout_bootstrap().unwrap_or_else(|| PathBuf::from("scripts/bootstrap"));
    // The venv `scripts/bootstrap` builds without being told (it reads the same variables, `CUA_VENV` aside).
    let default_venv = crate::DesktopConfig::from_env(|k| {
        (k != "CUA_VENV").then(|| std::env::var(k).ok()).flatten()
    })
    .map(|c| c.venv)
    .ok();
    match default_venv {
        Some(v) if v == venv => script.display().to_string(),
        _ => format!("CUA_VENV={} {}", venv.display(), script.display()),
    }
}

/// `scripts/bootstrap` next to `target/` when this executable was built in a source checkout
/// (`target/<profile>/computer-use`, or `target/<profile>/deps/<test>`), else in the current directory.
fn checkout_bootstrap() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let from_exe = exe
        .ancestors()
        .filter(|dir| dir.file_name().is_some_and(|n| n == "target"))
        .filter_map(Path::parent)
        .map(|root| root.join("scripts").join("bootstrap"));
    let from_cwd = std::env::current_dir()
        .ok()
        .map(|d| d.join("scripts").join("bootstrap"));
    from_exe.chain(from_cwd).find(|p| p.is_file())
}

/// The program's path on `PATH`, if it is there and executable.
pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
