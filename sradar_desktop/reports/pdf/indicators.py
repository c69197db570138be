"""Part 3, the indicators: the values each respondent entered, action by action, the
indicators of one action side by side, then the region's totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from sradar_desktop.domain.consolidation import TO_CONFIRM, IndicatorResult
from sradar_desktop.domain.numbers import format_decimal
from sradar_desktop.domain.plan import IndicatorKind
from sradar_desktop.domain.text import shorten
from sradar_desktop.reports.pdf.blocks import Blocks
from sradar_desktop.reports.pdf.document import heading
from sradar_desktop.reports.pdf.styles import NOTE_BACKGROUND, WIDTH
from sradar_desktop.reports.pdf.text import DASH, markup, percent, who

# The value columns of one table, at most.
_COLUMNS_ACROSS = 6
_COLUMN_TITLES = {
    "cible": "Valeur cible",
    "réalisé": "Valeur réalisée",
    "ratio": "Ratio réalisé / cible",
}


def indicators(b: Blocks) -> list[Flowable]:
    s, c = b.s, b.c
    story: list[Flowable] = [heading("3. Indicateurs", s.h1, "indicateurs", 0)]
    if not c.indicators:
        story.append(b.p("Ce plan ne comporte pas d'indicateur.", s.body))
        return story
    groups: dict[str, list[IndicatorResult]] = {}
    for indicator in c.indicators:
        groups.setdefault(indicator.action.code, []).append(indicator)
    if not any(i.rows for i in c.indicators):
        story.append(b.p("Aucune valeur d'indicateur n'a été saisie.", s.body))
        return story
    story.append(
        b.p(
            "Valeurs saisies par chaque répondant, puis totaux. Le ratio du total est "
            "calculé sur les totaux (total réalisé / total cible), jamais en moyenne des "
            "ratios ; sans valeur cible, le ratio est inconnu (—).",
            s.note,
        )
    )
    for code, group in groups.items():
        with_values = [i for i in group if i.rows]
        without = [i for i in group if not i.rows]
        action = group[0].action
        story.append(b.p(f"Action {markup(code)} — {markup(shorten(action.text, 220))}", s.h3))
        for chunk in _chunks(with_values):
            story.append(_indicator_table(b, chunk))
            story.append(Spacer(1, 3 * mm))
        if without:
            names = ", ".join(f"« {i.label} »" for i in without)
            story.append(b.p(markup(f"Sans valeur saisie : {names}."), s.note))
    return story


def _columns(indicator: IndicatorResult) -> list[str]:
    has_target = any(r.target is not None for r in indicator.rows)
    has_achieved = any(r.achieved is not None for r in indicator.rows)
    columns = []
    if has_target:
        columns.append("cible")
    if has_achieved:
        columns.append("réalisé")
    if has_target and has_achieved:
        columns.append("ratio")
    return columns


def _chunks(indicators: list[IndicatorResult]) -> list[list[IndicatorResult]]:
    """Indicators of one action side by side, as many as fit across the page."""
    chunks: list[list[IndicatorResult]] = []
    current: list[IndicatorResult] = []
    used = 0
    for indicator in indicators:
        n = len(_columns(indicator))
        if current and used + n > _COLUMNS_ACROSS:
            chunks.append(current)
            current, used = [], 0
        current.append(indicator)
        used += n
    if current:
        chunks.append(current)
    return chunks


def _indicator_table(b: Blocks, indicators: list[IndicatorResult]) -> Table:
    s = b.s
    plan_columns = [(i, _columns(i)) for i in indicators]
    n_values = sum(len(cols) for _, cols in plan_columns)
    value_width = min(27 * mm, (WIDTH - 48 * mm) / max(n_values, 1))
    widths = [WIDTH - value_width * n_values] + [value_width] * n_values
    # A header of two rows: each indicator over its columns, « Répondant » over both.
    header_top: list[Any] = [b.p("Répondant", s.cell_header)]
    header: list[str] = [""]
    commands: list[tuple] = [("SPAN", (0, 0), (0, 1))]
    column = 1
    for indicator, cols in plan_columns:
        label = indicator.label
        if indicator.unit and indicator.unit.casefold() not in label.casefold():
            label += f" ({indicator.unit})"
        header_top.append(b.p(markup(label), s.cell_header))
        header_top += [""] * (len(cols) - 1)
        header += [_COLUMN_TITLES[col] for col in cols]
        if len(cols) > 1:
            commands.append(("SPAN", (column, 0), (column + len(cols) - 1, 0)))
        column += len(cols)
    commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.4, colors.white))
    respondents: dict[str, str] = {}
    values: dict[tuple[int, str], Any] = {}
    for position, (indicator, _) in enumerate(plan_columns):
        for row in indicator.rows:
            respondents.setdefault(row.respondent, row.label)
            values[(position, row.respondent)] = row
    rows: list[list[Any]] = []
    carried = {
        row.respondent for indicator, _ in plan_columns for row in indicator.rows if row.to_confirm
    }
    for code in sorted(respondents):
        name = who(respondents[code], code)
        if code in carried:
            name += f" — {TO_CONFIRM}, hors total"
        line: list[Any] = [b.cell_text(name, widths[0])]
        for position, (indicator, cols) in enumerate(plan_columns):
            figure = values.get((position, code))
            if figure is None:
                line += [DASH] * len(cols)
            else:
                line += _cells(cols, indicator.kind, figure.target, figure.achieved, figure.ratio)
        rows.append(line)
    total_label = f"Total {b.region}" if b.region else "Total"
    total: list[Any] = [b.p(markup(total_label), s.cell_bold)]
    for indicator, cols in plan_columns:
        total += _cells(
            cols, indicator.kind, indicator.target_total, indicator.achieved_total, indicator.ratio
        )
    rows.append(total)
    commands.append(("BACKGROUND", (0, -1), (-1, -1), NOTE_BACKGROUND))
    return b.table(
        header,
        rows,
        widths,
        numbers=range(1, n_values + 1),
        totals=1,
        above=[header_top],
        commands=commands,
    )


def _cells(
    columns: list[str],
    kind: IndicatorKind,
    target: Decimal | None,
    achieved: Decimal | None,
    ratio: Decimal | None,
) -> list[str]:
    """The cells of ``columns`` (« cible », « réalisé », « ratio ») for these figures."""
    cells = {
        "cible": _value(target, kind),
        "réalisé": _value(achieved, kind),
        "ratio": percent(ratio, 2),
    }
    return [cells[column] for column in columns]


def _value(value: Decimal | None, kind: IndicatorKind) -> str:
    if value is None:
        return DASH
    text = format_decimal(value)
    return f"{text}\u00a0%" if kind is IndicatorKind.PERCENTAGE else text
