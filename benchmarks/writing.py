"""Writing the outputs: the consolidated workbook and the PDF summary, against plain dumps."""

from __future__ import annotations

from pathlib import Path

import python_calamine
from openpyxl import Workbook

from benchmarks.consolidation import timed
from benchmarks.data import make_plan, respondent_content


def _merged(respondents: int):
    """A MergeBook holding ``respondents`` DDETS's answers, built without files."""
    from sradar_desktop.services.files.merging import MergeBook
    from sradar_desktop.workbook.format import Incoming

    plan = make_plan(100)
    book = MergeBook()
    for number in range(1, respondents + 1):
        content = respondent_content(plan, number)
        book.add(
            f"DDETS-{number:03d}.xlsx",
            f"{number:064d}",
            Incoming(
                kind="classeur",
                plan=plan,
                campaign_id=content.campaign_id,
                campaign_title=content.campaign_title,
                exported_at=content.exported_at,
                respondents=content.respondents,
                answers=content.answers,
                indicators=content.indicators,
            ),
        )
    return book, book.questionnaire(plan.id)


def consolidated_workbook(folder: Path, respondents: int) -> dict:
    """Our styled consolidated workbook against openpyxl dumping the same answer cells in
    write-only mode with no styling."""
    from sradar_desktop.reports.workbook import write_consolidated_workbook

    book, merged = _merged(respondents)
    report = book.consolidation(merged)
    content = book.content(merged)
    ours = timed(
        lambda: write_consolidated_workbook(report, content, folder / "consolidation.xlsx")
    )
    # The same cells, every sheet, read back from our file: the baseline writes them as they
    # are, in openpyxl's write-only mode, with no styling at all.
    reread = python_calamine.CalamineWorkbook.from_path(str(folder / "consolidation.xlsx"))
    sheets = {name: reread.get_sheet_by_name(name).to_python() for name in reread.sheet_names}

    def dump() -> None:
        workbook = Workbook(write_only=True)
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(row)
        workbook.save(folder / "brut.xlsx")

    plain = timed(dump)
    return {
        "rows": len(content.answers),
        "ours_s": ours,
        "openpyxl_dump_s": plain,
        "ratio": ours / plain,
    }


def pdf_summary(folder: Path, respondents: int) -> dict:
    """Our PDF summary against reportlab building a plain table of the same rows."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import LongTable, SimpleDocTemplate

    from sradar_desktop.reports.pdf import write_summary_pdf

    book, merged = _merged(respondents)
    report = book.consolidation(merged)
    ours = timed(lambda: write_summary_pdf(report, folder / "synthese.pdf"))

    def plain() -> None:
        rows = [["Code", "Action", "Statut", "Répondant", "Commentaire"]]
        for result in report.actions:
            rows.append([result.action.code, result.action.text, result.final, "", ""])
            for answer in result.answers:
                rows.append(["", "", answer.status or "", answer.respondent, answer.comment])
        document = SimpleDocTemplate(str(folder / "simple.pdf"), pagesize=A4)
        document.build([LongTable(rows, repeatRows=1)])

    baseline = timed(plain)
    return {
        "respondents": respondents,
        "ours_s": ours,
        "plain_table_s": baseline,
        "ratio": ours / baseline,
    }
