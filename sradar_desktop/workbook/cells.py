"""Reading the cells of a spreadsheet with python-calamine, fast and without evaluating anything.

Rows keep their real numbers (row 1 is the sheet's first row, even when it is empty), so that
every message can name the cell a user will find in Excel or LibreOffice.

Before calamine reads a sheet, one streaming pass over the sheet's own records (the sheet XML of
an ``.xlsx``, ``content.xml`` of an ``.ods``, the BIFF records of an ``.xls``) finds two things
calamine cannot tell:

- how far the cells that hold a value reach: calamine builds the whole rectangle from ``A1`` to
  the farthest one, so a single stray value at ``XFD1048576`` would take gigabytes. A sheet whose
  rectangle exceeds ``MAX_WORKBOOK_CELLS`` is refused, naming the far cell. A cell that only carries
  a style does not count (calamine skips it too);
- the cells whose value cannot be known, which calamine reads as empty: an error value
  (``#N/A``, ``#REF!``…) and a formula saved without its result (a file written by a script or
  a macro). They are put in the rows as ``UnknownValue`` objects, so that a reader can never
  take them for an empty answer.

A formula whose result was stored by the spreadsheet program that saved the file reads as that
result: it is what the person saw in the cell. Not when an ``.xlsx`` asks to be recalculated
when opened (``fullCalcOnLoad``, set by the libraries that write formulas without computing
them and store 0 or nothing): its formulas are unknown values too. An ``.xls`` always stores
the result of its formulas (BIFF has no formula without one): only its error values are
unknown.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar, cast

from sradar_desktop.errors import FileRefusedError
from sradar_desktop.workbook.safety import Spreadsheet, cannot_open, open_spreadsheet

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook, SheetMetadata

_T = TypeVar("_T")

log = logging.getLogger(__name__)

MAX_WORKBOOK_CELLS = 5_000_000
"""The most cells read from one workbook: the rectangles (rows × columns, from ``A1`` to the
farthest value) of the sheets read, added up. About 270 Mo at most for the whole command that
reads it; a consolidation of 1,000 services × 100 actions has 800,000."""

_CHUNK = 1 << 20
_MAX_PENDING = 8 << 20  # no cell of a real sheet holds a text this long without a tag


class UnknownValue:
    """A cell whose value cannot be known: an error value, or a formula without its result."""

    __slots__ = ("error",)

    def __init__(self, error: str = "") -> None:
        self.error = error  # "#N/A", "#REF!"…; "" for a formula whose result was not saved

    def problem(self, instead: str = "la valeur elle-même") -> str:
        """The French fragment that follows a cell reference in an error list: what the cell
        holds, that its value cannot be known, and what to type ``instead``."""
        held = (
            f"contient l'erreur {self.error}"
            if self.error
            else "contient une formule dont le résultat n'a pas été enregistré dans le fichier"
        )
        return (
            f"la cellule {held}, sa valeur ne peut pas être connue ; tapez à la place {instead}, "
            "sans formule, ou videz la cellule"
        )

    def __repr__(self) -> str:
        return f"UnknownValue({self.error!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownValue) and other.error == self.error

    def __hash__(self) -> int:
        return hash(self.error)


class Sheet:
    """A sheet of a workbook; its cells are read the first time ``rows`` is asked for (a
    consolidation never reads the « Lisez-moi » of a thousand workbooks). ``load`` gives the
    rows and the indexes of those that hold an ``UnknownValue``."""

    def __init__(
        self,
        name: str,
        rows: list[list[object]] | None = None,
        hidden: bool = False,
        *,
        load: Callable[[], tuple[list[list[object]], frozenset[int]]] | None = None,
    ) -> None:
        self.name = name
        self.hidden = hidden
        self._rows = rows
        self._load = load
        self._marked: frozenset[int] | None = None  # None: not known, any row may be

    @property
    def rows(self) -> list[list[object]]:
        if self._rows is None:
            assert self._load is not None
            self._rows, self._marked = self._load()
        return self._rows

    def may_be_unknown(self, row: int) -> bool:
        """Whether the row may hold an ``UnknownValue`` (most rows are known not to)."""
        return self._marked is None or row in self._marked


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → ``0``, ``AB`` → ``27``."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def cell_ref(sheet: str, row_index: int, column_index: int) -> str:
    """``Questionnaire!F12`` from 0-based indexes."""
    return f"{sheet}!{column_letter(column_index)}{row_index + 1}"


# The pass over a sheet's records ---------------------------------------------------------------


@dataclass
class SheetScan:
    """What one pass over a sheet found (0-based positions)."""

    rows: int = 0  # the rectangle from A1 that holds every value
    columns: int = 0
    farthest_row: tuple[int, int] = (0, 0)  # the cell that sets ``rows``
    farthest_column: tuple[int, int] = (0, 0)  # the cell that sets ``columns``
    unknown: dict[tuple[int, int], UnknownValue] = field(default_factory=dict)

    def valued(self, row: int, column: int, last_row: int | None = None) -> None:
        """A value at (row, column), or repeated down to ``last_row``."""
        last_row = row if last_row is None else last_row
        if last_row >= self.rows:
            self.rows = last_row + 1
            self.farthest_row = (last_row, column)
        if column >= self.columns:
            self.columns = column + 1
            self.farthest_column = (row, column)

    def far_cells(self, sheet: str) -> str:
        cells = dict.fromkeys(
            cell_ref(sheet, *cell) for cell in (self.farthest_row, self.farthest_column)
        )
        return " et ".join(cells)


class _Unreadable(Exception):
    """A sheet's records cannot be walked through: the file is damaged."""


