"""The fields an agent changes in an answer: its status, its comment, one indicator's target or
achieved value, and the confirmation of an answer carried from the previous campaign.

One typed name for each, so that a change travels from the key pressed to the database row as
a value, not as a string to be compared again at each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    STATUS = "status"
    COMMENT = "comment"
    TARGET = "target"
    ACHIEVED = "achieved"
    CONFIRM = "confirm"  # a carried answer confirmed unchanged: no value of its own

    @property
    def of_indicator(self) -> bool:
        return self in (Field.TARGET, Field.ACHIEVED)


@dataclass(frozen=True)
class FieldKey:
    """One field of one answer: an action's status or comment, or one indicator value
    (``position``: the indicator's rank in its action)."""

    code: str
    field: Field
    position: int | None = None

    def row(self) -> tuple[FieldKey, FieldKey]:
        """The fields stored in the same database row (they share a version): the status and
        the comment of an answer; the target and the achieved value of an indicator."""
        if self.field.of_indicator:
            return (
                FieldKey(self.code, Field.TARGET, self.position),
                FieldKey(self.code, Field.ACHIEVED, self.position),
            )
        return (FieldKey(self.code, Field.STATUS), FieldKey(self.code, Field.COMMENT))
