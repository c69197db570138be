"""The consolidation as the secretariat looks at it: plain Python, no Qt, no database.

A ``ConsolidationSheet`` lays a ``Consolidation`` out as a grid: the actions in the plan's order
with their objective and theme, the respondents in display order, each respondent's answer to
each action (and whether it was expected to give one), where respondents disagree, filters and
search. Beside it: the words that explain a synthesis, the overall counts in a sentence, the
roster in figures, and default names for the exports. The consolidation window draws; this
module decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sradar_desktop.domain.consolidation import (
    NC,
    ROSTER_STATES,
    TO_CONFIRM,
    ActionResult,
    Consolidation,
    RespondentAnswer,
    RosterEntry,
    StatusCounts,
    counted_levels,
    status_label,
)
from sradar_desktop.domain.departements import service_label
from sradar_desktop.domain.numbers import format_percentage
from sradar_desktop.domain.plan import pilots_include
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import count, search_key, slugify

_DIGITS = re.compile(r"(\d+)")


def respondent_order(code: str) -> tuple:
    """Sort key: ``DDETS-9`` before ``DDETS-44`` (numbers compared as numbers)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(code)
    )


def short_word(label: str, limit: int = 5) -> str:
    """A status word short enough for a narrow badge: ``Partiellement`` → ``Part.``; short
    words (``Oui``, ``Non``, ``NC``) stay whole. The full word goes in the tooltip."""
    if len(label) <= limit:
        return label
    return label[: limit - 1].rstrip() + "."


# --------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class ActionFilter:
    """What the grid shows. Every criterion given must hold."""

    text: str = ""
    objective: int | None = None
    theme: int | None = None
    disagreements_only: bool = False
    arbitrated_only: bool = False
    to_confirm_only: bool = False  # actions awaiting the confirmation of a carried answer
    changed: frozenset[str] | None = None  # only these action codes (« A changé ») when set

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(search_key(self.text).split())

    @property
    def active(self) -> bool:
        return bool(
            self.words
            or self.objective is not None
            or self.theme is not None
            or self.disagreements_only
            or self.arbitrated_only
            or self.to_confirm_only
            or self.changed is not None
        )


def disagrees(result: ActionResult) -> bool:
    """Respondents gave different answers among « oui », « partiellement » and « non ».

    « nc » does not count: the synthesis rule sets it aside when others answered; nor does an
    answer carried forward and not confirmed yet.
    """
    return len({a.status for a in result.confirmed if a.status not in (None, NC)}) > 1


@dataclass(frozen=True)
class ThemeRef:
    index: int
    objective_index: int
    code: str
    title: str


# --------------------------------------------------------------------------------------------
# The grid


@dataclass(frozen=True)
class RefusedFile:
    """A file of a service refused at import: which, why, when."""

    respondent: str
    file_name: str
    reason: str
    at: datetime


