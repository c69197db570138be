"""The merged answers of a consolidation of files, kept on disk.

A thousand workbooks bring a hundred thousand answers, most of them with a comment: held in
memory, they would make the consolidation ten times larger than that of a hundred workbooks.
They are kept in a private temporary SQLite database instead (``sqlite3`` itself, no other
layer): its pages stay in a cache of a few megabytes and go, beyond it, to a temporary file that
only this process sees and that is deleted when the store is closed or collected.

Merging a file reads the units of its own respondents only (``units``) and writes back what it
changed (``save``). The reports read the answers again whenever they need them: by action
(``StoredAnswers``, an ``AnswerSource`` of the consolidation), and by respondent for the rows of
the consolidated workbook (``StoredLines``).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from datetime import datetime
from itertools import groupby
from sys import intern
from typing import TypeVar, overload

from sradar_desktop.domain.consolidation import Given, IndicatorFigure, RespondentAnswer, is_given
from sradar_desktop.domain.merge import Stamped
from sradar_desktop.domain.numbers import counted
from sradar_desktop.domain.plan import Plan
from sradar_desktop.errors import UserError
from sradar_desktop.workbook import format as fmt

AnswerKey = tuple[str, str]
ValueKey = tuple[str, str, int]
_CACHE_KIB = 4096  # of pages kept in memory; the rest in the temporary file
_PAGE = 16384  # bytes: a comment mostly on its row's page, fewer reads of the file
_CHUNK = 500  # respondents asked for at once (within SQLite's oldest limit on parameters, 999)

_SCHEMA = """
CREATE TABLE answer (
    campaign INTEGER NOT NULL, respondent TEXT NOT NULL, action TEXT NOT NULL,
    status TEXT, comment TEXT, at TEXT NOT NULL, author TEXT NOT NULL,
    to_confirm INTEGER NOT NULL,
    UNIQUE (campaign, respondent, action)
);
CREATE TABLE value (
    campaign INTEGER NOT NULL, respondent TEXT NOT NULL, action TEXT NOT NULL,
    position INTEGER NOT NULL, target TEXT, achieved TEXT, at TEXT NOT NULL,
    author TEXT NOT NULL,
    UNIQUE (campaign, respondent, action, position)
);
-- The same, copied in the order the reports read them (``MergeStore.by_action``).
CREATE TABLE answer_by_action (
    campaign INTEGER NOT NULL, action TEXT NOT NULL, respondent TEXT NOT NULL,
    status TEXT, comment TEXT, at TEXT NOT NULL, author TEXT NOT NULL,
    to_confirm INTEGER NOT NULL,
    PRIMARY KEY (campaign, action, respondent)
) WITHOUT ROWID;
CREATE TABLE value_by_indicator (
    campaign INTEGER NOT NULL, action TEXT NOT NULL, position INTEGER NOT NULL,
    respondent TEXT NOT NULL, target TEXT, achieved TEXT, to_confirm INTEGER NOT NULL,
    PRIMARY KEY (campaign, action, position, respondent)
) WITHOUT ROWID;
CREATE TABLE line (
    campaign INTEGER NOT NULL, seq INTEGER NOT NULL,
    answer_count INTEGER NOT NULL, answers BLOB NOT NULL,
    value_count INTEGER NOT NULL, "values" BLOB NOT NULL,
    PRIMARY KEY (campaign, seq)
);
"""


def _from_row(first: str | None, second: str | None, at: str, author: str) -> Stamped:
    return Stamped((first, second), datetime.fromisoformat(at), intern(author))


class StoreUnwritableError(UserError):
    """The store's temporary file cannot be written (its disk full or failing): not one file's
    fault, the whole consolidation stops."""


def temporary_folder() -> str:
    """The folder where SQLite puts the store's temporary file, looked up as SQLite does (not
    always Python's: on Linux SQLite prefers /var/tmp to /tmp, on Windows TMP to TEMP)."""
    if sys.platform == "win32":
        import ctypes

        buffer = ctypes.create_unicode_buffer(1024)
        if ctypes.windll.kernel32.GetTempPathW(len(buffer), buffer):  # type: ignore[attr-defined]
            return buffer.value.rstrip("\\") or buffer.value
        return tempfile.gettempdir()
    candidates = [os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR")]
    for folder in [*candidates, "/var/tmp", "/usr/tmp", "/tmp", "."]:
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return tempfile.gettempdir()


@contextlib.contextmanager
def _said() -> Iterator[None]:
    """The temporary file's disk full (or failing) said in French: it is the system's folder of
    temporary files, not the one the user chose for the workbook."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
            raise
        raise StoreUnwritableError(
            "La consolidation n'a pas pu garder les réponses fusionnées dans le dossier des "
            f"fichiers temporaires ({temporary_folder()}) : son disque est plein ou "
            "illisible. Libérez de la place sur ce disque, puis réessayez."
        ) from error


class MergeStore:
    """The merged units (answers and indicator values with their stamps) of every campaign of
    a consolidation, each campaign by its number."""

    def __init__(self) -> None:
        # The reports may be written by another thread than the one that merged: one
        # connection, used by one thread at a time.
        self._connection = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._by_action: set[int] = set()  # campaigns whose copies by action are current
        self._kept: dict[int, set[str]] = {}  # by campaign, the respondents with units kept
        self._connection.executescript(
            f"PRAGMA page_size = {_PAGE}; PRAGMA cache_size = -{_CACHE_KIB};"
            "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;" + _SCHEMA
        )

    def close(self) -> None:
        self._connection.close()

    def _rows(self, sql: str, parameters: Sequence[object]) -> list[tuple]:
        with self._lock, _said():
            return self._connection.execute(sql, parameters).fetchall()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Writes that are kept all together, or not at all."""
        with self._lock, _said():
            self._connection.execute("BEGIN")
            try:
                yield self._connection
            except BaseException:
                if self._connection.in_transaction:  # SQLite ends it itself on a full disk
                    self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def _each(self, sql: str, parameters: Sequence[object]) -> Iterator[tuple]:
        """The rows of a query read a block at a time (a hundred thousand of them, with their
        comments, are never all in memory)."""
        with self._lock, _said():
            cursor = self._connection.execute(sql, parameters)
            block = cursor.fetchmany(256)
        while block:
            yield from block
            with self._lock, _said():
                block = cursor.fetchmany(256)

    def units(
        self, campaign: int, respondents: Iterable[str]
    ) -> tuple[dict[AnswerKey, Stamped], dict[ValueKey, Stamped], set[AnswerKey]]:
        """What is merged so far for these respondents: their answers, their indicator values,
        and which answers are carried forward and not confirmed yet."""
        answers: dict[AnswerKey, Stamped] = {}
        values: dict[ValueKey, Stamped] = {}
        to_confirm: set[AnswerKey] = set()
        # A respondent with nothing kept yet (a service's first file) is not looked for.
        codes = sorted(self._kept.get(campaign, set()).intersection(respondents))
        for start in range(0, len(codes), _CHUNK):
            chunk = codes[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for respondent, action, status, comment, at, author, carried in self._rows(
                "SELECT respondent, action, status, comment, at, author, to_confirm FROM answer "
                f"WHERE campaign = ? AND respondent IN ({marks})",
                [campaign, *chunk],
            ):
                key = (intern(respondent), intern(action))
                answers[key] = _from_row(status, comment, at, author)
                if carried:
                    to_confirm.add(key)
            for respondent, action, position, target, achieved, at, author in self._rows(
                "SELECT respondent, action, position, target, achieved, at, author FROM value "
                f"WHERE campaign = ? AND respondent IN ({marks})",
                [campaign, *chunk],
            ):
                key3 = (intern(respondent), intern(action), position)
                values[key3] = _from_row(target, achieved, at, author)
        return answers, values, to_confirm

    def save(
        self,
        campaign: int,
        answers: Mapping[AnswerKey, Stamped],
        values: Mapping[ValueKey, Stamped],
        to_confirm: Set[AnswerKey],
    ) -> None:
        """Keep these answers and values, in place of those of the same keys."""
        self._by_action.discard(campaign)
        with self._transaction() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO answer VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (campaign, r, a, *s.value, s.at.isoformat(), s.by, (r, a) in to_confirm)
                    for (r, a), s in answers.items()
                ],
            )
            connection.executemany(
                "INSERT OR REPLACE INTO value VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (campaign, r, a, p, *s.value, s.at.isoformat(), s.by)
                    for (r, a, p), s in values.items()
                ],
            )
        kept = self._kept.setdefault(campaign, set())
        kept.update(respondent for respondent, _ in answers)
        kept.update(respondent for respondent, _, _ in values)

    def by_action(self, campaign: int) -> None:
        """Copy the campaign's answers and values in the order of the actions, once merged:
        the reports read them action by action, and each action's are then read in one
        stretch of the file, not gathered from every respondent's place."""
        if campaign in self._by_action:
            return
        with self._transaction() as connection:
            for table in ("answer_by_action", "value_by_indicator"):
                connection.execute(f"DELETE FROM {table} WHERE campaign = ?", (campaign,))
            connection.execute(
                "INSERT INTO answer_by_action SELECT campaign, action, respondent, status, "
                "comment, at, author, to_confirm FROM answer WHERE campaign = ? "
                "ORDER BY action, respondent",
                (campaign,),
            )
            connection.execute(
                "INSERT INTO value_by_indicator SELECT v.campaign, v.action, v.position, "
                "v.respondent, v.target, v.achieved, coalesce(a.to_confirm, 0) FROM value v "
                "LEFT JOIN answer a ON a.campaign = v.campaign "
                "AND a.respondent = v.respondent AND a.action = v.action "
                "WHERE v.campaign = ? ORDER BY v.action, v.position, v.respondent",
                (campaign,),
            )
        self._by_action.add(campaign)

    def respondents(self, campaign: int) -> list[str]:
        """The respondents with an answer or an indicator value, in the order of their codes."""
        return [
            r
            for (r,) in self._rows(
                "SELECT respondent FROM answer WHERE campaign = ? UNION "
                "SELECT respondent FROM value WHERE campaign = ? ORDER BY 1",
                (campaign, campaign),
            )
        ]

    def each_answer(self, campaign: int) -> Iterator[tuple[str, str, Stamped, bool]]:
        """Every answer (respondent, action code, stamped value, to confirm), by respondent."""
        for respondent, action, status, comment, at, author, carried in self._each(
            "SELECT respondent, action, status, comment, at, author, to_confirm FROM answer "
            "WHERE campaign = ? ORDER BY respondent",
            (campaign,),
        ):
            yield respondent, action, _from_row(status, comment, at, author), bool(carried)

    def each_value(self, campaign: int) -> Iterator[tuple[str, str, int, Stamped]]:
        """Every indicator value (respondent, action code, position, stamped value), by
        respondent."""
        for respondent, action, position, target, achieved, at, author in self._each(
            "SELECT respondent, action, position, target, achieved, at, author FROM value "
            "WHERE campaign = ? ORDER BY respondent",
            (campaign,),
        ):
            yield respondent, action, position, _from_row(target, achieved, at, author)

    def write_lines(self, campaign: int, plan: Plan) -> None:
        """Make the rows of a workbook of every merged respondent (``fmt.respondent_lines``),
        once: each respondent's answers' rows, and its values', as one record each (``marshal``),
        which ``StoredLines`` reads back for each of the workbook's passes over them."""
        batch: list[tuple[int, int, int, bytes, int, bytes]] = []
        with self._transaction() as connection:
            connection.execute("DELETE FROM line WHERE campaign = ?", (campaign,))
        joined = _by_respondent(
            self.respondents(campaign), self.each_answer(campaign), self.each_value(campaign)
        )
        for seq, (respondent, answers, values) in enumerate(joined):
            lines = fmt.respondent_lines(
                plan,
                respondent,
                {(r, a): stamped for r, a, stamped, _ in answers},
                {(r, a, p): stamped for r, a, p, stamped in values},
                to_confirm={(r, a) for r, a, _, carried in answers if carried},
            )
            if lines is None:
                continue
            answer_lines, value_lines = lines
            batch.append(
                (
                    campaign,
                    seq,
                    len(answer_lines),
                    marshal.dumps([_plain(line) for line in answer_lines]),
                    len(value_lines),
                    marshal.dumps([_plain(line) for line in value_lines]),
                )
            )
            if len(batch) == 64:
                self._insert_lines(batch)
        self._insert_lines(batch)

    def _insert_lines(self, batch: list[tuple[int, int, int, bytes, int, bytes]]) -> None:
        with self._transaction() as connection:
            connection.executemany("INSERT INTO line VALUES (?, ?, ?, ?, ?, ?)", batch)
        batch.clear()


