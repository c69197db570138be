"""The secretariat's view of a campaign: consolidation, arbitration, the roster, the due date."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sradar_desktop.db.models import (
    ActionRow,
    Answer,
    ArbitrationRow,
    Campaign,
    ExpectedRespondent,
    ImportRecord,
    IndicatorRow,
    IndicatorValue,
    Respondent,
)
from sradar_desktop.domain.consolidation import (
    Arbitration,
    Consolidation,
    RespondentAnswer,
    consolidate,
    is_given,
)
from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.evolution import ActionMatching, Evolution, compare
from sradar_desktop.domain.numbers import counted
from sradar_desktop.domain.plan import Action
from sradar_desktop.errors import UserError
from sradar_desktop.interpreter import FEW_COLLECTIONS
from sradar_desktop.services.answers import (
    MAX_ACTOR,
    get_or_create_respondent,
)
from sradar_desktop.services.campaigns import CampaignSummary, list_campaigns
from sradar_desktop.services.database import Database
from sradar_desktop.services.exchange import resolve_campaign
from sradar_desktop.services.files.consolidating import ReportResult, write_report_files
from sradar_desktop.services.questionnaires import load_plan
from sradar_desktop.services.refusals import refused_files
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.services.revisions import latest_revision
from sradar_desktop.services.views.consolidation import ConsolidationSheet, respondent_label


def load_consolidation(
    db: Database, *, questionnaire_id: str | None = None, campaign_id: str | None = None
) -> Consolidation:
    """Consolidate a campaign from the database (see ``domain.consolidation``).

    An answer carried forward from the previous campaign and not confirmed yet is not an
    answer of this campaign: it is shown with its mark, and left out of the synthesis, the
    indicator totals and the counts of answered actions (see ``domain.consolidation``).
    """
    questionnaire_id, campaign_id = resolve_campaign(db, questionnaire_id, campaign_id)
    plan = load_plan(db, questionnaire_id)
    with db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        # A service without a label of its own gets the one its code suggests, or none: a
        # label repeating the code says nothing.
        labels = {
            code: respondent_label(code, label or "")
            for code, label in session.execute(select(Respondent.code, Respondent.label))
        }
        answers = []
        for respondent, code, status, comment, at, by, to_confirm in session.execute(
            select(
                Respondent.code,
                ActionRow.code,
                Answer.status,
                Answer.comment,
                Answer.updated_at,
                Answer.updated_by,
                Answer.to_confirm,
            )
            .join(Respondent, Respondent.id == Answer.respondent_id)
            .join(ActionRow, ActionRow.id == Answer.action_id)
            .where(Answer.campaign_id == campaign_id)
        ):
            if is_given(status, comment, to_confirm):
                label = labels.get(respondent, respondent)
                answer = RespondentAnswer(respondent, label, status, comment, at, by, to_confirm)
                answers.append((respondent, code, answer))
        values = [
            (
                respondent,
                code,
                position,
                counted(target, kind),
                counted(achieved, kind),
            )
            for respondent, code, position, kind, target, achieved in session.execute(
                select(
                    Respondent.code,
                    ActionRow.code,
                    IndicatorRow.position,
                    IndicatorRow.kind,
                    IndicatorValue.target,
                    IndicatorValue.achieved,
                )
                .join(Respondent, Respondent.id == IndicatorValue.respondent_id)
                .join(IndicatorRow, IndicatorRow.id == IndicatorValue.indicator_id)
                .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
                .where(IndicatorValue.campaign_id == campaign_id)
            )
        ]
        expected = list(
            session.scalars(
                select(Respondent.code)
                .join(ExpectedRespondent, ExpectedRespondent.respondent_id == Respondent.id)
                .where(ExpectedRespondent.campaign_id == campaign_id)
            )
        )
        arbitrations = {
            code: Arbitration(row.status, row.reason, row.decided_by, row.decided_at)
            for row, code in session.execute(
                select(ArbitrationRow, ActionRow.code)
                .join(ActionRow, ActionRow.id == ArbitrationRow.action_id)
                .where(ArbitrationRow.campaign_id == campaign_id)
            )
        }
        last_imports: dict = {}
        for at, respondents in session.execute(
            select(ImportRecord.at, ImportRecord.respondents).where(
                ImportRecord.campaign_id == campaign_id, ImportRecord.undone_at.is_(None)
            )
        ):
            for code in filter(None, respondents.split(",")):
                if code not in last_imports or at > last_imports[code]:
                    last_imports[code] = at
    return consolidate(
        plan,
        campaign_id=campaign_id,
        campaign_title=campaign.title if campaign else "Évaluation",
        due_date=campaign.due_date if campaign else None,
        generated_at=utcnow(),
        answers=answers,
        indicator_values=values,
        labels=labels,
        expected=expected,
        arbitrations=arbitrations,
        last_imports=last_imports,
    )


def evolution_since(
    db: Database,
    current: Consolidation,
    previous_campaign_id: str,
    matching: ActionMatching | None = None,
) -> Evolution:
    """The evolution from a previous campaign to an already loaded consolidation. Without
    ``matching``, across a revision of the plan made between the two campaigns, the actions
    follow that revision's matching (``_before_revision``)."""
    if previous_campaign_id == current.campaign_id:
        raise UserError(
            "La campagne à comparer est la campagne consolidée elle-même : choisissez une "
            "autre campagne, la précédente par exemple."
        )
    previous = load_consolidation(db, campaign_id=previous_campaign_id)
    if matching is None:
        previous, matching = _before_revision(db, previous, current)
    return compare(previous, current, matching)


