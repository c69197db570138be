"""The answer engine without any window: writes in the order made, a failed write kept as a
draft and retried, a conflict with someone else's change, a crash between two writes. Real
SQLite files; the executor is a queue the test drains (or fails) as it pleases."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

import pytest
from exchange_support import SRADAR, answer, state

from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.errors import DatabaseBusyError
from sradar_desktop.services.answer_engine import AnswerEngine, Listener
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.drafts import DraftStore
from sradar_desktop.services.entry import Identity, open_entry
from sradar_desktop.services.entry_data import read_history
from sradar_desktop.services.opening import open_database

IDENTITY = Identity.create("DDETS-44", "", "Claire Martin")


class Queue:
    """Runs nothing until told: ``drain()`` runs the writes in order; ``fail_next(error)``
    makes the next one fail as a database would."""

    def __init__(self) -> None:
        self.tasks: deque[tuple[Callable[[], object], Callable, Callable]] = deque()
        self.failures: deque[BaseException] = deque()

    def run(self, work, on_done, on_error) -> None:
        self.tasks.append((work, on_done, on_error))

    def wait(self, seconds: float) -> bool:
        self.drain()
        return True

    def fail_next(self, error: BaseException) -> None:
        self.failures.append(error)

    def drain(self) -> None:
        while self.tasks:
            work, on_done, on_error = self.tasks.popleft()
            if self.failures:
                on_error(self.failures.popleft())
                continue
            try:
                result = work()
            except BaseException as error:  # what the window's writer does
                on_error(error)
            else:
                on_done(result)


class Heard(Listener):
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def changed(self, code: str) -> None:
        self.events.append(("changed", code))

    def saved(self, code: str) -> None:
        self.events.append(("saved", code))

    def write_failed(self, message: str) -> None:
        self.events.append(("failed", message))

    def conflicted(self, code: str) -> None:
        self.events.append(("conflicted", code))

    def notice(self, message: str) -> None:
        self.events.append(("notice", message))


class Timer:
    def __init__(self) -> None:
        self.started: list[float] = []

    def start(self, seconds: float) -> None:
        self.started.append(seconds)

    def stop(self) -> None:
        pass


@pytest.fixture
def base(tmp_path) -> Path:
    return tmp_path / "saisie.sqlite3"


def _engine(db, tmp_path, queue: Queue, listener: Listener | None = None, timer=None):
    data = open_entry(db, SRADAR, IDENTITY)
    drafts = DraftStore("essai", folder=tmp_path / "brouillons")
    return AnswerEngine(data, queue, drafts=drafts, listener=listener, retry_timer=timer)


def _stored(db) -> dict[str, tuple]:
    return {key[2]: value[:2] for key, value in state(db)["answers"].items()}


def _code(engine: AnswerEngine, number: int = 0) -> str:
    return engine.sheet.scope[number].code


def test_changes_are_shown_at_once_and_written_in_the_order_made(base, tmp_path):
    db = open_database(base)
    queue, heard = Queue(), Heard()
    engine = _engine(db, tmp_path, queue, heard)
    code = _code(engine)
    status, comment = FieldKey(code, Field.STATUS), FieldKey(code, Field.COMMENT)
    for value in ("oui", "non", "partiellement"):
        engine.apply(status, value)
    engine.apply(comment, "Premier jet")
    engine.apply(comment, "Version finale")
    # Shown at once, written later: nothing is in the database yet.
    assert engine.sheet.by_code[code].status == "partiellement"
    assert engine.key_state(status) == "saving" and not engine.idle
    assert _stored(db) == {}
    queue.drain()
    assert _stored(db) == {code: ("partiellement", "Version finale")}
    assert engine.idle and engine.pending == {} and engine.key_state(status) == ""
    assert heard.events.count(("saved", code)) == 5
    db.close()


def test_a_failed_write_is_kept_as_a_draft_retried_and_saved(base, tmp_path):
    db = open_database(base)
    queue, heard, timer = Queue(), Heard(), Timer()
    engine = _engine(db, tmp_path, queue, heard, timer)
    code = _code(engine)
    key = FieldKey(code, Field.COMMENT)
    queue.fail_next(DatabaseBusyError("La base est ouverte par un autre programme : attendez."))
    engine.apply(key, "Texte tapé pendant le verrou")
    queue.drain()
    # Refused: kept in memory, unsaved, in the drafts file, a retry planned.
    assert engine.pending == {key: "Texte tapé pendant le verrou"}
    assert engine.key_state(key) == "unsaved" and engine.code_has_unsaved(code)
    assert heard.events[-1] == (
        "failed",
        "La base est ouverte par un autre programme : attendez.",
    )
    assert timer.started == [15.0]
    drafts = engine.drafts.load()
    assert [(d.action_code, d.field, d.value) for d in drafts] == [
        (code, "comment", "Texte tapé pendant le verrou")
    ]
    assert _stored(db) == {}
    # A retry writes it; the draft goes.
    engine.retry()
    queue.drain()
    assert engine.pending == {} and engine.last_error == ""
    assert _stored(db) == {code: (None, "Texte tapé pendant le verrou")}
    assert engine.drafts.load() == []
    db.close()


def test_a_bug_in_a_write_says_so_without_losing_the_value(base, tmp_path, caplog):
    db = open_database(base)
    queue, heard = Queue(), Heard()
    engine = _engine(db, tmp_path, queue, heard)
    key = FieldKey(_code(engine), Field.STATUS)
    queue.fail_next(RuntimeError("défaut"))
    engine.apply(key, "oui")
    queue.drain()
    assert engine.pending == {key: "oui"}
    ((_failed, message),) = [e for e in heard.events if e[0] == "failed"]
    assert message.startswith(
        f"La modification de l'action {key.code} n'a pas pu être enregistrée (erreur"
    )
    assert "journal de l'application" in message and message.endswith("reste affiché.")
    assert "Erreur inattendue — La modification de l'action" in caplog.text
    db.close()


def test_a_write_refused_by_a_newer_change_keeps_what_was_typed(base, tmp_path):
    db = open_database(base)
    answer(db, "DDETS-44", {"1.1.1": ("non", "Avant")}, actor="Claire Martin")
    queue, heard = Queue(), Heard()
    engine = _engine(db, tmp_path, queue, heard)
    # Someone else changes the same answer meanwhile (another window, an import).
    other = AnswerService(db, engine.data.campaign_id, "DDETS-44", "Paul Durand")
    other.load()
    other.set_status("1.1.1", "partiellement")
    key = FieldKey("1.1.1", Field.STATUS)
    generation = engine.generation(key)
    engine.apply(key, "oui")
    queue.drain()
    # The newer value is shown; what was typed is kept, nothing of it written.
    assert engine.sheet.by_code["1.1.1"].status == "partiellement"
    assert engine.conflicts[key].typed == "oui"
    assert "par Paul Durand" in engine.conflicts[key].error.headline
    assert engine.generation(key) == generation + 1
    assert ("conflicted", "1.1.1") in heard.events
    assert _stored(db)["1.1.1"] == ("partiellement", "Avant")
    # Put back by the agent: written over the newer value, now seen.
    conflict = engine.take_conflict(key)
    assert conflict is not None and engine.conflicts == {}
    engine.apply(key, conflict.typed)
    queue.drain()
    assert _stored(db)["1.1.1"] == ("oui", "Avant") and engine.pending == {}
    db.close()


def test_a_crash_between_two_writes_loses_nothing(base, tmp_path):
    """Two changes: the first written, the second refused (the database locked), then the
    process dies. A new engine on the same answers finds the second in the drafts, shows it
    and writes it; the first is in the database."""
    db = open_database(base)
    queue = Queue()
    engine = _engine(db, tmp_path, queue)
    first, second = (
        FieldKey(_code(engine, 0), Field.STATUS),
        FieldKey(_code(engine, 1), Field.COMMENT),
    )
    engine.apply(first, "oui")
    queue.drain()
    queue.fail_next(DatabaseBusyError("Base verrouillée."))
    engine.apply(second, "Écrit juste avant l'arrêt")
    queue.drain()
    assert engine.pending == {second: "Écrit juste avant l'arrêt"}
    del engine  # the window is gone without another try
    db.close()

    db = open_database(base)
    assert _stored(db) == {first.code: ("oui", "")}
    queue, heard = Queue(), Heard()
    engine = _engine(db, tmp_path, queue, heard)
    assert engine.restore_drafts() == 1
    assert engine.sheet.by_code[second.code].comment == "Écrit juste avant l'arrêt"
    assert ("changed", second.code) in heard.events
    queue.drain()
    assert _stored(db) == {
        first.code: ("oui", ""),
        second.code: (None, "Écrit juste avant l'arrêt"),
    }
    assert engine.drafts.load() == []
    db.close()


class StuckQueue(Queue):
    """A server that does not answer before the program ends: ``wait`` gives up."""

    def wait(self, seconds: float) -> bool:
        return False


def test_the_end_keeps_a_write_still_under_way_in_the_drafts(base, tmp_path):
    """The session ends while a write waits for a slow server: nothing is asked, the value
    goes to the drafts file, and the next engine on the same answers writes it."""
    db = open_database(base)
    engine = _engine(db, tmp_path, StuckQueue())
    key = FieldKey(_code(engine), Field.COMMENT)
    engine.apply(key, "Tapé juste avant la fin de la session")
    assert engine.end(seconds=0) is False
    assert [(d.action_code, d.value) for d in engine.drafts.load()] == [
        (key.code, "Tapé juste avant la fin de la session")
    ]
    del engine
    queue = Queue()
    engine = _engine(db, tmp_path, queue)
    assert engine.restore_drafts() == 1
    queue.drain()
    assert _stored(db) == {key.code: (None, "Tapé juste avant la fin de la session")}
    assert engine.drafts.load() == []
    # Nothing under way, nothing refused: the end keeps nothing.
    assert engine.end(seconds=0) is True and engine.drafts.load() == []
    db.close()


def test_a_confirmation_refused_by_a_newer_change_leaves_it_to_confirm(base, tmp_path):
    from sradar_desktop.services.campaigns import create_campaign
    from sradar_desktop.services.questionnaires import default_campaign_id

    db = open_database(base)
    answer(db, "DDETS-44", {"1.1.1": ("non", "")})
    create_campaign(db, default_campaign_id(SRADAR), "Évaluation 2024")
    queue, heard = Queue(), Heard()
    engine = _engine(db, tmp_path, queue, heard)
    assert engine.sheet.by_code["1.1.1"].to_confirm
    other = AnswerService(db, engine.data.campaign_id, "DDETS-44", "Paul Durand")
    other.load()
    other.set_status("1.1.1", "oui")
    assert engine.confirm("1.1.1")
    assert not engine.sheet.by_code["1.1.1"].to_confirm  # shown confirmed at once
    queue.drain()
    # The newer answer is shown, to look at and confirm again; nothing was typed to keep.
    entry = engine.sheet.by_code["1.1.1"]
    assert (entry.status, entry.to_confirm) == ("oui", True)
    (notice,) = [message for kind, message in heard.events if kind == "notice"]
    assert "par Paul Durand" in notice
    assert engine.conflicts == {} and engine.pending == {}
    assert engine.confirm("1.1.1")
    queue.drain()
    assert _stored(db)["1.1.1"] == ("oui", "")
    db.close()


def _read_ahead(base: Path, tmp_path, queue: Queue, heard: Listener | None = None) -> AnswerEngine:
    """An engine on answers read before the service that writes is there (as the window
    started on a plan read ahead), the drafts at the same place as ``_engine``'s."""
    from sradar_desktop.services.entry_data import read_local_entry

    read = read_local_entry(base, SRADAR, IDENTITY, None)
    assert read is not None and read[0].service is None
    data = read[0]
    drafts = DraftStore("essai", folder=tmp_path / "brouillons")
    return AnswerEngine(data, queue, drafts=drafts, listener=heard)


