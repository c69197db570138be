"""What a screen reader is told beyond the names and roles of the controls.

An accessible name is not an announcement: when a key changes what the focused control shows
(an answer chosen, cleared or undone; another action shown while the agent stays in the
comment; the count of actions a filter leaves), a screen reader says nothing unless an event
tells it. ``announce`` sends Qt's announcement (Qt ≥ 6.8, which the program requires): a
notification of UI Automation on Windows, read by NVDA and JAWS; ``object:announcement`` on
the AT-SPI bus on Linux, read by Orca from its version 46 (Debian 13, Ubuntu 24.04).
``tests/test_ui_screen_reader.py`` listens to that bus and checks that each one reaches it.

Also here: the application's own description (Qt says the interpreter's path), and the text of
the panes that show text rather than take it (a screen reader reads their description).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleInterface,
    QAccessibleObject,
    QGuiApplication,
)
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget


class _Announcer(QObject):
    """Where announcements go out; ``said`` tells who listens in the program (the tests)."""

    said = Signal(str)


_announcer: _Announcer | None = None


def announcer() -> _Announcer:
    global _announcer
    if _announcer is None:
        _announcer = _Announcer()
    return _announcer


def announce(text: str, source: QWidget | None = None, *, urgent: bool = False) -> None:
    """Have a screen reader say ``text`` now, as coming from ``source`` (by default the
    control that has the focus). ``urgent`` interrupts what it is saying (the answer the
    agent just gave); otherwise the text waits its turn (a count, a new place)."""
    text = text.strip()
    target = source or QApplication.focusWidget() or QApplication.activeWindow()
    if not text or target is None:
        return
    event = QAccessibleAnnouncementEvent(target, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if urgent
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)
    announcer().said.emit(text)


# ==== the text of a pane ========================================================================


class TextPane(QTextBrowser):
    """A pane that shows text to read (the list of shortcuts, a file's detail, an action's
    answers): its name says what it is, its description carries the text itself, which a
    screen reader reads when the pane takes the focus (a read-only text pane otherwise
    exposes its name alone)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.textChanged.connect(self._describe)

    def _describe(self) -> None:
        text = self.toPlainText().strip() or self.placeholderText()
        if self.accessibleDescription() != text:
            self.setAccessibleDescription(text)


# ==== the application ===========================================================================


class _Application(QAccessibleObject):
    """The application as a screen reader sees it: Qt's own, but with a description of the
    program rather than the path of the executable (the Python interpreter, in a source
    install)."""

    def __init__(self, application: QObject, description: str) -> None:
        super().__init__(application)
        self.description = description

    @staticmethod
    def _windows() -> list[QAccessibleInterface]:
        roots = []
        for window in QGuiApplication.topLevelWindows():
            if window.type() in (Qt.WindowType.Popup, Qt.WindowType.Desktop):
                continue
            root = window.accessibleRoot()
            if root is not None and root.object() is not None:
                roots.append(root)
        return roots

    def childCount(self) -> int:
        return len(self._windows())

    # Qt's null interface is None: PySide's stubs say an interface is always returned.
    def child(self, index: int) -> QAccessibleInterface | None:  # type: ignore[override]
        windows = self._windows()
        return windows[index] if 0 <= index < len(windows) else None

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        for index, window in enumerate(self._windows()):
            if window.object() is child.object():
                return index
        return -1

    def parent(self) -> QAccessibleInterface | None:  # type: ignore[override]
        return None

    def focusChild(self) -> QAccessibleInterface | None:  # type: ignore[override]
        window = QGuiApplication.focusWindow()
        return window.accessibleRoot() if window is not None else None

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Name:
            return QGuiApplication.applicationName()
        if kind == QAccessible.Text.Description:
            return self.description
        return ""

    def role(self) -> QAccessible.Role:
        return QAccessible.Role.Application

    def state(self) -> QAccessible.State:
        return QAccessible.State()


# Qt keeps pointers to the factory and to the object it made: Python must keep them alive.
_kept: dict[str, object] = {}


def describe_application(application: QApplication, description: str) -> None:
    """Give ``application`` its ``description`` for screen readers. Called before any
    window is shown: Qt asks for the application's accessible object once and keeps it."""
    _kept["description"] = description
    if "factory" in _kept:
        return

    def factory(_class_name: str, candidate: QObject) -> QAccessibleInterface | None:
        if candidate is not QApplication.instance():
            return None
        if "object" not in _kept:
            _kept["object"] = _Application(candidate, str(_kept["description"]))
        return _kept["object"]  # type: ignore[return-value]

    _kept["factory"] = factory
    QAccessible.installFactory(factory)