class ConsolidationSheet:
    """A consolidation as rows (actions) and columns (respondents), with fast lookups."""

    def __init__(
        self, consolidation: Consolidation, refusals: dict[str, RefusedFile] | None = None
    ) -> None:
        self.consolidation = consolidation
        self.plan = consolidation.plan
        self.scale = consolidation.plan.scale
        # The window reads its rows again and again: held (a tuple is not copied).
        self.rows: tuple[ActionResult, ...] = tuple(consolidation.actions)
        self.respondents: tuple[RosterEntry, ...] = tuple(
            sorted(consolidation.roster, key=lambda r: respondent_order(r.code))
        )
        self.row_of = {result.action.code: row for row, result in enumerate(self.rows)}
        # A refused file counts until a later file of the same service was imported.
        last_imports = {r.code: r.last_import for r in self.respondents}
        self.refusals: dict[str, RefusedFile] = {
            code: refused
            for code, refused in (refusals or {}).items()
            if code in last_imports and ((last := last_imports[code]) is None or last < refused.at)
        }
        self.themes: list[ThemeRef] = []
        theme_index: dict[tuple[int, str], int] = {}
        for o_index, objective in enumerate(self.plan.objectives):
            for theme in objective.themes:
                theme_index[(o_index, theme.code)] = len(self.themes)
                self.themes.append(ThemeRef(len(self.themes), o_index, theme.code, theme.title))
        objective_index = {o.code: i for i, o in enumerate(self.plan.objectives)}
        self.objective_of: list[int] = []
        self.theme_of: list[int] = []
        self._answers: list[dict[str, RespondentAnswer]] = []
        self._disagrees: list[bool] = []
        self._keys: list[str] = []
        self._distribution: list[str | None] = [None] * len(self.rows)
        self._short_distribution: list[str | None] = [None] * len(self.rows)
        for result in self.rows:
            o_index = objective_index.get(result.objective.code, 0)
            self.objective_of.append(o_index)
            self.theme_of.append(theme_index.get((o_index, result.theme_code), -1))
            self._answers.append({a.respondent: a for a in result.answers})
            self._disagrees.append(disagrees(result))
            parts = [result.action.code, result.action.text]
            parts += [a.comment for a in result.answers if a.comment]
            if result.arbitration is not None:
                parts.append(result.arbitration.reason)
            self._keys.append(search_key("\n".join(parts)))
        # Who is expected to answer what: a service answers the actions it pilots (all of
        # them when it pilots none). One test per distinct set of pilots and respondent, not
        # per cell: a plan has a few dozen sets of pilots.
        distinct = {result.action.pilots for result in self.rows}
        includes = {
            (pilots, r.code): pilots_include(pilots, r.code)
            for pilots in distinct
            for r in self.respondents
        }
        piloting = {
            r.code: any(includes[(pilots, r.code)] for pilots in distinct) for r in self.respondents
        }
        by_pilots = {
            pilots: frozenset(
                r.code
                for r in self.respondents
                if not piloting[r.code] or includes[(pilots, r.code)]
            )
            for pilots in distinct
        }
        self._expected: list[frozenset[str]] = [
            by_pilots[result.action.pilots] for result in self.rows
        ]

    # -- cells -------------------------------------------------------------------------------

    def answer(self, row: int, respondent: str) -> RespondentAnswer | None:
        return self._answers[row].get(respondent)

    def expected(self, row: int, respondent: str) -> bool:
        """Whether ``respondent`` is expected to answer the action of ``row``."""
        return respondent in self._expected[row]

    def disagrees(self, row: int) -> bool:
        return self._disagrees[row]

    def missing(self, row: int) -> list[RosterEntry]:
        """The respondents expected on this action (and on the campaign) without a status."""
        answers = self._answers[row]
        return [
            r
            for r in self.respondents
            if r.expected
            and r.code in self._expected[row]
            and (r.code not in answers or answers[r.code].status is None)
        ]

    def distribution_text(self, row: int) -> str:
        text = self._distribution[row]
        if text is None:
            text = self._distribution[row] = distribution_text(self.rows[row], self.scale)
        return text

    def short_distribution_text(self, row: int) -> str:
        """The distribution with short words (``oui 3 · part. 2``), for a narrow column."""
        text = self._short_distribution[row]
        if text is None:
            text = distribution_text(self.rows[row], self.scale, short=True)
            self._short_distribution[row] = text
        return text

    def label(self, status: str | None) -> str:
        return status_label(self.scale, status)

    def short_label(self, status: str | None) -> str:
        return "À conf." if status == TO_CONFIRM else short_word(self.label(status))

    def same_shape(self, other: ConsolidationSheet) -> bool:
        """Same actions and respondents in the same order: a view can repaint, not rebuild."""
        return [r.action.code for r in self.rows] == [r.action.code for r in other.rows] and [
            r.code for r in self.respondents
        ] == [r.code for r in other.respondents]

    # -- filters -----------------------------------------------------------------------------

    def matcher(self, criteria: ActionFilter) -> Callable[[int], bool]:
        """A test of one row against ``criteria``."""
        checks: list[Callable[[int], bool]] = []
        if criteria.theme is not None:
            theme = criteria.theme
            checks.append(lambda row: self.theme_of[row] == theme)
        elif criteria.objective is not None:
            objective = criteria.objective
            checks.append(lambda row: self.objective_of[row] == objective)
        if criteria.disagreements_only:
            checks.append(lambda row: self._disagrees[row])
        if criteria.arbitrated_only:
            checks.append(lambda row: self.rows[row].arbitration is not None)
        if criteria.to_confirm_only:
            checks.append(lambda row: self.rows[row].to_confirm)
        if criteria.changed is not None:
            changed = criteria.changed
            checks.append(lambda row: self.rows[row].action.code in changed)
        words = criteria.words
        if words:
            checks.append(lambda row: all(word in self._keys[row] for word in words))
        return lambda row: all(check(row) for check in checks)

    def matching(self, criteria: ActionFilter) -> list[int]:
        test = self.matcher(criteria)
        return [row for row in range(len(self.rows)) if test(row)]


