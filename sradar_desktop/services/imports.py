"""Importing files: exchange workbooks and action-plan tables, one merge for both.

Each file is checked, read and merged in one transaction: a file with an error changes nothing,
the same file twice is a no-op, and per answer the latest change wins whatever the order of the
files (``domain.merge``). What an import replaced stays in the audit trail and in its record of
changes, so that the import can be undone exactly. A preview computes the same merge without
writing anything.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Executable
from sqlalchemy.sql.schema import Table

from sradar_desktop.db.models import (
    ActionRow,
    Answer,
    AuditEvent,
    Campaign,
    ExpectedRespondent,
    ImportChange,
    ImportRecord,
    IndicatorRow,
    IndicatorValue,
    Questionnaire,
    Respondent,
)
from sradar_desktop.domain.answers import SOURCE_IMPORT, SOURCE_UNDO
from sradar_desktop.domain.dates import moment_text, short_date, utcnow
from sradar_desktop.domain.merge import Decision, Stamped, Value, decide
from sradar_desktop.domain.text import count
from sradar_desktop.errors import FileRefusedError, ServerUnavailableError, UserError
from sradar_desktop.failures import describe_failure
from sradar_desktop.services import audit
from sradar_desktop.services.answers import (
    get_or_create_respondent,
    update_answer,
    update_indicator,
)
from sradar_desktop.services.audit import flush_audit
from sradar_desktop.services.campaigns import confirm, current_campaign_id
from sradar_desktop.services.database import Database
from sradar_desktop.services.files.collecting import Expanded, expanded
from sradar_desktop.services.files.incoming import KIND_PLAN, file_digest, read_incoming
from sradar_desktop.services.files.outcomes import Conflict, FileResult, ImportOutcome
from sradar_desktop.services.questionnaires import (
    store_plan,
)
from sradar_desktop.services.refusals import record_refusals
from sradar_desktop.services.revisions import route_old_version
from sradar_desktop.services.senders import checks
from sradar_desktop.services.server_wait import ServerPatience, Waiting, duration_text
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.format import Incoming
from sradar_desktop.workbook.safety import check_size

log = logging.getLogger(__name__)

ORIGIN_WORKBOOK = "classeur"
ORIGIN_PLAN = "import"


# Merging ------------------------------------------------------------------------------------


@dataclass
class _Change:
    target: str  # "answer" or "indicator"
    respondent: str
    action_code: str
    position: int | None
    incoming: Stamped
    current: Stamped | None
    decision: Decision
    row: Answer | IndicatorValue | None = None
    # An answer carried forward that the sender has not confirmed yet.
    to_confirm: bool = False


def _stamped(value: Value, at: datetime | None, by: str) -> Stamped:
    assert at is not None
    return Stamped(value, at, by)


def _check_versions(session: Session, incoming: Incoming, file_name: str) -> bool:
    """Whether the questionnaire is new here; refuses a different version of a known one."""
    questionnaire = session.get(Questionnaire, incoming.plan.id)
    if questionnaire is not None and questionnaire.version_digest != incoming.plan.digest():
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : il a été préparé pour une autre version "
            f"du questionnaire « {questionnaire.short_title or questionnaire.title} » que celle "
            "de cette base. Demandez un classeur préparé à partir de la même version du "
            "questionnaire."
        )
    campaign = session.get(Campaign, incoming.campaign_id)
    if campaign is not None and campaign.questionnaire_id != incoming.plan.id:
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : sa campagne « {campaign.title} » porte "
            "sur un autre questionnaire. Le classeur a probablement été modifié à la main."
        )
    return questionnaire is None


def _changes(session: Session, incoming: Incoming, new_questionnaire: bool) -> list[_Change]:
    answers_now: dict[tuple[str, str], Answer] = {}
    values_now: dict[tuple[str, str, int], IndicatorValue] = {}
    if not new_questionnaire:
        codes = {r.code for r in incoming.respondents}
        for answer, respondent, code in session.execute(
            select(Answer, Respondent.code, ActionRow.code)
            .join(Respondent, Respondent.id == Answer.respondent_id)
            .join(ActionRow, ActionRow.id == Answer.action_id)
            .where(Answer.campaign_id == incoming.campaign_id, Respondent.code.in_(codes))
        ):
            answers_now[(respondent, code)] = answer
        for value, respondent, code, position in session.execute(
            select(IndicatorValue, Respondent.code, ActionRow.code, IndicatorRow.position)
            .join(Respondent, Respondent.id == IndicatorValue.respondent_id)
            .join(IndicatorRow, IndicatorRow.id == IndicatorValue.indicator_id)
            .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
            .where(
                IndicatorValue.campaign_id == incoming.campaign_id,
                Respondent.code.in_(codes),
            )
        ):
            values_now[(respondent, code, position)] = value

    changes = []
    for line in incoming.answers:
        row = answers_now.get((line.respondent, line.action_code))
        current = (
            None
            if row is None
            else Stamped((row.status, row.comment), row.updated_at, row.updated_by)
        )
        new = _stamped(line.value, line.at, line.by)
        changes.append(
            _Change(
                "answer",
                line.respondent,
                line.action_code,
                None,
                new,
                current,
                decide(current, new, incoming.exported_at),
                row,
                line.to_confirm,
            )
        )
    for indicator in incoming.indicators:
        value_row = values_now.get(
            (indicator.respondent, indicator.action_code, indicator.position)
        )
        current = (
            None
            if value_row is None
            else Stamped(
                (value_row.target, value_row.achieved), value_row.updated_at, value_row.updated_by
            )
        )
        new = _stamped(indicator.value, indicator.at, indicator.by)
        changes.append(
            _Change(
                "indicator",
                indicator.respondent,
                indicator.action_code,
                indicator.position,
                new,
                current,
                decide(current, new, incoming.exported_at),
                value_row,
            )
        )
    return changes


def _outcome(
    file_name: str,
    incoming: Incoming,
    new_questionnaire: bool,
    changes: Sequence[_Change],
    import_id: int | None = None,
    *,
    new_campaign: bool = False,
) -> ImportOutcome:
    indicators = {a.code: a.indicators for a in incoming.plan.actions()}
    conflicts = tuple(
        Conflict(
            c.respondent,
            c.action_code,
            indicators[c.action_code][c.position].label if c.position is not None else None,
            c.decision,
            c.current,
            c.incoming,
        )
        for c in changes
        if c.decision.is_conflict and c.current is not None
    )
    return ImportOutcome(
        file_name=file_name,
        kind=incoming.kind,
        questionnaire_id=incoming.plan.id,
        questionnaire_title=incoming.plan.display_title,
        plan_counts=incoming.plan.counts(),
        new_questionnaire=new_questionnaire,
        respondents=tuple(
            sorted({r.code for r in incoming.respondents} | {c.respondent for c in changes})
        ),
        decisions=dict(Counter(c.decision for c in changes)),
        conflicts=conflicts,
        edited_outside=incoming.edited_outside,
        unplaced=incoming.unplaced,
        import_id=import_id,
        new_campaign=_new_campaign(incoming) if new_campaign and not new_questionnaire else "",
        notes=incoming.notes,
    )


def _new_campaign(incoming: Incoming) -> str:
    """« nouvelle campagne « Évaluation 2025 » (6 services attendus, réponses attendues le
    30/06/2027) »."""
    facts = []
    if incoming.expected:
        facts.append(count(len(incoming.expected), "service attendu", "services attendus"))
    elif incoming.previous_campaign_id:
        facts.append("services attendus repris de la campagne précédente")
    if incoming.campaign_due is not None:
        facts.append(f"réponses attendues le {short_date(incoming.campaign_due)}")
    text = f"nouvelle campagne « {incoming.campaign_title or incoming.campaign_id} »"
    return text + (f" ({', '.join(facts)})" if facts else "")


def _previous_import(session: Session, digest: str) -> ImportRecord | None:
    return session.scalar(
        select(ImportRecord)
        .where(ImportRecord.file_digest == digest, ImportRecord.undone_at.is_(None))
        .order_by(ImportRecord.id.desc())
    )


def _already(name: str, record: ImportRecord) -> ImportOutcome:
    return ImportOutcome(
        file_name=name,
        kind=record.kind,
        questionnaire_id=record.questionnaire_id,
        questionnaire_title="",
        plan_counts=(0, 0, 0),
        new_questionnaire=False,
        respondents=tuple(filter(None, record.respondents.split(","))),
        already_imported_at=record.at,
        import_id=record.id,
    )


# A last check of what a file brings, in the transaction that reads or applies it (a message's
# attachment must answer the campaign the messages are collected for): raises
# ``FileRefusedError`` to refuse the file.
Acceptance = Callable[[Session, Incoming], None]


def preview_import(
    db: Database,
    path: Path,
    *,
    respondent_code: str | None = None,
    actor: str = "",
    name: str | None = None,
    accept: Acceptance | None = None,
) -> ImportOutcome:
    """What importing ``path`` would do, without changing anything (``name`` and ``accept``:
    see ``read_incoming`` and ``Acceptance``)."""
    name = name or path.name
    check_size(path, name=name)
    digest = file_digest(path)
    with db.read() as session:
        previous = _previous_import(session, digest)
    if previous is not None:
        return _already(name, previous)
    incoming = read_incoming(path, respondent_code=respondent_code, actor=actor, name=name)
    with db.read() as session:
        incoming = _placed(session, incoming)
        if accept is not None:
            accept(session, incoming)
        new_questionnaire = _check_versions(session, incoming, name)
        changes = _changes(session, incoming, new_questionnaire)
        unknown = session.get(Campaign, incoming.campaign_id) is None
        return _outcome(name, incoming, new_questionnaire, changes, new_campaign=unknown)


def _placed(session: Session, incoming: Incoming) -> Incoming:
    """``incoming`` placed in this database: onto the current version of its plan, and a plain
    plan table (which names no campaign) into the current campaign of its questionnaire."""
    incoming = route_old_version(session, incoming)
    if incoming.kind == KIND_PLAN:
        current = session.get(Campaign, current_campaign_id(session, incoming.plan.id) or "")
        if current is not None:
            incoming = dataclasses.replace(
                incoming, campaign_id=current.id, campaign_title=current.title
            )
    return incoming


def _image(row: Answer | IndicatorValue) -> str:
    """A row's values with the time and author of their last change, as JSON."""
    fields = _ANSWER_FIELDS if isinstance(row, Answer) else _INDICATOR_FIELDS
    return _image_of({name: getattr(row, name) for name in fields}, row.updated_at, row.updated_by)


