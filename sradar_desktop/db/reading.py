"""What the entry window reads — a plan, one respondent's answers, a questionnaire's
campaigns, the history of an answer — in plain SQL, one definition each, and the rows made
into plain data.

The same statements run through Python's ``sqlite3`` (the start-up on a local database, before
SQLAlchemy is imported: ``sqlite_rows``) and through a SQLAlchemy session (PostgreSQL, and the
services: ``session_rows``). Neither SQLAlchemy nor the ORM models are imported here.

Rows come in chunks, with a pause between them for the other threads: a window loading a large
plan on another thread is never starved (the ORM load of 5,000 actions held the interpreter for
170 ms at a time, see ``benchmarks/entry_window.py``). Values are taken as either driver gives
them: SQLite gives times and dates as text and booleans as integers, PostgreSQL as objects.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from sradar_desktop.db.schema import LOCK_WAIT_MS, REVISION
from sradar_desktop.domain.answers import AnswerState, HistoryEntry, IndicatorState
from sradar_desktop.domain.campaigns import CampaignSummary
from sradar_desktop.domain.plan import (
    Action,
    Indicator,
    IndicatorKind,
    Objective,
    Plan,
    Theme,
)
from sradar_desktop.domain.scale import Scale, scale_level
from sradar_desktop.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Rows are read in chunks: SQLAlchemy's compiled row processing keeps the interpreter lock for
# a whole batch, and a batch of thousands of rows would freeze a window for a tenth of a second.
CHUNK = 400

Chunks = Iterable[Sequence[Sequence[Any]]]
# Runs one statement with its named parameters (``:name``) and gives its rows in chunks.
Rows = Callable[[str, Mapping[str, object]], Chunks]


def local_connection(path: Path) -> sqlite3.Connection:
    """A read-only connection to the SQLite file at ``path`` that waits for a writer's lock as
    the engine's connections do, and reads one snapshot until it is closed (``BEGIN`` given
    here: pysqlite's own transaction handling is off)."""
    connection = sqlite3.connect(
        f"{path.as_uri()}?mode=ro", uri=True, timeout=LOCK_WAIT_MS / 1000, isolation_level=None
    )
    connection.execute("BEGIN")
    return connection


def local_writable(path: Path) -> bool:
    """Whether the SQLite file at ``path`` takes a write now: a write transaction begun and
    given up at once (the file, its folder's journal files and the file's lock all allow it).
    Access rights alone do not tell, on a network share nor on Windows."""
    try:
        with closing(
            sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=0, isolation_level=None)
        ) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        return True
    except sqlite3.Error:
        return False


def local_revision(connection: sqlite3.Connection) -> str | None:
    """The schema revision of a local database (None for one that has none)."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "alembic_version" not in tables:
        return None
    row = connection.execute(REVISION).fetchone()
    return row[0] if row else None


def sqlite_rows(connection: sqlite3.Connection) -> Rows:
    def run(sql: str, params: Mapping[str, object]) -> Iterator[Sequence[Sequence[Any]]]:
        cursor = connection.execute(sql, dict(params))
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk
            time.sleep(0)

    return run


def session_rows(session: Session) -> Rows:
    from sqlalchemy import text

    def run(sql: str, params: Mapping[str, object]) -> Iterator[Sequence[Sequence[Any]]]:
        statement = text(sql).execution_options(stream_results=True, yield_per=CHUNK)
        for chunk in session.execute(statement, dict(params)).partitions(CHUNK):
            yield chunk
            time.sleep(0)

    return run


def _all(rows: Rows, sql: str, **params: object) -> list[Sequence[Any]]:
    return [row for chunk in rows(sql, params) for row in chunk]


def _first(rows: Rows, sql: str, **params: object) -> Sequence[Any] | None:
    found = _all(rows, sql, **params)
    return found[0] if found else None


@overload
def _utc(value: datetime | str) -> datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: datetime | str | None) -> datetime | None:
    """A moment as the ORM gives it (``db.types.UTCDateTime``): aware, in UTC."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


# ==== questionnaires and plans ====================================================================

QUESTIONNAIRE_IDS = "SELECT id FROM questionnaire"

PLAN_HEAD = (
    "SELECT title, short_title, period, region, description, source FROM questionnaire "
    "WHERE id = :questionnaire_id"
)
PLAN_SCALE = (
    "SELECT code, label, color, description FROM scale_level "
    "WHERE questionnaire_id = :questionnaire_id ORDER BY position"
)
PLAN_OBJECTIVES = (
    "SELECT id, code, title FROM objective WHERE questionnaire_id = :questionnaire_id "
    "ORDER BY position"
)
PLAN_THEMES = (
    "SELECT t.id, t.objective_id, t.code, t.title FROM theme t "
    "JOIN objective o ON o.id = t.objective_id WHERE o.questionnaire_id = :questionnaire_id "
    "ORDER BY t.objective_id, t.position"
)
PLAN_ACTIONS = (
    "SELECT id, theme_id, code, text FROM action WHERE questionnaire_id = :questionnaire_id "
    "ORDER BY position"
)
PLAN_PILOTS = (
    "SELECT p.action_id, p.pilot FROM action_pilot p JOIN action a ON a.id = p.action_id "
    "WHERE a.questionnaire_id = :questionnaire_id ORDER BY p.action_id, p.position"
)
PLAN_INDICATORS = (
    "SELECT i.action_id, i.label, i.unit, i.kind FROM indicator i "
    "JOIN action a ON a.id = i.action_id WHERE a.questionnaire_id = :questionnaire_id "
    "ORDER BY i.action_id, i.position"
)