def distribution_text(result: ActionResult, scale: Scale, *, short: bool = False) -> str:
    """``oui 3 · non 1 · à confirmer 1``: how many respondents gave each answer, in the scale's
    order, then the carried answers awaiting confirmation (``part. 2`` for ``partiellement 2``
    and ``à conf. 1`` when ``short``)."""
    distribution = result.distribution
    parts = [
        f"{(short_word(level.label) if short else level.label).lower()} {distribution[level.code]}"
        for level in scale.levels
        if distribution.get(level.code)
    ]
    parts += [f"{code} {n}" for code, n in sorted(distribution.items()) if code not in scale.codes]
    awaiting = sum(1 for a in result.awaiting if a.status is not None)
    if awaiting:
        parts.append(f"{'à conf.' if short else TO_CONFIRM} {awaiting}")
    return " · ".join(parts)


def explain_synthesis(result: ActionResult, scale: Scale) -> str:
    """Why the synthesis of an action is what it is, in one French sentence (see the rule),
    and what awaits confirmation."""
    sentence = _explain_confirmed(result, scale)
    awaiting = [a for a in result.awaiting if a.status is not None]
    if not awaiting:
        return sentence
    who = ", ".join(f"{a.respondent} ({status_label(scale, a.status)})" for a in awaiting)
    if result.arbitration is not None:
        tail = "le statut arbitré s'applique."
    else:
        tail = "l'action reste « à confirmer » et n'entre pas dans les comptes."
    carried = (
        "Une réponse reprise de l'évaluation précédente attend sa confirmation"
        if len(awaiting) == 1
        else f"{len(awaiting)} réponses reprises de l'évaluation précédente attendent leur "
        "confirmation"
    )
    return f"{sentence} {carried} ({who}) : {tail}"


def _explain_confirmed(result: ActionResult, scale: Scale) -> str:
    statuses = [a.status for a in result.confirmed if a.status is not None]
    word = f"« {status_label(scale, result.synthesis)} »"
    nc_count = sum(1 for s in statuses if s == NC)
    known = [s for s in statuses if s != NC]
    if not statuses:
        if result.awaiting:
            return f"Aucune réponse confirmée dans cette campagne : synthèse {word}."
        return f"Aucun répondant n'a donné de réponse : synthèse {word}."
    if not known:
        return (
            f"Seulement des réponses « {status_label(scale, NC)} » ({nc_count}) : synthèse {word}."
        )
    set_aside = (
        f" {count(nc_count, 'réponse')} « {status_label(scale, NC)} » "
        f"{'est écartée' if nc_count == 1 else 'sont écartées'}."
        if nc_count
        else ""
    )
    if len(set(known)) == 1:
        if len(known) == 1:
            sentence = f"Une seule réponse connue, {word} : synthèse {word}."
        else:
            sentence = f"Les {len(known)} réponses connues sont {word} : synthèse {word}."
        return sentence + set_aside
    counts = [
        f"{level.label} {known.count(level.code)}" for level in scale.levels if level.code in known
    ]
    return f"Les réponses diffèrent ({', '.join(counts)}) : synthèse {word}." + set_aside


def counts_sentence(counts: StatusCounts, scale: Scale) -> str:
    """``Oui 41 (57,7 %) · Partiellement 10 (14,1 %) · Non 13 (18,3 %) · NC 7 (9,9 %)``, then
    ``À confirmer 5 (…)`` when actions await the confirmation of a carried answer."""
    parts = []
    for level in counted_levels(counts, scale):
        n = counts.counts.get(level.code, 0)
        share = counts.share(level.code)
        shown = f" ({format_percentage(share, 1)})" if share is not None else ""
        parts.append(f"{level.label} {n}{shown}")
    return " · ".join(parts)


