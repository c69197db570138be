"""The database: migrations, refusal of newer databases, backups, answers and their audit trail."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL

from sradar_desktop.db.migrate import run_migrations
from sradar_desktop.db.models import Base
from sradar_desktop.db.schema import head_revision
from sradar_desktop.errors import DatabaseError, DatabaseTooNewError
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id

SRADAR = "sradar-2021-2023"


def test_models_match_the_migrations(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_connections_are_safe(tmp_path):
    db = open_database(tmp_path / "base.sqlite3")
    with db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA busy_timeout").scalar() == 5000
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
    db.close()


def test_a_failed_transaction_rolls_back_whole_ddl_included(tmp_path):
    db = open_database(tmp_path / "base.sqlite3")
    with pytest.raises(RuntimeError), db.write() as session:
        session.execute(text("CREATE TABLE scratch (x INTEGER)"))
        session.execute(text("UPDATE questionnaire SET title = 'changé'"))
        raise RuntimeError("interrompu")
    with db.engine.connect() as connection:
        tables = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'scratch'"
        ).all()
        titles = connection.exec_driver_sql("SELECT title FROM questionnaire").scalars().all()
    assert tables == [] and "changé" not in titles
    db.close()


def test_upgrade_from_the_first_migration_keeps_every_answer(db_url):
    """A database made by the first release, with answers, upgraded to head."""
    run_migrations(db_url, "0001")
    engine = create_engine(db_url)
    now = datetime(2025, 6, 1, 8, 30)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO questionnaire (id, title, short_title, period, region, description,"
                " source, origin, version_digest, created_at) VALUES ('q', 'Plan', '', '2025',"
                " '', '', '', 'import', 'x', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO objective (questionnaire_id, position, code, title)"
                " VALUES ('q', 0, '1', 'Objectif')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO theme (objective_id, position, code, title)"
                " SELECT id, 0, '1.1', 'Thématique' FROM objective WHERE questionnaire_id = 'q'"
            )
        )
        for n in range(1, 4):
            connection.execute(
                text(
                    "INSERT INTO action (questionnaire_id, theme_id, position, code, text)"
                    " SELECT 'q', id, :n, :code, 'Action' FROM theme WHERE code = '1.1'"
                ),
                {"n": n, "code": f"1.1.{n}"},
            )
        connection.execute(
            text(
                "INSERT INTO campaign (id, questionnaire_id, title, created_at)"
                " VALUES ('q:evaluation', 'q', 'Évaluation', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO respondent (code, label, department, created_at)"
                " VALUES ('DDETS-44', 'DDETS de Loire-Atlantique', '44', :now)"
            ),
            {"now": now},
        )
        for n, status in ((1, "oui"), (2, "non"), (3, None)):
            connection.execute(
                text(
                    "INSERT INTO answer (campaign_id, respondent_id, action_id, status, comment,"
                    " updated_at, updated_by) SELECT 'q:evaluation', r.id, a.id, :status,"
                    " :comment, :now, 'Agent' FROM respondent r, action a"
                    " WHERE r.code = 'DDETS-44' AND a.code = :code"
                ),
                {
                    "code": f"1.1.{n}",
                    "status": status,
                    "comment": f"Commentaire {n} = œ « »",
                    "now": now,
                },
            )
        connection.execute(
            text(
                "INSERT INTO audit_event (at, actor, source, campaign_id, respondent_id,"
                " action_id, field, old_value, new_value) SELECT :now, 'Agent', 'saisie',"
                " 'q:evaluation', r.id, a.id, 'status', NULL, 'oui' FROM respondent r, action a"
                " WHERE a.code = '1.1.1'"
            ),
            {"now": now},
        )
    engine.dispose()

    db = open_database(db_url)
    service = AnswerService(db, "q:evaluation", "DDETS-44", "Agent")
    answers = service.load()
    assert {code: (a.status, a.comment) for code, a in answers.items()} == {
        "1.1.1": ("oui", "Commentaire 1 = œ « »"),
        "1.1.2": ("non", "Commentaire 2 = œ « »"),
        "1.1.3": (None, "Commentaire 3 = œ « »"),
    }
    assert answers["1.1.1"].updated_at == datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    assert [e.new_value for e in service.history("1.1.1")] == ["oui"]
    # The upgraded schema is usable: a change is saved, versioned and audited.
    service.set_status("1.1.3", "partiellement")
    assert service.load()["1.1.3"].status == "partiellement"
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )
    db.close()


def test_upgrade_takes_a_backup_first_with_the_answers(tmp_path):
    path = tmp_path / "base.sqlite3"
    url = URL.create("sqlite", database=str(path))
    run_migrations(url, "0001")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO respondent (code, label, department, created_at)"
            " VALUES ('DDETS-85', 'DDETS de Vendée', '85', '2025-01-01 00:00:00')"
        )
    open_database(path).close()
    backups = list((tmp_path / "sauvegardes").glob("base-*-avant-mise-a-jour-0001.sqlite3"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT code FROM respondent").fetchall() == [("DDETS-85",)]


def test_a_newer_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "base.sqlite3"
    open_database(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_futur'")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError) as error:
        open_database(path)
    message = str(error.value)
    assert "version plus récente" in message and "n'a pas été modifiée" in message
    assert path.read_bytes() == before
    assert not (tmp_path / "sauvegardes").exists()


def test_a_newer_postgresql_database_is_refused(pg_url):
    open_database(pg_url).close()
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_futur'"))
    with pytest.raises(DatabaseTooNewError):
        open_database(pg_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_futur"
        )
    engine.dispose()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7 not a database", "n'est pas une base de données SRADAR Desktop"),
        (None, "n'a pas été créée par SRADAR Desktop"),
    ],
)
def test_other_files_are_refused_untouched(tmp_path, content, expected):
    path = tmp_path / "autre.sqlite3"
    if content is None:
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE clients (nom TEXT)")
        connection.close()
    else:
        path.write_bytes(content * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=expected):
        open_database(path)
    assert path.read_bytes() == before


def test_answers_are_saved_at_once_and_audited(db):
    campaign = default_campaign_id(SRADAR)
    service = AnswerService(db, campaign, "ddets-44", "Claire Martin")
    service.set_status("1.1.1", "oui")
    service.set_comment("1.1.1", "=SOMME(A1:A3) reste du texte")
    service.set_status("1.1.1", "partiellement")
    service.set_status("1.1.2", "nc")
    service.set_status("1.1.2", "nc")  # no change, no audit line
    other = AnswerService(db, campaign, "DDETS-44", "Claire Martin")
    answers = other.load()
    assert answers["1.1.1"].status == "partiellement"
    assert answers["1.1.1"].comment == "=SOMME(A1:A3) reste du texte"
    assert answers["1.1.1"].updated_by == "Claire Martin"
    assert answers["1.1.2"].status == "nc"
    history = other.history("1.1.1")
    assert [(h.field, h.old_value, h.new_value) for h in history] == [
        ("status", "oui", "partiellement"),
        ("comment", None, "=SOMME(A1:A3) reste du texte"),
        ("status", None, "oui"),
    ]
    assert {h.actor for h in history} == {"Claire Martin"}
    assert len(other.history("1.1.2")) == 1


def test_indicator_values_saved_exactly(db):
    campaign = default_campaign_id("hdf-integration-2021")
    service = AnswerService(db, campaign, "DDETS-59", "Agent du Nord")
    service.set_indicator("2.6.1", 1, target="1174", achieved="1316")
    service.set_indicator("2.6.1", 0, achieved="32")
    state = service.load()["2.6.1"]
    assert state.indicators[1].target == "1174" and state.indicators[1].achieved == "1316"
    assert state.indicators[0].achieved == "32" and state.indicators[0].target is None
    labels = [h.indicator for h in service.history("2.6.1")]
    assert labels == ["Nombre de projets financés", *["Nombre total de bénéficiaires"] * 2]


def _sqlite_service(tmp_path):
    db = open_database(tmp_path / "base.sqlite3")
    return db, AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "Agent")


def test_writing_to_a_read_only_database_says_so_in_french(tmp_path):
    db, service = _sqlite_service(tmp_path)
    service.set_status("1.1.1", "oui")

    # The file becomes read-only underneath the app (query_only works even for root, whom
    # file permissions do not stop).
    @event.listens_for(db.engine, "connect")
    def _read_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    db.engine.dispose()
    with pytest.raises(DatabaseError) as error:
        service.set_status("1.1.1", "non")
    assert "lecture seule" in str(error.value)
    assert "n'a pas été enregistrée" in str(error.value)
    assert service.load()["1.1.1"].status == "oui"
    db.close()


def test_a_full_disk_says_so_in_french(tmp_path):
    db, service = _sqlite_service(tmp_path)

    @event.listens_for(db.engine, "connect")
    def _no_more_pages(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.engine.dispose()
    with pytest.raises(DatabaseError, match="Le disque est plein"):
        service.set_comment("1.1.1", "x" * 30_000)
    db.close()


def test_a_database_locked_by_another_window_says_so_in_french(tmp_path, monkeypatch):
    db, service = _sqlite_service(tmp_path)
    other = sqlite3.connect(tmp_path / "base.sqlite3", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        # Wait a tenth of a second for the lock, not the five seconds a user would wait.
        monkeypatch.setattr("sradar_desktop.db.engine.BUSY_TIMEOUT_MS", 100)
        db.engine.dispose()
        with pytest.raises(DatabaseError, match="occupée par une autre fenêtre"):
            service.set_status("1.1.1", "oui")
    finally:
        other.execute("ROLLBACK")
        other.close()
    service.set_status("1.1.1", "oui")
    db.close()


def test_migrations_copy_tables_without_cascading_deletes(tmp_path, monkeypatch):
    """A batch migration copies a table that others reference (ON DELETE CASCADE): with
    foreign keys on, SQLite would delete the children with the old table."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from sradar_desktop.db.migrate import run_migrations

    path = tmp_path / "base.sqlite3"
    open_database(path).close()
    url = URL.create("sqlite", database=str(path))

    def count(table: str) -> int:
        with sqlite3.connect(path) as connection:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    pilots, indicators = count("action_pilot"), count("indicator")
    assert pilots > 300 and indicators == 2

    def recreate_action(connection) -> None:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("action", recreate="always") as batch:
            batch.alter_column("text", existing_type=sa.Text(), nullable=False)

    # Run the copy exactly where a migration would: inside run_migrations' transaction.
    def migrate_then_copy(config, revision):
        recreate_action(config.attributes["connection"])

    monkeypatch.setattr("alembic.command.upgrade", migrate_then_copy)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
    run_migrations(url, "0003")
    assert (count("action_pilot"), count("indicator")) == (pilots, indicators)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_revisions_read_from_the_files_are_alembics():
    """Start-up reads the revisions from the file names, without Alembic: the same list."""
    from alembic.script import ScriptDirectory

    from sradar_desktop.db.migrate import alembic_config
    from sradar_desktop.db.schema import known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert known_revisions() == {rev.revision for rev in script.walk_revisions()}
    assert head_revision() == script.get_current_head()
