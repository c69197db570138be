"""The « Évolution » tab of the consolidation window and its « A changé » filter, on a second
campaign created from the first (answers carried forward, some changed): the counts are those of
``load_evolution``, the filter keeps exactly the changed actions, « Comparer avec » picks another
campaign or none, and the exported workbook gets its « Évolution » sheet."""

from __future__ import annotations

import math

import openpyxl
import pytest
from consolidation_support import ANSWERS, CAMPAIGN, answer_scenario
from exchange_support import ROAD_MAP, answer
from PySide6.QtCore import Qt
from ui_support import SIGNAL_TIMEOUT, SRADAR, database_path

from sradar_desktop.domain.evolution import TRANSITION_LABELS, TRANSITIONS, UNCHANGED, WAITING
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.consolidation import load_evolution
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.ui.consolidation.evolution import EvolutionActionsModel
from sradar_desktop.ui.consolidation.models import CodeRole
from sradar_desktop.ui.consolidation.window import EVOLUTION_TAB, WORKBOOK, ConsolidationWindow
from sradar_desktop.ui.parts.settings import Settings

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
# The second evaluation: what each service answers differently from the first.
CHANGES = {
    "DDETS-49": {"1.2.1": "oui", "1.4.1": "oui"},  # disagreements settled upwards
    "DDETS-44": {"1.1.1": "non"},
    "DDETS-53": {"2.2.1": "partiellement"},  # nobody answered it before
}


@pytest.fixture
def two_campaigns(tmp_path):
    """The scenario's campaign, then a second created from it: CHANGES entered, the other
    answers carried forward and confirmed."""
    database = open_database(database_path(tmp_path))
    answer_scenario(database)
    second = create_campaign(database, CAMPAIGN, "Évaluation 2024", actor="Secrétariat").id
    for respondent, answers in ANSWERS.items():
        service = AnswerService(database, second, respondent, f"Agent {respondent}")
        changes = CHANGES.get(respondent, {})
        for code in answers:  # the answers still right, confirmed
            if code not in changes:
                assert service.confirm(code)
        for code, status in changes.items():
            service.set_status(code, status)
    yield database, second
    database.close()


def open_view(qtbot, db) -> ConsolidationWindow:
    window = ConsolidationWindow(db, questionnaire_id=SRADAR, settings=Settings())
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    return window


def grid_codes(window: ConsolidationWindow) -> list[str]:
    proxy = window.proxy
    return [proxy.index(row, 0).data(CodeRole) for row in range(proxy.rowCount())]


