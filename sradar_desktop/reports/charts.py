"""Charts of the PDF summary, drawn with reportlab.graphics.

A bar never speaks by colour alone: its segments follow the scale's order and each carries its
name or count, inside when there is room, on a caption line under the bar otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from sradar_desktop.reports.layout import caption_line

EMPTY_FILL = colors.HexColor("#eeeeee")
EMPTY_STROKE = colors.HexColor("#9e9e9e")


@dataclass(frozen=True)
class Segment:
    count: int
    color: str  # "#rrggbb", as the scale gives it
    label: str = ""  # the status's name, drawn before the count when there is room


@cache
def fill(color: str) -> colors.Color:
    try:
        return colors.HexColor(color)
    except (ValueError, TypeError):
        return EMPTY_STROKE


def _luminance(color: colors.Color) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red) + 0.7152 * channel(color.green) + 0.0722 * channel(color.blue)
    )


@cache
def text_on(color: str) -> colors.Color:
    """Black or white, whichever contrasts more with ``color`` (WCAG relative luminance)."""
    lum = _luminance(fill(color))
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return colors.white if on_white >= on_black else colors.black


CAPTION_GAP = 6  # points between two labels of the caption line


def stacked_bar(
    segments: Sequence[Segment],
    width: float,
    height: float,
    *,
    font: str,
    font_size: float = 7,
    with_labels: bool = True,
    percent_of: int | None = None,
) -> Drawing:
    """One horizontal bar split in proportion to the counts, in the order given.

    Every segment carries its words: its name and count (and share of ``percent_of`` when
    given) inside when it is wide enough, otherwise on a caption line right under the bar,
    joined to its segment by a short leader. An empty bar says « aucune action ».
    """
    total = sum(s.count for s in segments)
    if total <= 0:
        drawing = _drawing(width, height, font, font_size)
        drawing.add(
            _rect(0, 0, width, height, fill=EMPTY_FILL, stroke=EMPTY_STROKE, stroke_width=0.5)
        )
        drawing.add(
            String(
                width / 2,
                (height - font_size * 0.72) / 2,
                "aucune action",
                fontName=font,
                fontSize=font_size,
                fillColor=colors.black,
                textAnchor="middle",
            )
        )
        return drawing
    placed: list[tuple[Segment, float, float, str | None]] = []  # segment, x, width, inside
    x = 0.0
    for segment in segments:
        if segment.count <= 0:
            continue
        seg_width = width * segment.count / total
        inside = None
        if with_labels:
            # A named segment keeps its name inside, or goes to the caption with it.
            inside = next(
                (
                    text
                    for text in _label_candidates(segment, percent_of)
                    if segment.label in text and stringWidth(text, font, font_size) + 4 <= seg_width
                ),
                None,
            )
        placed.append((segment, x, seg_width, inside))
        x += seg_width
    outside = [
        (segment, x + seg_width / 2) for segment, x, seg_width, inside in placed if inside is None
    ]
    captions = _caption(outside, width, font, font_size, percent_of) if with_labels else []
    caption_height = font_size + 5 if captions else 0
    drawing = _drawing(width, height + caption_height, font, font_size)
    baseline = caption_height + (height - font_size * 0.72) / 2
    for segment, x, seg_width, inside in placed:
        drawing.add(
            _rect(
                x,
                caption_height,
                seg_width,
                height,
                fill=fill(segment.color),
                stroke=colors.white,
                stroke_width=0.6,
            )
        )
        if inside is not None:
            drawing.add(
                String(
                    x + seg_width / 2,
                    baseline,
                    inside,
                    fontName=font,
                    fontSize=font_size,
                    fillColor=text_on(segment.color),
                    textAnchor="middle",
                )
            )
    for (_, centre), (text, left, text_width) in zip(outside, captions, strict=True):
        middle = left + text_width / 2
        drawing.add(
            Line(
                centre,
                caption_height,
                middle,
                font_size + 0.5,
                strokeColor=colors.black,
                strokeWidth=0.4,
            )
        )
        drawing.add(
            String(left, 0.5, text, fontName=font, fontSize=font_size, fillColor=colors.black)
        )
    return drawing


def _rect(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: colors.Color,
    stroke: colors.Color,
    stroke_width: float,
) -> Rect:
    rect = Rect(x, y, width, height)
    rect.fillColor = fill
    rect.strokeColor = stroke
    rect.strokeWidth = stroke_width
    return rect


def _drawing(width: float, height: float, font: str, font_size: float) -> Drawing:
    drawing = Drawing(width, height)
    # The renderer starts every drawing in Helvetica, which the PDF would not embed.
    drawing.initialFontName = font  # type: ignore[attr-defined]  # read by the renderer
    drawing.initialFontSize = font_size  # type: ignore[attr-defined]
    return drawing


def _caption(
    outside: list[tuple[Segment, float]],
    width: float,
    font: str,
    font_size: float,
    percent_of: int | None,
) -> list[tuple[str, float, float]]:
    return caption_line(
        [(centre, _label_candidates(segment, percent_of)) for segment, centre in outside],
        lambda text: stringWidth(text, font, font_size),
        width,
        CAPTION_GAP,
    )


def _label_candidates(segment: Segment, percent_of: int | None) -> list[str]:
    """From the most to the least explicit: the first that fits is drawn."""
    count = str(segment.count)
    named = f"{segment.label} {count}" if segment.label else count
    if not percent_of:
        return [named, count] if segment.label else [count]
    share = f"{round(100 * segment.count / percent_of)}\u00a0%"
    return [f"{named} ({share})", named, count] if segment.label else [f"{count} ({share})", count]
