"""Answers and indicator values: every change saved at once, with its line in the audit trail.

Several people may write to one database (a shared PostgreSQL server, or a window and the
command line on one SQLite file). Each answer row and indicator value row has a version,
incremented by every change (SQLAlchemy's ``version_id_col``). An ``AnswerService`` remembers
the version of each row it last read or wrote; a change to a row that someone else changed
since is refused with ``AnswerConflict``, which carries the newer values, instead of silently
overwriting them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from sradar_desktop.db import reading
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
from sradar_desktop.db.reading import session_rows
from sradar_desktop.domain.answers import (
    SOURCE_ENTRY,
    SOURCE_IMPORT,
    SOURCE_UNDO,
    AnswerState,
    HistoryEntry,
)
from sradar_desktop.domain.dates import moment_text, utcnow
from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.domain.numbers import format_indicator_value, parse_indicator_value
from sradar_desktop.domain.plan import IndicatorKind
from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.domain.text import shorten
from sradar_desktop.errors import UserError
from sradar_desktop.services import audit
from sradar_desktop.services.campaigns import confirm
from sradar_desktop.services.database import Database
from sradar_desktop.services.respondent_codes import normalise_respondent_code


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


MAX_ACTOR = 200
MAX_COMMENT = 32_000  # what an Excel cell can hold, with room to spare
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def _set_fields(
    session: Session,
    row: Answer | IndicatorValue,
    fields: dict[str, object],
    *,
    action_id: int,
    indicator_id: int | None,
    actor: str,
    source: str,
    at: datetime,
    import_id: int | None,
) -> int:
    """Set ``fields`` of ``row`` that are given and differ, audit each one, stamp the row when
    one did. Returns how many changed."""
    changed = 0
    for name, new in fields.items():
        if isinstance(new, _Unchanged):
            continue
        old = getattr(row, name)
        if old == new:
            continue
        setattr(row, name, new)
        _audit(
            session,
            campaign_id=row.campaign_id,
            respondent_id=row.respondent_id,
            action_id=action_id,
            indicator_id=indicator_id,
            field_name=name,
            old=old or None,
            new=str(new) if new else None,
            actor=actor,
            source=source,
            at=at,
            import_id=import_id,
        )
        changed += 1
    if changed:
        row.updated_at = at
        row.updated_by = actor
    return changed


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
    changed = _set_fields(
        session,
        answer,
        {"status": status, "comment": comment},
        action_id=answer.action_id,
        indicator_id=None,
        actor=actor,
        source=source,
        at=at or utcnow(),
        import_id=import_id,
    )
    if changed:
        answer.to_confirm = False  # any edit of a carried answer confirms it
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
    return _set_fields(
        session,
        value,
        {"target": target, "achieved": achieved},
        action_id=action_id,
        indicator_id=value.indicator_id,
        actor=actor,
        source=source,
        at=at or utcnow(),
        import_id=import_id,
    )


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


class AnswerConflict(UserError):
    """A change refused because someone else changed the same row since it was read.

    ``current`` holds the row's values as the database has them now (``status`` and
    ``comment`` of an answer, or ``target`` and ``achieved`` of an indicator value), ``typed``
    the value that was not saved (stored form). Nothing was written.
    """

    def __init__(
        self,
        *,
        action_code: str,
        position: int | None,
        field_name: str,
        typed: str | None,
        typed_text: str,
        current: dict[str, str | None],
        version: int | None,
        changed_by: str,
        changed_at: datetime | None,
        subject: str,
    ) -> None:
        self.action_code = action_code
        self.position = position
        self.field = field_name
        self.typed = typed
        self.typed_text = typed_text
        self.current = current
        self.version = version
        self.changed_by = changed_by
        self.changed_at = changed_at
        if changed_at is not None:
            who = f"par {changed_by or 'un autre utilisateur'} le {moment_text(changed_at)}"
        else:
            who = "par ailleurs (une autre fenêtre ou un import)"
        self.headline = f"{subject} a été modifiée {who} : la voici."
        self.not_saved = f"Votre saisie « {typed_text} » n'a pas été enregistrée."
        super().__init__(
            f"{self.headline} {self.not_saved} Relisez la réponse enregistrée, puis saisissez "
            "de nouveau la vôtre si elle doit la remplacer."
        )


class AnswerService:
    """The answers of one respondent in one campaign, as one agent enters them.

    Every call is its own transaction: when it returns, the change is on disk. Values are
    checked first (a status of the questionnaire's scale, numbers of the indicator's kind);
    a wrong one raises ``UserError`` and nothing is written.

    After ``load()``, a change is checked against the version of the row as this service last
    read or wrote it: a row changed since by someone else raises ``AnswerConflict`` (nothing
    written) until ``acknowledge`` says the newer values were shown.
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
            self.scale_labels: dict[str, str] = dict(
                session.execute(
                    select(ScaleLevelRow.code, ScaleLevelRow.label).where(
                        ScaleLevelRow.questionnaire_id == self.questionnaire_id
                    )
                ).all()
            ) or {level.code: level.label for level in DEFAULT_SCALE.levels}
            self.scale_codes = set(self.scale_labels)
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
            self._indicators: dict[tuple[str, int], tuple[int, IndicatorKind, str]] = {
                (code, position): (indicator_id, IndicatorKind(kind), label)
                for code, position, indicator_id, kind, label in session.execute(
                    select(
                        ActionRow.code,
                        IndicatorRow.position,
                        IndicatorRow.id,
                        IndicatorRow.kind,
                        IndicatorRow.label,
                    )
                    .join(IndicatorRow, IndicatorRow.action_id == ActionRow.id)
                    .where(ActionRow.questionnaire_id == self.questionnaire_id)
                ).all()
            }
        # The version of each row as last read or written here, by (action code, indicator
        # position or None for the answer itself); None: the row did not exist. A row absent
        # from this map was never read: a change to it is not checked.
        self._seen: dict[tuple[str, int | None], int | None] = {}

    def _action_id(self, action_code: str) -> int:
        try:
            return self._actions[action_code]
        except KeyError:
            raise UserError(f"L'action {action_code} n'existe pas dans ce questionnaire.") from None

    def _respondent(self, session: Session) -> int:
        if self.respondent_id is None:
            self.respondent_id = get_or_create_respondent(session, self.respondent_code).id
        return self.respondent_id

    def _last_source(self, session: Session, action_id: int, indicator_id: int | None) -> str:
        """Where the last change of a row came from (an entry, an import, an undone import)."""
        assert self.respondent_id is not None
        return (
            session.scalar(
                select(AuditEvent.source)
                .where(
                    AuditEvent.campaign_id == self.campaign_id,
                    AuditEvent.respondent_id == self.respondent_id,
                    AuditEvent.action_id == action_id,
                    AuditEvent.indicator_id.is_(None)
                    if indicator_id is None
                    else AuditEvent.indicator_id == indicator_id,
                )
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            or ""
        )

    def _check_version(
        self,
        session: Session,
        key: tuple[str, int | None],
        row: Answer | IndicatorValue,
        *,
        field_name: str,
        typed: str | None,
        typed_text: str,
        subject: str,
    ) -> None:
        """Raise ``AnswerConflict`` when ``row`` changed since this service last saw it."""
        version = row.version_id if row.id is not None else None
        if key not in self._seen or self._seen[key] == version:
            return
        if isinstance(row, Answer):
            current = {"status": row.status, "comment": row.comment or ""}
            action_id, indicator_id = row.action_id, None
        else:
            current = {"target": row.target, "achieved": row.achieved}
            action_id, indicator_id = self._actions[key[0]], row.indicator_id
        changed_by, changed_at = "", None
        if version is not None:
            changed_by, changed_at = row.updated_by, row.updated_at
            source = self._last_source(session, action_id, indicator_id)
            if source == SOURCE_IMPORT:
                changed_by += " (import)"
            elif source == SOURCE_UNDO:
                changed_by += " (annulation d'import)"
        raise AnswerConflict(
            action_code=key[0],
            position=key[1],
            field_name=field_name,
            typed=typed,
            typed_text=typed_text,
            current=current,
            version=version,
            changed_by=changed_by.strip(),
            changed_at=changed_at,
            subject=subject,
        )

    def _save_answer(self, action_code: str, field_name: str, value: str | None) -> None:
        action_id = self._action_id(action_code)
        key = (action_code, None)
        if field_name == "status":
            typed_text = self.scale_labels.get(value, value) if value else "(réponse effacée)"
        else:
            typed_text = shorten(value or "", 80) or "(commentaire effacé)"
        with self.db.write() as session:
            answer = answer_row(session, self.campaign_id, self._respondent(session), action_id)
            self._check_version(
                session,
                key,
                answer,
                field_name=field_name,
                typed=value,
                typed_text=typed_text,
                subject=f"La réponse à l'action {action_code}",
            )
            changes: dict[str, Any] = {field_name: value}
            if update_answer(session, answer, **changes, actor=self.actor, source=SOURCE_ENTRY):
                session.flush()
            elif confirm(session, answer, actor=self.actor):
                # The same value typed again over a carried answer: that confirms it.
                session.flush()
            elif answer.id is None:
                session.expunge(answer)  # nothing to say: no empty row
        self._seen[key] = answer.version_id if answer.id is not None else None

    def set_status(self, action_code: str, status: str | None) -> None:
        status = status or None
        if status is not None and status not in self.scale_codes:
            raise UserError(
                f"« {status} » n'est pas une réponse possible "
                f"({', '.join(sorted(self.scale_codes))})."
            )
        self._save_answer(action_code, "status", status)

    def set_comment(self, action_code: str, comment: str) -> None:
        comment = normalise_comment(comment)
        if len(comment) > MAX_COMMENT:
            raise UserError(
                f"Le commentaire compte {len(comment)} caractères : c'est plus que les "
                f"{MAX_COMMENT} qu'une cellule de classeur peut contenir. Raccourcissez-le."
            )
        self._save_answer(action_code, "comment", comment)

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
            indicator_id, kind, label = self._indicators[(action_code, position)]
        except KeyError:
            raise UserError(
                f"L'action {action_code} n'a pas d'indicateur n°{position + 1}."
            ) from None
        values: dict[str, str | None] = {}
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
        key = (action_code, position)
        typed_text = " ; ".join(
            format_indicator_value(value, kind) if value is not None else "(vide)"
            for value in values.values()
        )
        with self.db.write() as session:
            value = indicator_row(
                session, self.campaign_id, self._respondent(session), indicator_id
            )
            self._check_version(
                session,
                key,
                value,
                field_name="target" if "target" in values else "achieved",
                typed=next(iter(values.values()), None),
                typed_text=typed_text,
                subject=f"La valeur de l'indicateur « {shorten(label, 60)} » (action "
                f"{action_code})",
            )
            if update_indicator(
                session,
                value,
                action_id=action_id,
                **values,  # type: ignore[arg-type]
                actor=self.actor,
                source=SOURCE_ENTRY,
            ):
                session.flush()
                answer = self._answer(session, action_id)
                if answer is not None:
                    answer_key = (action_code, None)
                    # The version seen moves on with this confirmation only if it was the one
                    # seen: a change made elsewhere in the meantime must still be detected.
                    seen_before = self._seen.get(answer_key, answer.version_id)
                    if confirm(session, answer, actor=self.actor):
                        session.flush()
                        if seen_before == answer.version_id - 1:
                            self._seen[answer_key] = answer.version_id
            elif value.id is None:
                session.expunge(value)
        self._seen[key] = value.version_id if value.id is not None else None

    def _answer(self, session: Session, action_id: int) -> Answer | None:
        return session.scalar(
            select(Answer).where(
                Answer.campaign_id == self.campaign_id,
                Answer.respondent_id == self._respondent(session),
                Answer.action_id == action_id,
            )
        )

    def confirm(self, action_code: str) -> bool:
        """Confirm an answer carried from the previous campaign, unchanged (one key in the
        window). Returns False when there was nothing to confirm."""
        action_id = self._action_id(action_code)
        key = (action_code, None)
        with self.db.write() as session:
            answer = self._answer(session, action_id)
            if answer is None:
                return False
            # Changed elsewhere since it was read (and so perhaps confirmed there): the newer
            # values must be seen before anything is confirmed.
            self._check_version(
                session,
                key,
                answer,
                field_name="status",
                typed=answer.status,
                typed_text="(confirmation de la réponse reprise)",
                subject=f"La réponse à l'action {action_code}",
            )
            if not confirm(session, answer, actor=self.actor):
                return False
            session.flush()
        self._seen[key] = answer.version_id
        return True

    def write(self, key: FieldKey, value: object) -> None:
        """Save one field (see ``domain.fields``): the one place a field becomes a call."""
        if key.field is Field.CONFIRM:
            self.confirm(key.code)
        elif key.field is Field.STATUS:
            self.set_status(key.code, str(value) if value else None)
        elif key.field is Field.COMMENT:
            self.set_comment(key.code, str(value or ""))
        elif key.field is Field.TARGET:
            self.set_indicator(key.code, key.position or 0, target=value)
        else:
            self.set_indicator(key.code, key.position or 0, achieved=value)

    def acknowledge(self, conflict: AnswerConflict) -> None:
        """The newer values of ``conflict`` were shown: changes made from now on replace them."""
        self._seen[(conflict.action_code, conflict.position)] = conflict.version

    def load(self) -> dict[str, AnswerState]:
        """Every answer of this respondent, by action code (unanswered actions are absent).

        The versions read become those later changes are checked against."""
        states = read_answers(self.db, self.campaign_id, self.respondent_code)
        self.remember(states)
        return states

    def remember(self, states: dict[str, AnswerState]) -> None:
        """``states`` (see ``load``) are what the agent is shown: the versions later changes
        are checked against."""
        seen: dict[tuple[str, int | None], int | None] = dict.fromkeys(
            [(code, None) for code in self._actions], None
        )
        seen.update(dict.fromkeys(self._indicators, None))
        for code, state in states.items():
            seen[(code, None)] = state.version
            for position, indicator in state.indicators.items():
                seen[(code, position)] = indicator.version
        self._seen = seen

    def history(self, action_code: str) -> list[HistoryEntry]:
        """Who changed what and when on this action, newest first."""
        self._action_id(action_code)  # an unknown action says so
        code, campaign = normalise_respondent_code(self.respondent_code), self.campaign_id
        return self.db.read_plain(
            lambda rows: reading.read_history(rows, campaign, code, action_code)
        )


def _respondent_id(session: Session, respondent_code: str) -> int | None:
    return reading.respondent_id(session_rows(session), normalise_respondent_code(respondent_code))


def read_answers(db: Database, campaign_id: str, respondent_code: str) -> dict[str, AnswerState]:
    """The respondent's answers by action code, without writing anything (unanswered: absent)."""
    with db.read() as session:
        return reading.read_answers(
            session_rows(session), campaign_id, normalise_respondent_code(respondent_code)
        )
