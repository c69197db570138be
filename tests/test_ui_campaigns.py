"""Campaigns in the entry window: the campaign shown in the title, changing campaign, creating
the next one, and the answers carried from the previous evaluation, confirmed with one key or
by any edit."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QTextBrowser
from ui_support import (
    CLAIRE,
    SRADAR,
    current_code,
    make_read_only_underneath,
    open_window,
    visible_codes,
    wait_saved,
)

from sradar_desktop.db.models import Answer
from sradar_desktop.services.answers import AnswerService, read_answers
from sradar_desktop.services.campaigns import CARRIED_LABEL, create_campaign, list_campaigns
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.ui.dialogs.campaigns import CampaignDialog, NewCampaignDialog
from sradar_desktop.ui.dialogs.start import ShortcutsDialog
from sradar_desktop.ui.entry.models import ActionTableModel
from sradar_desktop.ui.entry.window import MainWindow
from sradar_desktop.ui.parts.settings import Settings

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
FIRST = default_campaign_id(SRADAR)


@pytest.fixture
def db(tmp_path):
    """The SRADAR plan answered by Claire in a first evaluation, then a second one created
    from it: 1.1.1 (oui) and 1.2.2 (non, with a comment) are carried, to confirm."""
    database = open_database(tmp_path / "base.sqlite3")
    service = AnswerService(database, FIRST, CLAIRE.service_code, CLAIRE.agent_name)
    service.set_status("1.1.1", "oui")
    service.set_status("1.2.2", "non")
    service.set_comment("1.2.2", "Pas de places en 2023.")
    create_campaign(database, FIRST, "Évaluation 2024", due_date=date(2027, 6, 30), period="2024")
    yield database
    database.close()


def second_id(db) -> str:
    return list_campaigns(db, SRADAR)[-1].id


def saved(db, campaign_id: str):
    return read_answers(db, campaign_id, CLAIRE.service_code)


def status_cell(window: MainWindow, code: str, role=Qt.ItemDataRole.DisplayRole):
    row = window.action_list.model.row_of(code)
    return window.action_list.model.index(row, ActionTableModel.STATUS).data(role)


def test_the_campaign_shown_is_in_the_title_and_the_header(qtbot, db):
    window = open_window(qtbot, db)
    assert window.data.campaign_id == second_id(db)  # the most recent one
    assert (
        window.header.plan_label.text() == "SRADAR 2021-2023 — Pays de la Loire — Évaluation 2024"
    )
    assert window.windowTitle().startswith(window.header.plan_label.text() + " — ")
    (file_menu,) = [m for m in window.findChildren(QMenu) if m.title() == "&Fichier"]
    assert window.menus.change_campaign_action in file_menu.actions()
    assert window.menus.new_campaign_action in file_menu.actions()


def test_a_carried_answer_says_to_confirm_and_k_confirms_it(qtbot, db):
    window = open_window(qtbot, db)
    second = second_id(db)
    # Carried, not counted: the words say so in the list, its tooltip and its spoken text.
    assert window.header.progress_label.text() == "0 / 47 actions renseignées"
    assert status_cell(window, "1.1.1") == "Oui — À confirmer"
    assert CARRIED_LABEL in status_cell(window, "1.1.1", Qt.ItemDataRole.ToolTipRole)
    assert CARRIED_LABEL in status_cell(window, "1.1.1", Qt.ItemDataRole.AccessibleTextRole)
    assert current_code(window) == "1.1.1"
    detail = window.detail
    assert detail.carried_box.isVisible() and CARRIED_LABEL in detail.carried_label.text()
    assert detail.status_button("oui").isChecked()
    assert detail.confirm_button.isEnabled()

    qtbot.keyClick(window.action_list.table, K.Key_K)
    wait_saved(qtbot, window)
    assert not saved(db, second)["1.1.1"].to_confirm
    assert saved(db, second)["1.1.1"].status == "oui"
    assert window.header.progress_label.text() == "1 / 47 actions renseignées"
    assert status_cell(window, "1.1.1") == "Oui"
    assert not detail.carried_box.isVisible()
    assert window.action_list.tree_model.index(1, 1).data() == "1 / 10"
    # Nothing more to confirm: the window says so.
    qtbot.keyClick(window.action_list.table, K.Key_K)
    assert "pas de réponse reprise" in window.statusBar().currentMessage()
    # The history has the confirmation.
    assert any(e.source == "confirmation" for e in window._history_loader()("1.1.1"))


def test_any_edit_confirms_and_the_same_answer_again_too(qtbot, db):
    window = open_window(qtbot, db)
    second = second_id(db)
    window.action_list.select_code("1.2.2")
    assert status_cell(window, "1.2.2") == "Non — À confirmer"
    window.focus_comment()
    qtbot.keyClicks(window.detail.comment_edit, " Toujours pas.")
    window.focus_table()
    wait_saved(qtbot, window)
    state = saved(db, second)["1.2.2"]
    assert not state.to_confirm and state.comment == "Pas de places en 2023. Toujours pas."
    assert status_cell(window, "1.2.2") == "Non"
    assert not window.detail.carried_box.isVisible()
    assert window.header.progress_label.text() == "1 / 47 actions renseignées"
    # The carried answer given again with its key confirms it.
    window.action_list.select_code("1.1.1")
    qtbot.keyClick(window.action_list.table, K.Key_1)
    wait_saved(qtbot, window)
    assert not saved(db, second)["1.1.1"].to_confirm
    assert window.header.progress_label.text() == "2 / 47 actions renseignées"


def test_answers_to_confirm_are_among_those_left_to_answer(qtbot, db):
    window = open_window(qtbot, db)
    table = window.action_list.table
    # New answers on 1.1.3 and 1.2.1; 1.1.1 and 1.2.2 are carried, still to confirm.
    for code in ("1.1.3", "1.2.1"):
        window.action_list.select_code(code)
        qtbot.keyClick(table, K.Key_1)
    wait_saved(qtbot, window)
    window.action_list.select_code("1.1.1")
    qtbot.keyClick(table, K.Key_Return, CTRL)
    assert current_code(window) == "1.2.2"
    qtbot.keyClick(table, K.Key_U, CTRL)
    shown = visible_codes(window)
    assert {"1.1.1", "1.2.2"} <= set(shown)
    assert not {"1.1.3", "1.2.1"} & set(shown)


def test_change_campaign_opens_the_one_chosen_and_remembers_it(qtbot, db, monkeypatch):
    window = open_window(qtbot, db)
    seen = {}

    def choose_first(dialog: CampaignDialog) -> int:
        model = dialog.model
        seen["rows"] = [
            [model.index(row, column).data() for column in range(model.columnCount())]
            for row in range(model.rowCount())
        ]
        seen["selected"] = dialog.campaign_id
        dialog.view.setCurrentIndex(model.index(0, 0))
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CampaignDialog, "exec", choose_first)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.menus.change_campaign_action.trigger()
    assert seen["selected"] == second_id(db)
    assert seen["rows"] == [
        ["Évaluation 2021-2023", "—", "—", "1", "—"],
        ["Évaluation 2024 (la plus récente)", "2024", "30/06/2027", "1", "2"],
    ]
    assert window.data.campaign_id == FIRST
    assert window.header.plan_label.text().endswith("— Évaluation 2021-2023")
    assert status_cell(window, "1.1.1") == "Oui"  # answered in that campaign, nothing carried
    # The next window on this questionnaire opens the campaign chosen.
    window.close()
    again = MainWindow(db, settings=Settings(), identity=CLAIRE, questionnaire_id=SRADAR)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.loaded, timeout=60_000):
        again.show()
    assert again.data.campaign_id == FIRST


def test_new_campaign_checks_what_is_typed_then_opens_it(qtbot, db, monkeypatch):
    window = open_window(qtbot, db)
    seen = {}

    def fill(dialog: NewCampaignDialog) -> int:
        dialog.show()
        dialog.title_edit.setText("Évaluation 2025")
        dialog.due_edit.setText("31/02/2027")
        dialog.create_button.click()
        seen["date error"] = dialog.error_label.text()
        seen["date error shown"] = dialog.error_label.isVisible()
        dialog.due_edit.setText("30/06/2028")
        dialog.title_edit.setText("Évaluation 2024")  # taken
        dialog.create_button.click()
        seen["title error"] = dialog.error_label.text()
        dialog.title_edit.setText("Évaluation 2025")
        dialog.period_edit.setText("2025")
        dialog.create_button.click()
        return dialog.result()

    monkeypatch.setattr(NewCampaignDialog, "exec", fill)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.menus.new_campaign_action.trigger()
    assert seen["date error shown"] and "n'existe pas" in seen["date error"]
    assert "existe déjà" in seen["title error"]
    newest = list_campaigns(db, SRADAR)[-1]
    assert (newest.title, newest.period, newest.due_date) == (
        "Évaluation 2025",
        "2025",
        date(2028, 6, 30),
    )
    assert window.data.campaign_id == newest.id
    assert window.header.plan_label.text().endswith("— Évaluation 2025")
    # Carried again from the campaign it was made from.
    assert status_cell(window, "1.1.1") == "Oui — À confirmer"


def test_the_plan_tree_titles_use_the_whole_width(qtbot, db):
    window = open_window(qtbot, db)
    window.resize(1024, 600)
    QApplication.processEvents()
    tree = window.action_list.tree
    assert tree.isColumnHidden(1)
    objective = window.action_list.tree_model.index(1, 0)
    rect = tree.visualRect(objective)
    assert rect.width() >= tree.viewport().width() - 2 * tree.indentation()
    # The progress is said with the title (it is drawn under it).
    spoken = objective.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("1. ") and spoken.endswith("0 action renseignée sur 10")


def test_a_confirmation_the_database_refuses_is_retried(qtbot, db):
    window = open_window(qtbot, db)
    second = second_id(db)
    restore = make_read_only_underneath(db)
    try:
        qtbot.keyClick(window.action_list.table, K.Key_K)
        qtbot.waitUntil(lambda: window.banner.isVisible())
    finally:
        restore()
    assert window.header.save_label.text() == "⚠ 1 modification non enregistrée"
    assert saved(db, second)["1.1.1"].to_confirm
    # Shown confirmed meanwhile; « Réessayer » saves it.
    assert status_cell(window, "1.1.1") == "Oui"
    window.banner.button.click()
    wait_saved(qtbot, window)
    assert not saved(db, second)["1.1.1"].to_confirm
    assert window.header.save_label.text() == "✓ Tout est enregistré"


def test_a_carried_answer_changed_elsewhere_is_shown_still_to_confirm(qtbot, db):
    window = open_window(qtbot, db)
    second = second_id(db)
    other = AnswerService(db, second, CLAIRE.service_code, "Sophie Durand")
    other.set_status("1.1.1", "partiellement")  # another window, meanwhile: not confirmed
    with db.write() as session:  # as an import might leave it: changed, still to confirm
        session.query(Answer).filter(Answer.campaign_id == second).update({Answer.to_confirm: True})
    qtbot.keyClick(window.action_list.table, K.Key_K)
    wait_saved(qtbot, window)
    qtbot.waitUntil(lambda: window.info_banner.isVisible())
    assert "Sophie Durand" in window.info_banner.text.text()
    assert status_cell(window, "1.1.1") == "Partiellement — À confirmer"
    assert window.detail.carried_box.isVisible()
    # Confirming again, now the newer answer was seen, is accepted.
    qtbot.keyClick(window.action_list.table, K.Key_K)
    wait_saved(qtbot, window)
    state = saved(db, second)["1.1.1"]
    assert (state.status, state.to_confirm) == ("partiellement", False)


def test_f1_lists_the_key_that_confirms(qtbot, db, monkeypatch):
    window = open_window(qtbot, db)
    shown = []
    monkeypatch.setattr(
        ShortcutsDialog, "exec", lambda dialog: shown.append(dialog.findChild(QTextBrowser))
    )
    qtbot.keyClick(window.action_list.table, K.Key_F1)
    text = shown[0].toPlainText()
    assert "K\tConfirmer la réponse reprise" in text or "K\nConfirmer la réponse reprise" in text


def test_answers_read_again_stay_in_the_campaign_shown(qtbot, db):
    window = open_window(qtbot, db)
    shown = window.campaign_id
    # A newer campaign arrives meanwhile (another workstation, an import).
    create_campaign(db, shown, "Évaluation 2025")
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.reload_answers()
    assert window.campaign_id == shown
    assert window.header.plan_label.text().endswith("— Évaluation 2024")


def test_the_consolidation_follows_the_campaign_shown(qtbot, db):
    """The consolidation opened from the entry window is that of the campaign the window
    shows, and follows it when the agent changes campaign."""
    import math

    from sradar_desktop.ui.consolidation.window import ConsolidationWindow

    window = open_window(qtbot, db)

    def consolidation() -> ConsolidationWindow:
        window.menus.consolidation_action.trigger()
        shown = window.consolidation_window
        assert isinstance(shown, ConsolidationWindow)
        shown.refresh_after = math.inf
        qtbot.waitUntil(lambda: shown.sheet is not None, timeout=60_000)
        return shown

    first = consolidation()
    assert first.campaign_id == window.data.campaign_id
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.campaigns.open_campaign(FIRST if window.data.campaign_id != FIRST else second_id(db))
    then = consolidation()
    assert then.campaign_id == window.data.campaign_id != first.campaign_id
