"""Undoing an import: exact, audited, in bulk, all or nothing.

Workbooks are written to disk and imported into real databases (SQLite and PostgreSQL); the
undo puts back what was there, writes one audit line per field it changes, moves each row's
version on, costs a number of statements that does not grow with the import, and a process
killed (kill -9) in the middle of it leaves the database as it was before.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from exchange_support import ROAD_MAP, answer, state
from sqlalchemy import event, select
from support import snapshot

from sradar_desktop.db.models import AuditEvent, ImportChange, ImportRecord, Respondent
from sradar_desktop.errors import UserError
from sradar_desktop.services.imports import import_file, undo_import
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import write_exchange_workbook

HISTORY = {AuditEvent.__tablename__, ImportRecord.__tablename__, ImportChange.__tablename__}
STATUSES = ("oui", "partiellement", "non", "nc")
OLDER = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
NEWER = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def content(db) -> dict:
    """Everything but the history (which grows by design) and the rows' versions (which only
    ever go up)."""
    return {
        table: rows
        for table, rows in snapshot(db, skip_columns=frozenset({"version_id"})).items()
        if table not in HISTORY
    }


def consolidation(db, path: Path, codes: list[str], *, seed: int, at: datetime) -> Path:
    """A consolidation of the road map answered by ``codes``: every action, every indicator."""
    plan = load_plan(db, ROAD_MAP)
    actions = list(plan.actions())
    answers = tuple(
        fmt.AnswerLine(code, a.code, STATUSES[(i + seed) % 4], f"Commentaire {seed}-{i}", at, "A")
        for code in codes
        for i, a in enumerate(actions)
    )
    indicators = tuple(
        fmt.IndicatorLine(code, a.code, p, str(100 + seed), str(i + seed), at, "A")
        for code in codes
        for i, a in enumerate(actions)
        for p in range(len(a.indicators))
    )
    write_exchange_workbook(
        fmt.ExchangeWorkbook(
            plan=plan,
            campaign_id=default_campaign_id(ROAD_MAP),
            campaign_title="Évaluation",
            kind=fmt.KIND_CONSOLIDATION,
            exported_at=at,
            app_version="test",
            respondents=tuple(fmt.RespondentInfo(code, f"Service {code}") for code in codes),
            answers=answers,
            indicators=indicators,
        ),
        path,
    )
    return path


@pytest.fixture
def files(tmp_path, db) -> dict[str, Path]:
    """A: two services, older; B: the same two changed later, and two new services."""
    return {
        "A": consolidation(db, tmp_path / "A.xlsx", ["DDETS-01", "DDETS-02"], seed=0, at=OLDER),
        "B": consolidation(
            db, tmp_path / "B.xlsx", [f"DDETS-0{n}" for n in range(1, 5)], seed=1, at=NEWER
        ),
    }


def _audit(db, **where) -> list[tuple]:
    with db.read() as session:
        query = select(
            Respondent.code,
            AuditEvent.action_id,
            AuditEvent.indicator_id,
            AuditEvent.field,
            AuditEvent.old_value,
            AuditEvent.new_value,
            AuditEvent.actor,
            AuditEvent.at,
        ).join(Respondent, Respondent.id == AuditEvent.respondent_id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return [tuple(row) for row in session.execute(query.order_by(AuditEvent.id))]


def _versions(db) -> dict[tuple, int]:
    rows = snapshot(db)
    return {
        (table, row[0]): row[-1] for table in ("answer", "indicator_value") for row in rows[table]
    }


def test_undo_puts_back_every_row_with_its_audit_lines(db, files):
    import_file(db, files["A"])
    answer(db, "DDETS-05", {"1.1.1": ("oui", "saisi à la main")}, questionnaire=ROAD_MAP)
    before, untouched = content(db), _versions(db)
    outcome = import_file(db, files["B"])
    assert outcome.applied > 0 and content(db) != before
    versions = _versions(db)
    imported = _audit(db, import_id=outcome.import_id, source="import")

    message = undo_import(db, outcome.import_id, actor="Secrétariat")

    assert message.startswith("Import de B.xlsx annulé : ")
    assert f"{outcome.applied} réponses remises" in message
    assert content(db) == before
    # Each row put back has a newer version (a window that read it before the undoing cannot
    # overwrite it); the others have theirs.
    after = _versions(db)
    changed = {key for key in untouched if versions[key] != untouched[key]}
    assert changed and all(after[key] > versions[key] for key in changed)
    assert all(after[key] == untouched[key] for key in untouched.keys() - changed)
    # One audit line per field put back, the import's line reversed; the services the import
    # brought are gone with all their lines.
    undone = _audit(db, import_id=outcome.import_id, source="annulation")
    with db.read() as session:
        undone_at = session.get(ImportRecord, outcome.import_id).undone_at
    assert {line[6:] for line in undone} == {("Secrétariat", undone_at)}
    kept = [line for line in imported if line[0] in ("DDETS-01", "DDETS-02")]
    assert Counter((*line[:4], line[5], line[4]) for line in kept) == Counter(
        line[:6] for line in undone
    )
    assert {line[0] for line in _audit(db)} == {"DDETS-01", "DDETS-02", "DDETS-05"}
    # The undone file imports again, applying as much as the first time.
    assert import_file(db, files["B"]).applied == outcome.applied
    with pytest.raises(UserError, match="déjà été annulé"):
        undo_import(db, outcome.import_id)


@pytest.mark.parametrize("order", ["AB", "BA"])
def test_undoing_the_last_import_is_not_having_made_it(db, files, tmp_path, order):
    """Whatever the order of the imports, undoing the last one gives what the first one alone
    gives; importing it again gives what both gave; undoing both leaves nothing."""
    first, last = (files[name] for name in order)
    alone = open_database(tmp_path / "seule.sqlite3")
    import_file(alone, first)
    expected = state(alone)
    alone.close()

    earlier = import_file(db, first)
    latest = import_file(db, last)
    both = state(db)
    undo_import(db, latest.import_id)
    assert state(db) == expected
    again = import_file(db, last)
    assert state(db) == both
    undo_import(db, again.import_id)
    undo_import(db, earlier.import_id)
    emptied = state(db)
    assert emptied["answers"] == {} and emptied["values"] == {}


def test_undo_refused_when_an_answer_moved_since_changes_nothing(db, files):
    outcome = import_file(db, files["B"])
    answer(db, "DDETS-03", {"1.1.2": ("non", "corrigé depuis")}, questionnaire=ROAD_MAP)
    before = snapshot(db)
    with pytest.raises(UserError, match=r"ne peut plus être annulé.*actions 1\.1\.2\)"):
        undo_import(db, outcome.import_id)
    assert snapshot(db) == before


def _statements_to_undo(db, path: Path) -> int:
    outcome = import_file(db, path)
    executed = []

    def count(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        undo_import(db, outcome.import_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(executed)


def test_undo_costs_the_same_statements_for_ten_times_the_answers(db, tmp_path):
    """In bulk: the statements an undo runs do not depend on how many answers it puts back
    (row by row, ten times the services would be ten times the statements)."""
    few = consolidation(db, tmp_path / "few.xlsx", ["DDETS-11", "DDETS-12"], seed=0, at=OLDER)
    many = consolidation(
        db, tmp_path / "many.xlsx", [f"DDETS-{n}" for n in range(20, 40)], seed=0, at=OLDER
    )
    assert _statements_to_undo(db, few) == _statements_to_undo(db, many)


# -- kill -9 during an undo ------------------------------------------------------------------------

AFTER = "après"  # no statement starts with it: the child stops once the undo has returned
CHILD = textwrap.dedent(
    """
    import sys
    from sqlalchemy import event
    from sradar_desktop.services.opening import open_database
    from sradar_desktop.services.imports import undo_import

    path, import_id, stop_at = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = open_database(path)
    undoing = False

    def stop() -> None:
        print("en cours", flush=True)
        sys.stdin.readline()  # never answered: the parent kills this process here

    @event.listens_for(db.engine, "after_cursor_execute")
    def executed(conn, cursor, statement, parameters, context, executemany):
        if undoing and statement.startswith(stop_at):
            stop()

    @event.listens_for(db.engine, "commit")
    def committing(conn):
        if undoing and stop_at == "COMMIT":
            stop()

    undoing = True
    undo_import(db, import_id, actor="Secrétariat")
    undoing = False
    print("fin", flush=True)
    sys.stdin.readline()
    """
)


def _lines(child: subprocess.Popen) -> queue.Queue[str]:
    """The child's output lines, read by a thread: a stuck child fails the test, not CI."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            found.put(line.strip())
        found.put("")

    threading.Thread(target=read, daemon=True).start()
    return found


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX test")
@pytest.mark.parametrize(
    "stop_at",
    [
        "UPDATE answer",  # the first rows put back
        "DELETE FROM respondent",  # one of the last statements
        "COMMIT",  # everything done but the commit
        AFTER,  # the undo committed
    ],
)
def test_kill_during_an_undo_leaves_it_all_done_or_not_at_all(tmp_path, data_dir, stop_at):
    path = tmp_path / "base.sqlite3"
    db = open_database(path)
    import_file(
        db, consolidation(db, tmp_path / "A.xlsx", ["DDETS-01", "DDETS-02"], seed=0, at=OLDER)
    )
    codes = ["DDETS-01", "DDETS-02", *(f"DDETS-{n}" for n in range(10, 40))]
    before_import = content(db)
    outcome = import_file(db, consolidation(db, tmp_path / "B.xlsx", codes, seed=1, at=NEWER))
    imported = snapshot(db)
    db.close()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(outcome.import_id), stop_at],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=dict(os.environ, SRADAR_DATA_DIR=str(data_dir)),
    )
    lines = _lines(child)
    try:
        assert lines.get(timeout=120) == ("fin" if stop_at == AFTER else "en cours")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    db = open_database(path)
    try:
        if stop_at == AFTER:
            assert content(db) == before_import  # entirely after
            with pytest.raises(UserError, match="déjà été annulé"):
                undo_import(db, outcome.import_id)
        else:
            assert snapshot(db) == imported  # entirely before, history included
            undo_import(db, outcome.import_id)  # and it runs again to the end
            assert content(db) == before_import
    finally:
        db.close()


