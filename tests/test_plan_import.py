"""Importing an action plan laid out like seed 000: text, CSV and workbook forms, bad files."""

from __future__ import annotations

import csv
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from conftest import SEED_000
from support import snapshot

from sradar_desktop.errors import FileRefusedError
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.questionnaires import (
    default_campaign_id,
    list_questionnaires,
    load_plan,
)

SEED_COUNTS = {"oui": 41, "partiellement": 10, "non": 13, "nc": 7}
# Per objective, as in the seed: (oui, partiellement, non, nc).
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


def seed_rows() -> list[list[str]]:
    """The seed's table rows (header once), as a person would copy them into a spreadsheet."""
    rows = []
    for line in SEED_000.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) == 4 and (not rows or cells[0] != "Objectifs"):
            rows.append(cells)
    return rows


def _statuses(db, questionnaire_id: str, respondent: str) -> dict[str, str]:
    service = AnswerService(db, default_campaign_id(questionnaire_id), respondent, "test")
    return {code: state.status for code, state in service.load().items()}


def _check_seed_import(db, result) -> None:
    assert result.new_questionnaire
    assert result.plan_counts == (8, 28, 71)
    plan = load_plan(db, result.questionnaire_id)
    assert plan.counts() == (8, 28, 71)
    (respondent,) = result.respondents
    statuses = _statuses(db, result.questionnaire_id, respondent)
    assert Counter(statuses.values()) == SEED_COUNTS
    per_objective = {}
    for objective in plan.objectives:
        counts = Counter(
            statuses[action.code] for theme in objective.themes for action in theme.actions
        )
        per_objective[objective.code] = tuple(counts[s] for s in SEED_COUNTS)
    assert per_objective == SEED_PER_OBJECTIVE
    first = plan.objectives[0]
    assert (
        first.code == "1"
        and first.title == "Consolider le parc d'hébergement des demandeurs d'asile"
    )
    assert plan.objectives[2].title.startswith("Diminuer")
    language = next(a for a in plan.actions() if a.text.startswith("Instaurer une meilleure"))
    assert "<" not in language.text and language.text.count("\n◦ ") == 2


def test_seed_000_itself(db):
    result = import_file(db, SEED_000, respondent_code="SGAR-PDL", actor="Secrétariat")
    assert result.respondents == ("SGAR-PDL",)
    assert result.applied == 71
    _check_seed_import(db, result)
    plan = load_plan(db, result.questionnaire_id)
    assert plan.title.startswith("Première évaluation des actions proposées")
    assert "commission de concertation" in plan.description


def test_same_file_twice_is_a_no_op(db):
    first = import_file(db, SEED_000)
    before = snapshot(db)
    second = import_file(db, SEED_000)
    assert second.already_imported_at is not None
    assert "déjà importé le" in second.describe()
    assert snapshot(db) == before
    assert second.questionnaire_id == first.questionnaire_id


