"""The consolidation as the secretariat's window lays it out, without Qt: the grid, who
disagrees, the filters, the words of the synthesis, the roster in figures, export names."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SEED_000
from consolidation_support import CAMPAIGN, DISAGREEMENTS, answer_scenario

from sradar_desktop.domain.consolidation import ActionResult, RespondentAnswer, synthesis
from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.services.consolidation import (
    load_consolidation,
    set_arbitration,
    set_due_date,
)
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.views.consolidation import (
    ActionFilter,
    ConsolidationSheet,
    counts_sentence,
    disagrees,
    explain_synthesis,
    export_names,
    respondent_order,
    roster_figures,
    roster_sentence,
)


@pytest.fixture
def sheet(db) -> ConsolidationSheet:
    answer_scenario(db)
    set_arbitration(db, CAMPAIGN, "1.2.1", "non", reason="Aucune place créée", actor="SGAR")
    return ConsolidationSheet(load_consolidation(db, campaign_id=CAMPAIGN))


def _result(statuses: list[str | None], plan_result: ActionResult) -> ActionResult:
    answers = tuple(
        RespondentAnswer(f"R{i}", f"R{i}", status, "", None, "")
        for i, status in enumerate(statuses)
    )
    return ActionResult(
        plan_result.objective,
        plan_result.theme_code,
        plan_result.theme_title,
        plan_result.action,
        answers,
        synthesis(statuses),
    )


def test_respondents_in_display_order():
    codes = ["DDETS-44", "DDETS-9", "DREETS-PDL", "DDETS-2A", "DDETS-100"]
    assert sorted(codes, key=respondent_order) == [
        "DDETS-2A",
        "DDETS-9",
        "DDETS-44",
        "DDETS-100",
        "DREETS-PDL",
    ]


def test_the_grid(sheet):
    assert [r.code for r in sheet.respondents] == [
        "DDETS-44",
        "DDETS-49",
        "DDETS-53",
        "DDETS-85",
        "DREETS-PDL",
    ]
    assert len(sheet.rows) == 71
    row = sheet.row_of["1.2.1"]
    assert sheet.answer(row, "DDETS-49").status == "non"
    assert sheet.answer(row, "DDETS-49").comment == "Aucune place PMR créée en 2023."
    assert sheet.answer(row, "DDETS-49").by == "Agent DDETS-49"
    assert sheet.answer(row, "DDETS-85") is None
    assert sheet.distribution_text(row) == "oui 1 · non 1 · nc 1"
    # 1.2.1 is piloted by the DDETS only: the DREETS is not expected to answer it.
    assert sheet.expected(row, "DDETS-85")
    assert not sheet.expected(row, "DREETS-PDL")
    assert [r.code for r in sheet.missing(row)] == ["DDETS-85"]
    assert sheet.expected(sheet.row_of["1.1.2"], "DREETS-PDL")
    assert {sheet.rows[r].action.code for r in range(len(sheet.rows)) if sheet.disagrees(r)} == (
        DISAGREEMENTS
    )
    assert sheet.label("partiellement") == "Partiellement"


def test_disagreement_sets_nc_aside(sheet):
    plain = sheet.rows[0]
    assert disagrees(_result(["oui", "non"], plain))
    assert disagrees(_result(["oui", "partiellement", "nc"], plain))
    assert not disagrees(_result(["oui", "nc", None], plain))
    assert not disagrees(_result(["non", "non"], plain))
    assert not disagrees(_result([], plain))


def test_filters(sheet):
    def codes(**criteria) -> list[str]:
        return [sheet.rows[r].action.code for r in sheet.matching(ActionFilter(**criteria))]

    assert len(codes()) == 71
    assert codes(disagreements_only=True) == ["1.2.1", "1.4.1"]
    assert codes(arbitrated_only=True) == ["1.2.1"]
    assert codes(disagreements_only=True, arbitrated_only=True) == ["1.2.1"]
    assert all(code.startswith("2.") for code in codes(objective=1))
    theme = next(t for t in sheet.themes if t.code == "1.4")
    assert codes(theme=theme.index) == ["1.4.1", "1.4.2", "1.4.3"]
    # Search: codes, texts, comments and reasons, without accents or case.
    assert codes(text="NUITEES hausse") == ["1.4.1"]
    assert codes(text="aucune place") == ["1.2.1"]
    assert codes(text="didacticiel") == ["1.1.2"]
    assert ActionFilter(text="  ").active is False
    assert ActionFilter(disagreements_only=True).active


def test_a_sheet_knows_when_only_its_content_changed(db, sheet):
    set_arbitration(db, CAMPAIGN, "1.4.1", "oui", reason="Vu en commission", actor="SGAR")
    again = ConsolidationSheet(load_consolidation(db, campaign_id=CAMPAIGN))
    assert sheet.same_shape(again)
    assert again.rows[again.row_of["1.4.1"]].final == "oui"


def test_the_synthesis_explained(sheet):
    plain = sheet.rows[0]

    def explain(statuses):
        return explain_synthesis(_result(statuses, plain), DEFAULT_SCALE)

    assert explain([]) == "Aucun répondant n'a donné de réponse : synthèse « NC »."
    assert explain(["nc", "nc"]) == "Seulement des réponses « NC » (2) : synthèse « NC »."
    assert explain(["oui"]) == "Une seule réponse connue, « Oui » : synthèse « Oui »."
    assert explain(["non", "non", "nc"]) == (
        "Les 2 réponses connues sont « Non » : synthèse « Non ». 1 réponse « NC » est écartée."
    )
    assert explain(["oui", "non", "oui", "nc", "nc"]) == (
        "Les réponses diffèrent (Oui 2, Non 1) : synthèse « Partiellement ». "
        "2 réponses « NC » sont écartées."
    )


def test_counts_of_seed_000_in_a_sentence(db):
    imported = import_file(db, SEED_000, respondent_code="SGAR-PDL")
    report = load_consolidation(db, questionnaire_id=imported.questionnaire_id)
    assert counts_sentence(report.overall, report.plan.scale) == (
        "Oui 41 (57,7\u00a0%) · Partiellement 10 (14,1\u00a0%) · Non 13 (18,3\u00a0%) · "
        "NC 7 (9,9\u00a0%)"
    )


def test_roster_in_figures(db, sheet):
    roster = sheet.consolidation.roster
    figures = roster_figures(roster, None)
    assert figures.expected == 4
    assert figures.by_state["partiel"] == 3
    assert figures.by_state["manquant"] == 1
    assert figures.others == 1
    assert figures.late == 0
    assert roster_sentence(figures) == (
        "4 répondants attendus : 3 partiels, 1 manquant · 1 autre répondant."
    )
    set_due_date(db, CAMPAIGN, date(2020, 1, 31))
    report = load_consolidation(db, campaign_id=CAMPAIGN)
    late = roster_figures(report.roster, report.due_date)
    assert late.late == 4
    assert roster_sentence(late).endswith("; 4 en retard · 1 autre répondant.")
    assert roster_sentence(roster_figures((), None)) == "Aucun répondant attendu."


def test_export_names(sheet):
    workbook, pdf = export_names(sheet.consolidation, date(2024, 3, 12))
    assert workbook == "consolidation-sradar-2021-2023-pays-de-la-loire-2024-03-12.xlsx"
    assert pdf == "synthese-sradar-2021-2023-pays-de-la-loire-2024-03-12.pdf"
