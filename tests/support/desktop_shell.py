"""The two parts of a desktop shell Paddock talks to, on the session bus of the
test (DBUS_SESSION_BUS_ADDRESS): a StatusNotifier watcher (a tray host, as KDE or
GNOME's AppIndicator extension runs) and a notification server. It shows nothing;
it lets a test read the tray's menu and icon, click menu entries and
notifications, the way a panel and a notification bubble would.

Commands on stdin, one per line; one JSON answer per line on stdout:
  tray                 {"items": [{"service", "path", "icon", "status", "menu": [{"id", "label", "enabled"}]}]}
  click-menu LABEL     {"ok": true} once the tray's entry with that label is clicked
  notes                {"notes": [{"id", "summary", "body", "actions"}]}
  click-note ID        {"ok": true} once notification ID is clicked (its "default" action)
The first line printed is {"ready": true}, once both names are owned.
"""
import json
import sys
import threading

from gi.repository import Gio, GLib

WATCHER_XML = """
<node>
  <interface name="org.kde.StatusNotifierWatcher">
    <method name="RegisterStatusNotifierItem"><arg type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
</node>
"""

NOTIFICATIONS_XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>
"""

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
items = []  # (service, path)
notes = []  # dicts
owned = set()


def watcher_call(conn, sender, path, iface, method, params, invocation):
    if method == "RegisterStatusNotifierItem":
        (name,) = params.unpack()
        item = (sender, name) if name.startswith("/") else (name, "/StatusNotifierItem")
        if item not in items:
            items.append(item)
        conn.emit_signal(None, path, iface, "StatusNotifierItemRegistered",
                         GLib.Variant("(s)", (item[0] + item[1],)))
    invocation.return_value(None)


def watcher_property(conn, sender, path, iface, name):
    if name == "RegisteredStatusNotifierItems":
        return GLib.Variant("as", [s + p for s, p in items])
    if name == "IsStatusNotifierHostRegistered":
        return GLib.Variant("b", True)
    return GLib.Variant("i", 0)


def notifications_call(conn, sender, path, iface, method, params, invocation):
    if method == "Notify":
        app, replaces, icon, summary, body, actions, hints, timeout = params.unpack()
        note_id = replaces or len(notes) + 1
        notes.append({"id": note_id, "summary": summary, "body": body,
                      "actions": actions, "sender": sender})
        invocation.return_value(GLib.Variant("(u)", (note_id,)))
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["actions", "body"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("test-shell", "paddock", "1", "1.2")))
    else:
        invocation.return_value(None)


def register(xml, path, call, prop):
    info = Gio.DBusNodeInfo.new_for_xml(xml).interfaces[0]
    bus.register_object(path, info, call, prop, None)


def own(name):
    def acquired(_conn, name):
        owned.add(name)
        if len(owned) == 2:
            answer({"ready": True})

    Gio.bus_own_name_on_connection(bus, name, Gio.BusNameOwnerFlags.NONE, acquired, None)


def answer(value):
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def call(service, path, iface, method, params, reply):
    return bus.call_sync(service, path, iface, method, params,
                         GLib.VariantType(reply) if reply else None,
                         Gio.DBusCallFlags.NONE, 5000, None)


def menu_entries(service, menu_path):
    layout = call(service, menu_path, "com.canonical.dbusmenu", "GetLayout",
                  GLib.Variant("(iias)", (0, -1, [])), "(u(ia{sv}av))").unpack()
    entries = []

    def walk(node):
        node_id, props, children = node
        if node_id != 0 and props.get("type") != "separator":
            entries.append({"id": node_id, "label": props.get("label", ""),
                            "enabled": props.get("enabled", True),
                            "visible": props.get("visible", True)})
        for child in children:
            walk(child)

    walk(layout[1])
    return entries


def describe(service, path):
    props = call(service, path, "org.freedesktop.DBus.Properties", "GetAll",
                 GLib.Variant("(s)", ("org.kde.StatusNotifierItem",)), "(a{sv})").unpack()[0]
    menu = props.get("Menu")
    return {"service": service, "path": path, "icon": props.get("IconName", ""),
            "status": props.get("Status", ""),
            "menu": menu_entries(service, menu) if menu else []}


def command(line):
    word, _, arg = line.strip().partition(" ")
    try:
        if word == "tray":
            answer({"items": [describe(s, p) for s, p in items]})
        elif word == "click-menu":
            service, path = items[-1]
            props = call(service, path, "org.freedesktop.DBus.Properties", "Get",
                         GLib.Variant("(ss)", ("org.kde.StatusNotifierItem", "Menu")), "(v)")
            menu = props.unpack()[0]
            entry = next(e for e in menu_entries(service, menu) if e["label"] == arg)
            call(service, menu, "com.canonical.dbusmenu", "Event",
                 GLib.Variant("(isvu)", (entry["id"], "clicked", GLib.Variant("i", 0), 0)), None)
            answer({"ok": True})
        elif word == "notes":
            answer({"notes": [{k: v for k, v in n.items() if k != "sender"} for n in notes]})
        elif word == "click-note":
            note = next(n for n in notes if n["id"] == int(arg))
            bus.emit_signal(note["sender"], "/org/freedesktop/Notifications",
                            "org.freedesktop.Notifications", "ActionInvoked",
                            GLib.Variant("(us)", (note["id"], "default")))
            answer({"ok": True})
        else:
            answer({"error": "unknown command " + word})
    except Exception as e:  # the test reads the reason
        answer({"error": repr(e)})
    return False


def read_stdin():
    for line in sys.stdin:
        GLib.idle_add(command, line)
    GLib.idle_add(loop.quit)


register(WATCHER_XML, "/StatusNotifierWatcher", watcher_call, watcher_property)
register(NOTIFICATIONS_XML, "/org/freedesktop/Notifications", notifications_call, None)
own("org.kde.StatusNotifierWatcher")
own("org.freedesktop.Notifications")
loop = GLib.MainLoop()
threading.Thread(target=read_stdin, daemon=True).start()
loop.run()
