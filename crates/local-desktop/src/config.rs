//! What a desktop is made of (display, screen, port, state directory, the server's venv) and where the
//! defaults come from. The environment names are the ones `scripts/desktop` read (`CUA_DISPLAY`, `CUA_SCREEN`,
//! `CUA_PORT`, `CUA_STATE_DIR`, `CUA_VENV`, `COMPUTER_USE_CACHE`, `CUA_READY_TIMEOUT`), so existing setups keep
//! working; flags of `computer-use vm up` take precedence over them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The cua-computer-server version the venv holds (pinned by `scripts/bootstrap`).
pub const SERVER_VERSION: &str = "0.3.46";
/// The display number used when none is given (`:99`, away from a real session's `:0`).
pub const DEFAULT_DISPLAY: u32 = 99;
/// The server port used when none is given: cua-computer-server's own default.
pub const DEFAULT_PORT: u16 = 8000;
/// How long `up` waits for the server to answer when not told otherwise; its Python start-up takes 2–6 s on
/// a loaded 2-core machine.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(20);

/// An X display number, written `:99`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Display(pub u32);

impl Display {
    /// The X server's lock file for this display.
    pub fn lock_file(self) -> PathBuf {
        PathBuf::from(format!("/tmp/.X{}-lock", self.0))
    }

    /// The X server's Unix socket for this display.
    pub fn socket(self) -> PathBuf {
        PathBuf::from(format!("/tmp/.X11-unix/X{}", self.0))
    }
}

impl fmt::Display for Display {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}", self.0)
    }
}

impl FromStr for Display {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        s.strip_prefix(':')
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|&n| n < 65_536)
            .map(Display)
            .ok_or_else(|| Error::invalid("display", s, "a display like :99"))
    }
}

impl From<Display> for String {
    fn from(d: Display) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for Display {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

/// The virtual screen: width × height × colour depth, written `1280x800x24` (`1280x800` means depth 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Screen {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Bits per pixel: 8, 16, 24 or 32.
    pub depth: u32,
}

impl Default for Screen {
    fn default() -> Self {
        Screen {
            width: 1280,
            height: 800,
            depth: 24,
        }
    }
}

impl fmt::Display for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}x{}", self.width, self.height, self.depth)
    }
}

impl FromStr for Screen {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid("screen", s, "a size like 1280x800x24 (or 1280x800)");
        let parts: Vec<&str> = s.split('x').collect();
        let number = |i: usize| -> Result<u32, Error> {
            parts.get(i).and_then(|p| p.parse().ok()).ok_or_else(bad)
        };
        let (width, height) = (number(0)?, number(1)?);
        let depth = match parts.len() {
            2 => 24,
            3 => number(2)?,
            _ => return Err(bad()),
        };
        if width == 0 || height == 0 || !matches!(depth, 8 | 16 | 24 | 32) {
            return Err(bad());
        }
        Ok(Screen {
            width,
            height,
            depth,
        })
    }
}

impl From<Screen> for String {
    fn from(s: Screen) -> String {
        s.to_string()
    }
}

