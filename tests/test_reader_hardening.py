"""Reading received workbooks never erases an answer, never aborts, never misleads.

Focused tests of the reader: cells whose value cannot be known (error values, formulas without
a stored result) in .xlsx, .ods and .xls; stray cells far from the table; files that cannot be
opened; respondent codes; header rows moved down. Each hostile workbook is a genuine export
whose sheet XML was changed, written to disk and imported into a real SQLite database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from exchange_support import ROAD_MAP, answer, libreoffice_convert, soffice
from support import measured_command, obey_file_permissions, peak_memory, snapshot

from sradar_desktop.domain.respondents import respondent_code
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.plans.table import read_plan_table
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.files.merging import merge_files
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.workbook.cells import MAX_WORKBOOK_CELLS, UnknownValue, read_sheets
from sradar_desktop.workbook.reader import read_exchange_workbook

RESPONDENT = "DDETS-59"
FIRST = {
    "1.1.2": ("oui", "fait"),
    "2.6.1": {"answer": ("partiellement", "deux projets"), "indicators": {0: ("10", "7")}},
}
SECOND = {
    "1.1.2": ("non", "pas encore"),
    "2.6.1": {"answer": ("oui", "trois projets"), "indicators": {0: ("10", "9")}},
}


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    """The second answers of RESPONDENT, exported: importing it would change every answer."""
    folder = tmp_path_factory.mktemp("authentique")
    db = open_database(folder / "source.sqlite3")
    answer(db, RESPONDENT, SECOND, questionnaire=ROAD_MAP)
    path = folder / f"{RESPONDENT}.xlsx"
    export_workbook(db, path, questionnaire_id=ROAD_MAP, respondent_code=RESPONDENT)
    db.close()
    return path


@pytest.fixture
def db(tmp_path):
    """A database where RESPONDENT had already answered (its first answers)."""
    database = open_database(tmp_path / "base.sqlite3")
    answer(database, RESPONDENT, FIRST, questionnaire=ROAD_MAP)
    yield database
    database.close()


def find_cell(path: Path, sheet: str, header: str, code: str, row_header: str = "Code") -> str:
    """The reference (``G5``) of the cell in column ``header`` on the row of action ``code``."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    heads = list(rows[0])
    row = next(i for i, r in enumerate(rows) if r[heads.index(row_header)] == code)
    return f"{openpyxl.utils.get_column_letter(heads.index(header) + 1)}{row + 1}"


def sheet_member(path: Path, sheet: str) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    position = book.sheetnames.index(sheet) + 1
    book.close()
    return f"xl/worksheets/sheet{position}.xml"


