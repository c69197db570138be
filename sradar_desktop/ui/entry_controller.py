"""Every change the agent makes: shown at once, saved at once, undoable, never lost.

A change updates the ``EntrySheet`` in memory (the window shows it immediately), goes on the
undo stack, and is written by ``AnswerService`` (one transaction, one audit line) on a writer
thread, in order: a locked or slow database never freezes the window. A write that fails keeps
the value in memory, marked unsaved, written to the drafts file, and retried (by the agent or
every few seconds) until it is saved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from sradar_desktop.errors import UserError
from sradar_desktop.services.drafts import Draft, DraftStore
from sradar_desktop.services.entry import EntryData
from sradar_desktop.ui.i18n import translate
from sradar_desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

STATUS: Final = "status"
COMMENT: Final = "comment"
TARGET: Final = "target"
ACHIEVED: Final = "achieved"
RETRY_MS = 15_000


@dataclass(frozen=True)
class FieldKey:
    """One field of one answer: an action's status or comment, or one indicator value."""

    code: str
    field: str
    position: int | None = None


def _describe(key: FieldKey, data: EntryData) -> str:
    """Words for the Edit menu: « Annuler la réalisation de l'action 1.2.3 »."""
    if key.field == STATUS:
        return translate("EntryController", "la réalisation de l'action %1", key.code)
    if key.field == COMMENT:
        return translate("EntryController", "le commentaire de l'action %1", key.code)
    indicator = data.sheet.by_code[key.code].action.indicators[key.position or 0]
    if key.field == TARGET:
        return translate("EntryController", "la valeur cible « %1 »", indicator.label)
    return translate("EntryController", "la valeur réalisée « %1 »", indicator.label)


class FieldCommand(QUndoCommand):
    """Set one field from ``old`` to ``new``. Comment edits of one editing burst (the agent
    typing in the comment without leaving it) merge into one command: undo takes back the
    whole burst, not one character."""

    MERGE_ID = 1

    def __init__(
        self,
        controller: EntryController,
        key: FieldKey,
        old: object,
        new: object,
        burst: int | None = None,
    ) -> None:
        super().__init__(_describe(key, controller.data))
        self.controller = controller
        self.key = key
        self.old = old
        self.new = new
        self.burst = burst

    def redo(self) -> None:
        self.controller._apply(self.key, self.new)

    def undo(self) -> None:
        self.controller._apply(self.key, self.old)

    def id(self) -> int:
        return self.MERGE_ID if self.burst is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (
            not isinstance(other, FieldCommand)
            or other.key != self.key
            or other.burst != self.burst
        ):
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True