def _before_revision(
    db: Database, previous: Consolidation, current: Consolidation
) -> tuple[Consolidation, ActionMatching | None]:
    """``previous`` on the version of the plan it was answered on, with the matching of the
    revision made since, when the plan was revised between the two campaigns; ``previous``
    unchanged (and no matching) otherwise.

    A revision keeps the rows of the actions it links one to one, so their answers are
    loaded under the current codes: they get back their previous ones. The answers to the
    actions it retired (removed, split, merged) were kept aside in a campaign of the archived
    version: they join them, under their own codes."""
    with db.read() as session:
        revision = latest_revision(session, current.plan.id)
        created = dict(
            session.execute(
                select(Campaign.id, Campaign.created_at).where(
                    Campaign.id.in_([previous.campaign_id, current.campaign_id])
                )
            ).all()
        )
    before, after = created.get(previous.campaign_id), created.get(current.campaign_id)
    if (
        revision is None
        or previous.plan.id != current.plan.id
        or before is None
        or after is None
        or not before < revision.at <= after
    ):
        return previous, None
    aside = revision.campaigns.get(previous.campaign_id)
    if aside is not None:
        retired = load_consolidation(db, campaign_id=aside)
    else:  # nothing was said about the retired actions
        retired = consolidate(
            load_plan(db, revision.archive_id),
            campaign_id=previous.campaign_id,
            campaign_title=previous.campaign_title,
            due_date=None,
            generated_at=previous.generated_at,
            answers=[],
            indicator_values=[],
            labels={},
            expected=[],
            arbitrations={},
            last_imports={},
        )
    old_code = {
        link.new[0]: link.old[0]
        for link in revision.matching.links
        if len(link.old) == 1 and len(link.new) == 1
    }
    kept = set(old_code.values())  # the archived version also holds copies of some of them

    def renamed(action: Action) -> Action:
        return dataclasses.replace(action, code=old_code[action.code])

    as_answered = dataclasses.replace(
        previous,
        plan=dataclasses.replace(
            previous.plan, objectives=(*previous.plan.objectives, *retired.plan.objectives)
        ),
        actions=(
            *(
                dataclasses.replace(r, action=renamed(r.action))
                for r in previous.actions
                if r.action.code in old_code
            ),
            *(r for r in retired.actions if r.action.code not in kept),
        ),
        indicators=(
            *(
                dataclasses.replace(i, action=renamed(i.action))
                for i in previous.indicators
                if i.action.code in old_code
            ),
            *(i for i in retired.indicators if i.action.code not in kept),
        ),
    )
    return as_answered, revision.matching.carried()


