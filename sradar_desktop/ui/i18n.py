"""Translation helpers: strings are wrapped with ``tr()`` / ``translate()`` and take their
values through numbered place markers (``%1``, ``%2``) that a translator may reorder."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def arg(text: str, *values: object) -> str:
    """``arg("%1 sur %2", 3, 5)`` → ``"3 sur 5"`` (highest numbers first: %10 before %1)."""
    for number in range(len(values), 0, -1):
        text = text.replace(f"%{number}", str(values[number - 1]))
    return text


def translate(context: str, text: str, *values: object) -> str:
    return arg(QCoreApplication.translate(context, text), *values)
