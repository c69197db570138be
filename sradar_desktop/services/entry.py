"""Answering a questionnaire through the database's services: the service recorded, its
answers opened for writing (``AnswerService``), whatever the database (SQLite or PostgreSQL).

What is read is read by ``services.entry_data.read_entry`` (the plain SQL of ``db.reading``);
this module adds what needs SQLAlchemy: recording the service and the service that writes.
"""

from __future__ import annotations

from collections.abc import Callable

from sradar_desktop.db.reading import session_rows
from sradar_desktop.domain.campaigns import CampaignSummary
from sradar_desktop.services.answers import AnswerService, get_or_create_respondent
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry_data import EntryData as EntryData
from sradar_desktop.services.entry_data import Identity as Identity
from sradar_desktop.services.entry_data import read_entry
from sradar_desktop.services.entry_data import service_label_for as service_label_for


def register_respondent(db: Database, identity: Identity) -> None:
    """Record the service (label, département) in the database, updating what it said before."""
    with db.write() as session:
        respondent = get_or_create_respondent(
            session, identity.service_code, identity.service_label, identity.department
        )
        if identity.service_label and respondent.label != identity.service_label:
            respondent.label = identity.service_label
        if identity.department and respondent.department != identity.department:
            respondent.department = identity.department


# --------------------------------------------------------------------------------------------
# Opening a questionnaire for entry


def start_answering(db: Database, data: EntryData) -> AnswerService:
    """The service that writes ``data``'s answers, the service recorded first; its changes are
    checked against the versions ``data`` was read with (``EntryData.read``)."""
    assert data.identity is not None
    register_respondent(db, data.identity)
    service = AnswerService(
        db, data.campaign_id, data.identity.service_code, data.identity.agent_name
    )
    service.remember(data.read)
    return service


def open_remembered(
    db: Database,
    questionnaire_id: str,
    identity: Identity | None,
    remembered_campaign: str | None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    campaign_id: str | None = None,
) -> tuple[EntryData, list[CampaignSummary]]:
    """The questionnaire's campaigns, and its entry in ``campaign_id`` or the campaign
    remembered from last time (see ``read_entry``); ready to write unless read-only or nobody
    answers."""

    def step(done: int, text: str) -> None:
        if progress is not None:
            progress(done, 3, text)

    step(0, "Lecture du plan…")
    with db.read() as session:
        data, campaigns = read_entry(
            session_rows(session),
            questionnaire_id,
            identity,
            remembered_campaign,
            campaign_id=campaign_id,
        )
    step(1, "Lecture des réponses…")
    if identity is not None and not db.read_only:
        step(2, "Préparation de la saisie…")
        data.service = start_answering(db, data)
    step(3, "Plan chargé.")
    return data, campaigns


def open_entry(
    db: Database,
    questionnaire_id: str,
    identity: Identity | None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    campaign_id: str | None = None,
) -> EntryData:
    """Load a questionnaire with the identity's answers (in ``campaign_id``, by default its
    current campaign); ready to write unless read-only."""
    return open_remembered(
        db, questionnaire_id, identity, None, progress=progress, campaign_id=campaign_id
    )[0]
