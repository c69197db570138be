"""Test set-up: Qt offscreen, a private data folder per test, SQLite and PostgreSQL databases.

PostgreSQL: ``SRADAR_TEST_POSTGRESQL_URL`` names a server to use (an administrator URL: each
test creates and drops its own database there); otherwise, when PostgreSQL's ``pg_ctl`` is
installed and we are not root, pytest-postgresql starts a throwaway server. Without either the
PostgreSQL variants are skipped, unless ``SRADAR_REQUIRE_POSTGRESQL=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytest_postgresql import factories
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The evaluation grid of the SRADAR 2021-2023 (71 actions), as published: the reference for
# importing an action plan from a table.
SEED_000 = PROJECT_DIR / "tests" / "data" / "evaluation-sradar-2021-2023.txt"

PG_URL_ENV = "SRADAR_TEST_POSTGRESQL_URL"
PG_REQUIRED_ENV = "SRADAR_REQUIRE_POSTGRESQL"


def _find_pg_ctl() -> str | None:
    found = shutil.which("pg_ctl")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return candidates[-1] if candidates else None


PG_CTL = _find_pg_ctl()
pg_server = factories.postgresql_proc(executable=PG_CTL or "pg_ctl", port=None)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test has its own user data folder: the real one is never touched."""
    folder = tmp_path / "donnees"
    monkeypatch.setenv("SRADAR_DATA_DIR", str(folder))
    return folder


def _no_postgresql(reason: str) -> None:
    if os.environ.get(PG_REQUIRED_ENV) == "1":
        pytest.fail(f"PostgreSQL est exigé ({PG_REQUIRED_ENV}=1) mais indisponible : {reason}")
    pytest.skip(f"PostgreSQL indisponible : {reason}")


@pytest.fixture(scope="session")
def pg_admin_url(request: pytest.FixtureRequest) -> URL:
    """An administrator URL on a running PostgreSQL server."""
    configured = os.environ.get(PG_URL_ENV)
    if configured:
        url = make_url(configured)
        return url.set(drivername="postgresql+psycopg")
    if PG_CTL is None:
        _no_postgresql(f"pg_ctl introuvable et {PG_URL_ENV} non défini")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        _no_postgresql(f"PostgreSQL refuse de démarrer sous root ; définissez {PG_URL_ENV}")
    proc = request.getfixturevalue("pg_server")
    return URL.create(
        "postgresql+psycopg",
        username=proc.user,
        password=proc.password or None,
        host=proc.host,
        port=proc.port,
        database="postgres",
    )


@pytest.fixture
def pg_url(pg_admin_url: URL) -> Iterator[URL]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"sradar_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """The database under test: an SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        return URL.create("sqlite", database=str(tmp_path / "sradar.sqlite3"))
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: URL):
    from sradar_desktop.services.opening import open_database

    database = open_database(db_url)
    yield database
    database.close()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "sradar.sqlite3"
