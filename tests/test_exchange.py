"""The exchange workbook: written, read back, re-saved by LibreOffice, edited as in Excel."""

from __future__ import annotations

import itertools
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from exchange_support import (
    ROAD_MAP,
    SRADAR,
    answer,
    edit_workbook,
    meaningful,
    resave_with_libreoffice,
    soffice,
    state,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sradar_desktop.domain.merge import Decision
from sradar_desktop.services.exchange import blank_workbook, export_workbook
from sradar_desktop.services.imports import import_file, preview_import
from sradar_desktop.services.opening import open_database
from sradar_desktop.workbook.reader import read_exchange_workbook

TRICKY = [
    "=SOMME(A1:A9)",
    "+33 2 40 00 00 00",
    "-1 place",
    "@DREETS",
    "\tindenté",
    "Première ligne\nDeuxième ligne",
    "œ ’ « » ◦ ≥ — €",
    "0123456789012345678901",
    "",
]


def test_blank_workbook_has_the_respondents_actions(db, tmp_path):
    path = tmp_path / "DDETS-44.xlsx"
    result = blank_workbook(db, path, questionnaire_id=SRADAR, respondent_code="ddets-44")
    assert result.respondents == ("DDETS-44",)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lisez-moi", "Questionnaire", "Indicateurs", "_sradar"]
    assert book["_sradar"].sheet_state == "veryHidden"
    sheet = book["Questionnaire"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Code",
        "Objectif",
        "Thématique",
        "Action",
        "Pilotes",
        "Répondant",
        "Réalisation",
        "Commentaire",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == result.rows > 0
    assert all("DDETS" in row[4] for row in rows)
    assert {row[5] for row in rows} == {"DDETS-44"}
    assert all(row[6] is None and row[7] is None for row in rows)
    # Answer cells free, structure locked, drop-down of the scale, frozen header, filter, print.
    assert sheet.protection.sheet
    assert sheet["G2"].protection.locked is False and sheet["H2"].protection.locked is False
    assert sheet["A2"].protection.locked is True and sheet["D2"].protection.locked is True
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"oui,partiellement,non,nc"'
    assert str(validation.sqref) == f"G2:G{len(rows) + 1}"
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:H{len(rows) + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    assert sheet["D2"].alignment.wrap_text
    assert sheet.column_dimensions["D"].width >= 50

    everything = tmp_path / "tout.xlsx"
    result_all = blank_workbook(
        db, everything, questionnaire_id=SRADAR, respondent_code="DDETS-44", all_actions=True
    )
    assert result_all.rows == 71


def test_blank_for_a_service_that_pilots_nothing(db, tmp_path):
    from sradar_desktop.errors import UserError

    with pytest.raises(UserError, match="--all"):
        blank_workbook(db, tmp_path / "x.xlsx", questionnaire_id=SRADAR, respondent_code="XYZ-1")
    assert not (tmp_path / "x.xlsx").exists()


def _no_formulas(path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_round_trip_with_tricky_text(tmp_path, data_dir):
    source = open_database(tmp_path / "source.sqlite3")
    codes = [a for a in ("1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2")]
    statuses = itertools.cycle(["oui", "partiellement", None, "non", "nc"])
    answer(
        source, "DDETS-44", {c: (next(statuses), t) for c, t in zip(codes, TRICKY, strict=False)}
    )
    path = tmp_path / "reponses.xlsx"
    export_workbook(source, path, respondent_code="DDETS-44")
    _no_formulas(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Questionnaire"]
    comment = next(r[7] for r in sheet.iter_rows(min_row=2) if r[0].value == "1.1.1")
    assert comment.value == "=SOMME(A1:A9)" and comment.quotePrefix

    target = open_database(tmp_path / "cible.sqlite3")
    outcome = import_file(target, path)
    assert outcome.count(Decision.NEW) == 8 and outcome.edited_outside == 0
    assert state(target)["answers"] == state(source)["answers"]
    source.close()
    target.close()


comments = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\r\x0b\x0c"
        + "".join(chr(c) for c in range(0x00, 0x09))
        + "".join(chr(c) for c in range(0x0E, 0x20))
        + "\ufffe\uffff",
    ),
    max_size=400,
)
answers_strategy = st.dictionaries(
    st.sampled_from(["1.1.1", "1.1.2", "2.1.1", "3.2.2", "5.1.1", "8.4.2"]),
    st.tuples(st.sampled_from([None, "oui", "partiellement", "non", "nc"]), comments),
    max_size=6,
)
numbers = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=10**12).map(str),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=answers_strategy, target=numbers, achieved=numbers, long_comment=st.booleans())
def test_round_trip_property(tmp_path_factory, answers, target, achieved, long_comment):
    """Export then import gives back exactly the same answers, for any answers."""
    folder = tmp_path_factory.mktemp("aller-retour")
    source = open_database(folder / "source.sqlite3")
    if long_comment:
        answers = {**answers, "6.1.1": ("non", "Un long commentaire. " * 1500)}
    answer(source, "DDETS-59", answers)
    answer(
        source,
        "DDETS-59",
        {"2.6.1": {"indicators": {0: (None, target), 1: (target, achieved)}}},
        questionnaire=ROAD_MAP,
    )
    target_db = open_database(folder / "cible.sqlite3")
    for questionnaire in (SRADAR, ROAD_MAP):
        path = folder / f"{questionnaire}.xlsx"
        export_workbook(source, path, questionnaire_id=questionnaire, respondent_code="DDETS-59")
        import_file(target_db, path)
    before, after = state(source), state(target_db)
    assert meaningful(after["answers"]) == meaningful(before["answers"])
    assert {k: v for k, v in after["values"].items() if v[0] or v[1]} == {
        k: v for k, v in before["values"].items() if v[0] or v[1]
    }
    source.close()
    target_db.close()


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) n'est pas installé")
def test_resaved_by_libreoffice_imports_the_same(tmp_path, data_dir):
    source = open_database(tmp_path / "source.sqlite3")
    answer(
        source,
        "DDETS-44",
        {
            "1.1.1": ("oui", "=SOMME(A1) reste du texte"),
            "1.1.3": ("non", "Deux lignes\net œ ’ « » ◦ ≥"),
            "1.2.1": (None, "Sans réponse mais commenté"),
            "2.1.1": ("nc", ""),
        },
    )
    path = tmp_path / "reponses.xlsx"
    export_workbook(source, path, respondent_code="DDETS-44")
    resaved = resave_with_libreoffice(path, tmp_path / "libreoffice")
    assert resaved.read_bytes() != path.read_bytes()
    content = read_exchange_workbook(resaved)
    assert content.edited_outside == ()
    target = open_database(tmp_path / "cible.sqlite3")
    import_file(target, resaved)
    assert state(target)["answers"] == state(source)["answers"]
    source.close()
    target.close()


