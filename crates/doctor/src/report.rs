//! What every check produces: a [`Check`] (id, [`Status`], message, optional fix) and the [`Report`] that
//! collects them in order. Serialised as-is for `computer-use doctor --json`, so the field names are an
//! interface for scripts: `id`, `status` (`pass`/`fail`/`warn`/`info`/`skip`), `message`, `fix`.

use computer_use::Hinted;
use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Works as it should.
    Pass,
    /// Broken: the deployment (or its security posture) needs the fix. Makes the exit status non-zero.
    Fail,
    /// Works, but a risk or a likely mistake is worth fixing.
    Warn,
    /// Worth knowing; nothing to fix.
    Info,
    /// Not run: it does not apply, or an earlier failure means it cannot run (the message says which).
    Skip,
}

impl Status {
    /// The one-character mark of the human output: ✓ ✗ ! i -.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Warn => "!",
            Status::Info => "i",
            Status::Skip => "-",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable dotted id, e.g. `vm.running` or `posture.main.vm_tools`.
    pub id: String,
    /// The outcome.
    pub status: Status,
    /// What was found, in one or a few lines.
    pub message: String,
    /// What to do about it (for failures and warnings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn new(id: &str, status: Status, message: impl Into<String>) -> Check {
        Check {
            id: id.to_owned(),
            status,
            message: message.into(),
            fix: None,
        }
    }

    /// A passed check.
    pub fn pass(id: &str, message: impl Into<String>) -> Check {
        Check::new(id, Status::Pass, message)
    }

    /// A failed check and its fix.
    pub fn fail(id: &str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(id, Status::Fail, message).with_fix(fix)
    }

    /// A warning and its fix.
    pub fn warn(id: &str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(id, Status::Warn, message).with_fix(fix)
    }

    /// Information.
    pub fn info(id: &str, message: impl Into<String>) -> Check {
        Check::new(id, Status::Info, message)
    }

    /// A check that did not run, and why.
    pub fn skip(id: &str, why: impl Into<String>) -> Check {
        Check::new(id, Status::Skip, why)
    }

    /// A failure from one of our actionable errors: its message becomes the check's message and its hint the
    /// fix, so the wording of the wire crates and the core (written for exactly this) is reused, taken apart
    /// by type rather than by reading the text. The message is trimmed because part of it may come from a
    /// peer (a server's error text ending in a line break).
    pub fn fail_from_error(id: &str, error: &dyn Hinted) -> Check {
        Check {
            id: id.to_owned(),
            status: Status::Fail,
            message: error.message().trim().to_owned(),
            fix: error.hint(),
        }
    }

    /// Sets or replaces the fix.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }

    /// Appends a sentence to the fix (or makes it the fix).
    pub fn add_fix(mut self, more: &str) -> Check {
        self.fix = Some(match self.fix.take() {
            Some(fix) => format!("{fix}\n{more}"),
            None => more.to_owned(),
        });
        self
    }
}

/// Every check of one `doctor` run, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// Adds checks.
    pub fn extend(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.checks.extend(checks);
    }

    /// How many checks have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// True when any check failed: the command then exits non-zero.
    pub fn failed(&self) -> bool {
        self.count(Status::Fail) > 0
    }

    /// The first check with this id.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The `--json` document: `{"ok", "failed", "warnings", "checks": [{id, status, message, fix?}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "ok": !self.failed(),
            "failed": self.count(Status::Fail),
            "warnings": self.count(Status::Warn),
            "checks": self.checks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_become_fixes() {
        let e = computer_use::vm::VmError::LocalDesktopDown {
            url: "ws://127.0.0.1:8000/ws".into(),
        };
        let check = Check::fail_from_error("server.reachable", &e);
        assert_eq!(check.status, Status::Fail);
        assert_eq!(check.message, e.message());
        assert_eq!(check.fix, e.hint());
        assert!(check.fix.is_some_and(|f| f.contains("start it with")));

        let plain = computer_use::vm::VmError::Lifecycle("plain".into());
        let check = Check::fail_from_error("vm.running", &plain);
        assert_eq!((check.message.as_str(), check.fix), ("plain", None));
    }

    #[test]
    fn a_failure_fails_the_report_and_json_names_every_field() {
        let mut r = Report::default();
        r.extend([Check::pass("a", "ok"), Check::warn("b", "hm", "do x")]);
        assert!(!r.failed());
        r.extend([Check::fail("c", "broken", "fix it")]);
        assert!(r.failed());
        let json = r.to_json();
        assert_eq!(json["ok"], false);
        assert_eq!(json["failed"], 1);
        assert_eq!(json["checks"][2]["status"], "fail");
        assert_eq!(json["checks"][2]["fix"], "fix it");
        assert!(json["checks"][0].get("fix").is_none());
    }
}
