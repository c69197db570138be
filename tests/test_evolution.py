"""Evolution between two campaigns: the transition rule, a revised plan's matching, and seed 000
evaluated twice, read back from the consolidated workbook's « Évolution » sheet and the PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest
from conftest import SEED_000
from exchange_support import ROAD_MAP, SRADAR, answer
from test_cli import run

from sradar_desktop.db.models import Campaign
from sradar_desktop.domain.consolidation import RespondentAnswer, consolidate
from sradar_desktop.domain.evolution import (
    AWAITING,
    NEW,
    NOT_YET,
    PROGRESS,
    REMOVED,
    SETBACK,
    TRANSITION_LABELS,
    TRANSITIONS,
    UNCHANGED,
    compare,
    transition,
)
from sradar_desktop.domain.plan import Action, Indicator, Objective, Plan, Theme
from sradar_desktop.errors import UserError
from sradar_desktop.reports.pdf import render_summary_pdf
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.consolidation import (
    load_consolidation,
    load_evolution,
    set_arbitration,
    write_reports,
)
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan

# --- The rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        ("non", "partiellement", PROGRESS),
        ("partiellement", "oui", PROGRESS),
        ("non", "oui", PROGRESS),
        ("nc", "non", PROGRESS),  # « nc » answered: we now know where the action stands
        ("nc", "oui", PROGRESS),
        ("oui", "partiellement", SETBACK),
        ("partiellement", "non", SETBACK),
        ("oui", "nc", SETBACK),
        ("oui", "oui", UNCHANGED),
        ("nc", "nc", UNCHANGED),
        (None, "non", NEW),
        (None, "nc", NEW),
        (None, None, UNCHANGED),
        ("oui", None, REMOVED),
    ],
)
def test_transition_rule(previous, current, expected):
    assert transition(previous, current) == expected


def _plan(actions: dict[str, list[str]], indicators: frozenset[str] = frozenset()) -> Plan:
    """{objective code: [action codes]}; actions in ``indicators`` have one indicator."""
    return Plan(
        "essai",
        "Plan d'essai",
        tuple(
            Objective(
                objective,
                f"Objectif {objective}",
                (
                    Theme(
                        f"{objective}.1",
                        "Thématique",
                        tuple(
                            Action(
                                code,
                                f"Action {code}",
                                indicators=(Indicator("Personnes accompagnées"),)
                                if code in indicators
                                else (),
                            )
                            for code in codes
                        ),
                    ),
                ),
            )
            for objective, codes in actions.items()
        ),
    )


def _consolidation(plan: Plan, campaign: str, statuses: dict, figures: dict | None = None):
    """One respondent's statuses (code: status) and indicator figures (code: (target,
    achieved))."""
    return consolidate(
        plan,
        campaign_id=campaign,
        campaign_title=campaign.capitalize(),
        due_date=None,
        generated_at=datetime.now(UTC),
        answers=[
            ("DDETS-44", code, RespondentAnswer("DDETS-44", "DDETS-44", status, "", None, ""))
            for code, status in statuses.items()
        ],
        indicator_values=[
            ("DDETS-44", code, 0, Decimal(target), Decimal(achieved))
            for code, (target, achieved) in (figures or {}).items()
        ],
        labels={},
        expected=[],
        arbitrations={},
        last_imports={},
    )


def _counts(counts) -> tuple[int, ...]:
    return tuple(counts.counts[t] for t in TRANSITIONS)


def _revision():
    """Two evaluations of a revised plan: 1.2 renumbered 1.20, 1.4 removed, 1.5 split into
    1.5a and 1.5b, 1.7 merged into 1.6, 1.8 new, objective 2 (2.1) removed."""
    before = _plan({"1": ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"], "2": ["2.1"]}, {"1.3"})
    after = _plan({"1": ["1.1", "1.20", "1.3", "1.5a", "1.5b", "1.6", "1.8"]}, {"1.3"})
    previous = _consolidation(
        before,
        "évaluation 2022",
        {
            "1.1": "oui",
            "1.2": "non",
            "1.3": "partiellement",
            "1.4": "oui",
            "1.5": "non",
            "1.6": "oui",
            "1.7": "non",
            "2.1": "oui",
        },
        {"1.3": (100, 40)},
    )
    current = _consolidation(
        after,
        "évaluation 2023",
        {
            "1.1": "oui",
            "1.20": "partiellement",
            "1.3": "oui",
            "1.5a": "non",
            "1.5b": "oui",
            "1.6": "non",
            "1.8": "oui",
        },
        {"1.3": (100, 90)},
    )
    # Complete, as a revision gives it: 1.4 and 2.1, missing, are removed.
    matching = {
        "1.1": "1.1",
        "1.2": "1.20",
        "1.3": ["1.3"],
        "1.5": ["1.5a", "1.5b"],
        "1.6": "1.6",
        "1.7": "1.6",
    }
    return previous, current, matching


def test_revised_plan_follows_the_matching():
    """Renumbered, split, merged, new and removed actions, and an indicator's change."""
    evolution = compare(*_revision())

    found = {a.code: (a.previous, a.current, a.transition) for a in evolution.actions}
    assert found == {
        "1.1": ("oui", "oui", UNCHANGED),
        "1.20": ("non", "partiellement", PROGRESS),
        "1.3": ("partiellement", "oui", PROGRESS),
        "1.5a": ("non", "non", UNCHANGED),
        "1.5b": ("non", "oui", PROGRESS),
        # Merged: « oui » and « non » combine into « partiellement » (the synthesis rule).
        "1.6": ("partiellement", "non", SETBACK),
        "1.8": (None, "oui", NEW),
        "1.4": ("oui", None, REMOVED),
        "2.1": ("oui", None, REMOVED),
    }
    renamed = {a.code: a.renamed_from for a in evolution.actions}
    assert (renamed["1.20"], renamed["1.6"], renamed["1.1"], renamed["1.8"]) == (
        "1.2",
        "1.6, 1.7",
        "",
        "",
    )
    assert [(o.code, _counts(c)) for o, c in evolution.objective_counts] == [
        ("1", (3, 2, 1, 1, 1, 0, 0)),
        ("2", (0, 0, 0, 0, 1, 0, 0)),  # an objective gone from the plan keeps its removed actions
    ]
    assert _counts(evolution.overall) == (3, 2, 1, 1, 2, 0, 0)
    assert evolution.overall.total == 9 and evolution.overall.changed == 7

    (indicator,) = evolution.indicators
    assert indicator.action.code == "1.3"
    assert (indicator.previous_achieved, indicator.current_achieved) == (40, 90)
    assert indicator.difference == 50
    assert (indicator.previous_ratio, indicator.current_ratio) == (Decimal("0.4"), Decimal("0.9"))
    assert indicator.ratio_change == Decimal("0.5")


