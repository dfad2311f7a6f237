"""Closes a window the way a window manager does: WM_DELETE_WINDOW, by its title.

Usage: python3 close_window.py TITLE
       python3 close_window.py --state TITLE   prints "viewable" or "hidden"
Exits 1 when no window has that title.

A window of an earlier test's process can still be on the display, unmapped,
while it exits; the close goes to a viewable window with the title, so such a
leftover cannot swallow it, and the state is "viewable" if any such window is.
"""
import sys

from Xlib import X, display, protocol


def titled(window, title, found):
    try:
        if window.get_wm_name() == title:
            found.append(window)
    except Exception:
        pass
    try:
        children = window.query_tree().children
    except Exception:
        return
    for child in children:
        titled(child, title, found)


def is_viewable(window):
    try:
        return window.get_attributes().map_state == X.IsViewable
    except Exception:
        return False


def main():
    state = sys.argv[1] == "--state"
    title = sys.argv[-1]
    d = display.Display()
    windows = []
    titled(d.screen().root, title, windows)
    if not windows:
        sys.exit(1)
    viewable = [w for w in windows if is_viewable(w)]
    if state:
        print("viewable" if viewable else "hidden")
        return
    if len(windows) > 1:
        print(f"{len(windows)} windows titled {title!r}, {len(viewable)} viewable", file=sys.stderr)
    # query_tree lists children bottom to top: the last viewable one is on top.
    window = viewable[-1] if viewable else windows[-1]
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    event = protocol.event.ClientMessage(
        window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    window.send_event(event, event_mask=X.NoEventMask)
    d.flush()


main()
