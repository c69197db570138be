"""Hostile and broken received files, built by code from a genuine exchange workbook.

One builder per class of file a secretariat may receive by email: each takes a genuine answers
workbook and a folder, writes its variant there under a name of its own, and says which cell is
at fault when one is (``Questionnaire!G2``). Cells are edited either as Excel would (openpyxl) or
in the sheet's XML inside the zip, as a script writing the file would.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

import openpyxl
from exchange_support import edit_workbook
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

ANSWERS = "Questionnaire"
INDICATORS = "Indicateurs"
FORMULA_LIKE_COMMENT = '=HYPERLINK("http://exemple.invalid/";"cliquez")'


class Built(NamedTuple):
    """A hostile file, the cell at fault in it (if any) and the action of that cell."""

    path: Path
    cell: str | None = None
    code: str | None = None


Builder = Callable[[Path, Path], Built]


# Zip and sheet XML ---------------------------------------------------------------------------


def zip_members(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rewrite_members(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """Copy an xlsx member by member, letting ``change(name, data)`` alter each one."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, change(item.filename, old.read(item.filename)))
    return target


def sheet_member(source: Path, sheet: str) -> str:
    """The zip member holding the XML of the sheet named ``sheet``."""
    with zipfile.ZipFile(source) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        relations = archive.read("xl/_rels/workbook.xml.rels").decode()
    for attributes in re.findall(r"<sheet\b([^>]*)/?>", workbook):
        name = re.search(r'\bname="([^"]*)"', attributes)
        if name is not None and name.group(1) == escape(sheet, {'"': "&quot;"}):
            rid = re.search(r'\br:id="([^"]*)"', attributes).group(1)
            for relation in re.findall(r"<Relationship\b[^>]*>", relations):
                if f'Id="{rid}"' in relation:
                    target = re.search(r'Target="([^"]*)"', relation).group(1)
                    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(sheet)