def _pdf_text(path_or_bytes) -> str:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    pages = pypdf.PdfReader(source).pages
    return " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split()) for p in pages)


def test_revised_plan_in_the_pdf():
    previous, current, matching = _revision()
    text = _pdf_text(render_summary_pdf(current, evolution=compare(previous, current, matching)))
    start = text.find("Évolution depuis Évaluation 2022", text.find("Règle de synthèse"))
    section = text[start : text.find("2. Actions par", start)]
    assert "Évaluation 2023 comparée à Évaluation 2022" in section
    words = re.findall(
        r"Progrès \d+ · Inchangée \d+ · Recul \d+ · Nouvelle \d+ · Retirée \d+", section
    )
    assert words == [
        "Progrès 3 · Inchangée 2 · Recul 1 · Nouvelle 1 · Retirée 2",
        "Progrès 3 · Inchangée 2 · Recul 1 · Nouvelle 1 · Retirée 1",
        "Progrès 0 · Inchangée 0 · Recul 0 · Nouvelle 0 · Retirée 1",
        "Progrès 3 · Inchangée 2 · Recul 1 · Nouvelle 1 · Retirée 2",
    ]
    changed = section[section.find("Actions qui ont changé") :]
    assert "1.20 (ex-1.2)" in changed and "1.6 (ex-1.6, 1.7)" in changed
    assert "Action 2.1 Oui absente Retirée" in changed
    assert "Action 1.8 absente Oui Nouvelle" in changed
    assert "Action 1.1 " not in changed and "Action 1.5a " not in changed  # unchanged


