"""What a screen reader receives from SRADAR Desktop: listens to the AT-SPI bus (the bus Orca
reads) and writes each event as a line of JSON on its standard output.

Run by ``screen_reader_support.py`` with the system's Python (Debian's ``python3-pyatspi``
lives there, not in the project's virtual environment), on the session bus and the display of
the program under test. Commands, one per line on its standard input:

- ``tree``: one line ``{"type": "tree", "nodes": [...]}``, every object shown by the
  application's windows (role, name, states, depth), the items of lists and tables left out;
- ``quit``: stop.

Python's standard library and pyatspi only: this file is not part of the package.
"""

from __future__ import annotations

import json
import sys

import pyatspi
from gi.repository import GLib

APPLICATION = "SRADAR Desktop"
EVENTS = (
    "object:state-changed:focused",
    "object:state-changed:checked",
    "object:property-change:accessible-name",
    "object:property-change:accessible-description",
    "object:announcement",
    "object:text-changed",
    "window:activate",
    "window:deactivate",
)
# Containers whose children are items (rows, cells, entries): named by what they show.
ITEM_CONTAINERS = {"table", "tree table", "tree", "list", "list box", "menu", "page tab list"}
SHOWN_STATES = ("focusable", "focused", "showing", "checked", "selected", "editable")


def write(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def describe(accessible) -> dict:
    try:
        states = accessible.getState()
        return {
            "role": accessible.getRoleName(),
            "name": accessible.name or "",
            "description": accessible.description or "",
            "states": [
                name
                for name in SHOWN_STATES
                if states.contains(getattr(pyatspi, f"STATE_{name.upper()}"))
            ],
        }
    except Exception as error:  # an object gone meanwhile
        return {"role": "", "name": "", "description": "", "states": [], "error": str(error)}


def ancestors(accessible) -> list[str]:
    """The roles and names above ``accessible``, up to its window."""
    found = []
    try:
        parent = accessible.parent
        while parent is not None and len(found) < 12:
            role = parent.getRoleName()
            found.append(f"{role}:{parent.name or ''}")
            if role in ("frame", "dialog", "window", "application"):
                break
            parent = parent.parent
    except Exception:
        pass
    return found


def application():
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(desktop.childCount):
        child = desktop.getChildAtIndex(index)
        if child is not None and child.name == APPLICATION:
            return child
    return None


def tree() -> list[dict]:
    nodes: list[dict] = []

    def walk(accessible, depth: int) -> None:
        if len(nodes) > 3000:
            return
        node = describe(accessible)
        if depth and "showing" not in node["states"]:
            return
        node["depth"] = depth
        nodes.append(node)
        if node["role"] in ITEM_CONTAINERS:
            return
        try:
            children = [accessible.getChildAtIndex(i) for i in range(accessible.childCount)]
        except Exception:
            return
        for child in children:
            if child is not None:
                walk(child, depth + 1)

    found = application()
    if found is not None:
        walk(found, 0)
    return nodes


def on_event(event) -> None:
    message = {"type": event.type, "detail1": event.detail1, **describe(event.source)}
    if event.any_data is not None and not hasattr(event.any_data, "getRoleName"):
        message["data"] = str(event.any_data)
    if event.type.startswith(("object:state-changed:focused", "window:")):
        message["ancestors"] = ancestors(event.source)
    write(message)


def on_command(channel, _condition) -> bool:
    line = channel.readline()
    command = line.strip()
    if not line or command == "quit":
        pyatspi.Registry.stop()
        return False
    if command == "tree":
        write({"type": "tree", "nodes": tree()})
    return True


def main() -> None:
    for name in EVENTS:
        pyatspi.Registry.registerEventListener(on_event, name)
    GLib.io_add_watch(
        GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.IO_IN | GLib.IO_HUP, on_command
    )
    write({"type": "ready"})
    pyatspi.Registry.start()


if __name__ == "__main__":
    main()
