"""The PDF summary of a consolidation, as the secretariat presents it to the commission.

Sections: a title page; 1. the synthesis (counts and shares of each final status, completion,
a bar per objective, the synthesis rule, the arbitrations); when a previous campaign is
compared, the evolution since it (counts of each transition overall and per objective, with a
bar per objective, and the actions that changed); 2. the actions by objective and
theme with their final status, the distribution of the answers and the arbitrations;
3. the indicators, per respondent and in total; 4. who answered and who is missing; an annex
with every comment and its author. Every page says « page n / N ».

Everything a user typed (plan texts, comments, reasons, labels) is escaped before it reaches
reportlab's paragraph markup. Statuses are always written in words on their colour.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.paraparser import ParaFrag, ParaParser

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.domain.consolidation import (
    NC,
    ROSTER_STATES,
    SYNTHESIS_RULE,
    TO_CONFIRM,
    TO_CONFIRM_COLOUR,
    TO_CONFIRM_LEVEL,
    ActionResult,
    Consolidation,
    IndicatorResult,
    RosterEntry,
    StatusCounts,
    counted_levels,
    status_label,
)
from sradar_desktop.domain.dates import long_date, short_datetime
from sradar_desktop.domain.evolution import (
    AWAITING,
    EVOLUTION_RULE,
    NOT_YET,
    TRANSITION_COLOURS,
    TRANSITION_LABELS,
    TRANSITIONS,
    ActionEvolution,
    Evolution,
    TransitionCounts,
)
from sradar_desktop.domain.numbers import format_decimal, format_percentage
from sradar_desktop.domain.plan import IndicatorKind
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import shorten
from sradar_desktop.reports.charts import Segment, fill, stacked_bar, text_on
from sradar_desktop.reports.fonts import FontFamily, register_fonts
from sradar_desktop.saving import save_atomically

__all__ = ["render_summary_pdf", "write_summary_pdf"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 17 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_X

BLUE = colors.HexColor("#000091")  # the French State's blue
INK = colors.HexColor("#1e1e1e")
MUTED = colors.HexColor("#5a5a5a")
RULE = colors.HexColor("#b4b4b4")
OBJECTIVE_BAND = colors.HexColor("#e3e3fd")
THEME_BAND = colors.HexColor("#f0f0f0")
NOTE_BACKGROUND = colors.HexColor("#f5f5fe")
STATE_COLOURS = {
    "complet": colors.HexColor("#dff0d8"),
    "partiel": colors.HexColor("#fde9d2"),
    "manquant": colors.HexColor("#f8d7d7"),
    "sans réponse": colors.HexColor("#eeeeee"),
    TO_CONFIRM: colors.HexColor(TO_CONFIRM_COLOUR),
}
DASH = "—"
MIDDOT = " · "
# The actions awaiting an answer or a confirmation listed by code, at most.
WAITING_LISTED = 60
_PAGE_TOTAL_FORM = "sradar-nombre-de-pages"
# Texts longer than this are shortened where they are only a reminder (annex headings).
_REMINDER_LENGTH = 160


def write_summary_pdf(
    consolidation: Consolidation,
    path: Path,
    *,
    region: str | None = None,
    evolution: Evolution | None = None,
) -> None:
    """Write the PDF summary of ``consolidation`` to ``path`` (A4, French), atomically.

    ``region`` overrides the plan's region on the title page and in the totals; ``evolution``
    adds the section on what moved since a previous campaign, right after the synthesis.
    """
    content = render_summary_pdf(consolidation, region=region, evolution=evolution)
    save_atomically(
        lambda temporary: temporary.write_bytes(content),
        Path(path),
        document="la synthèse PDF",
        opened_in="un lecteur PDF",
    )


def render_summary_pdf(
    consolidation: Consolidation,
    *,
    region: str | None = None,
    evolution: Evolution | None = None,
) -> bytes:
    """The PDF summary as bytes (see ``write_summary_pdf``)."""
    summary = _Summary(consolidation, region, _styles(), evolution)
    # Streams stored as compressed binary rather than ASCII85 text: a quarter smaller, and
    # reportlab encodes ASCII85 in pure Python (a tenth of the time of a large summary).
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        return summary.build(split_in_row=False)
    except LayoutError:
        # A row taller than a page (a very long text typed in one cell): build again letting
        # rows break across pages, which keeps every word rather than refusing the document.
        return summary.build(split_in_row=True)
    finally:
        rl_config.useA85 = use_a85


# --- Text -------------------------------------------------------------------------------------


_SPACE_BEFORE = re.compile(r"[ \u202f]([»:;!?%])")
_SPACE_AFTER = re.compile(r"«[ \u202f]")


def markup(text: str) -> str:
    """Text as paragraph markup: escaped (user text may hold ``&``, ``<``, ``>``), line breaks
    kept. reportlab breaks lines at U+202F but not at U+00A0: the former becomes the latter."""
    return escape(text.strip()).replace("\u202f", "\u00a0").replace("\n", "<br/>")


def french_spacing(text_markup: str) -> str:
    """Make the spaces of French typography unbreakable, so that no line starts with « » »,
    « : », « ; » or « % » and none ends with « « »."""
    return _SPACE_BEFORE.sub("\u00a0\\1", _SPACE_AFTER.sub("«\u00a0", text_markup))


def who(label: str, code: str) -> str:
    """``Nord (DDETS-59)``, or the code alone when the label says nothing more."""
    label = " ".join(label.split())
    if not label or label == code:
        return code
    return f"{label} ({code})"


def _percent(share: Decimal | None, places: int = 1) -> str:
    return format_percentage(share, places) if share is not None else DASH


# --- Styles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    fonts: FontFamily
    kicker: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_small: ParagraphStyle
    cell_muted: ParagraphStyle
    cell_header: ParagraphStyle
    cell_header_right: ParagraphStyle
    band_objective: ParagraphStyle
    band_theme: ParagraphStyle
    status_white: ParagraphStyle
    status_black: ParagraphStyle
    status_note_white: ParagraphStyle
    status_note_black: ParagraphStyle
    annex_objective: ParagraphStyle
    annex_action: ParagraphStyle
    comment: ParagraphStyle
    comment_last: ParagraphStyle


@cache
def _styles() -> _Styles:
    """Every paragraph style, built once per process and shared by every cell."""
    fonts = register_fonts()
    regular, bold, italic = fonts.regular, fonts.bold, fonts.italic

    def style(name: str, **kwargs: Any) -> ParagraphStyle:
        if "parent" in kwargs:  # the parent's values are the defaults
            return ParagraphStyle(name, **kwargs)
        defaults: dict[str, Any] = {
            "fontName": regular,
            "fontSize": 9,
            "leading": 11.5,
            "textColor": INK,
        }
        defaults.update(kwargs)
        return ParagraphStyle(name, **defaults)

    cell = style("cellule", fontSize=8, leading=10)
    return _Styles(
        fonts=fonts,
        kicker=style("surtitre", fontName=bold, fontSize=10, leading=13, textColor=BLUE),
        title=style("titre", fontName=bold, fontSize=21, leading=26, spaceBefore=6, spaceAfter=10),
        subtitle=style("sous-titre", fontSize=13, leading=17, textColor=MUTED, spaceAfter=4),
        h1=style(
            "titre-1",
            fontName=bold,
            fontSize=15,
            leading=19,
            textColor=BLUE,
            spaceBefore=14,
            spaceAfter=8,
            keepWithNext=1,
        ),
        h2=style(
            "titre-2",
            fontName=bold,
            fontSize=11,
            leading=14,
            textColor=BLUE,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
        ),
        h3=style(
            "titre-3",
            fontName=bold,
            fontSize=9,
            leading=11.5,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        body=style("texte", spaceAfter=5),
        note=style("note", fontSize=8, leading=10.5, textColor=MUTED, spaceAfter=4),
        cell=cell,
        cell_bold=style("cellule-gras", parent=cell, fontName=bold),
        cell_small=style("cellule-petite", parent=cell, fontSize=7, leading=8.8),
        cell_muted=style("cellule-discrete", parent=cell, fontSize=7, leading=8.8, textColor=MUTED),
        cell_header=style("entete", parent=cell, fontName=bold, textColor=colors.white),
        cell_header_right=style(
            "entete-droite", parent=cell, fontName=bold, textColor=colors.white, alignment=TA_RIGHT
        ),
        band_objective=style(
            "bande-objectif", parent=cell, fontName=bold, fontSize=9, leading=11.5
        ),
        band_theme=style("bande-thematique", parent=cell, fontName=bold, fontSize=7.5, leading=9.5),
        status_white=style(
            "statut-blanc", parent=cell, fontName=bold, textColor=colors.white, alignment=TA_CENTER
        ),
        status_black=style(
            "statut-noir", parent=cell, fontName=bold, textColor=colors.black, alignment=TA_CENTER
        ),
        status_note_white=style(
            "statut-note-blanc",
            parent=cell,
            fontName=italic,
            fontSize=6.5,
            leading=8,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        status_note_black=style(
            "statut-note-noir",
            parent=cell,
            fontName=italic,
            fontSize=6.5,
            leading=8,
            textColor=colors.black,
            alignment=TA_CENTER,
        ),
        annex_objective=style(
            "annexe-objectif",
            fontName=bold,
            fontSize=10,
            leading=13,
            textColor=BLUE,
            spaceBefore=10,
            spaceAfter=3,
            keepWithNext=1,
        ),
        annex_action=style(
            "annexe-action",
            fontName=bold,
            fontSize=8.5,
            leading=11,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        ),
        comment=style("commentaire", fontSize=8, leading=10.5, leftIndent=10),
        comment_last=style(
            "commentaire-fin", fontSize=8, leading=10.5, leftIndent=10, spaceAfter=4
        ),
    )


# --- Page furniture -------------------------------------------------------------------------


class _Canvas(Canvas):
    """A canvas that writes « page n / N »: N is a form filled in once the last page is known,
    so the document is laid out once."""

    def page_number(self, x: float, y: float, font: str, size: float) -> None:
        text = f"page {self.getPageNumber()} / "
        self.setFont(font, size)
        self.drawString(x, y, text)
        self.saveState()
        self.translate(x + stringWidth(text, font, size), y)
        self.doForm(_PAGE_TOTAL_FORM)
        self.restoreState()

    def save(self) -> None:
        total = self.getPageNumber() - 1  # the last showPage already counted the next page
        self.beginForm(_PAGE_TOTAL_FORM)
        self.setFont(_styles().fonts.regular, 7.5)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(total))
        self.endForm()
        super().save()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line of ``width``, shortened with « … » if need be."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    text = text[: int(width / (size * 0.25))]  # no line holds more characters than this
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _Document(BaseDocTemplate):
    def __init__(self, target: Any, *, header: tuple[str, str], footer: str, **kwargs: Any) -> None:
        super().__init__(
            target,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            **kwargs,
        )
        self.fonts = _styles().fonts
        half = WIDTH / 2 - 4 * mm
        self.header = (
            _fit(header[0], self.fonts.regular, 7.5, half),
            _fit(header[1], self.fonts.regular, 7.5, half),
        )
        self.footer = _fit(footer, self.fonts.regular, 7.5, WIDTH - 40 * mm)
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="corps",
        )
        self.addPageTemplates(
            [
                PageTemplate("titre", [frame], onPage=self._footer),
                PageTemplate("corps", [frame], onPage=self._header_and_footer),
            ]
        )

    def _footer(self, canvas: _Canvas, _doc: Any) -> None:
        canvas.saveState()
        y = 9 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, y + 10, PAGE_WIDTH - MARGIN_X, y + 10)
        canvas.setFillColor(MUTED)
        canvas.page_number(MARGIN_X, y, self.fonts.regular, 7.5)
        canvas.setFont(self.fonts.regular, 7.5)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, y, self.footer)
        canvas.restoreState()

    def _header_and_footer(self, canvas: _Canvas, doc: Any) -> None:
        canvas.saveState()
        y = PAGE_HEIGHT - 12 * mm
        canvas.setFont(self.fonts.regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_X, y, self.header[0])
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, y, self.header[1])
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, y - 4, PAGE_WIDTH - MARGIN_X, y - 4)
        canvas.restoreState()
        self._footer(canvas, doc)

    def afterFlowable(self, flowable: Flowable) -> None:
        mark = getattr(flowable, "outline", None)
        if mark is not None:
            key, level, title = mark
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def _plain_fragment(style: ParagraphStyle) -> ParaFrag:
    """The fragment the parser makes for plain text in ``style`` (one per style, reused)."""
    fragment = _FRAGMENTS.get(style.name)
    if fragment is None:
        _, fragments, _ = ParaParser().parse("x", style)
        fragment = _FRAGMENTS[style.name] = fragments[0]
    return fragment


_FRAGMENTS: dict[str, ParaFrag] = {}


class _Anchor(Flowable):
    """An invisible entry point of the document outline (the PDF's bookmarks)."""

    def __init__(self, key: str, level: int, title: str) -> None:
        super().__init__()
        self.outline = (key, level, title)

    def wrap(self, _width: float, _height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _Byline(Flowable):
    """« Author · status · who changed it, when » above a comment.

    Two strings drawn directly (the name in bold): a paragraph mixing two fonts costs about
    ten times more to lay out, and the annex may hold thousands of comments. When the line does
    not fit, it becomes a paragraph that wraps. It never stays alone at the foot of a page: with
    less room than for itself and two lines of the comment, it asks for more than there is and
    goes to the next page (cheaper than grouping it with the comment in a KeepTogether).
    """

    def __init__(self, name: str, meta: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.name = " ".join(name.split())
        self.meta = " · " + " ".join(meta.split())
        self.style = style
        self._paragraph: Paragraph | None = None
        self._name_width = 0.0

    def _fonts(self) -> FontFamily:
        return _styles().fonts

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        fonts, size = self._fonts(), self.style.fontSize
        if height < 3 * self.style.leading:
            self._paragraph = None
            return width, 3 * self.style.leading  # more than there is: to the next page
        self._name_width = stringWidth(self.name, fonts.bold, size)
        needed = (
            self.style.leftIndent + self._name_width + stringWidth(self.meta, fonts.regular, size)
        )
        if needed <= width:
            self._paragraph = None
            return width, self.style.leading
        self._paragraph = Paragraph(
            french_spacing(
                f"<b>{markup(self.name)}</b> <font color='#5a5a5a'>{markup(self.meta)}</font>"
            ),
            self.style,
        )
        return self._paragraph.wrap(width, height)

    def split(self, width: float, height: float) -> list[Flowable]:
        if self._paragraph is not None:
            return self._paragraph.split(width, height)
        return []

    def draw(self) -> None:
        if self._paragraph is not None:
            self._paragraph.drawOn(self.canv, 0, 0)
            return
        fonts, size = self._fonts(), self.style.fontSize
        # The baseline a paragraph of this style would use; one text object for both parts.
        text = self.canv.beginText(self.style.leftIndent, self.style.leading - size)
        text.setFont(fonts.bold, size)
        text.setFillColor(INK)
        text.textOut(self.name)
        text.setFont(fonts.regular, size)
        text.setFillColor(MUTED)
        text.textOut(self.meta)
        self.canv.drawText(text)


def _heading(text: str, style: ParagraphStyle, key: str, level: int) -> Paragraph:
    paragraph = Paragraph(french_spacing(markup(text)), style)
    paragraph.outline = (key, level, " ".join(text.split()))  # type: ignore[attr-defined]
    return paragraph


# --- The summary ----------------------------------------------------------------------------


class _Summary:
    def __init__(
        self,
        consolidation: Consolidation,
        region: str | None,
        styles: _Styles,
        evolution: Evolution | None = None,
    ) -> None:
        self.c = consolidation
        self.evolution = evolution
        self.plan = consolidation.plan
        self.scale: Scale = consolidation.plan.scale
        self.region = (region if region is not None else self.plan.region).strip()
        self.s = styles
        self.split_in_row = False
        self.levels = {level.code: level for level in self.scale.levels}

    # The document --------------------------------------------------------------------------

    def build(self, *, split_in_row: bool) -> bytes:
        self.split_in_row = split_in_row
        buffer = io.BytesIO()
        plan = self.plan
        generated = long_date(self.c.generated_at)
        subject = f"{self.c.campaign_title} — {plan.title}"
        if self.region:
            subject += f" — {self.region}"
        document = _Document(
            buffer,
            header=(plan.display_title, self._campaign_line()),
            footer=f"{APP_NAME} · synthèse générée le {generated}",
            title=f"Synthèse de l'évaluation — {plan.display_title}",
            author=APP_NAME,
            subject=subject,
            creator=f"{APP_NAME} {__version__}",
            keywords=[k for k in ("SRADAR", "évaluation", self.region, plan.period) if k],
            lang="fr-FR",
            displayDocTitle=True,
            # Otherwise every page starts in Helvetica, a font the PDF would not embed.
            initialFontName=self.s.fonts.regular,
            initialFontSize=9,
            initialLeading=11.5,
        )
        story: list[Flowable] = []
        story += self._title_page()
        story += [NextPageTemplate("corps"), PageBreak()]
        story += self._synthesis()
        if self.evolution is not None:
            story += [PageBreak()]
            story += self._evolution(self.evolution)
        story += [CondPageBreak(110 * mm)]
        story += self._actions()
        story += [CondPageBreak(70 * mm)]
        story += self._indicators()
        story += [CondPageBreak(70 * mm)]
        story += self._roster()
        has_comments = any(r.comments for r in self.c.actions)
        story += [PageBreak() if has_comments else CondPageBreak(60 * mm)]
        story += self._comments()
        document.build(story, canvasmaker=_Canvas)
        return buffer.getvalue()

    def _campaign_line(self) -> str:
        parts = [self.c.campaign_title]
        if self.region:
            parts.append(self.region)
        return " — ".join(p for p in parts if p)

    # Building blocks -----------------------------------------------------------------------

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
        rows: list[list[Any]],
        widths: Sequence[float],
        *,
        header_rows: int = 1,
        commands: Iterable[tuple] = (),
    ) -> Table:
        fonts = self.s.fonts
        base: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), fonts.regular, 8, 10),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header_rows:
            base += [
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), BLUE),
                ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), colors.white),
                ("FONT", (0, 0), (-1, header_rows - 1), fonts.bold, 8, 10),
                ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM"),
            ]
        table = Table(
            rows,
            colWidths=list(widths),
            repeatRows=header_rows,
            splitInRow=1 if self.split_in_row else 0,
            hAlign="LEFT",
        )
        table.setStyle(TableStyle([*base, *commands]))
        return table

    def cell_text(self, text: str, column_width: float) -> str | Paragraph:
        """Plain text in a table cell when it holds on one line (a plain cell costs a fraction
        of a paragraph to lay out), a wrapping paragraph otherwise."""
        text = " ".join(text.split())
        if stringWidth(text, self.s.fonts.regular, 8) <= column_width - 9:
            return text
        return self.p(markup(text))

    def status_cell(self, code: str, note: str = "") -> list[Paragraph]:
        dark = text_on(self.status_colour(code)) == colors.black
        cell = [
            self.p(markup(self.label(code)), self.s.status_black if dark else self.s.status_white)
        ]
        if note:
            style = self.s.status_note_black if dark else self.s.status_note_white
            cell.append(self.p(markup(note), style))
        return cell

    def status_colour(self, code: str) -> str:
        if code == TO_CONFIRM:
            return TO_CONFIRM_COLOUR
        level = self.levels.get(code)
        return level.color if level else "#9e9e9e"

    def status_fill(self, code: str) -> colors.Color:
        return fill(self.status_colour(code))

    def label(self, code: str) -> str:
        return status_label(self.scale, code)

    def words(self, counts: StatusCounts, *, shares: bool = True) -> str:
        """``Oui 9 (69,2 %) · Partiellement 1 (7,7 %) · …``: the counts in words (« À confirmer »
        last when some actions await a confirmation)."""
        parts = []
        for level in counted_levels(counts, self.scale):
            count = counts.counts.get(level.code, 0)
            # Non-breaking spaces: a line may break between statuses, never inside one.
            text = f"{level.label}\u00a0{count}"
            if shares and counts.total:
                text += f"\u00a0({_percent(counts.share(level.code))})"
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

    def nc_label(self) -> str:
        return self.label(NC)

    # Title page ----------------------------------------------------------------------------

    def _title_page(self) -> list[Flowable]:
        s, c, plan = self.s, self.c, self.plan
        objectives, themes, actions = plan.counts()
        roster = c.roster
        expected = [r for r in roster if r.expected]
        answered = [r for r in roster if r.answered_actions > 0]
        respondents = f"{len(roster)}"
        if expected:
            missing = [r for r in expected if r.state == "manquant"]
            waiting = [r for r in expected if r.state == TO_CONFIRM]
            respondents += (
                f" ({len(expected)} attendus ; {len(answered)} ont répondu ; "
                + (f"{len(waiting)} n'ont encore rien confirmé ; " if waiting else "")
                + f"{len(missing)} sans réponse)"
            )
        facts: list[tuple[str, str]] = []
        if self.region:
            facts.append(("Région", self.region))
        if plan.period:
            facts.append(("Période du plan", plan.period))
        facts += [
            ("Campagne", f"{c.campaign_title} ({c.campaign_id})"),
            ("Date limite de réponse", long_date(c.due_date) if c.due_date else "non fixée"),
            ("Répondants", respondents),
            ("Plan", f"{objectives} objectifs, {themes} thématiques, {actions} actions"),
            ("Version du questionnaire", f"{plan.id} · {plan.digest()[:12]}"),
            ("Document généré le", long_date(c.generated_at)),
        ]
        rows = [[self.p(markup(k), s.cell_bold), self.p(markup(v), s.cell)] for k, v in facts]
        facts_table = Table(rows, colWidths=[48 * mm, WIDTH - 48 * mm], hAlign="LEFT")
        facts_table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), s.fonts.regular, 9, 11.5),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        contents = [
            "1. Synthèse : statuts retenus, complétude, répartition par objectif, règle de "
            "synthèse et arbitrages",
            *(
                [
                    f"Évolution depuis {self.evolution.previous_title} : progrès, reculs, "
                    "actions nouvelles et retirées, par objectif"
                ]
                if self.evolution is not None
                else []
            ),
            "2. Actions par objectif et thématique : statut retenu et réponses des répondants",
            "3. Indicateurs : valeurs par répondant et totaux",
            "4. Répondants : qui a répondu, qui manque",
            "Annexe : commentaires des répondants, par action",
        ]
        story: list[Flowable] = [
            _Anchor("titre", 0, "Page de titre"),
            Spacer(1, 28 * mm),
            self.p("Synthèse de l'évaluation", s.kicker),
            self.p(markup(plan.title), s.title),
            self.p(markup(c.campaign_title), s.subtitle),
        ]
        if self.region:
            story.append(self.p(markup(self.region), s.subtitle))
        story += [Spacer(1, 10 * mm), facts_table, Spacer(1, 12 * mm)]
        story.append(self.p("Contenu", s.h2))
        story += [self.p(markup(line), s.body) for line in contents]
        if plan.source and plan.source != plan.title:
            story += [Spacer(1, 6 * mm), self.p(f"Source du plan : {markup(plan.source)}", s.note)]
        return story

    # 1. Synthesis --------------------------------------------------------------------------

    def _synthesis(self) -> list[Flowable]:
        s, c = self.s, self.c
        overall = c.overall
        story: list[Flowable] = [_heading("1. Synthèse", s.h1, "synthese", 0)]
        arbitrated = [r for r in c.actions if r.arbitration is not None]
        intro = f"{overall.total} actions évaluées ; statut retenu : {markup(self.words(overall))}."
        story.append(self.p(intro, s.body))
        story.append(self.p(self._responses_sentence(), s.body))

        # Overall counts, which are also the legend of every chart: colour, word and meaning.
        rows: list[list[Any]] = [
            [
                self.p("Statut retenu", s.cell_header),
                self.p("Signification", s.cell_header),
                self.p("Actions", s.cell_header_right),
                self.p("Part", s.cell_header_right),
            ]
        ]
        commands: list[tuple] = [("ALIGN", (2, 1), (3, -1), "RIGHT")]
        for i, level in enumerate(self.scale.levels, start=1):
            rows.append(
                [
                    self.status_cell(level.code),
                    self.p(markup(level.description), s.cell),
                    str(overall.counts.get(level.code, 0)),
                    _percent(overall.share(level.code)),
                ]
            )
            commands.append(("BACKGROUND", (0, i), (0, i), self.status_fill(level.code)))
        if overall.to_confirm:
            rows.append(
                [
                    self.status_cell(TO_CONFIRM),
                    self.p(markup(TO_CONFIRM_LEVEL.description), s.cell),
                    str(overall.to_confirm),
                    _percent(overall.share(TO_CONFIRM)),
                ]
            )
            commands.append(
                ("BACKGROUND", (0, len(rows) - 1), (0, len(rows) - 1), self.status_fill(TO_CONFIRM))
            )
        total_row = len(rows)
        rows.append(
            ["", self.p("Total des actions", s.cell_bold), str(overall.total), "100,0\u00a0%"]
        )
        rows.append(
            [
                "",
                self.p(
                    f"Complétude : actions au statut connu (ni « {markup(self.nc_label())} » "
                    f"ni « à confirmer »)"
                    if overall.to_confirm
                    else f"Complétude : actions au statut connu (autre que "
                    f"« {markup(self.nc_label())} »)",
                    s.cell_bold,
                ),
                str(overall.answered),
                _percent(self.completion(overall)),
            ]
        )
        commands += [
            ("FONT", (2, total_row), (3, -1), s.fonts.bold, 8, 10),
            ("LINEABOVE", (0, total_row), (-1, total_row), 0.8, INK),
        ]
        story.append(
            self.table(
                rows, [30 * mm, WIDTH - 30 * mm - 40 * mm, 20 * mm, 20 * mm], commands=commands
            )
        )
        story.append(Spacer(1, 4 * mm))
        story.append(
            stacked_bar(
                self.segments(overall, named=True),
                WIDTH,
                18,
                font=s.fonts.bold,
                font_size=7.5,
                percent_of=overall.total,
            )
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(
            self.p(
                "Répartition des statuts retenus sur l'ensemble du plan, dans l'ordre du "
                "tableau ci-dessus.",
                s.note,
            )
        )

        story.append(self.p("Par objectif", s.h2))
        story.append(self._objectives_table())

        story.append(self.p("Règle de synthèse", s.h2))
        rule = Table([[self.p(markup(SYNTHESIS_RULE), s.cell)]], colWidths=[WIDTH])
        rule.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), s.fonts.regular, 8, 10),
                    ("BACKGROUND", (0, 0), (-1, -1), NOTE_BACKGROUND),
                    ("LINEBEFORE", (0, 0), (0, -1), 2, BLUE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 7),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        story.append(rule)

        story.append(self.p("Arbitrages du secrétariat", s.h2))
        if not arbitrated:
            story.append(
                self.p(
                    "Aucun statut n'a été arbitré : chaque statut retenu est la synthèse des "
                    "réponses.",
                    s.body,
                )
            )
        else:
            story.append(self._arbitrations_table(arbitrated))
        return story

    def _responses_sentence(self) -> str:
        roster = self.c.roster
        if not roster:
            return "Aucun répondant : aucune réponse n'a été saisie ni importée."
        expected = [r for r in roster if r.expected]
        group = expected or list(roster)
        by_state: dict[str, list[RosterEntry]] = {}
        for entry in group:
            by_state.setdefault(entry.state, []).append(entry)
        parts = []
        for state in ROSTER_STATES:
            found = by_state.get(state, [])
            if not found:
                continue
            invariable = state in ("sans réponse", TO_CONFIRM)
            word = state if len(found) == 1 or invariable else state + "s"
            parts.append(f"{len(found)} {word}")
        late = [r for r in group if r.late(self.c.due_date)]
        noun = "répondants attendus" if expected else "répondants"
        if len(group) == 1:
            noun = "répondant attendu" if expected else "répondant"
        sentence = f"Réponses : {len(group)} {noun} — {', '.join(parts)}"
        missing = by_state.get("manquant", [])
        if missing:
            sentence += " (manquants : " + ", ".join(r.code for r in missing[:12])
            sentence += ", …)" if len(missing) > 12 else ")"
        if late:
            sentence += f" ; {len(late)} en retard sur la date limite"
        if expected and len(expected) < len(roster):
            sentence += f" ; {len(roster) - len(expected)} autres répondants ont aussi répondu"
        return markup(sentence) + ". Détail en partie 4."

    def _objectives_table(self) -> Table:
        s, c = self.s, self.c
        bar_width = 54 * mm
        widths = [WIDTH - bar_width - 39 * mm, bar_width, 16 * mm, 23 * mm]
        rows: list[list[Any]] = [
            [
                self.p("Objectif", s.cell_header),
                self.p("Répartition des statuts retenus", s.cell_header),
                self.p("Actions", s.cell_header_right),
                self.p("Complétude", s.cell_header_right),
            ]
        ]
        inner = bar_width - 6
        for objective, counts in c.objective_counts:
            rows.append(
                [
                    [
                        self.p(f"<b>{markup(objective.code)}.</b> {markup(objective.title)}"),
                        self.p(markup(self.words(counts)), s.cell_small),
                    ],
                    stacked_bar(self.segments(counts, named=False), inner, 12, font=s.fonts.bold),
                    str(counts.total),
                    _percent(self.completion(counts)),
                ]
            )
        overall = c.overall
        rows.append(
            [
                [
                    self.p("Ensemble du plan", s.cell_bold),
                    self.p(markup(self.words(overall)), s.cell_small),
                ],
                stacked_bar(self.segments(overall, named=False), inner, 12, font=s.fonts.bold),
                str(overall.total),
                _percent(self.completion(overall)),
            ]
        )
        last = len(rows) - 1
        return self.table(
            rows,
            widths,
            commands=[
                ("ALIGN", (2, 1), (3, -1), "RIGHT"),
                ("VALIGN", (1, 1), (-1, -1), "MIDDLE"),
                ("LINEABOVE", (0, last), (-1, last), 0.8, INK),
                ("FONT", (2, last), (3, last), s.fonts.bold, 8, 10),
            ],
        )

    def _arbitrations_table(self, arbitrated: list[ActionResult]) -> Table:
        s = self.s
        rows: list[list[Any]] = [
            [
                self.p("Code", s.cell_header),
                self.p("Action", s.cell_header),
                self.p("Synthèse des réponses", s.cell_header),
                self.p("Statut retenu", s.cell_header),
                self.p("Raison, auteur et date", s.cell_header),
            ]
        ]
        commands: list[tuple] = []
        for i, result in enumerate(arbitrated, start=1):
            arbitration = result.arbitration
            assert arbitration is not None
            rows.append(
                [
                    self.p(markup(result.action.code)),
                    self.p(markup(shorten(result.action.text, 140)), s.cell_small),
                    self.status_cell(result.synthesis),
                    self.status_cell(arbitration.status),
                    [
                        # A reminder: the whole reason is under the action, in part 2.
                        self.p(markup(shorten(arbitration.reason, 400)), s.cell_small),
                        self.p(markup(self._decided(arbitration.by, arbitration.at)), s.cell_muted),
                    ],
                ]
            )
            commands += [
                ("BACKGROUND", (2, i), (2, i), self.status_fill(result.synthesis)),
                ("BACKGROUND", (3, i), (3, i), self.status_fill(arbitration.status)),
            ]
        widths = [13 * mm, 55 * mm, 27 * mm, 27 * mm]
        widths.append(WIDTH - sum(widths))
        return self.table(rows, widths, commands=commands)

    @staticmethod
    def _decided(by: str, at: Any) -> str:
        when = short_datetime(at)
        if by and when:
            return f"{by}, le {when}"
        return by or when

    # Evolution since a previous campaign ---------------------------------------------------

    def transition_words(self, counts: TransitionCounts) -> str:
        """``Progrès 3 · Inchangée 60 · …``: the counts of each transition in words."""
        return MIDDOT.join(f"{TRANSITION_LABELS[t]}\u00a0{counts.counts[t]}" for t in TRANSITIONS)

    def transition_segments(self, counts: TransitionCounts) -> list[Segment]:
        return [
            Segment(counts.counts[t], TRANSITION_COLOURS[t], TRANSITION_LABELS[t])
            for t in TRANSITIONS
        ]

    def transition_cell(self, name: str) -> Paragraph:
        dark = text_on(TRANSITION_COLOURS[name]) == colors.black
        return self.p(
            markup(TRANSITION_LABELS[name]), self.s.status_black if dark else self.s.status_white
        )

    def _evolution(self, evolution: Evolution) -> list[Flowable]:
        s = self.s
        overall = evolution.overall
        title = f"Évolution depuis {evolution.previous_title}"
        story: list[Flowable] = [
            _heading(title, s.h1, "evolution", 0),
            self.p(
                markup(
                    f"{evolution.current_title} comparée à {evolution.previous_title} "
                    f"({evolution.previous_campaign_id}) : {evolution.headline()} "
                    f"{self.transition_words(overall)}."
                ),
                s.body,
            ),
            self.p(markup(EVOLUTION_RULE), s.note),
        ]
        rows: list[list[Any]] = [
            [
                self.p("Évolution", s.cell_header),
                self.p("Actions", s.cell_header_right),
                self.p("Part", s.cell_header_right),
            ]
        ]
        commands: list[tuple] = [("ALIGN", (1, 1), (2, -1), "RIGHT")]
        for i, name in enumerate(TRANSITIONS, start=1):
            number = overall.counts[name]
            share = Decimal(number) / Decimal(overall.total) if overall.total else None
            rows.append([self.transition_cell(name), str(number), _percent(share)])
            commands.append(("BACKGROUND", (0, i), (0, i), fill(TRANSITION_COLOURS[name])))
        rows.append([self.p("Total des actions", s.cell_bold), str(overall.total), "100,0\u00a0%"])
        commands += [
            ("FONT", (1, len(rows) - 1), (2, -1), s.fonts.bold, 8, 10),
            ("LINEABOVE", (0, len(rows) - 1), (-1, -1), 0.8, INK),
        ]
        story.append(self.table(rows, [40 * mm, 20 * mm, 20 * mm], commands=commands))
        story.append(Spacer(1, 4 * mm))
        story.append(
            stacked_bar(
                self.transition_segments(overall),
                WIDTH,
                18,
                font=s.fonts.bold,
                font_size=7.5,
                percent_of=overall.total,
            )
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(self.p("Évolution des statuts retenus sur l'ensemble du plan.", s.note))

        story.append(self.p("Par objectif", s.h2))
        bar_width = 80 * mm
        widths = [WIDTH - bar_width - 16 * mm, bar_width, 16 * mm]
        rows = [
            [
                self.p("Objectif", s.cell_header),
                self.p("Évolution des statuts retenus", s.cell_header),
                self.p("Actions", s.cell_header_right),
            ]
        ]
        lines = [
            (f"<b>{markup(o.code)}.</b> {markup(o.title)}", c)
            for o, c in evolution.objective_counts
        ]
        lines.append(("<b>Ensemble du plan</b>", overall))
        for heading, counts in lines:
            rows.append(
                [
                    [self.p(heading), self.p(markup(self.transition_words(counts)), s.cell_small)],
                    stacked_bar(
                        self.transition_segments(counts), bar_width - 6, 12, font=s.fonts.bold
                    ),
                    str(counts.total),
                ]
            )
        last = len(rows) - 1
        story.append(
            self.table(
                rows,
                widths,
                commands=[
                    ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                    ("VALIGN", (1, 1), (-1, -1), "MIDDLE"),
                    ("LINEABOVE", (0, last), (-1, last), 0.8, INK),
                    ("FONT", (2, last), (2, last), s.fonts.bold, 8, 10),
                ],
            )
        )

        story.append(self.p("Actions qui ont changé", s.h2))
        if not evolution.changed:
            story.append(self.p("Aucune action n'a changé de statut retenu.", s.body))
        else:
            story.append(self._changes_table(evolution.changed))
        if evolution.waiting:
            story.append(self.p("Actions en attente", s.h2))
            for name, explained in (
                (
                    AWAITING,
                    "une réponse reprise de l'évaluation précédente attend la "
                    "confirmation de son service",
                ),
                (NOT_YET, "personne n'y a encore répondu dans cette campagne"),
            ):
                codes = [a.code for a in evolution.waiting if a.transition == name]
                if not codes:
                    continue
                listed = ", ".join(codes[:WAITING_LISTED])
                if len(codes) > WAITING_LISTED:
                    listed += "… (la liste entière est dans la feuille « Évolution » du classeur)"
                story.append(
                    self.p(
                        f"<b>{markup(TRANSITION_LABELS[name])} : {len(codes)}</b> "
                        f"— {markup(explained)} : {markup(listed)}.",
                        s.body,
                    )
                )
        return story

    def _changes_table(self, changed: Sequence[ActionEvolution]) -> Table:
        s = self.s
        rows: list[list[Any]] = [
            [
                self.p("Code", s.cell_header),
                self.p("Action", s.cell_header),
                self.p("Avant", s.cell_header),
                self.p("Maintenant", s.cell_header),
                self.p("Évolution", s.cell_header),
            ]
        ]
        commands: list[tuple] = []
        for i, change in enumerate(changed, start=1):
            code = change.code
            if change.renamed_from:
                code += f" (ex-{change.renamed_from})"
            cells: list[Any] = [
                self.p(markup(code)),
                self.p(markup(shorten(change.action.text, 160)), s.cell_small),
            ]
            for column, status in ((2, change.previous), (3, change.current)):
                # Only changes are listed here: never « à confirmer » or « pas encore ».
                if status is None:
                    absent = column == 2 and change.previous_codes
                    cells.append(self.p("aucune réponse" if absent else "absente", s.cell_muted))
                else:
                    note = "arbitré" if column == 3 and change.arbitrated else ""
                    cells.append(self.status_cell(status, note))
                    commands.append(
                        ("BACKGROUND", (column, i), (column, i), self.status_fill(status))
                    )
            cells.append(self.transition_cell(change.transition))
            commands.append(
                ("BACKGROUND", (4, i), (4, i), fill(TRANSITION_COLOURS[change.transition]))
            )
            rows.append(cells)
        widths = [20 * mm, 0.0, 27 * mm, 27 * mm, 22 * mm]
        widths[1] = WIDTH - sum(widths)
        return self.table(rows, widths, commands=commands)

    # 2. Actions ----------------------------------------------------------------------------

    def _actions(self) -> list[Flowable]:
        s, c = self.s, self.c
        story: list[Flowable] = [
            _heading("2. Actions par objectif et thématique", s.h1, "actions", 0),
            self.p(
                "Pour chaque action : le statut retenu (synthèse des réponses, ou statut arbitré "
                "par le secrétariat, marqué « arbitré » avec sa raison), puis la répartition des "
                "réponses ; quand les réponses diffèrent, les codes des répondants sont indiqués "
                "pour les statuts donnés par trois répondants au plus.",
                s.note,
            ),
            Spacer(1, 2 * mm),
        ]
        by_objective: dict[str, list[ActionResult]] = {}
        for result in c.actions:
            by_objective.setdefault(result.objective.code, []).append(result)
        for index, (objective, counts) in enumerate(c.objective_counts):
            results = by_objective.get(objective.code, [])
            title = f"Objectif {objective.code} — {' '.join(objective.title.split())}"
            story += [
                CondPageBreak(45 * mm),
                _Anchor(f"actions-{index}", 1, title),
                self._objective_table(title, counts, results),
                Spacer(1, 5 * mm),
            ]
        return story

    def _objective_table(
        self, title: str, counts: StatusCounts, results: list[ActionResult]
    ) -> Table:
        s = self.s
        widths = [14 * mm, 0.0, 28 * mm, 44 * mm]
        widths[1] = WIDTH - sum(widths)
        band = [
            self.p(markup(title), s.band_objective),
            self.p(
                f"{counts.total} actions : {markup(self.words(counts, shares=False))}",
                s.cell_small,
            ),
        ]
        rows: list[list[Any]] = [
            [band, "", "", ""],
            [
                self.p("Code", s.cell_header),
                self.p("Action", s.cell_header),
                self.p("Statut retenu", s.cell_header),
                self.p("Réponses", s.cell_header),
            ],
        ]
        commands: list[tuple] = [
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), OBJECTIVE_BAND),
            ("BACKGROUND", (0, 1), (-1, 1), BLUE),
            ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
        ]
        theme = None
        for result in results:
            if result.theme_code != theme:
                theme = result.theme_code
                r = len(rows)
                rows.append(
                    [
                        self.p(
                            f"Thématique {markup(result.theme_code)} — "
                            f"{markup(result.theme_title)}",
                            s.band_theme,
                        ),
                        "",
                        "",
                        "",
                    ]
                )
                commands += [
                    ("SPAN", (0, r), (-1, r)),
                    ("BACKGROUND", (0, r), (-1, r), THEME_BAND),
                    ("NOSPLIT", (0, r), (-1, r + 1)),
                ]
            r = len(rows)
            rows.append(self._action_row(result))
            commands.append(("BACKGROUND", (2, r), (2, r), self.status_fill(result.final)))
        table = self.table(rows, widths, header_rows=2, commands=commands)
        return table

    def _action_row(self, result: ActionResult) -> list[Any]:
        s = self.s
        action = result.action
        text: list[Paragraph] = [self.p(markup(action.text))]
        if action.pilots:
            text.append(self.p("Pilotes : " + markup(", ".join(action.pilots)), s.cell_muted))
        arbitration = result.arbitration
        if arbitration is not None:
            line = (
                f"<b>Arbitrage</b> : « {markup(self.label(arbitration.status))} » retenu "
                f"(synthèse des réponses : « {markup(self.label(result.synthesis))} ») — "
                f"{markup(arbitration.reason)}"
            )
            decided = self._decided(arbitration.by, arbitration.at)
            if decided:
                line += f" <i>({markup(decided)})</i>"
            text.append(self.p(line, s.cell_small))
        return [
            self.p(markup(action.code)),
            text,
            self.status_cell(result.final, "arbitré" if arbitration else ""),
            self.p(self._distribution(result), s.cell_small),
        ]

    def _distribution(self, result: ActionResult) -> str:
        """``Oui 2 (DDETS-44, DDETS-49) · Non 1 (DDETS-72)``, then the carried answers awaiting
        confirmation (``à confirmer : DDETS-53 (oui)``), in markup."""
        distribution = result.distribution
        awaiting = [a for a in result.awaiting if a.status is not None]
        if not distribution and not awaiting:
            return "<i>aucune réponse</i>"
        codes = [code for code in self.scale.codes if code in distribution]
        codes += sorted(code for code in distribution if code not in self.levels)
        differ = len(codes) > 1
        parts = []
        for code in codes:
            count = distribution[code]
            part = f"{markup(self.label(code))}\u00a0{count}"
            if differ and count <= 3:
                names = ", ".join(a.respondent for a in result.confirmed if a.status == code)
                part += f" ({markup(names)})"
            parts.append(part)
        if awaiting:
            carried = ", ".join(
                f"{a.respondent} ({self.label(a.status)})" for a in awaiting[:3]
            ) + (", …" if len(awaiting) > 3 else "")
            parts.append(f"<i>{TO_CONFIRM}\u00a0{len(awaiting)}</i> : {markup(carried)}")
        return MIDDOT.join(parts)

    # 3. Indicators -------------------------------------------------------------------------

    def _indicators(self) -> list[Flowable]:
        s, c = self.s, self.c
        story: list[Flowable] = [_heading("3. Indicateurs", s.h1, "indicateurs", 0)]
        if not c.indicators:
            story.append(self.p("Ce plan ne comporte pas d'indicateur.", s.body))
            return story
        groups: dict[str, list[IndicatorResult]] = {}
        for indicator in c.indicators:
            groups.setdefault(indicator.action.code, []).append(indicator)
        if not any(i.rows for i in c.indicators):
            story.append(self.p("Aucune valeur d'indicateur n'a été saisie.", s.body))
            return story
        story.append(
            self.p(
                "Valeurs saisies par chaque répondant, puis totaux. Le ratio du total est "
                "calculé sur les totaux (total réalisé / total cible), jamais en moyenne des "
                "ratios ; sans valeur cible, le ratio est inconnu (—).",
                s.note,
            )
        )
        for code, indicators in groups.items():
            with_values = [i for i in indicators if i.rows]
            without = [i for i in indicators if not i.rows]
            action = indicators[0].action
            story.append(
                self.p(f"Action {markup(code)} — {markup(shorten(action.text, 220))}", s.h3)
            )
            for chunk in self._indicator_chunks(with_values):
                story.append(self._indicator_table(chunk))
                story.append(Spacer(1, 3 * mm))
            if without:
                names = ", ".join(f"« {i.label} »" for i in without)
                story.append(self.p(markup(f"Sans valeur saisie : {names}."), s.note))
        return story

    @staticmethod
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

    def _indicator_chunks(self, indicators: list[IndicatorResult]) -> list[list[IndicatorResult]]:
        """Indicators of one action side by side, as many as fit across the page."""
        chunks: list[list[IndicatorResult]] = []
        current: list[IndicatorResult] = []
        used = 0
        for indicator in indicators:
            n = len(self._columns(indicator))
            if current and used + n > 6:
                chunks.append(current)
                current, used = [], 0
            current.append(indicator)
            used += n
        if current:
            chunks.append(current)
        return chunks

    def _indicator_table(self, indicators: list[IndicatorResult]) -> Table:
        s = self.s
        plan_columns = [(i, self._columns(i)) for i in indicators]
        n_values = sum(len(cols) for _, cols in plan_columns)
        value_width = min(27 * mm, (WIDTH - 48 * mm) / max(n_values, 1))
        widths = [WIDTH - value_width * n_values] + [value_width] * n_values
        header_top: list[Any] = [self.p("Répondant", s.cell_header)]
        header_bottom: list[Any] = [""]
        commands: list[tuple] = [
            ("SPAN", (0, 0), (0, 1)),
            ("ALIGN", (1, 2), (-1, -1), "RIGHT"),
        ]
        column = 1
        names = {
            "cible": "Valeur cible",
            "réalisé": "Valeur réalisée",
            "ratio": "Ratio réalisé / cible",
        }
        for indicator, cols in plan_columns:
            label = indicator.label
            if indicator.unit and indicator.unit.casefold() not in label.casefold():
                label += f" ({indicator.unit})"
            header_top.append(self.p(markup(label), s.cell_header))
            header_top += [""] * (len(cols) - 1)
            header_bottom += [self.p(names[col], s.cell_header_right) for col in cols]
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
        rows: list[list[Any]] = [header_top, header_bottom]
        carried = {
            row.respondent
            for indicator, _ in plan_columns
            for row in indicator.rows
            if row.to_confirm
        }
        for code in sorted(respondents):
            name = who(respondents[code], code)
            if code in carried:
                name += f" — {TO_CONFIRM}, hors total"
            line: list[Any] = [self.cell_text(name, widths[0])]
            for position, (indicator, cols) in enumerate(plan_columns):
                figure = values.get((position, code))
                for col in cols:
                    if figure is None:
                        line.append(DASH)
                    elif col == "cible":
                        line.append(self._value(figure.target, indicator.kind))
                    elif col == "réalisé":
                        line.append(self._value(figure.achieved, indicator.kind))
                    else:
                        line.append(_percent(figure.ratio, 2))
            rows.append(line)
        total_label = f"Total {self.region}" if self.region else "Total"
        total: list[Any] = [self.p(markup(total_label), s.cell_bold)]
        for indicator, cols in plan_columns:
            for col in cols:
                if col == "cible":
                    total.append(self._value(indicator.target_total, indicator.kind))
                elif col == "réalisé":
                    total.append(self._value(indicator.achieved_total, indicator.kind))
                else:
                    total.append(_percent(indicator.ratio, 2))
        last = len(rows)
        rows.append(total)
        commands += [
            ("FONT", (1, last), (-1, last), s.fonts.bold, 8, 10),
            ("LINEABOVE", (0, last), (-1, last), 0.8, INK),
            ("BACKGROUND", (0, last), (-1, last), NOTE_BACKGROUND),
        ]
        return self.table(rows, widths, header_rows=2, commands=commands)

    @staticmethod
    def _value(value: Decimal | None, kind: IndicatorKind) -> str:
        if value is None:
            return DASH
        text = format_decimal(value)
        return f"{text}\u00a0%" if kind is IndicatorKind.PERCENTAGE else text

    # 4. Roster -----------------------------------------------------------------------------

    def _roster(self) -> list[Flowable]:
        s, c = self.s, self.c
        story: list[Flowable] = [_heading("4. Répondants", s.h1, "repondants", 0)]
        due = c.due_date
        story.append(
            self.p(
                markup(
                    f"Date limite de réponse : {long_date(due)}."
                    if due
                    else "Aucune date limite n'a été fixée pour cette campagne."
                )
                + " "
                + self._responses_sentence().removesuffix(" Détail en partie 4."),
                s.body,
            )
        )
        story.append(
            self.p(
                "« Attendu » : le répondant figure sur la liste des services sollicités. "
                "Actions renseignées : actions qu'il pilote (toutes s'il n'en pilote aucune) "
                "ayant reçu un statut dans cette campagne ; une réponse reprise de l'évaluation "
                "précédente compte quand son service l'a confirmée. En retard : incomplet après "
                "la date limite, ou complété après elle.",
                s.note,
            )
        )
        if not c.roster:
            return story
        rows: list[list[Any]] = [
            [
                self.p("Répondant", s.cell_header),
                self.p("Attendu", s.cell_header),
                self.p("Actions renseignées", s.cell_header_right),
                self.p("État", s.cell_header),
                self.p("Dernière saisie", s.cell_header),
                self.p("Dernier import", s.cell_header),
            ]
        ]
        commands: list[tuple] = [("ALIGN", (2, 1), (2, -1), "RIGHT")]
        widths = [0.0, 16 * mm, 23 * mm, 22 * mm, 28 * mm, 28 * mm]
        widths[0] = WIDTH - sum(widths)
        for i, entry in enumerate(c.roster, start=1):
            state = entry.state
            if entry.late(due):
                state += "\nen retard"
            answered = f"{entry.answered_actions} / {entry.expected_actions}"
            if entry.to_confirm:
                answered += f"\n{entry.to_confirm} {TO_CONFIRM}"
            rows.append(
                [
                    self.cell_text(who(entry.label, entry.code), widths[0]),
                    "oui" if entry.expected else "non",
                    answered,
                    state,
                    short_datetime(entry.last_change) or DASH,
                    short_datetime(entry.last_import) or DASH,
                ]
            )
            tint = STATE_COLOURS.get(entry.state)
            if tint is not None:
                commands.append(("BACKGROUND", (3, i), (3, i), tint))
            if entry.late(due):
                commands.append(("TEXTCOLOR", (3, i), (3, i), colors.HexColor("#9b1c1c")))
        story.append(self.table(rows, widths, commands=commands))
        return story

    # Annex: comments -----------------------------------------------------------------------

    def _comments(self) -> list[Flowable]:
        s, c = self.s, self.c
        story: list[Flowable] = [
            _heading("Annexe — Commentaires des répondants", s.h1, "commentaires", 0),
            self.p(
                "Commentaires tels que saisis, regroupés par action dans l'ordre du plan : "
                "auteur (service et code), statut qu'il a donné, date de la dernière "
                "modification et personne qui l'a faite.",
                s.note,
            ),
        ]
        objective = None
        count = 0
        for result in c.actions:
            comments = result.comments
            if not comments:
                continue
            if result.objective.code != objective:
                objective = result.objective.code
                story.append(
                    self.p(
                        f"Objectif {markup(objective)} — {markup(result.objective.title)}",
                        s.annex_objective,
                    )
                )
            story.append(
                self.p(
                    f"{markup(result.action.code)} — "
                    f"{markup(shorten(result.action.text, _REMINDER_LENGTH))}",
                    s.annex_action,
                )
            )
            for answer in comments:
                count += 1
                meta = [
                    f"statut « {self.label(answer.status)} »" if answer.status else "sans statut"
                ]
                if answer.to_confirm:
                    meta.append("reprise de l'évaluation précédente, à confirmer")
                decided = self._decided(answer.by, answer.at)
                if decided:
                    meta.append(decided)
                story.append(
                    _Byline(who(answer.label, answer.respondent), " · ".join(meta), s.comment)
                )
                # One plain paragraph per line: reportlab lays out a paragraph in one font
                # without line breaks about ten times faster than one with markup.
                lines = [line for line in answer.comment.strip().split("\n") if line.strip()]
                for i, line in enumerate(lines, start=1):
                    style = s.comment_last if i == len(lines) else s.comment
                    story.append(self.p(markup(line), style))
        if not count:
            story.append(self.p("Aucun commentaire n'a été saisi.", s.body))
        return story