def _image_of(values: dict[str, str | bool | None], updated_at: datetime, updated_by: str) -> str:
    return json.dumps(
        {**values, "updated_at": updated_at.isoformat(), "updated_by": updated_by},
        ensure_ascii=False,
    )


def import_file(
    db: Database,
    path: Path,
    *,
    actor: str = "",
    respondent_code: str | None = None,
    name: str | None = None,
    accept: Acceptance | None = None,
) -> ImportOutcome:
    """Import one file, all or nothing. Raises ``FileRefusedError`` when it is refused
    (``name`` and ``accept``: see ``read_incoming`` and ``Acceptance``)."""
    name = name or path.name
    check_size(path, name=name)
    digest = file_digest(path)
    with db.read() as session:
        previous = _previous_import(session, digest)
    if previous is not None:
        return _already(name, previous)
    incoming = read_incoming(path, respondent_code=respondent_code, actor=actor, name=name)
    with db.write() as session:
        previous = _previous_import(session, digest)
        if previous is not None:  # imported by another window meanwhile
            return _already(name, previous)
        if accept is not None:
            accept(session, _placed(session, incoming))
        return _apply(session, incoming, name, digest, actor)


def _confirm_from_file(session: Session, change: _Change) -> bool:
    """A file whose answer is confirmed confirms the same answer carried forward here.
    Returns whether it did."""
    row = change.row
    if (
        change.target == "answer"
        and not change.to_confirm
        and isinstance(row, Answer)
        and row.to_confirm
        and (row.status, row.comment) == change.incoming.value
    ):
        # Stamped when the file's answer was, never earlier than the row's last change.
        at = max(row.updated_at, change.incoming.at)
        return confirm(session, row, actor=change.incoming.by, at=at)
    return False


