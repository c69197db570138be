"""Writing the exchange workbook with openpyxl.

What a person sees: a ``Lisez-moi`` sheet, then ``Questionnaire`` and ``Indicateurs`` with
readable widths, wrapped text, frozen headers, filters, a drop-down of the scale, the scale's
colours, locked structure (without a password: against accidents, not a security) and answer
cells left free, set up to print in landscape on the page width. User text is always written as
text, never as a formula. The file is written under a temporary name and moved into place.

The consolidated workbook (``reports.workbook``) is built from the same pieces.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from sradar_desktop.domain.merge import value_digest
from sradar_desktop.domain.plan import Action, IndicatorKind, Plan, plan_to_mapping
from sradar_desktop.domain.scale import Scale
from sradar_desktop.errors import UserError
from sradar_desktop.workbook import format as fmt

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADER_FILL = PatternFill("solid", start_color="FF1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
LOCKED_FILL = PatternFill("solid", start_color="FFF2F2F2")
THIN = Side(style="thin", color="FFBFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")

NUMBER_FORMATS = {
    IndicatorKind.INTEGER: "#,##0",
    IndicatorKind.DECIMAL: "#,##0.##########",
    IndicatorKind.PERCENTAGE: '0.##" %"',
}
PERCENT = "0.00 %"
DATE_TIME = "dd/mm/yyyy hh:mm"


@dataclass(frozen=True)
class Style:
    """How a cell looks; every cell is wrapped, top-aligned and bordered."""

    bold: bool = False
    color: str | None = None  # font colour, RRGGBB
    fill: str | None = None  # background, RRGGBB
    locked: bool = True
    number_format: str | None = None
    wrap: bool = True


HEADER = Style(bold=True, color="FFFFFF", fill="1F3864")
STRUCTURE = Style(fill="F2F2F2")
ANSWER = Style(locked=False)
PLAIN = Style()
BOLD = Style(bold=True)


@dataclass
class Styles:
    """openpyxl style arrays made once per style and shared by every cell that uses it.

    Setting a cell's font, fill… one by one costs more than writing the cell; sharing one
    array is what makes large sheets fast (cells of a write-only sheet are never changed).
    """

    sheet: object
    _arrays: dict[tuple[Style, bool], object] = field(default_factory=dict)

    def array(self, style: Style, quote_prefix: bool = False) -> object:
        key = (style, quote_prefix)
        array = self._arrays.get(key)
        if array is None:
            cell = WriteOnlyCell(self.sheet, value=None)
            cell.alignment = WRAP if style.wrap else Alignment(vertical="top")
            cell.border = BORDER
            cell.protection = Protection(locked=style.locked)
            cell.font = Font(bold=style.bold, color=f"FF{style.color}" if style.color else None)
            if style.fill:
                cell.fill = PatternFill("solid", start_color=f"FF{style.fill}")
            if style.number_format:
                cell.number_format = style.number_format
            if quote_prefix:
                cell.quotePrefix = True
            array = self._arrays[key] = cell._style
        return array

    def cell(self, value: object, style: Style = PLAIN) -> WriteOnlyCell:
        if isinstance(value, str):
            value = _ILLEGAL.sub("", value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            # Always a string cell, never a formula; the quote prefix keeps it text even when
            # someone edits the cell in Excel (what Excel itself does for '=…).
            cell.data_type = "s"
            cell._style = self.array(style, value.startswith(_FORMULA_START))
        else:
            cell._style = self.array(style)
        return cell

    def row(self, *cells: tuple[object, Style]) -> list[WriteOnlyCell]:
        return [self.cell(value, style) for value, style in cells]


LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def _lines(value: object, width: float) -> int:
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(int(width * 1.15) - 1, 4)
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


class Table:
    """A sheet written row by row, with row heights that fit their wrapped text.

    Spreadsheets do not always size rows to wrapped text when they open a file (LibreOffice
    does not, nor does printing): each row's height is estimated from its longest cell.
    Everything about the sheet (widths, panes, printing) is set before the first row, as a
    write-only sheet requires.
    """

    def __init__(
        self,
        book: Workbook,
        name: str,
        widths: Sequence[float],
        rows: int,
        *,
        protect: bool = True,
        freeze: str | None = "B2",
        filter_header: bool = True,
    ) -> None:
        self.sheet = book.create_sheet(name)
        self.styles = Styles(self.sheet)
        self.widths = list(widths)
        self._index = 0
        setup_table(
            self.sheet,
            widths,
            rows,
            protect=protect,
            freeze=freeze,
            filter_header=filter_header,
        )

    def append(self, cells: Sequence[WriteOnlyCell | None]) -> None:
        self._index += 1
        lines = max(
            (
                _lines(cell.value, width)
                for cell, width in zip(cells, self.widths, strict=False)
                if cell is not None
            ),
            default=1,
        )
        if lines > 1:
            self.sheet.row_dimensions[self._index].height = min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)
        self.sheet.append(list(cells))

    def header(self, names: Sequence[str], styles: Sequence[Style] | None = None) -> None:
        self.append(
            [
                self.styles.cell(name, style)
                for name, style in zip(names, styles or [HEADER] * len(names), strict=True)
            ]
        )


def number(stored: str | None, kind: IndicatorKind) -> object:
    """The cell value of a stored indicator value: a number, or text for text indicators."""
    if stored is None:
        return None
    if kind is IndicatorKind.TEXT:
        return stored
    value = Decimal(stored)
    return int(value) if value == value.to_integral_value() else float(value)


def setup_table(
    sheet: object,
    widths: Sequence[float],
    rows: int,
    *,
    protect: bool = True,
    freeze: str | None = "B2",
    filter_header: bool = True,
) -> None:
    """Widths, frozen header, filter, landscape printing on the page width, protection."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    if filter_header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{max(rows + 1, 2)}"
        sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if protect:
        sheet.protection = SheetProtection(
            sheet=True, autoFilter=False, sort=False, formatColumns=False, formatRows=False
        )


