"""The consolidated workbook: what the secretariat presents, and still an exchange workbook.

Sheets: ``Synthèse`` (per objective: counts and shares of each status, completion),
``Questionnaire`` (per action: synthesis, distribution, arbitration, comments tagged with their
respondent), ``Indicateurs`` (per respondent and totals, ratio from the totals), ``Réponses``
(one row per respondent × action, ready for a pivot table), ``Suivi`` (who answered), and
``Évolution`` when a previous campaign is compared (transitions per objective and overall, per
action, indicators side by side; see ``domain.evolution``). The very
hidden ``_sradar`` sheet points the reader to ``Réponses`` and ``Indicateurs``, so that the file
imports elsewhere and merges again like any exchange workbook.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sradar_desktop.domain.consolidation import (
    ROSTER_STATE_COLOURS,
    SYNTHESIS_RULE,
    TO_CONFIRM,
    TO_CONFIRM_LEVEL,
    ActionResult,
    Consolidation,
    StatusCounts,
    counted_levels,
    status_label,
)
from sradar_desktop.domain.dates import local, moment_text
from sradar_desktop.domain.evolution import (
    EVOLUTION_RULE,
    NOT_YET,
    PALE_TRANSITIONS,
    REMOVED,
    TRANSITION_COLOURS,
    TRANSITION_LABELS,
    TRANSITIONS,
    ActionEvolution,
    Evolution,
    TransitionCounts,
)
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import count
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import (
    BOLD,
    DATE_TIME,
    HEADER,
    MAX_CELL,
    NUMBER_FORMATS,
    PERCENT,
    PLAIN,
    Table,
    colour_statuses,
    level_style,
    new_workbook,
    places,
    save_workbook,
    write_answers,
    write_meta,
)
from sradar_desktop.workbook.xlsx import Style, Workbook

SHEET_SUMMARY = fmt.SHEET_SUMMARY
SHEET_ACTIONS = fmt.SHEET_ANSWERS  # per action here; the answers are in « Réponses »
SHEET_LONG = fmt.SHEET_LONG
SHEET_FOLLOW_UP = fmt.SHEET_FOLLOW_UP
SHEET_EVOLUTION = fmt.SHEET_EVOLUTION

COUNT = Style(number_format="0")
SHARE = Style(number_format=PERCENT)
TOTAL = Style(bold=True, fill="D9E1F2")
TOTAL_COUNT = Style(bold=True, fill="D9E1F2", number_format="0")
TOTAL_SHARE = Style(bold=True, fill="D9E1F2", number_format=PERCENT)
GREY = Style(fill="F2F2F2")


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _local(moment: datetime | None) -> datetime | None:
    return local(moment).replace(tzinfo=None) if moment is not None else None


def _status_style(scale: Scale, status: str) -> Style:
    """A status's colour behind its word (dark letters on the pale blue of « à confirmer »)."""
    if status == TO_CONFIRM:
        return Style(bold=True, fill=TO_CONFIRM_LEVEL.color.lstrip("#").upper())
    return level_style(scale.level(status).color)


def _summary(book: Workbook, report: Consolidation) -> None:
    scale = report.plan.scale
    levels = counted_levels(report.overall, scale)
    columns = ["Objectif", "Actions"]
    header_styles = [HEADER, HEADER]
    for level in levels:
        columns += [level.label, f"% {level.label.lower()}"]
        header_styles += [_status_style(scale, level.code)] * 2
    columns += ["Renseignées", "% renseignées"]
    header_styles += [HEADER, HEADER]
    widths = [60, 10] + [14, 14] * len(levels) + [14, 14]
    table = Table(book, SHEET_SUMMARY, widths, 0, protect=False, freeze=(6, 1), filter_header=False)
    table.sheet.repeat_rows(5)
    generated = moment_text(report.generated_at)
    line = Style(wrap=False)
    table.append([(report.plan.title, Style(bold=True, wrap=False))])
    table.append([(f"{report.campaign_title} — consolidation du {generated}", line)])
    table.append(
        [
            (
                f"{count(len(report.roster), 'répondant')}, "
                f"{count(report.overall.total, 'action')}",
                line,
            )
        ]
    )
    table.append([(SYNTHESIS_RULE, line)])
    table.append([])
    table.header(columns, header_styles)

    def counts_row(label: str, counts: StatusCounts, total: bool = False) -> list:
        number, share, text = (TOTAL_COUNT, TOTAL_SHARE, TOTAL) if total else (COUNT, SHARE, PLAIN)
        cells = [(label, text), (counts.total, number)]
        for level in levels:
            cells += [
                (counts.counts.get(level.code, 0), number),
                (_float(counts.share(level.code)), share),
            ]
        completion = counts.answered / counts.total if counts.total else None
        return [*cells, (counts.answered, number), (completion, share)]

    for objective, counts in report.objective_counts:
        table.append(counts_row(f"{objective.code}. {objective.title}", counts))
    table.append(counts_row("Ensemble du plan", report.overall, total=True))