def _opening(db, engine: AnswerEngine, opened: list[str] | None = None):
    """What the window gives the engine to open its service (``services.entry``)."""

    def open_service() -> AnswerService:
        from sradar_desktop.services.entry import start_answering

        if opened is not None:
            opened.append("ouvert")
        return start_answering(db, engine.data)

    return open_service


def test_changes_made_before_the_service_is_opened_are_held_then_written_in_order(base, tmp_path):
    db = open_database(base)
    queue, heard = Queue(), Heard()
    engine = _read_ahead(base, tmp_path, queue, heard)
    assert engine.read_only  # nothing can write yet, and nothing says it will
    opened: list[str] = []
    engine.expect_service(_opening(db, engine, opened))
    assert not engine.read_only and engine.starting
    first, second = _code(engine), _code(engine, 1)
    engine.apply(FieldKey(first, Field.STATUS), "non")
    engine.apply(FieldKey(second, Field.COMMENT), "Tapé pendant l'ouverture")
    engine.apply(FieldKey(first, Field.STATUS), "oui")
    # Shown, held, said to be saving; nothing written, nothing refused.
    assert engine.sheet.by_code[first].status == "oui"
    assert engine.key_state(FieldKey(first, Field.STATUS)) == "saving" and not engine.idle
    assert engine.pending == {} and _stored(db) == {}
    engine.start()
    assert opened == []  # on the executor, not here
    queue.drain()
    assert opened == ["ouvert"] and engine.service is not None and not engine.starting
    assert _stored(db) == {first: ("oui", ""), second: (None, "Tapé pendant l'ouverture")}
    assert engine.idle and engine.pending == {} and engine.drafts.load() == []
    assert ("saved", first) in heard.events and ("saved", second) in heard.events
    # Written once each, the latest value: one audit line per field.
    campaign = engine.data.campaign_id
    assert [
        (line.field, line.new_value)
        for code in (first, second)
        for line in read_history(db, campaign, "DDETS-44", code)
    ] == [("status", "oui"), ("comment", "Tapé pendant l'ouverture")]
    db.close()