def rewrite(source: Path, target: Path, changes: dict[str, Callable[[bytes], bytes]]) -> Path:
    """Copy an .xlsx member by member, ``changes[member](bytes)`` altering some."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename in changes:
                data = changes[item.filename](data)
            new.writestr(item.filename, data)
    return target


def with_cell(source: Path, target: Path, sheet: str, ref: str, xml: str, **more) -> Path:
    """``source`` with the cell ``ref`` of ``sheet`` replaced by ``xml`` (``{r}`` is its ref)."""

    def change(data: bytes) -> bytes:
        cell = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
        assert cell.search(data), ref
        return cell.sub(xml.format(r=ref).encode(), data, count=1)

    return rewrite(source, target, {sheet_member(source, sheet): change, **more})


def without_recalculation(data: bytes) -> bytes:
    """workbook.xml as Excel saves it: results computed, no recalculation asked on opening."""
    return re.sub(rb'\s*fullCalcOnLoad="1"', b"", data)


# Cells whose value cannot be known ---------------------------------------------------------------

UNKNOWN_CELLS = {
    "#N/A dans Réalisation": ("Questionnaire", "Réalisation", '<c r="{r}" t="e"><v>#N/A</v></c>'),
    "#REF! dans Commentaire": ("Questionnaire", "Commentaire", '<c r="{r}" t="e"><v>#REF!</v></c>'),
    "#VALUE! en valeur cible": (
        "Indicateurs",
        "Valeur cible",
        '<c r="{r}" t="e"><f>A1*"x"</f><v>#VALUE!</v></c>',
    ),
    "#DIV/0! en valeur réalisée": (
        "Indicateurs",
        "Valeur réalisée",
        '<c r="{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    ),
    "formule sans résultat (script)": ("Questionnaire", "Réalisation", '<c r="{r}"><f>A1</f></c>'),
    "formule au résultat vide (openpyxl)": (
        "Questionnaire",
        "Commentaire",
        '<c r="{r}"><f>B2&amp;""</f><v></v></c>',
    ),
    "formule partagée sans résultat": (
        "Indicateurs",
        "Valeur réalisée",
        '<c r="{r}" s="1"><f t="shared" si="0"/></c>',
    ),
}


@pytest.mark.parametrize("case", list(UNKNOWN_CELLS))
def test_a_cell_whose_value_is_unknown_refuses_the_file_and_changes_nothing(
    case, genuine, db, tmp_path
):
    sheet, column, xml = UNKNOWN_CELLS[case]
    ref = find_cell(genuine, sheet, column, "2.6.1")
    hostile = with_cell(genuine, tmp_path / "inconnu.xlsx", sheet, ref, xml)
    before = snapshot(db)

    with pytest.raises(FileRefusedError) as refused:
        import_file(db, hostile)

    assert "inconnu.xlsx" in str(refused.value)
    [detail] = refused.value.details
    assert detail.startswith(f"{sheet}!{ref} : la cellule ")
    assert "ne peut pas être connue" in detail and "tapez à la place" in detail
    assert snapshot(db) == before


def test_the_message_says_which_error_and_what_to_type(genuine, tmp_path):
    ref = find_cell(genuine, "Questionnaire", "Réalisation", "2.6.1")
    hostile = with_cell(
        genuine, tmp_path / "na.xlsx", "Questionnaire", ref, '<c r="{r}" t="e"><v>#N/A</v></c>'
    )
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(hostile)
    [detail] = refused.value.details
    assert "l'erreur #N/A" in detail
    assert "oui" in detail and "partiellement" in detail and "nc" in detail


def test_a_formula_with_its_stored_result_reads_as_that_result(genuine, tmp_path):
    """What the person saw in the cell, when the program that saved it computed it."""
    ref = find_cell(genuine, "Questionnaire", "Réalisation", "1.1.2")
    computed = with_cell(
        genuine,
        tmp_path / "calcule.xlsx",
        "Questionnaire",
        ref,
        '<c r="{r}" t="str"><f>IF(1,"partiellement","non")</f><v>partiellement</v></c>',
        **{"xl/workbook.xml": without_recalculation},
    )
    statuses = {a.action_code: a.status for a in read_exchange_workbook(computed).answers}
    assert statuses["1.1.2"] == "partiellement"


def test_a_formula_result_is_unknown_when_the_workbook_asks_to_be_recalculated(genuine, tmp_path):
    """Libraries that write formulas without computing them store 0 and ask for a recalculation
    on opening (``fullCalcOnLoad``): that 0 is not a value anyone saw."""
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(genuine).read("xl/workbook.xml")
    ref = find_cell(genuine, "Indicateurs", "Valeur réalisée", "2.6.1")
    scripted = with_cell(
        genuine, tmp_path / "script.xlsx", "Indicateurs", ref, '<c r="{r}"><f>B2*3</f><v>0</v></c>'
    )
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(scripted)
    assert refused.value.details[0].startswith(
        f"Indicateurs!{ref} : la cellule contient une formule"
    )


def test_unknown_cells_are_marked_in_the_rows_even_beyond_what_calamine_reads(genuine, tmp_path):
    """A formula without result in a column past the last value is still there to be seen."""
    member = sheet_member(genuine, "Questionnaire")
    hostile = rewrite(
        genuine,
        tmp_path / "loin.xlsx",
        {
            member: lambda d: d.replace(
                b"</sheetData>", b'<row r="60"><c r="K60"><f>1</f></c></row></sheetData>'
            )
        },
    )
    [sheet] = [s for s in read_sheets(hostile) if s.name == "Questionnaire"]
    assert sheet.rows[59][10] == UnknownValue()


def test_unknown_cells_refuse_a_file_in_a_consolidation_and_the_others_are_merged(
    genuine, tmp_path
):
    ref = find_cell(genuine, "Questionnaire", "Commentaire", "1.1.2")
    hostile = with_cell(
        genuine, tmp_path / "ref.xlsx", "Questionnaire", ref, '<c r="{r}" t="e"><v>#REF!</v></c>'
    )
    _, results = merge_files([hostile, genuine])
    assert isinstance(results[0].error, FileRefusedError)
    assert f"Questionnaire!{ref}" in results[0].error.details[0]
    assert results[1].outcome is not None and results[1].outcome.respondents == (RESPONDENT,)


def test_a_plan_table_with_an_error_value_is_refused_naming_the_cell(tmp_path):
    path = tmp_path / "plan.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Objectifs", "Thématiques", "Actions", "Réalisation"])
    sheet.append(["1. Loger", "1.1 Places", "Ouvrir des places", "oui"])
    sheet.append(["1. Loger", "1.1 Places", "Suivre les places", "=NA()"])
    book.save(path)  # openpyxl stores the formula without a result
    with pytest.raises(FileRefusedError) as refused:
        read_plan_table(path)
    assert refused.value.details[0].startswith("Sheet!D3 : la cellule contient une formule")


# The same class in .ods and .xls, as LibreOffice writes them -----------------------------------


@pytest.fixture(scope="module")
def with_errors(genuine, tmp_path_factory) -> Path:
    """The genuine workbook with #N/A in a Réalisation cell and #DIV/0! in a value."""
    folder = tmp_path_factory.mktemp("erreurs")
    status = find_cell(genuine, "Questionnaire", "Réalisation", "2.6.1")
    step = with_cell(
        genuine,
        folder / "etape.xlsx",
        "Questionnaire",
        status,
        '<c r="{r}" t="e"><f>NA()</f><v>#N/A</v></c>',
    )
    value = find_cell(genuine, "Indicateurs", "Valeur cible", "2.6.1")
    return with_cell(
        step,
        folder / "erreurs.xlsx",
        "Indicateurs",
        value,
        '<c r="{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    )


def convert(path: Path, kind: str, folder: Path) -> Path:
    if soffice() is None:
        pytest.skip("LibreOffice n'est pas installé")
    libreoffice_convert(path, kind, folder)
    return folder / f"{path.stem}.{kind}"


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_error_values_saved_by_libreoffice_are_found_in_ods_and_xls(
    kind, with_errors, genuine, tmp_path
):
    converted = convert(with_errors, kind, tmp_path)
    status = find_cell(genuine, "Questionnaire", "Réalisation", "2.6.1")
    value = find_cell(genuine, "Indicateurs", "Valeur cible", "2.6.1")
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(converted)
    details = refused.value.details
    assert any(
        d.startswith(f"Questionnaire!{status} : la cellule contient l'erreur #N/A") for d in details
    )
    assert any(
        d.startswith(f"Indicateurs!{value} : la cellule contient l'erreur #DIV/0!") for d in details
    )


def test_a_formula_without_result_in_an_ods_is_unknown(with_errors, genuine, tmp_path):
    converted = convert(with_errors, "ods", tmp_path)
    ref = find_cell(genuine, "Questionnaire", "Commentaire", "1.1.2")
    # The comment cell rewritten as a script writes a formula: no value type, no value.
    target = tmp_path / "script.ods"
    with zipfile.ZipFile(converted) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "content.xml":
                text = data.decode()
                start = text.index(">pas encore<")
                cell = text.rindex("<table:table-cell", 0, start)
                end = text.index("</table:table-cell>", start) + len("</table:table-cell>")
                text = text[:cell] + '<table:table-cell table:formula="of:=1+1"/>' + text[end:]
                data = text.encode()
            new.writestr(item, data)
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(target)
    assert any(
        d.startswith(f"Questionnaire!{ref} : la cellule contient une formule")
        for d in refused.value.details
    )


# Cells far from the table ---------------------------------------------------------------------


def with_far_cell(source: Path, target: Path, ref: str, valued: bool = True) -> Path:
    row = re.sub(r"\D", "", ref)
    cell = (
        f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>' if valued else f'<c r="{ref}" s="1"/>'
    )
    member = sheet_member(source, "Questionnaire")
    return rewrite(
        source,
        target,
        {
            member: lambda d: d.replace(
                b"</sheetData>", f'<row r="{row}">{cell}</row></sheetData>'.encode()
            )
        },
    )


def run_cli(arguments: list[str], data_dir: Path, *, ordinary_user: bool = False):
    """The command line in a child process: exit status, output, errors."""
    command = [sys.executable, "-m", "sradar_desktop", *arguments]
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        preexec_fn=obey_file_permissions if ordinary_user else None,
    )
    stdout, stderr = child.communicate(timeout=600)  # a stuck child must not hang the tests
    return child.returncode, stdout, stderr