def _cell_key(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def _with_cell(xml: str, ref: str, cell: str) -> str:
    """The sheet XML with cell ``ref`` replaced by ``cell`` (added in order if absent), and
    its ``<dimension>`` widened to cover it."""
    row_number, column = _cell_key(ref)
    existing = re.compile(rf'<c r="{ref}"(?:\s[^>]*)?(?:/>|>.*?</c>)', re.S)
    if existing.search(xml):
        xml = existing.sub(lambda _: cell, xml, count=1)
    else:
        row = re.search(rf'<row r="{row_number}"(?:\s[^>]*)?(?:/>|>(.*?)</row>)', xml, re.S)
        if row is None:
            later = next(
                (m for m in re.finditer(r'<row r="(\d+)"', xml) if int(m.group(1)) > row_number),
                None,
            )
            where = later.start() if later else xml.index("</sheetData>")
            xml = f'{xml[:where]}<row r="{row_number}">{cell}</row>{xml[where:]}'
        elif row.group(0).endswith("/>"):
            opened = row.group(0)[:-2] + ">"
            xml = xml.replace(row.group(0), f"{opened}{cell}</row>", 1)
        else:
            after = next(
                (
                    m.start() + row.start(1)
                    for m in re.finditer(r'<c r="([A-Z]+\d+)"', row.group(1))
                    if _cell_key(m.group(1))[1] > column
                ),
                row.end(1),
            )
            xml = xml[:after] + cell + xml[after:]
    dimension = re.search(r'<dimension ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"/>', xml)
    if dimension is not None:
        last_row, last_column = _cell_key(dimension.group(2) or dimension.group(1))
        end = f"{get_column_letter(max(column, last_column))}{max(row_number, last_row)}"
        xml = xml.replace(dimension.group(0), f'<dimension ref="{dimension.group(1)}:{end}"/>')
    return xml


def with_cell_xml(source: Path, target: Path, sheet: str, ref: str, cell: str) -> Path:
    """Copy ``source`` with one cell of ``sheet`` written as the raw XML ``cell``."""
    member = sheet_member(source, sheet)

    def change(name: str, data: bytes) -> bytes:
        return _with_cell(data.decode(), ref, cell).encode() if name == member else data

    return rewrite_members(source, target, change)


# Where the answers are -----------------------------------------------------------------------


def first_filled(source: Path, sheet: str, column: str) -> tuple[int, str]:
    """The number of the first data row of ``sheet`` where ``column`` (a header) is filled,
    and that row's action code."""
    book = openpyxl.load_workbook(source, read_only=True)
    try:
        rows = book[sheet].iter_rows(values_only=True)
        header = list(next(rows))
        position, code = header.index(column), header.index("Code")
        for number, row in enumerate(rows, start=2):
            if row[position] not in (None, ""):
                return number, str(row[code])
    finally:
        book.close()
    raise LookupError(f"{sheet} : aucune valeur dans la colonne {column}")


def cell_ref(source: Path, sheet: str, column: str, row: int) -> str:
    """``G2``: the cell of ``column`` (a header of ``sheet``) in ``row``."""
    book = openpyxl.load_workbook(source, read_only=True)
    try:
        header = list(next(book[sheet].iter_rows(values_only=True)))
    finally:
        book.close()
    return f"{get_column_letter(header.index(column) + 1)}{row}"


def _cell_builder(name: str, sheet: str, column: str, write: Callable[[Path, Path, str], Path]):
    """A builder that spoils the cell of ``column`` in the first answered row of ``sheet``
    (the first row with an achieved value, for indicators) with ``write(genuine, target, ref)``."""
    answered = "Réalisation" if sheet == ANSWERS else "Valeur réalisée"

    def make(genuine: Path, folder: Path) -> Built:
        row, code = first_filled(genuine, sheet, answered)
        ref = cell_ref(genuine, sheet, column, row)
        return Built(write(genuine, folder / name, ref), f"{sheet}!{ref}", code)

    return make


def _typed(name: str, column: str, value: str, *, as_text: bool = False) -> Builder:
    """A builder typing ``value`` in Excel (openpyxl) in a cell of the answers sheet."""

    def write(genuine: Path, target: Path, ref: str) -> Path:
        def type_it(book):
            cell = book[ANSWERS][ref]
            cell.value = value
            if as_text:
                cell.data_type = "s"

        return edit_workbook(genuine, target, type_it)

    return _cell_builder(name, ANSWERS, column, write)


def _raw(name: str, sheet: str, column: str, xml: Callable[[str], str]) -> Builder:
    """A builder writing a cell as the raw XML ``xml(ref)`` in the sheet, as a script would."""

    def write(genuine: Path, target: Path, ref: str) -> Path:
        return with_cell_xml(genuine, target, sheet, ref, xml(ref))

    return _cell_builder(name, sheet, column, write)


# Builders: what is not a workbook --------------------------------------------------------------


def make_empty(genuine: Path, folder: Path) -> Built:
    path = folder / "vide.xlsx"
    path.write_bytes(b"")
    return Built(path)


def make_text(genuine: Path, folder: Path) -> Built:
    path = folder / "texte-renomme.xlsx"
    path.write_text("Code;Réalisation\n1.1.1;oui\n" * 20, encoding="utf-8")
    return Built(path)


def make_pdf(genuine: Path, folder: Path) -> Built:
    path = folder / "pdf-renomme.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 50)
    return Built(path)


def make_html(genuine: Path, folder: Path) -> Built:
    path = folder / "page-web-renommee.xlsx"
    path.write_text(
        "<!DOCTYPE html><html><body><table><tr><td>Code</td><td>Réalisation</td></tr>"
        "<tr><td>1.1.1</td><td>oui</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return Built(path)


def make_docx(genuine: Path, folder: Path) -> Built:
    return Built(
        zip_members(
            folder / "word-renomme.xlsx",
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 100},
        )
    )


def make_truncated(genuine: Path, folder: Path) -> Built:
    path = folder / "tronque.xlsx"
    path.write_bytes(genuine.read_bytes()[: genuine.stat().st_size * 2 // 3])
    return Built(path)


def make_encrypted(genuine: Path, folder: Path) -> Built:
    path = folder / "protege.xlsx"
    with genuine.open("rb") as plain, path.open("wb") as encrypted:
        OOXMLFile(plain).encrypt("secret", encrypted)
    return Built(path)


def make_zip_bomb(genuine: Path, folder: Path) -> Built:
    return Built(
        zip_members(
            folder / "bombe.xlsx",
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b" " * (300 * 1024 * 1024)},
        )
    )


def make_many_members(genuine: Path, folder: Path) -> Built:
    return Built(
        zip_members(
            folder / "foule.xlsx",
            {"xl/workbook.xml": b"<workbook/>", **{f"xl/media/{n}.bin": b"x" for n in range(2500)}},
        )
    )


def make_huge(genuine: Path, folder: Path) -> Built:
    path = folder / "enorme.xlsx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(60 * 1024 * 1024)
    return Built(path)


def make_entities(genuine: Path, folder: Path) -> Built:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    member = sheet_member(genuine, ANSWERS)

    def change(name: str, data: bytes) -> bytes:
        if name == member:
            return laughs + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
        return data

    return Built(rewrite_members(genuine, folder / "entites.xlsx", change))


def make_unreadable(genuine: Path, folder: Path) -> Built:
    """A genuine workbook its reader has no right to read (mode 000)."""
    path = folder / "illisible.xlsx"
    shutil.copyfile(genuine, path)
    path.chmod(0)
    return Built(path)


# Builders: workbooks with a structure lost -------------------------------------------------------


def make_without_metadata(genuine: Path, folder: Path) -> Built:
    def remove(book):
        del book["_sradar"]

    return Built(edit_workbook(genuine, folder / "sans-metadonnees.xlsx", remove))


make_other_codes = _typed("autre-questionnaire.xlsx", "Code", "9.9.9")


def make_header_pushed_down(genuine: Path, folder: Path) -> Built:
    """Thirty rows inserted above the header, as someone adding a title block would."""

    def push(book):
        sheet = book[ANSWERS]
        sheet.insert_rows(1, 30)
        sheet["A1"] = "Évaluation du plan — réponses de notre service"

    return Built(edit_workbook(genuine, folder / "entete-descendue.xlsx", push))


def make_sheet_renamed(genuine: Path, folder: Path) -> Built:
    def rename(book):
        book[ANSWERS].title = "Nos réponses"

    return Built(edit_workbook(genuine, folder / "feuille-renommee.xlsx", rename))


def make_statuses_in_another_case(genuine: Path, folder: Path) -> Built:
    spellings = {"oui": "OUI", "non": "Non", "partiellement": "PARTIELLEMENT", "nc": "Nc"}

    def retype(book):
        sheet = book[ANSWERS]
        column = [c.value for c in sheet[1]].index("Réalisation") + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, str):
                cell.value = spellings.get(cell.value, cell.value)

    return Built(edit_workbook(genuine, folder / "casse-des-reponses.xlsx", retype))


# A comment typed as text that looks like a formula: it must import as that very text.
make_formula_like_comment = _typed(
    "commentaire-formule.xlsx", "Commentaire", FORMULA_LIKE_COMMENT, as_text=True
)
make_respondent_emoji = _typed("repondant-emoji.xlsx", "Répondant", "DDETS 59 😀")
make_respondent_total = _typed("repondant-total.xlsx", "Répondant", "Total")


# Builders: cells whose value cannot be known -----------------------------------------------------


def _error(value: str) -> Callable[[str], str]:
    return lambda ref: f'<c r="{ref}" t="e"><v>{escape(value)}</v></c>'


make_error_in_status = _raw("erreur-realisation.xlsx", ANSWERS, "Réalisation", _error("#N/A"))
make_error_in_comment = _raw("erreur-commentaire.xlsx", ANSWERS, "Commentaire", _error("#REF!"))
make_error_in_indicator = _raw(
    "erreur-indicateur.xlsx", INDICATORS, "Valeur réalisée", _error("#VALUE!")
)
make_formula_without_result = _raw(
    "formule-sans-resultat.xlsx",
    ANSWERS,
    "Réalisation",
    lambda ref: f'<c r="{ref}" t="str"><f>IF(TRUE,"non","oui")</f></c>',
)


def _stray(name: str, ref: str) -> Builder:
    def make(genuine: Path, folder: Path) -> Built:
        cell = f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'
        return Built(with_cell_xml(genuine, folder / name, ANSWERS, ref, cell))

    return make


make_stray_cell_at_the_end = _stray("cellule-xfd1048576.xlsx", "XFD1048576")
make_stray_cell_far_away = _stray("cellule-zz150000.xlsx", "ZZ150000")
