"""A questionnaire as the windows and the command line list it, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass

BUILTIN = "builtin"
IMPORTED = "import"
# A previous version of a revised questionnaire, kept for the answers to its retired actions
# (services/revisions.py); not offered for answering.
ARCHIVED_VERSION = "version"
# The plan the app opens on until the user chooses another.
DEFAULT_QUESTIONNAIRE_ID = "sradar-2021-2023"


@dataclass(frozen=True)
class QuestionnaireSummary:
    id: str
    title: str
    short_title: str
    origin: str
    period: str
    region: str
    objectives: int
    themes: int
    actions: int

    @property
    def display_title(self) -> str:
        return self.short_title or self.title