def run_measured(arguments: list[str], data_dir: Path):
    """The command line in a child process, with its own peak resident memory (bytes)."""
    peak_file = data_dir / "pic-memoire.txt"
    command, variables = measured_command(arguments, peak_file)
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), **variables)
    child = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    return child.returncode, child.stdout, child.stderr, peak_memory(peak_file)


@pytest.mark.parametrize("ref", ["XFD1048576", "ZZ150000"])
def test_a_far_cell_is_refused_in_bounded_memory_and_the_batch_goes_on(ref, genuine, tmp_path):
    far = with_far_cell(genuine, tmp_path / "loin.xlsx", ref)
    other = tmp_path / "autre"
    other.mkdir()
    shutil.copy(genuine, other / "bon.xlsx")
    code, stdout, stderr, peak = run_measured(
        ["--db", str(tmp_path / "base.sqlite3"), "import", str(far), str(other / "bon.xlsx")],
        tmp_path,
    )
    assert code == 1
    [line] = stderr.splitlines()
    assert (
        "loin.xlsx" in line and f"Questionnaire!{ref}" in line and "effacez cette cellule" in line
    )
    assert "bon.xlsx" in stdout  # imported after the refused file
    assert peak < 512 * 1024**2, f"{peak / 1024**2:.0f} Mo"


