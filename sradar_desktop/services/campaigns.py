"""Campaigns: the successive evaluations of one questionnaire.

The secretariat creates the next campaign from the previous one: the roster is copied, and each
respondent's answers (status, comment, indicator values) are carried forward, marked « reprise
de l'évaluation précédente, à confirmer » (``Answer.to_confirm``) until the respondent confirms
them unchanged or edits them. The audit trail records the carrying (source ``reprise``) and each
confirmation (source ``confirmation``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sradar_desktop.db import reading
from sradar_desktop.db.models import (
    ActionRow,
    Answer,
    Campaign,
    ExpectedRespondent,
    IndicatorRow,
    IndicatorValue,
)
from sradar_desktop.db.reading import session_rows
from sradar_desktop.domain.answers import SOURCE_CARRY, SOURCE_CONFIRM
from sradar_desktop.domain.campaigns import CARRIED_LABEL as CARRIED_LABEL
from sradar_desktop.domain.campaigns import MAX_PERIOD, MAX_TITLE
from sradar_desktop.domain.campaigns import CampaignSummary as CampaignSummary
from sradar_desktop.domain.dates import parse_short_date, utcnow
from sradar_desktop.domain.text import slugify
from sradar_desktop.errors import UserError
from sradar_desktop.services import audit
from sradar_desktop.services.database import Database
from sradar_desktop.services.revisions import (
    archived_campaigns,
    carried_action_rows,
    carried_indicator_rows,
)


def current_campaign_id(session: Session, questionnaire_id: str) -> str | None:
    """The most recent campaign of a questionnaire (None when it has none)."""
    return reading.current_campaign_id(session_rows(session), questionnaire_id)


def list_campaigns(db: Database, questionnaire_id: str | None = None) -> list[CampaignSummary]:
    """The campaigns (of one questionnaire, or all), oldest first within each questionnaire."""
    with db.read() as session:
        return reading.read_campaigns(session_rows(session), questionnaire_id)


def parse_due_date(text: str | None) -> date | None:
    """A due date typed JJ/MM/AAAA (None for nothing); ``UserError`` otherwise."""
    if not text or not text.strip():
        return None
    try:
        return parse_short_date(text)
    except ValueError as error:
        raise UserError(f"{error}.") from None  # what is wrong, said once


def new_campaign_id(questionnaire_id: str, title: str) -> str:
    """The id of a campaign, made from its plan and title: two workstations creating
    « Évaluation 2022 » of the same plan give it the same id, so their workbooks merge."""
    return f"{questionnaire_id}:{slugify(title, 39) or 'evaluation'}"


def create_campaign(
    db: Database,
    previous_id: str,
    title: str,
    *,
    due_date: date | None = None,
    period: str = "",
    actor: str = "",
) -> CampaignSummary:
    """The next campaign after ``previous_id``: same plan, its roster (with the services'
    addresses and the return address), its answers carried forward to be confirmed. One
    transaction: all of it, or nothing."""
    title = " ".join(title.split())
    period = " ".join(period.split())
    if not title:
        raise UserError("Donnez un titre à la nouvelle campagne, par exemple « Évaluation 2022 ».")
    if len(title) > MAX_TITLE:
        raise UserError(
            f"Le titre de la campagne dépasse {MAX_TITLE} caractères : raccourcissez-le."
        )
    if len(period) > MAX_PERIOD:
        raise UserError(f"La période dépasse {MAX_PERIOD} caractères : raccourcissez-la.")
    actor = actor[:200]
    with db.write() as session:
        previous = session.get(Campaign, previous_id)
        if previous is None:
            raise UserError(
                f"La campagne « {previous_id} » n'existe pas dans cette base. La commande "
                "« sradar-desktop campaigns » donne la liste des identifiants."
            )
        campaign_id = new_campaign_id(previous.questionnaire_id, title)
        existing = session.get(Campaign, campaign_id)
        if existing is not None:
            raise UserError(
                f"Une campagne « {existing.title} » existe déjà pour ce questionnaire "
                f"({campaign_id}) : choisissez un autre titre."
            )
        now = utcnow()
        session.add(
            Campaign(
                id=campaign_id,
                questionnaire_id=previous.questionnaire_id,
                title=title,
                period=period,
                due_date=due_date,
                previous_id=previous.id,
                created_at=now,
                return_address=previous.return_address,
            )
        )
        session.flush()
        # The roster goes on with its addresses.
        roster = session.execute(
            select(ExpectedRespondent.respondent_id, ExpectedRespondent.email).where(
                ExpectedRespondent.campaign_id == previous.id
            )
        ).all()
        if roster:
            session.execute(
                insert(ExpectedRespondent),
                [
                    {"campaign_id": campaign_id, "respondent_id": r, "email": email}
                    for r, email in roster
                ],
            )
        carry_answers(session, previous.id, campaign_id, actor=actor, at=now)
    return next(c for c in list_campaigns(db, previous.questionnaire_id) if c.id == campaign_id)


def carry_answers(
    session: Session, previous_id: str, campaign_id: str, *, actor: str, at: datetime
) -> int:
    """Copy every answer and indicator value of ``previous_id`` into ``campaign_id``, to be
    confirmed, each carried field audited. Returns the number of answers carried.

    A plan revised since ``previous_id`` leads its answers (those kept aside for the actions
    the revision retired included) onto the current actions: a removed action's answer is
    left behind, a split action's answer goes to each piece, and of the answers to merged
    actions the most recent is kept."""
    questionnaire_id = session.get_one(Campaign, campaign_id).questionnaire_id
    sources = [previous_id, *archived_campaigns(session, previous_id)]
    action_rows = carried_action_rows(session, questionnaire_id)
    indicator_rows = carried_indicator_rows(session, questionnaire_id, action_rows)
    indicator_action = dict(
        session.execute(
            select(IndicatorRow.id, IndicatorRow.action_id)
            .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
            .where(ActionRow.questionnaire_id == questionnaire_id)
        ).all()
    )
    # Oldest first: of several answers landing on one action, the most recent stays.
    carried: dict[tuple[int, int], tuple[str | None, str]] = {}
    for r, old_action, status, comment in session.execute(
        select(Answer.respondent_id, Answer.action_id, Answer.status, Answer.comment)
        .where(Answer.campaign_id.in_(sources))
        .order_by(Answer.updated_at, Answer.id)
    ):
        for a in action_rows.get(old_action, []):
            carried[(r, a)] = (status, comment or "")
    moved: dict[tuple[int, int], tuple[str | None, str | None]] = {}
    for r, old_indicator, target, achieved in session.execute(
        select(
            IndicatorValue.respondent_id,
            IndicatorValue.indicator_id,
            IndicatorValue.target,
            IndicatorValue.achieved,
        )
        .where(IndicatorValue.campaign_id.in_(sources))
        .order_by(IndicatorValue.updated_at, IndicatorValue.id)
    ):
        for i in indicator_rows.get(old_indicator, []):
            moved[(r, i)] = (target, achieved)
    values = [(r, indicator_action[i], i, t, v) for (r, i), (t, v) in moved.items()]
    # An action with indicator values but no status still gets a row: confirming it is the
    # respondent's to do too.
    for respondent_id, action_id, *_ in values:
        carried.setdefault((respondent_id, action_id), (None, ""))
    stamp = {"campaign_id": campaign_id, "updated_at": at, "updated_by": actor}
    if carried:
        session.execute(
            insert(Answer),
            [
                {
                    **stamp,
                    "respondent_id": r,
                    "action_id": a,
                    "status": status,
                    "comment": comment,
                    "carried_from": previous_id,
                    "to_confirm": True,
                }
                for (r, a), (status, comment) in carried.items()
            ],
        )
    if values:
        session.execute(
            insert(IndicatorValue),
            [
                {**stamp, "respondent_id": r, "indicator_id": i, "target": t, "achieved": v}
                for r, _a, i, t, v in values
            ],
        )
    line = {"at": at, "actor": actor, "source": SOURCE_CARRY, "campaign_id": campaign_id}
    for (r, a), (status, comment) in carried.items():
        for name, value in (("status", status), ("comment", comment)):
            if value:
                audit.record(
                    session,
                    **line,
                    respondent_id=r,
                    action_id=a,
                    indicator_id=None,
                    field=name,
                    old_value=None,
                    new_value=value,
                    import_id=None,
                )
    for r, a, i, target, achieved in values:
        for name, value in (("target", target), ("achieved", achieved)):
            if value is not None:
                audit.record(
                    session,
                    **line,
                    respondent_id=r,
                    action_id=a,
                    indicator_id=i,
                    field=name,
                    old_value=None,
                    new_value=value,
                    import_id=None,
                )
    return len(carried)


def confirm(session: Session, answer: Answer, *, actor: str, at: datetime | None = None) -> bool:
    """Mark a carried answer as confirmed, audited (the status as it stands, unchanged).
    Returns whether there was anything to confirm."""
    if not answer.to_confirm:
        return False
    at = at or utcnow()
    answer.to_confirm = False
    answer.updated_at = at
    answer.updated_by = actor
    audit.record(
        session,
        at=at,
        actor=actor,
        source=SOURCE_CONFIRM,
        campaign_id=answer.campaign_id,
        respondent_id=answer.respondent_id,
        action_id=answer.action_id,
        indicator_id=None,
        field="status",
        old_value=answer.status,
        new_value=answer.status,
        import_id=None,
    )
    return True
