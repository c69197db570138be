"""Opening the database and running transactions. Every service goes through ``Database``.

SQLAlchemy is imported only when a transaction or the engine is first needed: a local
database given by its path (``Database.local``) says where it is, whether it is read-only and
under which key its drafts and lock are filed without loading it, so that the entry window
can show a plan read through ``sqlite3`` before SQLAlchemy is imported.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sradar_desktop.db import reading
from sradar_desktop.errors import DatabaseError
from sradar_desktop.services.instance_lock import database_key

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")


class Database:
    """A migrated database and the transactions the services run on it."""

    def __init__(
        self,
        url: URL | None,
        engine: Engine | None = None,
        *,
        read_only: bool = False,
        path: Path | None = None,
    ) -> None:
        """A database given by its ``url`` (and ``engine``, else made on first use), or by the
        ``path`` of a local SQLite file; ``open`` and ``local`` say which to use."""
        assert url is not None or path is not None
        self._path = path.expanduser().resolve() if path is not None else None
        self._url = url
        self._engine = engine
        self.read_only = read_only
        self._opening = threading.Lock()
        self._session_makers: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None

    @classmethod
    def local(cls, path: Path, *, read_only: bool = False) -> Database:
        """The SQLite file at ``path``, already at the head revision (the caller checked it,
        as ``services.entry_data.read_local_entry`` does): neither migrated nor opened here;
        its engine is made, and SQLAlchemy imported, on first use."""
        return cls(None, read_only=read_only, path=path)

    @property
    def url(self) -> URL:
        if self._url is None:
            from sradar_desktop.db.engine import database_url

            assert self._path is not None
            self._url = database_url(self._path)
        return self._url

    @property
    def engine(self) -> Engine:
        """The engine, made on first use (from any thread: the answers are saved from one)."""
        with self._opening:
            if self._engine is None:
                from sradar_desktop.db.engine import make_engine

                log.info("Moteur de base ouvert à la première utilisation (%s)", self.location)
                self._engine = make_engine(self.url, read_only=self.read_only)
            return self._engine

    @property
    def key(self) -> str:
        """A short name for this database: its drafts and its lock are filed under it."""
        return database_key(self._path if self._path is not None else self.url)

    def _sessions(self, *, writing: bool) -> Session:
        engine = self.engine
        with self._opening:
            if self._session_makers is None:
                from sqlalchemy.orm import sessionmaker

                from sradar_desktop.db.engine import IMMEDIATE

                self._session_makers = (
                    sessionmaker(engine, expire_on_commit=False),
                    sessionmaker(
                        engine.execution_options(**{IMMEDIATE: True}), expire_on_commit=False
                    ),
                )
            return self._session_makers[writing]()

    @classmethod
    def open(
        cls,
        target: str | Path | URL | None = None,
        *,
        read_only: bool = False,
    ) -> Database:
        """Open (creating or migrating it first) the database at ``target``.

        ``target`` is a path to an SQLite file, an SQLAlchemy URL, or ``None`` for the user's
        default database. A read-only database is never migrated. Nothing is added to it: the
        built-in plans come with ``services.opening.open_database``.
        """
        from sqlalchemy.engine import URL

        from sradar_desktop.db.engine import (
            OPENING,
            database_faults,
            database_url,
            make_engine,
            sqlite_path,
        )
        from sradar_desktop.db.migrate import current_revision, upgrade_database
        from sradar_desktop.db.schema import head_revision

        url = target if isinstance(target, URL) else database_url(target)
        path = sqlite_path(url)
        if path is not None:
            with database_faults(url, OPENING, files=True):
                cls._check_folder(url, path, create=target is None and not read_only)
        if read_only:
            revision = current_revision(url)
            if revision != head_revision():
                raise DatabaseError(
                    "Cette base de données doit être mise à jour avant d'être consultée en "
                    "lecture seule. Ouvrez-la d'abord normalement."
                )
        else:
            upgrade_database(url)
        return cls(url, make_engine(url, read_only=read_only), read_only=read_only)

    @staticmethod
    def _check_folder(url: URL, path: Path, *, create: bool) -> None:
        """Refuse a folder given as the database, or a database in a folder that is not there
        (a typo must not silently start an empty database elsewhere); ``create`` the user's
        own data folder on first start."""
        if path.is_dir():
            raise DatabaseError(
                f"{path} est un dossier. Donnez le chemin d'un fichier de base de données, "
                "par exemple sradar.sqlite3."
            )
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseError(
                    f"Impossible de créer le dossier de données {path.parent} "
                    f"({error.strerror}). Vérifiez vos droits sur ce dossier."
                ) from error
        elif not path.parent.is_dir():
            from sradar_desktop.db.engine import OPENING, Fault

            raise Fault.MISSING_FOLDER.error(url, OPENING)

    @property
    def location(self) -> str:
        """The database as the user knows it (the file's path, or the server's address)."""
        if self._path is not None:
            return str(self._path)
        from sradar_desktop.db.engine import location

        return location(self.url)

    def read_plain(self, read: Callable[[reading.Rows], T]) -> T:
        """``read``'s plain SQL (``db.reading``) in one snapshot: through ``sqlite3`` alone
        for a local database named by its path (nothing more to load), through a session
        otherwise, or when ``sqlite3`` fails (the session says what is wrong in French)."""
        if self._path is not None:
            try:
                with closing(reading.local_connection(self._path)) as connection:
                    return read(reading.sqlite_rows(connection))
            except sqlite3.Error as error:
                log.info("Lecture directe impossible (%s) : lecture par une session", error)
        with self.read() as session:
            return read(reading.session_rows(session))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (one transaction: on SQLite, one consistent snapshot)."""
        from sradar_desktop.db.engine import READING, database_faults

        with (
            database_faults(self.url, READING),
            self._sessions(writing=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose changes are committed together at the end, or not at all."""
        if self.read_only:
            raise DatabaseError(
                "La base de données est ouverte en lecture seule : la modification n'a pas été "
                "enregistrée."
            )
        from sqlalchemy.orm.exc import StaleDataError

        from sradar_desktop.db.engine import WRITING, database_faults
        from sradar_desktop.services.audit import discard_audit, flush_audit

        try:
            with (
                database_faults(self.url, WRITING),
                self._sessions(writing=True) as session,
                session.begin(),
            ):
                try:
                    yield session
                    flush_audit(session)
                finally:
                    discard_audit(session)
        except StaleDataError as error:
            log.warning("Écriture refusée dans %s : %s", self.location, error)
            raise DatabaseError(
                "Cette réponse vient d'être modifiée par ailleurs (une autre fenêtre ou un "
                "import) : la modification n'a pas été enregistrée. Rechargez puis réessayez."
            ) from error

    def close(self) -> None:
        with self._opening:
            engine = self._engine
        if engine is not None:
            engine.dispose()
