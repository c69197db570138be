"""Writing the exchange workbook with openpyxl.

What a person sees: a ``Lisez-moi`` sheet, then ``Questionnaire`` and ``Indicateurs`` with
readable widths, wrapped text, frozen headers, filters, a drop-down of the scale, the scale's
colours, locked structure (without a password: against accidents, not a security) and answer
cells left free, set up to print in landscape on the page width. User text is always written as
text, never as a formula. The file is written under a temporary name and moved into place.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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

from sradar_desktop.domain.plan import Action, IndicatorKind, Plan, plan_to_mapping
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
LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)

NUMBER_FORMATS = {
    IndicatorKind.INTEGER: "#,##0",
    IndicatorKind.DECIMAL: "#,##0.##########",
    IndicatorKind.PERCENTAGE: '0.##" %"',
}


@dataclass(frozen=True)
class _Style:
    font: Font | None = None
    fill: PatternFill | None = None
    protection: Protection = LOCKED
    number_format: str | None = None


HEADER = _Style(font=HEADER_FONT, fill=HEADER_FILL)
STRUCTURE = _Style(fill=LOCKED_FILL)
ANSWER = _Style(protection=UNLOCKED)


def safe_text(value: str) -> str:
    """Text an xlsx cell can hold: no control characters, within a cell's size."""
    return _ILLEGAL.sub("", value)


def _cell(sheet: object, value: object, style: _Style) -> WriteOnlyCell:
    if isinstance(value, str):
        value = safe_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Always a string cell, never a formula; the quote prefix keeps it text even when
        # someone edits the cell in Excel (what Excel itself does for '=…).
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    cell.alignment = WRAP
    cell.border = BORDER
    cell.protection = style.protection
    if style.font is not None:
        cell.font = style.font
    if style.fill is not None:
        cell.fill = style.fill
    if style.number_format is not None:
        cell.number_format = style.number_format
    return cell


def _number(stored: str | None, kind: IndicatorKind) -> object:
    if stored is None:
        return None
    if kind is IndicatorKind.TEXT:
        return stored
    number = Decimal(stored)
    return int(number) if number == number.to_integral_value() else float(number)


