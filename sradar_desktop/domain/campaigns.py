"""A campaign as the windows and the command line list it: one evaluation of a questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sradar_desktop.domain.dates import short_date
from sradar_desktop.domain.text import count

CARRIED_LABEL: Final = "Reprise de l'évaluation précédente, à confirmer"
# The longest title and period a campaign takes.
MAX_TITLE: Final = 200
MAX_PERIOD: Final = 50


@dataclass(frozen=True)
class CampaignSummary:
    id: str
    questionnaire_id: str
    title: str
    period: str
    due_date: date | None
    created_at: datetime
    previous_id: str | None
    roster: int
    respondents: int  # who answered something
    to_confirm: int  # answers carried forward, not confirmed yet
    current: bool  # the most recent campaign of its questionnaire

    def describe(self) -> str:
        """One line: id first, then what a user needs to pick it."""
        parts = [self.title]
        if self.period:
            parts.append(f"période {self.period}")
        if self.due_date is not None:
            parts.append(f"réponses attendues le {short_date(self.due_date)}")
        parts.append(count(self.roster, "service attendu", "services attendus"))
        parts.append(count(self.respondents, "répondant"))
        if self.to_confirm:
            parts.append(count(self.to_confirm, "réponse à confirmer", "réponses à confirmer"))
        if self.previous_id:
            parts.append(f"créée à partir de {self.previous_id}")
        mark = "  (en cours)" if self.current else ""
        return f"{self.id}  {' ; '.join(parts)}{mark}"