def _comments(result: ActionResult) -> str | None:
    """An action's comments, each tagged with its respondent (and « à confirmer » when carried
    forward and not confirmed yet), within a cell's size."""
    text = "\n".join(
        f"[{a.label}{' — ' + TO_CONFIRM if a.to_confirm else ''}] {a.comment.strip()}"
        for a in result.comments
    )
    if len(text) > MAX_CELL:
        more = " […] (la suite dans la feuille « Réponses »)"
        text = text[: MAX_CELL - len(more)] + more
    return text or None


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
    carried = bool(report.overall.to_confirm)
    if carried:
        columns.insert(columns.index("Statut arbitré"), status_label(scale, TO_CONFIRM))
    widths = [9, 28, 28, 55, 16, 15, 24, *[9] * (len(scale.levels) + carried), 15, 35, 15, 70]
    rows = len(report.actions)
    table = Table(book, SHEET_ACTIONS, widths, rows, protect=False)
    for name in ("Synthèse", "Statut arbitré", "Statut retenu"):
        colour_statuses(table, 1, rows, columns.index(name), scale)
    table.header(columns)
    for result in report.actions:
        objective, theme = where[result.action.code]
        distribution = result.distribution
        awaiting = sum(1 for a in result.awaiting if a.status is not None)
        described = " · ".join(
            [
                f"{level.code} {distribution[level.code]}"
                for level in scale.levels
                if distribution.get(level.code)
            ]
            + ([f"{TO_CONFIRM} {awaiting}"] if awaiting else [])
        )
        arbitration = result.arbitration
        reason = None
        if arbitration:
            reason = (
                f"{arbitration.reason} ({arbitration.by})" if arbitration.by else arbitration.reason
            )
        table.append(
            [
                (result.action.code, PLAIN),
                (objective, PLAIN),
                (theme, PLAIN),
                (result.action.text, PLAIN),
                (", ".join(result.action.pilots), PLAIN),
                (result.synthesis, PLAIN),
                (described or "aucune réponse", PLAIN),
                *((distribution.get(level.code, 0), COUNT) for level in scale.levels),
                *([(awaiting, COUNT)] if carried else []),
                (arbitration.status if arbitration else None, PLAIN),
                (reason, PLAIN),
                (result.final, _status_style(scale, TO_CONFIRM) if result.to_confirm else BOLD),
                (_comments(result), PLAIN),
            ]
        )


