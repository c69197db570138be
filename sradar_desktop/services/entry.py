"""Answering a questionnaire: who answers, the answers in memory, what is left, the history.

Everything the entry window needs that is not about pixels: the agent's identity, loading a
plan with one respondent's answers (read-only databases included), the rows of the plan with
their current answers, filtering and search, progress per objective and theme, and the audit
trail in French sentences. The window keeps its widgets; this module keeps the facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sradar_desktop.domain.departements import department_from_code, service_label
from sradar_desktop.domain.plan import (
    Plan,
    service_of,
)
from sradar_desktop.errors import UserError
from sradar_desktop.services.answers import (
    AnswerService,
    get_or_create_respondent,
    read_answers,
)
from sradar_desktop.services.campaigns import CampaignSummary, current_campaign_id, list_campaigns
from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.services.views.entry import EntrySheet

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


@dataclass
class EntryData:
    """What the entry window needs, loaded in one go (off the UI thread)."""

    plan: Plan
    campaign_id: str
    sheet: EntrySheet
    identity: Identity | None
    service: AnswerService | None  # None: nobody to answer as, or a read-only database


def open_remembered(
    db: Database,
    questionnaire_id: str,
    identity: Identity | None,
    remembered_campaign: str | None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[EntryData, list[CampaignSummary]]:
    """The questionnaire's campaigns, and its entry in the campaign remembered from last time;
    in its current campaign when there is none, or when this database does not have it
    (another database was opened since)."""
    campaigns = list_campaigns(db, questionnaire_id)
    known = remembered_campaign if any(c.id == remembered_campaign for c in campaigns) else None
    data = open_entry(db, questionnaire_id, identity, progress=progress, campaign_id=known)
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

    def step(done: int, text: str) -> None:
        if progress is not None:
            progress(done, 3, text)

    step(0, "Lecture du plan…")
    plan = load_plan(db, questionnaire_id)
    if campaign_id is None:
        with db.read() as session:
            campaign_id = current_campaign_id(session, questionnaire_id)
        campaign_id = campaign_id or default_campaign_id(questionnaire_id)
    service = None
    if identity is not None and not db.read_only:
        step(1, "Préparation de la saisie…")
        register_respondent(db, identity)
        service = AnswerService(db, campaign_id, identity.service_code, identity.agent_name)
    step(2, "Lecture des réponses…")
    if service is not None:
        # Through the service: the versions read are those its changes are checked against.
        answers = service.load()
    elif identity is not None:
        answers = read_answers(db, campaign_id, identity.service_code)
    else:
        answers = {}
    sheet = EntrySheet(plan, answers, identity.service_code if identity else None)
    step(3, "Plan chargé.")
    return EntryData(plan, campaign_id, sheet, identity, service)
