"""The entry window's side of the answer engine (``services.answer_engine``): Qt signals for
what the engine tells, the undo stack, a one-thread writer and a retry timer.

The engine keeps every change safe; this adapter only puts the changes on the undo stack (a
comment's editing burst as one step) and carries the engine's news to the window.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.services.answer_engine import AnswerEngine, EditConflict, Listener
from sradar_desktop.services.drafts import DraftStore
from sradar_desktop.services.entry_data import EntryData
from sradar_desktop.ui.parts.i18n import translate
from sradar_desktop.ui.parts.tasks import TaskRunner

if TYPE_CHECKING:
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.database import Database

__all__ = [
    "CONFIRMED",
    "REDONE",
    "SET",
    "UNDONE",
    "EditConflict",
    "EntryController",
    "Field",
    "FieldCommand",
    "FieldKey",
    "describe_field",
]

# The words of the Edit menu for each field: « Annuler la réalisation de l'action 1.2.3 ».
_UNDO_WORDS = {
    Field.STATUS: "la réalisation de l'action %1",
    Field.COMMENT: "le commentaire de l'action %1",
    Field.TARGET: "la valeur cible « %1 »",
    Field.ACHIEVED: "la valeur réalisée « %1 »",
}


def describe_field(key: FieldKey, data: EntryData) -> str:
    """« la réalisation de l'action 1.2.3 », « la valeur cible « Places créées » »."""
    if key.field.of_indicator:
        indicator = data.sheet.by_code[key.code].action.indicators[key.position or 0]
        return translate("EntryController", _UNDO_WORDS[key.field], indicator.label)
    return translate("EntryController", _UNDO_WORDS[key.field], key.code)


# How a field changed, as ``EntryController.applied`` tells it.
SET, UNDONE, REDONE, CONFIRMED = "set", "undone", "redone", "confirmed"


class FieldCommand(QUndoCommand):
    """Set one field from ``old`` to ``new``. Comment edits of one editing burst (the agent
    typing in the comment without leaving it) merge into one command: undo takes back the
    whole burst, not one character. A step made on a value someone else has since replaced no
    longer applies."""

    MERGE_ID = 1

    def __init__(
        self,
        controller: EntryController,
        key: FieldKey,
        old: object,
        new: object,
        burst: int | None = None,
    ) -> None:
        super().__init__(describe_field(key, controller.data))
        self.controller = controller
        self.engine = controller.engine
        self.done = False  # redone once already: pushed, the first redo is the change itself
        self.key = key
        self.old = old
        self.new = new
        self.burst = burst
        self.generation = self.engine.generation(key)

    def _stale(self) -> bool:
        if self.engine.generation(self.key) == self.generation:
            return False
        self.setObsolete(True)
        return True

    def redo(self) -> None:
        if not self._stale():
            self.engine.apply(self.key, self.new)
            self.controller.applied.emit(self.key, REDONE if self.done else SET)
        self.done = True

    def undo(self) -> None:
        if not self._stale():
            self.engine.apply(self.key, self.old)
            self.controller.applied.emit(self.key, UNDONE)

    def id(self) -> int:
        return self.MERGE_ID if self.burst is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (
            not isinstance(other, FieldCommand)
            or other.key != self.key
            or other.burst != self.burst
            or other.generation != self.generation
        ):
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True


