"""Merging answers: per answer, the latest change wins, whatever the order of the files.

An answer (status and comment) and each indicator value (target and achieved) is a unit with
the time and author of its last change. Importing compares the incoming unit with the one in
the database: the later change wins; equal times are decided by the values themselves, so that
importing A then B gives exactly what B then A gives. A conflict is when both sides changed the
same unit since the file was exported, or when the file brings an older value than the database.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

Value = tuple[str | None, ...]


def value_digest(value: Value) -> str:
    """A digest of a unit's values (``None`` and an empty text differ)."""
    if len(value) == 2:  # every unit: (status, comment), (target, achieved)
        first, second = value
        text = (
            ("\x00" if first is None else first) + "\x1e" + ("\x00" if second is None else second)
        )
    else:
        text = "\x1e".join("\x00" if v is None else v for v in value)
    return hashlib.sha256(text.encode()).hexdigest()


def is_blank(value: Value) -> bool:
    # A loop, not ``all`` over a generator: asked for each unit merged (a hundred thousand).
    for part in value:  # noqa: SIM110
        if part is not None and part != "":
            return False
    return True


class Stamped(NamedTuple):
    """A unit's values with the time and author of their last change."""

    value: Value
    at: datetime
    by: str

    def rank(self) -> tuple[datetime, str]:
        return self.at, value_digest(self.value)


class Decision(StrEnum):
    NEW = "nouvelle"
    CHANGED = "modifiée"
    UNCHANGED = "inchangée"
    KEPT = "conflit : valeur de la base conservée"
    REPLACED = "conflit : remplacée par le fichier"

    @property
    def applies(self) -> bool:
        return self in _APPLIED

    @property
    def is_conflict(self) -> bool:
        return self in _CONFLICTS


_APPLIED = frozenset({Decision.NEW, Decision.CHANGED, Decision.REPLACED})
_CONFLICTS = frozenset({Decision.KEPT, Decision.REPLACED})


def decide(current: Stamped | None, incoming: Stamped, exported_at: datetime) -> Decision:
    """What importing ``incoming`` does to ``current`` (``None``: nothing in the database)."""
    if current is None:
        return Decision.UNCHANGED if is_blank(incoming.value) else Decision.NEW
    if current.value == incoming.value:
        return Decision.UNCHANGED
    if incoming.rank() > current.rank():
        return Decision.REPLACED if current.at > exported_at else Decision.CHANGED
    return Decision.KEPT
