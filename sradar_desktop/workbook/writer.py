"""Writing the exchange workbook.

What a person sees: a ``Lisez-moi`` sheet, then ``Questionnaire`` and ``Indicateurs`` with
readable widths, wrapped text, frozen headers, filters, a drop-down of the scale, the scale's
colours, locked structure (without a password: against accidents, not a security) and answer
cells left free, set up to print in landscape on the page width. User text is always written as
text, never as a formula. The file is written under a temporary name and moved into place.

The consolidated workbook (``reports.workbook``) is built from the same pieces. Both are written
by ``xlsx``, row after row straight into the zip: a styled sheet of a hundred thousand rows in
less time than a general library takes to write the same cells without styles (see the
benchmarks), which matters for consolidations of hundreds of services.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring
from pathlib import Path

from sradar_desktop.domain.dates import long_date, moment_text
from sradar_desktop.domain.plan import Action, IndicatorKind, Plan, plan_to_mapping
from sradar_desktop.domain.scale import Scale
from sradar_desktop.saving import save_atomically
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.cells import column_letter
from sradar_desktop.workbook.xlsx import (
    Highlight,
    Sheet,
    Style,
    Workbook,
    excel_local_time,
    excel_time,
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767  # characters an xlsx cell holds

NUMBER_FORMATS = {
    IndicatorKind.INTEGER: "#,##0",
    IndicatorKind.DECIMAL: "#,##0.##########",
    IndicatorKind.PERCENTAGE: '0.##" %"',
}
PERCENT = "0.00 %"
DATE_TIME = "dd/mm/yyyy hh:mm"
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit
_OPENINGS = [f'<c r="{column_letter(i)}' for i in range(702)]  # A to ZZ, before the row
# Texts up to this length are remembered as their XML, up to this many characters of it per
# sheet (an action's text comes back on every respondent's row; comments, each its own, fill
# it and it starts again).
_REMEMBERED = 1000
_REMEMBERED_CHARACTERS = 1 << 20

HEADER = Style(bold=True, color="FFFFFF", fill="1F3864")
STRUCTURE = Style(fill="F2F2F2")
# What the respondent said in the previous campaign: read-only, greyed, in grey letters.
PREVIOUS = Style(color="595959", fill="E7E6E6")
ANSWER = Style(locked=False)
PLAIN = Style()
BOLD = Style(bold=True)


def level_style(colour: str) -> Style:
    return Style(bold=True, color="FFFFFF", fill=colour.lstrip("#").upper())


def _lines(value: object, width: float) -> int:
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(int(width * 1.15) - 1, 4)
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


def clip(text: str, continued: str = " […]") -> str:
    """Text that fits in a cell (a cell holds 32,767 characters)."""
    if len(text) <= MAX_CELL:
        return text
    return text[: MAX_CELL - len(continued)] + continued


@dataclass(frozen=True)
class Prepared:
    """Cells written on many rows (``Table.prepare``): their XML around the row number, which
    ``number.join(segments)`` puts in, the columns they fill and the lines they take."""

    segments: tuple[str, ...]
    columns: int
    lines: int


class Table:
    """A sheet written row by row, with row heights that fit their wrapped text.

    Spreadsheets do not always size rows to wrapped text when they open a file (LibreOffice
    does not, nor does printing): each row's height is estimated from its longest cell. Text is
    always written as text, never as a formula. ``rows`` is the number of data rows below the
    header, which the filter covers.
    """

    def __init__(
        self,
        book: Workbook,
        name: str,
        widths: Sequence[float],
        rows: int,
        *,
        protect: bool = True,
        freeze: tuple[int, int] | None = (1, 1),
        filter_header: bool = True,
    ) -> None:
        self.book = book
        self.sheet: Sheet = book.add_sheet(name, widths=widths, freeze=freeze, protect=protect)
        self.widths = list(widths)
        self.row = 0
        if filter_header:
            self.sheet.autofilter(0, 0, max(rows, 1), len(widths) - 1)
            self.sheet.repeat_rows(0)
        # What a cell writes after its row number, with the lines it takes, by value, style and
        # column: a sheet repeats its codes, labels, statuses and empty cells on every row.
        self._tails: dict[tuple[object, int, int], tuple[str, int, Style]] = {}
        self._remembered = 0  # characters of XML in ``_tails``
        # Styles by identity: hashing a style's fields for every cell shows in large sheets.
        self._xfs: dict[tuple[int, bool], tuple[Style, int]] = {}

    def _xf(self, style: Style, quoted: bool = False) -> int:
        known = self._xfs.get((id(style), quoted))
        if known is not None and known[0] is style:
            return known[1]
        index = self.book.xf(style, quoted)
        self._xfs[(id(style), quoted)] = (style, index)
        return index

    def prepare(self, cells: Sequence[tuple[object, Style] | None], first: int = 0) -> Prepared:
        """Cells to write on many rows, from column ``first``: their XML is made once."""
        segments = []
        pending = ""
        lines = 1
        for column, cell in enumerate(cells, start=first):
            if cell is None:
                continue
            tail, taken = self._tail(*cell, column)
            segments.append(pending + _OPENINGS[column])
            pending = tail
            lines = max(lines, taken)
        segments.append(pending)
        return Prepared(tuple(segments), len(cells), lines)

    def append(
        self, cells: Sequence[tuple[object, Style] | None], *, after: Sequence[Prepared] = ()
    ) -> None:
        """Write the next row: (value, style) per column, ``None`` for an empty cell; after
        the cells ``prepared`` for the first columns, if any."""
        number = str(self.row + 1)
        lines = 1
        parts = [number, ""]  # the row's opening, once its height is known
        column = -1  # the column of the cell before
        for prepared in after:
            parts.append(number.join(prepared.segments))
            if prepared.lines > lines:
                lines = prepared.lines
            column += prepared.columns
        tails = self._tails
        for cell in cells:
            column += 1
            if cell is None:
                continue
            value, style = cell
            # Values that write as they compare: not a truth value (1 == True), nor a moment
            # with its zone (the same instant elsewhere shows another time).
            if type(value) is str:
                remembered = len(value) <= _REMEMBERED
            else:
                remembered = (
                    value is None
                    or type(value) is int
                    or (type(value) is datetime and value.tzinfo is None)
                )
            if remembered:
                key = (value, id(style), column)
                known = tails.get(key)
                if known is not None and known[2] is style:
                    tail, taken, _ = known
                else:
                    tail, taken = self._tail(value, style, column)
                    self._remembered += len(tail)
                    if self._remembered > _REMEMBERED_CHARACTERS:
                        tails.clear()
                        self._remembered = len(tail)
                    tails[key] = (tail, taken, style)
            else:
                tail, taken = self._tail(value, style, column)
            parts += (_OPENINGS[column], number, tail)
            if taken > lines:
                lines = taken
        if lines > 1:
            height = min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)
            parts[1] = f'" ht="{height:.16G}" customHeight="1">'
        else:
            parts[1] = '">'
        parts.append("</row>")
        self.sheet.add_row('<row r="' + "".join(parts))
        self.row += 1

    def _tail(self, value: object, style: Style, column: int) -> tuple[str, int]:
        """A cell's XML after its row number, and the lines its text takes."""
        if type(value) is float:  # figures and times: the values most often not remembered
            return _number(self._xf(style), value), 1
        if isinstance(value, str) and value:
            value = clip(value)
            lines = 1
            if style.wrap and column < len(self.widths) and len(value) > self.widths[column]:
                lines = _lines(value, self.widths[column])
            elif "\n" in value:
                lines = value.count("\n") + 1
            xf = self._xf(style, value.startswith(_FORMULA_START))
            return f'" s="{xf}"{self.book.text(value)}', lines
        return _cell(self._xf(style), None if value == "" else value), 1

    def header(self, names: Sequence[str], styles: Sequence[Style] | None = None) -> None:
        self.append(list(zip(names, styles or [HEADER] * len(names), strict=True)))


