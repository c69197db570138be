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
- **recul**: down the order, and any known status → « nc » given by a respondent;
- **à confirmer**: an answer carried forward to the current campaign awaits its service's
  confirmation (``ActionResult.to_confirm``): neither a change nor a setback, counted apart;
- **pas encore de réponse**: the action had a status before and nobody has answered it yet in
  the current campaign: counted apart, never a setback.

The last two are the waiting ones: a campaign in progress has many, a closed one should have
none. Only the actions with a known standing on both sides are compared.

The previous side is what was last known of the action in the previous campaign: an answer
carried into it and never confirmed there counts with its value.

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
    TO_CONFIRM,
    TO_CONFIRM_COLOUR,
    TO_CONFIRM_LABEL,
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
AWAITING = TO_CONFIRM  # « à confirmer »
NOT_YET = "pas encore de réponse"
# The order of every count, table and chart.
TRANSITIONS = (PROGRESS, UNCHANGED, SETBACK, NEW, REMOVED, AWAITING, NOT_YET)
# The transitions that say something moved; the ones still waiting for an answer.
CHANGES = (PROGRESS, SETBACK, NEW, REMOVED)
WAITING = (AWAITING, NOT_YET)
TRANSITION_COLOURS = {
    PROGRESS: "#18753c",
    UNCHANGED: "#c8c8c8",
    SETBACK: "#ce0500",
    NEW: "#0063cb",
    REMOVED: "#6a6a6a",
    AWAITING: TO_CONFIRM_COLOUR,
    NOT_YET: "#ececec",
}
# The transitions whose colour is pale enough for dark text.
PALE_TRANSITIONS = frozenset({UNCHANGED, AWAITING, NOT_YET})
TRANSITION_LABELS = {
    PROGRESS: "Progrès",
    UNCHANGED: "Inchangée",
    SETBACK: "Recul",
    NEW: "Nouvelle",
    REMOVED: "Retirée",
    AWAITING: TO_CONFIRM_LABEL,
    NOT_YET: "Pas encore de réponse",
}
EVOLUTION_RULE = (
    "Ordre des statuts : oui > partiellement > non ; « nc » est hors de cet ordre. Progrès : "
    "le statut retenu monte (non → partiellement → oui) ou passe de « nc » à un statut connu. "
    "Recul : il descend, ou un répondant répond « nc » à une action dont le statut était "
    "connu. Nouvelle : l'action n'existait pas ou n'avait reçu aucune réponse. Retirée : "
    "l'action n'est plus dans le plan. À confirmer : une réponse reprise de l'évaluation "
    "précédente attend la confirmation de son service ; ce n'est ni un changement ni un recul. "
    "Pas encore de réponse : personne n'a encore répondu à l'action dans cette campagne."
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
        """Actions that moved: progress, setback, new or removed."""
        return sum(self.counts.get(name, 0) for name in CHANGES)

    @property
    def waiting(self) -> int:
        """Actions still awaiting an answer or the confirmation of a carried one."""
        return sum(self.counts.get(name, 0) for name in WAITING)


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
        """The actions that moved (progress, setback, new or removed)."""
        return tuple(a for a in self.actions if a.transition in CHANGES)

    @property
    def waiting(self) -> tuple[ActionEvolution, ...]:
        """The actions awaiting an answer or a confirmation in the current campaign."""
        return tuple(a for a in self.actions if a.transition in WAITING)

    def headline(self) -> str:
        """``10 actions ont changé de statut retenu sur 71 ; 59 attendent encore une réponse
        ou une confirmation (57 à confirmer, 2 pas encore de réponse).``"""
        overall = self.overall
        text = (
            f"{overall.changed} {'actions ont' if overall.changed > 1 else 'action a'} changé "
            f"de statut retenu sur {overall.total}"
        )
        if overall.waiting:
            awaiting, not_yet = overall.counts.get(AWAITING, 0), overall.counts.get(NOT_YET, 0)
            parts = [f"{n} {word}" for n, word in ((awaiting, AWAITING), (not_yet, NOT_YET)) if n]
            text += (
                f" ; {overall.waiting} "
                f"{'attendent' if overall.waiting > 1 else 'attend'} encore une réponse ou une "
                f"confirmation ({', '.join(parts)})"
            )
        return text + "."


def _retained(result: ActionResult) -> str | None:
    """The current standing: the retained status, ``TO_CONFIRM`` while a carried answer
    awaits its confirmation, None when nobody gave the action any status."""
    if result.to_confirm:
        return TO_CONFIRM
    return result.final if result.answered else None


def _last_known(result: ActionResult) -> str | None:
    """The previous standing: the retained status, an answer carried there and never
    confirmed counting with its value; None when nobody gave the action any status."""
    if result.arbitration is not None:
        return result.arbitration.status
    statuses = [a.status for a in result.answers if a.status is not None]
    return synthesis(statuses) if statuses else None


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
        known = [s for s in (_last_known(before[code]) for code in olds) if s is not None]
        previous_status = synthesis(known) if known else None
        current_status = _retained(result)
        if current_status == TO_CONFIRM:
            moved = AWAITING
        elif current_status is None and previous_status is not None:
            moved = NOT_YET  # nobody has answered yet: unknown, not a setback
        else:
            moved = transition(previous_status, current_status)
        actions.append(
            ActionEvolution(
                result.objective,
                result.action,
                olds,
                previous_status,
                current_status,
                moved,
                result.arbitration is not None,
            )
        )
    objectives = {o.code: o for o in current.plan.objectives}
    for code, result in before.items():
        if code in used:
            continue
        objective = objectives.get(result.objective.code, result.objective)
        actions.append(
            ActionEvolution(objective, result.action, (code,), _last_known(result), None, REMOVED)
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
    "AWAITING",
    "CHANGES",
    "EVOLUTION_RULE",
    "NC",
    "NOT_YET",
    "TRANSITIONS",
    "WAITING",
    "ActionEvolution",
    "Evolution",
    "IndicatorEvolution",
    "TransitionCounts",
    "compare",
    "count_transitions",
    "transition",
]
