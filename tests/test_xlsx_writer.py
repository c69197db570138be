"""The workbooks SRADAR Desktop writes open in every reader a secretariat meets: LibreOffice (which
converts every sheet), openpyxl (as Excel reads the styles) and python-calamine (as the app reads
them back), with their values as written and their looks kept."""

from __future__ import annotations

import csv
import time
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from exchange_support import SRADAR, answer, libreoffice_convert, soffice
from openpyxl.utils.escape import unescape

from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.services.consolidation import write_reports
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.opening import open_database
from sradar_desktop.workbook import xlsx
from sradar_desktop.workbook.writer import (
    ANSWER,
    BOLD,
    DATE_TIME,
    HEADER,
    PLAIN,
    Style,
    Table,
    colour_statuses,
    save_workbook,
)
from sradar_desktop.workbook.xlsx import Workbook, excel_local_time, excel_time

TEXTS = [
    "=SOMME(A1:A9)",  # a formula typed as text stays text
    "+33 2 40 00 00 00",
    "  espaces devant et derrière  ",
    "Première ligne\nDeuxième ligne",
    "<balise> & « guillemets » ' \"",
    "_x0041_ n'est pas un A",
    "œ ’ « » ◦ ≥ — € 🙂",
    "0123456789012345678901",
]
DAY = datetime(2026, 11, 23, 18, 43)
PERCENT = Style(number_format="0.00 %")
WHEN = Style(number_format=DATE_TIME)
HIGHLIGHTED = Style(bold=True, color="FFFFFF", fill="2E7D32")


def _write(path: Path) -> None:
    def build(temporary: Path) -> None:
        book = Workbook(temporary, title="Titre", subject="Sujet", author="SRADAR Desktop")
        table = Table(book, "Données", (9, 40, 12, 16, 10), len(TEXTS) + 2)
        table.header(["Code", "Texte", "Nombre", "Moment", "Vrai"])
        for number, text in enumerate(TEXTS, start=1):
            table.append(
                [
                    (f"C{number}", HIGHLIGHTED if number == 1 else PLAIN),
                    (text, ANSWER),
                    (number / 8, PERCENT),
                    (DAY, WHEN),
                    (number % 2 == 0, PLAIN),
                ]
            )
        table.append([("", PLAIN), None, (None, BOLD), (12_345_678_901, PLAIN)])
        table.sheet.drop_down(
            1, 0, len(TEXTS), ["oui", "non"], prompt=("Titre", "Choisir"), error=("Non", "Refusé")
        )
        colour_statuses(table, 1, len(TEXTS), 0, DEFAULT_SCALE)
        hidden = Table(book, "Caché", (10,), 0, protect=False, freeze=None, filter_header=False)
        hidden.sheet.very_hidden()
        hidden.append([("secret", PLAIN)])
        book.close()

    save_workbook(build, path)


