"""A desktop for the screen-reader tests: an X server (Xvfb) at 1024 × 600 with a window
manager (openbox), a session bus with the accessibility bus behind it (at-spi2-core), the real
program started on it, keys pressed by ``xdotool``, and what a screen reader receives read by
``atspi_listener.py`` (Debian's python3-pyatspi, with the system's Python).

Every wait ends on an event (a window activated, a focus, an announcement, a line on a pipe);
the timeouts only stop a stuck test.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LISTENER = HERE / "atspi_listener.py"
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
PROGRAMS = ("Xvfb", "openbox", "xdotool", "dbus-daemon")
# CI sets it: there, a missing piece is a failure, not a skip.
REQUIRED_ENV = "SRADAR_REQUIRE_SCREEN_READER_BUS"
WAIT_S = 30.0  # against a stuck test only: every wait ends as soon as what it waits for comes

Event = dict


def missing_parts() -> list[str]:
    """What this machine lacks to run the test (empty when all is there)."""
    missing = [name for name in PROGRAMS if shutil.which(name) is None]
    if not Path(BUS_LAUNCHER).exists():
        missing.append(f"at-spi2-core ({BUS_LAUNCHER})")
    if not Path(SYSTEM_PYTHON).exists():
        missing.append(SYSTEM_PYTHON)
    else:
        found = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, check=False
        )
        if found.returncode:
            missing.append("python3-pyatspi")
    return missing


def require_desktop() -> None:
    missing = missing_parts()
    if not missing:
        return
    reason = "bus d'accessibilité indisponible, il manque : " + ", ".join(missing)
    if os.environ.get(REQUIRED_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRED_ENV}=1 l'exige)")
    pytest.skip(reason + " (installés par .ci/run)")


def heard(event: Event) -> str:
    """An event as a line of what a screen reader is told."""
    kind = event["type"]
    what = f"{event.get('role', '')} « {event.get('name', '')} »"
    if kind == "object:announcement":
        return f"annonce « {event.get('data', '')} » ({what})"
    if kind.startswith("object:state-changed:focused"):
        return f"focus {what}"
    if kind.startswith("object:text-changed"):
        return f"texte {kind.rsplit(':', 1)[-1]} « {event.get('data', '')} » dans {what}"
    return f"{kind} {what} {event.get('data', '')}".rstrip()


def announced(text: str) -> Callable[[Event], bool]:
    return lambda e: e["type"] == "object:announcement" and text in e.get("data", "")


def focused(role: str, name: str = "") -> Callable[[Event], bool]:
    """Focus given to an object of ``role`` whose name contains ``name``."""
    return lambda e: (
        e["type"] == "object:state-changed:focused"
        and e["detail1"] == 1
        and e["role"] == role
        and name in e["name"]
    )


def activated(name: str, role: str = "") -> Callable[[Event], bool]:
    return lambda e: (
        e["type"] == "window:activate" and name in e["name"] and (not role or e["role"] == role)
    )


def is_focus(event: Event) -> bool:
    return event["type"] == "object:state-changed:focused" and event["detail1"] == 1


def is_menu(event: Event) -> bool:
    return event["role"] in ("menu", "menu item", "popup menu") and (
        is_focus(event) or event["type"] == "window:activate"
    )


class Desktop:
    """The X server, its window manager, the buses and the listener; ``start_program`` runs
    SRADAR Desktop there."""

    def __init__(self, folder: Path, width: int = 1024, height: int = 600) -> None:
        self.folder = folder
        self.size = (width, height)
        self.processes: list[subprocess.Popen] = []
        self.events: list[Event] = []
        self.seen = 0  # events before this index were looked at by an ``expect``
        self._lines: queue.Queue[Event] = queue.Queue()
        self.env: dict[str, str] = {}
        self.program: subprocess.Popen | None = None

    # -- starting -------------------------------------------------------------------------------

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "DBUS_"))}
        env.pop("DISPLAY", None)
        bus = self._spawn(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"], env
        )
        address = bus.stdout.readline().strip()
        assert address, "le bus de session n'a pas démarré"
        read, write = os.pipe()
        self._spawn(
            [
                "Xvfb",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{self.size[0]}x{self.size[1]}x24",
                "-nolisten",
                "tcp",
            ],
            env,
            pass_fds=(write,),
            output=False,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            display = pipe.readline().strip()
        assert display, "le serveur X n'a pas démarré"
        env.update(
            DISPLAY=f":{display}",
            DBUS_SESSION_BUS_ADDRESS=address,
            QT_ACCESSIBILITY="1",
            QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
        )
        self.env = env
        ready = self.folder / "gestionnaire-pret"
        self._spawn(["openbox", "--startup", f"touch {ready}"], env, output=False)
        self._wait_for(ready.exists, "openbox")
        listener = self._spawn(
            [SYSTEM_PYTHON, str(LISTENER)], env, stdin=subprocess.PIPE, output=True
        )
        threading.Thread(target=self._read, args=(listener,), daemon=True).start()
        self.listener = listener
        self.expect(lambda e: e["type"] == "ready", "l'écoute du bus d'accessibilité")

    def _spawn(
        self,
        command: list[str],
        env: dict[str, str],
        *,
        stdin: int | None = subprocess.DEVNULL,
        output: bool = True,
        pass_fds: tuple[int, ...] = (),
    ) -> subprocess.Popen:
        log = open(self.folder / f"{Path(command[0]).name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            command,
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE if output else log,
            stderr=log,
            text=output,
            pass_fds=pass_fds,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def _wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not condition():
            assert time.monotonic() < deadline, f"{what} ne répond pas"
            time.sleep(0.05)

    def _read(self, listener: subprocess.Popen) -> None:
        for line in listener.stdout:
            try:
                self._lines.put(json.loads(line))
            except json.JSONDecodeError:
                continue

    def start_program(self, data_dir: Path) -> subprocess.Popen:
        """SRADAR Desktop as an agent starts it, its data in ``data_dir``."""
        env = {
            **self.env,
            "QT_QPA_PLATFORM": "xcb",
            "SRADAR_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(HERE.parent),
        }
        log = open(self.folder / "programme.log", "ab")  # noqa: SIM115
        self.program = subprocess.Popen(
            [sys.executable, "-m", "sradar_desktop"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=HERE.parent,
            start_new_session=True,
        )
        return self.program

    def stop_program(self) -> None:
        if self.program is not None and self.program.poll() is None:
            self.program.terminate()
            try:
                self.program.wait(15)
            except subprocess.TimeoutExpired:
                self.program.kill()
                self.program.wait()
        self.program = None

    def stop(self) -> None:
        processes = ([self.program] if self.program else []) + self.processes[::-1]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # -- acting -------------------------------------------------------------------------------

    def keys(self, *keys: str) -> None:
        """Press ``keys`` (xdotool names: ``Tab``, ``ctrl+z``, ``alt+Down``), in order."""
        self.xdotool("key", "--delay", "60", *keys)

    def xdotool(self, *arguments: str) -> None:
        """``xdotool`` on the desktop's display (``keydown alt``, ``keyup Down``…)."""
        subprocess.run(["xdotool", *arguments], env=self.env, check=True)

    def type(self, text: str) -> None:
        subprocess.run(["xdotool", "type", "--delay", "30", text], env=self.env, check=True)

    # -- hearing ------------------------------------------------------------------------------

    def _pull(self, timeout: float) -> bool:
        try:
            self.events.append(self._lines.get(timeout=timeout))
        except queue.Empty:
            return False
        return True

    def expect(self, wanted: Callable[[Event], bool], what: str, timeout: float = WAIT_S) -> Event:
        """The first event from now on that is ``wanted``; a failure saying what was heard
        meanwhile when none comes."""
        deadline = time.monotonic() + timeout
        while True:
            while self.seen < len(self.events):
                event = self.events[self.seen]
                self.seen += 1
                if wanted(event):
                    return event
            left = deadline - time.monotonic()
            if left <= 0 or not self._pull(left):
                heard_lines = "\n  ".join(heard(e) for e in self.events[-25:])
                raise AssertionError(
                    f"{what} : rien de tel entendu. Derniers événements :\n  {heard_lines}"
                )

    def expect_window(self, title: str, what: str) -> Event:
        """The program's main window (``frame``) activated, and ``title`` in its title: shown
        before its plan is loaded (« SRADAR Desktop »), it is named after the plan once it is.
        The events after the activation stay to be expected (the focus may come before the
        title)."""
        event = self.expect(activated("", "frame"), what)
        if title not in event["name"]:
            after = self.seen
            self.expect(
                lambda e: (
                    e["type"] == "object:property-change:accessible-name"
                    and e["role"] == "frame"
                    and title in e["name"]
                ),
                f"{what} : le titre « {title} »",
            )
            self.seen = after
        return event

    def since(self, start: int) -> list[Event]:
        return self.events[start : self.seen]

    def mark(self) -> int:
        """Where the events heard from now on begin (for ``since``)."""
        while self._pull(0):
            pass
        self.seen = len(self.events)
        return self.seen

    def tree(self) -> list[dict]:
        """Every object the program's windows show, as the listener reads them."""
        self.listener.stdin.write("tree\n")
        self.listener.stdin.flush()
        return self.expect(lambda e: e["type"] == "tree", "l'arbre d'accessibilité")["nodes"]


def unnamed_focusable(nodes: list[dict]) -> list[str]:
    """The objects shown that take the focus and have no name to say."""
    return [
        f"{node['role']} (profondeur {node['depth']})"
        for node in nodes
        if "focusable" in node["states"]
        and "showing" in node["states"]
        and not node["name"].strip()
        and node["role"] not in ("table cell", "list item")
    ]
