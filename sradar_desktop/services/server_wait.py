"""Waiting for a database server that went away for a moment.

A shared server restarts (an update, an administrator), cuts a connection, or has no
connection left for a while. A batch of work (importing many files) then waits for it instead
of failing every file in a few seconds: each piece of work runs all or nothing, so running it
again once the server is back is safe. The wait is bounded, said as it happens, and stops when
the user asks. Only a server that cannot serve *for now* is waited for: a real refusal (a wrong
password, a database that does not exist) fails at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sradar_desktop.domain.text import count
from sradar_desktop.errors import ServerUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a batch waits for its server, per outage: a restart takes seconds, a recovery
# after a crash may take a minute or so.
SERVER_WAIT_S = 120.0
# Between two tries: quick at first, then every few seconds.
_FIRST_PAUSE_S = 0.25
_LONGEST_PAUSE_S = 3.0
# How often a pause looks whether the user asked to stop.
_CANCEL_CHECK_S = 0.1


def duration_text(seconds: float) -> str:
    """« 45 secondes », « 2 minutes »."""
    if seconds < 59.5:
        return count(max(1, round(seconds)), "seconde")
    return count(round(seconds / 60), "minute")


@dataclass(frozen=True)
class Waiting:
    """The batch is waiting for its server: what to tell the user. ``tries`` counts the tries
    that failed so far (1 when the wait begins)."""

    location: str
    brief: str  # what the server does: « redémarre ou s'arrête »
    subject: str  # what waits: « l'import de « DDETS-44.xlsx » »
    waited: float
    limit: float
    tries: int

    def describe(self) -> str:
        since = f"depuis {duration_text(self.waited)}, " if self.waited >= 1 else ""
        return (
            f"Le serveur de la base de données {self.location} {self.brief} : "
            f"{self.subject} attend qu'il soit de nouveau disponible "
            f"({since}{duration_text(self.limit)} au plus)…"
        )


class ServerPatience:
    """Runs pieces of work, each all or nothing, waiting up to ``limit`` seconds for a server
    that cannot serve for now, then giving up on that piece. Shared by a whole batch: once it
    gave up, the next pieces are tried once each, without waiting again, until one succeeds
    (the server is back)."""

    def __init__(
        self,
        location: str,
        *,
        limit: float | None = None,
        on_wait: Callable[[Waiting], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.location = location
        self.limit = SERVER_WAIT_S if limit is None else limit
        self.on_wait = on_wait
        self.cancelled = cancelled
        self.gave_up = False
        self.waited = 0.0  # how long the last piece of work waited

    def run(self, work: Callable[[], T], subject: str) -> T:
        """``work()``, tried again while the server cannot serve for now; raises the last
        ``ServerUnavailableError`` when the wait is over or the user asked to stop."""
        started: float | None = None
        self.waited = 0.0
        pause = _FIRST_PAUSE_S
        tries = 0
        while True:
            try:
                result = work()
            except ServerUnavailableError as error:
                now = time.monotonic()
                started = now if started is None else started
                tries += 1
                waited = self.waited = now - started
                if self.gave_up or waited >= self.limit or self._stopping():
                    self.gave_up = self.gave_up or not self._stopping()
                    log.warning("Serveur attendu en vain pour %s : %s", subject, error)
                    raise
                log.info("Serveur indisponible (%s) : %s attend", error.brief, subject)
                if self.on_wait is not None:
                    self.on_wait(
                        Waiting(self.location, error.brief, subject, waited, self.limit, tries)
                    )
                if not self._pause(min(pause, self.limit - waited)):
                    raise
                pause = min(pause * 2, _LONGEST_PAUSE_S)
                continue
            if tries:
                log.info("Serveur de nouveau disponible : %s a repris", subject)
            self.gave_up = False
            return result

    def _stopping(self) -> bool:
        return self.cancelled is not None and self.cancelled()

    def _pause(self, seconds: float) -> bool:
        """Sleep ``seconds``; False when the user asked to stop meanwhile."""
        end = time.monotonic() + seconds
        while not self._stopping():
            left = end - time.monotonic()
            if left <= 0:
                return True
            time.sleep(min(left, _CANCEL_CHECK_S))
        return False
