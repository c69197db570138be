"""Both windows with a screen reader, the keyboard alone, and a dark or high-contrast palette.

- Every control (button, check box, text field, drop-down, spin box, list or table, slider)
  has a name a screen reader can say: its own text, the label that is its buddy, or an
  accessible name. The name is asked of Qt's accessibility layer, as a screen reader asks it.
- In the entry window, Tab goes through the controls in reading order: the filters left to
  right, then the plan, the actions, the answer and the comment.
- With a dark palette (Windows dark mode, high contrast), the text the windows colour
  themselves (secondary text, states) stays readable against the window.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from consolidation_support import answer_scenario
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from ui_support import HDF, KARIM, database_path, open_window

from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.ui.consolidation_view import ConsolidationWindow
from sradar_desktop.ui.settings import Settings

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QAbstractSlider,
)
# Parts of a composite control, said by the control itself (a drop-down's list, a field's
# clear button, a table's headers and corner button, a spin box's field, a tab bar's arrows).
COMPOSITES = (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractItemView, QTabBar)


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader says for ``widget``: its accessible name, else what Qt's
    accessibility layer derives (a button's text, a buddy label). A drop-down's derived name
    is its current value under Linux, which names nothing: only its own name or its buddy
    label count."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    if isinstance(widget, QComboBox):
        window = widget.window()
        buddies = [label for label in window.findChildren(QLabel) if label.buddy() is widget]
        return buddies[0].text().replace("&", "").strip() if buddies else ""
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Text.Name) if interface is not None else "").strip()


def part_of_composite(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(window: QWidget) -> list[str]:
    """The controls of ``window`` shown to the user without a name to say."""
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
            continue
        if not widget.isVisibleTo(window) or part_of_composite(widget, window):
            continue
        if not accessible_name(widget):
            missing.append(
                f"{type(widget).__name__} « {widget.objectName()} » in "
                f"{type(widget.parentWidget()).__name__}"
            )
    return missing


def open_consolidation(qtbot, db) -> ConsolidationWindow:
    answer_scenario(db)
    window = ConsolidationWindow(
        db, questionnaire_id="sradar-2021-2023", actor="Sophie Durand", settings=Settings()
    )
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.show()
    return window


# ==== names ======================================================================================


def test_every_control_of_the_entry_window_has_a_name(qtbot, db):
    # HDF's action 2.6.1 has indicators: their fields are in the detail pane.
    window = open_window(qtbot, db, KARIM, HDF)
    window._select_code("2.6.1")
    assert window.detail.indicator_edit(0, "target").isVisible()
    assert unnamed_controls(window) == []
    window.detail.show_history()
    assert unnamed_controls(window) == []
    # The names say what the control is for, not only what it shows.
    assert accessible_name(window.search_edit) == "Rechercher"
    assert accessible_name(window.pilot_combo) == "Filtrer par pilote"
    assert accessible_name(window.detail.clear_button) == "Effacer la réponse"
    assert accessible_name(window.detail.indicator_edit(0, "target")).endswith("Valeur cible")
    # The save state is read out with its words, not its colour.
    assert accessible_name(window.save_label) == "✓ Tout est enregistré"


def test_every_control_of_the_consolidation_window_has_a_name(qtbot, db):
    window = open_consolidation(qtbot, db)
    missing = []
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        missing += unnamed_controls(window)
    assert sorted(set(missing)) == []


# ==== focus order ================================================================================


def test_tab_follows_reading_order_in_the_entry_window(qtbot, db):
    window = open_window(qtbot, db)
    detail = window.detail
    expected = [
        window.search_edit,
        window.unanswered_box,
        window.status_combo,
        window.pilot_combo,
        window.clear_filters_button,
        window.tree,
        window.table,
        detail.tabs.tabBar(),
        # The answers are one stop, like radio buttons (the arrows move between them; their
        # keys answer from anywhere).
        detail.first_focus(),
        detail.clear_button,
        detail.comment_edit,
    ]
    enabled = [w for w in expected if w.isEnabled()]
    enabled[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is enabled[0])
    reached = [enabled[0]]
    for _ in enabled[1:]:
        current = QApplication.focusWidget()
        window.focusNextChild()
        qtbot.waitUntil(lambda current=current: QApplication.focusWidget() is not current)
        reached.append(QApplication.focusWidget())
    names = [w.objectName() or type(w).__name__ for w in reached]
    assert reached == enabled, names
    # And on screen it is the reading order: rows left to right, panes (columns) left to
    # right, each from top to bottom; never a step back up and to the left.
    points = [w.mapTo(window, w.rect().topLeft()) for w in enabled]
    for index, (a, b) in enumerate(pairwise(points)):
        assert b.x() > a.x() or b.y() > a.y(), names[index : index + 2]


# ==== dark palette ===============================================================================


def luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(one: QColor, two: QColor) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def dark_palette() -> QPalette:
    """Roughly Windows' dark mode: light text on near-black."""
    palette = QPalette()
    role = QPalette.ColorRole
    for name, color in (
        (role.Window, "#202020"),
        (role.WindowText, "#ffffff"),
        (role.Base, "#2b2b2b"),
        (role.AlternateBase, "#323232"),
        (role.Text, "#ffffff"),
        (role.Button, "#2d2d2d"),
        (role.ButtonText, "#ffffff"),
        (role.ToolTipBase, "#2b2b2b"),
        (role.ToolTipText, "#ffffff"),
        (role.PlaceholderText, "#a0a0a0"),
        (role.Highlight, "#0078d4"),
        (role.HighlightedText, "#ffffff"),
        (role.Link, "#4cc2ff"),
    ):
        palette.setColor(name, QColor(color))
    return palette


