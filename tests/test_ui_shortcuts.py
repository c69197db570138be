"""Every shortcut of both windows reaches its action, once: pressed for real, key by key."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence, QShortcutEvent
from PySide6.QtWidgets import QApplication, QMainWindow
from ui_support import open_window

from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.parts.settings import Settings


class ShortcutSpy(QObject):
    """Takes the shortcut events of the actions it watches, without running their slots (a
    shortcut such as « Quitter » or « Importer » would close the window or open a dialog)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[QAction, bool]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut and isinstance(watched, QAction):
            assert isinstance(event, QShortcutEvent)
            self.received.append((watched, event.isAmbiguous()))
            return True
        return False


def press_every_shortcut(qtbot, window: QMainWindow) -> int:
    """Press each key of each enabled action of ``window``; each must reach its own action,
    unambiguously. Returns how many keys were pressed."""
    spy = ShortcutSpy()
    actions = [action for action in window.actions() if action.isEnabled()]
    for action in actions:
        action.installEventFilter(spy)
    target = window.focusWidget() or window
    pressed = 0
    for action in actions:
        for sequence in action.shortcuts():
            spy.received.clear()
            combination = sequence[0]
            qtbot.keyClick(target, combination.key(), combination.keyboardModifiers())
            QApplication.processEvents()
            name = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            assert spy.received == [(action, False)], (
                f"{name} (« {action.text()} ») : {spy.received}"
            )
            pressed += 1
    for action in actions:
        action.removeEventFilter(spy)
    return pressed


def test_every_shortcut_of_the_entry_window_works_once(qtbot, tmp_path):
    db = open_database(tmp_path / "sradar.sqlite3")
    try:
        window = open_window(qtbot, db)
        window.table.setFocus()
        quit_keys = [s.toString() for s in window.quit_action.shortcuts()]
        assert quit_keys.count("Ctrl+Q") == 1
        assert press_every_shortcut(qtbot, window) >= 20
    finally:
        db.close()


@pytest.fixture
def consolidation(qtbot, tmp_path):
    from consolidation_support import answer_scenario

    db = open_database(tmp_path / "sradar.sqlite3")
    answer_scenario(db)
    window = ConsolidationWindow(
        db, questionnaire_id="sradar-2021-2023", actor="Sophie Durand", settings=Settings()
    )
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=20_000):
        window.show()
    yield window
    db.close()


def test_every_shortcut_of_the_consolidation_window_works_once(qtbot, consolidation):
    close_keys = [s.toString() for s in consolidation.close_action.shortcuts()]
    assert close_keys.count("Ctrl+W") == 1
    assert press_every_shortcut(qtbot, consolidation) >= 5


def test_a_key_given_twice_to_one_action_still_works(qtbot, tmp_path):
    """Where a standard key is the literal one too (``Close`` is Ctrl+W under X11), the action
    keeps it once; otherwise Qt finds it ambiguous and the key does nothing."""
    from sradar_desktop.ui.parts.widgets import window_action

    db = open_database(tmp_path / "sradar.sqlite3")
    try:
        window = open_window(qtbot, db)
        key = QKeySequence("Ctrl+Alt+W")
        action = window_action(window, "Essai", lambda: None, [key, QKeySequence(key)])
        assert [s.toString() for s in action.shortcuts()] == ["Ctrl+Alt+W"]
        window.table.setFocus()
        press_every_shortcut(qtbot, window)
    finally:
        db.close()
