"""Closes a window the way a window manager does: WM_DELETE_WINDOW, by its title.

Usage: python3 close_window.py TITLE
       python3 close_window.py --state TITLE   prints "viewable" or "hidden"
Exits 1 when no window has that title.
"""
import sys

from Xlib import X, display, protocol


def find(window, title):
    try:
        if window.get_wm_name() == title:
            return window
    except Exception:
        pass
    try:
        children = window.query_tree().children
    except Exception:
        return None
    for child in children:
        found = find(child, title)
        if found is not None:
            return found
    return None


def main():
    state = sys.argv[1] == "--state"
    title = sys.argv[-1]
    d = display.Display()
    window = find(d.screen().root, title)
    if window is None:
        sys.exit(1)
    if state:
        viewable = window.get_attributes().map_state == X.IsViewable
        print("viewable" if viewable else "hidden")
        return
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    event = protocol.event.ClientMessage(
        window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    window.send_event(event, event_mask=X.NoEventMask)
    d.flush()


main()
