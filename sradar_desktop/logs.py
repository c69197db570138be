"""The log file in the user's data folder: what happened, and the traceback of any bug."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from sradar_desktop import __version__
from sradar_desktop.paths import log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s : %(message)s"


def log_file() -> Path:
    return log_dir() / "sradar-desktop.log"


def setup_logging(level: int = logging.INFO) -> None:
    """Log to a rotating file; without a writable data folder, logging stays silent."""
    root = logging.getLogger()
    if any(getattr(h, "_sradar", False) for h in root.handlers):
        return
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._sradar = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger(__name__).info("SRADAR Desktop %s", __version__)
