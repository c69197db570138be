"""Writing ``.xlsx`` workbooks, straight to the zip: sheet after sheet, row after row.

SRADAR Desktop's workbooks need a small part of the format: text, numbers, dates and booleans in
cells with a few styles (bold, colours, borders, wrapped text, number formats, locked or not,
kept as text), column widths, row heights, frozen panes, filters, the titles printed on every
page, landscape A4 on the page width, sheet protection without a password, a drop-down list,
colours that follow what is typed (conditional formats), a very hidden sheet, and the document's
properties. That is all this module writes, in the order the format requires, as Excel and the
libraries that write for it do.

Texts are written once each, in the workbook's table of shared strings, and their cells name
them by number, as spreadsheet programs write them: a received workbook is lighter and read
faster so (python-calamine reads a hundred respondents' workbooks in 0.14 s instead of 0.17 s).
The table is kept in memory until the workbook is closed: past a length, and once the table
holds ``SHARED_CHARACTERS``, a text is written in its own cell (``inlineStr``), so that memory
stays bounded (a consolidation's comments, each its own, fill it first). Excel, LibreOffice and
python-calamine read both as typed; openpyxl leaves Excel's escapes (``_x005F_``) in a text
written in its cell, and drops every « x005F_ » from a shared one (rare in what people type).

A row is turned into its XML in one pass and handed to the zip's compressor by blocks: memory
stays constant whatever the number of rows, and a styled sheet is written faster than a general
library writes the same cells without styles (see the benchmarks). A sheet is written from its
settings (widths, frozen panes, filter…) and then its rows: the sheets of a workbook are written
one after the other, each finished when the next one starts.

Text is always written as text, never as a formula. Characters no file can carry are left out;
the escapes Excel itself reads in text (``_x000D_``) are escaped in turn, so that a cell holding
« _x000D_ » reads back as typed.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
import weakref
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from sradar_desktop.interpreter import SHORT_TURNS
from sradar_desktop.workbook.cells import column_letter

COMPRESSION_LEVEL = 3  # of zlib: nearly the size of the default level (6), written twice as fast
# Rows handed to the compressor at once: this many, or fewer when their XML reaches this size
# (a row of comments, or of the stamps, holds tens of thousands of characters). Each block
# costs the writer turns given to the packer's thread: blocks of half a megabyte wrote the
# workbook of a hundred files in 0.21 s, blocks of a quarter in 0.23 s (of a megabyte, the
# last one's compression kept the writer waiting at the end).
_BLOCK = 1024
_BLOCK_CHARACTERS = 1 << 19

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"

# What no file can carry (control characters, the two non-characters, lone surrogates), left
# out; and the escapes of Excel's own (« _x0041_ » is « A »): one typed as text gets its
# underscore escaped (« _x005F_x0041_ »), as Excel does, so that it reads back as typed.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
# Text with none of these characters, and no « _x », is written as it is. Two searches: a
# character class alone is looked for at C speed, an alternation is tried at each position.
_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff&<>]")
_EPOCH = datetime(1899, 12, 30)  # Excel's day 0, its false 29 February 1900 included
SHARED_LONGEST = 1000  # characters of a text put in the shared strings, at most
# Characters of all the shared strings, at most: every text of a respondent's workbook, and a
# consolidation's labels. With 2 million, the table (kept twice: as text and as its XML) took a
# thousand files' consolidation to 80 MB of memory at its peak, against 49 MB for a hundred.
SHARED_CHARACTERS = 1 << 18


@dataclass(frozen=True)
class Style:
    """How a cell looks; every cell is bordered and top-aligned, and wrapped unless told."""

    bold: bool = False
    color: str | None = None  # font colour, RRGGBB
    fill: str | None = None  # background, RRGGBB
    locked: bool = True
    number_format: str | None = None
    wrap: bool = True


@dataclass(frozen=True)
class Highlight:
    """How a conditional format shows a cell: bold letters of ``color`` on ``fill`` (RRGGBB)."""

    color: str
    fill: str


_LETTERS = [column_letter(i) for i in range(702)]  # A to ZZ


def excel_time(moment: datetime | date) -> float:
    """A moment (naive: as shown) or a day as Excel counts them."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment.replace(tzinfo=None) - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIX_DAY = 25569  # 1 January 1970, in Excel's days


