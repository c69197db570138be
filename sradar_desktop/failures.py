"""What an operation that failed tells its user: the one place that tells a user's error from a
bug.

An error the user can fix (``UserError``) already says, in French, what happened and what to
do: it is shown as it is. Anything else is a bug: its traceback goes to the log file, and the
user reads what could not be done, that it is not their fault, where the detail is, and what
to do now.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sradar_desktop.errors import UserError
from sradar_desktop.logs import log_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """A failed operation, as its user is told of it."""

    message: str
    error: BaseException

    @property
    def is_bug(self) -> bool:
        return not isinstance(self.error, UserError)


def unexpected(what_failed: str, what_to_do: str = "") -> str:
    """« L'export a échoué (erreur inattendue, un défaut de l'application et pas de votre
    fait ; le détail est dans le journal de l'application : …). Réessayez. »"""
    text = (
        f"{what_failed} (erreur inattendue, un défaut de l'application et pas de votre fait ; "
        f"le détail est dans le journal de l'application : {log_file()})."
    )
    return f"{text} {what_to_do}" if what_to_do else text


def describe_failure(error: BaseException, what_failed: str, what_to_do: str = "") -> Failure:
    """``error`` as its user is told of it, logged: a user's error as it says itself; a bug
    with its traceback, then told by ``unexpected(what_failed, what_to_do)``."""
    if isinstance(error, UserError):
        log.info("%s : %s", what_failed, error)
        return Failure(str(error), error)
    log.error("Erreur inattendue — %s", what_failed, exc_info=error)
    return Failure(unexpected(what_failed, what_to_do), error)
