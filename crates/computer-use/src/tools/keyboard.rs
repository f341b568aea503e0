//! The keyboard and the clipboard: `vm_type` (text of any length, typed in pieces and never replayed; on Linux
//! what the keyboard cannot type exactly is pasted, [`paste`]), `vm_key` (keys and combinations, normalised before
//! sending, unknown keys refused with suggestions; keys held with `action: "down"`) and `vm_clipboard` (read, or
//! set and confirm). [`xdotool`] delivers what the server cannot send on Linux guests.
//!
//! All three use the GUI lane: typing and key presses must stay ordered with clicks and screenshots, and the
//! clipboard belongs to the desktop session the GUI lane drives.

mod clipboard;
mod key;
pub mod paste;
mod typing;
pub mod xdotool;

pub use clipboard::{Clipboard, ClipboardArgs, MAX_CLIPBOARD_BYTES};
pub use key::{Key, KeyAction, KeyArgs};
pub use typing::{CHUNK_CHARS, MAX_TYPE_CHARS, Type, TypeArgs, chunks};