def test_resorted_rows_and_capital_statuses(tmp_path, data_dir):
    source = open_database(tmp_path / "source.sqlite3")
    path = tmp_path / "vierge.xlsx"
    blank_workbook(source, path, questionnaire_id=SRADAR, respondent_code="DDETS-44")

    def fill(book):
        sheet = book["Questionnaire"]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        rows.reverse()  # re-sorted
        typed = {"1.1.1": "OUI", "1.1.3": "Partiel", "1.2.1": "Non", "1.3.2": " n.c. "}
        for index, values in enumerate(rows, start=2):
            for column, value in enumerate(values, start=1):
                sheet.cell(index, column, value)
            sheet.cell(index, 7, typed.get(values[0]))
            sheet.cell(index, 8, f"Commentaire {values[0]}" if values[0] in typed else None)
        # Columns moved: Commentaire before Réalisation.
        sheet.move_range("H1:H200", cols=1)
        sheet.move_range("G1:G200", cols=1)
        sheet.move_range("I1:I200", cols=-2)

    filled = edit_workbook(path, tmp_path / "rempli.xlsx", fill)
    outcome = import_file(source, filled)
    assert outcome.count(Decision.NEW) == 4 and outcome.edited_outside == 4
    answers = {k[2]: v[:2] for k, v in state(source)["answers"].items()}
    assert answers == {
        "1.1.1": ("oui", "Commentaire 1.1.1"),
        "1.1.3": ("partiellement", "Commentaire 1.1.3"),
        "1.2.1": ("non", "Commentaire 1.2.1"),
        "1.3.2": ("nc", "Commentaire 1.3.2"),
    }
    source.close()


def test_a_deleted_comment_column_is_not_read_from_another_column(tmp_path, data_dir):
    """A colleague deleted the Commentaire column and added notes of their own after the
    last column: the answers import, without comments, and the notes are not taken for them."""
    source = open_database(tmp_path / "source.sqlite3")
    path = tmp_path / "vierge.xlsx"
    blank_workbook(source, path, questionnaire_id=SRADAR, respondent_code="DDETS-44")

    def fill(book):
        sheet = book["Questionnaire"]
        assert sheet.cell(1, 8).value == "Commentaire"
        sheet.delete_cols(8)
        sheet.cell(1, 8, "Mes notes")
        for index in range(2, sheet.max_row + 1):
            sheet.cell(index, 8, "note personnelle")
        sheet.cell(2, 7, "oui")

    outcome = import_file(source, edit_workbook(path, tmp_path / "rempli.xlsx", fill))
    assert outcome.count(Decision.NEW) == 1
    assert [v[:2] for v in state(source)["answers"].values()] == [("oui", "")]
    source.close()


def test_french_numbers_typed_in_excel(tmp_path, data_dir):
    db = open_database(tmp_path / "base.sqlite3")
    path = tmp_path / "vierge.xlsx"
    blank_workbook(db, path, questionnaire_id=ROAD_MAP, respondent_code="DDETS-59")

    def fill(book):
        sheet = book["Indicateurs"]
        assert sheet["C2"].value == "Nombre de projets financés"
        sheet["G2"] = 32
        sheet["F3"] = "1 174"
        sheet["G3"] = "1\u00a0316"

    import_file(db, edit_workbook(path, tmp_path / "rempli.xlsx", fill))
    values = {k[3]: v[:2] for k, v in state(db)["values"].items()}
    assert values == {0: (None, "32"), 1: ("1174", "1316")}
    db.close()


