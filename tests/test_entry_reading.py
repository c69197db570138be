"""The entry window's first reading without SQLAlchemy (``services.entry_data.read_local_entry``,
through ``sqlite3``) gives exactly what the services' reading gives (``services.entry``, through
a SQLAlchemy session), and steps aside for the full opening whenever the file needs it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import asdict
from datetime import date

import pytest
from sqlalchemy import select

from sradar_desktop.db.models import Answer, IndicatorValue, Respondent
from sradar_desktop.db.schema import head_revision
from sradar_desktop.errors import DatabaseError
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.consolidation import set_roster
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry import open_remembered
from sradar_desktop.services.entry_data import EntryData, Identity, read_local_entry
from sradar_desktop.services.instance_lock import database_key
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.services.sending import member

HDF = "hdf-integration-2021"
SGAR = Identity.create("SGAR-PDL", "", "Claire Martin")


def _shown(data: EntryData) -> dict:
    """Everything the window shows of an entry: the plan, the campaign, each row's answer."""
    return {
        "plan": data.plan,
        "campaign": data.campaign_id,
        "read": data.read,
        "rows": [
            (
                row.code,
                row.action,
                row.mine,
                row.status,
                row.comment,
                row.to_confirm,
                row.answered,
                list(row.targets),
                list(row.achieved),
            )
            for row in data.sheet.rows
        ],
        "progress": data.sheet.progress(),
        "tree": data.sheet.tree_progress(),
    }


@pytest.fixture
def answered(sqlite_path):
    """A local database with a campaign answered, then the next one carrying its answers « à
    confirmer », one of them confirmed, one edited, an indicator value typed."""
    db = open_database(sqlite_path)
    first = default_campaign_id(HDF)
    set_roster(db, first, [member("SGAR-PDL"), member("DDETS-44")])
    before = AnswerService(db, first, "SGAR-PDL", "Claire Martin")
    for code, status in zip(
        sorted(before._actions), ["oui", "non", "nc", "oui", "non", "oui"], strict=False
    ):
        before.set_status(code, status)
    before.set_comment("2.6.1", "Neuf projets sur douze")
    before.set_indicator("2.6.1", 1, target="1174", achieved="1316")
    created = create_campaign(
        db, first, "Évaluation 2022", due_date=date(2027, 6, 30), period="2022", actor="SGAR"
    )
    service = AnswerService(db, created.id, "SGAR-PDL", "Claire Martin")
    service.load()
    codes = sorted(before._actions)
    service.confirm(codes[0])
    service.set_status(codes[1], "partiellement")
    service.set_comment(codes[1], "Reportée\nà l'an prochain")
    service.set_indicator("2.6.1", 0, target="12")
    yield db, HDF, first, created.id
    db.close()


@pytest.mark.parametrize("remembered", ["current", "first", "gone"])
def test_the_fast_reading_gives_what_the_services_read(answered, sqlite_path, remembered):
    db, questionnaire, first, current = answered
    wanted = {"current": None, "first": first, "gone": "plus-la"}[remembered]
    fast = read_local_entry(sqlite_path, questionnaire, SGAR, wanted)
    assert fast is not None
    data, campaigns = fast
    full, full_campaigns = open_remembered(db, questionnaire, SGAR, wanted)
    assert data.service is None and full.service is not None
    assert _shown(data) == _shown(full)
    assert [asdict(c) for c in campaigns] == [asdict(c) for c in full_campaigns]
    assert data.campaign_id == (first if remembered == "first" else current)
    # Read as the ORM reads them: aware moments, booleans, versions, indicator values.
    with db.read() as session:
        respondent = session.scalar(select(Respondent.id).where(Respondent.code == "SGAR-PDL"))
        rows = session.scalars(
            select(Answer).where(
                Answer.campaign_id == data.campaign_id, Answer.respondent_id == respondent
            )
        ).all()
        values = session.scalars(
            select(IndicatorValue).where(
                IndicatorValue.campaign_id == data.campaign_id,
                IndicatorValue.respondent_id == respondent,
            )
        ).all()
    read = {
        (s.status, s.comment, s.updated_at, s.version, s.to_confirm) for s in data.read.values()
    }
    assert read >= {
        (row.status, row.comment, row.updated_at, row.version_id, row.to_confirm) for row in rows
    }
    assert len(rows) == sum(1 for s in data.read.values() if s.version is not None)
    assert len(values) == sum(len(s.indicators) for s in data.read.values())
    to_confirm = sum(row.to_confirm for row in rows)
    assert sum(row.to_confirm for row in data.sheet.rows) == to_confirm
    counts = {c.id: (c.roster, c.respondents, c.to_confirm, c.current) for c in campaigns}
    assert counts[current][3] and not counts[first][3] and campaigns[-1].id == current
    assert campaigns[-1].due_date == date(2027, 6, 30) and counts[first][:2] == (2, 1)
    if remembered != "first":
        assert 0 < to_confirm < len(rows) and counts[current][2] == to_confirm
        assert any(s.indicators and s.version is not None for s in data.read.values())


