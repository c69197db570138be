"""Dates and times in French, one way everywhere: « 23 novembre 2026 », « 23/11/2026 »,
« 23/11/2026 à 18:43 », « 18:43 ». Stored moments are shown in the workstation's time zone; a
moment stored without a zone is UTC (the database and the workbooks store UTC)."""

from __future__ import annotations

import calendar
import re
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
    """A stored moment in the workstation's time zone (stored moments without one are UTC). A
    moment the system cannot place in its zone (before 1970, on Windows: the altered stamp of a
    received file) is left at UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone()
    except (OSError, OverflowError, ValueError):
        return moment.astimezone(UTC)


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


_SHORT_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")


def parse_short_date(text: str) -> date:
    """``23/11/2026`` (or ``23/11/26``) → a date; ``ValueError`` with a French message that
    tells a text that is not a date from a date that does not exist (« 31/02/2025 »)."""
    text = text.strip()
    found = _SHORT_DATE.fullmatch(text)
    if found is None:
        raise ValueError(
            f"« {text} » n'est pas une date au format JJ/MM/AAAA (par exemple 30/06/2027)"
        )
    day, month, year = (int(part) for part in found.groups())
    if len(found.group(3)) == 2:
        year += 2000 if year < 69 else 1900  # as ``strptime``'s ``%y``
    if not 1 <= month <= 12:
        raise ValueError(f"« {text} » n'est pas une date : il n'y a pas de mois {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(
            f"Le {text} n'existe pas : {MONTHS[month - 1]} {year} n'a que {last} jours"
        )
    return date(year, month, day)