def test_an_opening_that_fails_keeps_the_changes_and_is_tried_again(base, tmp_path):
    db = open_database(base)
    queue, heard, timer = Queue(), Heard(), Timer()
    engine = _read_ahead(base, tmp_path, queue, heard)
    engine.retry_timer = timer
    code = _code(engine)
    key = FieldKey(code, Field.COMMENT)
    engine.expect_service(_opening(db, engine))
    engine.apply(key, "À ne pas perdre")
    queue.fail_next(DatabaseBusyError("La base est ouverte par un autre programme : attendez."))
    engine.start()
    queue.drain()
    # Kept, unsaved, in the drafts file; the agent told why; tried again later. Not read-only:
    # what is typed meanwhile is kept the same way.
    assert not engine.read_only and engine.starting
    assert engine.pending == {key: "À ne pas perdre"} and engine.key_state(key) == "unsaved"
    assert [(d.action_code, d.value) for d in engine.drafts.load()] == [(code, "À ne pas perdre")]
    assert heard.events[-1] == ("failed", "La base est ouverte par un autre programme : attendez.")
    assert timer.started == [15.0]
    engine.apply(key, "À ne pas perdre, complété")
    assert [d.value for d in engine.drafts.load()] == ["À ne pas perdre, complété"]
    # The retry (the timer, or Ctrl+S) opens it and writes what was kept.
    engine.retry()
    queue.drain()
    assert engine.service is not None and engine.pending == {} and engine.last_error == ""
    assert _stored(db) == {code: (None, "À ne pas perdre, complété")}
    assert engine.drafts.load() == []
    db.close()