class StoredAnswers:
    """One campaign's merged answers as the consolidation reads them (``AnswerSource``)."""

    def __init__(
        self, store: MergeStore, campaign: int, plan: Plan, labels: Mapping[str, str]
    ) -> None:
        self.store = store
        self.campaign = campaign
        self.labels = labels
        self.kinds = plan.indicator_kinds()

    def action_answers(self, code: str) -> Iterator[RespondentAnswer]:
        # Answers carried forward and not confirmed yet are not answers of this campaign:
        # shown with their mark, counted apart, as the database's consolidation does. A blank
        # answer is no answer.
        self.store.by_action(self.campaign)
        for respondent, status, comment, at, author, carried in self.store._rows(
            "SELECT respondent, status, comment, at, author, to_confirm FROM answer_by_action "
            "WHERE campaign = ? AND action = ? "
            "AND (status IS NOT NULL OR trim(coalesce(comment, '')) != '' OR to_confirm) "
            "ORDER BY respondent",
            (self.campaign, code),
        ):
            if not is_given(status, comment, carried):
                continue  # blank but for characters SQLite's trim keeps (Python's strip not)
            yield RespondentAnswer(
                respondent,
                self.labels.get(respondent, respondent),
                status,
                comment or "",
                datetime.fromisoformat(at),
                author,
                bool(carried),
            )

    def indicator_figures(self, code: str, position: int) -> Iterator[IndicatorFigure]:
        kind = self.kinds[(code, position)]

        self.store.by_action(self.campaign)
        for respondent, target, achieved, carried in self.store._rows(
            "SELECT respondent, target, achieved, to_confirm FROM value_by_indicator "
            "WHERE campaign = ? AND action = ? AND position = ? ORDER BY respondent",
            (self.campaign, code, position),
        ):
            target_number, achieved_number = counted(target, kind), counted(achieved, kind)
            if target_number is None and achieved_number is None:
                continue
            yield IndicatorFigure(
                respondent,
                self.labels.get(respondent, respondent),
                target_number,
                achieved_number,
                bool(carried),
            )

    def respondents(self) -> Iterator[tuple[str, list[Given]]]:
        # A respondent whose answers are all blank (cleared by a later file) and who gave no
        # indicator value is in no roster, as in memory (unless expected).
        store, campaign = self.store, self.campaign
        answers = store._each(
            "SELECT respondent, action, status, comment, at, to_confirm FROM answer "
            "WHERE campaign = ? ORDER BY respondent",
            (campaign,),
        )
        valued = store._each(
            "SELECT DISTINCT respondent FROM value WHERE campaign = ? ORDER BY respondent",
            (campaign,),
        )
        for respondent, rows, values in _by_respondent(
            store.respondents(campaign), answers, valued
        ):
            given: list[Given] = [
                (action, status, bool(carried), datetime.fromisoformat(at))
                for _, action, status, comment, at, carried in rows
                if is_given(status, comment, carried)
            ]
            if given or values:
                yield respondent, given


