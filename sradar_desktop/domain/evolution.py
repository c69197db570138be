"""What moved between two campaigns: per action, per objective, overall, and for indicators.

Pure functions over two consolidations (``domain.consolidation``); no database, no Qt.

The retained status of an action is the one every output shows: the arbitrated status when the
secretariat set one, the synthesis of the answers otherwise (``ActionResult.final``).

Statuses are ordered **oui > partiellement > non**; « nc » (non communiqué / non concerné) is
outside that order. The transition of an action from the previous campaign to the current one:

- **nouvelle**: the action did not exist before, or nobody gave it a status before (not even
  « nc ») and someone does now;
- **retirée**: the action no longer exists in the current plan;
- **inchangée**: the same retained status (« nc » to « nc » included, and no status on either
  side);
- **progrès**: up the order (non → partiellement → oui, non → oui), and « nc » → any known
  status: learning where an action stands is counted as progress;
- **recul**: down the order, and any known status → « nc ».

An optional matching (previous code → current code(s), as ``domain.revision.Matching.carried()``
gives it) links the actions of a revised plan: a previous code missing from it, or matched to
nothing, is a removed action. Without a matching an action keeps its code. A previous code may
lead to several current codes (a split: each inherits the previous status) and several previous
codes to one current code (a merge: their previous statuses are combined by the synthesis
rule). Indicators are paired by action and position; totals of merged actions are added up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sradar_desktop.domain.consolidation import (
    NC,
    ActionResult,
    Consolidation,
    IndicatorResult,
    ratio,
    synthesis,
)
from sradar_desktop.domain.plan import Action, IndicatorKind, Objective

PROGRESS = "progrès"
UNCHANGED = "inchangée"
SETBACK = "recul"
NEW = "nouvelle"
REMOVED = "retirée"
# The order of every count, table and chart.
TRANSITIONS = (PROGRESS, UNCHANGED, SETBACK, NEW, REMOVED)
TRANSITION_COLOURS = {
    PROGRESS: "#18753c",
    UNCHANGED: "#c8c8c8",
    SETBACK: "#ce0500",
    NEW: "#0063cb",
    REMOVED: "#6a6a6a",
}
TRANSITION_LABELS = {
    PROGRESS: "Progrès",
    UNCHANGED: "Inchangée",
    SETBACK: "Recul",
    NEW: "Nouvelle",
    REMOVED: "Retirée",
}
EVOLUTION_RULE = (
    "Ordre des statuts : oui > partiellement > non ; « nc » est hors de cet ordre. Progrès : "
    "le statut retenu monte (non → partiellement → oui) ou passe de « nc » à un statut connu. "
    "Recul : il descend, ou passe d'un statut connu à « nc ». Nouvelle : l'action n'existait "
    "pas ou n'avait reçu aucune réponse. Retirée : l'action n'est plus dans le plan."
)
RANK = {"non": 1, "partiellement": 2, "oui": 3}

ActionMatching = Mapping[str, str | Sequence[str] | None]


def transition(previous: str | None, current: str | None) -> str:
    """The transition between two retained statuses. ``None`` as ``previous``: the action
    was absent or nobody answered it; as ``current``: the action is absent now."""
    if current is None and previous is None:
        return UNCHANGED
    if previous is None:
        return NEW
    if current is None:
        return REMOVED
    if previous == current:
        return UNCHANGED
    if previous not in RANK:  # « nc » (or an unranked level) → a known status
        return PROGRESS if current in RANK else UNCHANGED
    if current not in RANK:
        return SETBACK
    return PROGRESS if RANK[current] > RANK[previous] else SETBACK


@dataclass(frozen=True)
class TransitionCounts:
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        return self.total - self.counts.get(UNCHANGED, 0)


def count_transitions(transitions: Iterable[str]) -> TransitionCounts:
    counts = dict.fromkeys(TRANSITIONS, 0)
    for name in transitions:
        counts[name] += 1
    return TransitionCounts(counts)


@dataclass(frozen=True)
class ActionEvolution:
    objective: Objective  # the current one; the previous one for a removed action
    action: Action  # the current one; the previous one for a removed action
    previous_codes: tuple[str, ...]  # the previous actions it comes from (none when new)
    previous: str | None  # retained status; None when absent or nobody answered
    current: str | None
    transition: str
    arbitrated: bool = False  # the current status was set by the secretariat

    @property
    def code(self) -> str:
        return self.action.code

    @property
    def renamed_from(self) -> str:
        """The previous code(s) when they differ from the current one, else ""."""
        if self.previous_codes in ((), (self.action.code,)):
            return ""
        return ", ".join(self.previous_codes)


@dataclass(frozen=True)
class IndicatorEvolution:
    action: Action
    label: str
    unit: str
    kind: IndicatorKind
    previous_target: Decimal | None
    previous_achieved: Decimal | None
    current_target: Decimal | None
    current_achieved: Decimal | None

    @property
    def previous_ratio(self) -> Decimal | None:
        return ratio(self.previous_achieved, self.previous_target)

    @property
    def current_ratio(self) -> Decimal | None:
        return ratio(self.current_achieved, self.current_target)

    @property
    def difference(self) -> Decimal | None:
        """Current achieved − previous achieved, when both are known."""
        if self.previous_achieved is None or self.current_achieved is None:
            return None
        return self.current_achieved - self.previous_achieved

    @property
    def ratio_change(self) -> Decimal | None:
        """Current ratio − previous ratio (0.1 is ten points), when both are known."""
        before, now = self.previous_ratio, self.current_ratio
        return None if before is None or now is None else now - before


@dataclass(frozen=True)
class Evolution:
    previous_campaign_id: str
    previous_title: str
    current_campaign_id: str
    current_title: str
    actions: tuple[ActionEvolution, ...]
    objective_counts: tuple[tuple[Objective, TransitionCounts], ...]
    overall: TransitionCounts
    indicators: tuple[IndicatorEvolution, ...]

    @property
    def changed(self) -> tuple[ActionEvolution, ...]:
        """The actions whose transition is anything but « inchangée »."""
        return tuple(a for a in self.actions if a.transition != UNCHANGED)


def _retained(result: ActionResult) -> str | None:
    """The retained status, or None when nobody gave the action any status."""
    if result.arbitration is None and all(a.status is None for a in result.answers):
        return None
    return result.final


def _pairs(previous_codes: Iterable[str], matching: ActionMatching | None) -> dict[str, list[str]]:
    """Current code → the previous codes leading to it (the same code without a matching)."""
    sources: dict[str, list[str]] = {}
    for old in previous_codes:
        target = old if matching is None else matching.get(old)
        targets = [] if target is None else [target] if isinstance(target, str) else target
        for new in targets:
            sources.setdefault(new, []).append(old)
    return sources


def _total(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def compare(
    previous: Consolidation, current: Consolidation, matching: ActionMatching | None = None
) -> Evolution:
    """The evolution from ``previous`` to ``current`` (see the module's rule)."""
    before = {r.action.code: r for r in previous.actions}
    sources = _pairs(before, matching)
    used: set[str] = set()
    actions: list[ActionEvolution] = []
    for result in current.actions:
        olds = tuple(sources.get(result.action.code, ()))
        used.update(olds)
        known = [s for s in (_retained(before[code]) for code in olds) if s is not None]
        previous_status = synthesis(known) if known else None
        current_status = _retained(result)
        if current_status is None and previous_status is not None:
            current_status = NC  # nobody answers any more: the retained status is « nc »
        actions.append(
            ActionEvolution(
                result.objective,
                result.action,
                olds,
                previous_status,
                current_status,
                transition(previous_status, current_status),
                result.arbitration is not None,
            )
        )
    objectives = {o.code: o for o in current.plan.objectives}
    for code, result in before.items():
        if code in used:
            continue
        objective = objectives.get(result.objective.code, result.objective)
        actions.append(
            ActionEvolution(objective, result.action, (code,), _retained(result), None, REMOVED)
        )

    by_objective: dict[str, list[str]] = {}
    for evolution in actions:
        by_objective.setdefault(evolution.objective.code, []).append(evolution.transition)
    order = list(current.plan.objectives) + [
        o for o in previous.plan.objectives if o.code not in objectives
    ]
    objective_counts = tuple(
        (objective, count_transitions(by_objective[objective.code]))
        for objective in order
        if objective.code in by_objective
    )
    return Evolution(
        previous_campaign_id=previous.campaign_id,
        previous_title=previous.campaign_title,
        current_campaign_id=current.campaign_id,
        current_title=current.campaign_title,
        actions=tuple(actions),
        objective_counts=objective_counts,
        overall=count_transitions(a.transition for a in actions),
        indicators=_indicators(previous, current, sources, used),
    )


def _indicators(
    previous: Consolidation,
    current: Consolidation,
    sources: dict[str, list[str]],
    used: set[str],
) -> tuple[IndicatorEvolution, ...]:
    before: dict[tuple[str, int], IndicatorResult] = {
        (i.action.code, i.position): i for i in previous.indicators
    }

    def side(results: Sequence[IndicatorResult]) -> tuple[Decimal | None, Decimal | None]:
        return (
            _total(r.target_total for r in results),
            _total(r.achieved_total for r in results),
        )

    found: list[IndicatorEvolution] = []
    for result in current.indicators:
        olds = [
            before[(code, result.position)]
            for code in sources.get(result.action.code, ())
            if (code, result.position) in before
        ]
        found.append(
            IndicatorEvolution(
                result.action,
                result.label,
                result.unit,
                result.kind,
                *side(olds),
                *side([result]),
            )
        )
    for (code, _), result in before.items():
        if code not in used:
            found.append(
                IndicatorEvolution(
                    result.action,
                    result.label,
                    result.unit,
                    result.kind,
                    *side([result]),
                    None,
                    None,
                )
            )
    return tuple(
        i
        for i in found
        if i.kind != "text"
        and any(
            v is not None
            for v in (i.previous_target, i.previous_achieved, i.current_target, i.current_achieved)
        )
    )


__all__ = [
    "EVOLUTION_RULE",
    "NC",
    "TRANSITIONS",
    "ActionEvolution",
    "Evolution",
    "IndicatorEvolution",
    "TransitionCounts",
    "compare",
    "count_transitions",
    "transition",
]
