"""Test set-up: Qt offscreen, a private data folder per test, SQLite and PostgreSQL databases.

PostgreSQL: ``SRADAR_TEST_POSTGRESQL_URL`` names a server to use (an administrator URL: each
test creates and drops its own database there); otherwise, when PostgreSQL's programs are
installed, the tests start a throwaway server of their own (``pg_servers``; as an unprivileged
user when they run as root). Without either the PostgreSQL variants are skipped, unless
``SRADAR_REQUIRE_POSTGRESQL=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pg_servers import PrivateServer, unavailable_reason
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The evaluation grid of the SRADAR 2021-2023 (71 actions), as published: the reference for
# importing an action plan from a table.
SEED_000 = PROJECT_DIR / "tests" / "data" / "evaluation-sradar-2021-2023.txt"

PG_URL_ENV = "SRADAR_TEST_POSTGRESQL_URL"
PG_REQUIRED_ENV = "SRADAR_REQUIRE_POSTGRESQL"


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


def require_private_postgresql() -> None:
    """Skip (or fail, when PostgreSQL is required) a test that needs a server of its own."""
    reason = unavailable_reason()
    if reason is not None:
        _no_postgresql(reason)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[URL]:
    """An administrator URL on a running PostgreSQL server."""
    configured = os.environ.get(PG_URL_ENV)
    if configured:
        yield make_url(configured).set(drivername="postgresql+psycopg")
        return
    reason = unavailable_reason()
    if reason is not None:
        _no_postgresql(f"{reason}, et {PG_URL_ENV} n'est pas défini")
    server = PrivateServer()
    try:
        server.start()
        yield server.url
    finally:
        server.remove()


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