def test_without_matching_actions_keep_their_code_and_answers_decide_new():
    plan = _plan({"1": ["1.1", "1.2", "1.3", "1.4"]})
    previous = _consolidation(plan, "avant", {"1.1": "oui", "1.2": "non"})
    current = _consolidation(plan, "après", {"1.1": "oui", "1.3": "nc"})
    found = {
        a.code: (a.previous, a.current, a.transition) for a in compare(previous, current).actions
    }
    assert found == {
        "1.1": ("oui", "oui", UNCHANGED),
        "1.2": ("non", None, NOT_YET),  # nobody has answered yet: unknown, never a setback
        "1.3": (None, "nc", NEW),  # nobody had answered: a first answer, even « nc »
        "1.4": (None, None, UNCHANGED),  # never answered
    }


# --- Seed 000 evaluated twice --------------------------------------------------------------

SECOND = "Évaluation 2024"
# The second evaluation changes these actions of seed 000 (its status there in the comment);
# 8.4.2 (non) is left unanswered and 4.1.1 stays « non » but is arbitrated « oui ».
CHANGES = {
    "1.1.1": "non",  # oui → recul
    "1.2.1": "partiellement",  # nc → progrès
    "1.2.2": "oui",  # partiellement → progrès
    "1.2.3": "oui",  # non → progrès
    "1.4.2": "partiellement",  # non → progrès
    "2.1.3": "oui",  # nc → progrès
    "2.2.1": "partiellement",  # oui → recul
    "6.1.2": "nc",  # oui → recul
}
UNANSWERED = "8.4.2"  # non → nobody answers yet: « pas encore de réponse », never a setback
ARBITRATED = "4.1.1"  # non → arbitrated oui: progrès
EXPECTED_TRANSITIONS = {
    **{code: PROGRESS for code in ("1.2.1", "1.2.2", "1.2.3", "1.4.2", "2.1.3", ARBITRATED)},
    **{code: SETBACK for code in ("1.1.1", "2.2.1", "6.1.2")},
}
# Per objective: (progrès, inchangée, recul, nouvelle, retirée, à confirmer, pas encore).
EXPECTED_PER_OBJECTIVE = {
    "1": (4, 8, 1, 0, 0, 0, 0),
    "2": (1, 12, 1, 0, 0, 0, 0),
    "3": (0, 10, 0, 0, 0, 0, 0),
    "4": (1, 7, 0, 0, 0, 0, 0),
    "5": (0, 4, 0, 0, 0, 0, 0),
    "6": (0, 6, 1, 0, 0, 0, 0),
    "7": (0, 6, 0, 0, 0, 0, 0),
    "8": (0, 8, 0, 0, 0, 0, 1),
}
EXPECTED_OVERALL = (6, 61, 3, 0, 0, 0, 1)


def _second_evaluation(db) -> tuple[str, str]:
    """Seed 000 as the first evaluation, then a second one with CHANGES; returns the two
    campaign ids (previous, current)."""
    imported = import_file(db, SEED_000, respondent_code="SGAR-PDL")
    first = load_consolidation(db, questionnaire_id=imported.questionnaire_id)
    assert first.overall.counts == {"oui": 41, "partiellement": 10, "non": 13, "nc": 7}
    second = f"{imported.questionnaire_id}:evaluation-2024"
    with db.write() as session:
        session.add(Campaign(id=second, questionnaire_id=imported.questionnaire_id, title=SECOND))
    service = AnswerService(db, second, "SGAR-PDL", "Secrétariat")
    for result in first.actions:
        code = result.action.code
        if code != UNANSWERED:
            service.set_status(code, CHANGES.get(code, result.final))
    set_arbitration(
        db, second, ARBITRATED, "oui", reason="Action réalisée fin 2024.", actor="Secrétariat"
    )
    return first.campaign_id, second


def _rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))


def _block(rows: list[tuple], *header_start: str) -> tuple[tuple, list[tuple]]:
    """The table of the sheet whose header starts with ``header_start``: header, rows."""
    start = next(
        i for i, row in enumerate(rows) if row and row[: len(header_start)] == header_start
    )
    body = []
    for row in rows[start + 1 :]:
        if not row or row[0] is None:
            break
        body.append(row)
    header = rows[start]
    while header and header[-1] is None:  # the sheet is as wide as its widest table
        header = header[:-1]
    return header, body


