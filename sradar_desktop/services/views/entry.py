"""The entry as the window shows it: the plan's rows with one respondent's answers, filters
and search, progress per objective and theme, the status keys, and the audit trail in French
sentences. Plain objects, kept up to date by the answer engine; no database, no Qt."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

from sradar_desktop.domain.answers import (
    SOURCE_CARRY,
    SOURCE_CONFIRM,
    SOURCE_IMPORT,
    SOURCE_UNDO,
    AnswerState,
    HistoryEntry,
)
from sradar_desktop.domain.dates import short_datetime
from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.domain.numbers import format_decimal
from sradar_desktop.domain.plan import (
    Action,
    IndicatorKind,
    Plan,
    pilots_include,
)
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import fold, search_key, shorten

# --------------------------------------------------------------------------------------------
# The plan's rows with their answers


@dataclass(eq=False)
class EntryRow:
    """One action of the plan with the respondent's current answer (kept up to date)."""

    row: int
    action: Action
    objective_index: int
    theme_index: int
    mine: bool
    status: str | None = None
    comment: str = ""
    targets: list[str | None] = field(default_factory=list)
    achieved: list[str | None] = field(default_factory=list)
    # Carried forward from the previous campaign, not confirmed yet: shown, not counted.
    to_confirm: bool = False
    _static_key: str = ""
    _comment_key: str = ""

    @property
    def code(self) -> str:
        return self.action.code

    @property
    def answered(self) -> bool:
        return self.status is not None and not self.to_confirm

    @property
    def counted_status(self) -> str | None:
        """The status progress counts: none while a carried answer waits for confirmation."""
        return None if self.to_confirm else self.status

    @property
    def indicators_total(self) -> int:
        return len(self.action.indicators)

    @property
    def indicators_filled(self) -> int:
        """Indicators whose achieved value is entered."""
        return sum(value is not None for value in self.achieved)

    def search_key(self) -> str:
        return self._static_key + "\n" + self._comment_key


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.answered == self.total

    def changed(self, old: str | None, new: str | None) -> Progress:
        """The progress after one action's answer went from ``old`` to ``new``."""
        counts = dict(self.by_status)
        if old is not None:
            counts[old] = counts.get(old, 0) - 1
        if new is not None:
            counts[new] = counts.get(new, 0) + 1
        answered = self.answered - (old is not None) + (new is not None)
        return Progress(answered, self.total, counts)


MINE: Final = "\x00mine"  # pilot filter: the actions the respondent's service pilots


@dataclass(frozen=True)
class EntryFilter:
    """What the table shows. Every criterion given must hold."""

    text: str = ""
    unanswered_only: bool = False
    status: str | None = None
    objective: int | None = None
    theme: int | None = None
    pilot: str | None = None  # a pilot's name, or MINE

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(search_key(self.text).split())

    @property
    def active(self) -> bool:
        return bool(
            self.words
            or self.unanswered_only
            or self.status
            or self.objective is not None
            or self.theme is not None
            or self.pilot
        )


@dataclass(frozen=True)
class ThemeInfo:
    index: int
    objective_index: int
    code: str
    title: str


