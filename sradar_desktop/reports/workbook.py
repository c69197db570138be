"""The consolidated workbook: what the secretariat presents, and still an exchange workbook.

Sheets: ``Synthèse`` (per objective: counts and shares of each status, completion),
``Questionnaire`` (per action: synthesis, distribution, arbitration, comments tagged with their
respondent), ``Indicateurs`` (per respondent and totals, ratio from the totals), ``Réponses``
(one row per respondent × action, ready for a pivot table), ``Suivi`` (who answered). The very
hidden ``_sradar`` sheet points the reader to ``Réponses`` and ``Indicateurs``, so that the file
imports elsewhere and merges again like any exchange workbook.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from sradar_desktop.domain.consolidation import SYNTHESIS_RULE, Consolidation, StatusCounts
from sradar_desktop.domain.text import count
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import (
    BOLD,
    DATE_TIME,
    HEADER,
    NUMBER_FORMATS,
    PERCENT,
    PLAIN,
    STRUCTURE,
    Style,
    Table,
    colour_statuses,
    level_style,
    new_workbook,
    places,
    save_atomically,
    write_answers,
    write_meta,
)

SHEET_SUMMARY = "Synthèse"
SHEET_ACTIONS = "Questionnaire"
SHEET_LONG = "Réponses"
SHEET_FOLLOW_UP = "Suivi"

COUNT = Style(number_format="0")
SHARE = Style(number_format=PERCENT)
TOTAL = Style(bold=True, fill="D9E1F2")
TOTAL_COUNT = Style(bold=True, fill="D9E1F2", number_format="0")
TOTAL_SHARE = Style(bold=True, fill="D9E1F2", number_format=PERCENT)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _local(moment: object) -> object:
    return moment.astimezone().replace(tzinfo=None) if moment is not None else None  # type: ignore[attr-defined]


def _summary(book: Workbook, report: Consolidation) -> None:
    scale = report.plan.scale
    columns = ["Objectif", "Actions"]
    header_styles = [HEADER, HEADER]
    for level in scale.levels:
        columns += [level.label, f"% {level.label.lower()}"]
        header_styles += [level_style(level.color)] * 2
    columns += ["Renseignées", "% renseignées"]
    header_styles += [HEADER, HEADER]
    widths = [60, 10] + [14, 14] * len(scale.levels) + [14, 14]
    table = Table(book, SHEET_SUMMARY, widths, 0, protect=False, freeze="B7", filter_header=False)
    sheet, cell = table.sheet, table.styles.cell
    sheet.print_title_rows = "6:6"
    generated = report.generated_at.astimezone().strftime("%d/%m/%Y à %H:%M")
    title = Style(bold=True, wrap=False)
    line = Style(wrap=False)
    table.append([cell(report.plan.title, title)])
    table.append([cell(f"{report.campaign_title} — consolidation du {generated}", line)])
    table.append(
        [
            cell(
                f"{count(len(report.roster), 'répondant')}, "
                f"{count(report.overall.total, 'action')}",
                line,
            )
        ]
    )
    table.append([cell(SYNTHESIS_RULE, line)])
    table.append([])
    table.header(columns, header_styles)

    def counts_row(label: str, counts: StatusCounts, total: bool = False) -> list:
        number, share, text = (TOTAL_COUNT, TOTAL_SHARE, TOTAL) if total else (COUNT, SHARE, PLAIN)
        cells = [cell(label, text), cell(counts.total, number)]
        for level in scale.levels:
            cells += [
                cell(counts.counts.get(level.code, 0), number),
                cell(_float(counts.share(level.code)), share),
            ]
        completion = counts.answered / counts.total if counts.total else None
        return [*cells, cell(counts.answered, number), cell(completion, share)]

    for objective, counts in report.objective_counts:
        table.append(counts_row(f"{objective.code}. {objective.title}", counts))
    table.append(counts_row("Ensemble du plan", report.overall, total=True))


def _actions(book: Workbook, report: Consolidation) -> None:
    scale = report.plan.scale
    where = places(report.plan)
    columns = [
        "Code",
        "Objectif",
        "Thématique",
        "Action",
        "Pilotes",
        "Synthèse",
        "Répartition",
        *(level.label for level in scale.levels),
        "Statut arbitré",
        "Raison de l'arbitrage",
        "Statut retenu",
        "Commentaires",
    ]
    widths = [9, 28, 28, 55, 16, 15, 24, *[9] * len(scale.levels), 15, 35, 15, 70]
    table = Table(book, SHEET_ACTIONS, widths, len(report.actions), protect=False)
    sheet, styles = table.sheet, table.styles
    last = len(report.actions) + 1
    for name in ("Synthèse", "Statut arbitré", "Statut retenu"):
        column = get_column_letter(columns.index(name) + 1)
        colour_statuses(sheet, f"{column}2:{column}{last}", scale)
    table.header(columns)
    for result in report.actions:
        objective, theme = where[result.action.code]
        distribution = result.distribution
        described = " · ".join(
            f"{level.code} {distribution[level.code]}"
            for level in scale.levels
            if distribution.get(level.code)
        )
        comments = "\n".join(f"[{a.label}] {a.comment.strip()}" for a in result.comments)
        arbitration = result.arbitration
        table.append(
            [
                styles.cell(result.action.code),
                styles.cell(objective),
                styles.cell(theme),
                styles.cell(result.action.text),
                styles.cell(", ".join(result.action.pilots)),
                styles.cell(result.synthesis),
                styles.cell(described or "aucune réponse"),
                *(styles.cell(distribution.get(level.code, 0), COUNT) for level in scale.levels),
                styles.cell(arbitration.status if arbitration else None),
                styles.cell(
                    f"{arbitration.reason} ({arbitration.by})"
                    if arbitration and arbitration.by
                    else (arbitration.reason if arbitration else None)
                ),
                styles.cell(result.final, BOLD),
                styles.cell(comments or None),
            ]
        )


def _indicators(book: Workbook, report: Consolidation) -> None:
    """Long format (per respondent, importable) with a total row per indicator."""
    columns = [*fmt.INDICATOR_COLUMNS, fmt.COL_RESPONDENT_LABEL, "Taux de réalisation"]
    rows = sum(len(i.rows) + 1 for i in report.indicators if i.rows)
    widths = (9, 45, 38, 14, 14, 16, 16, 30, 14)
    table = Table(book, fmt.SHEET_INDICATORS, widths, rows, protect=False)
    styles = table.styles
    table.header(columns)
    for result in report.indicators:
        if not result.rows:
            continue
        figure = Style(number_format=NUMBER_FORMATS.get(result.kind))
        total_figure = Style(
            bold=True, fill="D9E1F2", number_format=NUMBER_FORMATS.get(result.kind)
        )
        for row in result.rows:
            table.append(
                [
                    styles.cell(result.action.code, STRUCTURE),
                    styles.cell(result.action.text, STRUCTURE),
                    styles.cell(result.label, STRUCTURE),
                    styles.cell(result.unit or None, STRUCTURE),
                    styles.cell(row.respondent, STRUCTURE),
                    styles.cell(_float(row.target), figure),
                    styles.cell(_float(row.achieved), figure),
                    styles.cell(row.label, STRUCTURE),
                    styles.cell(_float(row.ratio), SHARE),
                ]
            )
        table.append(
            [
                styles.cell(result.action.code, TOTAL),
                styles.cell(result.action.text, TOTAL),
                styles.cell(result.label, TOTAL),
                styles.cell(result.unit or None, TOTAL),
                styles.cell(fmt.TOTAL_LABEL, TOTAL),
                styles.cell(_float(result.target_total), total_figure),
                styles.cell(_float(result.achieved_total), total_figure),
                styles.cell(count(len(result.rows), "répondant"), TOTAL),
                styles.cell(_float(result.ratio), TOTAL_SHARE),
            ]
        )


def _follow_up(book: Workbook, report: Consolidation) -> None:
    columns = [
        "Répondant",
        "Libellé",
        "Attendu",
        "Actions attendues",
        "Actions renseignées",
        "État",
        "En retard",
        "Dernière modification",
        "Dernier import",
    ]
    widths = (16, 40, 10, 12, 12, 14, 10, 18, 18)
    table = Table(book, SHEET_FOLLOW_UP, widths, len(report.roster), protect=False)
    styles = table.styles
    table.header(columns)
    when = Style(number_format=DATE_TIME)
    states = {"complet": "2E7D32", "partiel": "E65100", "manquant": "C62828"}
    for entry in report.roster:
        colour = states.get(entry.state)
        table.append(
            [
                styles.cell(entry.code),
                styles.cell(entry.label),
                styles.cell("oui" if entry.expected else "non"),
                styles.cell(entry.expected_actions, COUNT),
                styles.cell(entry.answered_actions, COUNT),
                styles.cell(entry.state, level_style(colour) if colour else PLAIN),
                styles.cell("oui" if entry.late(report.due_date) else "non"),
                styles.cell(_local(entry.last_change), when),
                styles.cell(_local(entry.last_import), when),
            ]
        )


def write_consolidated_workbook(
    report: Consolidation, content: fmt.ExchangeWorkbook, path: Path
) -> None:
    """Write the consolidated workbook. ``content`` holds the same answers as an exchange
    workbook (with their stamps), for the ``Réponses`` sheet and the metadata."""
    book = new_workbook(content)
    book.properties.description = SYNTHESIS_RULE
    _summary(book, report)
    _actions(book, report)
    _indicators(book, report)
    labels = {entry.code: entry.label for entry in report.roster}
    write_answers(book, content, sheet_name=SHEET_LONG, labels=labels)
    _follow_up(book, report)
    write_meta(book, content, answers_sheet=SHEET_LONG, indicators_sheet=fmt.SHEET_INDICATORS)
    save_atomically(book, path)
