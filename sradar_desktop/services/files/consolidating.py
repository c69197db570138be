"""Consolidating files without a database: the files merged in memory (``merging``), then the
consolidated workbook and the PDF summary written. The database's consolidation writes its
reports the same way (``services.consolidation.write_reports``).

Nothing here imports the database layer: the ``consolidate`` command and the consolidation of
files in the window start without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sradar_desktop.domain.consolidation import Consolidation
from sradar_desktop.domain.evolution import Evolution
from sradar_desktop.domain.text import count
from sradar_desktop.interpreter import FEW_COLLECTIONS
from sradar_desktop.services.files.merging import merge_files
from sradar_desktop.services.files.outcomes import FileResult
from sradar_desktop.workbook import format as fmt


@dataclass(frozen=True)
class ReportResult:
    questionnaire_id: str
    campaign_id: str
    workbook: Path | None
    pdf: Path | None
    respondents: int
    actions: int
    evolution: Evolution | None = None

    def describe(self) -> str:
        written = " et ".join(p.name for p in (self.workbook, self.pdf) if p is not None)
        text = (
            f"{written} : {count(self.actions, 'action')}, "
            f"{count(self.respondents, 'répondant')}, questionnaire {self.questionnaire_id}."
        )
        if self.evolution is not None:
            text += (
                f" Évolution depuis {self.evolution.previous_title} "
                f"({self.evolution.previous_campaign_id}) : {self.evolution.headline()}"
            )
        return text


def write_report_files(
    report: Consolidation,
    content_of: Callable[[], fmt.ExchangeWorkbook],
    workbook: Path | None,
    pdf: Path | None,
    region: str | None,
    evolution: Evolution | None = None,
) -> ReportResult:
    """Write ``report`` as a consolidated workbook (``content_of()`` gives its answers as an
    exchange workbook's) and/or a PDF summary; either path may be ``None``."""
    if workbook is not None:
        from sradar_desktop.reports.workbook import write_consolidated_workbook

        write_consolidated_workbook(report, content_of(), workbook, evolution=evolution)
    if pdf is not None:
        from sradar_desktop.reports.pdf import write_summary_pdf

        write_summary_pdf(report, pdf, region=region, evolution=evolution)
    return ReportResult(
        questionnaire_id=report.plan.id,
        campaign_id=report.campaign_id,
        workbook=workbook,
        pdf=pdf,
        respondents=len(report.roster),
        actions=len(report.actions),
        evolution=evolution,
    )


def consolidate_files(
    paths: Iterable[Path],
    *,
    workbook: Path | None,
    pdf: Path | None = None,
    questionnaire_id: str | None = None,
    progress: Callable[[int, Path], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[ReportResult | None, list[FileResult]]:
    """Merge files (no database is read or written: in memory, then past a size in a
    temporary store on disk) and write the reports, the collector of cyclic garbage passing
    rarely meanwhile (``interpreter.FEW_COLLECTIONS``).

    Returns the reports written (``None`` when no file could be read) and the per-file results.
    """
    with FEW_COLLECTIONS.held():
        book, results = merge_files(paths, progress=progress, cancelled=cancelled)
        try:
            if not book.campaigns:
                return None, results
            merged = book.questionnaire(questionnaire_id)
            report = book.consolidation(merged)
            written = write_report_files(report, lambda: book.content(merged), workbook, pdf, None)
        finally:
            book.close()
    return written, results