def test_leaving_before_the_service_is_opened_opens_it_and_writes(base, tmp_path):
    """The window closes, or opens another campaign, before it was painted: what was typed
    is written, not left behind."""
    db = open_database(base)
    engine = _read_ahead(base, tmp_path, Queue())
    code = _code(engine)
    engine.expect_service(_opening(db, engine))
    engine.apply(FieldKey(code, Field.STATUS), "partiellement")
    assert engine.wait()
    assert _stored(db) == {code: ("partiellement", "")} and engine.drafts.load() == []
    # Nothing held: leaving does not open it for nothing.
    other = _read_ahead(base, tmp_path, Queue())
    other.expect_service(lambda: pytest.fail("opened for nothing"))
    assert other.wait() and other.starting
    db.close()


def test_a_draft_of_a_held_change_never_comes_back_over_a_newer_answer(base, tmp_path):
    """Leaving waits for an opening that is slow: the held change goes to the drafts file.
    Once written, it leaves the file, and a newer answer is not replaced by it later."""
    db = open_database(base)
    queue = StuckQueue()
    engine = _read_ahead(base, tmp_path, queue)
    code = _code(engine)
    key = FieldKey(code, Field.STATUS)
    engine.expect_service(_opening(db, engine))
    engine.apply(key, "non")
    assert engine.wait(seconds=0) is False  # the opening did not finish in time
    assert [d.value for d in engine.drafts.load()] == ["non"]
    queue.drain()  # it finishes: the held change is written, and taken out of the drafts
    assert engine.drafts.load() == []
    engine.apply(key, "oui")
    queue.drain()
    assert _stored(db) == {code: ("oui", "")}
    # The next window on the same answers finds nothing to put back.
    again = _engine(db, tmp_path, Queue())
    assert again.restore_drafts() == 0 and again.sheet.by_code[code].status == "oui"
    db.close()


def test_the_engine_runs_without_qt():
    """Nothing here pulls Qt in: the engine is the core's, not the window's."""
    assert not any(name.startswith("PySide6") for name in sys.modules if "answer_engine" in name)
    import subprocess

    code = (
        "import sys; import sradar_desktop.services.answer_engine; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
