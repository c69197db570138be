"""The blocks every section of the summary is built of: paragraphs, the one table builder,
cells painted in their status's colour, counts in words and as bars."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.paraparser import ParaFrag, ParaParser

from sradar_desktop.domain.consolidation import (
    NC,
    TO_CONFIRM,
    TO_CONFIRM_COLOUR,
    Consolidation,
    StatusCounts,
    counted_levels,
    status_label,
)
from sradar_desktop.domain.evolution import Evolution
from sradar_desktop.domain.plan import Objective
from sradar_desktop.domain.scale import Scale
from sradar_desktop.reports.charts import Segment, fill, stacked_bar, text_on
from sradar_desktop.reports.pdf.styles import BLUE, INK, RULE, WIDTH, Styles
from sradar_desktop.reports.pdf.text import MIDDOT, french_spacing, markup, percent

Counts = TypeVar("Counts")

_FRAGMENTS: dict[str, ParaFrag] = {}


def _plain_fragment(style: ParagraphStyle) -> ParaFrag:
    """The fragment the parser makes for plain text in ``style`` (one per style, reused)."""
    fragment = _FRAGMENTS.get(style.name)
    if fragment is None:
        _, fragments, _ = ParaParser().parse("x", style)
        fragment = _FRAGMENTS[style.name] = fragments[0]
    return fragment


def page_widths(widths: Sequence[float]) -> list[float]:
    """``widths`` with a 0 replaced by what the others leave of the page's width."""
    rest = WIDTH - sum(widths)
    return [width or rest for width in widths]


@dataclass(frozen=True)
class Painted:
    """A table cell on a background of its own (a status, a transition, a state in its
    colour): the table builder paints it where it lands."""

    content: Any
    background: colors.Color