def _cell(xf: int, value: object) -> str:
    """The XML after its row number of a cell that is not text: empty (its style only), a
    moment, a truth value, a number."""
    if value is None:
        return f'" s="{xf}"/>'
    if isinstance(value, datetime):
        return f'" s="{xf}"><v>{excel_time(value):.16G}</v></c>'
    if isinstance(value, bool):
        return f'" s="{xf}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return _number(xf, value)
    raise TypeError(f"cellule d'un type inattendu : {type(value).__name__}")


def _number(xf: int, value: float | Decimal) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value} ne s'écrit pas dans une cellule")
    return f'" s="{xf}"><v>{value:.16G}</v></c>'


def number(stored: str | None, kind: IndicatorKind) -> object:
    """The cell value of a stored indicator value: a number, or text for text indicators."""
    if stored is None:
        return None
    if kind is IndicatorKind.TEXT:
        return stored
    value = Decimal(stored)
    return int(value) if value == value.to_integral_value() else float(value)


def colour_statuses(table: Table, first_row: int, last_row: int, column: int, scale: Scale) -> None:
    """The scale's colours on status cells, following whatever is typed in them."""
    table.sheet.conditional_format(
        first_row,
        column,
        max(last_row, first_row),
        [
            (level.code, Highlight("FFFFFF", level.color.lstrip("#").upper()))
            for level in scale.levels
        ],
    )


