"""Numbers as French users type and read them: ``1 234,5``, ``12 %``, ``93,88 %``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sradar_desktop.domain.plan import IndicatorKind

_GROUP_SPACES = re.compile(r"[\s\u00a0\u202f']")
NARROW_NBSP = "\u202f"


def parse_decimal(value: object) -> Decimal | None:
    """The number in a typed value, ``None`` when empty.

    Accepts numbers from a spreadsheet cell and text typed the French way (``1 234,5``,
    ``1.234,5``, ``12 %``) or the English way (``1234.5``). Raises ``ValueError`` (French
    message) for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"« {value} » n'est pas un nombre")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("ce n'est pas un nombre")
        # repr gives the shortest text that reads back as the same float: 0.1, not 0.1000…01.
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    if not text:
        return None
    cleaned = _GROUP_SPACES.sub("", text).removesuffix("%")
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise ValueError(f"« {text} » n'est pas un nombre")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern above excludes it
        raise ValueError(f"« {text} » n'est pas un nombre") from error


def parse_indicator_value(value: object, kind: IndicatorKind) -> str | None:
    """The stored form of an indicator value: a canonical decimal string, or text.

    Raises ``ValueError`` with a French message when the value does not fit the kind.
    """
    if kind is IndicatorKind.TEXT:
        text = "" if value is None else str(value).strip()
        return text or None
    number = parse_decimal(value)
    if number is None:
        return None
    if kind is IndicatorKind.INTEGER and number != number.to_integral_value():
        raise ValueError(f"« {format_decimal(number)} » n'est pas un nombre entier")
    return canonical(number)


def counted(stored: str | None, kind: IndicatorKind | str) -> Decimal | None:
    """The number a stored indicator value adds to the totals (a text adds none)."""
    return Decimal(stored) if stored is not None and kind != IndicatorKind.TEXT else None


def canonical(number: Decimal) -> str:
    """``1234.5`` for 1 234,50; ``12`` for 12,00: the same number always gives the same text."""
    normal = number.normalize()
    if normal == normal.to_integral_value():
        return str(normal.quantize(Decimal(1)))
    return format(normal, "f")


def format_decimal(number: Decimal | None, places: int | None = None) -> str:
    """French display: ``1 234,5`` (narrow no-break space between thousands)."""
    if number is None:
        return ""
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = canonical(number) if places is None else format(number, "f")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = NARROW_NBSP.join(groups)
    return sign + result + ("," + fraction if fraction else "")


def format_indicator_value(stored: str | None, kind: IndicatorKind) -> str:
    if stored is None:
        return ""
    if kind is IndicatorKind.TEXT:
        return stored
    text = format_decimal(Decimal(stored))
    return f"{text}\u00a0%" if kind is IndicatorKind.PERCENTAGE else text


def format_percentage(ratio: Decimal | None, places: int = 2) -> str:
    """``0.9388`` → ``93,88 %``."""
    if ratio is None:
        return ""
    return format_decimal(ratio * 100, places) + "\u00a0%"
