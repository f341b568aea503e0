//! Tools that steer the other tools rather than the desktop: `vm_status` (what the agent is connected to and
//! how coordinates map), `vm_wait` (let the UI settle, optionally look), and `vm_batch` (several actions in
//! one call with one screenshot at the end, stopping at the first failure and never replaying).

mod batch;
mod status;
mod wait;

pub use batch::{Batch, BatchAction, BatchArgs, MAX_ACTIONS};
pub use status::{
    HealthReport, LaneHealth, Status, StatusArgs, StatusReport, Unavailable, needed_commands,
};
pub use wait::{MAX_WAIT_MS, MIN_WAIT_MS, Wait, WaitArgs};
