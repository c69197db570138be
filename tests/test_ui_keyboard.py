"""The keys a keyboard-only agent relies on, each doing what it says wherever the focus is.

Tab goes round the entry window (never round the detail pane alone); Échap leaves the history;
Alt+↓ opens a drop-down list that has the focus; the window's Ctrl keys work from the search
field; Entrée starts the first-start dialog after a round of Tab; Ctrl+Entrée applies an
arbitration from its status; F2 and Entrée correct a revised plan's link from any column.
And what a screen reader reads is there: names of the panes, cells of the import preview with
their column, text cut with « … » and whole in its tooltip.
"""

from __future__ import annotations

import pytest
from consolidation_support import answer_scenario
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont, QShortcutEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleFactory,
    QStyleOptionTab,
    QTabBar,
    QVBoxLayout,
)
from test_ui_revision import open_view as open_consolidation
from test_ui_revision import revised_table
from ui_support import (
    POPUPS_OFFSCREEN,
    SIGNAL_TIMEOUT,
    SRADAR,
    current_code,
    database_path,
    open_window,
)

from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import list_questionnaires
from sradar_desktop.ui.dialogs.revision import LinksModel, RevisionDialog
from sradar_desktop.ui.dialogs.start import IdentityDialog
from sradar_desktop.ui.entry.models import ActionTableModel
from sradar_desktop.ui.parts.layout import ElidedLabel
from sradar_desktop.ui.parts.screen import fit_to_screen
from sradar_desktop.ui.parts.style import ReadableStyle
from sradar_desktop.ui.parts.widgets import ElidedComboBox

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def tab(qtbot, backwards: bool = False):
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the focus"
    if backwards:
        qtbot.keyClick(widget, K.Key_Backtab, SHIFT)
    else:
        qtbot.keyClick(widget, K.Key_Tab)
    return QApplication.focusWidget()


# ==== the entry window ==========================================================================


def test_tab_goes_round_the_window_not_round_the_detail_pane(qtbot, db):
    window = open_window(qtbot, db)
    detail, filters = window.detail, window.filters
    detail.focus_answer()
    assert QApplication.focusWidget() is detail.status_button("oui")
    # The answers are one stop; after the comment, back to the top of the window.
    assert tab(qtbot) is detail.clear_button
    assert tab(qtbot) is detail.comment_edit
    assert tab(qtbot) is filters.search_edit
    assert tab(qtbot) is filters.unanswered_box
    # And back the other way, into the pane again.
    tab(qtbot, backwards=True)
    assert tab(qtbot, backwards=True) is detail.comment_edit
    assert tab(qtbot, backwards=True) is detail.clear_button
    # An answer given: Tab enters the group on it.
    qtbot.keyClick(window.action_list.table, K.Key_3)
    detail.clear_button.setFocus()
    assert tab(qtbot, backwards=True) is detail.status_button("non")
    # On the history, Tab goes from its list to the top of the window.
    detail.show_history()
    assert QApplication.focusWidget() is detail.history_view
    assert tab(qtbot) is filters.search_edit


def test_escape_leaves_the_history_for_the_list(qtbot, db):
    window = open_window(qtbot, db)
    window.detail.show_history()
    qtbot.keyClick(window.detail.history_view, K.Key_Escape)
    assert QApplication.focusWidget() is window.action_list.table


@POPUPS_OFFSCREEN
def test_alt_down_opens_a_drop_down_list_that_has_the_focus(qtbot, db):
    window = open_window(qtbot, db)
    combo = window.filters.pilot_combo
    combo.setFocus()
    code = current_code(window)
    qtbot.keyClick(combo, K.Key_Down, ALT)
    qtbot.waitUntil(lambda: combo.view().isVisible())
    assert current_code(window) == code  # not the next action
    combo.hidePopup()
    # Elsewhere Alt+↓ is still the next action.
    qtbot.keyClick(window.action_list.table, K.Key_Down, ALT)
    assert current_code(window) != code


class ShortcutSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[QAction] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut and isinstance(watched, QAction):
            assert isinstance(event, QShortcutEvent)
            self.received.append(watched)
            return True  # the export's file dialog is not opened
        return False