impl TryFrom<String> for Screen {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

/// Everything `up` needs to start a desktop.
#[derive(Debug, Clone)]
pub struct DesktopConfig {
    /// The X display to create.
    pub display: Display,
    /// Its screen.
    pub screen: Screen,
    /// The loopback port the server listens on.
    pub port: u16,
    /// State file, lock and logs of this desktop; one directory per desktop, so several run side by side.
    pub state_dir: PathBuf,
    /// The venv holding cua-computer-server (made by `scripts/bootstrap`).
    pub venv: PathBuf,
    /// How long to wait for the server's `GET /status`.
    pub ready_timeout: Duration,
    /// Extra environment for the server (tests use `CONTAINER_NAME` for its cloud mode).
    pub server_env: Vec<(String, String)>,
    /// What ends the desktop besides `down`.
    pub supervision: crate::Supervision,
}

impl DesktopConfig {
    /// The defaults, each overridable by the environment variable `scripts/desktop` read (looked up with `env`).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<DesktopConfig, Error> {
        let cache = cache_dir(&env);
        let display = match env("CUA_DISPLAY") {
            Some(d) => d
                .parse()
                .map_err(|_| Error::invalid("CUA_DISPLAY", &d, "a display like :99"))?,
            None => Display(DEFAULT_DISPLAY),
        };
        let screen = match env("CUA_SCREEN") {
            Some(s) => s
                .parse()
                .map_err(|_| Error::invalid("CUA_SCREEN", &s, "a size like 1280x800x24"))?,
            None => Screen::default(),
        };
        let port = match env("CUA_PORT") {
            Some(p) => {
                parse_port(&p).map_err(|_| Error::invalid("CUA_PORT", &p, "a port 1..65535"))?
            }
            None => DEFAULT_PORT,
        };
        let ready_timeout = match env("CUA_READY_TIMEOUT") {
            Some(t) => Duration::from_secs(
                t.parse()
                    .map_err(|_| Error::invalid("CUA_READY_TIMEOUT", &t, "whole seconds"))?,
            ),
            None => DEFAULT_READY_TIMEOUT,
        };
        Ok(DesktopConfig {
            display,
            screen,
            port,
            state_dir: state_dir_from(&env),
            venv: env("CUA_VENV")
                .map(PathBuf::from)
                .unwrap_or_else(|| cache.join(format!("cua-venv-{SERVER_VERSION}"))),
            ready_timeout,
            server_env: Vec::new(),
            supervision: crate::Supervision::None,
        })
    }

    /// The desktop's WebSocket URL, `ws://127.0.0.1:PORT/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    /// The server program inside the venv.
    pub fn server_program(&self) -> PathBuf {
        self.venv.join("bin").join("cua-computer-server")
    }
}

/// A port from text: 1..65535.
pub fn parse_port(text: &str) -> Result<u16, Error> {
    text.parse::<u16>()
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| Error::invalid("port", text, "a port 1..65535"))
}

/// `$CUA_STATE_DIR`, else `$COMPUTER_USE_CACHE/desktop`, else `~/.cache/computer-use/desktop`: where `down`
/// and `status` look when not told otherwise.
pub fn state_dir_from(env: &impl Fn(&str) -> Option<String>) -> PathBuf {
    env("CUA_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache_dir(env).join("desktop"))
}

fn cache_dir(env: &impl Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(dir) = env("COMPUTER_USE_CACHE") {
        return PathBuf::from(dir);
    }
    let home = env("HOME").unwrap_or_else(|| "/tmp".to_owned());
    Path::new(&home).join(".cache").join("computer-use")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_and_screens_parse_like_the_script_did() {
        assert_eq!(":4711".parse::<Display>().ok(), Some(Display(4711)));
        assert!("99".parse::<Display>().is_err());
        assert!(":x".parse::<Display>().is_err());
        let s: Screen = "1024x768".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), "1024x768x24");
        assert!("1024x768x12".parse::<Screen>().is_err());
        assert!("0x768".parse::<Screen>().is_err());
        assert!("1024".parse::<Screen>().is_err());
    }

    #[test]
    fn environment_names_of_scripts_desktop_still_work() {
        let vars = [
            ("CUA_DISPLAY", ":123"),
            ("CUA_SCREEN", "800x600x16"),
            ("CUA_PORT", "18000"),
            ("CUA_STATE_DIR", "/tmp/s"),
            ("COMPUTER_USE_CACHE", "/tmp/c"),
        ];
        let env = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let c = DesktopConfig::from_env(env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.display, Display(123));
        assert_eq!(c.screen.to_string(), "800x600x16");
        assert_eq!(c.port, 18000);
        assert_eq!(c.state_dir, PathBuf::from("/tmp/s"));
        assert_eq!(c.venv, PathBuf::from("/tmp/c/cua-venv-0.3.46"));
    }

    #[test]
    fn a_bad_variable_is_named_in_the_error() {
        let env = |k: &str| (k == "CUA_PORT").then(|| "70000".to_owned());
        let e = DesktopConfig::from_env(env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("CUA_PORT") && e.contains("70000"), "{e}");
    }
}