def _set_up_campaign(session: Session, incoming: Incoming, created: list[str]) -> None:
    """A campaign this import creates takes the due date and the expected services the file
    gives (a file of an earlier release gives none: the roster of the campaign it was created
    from, when this database has it). The services it names are created if need be, and
    listed in ``created`` so that undoing the import removes them."""
    campaign = session.get(Campaign, incoming.campaign_id)
    assert campaign is not None
    campaign.due_date = incoming.campaign_due
    roster: list[int] = []
    for code in incoming.expected:
        existed = session.scalar(select(Respondent.id).where(Respondent.code == code))
        roster.append(
            existed if existed is not None else get_or_create_respondent(session, code).id
        )
        if existed is None:
            created.append(code)
    if not incoming.expected and incoming.previous_campaign_id:
        roster = list(
            session.scalars(
                select(ExpectedRespondent.respondent_id).where(
                    ExpectedRespondent.campaign_id == incoming.previous_campaign_id
                )
            )
        )
    for respondent_id in dict.fromkeys(roster):
        session.add(ExpectedRespondent(campaign_id=campaign.id, respondent_id=respondent_id))
    session.flush()


def _apply(
    session: Session, incoming: Incoming, file_name: str, digest: str, actor: str
) -> ImportOutcome:
    incoming = _placed(session, incoming)
    new_questionnaire = _check_versions(session, incoming, file_name)
    created: dict[str, Any] = {"questionnaire": None, "campaign": None, "respondents": []}
    if new_questionnaire:
        store_plan(
            session,
            incoming.plan,
            ORIGIN_PLAN if incoming.kind == KIND_PLAN else ORIGIN_WORKBOOK,
            campaign_title=incoming.campaign_title,
            campaign_id=incoming.campaign_id,
        )
        created["questionnaire"] = incoming.plan.id
        created["campaign"] = incoming.campaign_id
    elif session.get(Campaign, incoming.campaign_id) is None:
        session.add(
            Campaign(
                id=incoming.campaign_id,
                questionnaire_id=incoming.plan.id,
                title=incoming.campaign_title or "Évaluation",
                period=incoming.campaign_period[:50],
                previous_id=incoming.previous_campaign_id[:120] or None,
            )
        )
        created["campaign"] = incoming.campaign_id

    respondent_ids: dict[str, int] = {}
    codes = sorted(
        {r.code for r in incoming.respondents}
        | {a.respondent for a in incoming.answers}
        | {i.respondent for i in incoming.indicators}
    )
    infos = {r.code: r for r in incoming.respondents}
    for code in codes:
        info = infos.get(code, fmt.RespondentInfo(code))
        existed = session.scalar(select(Respondent.id).where(Respondent.code == code))
        respondent = get_or_create_respondent(session, code, info.label, info.department)
        respondent_ids[code] = respondent.id
        if existed is None:
            created["respondents"].append(code)
    if created["campaign"]:
        _set_up_campaign(session, incoming, created["respondents"])
    campaign = session.get(Campaign, incoming.campaign_id)
    if incoming.return_address and campaign is not None and not campaign.return_address:
        # Where the answers go, learnt from the blank the secretariat sent (undone with it).
        campaign.return_address = incoming.return_address
        created["return_address"] = True

    record = ImportRecord(
        actor=actor,
        file_name=file_name,
        file_digest=digest,
        kind=incoming.kind,
        questionnaire_id=incoming.plan.id,
        campaign_id=incoming.campaign_id,
        respondents=",".join(codes),
    )
    session.add(record)
    session.flush()

    changes = _changes(session, incoming, new_questionnaire)
    action_ids = {
        code: action_id
        for code, action_id in session.execute(
            select(ActionRow.code, ActionRow.id).where(
                ActionRow.questionnaire_id == incoming.plan.id
            )
        )
    }
    indicator_ids = {
        (code, position): indicator_id
        for code, position, indicator_id in session.execute(
            select(ActionRow.code, IndicatorRow.position, IndicatorRow.id)
            .join(IndicatorRow, IndicatorRow.action_id == ActionRow.id)
            .where(ActionRow.questionnaire_id == incoming.plan.id)
        )
    }
    written: list[tuple[_Change, Answer | IndicatorValue, str | None]] = []
    before: str | None
    for change in changes:
        if not change.decision.applies:
            if isinstance(change.row, Answer) and change.row.to_confirm:
                before = _image(change.row)
                if _confirm_from_file(session, change):  # undoing the import undoes it too
                    written.append((change, change.row, before))
            continue
        respondent_id = respondent_ids[change.respondent]
        action_id = action_ids[change.action_code]
        before = None if change.row is None else _image(change.row)
        common: dict[str, Any] = {
            "actor": change.incoming.by,
            "source": SOURCE_IMPORT,
            "at": change.incoming.at,
            "import_id": record.id,
        }
        row: Answer | IndicatorValue
        if change.target == "answer":
            answer = cast(Answer | None, change.row) or Answer(
                campaign_id=incoming.campaign_id,
                respondent_id=respondent_id,
                action_id=action_id,
                status=None,
                comment="",
            )
            session.add(answer)
            status, comment = change.incoming.value
            update_answer(session, answer, status=status, comment=comment or "", **common)
            if change.to_confirm and change.row is None:
                # Carried forward where the file comes from, and still to confirm there.
                answer.to_confirm = True
                answer.carried_from = incoming.previous_campaign_id[:120] or None
            else:
                _confirm_from_file(session, change)
            row = answer
        else:
            assert change.position is not None
            value = cast(IndicatorValue | None, change.row) or IndicatorValue(
                campaign_id=incoming.campaign_id,
                respondent_id=respondent_id,
                indicator_id=indicator_ids[(change.action_code, change.position)],
            )
            session.add(value)
            target, achieved = change.incoming.value
            update_indicator(
                session, value, action_id=action_id, target=target, achieved=achieved, **common
            )
            row = value
        written.append((change, row, before))
    session.flush()
    if written:
        session.execute(
            insert(ImportChange),
            [
                {
                    "import_id": record.id,
                    "target": change.target,
                    "campaign_id": row.campaign_id,
                    "respondent_id": row.respondent_id,
                    "action_id": action_ids[change.action_code],
                    "indicator_id": row.indicator_id if isinstance(row, IndicatorValue) else None,
                    "before": before,
                    "after": _image(row),
                }
                for change, row, before in written
            ],
        )
    outcome = _outcome(
        file_name,
        incoming,
        new_questionnaire,
        changes,
        import_id=record.id,
        new_campaign=bool(created["campaign"]),
    )
    record.summary = json.dumps(
        {
            "created": created,
            "decisions": {str(d): n for d, n in outcome.decisions.items()},
            "conflicts": len(outcome.conflicts),
            "edited_outside": outcome.edited_outside,
        },
        ensure_ascii=False,
    )
    log.info("Import : %s", outcome.describe())
    return outcome