def test_seed_as_a_workbook_with_merged_cells(db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Évaluation"
    sheet.append(["Évaluation du schéma régional d'accueil"])
    sheet.append([])
    previous = ("", "")
    for row in seed_rows():
        objective, theme = row[0], row[1]
        # Merged cells: only the first row of a block holds the value.
        shown = [
            objective if objective != previous[0] else None,
            theme if (objective, theme) != previous else None,
        ]
        previous = (objective, theme)
        sheet.append([*shown, row[2], row[3].upper() if row[3] == "oui" else row[3]])
    path = tmp_path / "evaluation.xlsx"
    workbook.save(path)
    result = import_file(db, path, respondent_code="SGAR")
    _check_seed_import(db, result)
    assert load_plan(db, result.questionnaire_id).title == "Évaluation du schéma régional d'accueil"


def test_seed_as_a_french_csv(db, tmp_path):
    path = tmp_path / "plan.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for row in seed_rows():
            writer.writerow([cell.replace("◦", "•") for cell in row])
    result = import_file(db, path)
    _check_seed_import(db, result)


def test_plan_without_answers_and_with_pilots_and_codes(db, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "Code;Objectifs;Thématiques;Actions;Pilotes\n"
        "A1;1. Héberger;Places;Ouvrir des places;DDETS, OFII\n"
        "A2;;;Fermer des hôtels;DDETS\n"
        "B1;2. Intégrer;Emploi;Accompagner vers l'emploi;DREETS / France Travail\n",
        encoding="utf-8",
    )
    result = import_file(db, path)
    assert result.respondents == ()
    plan = load_plan(db, result.questionnaire_id)
    assert [(a.code, a.pilots) for a in plan.actions()] == [
        ("A1", ("DDETS", "OFII")),
        ("A2", ("DDETS",)),
        ("B1", ("DREETS", "France Travail")),
    ]
    assert [o.code for o in plan.objectives] == ["1", "2"]


def _assert_refused(db, path: Path, *fragments: str) -> FileRefusedError:
    before = snapshot(db)
    with pytest.raises(FileRefusedError) as error:
        import_file(db, path)
    text = " ".join([str(error.value), *error.value.details])
    for fragment in fragments:
        assert fragment in text
    assert "Traceback" not in text
    assert snapshot(db) == before
    return error.value


def test_missing_file(db, tmp_path):
    _assert_refused(db, tmp_path / "absent.xlsx", "introuvable")


def test_empty_file(db, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    _assert_refused(db, path, "est vide")


def test_pdf_renamed_xlsx(db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n" * 20)
    _assert_refused(db, path, "document PDF", "plan.xlsx")


def test_word_document_renamed_xlsx(db, tmp_path):
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    _assert_refused(db, path, "document Word")


def test_truncated_workbook(db, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Objectifs", "Thématiques", "Actions"])
    full = tmp_path / "complet.xlsx"
    workbook.save(full)
    path = tmp_path / "tronque.xlsx"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    _assert_refused(db, path, "incomplet ou endommagé")


def test_spreadsheet_without_the_expected_columns(db, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nom", "Prénom", "Service"])
    workbook.active.append(["Martin", "Claire", "DDETS 44"])
    path = tmp_path / "annuaire.xlsx"
    workbook.save(path)
    _assert_refused(db, path, "« Objectifs », « Thématiques » et « Actions »")


def test_unknown_status_named_by_its_cell(db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(["Titre du plan"])
    sheet.append(["Objectifs", "Thématiques", "Actions", "Réalisation"])
    sheet.append(["1_Héberger", "Places", "Ouvrir", "oui"])
    sheet.append(["1_Héberger", "Places", "Fermer", "peut-être"])
    path = tmp_path / "plan.xlsx"
    workbook.save(path)
    error = _assert_refused(db, path, "Plan!D4 : « peut-être » n'est pas une réponse possible")
    assert error.details == [
        "Plan!D4 : « peut-être » n'est pas une réponse possible (oui, partiellement, non, nc)"
    ]


def test_nothing_imported_leaves_the_list_unchanged(db, tmp_path):
    path = tmp_path / "vide.txt"
    path.write_text("Objectifs\tThématiques\tActions\n\n", encoding="utf-8")
    _assert_refused(db, path, "aucune action")
    assert len(list_questionnaires(db)) == 3


@pytest.mark.slow
@pytest.mark.parametrize("extension", ["ods", "xls"])
def test_plan_saved_by_libreoffice_as_ods_or_xls(db, tmp_path, extension):
    from exchange_support import soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé")
    workbook = openpyxl.Workbook()
    for row in seed_rows():
        workbook.active.append(row)
    source = tmp_path / "plan.xlsx"
    workbook.save(source)
    import subprocess

    folder = tmp_path / "converti"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}",
            "--headless",
            "--convert-to",
            extension,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    result = import_file(db, folder / f"plan.{extension}", respondent_code="SGAR")
    _check_seed_import(db, result)
