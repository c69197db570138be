"""Bring a database to the schema of this version of the app, safely.

Before anything is written: a database made by a newer version of the app, or a file that is not
an SRADAR Desktop database, is refused and left untouched. An existing SQLite database is backed
up with the SQLite backup API before it is migrated. Migrations run in one transaction with
foreign keys off (a batch table copy would otherwise cascade-delete the answers), and foreign
keys are checked before the commit.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from sradar_desktop import __version__
from sradar_desktop.db.engine import (
    BACKUPS_FOLDER,
    IMMEDIATE,
    OPENING,
    UPGRADING,
    busy_timeout_s,
    database_faults,
    is_sqlite,
    location,
    make_engine,
    sqlite_path,
)
from sradar_desktop.db.schema import MIGRATIONS_DIR, REVISION, head_revision, known_revisions
from sradar_desktop.errors import DatabaseError, DatabaseTooNewError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

BACKUPS_KEPT = 10


def alembic_config() -> Config:
    """Alembic's configuration (Alembic is imported only when a database is created or
    migrated, not at every start)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _too_new(location: str, revision: str) -> DatabaseTooNewError:
    return DatabaseTooNewError(
        f"La base de données {location} a été créée par une version plus récente de SRADAR "
        f"Desktop (schéma {revision}) que celle-ci ({__version__}). Elle n'a pas été modifiée. "
        "Installez la dernière version de l'application pour l'ouvrir."
    )


def _sqlite_revision(url: URL, path: Path) -> str | None:
    """The schema revision of an SQLite file, read without writing to it.

    ``None`` for an empty file. Raises ``DatabaseError`` for a file that is not an SQLite
    database, or an SQLite database that SRADAR Desktop did not create, and for a file that
    cannot be read (busy, read-only folder, no permission, damaged), each with its own message.
    """
    with database_faults(url, OPENING):
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=busy_timeout_s())
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if not tables:
                return None
            if "alembic_version" not in tables:
                raise DatabaseError(
                    f"Le fichier {path} est une base SQLite qui n'a pas été créée par SRADAR "
                    "Desktop. Choisissez une autre base de données ou un autre nom de fichier."
                )
            row = connection.execute(REVISION).fetchone()
            return row[0] if row else None
        finally:
            connection.close()


def backup_sqlite(path: Path, reason: str) -> Path:
    """Copy a live SQLite database with the backup API into ``sauvegardes/`` beside it."""
    folder = path.parent / BACKUPS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{stamp}-{reason}.sqlite3"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"{path.stem}-{stamp}-{reason}-{counter}.sqlite3"
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        # A self-contained file: no -wal/-shm beside it when someone opens it.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()
    _prune_backups(folder, path.stem)
    log.info("Sauvegarde de %s dans %s", path, target)
    return target


def _prune_backups(folder: Path, stem: str) -> None:
    """Keep the latest backups of this database (not those of another one in the folder)."""
    pattern = re.compile(re.escape(stem) + r"-\d{8}-\d{6}-.+\.sqlite3")
    backups = sorted(
        (p for p in folder.glob("*.sqlite3") if pattern.fullmatch(p.name)),
        key=lambda p: p.name,
    )
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


def current_revision(url: URL) -> str | None:
    """The schema revision of the database at ``url`` (``None`` when it is new)."""
    path = sqlite_path(url)
    if path is not None:
        with database_faults(url, OPENING, files=True):
            if not path.exists() or path.stat().st_size == 0:
                return None
        return _sqlite_revision(url, path)
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with database_faults(url, OPENING), engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            if revision is None and inspect(connection).get_table_names():
                raise DatabaseError(
                    f"La base {location(url)} contient déjà des "
                    "tables qui ne viennent pas de SRADAR Desktop. Utilisez une base vide."
                )
            return revision
    finally:
        engine.dispose()


def run_migrations(
    url: URL, revision: str, before: Callable[[str | None], None] | None = None
) -> None:
    """Apply the migrations up to ``revision`` in one transaction, foreign keys off.

    ``before(current_revision)`` runs first, inside the write lock, when there is work to do
    (the backup: nobody can write between it and the migration).
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url, foreign_keys=False)
    try:
        connection = engine.connect().execution_options(**{IMMEDIATE: True})
        with connection, connection.begin():
            current = MigrationContext.configure(connection).get_current_revision()
            if current == revision:
                return
            if before is not None:
                before(current)
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if is_sqlite(url):
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise DatabaseError(
                        "La mise à jour de la base de données a été annulée : elle aurait "
                        f"laissé des références incohérentes ({broken[:3]}). La base n'a pas "
                        "été modifiée."
                    )
    finally:
        engine.dispose()


def upgrade_database(url: URL) -> Path | None:
    """Migrate the database at ``url`` to the head revision. Returns the backup taken, if any."""
    revision = current_revision(url)
    shown = location(url)
    if revision is not None and revision not in known_revisions():
        raise _too_new(shown, revision)
    head = head_revision()
    if revision == head:
        return None

    path = sqlite_path(url)
    backups: list[Path] = []

    def back_up(current: str | None) -> None:
        if path is not None and current is not None:
            backups.append(backup_sqlite(path, f"avant-mise-a-jour-{current}"))

    try:
        # files: the backup is written beside the database.
        with database_faults(url, UPGRADING if revision else OPENING, files=True):
            run_migrations(url, head, back_up)
    except SQLAlchemyError as error:
        log.exception("Échec de la migration de %s", shown)
        raise DatabaseError(
            f"La mise à jour de la base de données {shown} a échoué ({error.__class__.__name__})"
            ". Elle a été annulée : la base est restée dans son état précédent"
            + (f" et une sauvegarde est dans {backups[0]}." if backups else ".")
        ) from error
    backup = backups[0] if backups else None
    log.info("Base %s mise à jour de %s à %s", shown, revision, head)
    return backup