def test_seed_000_evaluated_twice(db, tmp_path):
    previous, current = _second_evaluation(db)

    evolution = load_evolution(db, previous_campaign_id=previous, campaign_id=current)
    assert {a.code: a.transition for a in evolution.changed} == EXPECTED_TRANSITIONS
    assert {a.code: a.transition for a in evolution.waiting} == {UNANSWERED: NOT_YET}
    assert {o.code: _counts(c) for o, c in evolution.objective_counts} == EXPECTED_PER_OBJECTIVE
    assert _counts(evolution.overall) == EXPECTED_OVERALL

    workbook, pdf = tmp_path / "consolidation-2024.xlsx", tmp_path / "synthese-2024.pdf"
    write_reports(db, workbook=workbook, pdf=pdf, campaign_id=current, compare_campaign_id=previous)

    # The workbook: the sheet right after the synthesis, counts per objective and overall.
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[:3] == ["Synthèse", "Évolution", "Questionnaire"]
    rows = _rows(workbook, "Évolution")
    assert rows[0][0] == "Évolution depuis Évaluation"
    assert rows[1][0].endswith(
        "9 actions ont changé de statut retenu sur 71 ; 1 attend encore une réponse ou une "
        "confirmation (1 pas encore de réponse)."
    )
    header, counts = _block(rows, "Objectif")
    assert header == (
        "Objectif",
        "Intitulé",
        "Actions",
        "Progrès",
        "Inchangée",
        "Recul",
        "Nouvelle",
        "Retirée",
        "À confirmer",
        "Pas encore de réponse",
        "Ont changé",
        "En attente",
    )
    table = {row[0]: row for row in counts}
    for code, expected in EXPECTED_PER_OBJECTIVE.items():
        assert table[code][3:10] == expected
        assert table[code][2] == sum(expected)
    assert table["Ensemble"][2:12] == (71, *EXPECTED_OVERALL, 9, 1)

    header, actions = _block(rows, "Code", "Action")
    assert header[:7] == (
        "Code",
        "Action",
        "Ancien code",
        "Statut précédent",
        "Statut actuel",
        "Évolution",
        "Objectif",
    )
    assert len(actions) == 71
    by_code = {row[0]: row for row in actions}
    assert by_code["1.2.1"][3:6] == ("nc", "partiellement", PROGRESS)
    assert by_code[ARBITRATED][3:6] == ("non", "oui", PROGRESS)
    assert header[7] == "Statut actuel arbitré" and by_code[ARBITRATED][7] == "oui"
    assert by_code["1.2.1"][7] is None
    assert by_code[UNANSWERED][3:6] == ("non", "pas encore de réponse", NOT_YET)
    assert by_code["3.3.4"][3:6] == ("non", "non", UNCHANGED)
    assert {code: row[5] for code, row in by_code.items() if row[5] != UNCHANGED} == {
        **EXPECTED_TRANSITIONS,
        UNANSWERED: NOT_YET,
    }
    # The word is on its colour, never the colour alone.
    sheet = book["Évolution"]
    column = header.index("Évolution") + 1
    cell = next(
        sheet.cell(r, column)
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(r, 1).value == "1.1.1"
    )
    assert cell.value == SETBACK and cell.fill.fgColor.rgb.endswith("CE0500")

    # The PDF: the section right after the synthesis, counts per objective and overall.
    pages = [
        " ".join(p.extract_text().replace("\u00a0", " ").split())
        for p in pypdf.PdfReader(pdf).pages
    ]
    start = next(
        i
        for i, text in enumerate(pages)
        if "Évolution depuis Évaluation" in text and "Par objectif" in text
    )
    assert any("1. Synthèse" in text for text in pages[:start])
    section = " ".join(pages[start : start + 3])
    section = section[: section.find("2. Actions par objectif")]
    assert f"{SECOND} comparée à Évaluation" in section
    assert (
        "9 actions ont changé de statut retenu sur 71 ; 1 attend encore une réponse ou une "
        "confirmation (1 pas encore de réponse)." in section
    )
    words = [
        tuple(int(n) for n in match)
        for match in re.findall(
            r"Progrès (\d+) · Inchangée (\d+) · Recul (\d+) · Nouvelle (\d+) · Retirée (\d+) "
            r"· À confirmer (\d+) · Pas encore de réponse (\d+)",
            section,
        )
    ]
    # The intro sentence, then each objective, then the whole plan.
    assert words == [EXPECTED_OVERALL, *EXPECTED_PER_OBJECTIVE.values(), EXPECTED_OVERALL]
    changed = section[section.find("Actions qui ont changé") :]
    for code in EXPECTED_TRANSITIONS:
        assert code in changed
    assert "3.3.4" not in changed[: changed.find("Actions en attente")]
    assert "Non Oui arbitré Progrès" in changed  # 4.1.1, the secretariat's status
    waiting = changed[changed.find("Actions en attente") :]
    assert "Pas encore de réponse : 1 — personne n'y a encore répondu" in waiting
    assert UNANSWERED in waiting


