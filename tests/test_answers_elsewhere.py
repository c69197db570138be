"""Answers typed where the program does not look first: in a copy of the « Questionnaire »
sheet (Excel's « Déplacer ou copier… »), or saved as a CSV file from Excel. Each is either
imported exactly (and the preview says where the answers were read) or refused in one French
line naming the file and what to do, the database unchanged: never silently ignored, and a
table of answers never taken for a plan."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from exchange_support import SRADAR, answer, edit_workbook, state

from sradar_desktop import cli
from sradar_desktop.errors import FileRefusedError
from sradar_desktop.services.exchange import blank_workbook, export_workbook
from sradar_desktop.services.files.consolidating import consolidate_files
from sradar_desktop.services.imports import import_file, import_files, preview_import

TYPED = {"1.1.1": ("Oui", "Fait en mars."), "1.2.1": ("non", ""), "1.4.1": ("Partiellement", "")}


def _columns(sheet) -> dict[str, int]:
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    return {name: index + 1 for index, name in enumerate(header) if name}


def _fill(sheet, answers: dict) -> None:
    columns = _columns(sheet)
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, columns["Code"]).value
        if code in answers:
            status, comment = answers[code]
            sheet.cell(row, columns["Réalisation"]).value = status
            sheet.cell(row, columns["Commentaire"]).value = comment or None


def _copy_and_fill(answers: dict, *, also_original: dict | None = None):
    def edit(book):
        original = book["Questionnaire"]
        copy = book.copy_worksheet(original)
        copy.title = "Questionnaire (2)"
        _fill(copy, answers)
        if also_original:
            _fill(original, also_original)

    return edit


@pytest.fixture
def blank(db, tmp_path) -> Path:
    path = tmp_path / "vierge-ddets44.xlsx"
    blank_workbook(db, path, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    return path


def _imported(db) -> dict:
    return {
        key[2]: value[:2]
        for key, value in state(db)["answers"].items()
        if key[1] == "DDETS-44" and (value[0] or value[1])
    }


def test_answers_typed_in_a_copy_of_the_sheet_are_read_and_the_preview_says_so(db, blank, tmp_path):
    filled = edit_workbook(blank, tmp_path / "ddets44.xlsx", _copy_and_fill(TYPED))
    preview = preview_import(db, filled)
    assert any("feuille « Questionnaire (2) »" in note for note in preview.notes)
    assert "lues dans la feuille « Questionnaire (2) »" in preview.describe()
    outcome = import_file(db, filled)
    assert outcome.applied == 3
    assert _imported(db) == {
        "1.1.1": ("oui", "Fait en mars."),
        "1.2.1": ("non", ""),
        "1.4.1": ("partiellement", ""),
    }


def test_a_copy_that_says_the_same_changes_nothing(db, blank, tmp_path):
    def edit(book):
        _fill(book["Questionnaire"], TYPED)
        copy = book.copy_worksheet(book["Questionnaire"])
        copy.title = "Questionnaire (2)"

    filled = edit_workbook(blank, tmp_path / "ddets44.xlsx", edit)
    outcome = import_file(db, filled)
    assert outcome.applied == 3 and outcome.notes == ()


def test_two_sheets_that_disagree_are_refused_naming_both(db, blank, tmp_path):
    filled = edit_workbook(
        blank,
        tmp_path / "ddets44.xlsx",
        _copy_and_fill(TYPED, also_original={"1.1.1": ("non", "")}),
    )
    before = state(db)
    with pytest.raises(FileRefusedError) as refused:
        import_file(db, filled)
    message = str(refused.value)
    assert message.startswith("Le fichier « ddets44.xlsx » a été refusé : ses réponses sont dans")
    assert "« Questionnaire », « Questionnaire (2) »" in message
    assert "Gardez une seule de ces feuilles, nommée « Questionnaire »" in message
    assert "\n" not in message
    assert state(db) == before


def test_an_answers_workbook_copied_over_an_answered_one(db, tmp_path):
    """DDETS-44's own export, then a copy filled with changes while the original stays as
    exported: the copy is read; the answers it changed are changes."""
    answer(db, "DDETS-44", {"1.1.1": ("non", "")})
    exported = tmp_path / "export.xlsx"
    export_workbook(db, exported, respondent_code="DDETS-44")
    filled = edit_workbook(exported, tmp_path / "retour.xlsx", _copy_and_fill(TYPED))
    outcome = import_file(db, filled)
    assert outcome.applied == 3
    assert _imported(db)["1.1.1"] == ("oui", "Fait en mars.")


# -- CSV saved from Excel ------------------------------------------------------------------------


def _csv(path: Path, source: Path, *, delimiter: str, encoding: str) -> Path:
    """The « Questionnaire » sheet of ``source`` saved as Excel saves a CSV."""
    sheet = openpyxl.load_workbook(source)["Questionnaire"]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if value is None else value for value in row])
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "cp1252"), (",", "utf-8-sig"), (";", "utf-8"), (",", "cp1252")],
    ids=["point-virgule-windows", "virgule-utf8-bom", "point-virgule-utf8", "virgule-windows"],
)
def test_answers_saved_as_csv_are_refused_never_taken_for_a_plan(
    db, blank, tmp_path, delimiter, encoding, capsys
):
    filled = edit_workbook(
        blank, tmp_path / "ddets44.xlsx", lambda book: _fill(book["Questionnaire"], TYPED)
    )
    path = _csv(tmp_path / "réponses ddets44.csv", filled, delimiter=delimiter, encoding=encoding)
    before = state(db)
    (result,) = import_files(db, [path])
    assert result.error is not None
    message = str(result.error)
    assert message.startswith(
        "Le fichier « réponses ddets44.csv » a été refusé : c'est un tableau de réponses"
    )
    assert "Demandez à l'expéditeur le classeur .xlsx lui-même" in message
    assert "\n" not in message and not result.error.details
    assert state(db) == before  # no questionnaire, no campaign, no answer

    # The command line says it in one line; consolidating refuses it the same way.
    status = cli.main(["--db", str(tmp_path / "autre.sqlite3"), "import", str(path)])
    err = capsys.readouterr().err
    assert status == cli.EXIT_USER_ERROR
    assert err.count("\n") == 1 and "c'est un tableau de réponses" in err
    report, results = consolidate_files([path], workbook=tmp_path / "c.xlsx")
    assert report is None and "c'est un tableau de réponses" in str(results[0].error)
    assert "importé" not in str(results[0].error)
