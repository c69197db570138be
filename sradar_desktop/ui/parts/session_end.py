"""The program ended from outside, in order: what was typed is saved, the lock is given back.

Two ways the system asks a window to end without anyone pressing « Quitter »:

- on Linux and macOS, a signal: SIGTERM (a logout, a shutdown, ``kill``, a service manager)
  or SIGHUP (the terminal that started the program closed). Python runs its signal handlers
  only between two of its own instructions, never while Qt's event loop waits: the handler
  writes to a socket that Qt watches (``signal.set_wakeup_fd``), and the ending runs from the
  event loop as any other event;
- on Windows (and with an X11 session manager), the session manager's « commit data »
  request, sent before a logoff or a shutdown (``WM_QUERYENDSESSION``): the work is saved
  there, without a question, because the session may end as soon as the request returns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtGui import QGuiApplication, QSessionManager

log = logging.getLogger(__name__)

# The exit status of a program ended by a signal, as the shell gives it: 128 + its number.
SIGNAL_STATUS_BASE = 128
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class SessionEnd(QObject):
    """Calls ``save`` once when the system ends the program, then (for a signal) quits the
    application with the signal's status. ``save`` must not ask anything: nobody is there to
    answer."""

    def __init__(self, app: QGuiApplication, save: Callable[[], None]) -> None:
        super().__init__(app)
        self._app = app
        self._save = save
        self._saved = False
        self._received: int | None = None
        self._sockets: tuple[socket.socket, socket.socket] | None = None
        # What was there before; None when the handler was not installed from Python.
        self._previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
        self._previous_fd = -1
        app.commitDataRequest.connect(self._commit_data)
        if os.name == "posix":
            self._watch_signals()

    # -- signals (Linux, macOS) ------------------------------------------------------------------

    def _watch_signals(self) -> None:
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        self._sockets = (reader, writer)
        self._previous_fd = signal.set_wakeup_fd(writer.fileno())
        for number in _SIGNALS:
            self._previous[number] = signal.signal(number, self._note)
        self._notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._wake)

    def _note(self, number: int, _frame: FrameType | None) -> None:
        """The Python handler: only notes the signal (the wakeup socket wakes Qt)."""
        self._received = number

    def _wake(self) -> None:
        assert self._sockets is not None
        with contextlib.suppress(OSError):
            while self._sockets[0].recv(64):
                pass
        number = self._received
        if number is None:
            return
        log.info(
            "Signal %s reçu : enregistrement, puis fin du programme", signal.Signals(number).name
        )
        self._save_once()
        self._app.exit(SIGNAL_STATUS_BASE + number)

    # -- the session manager (Windows logoff or shutdown) -----------------------------------------

    def _commit_data(self, _manager: QSessionManager) -> None:
        """Before a logoff or a shutdown. Saved each time it is asked: another program may
        refuse the logoff, and the work goes on until the next one."""
        log.info("Fin de session demandée par le système : enregistrement")
        self._save_now()

    def _save_once(self) -> None:
        if not self._saved:
            self._saved = True
            self._save_now()

    def _save_now(self) -> None:
        try:
            self._save()
        except Exception:  # the ending goes on: the drafts file keeps what could not be saved
            log.exception("Enregistrement incomplet à la fin de la session")

    def uninstall(self) -> None:
        """Give the signals back to their previous handlers (the window has closed)."""
        if self._sockets is None:
            return
        for number, previous in self._previous.items():
            if previous is not None:
                signal.signal(number, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        for one in self._sockets:
            one.close()
        self._sockets = None