def colour_statuses(sheet: object, cell_range: str, scale: Scale) -> None:
    """The scale's colours on status cells, following whatever is typed in them."""
    for level in scale.levels:
        colour = "FF" + level.color.lstrip("#").upper()
        sheet.conditional_formatting.add(
            cell_range,
            CellIsRule(
                operator="equal",
                formula=[f'"{level.code}"'],
                fill=PatternFill("solid", start_color=colour, end_color=colour),
                font=Font(bold=True, color="FFFFFFFF"),
            ),
        )


def level_style(colour: str) -> Style:
    return Style(bold=True, color="FFFFFF", fill=colour.lstrip("#").upper())


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
        book, fmt.SHEET_README, (28, 90), 0, protect=False, freeze=None, filter_header=False
    )
    cell = table.styles.cell
    exported = content.exported_at.astimezone().strftime("%d/%m/%Y à %H:%M")
    respondents = ", ".join(
        f"{r.code} ({r.label})" if r.label and r.label != r.code else r.code
        for r in content.respondents
    )
    title = Style(bold=True, wrap=False)
    table.append([cell(content.plan.title, title)])
    table.append([])
    table.append([cell("Campagne", BOLD), cell(content.campaign_title)])
    table.append([cell("Répondant(s)", BOLD), cell(respondents or "—")])
    table.append(
        [
            cell("Préparé le", BOLD),
            cell(f"{exported} avec SRADAR Desktop {content.app_version}"),
        ]
    )
    table.append([])
    table.append([cell("Comment remplir ce classeur", title)])
    for text in (
        "1. Ouvrez la feuille « Questionnaire » : une ligne par action à évaluer.",
        "2. Dans la colonne « Réalisation », choisissez une réponse dans la liste déroulante.",
        "3. Dans la colonne « Commentaire », précisez ce qui a été fait, ce qui manque, "
        "les difficultés rencontrées.",
        "4. Si la feuille « Indicateurs » contient des lignes, saisissez la valeur cible et la "
        "valeur réalisée (des nombres, par exemple 1 234 ou 12,5).",
        "5. Enregistrez le classeur au format Excel (.xlsx), sans le renommer ni supprimer de "
        "feuille, et renvoyez-le par courriel.",
        "Les cellules grisées (codes, textes des actions, répondant) sont protégées contre les "
        "modifications accidentelles ; vous pouvez trier et filtrer les lignes.",
    ):
        table.append([None, cell(text)])
    table.append([])
    table.append([cell("Réponses possibles", title)])
    for level in content.plan.scale.levels:
        table.append(
            [cell(level.code, level_style(level.color)), cell(level.description or level.label)]
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
    """One row per action × respondent. With ``labels`` (the consolidated workbook's long
    format), the respondent's label and the time and author of each answer are added."""
    plan = content.plan
    actions = {a.code: a for a in plan.actions()}
    where = places(plan)
    columns = list(fmt.ANSWER_COLUMNS)
    widths = list(ANSWER_WIDTHS)
    if labels is not None:
        columns[6:6] = [fmt.COL_RESPONDENT_LABEL]
        widths[6:6] = [30]
        columns += STAMP_COLUMNS
        widths += [17, 24]
    table = Table(book, sheet_name, widths, len(content.answers))
    sheet, styles = table.sheet, table.styles
    status_column = get_column_letter(columns.index(fmt.COL_STATUS) + 1)
    status_range = f"{status_column}2:{status_column}{max(len(content.answers) + 1, 2)}"
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(plan.scale.codes)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Réponse non prévue",
        error=f"Choisissez une réponse dans la liste : {plan.scale.choices_text()}.",
        promptTitle="Réalisation",
        prompt=f"Choisissez : {plan.scale.choices_text()}.",
        showInputMessage=True,
    )
    validation.add(status_range)
    sheet.data_validations.append(validation)
    colour_statuses(sheet, status_range, plan.scale)
    table.header(columns)
    stamp = Style(fill="F2F2F2", number_format=DATE_TIME)
    for line in content.answers:
        action = actions[line.action_code]
        objective, theme = where[line.action_code]
        cells = [
            styles.cell(action.code, STRUCTURE),
            styles.cell(objective, STRUCTURE),
            styles.cell(theme, STRUCTURE),
            styles.cell(action.text, STRUCTURE),
            styles.cell(", ".join(action.pilots), STRUCTURE),
            styles.cell(line.respondent, STRUCTURE),
            styles.cell(line.status, ANSWER),
            styles.cell(line.comment or None, ANSWER),
        ]
        if labels is not None:
            cells.insert(6, styles.cell(labels.get(line.respondent, line.respondent), STRUCTURE))
            at = line.at.astimezone().replace(tzinfo=None) if line.at else None
            cells += [styles.cell(at, stamp), styles.cell(line.by or None, STRUCTURE)]
        table.append(cells)


