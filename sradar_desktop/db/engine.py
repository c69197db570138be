"""Database engines: SQLite files by default, PostgreSQL for a shared server.

SQLite connections get foreign keys, WAL, a busy timeout and full durability; pysqlite's own
transaction handling is switched off so that SQLAlchemy's BEGIN covers everything, DDL included,
and a failed migration or import rolls back whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from sradar_desktop.errors import DatabaseError
from sradar_desktop.paths import default_database_path

BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 10
# PostgreSQL: writers take this transaction-level advisory lock, one at a time, as SQLite's
# BEGIN IMMEDIATE makes them do (the app's writes are small and few).
WRITE_LOCK_KEY = 0x5DADA
IMMEDIATE = "sradar_begin_immediate"


def database_url(value: str | Path | None = None) -> URL:
    """The SQLAlchemy URL for ``--db``: a path to an SQLite file, or any SQLAlchemy URL."""
    if value is None:
        return URL.create("sqlite", database=str(default_database_path()))
    text = str(value)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        url = make_url(text)
    except ArgumentError as error:
        raise DatabaseError(
            f"L'adresse de base de données « {text} » n'est pas valide. Donnez le chemin d'un "
            "fichier, ou une adresse comme postgresql://utilisateur@serveur/base."
        ) from error
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"SRADAR Desktop ne sait pas utiliser une base « {url.get_backend_name()} ». Donnez "
            "le chemin d'un fichier SQLite, ou une adresse postgresql://utilisateur@serveur/base."
        )
    return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind an SQLite URL, ``None`` for an in-memory database."""
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _postgresql_engine(url: URL) -> Engine:
    try:
        engine = create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
        )
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise DatabaseError(
            "Le pilote PostgreSQL n'est pas installé. Installez-le avec "
            '« python -m pip install "sradar-desktop[postgresql]" » puis réessayez.'
        ) from error

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if connection.get_execution_options().get(IMMEDIATE, False):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def make_engine(url: URL, *, foreign_keys: bool = True, read_only: bool = False) -> Engine:
    """An engine with SQLite made safe; on PostgreSQL, writers one at a time, and a pre-ping
    for a server that restarted."""
    if not is_sqlite(url):
        return _postgresql_engine(url)

    connect_args: dict[str, Any] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    if read_only:
        path = sqlite_path(url)
        assert path is not None
        # SQLAlchemy passes the file on as an SQLite URI when asked with uri=true.
        url = URL.create("sqlite", database=path.as_uri(), query={"mode": "ro", "uri": "true"})
    engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # No implicit transactions from pysqlite: BEGIN is emitted below, DDL included.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a confirmed save survives a power cut, not only a crash of the app.
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer takes the write lock at once, so that it waits (busy timeout) instead of
        # failing half-way when another window holds the lock.
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
