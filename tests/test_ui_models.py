"""The Qt models of the entry window: checked by Qt's model tester, and what they show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from sradar_desktop.domain.answers import AnswerState, HistoryEntry, IndicatorState
from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.plans.builtin import builtin_plans
from sradar_desktop.services.questionnaires import QuestionnaireSummary
from sradar_desktop.services.views.entry import MINE, EntryFilter, EntrySheet
from sradar_desktop.ui.entry.models import (
    ActionFilterProxy,
    ActionTableModel,
    HistoryModel,
    PlanTreeModel,
    QuestionnaireListModel,
)

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def sheet() -> EntrySheet:
    plan = next(p for p in builtin_plans() if p.id == "hdf-integration-2021")
    answers = {
        "1.1.1": AnswerState("oui", "Comité tenu deux fois"),
        "2.6.1": AnswerState(
            "partiellement",
            "",
            indicators={0: IndicatorState("12", None), 1: IndicatorState("1174", "1316")},
        ),
    }
    return EntrySheet(plan, answers, "DDETS-59")


def test_tree_model(qtmodeltester, sheet):
    model = PlanTreeModel()
    qtmodeltester.check(model)
    model.set_sheet(sheet)
    qtmodeltester.check(model)
    assert model.rowCount() == 1 + 6
    assert model.index(0, 0).data() == "Tout le plan"
    assert model.index(0, 0).data(PlanTreeModel.FilterRole) == ("all", -1)
    objective = model.index(2, 0)
    assert objective.data().startswith("2. Engager chaque primo-arrivant")
    assert objective.data(PlanTreeModel.FilterRole) == ("objective", 1)
    all_progress = model.index(0, 1).data(PlanTreeModel.ProgressRole)
    assert model.index(0, 1).data() == f"1 / {all_progress.total}"
    assert "1 action renseignée sur" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    theme = model.find("theme", sheet.by_code["2.6.1"].theme_index)
    assert theme.data().startswith("2.6. Objectif n°6")
    assert model.index(theme.row(), 1, theme.parent()).data() == "1 / 3"
    sheet.set_status("2.6.2", "oui")
    model.progress_changed()
    assert model.index(theme.row(), 1, theme.parent()).data() == "2 / 3"


def test_action_model_and_proxy(qtmodeltester, sheet):
    model = ActionTableModel()
    qtmodeltester.check(model)
    model.set_sheet(sheet)
    qtmodeltester.check(model)
    row = sheet.by_code["2.6.1"].row
    cells = [model.index(row, column).data() for column in range(6)]
    assert cells == [
        "2.6.1",
        sheet.by_code["2.6.1"].action.text,
        "DDETS, DREETS",
        "Partiellement",
        "",
        "1 / 2",
    ]
    tooltip = model.index(row, ActionTableModel.INDICATORS).data(Qt.ItemDataRole.ToolTipRole)
    assert "Nombre total de bénéficiaires : cible 1\u202f174 bénéficiaires" in tooltip
    first = model.index(0, ActionTableModel.STATUS)
    assert first.data() == "Oui"
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == "Réalisation : Oui"
    assert model.index(0, ActionTableModel.COMMENT).data() == "✎"
    assert model.index(1, ActionTableModel.STATUS).data() == "Non renseignée"

    proxy = ActionFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_criteria(EntryFilter(pilot=MINE, unanswered_only=True))
    qtmodeltester.check(proxy)
    shown = [proxy.entry(r) for r in range(proxy.rowCount())]
    assert shown and all(e.mine and e.status is None for e in shown)
    proxy.set_criteria(EntryFilter(text="securisation du parcours"))
    assert [proxy.entry(r).code for r in range(proxy.rowCount())] == ["2.6.2"]
    # A pinned row stays visible whatever the filter, until it is unpinned.
    proxy.set_criteria(EntryFilter(unanswered_only=True))
    proxy.pin(sheet.by_code["1.1.2"].row)
    sheet.set_status("1.1.2", "non")
    model.refresh("1.1.2")
    assert proxy.proxy_row("1.1.2") >= 0
    proxy.pin(-1)
    assert proxy.proxy_row("1.1.2") == -1
    qtmodeltester.check(proxy)


def test_history_model(qtmodeltester):
    model = HistoryModel()
    qtmodeltester.check(model)
    at = datetime(2025, 6, 12, 12, 30, tzinfo=UTC)
    model.set_entries(
        [
            HistoryEntry(at, "Claire Martin", "saisie", "status", None, None, "oui"),
            HistoryEntry(at, "Claire Martin", "saisie", "achieved", "Places", "10", "1200"),
        ],
        DEFAULT_SCALE,
    )
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Modification"
    assert model.index(0, 1).data() == "Réalisation : (vide) → Oui"
    assert model.index(1, 1).data() == "Places — valeur réalisée : 10 → 1\u202f200"
    # When and who, one under the other (the change keeps the width of a narrow pane).
    when = at.astimezone().strftime("%d/%m/%Y %H:%M")
    assert model.index(0, 0).data() == f"{when}\nClaire Martin"
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == f"{when}, Claire Martin"


def test_questionnaire_list_model(qtmodeltester):
    model = QuestionnaireListModel()
    qtmodeltester.check(model)
    model.set_questionnaires(
        [QuestionnaireSummary("p", "Plan", "Court", "builtin", "2021", "PDL", 8, 28, 71)]
    )
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == (
        "Court\n8 objectifs · 28 thématiques · 71 actions — plan intégré"
    )
    assert model.row_of("p") == 0 and model.row_of("x") == -1
