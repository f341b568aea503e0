//! Exit codes, in one place (listed in `--help`): 0 success, 1 failure, 2 bad usage (clap's own), `exec`
//! passes the guest command's status through, and `vm up` for the local desktop exits 3 when the display and 4
//! when the port is in use by someone else (`computer_use::vm::local::EXIT_DISPLAY_TAKEN`, `EXIT_PORT_TAKEN`),
//! so scripts retry with other numbers.

/// The command failed.
pub const ERROR: u8 = 1;