def test_errors_name_the_sheet_and_cell(tmp_path, data_dir):
    from sradar_desktop.errors import FileRefusedError

    db = open_database(tmp_path / "base.sqlite3")
    path = tmp_path / "vierge.xlsx"
    blank_workbook(db, path, questionnaire_id=ROAD_MAP, respondent_code="DDETS-59")

    def fill(book):
        book["Questionnaire"]["G12"] = "peut-être"
        book["Indicateurs"]["F3"] = "beaucoup"
        book["Indicateurs"]["G3"] = "12,5"

    bad = edit_workbook(path, tmp_path / "faux.xlsx", fill)
    with pytest.raises(FileRefusedError) as error:
        import_file(db, bad)
    assert error.value.details == [
        "Questionnaire!G12 : « peut-être » n'est pas une réponse possible "
        "(oui, partiellement, non, nc)",
        "Indicateurs!F3 : « beaucoup » n'est pas un nombre (nombre entier attendu)",
        "Indicateurs!G3 : « 12,5 » n'est pas un nombre entier (nombre entier attendu)",
    ]
    assert state(db)["answers"] == {}
    db.close()


def test_preview_changes_nothing(db, tmp_path):
    answer(db, "DDETS-44", {"1.1.1": ("oui", "fait")})
    path = tmp_path / "a.xlsx"
    export_workbook(db, path, respondent_code="DDETS-44")
    other = tmp_path / "autre.sqlite3"
    target = open_database(other)
    before = state(target)
    preview = preview_import(target, path)
    assert preview.import_id is None and preview.count(Decision.NEW) == 1
    assert state(target) == before
    target.close()


def test_a_workbook_brings_its_questionnaire(tmp_path, data_dir):
    from sradar_desktop.services.imports import import_file as do_import
    from sradar_desktop.services.questionnaires import list_questionnaires

    source = open_database(tmp_path / "source.sqlite3")
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Objectifs;Thématiques;Actions;Pilotes\n1. Héberger;Places;Ouvrir des places;DDETS\n",
        encoding="utf-8",
    )
    created = do_import(source, plan)
    answer(
        source, "DDETS-85", {"1.1.1": ("oui", "12 places")}, questionnaire=created.questionnaire_id
    )
    path = tmp_path / "reponses.xlsx"
    export_workbook(source, path, questionnaire_id=created.questionnaire_id)
    target = open_database(tmp_path / "cible.sqlite3")
    outcome = do_import(target, path)
    assert outcome.new_questionnaire
    assert created.questionnaire_id in {q.id for q in list_questionnaires(target)}
    assert state(target)["answers"] == state(source)["answers"]
    source.close()
    target.close()


def test_exported_at_is_utc_iso(tmp_path, db):
    path = tmp_path / "v.xlsx"
    blank_workbook(db, path, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    content = read_exchange_workbook(path)
    assert content.exported_at.tzinfo is not None
    assert abs((datetime.now(UTC) - content.exported_at).total_seconds()) < 60
    meta = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)["_sradar"].iter_rows()}
    assert meta["exporte_le"].endswith("+00:00")
    assert meta["version_application"] and meta["questionnaire_empreinte"]
    assert meta["reponses_empreinte"] and meta["campagne_id"] == f"{SRADAR}:evaluation"


def test_stamps_kept_as_a_table_by_the_first_builds_still_count(tmp_path, data_dir):
    """The first builds of format 1 kept the per-answer stamps as a table at the bottom of the
    ``_sradar`` sheet: their workbooks import with each answer's own time and author, not as
    answers edited outside the application."""
    import json

    source = open_database(tmp_path / "source.sqlite3")
    answer(
        source,
        "DDETS-44",
        {"1.1.1": ("oui", "Comité réuni"), "1.1.3": ("non", "")},
        actor="Agent 44",
    )
    path = tmp_path / "reponses.xlsx"
    export_workbook(source, path, respondent_code="DDETS-44")

    def first_build_layout(book):
        sheet = book["_sradar"]
        lines = []
        for row in range(sheet.max_row, 0, -1):
            key = sheet.cell(row, 1).value
            if isinstance(key, str) and key.startswith("horodatage."):
                lines[:0] = [json.loads(t) for t in sheet.cell(row, 2).value.splitlines()]
                sheet.delete_rows(row)
        assert lines
        sheet.append([])
        sheet.append(["horodatage", "Répondant", "Code", "Indicateur", "Modifié le", "Modifié par"])
        for respondent, code, position, at, by, digest in lines:
            sheet.append(
                ["", respondent, code, "" if position is None else position, at, by, digest]
            )

    older = edit_workbook(path, tmp_path / "ancien.xlsx", first_build_layout)
    target = open_database(tmp_path / "cible.sqlite3")
    outcome = import_file(target, older)
    assert outcome.edited_outside == 0
    assert state(target)["answers"] == state(source)["answers"]
    source.close()
    target.close()
