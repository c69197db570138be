"""A non-blocking exclusive lock on an open file, the same on Windows and elsewhere: the
single-writer lock of a database and the work folders of a save both take it."""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def try_lock(fd: int) -> bool | None:
    """Lock the file open as ``fd``: True when locked, False when another process holds it,
    None when locking is unavailable on this file system."""
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as error:
        if sys.platform == "win32" and error.errno in (13, 36):  # EACCES, EDEADLOCK
            return False
        log.warning("Verrouillage impossible sur ce système de fichiers : %s", error)
        return None
    return True
