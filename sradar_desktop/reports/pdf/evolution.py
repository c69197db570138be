"""The evolution since a previous campaign, right after the synthesis: the count of each
transition overall and per objective, with their bars, the actions that changed and those still
awaiting an answer."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from sradar_desktop.domain.evolution import (
    AWAITING,
    EVOLUTION_RULE,
    NOT_YET,
    TRANSITION_COLOURS,
    TRANSITION_LABELS,
    TRANSITIONS,
    ActionEvolution,
    Evolution,
    TransitionCounts,
)
from sradar_desktop.domain.text import shorten
from sradar_desktop.reports.charts import Segment
from sradar_desktop.reports.pdf.blocks import Blocks, Painted
from sradar_desktop.reports.pdf.document import heading
from sradar_desktop.reports.pdf.text import MIDDOT, markup, percent

# The actions awaiting an answer or a confirmation listed by code, at most.
WAITING_LISTED = 60


def _words(counts: TransitionCounts) -> str:
    """``Progrès 3 · Inchangée 60 · …``: the counts of each transition in words."""
    return MIDDOT.join(f"{TRANSITION_LABELS[t]}\u00a0{counts.counts[t]}" for t in TRANSITIONS)


def _segments(counts: TransitionCounts) -> list[Segment]:
    return [
        Segment(counts.counts[t], TRANSITION_COLOURS[t], TRANSITION_LABELS[t]) for t in TRANSITIONS
    ]


def _transition_cell(b: Blocks, name: str) -> Painted:
    return b.coloured(TRANSITION_LABELS[name], TRANSITION_COLOURS[name])


def evolution_section(b: Blocks, evolution: Evolution) -> list[Flowable]:
    s = b.s
    overall = evolution.overall
    title = f"Évolution depuis {evolution.previous_title}"
    story: list[Flowable] = [
        heading(title, s.h1, "evolution", 0),
        b.p(
            markup(
                f"{evolution.current_title} comparée à {evolution.previous_title} "
                f"({evolution.previous_campaign_id}) : {evolution.headline()} "
                f"{_words(overall)}."
            ),
            s.body,
        ),
        b.p(markup(EVOLUTION_RULE), s.note),
    ]
    rows: list[list[Any]] = []
    for name in TRANSITIONS:
        number = overall.counts[name]
        share = Decimal(number) / Decimal(overall.total) if overall.total else None
        rows.append([_transition_cell(b, name), str(number), percent(share)])
    rows.append([b.p("Total des actions", s.cell_bold), str(overall.total), "100,0\u00a0%"])
    story.append(
        b.table(
            ["Évolution", "Actions", "Part"],
            rows,
            [40 * mm, 20 * mm, 20 * mm],
            numbers=(1, 2),
            totals=1,
        )
    )
    story += b.overall_bar(
        _segments(overall), overall.total, "Évolution des statuts retenus sur l'ensemble du plan."
    )

    story.append(b.p("Par objectif", s.h2))
    story.append(
        b.objectives_table(
            "Évolution des statuts retenus",
            80 * mm,
            [("Actions", 16 * mm)],
            evolution.objective_counts,
            overall,
            lambda counts: (_words(counts), _segments(counts), [str(counts.total)]),
        )
    )

    story.append(b.p("Actions qui ont changé", s.h2))
    if not evolution.changed:
        story.append(b.p("Aucune action n'a changé de statut retenu.", s.body))
    else:
        story.append(_changes_table(b, evolution.changed))
    if evolution.waiting:
        story.append(b.p("Actions en attente", s.h2))
        for name, explained in (
            (
                AWAITING,
                "une réponse reprise de l'évaluation précédente attend la "
                "confirmation de son service",
            ),
            (NOT_YET, "personne n'y a encore répondu dans cette campagne"),
        ):
            codes = [a.code for a in evolution.waiting if a.transition == name]
            if not codes:
                continue
            listed = ", ".join(codes[:WAITING_LISTED])
            if len(codes) > WAITING_LISTED:
                listed += "… (la liste entière est dans la feuille « Évolution » du classeur)"
            story.append(
                b.p(
                    f"<b>{markup(TRANSITION_LABELS[name])} : {len(codes)}</b> "
                    f"— {markup(explained)} : {markup(listed)}.",
                    s.body,
                )
            )
    return story


def _changes_table(b: Blocks, changed: Sequence[ActionEvolution]) -> Table:
    s = b.s
    rows: list[list[Any]] = []
    for change in changed:
        code = change.code
        if change.renamed_from:
            code += f" (ex-{change.renamed_from})"
        cells: list[Any] = [
            b.p(markup(code)),
            b.p(markup(shorten(change.action.text, 160)), s.cell_small),
        ]
        for before, status in ((True, change.previous), (False, change.current)):
            # Only changes are listed here: never « à confirmer » or « pas encore ».
            if status is None:
                absent = before and change.previous_codes
                cells.append(b.p("aucune réponse" if absent else "absente", s.cell_muted))
            else:
                note = "arbitré" if not before and change.arbitrated else ""
                cells.append(b.status_cell(status, note))
        cells.append(_transition_cell(b, change.transition))
        rows.append(cells)
    return b.table(
        ["Code", "Action", "Avant", "Maintenant", "Évolution"],
        rows,
        [20 * mm, 0.0, 27 * mm, 27 * mm, 22 * mm],
    )
