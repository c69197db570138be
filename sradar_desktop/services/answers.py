"""Answers and indicator values: every change saved at once, with its line in the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from sradar_desktop.db.models import (
    ActionRow,
    Answer,
    AuditEvent,
    Campaign,
    IndicatorRow,
    IndicatorValue,
    Respondent,
    ScaleLevelRow,
)
from sradar_desktop.db.types import utcnow
from sradar_desktop.domain.numbers import parse_indicator_value
from sradar_desktop.domain.plan import IndicatorKind
from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.domain.text import fold
from sradar_desktop.errors import UserError
from sradar_desktop.services import audit
from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import CHUNK, read_in_chunks

SOURCE_ENTRY: Final = "saisie"
SOURCE_IMPORT: Final = "import"
SOURCE_UNDO: Final = "annulation"


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


MAX_RESPONDENT_CODE = 64
MAX_ACTOR = 200
MAX_COMMENT = 32_000  # what an Excel cell can hold, with room to spare
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_respondent_code(code: str) -> str:
    """``ddets 44`` → ``DDETS-44``. Raises ``UserError`` for a code that cannot be one."""
    normal = fold(code).upper().replace(" ", "-")
    if normal == "TOTAL":
        raise UserError(
            "« Total » ne peut pas être le code d'un répondant : choisissez-en un autre."
        )
    if len(normal) > MAX_RESPONDENT_CODE:
        raise UserError(
            f"Le code de répondant « {code[:20]}… » est trop long ({MAX_RESPONDENT_CODE} "
            "caractères au plus). Utilisez un code court comme DDETS-44."
        )
    return normal


def normalise_comment(text: str) -> str:
    """A comment as stored: plain line ends, no control characters (which no file can carry)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def get_or_create_respondent(
    session: Session, code: str, label: str = "", department: str = ""
) -> Respondent:
    code = normalise_respondent_code(code)
    if not code:
        raise UserError("Le code du répondant est vide. Donnez un code comme DDETS-44.")
    respondent = session.scalar(select(Respondent).where(Respondent.code == code))
    if respondent is None:
        respondent = Respondent(code=code, label=label or code, department=department)
        session.add(respondent)
        session.flush()
    else:
        if label and respondent.label in ("", respondent.code):
            respondent.label = label
        if department and not respondent.department:
            respondent.department = department
    return respondent


def _audit(
    session: Session,
    *,
    campaign_id: str,
    respondent_id: int,
    action_id: int,
    indicator_id: int | None,
    field_name: str,
    old: str | None,
    new: str | None,
    actor: str,
    source: str,
    at: datetime,
    import_id: int | None,
) -> None:
    audit.record(
        session,
        at=at,
        actor=actor,
        source=source,
        campaign_id=campaign_id,
        respondent_id=respondent_id,
        action_id=action_id,
        indicator_id=indicator_id,
        field=field_name,
        old_value=old,
        new_value=new,
        import_id=import_id,
    )


def update_answer(
    session: Session,
    answer: Answer,
    *,
    status: str | _Unchanged | None = UNCHANGED,
    comment: str | _Unchanged = UNCHANGED,
    actor: str,
    source: str,
    at: datetime | None = None,
    import_id: int | None = None,
) -> int:
    """Set the given fields of ``answer``, audit each one that changes. Returns how many did."""
    at = at or utcnow()
    changed = 0
    for name, new in (("status", status), ("comment", comment)):
        if isinstance(new, _Unchanged):
            continue
        old = getattr(answer, name)
        if old == new:
            continue
        setattr(answer, name, new)
        _audit(
            session,
            campaign_id=answer.campaign_id,
            respondent_id=answer.respondent_id,
            action_id=answer.action_id,
            indicator_id=None,
            field_name=name,
            old=old or None,
            new=new or None,
            actor=actor,
            source=source,
            at=at,
            import_id=import_id,
        )
        changed += 1
    if changed:
        answer.updated_at = at
        answer.updated_by = actor
    return changed


def update_indicator(
    session: Session,
    value: IndicatorValue,
    *,
    action_id: int,
    target: str | _Unchanged | None = UNCHANGED,
    achieved: str | _Unchanged | None = UNCHANGED,
    actor: str,
    source: str,
    at: datetime | None = None,
    import_id: int | None = None,
) -> int:
    """Set an indicator's target and/or achieved value (stored form), audited."""
    at = at or utcnow()
    changed = 0
    for name, new in (("target", target), ("achieved", achieved)):
        if isinstance(new, _Unchanged):
            continue
        old = getattr(value, name)
        if old == new:
            continue
        setattr(value, name, new)
        _audit(
            session,
            campaign_id=value.campaign_id,
            respondent_id=value.respondent_id,
            action_id=action_id,
            indicator_id=value.indicator_id,
            field_name=name,
            old=old,
            new=new,
            actor=actor,
            source=source,
            at=at,
            import_id=import_id,
        )
        changed += 1
    if changed:
        value.updated_at = at
        value.updated_by = actor
    return changed


