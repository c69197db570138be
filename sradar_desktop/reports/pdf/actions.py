"""Part 2, the actions by objective and theme: each action's final status (arbitrated or not,
with the reason), and how the respondents answered."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from sradar_desktop.domain.consolidation import TO_CONFIRM, ActionResult, StatusCounts
from sradar_desktop.reports.pdf.blocks import Blocks
from sradar_desktop.reports.pdf.document import Anchor, heading
from sradar_desktop.reports.pdf.styles import OBJECTIVE_BAND, THEME_BAND
from sradar_desktop.reports.pdf.text import MIDDOT, decided, markup


def actions(b: Blocks) -> list[Flowable]:
    s, c = b.s, b.c
    story: list[Flowable] = [
        heading("2. Actions par objectif et thématique", s.h1, "actions", 0),
        b.p(
            "Pour chaque action : le statut retenu (synthèse des réponses, ou statut arbitré "
            "par le secrétariat, marqué « arbitré » avec sa raison), puis la répartition des "
            "réponses ; quand les réponses diffèrent, les codes des répondants sont indiqués "
            "pour les statuts donnés par trois répondants au plus.",
            s.note,
        ),
        Spacer(1, 2 * mm),
    ]
    by_objective: dict[str, list[ActionResult]] = {}
    for result in c.actions:
        by_objective.setdefault(result.objective.code, []).append(result)
    for index, (objective, counts) in enumerate(c.objective_counts):
        results = by_objective.get(objective.code, [])
        title = f"Objectif {objective.code} — {' '.join(objective.title.split())}"
        story += [
            CondPageBreak(45 * mm),
            Anchor(f"actions-{index}", 1, title),
            _objective_table(b, title, counts, results),
            Spacer(1, 5 * mm),
        ]
    return story


def _objective_table(
    b: Blocks, title: str, counts: StatusCounts, results: list[ActionResult]
) -> Table:
    """The actions of one objective under its band (repeated with the header on every page),
    grouped by theme."""
    s = b.s
    band = [
        b.p(markup(title), s.band_objective),
        b.p(f"{counts.total} actions : {markup(b.words(counts, shares=False))}", s.cell_small),
    ]
    commands: list[tuple] = [
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), OBJECTIVE_BAND),
    ]
    rows: list[list[Any]] = []
    theme = None
    for result in results:
        if result.theme_code != theme:
            theme = result.theme_code
            r = len(rows) + 2  # under the band and the header
            rows.append(
                [
                    b.p(
                        f"Thématique {markup(result.theme_code)} — {markup(result.theme_title)}",
                        s.band_theme,
                    ),
                    "",
                    "",
                    "",
                ]
            )
            commands += [
                ("SPAN", (0, r), (-1, r)),
                ("BACKGROUND", (0, r), (-1, r), THEME_BAND),
                ("NOSPLIT", (0, r), (-1, r + 1)),
            ]
        rows.append(_action_row(b, result))
    return b.table(
        ["Code", "Action", "Statut retenu", "Réponses"],
        rows,
        [14 * mm, 0.0, 28 * mm, 44 * mm],
        above=[[band, "", "", ""]],
        commands=commands,
    )


def _action_row(b: Blocks, result: ActionResult) -> list[Any]:
    s = b.s
    action = result.action
    text: list[Paragraph] = [b.p(markup(action.text))]
    if action.pilots:
        text.append(b.p("Pilotes : " + markup(", ".join(action.pilots)), s.cell_muted))
    arbitration = result.arbitration
    if arbitration is not None:
        line = (
            f"<b>Arbitrage</b> : « {markup(b.label(arbitration.status))} » retenu "
            f"(synthèse des réponses : « {markup(b.label(result.synthesis))} ») — "
            f"{markup(arbitration.reason)}"
        )
        by = decided(arbitration.by, arbitration.at)
        if by:
            line += f" <i>({markup(by)})</i>"
        text.append(b.p(line, s.cell_small))
    return [
        b.p(markup(action.code)),
        text,
        b.status_cell(result.final, "arbitré" if arbitration else ""),
        b.p(_distribution(b, result), s.cell_small),
    ]


def _distribution(b: Blocks, result: ActionResult) -> str:
    """``Oui 2 (DDETS-44, DDETS-49) · Non 1 (DDETS-72)``, then the carried answers awaiting
    confirmation (``à confirmer : DDETS-53 (oui)``), in markup."""
    distribution = result.distribution
    awaiting = [(a.respondent, a.status) for a in result.awaiting if a.status is not None]
    if not distribution and not awaiting:
        return "<i>aucune réponse</i>"
    codes = [code for code in b.scale.codes if code in distribution]
    codes += sorted(code for code in distribution if code not in b.levels)
    differ = len(codes) > 1
    parts = []
    for code in codes:
        count = distribution[code]
        part = f"{markup(b.label(code))}\u00a0{count}"
        if differ and count <= 3:
            names = ", ".join(a.respondent for a in result.confirmed if a.status == code)
            part += f" ({markup(names)})"
        parts.append(part)
    if awaiting:
        carried = ", ".join(
            f"{respondent} ({b.label(status)})" for respondent, status in awaiting[:3]
        ) + (", …" if len(awaiting) > 3 else "")
        parts.append(f"<i>{TO_CONFIRM}\u00a0{len(awaiting)}</i> : {markup(carried)}")
    return MIDDOT.join(parts)
