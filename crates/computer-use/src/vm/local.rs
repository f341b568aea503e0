//! The `local` provider's lifecycle (`computer-use vm up|down|status`): the local desktop — Xvfb, openbox
//! and cua-computer-server on loopback — started and stopped by the `local-desktop` crate, on the port the
//! configuration gives the local provider (`serverPort`, 8000 by default), so `vm up` starts exactly the
//! server the other commands then connect to.

use std::path::PathBuf;
use std::time::Duration;

pub use local_desktop::{
    DesktopConfig, Display, EXIT_DISPLAY_TAKEN, EXIT_PORT_TAKEN, PartState, ProcRef, Screen,
    Status, Supervision, Up, WatchdogHost, watchdog,
};

use crate::config::{Provider, VmTarget};
use crate::vm::VmError;

/// Choices for the desktop beyond the configuration; `None` takes the environment's `CUA_*` value, then
/// the default.
#[derive(Debug, Clone, Default)]
pub struct LocalDesktopOptions {
    /// The X display (default `:99`).
    pub display: Option<Display>,
    /// The screen (default 1280x800x24).
    pub screen: Option<Screen>,
    /// The server port (default: the configuration's `serverPort` for the local provider).
    pub port: Option<u16>,
    /// The state directory (default `~/.cache/computer-use/desktop`).
    pub state_dir: Option<PathBuf>,
    /// How long to wait for the server (default 20 s).
    pub ready_timeout: Option<Duration>,
    /// What else ends the desktop.
    pub supervision: Supervision,
}

/// The local desktop of a `local` target.
pub struct LocalDesktopVm {
    config: DesktopConfig,
}

impl LocalDesktopVm {
    /// Only `local` targets have a local desktop; others get an error that says so.
    pub fn for_target(
        target: &VmTarget,
        options: LocalDesktopOptions,
    ) -> Result<LocalDesktopVm, VmError> {
        let Provider::Local { url } = &target.provider else {
            return Err(VmError::Lifecycle(format!(
                "VM '{}' uses the `{}` provider, which has no local desktop to manage",
                target.name,
                target.provider.kind().as_str()
            )));
        };
        let mut config = DesktopConfig::from_env(|k| std::env::var(k).ok())?;
        config.port = options
            .port
            .or_else(|| url.port_or_known_default())
            .unwrap_or(local_desktop::DEFAULT_PORT);
        if let Some(display) = options.display {
            config.display = display;
        }
        if let Some(screen) = options.screen {
            config.screen = screen;
        }
        if let Some(dir) = options.state_dir {
            config.state_dir = dir;
        }
        if let Some(timeout) = options.ready_timeout {
            config.ready_timeout = timeout;
        }
        config.supervision = options.supervision;
        Ok(LocalDesktopVm { config })
    }

    /// What `up` would start.
    pub fn config(&self) -> &DesktopConfig {
        &self.config
    }

    /// Starts the desktop (idempotent) and waits until the server answers; `progress` gets a line per step.
    pub async fn up(&self, mut progress: impl FnMut(&str) + Send + 'static) -> Result<Up, VmError> {
        let config = self.config.clone();
        blocking(move || local_desktop::up(&config, &mut progress)).await
    }

    /// Stops the desktop; `false` when none was up.
    pub async fn down(
        &self,
        mut progress: impl FnMut(&str) + Send + 'static,
    ) -> Result<bool, VmError> {
        let dir = self.config.state_dir.clone();
        blocking(move || local_desktop::down(&dir, &mut progress)).await
    }

    /// What runs.
    pub async fn status(&self) -> Result<Status, VmError> {
        let dir = self.config.state_dir.clone();
        blocking(move || local_desktop::status(&dir)).await
    }
}

/// Runs a blocking lifecycle call off the async threads (a start-up takes seconds).
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, local_desktop::Error> + Send + 'static,
) -> Result<T, VmError> {
    match tokio::task::spawn_blocking(call).await {
        Ok(result) => Ok(result?),
        Err(join) => Err(VmError::Lifecycle(format!(
            "the local desktop's lifecycle task failed: {join}"
        ))),
    }
}