# Cells written otherwise than Excel writes them must not slip past the scan: calamine reads them.
FAR_CELLS_WRITTEN_OTHERWISE = {
    "référence en minuscules": lambda d: d.replace(
        b"</sheetData>",
        b'<row r="900"><c r="zz900" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    ),
    "texte vide d'une formule": lambda d: d.replace(
        b"</sheetData>",
        b'<row r="1"><c r="AA1"><f>1</f><v>1</v></c></row>'
        b'<row r="900"><c r="ZZ900" t="str"><v></v></c></row></sheetData>',
    ),
    "éléments préfixés après un long commentaire": lambda d: (
        re.sub(
            rb"<(/?)(sheetData|row|c|v|is|t)\b",
            rb"<\1x:\2",
            d.replace(b"?>", b"?><!--" + b"-" * 0 + b" " * 5000 + b"-->", 1).replace(
                b"</sheetData>",
                b'<row r="900"><c r="ZZ900" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
            ),
        )
        .replace(
            b"<worksheet ",
            b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
        )
        .replace(b"</worksheet>", b"</x:worksheet>")
    ),
}


@pytest.mark.parametrize("case", list(FAR_CELLS_WRITTEN_OTHERWISE))
def test_cells_written_otherwise_are_measured_as_calamine_reads_them(case, genuine, tmp_path):
    """The scan's extent is never smaller than what calamine reads, however the cell is written
    (a scan that missed it would let a stray cell at XFD1048576 through)."""
    from sradar_desktop.workbook.cells import _scanner
    from sradar_desktop.workbook.safety import open_spreadsheet

    member = sheet_member(genuine, "Questionnaire")
    written = rewrite(
        genuine, tmp_path / "autrement.xlsx", {member: FAR_CELLS_WRITTEN_OTHERWISE[case]}
    )
    scanner, _ = _scanner(open_spreadsheet(written))
    scan = scanner("Questionnaire")
    [sheet] = [s for s in read_sheets(written) if s.name == "Questionnaire"]
    rows = sheet.rows
    assert scan.rows >= len(rows) and scan.columns >= max(len(r) for r in rows)
    assert scan.rows >= 900 and scan.columns >= 26 * 26


def test_a_formula_whose_text_result_is_empty_reads_as_empty(genuine, tmp_path):
    """« =SI(…;"";…) » saved by LibreOffice or Excel: an empty text, known — not a refusal."""
    ref = find_cell(genuine, "Questionnaire", "Commentaire", "1.1.2")
    written = with_cell(
        genuine,
        tmp_path / "vide.xlsx",
        "Questionnaire",
        ref,
        '<c r="{r}" t="str"><f>""</f><v></v></c>',
        **{"xl/workbook.xml": without_recalculation},
    )
    answers = {a.action_code: a for a in read_exchange_workbook(written).answers}
    assert answers["1.1.2"].comment == ""


def test_a_far_cell_that_only_carries_a_style_does_not_count(genuine, tmp_path):
    styled = with_far_cell(genuine, tmp_path / "style.xlsx", "XFD1048576", valued=False)
    assert read_exchange_workbook(styled).answers == read_exchange_workbook(genuine).answers


def test_a_table_as_large_as_allowed_is_read(genuine, tmp_path):
    """The limit is on the rectangles of values: a workbook just under it reads (its other
    sheets hold far fewer than 2,000 × 26 cells)."""
    columns = 26
    rows = MAX_WORKBOOK_CELLS // columns - 2000
    near = with_far_cell(genuine, tmp_path / "grand.xlsx", f"Z{rows}")
    workbook = read_exchange_workbook(near)
    assert len(workbook.answers) == len(read_exchange_workbook(genuine).answers)


# Files that cannot be opened ---------------------------------------------------------------------


def test_an_unreadable_file_is_refused_and_consolidate_goes_on(genuine, tmp_path):
    unreadable = tmp_path / "illisible.xlsx"
    shutil.copy(genuine, unreadable)
    unreadable.chmod(0)
    good = tmp_path / "bon.xlsx"
    shutil.copy(genuine, good)
    output = tmp_path / "consolide.xlsx"
    code, stdout, stderr = run_cli(
        ["consolidate", str(unreadable), str(good), "-o", str(output)], tmp_path, ordinary_user=True
    )
    assert code == 1
    [line] = stderr.splitlines()
    assert "illisible.xlsx" in line and "ne peut pas être lu" in line and "droits" in line
    assert output.exists() and "consolide.xlsx" in stdout

    code, stdout, stderr = run_cli(
        ["--db", str(tmp_path / "base.sqlite3"), "import", str(unreadable), str(good)],
        tmp_path,
        ordinary_user=True,
    )
    assert code == 1
    [line] = stderr.splitlines()
    assert "illisible.xlsx" in line and "droits" in line and "inattendue" not in line
    assert "bon.xlsx" in stdout


# Respondent codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("DDETS-44", "DDETS-44"),
        ("ddets 44", "DDETS-44"),
        ("  Ddets – 44 ", "DDETS-44"),
        ("DREETS", "DREETS"),
        ("préf-49", "PREF-49"),
        ("OFII", "OFII"),
        ("", ""),
    ],
)
def test_respondent_codes_are_normalised(typed, normal):
    assert respondent_code(typed) == normal


