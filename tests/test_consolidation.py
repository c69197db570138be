"""Consolidation: synthesis rule, seed 000's counts, seed 004's indicator table, merge of merges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import SEED_000
from exchange_support import ROAD_MAP, SRADAR, answer, edit_workbook

from sradar_desktop.domain.consolidation import synthesis
from sradar_desktop.errors import UserError
from sradar_desktop.services.consolidation import (
    RosterMember,
    load_consolidation,
    set_arbitration,
    set_roster,
    write_reports,
)
from sradar_desktop.services.exchange import blank_workbook
from sradar_desktop.services.files.consolidating import consolidate_files
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.opening import open_database

SEED_PER_OBJECTIVE = {
    "1": (9, 1, 2, 1),
    "2": (9, 0, 2, 3),
    "3": (8, 1, 1, 0),
    "4": (2, 2, 4, 0),
    "5": (2, 2, 0, 0),
    "6": (3, 2, 2, 0),
    "7": (4, 0, 0, 2),
    "8": (4, 2, 2, 1),
}
# Seed 004's closing table: projects financed, beneficiaries target and achieved.
DEPARTEMENTS = {
    "DDETS-59": ("DDETS du Nord", 32, 1174, 1316),
    "DDETS-62": ("DDETS du Pas-de-Calais", 2, 30, 28),
    "DDETS-60": ("DDETS de l'Oise", 16, 1358, 1024),
    "DDETS-80": ("DDETS de la Somme", 13, 273, 243),
    "DDETS-02": ("DDETS de l'Aisne", 12, 232, 271),
}


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["oui", "oui"], "oui"),
        (["non", "non", "nc"], "non"),
        (["partiellement"], "partiellement"),
        (["oui", "non"], "partiellement"),
        (["oui", "partiellement", "nc"], "partiellement"),
        (["partiellement", "non"], "partiellement"),
        (["nc", "nc"], "nc"),
        ([None], "nc"),
        ([], "nc"),
    ],
)
def test_synthesis_rule(statuses, expected):
    assert synthesis(statuses) == expected


def _sheet_rows(path: Path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


def test_seed_000_one_respondent_gives_the_seeds_synthesis(db, tmp_path):
    imported = import_file(db, SEED_000, respondent_code="SGAR-PDL")
    report = load_consolidation(db, questionnaire_id=imported.questionnaire_id)
    assert report.overall.counts == {"oui": 41, "partiellement": 10, "non": 13, "nc": 7}
    assert report.overall.total == 71
    per_objective = {
        objective.code: tuple(counts.counts.values())
        for objective, counts in report.objective_counts
    }
    assert per_objective == SEED_PER_OBJECTIVE

    path = tmp_path / "consolidation.xlsx"
    write_reports(db, workbook=path, questionnaire_id=imported.questionnaire_id)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Synthèse",
        "Questionnaire",
        "Indicateurs",
        "Réponses",
        "Suivi",
        "_sradar",
    ]
    rows = _sheet_rows(path, "Synthèse")
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Objectif")
    assert rows[header][:4] == ("Objectif", "Actions", "Oui", "% oui")
    table = {row[0].split(".")[0]: row for row in rows[header + 1 :] if row and row[0]}
    for code, (oui, partiel, non, nc) in SEED_PER_OBJECTIVE.items():
        row = table[code]
        assert (row[2], row[4], row[6], row[8]) == (oui, partiel, non, nc)
    total = table["Ensemble du plan"]
    assert (total[1], total[2], total[4], total[6], total[8]) == (71, 41, 10, 13, 7)
    assert total[3] == pytest.approx(41 / 71)
    actions = _sheet_rows(path, "Questionnaire")
    assert len(actions) == 72
    assert _sheet_rows(path, "Réponses")[0][:8] == (
        "Code",
        "Objectif",
        "Thématique",
        "Pilotes",
        "Répondant",
        "Libellé du répondant",
        "Réalisation",
        "Commentaire",
    )
    assert len(_sheet_rows(path, "Réponses")) == 72


def _departement_workbooks(folder: Path) -> list[Path]:
    """Five DDETS fill the blank workbook of the road map in Excel and send it back."""
    paths = []
    secretariat = open_database(folder / "secretariat.sqlite3")
    for code, (_label, projects, target, achieved) in DEPARTEMENTS.items():
        blank = folder / f"vierge-{code}.xlsx"
        blank_workbook(secretariat, blank, questionnaire_id=ROAD_MAP, respondent_code=code)

        def fill(book, projects=projects, target=target, achieved=achieved):
            sheet = book["Indicateurs"]
            for row in sheet.iter_rows(min_row=2):
                if row[2].value == "Nombre de projets financés":
                    row[6].value = projects
                elif row[2].value == "Nombre total de bénéficiaires":
                    row[5].value = f"{target:,}".replace(",", "\u202f")  # typed "1 174"
                    row[6].value = achieved
            questions = book["Questionnaire"]
            questions["G2"] = "Oui"

        paths.append(edit_workbook(blank, folder / f"{code}.xlsx", fill))
    secretariat.close()
    return paths


def test_seed_004_indicator_table_from_five_departement_workbooks(tmp_path, data_dir):
    paths = _departement_workbooks(tmp_path)
    output = tmp_path / "consolidation.xlsx"
    report, results = consolidate_files(paths, workbook=output)
    assert all(r.error is None for r in results)
    assert report is not None and report.respondents == 5

    rows = _sheet_rows(output, "Indicateurs")
    header = rows[0]
    assert header[:7] == (
        "Code",
        "Action",
        "Indicateur",
        "Unité",
        "Répondant",
        "Valeur cible",
        "Valeur réalisée",
    )
    beneficiaries = {
        row[4]: (row[5], row[6], row[8])
        for row in rows[1:]
        if row[2] == "Nombre total de bénéficiaires"
    }
    projects = {row[4]: row[6] for row in rows[1:] if row[2] == "Nombre de projets financés"}
    assert beneficiaries["DDETS-59"][:2] == (1174, 1316)
    assert beneficiaries["DDETS-59"][2] == pytest.approx(1.1210, abs=5e-5)
    assert beneficiaries["DDETS-60"][2] == pytest.approx(0.7541, abs=5e-5)
    assert beneficiaries["DDETS-80"][2] == pytest.approx(0.8901, abs=5e-5)
    # The seed's 93,30 % and 114,35 % are slips: 28 / 30 and 271 / 232 are these.
    assert beneficiaries["DDETS-62"][2] == pytest.approx(0.9333, abs=5e-5)
    assert beneficiaries["DDETS-02"][2] == pytest.approx(1.1681, abs=5e-5)
    # Totals are computed from the rows: 3 067, where the seed prints 3 070 (another slip).
    total = beneficiaries["Total"]
    assert total[:2] == (3067, 2882) and total[2] == pytest.approx(0.9397, abs=5e-5)
    assert projects["Total"] == 75
    assert {code: projects[code] for code in DEPARTEMENTS} == {
        code: values[1] for code, values in DEPARTEMENTS.items()
    }
    from sradar_desktop.domain.numbers import format_percentage

    (result,) = [
        i for i in report_indicators(tmp_path, paths) if i.label.startswith("Nombre total")
    ]
    assert format_percentage(result.ratio) == "93,97\u00a0%"


def report_indicators(folder: Path, paths: list[Path]):
    db = open_database(folder / "verification.sqlite3")
    for path in paths:
        import_file(db, path)
    return load_consolidation(db, questionnaire_id=ROAD_MAP).indicators


def test_merge_of_merges_gives_the_same_synthesis(tmp_path, data_dir):
    region = open_database(tmp_path / "region.sqlite3")
    answer(region, "DDETS-44", {"1.1.1": ("oui", "ok"), "1.1.3": ("non", ""), "2.1.1": ("nc", "")})
    answer(region, "DDETS-49", {"1.1.1": ("partiellement", "en partie"), "1.1.3": ("non", "")})
    set_arbitration(
        region, f"{SRADAR}:evaluation", "1.1.1", "oui", reason="Vu en comité", actor="SGAR"
    )
    first = tmp_path / "region.xlsx"
    write_reports(region, workbook=first, questionnaire_id=SRADAR)
    before = load_consolidation(region, questionnaire_id=SRADAR)

    national = open_database(tmp_path / "national.sqlite3")
    import_file(national, first)
    after = load_consolidation(national, questionnaire_id=SRADAR)
    assert [(a.action.code, a.synthesis, dict(a.distribution)) for a in after.actions] == [
        (a.action.code, a.synthesis, dict(a.distribution)) for a in before.actions
    ]
    assert after.overall.counts != before.overall.counts  # the arbitration stays regional
    second = tmp_path / "national.xlsx"
    write_reports(national, workbook=second, questionnaire_id=SRADAR)
    assert _sheet_rows(second, "Réponses") == _sheet_rows(first, "Réponses")
    region.close()
    national.close()


def test_arbitration_wins_everywhere(db, tmp_path):
    campaign = f"{SRADAR}:evaluation"
    answer(db, "DDETS-44", {"1.1.1": ("oui", "")})
    answer(db, "DDETS-49", {"1.1.1": ("non", "")})
    with pytest.raises(UserError, match="raison"):
        set_arbitration(db, campaign, "1.1.1", "oui")
    set_arbitration(
        db, campaign, "1.1.1", "oui", reason="Réalisée à l'échelle régionale", actor="SGAR"
    )
    report = load_consolidation(db, questionnaire_id=SRADAR)
    result = report.actions[0]
    assert (result.synthesis, result.final) == ("partiellement", "oui")
    assert report.overall.counts["oui"] == 1
    path = tmp_path / "c.xlsx"
    write_reports(db, workbook=path, questionnaire_id=SRADAR)
    row = _sheet_rows(path, "Questionnaire")[1]
    assert row[0] == "1.1.1" and row[5] == "partiellement" and row[-2] == "oui"
    assert "Réalisée à l'échelle régionale (SGAR)" in row
    set_arbitration(db, campaign, "1.1.1", None)
    assert load_consolidation(db, questionnaire_id=SRADAR).actions[0].final == "partiellement"


def test_who_answered(db):
    campaign = f"{SRADAR}:evaluation"
    set_roster(
        db,
        campaign,
        [
            RosterMember("DDETS-44", "DDETS de Loire-Atlantique"),
            RosterMember("DDETS-85", "DDETS de Vendée"),
        ],
    )
    answer(db, "DDETS-44", {"1.1.1": ("oui", "")})
    answer(db, "ARS-PDL", {"2.3.5": ("oui", "")})
    roster = {entry.code: entry for entry in load_consolidation(db, questionnaire_id=SRADAR).roster}
    assert roster["DDETS-44"].state == "partiel" and roster["DDETS-44"].expected
    assert roster["DDETS-85"].state == "manquant" and roster["DDETS-85"].label == "DDETS de Vendée"
    assert not roster["ARS-PDL"].expected


def test_consolidate_command_never_touches_the_users_database(tmp_path, data_dir):
    paths = _departement_workbooks(tmp_path)
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    bad = tmp_path / "faux.xlsx"
    bad.write_bytes(b"%PDF-1.4" + b"x" * 300)
    output = tmp_path / "region.xlsx"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sradar_desktop",
            "consolidate",
            *map(str, paths),
            str(bad),
            "-o",
            str(output),
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )
    assert result.returncode == 1  # one file refused, the others consolidated
    assert result.stderr.count("\n") == 1 and "document PDF" in result.stderr
    assert "5 répondants" in result.stdout and output.is_file()
    assert not (data_dir / "sradar.sqlite3").exists()


def test_two_objectives_sharing_a_code_are_counted_apart():
    """Nothing forbids two objectives one code: each is counted on its own actions."""
    from datetime import UTC, datetime

    from sradar_desktop.domain.consolidation import RespondentAnswer, consolidate
    from sradar_desktop.domain.plan import plan_from_mapping

    def objective(title: str, action: str) -> dict:
        theme = {"code": "1.1", "title": "Thème", "actions": [{"code": action, "text": action}]}
        return {"code": "1", "title": title, "themes": [theme]}

    plan = plan_from_mapping(
        {"id": "essai", "title": "Essai", "objectives": [objective("A", "a"), objective("B", "b")]}
    )
    at = datetime(2026, 12, 7, tzinfo=UTC)
    report = consolidate(
        plan,
        campaign_id="essai:1",
        campaign_title="Essai",
        due_date=None,
        generated_at=at,
        answers=[("S1", "a", RespondentAnswer("S1", "S1", "oui", "", at, "Agent"))],
        indicator_values=[],
        labels={},
        expected=[],
        arbitrations={},
        last_imports={},
    )
    counts = [(o.title, c.total, c.counts["oui"]) for o, c in report.objective_counts]
    assert counts == [("A", 1, 1), ("B", 1, 0)]