def load_evolution(
    db: Database,
    *,
    previous_campaign_id: str,
    campaign_id: str | None = None,
    questionnaire_id: str | None = None,
    matching: ActionMatching | None = None,
) -> Evolution:
    """The evolution between two campaigns (see ``domain.evolution``); ``matching`` links the
    actions of a revised plan (previous code → current codes, every kept action in it, e.g.
    ``domain.revision.Matching.carried()``), the same code without it."""
    current = load_consolidation(db, questionnaire_id=questionnaire_id, campaign_id=campaign_id)
    return evolution_since(db, current, previous_campaign_id, matching)


def load_sheet(
    db: Database, *, questionnaire_id: str | None = None, campaign_id: str | None = None
) -> ConsolidationSheet:
    """The consolidation laid out for the secretariat, with the files refused per service."""
    consolidation = load_consolidation(
        db, questionnaire_id=questionnaire_id, campaign_id=campaign_id
    )
    return ConsolidationSheet(consolidation, refused_files(db, consolidation.campaign_id))


@dataclass(frozen=True)
class ConsolidationReading:
    """What the consolidation window shows after one reading: the consolidation, the other
    campaigns of the questionnaire, and the evolution since the one compared with
    (``problem`` when it could not be read)."""

    sheet: ConsolidationSheet
    campaigns: list[CampaignSummary]
    compare_id: str | None
    evolution: Evolution | None
    problem: str = ""


def read_consolidation(
    db: Database,
    *,
    questionnaire_id: str | None = None,
    campaign_id: str | None = None,
    compare_id: str | None = None,
    compare_picked: bool = False,
) -> ConsolidationReading:
    """The consolidation and its evolution since ``compare_id``, or, unless the user picked
    that (``compare_picked``, None included), since the campaign it was created from."""
    sheet = load_sheet(db, questionnaire_id=questionnaire_id, campaign_id=campaign_id)
    current = sheet.consolidation
    try:
        campaigns = list_campaigns(db, current.plan.id)
    except UserError as error:
        return ConsolidationReading(sheet, [], None, None, str(error))
    if not compare_picked:
        compare_id = origin_campaign(db, current.campaign_id)
    others = [c for c in campaigns if c.id != current.campaign_id]
    if compare_id not in {c.id for c in others}:
        return ConsolidationReading(sheet, others, None, None)
    try:
        evolution = evolution_since(db, current, compare_id)
    except UserError as error:
        return ConsolidationReading(sheet, others, compare_id, None, str(error))
    return ConsolidationReading(sheet, others, compare_id, evolution)


def _action_id(session: Session, campaign: Campaign, action_code: str) -> int:
    action_id = session.scalar(
        select(ActionRow.id).where(
            ActionRow.questionnaire_id == campaign.questionnaire_id, ActionRow.code == action_code
        )
    )
    if action_id is None:
        raise UserError(f"L'action {action_code} n'existe pas dans ce questionnaire.")
    return action_id


def _campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise UserError(f"La campagne « {campaign_id} » n'existe pas dans cette base.")
    return campaign


def set_arbitration(
    db: Database,
    campaign_id: str,
    action_code: str,
    status: str | None,
    *,
    reason: str = "",
    actor: str = "",
) -> None:
    """Retain a status for an action, with its reason; ``None`` withdraws the arbitration."""
    with db.write() as session:
        campaign = _campaign(session, campaign_id)
        action_id = _action_id(session, campaign, action_code)
        session.execute(
            delete(ArbitrationRow).where(
                ArbitrationRow.campaign_id == campaign_id, ArbitrationRow.action_id == action_id
            )
        )
        if status is None:
            return
        codes = {level.code for level in campaign.questionnaire.scale_levels}
        if status not in codes:
            raise UserError(
                f"« {status} » n'est pas une réponse possible ({', '.join(sorted(codes))})."
            )
        if not reason.strip():
            raise UserError(
                "Indiquez la raison de l'arbitrage : elle figurera dans le classeur et la "
                "synthèse, à côté du statut retenu."
            )
        session.add(
            ArbitrationRow(
                campaign_id=campaign_id,
                action_id=action_id,
                status=status,
                reason=reason.strip(),
                decided_by=actor[:MAX_ACTOR],
            )
        )


