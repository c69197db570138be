"""The whole summary: its parts in order, laid out on the document's pages, and written to a
file."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, NextPageTemplate, PageBreak
from reportlab.platypus.doctemplate import LayoutError

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.domain.consolidation import Consolidation
from sradar_desktop.domain.dates import long_date
from sradar_desktop.domain.evolution import Evolution
from sradar_desktop.reports.pdf.actions import actions
from sradar_desktop.reports.pdf.annex import comments
from sradar_desktop.reports.pdf.blocks import Blocks
from sradar_desktop.reports.pdf.document import Document, PageCanvas
from sradar_desktop.reports.pdf.evolution import evolution_section
from sradar_desktop.reports.pdf.indicators import indicators
from sradar_desktop.reports.pdf.respondents import respondents
from sradar_desktop.reports.pdf.styles import styles
from sradar_desktop.reports.pdf.synthesis import synthesis
from sradar_desktop.reports.pdf.title_page import title_page
from sradar_desktop.saving import save_atomically


def write_summary_pdf(
    consolidation: Consolidation,
    path: Path,
    *,
    region: str | None = None,
    evolution: Evolution | None = None,
) -> None:
    """Write the PDF summary of ``consolidation`` to ``path`` (A4, French), atomically.

    ``region`` overrides the plan's region on the title page and in the totals; ``evolution``
    adds the section on what moved since a previous campaign, right after the synthesis.
    """
    content = render_summary_pdf(consolidation, region=region, evolution=evolution)
    save_atomically(
        lambda temporary: temporary.write_bytes(content),
        Path(path),
        document="la synthèse PDF",
        opened_in="un lecteur PDF",
    )


def render_summary_pdf(
    consolidation: Consolidation,
    *,
    region: str | None = None,
    evolution: Evolution | None = None,
) -> bytes:
    """The PDF summary as bytes (see ``write_summary_pdf``)."""
    blocks = Blocks(consolidation, region, styles(), evolution)
    # Streams stored as compressed binary rather than ASCII85 text: a quarter smaller, and
    # reportlab encodes ASCII85 in pure Python (a tenth of the time of a large summary).
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        return _build(blocks, split_in_row=False)
    except LayoutError:
        # A row taller than a page (a very long text typed in one cell): build again letting
        # rows break across pages, which keeps every word rather than refusing the document.
        return _build(blocks, split_in_row=True)
    finally:
        rl_config.useA85 = use_a85


def _build(b: Blocks, *, split_in_row: bool) -> bytes:
    b.split_in_row = split_in_row
    buffer = io.BytesIO()
    plan, c = b.plan, b.c
    generated = long_date(c.generated_at)
    subject = f"{c.campaign_title} — {plan.title}"
    if b.region:
        subject += f" — {b.region}"
    campaign_line = " — ".join(part for part in (c.campaign_title, b.region) if part)
    document = Document(
        buffer,
        header=(plan.display_title, campaign_line),
        footer=f"{APP_NAME} · synthèse générée le {generated}",
        title=f"Synthèse de l'évaluation — {plan.display_title}",
        author=APP_NAME,
        subject=subject,
        creator=f"{APP_NAME} {__version__}",
        keywords=[k for k in ("SRADAR", "évaluation", b.region, plan.period) if k],
        lang="fr-FR",
        displayDocTitle=True,
        # Otherwise every page starts in Helvetica, a font the PDF would not embed.
        initialFontName=b.s.fonts.regular,
        initialFontSize=9,
        initialLeading=11.5,
    )
    story: list[Flowable] = []
    story += title_page(b)
    story += [NextPageTemplate("corps"), PageBreak()]
    story += synthesis(b)
    if b.evolution is not None:
        story += [PageBreak()]
        story += evolution_section(b, b.evolution)
    story += [CondPageBreak(110 * mm)]
    story += actions(b)
    story += [CondPageBreak(70 * mm)]
    story += indicators(b)
    story += [CondPageBreak(70 * mm)]
    story += respondents(b)
    has_comments = any(r.comments for r in c.actions)
    story += [PageBreak() if has_comments else CondPageBreak(60 * mm)]
    story += comments(b)
    document.build(story, canvasmaker=PageCanvas)
    return buffer.getvalue()