class _Writer:
    """The engine's executor: a one-thread runner, its outcomes back on the window's thread."""

    def __init__(self, runner: TaskRunner) -> None:
        self.runner = runner

    def run(
        self,
        work: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.runner.run(lambda _progress: work(), on_done=on_done, on_error=on_error)

    def wait(self, seconds: float) -> bool:
        return self.runner.wait(int(seconds * 1000))


class _Timer:
    def __init__(self, parent: QObject, retry: Callable[[], None]) -> None:
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(retry)

    def start(self, seconds: float) -> None:
        self.timer.start(int(seconds * 1000))

    def stop(self) -> None:
        self.timer.stop()


class _Signals(Listener):
    def __init__(self, controller: EntryController) -> None:
        self.controller = controller

    def changed(self, code: str) -> None:
        self.controller.changed.emit(code)

    def saved(self, code: str) -> None:
        self.controller.saved.emit(code)

    def state_changed(self) -> None:
        self.controller.state_changed.emit()

    def write_failed(self, message: str) -> None:
        self.controller.write_failed.emit(message)

    def conflicted(self, code: str) -> None:
        self.controller.conflicted.emit(code)

    def notice(self, message: str) -> None:
        self.controller.notice.emit(message)


class EntryController(QObject):
    """The answers being entered in one window: ``engine`` keeps them safe; this puts the
    changes on the undo stack and emits the engine's news as signals."""

    changed = Signal(str)  # an action's answer changed in memory (code)
    saved = Signal(str)  # an action's change reached the database (code)
    state_changed = Signal()  # saving / unsaved counts changed
    write_failed = Signal(str)  # a French message saying what happened and what to do
    conflicted = Signal(str)  # an action's answer was changed elsewhere: newer values shown
    notice = Signal(str)  # a French message for the agent that is not about a failed write
    # A field the agent set, undid, redid or confirmed: (FieldKey, SET / UNDONE / REDONE /
    # CONFIRMED), its new value in the sheet. Every key that changes an answer comes here.
    applied = Signal(object, str)

    def __init__(
        self, data: EntryData, drafts: DraftStore | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.data = data
        self.sheet = data.sheet
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(1000)
        self._writer = TaskRunner(self, max_threads=1)
        self.engine: AnswerEngine = AnswerEngine(
            data,
            _Writer(self._writer),
            drafts=drafts,
            listener=_Signals(self),
            retry_timer=_Timer(self, self._retry),
        )
        self._bursts = count(1)

    def _retry(self) -> None:
        self.engine.retry()

    def expect_writing(self, db: Database) -> None:
        """The answers shown were read ahead: they are opened for writing in ``db`` later
        (``start_writing``); until then, the changes made are shown and held."""
        data = self.data

        def open_service() -> AnswerService:
            from sradar_desktop.services.entry import start_answering

            return start_answering(db, data)  # the service recorded first

        self.engine.expect_service(open_service)

    def start_writing(self) -> None:
        """Open the answers for writing, off the window's thread. The services and the
        database layer they need are imported here first, on the window's thread: never two
        threads importing them at once."""
        import sradar_desktop.services.entry  # noqa: F401

        self.engine.start()

    def new_burst(self) -> int:
        """A new comment editing burst (the agent entered the comment field)."""
        return next(self._bursts)

    # -- changes -----------------------------------------------------------------------------

    def set_status(self, code: str, status: str | None) -> bool:
        entry = self.sheet.by_code[code]
        if entry.to_confirm and status == entry.status:
            return self.confirm(code)  # the carried answer given again: confirmed
        return self._push(FieldKey(code, Field.STATUS), status)

    def confirm(self, code: str) -> bool:
        """Keep the carried answer of ``code`` as it is; whether there was one to confirm."""
        if not self.engine.confirm(code):
            return False
        self.applied.emit(FieldKey(code, Field.STATUS), CONFIRMED)
        return True

    def set_comment(self, code: str, comment: str, burst: int | None = None) -> bool:
        return self._push(FieldKey(code, Field.COMMENT), comment, burst)

    def set_indicator(self, code: str, position: int, which: str, stored: str | None) -> bool:
        return self._push(FieldKey(code, Field(which), position), stored)

    def _push(self, key: FieldKey, new: object, burst: int | None = None) -> bool:
        if self.engine.read_only:
            return False
        self.engine.settle(key)
        old = self.engine.value(key)
        if old == new:
            return False
        self.undo_stack.push(FieldCommand(self, key, old, new, burst))
        return True

    def reapply(self, key: FieldKey) -> bool:
        """Put back the value the agent typed, in place of the newer one (undoable)."""
        conflict = self.engine.take_conflict(key)
        if conflict is None:
            return False
        if not self._push(key, conflict.typed):
            self.changed.emit(key.code)
        return True