def test_undo_puts_back_the_answers_to_confirm_an_import_confirmed(db, files, tmp_path):
    from sradar_desktop.services.answers import read_answers
    from sradar_desktop.services.campaigns import create_campaign

    import_file(db, files["A"])
    created = create_campaign(db, default_campaign_id(ROAD_MAP), "Évaluation 2022")
    carried = read_answers(db, created.id, "DDETS-01")
    codes = sorted(carried)[:4]
    assert all(carried[code].to_confirm for code in codes)
    before = content(db)
    later = datetime.now(UTC)  # after the carrying
    # The service sends back its workbook: three answers confirmed as they were (nothing to
    # write but the confirmation), the fourth changed.
    answers = [
        fmt.AnswerLine("DDETS-01", code, carried[code].status, carried[code].comment, later, "B")
        for code in codes[:3]
    ]
    answers.append(fmt.AnswerLine("DDETS-01", codes[3], "nc", "revu", later, "B"))
    path = tmp_path / "confirme.xlsx"
    write_exchange_workbook(
        fmt.ExchangeWorkbook(
            plan=load_plan(db, ROAD_MAP),
            campaign_id=created.id,
            campaign_title=created.title,
            kind=fmt.KIND_CONSOLIDATION,
            exported_at=later,
            app_version="test",
            respondents=(fmt.RespondentInfo("DDETS-01", "Service DDETS-01"),),
            answers=tuple(answers),
            previous_campaign_id=created.previous_id or "",
        ),
        path,
    )
    outcome = import_file(db, path)
    after = read_answers(db, created.id, "DDETS-01")
    assert [after[code].to_confirm for code in codes] == [False] * 4
    assert after[codes[3]].status == "nc"

    message = undo_import(db, outcome.import_id)

    assert "4 réponses remises" in message
    assert content(db) == before
    undone = read_answers(db, created.id, "DDETS-01")
    assert [undone[code].to_confirm for code in codes] == [True] * 4
    # The undoing's history lines: the fields the import changed, back (nothing for the
    # confirmations, whose values did not change).
    imported = _audit(db, import_id=outcome.import_id, source="import")
    undone_lines = _audit(db, import_id=outcome.import_id, source="annulation")
    assert imported and {line[1] for line in imported} == {_action_row(db, codes[3])}
    assert sorted((*line[:4], line[5], line[4]) for line in imported) == sorted(
        line[:6] for line in undone_lines
    )


def _action_row(db, code: str) -> int:
    from sradar_desktop.db.models import ActionRow

    with db.read() as session:
        return session.scalar(
            select(ActionRow.id).where(
                ActionRow.questionnaire_id == ROAD_MAP, ActionRow.code == code
            )
        )
