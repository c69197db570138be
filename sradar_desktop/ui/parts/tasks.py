"""Work off the UI thread: a function runs on a ``QThreadPool``; its result, its error and its
progress come back to the UI thread by signal.

The function must not touch widgets. It may open database sessions of its own (each service
call does), never share one with the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from itertools import count
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QWidget

from sradar_desktop.failures import Failure, describe_failure

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


class RunsOperations(Protocol):
    """A window that runs its operations on its worker thread, ``text`` shown while one runs;
    the rooms of the window (its exports, its changes) run theirs through it."""

    def run(
        self,
        work: Callable[[Progress], Any],
        text: str,
        *,
        on_done: Callable[[Any], None],
        on_failure: Callable[[Failure], None],
        failed: str,
        what_to_do: str = "",
    ) -> None: ...


class _Relay(QObject):
    """Carries one task's outcome from the worker thread to the UI thread (queued signals)."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int, str)


class _Runnable(QRunnable):
    def __init__(self, task_id: int, function: Callable[..., Any], relay: _Relay) -> None:
        super().__init__()
        self.task_id = task_id
        self.function = function
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        def progress(done: int, total: int, text: str = "") -> None:
            self.relay.progressed.emit(self.task_id, done, total, text)

        try:
            result = self.function(progress)
        except BaseException as error:
            self.relay.failed.emit(self.task_id, error)
        else:
            self.relay.done.emit(self.task_id, result)


class TaskRunner(QObject):
    """Runs functions one after the other (``max_threads=1``) or side by side, off the UI thread.

    ``run(function, on_done=..., on_error=..., on_progress=...)``: ``function(progress)`` runs on
    a worker thread; the callbacks run on the UI thread. Tasks submitted to a one-thread runner
    run in the order submitted. ``run_operation`` is the same for what the user asked for, its
    failure told the one way (see there).
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 1) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._relay.progressed.connect(self._on_progress)
        self._ids = count(1)
        self._callbacks: dict[int, tuple[Callable, Callable, Progress | None]] = {}

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def run(
        self,
        function: Callable[[Progress], Any],
        *,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Progress | None = None,
    ) -> int:
        task_id = next(self._ids)
        was_busy = self.busy
        self._callbacks[task_id] = (on_done, on_error, on_progress)
        self.pool.start(_Runnable(task_id, function, self._relay))
        if not was_busy:
            self.busy_changed.emit(True)
        return task_id

    def run_operation(
        self,
        function: Callable[[Progress], Any],
        *,
        on_done: Callable[[Any], None],
        on_failure: Callable[[Failure], None],
        failed: str,
        what_to_do: str = "",
        on_progress: Progress | None = None,
    ) -> int:
        """``run`` for an operation the user asked for: a failure reaches ``on_failure`` as
        what to tell the user (``failures.describe_failure``: the user's own error
        as it is; a bug logged with its traceback, then said as « ``failed`` (erreur
        inattendue…). ``what_to_do`` »)."""
        return self.run(
            function,
            on_done=on_done,
            on_error=lambda error: on_failure(describe_failure(error, failed, what_to_do)),
            on_progress=on_progress,
        )

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every task has run (closing the window); True when they all did."""
        finished = self.pool.waitForDone(msecs)
        # Deliver the outcomes now: the callbacks may record a failure to keep.
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.sendPostedEvents(self)
        return finished

    def _finish(self, task_id: int) -> tuple[Callable, Callable, Progress | None] | None:
        callbacks = self._callbacks.pop(task_id, None)
        if not self._callbacks:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_done(self, task_id: int, result: object) -> None:
        callbacks = self._finish(task_id)
        if callbacks is not None:
            callbacks[0](result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, error: object) -> None:
        callbacks = self._finish(task_id)
        if callbacks is not None:
            callbacks[1](error)

    @Slot(int, int, int, str)
    def _on_progress(self, task_id: int, done: int, total: int, text: str) -> None:
        callbacks = self._callbacks.get(task_id)
        if callbacks is not None and callbacks[2] is not None:
            callbacks[2](done, total, text)


class StoppableDialog(QDialog):
    """A dialog whose work runs on one worker thread and stops between two steps when asked:
    « Arrêter », Escape or the window's close button ask it to stop (``stopping`` tells the
    person), and only an idle dialog closes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._runner = TaskRunner(self, max_threads=1)

    @property
    def running(self) -> bool:
        return self._runner.busy

    def stopping(self) -> None:
        """Show that the work stops after its current step (the stop is already asked)."""

    def reject(self) -> None:
        if self.running:
            self._cancel.set()
            self.stopping()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
