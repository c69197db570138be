"""Every change the agent makes: shown at once, saved at once, undoable, never lost.

A change updates the ``EntrySheet`` in memory (the window shows it immediately), goes on the
undo stack, and is written by ``AnswerService`` (one transaction, one audit line) on a writer
thread, in order: a locked or slow database never freezes the window. A write that fails keeps
the value in memory, marked unsaved, written to the drafts file, and retried (by the agent or
every few seconds) until it is saved.

A write refused because someone else changed the same answer since this window read it (another
window on a shared server, an import) is a conflict: the window shows the newer values, and what
the agent typed is kept in ``conflicts`` until the agent puts it back (``reapply``) or lets it go
(``dismiss``). Undo steps made on the replaced values no longer apply.
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
from sradar_desktop.services.answers import AnswerConflict
from sradar_desktop.services.drafts import Draft, DraftStore, Recovery
from sradar_desktop.services.entry import EntryData
from sradar_desktop.ui.i18n import translate
from sradar_desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

STATUS: Final = "status"
COMMENT: Final = "comment"
TARGET: Final = "target"
ACHIEVED: Final = "achieved"
CONFIRM: Final = "confirm"  # a carried answer confirmed unchanged (not undoable)
RETRY_MS = 15_000


@dataclass(frozen=True)
class FieldKey:
    """One field of one answer: an action's status or comment, or one indicator value."""

    code: str
    field: str
    position: int | None = None


def row_fields(key: FieldKey) -> tuple[FieldKey, ...]:
    """The fields stored in the same database row as ``key`` (they share a version)."""
    if key.field in (STATUS, COMMENT, CONFIRM):
        return (FieldKey(key.code, STATUS), FieldKey(key.code, COMMENT))
    return (FieldKey(key.code, TARGET, key.position), FieldKey(key.code, ACHIEVED, key.position))


@dataclass
class Conflict:
    """A value the database refused because the answer changed meanwhile, kept for the agent."""

    error: AnswerConflict
    typed: object


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
        self.generation = controller.generation(key)

    def _stale(self) -> bool:
        """The field was replaced by someone else's newer value since this step was made."""
        if self.controller.generation(self.key) == self.generation:
            return False
        self.setObsolete(True)
        return True

    def redo(self) -> None:
        if not self._stale():
            self.controller._apply(self.key, self.new)

    def undo(self) -> None:
        if not self._stale():
            self.controller._apply(self.key, self.old)

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


