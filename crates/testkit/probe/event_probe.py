#!/usr/bin/python3
"""The event probe: a small GTK 3 application that logs what it RECEIVES, so tests check what an application
got (keys, buttons, wheel, modifiers, text), not what the client sent.

Why GTK 3 (Debian's python3-gi + gir1.2-gtk-3.0, run by Debian's /usr/bin/python3): it is the toolkit of the
apps agents drive on a Linux desktop (and of Firefox's widgets), it takes text through an input method context
like real apps (typed keys and pasted text land in a real GtkTextView), handles every Unicode script
(emoji, ZWJ sequences, right-to-left, combining marks) and reports buttons 8/9, wheel directions and every
modifier bit (Super as MOD4/SUPER) as X delivered them. A raw X11 client would decode keys differently from
real applications (core keymap rules, no XKB); Tk 8.6 cannot hold characters outside the BMP.

Window (800x600 at 0,0, titled by argv[2]): the top half is the PAD, an event box that takes pointer events
and does nothing with them (no context menu, no paste on middle click), showing a click counter so each click
changes the screen; the bottom half is the TEXT view, which has the keyboard focus from the start (clicks on
the pad do not take it).

Log: argv[1], one JSON object per line, flushed per line:
  {"ev": "ready", "pad": [x, y, w, h], "text": [x, y, w, h], "window": XID}   root coordinates, once focused
  {"ev": "key", "type": "press"|"release", "keyval": "a", "char": "a", "state": ["ctrl"], "keycode": 38,
   "synthetic": true}
  {"ev": "button", "type": "press"|"release", "button": 1, "clicks": 1|2|3, "state": [...], "x": .., "y": ..}
  {"ev": "scroll", "dir": "up"|"down"|"left"|"right", "state": [...], "x": .., "y": ..}
  {"ev": "drag", "state": [...], "x": .., "y": ..}    pointer motion over the pad while a button is held
  {"ev": "text", "text": "..."}                      the text view's whole text after each change
  {"ev": "cleared"}                                  after SIGUSR1 emptied the text view
State names: shift lock ctrl alt (mod1) mod2..mod5 super hyper meta button1..button5.
"""

import json
import signal
import sys

import gi

