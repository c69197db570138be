"""What the entry window shows first: who answers, a plan with one service's answers, the
questionnaire's campaigns, then the history of an answer — read without SQLAlchemy.

``read_entry`` reads it through any driver (``db.reading``); ``read_local_entry`` through
Python's ``sqlite3`` from a local database already at the head revision, so that the window
shows the plan before SQLAlchemy, the ORM and the services are imported
(``services.entry`` adds those: the service recorded, the answers opened for writing).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sradar_desktop.db import reading
from sradar_desktop.db.schema import head_revision
from sradar_desktop.domain.answers import AnswerState, HistoryEntry
from sradar_desktop.domain.campaigns import CampaignSummary
from sradar_desktop.domain.departements import department_from_code, service_label
from sradar_desktop.domain.plan import Plan, default_campaign_id, service_of
from sradar_desktop.errors import UserError
from sradar_desktop.plans.builtin import builtin_plan_ids
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.services.views.entry import EntrySheet

if TYPE_CHECKING:
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.database import Database

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Who answers


@dataclass(frozen=True)
class Identity:
    """The service that answers (its code is the respondent) and the agent who types."""

    service_code: str
    service_label: str
    agent_name: str
    department: str = ""

    @classmethod
    def create(cls, service_code: str, service_label: str, agent_name: str) -> Identity:
        """A checked identity; ``UserError`` (French) says what is missing or wrong."""
        code = normalise_respondent_code(service_code)  # refuses a code outside the rule
        problems = []
        if not code:
            problems.append("le code du service est vide (par exemple DDETS-44)")
        name = " ".join(agent_name.split())
        if not name:
            problems.append("votre nom est vide : il accompagne chaque modification enregistrée")
        elif len(name) > 200:
            problems.append("votre nom est trop long (200 caractères au plus)")
        label = " ".join(service_label.split()) or service_label_for(code) or code
        if len(label) > 200:
            problems.append("le libellé du service est trop long (200 caractères au plus)")
        if problems:
            raise UserError(
                "Impossible d'enregistrer votre identité : " + " ; ".join(problems) + ".",
                details=problems,
            )
        return cls(code, label, name, department_from_code(code))

    @property
    def service_kind(self) -> str:
        """``DDETS`` for ``DDETS-44``: the name pilots use for this kind of service."""
        return service_of(self.service_code)


def service_label_for(code: str) -> str:
    """The label suggested for a service code (``DDETS-44`` → ``DDETS de la Loire-Atlantique``);
    none for a code that cannot be one (checking the code says why)."""
    try:
        return service_label(normalise_respondent_code(code))
    except UserError:
        return ""


# --------------------------------------------------------------------------------------------
# A questionnaire opened for entry


@dataclass
class EntryData:
    """What the entry window needs, loaded in one go (off the UI thread)."""

    plan: Plan
    campaign_id: str
    sheet: EntrySheet
    identity: Identity | None
    service: AnswerService | None  # None: nobody to answer as, a read-only database, or not yet
    # The answers as read: the versions the service's changes are checked against.
    read: dict[str, AnswerState] = field(default_factory=dict)


def read_entry(
    rows: reading.Rows,
    questionnaire_id: str,
    identity: Identity | None,
    remembered_campaign: str | None,
    *,
    campaign_id: str | None = None,
) -> tuple[EntryData, list[CampaignSummary]]:
    """The questionnaire's campaigns, and its plan with the identity's answers in
    ``campaign_id`` if given, else in the campaign remembered from last time; in its current
    campaign when there is none, or when this database does not have it (another database was
    opened since). Not ready to write: ``services.entry.start_answering`` gives the service
    that writes."""
    campaigns = reading.read_campaigns(rows, questionnaire_id)
    remembered = next((c.id for c in campaigns if c.id == remembered_campaign), None)
    campaign_id = (
        campaign_id
        or remembered
        or reading.current_campaign_id(rows, questionnaire_id)
        or default_campaign_id(questionnaire_id)
    )
    plan = reading.read_plan(rows, questionnaire_id)
    answers = (
        reading.read_answers(rows, campaign_id, normalise_respondent_code(identity.service_code))
        if identity is not None
        else {}
    )
    sheet = EntrySheet(plan, answers, identity.service_code if identity else None)
    return EntryData(plan, campaign_id, sheet, identity, None, answers), campaigns


def read_local_entry(
    path: Path,
    questionnaire_id: str,
    identity: Identity | None,
    remembered_campaign: str | None,
) -> tuple[EntryData, list[CampaignSummary]] | None:
    """``read_entry`` from the SQLite file at ``path`` through ``sqlite3``, in one snapshot.

    None when the file cannot be read this way: not there yet or empty (to be created), not at
    the head revision (to be migrated, or made by a newer version), a built-in plan or the
    questionnaire missing (to be installed), any SQLite error (busy, damaged…). The full
    opening (``services.opening``) then does what is needed, or says what is wrong.
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with closing(reading.local_connection(path)) as connection:
            if reading.local_revision(connection) != head_revision():
                return None
            rows = reading.sqlite_rows(connection)
            if not set(builtin_plan_ids()) <= reading.questionnaire_ids(rows):
                return None
            return read_entry(rows, questionnaire_id, identity, remembered_campaign)
    except (OSError, sqlite3.Error, UserError) as error:
        log.info("Lecture rapide de %s impossible (%s) : ouverture complète", path, error)
        return None


def read_history(
    db: Database, campaign_id: str, respondent_code: str, action_code: str
) -> list[HistoryEntry]:
    """Who changed what and when on one action, newest first (on a local database named by
    its path, through ``sqlite3`` alone: see ``Database.read_plain``)."""
    code = normalise_respondent_code(respondent_code)
    return db.read_plain(lambda rows: reading.read_history(rows, campaign_id, code, action_code))