def table(model) -> list[list[str]]:
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_the_evolution_tab_counts_what_moved_since_the_previous_campaign(qtbot, two_campaigns):
    db, second = two_campaigns
    expected = load_evolution(db, previous_campaign_id=CAMPAIGN, campaign_id=second)
    window = open_view(qtbot, db)
    assert window.campaign_id == second
    pane = window.evolution_pane
    assert window.tabs.tabText(EVOLUTION_TAB) == "Évol&ution"
    qtbot.keyClick(window.grid, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is pane
    # The previous campaign is compared by default.
    assert pane.compare_combo.currentData() == CAMPAIGN
    assert pane.compare_combo.accessibleName() == "Comparer avec"

    # Per objective and overall: each transition's word in the header, its count in the cell.
    counts = pane.counts_model
    headers = [counts.headerData(c, Qt.Orientation.Horizontal) for c in range(counts.columnCount())]
    assert headers == ["Objectif", *(TRANSITION_LABELS[t] for t in TRANSITIONS), "Actions"]
    rows = table(counts)
    assert rows[:-1] == [
        [
            f"{objective.code}. {objective.title}",
            *(str(c.counts[t]) for t in TRANSITIONS),
            str(c.total),
        ]
        for objective, c in expected.objective_counts
    ]
    assert rows[-1] == [
        "Ensemble du plan",
        *(str(expected.overall.counts[t]) for t in TRANSITIONS),
        str(expected.overall.total),
    ]
    assert expected.overall.changed == 3
    assert "(3 actions ont changé)" in pane.summary_label.text()

    # Per action: previous, current, and the transition's word on its colour.
    actions = pane.actions_model
    by_code = {row[0]: row for row in table(actions)}
    assert by_code["1.1.1"][2:] == ["Oui", "Partiellement", TRANSITION_LABELS["recul"]]
    assert by_code["2.2.1"][2:] == ["—", "Partiellement", TRANSITION_LABELS["nouvelle"]]
    row = next(r for r in range(actions.rowCount()) if actions.index(r, 0).data() == "2.2.1")
    cell = actions.index(row, EvolutionActionsModel.TRANSITION)
    assert cell.data(Qt.ItemDataRole.BackgroundRole).name() == "#0063cb"
    assert cell.data() == "Nouvelle"  # the word, not the colour alone

    # « A changé » shows exactly the changed actions, with the other filters.
    changed = [a.code for a in expected.actions if a.transition != UNCHANGED]
    assert sorted(changed) == ["1.1.1", "1.2.1", "2.2.1"]  # 1.4.1 stays « partiellement »
    assert window.filters.changed_box.isEnabled()
    qtbot.keyClick(window.grid, Qt.Key.Key_G, CTRL_SHIFT)
    assert window.filters.changed_box.isChecked()
    assert grid_codes(window) == changed
    assert window.filters.count_label.text() == f"3 actions sur {len(window.sheet.rows)}"
    window.filters.disagreements_box.setChecked(True)
    assert grid_codes(window) == ["1.1.1"]  # both filters hold: changed, and now disputed
    window.filters.clear()
    assert not window.filters.changed_box.isChecked()
    assert len(grid_codes(window)) == len(window.sheet.rows)


def test_compare_with_another_campaign_or_none_and_export_the_evolution(
    qtbot, two_campaigns, tmp_path
):
    db, _second = two_campaigns
    window = open_view(qtbot, db)
    pane = window.evolution_pane
    window.filters.changed_box.setChecked(True)

    # No comparison: the tab says so, the filter is off and cannot be set.
    index = pane.compare_combo.findData(None)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        pane.compare_combo.activated.emit(index)
    assert window.evolution is None
    assert not window.filters.changed_box.isChecked() and not window.filters.changed_box.isEnabled()
    assert pane.actions_model.rowCount() == 0 and pane.counts_view.isHidden()
    assert pane.summary_label.text() == "Choisissez l'évaluation à laquelle comparer celle-ci."
    # Kept after a reading again (the user's choice, not the default).
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.load()
    assert window.evolution is None

    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        pane.compare_combo.activated.emit(pane.compare_combo.findData(CAMPAIGN))
    assert window.evolution is not None and window.evolution.previous_campaign_id == CAMPAIGN

    path = tmp_path / "consolidation.xlsx"
    with qtbot.waitSignal(window.exported, timeout=SIGNAL_TIMEOUT):
        window.exports.write(WORKBOOK, path)
    assert "Évolution" in openpyxl.load_workbook(path, read_only=True).sheetnames


def test_a_campaign_without_a_previous_one_has_nothing_to_compare(qtbot, tmp_path):
    db = open_database(database_path(tmp_path))
    try:
        answer_scenario(db)
        window = open_view(qtbot, db)
        pane = window.evolution_pane
        assert window.evolution is None
        assert not pane.compare_combo.isEnabled()
        assert pane.summary_label.text().startswith("Aucune autre évaluation de ce questionnaire")
        assert not window.filters.changed_box.isEnabled()
        window.close()
    finally:
        db.close()


def test_indicators_before_and_now_side_by_side(qtbot, tmp_path):
    """The road map's indicator in two campaigns: the figures of both, and the change."""
    db = open_database(database_path(tmp_path))
    try:
        answer(db, "DDETS-59", {"2.6.1": {"indicators": {1: (1000, 400)}}}, questionnaire=ROAD_MAP)
        first = default_campaign_id(ROAD_MAP)
        second = create_campaign(db, first, "Évaluation 2024").id
        AnswerService(db, second, "DDETS-59", "Agent").set_indicator(
            "2.6.1", 1, target=1000, achieved=850
        )
        window = ConsolidationWindow(db, questionnaire_id=ROAD_MAP, settings=Settings())
        window.refresh_after = math.inf
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
            window.show()
        pane = window.evolution_pane
        window.tabs.setCurrentWidget(pane)
        model = pane.indicators_model
        assert pane.indicators_view.isVisibleTo(pane)
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
        assert headers[2:] == [
            "Cible (Évaluation 2021)",
            "Réalisé (Évaluation 2021)",
            "Cible (Évaluation 2024)",
            "Réalisé (Évaluation 2024)",
            "Écart du réalisé",
        ]
        (row,) = table(model)
        assert row[0] == "2.6.1"
        assert row[2:] == ["1\u202f000", "400", "1\u202f000", "850", "+450"]
        window.close()
    finally:
        db.close()


def test_a_campaign_in_progress_shows_what_awaits_confirmation(qtbot, tmp_path):
    """The next campaign just created: every answer is carried, none confirmed. The grid shows
    each carried answer with its mark, the detail names it, the roster says « à confirmer »
    (never « manquant »), the counts keep them apart, nothing has moved, and the filters tell
    the waiting actions from the changed ones. Then DDETS-44 confirms one answer and changes
    another: exactly those leave the waiting ones."""
    from test_ui_consolidation import cell

    from sradar_desktop.services.views.consolidation import roster_figures, roster_sentence
    from sradar_desktop.ui.consolidation.models import ColorRole, RosterModel

    db = open_database(database_path(tmp_path))
    try:
        answer_scenario(db)
        second = create_campaign(db, CAMPAIGN, "Évaluation 2024", actor="Secrétariat").id
        window = open_view(qtbot, db)
        assert window.campaign_id == second
        sheet = window.sheet
        result = sheet.rows[sheet.row_of["1.1.1"]]
        assert result.final == "à confirmer" and len(result.awaiting) == 3

        # The grid: each carried answer in its words, with its mark; the action « À confirmer ».
        index = cell(window, "1.1.1", "DDETS-44")
        assert index.data() == "⟳ Oui"
        accessible = index.data(Qt.ItemDataRole.AccessibleTextRole)
        assert accessible == "DDETS-44 : Oui, reprise à confirmer, avec un commentaire"
        assert "Reprise de l'évaluation précédente, à confirmer" in index.data(
            Qt.ItemDataRole.ToolTipRole
        )
        final = cell(window, "1.1.1", window.model.FINAL)
        assert final.data() == "À confirmer" and final.data(ColorRole) is not None
        assert "à confirmer 3" in cell(window, "1.1.1", window.model.DISTRIBUTION).data(
            Qt.ItemDataRole.AccessibleTextRole
        )

        # The detail: the services are concerned, their answers shown and marked.
        window._select_code("1.1.1")
        html = window.detail.browser.toPlainText()
        assert "Aucun répondant n'est concerné" not in html
        assert "Réponses (0 sur 4 répondants concernés ; 3 à confirmer)" in html
        assert html.count("⟳ À confirmer") == 3
        assert "Pas encore de statut retenu" in window.detail.current_label.text()

        # The roster: the services whose answers all await are « à confirmer », not missing.
        roster = window.roster.model
        states = {
            roster.index(row, RosterModel.CODE).data(): roster.index(row, RosterModel.STATE).data()
            for row in range(roster.rowCount())
        }
        assert states["DDETS-44"] == states["DDETS-49"] == "à confirmer"
        # DDETS-85 never answered: the only one missing.
        assert roster_sentence(roster_figures(sheet.respondents, None)).startswith(
            "4 répondants attendus : 3 à confirmer, 1 manquant ; "
        )

        # The synthesis counts: « À confirmer » apart, in words and figures.
        counts = window.charts.counts_model
        headers = [
            counts.headerData(c, Qt.Orientation.Horizontal) for c in range(counts.columnCount())
        ]
        assert "À confirmer" in headers
        assert "À confirmer" in window.charts.bar_values()

        # The evolution: nothing has moved, everything that was answered awaits.
        pane = window.evolution_pane
        assert "0 action a changé ; " in pane.summary_label.text()
        assert "en attente d'une réponse ou d'une confirmation" in pane.summary_label.text()
        assert window.filters.changed_box.isEnabled()
        qtbot.keyClick(window.grid, Qt.Key.Key_G, CTRL_SHIFT)
        assert grid_codes(window) == []  # « A changé »: nothing
        qtbot.keyClick(window.grid, Qt.Key.Key_G, CTRL_SHIFT)
        assert (
            window.filters.to_confirm_box.text()
            == f"À confirmer ({sheet.consolidation.overall.to_confirm})"
        )
        qtbot.keyClick(window.grid, Qt.Key.Key_K, CTRL_SHIFT)
        awaiting = {r.action.code for r in sheet.rows if r.to_confirm}
        assert set(grid_codes(window)) == awaiting and "1.1.1" in awaiting
        qtbot.keyClick(window.grid, Qt.Key.Key_K, CTRL_SHIFT)

        # DDETS-44 confirms 2.1.1; DREETS-PDL, the only one to answer 1.1.2, changes it.
        assert AnswerService(db, second, "DDETS-44", "Agent").confirm("2.1.1")
        AnswerService(db, second, "DREETS-PDL", "Agent").set_status("1.1.2", "non")
        with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
            window.load()
        transitions = {a.code: a.transition for a in window.evolution.actions}
        assert {code for code, t in transitions.items() if t not in WAITING} >= {"1.1.2"}
        assert transitions["1.1.2"] == "recul"
        assert {code for code, t in transitions.items() if t not in (*WAITING, UNCHANGED)} == {
            "1.1.2"
        }
        # 2.1.1 still awaits DDETS-49 and DDETS-53: one confirmation is not all of them.
        assert transitions["2.1.1"] == "à confirmer"
        qtbot.keyClick(window.grid, Qt.Key.Key_G, CTRL_SHIFT)
        assert grid_codes(window) == ["1.1.2"]
    finally:
        db.close()