_XLSX_TOKEN = re.compile(rb"<(/?)(?:\w+:)?(row|c|v|f|is)\b([^<>]*?)(/?)>")
_ROW_NUMBER = re.compile(rb'\br\s*=\s*["\']?(\d+)')
_CELL_REF = re.compile(rb'\br\s*=\s*["\']?([A-Za-z]{1,3})(\d+)')
_CELL_TYPE = re.compile(rb'\bt\s*=\s*["\']?(\w+)')


def _pieces(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """The sheet's XML as ``(data, cut)``: its tags are read in ``data[:cut]``, cut before a
    « < », so that no tag is split between two pieces (the text after the cut is read with the
    next piece; ``data`` beyond the cut lets a value's text be read up to its closing tag)."""
    pending = b""
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        cut = data.rfind(b"<")
        if cut < 0:
            cut = len(data)
        yield data, cut
        pending = data[cut:]
        if len(pending) > _MAX_PENDING:
            raise _Unreadable("sheet")
    if pending:
        yield pending, len(pending)


def _scan_xlsx_tokens(chunks: Iterable[bytes], recalculated: bool) -> SheetScan:
    """One pass over a worksheet's XML, tag by tag; ``recalculated``: formula results stored in
    the file are not to be trusted (``fullCalcOnLoad``)."""
    scan = SheetScan()
    row = -1
    column = -1
    in_cell = False
    cell_type = b""
    has_value = has_formula = False
    error = ""
    for data, cut in _pieces(chunks):
        for match in _XLSX_TOKEN.finditer(data, 0, cut):
            closing, tag, attributes, empty = match.groups()
            if tag == b"c":
                if closing:
                    if in_cell:
                        if has_value or has_formula or error:
                            scan.valued(row, column)
                        if error:
                            scan.unknown[(row, column)] = UnknownValue(error)
                        elif has_formula and (recalculated or not has_value):
                            scan.unknown[(row, column)] = UnknownValue()
                    in_cell = False
                    continue
                found = _CELL_REF.search(attributes)
                if found:
                    column = column_index(found.group(1).decode())
                    row = int(found.group(2)) - 1
                else:
                    column += 1
                typed = _CELL_TYPE.search(attributes)
                cell_type = typed.group(1) if typed else b""
                in_cell = not empty
                has_value = has_formula = False
                error = ""
            elif tag == b"row":
                if not closing:
                    found = _ROW_NUMBER.search(attributes)
                    row = int(found.group(1)) - 1 if found else row + 1
                    column = -1
            elif not in_cell or closing:
                continue
            elif tag == b"f":
                has_formula = True
            elif tag == b"is":
                has_value = True
            elif not empty:  # <v>
                end = data.find(b"<", match.end())
                text = data[match.end() : end if end >= 0 else len(data)].strip()
                # A text result may be empty (LibreOffice and Excel write the « "" » of a
                # formula as an empty <v> of type str): known, and empty. An empty <v>
                # without a type (written by libraries that compute nothing) is not.
                if text or cell_type == b"str":
                    has_value = True
                if text and cell_type == b"e":
                    error = text[:20].decode(errors="replace")
    return scan


# Most sheets hold neither a formula nor an error value, and their cells are written the usual
# way (``<c r="B2" …>``, the reference first, no namespace prefix): their extent is read from the
# opening tags of the cells that are not empty, in one search. Anything else (a formula, an
# error value, a cell written otherwise) is walked through tag by tag: a false alarm only costs
# the walk. Each check is one pass of a regular expression that starts with a literal, which
# the engine looks for at C speed.
_UNUSUAL = (
    re.compile(rb'<c(?! r="[A-Z])[\s>/]'),  # a cell without its reference first, or empty
    re.compile(rb"<f[\s>/]"),  # a formula (not the <formula1> of a drop-down list)
    re.compile(rb":(?:c|f|v|is|row)[\s/>]"),  # an element with a prefix (<x:c>)
)
_VALUED_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^<>]*)(?<!/)>')