@pytest.mark.parametrize(
    "typed", ["DDETS 49 😀", "DDETS_44", "DDETS/44", "Total", "A" * 65, "d'ETS"]
)
def test_respondent_codes_outside_the_rule_are_refused(typed):
    with pytest.raises(ValueError):
        respondent_code(typed)
    with pytest.raises(UserError) as refused:
        normalise_respondent_code(typed)
    assert "des lettres, des chiffres et des tirets" in str(refused.value)


@pytest.mark.parametrize("typed", ["DDETS 49 😀", "Total"])
def test_a_respondent_cell_outside_the_rule_is_refused_naming_file_and_cell(
    typed, genuine, db, tmp_path
):
    ref = find_cell(genuine, "Questionnaire", "Répondant", "1.1.2")
    hostile = with_cell(
        genuine,
        tmp_path / "repondant.xlsx",
        "Questionnaire",
        ref,
        f'<c r="{{r}}" t="inlineStr"><is><t>{typed}</t></is></c>',
    )
    before = snapshot(db)
    with pytest.raises(FileRefusedError) as refused:
        import_file(db, hostile)
    assert "repondant.xlsx" in str(refused.value)
    [detail] = refused.value.details
    assert detail.startswith(f"Questionnaire!{ref} : ")
    assert "des lettres, des chiffres et des tirets (par exemple DDETS-44" in detail
    assert snapshot(db) == before