def write_indicators(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    table = Table(book, fmt.SHEET_INDICATORS, (9, 50, 40, 14, 14, 16, 16), len(content.indicators))
    styles = table.styles
    actions: dict[str, Action] = {a.code: a for a in content.plan.actions()}
    table.header(fmt.INDICATOR_COLUMNS)
    for line in content.indicators:
        action = actions[line.action_code]
        indicator = action.indicators[line.position]
        answer = Style(locked=False, number_format=NUMBER_FORMATS.get(indicator.kind))
        table.append(
            [
                styles.cell(action.code, STRUCTURE),
                styles.cell(action.text, STRUCTURE),
                styles.cell(indicator.label, STRUCTURE),
                styles.cell(indicator.unit or None, STRUCTURE),
                styles.cell(line.respondent, STRUCTURE),
                styles.cell(number(line.target, indicator.kind), answer),
                styles.cell(number(line.achieved, indicator.kind), answer),
            ]
        )


def _meta_rows(
    content: fmt.ExchangeWorkbook, answers_sheet: str, indicators_sheet: str
) -> Iterable[list[object]]:
    plan_json = json.dumps(plan_to_mapping(content.plan), ensure_ascii=False)
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
    yield [fmt.META_RESPONDENTS, respondents]
    yield [fmt.META_ANSWERS_DIGEST, fmt.answers_digest(content)]
    yield [fmt.META_ANSWERS_SHEET, answers_sheet]
    yield [fmt.META_INDICATORS_SHEET, indicators_sheet]
    for start in range(0, len(plan_json), fmt.PLAN_CHUNK):
        chunk = plan_json[start : start + fmt.PLAN_CHUNK]
        yield [f"{fmt.META_PLAN}.{start // fmt.PLAN_CHUNK + 1}", chunk]
    yield []
    yield [
        fmt.META_STAMPS,
        "Répondant",
        "Code",
        "Indicateur",
        "Modifié le",
        "Modifié par",
        "Empreinte",
    ]
    for a in content.answers:
        if a.at is not None:
            yield [
                "",
                a.respondent,
                a.action_code,
                "",
                a.at.isoformat(),
                a.by,
                value_digest(a.value),
            ]
    for i in content.indicators:
        if i.at is not None:
            yield [
                "",
                i.respondent,
                i.action_code,
                i.position,
                i.at.isoformat(),
                i.by,
                value_digest(i.value),
            ]


def write_meta(
    book: Workbook,
    content: fmt.ExchangeWorkbook,
    *,
    answers_sheet: str = fmt.SHEET_ANSWERS,
    indicators_sheet: str = fmt.SHEET_INDICATORS,
) -> None:
    sheet = book.create_sheet(fmt.SHEET_META)
    sheet.sheet_state = "veryHidden"
    styles = Styles(sheet)
    for row in _meta_rows(content, answers_sheet, indicators_sheet):
        sheet.append([styles.cell(v) if isinstance(v, str) else v for v in row])


def new_workbook(content: fmt.ExchangeWorkbook) -> Workbook:
    book = Workbook(write_only=True)
    book.properties.creator = f"SRADAR Desktop {content.app_version}"
    book.properties.title = content.plan.title
    book.properties.subject = content.campaign_title
    return book


def write_exchange_workbook(content: fmt.ExchangeWorkbook, path: Path) -> None:
    """Write ``content`` to ``path`` (``.xlsx``), atomically."""
    book = new_workbook(content)
    write_readme(book, content)
    write_answers(book, content)
    write_indicators(book, content)
    write_meta(book, content)
    save_atomically(book, path)


def save_atomically(book: Workbook, path: Path) -> None:
    """Save under a temporary name in the same folder, then move into place."""
    if not path.parent.is_dir():
        raise UserError(
            f"Le dossier {path.parent} n'existe pas. Choisissez un dossier existant pour "
            "enregistrer le classeur."
        )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except PermissionError as error:
        raise UserError(
            f"Impossible d'écrire {path} : le fichier est peut-être ouvert dans Excel ou "
            "LibreOffice, ou le dossier est protégé. Fermez-le ou choisissez un autre dossier, "
            "puis réessayez."
        ) from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise UserError(
                f"Le disque est plein : {path.name} n'a pas été enregistré. Libérez de la place "
                "puis réessayez."
            ) from error
        raise UserError(f"Impossible d'écrire {path} ({error.strerror}).") from error
    finally:
        temporary.unlink(missing_ok=True)