def missing_questionnaire(questionnaire_id: str) -> UserError:
    return UserError(
        f"Le questionnaire « {questionnaire_id} » n'existe pas dans cette base. "
        "La commande « sradar-desktop questionnaires » donne la liste des identifiants."
    )


def questionnaire_ids(rows: Rows) -> set[str]:
    return {row[0] for row in _all(rows, QUESTIONNAIRE_IDS)}


def read_plan(rows: Rows, questionnaire_id: str) -> Plan:
    """The whole plan of a questionnaire, as plain data; ``UserError`` when there is none."""
    head = _first(rows, PLAN_HEAD, questionnaire_id=questionnaire_id)
    if head is None:
        raise missing_questionnaire(questionnaire_id)
    levels = _all(rows, PLAN_SCALE, questionnaire_id=questionnaire_id)
    objectives = _all(rows, PLAN_OBJECTIVES, questionnaire_id=questionnaire_id)
    themes = _all(rows, PLAN_THEMES, questionnaire_id=questionnaire_id)
    actions = _all(rows, PLAN_ACTIONS, questionnaire_id=questionnaire_id)
    pilots: dict[int, list[str]] = {}
    for chunk in rows(PLAN_PILOTS, {"questionnaire_id": questionnaire_id}):
        for action_id, pilot in chunk:
            pilots.setdefault(action_id, []).append(pilot)
    indicators: dict[int, list[Indicator]] = {}
    for chunk in rows(PLAN_INDICATORS, {"questionnaire_id": questionnaire_id}):
        for action_id, label, unit, kind in chunk:
            indicators.setdefault(action_id, []).append(Indicator(label, unit, IndicatorKind(kind)))
    by_theme: dict[int, list[Action]] = {}
    for action_id, theme_id, code, text in actions:
        by_theme.setdefault(theme_id, []).append(
            Action(
                code,
                text,
                tuple(pilots.get(action_id, ())),
                tuple(indicators.get(action_id, ())),
            )
        )
    themes_of: dict[int, list[Theme]] = {}
    for theme_id, objective_id, code, title in themes:
        themes_of.setdefault(objective_id, []).append(
            Theme(code, title, tuple(by_theme.get(theme_id, ())))
        )
    title, short_title, period, region, description, source = head
    return Plan(
        id=questionnaire_id,
        title=title,
        short_title=short_title,
        period=period,
        region=region,
        description=description,
        source=source,
        objectives=tuple(
            Objective(code, title_, tuple(themes_of.get(objective_id, ())))
            for objective_id, code, title_ in objectives
        ),
        scale=Scale(tuple(scale_level(*level) for level in levels)),
    )


# ==== campaigns ===================================================================================

CAMPAIGN_EXISTS = "SELECT 1 FROM campaign WHERE id = :campaign_id"
# The most recent campaign of a questionnaire; the id breaks ties (two campaigns created in the
# same instant), as in ``read_campaigns``.
CURRENT_CAMPAIGN = (
    "SELECT id FROM campaign WHERE questionnaire_id = :questionnaire_id "
    "ORDER BY created_at DESC, id DESC LIMIT 1"
)
# Counted for these campaigns only: the window asks at every load.
_CAMPAIGNS = (
    "SELECT c.id, c.questionnaire_id, c.title, c.period, c.due_date, c.created_at, "
    "c.previous_id, "
    "(SELECT count(*) FROM expected_respondent e WHERE e.campaign_id = c.id), "
    "(SELECT count(DISTINCT a.respondent_id) FROM answer a WHERE a.campaign_id = c.id), "
    "(SELECT count(*) FROM answer a WHERE a.campaign_id = c.id AND a.to_confirm) "
    "FROM campaign c"
)
EVERY_CAMPAIGN = _CAMPAIGNS
CAMPAIGNS_OF = _CAMPAIGNS + " WHERE c.questionnaire_id = :questionnaire_id"


def current_campaign_id(rows: Rows, questionnaire_id: str) -> str | None:
    """The most recent campaign of a questionnaire (None when it has none)."""
    row = _first(rows, CURRENT_CAMPAIGN, questionnaire_id=questionnaire_id)
    return row[0] if row else None