def excel_local_time(moment: datetime) -> float:
    """A moment with its time zone as Excel counts it, shown at this workstation's time: what
    ``excel_time`` gives of ``moment.astimezone()``, to the last digit, computed three times
    faster (a consolidation writes a hundred thousand times of change). A moment the system
    cannot place in its time zone (before 1970, on Windows) is shown at UTC, as
    ``domain.dates.local`` leaves it."""
    if moment.tzinfo is None:  # stored without one: UTC, as ``domain.dates.local`` takes it
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _UNIX_EPOCH  # exact: whole days, seconds and microseconds
    try:
        offset = time.localtime(delta.days * 86400 + delta.seconds).tm_gmtoff
    except (OSError, OverflowError, ValueError):
        offset = 0
    days, seconds = divmod(delta.seconds + offset, 86400)
    return (delta.days + days + _UNIX_DAY) + (seconds + delta.microseconds / 1e6) / 86400


def text_xml(text: str) -> str:
    """The ``<is>`` content of an inline text cell: the characters no file can carry left out,
    whitespace at either end kept."""
    if _SPECIAL.search(text) or ("_x" in text and _EXCEL_ESCAPE.search(text)):
        text = _ILLEGAL.sub("", text)
        text = escape(_EXCEL_ESCAPE.sub(lambda m: "_x005F" + m.group(0), text))
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _quoted_sheet(name: str) -> str:
    """A sheet's name as a formula names it (quoted unless made of letters and digits)."""
    if re.fullmatch(r"[^\W\d]\w*", name) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def _width(characters: float) -> float:
    """A column's width in Excel's unit, for ``characters`` of the default font (as Excel and
    XlsxWriter compute it: 7 pixels a digit, 5 of padding, in 256ths)."""
    pixels = int(characters * 7 + 0.5) + 5 if characters >= 1 else int(characters * 12 + 0.5)
    return int(pixels / 7 * 256) / 256


class Packer:
    """A workbook's zip archive, written by a thread of its own: compressing a block of rows
    (zlib lets the interpreter go meanwhile) and writing it to the disk overlaps making the
    next block. What is asked is done in order; a few blocks at most wait, so that memory
    stays bounded. A failure there (a full disk) is raised here by the next request, or by
    ``finish``.

    A workbook given up (its writer failed) closes its file when it is freed, before its work
    folder is removed: Windows cannot remove an open file."""

    def __init__(self, path: Path) -> None:
        archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL)
        self._tasks: queue.Queue[Callable[[_Packing], None] | None] = queue.Queue(_WAITING)
        self._packing = _Packing(archive)
        self._thread = threading.Thread(
            target=self._packing.run, args=(self._tasks,), name="SRADAR classeur", daemon=True
        )
        try:
            self._thread.start()
        except RuntimeError:  # no thread to be had
            archive.close()
            raise
        SHORT_TURNS.hold()  # until the packer stops
        self._stop = weakref.finalize(self, _stop, self._tasks, self._thread, self._packing)

    def _ask(self, task: Callable[[_Packing], None]) -> None:
        if self._packing.failure is not None:
            raise self._packing.failure
        self._tasks.put(task)

    def open(self, name: str) -> None:
        """Start the member ``name``; ``write`` adds to it until ``close_member``."""
        self._ask(lambda packing: packing.open(name))

    def write(self, data: bytes) -> None:
        self._ask(lambda packing: packing.write(data))

    def close_member(self) -> None:
        self._ask(_Packing.close_member)

    def write_member(self, name: str, data: bytes) -> None:
        self._ask(lambda packing: packing.archive.writestr(name, data))

    def finish(self) -> None:
        """Write what is asked, then close the archive; raises what failed on the way."""
        try:
            self._ask(_Packing.close)
        finally:
            self._stop()  # the thread ends once what was asked is done
        if self._packing.failure is not None:
            raise self._packing.failure


