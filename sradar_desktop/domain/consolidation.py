"""Consolidating a campaign: what each action's respondents said, and what it adds up to.

The synthesis rule (the same in the app, the workbook and the PDF):

- statuses « nc » (non communiqué / non concerné) say nothing about the action and are set
  aside when other respondents gave a real answer;
- every known answer is « oui » → **oui**; every one is « non » → **non**; every one is
  « partiellement » → **partiellement**;
- any mix of « oui », « partiellement » and « non » → **partiellement** (done somewhere, not
  everywhere);
- nobody answered, or only « nc » → **nc**.

An arbitrated status, set by the secretariat with its reason, replaces the synthesis in every
output. Indicator ratios are computed from the totals (achieved total / target total), never by
averaging the respondents' ratios; without a target the ratio is unknown.

An answer carried forward from the previous campaign and not confirmed yet by its service is
shown with its value and the mark « à confirmer », and counted apart: it is in no synthesis, no
distribution, no total and no count of answered actions. An action one of whose answers awaits
its confirmation is itself **à confirmer** (``TO_CONFIRM``) until that service confirms or
changes it, or the secretariat arbitrates: its retained status is not known yet.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, Protocol, TypeVar, overload

from sradar_desktop.domain.plan import (
    Action,
    IndicatorKind,
    Objective,
    Plan,
    Theme,
    pilots_include,
)
from sradar_desktop.domain.scale import Scale, ScaleLevel
from sradar_desktop.domain.text import plural

NC = "nc"
# The standing of an action while one of its answers, carried forward, awaits confirmation:
# not a status of the scale, shown in words (``TO_CONFIRM_LABEL``) and counted apart.
TO_CONFIRM = "à confirmer"
TO_CONFIRM_LABEL = "À confirmer"
# Words on a pale blue, never the colour alone.
TO_CONFIRM_COLOUR = "#cfdef5"
TO_CONFIRM_LEVEL = ScaleLevel(
    TO_CONFIRM,
    TO_CONFIRM_LABEL,
    TO_CONFIRM_COLOUR,
    "Une réponse reprise de l'évaluation précédente attend la confirmation de son service : "
    "le statut de l'action n'est pas encore connu.",
)
SYNTHESIS_RULE = (
    "Synthèse par action : « oui » si toutes les réponses connues sont « oui », « non » si "
    "toutes sont « non », « partiellement » si toutes sont « partiellement » ou si elles "
    "diffèrent ; les réponses « nc » sont écartées quand d'autres répondants ont répondu ; "
    "sans réponse connue, « nc ». Un statut arbitré par le secrétariat remplace la synthèse. "
    "Une réponse reprise de l'évaluation précédente et pas encore confirmée par son service "
    "n'entre dans aucun compte : l'action reste « à confirmer » jusqu'à sa confirmation."
)


def synthesis(statuses: Iterable[str | None]) -> str:
    """The synthesis status of an action from its respondents' statuses (rule above)."""
    known = {s for s in statuses if s is not None and s != NC}
    if not known:
        return NC
    if len(known) == 1:
        return next(iter(known))
    return "partiellement"


class RespondentAnswer(NamedTuple):
    respondent: str
    label: str
    status: str | None
    comment: str
    at: datetime | None
    by: str
    # Carried forward from the previous campaign, not confirmed yet: shown, never counted.
    to_confirm: bool = False


@dataclass(frozen=True)
class Arbitration:
    status: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ActionResult:
    objective: Objective
    theme_code: str
    theme_title: str
    action: Action
    answers: tuple[RespondentAnswer, ...]
    synthesis: str
    arbitration: Arbitration | None = None

    @property
    def confirmed(self) -> tuple[RespondentAnswer, ...]:
        """The answers given (or confirmed) in this campaign: the ones every figure counts."""
        return tuple(a for a in self.answers if not a.to_confirm)

    @property
    def awaiting(self) -> tuple[RespondentAnswer, ...]:
        """The answers carried forward whose service has not confirmed them yet."""
        return tuple(a for a in self.answers if a.to_confirm)

    @property
    def to_confirm(self) -> bool:
        """Not arbitrated, and a carried status still awaits its confirmation."""
        return self.arbitration is None and any(a.status is not None for a in self.awaiting)

    @property
    def answered(self) -> bool:
        """A status is known for this campaign: arbitrated, or given or confirmed by someone."""
        return self.arbitration is not None or (
            not self.to_confirm and any(a.status is not None for a in self.answers)
        )

    @property
    def final(self) -> str:
        """The standing every output shows: the arbitrated status if any, ``TO_CONFIRM`` while
        a carried answer awaits confirmation, else the synthesis."""
        if self.arbitration:
            return self.arbitration.status
        return TO_CONFIRM if self.to_confirm else self.synthesis

    @property
    def distribution(self) -> Counter[str]:
        """How many respondents gave (or confirmed) each status."""
        return Counter(a.status for a in self.confirmed if a.status is not None)

    @property
    def comments(self) -> list[RespondentAnswer]:
        return [a for a in self.answers if a.comment.strip()]


