"""The annex: every comment of the respondents with its author, grouped by action in the order
of the plan."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from sradar_desktop.domain.text import shorten
from sradar_desktop.reports.fonts import FontFamily
from sradar_desktop.reports.pdf.blocks import Blocks
from sradar_desktop.reports.pdf.document import heading
from sradar_desktop.reports.pdf.styles import INK, MUTED, styles
from sradar_desktop.reports.pdf.text import decided, french_spacing, markup, who

# Texts longer than this are shortened where they are only a reminder (the actions' headings).
_REMINDER_LENGTH = 160


class Byline(Flowable):
    """« Author · status · who changed it, when » above a comment.

    Two strings drawn directly (the name in bold): a paragraph mixing two fonts costs about
    ten times more to lay out, and the annex may hold thousands of comments. When the line does
    not fit, it becomes a paragraph that wraps. It never stays alone at the foot of a page: with
    less room than for itself and two lines of the comment, it asks for more than there is and
    goes to the next page (cheaper than grouping it with the comment in a KeepTogether).
    """

    def __init__(self, name: str, meta: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.name = " ".join(name.split())
        self.meta = " · " + " ".join(meta.split())
        self.style = style
        self._paragraph: Paragraph | None = None
        self._name_width = 0.0

    def _fonts(self) -> FontFamily:
        return styles().fonts

    def wrap(self, width: float, height: float) -> tuple[float, float]:
        fonts, size = self._fonts(), self.style.fontSize
        if height < 3 * self.style.leading:
            self._paragraph = None
            return width, 3 * self.style.leading  # more than there is: to the next page
        self._name_width = stringWidth(self.name, fonts.bold, size)
        needed = (
            self.style.leftIndent + self._name_width + stringWidth(self.meta, fonts.regular, size)
        )
        if needed <= width:
            self._paragraph = None
            return width, self.style.leading
        self._paragraph = Paragraph(
            french_spacing(
                f"<b>{markup(self.name)}</b> <font color='#5a5a5a'>{markup(self.meta)}</font>"
            ),
            self.style,
        )
        return self._paragraph.wrap(width, height)

    def split(self, width: float, height: float) -> list[Flowable]:
        if self._paragraph is not None:
            return self._paragraph.split(width, height)
        return []

    def draw(self) -> None:
        if self._paragraph is not None:
            self._paragraph.drawOn(self.canv, 0, 0)
            return
        fonts, size = self._fonts(), self.style.fontSize
        # The baseline a paragraph of this style would use; one text object for both parts.
        text = self.canv.beginText(self.style.leftIndent, self.style.leading - size)
        text.setFont(fonts.bold, size)
        text.setFillColor(INK)
        text.textOut(self.name)
        text.setFont(fonts.regular, size)
        text.setFillColor(MUTED)
        text.textOut(self.meta)
        self.canv.drawText(text)


def comments(b: Blocks) -> list[Flowable]:
    s, c = b.s, b.c
    story: list[Flowable] = [
        heading("Annexe — Commentaires des répondants", s.h1, "commentaires", 0),
        b.p(
            "Commentaires tels que saisis, regroupés par action dans l'ordre du plan : "
            "auteur (service et code), statut qu'il a donné, date de la dernière "
            "modification et personne qui l'a faite.",
            s.note,
        ),
    ]
    objective = None
    count = 0
    for result in c.actions:
        comments = result.comments
        if not comments:
            continue
        if result.objective.code != objective:
            objective = result.objective.code
            story.append(
                b.p(
                    f"Objectif {markup(objective)} — {markup(result.objective.title)}",
                    s.annex_objective,
                )
            )
        story.append(
            b.p(
                f"{markup(result.action.code)} — "
                f"{markup(shorten(result.action.text, _REMINDER_LENGTH))}",
                s.annex_action,
            )
        )
        for answer in comments:
            count += 1
            meta = [f"statut « {b.label(answer.status)} »" if answer.status else "sans statut"]
            if answer.to_confirm:
                meta.append("reprise de l'évaluation précédente, à confirmer")
            by = decided(answer.by, answer.at)
            if by:
                meta.append(by)
            story.append(Byline(who(answer.label, answer.respondent), " · ".join(meta), s.comment))
            # One plain paragraph per line: reportlab lays out a paragraph in one font
            # without line breaks about ten times faster than one with markup.
            lines = [line for line in answer.comment.strip().split("\n") if line.strip()]
            for i, line in enumerate(lines, start=1):
                style = s.comment_last if i == len(lines) else s.comment
                story.append(b.p(markup(line), style))
    if not count:
        story.append(b.p("Aucun commentaire n'a été saisi.", s.body))
    return story
