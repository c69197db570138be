"""Every change an agent makes to the answers: shown at once, written in order, never lost.

A change puts its value in the ``EntrySheet`` (what the window shows) and is written by the
``AnswerService`` (one transaction, one audit line) through an *executor*: writes run one
after the other, in the order made, off the window's thread (the window gives a one-thread
runner; the tests a queue they drain as they please). The service that writes may come
after the answers are shown (``expect_service``, then ``start``): changes made meanwhile are
shown and held, then written in the order made once it is there; an opening that fails is
tried again like a failed write. A write that fails keeps its value in
memory, marked unsaved, copied to the drafts file, and retried (when asked, after a delay, or
as soon as another write succeeds) until it is saved. A window that closes or crashes with
changes unsaved leaves them in the drafts file; the next engine on the same answers restores
and writes them.

A write refused because someone else changed the same answer since it was read (another window
on a shared server, an import) is a conflict: the sheet shows the newer values, and what the
agent typed is kept in ``conflicts`` until it is put back or let go. Each such replacement bumps
the field's *generation*: changes made on the replaced values (an undo step, say) no longer
apply.

No Qt here: the window adapts the engine to its signals, its undo stack and its timers
(``ui.entry.controller``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import TYPE_CHECKING, Protocol

from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.failures import describe_failure
from sradar_desktop.services.drafts import Draft, DraftStore, Recovery
from sradar_desktop.services.entry_data import EntryData

if TYPE_CHECKING:
    # The windows import the engine before the answers service (and SQLAlchemy) are loaded.
    from sradar_desktop.services.answers import AnswerConflict, AnswerService

log = logging.getLogger(__name__)

RETRY_SECONDS = 15.0


class Executor(Protocol):
    """Runs writes one after the other, in the order given; reports each outcome (on the
    caller's thread, for a window)."""

    def run(
        self,
        work: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None: ...

    def wait(self, seconds: float) -> bool:
        """Block until every write given has run; whether they all did in time."""
        ...


class RetryTimer(Protocol):
    def start(self, seconds: float) -> None: ...

    def stop(self) -> None: ...


class Listener:
    """What the engine tells the window. Every method does nothing here: a window overrides
    those it shows."""

    def changed(self, code: str) -> None:
        """An action's answer changed in memory."""

    def saved(self, code: str) -> None:
        """An action's change reached the database."""

    def state_changed(self) -> None:
        """The counts of writes under way, unsaved changes or conflicts changed."""

    def write_failed(self, message: str) -> None:
        """A write failed: a French message saying what happened and what to do."""

    def conflicted(self, code: str) -> None:
        """An action's answer was changed elsewhere: the newer values are shown."""

    def notice(self, message: str) -> None:
        """A French message for the agent that is not about a failed write."""


class _NoTimer:
    def start(self, seconds: float) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class EditConflict:
    """A value the database refused because the answer changed meanwhile, kept for the agent."""

    error: AnswerConflict
    typed: object


@dataclass
class _FieldState:
    """Where one field stands between the sheet and the database."""

    in_flight: int = 0  # writes given to the executor and not reported yet
    held: bool = False  # changed before the service that writes was there: written once it is
    drafted: bool = False  # copied to the drafts file while under way: taken out once written
    latest: int = 0  # the number of the last write given
    generation: int = 0  # bumped each time someone else's value replaced it
    unsaved: bool = False  # the last value could not be written: kept, retried
    conflict: EditConflict | None = None


class AnswerEngine:
    """The answers being entered through one ``EntryData`` (see the module's docstring)."""

    def __init__(
        self,
        data: EntryData,
        executor: Executor,
        *,
        drafts: DraftStore | None = None,
        listener: Listener | None = None,
        retry_timer: RetryTimer | None = None,
    ) -> None:
        self.data = data
        self.sheet = data.sheet
        self.service: AnswerService | None = data.service
        # The service that writes, when it comes after the answers (``expect_service``).
        self._open_service: Callable[[], AnswerService] | None = None
        self._opening = False  # given to the executor, not back yet
        self.drafts = drafts
        self.listener = listener or Listener()
        self.executor = executor
        self.retry_timer = retry_timer or _NoTimer()
        self.last_error = ""
        self.saved_at: dict[str, datetime] = {}
        self._fields: dict[FieldKey, _FieldState] = {}
        self._numbers = count(1)
        self._other_drafts: list[Draft] = []

    # -- state -------------------------------------------------------------------------------

    def _state(self, key: FieldKey) -> _FieldState:
        state = self._fields.get(key)
        if state is None:
            state = self._fields[key] = _FieldState()
        return state

    @property
    def read_only(self) -> bool:
        return self.service is None and self._open_service is None

    @property
    def starting(self) -> bool:
        """The service that writes is expected and not there yet: changes are held."""
        return self.service is None and self._open_service is not None

    @property
    def idle(self) -> bool:
        """No write under way or held."""
        return not any(state.in_flight or state.held for state in self._fields.values())

    @property
    def pending(self) -> dict[FieldKey, object]:
        """The changes not saved yet (refused, or brought back from the drafts), by field."""
        return {key: self.sheet.value(key) for key, state in self._fields.items() if state.unsaved}

    @property
    def conflicts(self) -> dict[FieldKey, EditConflict]:
        return {
            key: state.conflict for key, state in self._fields.items() if state.conflict is not None
        }

    def _unsaved(self) -> Iterator[FieldKey]:
        return (key for key, state in self._fields.items() if state.unsaved)

    def key_state(self, key: FieldKey) -> str:
        """``"unsaved"``, ``"saving"``, or ``""`` when the database has it."""
        state = self._fields.get(key)
        if state is None:
            return ""
        if state.unsaved:
            return "unsaved"
        return "saving" if state.in_flight or state.held else ""

    def code_has_unsaved(self, code: str) -> bool:
        return any(key.code == code for key in self._unsaved())

    def value(self, key: FieldKey) -> object:
        return self.sheet.value(key)

    def generation(self, key: FieldKey) -> int:
        """Bumped each time the field's value is replaced by someone else's."""
        state = self._fields.get(key)
        return state.generation if state is not None else 0

    def conflicts_of(self, code: str) -> list[tuple[FieldKey, EditConflict]]:
        return [(key, conflict) for key, conflict in self.conflicts.items() if key.code == code]

    # -- changes -----------------------------------------------------------------------------

    def settle(self, key: FieldKey) -> None:
        """A new value typed in ``key``: the value refused there before is settled."""
        state = self._fields.get(key)
        if state is not None:
            state.conflict = None

    def apply(self, key: FieldKey, value: object) -> None:
        """Show ``value`` at once and write it."""
        self.sheet.put(key, value)
        self.listener.changed(key.code)
        self._submit(key, value)

    def confirm(self, code: str) -> bool:
        """Confirm a carried answer unchanged: shown at once, written like any change.
        False: nothing to confirm."""
        if self.read_only or not self.sheet.by_code[code].to_confirm:
            return False
        self.apply(FieldKey(code, Field.CONFIRM), True)
        return True

    def take_conflict(self, key: FieldKey) -> EditConflict | None:
        """The value the agent typed and the database refused, taken out to be put back."""
        state = self._fields.get(key)
        if state is None or state.conflict is None:
            return None
        conflict, state.conflict = state.conflict, None
        return conflict

    def dismiss(self, key: FieldKey) -> None:
        """Let go of the value the agent typed: the newer one stays."""
        if self.take_conflict(key) is not None:
            log.info("Saisie abandonnée après un conflit (%s)", key)
            self.listener.changed(key.code)

    def keep_typed(self, key: FieldKey, typed: object, error: AnswerConflict) -> None:
        """Keep a value typed but not yet sent when its answer changed elsewhere."""
        self._state(key).conflict = EditConflict(error, typed)

    def retry(self) -> None:
        """Write again every change the database refused (opening the service that writes
        first, when it is expected and not there)."""
        self.retry_timer.stop()
        if self.starting:
            self.start()
            return
        for key in list(self._unsaved()):
            if not self._state(key).in_flight:
                self._submit(key, self.sheet.value(key))

    def wait(self, seconds: float = 15.0) -> bool:
        """Block until every write has been tried (closing the window, another plan or
        campaign opened). Changes held for the service that writes open it now, and are
        written once it is there; what it could not write meanwhile waits in the drafts."""
        if self.starting and not self.idle:
            self.start()
        finished = self.executor.wait(seconds)
        if finished and not self.idle and not self.starting:
            finished = self.executor.wait(seconds)  # those the opened service was given
        if not self.idle:
            self._save_drafts(including_under_way=True)
        return finished

    def end(self, seconds: float = 10.0) -> bool:
        """The program is ending and nobody can be asked (the session ends, the system stops
        it): wait at most ``seconds`` for the writes, then keep in the drafts file whatever is
        not in the database — refused, or still under way. True when everything reached it."""
        finished = self.executor.wait(seconds)
        kept = self._save_drafts(including_under_way=True)
        if kept:
            log.warning("Fin du programme : %d modification(s) gardée(s) en brouillon", kept)
        return finished and not kept

    # -- writing -----------------------------------------------------------------------------

    def expect_service(self, open_service: Callable[[], AnswerService]) -> None:
        """The service that writes comes later, from ``open_service`` (run by the executor,
        off the window's thread, at ``start``): until it is there, changes are held."""
        assert self.service is None
        self._open_service = open_service

    def start(self) -> None:
        """Open the expected service that writes (see ``expect_service``); the changes held
        meanwhile are written in the order made once it is there."""
        if not self.starting or self._opening:
            return
        assert self._open_service is not None
        self._opening = True
        self.executor.run(self._open_service, self._started, self._start_failed)
        self.listener.state_changed()

    def _started(self, service: object) -> None:
        from sradar_desktop.services.answers import AnswerService

        assert isinstance(service, AnswerService)
        self._opening = False
        self.service = self.data.service = service
        held = [key for key, state in self._fields.items() if state.held]
        for key in held:
            self._fields[key].held = False
            self._submit(key, self.sheet.value(key))
        log.info("Saisie prête ; %d modification(s) faite(s) entre-temps envoyée(s)", len(held))
        self.retry()  # what the drafts brought back, or an opening that failed kept
        self.listener.state_changed()

    def _start_failed(self, error: BaseException) -> None:
        """The service that writes could not be opened: what was changed meanwhile is kept,
        in memory and in the drafts file, and the opening is tried again (after a delay, or
        when asked: Ctrl+S), as a failed write is."""
        self._opening = False
        for state in self._fields.values():
            if state.held:
                state.held, state.unsaved = False, True
        self.last_error = describe_failure(
            error,
            "La base n'a pas pu être ouverte pour enregistrer vos réponses",
            "Réessayez ; ce que vous avez saisi reste affiché.",
        ).message
        self._save_drafts()
        self.listener.state_changed()
        self.listener.write_failed(self.last_error)
        self.retry_timer.start(RETRY_SECONDS)

    def _submit(self, key: FieldKey, value: object) -> None:
        service = self.service
        if service is None:
            if self.starting:
                state = self._state(key)
                state.held = not state.unsaved  # refused before: written by the next retry
                if state.unsaved:
                    self._save_drafts()  # its newer value
                self.listener.state_changed()
            return
        state = self._state(key)
        number = state.latest = next(self._numbers)
        state.in_flight += 1
        self.executor.run(
            lambda: service.write(key, value),
            lambda _result: self._written(key, number, None),
            lambda error: self._written(key, number, error),
        )
        self.listener.state_changed()

    def _written(self, key: FieldKey, number: int, error: BaseException | None) -> None:
        state = self._state(key)
        state.in_flight -= 1
        from sradar_desktop.services.answers import AnswerConflict

        if isinstance(error, AnswerConflict):
            self._conflicted(key, error)
            return
        if error is None:
            self.saved_at[key.code] = datetime.now()
            if state.latest == number and (state.unsaved or state.drafted):
                state.unsaved = state.drafted = False
                self._save_drafts()
            if not any(self._unsaved()):
                self.last_error = ""
            self.listener.saved(key.code)
            self.listener.state_changed()
            if any(self._unsaved()) and self.idle:
                self.retry()  # the database takes writes again: save what it refused before
            return
        message = describe_failure(
            error,
            f"La modification de l'action {key.code} n'a pas pu être enregistrée",
            "Réessayez ; ce que vous avez saisi reste affiché.",
        ).message
        state.unsaved = True
        self.last_error = message
        self._save_drafts()
        self.listener.state_changed()
        self.listener.write_failed(message)
        if self.idle:
            self.retry_timer.start(RETRY_SECONDS)

    def _conflicted(self, key: FieldKey, error: AnswerConflict) -> None:
        """Show the newer values of the row and keep what the agent typed (a confirmation
        leaves the newer values to confirm); the writes already queued, made on the old
        values, are refused in turn."""
        log.warning("Modification refusée (%s) : %s", key, error)
        confirming = key.field is Field.CONFIRM
        for field in key.row():
            state = self._state(field)
            if state.unsaved:
                # Typed on the old values too, and not saved yet: kept the same way.
                state.conflict = EditConflict(error, self.sheet.value(field))
            state.unsaved = False
            state.generation += 1
            self.sheet.put(field, error.current[field.field])
        if confirming:
            self.sheet.by_code[key.code].to_confirm = True
        else:
            typed = (error.typed or "") if key.field is Field.COMMENT else error.typed
            self._state(key).conflict = EditConflict(error, typed)
        self._save_drafts()
        service = self.service
        if service is not None:
            self.executor.run(
                lambda: service.acknowledge(error),
                lambda _result: None,
                lambda failure: log.error("Erreur inattendue après un conflit", exc_info=failure),
            )
        if not any(self._unsaved()):
            self.last_error = ""
        if confirming:
            self.listener.notice(error.headline)
        else:
            self.listener.conflicted(key.code)
        self.listener.changed(key.code)
        self.listener.state_changed()

    # -- drafts ------------------------------------------------------------------------------

    def _own(self, draft: Draft) -> bool:
        identity = self.data.identity
        return (
            identity is not None
            and draft.campaign_id == self.data.campaign_id
            and draft.respondent_code == identity.service_code
        )

    def _save_drafts(self, *, including_under_way: bool = False) -> int:
        """Write the drafts file: the changes not saved (and those under way, when asked).
        Returns how many of this engine's changes it holds."""
        if self.drafts is None or self.data.identity is None:
            return 0
        identity = self.data.identity
        unwritten = {}
        for key, state in self._fields.items():
            under_way = including_under_way and bool(state.in_flight or state.held)
            if state.unsaved or under_way:
                unwritten[key] = self.sheet.value(key)
                # Taken out of the file once written: it must not come back over a newer value.
                state.drafted = state.drafted or under_way
        now = datetime.now().replace(microsecond=0).isoformat()
        own = [
            Draft(
                self.data.campaign_id,
                identity.service_code,
                key.code,
                str(key.field),
                key.position,
                None if value is None else str(value),
                identity.agent_name,
                now,
            )
            for key, value in unwritten.items()
            # A confirmation is not kept: unsaved, the answer is still to confirm next time.
            if key.field is not Field.CONFIRM
        ]
        self.drafts.save(self._other_drafts + own)
        return len(own)

    def restore_drafts(self) -> int:
        """Bring back the changes a previous window could not save, and write them now.
        Returns how many there were."""
        if self.drafts is None or self.read_only:
            return 0
        drafts = self.drafts.load()
        if self.drafts.recovery is not None:
            self.listener.notice(recovery_message(self.drafts, self.drafts.recovery))
        self._other_drafts = [d for d in drafts if not self._own(d)]
        restored = 0
        for draft in drafts:
            key = self._draft_key(draft) if self._own(draft) else None
            if key is None:
                continue
            value = draft.value if key.field is not Field.COMMENT else (draft.value or "")
            self.sheet.put(key, value)
            self._state(key).unsaved = True
            self.listener.changed(key.code)
            restored += 1
        if restored:
            log.info("%d modification(s) non enregistrée(s) retrouvée(s)", restored)
            self.retry()
        return restored

    def _draft_key(self, draft: Draft) -> FieldKey | None:
        """The field a draft of this campaign and service is about, if it still exists."""
        try:
            field = Field(draft.field)
        except ValueError:
            return None
        entry = self.sheet.by_code.get(draft.action_code)
        if entry is None or field is Field.CONFIRM:
            return None
        if field.of_indicator and not (
            draft.position is not None and 0 <= draft.position < entry.indicators_total
        ):
            return None
        if field is Field.STATUS and draft.value not in (None, *self.sheet.plan.scale.codes):
            return None
        return FieldKey(draft.action_code, field, draft.position if field.of_indicator else None)


def recovery_message(store: DraftStore, recovery: Recovery) -> str:
    """What the agent is told of a damaged drafts file found on loading."""
    recovered = (
        f"{recovery.recovered} modification a pu en être récupérée"
        if recovery.recovered < 2
        else f"{recovery.recovered} modifications ont pu en être récupérées"
    )
    if recovery.copy is None:
        return (
            f"Le fichier des modifications non enregistrées « {store.path} » est endommagé et "
            f"n'a pas pu être mis de côté : il est laissé tel quel ; {recovered}. Vérifiez que "
            f"le dossier « {store.path.parent} » accepte l'écriture, puis rouvrez le plan ; "
            "d'ici là, ce que vous saisissez reste affiché."
        )
    return (
        f"Le fichier des modifications non enregistrées était endommagé : {recovered}, et le "
        f"fichier endommagé est conservé tel quel dans « {recovery.copy} ». Vous pouvez "
        "continuer à travailler."
    )
