"""Merging files without a database, for a consolidation that must not touch any.

The same rules as importing into the database (``domain.merge.decide``: per answer, the latest
change wins, whatever the order of the files; the same file twice counts once; a file with an
error changes nothing), applied to answers held in dictionaries, then, past a hundred files or
so (``IN_MEMORY_UNITS``), in a temporary store on disk (``store``): consolidating hundreds of
workbooks costs little more than reading them, and a thousand take the memory of a hundred.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, cast

from sradar_desktop import __version__
from sradar_desktop.domain.consolidation import (
    Consolidation,
    RespondentAnswer,
    consolidate,
    consolidate_from,
    is_given,
)
from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.merge import Decision, Stamped, decide
from sradar_desktop.domain.numbers import counted, format_decimal
from sradar_desktop.domain.plan import Plan
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.interpreter import FEW_COLLECTIONS
from sradar_desktop.services.files.collecting import Expanded, expanded
from sradar_desktop.services.files.incoming import file_digest, read_incoming
from sradar_desktop.services.files.outcomes import FileResult, ImportOutcome
from sradar_desktop.services.files.store import (
    MergeStore,
    StoredAnswers,
    StoredLines,
    StoreUnwritableError,
    temporary_folder,
)
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.format import Incoming
from sradar_desktop.workbook.safety import check_size

if TYPE_CHECKING:  # types only: the objects come from the fork context, when workers start
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from multiprocessing.synchronize import Semaphore as SemaphoreType


@dataclass
class _Campaign:
    plan: Plan
    campaign_id: str
    title: str
    # Its answers and indicator values (``units``) are held here, in memory, until the book
    # moves them to its store on disk, where they are under this number.
    number: int
    units: _Units | None = field(default_factory=lambda: _Units({}, {}, set()))
    received: dict[str, datetime] = field(default_factory=dict)
    period: str = ""
    previous_id: str = ""
    # The due date and the expected services, as the most recently exported file gives them.
    due: date | None = None
    expected: tuple[str, ...] = ()
    return_address: str = ""
    described_at: datetime | None = None
    # The files read, by campaign id (with its title): one campaign per consolidation.
    files: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


@dataclass
class _Units:
    """Merged answers and indicator values, and the answers whose winning line is carried
    forward and not confirmed yet."""

    answers: dict[tuple[str, str], Stamped]
    values: dict[tuple[str, str, int], Stamped]
    to_confirm: set[tuple[str, str]]

    def __len__(self) -> int:
        return len(self.answers) + len(self.values)


# The answers and values a book holds in memory (a hundred files of a hundred actions: 14,000).
# Beyond, it moves them to its store on disk, and consolidating a thousand files takes hardly
# more memory than consolidating a hundred; under it, nothing is written to the disk.
IN_MEMORY_UNITS = 15_000

log = logging.getLogger(__name__)


class MergeBook:
    """The merged answers of many files, by questionnaire. The answers and indicator values
    are held in memory, then, past ``IN_MEMORY_UNITS``, in a store on disk
    (``store.MergeStore``); the rest (a few lines per respondent) stays in memory."""

    def __init__(self) -> None:
        self.campaigns: dict[str, _Campaign] = {}
        self.respondents: dict[str, fmt.RespondentInfo] = {}
        self._digests: set[str] = set()
        self._store: MergeStore | None = None

    @property
    def store(self) -> MergeStore:
        """The store on disk, opened when the units first move there."""
        if self._store is None:
            self._store = MergeStore()
        return self._store

    def close(self) -> None:
        """Delete the store, if it was opened: the reports read from it are written."""
        if self._store is not None:
            self._store.close()

    def _move_to_store(self) -> None:
        log.info(
            "Fusion : plus de %s réponses et valeurs, gardées désormais dans une base "
            "temporaire (un fichier temporaire du dossier %s, quand la mémoire qui lui est "
            "réservée est pleine)",
            format_decimal(Decimal(IN_MEMORY_UNITS)),
            temporary_folder(),
        )
        for merged in self.campaigns.values():
            units = merged.units
            if units is not None:
                self.store.save(merged.number, units.answers, units.values, units.to_confirm)
                merged.units = None

    def add(self, name: str, digest: str, incoming: Incoming) -> ImportOutcome:
        """Merge one file's content. Raises ``FileRefusedError`` (nothing merged) for a file
        about another version of a questionnaire already merged."""
        plan = incoming.plan
        merged = self.campaigns.get(plan.id)
        if merged is not None and merged.plan.digest() != plan.digest():
            raise FileRefusedError(
                f"Le fichier « {name} » a été refusé : il a été préparé pour une autre version "
                f"du questionnaire « {plan.display_title} » que les fichiers déjà lus. "
                "Consolidez ensemble des classeurs issus de la même version."
            )
        if merged is None:
            merged = self.campaigns[plan.id] = _Campaign(
                plan,
                incoming.campaign_id,
                incoming.campaign_title,
                len(self.campaigns),
                period=incoming.campaign_period,
                previous_id=incoming.previous_campaign_id,
            )
        merged.files.setdefault(incoming.campaign_id, (incoming.campaign_title, []))[1].append(name)
        if (incoming.expected or incoming.campaign_due or incoming.return_address) and (
            merged.described_at is None or incoming.exported_at > merged.described_at
        ):
            merged.due, merged.expected = incoming.campaign_due, incoming.expected
            merged.return_address = incoming.return_address
            merged.described_at = incoming.exported_at
        if digest in self._digests:
            return ImportOutcome(
                file_name=name,
                kind=incoming.kind,
                questionnaire_id=plan.id,
                questionnaire_title=plan.display_title,
                plan_counts=plan.counts(),
                new_questionnaire=False,
                respondents=(),
                already_imported_at=incoming.exported_at,
            )
        self._digests.add(digest)
        decisions: Counter[Decision] = Counter()
        pending = {
            (line.respondent, line.action_code) for line in incoming.answers if line.to_confirm
        }
        codes = {line.respondent for line in incoming.answers}
        codes |= {line.respondent for line in incoming.indicators}
        # What is merged so far of this file's respondents, and what the file changes of it.
        held = merged.units
        if held is not None:
            answers, values, to_confirm = held.answers, held.values, held.to_confirm
        else:
            answers, values, to_confirm = self.store.units(merged.number, codes)
        changed_answers: dict[tuple[str, str], Stamped] = {}
        changed_values: dict[tuple[str, str, int], Stamped] = {}
        # The codes kept once each, whatever the number of files that repeat them.
        lines: list[tuple[dict, dict, tuple, Stamped]] = [
            (
                answers,
                changed_answers,
                (intern(line.respondent), intern(line.action_code)),
                _stamped(line),
            )
            for line in incoming.answers
        ] + [
            (
                values,
                changed_values,
                (intern(line.respondent), intern(line.action_code), line.position),
                _stamped(line),
            )
            for line in incoming.indicators
        ]
        for kept, changed, key, new in lines:
            decision = decide(kept.get(key), new, incoming.exported_at)
            decisions[decision] += 1
            if decision.applies:
                kept[key] = changed[key] = new
                if kept is answers:
                    if key in pending:
                        to_confirm.add(key)
                    else:
                        to_confirm.discard(key)
            elif (
                kept is answers
                and key not in pending
                and (current := kept.get(key)) is not None
                and current.value == new.value
                and key in to_confirm
            ):
                # The same answer confirmed in one file confirms it, whatever the order.
                to_confirm.discard(key)
                changed[key] = current
        if held is None:
            self.store.save(merged.number, changed_answers, changed_values, to_confirm)
        elif sum(len(c.units) for c in self.campaigns.values() if c.units) > IN_MEMORY_UNITS:
            self._move_to_store()
        for info in incoming.respondents:
            known = self.respondents.get(info.code)
            if known is None or (info.label and not known.label):
                self.respondents[info.code] = info
        codes |= {r.code for r in incoming.respondents}
        for code in codes:
            self.respondents.setdefault(code, fmt.RespondentInfo(code))
            previous = merged.received.get(code)
            if previous is None or incoming.exported_at > previous:
                merged.received[code] = incoming.exported_at
        return ImportOutcome(
            file_name=name,
            kind=incoming.kind,
            questionnaire_id=plan.id,
            questionnaire_title=plan.display_title,
            plan_counts=plan.counts(),
            new_questionnaire=False,
            respondents=tuple(sorted(codes)),
            decisions=dict(decisions),
            edited_outside=incoming.edited_outside,
        )

    def questionnaire(self, questionnaire_id: str | None) -> _Campaign:
        """The merged files of one questionnaire; refuses files of several campaigns."""
        if questionnaire_id is not None:
            if questionnaire_id not in self.campaigns:
                raise UserError(
                    f"Aucun des fichiers ne porte sur le questionnaire « {questionnaire_id} »."
                )
            merged = self.campaigns[questionnaire_id]
        elif len(self.campaigns) > 1:
            raise UserError(
                "Les fichiers répondent à des questionnaires différents ("
                + ", ".join(sorted(self.campaigns))
                + ") : consolidez-les séparément, ou précisez --questionnaire."
            )
        else:
            merged = next(iter(self.campaigns.values()))
        if len(merged.files) > 1:
            raise UserError(
                f"Les fichiers portent sur {len(merged.files)} campagnes différentes du "
                f"questionnaire « {merged.plan.display_title} » : consolidez séparément les "
                "fichiers de chaque campagne.",
                details=[
                    f"{title or campaign_id} ({campaign_id}) : {', '.join(sorted(names))}"
                    for campaign_id, (title, names) in sorted(merged.files.items())
                ],
            )
        return merged

    def content(self, merged: _Campaign) -> fmt.ExchangeWorkbook:
        """The merged answers as an exchange workbook's content (every respondent); from the
        store, its rows are read from there whenever they are read."""
        units = merged.units
        if units is None:
            return self._stored_content(merged)
        codes = sorted({r for r, _ in units.answers} | {r for r, _, _ in units.values})
        return fmt.build_content(
            merged.plan,
            campaign_id=merged.campaign_id,
            campaign_title=merged.title,
            respondents=[self.respondents[code] for code in codes],
            answers=units.answers,
            values=units.values,
            exported_at=utcnow(),
            app_version=__version__,
            to_confirm=units.to_confirm,
            campaign_period=merged.period,
            previous_campaign_id=merged.previous_id,
            campaign_due=merged.due,
            expected=merged.expected,
            return_address=merged.return_address,
        )

    def _stored_content(self, merged: _Campaign) -> fmt.ExchangeWorkbook:
        store, number, plan = self.store, merged.number, merged.plan
        store.write_lines(number, plan)
        respondents = tuple(self.respondents[code] for code in store.respondents(number))
        return fmt.ExchangeWorkbook(
            plan=plan,
            campaign_id=merged.campaign_id,
            campaign_title=merged.title,
            kind=fmt.content_kind(len(respondents)),
            exported_at=utcnow(),
            app_version=__version__,
            respondents=respondents,
            answers=StoredLines(store, number, values=False),
            indicators=StoredLines(store, number, values=True),
            campaign_period=merged.period,
            previous_campaign_id=merged.previous_id,
            campaign_due=merged.due,
            expected=merged.expected,
            return_address=merged.return_address,
        )

    def consolidation(self, merged: _Campaign) -> Consolidation:
        units = merged.units
        if units is None:
            return self._stored_consolidation(merged)
        labels = {code: info.label or code for code, info in self.respondents.items()}
        kinds = merged.plan.indicator_kinds()

        # Answers carried from the previous campaign and not confirmed yet are not answers of
        # this one: shown with their mark, counted apart, as the database's consolidation does.
        carried = units.to_confirm
        return consolidate(
            merged.plan,
            campaign_id=merged.campaign_id,
            campaign_title=merged.title,
            due_date=merged.due,
            generated_at=utcnow(),
            answers=[
                (
                    respondent,
                    code,
                    RespondentAnswer(
                        respondent,
                        labels.get(respondent, respondent),
                        stamped.value[0],
                        stamped.value[1] or "",
                        stamped.at,
                        stamped.by,
                        (respondent, code) in carried,
                    ),
                )
                for (respondent, code), stamped in units.answers.items()
                if is_given(stamped.value[0], stamped.value[1], (respondent, code) in carried)
            ],
            indicator_values=[
                (
                    respondent,
                    code,
                    position,
                    counted(stamped.value[0], kinds[(code, position)]),
                    counted(stamped.value[1], kinds[(code, position)]),
                )
                for (respondent, code, position), stamped in units.values.items()
            ],
            labels=labels,
            expected=list(merged.expected),
            arbitrations={},
            last_imports=dict(merged.received),
        )

    def _stored_consolidation(self, merged: _Campaign) -> Consolidation:
        labels = {code: info.label or code for code, info in self.respondents.items()}
        return consolidate_from(
            merged.plan,
            StoredAnswers(self.store, merged.number, merged.plan, labels),
            campaign_id=merged.campaign_id,
            campaign_title=merged.title,
            due_date=merged.due,
            generated_at=utcnow(),
            labels=labels,
            expected=list(merged.expected),
            arbitrations={},
            last_imports=dict(merged.received),
        )


def _stamped(line: fmt.AnswerLine | fmt.IndicatorLine) -> Stamped:
    """What is kept of a line until the reports are written: a hundred thousand of them for
    a thousand files. The texts that repeat from line to line (a status, an author) are kept
    once, not once per line read."""
    assert line.at is not None
    first, second = line.value  # a status or a target (few values, repeated), then the rest
    return Stamped((first if first is None else intern(first), second), line.at, intern(line.by))


# Reading. Besides python-calamine's own parsing, a file costs a few milliseconds of Python
# work (checks, scan, each answer verified): threads of one process share the interpreter and
# read no faster (measured: slower, the interpreter handed back and forth between them). A
# large batch is read by worker processes, one per core, where one starts cheaply and safely:
# forked, on Linux, from a program running a single thread (the command line). Anywhere else
# (in the window, on Windows) the calling thread reads each file when it is merged. Either way
# files are merged and reported in their order, and what is read ahead stays bounded.
READERS = max(1, min(4, os.cpu_count() or 1))
PROCESS_BATCH = 16  # files from which starting the worker processes pays
# Files read ahead of the merge: four by each worker (with two each, they were left idle now and
# then: a hundred files merged in 0.31 s instead of 0.295 s, medians of eight runs).
_AHEAD = 4
_LOOK_AHEAD = _AHEAD * READERS  # files read ahead of the merge, at most, by all the workers
_PATIENCE = 1.0  # seconds a worker waits to read ahead before it looks whether it is orphaned


def _read(item: Expanded) -> tuple[str, Incoming]:
    check_size(item.path, name=item.name)
    return file_digest(item.path), read_incoming(item.path, name=item.name)


# In a worker process: the plans already sent to the merging process, by digest (hundreds of
# files carry the same plan; it is sent once).
_PLANS_SENT: set[str] = set()
_Sent = tuple[str, str, Plan | None, dict[str, object]]


def _read_in_worker(item: Expanded) -> _Sent:
    """``_read`` in a worker process, its result made light to send back."""
    digest, incoming = _read(item)
    plan_digest = incoming.plan.digest()
    new_plan = plan_digest not in _PLANS_SENT
    _PLANS_SENT.add(plan_digest)
    content = {f.name: getattr(incoming, f.name) for f in fields(incoming) if f.name != "plan"}
    return digest, plan_digest, incoming.plan if new_plan else None, content


class _WorkerTraceback(Exception):
    """Where an unexpected error happened in a worker process (the ``__cause__`` of the error
    raised in the merging process, for the log)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _work(
    share: list[Expanded],
    results: Connection,
    permits: SemaphoreType,
    merging_ends: list[Connection],
) -> None:
    """In a worker process: read each file of ``share`` in turn and send back what was read, or
    the error met, once ``permits`` lets it read one more file ahead of the merge. Ctrl+C is the
    merging process's to handle: it stops the workers. The merging process's ends of the pipes,
    copied here by the fork, are closed: once it is gone, a result waiting to be sent finds no
    one to read it, and the worker ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back while forking
    for end in merging_ends:
        end.close()
    merging = os.getppid()
    for item in share:
        while not permits.acquire(timeout=_PATIENCE):
            if os.getppid() != merging:
                return  # the merging process is gone (killed): nothing waits for this file
        try:
            sent: tuple[bool, object, str] = (True, _read_in_worker(item), "")
        except UserError as error:  # a refused file: reported in its turn
            sent = (False, error, "")
        except Exception as error:  # a bug: raised in its turn, with where it happened
            sent = (False, error, traceback.format_exc())
        try:
            results.send(sent)
        except OSError:
            return  # the merge has ended (its end of the pipe closed)
        except Exception:  # an error that cannot be sent as it is (not picklable)
            where = sent[2] or traceback.format_exc()
            results.send((False, RuntimeError(repr(sent[1])), where))
    results.close()


@dataclass
class _Worker:
    """A worker process, the pipe it sends its results through, and its permits to read ahead
    (one given back for each result received)."""

    process: BaseProcess
    results: Connection
    permits: SemaphoreType

    def receive(self) -> _Sent:
        try:
            ok, sent, where = self.results.recv()
        except EOFError:
            self.process.join(10)  # its pipe closed: it is ending, its code comes with its end
            raise RuntimeError(
                f"le processus de lecture {self.process.pid} s'est arrêté "
                f"(code {self.process.exitcode})"
            ) from None
        self.permits.release()
        if not ok:
            assert isinstance(sent, BaseException)
            if where:
                raise sent from _WorkerTraceback(where)
            raise sent
        return cast(_Sent, sent)

    def incoming(self, plans: dict[str, Plan]) -> tuple[str, Incoming]:
        """The next file this worker read, made an ``Incoming`` again (``plans``: those
        received so far, by digest)."""
        digest, plan_digest, plan, content = self.receive()
        if plan is not None:
            plans.setdefault(plan_digest, plan)
        return digest, Incoming(plan=plans[plan_digest], **content)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()  # reading files ahead that will not be merged
        self.process.join()
        self.results.close()


def _forkable() -> bool:
    """Whether worker processes can be forked from here without risk (see above)."""
    return (
        sys.platform.startswith("linux")
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def _start_workers(readable: list[Expanded]) -> list[_Worker]:
    """The worker processes, each given its share of ``readable`` (see ``_readers``). Raises
    ``OSError`` when one cannot be had (the system's limit on processes, files, memory), those
    started stopped."""
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    ends: list[Connection] = []  # of the pipe being set up
    # Ctrl+C is held back while a worker is forked, until it ignores it itself.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for first in range(READERS):
            receiving, sending = ends = list(context.Pipe(duplex=False))
            permits = context.Semaphore(_AHEAD)
            merging_ends = [worker.results for worker in workers] + [receiving]
            process = context.Process(
                target=_work,
                args=(readable[first::READERS], sending, permits, merging_ends),
                name=f"SRADAR lecture {first + 1}",
                daemon=True,
            )
            process.start()
            workers.append(_Worker(process, receiving, permits))
            sending.close()  # the worker's: its end of the pipe is known closed when it ends
            ends = []
    except BaseException:
        for end in ends:
            end.close()
        for worker in workers:
            worker.stop()
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return workers


@contextmanager
def _readers(items: list[Expanded]) -> Iterator[Callable[[Expanded], tuple[str, Incoming]]]:
    """How to read each file of ``items`` that can be read, asked in their order: in the
    calling thread, or for a large batch (see above) by worker processes, each reading its
    share ahead (files 1, n + 1, 2n + 1… for the first of n) and sending each result through
    a pipe of its own: no thread in this process, no task handed out per file. No worker to be
    had, the calling thread reads them. The workers are stopped when the reading ends, those
    read ahead and not asked for with them."""
    readable = [item for item in items if item.error is None]
    if len(readable) < PROCESS_BATCH or READERS < 2 or not _forkable():
        yield _read
        return
    try:
        workers = _start_workers(readable)
    except OSError as error:
        log.warning("Fusion : fichiers lus ici, faute d'autres processus : %s", error)
        yield _read
        return
    try:
        plans: dict[str, Plan] = {}
        turn = iter(range(len(readable)))
        yield lambda item: workers[next(turn) % READERS].incoming(plans)
    finally:
        for worker in workers:
            worker.stop()


def merge_files(
    paths: Iterable[Path],
    *,
    progress: Callable[[int, Path], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[MergeBook, list[FileResult]]:
    """Read and merge files, in their order; a refused file is reported and the others
    merged. A saved message gives its attached workbooks (``services.files.collecting``). The
    caller closes the book (its store on disk) once its reports are written."""
    book = MergeBook()
    try:
        with FEW_COLLECTIONS.held():  # a batch (see ``interpreter``)
            return book, _merge_into(book, paths, progress, cancelled)
    except BaseException:
        book.close()
        raise


def _merge_into(
    book: MergeBook,
    paths: Iterable[Path],
    progress: Callable[[int, Path], None] | None,
    cancelled: Callable[[], bool] | None,
) -> list[FileResult]:
    results = []
    with expanded(paths) as items, _readers(items) as read:
        for index, item in enumerate(items):
            if cancelled is not None and cancelled():
                break  # the files read ahead are not merged
            if progress is not None:
                progress(index, item.origin)
            try:
                if item.error is not None:
                    raise item.error
                digest, incoming = read(item)
                outcome = book.add(item.name, digest, incoming)
            except StoreUnwritableError:
                raise  # no file can be merged any more: the consolidation stops
            except UserError as error:
                results.append(FileResult(item.origin, error=error, name=item.name))
            else:
                if item.source is not None:
                    outcome = replace(outcome, source=item.source.describe())
                results.append(FileResult(item.origin, outcome=outcome, name=item.name))
    return results