def test_a_respondent_typed_loosely_is_the_same_respondent(genuine, db, tmp_path):
    ref = find_cell(genuine, "Questionnaire", "Répondant", "1.1.2")
    loose = with_cell(
        genuine,
        tmp_path / "minuscules.xlsx",
        "Questionnaire",
        ref,
        '<c r="{r}" t="inlineStr"><is><t>ddets 59</t></is></c>',
    )
    workbook = read_exchange_workbook(loose)
    assert {a.respondent for a in workbook.answers} == {RESPONDENT}


# Header rows moved ------------------------------------------------------------------------------


@pytest.mark.parametrize("inserted", [25, 300])
def test_a_header_pushed_down_by_inserted_rows_is_found(inserted, genuine, tmp_path):
    def push_down(book):
        sheet = book["Questionnaire"]
        sheet.insert_rows(1, inserted)
        sheet["A1"] = "Réponses de la DDETS du Nord, relues en réunion"

    moved = tmp_path / "decale.xlsx"
    book = openpyxl.load_workbook(genuine)
    push_down(book)
    book.save(moved)
    assert read_exchange_workbook(moved).answers == read_exchange_workbook(genuine).answers


def test_a_missing_header_says_where_it_was_looked_for(genuine, tmp_path):
    ref = find_cell(
        genuine, "Questionnaire", "Réalisation", "Réalisation", row_header="Réalisation"
    )
    renamed = with_cell(
        genuine,
        tmp_path / "sans-entete.xlsx",
        "Questionnaire",
        ref,
        '<c r="{r}" t="inlineStr"><is><t>Statut</t></is></c>',
    )
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(renamed)
    message = str(refused.value)
    assert "sans-entete.xlsx" in message and "Code, Répondant et Réalisation" in message
    assert "« Questionnaire »" in message and "« Lisez-moi »" in message


def test_a_far_cell_is_found_when_the_sheet_is_walked_tag_by_tag(genuine, tmp_path):
    """A sheet with a formula is walked tag by tag (to find the formulas): its far cell and its
    cells written without a reference are counted all the same."""
    member = sheet_member(genuine, "Questionnaire")
    far = rewrite(
        genuine,
        tmp_path / "formule-et-loin.xlsx",
        {
            member: lambda d: d.replace(
                b"</sheetData>",
                b'<row r="70"><c r="A70" t="str"><f>"x"</f><v>x</v></c></row>'
                b'<row><c t="inlineStr"><is><t>y</t></is></c><c/><c r="ZZ150000" t="n"><v>1</v></c>'
                b"</row></sheetData>",
            )
        },
    )
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(far)
    assert "Questionnaire!ZZ150000" in str(refused.value)


def test_a_far_cell_in_an_ods_is_refused_naming_it(with_errors, tmp_path):
    converted = convert(with_errors, "ods", tmp_path)
    target = tmp_path / "loin.ods"
    far_rows = (
        '<table:table-row table:number-rows-repeated="149950"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="701"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row>"
    )
    with zipfile.ZipFile(converted) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "content.xml":
                text = data.decode()
                sheet = text.index('table:name="Questionnaire"')
                # before the empty rows LibreOffice writes down to the sheet's last row
                end = text.rindex("<table:table-row", sheet, text.index("</table:table>", sheet))
                data = (text[:end] + far_rows + text[end:]).encode()
            new.writestr(item, data)
    with pytest.raises(FileRefusedError) as refused:
        read_exchange_workbook(target)
    assert "Questionnaire!ZZ" in str(refused.value) and "effacez cette cellule" in str(
        refused.value
    )


def test_a_web_page_renamed_xlsx_is_named_as_such(tmp_path):
    page = tmp_path / "reponses.xlsx"
    page.write_text(
        "\ufeff<!DOCTYPE html>\n<html><body><table><tr><td>oui</td></tr></table></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(FileRefusedError, match="page web"):
        read_exchange_workbook(page)