def test_indicators_side_by_side(db, tmp_path):
    """The road map's indicator in two campaigns: achieved, difference, ratios and their
    change."""
    answer(db, "DDETS-59", {"2.6.1": {"indicators": {1: (1000, 400)}}}, questionnaire=ROAD_MAP)
    previous = default_campaign_id(ROAD_MAP)
    current = f"{ROAD_MAP}:2024"
    with db.write() as session:
        session.add(Campaign(id=current, questionnaire_id=ROAD_MAP, title=SECOND))
    AnswerService(db, current, "DDETS-59", "Agent").set_indicator(
        "2.6.1", 1, target=1000, achieved=850
    )
    path = tmp_path / "consolidation.xlsx"
    write_reports(db, workbook=path, campaign_id=current, compare_campaign_id=previous)
    header, indicators = _block(_rows(path, "Évolution"), "Code", "Indicateur")
    assert header == (
        "Code",
        "Indicateur",
        "Unité",
        "Réalisé précédent",
        "Réalisé actuel",
        "Écart",
        "Taux précédent",
        "Taux actuel",
        "Évolution du taux (points)",
    )
    (row,) = indicators
    assert row[0] == "2.6.1" and row[3:6] == (400, 850, 450)
    assert row[6:9] == pytest.approx((0.4, 0.85, 0.45))
    # An action of the plan nobody answered either time is unanswered, not out of the plan.
    header, actions = _block(_rows(path, "Évolution"), "Code", "Action")
    silent = dict(zip(header, next(r for r in actions if r[0] != "2.6.1"), strict=False))
    assert silent["Statut précédent"] == silent["Statut actuel"] == "aucune réponse"


def test_same_campaign_is_refused(db):
    campaign = default_campaign_id(ROAD_MAP)
    with pytest.raises(UserError, match="campagne consolidée elle-même"):
        load_evolution(db, previous_campaign_id=campaign, campaign_id=campaign)
    with pytest.raises(UserError, match="« inconnue » n'existe pas"):
        load_evolution(db, previous_campaign_id="inconnue", campaign_id=campaign)


def test_command_line_compare(tmp_path, data_dir):
    database = tmp_path / "evolution.sqlite3"
    from sradar_desktop.services.opening import open_database

    db = open_database(database)
    previous, current = _second_evaluation(db)
    db.close()
    output, pdf = tmp_path / "evolution.xlsx", tmp_path / "evolution.pdf"
    result = run(
        "--db",
        str(database),
        "export",
        "-o",
        str(output),
        "--pdf",
        str(pdf),
        "--campaign",
        current,
        "--compare",
        previous,
        data_dir=data_dir,
    )
    assert result.returncode == 0, result.stderr
    _, counts = _block(_rows(output, "Évolution"), "Objectif")
    assert {row[0]: row[3:10] for row in counts}["Ensemble"] == EXPECTED_OVERALL
    assert "Évolution depuis Évaluation" in " ".join(
        page.extract_text() for page in pypdf.PdfReader(pdf).pages
    )

    refused = run(
        "--db",
        str(database),
        "export",
        "-o",
        str(output),
        "--campaign",
        current,
        "--compare",
        "2019",
        data_dir=data_dir,
    )
    assert refused.returncode != 0
    assert "La campagne « 2019 » n'existe pas dans cette base." in refused.stderr