class EntryController(QObject):
    """The answers being entered in one window (see the module's docstring)."""

    changed = Signal(str)  # an action's answer changed in memory (code)
    saved = Signal(str)  # an action's change reached the database (code)
    state_changed = Signal()  # saving / unsaved counts changed
    write_failed = Signal(str)  # a French message saying what happened and what to do

    def __init__(
        self, data: EntryData, drafts: DraftStore | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.data = data
        self.sheet = data.sheet
        self.service = data.service
        self.drafts = drafts
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(1000)
        self._writer = TaskRunner(self, max_threads=1)
        self._numbers = count(1)
        self._latest: dict[FieldKey, int] = {}
        self._in_flight: dict[FieldKey, int] = {}
        self.pending: dict[FieldKey, object] = {}
        self.last_error = ""
        self.saved_at: dict[str, datetime] = {}
        self._bursts = count(1)
        self._other_drafts: list[Draft] = []
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.setInterval(RETRY_MS)
        self._retry_timer.timeout.connect(self.retry)

    # -- state -------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.service is None

    @property
    def saving(self) -> bool:
        return bool(self._in_flight)

    @property
    def idle(self) -> bool:
        return not self._in_flight

    def key_state(self, key: FieldKey) -> str:
        """``"unsaved"``, ``"saving"``, or ``""`` when the database has it."""
        if key in self.pending:
            return "unsaved"
        if key in self._in_flight:
            return "saving"
        return ""

    def code_has_unsaved(self, code: str) -> bool:
        return any(key.code == code for key in self.pending)

    def value(self, key: FieldKey) -> object:
        entry = self.sheet.by_code[key.code]
        if key.field == STATUS:
            return entry.status
        if key.field == COMMENT:
            return entry.comment
        values = entry.targets if key.field == TARGET else entry.achieved
        return values[key.position or 0]

    def new_burst(self) -> int:
        """A new comment editing burst (the agent entered the comment field)."""
        return next(self._bursts)

    # -- changes -----------------------------------------------------------------------------

    def set_status(self, code: str, status: str | None) -> bool:
        return self._push(FieldKey(code, STATUS), status)

    def set_comment(self, code: str, comment: str, burst: int | None = None) -> bool:
        return self._push(FieldKey(code, COMMENT), comment, burst)

    def set_indicator(self, code: str, position: int, which: str, stored: str | None) -> bool:
        return self._push(FieldKey(code, which, position), stored)

    def _push(self, key: FieldKey, new: object, burst: int | None = None) -> bool:
        if self.read_only:
            return False
        old = self.value(key)
        if old == new:
            return False
        self.undo_stack.push(FieldCommand(self, key, old, new, burst))
        return True

    def _apply(self, key: FieldKey, value: object) -> None:
        """Show ``value`` at once and send it to the database (called by the commands)."""
        if key.field == STATUS:
            self.sheet.set_status(key.code, value)  # type: ignore[arg-type]
        elif key.field == COMMENT:
            self.sheet.set_comment(key.code, str(value or ""))
        else:
            self.sheet.set_indicator(key.code, key.position or 0, key.field, value)  # type: ignore[arg-type]
        self.changed.emit(key.code)
        self._submit(key, value)

    # -- writing -----------------------------------------------------------------------------

    def _submit(self, key: FieldKey, value: object) -> None:
        if self.service is None:
            return
        number = next(self._numbers)
        self._latest[key] = number
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        service = self.service

        def write(_progress: object) -> None:
            if key.field == STATUS:
                service.set_status(key.code, value)  # type: ignore[arg-type]
            elif key.field == COMMENT:
                service.set_comment(key.code, str(value or ""))
            elif key.field == TARGET:
                service.set_indicator(key.code, key.position or 0, target=value)
            else:
                service.set_indicator(key.code, key.position or 0, achieved=value)

        self._writer.run(
            write,
            on_done=lambda _result: self._written(key, number, None),
            on_error=lambda error: self._written(key, number, error),
        )
        self.state_changed.emit()

    def _written(self, key: FieldKey, number: int, error: BaseException | None) -> None:
        left = self._in_flight.get(key, 1) - 1
        if left:
            self._in_flight[key] = left
        else:
            self._in_flight.pop(key, None)
        latest = self._latest.get(key) == number
        if error is None:
            self.saved_at[key.code] = datetime.now()
            if latest and key in self.pending:
                del self.pending[key]
                self._save_drafts()
            if not self.pending:
                self.last_error = ""
            self.saved.emit(key.code)
            self.state_changed.emit()
            if self.pending and self.idle:
                # The database takes writes again: save what it refused before.
                self.retry()
            return
        if isinstance(error, UserError):
            message = str(error)
            log.warning("Enregistrement refusé (%s) : %s", key, message)
        else:
            log.error("Erreur inattendue à l'enregistrement de %s", key, exc_info=error)
            message = translate(
                "EntryController",
                "La modification n'a pas pu être enregistrée (erreur inattendue, le détail est "
                "dans le journal de l'application). Réessayez ; ce que vous avez saisi reste "
                "affiché.",
            )
        self.pending[key] = self.value(key)
        self.last_error = message
        self._save_drafts()
        self.state_changed.emit()
        self.write_failed.emit(message)
        if self.idle:
            self._retry_timer.start()

    def retry(self) -> None:
        """Send again every change the database refused."""
        self._retry_timer.stop()
        for key, value in list(self.pending.items()):
            if key not in self._in_flight:
                self._submit(key, value)

    def wait(self, msecs: int = 15_000) -> bool:
        """Block until every write has been tried (closing the window)."""
        return self._writer.wait(msecs)

    # -- drafts ------------------------------------------------------------------------------

    def _own(self, draft: Draft) -> bool:
        identity = self.data.identity
        return (
            identity is not None
            and draft.campaign_id == self.data.campaign_id
            and draft.respondent_code == identity.service_code
        )

    def _save_drafts(self) -> None:
        if self.drafts is None or self.data.identity is None:
            return
        identity = self.data.identity
        now = datetime.now().replace(microsecond=0).isoformat()
        own = [
            Draft(
                self.data.campaign_id,
                identity.service_code,
                key.code,
                key.field,
                key.position,
                None if value is None else str(value),
                identity.agent_name,
                now,
            )
            for key, value in self.pending.items()
        ]
        self.drafts.save(self._other_drafts + own)

    def restore_drafts(self) -> int:
        """Bring back the changes a previous window could not save, and save them now.
        Returns how many there were."""
        if self.drafts is None or self.read_only:
            return 0
        drafts = self.drafts.load()
        self._other_drafts = [d for d in drafts if not self._own(d)]
        restored = 0
        for draft in drafts:
            if not self._own(draft):
                continue
            entry = self.sheet.by_code.get(draft.action_code)
            if entry is None:
                continue
            if draft.field in (TARGET, ACHIEVED) and not (
                draft.position is not None and 0 <= draft.position < entry.indicators_total
            ):
                continue
            if draft.field == STATUS and draft.value not in (None, *self.sheet.plan.scale.codes):
                continue
            key = FieldKey(draft.action_code, draft.field, draft.position)
            value = draft.value if draft.field != COMMENT else (draft.value or "")
            if draft.field == STATUS:
                self.sheet.set_status(key.code, value)
            elif draft.field == COMMENT:
                self.sheet.set_comment(key.code, str(value))
            else:
                self.sheet.set_indicator(key.code, key.position or 0, key.field, value)
            self.pending[key] = value
            self.changed.emit(key.code)
            restored += 1
        if restored:
            log.info("%d modification(s) non enregistrée(s) retrouvée(s)", restored)
            self.retry()
        return restored