def _column_order(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


def _scan_xlsx_sheet(chunks: Callable[[], Iterable[bytes]], recalculated: bool) -> SheetScan:
    """The scan of a worksheet (its XML given by ``chunks()``): its extent read from the valued
    cells' tags when they are usual and hold no error value; tag by tag otherwise."""
    scan = SheetScan()
    for data, cut in _pieces(chunks()):
        if any(check.search(data, 0, cut) for check in _UNUSUAL):
            return _scan_xlsx_tokens(chunks(), recalculated)
        valued = _VALUED_CELL.findall(data, 0, cut)
        if not valued:
            continue
        letters, numbers, attributes = zip(*valued, strict=True)
        marks = b"\0".join(attributes)
        if b'"e"' in marks or b"'e'" in marks:
            return _scan_xlsx_tokens(chunks(), recalculated)
        # the lowest cell and the rightmost one of this part
        lowest = max(set(numbers), key=int)
        scan.valued(int(lowest) - 1, column_index(letters[numbers.index(lowest)].decode()))
        rightmost = max(set(letters), key=_column_order)
        scan.valued(int(numbers[letters.index(rightmost)]) - 1, column_index(rightmost.decode()))
    return scan


def _xlsx_scanner(spreadsheet: Spreadsheet) -> Callable[[str], SheetScan]:
    """Scans the sheets of an ``.xlsx`` by name."""
    from defusedxml import ElementTree

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    workbook = ElementTree.fromstring(spreadsheet.part("xl/workbook.xml"))
    try:
        relations = ElementTree.fromstring(spreadsheet.part("xl/_rels/workbook.xml.rels"))
    except KeyError:
        relations = None
    targets = {}
    for element in relations.iter() if relations is not None else ():
        if local(element.tag) == "Relationship":
            target = element.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[element.get("Id")] = posixpath.normpath(target)
    members = {}
    recalculated = False
    for element in workbook.iter():
        tag = local(element.tag)
        if tag == "sheet":
            relation = next((v for k, v in element.attrib.items() if local(k) == "id"), None)
            members[element.get("name", "")] = targets.get(relation, "")
        elif tag == "calcPr":
            recalculated = element.get("fullCalcOnLoad", "").lower() in ("1", "true")

    def chunks(member: str) -> Callable[[], Iterable[bytes]]:
        if spreadsheet.parts is not None:
            data = spreadsheet.parts[member]
            return lambda: (data,)

        def read() -> Iterator[bytes]:
            with spreadsheet.archive() as archive, archive.open(member) as handle:
                while chunk := handle.read(_CHUNK):
                    yield chunk

        return read

    def scan(sheet: str) -> SheetScan:
        return _scan_xlsx_sheet(chunks(members.get(sheet, "")), recalculated)

    return scan


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALC_EXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_ODS_CELLS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")


def _scan_ods(spreadsheet: Spreadsheet) -> dict[str, SheetScan]:
    """One streaming pass over ``content.xml``: every sheet of an ``.ods`` at once."""
    from defusedxml import ElementTree

    scans: dict[str, SheetScan] = {}
    scan = SheetScan()
    row = 0
    table_tag = f"{{{_TABLE}}}table"
    row_tag = f"{{{_TABLE}}}table-row"
    rows_repeated = f"{{{_TABLE}}}number-rows-repeated"
    columns_repeated = f"{{{_TABLE}}}number-columns-repeated"
    value_type = f"{{{_OFFICE}}}value-type"
    ext_type = f"{{{_CALC_EXT}}}value-type"
    formula = f"{{{_TABLE}}}formula"
    with _opened_part(spreadsheet, "content.xml") as handle:
        table = None
        for event, element in ElementTree.iterparse(handle, events=("start", "end")):
            if event == "start":
                if element.tag == table_tag:
                    table = element
                    scan = scans.setdefault(element.get(f"{{{_TABLE}}}name", ""), SheetScan())
                    row = 0
                continue
            if element.tag != row_tag:
                continue
            repeat_rows = int(element.get(rows_repeated, "1") or 1)
            column = 0
            for cell in element:
                if cell.tag not in _ODS_CELLS:
                    continue
                repeat = int(cell.get(columns_repeated, "1") or 1)
                kind = cell.get(value_type)
                if kind is not None or len(cell):
                    scan.valued(row, column + repeat - 1, row + repeat_rows - 1)
                unknown = None
                if cell.get(ext_type) == "error":
                    text = "".join(cell.itertext()).strip()[:20]
                    unknown = UnknownValue(text or "#VALEUR!")
                elif cell.get(formula) is not None and kind is None:
                    unknown = UnknownValue()
                if unknown is not None:
                    for r in range(row, row + min(repeat_rows, 1000)):
                        for c in range(column, column + min(repeat, 1000)):
                            scan.unknown[(r, c)] = unknown
                column += repeat
            row += repeat_rows
            if table is not None:
                table.clear()  # the rows read so far are not kept
    return scans


# BIFF (.xls): records of the « Workbook » stream. Cells that hold a value (style-only BLANK and
# MULBLANK do not), and the FORMULA and BOOLERR records whose value is an error. BIFF8 sheets
# stop at 65,536 × 256 cells: the extent check rarely bites, but the errors matter.
_BIFF_BOF, _BIFF_EOF, _BIFF_SHEET = 0x0809, 0x000A, 0x0085
_BIFF_FORMULA, _BIFF_BOOLERR, _BIFF_MULRK = 0x0006, 0x0205, 0x00BD
_BIFF_VALUES = {0x00FD, 0x0204, 0x0203, 0x027E, 0x00D6, _BIFF_FORMULA, _BIFF_BOOLERR}
_BIFF_ERRORS = {
    0x00: "#NUL!",
    0x07: "#DIV/0!",
    0x0F: "#VALEUR!",
    0x17: "#REF!",
    0x1D: "#NOM?",
    0x24: "#NOMBRE!",
    0x2A: "#N/A",
}


def _scan_xls(spreadsheet: Spreadsheet) -> dict[str, SheetScan]:
    import olefile

    with olefile.OleFileIO(io.BytesIO(spreadsheet.data)) as ole:
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        data = ole.openstream(stream).read()
    names: dict[int, str] = {}
    position = 0
    while position + 4 <= len(data):  # the workbook globals: sheet names by offset
        kind, size = struct.unpack_from("<HH", data, position)
        body = data[position + 4 : position + 4 + size]
        if kind == _BIFF_SHEET and len(body) >= 8:
            length, flags = body[6], body[7]
            raw = body[8 : 8 + length * (2 if flags & 1 else 1)]
            names[struct.unpack_from("<I", body)[0]] = raw.decode(
                "utf-16-le" if flags & 1 else "latin-1", errors="replace"
            )
        position += 4 + size
        if kind == _BIFF_EOF:
            break
    scans = {}
    for offset, name in names.items():
        scans[name] = scan = SheetScan()
        position = offset
        while position + 4 <= len(data):
            kind, size = struct.unpack_from("<HH", data, position)
            body = data[position + 4 : position + 4 + size]
            position += 4 + size
            if kind == _BIFF_EOF:
                break
            if len(body) < 4 or (kind not in _BIFF_VALUES and kind != _BIFF_MULRK):
                continue
            row, column = struct.unpack_from("<HH", body)
            if kind == _BIFF_MULRK:
                scan.valued(row, column + (size - 6) // 6 - 1)
                continue
            scan.valued(row, column)
            if (
                kind == _BIFF_FORMULA
                and len(body) >= 14
                and body[6] == 2
                and body[12:14] == b"\xff\xff"
            ):
                scan.unknown[(row, column)] = UnknownValue(_BIFF_ERRORS.get(body[8], "#N/A"))
            elif kind == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
                scan.unknown[(row, column)] = UnknownValue(_BIFF_ERRORS.get(body[6], "#N/A"))
    return scans


@contextmanager
def _opened_part(spreadsheet: Spreadsheet, member: str) -> Iterator[IO[bytes]]:
    """A member of a zip spreadsheet, to read as a file."""
    if spreadsheet.parts is not None:
        yield io.BytesIO(spreadsheet.parts[member])
        return
    with spreadsheet.archive() as archive, archive.open(member) as handle:
        yield handle


def _scanner(
    spreadsheet: Spreadsheet,
) -> tuple[Callable[[str], SheetScan], dict[str, SheetScan] | None]:
    """How to scan the sheets of a spreadsheet, by name; and for the kinds that calamine reads
    whole when it opens them (.ods, .xls), every sheet's scan, done at once."""
    if spreadsheet.kind == "xlsx":
        return _xlsx_scanner(spreadsheet), None
    scans = _scan_ods(spreadsheet) if spreadsheet.kind == "ods" else _scan_xls(spreadsheet)
    return (lambda sheet: scans.get(sheet, SheetScan())), scans


def _stored(parts: dict[str, bytes]) -> bytes:
    """A zip of ``parts``, stored without compression: what calamine reads when the members
    were decompressed once already (for the checks and the scan), so that it reads the very
    bytes that were checked, without decompressing them again."""
    records: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, data in parts.items():
        encoded = name.encode()
        flags = 0 if encoded.isascii() else 0x800  # UTF-8 names
        crc = zlib.crc32(data)
        size = len(data)
        header = struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, flags, 0, 0, 0x21, crc, size, size, len(encoded), 0
        )
        records += (header, encoded, data)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                flags,
                0,
                0,
                0x21,
                crc,
                size,
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
        offset += len(header) + len(encoded) + size
    central = b"".join(directory)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), offset, 0
    )
    return b"".join([*records, central, end])