@pytest.fixture
def dark(qapp):
    previous = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    yield
    qapp.setPalette(previous)


def unreadable_labels(window: QMainWindow, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Labels whose text colour is too close to the window's background (WCAG: 4.5:1), but
    those within the ``skip`` panes."""
    background = window.palette().color(QPalette.ColorRole.Window)
    found = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text().strip():
            continue
        if any(pane.isAncestorOf(label) for pane in skip):
            continue
        if label.objectName() == "banner" or label.parentWidget().objectName() in (
            "banner",
            "conflit",
        ):
            continue  # banners and the conflict box draw their own background
        label.ensurePolished()
        color = label.palette().color(QPalette.ColorRole.WindowText)
        ratio = contrast(color, background)
        if ratio < 4.5:
            found.append(f"« {label.text()[:40]} » {color.name()} ({ratio:.1f}:1)")
    return found


def test_dark_palette_keeps_the_entry_window_readable(qtbot, db, dark):
    window = open_window(qtbot, db, KARIM, HDF)
    window._select_code("2.6.1")
    assert window.palette().color(QPalette.ColorRole.Window).name() == "#202020"
    assert unreadable_labels(window) == []
    # The states the window colours itself: saved, refused, secondary text.
    target = window.detail.indicator_edit(0, "target")
    target.setFocus()
    target.setText("abc")
    target.textEdited.emit("abc")
    assert window.save_label.text() == "⚠ 1 valeur refusée non enregistrée"
    assert unreadable_labels(window) == []
    # Taken back, the window may close without asking about it.
    target.setText("")
    target.textEdited.emit("")
    assert window.save_label.text() == "✓ Tout est enregistré"


def test_dark_palette_keeps_the_consolidation_window_readable(qtbot, db, dark):
    """The window's own parts: header, filters, status bar. The grid's detail, the roster and
    the charts colour their text in their own modules, checked with them."""
    window = open_consolidation(qtbot, db)
    panes = (window.detail, window.roster, window.charts)
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        assert unreadable_labels(window, skip=panes) == []


# ==== what the save state says ===================================================================


def test_the_save_state_never_says_all_is_saved_while_something_is_not(qtbot, tmp_path):
    """« ✓ Tout est enregistré » is said (and read out) only when it is true: not while a
    refused indicator value is still in its field, nor while a conflict waits for the agent.
    An empty indicator field shows nothing that could read as a value."""
    path = database_path(tmp_path)
    db, other = open_database(path), open_database(path)
    try:
        window = open_window(qtbot, db, KARIM, HDF)
        window._select_code("2.6.1")
        assert window.save_label.text() == "✓ Tout est enregistré"
        target = window.detail.indicator_edit(0, "target")
        assert target.text() == "" and target.placeholderText() == ""

        # A value that is not a number stays in its field, refused.
        target.setFocus()
        qtbot.keyClicks(target, "douze")
        qtbot.keyClick(target, Qt.Key.Key_Tab)
        assert window.save_label.text() == "⚠ 1 valeur refusée non enregistrée"
        assert accessible_name(window.save_label) == "⚠ 1 valeur refusée non enregistrée"
        target.setFocus()
        target.selectAll()
        qtbot.keyClicks(target, "12")
        qtbot.keyClick(target, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: window.controller.idle)
        assert window.save_label.text() == "✓ Tout est enregistré"

        # Another agent of the service answers behind the window; the window's answer is
        # refused and kept for the agent to settle.
        code = "2.6.1"
        service = AnswerService(other, default_campaign_id(HDF), KARIM.service_code, "Léa Petit")
        service.set_status(code, "non")
        qtbot.mouseClick(window.detail.status_button("oui"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(window.controller.conflicts))
        qtbot.waitUntil(lambda: window.controller.idle)
        assert window.detail.conflict_box.isVisible()
        assert window.save_label.text() == "⚠ 1 saisie en conflit à régler"
        qtbot.mouseClick(window.detail.dismiss_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.controller.idle)
        assert window.save_label.text() == "✓ Tout est enregistré"
    finally:
        other.close()
        db.close()
