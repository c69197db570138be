"""Text as the summary writes it: user text escaped into paragraph markup, French spacing,
who answered, shares and dates of a decision."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from sradar_desktop.domain.dates import short_datetime
from sradar_desktop.domain.numbers import format_percentage

DASH = "—"
MIDDOT = " · "

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


def percent(share: Decimal | None, places: int = 1) -> str:
    return format_percentage(share, places) if share is not None else DASH


def decided(by: str, at: datetime | None) -> str:
    """``Agent, le 05/11/2024 10:00``: who made a decision or a change, and when."""
    when = short_datetime(at)
    if by and when:
        return f"{by}, le {when}"
    return by or when
