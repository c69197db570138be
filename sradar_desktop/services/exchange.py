"""Exporting exchange workbooks: blank ones to send, answers to send back, consolidations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sradar_desktop import __version__
from sradar_desktop.db.models import (
    ActionRow,
    Answer,
    Campaign,
    ExpectedRespondent,
    IndicatorRow,
    IndicatorValue,
    Questionnaire,
    Respondent,
)
from sradar_desktop.domain.consolidation import Completion, completion
from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.merge import Stamped
from sradar_desktop.domain.plan import Plan
from sradar_desktop.domain.text import count
from sradar_desktop.errors import UserError
from sradar_desktop.services.campaigns import current_campaign_id
from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import (
    ARCHIVED_VERSION,
    DEFAULT_QUESTIONNAIRE_ID,
    default_campaign_id,
    load_plan,
)
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import write_exchange_workbook


@dataclass(frozen=True)
class ExportResult:
    path: Path
    questionnaire_id: str
    campaign_id: str
    respondents: tuple[str, ...]
    rows: int
    # Of the actions each respondent is expected to answer, added up over the respondents:
    # the window's count (``domain.consolidation.completion``).
    completion: Completion

    @property
    def answered(self) -> int:
        return self.completion.answered

    def describe(self) -> str:
        who = ", ".join(self.respondents[:5]) + (
            f" et {len(self.respondents) - 5} autres" if len(self.respondents) > 5 else ""
        )
        return (
            f"{self.path.name} : {count(self.rows, 'ligne')} pour {who or 'aucun répondant'} "
            f"({self.completion.describe()}), questionnaire {self.questionnaire_id}."
        )


def resolve_campaign(
    db: Database, questionnaire_id: str | None = None, campaign_id: str | None = None
) -> tuple[str, str]:
    """The (questionnaire, campaign) meant by the options given.

    Without options: the only campaign with answers, or the default plan when none has any.
    """
    with db.read() as session:
        if campaign_id:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise UserError(f"La campagne « {campaign_id} » n'existe pas dans cette base.")
            return campaign.questionnaire_id, campaign.id
        if questionnaire_id:
            if session.get(Questionnaire, questionnaire_id) is None:
                raise UserError(
                    f"Le questionnaire « {questionnaire_id} » n'existe pas dans cette base. "
                    "La commande « sradar-desktop questionnaires » donne la liste des "
                    "identifiants."
                )
            latest = current_campaign_id(session, questionnaire_id)
            return questionnaire_id, latest or default_campaign_id(questionnaire_id)
        used = session.scalars(
            select(Campaign.questionnaire_id)
            .join(Questionnaire, Questionnaire.id == Campaign.questionnaire_id)
            .where(Campaign.id.in_(select(Answer.campaign_id).distinct()))
            .where(Questionnaire.origin != ARCHIVED_VERSION)
            .distinct()
            .order_by(Campaign.questionnaire_id)
        ).all()
        if len(used) == 1:
            # The questionnaire with answers, in its current campaign.
            return used[0], current_campaign_id(session, used[0]) or default_campaign_id(used[0])
    if not used:
        return DEFAULT_QUESTIONNAIRE_ID, default_campaign_id(DEFAULT_QUESTIONNAIRE_ID)
    raise UserError(
        "Plusieurs questionnaires ont des réponses dans cette base : précisez lequel avec "
        "--questionnaire (" + ", ".join(used) + ")."
    )


def _respondent_infos(session: Session, codes: list[str]) -> dict[str, fmt.RespondentInfo]:
    rows = session.scalars(select(Respondent).where(Respondent.code.in_(codes))).all()
    infos = {r.code: fmt.RespondentInfo(r.code, r.label, r.department) for r in rows}
    return {code: infos.get(code, fmt.RespondentInfo(code)) for code in codes}


def build_exchange(
    db: Database,
    *,
    questionnaire_id: str | None = None,
    campaign_id: str | None = None,
    respondent_code: str | None = None,
    all_actions: bool = False,
    blank: bool = False,
) -> fmt.ExchangeWorkbook:
    """The content of an exchange workbook, from the database."""
    questionnaire_id, campaign_id = resolve_campaign(db, questionnaire_id, campaign_id)
    plan: Plan = load_plan(db, questionnaire_id)
    code = normalise_respondent_code(respondent_code) if respondent_code else None
    with db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        campaign_title = campaign.title if campaign else "Évaluation"
        previous_id = campaign.previous_id if campaign else None
        to_confirm: set[tuple[str, str]] = set()
        answers: dict[tuple[str, str], Stamped] = {}
        values: dict[tuple[str, str, int], Stamped] = {}
        if not blank:
            query = (
                select(Answer, Respondent.code, ActionRow.code)
                .join(Respondent, Respondent.id == Answer.respondent_id)
                .join(ActionRow, ActionRow.id == Answer.action_id)
                .where(Answer.campaign_id == campaign_id)
            )
            value_query = (
                select(IndicatorValue, Respondent.code, ActionRow.code, IndicatorRow.position)
                .join(Respondent, Respondent.id == IndicatorValue.respondent_id)
                .join(IndicatorRow, IndicatorRow.id == IndicatorValue.indicator_id)
                .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
                .where(IndicatorValue.campaign_id == campaign_id)
            )
            if code:
                query = query.where(Respondent.code == code)
                value_query = value_query.where(Respondent.code == code)
            for answer, respondent, action in session.execute(query):
                answers[(respondent, action)] = Stamped(
                    (answer.status, answer.comment), answer.updated_at, answer.updated_by
                )
                if answer.to_confirm:
                    to_confirm.add((respondent, action))
            for value, respondent, action, position in session.execute(value_query):
                values[(respondent, action, position)] = Stamped(
                    (value.target, value.achieved), value.updated_at, value.updated_by
                )
        roster = session.scalars(
            select(Respondent.code)
            .join(ExpectedRespondent, ExpectedRespondent.respondent_id == Respondent.id)
            .where(ExpectedRespondent.campaign_id == campaign_id)
            .order_by(Respondent.code)
        ).all()
        if code:
            codes = [code]
        else:
            codes = sorted({r for r, _ in answers} | {r for r, _, _ in values} | set(roster))
        infos = _respondent_infos(session, codes)
        previous = _previous_answers(session, previous_id, codes) if previous_id else {}
    return fmt.build_content(
        plan,
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        respondents=[infos[c] for c in codes],
        answers=answers,
        values=values,
        exported_at=utcnow(),
        app_version=__version__,
        all_actions=all_actions,
        blank=blank,
        strict_respondent=code is not None,
        to_confirm=to_confirm,
        campaign_period=campaign.period if campaign else "",
        previous_campaign_id=previous_id or "",
        previous=previous,
        campaign_due=campaign.due_date if campaign else None,
        expected=roster,
        return_address=campaign.return_address if campaign else "",
    )


def _previous_answers(
    session: Session, campaign_id: str, codes: list[str]
) -> dict[tuple[str, str], tuple[str | None, str]]:
    """What ``codes`` answered in ``campaign_id`` (status, comment), by (respondent, action)."""
    rows = session.execute(
        select(Respondent.code, ActionRow.code, Answer.status, Answer.comment)
        .join(Respondent, Respondent.id == Answer.respondent_id)
        .join(ActionRow, ActionRow.id == Answer.action_id)
        .where(Answer.campaign_id == campaign_id, Respondent.code.in_(codes))
    ).all()
    return {(r, a): (status, comment or "") for r, a, status, comment in rows}


def export_workbook(db: Database, path: Path, **options: object) -> ExportResult:
    """Write an exchange workbook (see ``build_exchange`` for the options)."""
    content = build_exchange(db, **options)  # type: ignore[arg-type]
    write_exchange_workbook(content, path)
    return ExportResult(
        path=path,
        questionnaire_id=content.plan.id,
        campaign_id=content.campaign_id,
        respondents=tuple(r.code for r in content.respondents),
        rows=len(content.answers),
        completion=content_completion(content),
    )


def content_completion(content: fmt.ExchangeWorkbook) -> Completion:
    """The completion of a workbook's respondents, added up."""
    by_respondent: dict[str, list[tuple[str, str | None, bool]]] = {
        r.code: [] for r in content.respondents
    }
    for line in content.answers:
        by_respondent.setdefault(line.respondent, []).append(
            (line.action_code, line.status, line.to_confirm)
        )
    each = [completion(content.plan, code, lines) for code, lines in by_respondent.items()]
    return Completion(
        sum(c.answered for c in each), sum(c.to_confirm for c in each), sum(c.total for c in each)
    )


def blank_workbook(
    db: Database,
    path: Path,
    *,
    questionnaire_id: str,
    respondent_code: str,
    all_actions: bool = False,
    campaign_id: str | None = None,
) -> ExportResult:
    """A workbook to send to a respondent: their actions (or all), nothing answered."""
    return export_workbook(
        db,
        path,
        questionnaire_id=questionnaire_id,
        campaign_id=campaign_id,
        respondent_code=respondent_code,
        all_actions=all_actions,
        blank=True,
    )