class EntryController(QObject):
    """The answers being entered in one window (see the module's docstring)."""

    changed = Signal(str)  # an action's answer changed in memory (code)
    saved = Signal(str)  # an action's change reached the database (code)
    state_changed = Signal()  # saving / unsaved counts changed
    write_failed = Signal(str)  # a French message saying what happened and what to do
    conflicted = Signal(str)  # an action's answer was changed elsewhere: newer values shown
    notice = Signal(str)  # a French message for the agent that is not about a failed write

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
        self.conflicts: dict[FieldKey, Conflict] = {}
        self._generations: dict[FieldKey, int] = {}
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
        if key.field == CONFIRM:
            return True
        if key.field == STATUS:
            return entry.status
        if key.field == COMMENT:
            return entry.comment
        values = entry.targets if key.field == TARGET else entry.achieved
        return values[key.position or 0]

    def generation(self, key: FieldKey) -> int:
        """Bumped each time the field's value is replaced by someone else's."""
        return self._generations.get(key, 0)

    def conflicts_of(self, code: str) -> list[tuple[FieldKey, Conflict]]:
        return [(key, conflict) for key, conflict in self.conflicts.items() if key.code == code]

    def new_burst(self) -> int:
        """A new comment editing burst (the agent entered the comment field)."""
        return next(self._bursts)

    # -- changes -----------------------------------------------------------------------------

    def set_status(self, code: str, status: str | None) -> bool:
        entry = self.sheet.by_code[code]
        if entry.to_confirm and status == entry.status:
            return self.confirm(code)  # the carried answer given again: confirmed
        return self._push(FieldKey(code, STATUS), status)

    def confirm(self, code: str) -> bool:
        """Confirm a carried answer unchanged: shown at once, saved like the other changes,
        not on the undo stack (there is no « unconfirm »). False: nothing to confirm."""
        if self.read_only or not self.sheet.by_code[code].to_confirm:
            return False
        key = FieldKey(code, CONFIRM)
        self.sheet.confirm(code)
        self.changed.emit(code)
        self._submit(key, True)
        return True

    def set_comment(self, code: str, comment: str, burst: int | None = None) -> bool:
        return self._push(FieldKey(code, COMMENT), comment, burst)

    def set_indicator(self, code: str, position: int, which: str, stored: str | None) -> bool:
        return self._push(FieldKey(code, which, position), stored)

    def _push(self, key: FieldKey, new: object, burst: int | None = None) -> bool:
        if self.read_only:
            return False
        self.conflicts.pop(key, None)  # a new value typed: the refused one is settled
        old = self.value(key)
        if old == new:
            return False
        self.undo_stack.push(FieldCommand(self, key, old, new, burst))
        return True

    def _apply(self, key: FieldKey, value: object) -> None:
        """Show ``value`` at once and send it to the database (called by the commands)."""
        self._set_value(key, value)
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
            if key.field == CONFIRM:
                service.confirm(key.code)
            elif key.field == STATUS:
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
        if isinstance(error, AnswerConflict):
            if key.field == CONFIRM:
                self._confirm_conflicted(key, error)
            else:
                self._conflicted(key, error)
            return
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

    def _conflicted(self, key: FieldKey, error: AnswerConflict) -> None:
        """Show the newer values of the row, keep what the agent typed, and let the writer
        accept changes on the newer values (after the writes already queued, made on the old
        ones, which are refused in turn)."""
        log.warning("Modification refusée (%s) : %s", key, error)
        fields = row_fields(key)
        for field in fields:
            if field in self.pending:
                # Typed on the old values too, and not saved yet: kept the same way.
                self.conflicts[field] = Conflict(error, self.pending.pop(field))
            self._generations[field] = self.generation(field) + 1
            self._set_value(field, error.current[field.field])
        self.conflicts[key] = Conflict(
            error, (error.typed or "") if key.field == COMMENT else error.typed
        )
        self._save_drafts()
        service = self.service
        if service is not None:
            self._writer.run(
                lambda _progress: service.acknowledge(error),
                on_done=lambda _result: None,
                on_error=lambda failure: log.error(
                    "Erreur inattendue après un conflit", exc_info=failure
                ),
            )
        if not self.pending:
            self.last_error = ""
        self.conflicted.emit(key.code)
        self.changed.emit(key.code)
        self.state_changed.emit()

    def _confirm_conflicted(self, key: FieldKey, error: AnswerConflict) -> None:
        """A confirmation refused because the answer changed elsewhere: the newer values are
        shown, still to confirm (confirming again is accepted once they were shown)."""
        log.warning("Confirmation refusée (%s) : %s", key, error)
        for field in row_fields(key):
            self._generations[field] = self.generation(field) + 1
            self._set_value(field, error.current[field.field])
        self.sheet.by_code[key.code].to_confirm = True
        service = self.service
        if service is not None:
            self._writer.run(
                lambda _progress: service.acknowledge(error),
                on_done=lambda _result: None,
                on_error=lambda failure: log.error(
                    "Erreur inattendue après un conflit", exc_info=failure
                ),
            )
        self.notice.emit(error.headline)
        self.changed.emit(key.code)
        self.state_changed.emit()

    def _set_value(self, key: FieldKey, value: object) -> None:
        """Put ``value`` in the sheet without writing it (values read from the database)."""
        if key.field == STATUS:
            self.sheet.set_status(key.code, value)  # type: ignore[arg-type]
        elif key.field == COMMENT:
            self.sheet.set_comment(key.code, str(value or ""))
        else:
            self.sheet.set_indicator(key.code, key.position or 0, key.field, value)  # type: ignore[arg-type]

    def keep_typed(self, key: FieldKey, typed: object, error: AnswerConflict) -> None:
        """Keep a value typed but not yet sent when its answer changed elsewhere."""
        self.conflicts[key] = Conflict(error, typed)

    def reapply(self, key: FieldKey) -> bool:
        """Put back the value the agent typed, in place of the newer one (undoable)."""
        conflict = self.conflicts.pop(key, None)
        if conflict is None:
            return False
        if not self._push(key, conflict.typed):
            self.changed.emit(key.code)
        return True

    def dismiss(self, key: FieldKey) -> None:
        """Let go of the value the agent typed: the newer one stays."""
        if self.conflicts.pop(key, None) is not None:
            log.info("Saisie abandonnée après un conflit (%s)", key)
            self.changed.emit(key.code)

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
            # A confirmation is not kept: unsaved, the answer is still to confirm next time.
            if key.field != CONFIRM
        ]
        self.drafts.save(self._other_drafts + own)

    def _recovery_message(self, store: DraftStore, recovery: Recovery) -> str:
        if recovery.copy is None:
            return translate(
                "EntryController",
                "Le fichier des modifications non enregistrées « %1 » est endommagé et n'a pas "
                "pu être mis de côté : il est laissé tel quel ; %2. Vérifiez que le dossier "
                "« %3 » accepte l'écriture, puis rouvrez le plan ; d'ici là, ce que vous "
                "saisissez reste affiché.",
                store.path,
                self._recovered_text(recovery.recovered),
                store.path.parent,
            )
        return translate(
            "EntryController",
            "Le fichier des modifications non enregistrées était endommagé : %1, et le fichier "
            "endommagé est conservé tel quel dans « %2 ». Vous pouvez continuer à travailler.",
            self._recovered_text(recovery.recovered),
            recovery.copy,
        )

    @staticmethod
    def _recovered_text(recovered: int) -> str:
        """« 1 modification a pu en être récupérée », « 3 modifications ont pu … »."""
        if recovered < 2:
            return translate("EntryController", "%1 modification a pu en être récupérée", recovered)
        return translate("EntryController", "%1 modifications ont pu en être récupérées", recovered)

    def restore_drafts(self) -> int:
        """Bring back the changes a previous window could not save, and save them now.
        Returns how many there were."""
        if self.drafts is None or self.read_only:
            return 0
        drafts = self.drafts.load()
        if self.drafts.recovery is not None:
            self.notice.emit(self._recovery_message(self.drafts, self.drafts.recovery))
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
