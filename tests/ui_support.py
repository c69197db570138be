"""Helpers for the tests of the entry window: open it, wait for it, read the database back, drop
files on it, wait for its import dialog, click a message box's button."""

from __future__ import annotations

from pathlib import Path

import pytest
from exchange_support import answer
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from sqlalchemy import event

from sradar_desktop.services.answers import read_answers
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.ui.dialogs.import_files import ImportDialog
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
    with qtbot.waitActive(window):
        window.activateWindow()
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


# Exchanges: files dropped on the window, the import dialog, message boxes -------------------


def workbook_from_elsewhere(tmp_path: Path, respondent: str, answers_: dict, name: str) -> Path:
    """A workbook exported by another workstation (its own database), as received by email."""
    source = open_database(tmp_path / f"poste-{respondent}.sqlite3")
    try:
        answer(source, respondent, answers_, actor=f"Agent {respondent}")
        path = tmp_path / name
        export_workbook(source, path, respondent_code=respondent)
    finally:
        source.close()
    return path


def drop(qtbot, widget, paths: list[Path], *, shift: bool = False) -> None:
    """Drop files on ``widget`` as a file manager does (offering to copy or move them; Shift
    asks for a move)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    center = widget.rect().center()
    offered = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    keys = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier(0)
    enter = QDragEnterEvent(center, offered, mime, Qt.MouseButton.LeftButton, keys)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    dropped = QDropEvent(QPointF(center), offered, mime, Qt.MouseButton.LeftButton, keys)
    assert dropped.proposedAction() == (
        Qt.DropAction.MoveAction if shift else Qt.DropAction.CopyAction
    )
    QApplication.sendEvent(widget, dropped)
    assert dropped.isAccepted()
    # Always a copy: a move would let the file manager delete the workbook received.
    assert dropped.dropAction() == Qt.DropAction.CopyAction


def import_dialog(qtbot, window) -> ImportDialog:
    qtbot.waitUntil(lambda: isinstance(window.exchange.dialog, ImportDialog))
    dialog = window.exchange.dialog
    qtbot.waitUntil(lambda: dialog.phase == ImportDialog.PREVIEWED, timeout=SIGNAL_TIMEOUT)
    return dialog


def wait_active(qtbot, widget) -> None:
    """The offscreen platform does not give the activation back when a dialog closes."""
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def click(qtbot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def box_button(box: QMessageBox, text: str) -> QPushButton:
    return next(b for b in box.buttons() if b.text() == text)  # type: ignore[return-value]
