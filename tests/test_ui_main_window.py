"""The entry window driven as an agent drives it: with the keyboard, on a real database.

Answer actions, type a comment and indicator values, undo and redo, filter and search, close
and open again and find everything; a database that refuses writes loses nothing.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_support import (
    HDF,
    KARIM,
    SRADAR,
    answers,
    current_code,
    database_path,
    make_read_only_underneath,
    open_window,
    type_text,
    visible_codes,
    wait_saved,
)

from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.services.entry_data import read_history
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
KEYPAD = Qt.KeyboardModifier.KeypadModifier


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def test_answer_actions_with_the_keyboard(qtbot, db):
    window = open_window(qtbot, db)
    table = window.action_list.table
    assert window.focusWidget() is table
    # The plan is the DDETS's part of the SRADAR: 47 of 71 actions, none answered yet.
    assert window.header.progress_label.text() == "0 / 47 actions renseignées"
    assert current_code(window) == "1.1.1"
    qtbot.keyClick(table, K.Key_1)
    qtbot.keyClick(table, K.Key_Down)
    qtbot.keyClick(table, K.Key_P)
    qtbot.keyClick(table, K.Key_Down)
    qtbot.keyClick(table, K.Key_3, KEYPAD)  # the numeric keypad
    qtbot.keyClick(table, K.Key_Down)
    qtbot.keyClick(table, K.Key_Apostrophe)  # « 4 » on the top row of a French keyboard
    qtbot.keyClick(table, K.Key_Down)
    qtbot.keyClick(table, K.Key_C)
    qtbot.keyClick(table, K.Key_Delete)  # and taken back
    wait_saved(qtbot, window)
    codes = visible_codes(window)[:5]
    saved = answers(db)
    assert [saved[c].status if c in saved else None for c in codes] == [
        "oui",
        "partiellement",
        "non",
        "nc",
        None,
    ]
    assert window.header.progress_label.text() == "4 / 47 actions renseignées"
    assert window.action_list.tree_model.index(1, 1).data() == "4 / 10"
    assert window.header.save_label.text() == "✓ Tout est enregistré"
    # The detail pane says the same, with the word of each answer.
    assert window.detail.status_button("nc").isChecked() is False
    qtbot.keyClick(table, K.Key_Up)
    assert window.detail.status_button("nc").isChecked()
    assert window.action_list.model.index(window.current_entry().row, 3).data() == "NC"
    # Every change is in the audit trail, with the agent's name.
    history = read_history(db, default_campaign_id(SRADAR), "DDETS-44", codes[4])
    assert [(h.field, h.new_value, h.actor) for h in history] == [
        ("status", None, "Claire Martin"),
        ("status", "nc", "Claire Martin"),
    ]


def test_move_around_without_the_mouse(qtbot, db):
    window = open_window(qtbot, db)
    table = window.action_list.table
    qtbot.keyClick(table, K.Key_Down, ALT)
    qtbot.keyClick(table, K.Key_Down, ALT)
    assert current_code(window) == visible_codes(window)[2]
    qtbot.keyClick(table, K.Key_Up, ALT)
    assert current_code(window) == visible_codes(window)[1]
    # Enter on an action goes to its comment; Escape comes back to the list.
    qtbot.keyClick(table, K.Key_Return)
    assert window.focusWidget() is window.detail.comment_edit
    qtbot.keyClick(window.detail.comment_edit, K.Key_Escape)
    assert window.focusWidget() is table
    # Ctrl+Return: the next action without an answer (answered ones are skipped).
    qtbot.keyClick(table, K.Key_O)
    qtbot.keyClick(table, K.Key_Down)
    qtbot.keyClick(table, K.Key_N)
    qtbot.keyClick(table, K.Key_Up)
    qtbot.keyClick(table, K.Key_Return, CTRL)
    assert current_code(window) == visible_codes(window)[3]
    # F2 comment, F3 indicators (none here: the status bar says so), Ctrl+1 the plan,
    # Ctrl+2 the actions, Ctrl+3 the answer buttons, Ctrl+F the search box.
    qtbot.keyClick(table, K.Key_F2)
    assert window.focusWidget() is window.detail.comment_edit
    qtbot.keyClick(window.focusWidget(), K.Key_F3)
    assert "pas d'indicateur" in window.statusBar().currentMessage()
    qtbot.keyClick(window.focusWidget(), K.Key_1, CTRL)
    assert window.focusWidget() is window.action_list.tree
    qtbot.keyClick(window.action_list.tree, K.Key_2, CTRL)
    assert window.focusWidget() is table
    qtbot.keyClick(table, K.Key_3, CTRL)
    assert window.focusWidget() is window.detail.status_button("oui")
    qtbot.keyClick(window.focusWidget(), K.Key_F, CTRL)
    assert window.focusWidget() is window.filters.search_edit
    # Tab goes through the window in reading order (the detail's tabs, then the answer).
    order = []
    for _ in range(8):
        qtbot.keyClick(window.focusWidget(), K.Key_Tab)
        order.append(window.focusWidget())
    assert order[:8] == [
        window.filters.unanswered_box,
        window.filters.status_combo,
        window.filters.pilot_combo,
        window.filters.clear_button,
        window.action_list.tree,
        table,
        window.detail.tabs.tabBar(),
        window.detail.status_button("oui"),
    ]


def test_answer_keys_do_not_fire_while_typing(qtbot, db):
    window = open_window(qtbot, db)
    code = current_code(window)
    qtbot.keyClick(window.action_list.table, K.Key_F2)
    type_text(qtbot, window.detail.comment_edit, "non, pas encore : 1 réunion")
    qtbot.keyClick(window.detail.comment_edit, K.Key_Tab)
    wait_saved(qtbot, window)
    assert answers(db)[code].comment == "non, pas encore : 1 réunion"
    assert answers(db)[code].status is None
    window.filters.search_edit.setFocus()
    qtbot.keyClicks(window.filters.search_edit, "ocp")
    window.filters.search_edit.clear()
    # A letter typed in a drop-down list chooses in the list.
    window.filters.status_combo.setFocus()
    qtbot.keyClick(window.filters.status_combo, K.Key_N)
    assert window.filters.status_combo.currentText() == "Non"
    assert window.sheet.by_code[code].status is None


def test_comment_saved_after_a_pause_and_undone_as_a_whole(qtbot, db):
    window = open_window(qtbot, db)
    code = current_code(window)
    comment = window.detail.comment_edit
    qtbot.keyClick(window.action_list.table, K.Key_F2)
    qtbot.keyClicks(comment, "Premier jet")
    # Saved after a pause, without leaving the field.
    qtbot.waitUntil(lambda: answers(db).get(code) is not None)
    wait_saved(qtbot, window)
    assert answers(db)[code].comment == "Premier jet"
    assert window.detail.comment_state.text().startswith("✓ Enregistré à")
    qtbot.keyClicks(comment, ", puis la suite")
    qtbot.waitUntil(lambda: window.sheet.by_code[code].comment.endswith("suite"))
    wait_saved(qtbot, window)
    # One Ctrl+Z takes back the whole burst of typing, not one letter.
    qtbot.keyClick(comment, K.Key_Z, CTRL)
    wait_saved(qtbot, window)
    assert comment.toPlainText() == ""
    assert answers(db)[code].comment == ""
    qtbot.keyClick(comment, K.Key_Y, CTRL)
    wait_saved(qtbot, window)
    assert comment.toPlainText() == "Premier jet, puis la suite"
    assert answers(db)[code].comment == "Premier jet, puis la suite"
    # A new visit to the field is a new step: undo takes back only that one.
    qtbot.keyClick(comment, K.Key_Escape)
    qtbot.keyClick(window.action_list.table, K.Key_F2)
    qtbot.keyClick(comment, K.Key_End, CTRL)
    qtbot.keyClicks(comment, " !")
    qtbot.keyClick(comment, K.Key_Tab)
    wait_saved(qtbot, window)
    qtbot.keyClick(window.action_list.table, K.Key_Z, CTRL)
    wait_saved(qtbot, window)
    assert answers(db)[code].comment == "Premier jet, puis la suite"
    assert window.action_list.table.model().index(0, 4).data() == "✎"


def test_undo_and_redo_answers(qtbot, db):
    window = open_window(qtbot, db)
    table = window.action_list.table
    first = current_code(window)
    qtbot.keyClick(table, K.Key_O)
    qtbot.keyClick(table, K.Key_N)
    qtbot.keyClick(table, K.Key_Down)
    second = current_code(window)
    qtbot.keyClick(table, K.Key_P)
    assert window.menus.undo_action.text() == f"&Annuler la réalisation de l'action {second}"
    qtbot.keyClick(table, K.Key_Z, CTRL)
    qtbot.keyClick(table, K.Key_Z, CTRL)
    # Undoing a change on another action shows that action.
    assert current_code(window) == first
    wait_saved(qtbot, window)
    assert answers(db)[first].status == "oui"
    assert second not in answers(db) or answers(db)[second].status is None
    qtbot.keyClick(table, K.Key_Y, CTRL)
    wait_saved(qtbot, window)
    assert answers(db)[first].status == "non"
    qtbot.keyClick(table, K.Key_Z, CTRL | SHIFT)
    wait_saved(qtbot, window)
    assert answers(db)[second].status == "partiellement"
    assert current_code(window) == second
    # Undo and redo are in the audit trail too.
    history = read_history(db, default_campaign_id(SRADAR), "DDETS-44", first)
    assert [h.new_value for h in history] == ["non", "oui", "non", "oui"]


def test_indicators_french_numbers_and_units(qtbot, db):
    window = open_window(qtbot, db, KARIM, HDF)
    assert window.action_list.select_code("2.6.1")
    qtbot.keyClick(window.action_list.table, K.Key_F3)
    target = window.detail.indicators.edit(0, "target")
    assert window.focusWidget() is target
    qtbot.keyClicks(target, "1 234")
    qtbot.keyClick(target, K.Key_Tab)
    achieved = window.detail.indicators.edit(0, "achieved")
    assert window.focusWidget() is achieved
    qtbot.keyClicks(achieved, "12,5")
    qtbot.keyClick(achieved, K.Key_Return)
    # Not an integer: said in French, kept on screen, not saved.
    message = window.detail.indicators.error_label(0, "achieved")
    assert message.text() == "« 12,5 » n'est pas un nombre entier."
    assert achieved.text() == "12,5"
    assert "n'est pas enregistrée" in window.statusBar().currentMessage()
    # Ctrl+Z in the field puts back the saved value.
    qtbot.keyClick(achieved, K.Key_Z, CTRL)
    assert achieved.text() == "" and message.isHidden()
    qtbot.keyClicks(achieved, "1316")
    qtbot.keyClick(achieved, K.Key_Return)
    wait_saved(qtbot, window)
    state = answers(db, KARIM, HDF)["2.6.1"]
    assert state.indicators[0].target == "1234" and state.indicators[0].achieved == "1316"
    # Shown the French way, with its unit.
    assert target.text() == "1\u202f234" and achieved.text() == "1\u202f316"
    grid = window.detail.indicators.grid
    units = [grid.itemAtPosition(row, 2).widget().text() for row in (1, 3)]
    assert units == ["projets", "projets"]
    assert window.action_list.model.index(window.current_entry().row, 5).data() == "1 / 2"
    # Undo takes back the value; the field shows it.
    qtbot.keyClick(window.action_list.table, K.Key_Z, CTRL)
    wait_saved(qtbot, window)
    assert achieved.text() == ""
    assert answers(db, KARIM, HDF)["2.6.1"].indicators[0].achieved is None


def test_filters_and_search(qtbot, db):
    window = open_window(qtbot, db)
    table = window.action_list.table
    assert window.filters.count_label.text() == "47 actions sur 71"
    assert window.filters.pilot_combo.currentText() == "Mon service (DDETS)"
    qtbot.keyClick(table, K.Key_F, CTRL)
    qtbot.keyClicks(window.filters.search_edit, "hebergement")  # without the accent
    shown = visible_codes(window)
    assert shown and all(
        "hébergement" in window.sheet.by_code[c].action.text.lower() for c in shown
    )
    qtbot.keyClick(window.filters.search_edit, K.Key_Escape)
    assert window.filters.search_edit.text() == "" and len(visible_codes(window)) == 47
    # Comments are searched too.
    qtbot.keyClick(window.filters.search_edit, K.Key_Escape)
    assert window.focusWidget() is table
    code = current_code(window)
    qtbot.keyClick(table, K.Key_F2)
    type_text(qtbot, window.detail.comment_edit, "convention signée en mars")
    qtbot.keyClick(window.detail.comment_edit, K.Key_Escape)
    qtbot.keyClick(table, K.Key_F, CTRL)
    qtbot.keyClicks(window.filters.search_edit, "signee mars")
    assert visible_codes(window) == [code]
    window.filters.search_edit.clear()
    # Unanswered only (Ctrl+U): an action answered stays until the agent moves on.
    qtbot.keyClick(table, K.Key_U, CTRL)
    assert window.filters.unanswered_box.isChecked()
    before = len(visible_codes(window))
    table.setFocus()
    answered = current_code(window)
    qtbot.keyClick(table, K.Key_1)
    assert answered in visible_codes(window)
    qtbot.keyClick(table, K.Key_Down, ALT)
    qtbot.waitUntil(lambda: answered not in visible_codes(window))
    assert len(visible_codes(window)) == before - 1
    qtbot.keyClick(table, K.Key_U, CTRL)
    # By answer, by pilot, by objective (the tree).
    window.filters.status_combo.setCurrentIndex(window.filters.status_combo.findText("Oui"))
    assert visible_codes(window) == [answered]
    window.filters.clear()
    assert len(visible_codes(window)) == 71
    window.filters.pilot_combo.setCurrentIndex(window.filters.pilot_combo.findText("OFII"))
    assert all("OFII" in window.sheet.by_code[c].action.pilots for c in visible_codes(window))
    window.filters.pilot_combo.setCurrentIndex(0)
    qtbot.keyClick(table, K.Key_1, CTRL)
    qtbot.keyClick(window.action_list.tree, K.Key_Down)  # objective 1
    assert len(visible_codes(window)) == 13
    qtbot.keyClick(window.action_list.tree, K.Key_Down)  # theme 1.1
    assert visible_codes(window) == ["1.1.1", "1.1.2", "1.1.3"]
    qtbot.keyClick(window.action_list.tree, K.Key_E, CTRL | SHIFT)
    assert len(visible_codes(window)) == 71


def test_close_and_open_again_finds_everything(qtbot, tmp_path, db_url):
    db = open_database(db_url)
    window = open_window(qtbot, db, KARIM, HDF)
    window.action_list.select_code("2.6.1")
    table = window.action_list.table
    qtbot.keyClick(table, K.Key_2)
    qtbot.keyClick(table, K.Key_F2)
    type_text(qtbot, window.detail.comment_edit, "Neuf projets sur douze. « Bilan » = œuvre")
    qtbot.keyClick(window.detail.comment_edit, K.Key_F3)
    qtbot.keyClicks(window.focusWidget(), "12")
    qtbot.keyClick(window.focusWidget(), K.Key_Tab)
    qtbot.keyClicks(window.focusWidget(), "9")
    # No Tab, no pause: closing the window saves what is being typed.
    window.resize(1100, 700)
    window.close()
    db.close()
    assert not window.isVisible()

    db = open_database(db_url)
    again = open_window(qtbot, db, KARIM, HDF)
    assert current_code(again) == "2.6.1"  # where the agent left off
    row = again.sheet.by_code["2.6.1"]
    assert row.status == "partiellement"
    assert row.comment == "Neuf projets sur douze. « Bilan » = œuvre"
    assert (row.targets[0], row.achieved[0]) == ("12", "9")
    assert again.detail.comment_edit.toPlainText() == row.comment
    assert again.detail.status_button("partiellement").isChecked()
    assert again.detail.indicators.edit(0, "achieved").text() == "9"
    assert again.detail.tabs.tabText(1) == "Historique (4)"
    first = again.detail.history_model.index(0, 0).data()
    assert first.endswith("\nKarim Benali")
    assert again.header.progress_label.text().startswith("1 / ")
    assert not again.settings.geometry.isEmpty()
    again.close()
    db.close()


def test_a_write_failure_keeps_the_text_and_says_so_in_french(qtbot, db, monkeypatch):
    window = open_window(qtbot, db)
    code = current_code(window)
    restore = make_read_only_underneath(db)
    qtbot.keyClick(window.action_list.table, K.Key_F2)
    typed = "Texte important qu'il ne faut pas perdre"
    qtbot.keyClicks(window.detail.comment_edit, typed)
    qtbot.keyClick(window.detail.comment_edit, K.Key_Tab)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    message = window.banner.text.text()
    assert "lecture seule" in message and "n'a pas été enregistrée" in message
    assert "Ce que vous avez saisi reste affiché" in message
    assert window.banner.button.text() == "Réessayer"
    # The text is still on screen, marked, and kept on disk beside the database.
    assert window.detail.comment_edit.toPlainText() == typed
    assert window.detail.comment_state.text() == "⚠ Non enregistré"
    assert window.header.save_label.text() == "⚠ 1 modification non enregistrée"
    assert window.controller.engine.pending == {FieldKey(code, Field.COMMENT): typed}
    assert typed in window.drafts.path.read_text(encoding="utf-8")
    assert code not in answers(db)
    # Going elsewhere and back: still there.
    qtbot.keyClick(window.action_list.table, K.Key_Down)
    qtbot.keyClick(window.action_list.table, K.Key_Up)
    assert window.detail.comment_edit.toPlainText() == typed
    # The database takes writes again: « Réessayer » saves it.
    restore()
    qtbot.mouseClick(window.banner.button, Qt.MouseButton.LeftButton)
    wait_saved(qtbot, window)
    assert answers(db)[code].comment == typed
    assert not window.banner.isVisible()
    assert window.header.save_label.text() == "✓ Tout est enregistré"
    assert not window.drafts.path.exists()


def test_unsaved_changes_survive_closing_the_window(qtbot, tmp_path, monkeypatch):
    db = open_database(database_path(tmp_path))
    window = open_window(qtbot, db)
    code = current_code(window)
    make_read_only_underneath(db)
    qtbot.keyClick(window.action_list.table, K.Key_2)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    asked = []
    monkeypatch.setattr(window.editing, "_close_with_unsaved", lambda: asked.append(True) or True)
    window.close()
    assert asked == [True]
    db.close()

    db = open_database(database_path(tmp_path))
    again = open_window(qtbot, db)
    wait_saved(qtbot, again)
    assert answers(db)[code].status == "partiellement"
    assert "session précédente" in again.statusBar().currentMessage()
    assert not again.drafts.path.exists()
    again.close()
    db.close()


def test_a_read_only_window_shows_but_does_not_change(qtbot, tmp_path):

    writer = open_database(database_path(tmp_path))
    window = open_window(qtbot, writer)
    qtbot.keyClick(window.action_list.table, K.Key_1)
    wait_saved(qtbot, window)
    reader = open_database(writer.url, read_only=True)
    second = open_window(qtbot, reader)
    assert "(lecture seule)" in second.windowTitle()
    assert second.info_banner.isVisible() and "Lecture seule" in second.info_banner.text.text()
    assert second.sheet.by_code["1.1.1"].status == "oui"
    qtbot.keyClick(second.action_list.table, K.Key_3)
    assert second.sheet.by_code["1.1.1"].status == "oui"
    assert "Lecture seule" in second.statusBar().currentMessage()
    assert second.detail.comment_edit.isReadOnly()
    assert not second.detail.status_button("non").isEnabled()
    second.close()
    reader.close()
    window.close()
    writer.close()


def test_without_identity_the_plan_is_shown_for_reading(qtbot, db):
    window = open_window(qtbot, db, identity=None)
    assert len(visible_codes(window)) == 71
    assert "indiquez votre service" in window.info_banner.text.text()
    qtbot.keyClick(window.action_list.table, K.Key_1)
    assert window.sheet.by_code["1.1.1"].status is None


def test_about_and_shortcuts(qtbot, db, monkeypatch):
    window = open_window(qtbot, db)
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.exec", lambda box: shown.append(box.text()))
    window.menus.show_about()
    assert "SRADAR Desktop" in shown[0] and "Base de données" in shown[0]
    from sradar_desktop.ui.dialogs import start as dialogs

    html = dialogs.shortcuts_html([("Répondre", list(window.menus.status_actions.values()))])
    assert "<b>1 ou O</b></td><td>Oui" in html and "<b>4 ou C</b></td><td>NC" in html
    assert window.menus.next_unanswered_action.shortcut().toString() == "Ctrl+Return"
    app = QApplication.instance()
    assert app is not None
