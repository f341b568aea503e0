//! Exit codes, in one place (listed in `--help`): 0 success, 1 failure, 2 bad usage (clap's own), and `exec`
//! passes the guest command's status through.

/// The command failed.
pub const ERROR: u8 = 1;
