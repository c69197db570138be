"""The title page: plan, campaign and region, the key facts and the contents."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from sradar_desktop.domain.consolidation import TO_CONFIRM
from sradar_desktop.domain.dates import long_date
from sradar_desktop.reports.pdf.blocks import Blocks
from sradar_desktop.reports.pdf.document import Anchor
from sradar_desktop.reports.pdf.styles import RULE, WIDTH
from sradar_desktop.reports.pdf.text import markup


def title_page(b: Blocks) -> list[Flowable]:
    s, c, plan = b.s, b.c, b.plan
    objectives, themes, actions = plan.counts()
    roster = c.roster
    expected = [r for r in roster if r.expected]
    answered = [r for r in roster if r.answered_actions > 0]
    respondents = f"{len(roster)}"
    if expected:
        missing = [r for r in expected if r.state == "manquant"]
        waiting = [r for r in expected if r.state == TO_CONFIRM]
        respondents += (
            f" ({len(expected)} attendus ; {len(answered)} ont répondu ; "
            + (f"{len(waiting)} n'ont encore rien confirmé ; " if waiting else "")
            + f"{len(missing)} sans réponse)"
        )
    facts: list[tuple[str, str]] = []
    if b.region:
        facts.append(("Région", b.region))
    if plan.period:
        facts.append(("Période du plan", plan.period))
    facts += [
        ("Campagne", f"{c.campaign_title} ({c.campaign_id})"),
        ("Date limite de réponse", long_date(c.due_date) if c.due_date else "non fixée"),
        ("Répondants", respondents),
        ("Plan", f"{objectives} objectifs, {themes} thématiques, {actions} actions"),
        ("Version du questionnaire", f"{plan.id} · {plan.digest()[:12]}"),
        ("Document généré le", long_date(c.generated_at)),
    ]
    rows = [[b.p(markup(k), s.cell_bold), b.p(markup(v), s.cell)] for k, v in facts]
    # Not a grid like the other tables: a list of facts, a thin rule under each.
    facts_table = Table(rows, colWidths=[48 * mm, WIDTH - 48 * mm], hAlign="LEFT")
    facts_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), s.fonts.regular, 9, 11.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    contents = [
        "1. Synthèse : statuts retenus, complétude, répartition par objectif, règle de "
        "synthèse et arbitrages",
        *(
            [
                f"Évolution depuis {b.evolution.previous_title} : progrès, reculs, "
                "actions nouvelles et retirées, par objectif"
            ]
            if b.evolution is not None
            else []
        ),
        "2. Actions par objectif et thématique : statut retenu et réponses des répondants",
        "3. Indicateurs : valeurs par répondant et totaux",
        "4. Répondants : qui a répondu, qui manque",
        "Annexe : commentaires des répondants, par action",
    ]
    story: list[Flowable] = [
        Anchor("titre", 0, "Page de titre"),
        Spacer(1, 28 * mm),
        b.p("Synthèse de l'évaluation", s.kicker),
        b.p(markup(plan.title), s.title),
        b.p(markup(c.campaign_title), s.subtitle),
    ]
    if b.region:
        story.append(b.p(markup(b.region), s.subtitle))
    story += [Spacer(1, 10 * mm), facts_table, Spacer(1, 12 * mm)]
    story.append(b.p("Contenu", s.h2))
    story += [b.p(markup(line), s.body) for line in contents]
    if plan.source and plan.source != plan.title:
        story += [Spacer(1, 6 * mm), b.p(f"Source du plan : {markup(plan.source)}", s.note)]
    return story
