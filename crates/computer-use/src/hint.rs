//! Errors that say what happened and, apart from it, what to do about it.
//!
//! Every error of the wire crates and the core has a **message** (what happened) and, when something can be
//! done, a **hint** (what to do), both computed from the error's data. `Display` joins them as
//! `message` + `"\n  hint: "` + `hint`: that is the text the CLI prints and a tool result carries. A face that
//! shows the fix apart — the doctor's `fix:` line, a tool error's own hint field — takes the two parts from
//! [`Hinted`] instead of parsing the text, so rewording a message can never break where its fix is shown.
//!
//! The wire crates cannot depend on the core, so they have the same two inherent methods
//! (`cua_protocol::Error::{message, hint}`, `lume_api::LumeError::{message, hint}`; `cua_protocol::ResolveError`
//! has them as fields), and the core's errors have them too ([`VmError`], [`ConfigError`]); this trait is
//! implemented for all of them here so code can take any of them, e.g. as `&dyn Hinted`.

use std::fmt;

use crate::config::ConfigError;
use crate::vm::VmError;

/// An error whose message and hint can be had apart. For every implementation in this workspace `Display`
/// is `message()`, then — when `hint()` is `Some` — `"\n  hint: "` and the hint (see [`HintLine`]).
pub trait Hinted {
    /// What happened, without what to do about it: the first part of the error's text.
    fn message(&self) -> String;

    /// What to do about it, computed from the error's data; `None` when the message is all there is to say.
    /// Never part of [`Hinted::message`].
    fn hint(&self) -> Option<String>;
}

/// The hint's part of an error's text: `"\n  hint: "` and the hint, or nothing without one. The core's and the
/// doctor's errors display as `"{message}{HintLine(hint)}"`, the layout the wire crates' errors print too, so
/// the fix reads on its own indented line wherever a text is shown whole.
pub struct HintLine<T>(pub Option<T>);

impl<T: fmt::Display> fmt::Display for HintLine<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(hint) => write!(f, "\n  hint: {hint}"),
            None => Ok(()),
        }
    }
}

impl Hinted for cua_protocol::Error {
    fn message(&self) -> String {
        cua_protocol::Error::message(self)
    }

    fn hint(&self) -> Option<String> {
        cua_protocol::Error::hint(self)
    }
}

impl Hinted for cua_protocol::ResolveError {
    fn message(&self) -> String {
        self.message.clone()
    }

    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

impl Hinted for lume_api::LumeError {
    fn message(&self) -> String {
        lume_api::LumeError::message(self)
    }

    fn hint(&self) -> Option<String> {
        lume_api::LumeError::hint(self)
    }
}

impl Hinted for VmError {
    fn message(&self) -> String {
        VmError::message(self)
    }

    fn hint(&self) -> Option<String> {
        VmError::hint(self)
    }
}

impl Hinted for ConfigError {
    fn message(&self) -> String {
        ConfigError::message(self)
    }

    fn hint(&self) -> Option<String> {
        ConfigError::hint(self)
    }
}

impl Hinted for crate::result::ToolError {
    fn message(&self) -> String {
        self.message.clone()
    }

    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_line_is_empty_without_a_hint() {
        assert_eq!(HintLine(Some("do x")).to_string(), "\n  hint: do x");
        assert_eq!(HintLine(None::<&str>).to_string(), "");
    }

    #[test]
    fn wire_errors_are_hinted_through_the_trait() {
        let e: &dyn Hinted = &lume_api::LumeError::VmNotFound { name: "a".into() };
        assert_eq!(e.message(), "VM 'a' not found by Lume");
        assert_eq!(
            e.hint().as_deref(),
            Some("`lume list` shows the VMs; fix the VM name in the configuration")
        );
    }
}
