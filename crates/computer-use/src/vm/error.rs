//! Errors of the VM layer: the protocol's errors, re-worded where the provider knows a better fix.

use std::time::Duration;

use crate::config::ConfigError;
use crate::hint::HintLine;

/// An error reaching or driving a VM.
///
/// Like every error of the workspace it says what happened ([`VmError::message`]) and what to do
/// ([`VmError::hint`]); `Display` is the two joined. A wrapped error (configuration, Lume, protocol) is shown
/// as itself: its message, hint and source are the wrapped error's.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", self.message(), HintLine(self.hint()))]
#[non_exhaustive]
pub enum VmError {
    /// The configuration does not name a usable VM.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Nothing listens where the local desktop's server should be.
    LocalDesktopDown {
        /// The loopback URL.
        url: String,
    },
    /// The Lume API refused or failed.
    #[error(transparent)]
    Lume(#[from] lume_api::LumeError),
    /// A lifecycle action is not possible for this VM; the text says why.
    Lifecycle(String),
    /// A VM started or watched by the lifecycle did not get an IP address in time.
    NoIpAddress {
        /// Lume's name of the VM.
        vm: String,
        /// How long it was waited for.
        waited: Duration,
        /// Lume's status of the VM at the end (`running`, `stopped`, …).
        status: String,
    },
    /// The local desktop could not be started, checked or stopped (its text says what to do).
    LocalDesktop(#[from] local_desktop::Error),
    /// The server (or the way to it) failed.
    #[error(transparent)]
    Protocol(#[from] cua_protocol::Error),
}

impl VmError {
    /// Whether the failed action may have reached the server (see [`cua_protocol::Outcome`]).
    pub fn outcome(&self) -> cua_protocol::Outcome {
        match self {
            VmError::Protocol(e) => e.outcome(),
            _ => cua_protocol::Outcome::NotSent,
        }
    }

    /// What happened, without what to do about it (that is [`VmError::hint`]); a wrapped error's own message.
    pub fn message(&self) -> String {
        match self {
            VmError::Config(e) => e.message(),
            VmError::LocalDesktopDown { url } => {
                format!("nothing listens at {url}: the local desktop is not running")
            }
            VmError::Lume(e) => e.message(),
            VmError::Lifecycle(message) => message.clone(),
            VmError::NoIpAddress { vm, waited, status } => format!(
                "VM '{vm}' did not get an IP address within {}s (status `{status}`)",
                waited.as_secs()
            ),
            VmError::LocalDesktop(e) => e.to_string(),
            VmError::Protocol(e) => e.message(),
        }
    }

    /// What to do about it, computed from the variant's data; a wrapped error's own hint. `None` when the
    /// message is all there is to say. Faces show it as the fix (the doctor's `fix:` line); `Display` prints
    /// it after the message as `"\n  hint: …"`.
    pub fn hint(&self) -> Option<String> {
        match self {
            VmError::Config(e) => e.hint(),
            VmError::LocalDesktopDown { .. } => Some(
                "start it with `computer-use vm up` (Xvfb + openbox + cua-computer-server on loopback), or configure `provider`/`serverUrl` to reach a running cua-computer-server"
                    .to_owned(),
            ),
            VmError::Lume(e) => e.hint(),
            VmError::Lifecycle(_) => None,
            VmError::NoIpAddress { .. } => {
                Some("check `lume ls` and the VM's network mode".to_owned())
            }
            VmError::LocalDesktop(_) => None,
            VmError::Protocol(e) => e.hint(),
        }
    }

    /// True if Lume says the configured VM does not exist (as opposed to Lume being unreachable or its URL
    /// wrong), so a caller can list the VMs Lume does know.
    pub fn is_vm_not_found(&self) -> bool {
        matches!(self, VmError::Lume(e) if e.is_not_found())
    }

    /// True if the Lume URL is wrong: the server there answered 404 (an unknown route), which never means
    /// that the VM is missing.
    pub fn is_wrong_lume_url(&self) -> bool {
        matches!(self, VmError::Lume(e) if e.is_route_not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_separate_from_messages_and_displayed_after_them() {
        let errors = [
            VmError::LocalDesktopDown {
                url: "ws://127.0.0.1:8000/ws".into(),
            },
            VmError::NoIpAddress {
                vm: "openclaw-vm".into(),
                waited: Duration::from_secs(60),
                status: "running".into(),
            },
            VmError::Lume(lume_api::LumeError::VmNotFound { name: "a".into() }),
            VmError::Protocol(cua_protocol::Error::WrongPath {
                url: "ws://h:1/x".into(),
            }),
        ];
        for e in errors {
            let (message, hint) = (e.message(), e.hint());
            let Some(hint) = hint else {
                panic!("{e:?} has a hint")
            };
            assert!(!hint.is_empty() && !message.contains(&hint), "{e:?}");
            assert!(!message.contains("hint:"), "{message}");
            assert_eq!(e.to_string(), format!("{message}\n  hint: {hint}"));
        }
        let lifecycle = VmError::Lifecycle("VM 'a' is `pulling`".into());
        assert_eq!(lifecycle.hint(), None);
        assert_eq!(lifecycle.to_string(), "VM 'a' is `pulling`");
    }

    #[test]
    fn a_wrapped_error_is_shown_as_itself() {
        let inner = lume_api::LumeError::RouteNotFound {
            url: "http://h:1/x/lume/vms".into(),
            base: "http://h:1/x".into(),
        };
        let e = VmError::Lume(inner.clone());
        assert_eq!(e.to_string(), inner.to_string());
        assert_eq!((e.message(), e.hint()), (inner.message(), inner.hint()));
        assert!(e.is_wrong_lume_url() && !e.is_vm_not_found());
        assert_eq!(
            VmError::LocalDesktopDown {
                url: "ws://l/ws".into()
            }
            .to_string(),
            "nothing listens at ws://l/ws: the local desktop is not running\n  hint: start it with `computer-use vm up` (Xvfb + openbox + cua-computer-server on loopback), or configure `provider`/`serverUrl` to reach a running cua-computer-server"
        );
    }
}
