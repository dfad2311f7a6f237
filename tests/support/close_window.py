"""Closes a window the way a window manager does: WM_DELETE_WINDOW, by its title.

Usage: python3 close_window.py TITLE
       python3 close_window.py --state TITLE   prints "viewable" or "hidden"
Exits 1 when no window has that title.

Only the windows of the newest running process that has one with that title
count (by _NET_WM_PID, which GTK sets): a window of an earlier test's process can
still be on the display while that process exits, and must neither swallow the
close nor make the state "viewable". Among those, the close goes to a viewable
one, and the state is "viewable" if any of them is.
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


def started(pid):
    """When a running process started (clock ticks since boot), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return None if fields[0] == "Z" else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def newest_process_only(d, windows):
    """The windows of the newest running process among them; all of them when
    none names a running process."""
    pid_atom = d.intern_atom("_NET_WM_PID")
    by_start = {}
    for window in windows:
        try:
            prop = window.get_full_property(pid_atom, X.AnyPropertyType)
            pid = int(prop.value[0]) if prop and len(prop.value) else None
        except Exception:
            pid = None
        start = started(pid) if pid else None
        if start is not None:
            by_start.setdefault((start, pid), []).append(window)
    return by_start[max(by_start)] if by_start else windows


def main():
    state = sys.argv[1] == "--state"
    title = sys.argv[-1]
    d = display.Display()
    windows = []
    titled(d.screen().root, title, windows)
    if not windows:
        sys.exit(1)
    windows = newest_process_only(d, windows)
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
