"""Helpers for the tests of the entry window: open it, wait for it, read the database back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import event

from sradar_desktop.services.answers import read_answers
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.ui.entry.window import MainWindow

SRADAR = "sradar-2021-2023"
HDF = "hdf-integration-2021"
CLAIRE = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Claire Martin")
KARIM = Identity.create("DDETS-59", "", "Karim Benali")
# How long a test waits for a signal, in milliseconds: only against a stuck test, never what
# it asserts (the wait ends as soon as the signal comes).
SIGNAL_TIMEOUT = 120_000

# Menus and drop-down lists open as popups: the offscreen platform can neither raise them nor
# grab the keyboard, and says so.
POPUPS_OFFSCREEN = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


def open_window(
    qtbot, db: Database, identity: Identity | None = CLAIRE, questionnaire: str = SRADAR
) -> MainWindow:
    """The real window, shown, active, with its plan loaded."""
    window = MainWindow(db, identity=identity, questionnaire_id=questionnaire)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    # The comment is saved after a pause of a second; the tests do not wait that long.
    window.detail.comment_timer.setInterval(50)
    return window


def wait_saved(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.controller is not None and window.controller.engine.idle)


def answers(db: Database, identity: Identity = CLAIRE, questionnaire: str = SRADAR):
    """What the database holds now, read back through a fresh session."""
    return read_answers(db, default_campaign_id(questionnaire), identity.service_code)


def key(qtbot, widget: QWidget, key: Qt.Key | str, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(widget, key, modifier)


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key, accents included (QTest only knows ASCII keys)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def make_read_only_underneath(db: Database):
    """The database becomes unwritable under the window (``query_only`` stops even root)."""

    def _read_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    event.listen(db.engine, "connect", _read_only)
    db.engine.dispose()

    def restore() -> None:
        event.remove(db.engine, "connect", _read_only)
        db.engine.dispose()

    return restore


def current_code(window: MainWindow) -> str:
    entry = window.current_entry()
    return entry.code if entry is not None else ""


def visible_codes(window: MainWindow) -> list[str]:
    proxy = window.action_list.proxy
    return [proxy.entry(row).code for row in range(proxy.rowCount())]


def database_path(tmp_path: Path) -> Path:
    return tmp_path / "base.sqlite3"