def test_evolution_across_a_plan_revision(db, tmp_path):
    """Answers of the first campaign, the plan revised (renumbered, reworded, removed, added,
    split), a second campaign: by default the evolution follows the revision's matching."""
    from test_revisions import OLD_ANSWERS, revised_plan

    from sradar_desktop.services.campaigns import create_campaign
    from sradar_desktop.services.revisions import apply_revision, preview_revision

    first = default_campaign_id(SRADAR)
    answer(db, "DDETS-44", OLD_ANSWERS)
    apply_revision(db, preview_revision(db, SRADAR, revised_plan()))
    second = create_campaign(db, first, "Évaluation 2022").id
    service = AnswerService(db, second, "DDETS-44", "Agent")
    service.load()
    for code in ("1.1.1", "1.2.3", "3.2.3", "4.1.1"):
        assert service.confirm(code)
    service.set_status("2.3.8", "non")
    service.set_status("1.2.4", "oui")
    service.set_status("1.1.4", "oui")

    expected = {
        "1.1.1": (("1.1.1",), "oui", "oui", UNCHANGED),  # reworded
        "1.2.3": (("1.2.3",), "partiellement", "partiellement", UNCHANGED),  # split
        "1.2.4": (("1.2.3",), "partiellement", "oui", PROGRESS),
        "2.3.8": (("2.3.6",), "oui", "non", SETBACK),  # renumbered
        "3.2.3": (("3.1.4",), "non", "non", UNCHANGED),
        "4.1.1": (("4.1.1",), "nc", "nc", UNCHANGED),
        "1.1.2": (("1.1.2",), "non", None, REMOVED),
        "1.1.4": ((), None, "oui", NEW),
    }
    evolution = load_evolution(db, previous_campaign_id=first, campaign_id=second)
    found = {
        e.code: (e.previous_codes, e.previous, e.current, e.transition)
        for e in evolution.actions
        if e.previous or e.current
    }
    assert found == expected
    assert len(evolution.actions) == len(load_plan(db, SRADAR).actions()) + 1  # + the removed
    assert evolution.overall.counts == {
        PROGRESS: 1,
        UNCHANGED: len(evolution.actions) - 4,
        SETBACK: 1,
        NEW: 1,
        REMOVED: 1,
        AWAITING: 0,
        NOT_YET: 0,
    }
    # The reports (and so `export --compare`) show the same.
    workbook = tmp_path / "consolidation.xlsx"
    write_reports(db, workbook=workbook, campaign_id=second, compare_campaign_id=first)
    cells = {str(v) for row in _rows(workbook, "Évolution") for v in row if v is not None}
    assert {"2.3.6", "1.1.2", TRANSITION_LABELS[REMOVED]} <= cells


# --- A campaign in progress ----------------------------------------------------------------


def _cli(argv: list[str], capsys) -> str:
    from sradar_desktop import cli

    status = cli.main(argv)
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def _evolution_counts(path: Path) -> dict[str, int]:
    """The « Ensemble » row of the workbook's « Évolution » sheet, by column."""
    header, counts = _block(_rows(path, "Évolution"), "Objectif")
    return dict(zip(header[2:], {row[0]: row for row in counts}["Ensemble"][2:], strict=True))


def _pdf_evolution(path: Path) -> str:
    text = " ".join(_pdf_text(path).split())
    start = text.find("comparée à Évaluation")
    return text[start : text.find("2. Actions par objectif", start)]


