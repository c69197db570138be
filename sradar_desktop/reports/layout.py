"""Laying out the words of a bar's segments (no Qt, no reportlab): the PDF and the screen
share it, so a segment too narrow for its words says them the same way in both."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def caption_line(
    items: Sequence[tuple[float, Sequence[str]]],
    measure: Callable[[str], float],
    width: float,
    gap: float,
) -> list[tuple[str, float, float]]:
    """The labels of segments too narrow for their own words, on one line under the bar.

    ``items``: each segment's centre and its texts from the most to the least explicit. The
    most explicit texts that all fit the line are used; each label is as near its segment as
    the others allow, inside ``[0, width]``. Returns (text, left, text width) per item.
    """
    if not items:
        return []
    depth = max(len(texts) for _, texts in items)
    texts: list[str] = []
    widths: list[float] = []
    for level in range(depth):
        texts = [choices[min(level, len(choices) - 1)] for _, choices in items]
        widths = [measure(text) for text in texts]
        if sum(widths) + gap * (len(texts) - 1) <= width:
            break
    lefts: list[float] = []
    end = -gap
    for (centre, _), text_width in zip(items, widths, strict=True):
        left = max(centre - text_width / 2, end + gap, 0.0)
        lefts.append(left)
        end = left + text_width
    # Pushed past the right edge: slide back from the right, keeping the gaps.
    limit = width
    for i in range(len(lefts) - 1, -1, -1):
        if lefts[i] + widths[i] > limit:
            lefts[i] = max(limit - widths[i], 0.0)
        limit = lefts[i] - gap
    return list(zip(texts, lefts, widths, strict=True))