class EntrySheet:
    """The rows of a plan with one respondent's answers, as the entry window shows them.

    Plain Python (no Qt, no database): the window changes it as the agent answers, the tests
    read it, the filters and progress counts are computed from it.
    """

    def __init__(
        self, plan: Plan, answers: dict[str, AnswerState], respondent_code: str | None = None
    ) -> None:
        self.plan = plan
        self.respondent_code = respondent_code
        self.rows: list[EntryRow] = []
        self.themes: list[ThemeInfo] = []
        mine_by_pilots: dict[tuple[str, ...], bool] = {}
        for o_index, objective in enumerate(plan.objectives):
            for theme in objective.themes:
                t_index = len(self.themes)
                self.themes.append(ThemeInfo(t_index, o_index, theme.code, theme.title))
                for action in theme.actions:
                    mine = mine_by_pilots.get(action.pilots)
                    if mine is None:
                        mine = bool(respondent_code) and pilots_include(
                            action.pilots, respondent_code or ""
                        )
                        mine_by_pilots[action.pilots] = mine
                    entry = EntryRow(
                        row=len(self.rows),
                        action=action,
                        objective_index=o_index,
                        theme_index=t_index,
                        mine=mine,
                        targets=[None] * len(action.indicators),
                        achieved=[None] * len(action.indicators),
                        _static_key=search_key(f"{action.code}\n{action.text}"),
                    )
                    state = answers.get(action.code)
                    if state is not None:
                        entry.status = state.status
                        entry.to_confirm = state.to_confirm
                        entry.comment = state.comment or ""
                        entry._comment_key = search_key(entry.comment)
                        for position, value in state.indicators.items():
                            if 0 <= position < len(action.indicators):
                                entry.targets[position] = value.target
                                entry.achieved[position] = value.achieved
                    self.rows.append(entry)
        self.by_code = {entry.code: entry for entry in self.rows}
        self.pilots = sorted(
            {pilot for entry in self.rows for pilot in entry.action.pilots}, key=fold
        )
        self.has_mine = any(entry.mine for entry in self.rows)
        # The actions to answer: those the service pilots, or all when it pilots none.
        self.scope: list[EntryRow] = (
            [entry for entry in self.rows if entry.mine] if self.has_mine else self.rows
        )
        self._counts = self._count()

    # -- changes ----------------------------------------------------------------------------

    def set_status(self, code: str, status: str | None) -> None:
        if status is not None and status not in self.plan.scale.codes:
            raise ValueError(f"« {status} » n'est pas une réponse possible")
        entry = self.by_code[code]
        old = entry.counted_status
        entry.status, entry.to_confirm = status, False
        self._recount(entry, old)

    def confirm(self, code: str) -> None:
        """A carried answer confirmed unchanged (any edit confirms it too)."""
        entry = self.by_code[code]
        old = entry.counted_status
        entry.to_confirm = False
        self._recount(entry, old)

    def _recount(self, entry: EntryRow, old: str | None) -> None:
        new = entry.counted_status
        if old == new or not (entry.mine or not self.has_mine):
            return
        # Counts follow the change (a plan of 5,000 actions is not counted again per key).
        keys = [("all", -1), ("objective", entry.objective_index), ("theme", entry.theme_index)]
        for key in keys:
            progress = self._counts.get(key)
            if progress is not None:
                self._counts[key] = progress.changed(old, new)

    def set_comment(self, code: str, comment: str) -> None:
        entry = self.by_code[code]
        entry.comment = comment
        entry._comment_key = search_key(comment)
        self.confirm(code)

    def set_indicator(self, code: str, position: int, which: str, value: str | None) -> None:
        entry = self.by_code[code]
        values = entry.targets if which == Field.TARGET else entry.achieved
        values[position] = value
        self.confirm(code)

    def value(self, key: FieldKey) -> object:
        """The value of one field as shown (``True`` for a confirmation)."""
        entry = self.by_code[key.code]
        if key.field is Field.CONFIRM:
            return True
        if key.field is Field.STATUS:
            return entry.status
        if key.field is Field.COMMENT:
            return entry.comment
        values = entry.targets if key.field is Field.TARGET else entry.achieved
        return values[key.position or 0]

    def put(self, key: FieldKey, value: object) -> None:
        """Show ``value`` in one field (any change of a carried answer confirms it)."""
        if key.field is Field.CONFIRM:
            self.confirm(key.code)
        elif key.field is Field.STATUS:
            self.set_status(key.code, str(value) if value else None)
        elif key.field is Field.COMMENT:
            self.set_comment(key.code, str(value or ""))
        else:
            stored = None if value is None else str(value)
            self.set_indicator(key.code, key.position or 0, key.field, stored)

    # -- what to answer ---------------------------------------------------------------------

    def _count(self) -> dict[tuple[str, int], Progress]:
        groups: dict[tuple[str, int], list[EntryRow]] = {("all", -1): self.scope}
        for entry in self.scope:
            groups.setdefault(("objective", entry.objective_index), []).append(entry)
            groups.setdefault(("theme", entry.theme_index), []).append(entry)
        return {key: _progress(rows, self.plan.scale) for key, rows in groups.items()}

    def progress(self) -> Progress:
        """Answered among the actions to answer (``scope``)."""
        return self._counts[("all", -1)]

    def tree_progress(self) -> dict[tuple[str, int], Progress]:
        """Progress per objective (``("objective", i)``) and theme (``("theme", i)``)."""
        return self._counts

    # -- filters and navigation -------------------------------------------------------------

    def matcher(self, criteria: EntryFilter) -> Callable[[int], bool]:
        """A fast test of one row against ``criteria`` (called for every row on a keystroke)."""
        rows = self.rows
        words = criteria.words
        checks: list[Callable[[EntryRow], bool]] = []
        if criteria.unanswered_only:
            checks.append(lambda e: not e.answered)
        elif criteria.status:
            wanted = criteria.status
            checks.append(lambda e: e.status == wanted)
        if criteria.theme is not None:
            theme = criteria.theme
            checks.append(lambda e: e.theme_index == theme)
        elif criteria.objective is not None:
            objective = criteria.objective
            checks.append(lambda e: e.objective_index == objective)
        if criteria.pilot == MINE:
            checks.append(lambda e: e.mine)
        elif criteria.pilot:
            pilot = criteria.pilot
            checks.append(lambda e: pilot in e.action.pilots)
        if len(words) == 1:
            (word,) = words
            checks.append(lambda e: word in e._static_key or word in e._comment_key)
        elif words:
            checks.append(lambda e: all(w in e._static_key or w in e._comment_key for w in words))
        if not checks:
            return lambda row: True
        if len(checks) == 1:
            (check,) = checks
            return lambda row: check(rows[row])
        if len(checks) == 2:
            first, second = checks
            return lambda row: first(rows[row]) and second(rows[row])
        return lambda row: all(check(rows[row]) for check in checks)

    def matching(self, criteria: EntryFilter) -> list[int]:
        test = self.matcher(criteria)
        return [row for row in range(len(self.rows)) if test(row)]

    @staticmethod
    def next_unanswered(
        ordered: Iterable[EntryRow], after: EntryRow | None, *, wrap: bool = True
    ) -> EntryRow | None:
        """The first unanswered row after ``after`` in ``ordered`` (then from the start)."""
        ordered = list(ordered)
        start = 0
        if after is not None:
            for position, entry in enumerate(ordered):
                if entry is after:
                    start = position + 1
                    break
        candidates = ordered[start:] + (ordered[:start] if wrap else [])
        return next((e for e in candidates if not e.answered and e is not after), None)