@dataclass(frozen=True)
class RosterMember:
    code: str
    label: str = ""
    department: str = ""
    # The service's email addresses for this campaign, separated by ", " ("" for none), checked
    # by ``sending.member``; ``None``: whatever the campaign has for it already (a roster
    # edited without its addresses keeps them).
    email: str | None = None


def set_roster(db: Database, campaign_id: str, members: Iterable[RosterMember]) -> None:
    """Replace the list of respondents expected to answer a campaign (with their addresses)."""
    with db.write() as session:
        _campaign(session, campaign_id)
        kept = dict(
            session.execute(
                select(ExpectedRespondent.respondent_id, ExpectedRespondent.email).where(
                    ExpectedRespondent.campaign_id == campaign_id
                )
            ).all()
        )
        session.execute(
            delete(ExpectedRespondent).where(ExpectedRespondent.campaign_id == campaign_id)
        )
        seen = set()
        for member in members:
            code = normalise_respondent_code(member.code)
            if not code or code in seen:
                continue
            seen.add(code)
            respondent = get_or_create_respondent(session, code, member.label, member.department)
            # The secretariat's roster is where labels are corrected.
            if member.label:
                respondent.label = member.label
            if member.department:
                respondent.department = member.department
            session.add(
                ExpectedRespondent(
                    campaign_id=campaign_id,
                    respondent_id=respondent.id,
                    email=kept.get(respondent.id, "") if member.email is None else member.email,
                )
            )


def roster(db: Database, campaign_id: str) -> list[RosterMember]:
    with db.read() as session:
        return [
            RosterMember(r.code, r.label, r.department, email)
            for r, email in session.execute(
                select(Respondent, ExpectedRespondent.email)
                .join(ExpectedRespondent, ExpectedRespondent.respondent_id == Respondent.id)
                .where(ExpectedRespondent.campaign_id == campaign_id)
                .order_by(Respondent.code)
            )
        ]


def set_due_date(db: Database, campaign_id: str, due: date | None) -> None:
    with db.write() as session:
        _campaign(session, campaign_id).due_date = due


def origin_campaign(db: Database, campaign_id: str) -> str | None:
    """The campaign ``campaign_id`` was created from, when this database still has it: the one
    its evolution is measured from unless another is chosen."""
    with db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        previous = campaign.previous_id if campaign is not None else None
        if previous is None or session.get(Campaign, previous) is None:
            return None
        return previous


def write_reports(
    db: Database,
    *,
    workbook: Path | None,
    pdf: Path | None = None,
    questionnaire_id: str | None = None,
    campaign_id: str | None = None,
    region: str | None = None,
    compare_campaign_id: str | None = None,
    compare_with_origin: bool = True,
) -> ReportResult:
    """The consolidated workbook and/or the PDF summary of a campaign of the database; both
    also show the evolution since ``compare_campaign_id``, or when it is not given (and
    ``compare_with_origin``) since the campaign it was created from."""
    from sradar_desktop.services.exchange import build_exchange

    with FEW_COLLECTIONS.held():  # a batch (see ``interpreter``)
        report = load_consolidation(db, questionnaire_id=questionnaire_id, campaign_id=campaign_id)
        if compare_campaign_id is None and compare_with_origin:
            compare_campaign_id = origin_campaign(db, report.campaign_id)
        evolution = (
            evolution_since(db, report, compare_campaign_id) if compare_campaign_id else None
        )
        return write_report_files(
            report,
            lambda: build_exchange(db, campaign_id=report.campaign_id),
            workbook,
            pdf,
            region,
            evolution,
        )