def _indicators(book: Workbook, report: Consolidation) -> None:
    """Long format (per respondent, importable) with a total row per indicator; the figures
    carried forward with an answer not confirmed yet are marked, and left out of the total."""
    columns = [*fmt.INDICATOR_COLUMNS, fmt.COL_RESPONDENT_LABEL, "Taux de réalisation"]
    carried = False
    rows = 0
    for indicator in report.indicators:  # read once before the rows (a long read, on disk)
        carried = carried or any(r.to_confirm for r in indicator.rows)
        rows += len(indicator.rows) + 1 if indicator.rows else 0
    if carried:
        columns.append(fmt.COL_TO_CONFIRM)
    widths = (9, 45, 38, 14, 14, 16, 16, 30, 14, 14)
    table = Table(book, fmt.SHEET_INDICATORS, widths, rows, protect=False)
    table.header(columns)
    for result in report.indicators:
        if not result.rows:
            continue
        figure = Style(number_format=NUMBER_FORMATS.get(result.kind))
        total_figure = Style(
            bold=True, fill="D9E1F2", number_format=NUMBER_FORMATS.get(result.kind)
        )
        # The indicator's own cells, made once for its rows.
        described = table.prepare(
            [
                (result.action.code, GREY),
                (result.action.text, GREY),
                (result.label, GREY),
                (result.unit or None, GREY),
            ]
        )
        for row in result.rows:
            table.append(
                [
                    (row.respondent, GREY),
                    (_float(row.target), figure),
                    (_float(row.achieved), figure),
                    (row.label, GREY),
                    (_float(row.ratio), SHARE),
                    *([(fmt.TO_CONFIRM_MARK if row.to_confirm else None, GREY)] if carried else []),
                ],
                after=(described,),
            )
        table.append(
            [
                (result.action.code, TOTAL),
                (result.action.text, TOTAL),
                (result.label, TOTAL),
                (result.unit or None, TOTAL),
                (fmt.TOTAL_LABEL, TOTAL),
                (_float(result.target_total), total_figure),
                (_float(result.achieved_total), total_figure),
                (count(len(result.confirmed), "répondant"), TOTAL),
                (_float(result.ratio), TOTAL_SHARE),
                *([(None, TOTAL)] if carried else []),
            ]
        )


def _follow_up(book: Workbook, report: Consolidation) -> None:
    columns = [
        "Répondant",
        "Libellé",
        "Attendu",
        "Actions attendues",
        "Actions renseignées",
        "Reprises à confirmer",
        "État",
        "En retard",
        "Dernière modification",
        "Dernier import",
    ]
    widths = (16, 40, 10, 12, 12, 12, 14, 10, 18, 18)
    table = Table(book, SHEET_FOLLOW_UP, widths, len(report.roster), protect=False)
    table.header(columns)
    when = Style(number_format=DATE_TIME)
    for entry in report.roster:
        colour = ROSTER_STATE_COLOURS[entry.state] if entry.state != "sans réponse" else None
        table.append(
            [
                (entry.code, PLAIN),
                (entry.label, PLAIN),
                ("oui" if entry.expected else "non", PLAIN),
                (entry.expected_actions, COUNT),
                (entry.answered_actions, COUNT),
                (entry.to_confirm, COUNT),
                (entry.state, level_style(colour) if colour else PLAIN),
                ("oui" if entry.late(report.due_date) else "non", PLAIN),
                (_local(entry.last_change), when),
                (_local(entry.last_import), when),
            ]
        )


def _transition_style(name: str) -> Style:
    """The transition's colour behind its word (dark text on the pale ones)."""
    colour = TRANSITION_COLOURS[name].lstrip("#").upper()
    return Style(bold=True, color="000000" if name in PALE_TRANSITIONS else "FFFFFF", fill=colour)


def _status_word(evolution: ActionEvolution, status: str | None, *, previous: bool) -> str:
    if status is not None:
        return status
    if not previous and evolution.transition == NOT_YET:
        return NOT_YET
    # The action was in the plan on that side: nobody answered it.
    in_plan = bool(evolution.previous_codes) if previous else evolution.transition != REMOVED
    return "aucune réponse" if in_plan else "absente du plan"