def answered_share(counts: StatusCounts) -> Decimal | None:
    """The share of actions with a known status (anything but « nc » or « à confirmer »)."""
    return Decimal(counts.answered) / Decimal(counts.total) if counts.total else None


# --------------------------------------------------------------------------------------------
# Who answered


@dataclass(frozen=True)
class RosterFigures:
    expected: int
    by_state: dict[str, int]
    late: int
    others: int  # respondents who answered without being expected
    refused: int = 0  # respondents whose last file was refused
    to_confirm: int = 0  # answers carried forward, not confirmed yet (not counted as answers)

    @property
    def complete(self) -> int:
        return self.by_state.get("complet", 0)


def roster_figures(
    roster: Iterable[RosterEntry], due: date | None, refused: Iterable[str] | None = None
) -> RosterFigures:
    """The roster in figures; ``refused``: the codes of the respondents whose last file was
    refused (one without any answer counts as refused, not as missing)."""
    roster = list(roster)
    refused = set(refused) if refused is not None else None
    expected = [r for r in roster if r.expected]
    others = [r for r in roster if not r.expected]
    by_state = {state: 0 for state in ROSTER_STATES}
    for entry in expected:
        # Nothing answered but a file refused: counted with the refused files, not as missing.
        if entry.state == "manquant" and refused and entry.code in refused:
            continue
        by_state[entry.state] = by_state.get(entry.state, 0) + 1
    return RosterFigures(
        expected=len(expected),
        by_state=by_state,
        late=sum(1 for r in expected if r.late(due)),
        others=len(others),
        refused=sum(1 for r in roster if refused is not None and r.code in refused),
        to_confirm=sum(r.to_confirm for r in roster),
    )


def roster_counts(figures: RosterFigures) -> str:
    """What the expected respondents did, each count naming what it counts: ``1 complet,
    2 partiels, 1 à confirmer, 1 manquant`` (states without anyone left out; « aucun
    attendu »)."""
    states = [
        f"{figures.by_state[state]} {state}"
        if state == TO_CONFIRM
        else count(figures.by_state.get(state, 0), state)
        for state in ("complet", "partiel", TO_CONFIRM, "manquant")
        if figures.by_state.get(state, 0)
    ]
    if figures.refused:
        states.append(count(figures.refused, "fichier refusé", "fichiers refusés"))
    return ", ".join(states) if states else "aucun attendu"


def roster_sentence(figures: RosterFigures) -> str:
    """``5 répondants attendus : 3 complets, 1 partiel, 1 manquant ; 1 en retard``."""
    if not figures.expected:
        text = "Aucun répondant attendu"
        if figures.refused:
            text += f" ; {count(figures.refused, 'fichier refusé', 'fichiers refusés')}"
    else:
        text = f"{count(figures.expected, 'répondant attendu', 'répondants attendus')}"
        text += " : " + roster_counts(figures)
        if figures.late:
            text += f" ; {figures.late} en retard"
    if figures.to_confirm:
        text += " ; " + count(
            figures.to_confirm, "réponse reprise à confirmer", "réponses reprises à confirmer"
        )
    if figures.others:
        text += f" · {count(figures.others, 'autre répondant', 'autres répondants')}"
    return text + "."


def respondent_label(code: str, label: str) -> str:
    """The label to show for a respondent: its own, else the one its code suggests
    (``DDETS-44`` → ``DDETS de la Loire-Atlantique``), else nothing — never the code again."""
    label = label.strip()
    if label and label != code:
        return label
    return service_label(code)  # ``DDETS-44``, and a regional service: ``DREETS-PDL``


# --------------------------------------------------------------------------------------------
# Exports


def export_names(consolidation: Consolidation, today: date) -> tuple[str, str]:
    """Default file names of the consolidated workbook and the PDF summary."""
    slug = slugify(consolidation.plan.display_title) or slugify(consolidation.plan.id) or "plan"
    stamp = today.isoformat()
    return f"consolidation-{slug}-{stamp}.xlsx", f"synthese-{slug}-{stamp}.pdf"