def test_the_windows_ctrl_keys_work_from_the_search_field(qtbot, db):
    """A line edit under X11 takes Ctrl+E (end of line) and Ctrl+U for itself: the search field
    leaves them to the window; its own keys (Ctrl+A, Ctrl+C…) stay its own."""
    window = open_window(qtbot, db)
    search = window.filters.search_edit
    window.focus_search()
    spy = ShortcutSpy()
    export = window.exchange.export_action
    export.installEventFilter(spy)
    qtbot.keyClick(search, K.Key_E, CTRL)
    export.removeEventFilter(spy)
    assert spy.received == [export]
    qtbot.keyClick(search, K.Key_U, CTRL)
    assert window.filters.unanswered_box.isChecked()
    qtbot.keyClicks(search, "places")
    qtbot.keyClick(search, K.Key_A, CTRL)
    assert search.selectedText() == "places"


def test_the_pilots_column_does_not_come_back_to_squeeze_the_actions(qtbot, db):
    window = open_window(qtbot, db)
    table = window.action_list.table
    window.resize(1024, 600)
    window.splitter.setSizes([200, 430, 360])
    qtbot.waitUntil(lambda: table.isColumnHidden(ActionTableModel.PILOTS))
    # Laid out again (a column hidden has no width: counting that brought it back).
    window.action_list.fit_columns()
    window.action_list.fit_columns()
    assert table.isColumnHidden(ActionTableModel.PILOTS)
    assert table.columnWidth(ActionTableModel.TEXT) >= 24 * table.fontMetrics().averageCharWidth()
    window.splitter.setSizes([200, 900, 360])
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: not table.isColumnHidden(ActionTableModel.PILOTS))


def test_the_panes_that_take_the_focus_are_named(qtbot, db):
    window = open_window(qtbot, db)
    detail = window.detail
    assert detail.tabs.accessibleName() == "Détail de l'action"
    scroll = detail.tabs.widget(0)
    assert scroll.accessibleName() == "Réponse de l'action"
    assert scroll.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert detail.status_box.accessibleName() == "Réalisation"


# ==== dialogs ===================================================================================