def _libreoffice_csv(path: Path, folder: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``path`` as LibreOffice reads it, converted to CSV (UTF-8)."""
    libreoffice_convert(
        path,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        folder,
    )
    sheets = {}
    for converted in folder.glob(f"{path.stem}-*.csv"):
        with converted.open(encoding="utf-8", newline="") as handle:
            sheets[converted.stem.removeprefix(f"{path.stem}-")] = list(csv.reader(handle))
    return sheets


def test_every_kind_of_cell_reads_back_as_written(tmp_path):
    path = tmp_path / "cellules.xlsx"
    _write(path)
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    visible = python_calamine.SheetVisibleEnum
    assert [(m.name, m.visible) for m in book.sheets_metadata] == [
        ("Données", visible.Visible),
        ("Caché", visible.VeryHidden),
    ]
    rows = book.get_sheet_by_name("Données").to_python()
    assert rows[0] == ["Code", "Texte", "Nombre", "Moment", "Vrai"]
    assert [row[1] for row in rows[1:-1]] == TEXTS
    assert [row[2] for row in rows[1:-1]] == [n / 8 for n in range(1, len(TEXTS) + 1)]
    assert {row[3] for row in rows[1:-1]} == {DAY}
    assert [row[4] for row in rows[1:-1]] == [n % 2 == 0 for n in range(1, len(TEXTS) + 1)]
    assert rows[-1][:4] == ["", "", "", 12_345_678_901]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)


def test_styles_filters_and_protection_as_excel_reads_them(tmp_path):
    path = tmp_path / "cellules.xlsx"
    _write(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Données", "Caché"]
    assert book["Caché"].sheet_state == "veryHidden"
    sheet = book["Données"]
    assert [c.value for c in sheet[1]] == ["Code", "Texte", "Nombre", "Moment", "Vrai"]
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FF" + HEADER.fill
    assert sheet["A2"].fill.fgColor.rgb == "FF2E7D32" and sheet["A2"].font.color.rgb == "FFFFFFFF"
    assert sheet["B2"].value == "=SOMME(A1:A9)" and sheet["B2"].quotePrefix
    assert sheet["B2"].data_type == "s" and sheet["B2"].protection.locked is False
    assert sheet["A2"].protection.locked is True and sheet.protection.sheet
    assert sheet["B5"].alignment.wrap_text and sheet["B5"].alignment.vertical == "top"
    assert sheet.row_dimensions[5].height == 30  # two lines of text
    assert sheet["C2"].number_format == "0.00 %" and sheet["D2"].value == DAY
    assert sheet["D2"].number_format == DATE_TIME
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:E{len(TEXTS) + 3}"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.column_dimensions["B"].width == pytest.approx(40.71, abs=0.01)
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"oui,non"' and str(validation.sqref) == f"A2:A{len(TEXTS) + 1}"
    assert (validation.promptTitle, validation.prompt) == ("Titre", "Choisir")
    [rules] = [r.rules for r in sheet.conditional_formatting]
    assert [rule.formula for rule in rules] == [['"oui"'], ['"partiellement"'], ['"non"'], ['"nc"']]
    assert rules[0].dxf.fill.bgColor.rgb == "FF2E7D32" and rules[0].dxf.font.b
    assert book.properties.title == "Titre" and book.properties.lastModifiedBy == "SRADAR Desktop"


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) n'est pas installé")
def test_libreoffice_opens_every_sheet(tmp_path):
    path = tmp_path / "cellules.xlsx"
    _write(path)
    sheets = _libreoffice_csv(path, tmp_path / "libreoffice")
    assert set(sheets) == {"Données", "Caché"}
    rows = sheets["Données"]
    assert rows[0] == ["Code", "Texte", "Nombre", "Moment", "Vrai"]
    assert [row[1] for row in rows[1 : len(TEXTS) + 1]] == TEXTS
    assert sheets["Caché"] == [["secret"]]


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory) -> Path:
    """A consolidated workbook of three services, and an exchange workbook of one."""
    folder = tmp_path_factory.mktemp("consolide")
    db = open_database(folder / "base.sqlite3")
    answer(db, "DDETS-44", {"1.1.1": ("oui", TEXTS[3]), "1.1.2": ("non", TEXTS[0])})
    answer(db, "DDETS-49", {"1.1.1": ("partiellement", TEXTS[5]), "1.2.1": ("nc", "")})
    answer(db, "DDETS-85", {"1.1.1": ("oui", TEXTS[6])})
    export_workbook(db, folder / "DDETS-44.xlsx", respondent_code="DDETS-44")
    write_reports(db, workbook=folder / "consolidation.xlsx", questionnaire_id=SRADAR)
    db.close()
    return folder


@pytest.mark.parametrize("name", ["consolidation.xlsx", "DDETS-44.xlsx"])
def test_the_app_workbooks_read_the_same_in_openpyxl_and_calamine(name, consolidated):
    path = consolidated / name
    book = openpyxl.load_workbook(path, read_only=True)
    calamine = python_calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheetnames == calamine.sheet_names
    for sheet in book.sheetnames:
        # Shared strings, as openpyxl reads them, are what Excel shows (it would leave Excel's
        # escapes, « _x005F_x0041_ », in a text written in its cell: none is here).
        expected = [
            ["" if v is None else v for v in row] for row in book[sheet].iter_rows(values_only=True)
        ]
        read = calamine.get_sheet_by_name(sheet).to_python()
        width = max(len(r) for r in read)
        assert [r + [""] * (width - len(r)) for r in expected] == read, sheet


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) n'est pas installé")
def test_libreoffice_opens_the_consolidated_workbook(consolidated, tmp_path):
    sheets = _libreoffice_csv(consolidated / "consolidation.xlsx", tmp_path / "libreoffice")
    assert set(sheets) >= {"Synthèse", "Questionnaire", "Indicateurs", "Réponses", "Suivi"}
    answers = sheets["Réponses"]
    assert answers[0][:8] == [
        "Code",
        "Objectif",
        "Thématique",
        "Pilotes",
        "Répondant",
        "Libellé du répondant",
        "Réalisation",
        "Commentaire",
    ]
    comments = {row[7] for row in answers[1:]}
    assert {TEXTS[3], TEXTS[0], TEXTS[5], TEXTS[6]} <= comments


@pytest.mark.parametrize("lines", [0, 1, 7, 2_000, 30_000])
def test_stamps_are_cut_in_cells_as_their_whole_text_would_be(lines):
    """The stamps of a large consolidation are cut into cells line by line, never held as one
    text: the cells are the very pieces of the whole text cut every 30,000 characters."""
    from sradar_desktop.workbook import writer

    texts = [
        f'["DDETS-{n:03d}", "{n % 97}.{n % 13}", null, "é{"x" * (n % 211)}"]' for n in range(lines)
    ]
    whole = "\n".join(texts)
    expected = [whole[start : start + 30_000] for start in range(0, len(whole), 30_000)]
    assert list(writer._chunked(iter(texts))) == expected


def test_equal_values_of_other_kinds_keep_their_kind(tmp_path):
    """A cell's XML is remembered by value, and 1 == 1.0 == True: a count, a figure and a
    truth value in one column each read back as what they were. A moment is written as its
    clock shows it: the same instant in two zones reads back as two times."""
    path = tmp_path / "valeurs.xlsx"
    values = [1, True, 1.0, 1, False, 0, 0.0, DAY, DAY, 1]
    in_paris = datetime(2026, 11, 23, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    moments = [in_paris.astimezone(UTC), in_paris, in_paris.astimezone(UTC)]

    def build(temporary: Path) -> None:
        book = Workbook(temporary, title="Titre", subject="Sujet", author="SRADAR Desktop")
        table = Table(book, "Valeurs", (12,), len(values) + len(moments))
        table.header(["Valeur"])
        for value in values:
            table.append([(value, WHEN if isinstance(value, datetime) else PLAIN)])
        for moment in moments:
            table.append([(moment, WHEN)])
        book.close()

    save_workbook(build, path)
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Valeurs")
    read = [row[0] for row in rows.to_python()[1:]]
    assert read[: len(values)] == values
    assert [type(v) is bool for v in read[: len(values)]] == [type(v) is bool for v in values]
    assert read[len(values) :] == [
        datetime(2026, 11, 23, 9, 30),
        datetime(2026, 11, 23, 10, 30),
        datetime(2026, 11, 23, 9, 30),
    ]


def test_texts_are_shared_up_to_a_bound_and_written_in_their_cells_beyond(tmp_path, monkeypatch):
    """Texts go once into the shared strings, a repeated one named by its number; a text past
    the length, or once the table is full, is written in its cell (memory stays bounded).
    Either way every reader reads them as typed, Excel's escapes included (openpyxl leaves
    them in a text written in its cell: read as Excel shows it)."""
    monkeypatch.setattr(xlsx, "SHARED_CHARACTERS", 60)
    long_text = "Un commentaire plus long que la limite. " * 30
    texts = [
        "oui",
        "non",
        "_x0042_ code",
        "oui",
        long_text,
        "une phrase de trente caractères",
        "oui",
        "au-delà _x0041_",
    ]
    path = tmp_path / "textes.xlsx"

    def build(temporary: Path) -> None:
        book = Workbook(temporary, title="Titre", subject="Sujet", author="SRADAR Desktop")
        table = Table(book, "Textes", (40,), len(texts))
        for text in texts:
            table.append([(text, PLAIN)])
        book.close()

    save_workbook(build, path)
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Textes")
    assert [row[0] for row in rows.to_python()] == texts
    opened = [row[0] for row in openpyxl.load_workbook(path)["Textes"].iter_rows(values_only=True)]
    assert opened[:-1] == texts[:-1] and unescape(opened[-1]) == texts[-1]
    with zipfile.ZipFile(path) as archive:
        shared = archive.read("xl/sharedStrings.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert shared.count("<si>") == 4  # oui, non, the code, the sentence; then it was full
    assert "limite" not in shared and "au-delà" not in shared
    assert sheet.count('t="s"') == 6 and sheet.count('t="inlineStr"') == 2


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="fuseau changé par TZ (POSIX)")
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/St_Johns", "Asia/Kathmandu", "UTC"])
def test_a_moment_is_counted_at_local_time_as_astimezone_shows_it(zone, monkeypatch):
    """``excel_local_time`` gives what ``excel_time`` gives of the moment made local, to the
    last digit written: across the changes of summer time, before 1970, in other zones."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        moments = [
            datetime(2026, 3, 29, tzinfo=UTC) + timedelta(minutes=7 * step, microseconds=step)
            for step in range(100)
        ]
        moments += [
            datetime(2026, 10, 25, tzinfo=UTC) + timedelta(minutes=7 * step) for step in range(100)
        ]
        moments += [datetime(1950, 6, 1, 12, 30, 15, 999999, tzinfo=UTC)]
        moments += [m.astimezone(timezone(timedelta(hours=5, minutes=30))) for m in moments[:5]]
        for moment in moments:
            expected = f"{excel_time(moment.astimezone()):.16G}"
            assert f"{excel_local_time(moment):.16G}" == expected, moment
        # A moment stored without its zone is UTC, as everywhere it is shown.
        assert excel_local_time(moments[0].replace(tzinfo=None)) == excel_local_time(moments[0])
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_moment_the_system_cannot_place_is_shown_at_utc(monkeypatch):
    """Windows has no local time before 1970: such a moment (a hostile stamp) is written at
    UTC rather than stopping the workbook."""

    def refused(seconds: float) -> time.struct_time:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(xlsx.time, "localtime", refused)
    moment = datetime(1900, 1, 1, 6, tzinfo=UTC)
    assert excel_local_time(moment) == excel_time(moment)
