"""The page of the summary: A4 template with its running header and footer, « page n / N »
written once the last page is known, and the outline (the PDF's bookmarks)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from sradar_desktop.reports.pdf.styles import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    WIDTH,
    styles,
)
from sradar_desktop.reports.pdf.text import french_spacing, markup

_PAGE_TOTAL_FORM = "sradar-nombre-de-pages"


def _page_number(canvas: Canvas, x: float, y: float, font: str, size: float) -> None:
    """« page n / N »: N is the form that ``PageCanvas`` fills in once the last page is known,
    so the document is laid out once."""
    text = f"page {canvas.getPageNumber()} / "
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)
    canvas.saveState()
    canvas.translate(x + stringWidth(text, font, size), y)
    canvas.doForm(_PAGE_TOTAL_FORM)
    canvas.restoreState()


class PageCanvas(Canvas):
    """A canvas that writes the number of pages in the form of « page n / N »."""

    def save(self) -> None:
        total = self.getPageNumber() - 1  # the last showPage already counted the next page
        self.beginForm(_PAGE_TOTAL_FORM)
        self.setFont(styles().fonts.regular, 7.5)
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


class Document(BaseDocTemplate):
    """The summary's pages: « titre » with the footer alone, « corps » with the header too."""

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
        self.fonts = styles().fonts
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

    def _footer(self, canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        y = 9 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, y + 10, PAGE_WIDTH - MARGIN_X, y + 10)
        canvas.setFillColor(MUTED)
        _page_number(canvas, MARGIN_X, y, self.fonts.regular, 7.5)
        canvas.setFont(self.fonts.regular, 7.5)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, y, self.footer)
        canvas.restoreState()

    def _header_and_footer(self, canvas: Canvas, doc: Any) -> None:
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


class Anchor(Flowable):
    """An invisible entry point of the document outline (the PDF's bookmarks)."""

    def __init__(self, key: str, level: int, title: str) -> None:
        super().__init__()
        self.outline = (key, level, title)

    def wrap(self, _width: float, _height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def heading(text: str, style: ParagraphStyle, key: str, level: int) -> Paragraph:
    """A heading that is also an entry of the outline."""
    paragraph = Paragraph(french_spacing(markup(text)), style)
    paragraph.outline = (key, level, " ".join(text.split()))  # type: ignore[attr-defined]
    return paragraph