@dataclass(frozen=True)
class StatusCounts:
    """Counts of each final status over a set of actions (``TO_CONFIRM`` among them), with
    shares."""

    counts: dict[str, int]
    total: int

    def share(self, status: str) -> Decimal | None:
        if not self.total:
            return None
        return Decimal(self.counts.get(status, 0)) / Decimal(self.total)

    @property
    def to_confirm(self) -> int:
        """Actions awaiting the confirmation of a carried answer."""
        return self.counts.get(TO_CONFIRM, 0)

    @property
    def answered(self) -> int:
        """Actions with a known status (anything but « nc », and not awaiting confirmation)."""
        return self.total - self.counts.get(NC, 0) - self.to_confirm


def count_statuses(results: Iterable[ActionResult], scale: Scale) -> StatusCounts:
    return _count((r.final for r in results), scale)


def _count(finals: Iterable[str], scale: Scale) -> StatusCounts:
    counter = Counter(finals)
    counts = {code: counter.get(code, 0) for code in scale.codes}
    if counter.get(TO_CONFIRM):
        counts[TO_CONFIRM] = counter[TO_CONFIRM]
    return StatusCounts(counts, sum(counter.values()))


def counted_levels(counts: StatusCounts, scale: Scale) -> tuple[ScaleLevel, ...]:
    """The columns of a count, each with its word and colour: the scale's statuses, then
    « à confirmer » when some actions await a confirmation."""
    return (*scale.levels, TO_CONFIRM_LEVEL) if counts.to_confirm else scale.levels


def status_label(scale: Scale, status: str | None) -> str:
    """The scale's word for ``status`` (« À confirmer » for ``TO_CONFIRM``; the code itself when
    the scale does not know it)."""
    if status is None:
        return ""
    if status == TO_CONFIRM:
        return TO_CONFIRM_LABEL
    try:
        return scale.level(status).label
    except KeyError:
        return status