def answer_row(session: Session, campaign_id: str, respondent_id: int, action_id: int) -> Answer:
    """The answer row, created (empty) when there is none yet."""
    answer = session.scalar(
        select(Answer).where(
            Answer.campaign_id == campaign_id,
            Answer.respondent_id == respondent_id,
            Answer.action_id == action_id,
        )
    )
    if answer is None:
        answer = Answer(
            campaign_id=campaign_id,
            respondent_id=respondent_id,
            action_id=action_id,
            status=None,
            comment="",
        )
        session.add(answer)
    return answer


def indicator_row(
    session: Session, campaign_id: str, respondent_id: int, indicator_id: int
) -> IndicatorValue:
    """The indicator value row, created (empty) when there is none yet."""
    value = session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.campaign_id == campaign_id,
            IndicatorValue.respondent_id == respondent_id,
            IndicatorValue.indicator_id == indicator_id,
        )
    )
    if value is None:
        value = IndicatorValue(
            campaign_id=campaign_id, respondent_id=respondent_id, indicator_id=indicator_id
        )
        session.add(value)
    return value


@dataclass(frozen=True)
class IndicatorState:
    target: str | None = None
    achieved: str | None = None


@dataclass(frozen=True)
class AnswerState:
    status: str | None = None
    comment: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""
    indicators: dict[int, IndicatorState] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    source: str
    field: str
    indicator: str | None
    old_value: str | None
    new_value: str | None


class AnswerService:
    """The answers of one respondent in one campaign, as one agent enters them.

    Every call is its own transaction: when it returns, the change is on disk. Values are
    checked first (a status of the questionnaire's scale, numbers of the indicator's kind);
    a wrong one raises ``UserError`` and nothing is written.
    """

    def __init__(self, db: Database, campaign_id: str, respondent_code: str, actor: str) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.respondent_code = normalise_respondent_code(respondent_code)
        self.actor = actor[:MAX_ACTOR]
        with db.read() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise UserError(f"La campagne « {campaign_id} » n'existe pas dans cette base.")
            self.questionnaire_id = campaign.questionnaire_id
            self.scale_codes = set(
                session.scalars(
                    select(ScaleLevelRow.code).where(
                        ScaleLevelRow.questionnaire_id == self.questionnaire_id
                    )
                )
            ) or set(DEFAULT_SCALE.codes)
            # Created with the first answer: reading never writes.
            self.respondent_id: int | None = session.scalar(
                select(Respondent.id).where(Respondent.code == self.respondent_code)
            )
            self._actions = dict(
                session.execute(
                    select(ActionRow.code, ActionRow.id).where(
                        ActionRow.questionnaire_id == self.questionnaire_id
                    )
                ).all()
            )
            self._indicators: dict[tuple[str, int], tuple[int, IndicatorKind]] = {
                (code, position): (indicator_id, IndicatorKind(kind))
                for code, position, indicator_id, kind in session.execute(
                    select(
                        ActionRow.code, IndicatorRow.position, IndicatorRow.id, IndicatorRow.kind
                    )
                    .join(IndicatorRow, IndicatorRow.action_id == ActionRow.id)
                    .where(ActionRow.questionnaire_id == self.questionnaire_id)
                ).all()
            }

    def _action_id(self, action_code: str) -> int:
        try:
            return self._actions[action_code]
        except KeyError:
            raise UserError(f"L'action {action_code} n'existe pas dans ce questionnaire.") from None

    def _respondent(self, session: Session) -> int:
        if self.respondent_id is None:
            self.respondent_id = get_or_create_respondent(session, self.respondent_code).id
        return self.respondent_id

    def _save_answer(self, action_code: str, **fields: object) -> None:
        action_id = self._action_id(action_code)
        with self.db.write() as session:
            answer = answer_row(session, self.campaign_id, self._respondent(session), action_id)
            if (
                not update_answer(session, answer, **fields, actor=self.actor, source=SOURCE_ENTRY)
                and answer.id is None
            ):
                session.expunge(answer)  # nothing to say: no empty row

    def set_status(self, action_code: str, status: str | None) -> None:
        status = status or None
        if status is not None and status not in self.scale_codes:
            raise UserError(
                f"« {status} » n'est pas une réponse possible "
                f"({', '.join(sorted(self.scale_codes))})."
            )
        self._save_answer(action_code, status=status)

    def set_comment(self, action_code: str, comment: str) -> None:
        comment = normalise_comment(comment)
        if len(comment) > MAX_COMMENT:
            raise UserError(
                f"Le commentaire compte {len(comment)} caractères : c'est plus que les "
                f"{MAX_COMMENT} qu'une cellule de classeur peut contenir. Raccourcissez-le."
            )
        self._save_answer(action_code, comment=comment)

    def set_indicator(
        self,
        action_code: str,
        position: int,
        *,
        target: object = UNCHANGED,
        achieved: object = UNCHANGED,
    ) -> None:
        """Set an indicator's target and/or achieved value, typed the French way or stored."""
        action_id = self._action_id(action_code)
        try:
            indicator_id, kind = self._indicators[(action_code, position)]
        except KeyError:
            raise UserError(
                f"L'action {action_code} n'a pas d'indicateur n°{position + 1}."
            ) from None
        values: dict[str, object] = {}
        for name, typed in (("target", target), ("achieved", achieved)):
            if isinstance(typed, _Unchanged):
                continue
            try:
                values[name] = parse_indicator_value(typed, kind)
            except ValueError as error:
                message = str(error)
                raise UserError(
                    f"{message[:1].upper()}{message[1:]} ({kind.label} attendu)."
                ) from None
        with self.db.write() as session:
            value = indicator_row(
                session, self.campaign_id, self._respondent(session), indicator_id
            )
            if (
                not update_indicator(
                    session,
                    value,
                    action_id=action_id,
                    **values,  # type: ignore[arg-type]
                    actor=self.actor,
                    source=SOURCE_ENTRY,
                )
                and value.id is None
            ):
                session.expunge(value)

    def load(self) -> dict[str, AnswerState]:
        """Every answer of this respondent, by action code (unanswered actions are absent)."""
        return read_answers(self.db, self.campaign_id, self.respondent_code)

    def history(self, action_code: str) -> list[HistoryEntry]:
        """Who changed what and when on this action, newest first."""
        self._action_id(action_code)  # an unknown action says so
        return read_history(self.db, self.campaign_id, self.respondent_code, action_code)


