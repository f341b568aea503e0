//! Running things in the VM: `vm_exec` (a shell command; stdout, stderr and exit status) and `vm_launch`
//! (start a program or app, report its pid).
//!
//! Both use the shell lane: the server runs subprocesses concurrently across connections, so a long build on
//! this lane does not hold up screenshots and input on the GUI lane.

mod exec;
mod launch;
pub(crate) mod output;

pub use exec::{Exec, ExecArgs, MAX_TIMEOUT_S};
pub use launch::{Launch, LaunchArgs};
pub use output::OUTPUT_CAP_BYTES;

/// `s` as one single-quoted POSIX shell word.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(super::shell_quote("it's"), r"'it'\''s'");
        assert_eq!(super::shell_quote(""), "''");
    }
}
