"""Dates and times in French, one way everywhere: « 23 novembre 2026 », « 23/11/2026 »,
« 23/11/2026 à 18:43 », « 18:43 ». Stored moments are shown in the workstation's time zone; a
moment stored without a zone is UTC (the database and the workbooks store UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def utcnow() -> datetime:
    """Now, in UTC: every moment the app stores or writes is taken here."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """A stored moment in the workstation's time zone (stored moments without one are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def long_date(day: date | datetime) -> str:
    """``1er novembre 2026``, ``23 novembre 2026``."""
    if isinstance(day, datetime):
        day = local(day).date()
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date | datetime | None) -> str:
    """``23/11/2026`` (empty for an unknown date)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local(day).date()
    return day.strftime("%d/%m/%Y")


def short_datetime(moment: datetime | None) -> str:
    """``23/11/2026 18:43`` in local time (empty for an unknown moment)."""
    if moment is None:
        return ""
    return local(moment).strftime("%d/%m/%Y %H:%M")


def moment_text(moment: datetime | None) -> str:
    """``23/11/2026 à 18:43`` in local time, for sentences (empty for an unknown moment)."""
    if moment is None:
        return ""
    return local(moment).strftime("%d/%m/%Y à %H:%M")


def time_text(moment: datetime | None = None) -> str:
    """``18:43`` in local time; now when no moment is given."""
    return local(moment or datetime.now(UTC)).strftime("%H:%M")


def parse_short_date(text: str) -> date:
    """``23/11/2026`` (or ``23/11/26``) → a date; ``ValueError`` with a French message."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"« {text} » n'est pas une date au format JJ/MM/AAAA (par exemple 30/06/2027)")