def _respondent_id(session: Session, respondent_code: str) -> int | None:
    return session.scalar(
        select(Respondent.id).where(Respondent.code == normalise_respondent_code(respondent_code))
    )


def read_answers(db: Database, campaign_id: str, respondent_code: str) -> dict[str, AnswerState]:
    """The respondent's answers by action code, without writing anything (unanswered: absent)."""
    with db.read() as session:
        respondent_id = _respondent_id(session, respondent_code)
        if respondent_id is None:
            return {}
        if session.get(Campaign, campaign_id) is None:
            raise UserError(f"La campagne « {campaign_id} » n'existe pas dans cette base.")
        stream = {"stream_results": True, "yield_per": CHUNK}
        answers = [
            row
            for chunk in read_in_chunks(
                session.execute(
                    select(
                        ActionRow.code,
                        Answer.status,
                        Answer.comment,
                        Answer.updated_at,
                        Answer.updated_by,
                    )
                    .join(ActionRow, ActionRow.id == Answer.action_id)
                    .where(Answer.campaign_id == campaign_id, Answer.respondent_id == respondent_id)
                    .execution_options(**stream)
                )
            )
            for row in chunk
        ]
        values = [
            row
            for chunk in read_in_chunks(
                session.execute(
                    select(
                        ActionRow.code,
                        IndicatorRow.position,
                        IndicatorValue.target,
                        IndicatorValue.achieved,
                    )
                    .join(IndicatorRow, IndicatorRow.id == IndicatorValue.indicator_id)
                    .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
                    .where(
                        IndicatorValue.campaign_id == campaign_id,
                        IndicatorValue.respondent_id == respondent_id,
                    )
                    .execution_options(**stream)
                )
            )
            for row in chunk
        ]
    indicators: dict[str, dict[int, IndicatorState]] = {}
    for code, position, target, achieved in values:
        indicators.setdefault(code, {})[position] = IndicatorState(target, achieved)
    states = {
        code: AnswerState(status, comment or "", at, by, indicators.pop(code, {}))
        for code, status, comment, at, by in answers
    }
    for code, by_position in indicators.items():
        states[code] = AnswerState(indicators=by_position)
    return states


def read_history(
    db: Database, campaign_id: str, respondent_code: str, action_code: str
) -> list[HistoryEntry]:
    """Who changed what and when on one action, newest first (read-only)."""
    with db.read() as session:
        respondent_id = _respondent_id(session, respondent_code)
        if respondent_id is None:
            return []
        rows = session.execute(
            select(AuditEvent, IndicatorRow.label)
            .join(ActionRow, ActionRow.id == AuditEvent.action_id)
            .outerjoin(IndicatorRow, IndicatorRow.id == AuditEvent.indicator_id)
            .where(
                AuditEvent.campaign_id == campaign_id,
                AuditEvent.respondent_id == respondent_id,
                # Codes are unique within a questionnaire, and a campaign has one.
                ActionRow.code == action_code,
            )
            .order_by(AuditEvent.id.desc())
        ).all()
    return [
        HistoryEntry(e.at, e.actor, e.source, e.field, label, e.old_value, e.new_value)
        for e, label in rows
    ]
