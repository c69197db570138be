"""Where SRADAR Desktop keeps its files.

User data (the database, its backups, the log) lives in the user's data folder, never in the
install folder. ``SRADAR_DATA_DIR`` overrides it (tests, portable use). The folders are the
platform's usual per-user data locations (local, not roaming, on Windows), found without Qt so
that the command line and the core do not need it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "SRADAR_DATA_DIR"
_APP_DIR_NAME = "SRADAR Desktop"


def data_dir() -> Path:
    """The user's data folder for SRADAR Desktop (not created here)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        # Local, not roaming: an SQLite database must not be synchronised by a roaming profile.
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / _APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / _APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sradar-desktop"


def default_database_path() -> Path:
    return data_dir() / "sradar.sqlite3"


def local_database_path(target: str | Path | None) -> Path | None:
    """The SQLite file ``--db`` names (the user's own database when none), as an absolute
    path; None for a server's address (``postgresql://…``)."""
    if target is None:
        return default_database_path()
    text = str(target)
    return None if "://" in text else Path(text).expanduser().resolve()


def log_dir() -> Path:
    return data_dir() / "journal"


def resources_dir() -> Path:
    """The built-in plans, fonts, icons and guide.

    Installed from a wheel they sit inside the package; in a source checkout (or an editable
    install) they are the project's top-level ``resources/`` folder; in a bundled build they are
    next to the program.
    """
    package_dir = Path(__file__).resolve().parent
    candidates = [package_dir / "resources", package_dir.parent / "resources"]
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir:
        candidates.insert(0, Path(bundle_dir) / "resources")
    for candidate in candidates:
        if (candidate / "plans").is_dir():
            return candidate
    raise FileNotFoundError("resources/plans is missing next to the sradar_desktop package")
