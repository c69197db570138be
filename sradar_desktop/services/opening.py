"""Opening a database ready for work: created or migrated (``Database.open``), then given the
built-in plans it does not have yet. The application, the command line and the tools open their
database here; ``Database`` itself knows nothing of plans."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import install_builtin_plans


def open_database(
    target: str | Path | URL | None = None,
    *,
    read_only: bool = False,
    install_builtins: bool = True,
) -> Database:
    """The database at ``target`` (see ``Database.open``) with the built-in plans installed,
    unless it is opened read-only (it cannot be written) or ``install_builtins`` is false."""
    database = Database.open(target, read_only=read_only)
    if install_builtins and not read_only:
        try:
            install_builtin_plans(database)
        except BaseException:
            database.close()
            raise
    return database