def test_a_campaign_in_progress_counts_what_awaits_apart(tmp_path, capsys):
    """Seed 000 answered by DDETS-44, the next campaign created, then at once the evolution:
    nothing has moved, everything awaits its confirmation. Then DDETS-44 confirms 10 answers,
    changes 2 and clears 1: exactly those are counted. Through the command line, read back from
    the workbook and the PDF."""
    base = tmp_path / "base.sqlite3"
    _cli(["--db", str(base), "import", "--respondent", "DDETS-44", str(SEED_000)], capsys)
    (first,) = [
        line.split()[0]
        for line in _cli(["--db", str(base), "campaigns"], capsys).splitlines()
        if "1 répondant" in line
    ]
    out = _cli(
        ["--db", str(base), "new-campaign", "--from", first, "--title", "Évaluation 2025"], capsys
    )
    current = out.split()[3]
    assert current.endswith(":evaluation-2025")

    # Before any answer: no progress, no setback, 71 awaiting a confirmation. The evolution is
    # there without --compare: the campaign knows where it comes from.
    workbook, pdf = tmp_path / "en-cours.xlsx", tmp_path / "en-cours.pdf"
    out = _cli(
        [
            "--db",
            str(base),
            "export",
            "--campaign",
            current,
            "-o",
            str(workbook),
            "--pdf",
            str(pdf),
        ],
        capsys,
    )
    assert (
        "Évolution depuis Évaluation (" + first + ") : 0 action a changé de statut retenu sur "
        "71 ; 71 attendent encore une réponse ou une confirmation (71 à confirmer)." in out
    )
    assert _evolution_counts(workbook) == {
        "Actions": 71,
        "Progrès": 0,
        "Inchangée": 0,
        "Recul": 0,
        "Nouvelle": 0,
        "Retirée": 0,
        "À confirmer": 71,
        "Pas encore de réponse": 0,
        "Ont changé": 0,
        "En attente": 71,
    }
    section = _pdf_evolution(pdf)
    assert "0 action a changé de statut retenu sur 71 ; 71 attendent encore" in section
    assert "Recul 0" in section and "À confirmer 71" in section
    assert "Aucune action n'a changé de statut retenu." in section
    # The synthesis counts them apart too, never as « nc » or as an absence.
    summary = {row[0]: row for row in _rows(workbook, "Synthèse") if row and row[0]}
    header = summary["Objectif"]
    overall = dict(zip(header, summary["Ensemble du plan"], strict=False))
    assert (overall["À confirmer"], overall["NC"], overall["Renseignées"]) == (71, 0, 0)

    # DDETS-44 confirms ten answers, changes two and clears one.
    from sradar_desktop.services.opening import open_database

    db = open_database(base)
    try:
        service = AnswerService(db, current, "DDETS-44", "Agent")
        states = service.load()
        confirmed = [code for code in states if code not in ("1.1.1", "1.2.1", UNANSWERED)][:10]
        for code in confirmed:
            assert service.confirm(code)
        service.set_status("1.1.1", "non")  # oui → non: recul
        service.set_status("1.2.1", "partiellement")  # nc → partiellement: progrès
        service.set_status(UNANSWERED, None)  # cleared: nobody has answered it yet
    finally:
        db.close()

    out = _cli(
        [
            "--db",
            str(base),
            "export",
            "--campaign",
            current,
            "-o",
            str(workbook),
            "--pdf",
            str(pdf),
        ],
        capsys,
    )
    assert (
        "2 actions ont changé de statut retenu sur 71 ; 59 attendent encore une réponse ou une "
        "confirmation (58 à confirmer, 1 pas encore de réponse)." in out
    )
    counts = _evolution_counts(workbook)
    assert (counts["Progrès"], counts["Recul"], counts["Inchangée"]) == (1, 1, 10)
    assert (counts["À confirmer"], counts["Pas encore de réponse"]) == (58, 1)
    header, actions = _block(_rows(workbook, "Évolution"), "Code", "Action")
    by_code = {row[0]: dict(zip(header, row, strict=False)) for row in actions}
    assert by_code[UNANSWERED]["Statut actuel"] == "pas encore de réponse"
    assert by_code[UNANSWERED]["Évolution"] == NOT_YET
    moved = {code for code, row in by_code.items() if row["Évolution"] in (PROGRESS, SETBACK)}
    assert moved == {"1.1.1", "1.2.1"}
    section = _pdf_evolution(pdf)
    assert "Progrès 1 · Inchangée 10 · Recul 1 · Nouvelle 0 · Retirée 0 · À confirmer 58" in section
    assert "Pas encore de réponse : 1" in section and UNANSWERED in section

    # --no-compare leaves the evolution out.
    _cli(
        ["--db", str(base), "export", "--campaign", current, "--no-compare", "-o", str(workbook)],
        capsys,
    )
    assert "Évolution" not in openpyxl.load_workbook(workbook, read_only=True).sheetnames
