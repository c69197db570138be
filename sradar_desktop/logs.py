"""The log file in the user's data folder: what happened, and the traceback of any bug."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from sradar_desktop import __version__
from sradar_desktop.paths import log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s : %(message)s"
MAX_BYTES = 2_000_000
KEPT = 3  # older logs: sradar-desktop.log.1 (the latest) to .3


def log_file() -> Path:
    return log_dir() / "sradar-desktop.log"


class RotatingLog(logging.FileHandler):
    """The log file, moved aside once it has passed ``MAX_BYTES`` (to ``.1``, the older ones one
    place further, ``KEPT`` of them): when it is opened, and at the first record past the size.

    Two programs may write the same log (a window and a command, two windows): on Windows a
    file open in the other one cannot be moved. This one then writes on in the same file rather
    than losing its records, keeps the older logs as they are, and tries again once the file
    has grown by a tenth of the size. (The standard library's rotating handler also costs the
    start-up a tenth of its imports: sockets, pickling, queues.)"""

    def __init__(self, path: Path) -> None:
        _move_aside(path)
        super().__init__(path, encoding="utf-8")
        self.limit = MAX_BYTES

    def emit(self, record: logging.LogRecord) -> None:
        # Called with the handler's lock held (``Handler.handle``).
        stream = self.stream
        try:
            if stream is not None and (size := stream.tell()) >= self.limit:
                stream.close()
                self.stream = None  # reopened by FileHandler.emit
                moved = _move_aside(Path(self.baseFilename))
                self.limit = MAX_BYTES if moved else size + MAX_BYTES // 10
        except (OSError, ValueError):
            pass  # the log goes on where it is
        super().emit(record)


def _move_aside(path: Path) -> bool:
    """Move the log at ``path`` aside if it has passed ``MAX_BYTES``; whether it is now below
    (moved, or never past). The log itself is moved first: when another program holds it,
    nothing moves, and the older logs stay as they are."""
    try:
        if path.stat().st_size < MAX_BYTES:
            return True
        moving = path.with_name(f"{path.name}.0")
        os.replace(path, moving)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # held by another program: written on as it is
    try:
        for index in range(KEPT - 1, 0, -1):
            older = path.with_name(f"{path.name}.{index}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{index + 1}"))
        os.replace(moving, path.with_name(f"{path.name}.1"))
    except OSError:  # an older log held open: the log goes back, and is written on
        with contextlib.suppress(OSError):
            os.replace(moving, path)
        return False
    return True


def setup_logging(level: int = logging.INFO) -> None:
    """Log to a file moved aside past a size; without a writable data folder, logging stays
    silent."""
    root = logging.getLogger()
    if any(getattr(h, "_sradar", False) for h in root.handlers):
        return
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingLog(log_file())
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._sradar = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger(__name__).info("SRADAR Desktop %s", __version__)