def places(plan: Plan) -> dict[str, tuple[str, str]]:
    """For each action code, its objective and theme as shown in the sheets."""
    labels = {}
    for objective in plan.objectives:
        for theme in objective.themes:
            for action in theme.actions:
                labels[action.code] = (
                    f"{objective.code}. {objective.title}",
                    f"{theme.code} {theme.title}",
                )
    return labels


def write_readme(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    table = Table(
        book,
        fmt.SHEET_README,
        (28, 90),
        0,
        protect=False,
        freeze=None,
        filter_header=False,
    )
    exported = moment_text(content.exported_at)
    respondents = ", ".join(
        f"{r.code} ({r.label})" if r.label and r.label != r.code else r.code
        for r in content.respondents
    )
    title = Style(bold=True, wrap=False)
    table.append([(content.plan.title, title)])
    table.append([])
    campaign = content.campaign_title
    if content.campaign_period and content.campaign_period not in campaign:
        campaign += f" (période {content.campaign_period})"
    table.append([("Campagne", BOLD), (campaign, PLAIN)])
    if content.campaign_due is not None:
        table.append([("À renvoyer avant le", BOLD), (long_date(content.campaign_due), PLAIN)])
    if content.return_address:
        table.append([("À renvoyer à", BOLD), (content.return_address, PLAIN)])
    table.append([("Répondant(s)", BOLD), (respondents or "—", PLAIN)])
    table.append(
        [
            ("Préparé le", BOLD),
            (f"{exported} avec SRADAR Desktop {content.app_version}", PLAIN),
        ]
    )
    table.append([])
    table.append([("Comment remplir ce classeur", title)])
    for text in (
        "1. Ouvrez la feuille « Questionnaire » : une ligne par action à évaluer.",
        "2. Dans la colonne « Réalisation », choisissez une réponse dans la liste déroulante.",
        "3. Dans la colonne « Commentaire », précisez ce qui a été fait, ce qui manque, "
        "les difficultés rencontrées.",
        "4. Si la feuille « Indicateurs » contient des lignes, saisissez la valeur cible et la "
        "valeur réalisée (des nombres, par exemple 1 234 ou 12,5).",
        "5. Enregistrez le classeur au format Excel (.xlsx), sans le renommer ni supprimer de "
        "feuille"
        + (
            f". Renvoyez ce classeur par courriel à {content.return_address}."
            if content.return_address
            else ", et renvoyez-le par courriel."
        ),
        "Les cellules grisées (codes, textes des actions, répondant) sont protégées contre les "
        "modifications accidentelles ; vous pouvez trier et filtrer les lignes.",
    ):
        table.append([None, (text, PLAIN)])
    if content.previous_campaign_id:
        table.append(
            [
                None,
                (
                    "Les colonnes « Réalisation précédente » et « Commentaire précédent » "
                    "rappellent la réponse donnée à l'évaluation précédente : elles ne se "
                    "modifient pas. Une réponse marquée « oui » dans la colonne « Reprise à "
                    "confirmer » a été reprise de l'évaluation précédente : corrigez-la, ou "
                    "effacez ce « oui » pour la confirmer telle quelle.",
                    PLAIN,
                ),
            ]
        )
    table.append([])
    table.append([("Réponses possibles", title)])
    for level in content.plan.scale.levels:
        table.append(
            [(level.code, level_style(level.color)), (level.description or level.label, PLAIN)]
        )


ANSWER_WIDTHS = (9, 30, 30, 60, 16, 14, 16, 60)
STAMP_COLUMNS = ("Modifié le", "Modifié par")


def write_answers(
    book: Workbook,
    content: fmt.ExchangeWorkbook,
    *,
    sheet_name: str = fmt.SHEET_ANSWERS,
    labels: dict[str, str] | None = None,
) -> None:
    """One row per action × respondent.

    With ``labels``, the consolidated workbook's long format, ready for a pivot table: the
    respondent's label and the time and author of each answer are added, and the action's text
    is left to the « Questionnaire » sheet (repeated for every respondent, it would make the
    sheet several times larger for nothing a pivot table uses).
    """
    plan = content.plan
    where = places(plan)
    long_format = labels is not None
    if long_format:
        columns = [
            fmt.COL_CODE,
            fmt.COL_OBJECTIVE,
            fmt.COL_THEME,
            fmt.COL_PILOTS,
            fmt.COL_RESPONDENT,
            fmt.COL_RESPONDENT_LABEL,
            fmt.COL_STATUS,
            fmt.COL_COMMENT,
            *STAMP_COLUMNS,
        ]
        widths = [9, 30, 30, 16, 14, 30, 16, 60, 17, 24]
    else:
        columns, widths = list(fmt.ANSWER_COLUMNS), list(ANSWER_WIDTHS)
    # A campaign created from a previous one: what was said then, and what is to confirm.
    show_previous = bool(content.previous_campaign_id) and not long_format
    show_to_confirm = bool(content.previous_campaign_id) and content.kind != fmt.KIND_BLANK
    if show_previous:
        columns += [fmt.COL_PREVIOUS_STATUS, fmt.COL_PREVIOUS_COMMENT]
        widths += [16, 50]
    if show_to_confirm:
        columns.append(fmt.COL_TO_CONFIRM)
        widths.append(14)
    # What does not depend on the respondent, once per action.
    fixed: dict[str, list[tuple[object, Style]]] = {}
    for action in plan.actions():
        objective, theme = where[action.code]
        pilots = ", ".join(action.pilots)
        fixed[action.code] = (
            [
                (action.code, STRUCTURE),
                (objective, STRUCTURE),
                (theme, STRUCTURE),
                (pilots, STRUCTURE),
            ]
            if long_format
            else [
                (action.code, STRUCTURE),
                (objective, STRUCTURE),
                (theme, STRUCTURE),
                (action.text, STRUCTURE),
                (pilots, STRUCTURE),
            ]
        )
    rows = len(content.answers)
    table = Table(book, sheet_name, widths, rows)
    status = columns.index(fmt.COL_STATUS)
    table.sheet.drop_down(
        1,
        status,
        max(rows, 1),
        plan.scale.codes,
        prompt=("Réalisation", f"Choisissez : {plan.scale.choices_text()}."),
        error=(
            "Réponse non prévue",
            f"Choisissez une réponse dans la liste : {plan.scale.choices_text()}.",
        ),
    )
    colour_statuses(table, 1, rows, status, plan.scale)
    table.header(columns)
    stamp = Style(fill="F2F2F2", number_format=DATE_TIME)
    # The cells of an action, and of a respondent, made once (a sheet of a thousand
    # respondents repeats them a thousand times).
    actions = {code: table.prepare(cells) for code, cells in fixed.items()}
    whose = len(next(iter(fixed.values()), ()))
    respondents: dict[str, Prepared] = {}
    for line in content.answers:
        who = respondents.get(line.respondent)
        if who is None:
            who = respondents[line.respondent] = table.prepare(
                [(line.respondent, STRUCTURE)]
                + (
                    [(labels.get(line.respondent, line.respondent), STRUCTURE)]
                    if labels is not None
                    else []
                ),
                whose,
            )
        cells: list[tuple[object, Style] | None] = [(line.status, ANSWER)]
        cells.append((line.comment or None, ANSWER))
        if labels is not None:
            at = excel_local_time(line.at) if line.at else None
            cells += [(at, stamp), (line.by or None, STRUCTURE)]
        if show_previous:
            before = content.previous.get((line.respondent, line.action_code), (None, ""))
            cells += [(before[0], PREVIOUS), (before[1] or None, PREVIOUS)]
        if show_to_confirm:
            # Left free: clearing « oui » confirms the answer as it is.
            cells.append((fmt.TO_CONFIRM_MARK if line.to_confirm else None, ANSWER))
        table.append(cells, after=(actions[line.action_code], who))


def write_indicators(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    table = Table(book, fmt.SHEET_INDICATORS, (9, 50, 40, 14, 14, 16, 16), len(content.indicators))
    actions: dict[str, Action] = {a.code: a for a in content.plan.actions()}
    table.header(fmt.INDICATOR_COLUMNS)
    for line in content.indicators:
        action = actions[line.action_code]
        indicator = action.indicators[line.position]
        answer = Style(locked=False, number_format=NUMBER_FORMATS.get(indicator.kind))
        table.append(
            [
                (action.code, STRUCTURE),
                (action.text, STRUCTURE),
                (indicator.label, STRUCTURE),
                (indicator.unit or None, STRUCTURE),
                (line.respondent, STRUCTURE),
                (number(line.target, indicator.kind), answer),
                (number(line.achieved, indicator.kind), answer),
            ]
        )


def _chunks(text: str) -> Iterable[str]:
    for start in range(0, len(text), fmt.PLAN_CHUNK):
        yield text[start : start + fmt.PLAN_CHUNK]


def _meta_rows(
    content: fmt.ExchangeWorkbook, answers_sheet: str, indicators_sheet: str
) -> Iterable[list[object]]:
    respondents = json.dumps(
        [
            {"code": r.code, "label": r.label, "department": r.department}
            for r in content.respondents
        ],
        ensure_ascii=False,
    )
    yield [fmt.META_FORMAT, fmt.FORMAT_NAME]
    yield [fmt.META_FORMAT_VERSION, fmt.FORMAT_VERSION]
    yield [fmt.META_APP_VERSION, content.app_version]
    yield [fmt.META_KIND, content.kind]
    yield [fmt.META_EXPORTED_AT, content.exported_at.isoformat()]
    yield [fmt.META_QUESTIONNAIRE_ID, content.plan.id]
    yield [fmt.META_QUESTIONNAIRE_DIGEST, content.plan.digest()]
    yield [fmt.META_QUESTIONNAIRE_TITLE, content.plan.title]
    yield [fmt.META_CAMPAIGN_ID, content.campaign_id]
    yield [fmt.META_CAMPAIGN_TITLE, content.campaign_title]
    yield [fmt.META_CAMPAIGN_PERIOD, content.campaign_period]
    yield [fmt.META_PREVIOUS_CAMPAIGN_ID, content.previous_campaign_id]
    yield [
        fmt.META_CAMPAIGN_DUE,
        content.campaign_due.isoformat() if content.campaign_due is not None else "",
    ]
    yield [fmt.META_CAMPAIGN_EXPECTED, ",".join(content.expected)]
    yield [fmt.META_RETURN_ADDRESS, content.return_address]
    yield [fmt.META_RESPONDENTS, respondents]
    yield [fmt.META_ANSWERS_SHEET, answers_sheet]
    yield [fmt.META_INDICATORS_SHEET, indicators_sheet]
    plan_json = json.dumps(plan_to_mapping(content.plan), ensure_ascii=False)
    for index, chunk in enumerate(_chunks(plan_json), start=1):
        yield [f"{fmt.META_PLAN}.{index}", chunk]
    # The stamps, one JSON line per answer or indicator value, in cells of ≤ 30,000 characters;
    # then the answers' digest, made from the same digests of the values (the rows of this
    # sheet are read by their keys, in any order).
    digests = fmt.Digests(content)
    for index, chunk in enumerate(_chunked(_stamp_lines(digests.lines())), start=1):
        yield [f"{fmt.META_STAMPS}.{index}", chunk]
    yield [fmt.META_ANSWERS_DIGEST, digests.answers()]


def _stamp_lines(
    lines: Iterable[tuple[fmt.AnswerLine | fmt.IndicatorLine, str]],
) -> Iterator[str]:
    """The stamp of each answer and indicator value (with the digest of its value) as
    ``json.dumps`` writes the list, its strings encoded by the same function: the stamps of a
    hundred thousand values are not kept."""
    text = encode_basestring
    for line, digest in lines:
        if line.at is not None:
            position = line.position if isinstance(line, fmt.IndicatorLine) else "null"
            yield (
                f"[{text(line.respondent)}, {text(line.action_code)}, {position}, "
                f'{text(line.at.isoformat())}, {text(line.by)}, "{digest}"]'
            )


def _chunked(lines: Iterable[str]) -> Iterator[str]:
    """``_chunks`` of the lines joined by new lines, without the whole text in memory (the
    stamps of a consolidation: a hundred thousand lines)."""
    pending: list[str] = []
    size = 0
    started = False
    for line in lines:
        piece = "\n" + line if started else line
        started = True
        pending.append(piece)
        size += len(piece)
        if size >= fmt.PLAN_CHUNK:
            text = "".join(pending)
            while len(text) >= fmt.PLAN_CHUNK:
                yield text[: fmt.PLAN_CHUNK]
                text = text[fmt.PLAN_CHUNK :]
            pending, size = [text], len(text)
    text = "".join(pending)
    if text:
        yield text


def write_meta(
    book: Workbook,
    content: fmt.ExchangeWorkbook,
    *,
    answers_sheet: str = fmt.SHEET_ANSWERS,
    indicators_sheet: str = fmt.SHEET_INDICATORS,
) -> None:
    table = Table(
        book,
        fmt.SHEET_META,
        (24, 80),
        0,
        protect=False,
        freeze=None,
        filter_header=False,
    )
    table.sheet.very_hidden()
    plain = Style(wrap=False)
    for row in _meta_rows(content, answers_sheet, indicators_sheet):
        table.append([(value, plain) for value in row])


def new_workbook(content: fmt.ExchangeWorkbook, path: Path) -> Workbook:
    """A workbook writing to ``path``, row after row (constant memory)."""
    return Workbook(
        path, title=content.plan.title, subject=content.campaign_title, author="SRADAR Desktop"
    )


def write_exchange_workbook(content: fmt.ExchangeWorkbook, path: Path) -> None:
    """Write ``content`` to ``path`` (``.xlsx``), atomically."""

    def build(temporary: Path) -> None:
        book = new_workbook(content, temporary)
        write_readme(book, content)
        write_answers(book, content)
        write_indicators(book, content)
        write_meta(book, content)
        book.close()

    save_workbook(build, path)


def save_workbook(build: Callable[[Path], object], path: Path) -> None:
    """``build(temporary_path)`` writes the workbook; it is then moved into place."""
    save_atomically(build, path, document="le classeur", opened_in="Excel ou LibreOffice")