gi.require_version("Gdk", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

LOG = open(sys.argv[1], "a", encoding="utf-8")
TITLE = sys.argv[2] if len(sys.argv) > 2 else "event-probe"

MASKS = [
    ("shift", Gdk.ModifierType.SHIFT_MASK),
    ("lock", Gdk.ModifierType.LOCK_MASK),
    ("ctrl", Gdk.ModifierType.CONTROL_MASK),
    ("alt", Gdk.ModifierType.MOD1_MASK),
    ("mod2", Gdk.ModifierType.MOD2_MASK),
    ("mod3", Gdk.ModifierType.MOD3_MASK),
    ("mod4", Gdk.ModifierType.MOD4_MASK),
    ("mod5", Gdk.ModifierType.MOD5_MASK),
    ("super", Gdk.ModifierType.SUPER_MASK),
    ("hyper", Gdk.ModifierType.HYPER_MASK),
    ("meta", Gdk.ModifierType.META_MASK),
    ("button1", Gdk.ModifierType.BUTTON1_MASK),
    ("button2", Gdk.ModifierType.BUTTON2_MASK),
    ("button3", Gdk.ModifierType.BUTTON3_MASK),
    ("button4", Gdk.ModifierType.BUTTON4_MASK),
    ("button5", Gdk.ModifierType.BUTTON5_MASK),
]
HELD = (
    Gdk.ModifierType.BUTTON1_MASK
    | Gdk.ModifierType.BUTTON2_MASK
    | Gdk.ModifierType.BUTTON3_MASK
)


def log(record):
    LOG.write(json.dumps(record, ensure_ascii=False) + "\n")
    LOG.flush()


def state_names(state):
    # Virtual modifiers (SUPER, META, HYPER) are only set on key events by GDK; add them everywhere.
    keymap = Gdk.Keymap.get_for_display(Gdk.Display.get_default())
    state = Gdk.ModifierType(int(state))
    keymap.add_virtual_modifiers(state)
    return [name for name, mask in MASKS if int(state) & int(mask)]


clicks = 0

window = Gtk.Window(title=TITLE)
window.set_default_size(800, 600)
window.move(0, 0)
box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
window.add(box)

pad = Gtk.EventBox()
pad.set_size_request(800, 300)
counter = Gtk.Label()
pad.add(counter)
pad.add_events(
    Gdk.EventMask.BUTTON_PRESS_MASK
    | Gdk.EventMask.BUTTON_RELEASE_MASK
    | Gdk.EventMask.SCROLL_MASK
    | Gdk.EventMask.SMOOTH_SCROLL_MASK
    | Gdk.EventMask.BUTTON_MOTION_MASK
)
box.pack_start(pad, False, False, 0)

text = Gtk.TextView()
text.set_wrap_mode(Gtk.WrapMode.CHAR)
scroller = Gtk.ScrolledWindow()
scroller.add(text)
box.pack_start(scroller, True, True, 0)
buffer = text.get_buffer()


def show_clicks():
    counter.set_markup(f'<span font="48">clicks: {clicks}</span>')


show_clicks()


def on_key(_widget, event):
    char = Gdk.keyval_to_unicode(event.keyval)
    log(
        {
            "ev": "key",
            "type": "press" if event.type == Gdk.EventType.KEY_PRESS else "release",
            "keyval": Gdk.keyval_name(event.keyval),
            "char": chr(char) if char else "",
            "state": state_names(event.state),
            "keycode": event.hardware_keycode,
            "synthetic": bool(event.send_event),
        }
    )
    return False


def on_button(_widget, event):
    global clicks
    kinds = {
        Gdk.EventType.BUTTON_PRESS: ("press", 1),
        Gdk.EventType._2BUTTON_PRESS: ("press", 2),
        Gdk.EventType._3BUTTON_PRESS: ("press", 3),
        Gdk.EventType.BUTTON_RELEASE: ("release", 1),
    }
    kind, n = kinds.get(event.type, ("other", 0))
    if kind == "press" and n == 1 and event.button == 1:
        clicks += 1
        show_clicks()
    log(
        {
            "ev": "button",
            "type": kind,
            "button": event.button,
            "clicks": n,
            "state": state_names(event.state),
            "x": round(event.x_root),
            "y": round(event.y_root),
        }
    )
    return True


def on_scroll(_widget, event):
    direction = event.direction
    if direction == Gdk.ScrollDirection.SMOOTH:
        ok, dx, dy = event.get_scroll_deltas()
        if abs(dy) >= abs(dx):
            name = "down" if dy > 0 else "up"
        else:
            name = "right" if dx > 0 else "left"
        if dx == 0 and dy == 0:
            return True  # the end of a smooth-scroll sequence, not a notch
    else:
        name = {
            Gdk.ScrollDirection.UP: "up",
            Gdk.ScrollDirection.DOWN: "down",
            Gdk.ScrollDirection.LEFT: "left",
            Gdk.ScrollDirection.RIGHT: "right",
        }.get(direction, "other")
    log(
        {
            "ev": "scroll",
            "dir": name,
            "state": state_names(event.state),
            "x": round(event.x_root),
            "y": round(event.y_root),
        }
    )
    return True


def on_motion(_widget, event):
    if int(event.state) & int(HELD):
        log(
            {
                "ev": "drag",
                "state": state_names(event.state),
                "x": round(event.x_root),
                "y": round(event.y_root),
            }
        )
    return True


def on_changed(buf):
    start, end = buf.get_bounds()
    log({"ev": "text", "text": buf.get_text(start, end, True)})


def rect(widget):
    alloc = widget.get_allocation()
    x, y = widget.translate_coordinates(widget.get_toplevel(), 0, 0)
    top_x, top_y = widget.get_toplevel().get_window().get_origin()[1:]
    return [top_x + x, top_y + y, alloc.width, alloc.height]


ready = False


def on_focus(_widget, _event):
    global ready
    if not ready:
        ready = True
        log(
            {
                "ev": "ready",
                "pad": rect(pad),
                "text": rect(scroller),
                "window": window.get_window().get_xid(),
            }
        )
    return False


def clear():
    buffer.set_text("")
    log({"ev": "cleared"})
    return GLib.SOURCE_CONTINUE


pad.connect("button-press-event", on_button)
pad.connect("button-release-event", on_button)
pad.connect("scroll-event", on_scroll)
pad.connect("motion-notify-event", on_motion)
window.connect("key-press-event", on_key)
window.connect("key-release-event", on_key)
window.connect("focus-in-event", on_focus)
window.connect("destroy", Gtk.main_quit)
buffer.connect("changed", on_changed)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGUSR1, clear)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, Gtk.main_quit)

window.show_all()
text.grab_focus()
window.present()
Gtk.main()
