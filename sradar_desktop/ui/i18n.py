"""Translation helpers: strings are wrapped with ``tr()`` / ``translate()`` and take their
values through numbered place markers (``%1``, ``%2``) that a translator may reorder."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

_MARKER = re.compile(r"%(\d+)")


def arg(text: str, *values: object) -> str:
    """``arg("%1 sur %2", 3, 5)`` → ``"3 sur 5"``, in one pass: a value that itself contains
    « %1 » (typed by someone) is left as it is."""

    def value(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(values[number - 1]) if 1 <= number <= len(values) else match.group(0)

    return _MARKER.sub(value, text)


def translate(context: str, text: str, *values: object) -> str:
    return arg(QCoreApplication.translate(context, text), *values)