def _progress(rows: Iterable[EntryRow], scale: Scale) -> Progress:
    counts = dict.fromkeys(scale.codes, 0)
    total = 0
    for entry in rows:
        total += 1
        status = entry.counted_status
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    return Progress(sum(counts.values()), total, counts)


# --------------------------------------------------------------------------------------------
# Keys and words


def status_keys(scale: Scale) -> dict[str, tuple[str, str]]:
    """A digit and a letter per level: oui → (1, O), partiellement → (2, P), non → (3, N),
    nc → (4, C): the first letter of the code not already taken."""
    keys: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for number, level in enumerate(scale.levels[:9], start=1):
        letter = ""
        for char in fold(level.code) + fold(level.label):
            upper = char.upper()
            if upper.isalpha() and upper.isascii() and upper not in taken:
                letter = upper
                break
        taken.add(letter)
        keys[level.code] = (str(number), letter)
    return keys


FIELD_LABELS: Final = {
    "status": "Réalisation",
    "comment": "Commentaire",
    "target": "valeur cible",
    "achieved": "valeur réalisée",
}


@dataclass(frozen=True)
class HistoryLine:
    when: str
    who: str
    what: str
    detail: str


def _value_text(entry: HistoryEntry, value: str | None, scale: Scale, *, short: bool) -> str:
    if value is None or value == "":
        return "(vide)"
    if entry.field == "status":
        try:
            return scale.level(value).label
        except KeyError:
            return value
    if entry.field == "comment":
        return f"« {shorten(value, 60) if short else value} »"
    try:
        return format_decimal(Decimal(value))
    except (InvalidOperation, ValueError):
        return f"« {value} »"


def describe_history(entry: HistoryEntry, scale: Scale) -> HistoryLine:
    """One audit line in French: when (local time), who, what changed from what to what."""
    when = short_datetime(entry.at)
    who = entry.actor or "(inconnu)"
    if entry.source == SOURCE_IMPORT:
        who += " (import)"
    elif entry.source == SOURCE_UNDO:
        who += " (annulation d'import)"
    if entry.field in ("target", "achieved"):
        subject = f"{entry.indicator or 'Indicateur'} — {FIELD_LABELS[entry.field]}"
    else:
        subject = FIELD_LABELS.get(entry.field, entry.field)
    old_short = _value_text(entry, entry.old_value, scale, short=True)
    new_short = _value_text(entry, entry.new_value, scale, short=True)
    what = f"{subject} : {old_short} → {new_short}"
    if entry.source == SOURCE_CARRY:
        what = f"{subject} reprise de l'évaluation précédente : {new_short}"
    elif entry.source == SOURCE_CONFIRM:
        what = f"Réponse reprise confirmée telle quelle ({new_short})"
    detail = (
        f"{subject}\nAvant : {_value_text(entry, entry.old_value, scale, short=False)}"
        f"\nAprès : {_value_text(entry, entry.new_value, scale, short=False)}"
    )
    return HistoryLine(when, who, what, detail)


def indicator_unit(kind: IndicatorKind, unit: str) -> str:
    """The unit shown beside a value: ``%`` for percentages without one."""
    if unit:
        return unit
    return "%" if kind is IndicatorKind.PERCENTAGE else ""