def _too_far(name: str, sheet: str, scan: SheetScan) -> FileRefusedError:
    return FileRefusedError(
        f"Le fichier « {name} » a été refusé : la feuille « {sheet} » a du contenu très loin "
        f"du tableau (cellule {scan.far_cells(sheet)}), ce qui demanderait trop de mémoire pour "
        "la lire. Ouvrez-le dans Excel ou LibreOffice, effacez cette cellule (ou supprimez les "
        "lignes et colonnes vides au-delà du tableau), enregistrez-le puis importez-le à nouveau."
    )


def _with_unknown(rows: list[list[object]], unknown: dict[tuple[int, int], UnknownValue]) -> None:
    """Put the unknown values in the rows read by calamine (which has them as empty)."""
    for (row, column), value in unknown.items():
        while len(rows) <= row:
            rows.append([])
        cells = rows[row]
        if len(cells) <= column:
            cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = value


def _refused(name: str, error: BaseException) -> FileRefusedError:
    import python_calamine

    if isinstance(error, python_calamine.PasswordError):
        return FileRefusedError(
            f"Le fichier « {name} » a été refusé : il est protégé par un mot de passe. Ouvrez-le "
            "dans Excel ou LibreOffice, retirez le mot de passe, enregistrez-le puis importez-le "
            "à nouveau."
        )
    log.warning("Lecture impossible de %s : %r", name, error)
    return FileRefusedError(
        f"Le fichier « {name} » a été refusé : son contenu est illisible ou endommagé. "
        "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau au format .xlsx, puis "
        "réessayez."
    )