def test_the_fast_reading_without_identity_shows_the_plan_alone(answered, sqlite_path):
    db, questionnaire, *_ = answered
    fast = read_local_entry(sqlite_path, questionnaire, None, None)
    assert fast is not None
    assert _shown(fast[0]) == _shown(open_remembered(db, questionnaire, None, None)[0])
    assert not fast[0].read


def test_the_fast_reading_steps_aside_when_the_file_needs_the_full_opening(
    answered, sqlite_path, tmp_path
):
    db, questionnaire, *_ = answered
    # Not there, empty, not a database, an unknown questionnaire: the full opening says why.
    assert read_local_entry(tmp_path / "absente.sqlite3", questionnaire, SGAR, None) is None
    (tmp_path / "vide.sqlite3").write_bytes(b"")
    assert read_local_entry(tmp_path / "vide.sqlite3", questionnaire, SGAR, None) is None
    (tmp_path / "texte.sqlite3").write_text("pas une base", encoding="utf-8")
    assert read_local_entry(tmp_path / "texte.sqlite3", questionnaire, SGAR, None) is None
    assert read_local_entry(sqlite_path, "inconnu", SGAR, None) is None
    db.close()
    # Another schema revision: to be migrated (or made by a newer version).
    with closing(sqlite3.connect(sqlite_path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '0008'")
    assert read_local_entry(sqlite_path, questionnaire, SGAR, None) is None
    with closing(sqlite3.connect(sqlite_path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (head_revision(),))
        connection.execute("DELETE FROM questionnaire WHERE id = 'sradar-2021-2023'")
    # A built-in plan missing: to be installed first.
    assert read_local_entry(sqlite_path, questionnaire, SGAR, None) is None


def test_the_fast_reading_imports_neither_sqlalchemy_nor_alembic_nor_qt(answered, sqlite_path):
    """What the window shows first is read, and the database it comes from is named (its place,
    its drafts' key), before the database layer is imported."""
    _db, questionnaire, *_ = answered
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sradar_desktop.services.entry_data import Identity, read_local_entry\n"
        f"found = read_local_entry(Path({str(sqlite_path)!r}), {questionnaire!r},\n"
        "    Identity.create('SGAR-PDL', '', 'Claire Martin'), None)\n"
        "assert found is not None and found[0].read\n"
        "from sradar_desktop.services.database import Database\n"
        f"db = Database.local(Path({str(sqlite_path)!r}))\n"
        f"assert db.location == {str(sqlite_path.resolve())!r} and not db.read_only\n"
        "assert len(db.key) == 20\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "    ('sqlalchemy', 'alembic', 'PySide6')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_local_database_opens_its_engine_on_first_use(answered, sqlite_path):
    """``Database.local`` names the file as the full opening does and files its drafts under
    the same key; its first transaction makes the engine, and the answers it saves are there."""
    db, _questionnaire, _first, created = answered
    local = Database.local(sqlite_path)
    assert local.location == db.location and local.key == db.key == database_key(db.url)
    assert local._engine is None
    service = AnswerService(local, created, "SGAR-PDL", "Claire Martin")
    service.load()
    service.set_comment("2.6.1", "Saisi par la base ouverte à la première utilisation")
    assert local._engine is not None and local.url == db.url
    with db.read() as session:
        comments = set(session.scalars(select(Answer.comment)))
        assert "Saisi par la base ouverte à la première utilisation" in comments
    local.close()
    reader = Database.local(sqlite_path, read_only=True)
    with pytest.raises(DatabaseError, match="lecture seule"), reader.write():
        pass
    with reader.read() as session:
        assert session.scalars(select(Respondent.code)).all()
    reader.close()