# Several files, undo ---------------------------------------------------------------------------


def import_files(
    db: Database,
    paths: Iterable[Path],
    *,
    actor: str = "",
    respondent_code: str | None = None,
    progress: Callable[[int, Path], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    waiting: Callable[[Waiting], None] | None = None,
    campaign_id: str | None = None,
    only: Collection[tuple[Path, str]] | None = None,
) -> list[FileResult]:
    """Import each file on its own (see ``_file_by_file``, and there ``only``); a refused file
    (or message) is remembered against its service (``services.refusals``). A saved message
    (``.eml``, ``.msg``) gives one result per attached workbook, each checked against the
    campaign the replies are collected for (``campaign_id``, or the current campaign of its
    questionnaire) and reported with the message (see ``services.files.collecting``)."""

    def one(item: Expanded, accept: Acceptance | None) -> ImportOutcome:
        return import_file(
            db,
            item.path,
            actor=actor,
            respondent_code=respondent_code,
            name=item.name,
            accept=accept,
        )

    results = _file_by_file(
        db,
        paths,
        one,
        "l'import",
        "n'a pas été importé",
        progress,
        cancelled,
        waiting,
        campaign_id,
        only,
    )
    record_refusals(db, results, actor=actor)
    return results


def preview_files(
    db: Database,
    paths: Iterable[Path],
    *,
    actor: str = "",
    progress: Callable[[int, Path], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    waiting: Callable[[Waiting], None] | None = None,
    campaign_id: str | None = None,
) -> list[FileResult]:
    """What importing each file would do, nothing changed (see ``_file_by_file``; messages as
    in ``import_files``). The import window keeps the trace of the files refused here
    (``refusals.record_refusals``): they will never be imported."""
    return _file_by_file(
        db,
        paths,
        lambda item, accept: preview_import(
            db, item.path, actor=actor, name=item.name, accept=accept
        ),
        "la lecture",
        "n'a pas pu être lu",
        progress,
        cancelled,
        waiting,
        campaign_id,
    )


def _file_by_file(
    db: Database,
    paths: Iterable[Path],
    one: Callable[[Expanded, Acceptance | None], ImportOutcome],
    doing: str,
    not_done: str,
    progress: Callable[[int, Path], None] | None,
    cancelled: Callable[[], bool] | None,
    waiting: Callable[[Waiting], None] | None,
    campaign_id: str | None,
    only: Collection[tuple[Path, str]] | None = None,
) -> list[FileResult]:
    """``one(file, acceptance)`` for each file on its own: one refused file, or even a bug with
    one, never stops the others; stops between files when ``cancelled``. A saved message stands
    for its attached workbooks (``collecting.expanded``), each named « message.eml › pièce.xlsx »
    and checked (``collecting.checks``); ``only`` (path given, name) keeps some of them (those
    a preview found ready). ``progress(rank, path)`` counts the paths given. A server that
    cannot serve for now (restarting, connection cut) is waited for, ``waiting`` saying so,
    before giving up on a file (``services.server_wait``). ``doing`` (« l'import ») and
    ``not_done`` (« n'a pas été importé ») word the messages."""
    patience = ServerPatience(db.location, on_wait=waiting, cancelled=cancelled)
    paths = list(paths)
    rank = {path: number for number, path in reversed(list(enumerate(paths)))}
    results = []
    with expanded(paths) as items:
        for item in items:
            if only is not None and (item.origin, item.name) not in only:
                continue
            if cancelled is not None and cancelled():
                break
            if progress is not None:
                progress(rank[item.origin], item.origin)
            sender = item.source.info.sender if item.source is not None else ""
            if item.error is not None:
                log.info("Refusé : %s", item.error)
                results.append(
                    FileResult(item.origin, error=item.error, name=item.name, sender=sender)
                )
                continue
            check = checks(item, campaign_id)
            try:
                outcome = patience.run(
                    functools.partial(one, item, check), f"{doing} de « {item.name} »"
                )
            except ServerUnavailableError as error:
                gone = _server_gone(item.name, error, patience, not_done)
                results.append(FileResult(item.origin, error=gone, name=item.name, sender=sender))
            except Exception as error:  # a bug is logged with its traceback, and said
                failure = describe_failure(
                    error,
                    f"Le fichier « {item.name} » {not_done}",
                    "Les autres fichiers sont traités.",
                )
                refusal = error if isinstance(error, UserError) else UserError(failure.message)
                results.append(
                    FileResult(item.origin, error=refusal, name=item.name, sender=sender)
                )
            else:
                if check is not None:
                    outcome = check.finish(outcome)
                results.append(
                    FileResult(item.origin, outcome=outcome, name=item.name, sender=sender)
                )
    return results


def _server_gone(
    name: str, error: ServerUnavailableError, patience: ServerPatience, not_done: str
) -> ServerUnavailableError:
    waited = (
        f", et SRADAR Desktop l'a attendu {duration_text(patience.waited)} en vain"
        if patience.waited >= 1
        else ""
    )
    return ServerUnavailableError(
        f"Le fichier « {name} » {not_done} : le serveur de la base de données "
        f"{patience.location} {error.brief}{waited}. Le fichier n'a rien changé : importez-le "
        "de nouveau quand le serveur sera disponible ; si cela dure, prévenez l'administrateur "
        "du serveur.",
        brief=error.brief,
    )


@dataclass(frozen=True)
class ImportInfo:
    """One import as the database recorded it: enough to choose the one to undo."""

    id: int
    at: datetime
    file_name: str
    kind: str
    questionnaire_id: str
    respondents: tuple[str, ...]
    actor: str
    new: int = 0  # rows the import created (answers and indicator values)
    changed: int = 0  # rows it changed
    undone_at: datetime | None = None

    def describe(self) -> str:
        """One French line: number, when, who, file, respondents, what it did."""
        who = ", ".join(self.respondents[:3]) + (
            f" et {len(self.respondents) - 3} autres" if len(self.respondents) > 3 else ""
        )
        parts = [
            f"n° {self.id}",
            moment_text(self.at),
            self.actor or "(auteur inconnu)",
            self.file_name,
            who or "(aucun répondant)",
            f"{count(self.new, 'ligne nouvelle', 'lignes nouvelles')}, "
            f"{count(self.changed, 'modifiée')}",
        ]
        if self.undone_at is not None:
            parts.append(f"annulé le {moment_text(self.undone_at)}")
        return "  ".join(parts)


def list_imports(
    db: Database,
    questionnaire_id: str | None = None,
    *,
    undone: bool = True,
    last: bool = False,
) -> list[ImportInfo]:
    """The imports of the database (of one questionnaire, if given), oldest first, with how
    many rows each created and changed; without those undone when ``undone`` is False; only
    the latest with ``last``."""
    with db.read() as session:
        query = select(ImportRecord)
        if not undone:
            query = query.where(ImportRecord.undone_at.is_(None))
        if questionnaire_id is not None:
            query = query.where(ImportRecord.questionnaire_id == questionnaire_id)
        if last:
            query = query.order_by(ImportRecord.id.desc()).limit(1)
        records = sorted(session.scalars(query), key=lambda record: record.id)
        ids = query.with_only_columns(ImportRecord.id).subquery()
        totals = {
            import_id: (total, before)
            for import_id, total, before in session.execute(
                select(ImportChange.import_id, func.count(), func.count(ImportChange.before))
                .where(ImportChange.import_id.in_(select(ids.c.id)))
                .group_by(ImportChange.import_id)
            )
        }
        infos = []
        for record in records:
            total, before = totals.get(record.id, (0, 0))
            infos.append(
                ImportInfo(
                    record.id,
                    record.at,
                    record.file_name,
                    record.kind,
                    record.questionnaire_id,
                    tuple(filter(None, record.respondents.split(","))),
                    record.actor,
                    new=total - before,
                    changed=before,
                    undone_at=record.undone_at,
                )
            )
        return infos


def last_import(db: Database, questionnaire_id: str | None = None) -> ImportInfo | None:
    """The latest import not undone (of one questionnaire, if given)."""
    found = list_imports(db, questionnaire_id, undone=False, last=True)
    return found[0] if found else None


# Put back by an undo; every one but ``to_confirm`` (whether a carried answer awaits its
# confirmation, which an import may have given) gets an audit line when it changes.
_ANSWER_FIELDS = ("status", "comment", "to_confirm")
_UNAUDITED = frozenset({"to_confirm"})
_INDICATOR_FIELDS = ("target", "achieved")


@dataclass(frozen=True)
class _Undone:
    """One row an import changed: what it was before, what the import left, what it is now."""

    change_id: int
    target: str  # "answer" or "indicator"
    campaign_id: str
    respondent_id: int
    action_id: int
    indicator_id: int | None
    before: str | None  # the row's image before the import; None: the import created it
    after: str
    row_id: int | None  # None: the row is gone since
    version: int | None
    values: dict[str, str | bool | None]
    updated_at: datetime | None
    updated_by: str

    @property
    def moved(self) -> bool:
        """Whether the row changed (or went) since the import (on what the import recorded:
        imports older than ``to_confirm`` in the images did not record it)."""
        if self.row_id is None or self.updated_at is None:
            return True
        now = json.loads(_image_of(self.values, self.updated_at, self.updated_by))
        return any(now.get(name) != value for name, value in json.loads(self.after).items())


def _undone_rows(session: Session, import_id: int) -> list[_Undone]:
    """Every row the import changed, as it is now: one query per kind of row, not one per row."""
    found: list[_Undone] = []
    for target, model, fields, same_row in (
        ("answer", Answer, _ANSWER_FIELDS, Answer.action_id == ImportChange.action_id),
        (
            "indicator",
            IndicatorValue,
            _INDICATOR_FIELDS,
            IndicatorValue.indicator_id == ImportChange.indicator_id,
        ),
    ):
        query = (
            select(
                ImportChange.id,
                ImportChange.campaign_id,
                ImportChange.respondent_id,
                ImportChange.action_id,
                ImportChange.indicator_id,
                ImportChange.before,
                ImportChange.after,
                model.id,
                model.version_id,
                model.updated_at,
                model.updated_by,
                *(getattr(model, name) for name in fields),
            )
            .outerjoin(
                model,
                and_(
                    model.campaign_id == ImportChange.campaign_id,
                    model.respondent_id == ImportChange.respondent_id,
                    same_row,
                ),
            )
            .where(ImportChange.import_id == import_id, ImportChange.target == target)
        )
        for row in session.execute(query):
            change_id, campaign_id, respondent_id, action_id, indicator_id, before, after = row[:7]
            found.append(
                _Undone(
                    change_id=change_id,
                    target=target,
                    campaign_id=campaign_id,
                    respondent_id=respondent_id,
                    action_id=action_id,
                    indicator_id=indicator_id,
                    before=before,
                    after=after,
                    row_id=row[7],
                    version=row[8],
                    updated_at=row[9],
                    updated_by=row[10],
                    values=dict(
                        zip(fields, cast(tuple[str | bool | None, ...], row[11:]), strict=True)
                    ),
                )
            )
    # The audit lines of the undoing come in the reverse order of the import's changes.
    found.sort(key=lambda undone: undone.change_id, reverse=True)
    return found


def undo_import(db: Database, import_id: int, *, actor: str = "") -> str:
    """Put back exactly what was there before an import. Returns a French summary line.

    Refused when an answer it wrote was changed since (undo the later imports first). Done in
    bulk, in one transaction: a few statements whatever the number of answers, so that undoing
    costs about what importing cost.
    """
    with db.write() as session:
        record = session.get(ImportRecord, import_id)
        if record is None:
            raise UserError(f"L'import n°{import_id} n'existe pas.")
        if record.undone_at is not None:
            when = moment_text(record.undone_at)
            raise UserError(f"L'import de {record.file_name} a déjà été annulé le {when}.")
        rows = _undone_rows(session, import_id)
        moved = {undone.action_id for undone in rows if undone.moved}
        if moved:
            codes = sorted(
                set(session.scalars(select(ActionRow.code).where(ActionRow.id.in_(moved))))
            )
            raise UserError(
                f"L'import de {record.file_name} ne peut plus être annulé : des réponses qu'il a "
                f"apportées ont été modifiées depuis (actions {', '.join(codes[:5])}"
                f"{'…' if len(codes) > 5 else ''}). Annulez d'abord les imports plus "
                "récents, ou corrigez ces réponses à la main."
            )
        now = utcnow()
        _put_back(session, rows, import_id, actor, now)
        record.undone_at = now
        flush_audit(session)  # the undoing's own lines, before what they refer to may go
        created = json.loads(record.summary or "{}").get("created", {})
        campaign = session.get(Campaign, record.campaign_id or "")
        if created.get("return_address") and campaign is not None:
            campaign.return_address = ""
        _remove_unused(session, import_id, created)
        return (
            f"Import de {record.file_name} annulé : "
            f"{count(len(rows), 'réponse remise', 'réponses remises')} dans leur état précédent."
        )


def _put_back(
    session: Session, rows: list[_Undone], import_id: int, actor: str, now: datetime
) -> None:
    """Give each row its values from before the import (a row the import created goes), with
    an audit line per field that changes, as an edit would have: a few statements in all."""
    updates: dict[str, list[dict]] = {"answer": [], "indicator": []}
    deletions: dict[str, list[dict]] = {"answer": [], "indicator": []}
    for undone in rows:
        before = json.loads(undone.before) if undone.before else None
        if before is not None:
            before = {**undone.values, **before}  # an older image: what it lacks stays
        for name, old in undone.values.items():
            new = before[name] if before else None
            if name not in _UNAUDITED and (old or None) != (new or None):
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    source=SOURCE_UNDO,
                    campaign_id=undone.campaign_id,
                    respondent_id=undone.respondent_id,
                    action_id=undone.action_id,
                    indicator_id=undone.indicator_id,
                    field=name,
                    old_value=old or None,
                    new_value=new or None,
                    import_id=import_id,
                )
        key = {"row_id": undone.row_id, "row_version": undone.version}
        if before is None:
            deletions[undone.target].append(key)
        else:
            updates[undone.target].append(
                {
                    **key,
                    **{name: before[name] for name in undone.values},
                    "updated_at": datetime.fromisoformat(before["updated_at"]),
                    "updated_by": before["updated_by"],
                }
            )
    for target, model, fields in (
        ("answer", Answer, _ANSWER_FIELDS),
        ("indicator", IndicatorValue, _INDICATOR_FIELDS),
    ):
        table = cast(Table, model.__table__)
        # The version is checked and moved on, as for any change: a window that read the row
        # before the undoing cannot overwrite it unknowingly.
        same = and_(
            table.c.id == bindparam("row_id"), table.c.version_id == bindparam("row_version")
        )
        if updates[target]:
            values: dict[str, Any] = {
                name: bindparam(name) for name in (*fields, "updated_at", "updated_by")
            }
            statement = (
                update(table).where(same).values(**values, version_id=table.c.version_id + 1)
            )
            _execute_all(session, statement, updates[target])
        if deletions[target]:
            _execute_all(session, delete(table).where(same), deletions[target])


def _execute_all(session: Session, statement: Executable, parameters: list[dict]) -> None:
    """Run one statement for every set of parameters; each must touch exactly its row."""
    result = session.connection().execute(statement, parameters)
    if result.rowcount != len(parameters):
        raise UserError(
            "L'import n'a pas été annulé : des réponses qu'il a apportées ont été modifiées "
            "par ailleurs pendant l'annulation (une autre fenêtre ou un autre poste). "
            "Réessayez d'annuler l'import."
        )


def _remove_unused(session: Session, import_id: int, created: dict) -> None:
    """Remove what the undone import created, unless something else uses it since.

    Their audit lines (this import's and its undoing) go with them: they concern nothing left.
    """
    others = or_(AuditEvent.import_id.is_(None), AuditEvent.import_id != import_id)
    questionnaire_id = created.get("questionnaire")
    campaign_id = created.get("campaign")
    if campaign_id:
        used = session.scalar(
            select(
                exists().where(Answer.campaign_id == campaign_id)
                | exists().where(IndicatorValue.campaign_id == campaign_id)
                | exists().where(AuditEvent.campaign_id == campaign_id, others)
                | exists().where(
                    ImportRecord.campaign_id == campaign_id,
                    ImportRecord.id != import_id,
                    ImportRecord.undone_at.is_(None),
                )
            )
        )
        if not used:
            session.execute(delete(AuditEvent).where(AuditEvent.campaign_id == campaign_id))
            session.execute(
                delete(ExpectedRespondent).where(ExpectedRespondent.campaign_id == campaign_id)
            )
            session.execute(delete(Campaign).where(Campaign.id == campaign_id))
            if questionnaire_id and not session.scalar(
                select(exists().where(Campaign.questionnaire_id == questionnaire_id))
            ):
                questionnaire = session.get(Questionnaire, questionnaire_id)
                if questionnaire is not None:
                    session.delete(questionnaire)
    _remove_unused_respondents(session, created.get("respondents", []), others)
    session.flush()


def _remove_unused_respondents(session: Session, codes: list[str], others: ColumnElement) -> None:
    """Remove the respondents among ``codes`` that nothing uses any more, with their audit
    lines: one look at each table for all of them, not one per respondent."""
    if not codes:
        return
    created = set(session.scalars(select(Respondent.id).where(Respondent.code.in_(codes))))
    used: set[int] = set()
    for column, condition in (
        (Answer.respondent_id, None),
        (IndicatorValue.respondent_id, None),
        (AuditEvent.respondent_id, others),
        (ExpectedRespondent.respondent_id, None),
    ):
        query = select(column).where(column.in_(created)).distinct()
        used.update(session.scalars(query if condition is None else query.where(condition)))
    unused = created - used
    if unused:
        session.execute(delete(AuditEvent).where(AuditEvent.respondent_id.in_(unused)))
        session.execute(delete(Respondent).where(Respondent.id.in_(unused)))
