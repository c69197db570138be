"""The consolidation window on 100 actions × 100 respondents: does the grid stay responsive?

A generated plan (10 objectives, 100 actions) answered by 100 services (every action, a comment
on one answer in five), consolidated in memory with the domain's ``consolidate``; the real
consolidation window then shows it. Measures, each against a baseline taken in the same run:

- showing a new consolidation (grid reset, charts, roster, detail) and painting the grid —
  baseline: a bare ``QTableView`` over a trivial model of the same size, reset and painted;
- repainting the grid after a horizontal scroll (median) — baseline: the bare table;
- « Désaccords seulement » on and off, repaint included (median) — baseline:
  ``QSortFilterProxyModel.setFilterFixedString`` on the trivial model;
- showing the same consolidation again (after an arbitration: cells repainted in place);
- building the ``ConsolidationSheet`` (done on the worker thread, reported for information).

Goals: a new consolidation shown within 200 ms (opening the window), everything the user does
afterwards (scrolling, filtering, an arbitration shown) within 100 ms. Prints a table and
writes JSON to ``benchmarks/results/``.

    python benchmarks/consolidation_view.py [--actions 100] [--respondents 100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SRADAR_DATA_DIR", tempfile.mkdtemp(prefix="sradar-bench-"))

from PySide6.QtCore import (  # noqa: E402
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from sradar_desktop.app import create_application  # noqa: E402
from sradar_desktop.domain.consolidation import (  # noqa: E402
    Consolidation,
    RespondentAnswer,
    consolidate,
)
from sradar_desktop.domain.plan import Action, Objective, Plan, Theme  # noqa: E402
from sradar_desktop.services.opening import open_database  # noqa: E402
from sradar_desktop.services.views.consolidation import ConsolidationSheet  # noqa: E402
from sradar_desktop.ui.consolidation.window import ConsolidationWindow  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
STATUSES = ("oui", "partiellement", "non", "nc")


def generate(actions: int, respondents: int, seed: int = 49) -> Consolidation:
    rng = random.Random(seed)
    objectives = []
    for o in range(1, 11):
        themes = []
        for t in range(1, 3):
            items = tuple(
                Action(f"{o}.{t}.{a}", f"Action {o}.{t}.{a} " + "texte " * rng.randint(5, 30))
                for a in range(1, actions // 20 + 1)
            )
            themes.append(Theme(f"{o}.{t}", f"Thématique {o}.{t}", items))
        objectives.append(Objective(str(o), f"Objectif {o}", tuple(themes)))
    plan = Plan("plan-genere", "Plan généré", tuple(objectives), period="2025")
    codes = [f"DDETS-{n}" for n in range(1, respondents + 1)]
    now = datetime.now(UTC)
    answers = []
    for action in plan.actions():
        usual = rng.choice(STATUSES)
        for code in codes:
            status = usual if rng.random() < 0.8 else rng.choice(STATUSES)
            comment = "Commentaire du service." if rng.random() < 0.2 else ""
            answers.append(
                (code, action.code, RespondentAnswer(code, code, status, comment, now, "Agent"))
            )
    return consolidate(
        plan,
        campaign_id="plan-genere:evaluation",
        campaign_title="Évaluation 2025",
        due_date=None,
        generated_at=now,
        answers=answers,
        indicator_values=[],
        labels={code: f"Service {code}" for code in codes},
        expected=codes,
        arbitrations={},
        last_imports={},
    )


class _Trivial(QAbstractTableModel):
    def __init__(self, rows: int, columns: int) -> None:
        super().__init__()
        self.rows, self.columns = rows, columns

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.columns

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row()}·{index.column()}"
        return None

    def reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()


def _ms(function: Callable[[], object], app: QApplication, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100)
    parser.add_argument("--respondents", type=int, default=100)
    options = parser.parse_args(argv)
    app = create_application(["benchmark"])
    consolidation = generate(options.actions, options.respondents)
    start = time.perf_counter()
    sheet = ConsolidationSheet(consolidation)
    sheet_ms = (time.perf_counter() - start) * 1000
    rows, columns = len(sheet.rows), 5 + len(sheet.respondents)

    # The baseline: a bare table of the same size.
    trivial = _Trivial(rows, columns)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(trivial)
    bare = QTableView()
    bare.setModel(proxy)
    bare.resize(1366, 600)
    bare.show()
    app.processEvents()
    bare_show = _ms(lambda: (trivial.reset(), bare.viewport().repaint()), app, 5)
    scroll = bare.horizontalScrollBar()
    bare_scroll = _ms(
        lambda: (scroll.setValue(scroll.maximum() - scroll.value()), bare.viewport().repaint()),
        app,
        10,
    )
    bare_filter = _ms(
        lambda: (
            proxy.setFilterFixedString(
                "1" if not proxy.filterRegularExpression().pattern() else ""
            ),
            bare.viewport().repaint(),
        ),
        app,
        10,
    )

    db = open_database(Path(os.environ["SRADAR_DATA_DIR"]) / "bench.sqlite3")
    window = ConsolidationWindow(db, questionnaire_id="sradar-2021-2023")
    window.refresh_after = float("inf")
    window.resize(1366, 768)
    window.show()
    while window.sheet is None:
        app.processEvents()
    grid = window.grid
    first = _ms(lambda: (window.apply_sheet(sheet), grid.viewport().repaint()), app)
    again = _ms(
        lambda: (window.apply_sheet(ConsolidationSheet(consolidation)), grid.viewport().repaint()),
        app,
        5,
    )
    hbar = grid.horizontalScrollBar()
    grid_scroll = _ms(
        lambda: (hbar.setValue(hbar.maximum() - hbar.value()), grid.viewport().repaint()), app, 10
    )
    grid_filter = _ms(
        lambda: (window.filters.disagreements_box.toggle(), grid.viewport().repaint()), app, 10
    )
    window.close()
    db.close()

    # (label, milliseconds, baseline, goal)
    measures = [
        ("Afficher une consolidation", first[0], statistics.median(bare_show), 200.0),
        (
            "Défilement horizontal",
            statistics.median(grid_scroll),
            statistics.median(bare_scroll),
            100.0,
        ),
        (
            "Désaccords seulement",
            statistics.median(grid_filter),
            statistics.median(bare_filter),
            100.0,
        ),
        ("Même consolidation relue", statistics.median(again), statistics.median(bare_show), 100.0),
    ]
    print(f"Consolidation de {rows} actions × {len(sheet.respondents)} répondants")
    print(f"{'Mesure':32} {'ms':>8} {'référence':>10} {'rapport':>8}")
    for label, value, baseline, _goal in measures:
        print(f"{label:32} {value:8.1f} {baseline:10.1f} {value / max(baseline, 0.01):8.1f}")
    print(f"{'Tableau préparé (fil de travail)':32} {sheet_ms:8.1f}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"consolidation_view-{stamp}.json").write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "actions": rows,
                "respondents": len(sheet.respondents),
                "sheet_ms": sheet_ms,
                "measures": [
                    {"label": label, "ms": value, "baseline_ms": baseline, "goal_ms": goal}
                    for label, value, baseline, goal in measures
                ],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0 if all(value <= goal for _label, value, _baseline, goal in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
