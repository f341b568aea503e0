//! The mouse buttons pressed on one VM and not yet released.
//!
//! It lives in the session because it is a fact about the VM's input state, shared by every call on that
//! VM: the pointer tools record presses here (before `mouse_down` is sent: a press whose reply is lost
//! may still have happened) and releases (after a successful `mouse_up`), the failure paths release what
//! is recorded, and calibration must not sweep the pointer across the screen while a button is down.

use std::sync::{Mutex, MutexGuard};

use cua_protocol::Button;

/// Buttons recorded as held, in press order.
#[derive(Debug, Default)]
pub struct HeldButtons(Mutex<Vec<Button>>);

impl HeldButtons {
    fn lock(&self) -> MutexGuard<'_, Vec<Button>> {
        // A poisoned lock only means a panic elsewhere mid-update; the list itself is still valid.
        match self.0.lock() {
            Ok(held) => held,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Records that `button` is (or may be) pressed.
    pub fn pressed(&self, button: Button) {
        let mut held = self.lock();
        if !held.contains(&button) {
            held.push(button);
        }
    }

    /// Records that `button` was released.
    pub fn released(&self, button: Button) {
        self.lock().retain(|b| *b != button);
    }

    /// The buttons recorded as held, in press order.
    pub fn list(&self) -> Vec<Button> {
        self.lock().clone()
    }
}

/// `left`, `right`, `middle`: a button as tools and messages name it.
pub fn name(button: Button) -> &'static str {
    match button {
        Button::Left => "left",
        Button::Right => "right",
        Button::Middle => "middle",
    }
}

/// `left button`, or `left and right buttons`.
pub fn names(buttons: &[Button]) -> String {
    let list: Vec<&str> = buttons.iter().map(|b| name(*b)).collect();
    match list.as_slice() {
        [one] => format!("{one} button"),
        _ => format!("{} buttons", list.join(" and ")),
    }
}
