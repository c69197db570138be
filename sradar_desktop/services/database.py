"""Opening the database and running transactions. Every service goes through ``Database``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from sradar_desktop.db.engine import (
    IMMEDIATE,
    OPENING,
    READING,
    WRITING,
    Fault,
    database_faults,
    database_url,
    location,
    make_engine,
    sqlite_path,
)
from sradar_desktop.db.migrate import current_revision, upgrade_database
from sradar_desktop.db.schema import head_revision
from sradar_desktop.errors import DatabaseError
from sradar_desktop.services.audit import discard_audit, flush_audit

log = logging.getLogger(__name__)


class Database:
    """A migrated database and the transactions the services run on it."""

    def __init__(self, url: URL, engine: Engine, *, read_only: bool = False) -> None:
        self.url = url
        self.engine = engine
        self.read_only = read_only
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            engine.execution_options(**{IMMEDIATE: True}), expire_on_commit=False
        )

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
            raise Fault.MISSING_FOLDER.error(url, OPENING)

    @property
    def location(self) -> str:
        return location(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (one transaction: on SQLite, one consistent snapshot)."""
        with database_faults(self.url, READING), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose changes are committed together at the end, or not at all."""
        if self.read_only:
            raise DatabaseError(
                "La base de données est ouverte en lecture seule : la modification n'a pas été "
                "enregistrée."
            )
        try:
            with (
                database_faults(self.url, WRITING),
                self._write_sessions() as session,
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
        self.engine.dispose()