_WAITING = 4  # blocks waiting for the packer's thread

# The packer's thread lets the interpreter go several times for each block (to compress it, to
# check it, to write it) and takes it back each time from the thread making the rows, which
# lets go only every few milliseconds (5 by default): the packer fell behind and the rows waited
# for it (measured on a consolidation of 100 files: its workbook took a quarter longer than with
# no compression at all). While a workbook is written, threads take turns more often
# (``interpreter.SHORT_TURNS``, held by each packer until it stops).


class _Packing:
    """The packer's thread's side: the archive, and the member being written."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.member: IO[bytes] | None = None
        self.failure: BaseException | None = None
        self.given_up = False  # by its writer, found out by this thread itself (``_stop``)

    def open(self, name: str) -> None:
        self.member = self.archive.open(name, "w")

    def write(self, data: bytes) -> None:
        assert self.member is not None
        self.member.write(data)

    def close_member(self) -> None:
        assert self.member is not None
        member, self.member = self.member, None
        member.close()

    def close(self) -> None:
        self.archive.close()

    def run(self, tasks: queue.Queue[Callable[[_Packing], None] | None]) -> None:
        while not self.given_up and (task := tasks.get()) is not None:
            if self.failure is not None:
                continue  # what was asked after the failure, let go
            try:
                task(self)
            except BaseException as error:  # raised to the writer by its next request
                self.failure = error
                self._let_go()
        if self.failure is None and self.archive.fp is not None:
            self._let_go()  # given up by its writer

    def _let_go(self) -> None:
        """Close the file, finishing the member and the archive as far as they can be (they
        are thrown away with the work folder)."""
        for close in (
            self.member.close if self.member is not None else None,
            self.archive.close,
            self.archive.fp.close if self.archive.fp is not None else None,
        ):
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        self.member = None


def _stop(
    tasks: queue.Queue[Callable[[_Packing], None] | None],
    thread: threading.Thread,
    packing: _Packing,
) -> None:
    """End the packer's thread, once what was asked is done; a packer freed before ``finish``
    has its file closed. Should the collector free it on this very thread (it cannot wait for
    itself), the thread stops after its task."""
    if threading.current_thread() is thread:
        packing.given_up = True
        SHORT_TURNS.release()
        return
    tasks.put(None)
    try:
        thread.join()
    finally:
        SHORT_TURNS.release()


class Sheet:
    """One sheet being written: its rows go to the zip as they come (``add_row``)."""

    def __init__(
        self,
        book: Workbook,
        index: int,
        name: str,
        *,
        widths: Sequence[float],
        freeze: tuple[int, int] | None,
        protect: bool,
    ) -> None:
        # Not the workbook itself: it holds its sheets, and a cycle would be freed by the
        # collector, on whatever thread it runs (the packer's finaliser with it).
        self.book = weakref.proxy(book)
        self.index = index
        self.name = name
        self.state = ""  # "veryHidden" for a sheet no one sees
        self.print_rows: tuple[int, int] | None = None
        self.filter: tuple[int, int, int, int] | None = None
        self._tail: list[str] = []  # what follows the rows, in the format's order
        self._protect = protect
        self._conditions: list[str] = []
        self._validations: list[str] = []
        self._priority = 0
        self._buffer: list[str] = []
        self._buffered = 0  # characters in the buffer
        self._packer = book.packer
        self._packer.open(f"xl/worksheets/sheet{index + 1}.xml")
        self._write(
            _DECLARATION
            + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            + "<sheetViews>"
            + self._view(freeze, selected=index == 0)
            + '</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + self._columns(widths)
            + "<sheetData>"
        )

    @staticmethod
    def _view(freeze: tuple[int, int] | None, *, selected: bool) -> str:
        opening = '<sheetView tabSelected="1"' if selected else "<sheetView"
        opening += ' workbookViewId="0"'
        if not freeze or freeze == (0, 0):
            return opening + "/>"
        rows, columns = freeze
        corner = f"{_LETTERS[columns]}{rows + 1}"
        if rows and columns:
            pane = (
                f'<pane xSplit="{columns}" ySplit="{rows}" topLeftCell="{corner}" '
                'activePane="bottomRight" state="frozen"/>'
                f'<selection pane="topRight" activeCell="{_LETTERS[columns]}1" '
                f'sqref="{_LETTERS[columns]}1"/>'
                f'<selection pane="bottomLeft" activeCell="A{rows + 1}" sqref="A{rows + 1}"/>'
                '<selection pane="bottomRight"/>'
            )
        elif rows:
            pane = (
                f'<pane ySplit="{rows}" topLeftCell="{corner}" activePane="bottomLeft" '
                'state="frozen"/><selection pane="bottomLeft"/>'
            )
        else:
            pane = (
                f'<pane xSplit="{columns}" topLeftCell="{corner}" activePane="topRight" '
                'state="frozen"/><selection pane="topRight"/>'
            )
        return f"{opening}>{pane}</sheetView>"

    @staticmethod
    def _columns(widths: Sequence[float]) -> str:
        if not widths:
            return ""
        columns = "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{_width(w):.16G}" customWidth="1"/>'
            for i, w in enumerate(widths)
        )
        return f"<cols>{columns}</cols>"

    def _write(self, text: str) -> None:
        self._packer.write(text.encode())

    def add_row(self, xml: str) -> None:
        """The next row, its whole XML (``<row …>…</row>``) given."""
        self._buffer.append(xml)
        self._buffered += len(xml)
        if len(self._buffer) >= _BLOCK or self._buffered >= _BLOCK_CHARACTERS:
            self._flush()

    def _flush(self) -> None:
        self._write("".join(self._buffer))
        self._buffer.clear()
        self._buffered = 0

    # ==== what follows the rows =================================================================

    def repeat_rows(self, first: int, last: int | None = None) -> None:
        """Rows printed at the top of every page (0-based)."""
        self.print_rows = (first, first if last is None else last)

    def very_hidden(self) -> None:
        self.state = "veryHidden"

    def autofilter(self, first_row: int, first_column: int, last_row: int, last_col: int) -> None:
        self.filter = (first_row, first_column, last_row, last_col)

    def conditional_format(
        self, first_row: int, column: int, last_row: int, values: Sequence[tuple[str, Highlight]]
    ) -> None:
        """Cells of ``column`` that hold one of ``values`` take its highlight."""
        rules = []
        for value, highlight in values:
            self._priority += 1
            formula = escape('"' + value.replace('"', '""') + '"')
            rules.append(
                f'<cfRule type="cellIs" dxfId="{self.book.dxf(highlight)}" '
                f'priority="{self._priority}" operator="equal"><formula>{formula}</formula>'
                "</cfRule>"
            )
        area = f"{_LETTERS[column]}{first_row + 1}:{_LETTERS[column]}{last_row + 1}"
        self._conditions.append(
            f'<conditionalFormatting sqref="{area}">{"".join(rules)}</conditionalFormatting>'
        )

    def drop_down(
        self,
        first_row: int,
        column: int,
        last_row: int,
        choices: Sequence[str],
        *,
        prompt: tuple[str, str],
        error: tuple[str, str],
    ) -> None:
        """A list of ``choices`` to pick from in the cells of ``column`` (blank allowed);
        ``prompt`` and ``error`` are (title, message) shown when typing and when refusing."""
        area = f"{_LETTERS[column]}{first_row + 1}:{_LETTERS[column]}{last_row + 1}"
        listed = escape('"' + ",".join(choices) + '"')
        self._validations.append(
            '<dataValidation type="list" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1" errorTitle={quoteattr(error[0])} error={quoteattr(error[1])} '
            f"promptTitle={quoteattr(prompt[0])} prompt={quoteattr(prompt[1])} "
            f'sqref="{area}"><formula1>{listed}</formula1></dataValidation>'
        )

    def close(self) -> None:
        tail = ["</sheetData>"]
        if self._protect:
            # Without a password: against accidents. Filters, sorting and sizing allowed.
            tail.append(
                '<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" '
                'formatRows="0" sort="0" autoFilter="0"/>'
            )
        if self.filter is not None:
            tail.append(f'<autoFilter ref="{self.filter_area(absolute=False)}"/>')
        tail += self._conditions
        if self._validations:
            tail.append(
                f'<dataValidations count="{len(self._validations)}">'
                + "".join(self._validations)
                + "</dataValidations>"
            )
        tail.append(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/><pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
            "</worksheet>"
        )
        self._flush()
        self._write("".join(tail))
        self._packer.close_member()

    def filter_area(self, *, absolute: bool) -> str:
        assert self.filter is not None
        first_row, first_column, last_row, last_column = self.filter
        mark = "$" if absolute else ""
        return (
            f"{mark}{_LETTERS[first_column]}{mark}{first_row + 1}:"
            f"{mark}{_LETTERS[last_column]}{mark}{last_row + 1}"
        )


class Workbook:
    """A workbook written to ``path``: ``add_sheet`` for each sheet, in order, then ``close``."""

    def __init__(self, path: Path, *, title: str, subject: str, author: str) -> None:
        self.packer = Packer(path)
        self.properties = (title, subject, author)
        self.sheets: list[Sheet] = []
        self._fonts: dict[tuple[bool, str | None], int] = {(False, None): 0}
        self._fills: dict[str | None, int] = {None: 0, "gray125": 1}
        self._formats: dict[str, int] = {}
        self._xfs: dict[tuple[Style, bool], int] = {}
        self._xf_xml: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self._dxfs: dict[Highlight, int] = {}
        self._strings: dict[str, int] = {}
        self._string_xml: list[str] = []
        self._string_characters = 0

    def add_sheet(
        self,
        name: str,
        *,
        widths: Sequence[float] = (),
        freeze: tuple[int, int] | None = None,
        protect: bool = False,
    ) -> Sheet:
        """A new sheet after the others (the one before is finished)."""
        if self.sheets:
            self.sheets[-1].close()
        sheet = Sheet(self, len(self.sheets), name, widths=widths, freeze=freeze, protect=protect)
        self.sheets.append(sheet)
        return sheet

    # ==== styles ================================================================================

    def xf(self, style: Style, quote_prefix: bool = False) -> int:
        """The index of a cell's look (``quote_prefix``: text that stays text when edited)."""
        key = (style, quote_prefix)
        found = self._xfs.get(key)
        if found is not None:
            return found
        font = self._fonts.setdefault((style.bold, style.color), len(self._fonts))
        fill = self._fills.setdefault(style.fill, len(self._fills)) if style.fill else 0
        number = 0
        if style.number_format:
            number = self._formats.setdefault(style.number_format, 164 + len(self._formats))
        border = 1 if style.wrap else 0
        attributes = (
            f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
            + (' quotePrefix="1"' if quote_prefix else "")
            + (' applyNumberFormat="1"' if number else "")
            + ' applyFont="1"'
            + (' applyFill="1"' if fill else "")
            + (' applyBorder="1"' if border else "")
            + ' applyAlignment="1"'
            + ("" if style.locked else ' applyProtection="1"')
        )
        alignment = (
            '<alignment vertical="top" wrapText="1"/>'
            if style.wrap
            else ('<alignment vertical="top"/>')
        )
        protection = "" if style.locked else '<protection locked="0"/>'
        self._xf_xml.append(f"<xf {attributes}>{alignment}{protection}</xf>")
        index = self._xfs[key] = len(self._xf_xml) - 1
        return index

    def dxf(self, highlight: Highlight) -> int:
        return self._dxfs.setdefault(highlight, len(self._dxfs))

    # ==== texts =================================================================================

    def text(self, text: str) -> str:
        """What a text cell writes after its style: the number of ``text`` in the shared
        strings, or the text itself once they are full (see above)."""
        index = self._strings.get(text)
        if index is None:
            if (
                len(text) > SHARED_LONGEST
                or self._string_characters + len(text) > SHARED_CHARACTERS
            ):
                return f' t="inlineStr"><is>{text_xml(text)}</is></c>'
            index = self._strings[text] = len(self._string_xml)
            self._string_xml.append(f"<si>{text_xml(text)}</si>")
            self._string_characters += len(text)
        return f' t="s"><v>{index}</v></c>'

    def _shared_strings(self) -> str:
        return (
            _DECLARATION
            + f'<sst xmlns="{_MAIN}" uniqueCount="{len(self._string_xml)}">'
            + "".join(self._string_xml)
            + "</sst>"
        )

    def _styles(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{number}" formatCode={quoteattr(code)}/>'
            for code, number in self._formats.items()
        )
        fonts = "".join(
            "<font>"
            + ("<b/>" if bold else "")
            + '<sz val="11"/>'
            + (f'<color rgb="FF{color}"/>' if color else "")
            + '<name val="Calibri"/><family val="2"/></font>'
            for bold, color in self._fonts
        )
        fills = '<fill><patternFill patternType="none"/></fill>'
        fills += '<fill><patternFill patternType="gray125"/></fill>'
        fills += "".join(
            '<fill><patternFill patternType="solid">'
            f'<fgColor rgb="FF{colour}"/><bgColor indexed="64"/></patternFill></fill>'
            for colour in list(self._fills)[2:]
        )
        grey = '<color rgb="FFBFBFBF"/>'
        borders = (
            "<border><left/><right/><top/><bottom/><diagonal/></border>"
            f'<border><left style="thin">{grey}</left><right style="thin">{grey}</right>'
            f'<top style="thin">{grey}</top><bottom style="thin">{grey}</bottom><diagonal/>'
            "</border>"
        )
        dxfs = "".join(
            f'<dxf><font><b/><color rgb="FF{h.color}"/></font>'
            f'<fill><patternFill><bgColor rgb="FF{h.fill}"/></patternFill></fill></dxf>'
            for h in self._dxfs
        )
        return (
            _DECLARATION
            + f'<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self._formats)}">{formats}</numFmts>' if formats else "")
            + f'<fonts count="{len(self._fonts)}">{fonts}</fonts>'
            + f'<fills count="{len(self._fills)}">{fills}</fills>'
            + f'<borders count="2">{borders}</borders>'
            + '<cellStyleXfs count="1">'
            + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + f'<cellXfs count="{len(self._xf_xml)}">{"".join(self._xf_xml)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            + "</cellStyles>"
            + f'<dxfs count="{len(self._dxfs)}">{dxfs}</dxfs>'
            + '<tableStyles count="0"/></styleSheet>'
        )

    # ==== the rest of the package ===============================================================

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.name)} sheetId="{sheet.index + 1}"'
            + (f' state="{sheet.state}"' if sheet.state else "")
            + f' r:id="rId{sheet.index + 1}"/>'
            for sheet in self.sheets
        )
        names = []
        for sheet in self.sheets:
            quoted = escape(_quoted_sheet(sheet.name))
            if sheet.filter is not None:
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{sheet.index}" '
                    f'hidden="1">{quoted}!{sheet.filter_area(absolute=True)}</definedName>'
                )
        for sheet in self.sheets:
            if sheet.print_rows is not None:
                first, last = sheet.print_rows
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{sheet.index}">'
                    f"{escape(_quoted_sheet(sheet.name))}!${first + 1}:${last + 1}</definedName>"
                )
        visible = next((s.index for s in self.sheets if not s.state), 0)
        return (
            _DECLARATION
            + f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            + f'<bookViews><workbookView activeTab="{visible}"/></bookViews>'
            + f"<sheets>{sheets}</sheets>"
            + (f"<definedNames>{''.join(names)}</definedNames>" if names else "")
            # As Excel-compatible writers leave it: recalculated on opening (there are no
            # formulas; the readers of received files do not trust stored results then).
            + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )

    def _content_types(self) -> str:
        overrides = [
            ("/xl/workbook.xml", f"{_SPREADSHEET}.sheet.main+xml"),
            ("/xl/styles.xml", f"{_SPREADSHEET}.styles+xml"),
            ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            (
                "/docProps/app.xml",
                "application/vnd.openxmlformats-officedocument.extended-properties+xml",
            ),
            *(
                (f"/xl/worksheets/sheet{s.index + 1}.xml", f"{_SPREADSHEET}.worksheet+xml")
                for s in self.sheets
            ),
        ]
        if self._string_xml:
            overrides.append(("/xl/sharedStrings.xml", f"{_SPREADSHEET}.sharedStrings+xml"))
        return (
            _DECLARATION
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            + '<Default Extension="rels" '
            + 'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            + '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
            + "</Types>"
        )

    def _relations(self) -> str:
        kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        relations = [
            (f"rId{s.index + 1}", f"{kind}/worksheet", f"worksheets/sheet{s.index + 1}.xml")
            for s in self.sheets
        ]
        relations.append((f"rId{len(self.sheets) + 1}", f"{kind}/styles", "styles.xml"))
        if self._string_xml:
            relations.append(
                (f"rId{len(self.sheets) + 2}", f"{kind}/sharedStrings", "sharedStrings.xml")
            )
        return _relationships(relations)

    def _core(self) -> str:
        title, subject, author = (escape(p) for p in self.properties)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            _DECLARATION
            + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            + 'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            + 'xmlns:dcterms="http://purl.org/dc/terms/" '
            + 'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            + 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + f"<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"
            + f"<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
            + f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            + "</cp:coreProperties>"
        )

    def close(self) -> None:
        """Finish the last sheet and write what describes the workbook."""
        if not self.sheets:
            self.add_sheet("Feuil1")
        self.sheets[-1].close()
        package = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        parts = {
            "xl/workbook.xml": self._workbook(),
            "xl/styles.xml": self._styles(),
            **({"xl/sharedStrings.xml": self._shared_strings()} if self._string_xml else {}),
            "xl/_rels/workbook.xml.rels": self._relations(),
            "[Content_Types].xml": self._content_types(),
            "_rels/.rels": _relationships(
                [
                    ("rId1", f"{package}/officeDocument", "xl/workbook.xml"),
                    (
                        "rId2",
                        f"{_PACKAGE_RELATIONSHIPS}/metadata/core-properties",
                        "docProps/core.xml",
                    ),
                    ("rId3", f"{package}/extended-properties", "docProps/app.xml"),
                ]
            ),
            "docProps/core.xml": self._core(),
            "docProps/app.xml": (
                _DECLARATION
                + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                + 'extended-properties"><Application>SRADAR Desktop</Application></Properties>'
            ),
        }
        for name, text in parts.items():
            self.packer.write_member(name, text.encode())
        self.packer.finish()


def _relationships(relations: Sequence[tuple[str, str, str]]) -> str:
    return (
        _DECLARATION
        + f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        + "".join(
            f'<Relationship Id="{i}" Type="{kind}" Target="{target}"/>'
            for i, kind, target in relations
        )
        + "</Relationships>"
    )
