//! The keys pressed on one VM and not yet released: modifiers held for the length of a pointer action
//! (`vm_click` with `modifiers`) and keys held on purpose across calls (`vm_key` with `action: "down"`).
//!
//! Like [`HeldButtons`](crate::vm::HeldButtons) it lives in the session, because it is a fact about the
//! VM's input state shared by every call: a key is recorded *before* `key_down` is sent (a press whose reply
//! is lost may still have happened) and forgotten only after a successful `key_up`. A Ctrl left down turns
//! every later click into a ctrl-click and every typed letter into a shortcut, so the failure paths release
//! what is recorded (see `tools::pointer::held`).

use std::sync::{Mutex, MutexGuard};

/// Keys (server names, e.g. `ctrl`, `shift`, `a`) recorded as held, in press order.
#[derive(Debug, Default)]
pub struct HeldKeys(Mutex<Vec<String>>);

impl HeldKeys {
    fn lock(&self) -> MutexGuard<'_, Vec<String>> {
        // A poisoned lock only means a panic elsewhere mid-update; the list itself is still valid.
        match self.0.lock() {
            Ok(held) => held,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Records that `key` is (or may be) pressed.
    pub fn pressed(&self, key: &str) {
        let mut held = self.lock();
        if !held.iter().any(|k| k == key) {
            held.push(key.to_owned());
        }
    }

    /// Records that `key` was released.
    pub fn released(&self, key: &str) {
        self.lock().retain(|k| k != key);
    }

    /// The keys recorded as held, in press order.
    pub fn list(&self) -> Vec<String> {
        self.lock().clone()
    }
}

/// `ctrl key`, or `ctrl and shift keys`.
pub fn names(keys: &[String]) -> String {
    match keys {
        [one] => format!("{one} key"),
        _ => format!("{} keys", keys.join(" and ")),
    }
}
