"""A respondent's answers as read from the database, and the history of their changes.

Plain values, shared by the services that read and write them and by the views that show
them; the database rows themselves never leave the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

# Where a change came from, as the audit trail records it.
SOURCE_ENTRY: Final = "saisie"  # typed in the entry window or given to the command line
SOURCE_IMPORT: Final = "import"  # brought by an imported workbook
SOURCE_UNDO: Final = "annulation"  # put back by undoing an import
SOURCE_CARRY: Final = "reprise"  # carried forward from the previous campaign
SOURCE_CONFIRM: Final = "confirmation"  # a carried answer confirmed as it stands


@dataclass(frozen=True)
class IndicatorState:
    target: str | None = None
    achieved: str | None = None
    version: int | None = None  # of the row; None: no row yet


@dataclass(frozen=True)
class AnswerState:
    status: str | None = None
    comment: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""
    indicators: dict[int, IndicatorState] = field(default_factory=dict)
    version: int | None = None  # of the answer row; None: no row yet (indicators only)
    # Carried forward from the previous campaign and not confirmed yet.
    to_confirm: bool = False

    @property
    def answered(self) -> bool:
        """A status given or confirmed in this campaign (a carried one waits for it)."""
        return self.status is not None and not self.to_confirm


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    source: str
    field: str
    indicator: str | None
    old_value: str | None
    new_value: str | None
