"""Merging files in memory, for a consolidation that must not touch any database.

The same rules as importing into the database (``domain.merge.decide``: per answer, the latest
change wins, whatever the order of the files; the same file twice counts once; a file with an
error changes nothing), applied to answers held in dictionaries: consolidating hundreds of
workbooks then costs little more than reading them.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sradar_desktop import __version__
from sradar_desktop.domain.consolidation import Consolidation, RespondentAnswer, consolidate
from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.merge import Decision, Stamped, decide
from sradar_desktop.domain.plan import IndicatorKind, Plan
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.services.files.collecting import Expanded, expanded
from sradar_desktop.services.files.incoming import file_digest, read_incoming
from sradar_desktop.services.files.outcomes import FileResult, ImportOutcome
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.format import Incoming
from sradar_desktop.workbook.safety import check_size


@dataclass
class _Campaign:
    plan: Plan
    campaign_id: str
    title: str
    answers: dict[tuple[str, str], Stamped] = field(default_factory=dict)
    values: dict[tuple[str, str, int], Stamped] = field(default_factory=dict)
    received: dict[str, datetime] = field(default_factory=dict)
    # Answers whose winning line is carried forward and not confirmed yet.
    to_confirm: set[tuple[str, str]] = field(default_factory=set)
    period: str = ""
    previous_id: str = ""
    # The due date and the expected services, as the most recently exported file gives them.
    due: date | None = None
    expected: tuple[str, ...] = ()
    return_address: str = ""
    described_at: datetime | None = None
    # The files read, by campaign id (with its title): one campaign per consolidation.
    files: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


class MergeBook:
    """The merged answers of many files, by questionnaire."""

    def __init__(self) -> None:
        self.campaigns: dict[str, _Campaign] = {}
        self.respondents: dict[str, fmt.RespondentInfo] = {}
        self._digests: set[str] = set()

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
        units: list[tuple[dict, tuple, Stamped]] = [
            (merged.answers, (line.respondent, line.action_code), _stamped(line))
            for line in incoming.answers
        ] + [
            (merged.values, (line.respondent, line.action_code, line.position), _stamped(line))
            for line in incoming.indicators
        ]
        for store, key, new in units:
            decision = decide(store.get(key), new, incoming.exported_at)
            decisions[decision] += 1
            if decision.applies:
                store[key] = new
                if store is merged.answers:
                    if key in pending:
                        merged.to_confirm.add(key)
                    else:
                        merged.to_confirm.discard(key)
            elif (
                store is merged.answers
                and key not in pending
                and (current := store.get(key)) is not None
                and current.value == new.value
            ):
                # The same answer confirmed in one file confirms it, whatever the order.
                merged.to_confirm.discard(key)
        for info in incoming.respondents:
            known = self.respondents.get(info.code)
            if known is None or (info.label and not known.label):
                self.respondents[info.code] = info
        codes = {r.code for r in incoming.respondents}
        codes |= {line.respondent for line in incoming.answers}
        codes |= {line.respondent for line in incoming.indicators}
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
        """The merged answers as an exchange workbook's content (every respondent)."""
        codes = sorted({r for r, _ in merged.answers} | {r for r, _, _ in merged.values})
        return fmt.build_content(
            merged.plan,
            campaign_id=merged.campaign_id,
            campaign_title=merged.title,
            respondents=[self.respondents[code] for code in codes],
            answers=merged.answers,
            values=merged.values,
            exported_at=utcnow(),
            app_version=__version__,
            to_confirm=merged.to_confirm,
            campaign_period=merged.period,
            previous_campaign_id=merged.previous_id,
            campaign_due=merged.due,
            expected=merged.expected,
            return_address=merged.return_address,
        )

    def consolidation(self, merged: _Campaign) -> Consolidation:
        labels = {code: info.label or code for code, info in self.respondents.items()}
        kinds = {
            (a.code, position): indicator.kind
            for a in merged.plan.actions()
            for position, indicator in enumerate(a.indicators)
        }

        def number(text: str | None, kind: IndicatorKind) -> Decimal | None:
            return Decimal(text) if text is not None and kind is not IndicatorKind.TEXT else None

        # Answers carried from the previous campaign and not confirmed yet are not answers of
        # this one: shown with their mark, counted apart, as the database's consolidation does.
        carried = merged.to_confirm
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
                for (respondent, code), stamped in merged.answers.items()
                if stamped.value[0] is not None
                or (stamped.value[1] or "").strip()
                or (respondent, code) in carried
            ],
            indicator_values=[
                (
                    respondent,
                    code,
                    position,
                    number(stamped.value[0], kinds[(code, position)]),
                    number(stamped.value[1], kinds[(code, position)]),
                )
                for (respondent, code, position), stamped in merged.values.items()
            ],
            labels=labels,
            expected=list(merged.expected),
            arbitrations={},
            last_imports=dict(merged.received),
        )


def _stamped(line: fmt.AnswerLine | fmt.IndicatorLine) -> Stamped:
    assert line.at is not None
    return Stamped(line.value, line.at, line.by)


# Files are read ahead by a few threads: python-calamine parses a sheet without holding the
# interpreter, so one file is parsed while the previous one is checked and merged. The
# look-ahead is bounded, so that memory does not grow with the number of files.
READERS = max(1, min(4, os.cpu_count() or 1))
_LOOK_AHEAD = 2 * READERS


def _read(item: Expanded) -> tuple[str, Incoming]:
    check_size(item.path, name=item.name)
    return file_digest(item.path), read_incoming(item.path, name=item.name)


def merge_files(
    paths: Iterable[Path],
    *,
    progress: Callable[[int, Path], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[MergeBook, list[FileResult]]:
    """Read and merge files in memory, in their order; a refused file is reported and the
    others merged. A saved message gives its attached workbooks (``services.files.collecting``)."""
    book = MergeBook()
    results = []
    with expanded(paths) as items:
        upcoming = iter(items)
        reading: deque[tuple[Expanded, Future[tuple[str, Incoming]] | None]] = deque()
        with ThreadPoolExecutor(READERS, thread_name_prefix="lecture") as pool:

            def read_ahead() -> None:
                while len(reading) < _LOOK_AHEAD:
                    item = next(upcoming, None)
                    if item is None:
                        return
                    future = pool.submit(_read, item) if item.error is None else None
                    reading.append((item, future))

            read_ahead()
            index = 0
            try:
                while reading:
                    if cancelled is not None and cancelled():
                        break
                    item, future = reading.popleft()
                    if progress is not None:
                        progress(index, item.origin)
                    index += 1
                    try:
                        if future is None:
                            assert item.error is not None
                            raise item.error
                        digest, incoming = future.result()
                        outcome = book.add(item.name, digest, incoming)
                    except UserError as error:
                        results.append(FileResult(item.origin, error=error, name=item.name))
                    else:
                        if item.source is not None:
                            outcome = replace(outcome, source=item.source.describe())
                        results.append(FileResult(item.origin, outcome=outcome, name=item.name))
                    read_ahead()
            finally:
                # Cancelled, interrupted or failed: the files not yet being read are not read.
                for _, future in reading:
                    if future is not None:
                        future.cancel()
    return book, results