def _by_respondent(respondents: Iterable[str], *streams: Iterable[tuple]) -> Iterator[tuple]:
    """Each of ``respondents`` (in the order of their codes) with its rows of each stream, the
    streams' rows sorted by respondent (their first field): ``(respondent, rows of the first,
    rows of the second…)``, one respondent held at a time."""
    grouped = [groupby(stream, key=lambda row: row[0]) for stream in streams]
    following = [next(group, None) for group in grouped]
    for respondent in respondents:
        rows: list[list[tuple]] = []
        for index, group in enumerate(grouped):
            head = following[index]
            if head is not None and head[0] == respondent:
                rows.append(list(head[1]))
                following[index] = next(group, None)
            else:
                rows.append([])
        yield (respondent, *rows)


_Line = TypeVar("_Line", fmt.AnswerLine, fmt.IndicatorLine)


class StoredLines(Sequence[_Line]):
    """Rows of a workbook of every merged respondent, read from the store whenever they are
    read (``MergeStore.write_lines`` made them, respondent by respondent): the answers' rows
    (``values=False``) or the indicator values'. Read in order, as the workbook's writer
    does: an index is found by reading up to it."""

    def __init__(self, store: MergeStore, campaign: int, *, values: bool) -> None:
        self.store = store
        self.campaign = campaign
        self.values = values

    def __iter__(self) -> Iterator[_Line]:
        make = fmt.IndicatorLine if self.values else fmt.AnswerLine
        column = '"values"' if self.values else "answers"
        at = _AT[self.values]
        when = datetime.fromisoformat
        for (record,) in self.store._each(
            f"SELECT {column} FROM line WHERE campaign = ? ORDER BY seq", (self.campaign,)
        ):
            for line in marshal.loads(record):
                if line[at] is not None:
                    line[at] = when(line[at])
                yield make(*line)  # type: ignore[misc]

    def __len__(self) -> int:
        column = "value_count" if self.values else "answer_count"
        return self.store._rows(
            f"SELECT coalesce(sum({column}), 0) FROM line WHERE campaign = ?", (self.campaign,)
        )[0][0]

    @overload
    def __getitem__(self, index: int) -> _Line: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[_Line]: ...

    def __getitem__(self, index: int | slice) -> _Line | Sequence[_Line]:
        return tuple(self)[index]

    def __reversed__(self) -> Iterator[_Line]:
        return reversed(tuple(self))

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        return tuple(self).index(value, start, len(self) if stop is None else stop)


def _plain(line: fmt.AnswerLine | fmt.IndicatorLine) -> list[object]:
    """A row as ``marshal`` keeps it: plain values, its time as text."""
    row: list[object] = list(line)
    if line.at is not None:
        row[_AT[isinstance(line, fmt.IndicatorLine)]] = line.at.isoformat()
    return row


# Where a row's time is, in an answer's row and in an indicator value's.
_AT = (fmt.AnswerLine._fields.index("at"), fmt.IndicatorLine._fields.index("at"))