def test_return_starts_after_a_whole_round_of_tab(qtbot, db):
    dialog = IdentityDialog(list_questionnaires(db), None, SRADAR)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClicks(dialog.code_edit, "DDETS-44")
    dialog.name_edit.setText("Claire Martin")
    dialog.code_edit.setFocus()
    passed = []
    for _ in range(8):
        passed.append(tab(qtbot))
        if passed[-1] is dialog.code_edit:
            break
    assert dialog.ok_button in passed and passed[-1] is dialog.code_edit
    assert dialog.ok_button.isDefault()
    qtbot.keyClick(dialog.code_edit, K.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_default_button_is_default_again_once_the_focus_has_left_the_other(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    start = QPushButton("Commencer")
    start.setDefault(True)  # not yet in the dialog, as in a button box built first
    other = QPushButton("Quitter")
    field = QLineEdit()
    layout = QVBoxLayout(dialog)
    layout.addWidget(field)
    layout.addWidget(start)
    layout.addWidget(other)
    fit_to_screen(dialog, 300, 200)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    # Maj+Tab from the field reaches the other button first (Entrée there presses it, as Qt
    # wants), then the field again…
    for widget in (other, field):
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
    assert start.isDefault()  # …where Entrée presses the default button again


def test_ctrl_return_applies_from_the_status_and_a_hidden_reason_comes_back(qtbot, tmp_path):
    db = open_database(database_path(tmp_path))
    try:
        answer_scenario(db)
        window = open_consolidation(qtbot, db)
        detail = window.detail
        assert window.select_action("1.4.1")
        detail.reason_edit.setPlainText("La hausse des nuitées est durable.")
        # The filters hide the action: what was typed is not lost.
        qtbot.mouseClick(window.filters.arbitrated_box, Qt.MouseButton.LeftButton)
        assert detail.result is None or detail.result.action.code != "1.4.1"
        qtbot.mouseClick(window.filters.arbitrated_box, Qt.MouseButton.LeftButton)
        assert window.select_action("1.4.1")
        assert detail.reason_edit.toPlainText() == "La hausse des nuitées est durable."
        # Ctrl+Entrée from the status applies.
        detail.status_combo.setFocus()
        with qtbot.waitSignal(detail.arbitrate, timeout=SIGNAL_TIMEOUT) as asked:
            qtbot.keyClick(detail.status_combo, K.Key_Return, CTRL)
        assert asked.args[0] == "1.4.1"
        assert asked.args[2] == "La hausse des nuitées est durable."
        qtbot.waitUntil(lambda: not window.tasks.busy)
    finally:
        db.close()


def test_f2_and_return_correct_a_link_from_any_column(qtbot, tmp_path, monkeypatch):
    db = open_database(database_path(tmp_path))
    try:
        dialog = RevisionDialog(db, SRADAR, actor="Sophie Durand")
        qtbot.addWidget(dialog)
        chosen = []
        monkeypatch.setattr(dialog, "choose_file", lambda: chosen.append(True))
        dialog.show()
        with qtbot.waitSignal(dialog.previewed, timeout=SIGNAL_TIMEOUT):
            dialog.load_file(revised_table(tmp_path))
        table = dialog.table
        for key, column, edited in (
            (K.Key_F2, LinksModel.KIND, LinksModel.OLD),
            (K.Key_Return, LinksModel.NEW_TEXT, LinksModel.NEW),
        ):
            table.setCurrentIndex(dialog.proxy.index(0, column))
            table.setFocus()
            qtbot.keyClick(table, key)
            assert table.state() == table.State.EditingState
            assert table.currentIndex().column() == edited
            qtbot.keyClick(QApplication.focusWidget(), K.Key_Escape)
            qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
        assert chosen == []  # Entrée never pressed « Choisir le fichier… »
    finally:
        db.close()


# ==== what is drawn =============================================================================


def test_the_title_of_a_tab_not_chosen_has_room_for_accents(qtbot):
    bar = QTabBar()
    qtbot.addWidget(bar)
    bar.addTab("Actions")
    bar.addTab("Évolution")
    style = ReadableStyle(QStyleFactory.create("Fusion"))
    option = QStyleOptionTab()
    bar.initStyleOption(option, 1)  # not selected
    text = style.subElementRect(QStyle.SubElement.SE_TabBarTabText, option, bar)
    plain = QStyleFactory.create("Fusion").subElementRect(
        QStyle.SubElement.SE_TabBarTabText, option, bar
    )
    # Fusion's box is shorter than a line: the accent of « É » was cut. Ours has a line and more,
    # around the same middle.
    assert plain.height() < option.fontMetrics.height() + 1
    assert text.height() >= option.fontMetrics.height() + 1
    assert abs(text.center().y() - plain.center().y()) <= 1


def test_cut_text_ends_with_an_ellipsis_and_is_whole_in_its_tooltip(qtbot):
    label = ElidedLabel(
        "DDETS de la Loire-Atlantique (DDETS-44) — Claire Martin · actions pilotées"
    )
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    assert label.text().endswith("pilotées")  # whole for whoever reads it
    assert label.shown_text().endswith("…") and len(label.shown_text()) < len(label.text())
    assert label.toolTip() == label.text()
    label.resize(2000, 20)
    assert label.shown_text() == label.text() and label.toolTip() == ""
    label.set_tip("Le titre complet")
    assert label.toolTip() == "Le titre complet"

    combo = ElidedComboBox()
    qtbot.addWidget(combo)
    combo.addItem("Mon service (DDETS de la Loire-Atlantique)")
    combo.setFont(QFont(combo.font()))
    combo.resize(110, 24)
    combo.show()
    combo.grab()  # painted: the choice cut, whole in the tooltip
    assert combo.toolTip() == "Mon service (DDETS de la Loire-Atlantique)"
    combo.resize(600, 24)
    combo.grab()
    assert combo.toolTip() == ""
