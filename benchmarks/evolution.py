"""Consolidation with the evolution since a previous campaign, against the same consolidation
without it.

    python benchmarks/evolution.py              # 100 workbooks per campaign
    python benchmarks/evolution.py --files 300

Two sets of N workbooks of the 100-action plan (``data.py``), answered differently: the previous
campaign and the current one. Measured in one process, best of two runs:

- the reference: the current files merged and consolidated, the consolidated workbook and the
  PDF summary written (what ``sradar-desktop consolidate`` does, PDF included);
- the same, with the previous campaign's files merged and consolidated too, the evolution
  computed and written in both (the « Évolution » sheet and the PDF section);
- the evolution alone (``domain.evolution.compare`` on the two consolidations), against the
  merge of the current files.

Ratios: with evolution / without (it reads twice the files: goal ≤ 2,2 ×); the comparison
against the merge (goal ≤ 0,05 ×, a few milliseconds).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.consolidation import timed  # noqa: E402
from benchmarks.data import make_plan, write_respondent_files  # noqa: E402


def _merged(paths: list[Path]):
    from sradar_desktop.services.files.merging import merge_files

    book, _ = merge_files(paths)
    merged = book.questionnaire(None)
    return book, merged, book.consolidation(merged)


def run(folder: Path, files: int = 100) -> dict[str, float]:
    from sradar_desktop.domain.evolution import compare
    from sradar_desktop.reports.pdf import write_summary_pdf
    from sradar_desktop.reports.workbook import write_consolidated_workbook

    plan = make_plan(100)
    previous_paths = write_respondent_files(plan, folder / "precedente", files, seed=1)
    current_paths = write_respondent_files(plan, folder / "actuelle", files)

    def reports(with_evolution: bool) -> None:
        book, merged, current = _merged(current_paths)
        evolution = None
        if with_evolution:
            _, _, previous = _merged(previous_paths)
            evolution = compare(previous, current)
        write_consolidated_workbook(
            current, book.content(merged), folder / "consolidation.xlsx", evolution=evolution
        )
        write_summary_pdf(current, folder / "synthese.pdf", evolution=evolution)

    _, _, current = _merged(current_paths)
    _, _, previous = _merged(previous_paths)
    result = {"files": files}
    result["without_s"] = timed(lambda: reports(False), repeat=2)
    result["with_s"] = timed(lambda: reports(True), repeat=2)
    result["ratio"] = result["with_s"] / result["without_s"]
    result["merge_s"] = timed(lambda: _merged(current_paths), repeat=2)
    result["compare_s"] = timed(lambda: compare(previous, current), repeat=5)
    result["compare_ratio"] = result["compare_s"] / result["merge_s"]
    return result


def _fmt(value: float, places: int = 2) -> str:
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",")


def report(result: dict) -> list[str]:
    return [
        f"Consolidation de {result['files']} classeurs avec l'évolution depuis une campagne "
        f"précédente ({result['files']} autres classeurs), classeur et synthèse PDF : "
        f"{_fmt(result['with_s'])} s, contre {_fmt(result['without_s'])} s sans l'évolution "
        f"({_fmt(result['ratio'])} ×, objectif ≤ 2,2 ×) ; la comparaison seule "
        f"{_fmt(result['compare_s'] * 1000, 1)} ms, soit {_fmt(result['compare_ratio'], 3)} × "
        "la fusion des classeurs (objectif ≤ 0,05 ×)"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="classeurs par campagne")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sradar-evolution-") as temporary:
        os.environ["SRADAR_DATA_DIR"] = str(Path(temporary) / "donnees")
        print("\n".join(report(run(Path(temporary), args.files))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
