"""Creating the next campaign, against importing the answers it carries forward: carrying every
answer (with its audit lines) should cost no more than importing them did.

    python benchmarks/campaigns.py                    # 710 services × 100 actions = 71,000 answers
    python benchmarks/campaigns.py --services 100     # a short run
    python benchmarks/campaigns.py --db postgresql://user:password@host/database   # an empty one

A database receives a consolidation of every service (the first campaign); the next campaign is
then created from it, which copies the roster and carries forward every answer and indicator
value, to be confirmed. Both are timed in the same run, on the same database; the figure is the
ratio creation / import.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.data import make_plan  # noqa: E402
from benchmarks.undo import consolidation_file  # noqa: E402


def run(folder: Path, services: int, url: str | None = None) -> dict[str, float]:
    """Import a consolidation of ``services`` services, then create the next campaign."""
    from sradar_desktop.services.campaigns import create_campaign
    from sradar_desktop.services.exchange import resolve_campaign
    from sradar_desktop.services.imports import import_file
    from sradar_desktop.services.opening import open_database

    plan = make_plan(100)
    path = folder / f"consolidation-{services}.xlsx"
    answers = consolidation_file(plan, path, range(1, services + 1), seed=1, later=0)
    db = open_database(url or folder / f"campagnes-{services}.sqlite3")
    try:
        start = time.perf_counter()
        outcome = import_file(db, path)
        imported = time.perf_counter() - start
        _questionnaire, first = resolve_campaign(db, outcome.questionnaire_id)
        start = time.perf_counter()
        created = create_campaign(db, first, "Évaluation suivante")
        carried = time.perf_counter() - start
    finally:
        db.close()
    return {
        "services": services,
        "answers": answers,
        "carried": created.to_confirm,
        "import_s": imported,
        "campaign_s": carried,
        "ratio": carried / imported,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=710, help="services (100 actions each)")
    parser.add_argument("--db", help="an empty database to use (by default a new SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sradar-campagnes-") as temporary:
        os.environ["SRADAR_DATA_DIR"] = str(Path(temporary) / "donnees")
        result = run(Path(temporary), args.services, args.db)
    print(
        f"{result['answers']} réponses ({result['carried']} reprises) : import "
        f"{result['import_s']:.2f} s, nouvelle campagne {result['campaign_s']:.2f} s, "
        f"soit {result['ratio']:.2f} × l'import"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
