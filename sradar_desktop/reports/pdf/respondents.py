"""Part 4, the respondents: who answered, who is missing or late, and the sentence that sums
them up (also in the synthesis)."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from sradar_desktop.domain.consolidation import (
    ROSTER_STATES,
    TO_CONFIRM,
    TO_CONFIRM_COLOUR,
    RosterEntry,
)
from sradar_desktop.domain.dates import long_date, short_datetime
from sradar_desktop.reports.pdf.blocks import Blocks, Painted, page_widths
from sradar_desktop.reports.pdf.document import heading
from sradar_desktop.reports.pdf.text import DASH, markup, who

STATE_COLOURS = {
    "complet": colors.HexColor("#dff0d8"),
    "partiel": colors.HexColor("#fde9d2"),
    "manquant": colors.HexColor("#f8d7d7"),
    "sans réponse": colors.HexColor("#eeeeee"),
    TO_CONFIRM: colors.HexColor(TO_CONFIRM_COLOUR),
}
LATE = colors.HexColor("#9b1c1c")


def responses_sentence(b: Blocks) -> str:
    """``Réponses : 9 répondants attendus — 7 complets, 1 partiel, 1 manquant (…).``, in
    markup."""
    c = b.c
    roster = c.roster
    if not roster:
        return "Aucun répondant : aucune réponse n'a été saisie ni importée."
    expected = [r for r in roster if r.expected]
    group = expected or list(roster)
    by_state: dict[str, list[RosterEntry]] = {}
    for entry in group:
        by_state.setdefault(entry.state, []).append(entry)
    parts = []
    for state in ROSTER_STATES:
        found = by_state.get(state, [])
        if not found:
            continue
        invariable = state in ("sans réponse", TO_CONFIRM)
        word = state if len(found) == 1 or invariable else state + "s"
        parts.append(f"{len(found)} {word}")
    late = [r for r in group if r.late(c.due_date)]
    noun = "répondants attendus" if expected else "répondants"
    if len(group) == 1:
        noun = "répondant attendu" if expected else "répondant"
    sentence = f"Réponses : {len(group)} {noun} — {', '.join(parts)}"
    missing = by_state.get("manquant", [])
    if missing:
        sentence += " (manquants : " + ", ".join(r.code for r in missing[:12])
        sentence += ", …)" if len(missing) > 12 else ")"
    if late:
        sentence += f" ; {len(late)} en retard sur la date limite"
    if expected and len(expected) < len(roster):
        sentence += f" ; {len(roster) - len(expected)} autres répondants ont aussi répondu"
    return markup(sentence) + "."


def respondents(b: Blocks) -> list[Flowable]:
    s, c = b.s, b.c
    story: list[Flowable] = [heading("4. Répondants", s.h1, "repondants", 0)]
    due = c.due_date
    story.append(
        b.p(
            markup(
                f"Date limite de réponse : {long_date(due)}."
                if due
                else "Aucune date limite n'a été fixée pour cette campagne."
            )
            + " "
            + responses_sentence(b),
            s.body,
        )
    )
    story.append(
        b.p(
            "« Attendu » : le répondant figure sur la liste des services sollicités. "
            "Actions renseignées : actions qu'il pilote (toutes s'il n'en pilote aucune) "
            "ayant reçu un statut dans cette campagne ; une réponse reprise de l'évaluation "
            "précédente compte quand son service l'a confirmée. En retard : incomplet après "
            "la date limite, ou complété après elle.",
            s.note,
        )
    )
    if not c.roster:
        return story
    commands: list[tuple] = []
    widths = page_widths([0.0, 16 * mm, 23 * mm, 22 * mm, 28 * mm, 28 * mm])
    rows: list[list[Any]] = []
    for i, entry in enumerate(c.roster, start=1):
        state: Any = entry.state
        if entry.late(due):
            state += "\nen retard"
            commands.append(("TEXTCOLOR", (3, i), (3, i), LATE))
        tint = STATE_COLOURS.get(entry.state)
        if tint is not None:
            state = Painted(state, tint)
        answered = f"{entry.answered_actions} / {entry.expected_actions}"
        if entry.to_confirm:
            answered += f"\n{entry.to_confirm} {TO_CONFIRM}"
        rows.append(
            [
                b.cell_text(who(entry.label, entry.code), widths[0]),
                "oui" if entry.expected else "non",
                answered,
                state,
                short_datetime(entry.last_change) or DASH,
                short_datetime(entry.last_import) or DASH,
            ]
        )
    header = [
        "Répondant",
        "Attendu",
        "Actions renseignées",
        "État",
        "Dernière saisie",
        "Dernier import",
    ]
    story.append(b.table(header, rows, widths, numbers=(2,), commands=commands))
    return story
