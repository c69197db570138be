"""One window writes a database at a time.

A lock file per database in the user's data folder, held with the operating system's file
locking (``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows). The system releases it
when the process ends, however it ends: a crash leaves no stale lock to block the user. Beside
it, a small JSON file says who holds it (agent, machine, since when), for the message the
second window shows.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import logging
import os
import socket
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sradar_desktop.domain.dates import local, moment_text, time_text
from sradar_desktop.locking import try_lock
from sradar_desktop.paths import data_dir

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

log = logging.getLogger(__name__)


def database_key(target: URL | Path) -> str:
    """A short name for a database, the same for every spelling of its location: the path
    of a local SQLite file (read without importing SQLAlchemy) or its URL."""
    if isinstance(target, Path):
        path: Path | None = target
    else:
        # A URL: SQLAlchemy is already loaded by whoever made it.
        from sradar_desktop.db.engine import sqlite_path

        path = sqlite_path(target)
    if path is not None:
        location = os.path.normcase(str(path.expanduser().resolve()))
    else:
        assert not isinstance(target, Path)
        location = target.render_as_string(hide_password=True)
    # The user too: two accounts on one machine have two data folders and two local servers.
    owner = f"{getpass.getuser()}\n{location}"
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:20]


def locks_dir() -> Path:
    return data_dir() / "verrous"


@dataclass(frozen=True)
class LockOwner:
    pid: int
    host: str
    user: str
    agent: str
    since: str  # ISO 8601, local time

    def describe(self) -> str:
        """« Claire Martin, sur PC-DDETS-12, depuis le 12/06/2025 à 14:02 »"""
        who = self.agent or self.user or "un autre utilisateur"
        parts = [who]
        if self.host and self.host != socket.gethostname():
            parts.append(f"sur {self.host}")
        try:
            since = datetime.fromisoformat(self.since)
        except ValueError:
            since = None
        if since is not None:
            if local(since).date() == datetime.now().date():
                parts.append(f"depuis {time_text(since)}")
            else:
                parts.append(f"depuis le {moment_text(since)}")
        return ", ".join(parts)


class InstanceLock:
    """The single-writer lock of one database (see the module's docstring)."""

    def __init__(self, key: str, folder: Path | None = None) -> None:
        self.key = key
        folder = folder or locks_dir()
        self.path = folder / f"{key}.lock"
        self.info_path = folder / f"{key}.json"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, agent: str = "") -> bool:
        """Take the lock if nobody holds it. Never blocks; True when this process holds it.

        Where the file system cannot lock (rare network folders), the lock is taken as held:
        SQLite's own locking still protects the database, and the user is not blocked.
        """
        if self._fd is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            log.warning("Fichier de verrou inaccessible (%s) : %s", self.path, error)
            return True
        locked = try_lock(fd)
        if locked is False:
            os.close(fd)
            return False
        self._fd = fd
        self._write_owner(agent)
        log.info("Verrou pris sur la base (%s)", self.key)
        return True

    def set_agent(self, agent: str) -> None:
        """Say who is working in this window, once known."""
        if self._fd is not None:
            self._write_owner(agent)

    def _write_owner(self, agent: str) -> None:
        owner = LockOwner(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=getpass.getuser(),
            agent=agent,
            since=datetime.now().replace(microsecond=0).isoformat(),
        )
        temporary = self.info_path.with_suffix(".json.tmp")
        try:
            temporary.write_text(json.dumps(asdict(owner), ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.info_path)
        except OSError as error:
            log.warning("Impossible d'écrire %s : %s", self.info_path, error)

    def owner(self) -> LockOwner | None:
        """Who holds the lock, as they wrote it (None when unknown)."""
        try:
            data = json.loads(self.info_path.read_text(encoding="utf-8"))
            return LockOwner(
                pid=int(data.get("pid", 0)),
                host=str(data.get("host", "")),
                user=str(data.get("user", "")),
                agent=str(data.get("agent", "")),
                since=str(data.get("since", "")),
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            self.info_path.unlink(missing_ok=True)
        # Closing the descriptor releases the system lock; the file itself stays (removing it
        # while another process opens it would let two processes lock two different files).
        os.close(fd)
        log.info("Verrou rendu (%s)", self.key)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
