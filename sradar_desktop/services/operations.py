"""What an operation that failed tells its user: the one place that tells a user's error from a
bug.

An error the user can fix (``UserError``) already says, in French, what happened and what to
do: it is shown as it is. Anything else is a bug: its traceback goes to the log file, and the
user reads what could not be done, that it is not their fault, where the detail is, and what
to do now.
"""

from __future__ import annotations

import logging

from sradar_desktop.errors import UserError
from sradar_desktop.logs import log_file

log = logging.getLogger(__name__)


def unexpected(what_failed: str, what_to_do: str = "") -> str:
    """« L'export a échoué (erreur inattendue, un défaut de l'application et pas de votre
    fait ; le détail est dans le journal …). Réessayez. »"""
    text = (
        f"{what_failed} (erreur inattendue, un défaut de l'application et pas de votre fait ; "
        f"le détail est dans le journal de l'application : {log_file()})."
    )
    return f"{text} {what_to_do}" if what_to_do else text


def failure_message(
    error: BaseException, what_failed: str, what_to_do: str = "", *, log_as: str
) -> str:
    """The French message for ``error``: its own for a user's error; for a bug, the traceback
    logged (« Erreur inattendue <log_as> ») and ``unexpected(what_failed, what_to_do)``."""
    if isinstance(error, UserError):
        return str(error)
    log.error("Erreur inattendue %s", log_as, exc_info=error)
    return unexpected(what_failed, what_to_do)
