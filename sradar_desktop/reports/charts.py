"""Charts of the PDF summary, drawn with reportlab.graphics.

A bar never speaks by colour alone: its segments follow the scale's order, carry their count
when there is room, and every chart sits next to a legend or a line that says it in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

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

    Counts (and shares of ``percent_of`` when given) are written inside the segments that are
    wide enough for them; an empty bar says « aucune action ».
    """
    drawing = Drawing(width, height)
    # The renderer starts every drawing in Helvetica, which the PDF would not embed.
    drawing.initialFontName = font
    drawing.initialFontSize = font_size
    total = sum(s.count for s in segments)
    baseline = (height - font_size * 0.72) / 2
    if total <= 0:
        drawing.add(
            Rect(
                0, 0, width, height, fillColor=EMPTY_FILL, strokeColor=EMPTY_STROKE, strokeWidth=0.5
            )
        )
        drawing.add(
            String(
                width / 2,
                baseline,
                "aucune action",
                fontName=font,
                fontSize=font_size,
                fillColor=colors.black,
                textAnchor="middle",
            )
        )
        return drawing
    x = 0.0
    for segment in segments:
        if segment.count <= 0:
            continue
        seg_width = width * segment.count / total
        drawing.add(
            Rect(
                x,
                0,
                seg_width,
                height,
                fillColor=fill(segment.color),
                strokeColor=colors.white,
                strokeWidth=0.6,
            )
        )
        if with_labels:
            for text in _label_candidates(segment, percent_of):
                if stringWidth(text, font, font_size) + 4 <= seg_width:
                    drawing.add(
                        String(
                            x + seg_width / 2,
                            baseline,
                            text,
                            fontName=font,
                            fontSize=font_size,
                            fillColor=text_on(segment.color),
                            textAnchor="middle",
                        )
                    )
                    break
        x += seg_width
    return drawing


def _label_candidates(segment: Segment, percent_of: int | None) -> list[str]:
    """From the most to the least explicit: the first that fits is drawn."""
    count = str(segment.count)
    named = f"{segment.label} {count}" if segment.label else count
    if not percent_of:
        return [named, count] if segment.label else [count]
    share = f"{round(100 * segment.count / percent_of)}\u00a0%"
    return [f"{named} ({share})", named, count] if segment.label else [f"{count} ({share})", count]