def _evolution(book: Workbook, report: Consolidation, evolution: Evolution) -> None:
    """Counts per objective and overall, then each action, then the indicators side by side."""
    rows = len(evolution.objective_counts) + len(evolution.actions) + len(evolution.indicators)
    widths = (10, 60, 12, 15, 15, 15, 14, 14, 14)
    table = Table(
        book, SHEET_EVOLUTION, widths, rows, protect=False, freeze=None, filter_header=False
    )
    line = Style(wrap=False)
    table.append([(f"Évolution depuis {evolution.previous_title}", Style(bold=True, wrap=False))])
    table.append(
        [
            (
                f"{evolution.current_title} ({evolution.current_campaign_id}) comparée à "
                f"{evolution.previous_title} ({evolution.previous_campaign_id}) — "
                f"{evolution.headline()}",
                line,
            )
        ]
    )
    table.append([(EVOLUTION_RULE, line)])
    table.append([])

    table.header(
        [
            "Objectif",
            "Intitulé",
            "Actions",
            *(TRANSITION_LABELS[t] for t in TRANSITIONS),
            "Ont changé",
            "En attente",
        ],
        [HEADER, HEADER, HEADER, *(_transition_style(t) for t in TRANSITIONS), HEADER, HEADER],
    )

    def counts_row(code: str, title: str, counts: TransitionCounts, total: bool) -> list:
        number, text = (TOTAL_COUNT, TOTAL) if total else (COUNT, PLAIN)
        return [
            (code, text),
            (title, text),
            (counts.total, number),
            *((counts.counts[t], number) for t in TRANSITIONS),
            (counts.changed, number),
            (counts.waiting, number),
        ]

    for objective, counts in evolution.objective_counts:
        table.append(counts_row(objective.code, objective.title, counts, False))
    table.append(counts_row("Ensemble", "Ensemble du plan", evolution.overall, True))
    table.append([])

    table.header(
        [
            "Code",
            "Action",
            "Ancien code",
            "Statut précédent",
            "Statut actuel",
            "Évolution",
            "Objectif",
            "Statut actuel arbitré",
        ]
    )
    scale = report.plan.scale

    def status_cell(evolution_row: ActionEvolution, status: str | None, previous: bool) -> tuple:
        known = status is not None and (status == TO_CONFIRM or status in scale.codes)
        style = _status_style(scale, status) if status is not None and known else PLAIN
        return (_status_word(evolution_row, status, previous=previous), style)

    for action in evolution.actions:
        table.append(
            [
                (action.code, PLAIN),
                (action.action.text, PLAIN),
                (action.renamed_from or None, PLAIN),
                status_cell(action, action.previous, True),
                status_cell(action, action.current, False),
                (action.transition, _transition_style(action.transition)),
                (action.objective.code, PLAIN),
                ("oui" if action.arbitrated else None, PLAIN),
            ]
        )
    if not evolution.indicators:
        return
    table.append([])
    table.header(
        [
            "Code",
            "Indicateur",
            "Unité",
            "Réalisé précédent",
            "Réalisé actuel",
            "Écart",
            "Taux précédent",
            "Taux actuel",
            "Évolution du taux (points)",
        ]
    )
    for indicator in evolution.indicators:
        figure = Style(number_format=NUMBER_FORMATS.get(indicator.kind))
        table.append(
            [
                (indicator.action.code, PLAIN),
                (f"{indicator.label} — {indicator.action.text}", PLAIN),
                (indicator.unit or None, PLAIN),
                (_float(indicator.previous_achieved), figure),
                (_float(indicator.current_achieved), figure),
                (_float(indicator.difference), figure),
                (_float(indicator.previous_ratio), SHARE),
                (_float(indicator.current_ratio), SHARE),
                (_float(indicator.ratio_change), SHARE),
            ]
        )


def write_consolidated_workbook(
    report: Consolidation,
    content: fmt.ExchangeWorkbook,
    path: Path,
    *,
    evolution: Evolution | None = None,
) -> None:
    """Write the consolidated workbook. ``content`` holds the same answers as an exchange
    workbook (with their stamps), for the ``Réponses`` sheet and the metadata; ``evolution``
    adds the ``Évolution`` sheet after the synthesis."""

    def build(temporary: Path) -> None:
        book = new_workbook(content, temporary)
        _summary(book, report)
        if evolution is not None:
            _evolution(book, report, evolution)
        _actions(book, report)
        _indicators(book, report)
        labels = {entry.code: entry.label for entry in report.roster}
        write_answers(book, content, sheet_name=SHEET_LONG, labels=labels)
        _follow_up(book, report)
        write_meta(book, content, answers_sheet=SHEET_LONG, indicators_sheet=fmt.SHEET_INDICATORS)
        book.close()

    save_workbook(build, path)