def _setup_table_sheet(
    sheet: object, columns: Sequence[str], widths: Sequence[float], rows: int
) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(rows + 1, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection = SheetProtection(
        sheet=True, autoFilter=False, sort=False, formatColumns=False, formatRows=False
    )


def _objective_label(plan: Plan) -> dict[str, tuple[str, str]]:
    labels = {}
    for objective in plan.objectives:
        for theme in objective.themes:
            for action in theme.actions:
                labels[action.code] = (
                    f"{objective.code}. {objective.title}",
                    f"{theme.code} {theme.title}",
                )
    return labels


def _write_readme(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    sheet = book.create_sheet(fmt.SHEET_README)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    plain = _Style()
    bold = _Style(font=Font(bold=True))
    title = _Style(font=Font(bold=True, size=14))
    exported = content.exported_at.astimezone().strftime("%d/%m/%Y à %H:%M")
    respondents = ", ".join(
        f"{r.code} ({r.label})" if r.label and r.label != r.code else r.code
        for r in content.respondents
    )

    def line(*values: str, style: _Style = plain) -> None:
        sheet.append([_cell(sheet, v, style) for v in values])

    line(content.plan.title, style=title)
    line("")
    line("Campagne", content.campaign_title, style=plain)
    line("Répondant(s)", respondents or "—")
    line("Préparé le", f"{exported} avec SRADAR Desktop {content.app_version}")
    line("")
    line("Comment remplir ce classeur", style=bold)
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
        line(text)
    line("")
    line("Réponses possibles", style=bold)
    for level in content.plan.scale.levels:
        fill = PatternFill("solid", start_color="FF" + level.color.lstrip("#").upper())
        sheet.append(
            [
                _cell(sheet, level.code, _Style(font=Font(bold=True, color="FFFFFFFF"), fill=fill)),
                _cell(sheet, level.description or level.label, plain),
            ]
        )


def _write_answers(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    sheet = book.create_sheet(fmt.SHEET_ANSWERS)
    plan = content.plan
    actions = {a.code: a for a in plan.actions()}
    places = _objective_label(plan)
    _setup_table_sheet(
        sheet, fmt.ANSWER_COLUMNS, (9, 30, 30, 60, 16, 14, 16, 60), len(content.answers)
    )
    codes = ",".join(plan.scale.codes)
    validation = DataValidation(
        type="list",
        formula1=f'"{codes}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Réponse non prévue",
        error=f"Choisissez une réponse dans la liste : {plan.scale.choices_text()}.",
        promptTitle="Réalisation",
        prompt=f"Choisissez : {plan.scale.choices_text()}.",
        showInputMessage=True,
    )
    status_column = get_column_letter(fmt.ANSWER_COLUMNS.index(fmt.COL_STATUS) + 1)
    last_row = len(content.answers) + 1
    status_range = f"{status_column}2:{status_column}{max(last_row, 2)}"
    validation.add(status_range)
    sheet.data_validations.append(validation)
    for level in plan.scale.levels:
        colour = level.color.lstrip("#").upper()
        sheet.conditional_formatting.add(
            status_range,
            CellIsRule(
                operator="equal",
                formula=[f'"{level.code}"'],
                fill=PatternFill("solid", start_color="FF" + colour, end_color="FF" + colour),
                font=Font(bold=True, color="FFFFFFFF"),
            ),
        )
    sheet.append([_cell(sheet, name, HEADER) for name in fmt.ANSWER_COLUMNS])
    for row in content.answers:
        action = actions[row.action_code]
        objective, theme = places[row.action_code]
        sheet.append(
            [
                _cell(sheet, action.code, STRUCTURE),
                _cell(sheet, objective, STRUCTURE),
                _cell(sheet, theme, STRUCTURE),
                _cell(sheet, action.text, STRUCTURE),
                _cell(sheet, ", ".join(action.pilots), STRUCTURE),
                _cell(sheet, row.respondent, STRUCTURE),
                _cell(sheet, row.status, ANSWER),
                _cell(sheet, row.comment or None, ANSWER),
            ]
        )


def _write_indicators(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    sheet = book.create_sheet(fmt.SHEET_INDICATORS)
    actions: dict[str, Action] = {a.code: a for a in content.plan.actions()}
    _setup_table_sheet(
        sheet, fmt.INDICATOR_COLUMNS, (9, 50, 40, 14, 14, 16, 16), len(content.indicators)
    )
    sheet.append([_cell(sheet, name, HEADER) for name in fmt.INDICATOR_COLUMNS])
    for row in content.indicators:
        action = actions[row.action_code]
        indicator = action.indicators[row.position]
        kind = indicator.kind
        answer = _Style(protection=UNLOCKED, number_format=NUMBER_FORMATS.get(kind))
        sheet.append(
            [
                _cell(sheet, action.code, STRUCTURE),
                _cell(sheet, action.text, STRUCTURE),
                _cell(sheet, indicator.label, STRUCTURE),
                _cell(sheet, indicator.unit or None, STRUCTURE),
                _cell(sheet, row.respondent, STRUCTURE),
                _cell(sheet, _number(row.target, kind), answer),
                _cell(sheet, _number(row.achieved, kind), answer),
            ]
        )


def _meta_rows(content: fmt.ExchangeWorkbook) -> Iterable[list[object]]:
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
    yield [fmt.META_ANSWERS_SHEET, fmt.SHEET_ANSWERS]
    yield [fmt.META_INDICATORS_SHEET, fmt.SHEET_INDICATORS]
    for index in range(0, len(plan_json), fmt.PLAN_CHUNK):
        yield [
            f"{fmt.META_PLAN}.{index // fmt.PLAN_CHUNK + 1}",
            plan_json[index : index + fmt.PLAN_CHUNK],
        ]
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
    from sradar_desktop.domain.merge import value_digest

    for answer in content.answers:
        if answer.at is not None:
            yield [
                "",
                answer.respondent,
                answer.action_code,
                "",
                answer.at.isoformat(),
                answer.by,
                value_digest(answer.value),
            ]
    for value in content.indicators:
        if value.at is not None:
            yield [
                "",
                value.respondent,
                value.action_code,
                value.position,
                value.at.isoformat(),
                value.by,
                value_digest(value.value),
            ]


def _write_meta(book: Workbook, content: fmt.ExchangeWorkbook) -> None:
    sheet = book.create_sheet(fmt.SHEET_META)
    sheet.sheet_state = "veryHidden"
    plain = _Style()
    for row in _meta_rows(content):
        sheet.append([_cell(sheet, v, plain) if isinstance(v, str) else v for v in row])


def write_exchange_workbook(content: fmt.ExchangeWorkbook, path: Path) -> None:
    """Write ``content`` to ``path`` (``.xlsx``), atomically."""
    book = Workbook(write_only=True)
    book.properties.creator = f"SRADAR Desktop {content.app_version}"
    book.properties.title = content.plan.title
    book.properties.subject = content.campaign_title
    _write_readme(book, content)
    _write_answers(book, content)
    _write_indicators(book, content)
    _write_meta(book, content)
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