def _is_damage(error: BaseException) -> bool:
    """Whether ``error`` says the file is damaged, rather than that our code has a bug: the
    errors of calamine (its ``PanicException`` is not an ``Exception``), of the zip and of the
    XML and records the scan reads. A ``NameError`` or a ``TypeError`` stays a bug, reported as
    one, never to the user as a damaged file."""
    import python_calamine

    if type(error).__name__ == "PanicException":
        return True
    return isinstance(
        error,
        (
            python_calamine.CalamineError,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            KeyError,  # a member the zip directory names but does not hold
            ValueError,  # UnicodeDecodeError, a malformed number or record, XML ParseError
            SyntaxError,  # xml.etree's ParseError derives from it
            struct.error,
            _Unreadable,
        ),
    )


def _guarded(name: str, work: Callable[[], _T]) -> _T:
    """``work()``, a damaged file refused in French (see ``_is_damage``)."""
    try:
        return work()
    except FileRefusedError:
        raise
    except PermissionError as error:
        raise cannot_open(Path(name), error) from error
    except BaseException as error:
        if not _is_damage(error):
            raise
        raise _refused(name, error) from error


def read_sheets(source: Path | Spreadsheet, display_name: str | None = None) -> list[Sheet]:
    """The sheets of a spreadsheet (a file, checked first by ``safety.open_spreadsheet``, or one
    already checked), in order; each one's cells are read when first used, bounded by the cells
    that hold a value (see the module's docstring). Raises ``FileRefusedError`` for a file that
    is refused, or an unreadable file or sheet."""
    import python_calamine  # at first use: the window starts without it

    spreadsheet = (
        source if isinstance(source, Spreadsheet) else open_spreadsheet(source, name=display_name)
    )
    name = spreadsheet.name

    granted = [0]  # the cells of the sheets read so far

    def grant(sheet: str, scan: SheetScan) -> None:
        granted[0] += scan.rows * scan.columns
        if granted[0] > MAX_WORKBOOK_CELLS:
            raise _too_far(name, sheet, scan)

    def open_workbook() -> tuple[
        CalamineWorkbook, list[SheetMetadata], Callable[[str], SheetScan], bool
    ]:
        scanner, every_sheet = _scanner(spreadsheet)
        for sheet, scan in (every_sheet or {}).items():
            grant(sheet, scan)  # before calamine reads them all
        parts = spreadsheet.parts if spreadsheet.kind == "xlsx" else None
        stream = io.BytesIO(_stored(parts) if parts is not None else spreadsheet.data)
        stream.name = name  # for whoever watches what calamine opens
        workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        return workbook, workbook.sheets_metadata, scanner, every_sheet is None

    workbook, metadata, scanner, lazy = _guarded(name, open_workbook)

    def loader(sheet_name: str) -> Callable[[], tuple[list[list[object]], frozenset[int]]]:
        def read() -> tuple[list[list[object]], frozenset[int]]:
            scan = scanner(sheet_name)
            if lazy:
                grant(sheet_name, scan)
            # Calamine's values, and the unknown ones put in among them.
            rows = cast(
                list[list[object]],
                workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False),
            )
            _with_unknown(rows, scan.unknown)
            return rows, frozenset(row for row, _ in scan.unknown)

        return lambda: _guarded(name, read)

    return [
        Sheet(
            meta.name,
            hidden=meta.visible != python_calamine.SheetVisibleEnum.Visible,
            load=loader(meta.name),
        )
        for meta in metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