class Blocks:
    """The consolidation being summarised (``c``), its styles (``s``) and the blocks every
    section draws with."""

    def __init__(
        self,
        consolidation: Consolidation,
        region: str | None,
        styles: Styles,
        evolution: Evolution | None = None,
    ) -> None:
        self.c = consolidation
        self.evolution = evolution
        self.plan = consolidation.plan
        self.scale: Scale = consolidation.plan.scale
        self.region = (region if region is not None else self.plan.region).strip()
        self.s = styles
        # Whether a table row may break across pages (see render_summary_pdf).
        self.split_in_row = False
        self.levels = {level.code: level for level in self.scale.levels}

    def p(self, text_markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        style = style or self.s.cell
        text = french_spacing(text_markup)
        if "<" in text or "&" in text or not text.strip():
            return Paragraph(text, style)  # tags or entities: reportlab parses them
        # Plain text: the fragment reportlab's parser would make, without running the parser,
        # which costs more than laying the text out (thousands of comments in the annex).
        return Paragraph(text, style, frags=[_plain_fragment(style).clone(text=text)])

    def table(
        self,
        header: Sequence[str],
        rows: list[list[Any]],
        widths: Sequence[float],
        *,
        numbers: Collection[int] = (),
        totals: int = 0,
        above: Sequence[list[Any]] = (),
        commands: Iterable[tuple] = (),
    ) -> Table:
        """A table of the summary: a grid under a blue header repeated on every page.

        ``header`` holds the columns' titles; ``widths`` their widths, where 0 is what the
        others leave of the page. ``numbers``: the columns of figures, aligned right, their
        title too. ``totals``: how many last rows are totals, under a rule, figures in bold.
        ``above``: rows over the header, repeated with it (a band, the first row of a header of
        two). A ``Painted`` cell gets its background; ``commands`` are the table's own.
        """
        s, fonts = self.s, self.s.fonts
        top = len(above) + 1  # the rows repeated on every page
        titles = [
            self.p(title, s.cell_header_right if i in numbers else s.cell_header) if title else ""
            for i, title in enumerate(header)
        ]
        style: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), fonts.regular, 8, 10),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("BACKGROUND", (0, 0), (-1, top - 1), BLUE),
            ("TEXTCOLOR", (0, 0), (-1, top - 1), colors.white),
            ("FONT", (0, 0), (-1, top - 1), fonts.bold, 8, 10),
            ("VALIGN", (0, 0), (-1, top - 1), "BOTTOM"),
        ]
        style += [("ALIGN", (column, top), (column, -1), "RIGHT") for column in numbers]
        cells: list[list[Any]] = [*above, titles]
        for row in rows:
            r = len(cells)
            line = []
            for column, cell in enumerate(row):
                if isinstance(cell, Painted):
                    style.append(("BACKGROUND", (column, r), (column, r), cell.background))
                    cell = cell.content
                line.append(cell)
            cells.append(line)
        if totals:
            first = len(cells) - totals
            style.append(("LINEABOVE", (0, first), (-1, first), 0.8, INK))
            style += [
                ("FONT", (column, first), (column, -1), fonts.bold, 8, 10) for column in numbers
            ]
        table = Table(
            cells,
            colWidths=page_widths(widths),
            repeatRows=top,
            splitInRow=1 if self.split_in_row else 0,
            hAlign="LEFT",
        )
        table.setStyle(TableStyle([*style, *commands]))
        return table

    def cell_text(self, text: str, column_width: float) -> str | Paragraph:
        """Plain text in a table cell when it holds on one line (a plain cell costs a fraction
        of a paragraph to lay out), a wrapping paragraph otherwise."""
        text = " ".join(text.split())
        if stringWidth(text, self.s.fonts.regular, 8) <= column_width - 9:
            return text
        return self.p(markup(text))

    def coloured(self, text: str, colour: str, note: str = "") -> Painted:
        """``text`` in bold on ``colour`` (white or black, whichever reads), with an optional
        note under it in small italics."""
        dark = text_on(colour) == colors.black
        cell = [self.p(markup(text), self.s.status_black if dark else self.s.status_white)]
        if note:
            style = self.s.status_note_black if dark else self.s.status_note_white
            cell.append(self.p(markup(note), style))
        return Painted(cell, fill(colour))

    def status_cell(self, code: str, note: str = "") -> Painted:
        """A status in words on its colour."""
        return self.coloured(self.label(code), self.status_colour(code), note)

    def status_colour(self, code: str) -> str:
        if code == TO_CONFIRM:
            return TO_CONFIRM_COLOUR
        level = self.levels.get(code)
        return level.color if level else "#9e9e9e"

    def label(self, code: str) -> str:
        return status_label(self.scale, code)

    def nc_label(self) -> str:
        return self.label(NC)

    def words(self, counts: StatusCounts, *, shares: bool = True) -> str:
        """``Oui 9 (69,2 %) · Partiellement 1 (7,7 %) · …``: the counts in words (« À confirmer »
        last when some actions await a confirmation)."""
        parts = []
        for level in counted_levels(counts, self.scale):
            count = counts.counts.get(level.code, 0)
            # Non-breaking spaces: a line may break between statuses, never inside one.
            text = f"{level.label}\u00a0{count}"
            if shares and counts.total:
                text += f"\u00a0({percent(counts.share(level.code))})"
            parts.append(text)
        return MIDDOT.join(parts)

    def segments(self, counts: StatusCounts, *, named: bool) -> list[Segment]:
        return [
            Segment(counts.counts.get(level.code, 0), level.color, level.label if named else "")
            for level in counted_levels(counts, self.scale)
        ]

    def completion(self, counts: StatusCounts) -> Decimal | None:
        if not counts.total:
            return None
        return Decimal(counts.answered) / Decimal(counts.total)

    def overall_bar(self, segments: list[Segment], total: int, note: str) -> list[Flowable]:
        """The bar of the whole plan across the page, every segment named, and its note."""
        return [
            Spacer(1, 4 * mm),
            stacked_bar(
                segments, WIDTH, 18, font=self.s.fonts.bold, font_size=7.5, percent_of=total
            ),
            Spacer(1, 1.5 * mm),
            self.p(note, self.s.note),
        ]

    def objectives_table(
        self,
        bar_title: str,
        bar_width: float,
        figures: Sequence[tuple[str, float]],
        objective_counts: Sequence[tuple[Objective, Counts]],
        overall: Counts,
        line: Callable[[Counts], tuple[str, list[Segment], list[str]]],
    ) -> Table:
        """A row per objective, then the whole plan: the counts in words and as a bar, then
        the ``figures`` columns (title, width). ``line`` gives a row's words, segments and
        figures."""
        s = self.s
        headings = [
            (self.p(f"<b>{markup(objective.code)}.</b> {markup(objective.title)}"), counts)
            for objective, counts in objective_counts
        ]
        headings.append((self.p("Ensemble du plan", s.cell_bold), overall))
        rows: list[list[Any]] = []
        for heading, counts in headings:
            words, segments, values = line(counts)
            rows.append(
                [
                    [heading, self.p(markup(words), s.cell_small)],
                    stacked_bar(segments, bar_width - 6, 12, font=s.fonts.bold),
                    *values,
                ]
            )
        return self.table(
            ["Objectif", bar_title, *(title for title, _ in figures)],
            rows,
            [0.0, bar_width, *(width for _, width in figures)],
            numbers=range(2, 2 + len(figures)),
            totals=1,
            commands=[("VALIGN", (1, 1), (-1, -1), "MIDDLE")],
        )
