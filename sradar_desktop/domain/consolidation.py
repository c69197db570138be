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
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sradar_desktop.domain.plan import Action, IndicatorKind, Objective, Plan, pilots_include
from sradar_desktop.domain.scale import Scale

NC = "nc"
SYNTHESIS_RULE = (
    "Synthèse par action : « oui » si toutes les réponses connues sont « oui », « non » si "
    "toutes sont « non », « partiellement » si toutes sont « partiellement » ou si elles "
    "diffèrent ; les réponses « nc » sont écartées quand d'autres répondants ont répondu ; "
    "sans réponse connue, « nc ». Un statut arbitré par le secrétariat remplace la synthèse."
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
    def final(self) -> str:
        """The status every output shows: the arbitrated one if any, else the synthesis."""
        return self.arbitration.status if self.arbitration else self.synthesis

    @property
    def distribution(self) -> Counter[str]:
        """How many respondents gave each status."""
        return Counter(a.status for a in self.answers if a.status is not None)

    @property
    def comments(self) -> list[RespondentAnswer]:
        return [a for a in self.answers if a.comment.strip()]


@dataclass(frozen=True)
class StatusCounts:
    """Counts of each final status over a set of actions, with shares."""

    counts: dict[str, int]
    total: int

    def share(self, status: str) -> Decimal | None:
        if not self.total:
            return None
        return Decimal(self.counts.get(status, 0)) / Decimal(self.total)

    @property
    def answered(self) -> int:
        """Actions with a known status (anything but « nc »)."""
        return self.total - self.counts.get(NC, 0)


def count_statuses(results: Iterable[ActionResult], scale: Scale) -> StatusCounts:
    counter = Counter(r.final for r in results)
    return StatusCounts({code: counter.get(code, 0) for code in scale.codes}, sum(counter.values()))


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
    def target_total(self) -> Decimal | None:
        return self._total(r.target for r in self.rows)

    @property
    def achieved_total(self) -> Decimal | None:
        return self._total(r.achieved for r in self.rows)

    @property
    def ratio(self) -> Decimal | None:
        """Achieved total / target total, as the totals are shown."""
        return ratio(self.achieved_total, self.target_total)


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
    # Answers carried forward from the previous campaign, not confirmed yet: counted apart,
    # neither among the answered actions nor in the synthesis.
    to_confirm: int = 0

    @property
    def state(self) -> str:
        if self.answered_actions == 0:
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
    actions: tuple[ActionResult, ...]
    indicators: tuple[IndicatorResult, ...]
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
    to_confirm: dict[str, int] | None = None,
) -> Consolidation:
    """Everything the secretariat looks at, from plain data.

    ``answers``: (respondent, action code, answer); ``indicator_values``: (respondent, action
    code, indicator position, target, achieved); ``to_confirm``: respondent → answers carried
    forward not confirmed yet (not among ``answers``: only counted, in the roster).
    """
    to_confirm = to_confirm or {}
    by_action: dict[str, list[RespondentAnswer]] = {}
    for _, code, answer in answers:
        by_action.setdefault(code, []).append(answer)
    results = []
    objective_counts = []
    for objective in plan.objectives:
        objective_results = []
        for theme in objective.themes:
            for action in theme.actions:
                given = tuple(sorted(by_action.get(action.code, []), key=lambda a: a.respondent))
                objective_results.append(
                    ActionResult(
                        objective,
                        theme.code,
                        theme.title,
                        action,
                        given,
                        synthesis(a.status for a in given),
                        arbitrations.get(action.code),
                    )
                )
        results.extend(objective_results)
        objective_counts.append((objective, count_statuses(objective_results, plan.scale)))

    values: dict[tuple[str, int], list[IndicatorFigure]] = {}
    for respondent, code, position, target, achieved in indicator_values:
        if target is None and achieved is None:
            continue
        values.setdefault((code, position), []).append(
            IndicatorFigure(respondent, labels.get(respondent, respondent), target, achieved)
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

    answered: dict[str, set[str]] = {}
    last_change: dict[str, datetime] = {}
    for respondent, code, answer in answers:
        if answer.status is not None:
            answered.setdefault(respondent, set()).add(code)
        if answer.at is not None and (
            respondent not in last_change or answer.at > last_change[respondent]
        ):
            last_change[respondent] = answer.at
    codes = sorted(
        set(expected)
        | {r for r, _, _ in answers}
        | {r for r, *_ in indicator_values}
        | set(to_confirm),
        key=natural_key,
    )
    roster = tuple(
        RosterEntry(
            code=code,
            label=labels.get(code, code),
            expected=code in expected,
            expected_actions=len(expected_actions(plan, code)),
            answered_actions=len(
                answered.get(code, set()) & {a.code for a in expected_actions(plan, code)}
            ),
            last_change=last_change.get(code),
            last_import=last_imports.get(code),
            to_confirm=to_confirm.get(code, 0),
        )
        for code in codes
    )
    return Consolidation(
        plan=plan,
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        due_date=due_date,
        generated_at=generated_at,
        actions=tuple(results),
        indicators=indicators,
        roster=roster,
        objective_counts=tuple(objective_counts),
        overall=count_statuses(results, plan.scale),
    )
