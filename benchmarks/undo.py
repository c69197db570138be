"""Undoing an import, against the import itself: undo should cost about what the import cost.

    python benchmarks/undo.py                    # 710 services × 100 actions = 71,000 answers
    python benchmarks/undo.py --services 100     # a short run
    python benchmarks/undo.py --db postgresql://user:password@host/database   # an empty database

A database first receives an older consolidation of half the services (so that the import
measured both replaces answers and creates new ones), then the measured consolidation of every
service (newer answers); that import is then undone. Both are timed in the same run, on the same
database; the figure is the ratio undo / import.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.data import make_plan, respondent_content  # noqa: E402
from sradar_desktop.domain.plan import Plan  # noqa: E402
from sradar_desktop.workbook import format as fmt  # noqa: E402
from sradar_desktop.workbook.writer import write_exchange_workbook  # noqa: E402

Line = TypeVar("Line", fmt.AnswerLine, fmt.IndicatorLine)


def consolidation_file(plan: Plan, path: Path, services: range, seed: int, later: int) -> int:
    """A consolidation of ``services`` (numbers), their answers stamped ``later`` days after
    the usual time. Returns how many answers it holds."""
    parts = [respondent_content(plan, number, seed) for number in services]
    shift = timedelta(days=later)
    answers = tuple(_shifted(line, shift) for part in parts for line in part.answers)
    indicators = tuple(_shifted(line, shift) for part in parts for line in part.indicators)
    write_exchange_workbook(
        replace(
            parts[0],
            kind=fmt.KIND_CONSOLIDATION,
            exported_at=parts[-1].exported_at + shift,
            respondents=tuple(r for part in parts for r in part.respondents),
            answers=answers,
            indicators=indicators,
        ),
        path,
    )
    return len(answers)


def _shifted(line: Line, shift: timedelta) -> Line:
    return line if line.at is None else line._replace(at=line.at + shift)


def run(folder: Path, services: int, url: str | None = None) -> dict[str, float]:
    """Import a consolidation of ``services`` services, then undo it; times and ratio."""
    from sradar_desktop.services.imports import import_file, undo_import
    from sradar_desktop.services.opening import open_database

    plan = make_plan(100)
    older = folder / f"anciennes-{services}.xlsx"
    newer = folder / f"consolidation-{services}.xlsx"
    consolidation_file(plan, older, range(1, services // 2 + 1), seed=0, later=0)
    answers = consolidation_file(plan, newer, range(1, services + 1), seed=1, later=30)
    db = open_database(url or folder / f"annulation-{services}.sqlite3")
    try:
        import_file(db, older)
        start = time.perf_counter()
        outcome = import_file(db, newer)
        imported = time.perf_counter() - start
        start = time.perf_counter()
        undo_import(db, outcome.import_id)
        undone = time.perf_counter() - start
    finally:
        db.close()
    return {
        "services": services,
        "answers": answers,
        "applied": outcome.applied,
        "import_s": imported,
        "undo_s": undone,
        "ratio": undone / imported,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=710, help="services (100 actions each)")
    parser.add_argument("--db", help="an empty database to use (by default a new SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sradar-annulation-") as temporary:
        os.environ["SRADAR_DATA_DIR"] = str(Path(temporary) / "donnees")
        result = run(Path(temporary), args.services, args.db)
    print(
        f"{result['answers']} réponses ({result['applied']} appliquées) : import "
        f"{result['import_s']:.2f} s, annulation {result['undo_s']:.2f} s, "
        f"soit {result['ratio']:.2f} × l'import"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
