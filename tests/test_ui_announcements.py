"""What the windows say to a screen reader when a key changes what the focused control shows
(Qt's own API here; ``test_ui_screen_reader.py`` checks the AT-SPI bus itself).

Every change of an answer is said through one signal of the entry controller, whatever made it:
a key of the answer, Suppr, the « Effacer » button, Ctrl+Z, Ctrl+Y, K; so are the action moved
to from the comment, the count a filter leaves, the status bar's messages, a form's errors, the
label a code fills in.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from ui_support import CLAIRE, SRADAR, current_code, database_path, open_window, wait_saved

from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, list_questionnaires
from sradar_desktop.ui.dialogs.start import IdentityDialog
from sradar_desktop.ui.parts.speech import announcer

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


@pytest.fixture
def said():
    """What is announced from now on."""
    heard: list[str] = []
    announcer().said.connect(heard.append)
    yield heard
    announcer().said.disconnect(heard.append)


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


def test_every_way_of_changing_an_answer_is_said(qtbot, db, said):
    window = open_window(qtbot, db)
    table = window.action_list.table
    press(qtbot, table, K.Key_1)
    qtbot.waitUntil(lambda: len(said) == 1)
    assert said[-1] == "Oui. 1 / 47 actions renseignées"  # the count moved: said with it
    press(qtbot, table, K.Key_3)
    qtbot.waitUntil(lambda: len(said) == 2)
    assert said[-1] == "Non"  # the count did not move
    # The same key again changes nothing: the answer is said all the same.
    press(qtbot, table, K.Key_3)
    qtbot.waitUntil(lambda: len(said) == 3)
    assert said[-1] == "Non"
    press(qtbot, table, K.Key_Delete)
    qtbot.waitUntil(lambda: len(said) == 4)
    assert said[-1] == "Réponse effacée. 0 / 47 actions renseignées"
    press(qtbot, table, K.Key_Z, CTRL)
    qtbot.waitUntil(lambda: len(said) == 5)
    assert said[-1] == "Annulé : Non. 1 / 47 actions renseignées"
    press(qtbot, table, K.Key_Y, CTRL)
    qtbot.waitUntil(lambda: len(said) == 6)
    assert said[-1] == "Rétabli : réponse effacée. 0 / 47 actions renseignées"
    # The buttons of the detail pane go the same way.
    qtbot.mouseClick(window.detail.status_button("partiellement"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(said) == 7)
    assert said[-1] == "Partiellement. 1 / 47 actions renseignées"
    qtbot.mouseClick(window.detail.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(said) == 8)
    assert said[-1] == "Réponse effacée. 0 / 47 actions renseignées"
    # An undo that shows another action says which.
    press(qtbot, table, K.Key_Down)
    assert current_code(window) == "1.1.3"
    press(qtbot, table, K.Key_Z, CTRL)
    qtbot.waitUntil(lambda: len(said) == 9)
    assert said[-1] == "Annulé : action 1.1.1, Partiellement. 1 / 47 actions renseignées"
    assert current_code(window) == "1.1.1"
    wait_saved(qtbot, window)


def test_a_comment_undone_is_said_not_typed(qtbot, db, said):
    window = open_window(qtbot, db)
    press(qtbot, window.action_list.table, K.Key_F2)
    comment = window.detail.comment_edit
    qtbot.keyClicks(comment, "Fait")
    window.detail.commit_comment()
    wait_saved(qtbot, window)
    assert said == []  # what the agent types is not read back
    press(qtbot, comment, K.Key_Z, CTRL)
    qtbot.waitUntil(lambda: len(said) == 1)
    assert said[0] == f"Annulé : le commentaire de l'action {current_code(window)}"


def test_confirming_a_carried_answer_is_said(qtbot, tmp_path, said):
    db = open_database(database_path(tmp_path))
    try:
        first = default_campaign_id(SRADAR)
        AnswerService(db, first, CLAIRE.service_code, CLAIRE.agent_name).set_status("1.1.1", "oui")
        create_campaign(db, first, "Évaluation 2024", due_date=date(2027, 6, 30), period="2024")
        window = open_window(qtbot, db)
        assert current_code(window) == "1.1.1"
        press(qtbot, window.action_list.table, K.Key_K)
        qtbot.waitUntil(lambda: len(said) == 1)
        assert said[0] == "Réponse reprise confirmée : Oui. 1 / 47 actions renseignées"
        wait_saved(qtbot, window)
    finally:
        db.close()


def test_the_action_moved_to_from_the_comment_is_said(qtbot, db, said):
    window = open_window(qtbot, db)
    press(qtbot, window.action_list.table, K.Key_F2)
    comment = window.detail.comment_edit
    assert window.focusWidget() is comment
    press(qtbot, comment, K.Key_Down, ALT)
    assert window.focusWidget() is comment
    assert said == [
        "Action 1.1.3 : Vérifier régulièrement la cohérence entre les capacités du DN@ et les "
        "capacités autorisées. Réalisation : Non renseignée."
    ]
    # In the list, the row taking the focus says it: nothing more is said.
    window.focus_table()
    press(qtbot, window.action_list.table, K.Key_Down, ALT)
    assert len(said) == 1
    # At the top, from the comment: said too.
    window.action_list.select_row(0)
    window.focus_comment()
    press(qtbot, comment, K.Key_Up, ALT)
    assert said[-1] == "Première action de la liste."


def test_the_status_bar_is_said(qtbot, db, said):
    window = open_window(qtbot, db)
    press(qtbot, window.action_list.table, K.Key_F3)
    assert said == ["Cette action n'a pas d'indicateur."]


def test_a_filter_says_how_many_actions_it_leaves(qtbot, db, said):
    window = open_window(qtbot, db)
    search = window.filters.search_edit
    window.focus_search()
    qtbot.keyClicks(search, "DN@")
    # Said once the typing pauses, not at each letter.
    qtbot.waitUntil(lambda: said != [])
    assert said == ["2 actions sur 71"]
    search.clear()
    # Ctrl+U from the search field (a line edit takes Ctrl+U for itself under X11).
    press(qtbot, search, K.Key_U, CTRL)
    assert window.filters.unanswered_box.isChecked()
    qtbot.waitUntil(lambda: len(said) == 2)
    assert said[-1] == "« Non renseignées seulement » activé. 47 actions sur 71"
    window.filters.clear()
    qtbot.waitUntil(lambda: len(said) == 3)
    assert said[-1] == "Filtres effacés. 71 actions"


def test_first_start_says_the_label_it_fills_in_and_what_is_missing(qtbot, db, said):
    dialog = IdentityDialog(list_questionnaires(db), None, SRADAR)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    press(qtbot, dialog.code_edit, K.Key_Return)
    assert dialog.result() == 0
    assert said == [dialog.error_label.text()]
    assert "le code du service est vide" in said[0]
    assert dialog.focusWidget() is dialog.code_edit
    qtbot.keyClicks(dialog.code_edit, "DREETS-PDL")
    assert dialog.label_edit.text() == "DREETS des Pays de la Loire"
    assert dialog.department_label.text() == "aucun (service de la région Pays de la Loire)"
    assert said[1:] == [
        "Libellé proposé : DREETS des Pays de la Loire. Département : aucun (service de la "
        "région Pays de la Loire)."
    ]
    press(qtbot, dialog.code_edit, K.Key_Return)
    assert "votre nom est vide" in said[-1]
    assert dialog.focusWidget() is dialog.name_edit
    assert dialog.result() != QDialog.DialogCode.Accepted