def read_campaigns(rows: Rows, questionnaire_id: str | None = None) -> list[CampaignSummary]:
    """The campaigns (of one questionnaire, or all), oldest first within each questionnaire;
    ``UserError`` for a questionnaire that is not there."""
    if questionnaire_id:
        if _first(rows, PLAN_HEAD, questionnaire_id=questionnaire_id) is None:
            raise missing_questionnaire(questionnaire_id)
        found = _all(rows, CAMPAIGNS_OF, questionnaire_id=questionnaire_id)
    else:
        found = _all(rows, EVERY_CAMPAIGN)
    campaigns = [
        (cid, qid, title, period, _date(due), _utc(created), previous, roster, answered, pending)
        for cid, qid, title, period, due, created, previous, roster, answered, pending in found
    ]
    # Oldest first within each questionnaire; the last of each is its current campaign.
    campaigns.sort(key=lambda r: (r[1], r[5], r[0]))
    current = {qid: cid for cid, qid, *_ in campaigns}
    return [
        CampaignSummary(
            id=cid,
            questionnaire_id=qid,
            title=title,
            period=period,
            due_date=due,
            created_at=created,  # never null (column default)
            previous_id=previous,
            roster=roster,
            respondents=answered,
            to_confirm=pending,
            current=current[qid] == cid,
        )
        for cid, qid, title, period, due, created, previous, roster, answered, pending in campaigns
    ]


def missing_campaign(campaign_id: str) -> UserError:
    return UserError(f"La campagne « {campaign_id} » n'existe pas dans cette base.")


# ==== one respondent's answers ====================================================================

RESPONDENT_ID = "SELECT id FROM respondent WHERE code = :code"
ANSWERS = (
    "SELECT a.code, s.status, s.comment, s.updated_at, s.updated_by, s.version_id, "
    "s.to_confirm FROM answer s JOIN action a ON a.id = s.action_id "
    "WHERE s.campaign_id = :campaign_id AND s.respondent_id = :respondent_id"
)
INDICATOR_VALUES = (
    "SELECT a.code, i.position, v.target, v.achieved, v.version_id FROM indicator_value v "
    "JOIN indicator i ON i.id = v.indicator_id JOIN action a ON a.id = i.action_id "
    "WHERE v.campaign_id = :campaign_id AND v.respondent_id = :respondent_id"
)


def respondent_id(rows: Rows, code: str) -> int | None:
    """The id of the respondent whose (normalised) code is ``code``, if recorded."""
    row = _first(rows, RESPONDENT_ID, code=code)
    return row[0] if row else None


def read_answers(rows: Rows, campaign_id: str, code: str) -> dict[str, AnswerState]:
    """The answers of the respondent whose (normalised) code is ``code``, by action code
    (unanswered: absent); ``UserError`` for a campaign that is not there."""
    respondent = respondent_id(rows, code)
    if respondent is None:
        return {}
    if _first(rows, CAMPAIGN_EXISTS, campaign_id=campaign_id) is None:
        raise missing_campaign(campaign_id)
    answers = _all(rows, ANSWERS, campaign_id=campaign_id, respondent_id=respondent)
    indicators: dict[str, dict[int, IndicatorState]] = {}
    for chunk in rows(INDICATOR_VALUES, {"campaign_id": campaign_id, "respondent_id": respondent}):
        for action_code, position, target, achieved, version in chunk:
            indicators.setdefault(action_code, {})[position] = IndicatorState(
                target, achieved, version
            )
    states = {
        action_code: AnswerState(
            status,
            comment or "",
            _utc(at),
            by,
            indicators.pop(action_code, {}),
            version,
            bool(pending),
        )
        for action_code, status, comment, at, by, version, pending in answers
    }
    for action_code, by_position in indicators.items():
        states[action_code] = AnswerState(indicators=by_position)
    return states


# ==== the history of an answer ====================================================================

HISTORY = (
    "SELECT e.at, e.actor, e.source, e.field, i.label, e.old_value, e.new_value "
    "FROM audit_event e JOIN action a ON a.id = e.action_id "
    "LEFT OUTER JOIN indicator i ON i.id = e.indicator_id "
    # Codes are unique within a questionnaire, and a campaign has one.
    "WHERE e.campaign_id = :campaign_id AND e.respondent_id = :respondent_id "
    "AND a.code = :action_code ORDER BY e.id DESC"
)


def read_history(rows: Rows, campaign_id: str, code: str, action_code: str) -> list[HistoryEntry]:
    """Who changed what and when on one action of the respondent whose (normalised) code is
    ``code``, newest first."""
    respondent = respondent_id(rows, code)
    if respondent is None:
        return []
    return [
        HistoryEntry(_utc(at), actor, source, field, label, old, new)
        for at, actor, source, field, label, old, new in _all(
            rows,
            HISTORY,
            campaign_id=campaign_id,
            respondent_id=respondent,
            action_code=action_code,
        )
    ]
