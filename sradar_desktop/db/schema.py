"""The schema revisions this version of the app knows, read from the migrations' file names.

Neither SQLAlchemy nor Alembic is imported here: the start-up checks that a database is at the
head revision with one query (``REVISION``) before anything else is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The revision a database is at (Alembic's own table: one row, or none for an empty schema).
REVISION = "SELECT version_num FROM alembic_version"

# A revision's id is the start of its file name (0001_initial.py → 0001), in order: reading
# the folder is enough to know them, without importing Alembic at every start.
_REVISION_FILE = re.compile(r"(\d{4})_\w+\.py")


def known_revisions() -> set[str]:
    folder = MIGRATIONS_DIR / "versions"
    return {m.group(1) for p in folder.iterdir() if (m := _REVISION_FILE.fullmatch(p.name))}


def head_revision() -> str:
    return max(known_revisions())


# How long an SQLite connection waits for another one's lock (``PRAGMA busy_timeout``).
LOCK_WAIT_MS = 5000
