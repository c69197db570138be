"""Part 1, the synthesis: the count and share of each final status (the legend of every chart),
the completion, a bar per objective, the synthesis rule and the secretariat's arbitrations."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from sradar_desktop.domain.consolidation import (
    SYNTHESIS_RULE,
    TO_CONFIRM,
    TO_CONFIRM_LEVEL,
    ActionResult,
    StatusCounts,
)
from sradar_desktop.domain.text import shorten
from sradar_desktop.reports.charts import Segment
from sradar_desktop.reports.pdf.blocks import Blocks
from sradar_desktop.reports.pdf.document import heading
from sradar_desktop.reports.pdf.respondents import responses_sentence
from sradar_desktop.reports.pdf.styles import BLUE, NOTE_BACKGROUND, WIDTH
from sradar_desktop.reports.pdf.text import decided, markup, percent


def synthesis(b: Blocks) -> list[Flowable]:
    s, c = b.s, b.c
    overall = c.overall
    story: list[Flowable] = [heading("1. Synthèse", s.h1, "synthese", 0)]
    arbitrated = [r for r in c.actions if r.arbitration is not None]
    intro = f"{overall.total} actions évaluées ; statut retenu : {markup(b.words(overall))}."
    story.append(b.p(intro, s.body))
    responses = responses_sentence(b)
    if c.roster:
        responses += " Détail en partie 4."
    story.append(b.p(responses, s.body))

    # Overall counts, which are also the legend of every chart: colour, word and meaning.
    rows: list[list[Any]] = [
        [
            b.status_cell(level.code),
            b.p(markup(level.description), s.cell),
            str(overall.counts.get(level.code, 0)),
            percent(overall.share(level.code)),
        ]
        for level in b.scale.levels
    ]
    if overall.to_confirm:
        rows.append(
            [
                b.status_cell(TO_CONFIRM),
                b.p(markup(TO_CONFIRM_LEVEL.description), s.cell),
                str(overall.to_confirm),
                percent(overall.share(TO_CONFIRM)),
            ]
        )
    rows.append(["", b.p("Total des actions", s.cell_bold), str(overall.total), "100,0\u00a0%"])
    rows.append(
        [
            "",
            b.p(
                f"Complétude : actions au statut connu (ni « {markup(b.nc_label())} » "
                f"ni « à confirmer »)"
                if overall.to_confirm
                else f"Complétude : actions au statut connu (autre que « {markup(b.nc_label())} »)",
                s.cell_bold,
            ),
            str(overall.answered),
            percent(b.completion(overall)),
        ]
    )
    story.append(
        b.table(
            ["Statut retenu", "Signification", "Actions", "Part"],
            rows,
            [30 * mm, 0.0, 20 * mm, 20 * mm],
            numbers=(2, 3),
            totals=2,
        )
    )
    story += b.overall_bar(
        b.segments(overall, named=True),
        overall.total,
        "Répartition des statuts retenus sur l'ensemble du plan, dans l'ordre du "
        "tableau ci-dessus.",
    )

    story.append(b.p("Par objectif", s.h2))

    def line(counts: StatusCounts) -> tuple[str, list[Segment], list[str]]:
        figures = [str(counts.total), percent(b.completion(counts))]
        return b.words(counts), b.segments(counts, named=False), figures

    story.append(
        b.objectives_table(
            "Répartition des statuts retenus",
            54 * mm,
            [("Actions", 16 * mm), ("Complétude", 23 * mm)],
            c.objective_counts,
            overall,
            line,
        )
    )

    story.append(b.p("Règle de synthèse", s.h2))
    # Not a grid like the other tables: a note on a pale background, a blue bar on its left.
    rule = Table([[b.p(markup(SYNTHESIS_RULE), s.cell)]], colWidths=[WIDTH])
    rule.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), s.fonts.regular, 8, 10),
                ("BACKGROUND", (0, 0), (-1, -1), NOTE_BACKGROUND),
                ("LINEBEFORE", (0, 0), (0, -1), 2, BLUE),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story.append(rule)

    story.append(b.p("Arbitrages du secrétariat", s.h2))
    if not arbitrated:
        story.append(
            b.p(
                "Aucun statut n'a été arbitré : chaque statut retenu est la synthèse des réponses.",
                s.body,
            )
        )
    else:
        story.append(_arbitrations_table(b, arbitrated))
    return story


def _arbitrations_table(b: Blocks, arbitrated: list[ActionResult]) -> Table:
    s = b.s
    rows: list[list[Any]] = []
    for result in arbitrated:
        arbitration = result.arbitration
        assert arbitration is not None
        rows.append(
            [
                b.p(markup(result.action.code)),
                b.p(markup(shorten(result.action.text, 140)), s.cell_small),
                b.status_cell(result.synthesis),
                b.status_cell(arbitration.status),
                [
                    # A reminder: the whole reason is under the action, in part 2.
                    b.p(markup(shorten(arbitration.reason, 400)), s.cell_small),
                    b.p(markup(decided(arbitration.by, arbitration.at)), s.cell_muted),
                ],
            ]
        )
    return b.table(
        ["Code", "Action", "Synthèse des réponses", "Statut retenu", "Raison, auteur et date"],
        rows,
        [13 * mm, 55 * mm, 27 * mm, 27 * mm, 0.0],
    )
