"""Opening the database and running transactions. Every service goes through ``Database``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from sradar_desktop.db.engine import IMMEDIATE, database_url, make_engine, sqlite_path
from sradar_desktop.db.migrate import current_revision, head_revision, upgrade_database
from sradar_desktop.errors import DatabaseError
from sradar_desktop.services.audit import discard_audit, flush_audit

log = logging.getLogger(__name__)


def _write_error(error: Exception, location: str) -> DatabaseError:
    """A French message for a write that failed, saying what to do."""
    text = str(getattr(error, "orig", error)).lower()
    if "locked" in text or "busy" in text:
        message = (
            "La base de données est occupée par une autre fenêtre ou un autre programme : "
            "la modification n'a pas été enregistrée. Fermez l'autre fenêtre de SRADAR Desktop "
            "puis réessayez."
        )
    elif "readonly" in text or "read-only" in text or "read only" in text:
        message = (
            f"La base de données {location} est en lecture seule : la modification n'a pas été "
            "enregistrée. Vérifiez les droits du fichier et du dossier, puis réessayez."
        )
    elif "disk is full" in text or "disk full" in text or "no space" in text:
        message = (
            "Le disque est plein : la modification n'a pas été enregistrée. Libérez de la "
            "place puis réessayez."
        )
    elif "unable to open" in text or "no such table" in text or "disk i/o" in text:
        message = (
            f"La base de données {location} est introuvable ou inaccessible : la modification "
            "n'a pas été enregistrée. Vérifiez que le fichier n'a pas été déplacé ou supprimé."
        )
    elif isinstance(error, StaleDataError):
        message = (
            "Cette réponse vient d'être modifiée par ailleurs (une autre fenêtre ou un import) : "
            "la modification n'a pas été enregistrée. Rechargez puis réessayez."
        )
    else:
        message = (
            f"La modification n'a pas pu être enregistrée dans la base de données {location} "
            f"({error.__class__.__name__}). Réessayez ; si le problème persiste, consultez le "
            "journal de l'application."
        )
    return DatabaseError(message)


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
        install_builtins: bool = True,
    ) -> Database:
        """Open (creating or migrating it first) the database at ``target``.

        ``target`` is a path to an SQLite file, an SQLAlchemy URL, or ``None`` for the user's
        default database. A read-only database is never migrated.
        """
        url = target if isinstance(target, URL) else database_url(target)
        path = sqlite_path(url)
        if path is not None:
            if path.is_dir():
                raise DatabaseError(
                    f"{path} est un dossier. Donnez le chemin d'un fichier de base de données, "
                    "par exemple sradar.sqlite3."
                )
            if target is None and not read_only:
                # The user's own data folder is created on first start.
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:
                    raise DatabaseError(
                        f"Impossible de créer le dossier de données {path.parent} "
                        f"({error.strerror}). Vérifiez vos droits sur ce dossier."
                    ) from error
            elif not path.parent.is_dir():
                # A typo in a path must not silently start an empty database elsewhere.
                raise DatabaseError(
                    f"Le dossier {path.parent} n'existe pas. Vérifiez le chemin de la base de "
                    "données, ou créez d'abord ce dossier."
                )
        if read_only:
            revision = current_revision(url)
            if revision != head_revision():
                raise DatabaseError(
                    "Cette base de données doit être mise à jour avant d'être consultée en "
                    "lecture seule. Ouvrez-la d'abord normalement."
                )
        else:
            upgrade_database(url)
        database = cls(url, make_engine(url, read_only=read_only), read_only=read_only)
        if install_builtins and not read_only:
            from sradar_desktop.services.questionnaires import install_builtin_plans

            install_builtin_plans(database)
        return database

    @property
    def location(self) -> str:
        path = sqlite_path(self.url)
        return str(path) if path else self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (one transaction: on SQLite, one consistent snapshot)."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as error:
            raise DatabaseError(
                f"Impossible de lire la base de données {self.location} ({error.orig}). "
                "Vérifiez que le fichier est toujours là et lisible."
            ) from error

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose changes are committed together at the end, or not at all."""
        if self.read_only:
            raise DatabaseError(
                "La base de données est ouverte en lecture seule : la modification n'a pas été "
                "enregistrée."
            )
        try:
            with self._write_sessions() as session, session.begin():
                try:
                    yield session
                    flush_audit(session)
                finally:
                    discard_audit(session)
        except (OperationalError, StaleDataError) as error:
            log.warning("Écriture refusée dans %s : %s", self.location, error)
            raise _write_error(error, self.location) from error

    def close(self) -> None:
        self.engine.dispose()