def ratio(achieved: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Achieved / target, unknown without a (non-zero) target or an achieved value."""
    if achieved is None or target is None or target == 0:
        return None
    return achieved / target


class IndicatorFigure(NamedTuple):
    respondent: str
    label: str
    target: Decimal | None
    achieved: Decimal | None
    # Carried forward with its answer, not confirmed yet: shown, never in the totals.
    to_confirm: bool = False

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.achieved, self.target)


@dataclass(frozen=True)
class IndicatorResult:
    action: Action
    position: int
    rows: tuple[IndicatorFigure, ...]

    @property
    def label(self) -> str:
        return self.action.indicators[self.position].label

    @property
    def unit(self) -> str:
        return self.action.indicators[self.position].unit

    @property
    def kind(self) -> IndicatorKind:
        return self.action.indicators[self.position].kind

    def _total(self, values: Iterable[Decimal | None]) -> Decimal | None:
        known = [v for v in values if v is not None]
        return sum(known, Decimal(0)) if known else None

    @property
    def confirmed(self) -> tuple[IndicatorFigure, ...]:
        """The figures the totals add up: given or confirmed in this campaign."""
        return tuple(r for r in self.rows if not r.to_confirm)

    @property
    def target_total(self) -> Decimal | None:
        return self._total(r.target for r in self.confirmed)

    @property
    def achieved_total(self) -> Decimal | None:
        return self._total(r.achieved for r in self.confirmed)

    @property
    def ratio(self) -> Decimal | None:
        """Achieved total / target total, as the totals are shown."""
        return ratio(self.achieved_total, self.target_total)


# A respondent's states in the roster, in the order they are listed, with their colours (the
# scale's green, orange and red; the blue of « à confirmer »; grey).
ROSTER_STATES = ("complet", "partiel", TO_CONFIRM, "manquant", "sans réponse")
ROSTER_STATE_COLOURS = {
    "complet": "#2e7d32",
    "partiel": "#e65100",
    TO_CONFIRM: "#1f4e9c",
    "manquant": "#c62828",
    "sans réponse": "#616161",
}


@dataclass(frozen=True)
class RosterEntry:
    """Where one respondent stands: expected or not, what it answered, when it came."""

    code: str
    label: str
    expected: bool
    expected_actions: int
    answered_actions: int
    last_change: datetime | None
    last_import: datetime | None
    # Answers carried forward from the previous campaign (with a status, to actions expected
    # of it), not confirmed yet: counted apart, neither answered nor missing.
    to_confirm: int = 0

    @property
    def state(self) -> str:
        if self.answered_actions == 0:
            if self.to_confirm:
                return TO_CONFIRM  # answers carried, none confirmed yet: not missing
            return "manquant" if self.expected else "sans réponse"
        if self.answered_actions < self.expected_actions:
            return "partiel"
        return "complet"

    def late(self, due: date | None) -> bool:
        """Not complete by the due date, or complete only after it."""
        if due is None:
            return False
        if self.state != "complet":
            return date.today() > due
        return self.last_change is not None and self.last_change.date() > due


@dataclass(frozen=True)
class Consolidation:
    plan: Plan
    campaign_id: str
    campaign_title: str
    due_date: date | None
    generated_at: datetime
    # Tuples, or ``Rebuilt`` from the answers kept on disk (``consolidate_from``).
    actions: Sequence[ActionResult]
    indicators: Sequence[IndicatorResult]
    roster: tuple[RosterEntry, ...]
    objective_counts: tuple[tuple[Objective, StatusCounts], ...] = field(default=())
    overall: StatusCounts = field(default_factory=lambda: StatusCounts({}, 0))

    @property
    def respondents(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.roster)


def natural_key(code: str) -> list[object]:
    """``DDETS-44`` before ``DDETS-100``: numbers compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def expected_actions(plan: Plan, respondent: str) -> list[Action]:
    """The actions a respondent is expected to answer: those its service pilots (all actions
    when it pilots none, e.g. a secretariat answering for the whole plan)."""
    piloted = [a for a in plan.actions() if pilots_include(a.pilots, respondent)]
    return piloted or plan.actions()


def is_given(status: str | None, comment: str | None, to_confirm: bool) -> bool:
    """Whether an answer is one to consolidate: a status or a comment given, or carried forward
    and awaiting its confirmation (shown, counted apart). A blank answer is no answer."""
    return status is not None or bool((comment or "").strip()) or to_confirm


def is_answered(status: str | None, to_confirm: bool) -> bool:
    """Whether an action counts as « renseignée »: a status given, or confirmed, in this
    campaign (a carried answer awaiting its confirmation does not count yet)."""
    return status is not None and not to_confirm


@dataclass(frozen=True)
class Completion:
    """Where one respondent stands on the actions it is expected to answer: the one count of
    « renseignées » that the entry window, the command line and the workbooks all give."""

    answered: int
    to_confirm: int  # carried answers (with a status) awaiting their confirmation
    total: int

    def describe(self) -> str:
        """``6 / 47 renseignées ; 5 à confirmer``."""
        text = f"{self.answered} / {self.total} {plural(self.answered, 'renseignée')}"
        return text + (f" ; {self.to_confirm} {TO_CONFIRM}" if self.to_confirm else "")


def completion(
    plan: Plan, respondent: str, answers: Iterable[tuple[str, str | None, bool]]
) -> Completion:
    """``answers``: (action code, status, to confirm) of ``respondent``, one per action."""
    expected = {a.code for a in expected_actions(plan, respondent)}
    answered = to_confirm = 0
    for code, status, carried in answers:
        if code not in expected:
            continue
        if is_answered(status, carried):
            answered += 1
        elif carried and status is not None:
            to_confirm += 1
    return Completion(answered, to_confirm, len(expected))


class AnswerSource(Protocol):
    """Where ``consolidate_from`` reads the answers it adds up: the merged answers of many
    files kept on disk (``services.files.store``). They are read again whenever a result is
    read, so that a consolidation of a thousand files does not hold them all in memory."""

    def action_answers(self, code: str) -> Iterable[RespondentAnswer]:
        """The answers to one action, by respondent (those carried forward among them)."""
        ...

    def indicator_figures(self, code: str, position: int) -> Iterable[IndicatorFigure]:
        """The figures of one indicator, by respondent (neither target nor achieved: left out)."""
        ...

    def respondents(self) -> Iterable[tuple[str, Sequence[Given]]]:
        """Each respondent with an answer or an indicator value, with its answers."""
        ...


# What the roster needs of an answer: its action, its status, carried forward and not
# confirmed yet, and when it was given.
Given = tuple[str, str | None, bool, datetime | None]

_T = TypeVar("_T")


class Rebuilt(Sequence[_T]):
    """Results built again from their source each time one is read (see ``AnswerSource``),
    except the first ones, kept once built while what they hold (``size``: answers, figures)
    stays within ``keep``: a consolidation of a hundred files is then read from its source
    once, and one of thousands holds no more than that."""

    def __init__(
        self, count: int, build: Callable[[int], _T], size: Callable[[_T], int], keep: int
    ) -> None:
        self._count = count
        self._build = build
        self._size = size
        self._room = keep
        self._kept: list[_T] = []
        self._keeping = threading.Lock()  # the window and a writer may read at once

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> _T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[_T]: ...

    def __getitem__(self, index: int | slice) -> _T | Sequence[_T]:
        if isinstance(index, slice):
            return tuple(self._read(i) for i in range(*index.indices(self._count)))
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._read(index % self._count)

    def __iter__(self) -> Iterator[_T]:
        return (self._read(i) for i in range(self._count))

    def _read(self, index: int) -> _T:
        if index < len(self._kept):
            return self._kept[index]
        result = self._build(index)
        with self._keeping:
            if index == len(self._kept) and self._size(result) <= self._room:
                self._room -= self._size(result)
                self._kept.append(result)
        return result


# The answers (and figures) of a consolidation's results kept in memory once read (``Rebuilt``):
# a hundred respondents' answers to a hundred actions; beyond, results are read again.
KEPT_ANSWERS = 12_000


def action_result(
    objective: Objective,
    theme: Theme,
    action: Action,
    answers: Iterable[RespondentAnswer],
    arbitration: Arbitration | None,
) -> ActionResult:
    given = tuple(answers)
    return ActionResult(
        objective,
        theme.code,
        theme.title,
        action,
        given,
        synthesis(a.status for a in given if not a.to_confirm),
        arbitration,
    )


def consolidate_from(
    plan: Plan,
    source: AnswerSource,
    *,
    campaign_id: str,
    campaign_title: str,
    due_date: date | None,
    generated_at: datetime,
    labels: dict[str, str],
    expected: Sequence[str],
    arbitrations: dict[str, Arbitration],
    last_imports: dict[str, datetime],
) -> Consolidation:
    """Everything the secretariat looks at, its results read from ``source`` whenever they are
    read (``Rebuilt``): only the counts, and the roster, are kept."""
    placed = [
        (objective, theme, action)
        for objective in plan.objectives
        for theme in objective.themes
        for action in theme.actions
    ]

    def result(index: int) -> ActionResult:
        objective, theme, action = placed[index]
        answers = source.action_answers(action.code)
        return action_result(objective, theme, action, answers, arbitrations.get(action.code))

    measured = [
        (action, position)
        for action in plan.actions()
        for position in range(len(action.indicators))
    ]

    def indicator(index: int) -> IndicatorResult:
        action, position = measured[index]
        return IndicatorResult(
            action, position, tuple(source.indicator_figures(action.code, position))
        )

    return _assemble(
        plan,
        Rebuilt(len(placed), result, lambda r: len(r.answers), KEPT_ANSWERS),
        Rebuilt(len(measured), indicator, lambda i: len(i.rows), KEPT_ANSWERS),
        source.respondents(),
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        due_date=due_date,
        generated_at=generated_at,
        labels=labels,
        expected=expected,
        last_imports=last_imports,
    )


def consolidate(
    plan: Plan,
    *,
    campaign_id: str,
    campaign_title: str,
    due_date: date | None,
    generated_at: datetime,
    answers: Sequence[tuple[str, str, RespondentAnswer]],
    indicator_values: Sequence[tuple[str, str, int, Decimal | None, Decimal | None]],
    labels: dict[str, str],
    expected: Sequence[str],
    arbitrations: dict[str, Arbitration],
    last_imports: dict[str, datetime],
) -> Consolidation:
    """Everything the secretariat looks at, from plain data held in memory.

    ``answers``: (respondent, action code, answer), those carried forward and not confirmed
    yet among them (``RespondentAnswer.to_confirm``: shown, counted apart); ``indicator_values``:
    (respondent, action code, indicator position, target, achieved), those of a carried answer
    being carried with it.
    """
    by_action: dict[str, list[RespondentAnswer]] = {}
    by_respondent: dict[str, list[Given]] = {}
    carried: set[tuple[str, str]] = set()
    for respondent, code, answer in answers:
        by_action.setdefault(code, []).append(answer)
        by_respondent.setdefault(respondent, []).append(
            (code, answer.status, answer.to_confirm, answer.at)
        )
        if answer.to_confirm:
            carried.add((respondent, code))
    results = tuple(
        action_result(
            objective,
            theme,
            action,
            sorted(by_action.get(action.code, []), key=lambda a: a.respondent),
            arbitrations.get(action.code),
        )
        for objective in plan.objectives
        for theme in objective.themes
        for action in theme.actions
    )

    values: dict[tuple[str, int], list[IndicatorFigure]] = {}
    for respondent, code, position, target, achieved in indicator_values:
        by_respondent.setdefault(respondent, [])
        if target is None and achieved is None:
            continue
        values.setdefault((code, position), []).append(
            IndicatorFigure(
                respondent,
                labels.get(respondent, respondent),
                target,
                achieved,
                (respondent, code) in carried,
            )
        )
    indicators = tuple(
        IndicatorResult(
            action,
            position,
            tuple(sorted(values.get((action.code, position), []), key=lambda r: r.respondent)),
        )
        for action in plan.actions()
        for position in range(len(action.indicators))
    )
    return _assemble(
        plan,
        results,
        indicators,
        by_respondent.items(),
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        due_date=due_date,
        generated_at=generated_at,
        labels=labels,
        expected=expected,
        last_imports=last_imports,
    )


def _assemble(
    plan: Plan,
    results: Sequence[ActionResult],
    indicators: Sequence[IndicatorResult],
    respondents: Iterable[tuple[str, Sequence[Given]]],
    *,
    campaign_id: str,
    campaign_title: str,
    due_date: date | None,
    generated_at: datetime,
    labels: dict[str, str],
    expected: Sequence[str],
    last_imports: dict[str, datetime],
) -> Consolidation:
    """The counts by objective and overall (results read once), and the roster."""
    # By the objective itself: nothing forbids two objectives one code.
    finals: dict[int, list[str]] = {id(objective): [] for objective in plan.objectives}
    for result in results:
        finals[id(result.objective)].append(result.final)
    objective_counts = tuple(
        (objective, _count(finals[id(objective)], plan.scale)) for objective in plan.objectives
    )
    completions: dict[str, Completion] = {}
    last_change: dict[str, datetime] = {}
    for respondent, given in respondents:
        completions[respondent] = completion(plan, respondent, (g[:3] for g in given))
        # A carried answer is no change made in this campaign.
        changes = [at for _, _, carried, at in given if not carried and at is not None]
        if changes:
            last_change[respondent] = max(changes)
    codes = sorted(set(expected) | set(completions), key=natural_key)
    for code in codes:
        if code not in completions:
            completions[code] = completion(plan, code, ())
    roster = tuple(
        RosterEntry(
            code=code,
            label=labels.get(code, code),
            expected=code in expected,
            expected_actions=completions[code].total,
            answered_actions=completions[code].answered,
            last_change=last_change.get(code),
            last_import=last_imports.get(code),
            to_confirm=completions[code].to_confirm,
        )
        for code in codes
    )
    return Consolidation(
        plan=plan,
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        due_date=due_date,
        generated_at=generated_at,
        actions=results,
        indicators=indicators,
        roster=roster,
        objective_counts=objective_counts,
        overall=_count((f for fs in finals.values() for f in fs), plan.scale),
    )
