"""The entry window on a generated plan of 5,000 actions: is it still responsive?

Measures, each against a baseline taken in the same run on the same machine:

- opening the plan in the window (loaded and painted) — baseline: a bare ``QTableView`` over a
  trivial ``QAbstractTableModel`` of 5,000 rows, shown and painted;
- filtering on a keystroke in the search box (median and worst, repaint included) — baseline:
  ``QSortFilterProxyModel.setFilterFixedString`` on the trivial model, repaint included;
- the longest time the event loop is blocked while opening, filtering and answering — a timer
  ticks every 5 ms; a gap is the time the loop could not run (goal: never over 100 ms);
- memory (resident set size added by the window) — baseline: the bare table;
- one save (``AnswerService.set_status``, one transaction with its audit line), the operation
  the window sends to its writer thread on every change.

Goals: filtering under 50 ms (95 keystrokes in 100; the worst one is shown beside the
reference's worst), never blocked more than 100 ms. Prints a table and writes JSON to
``benchmarks/results/``.

    python benchmarks/entry_window.py [--actions 5000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SRADAR_DATA_DIR", tempfile.mkdtemp(prefix="sradar-bench-"))

from PySide6.QtCore import (  # noqa: E402
    QAbstractTableModel,
    QElapsedTimer,
    QEventLoop,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView  # noqa: E402

from sradar_desktop.app import create_application  # noqa: E402
from sradar_desktop.db.models import Answer, IndicatorRow, IndicatorValue, Respondent  # noqa: E402
from sradar_desktop.domain.plan import (  # noqa: E402
    Action,
    Indicator,
    IndicatorKind,
    Objective,
    Plan,
    Theme,
)
from sradar_desktop.services.answers import AnswerService  # noqa: E402
from sradar_desktop.services.database import Database  # noqa: E402
from sradar_desktop.services.entry import Identity  # noqa: E402
from sradar_desktop.services.opening import open_database  # noqa: E402
from sradar_desktop.services.questionnaires import default_campaign_id, store_plan  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PLAN_ID = "plan-genere-5000"
_WORDS_TEXT = (
    "accompagnement hébergement demandeurs asile réfugiés places capacités opérateurs "
    "conventionnement pluriannuel coordination départementale préfecture santé scolarisation "
    "logement insertion professionnelle apprentissage langue française parcours intégration "
    "partenaires associations bailleurs élus dispositif suivi bilan réunion trimestrielle "
    "orientation directive fluidité sortie CADA HUDA CAES SIAO OFII DN@ contrat républicain"
)
WORDS = tuple(_WORDS_TEXT.split())
PILOTS = ("DDETS", "DREETS", "OFII", "ARS", "Préfecture", "DREAL", "SIAO", "CAF", "Rectorat")
STATUSES = ("oui", "partiellement", "non", "nc")


# -- the plan ----------------------------------------------------------------------------------


def generate_plan(actions: int, seed: int = 44) -> Plan:
    """Objectives → themes → actions, texts of 8 to 70 words, 1 to 3 pilots, indicators on one
    action in ten."""
    rng = random.Random(seed)
    per_theme, themes_per_objective = 10, 10
    objectives = []
    count = 0
    o_number = 0
    while count < actions:
        o_number += 1
        themes = []
        for t_number in range(1, themes_per_objective + 1):
            items = []
            for a_number in range(1, per_theme + 1):
                if count >= actions:
                    break
                count += 1
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 70)))
                indicators = ()
                if rng.random() < 0.1:
                    indicators = tuple(
                        Indicator(f"Indicateur {i + 1}", "personnes", IndicatorKind.INTEGER)
                        for i in range(rng.randint(1, 3))
                    )
                items.append(
                    Action(
                        f"{o_number}.{t_number}.{a_number}",
                        text.capitalize(),
                        tuple(rng.sample(PILOTS, rng.randint(1, 3))),
                        indicators,
                    )
                )
            if items:
                themes.append(
                    Theme(f"{o_number}.{t_number}", f"Thématique {t_number}", tuple(items))
                )
        objectives.append(Objective(str(o_number), f"Objectif {o_number}", tuple(themes)))
    return Plan(PLAN_ID, "Plan généré de 5 000 actions", tuple(objectives), period="2025")


def prepare_database(path: Path, plan: Plan, identity: Identity, seed: int = 85) -> Database:
    """The plan stored, half its actions answered by the identity (a third with comments),
    indicator values on half of the indicators — in one transaction."""
    rng = random.Random(seed)
    db = open_database(path)
    with db.write() as session:
        questionnaire = store_plan(session, plan, "import")
        respondent = Respondent(
            code=identity.service_code, label=identity.service_label, department="44"
        )
        session.add(respondent)
        session.flush()
        campaign = default_campaign_id(plan.id)
        for objective in questionnaire.objectives:
            for theme in objective.themes:
                for action in theme.actions:
                    if rng.random() < 0.5:
                        session.add(
                            Answer(
                                campaign_id=campaign,
                                respondent_id=respondent.id,
                                action_id=action.id,
                                status=rng.choice(STATUSES),
                                comment="Réalisé avec les partenaires " * rng.randint(0, 3),
                                updated_by=identity.agent_name,
                            )
                        )
        session.flush()
        for indicator in session.query(IndicatorRow).all():
            if rng.random() < 0.5:
                session.add(
                    IndicatorValue(
                        campaign_id=campaign,
                        respondent_id=respondent.id,
                        indicator_id=indicator.id,
                        target=str(rng.randint(10, 2000)),
                        achieved=str(rng.randint(0, 2000)),
                        updated_by=identity.agent_name,
                    )
                )
    return db


# -- measuring -----------------------------------------------------------------------------------


class LoopWatch:
    """A timer ticking every 5 ms; the longest gap between ticks is the longest block."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.last = 0
        self.longest = 0.0

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        if self.last:
            self.longest = max(self.longest, (now - self.last) / 1e6)
        self.last = now

    def start(self) -> None:
        self.longest = 0.0
        self.clock.start()
        self.last = 0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def rss_mb() -> float:
    """The resident set size, in MB (psutil if installed, else the system's own count)."""
    gc.collect()
    try:
        import psutil
    except ImportError:
        if sys.platform == "linux":
            with open("/proc/self/statm", encoding="ascii") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
        raise
    return psutil.Process().memory_info().rss / 1e6


def settle(app: QApplication, msecs: int = 50) -> None:
    loop = QEventLoop()
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


class TrivialModel(QAbstractTableModel):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.texts = [f"Action {n} {WORDS[n % len(WORDS)]}" for n in range(rows)]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.texts)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts[index.row()] if index.column() == 1 else str(index.column())
        return None


def measure_baseline(app: QApplication, rows: int, query: str) -> dict:
    before = rss_mb()
    start = time.perf_counter()
    window = QMainWindow()
    model = TrivialModel(rows)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(1)
    view = QTableView()
    view.setModel(proxy)
    window.setCentralWidget(view)
    window.resize(1366, 768)
    window.show()
    QTest.qWaitForWindowExposed(window)
    app.processEvents()
    opened = time.perf_counter() - start

    def one_pass() -> list[float]:
        timings = []
        typed = query
        for size in [*range(1, len(query) + 1), *range(len(query) - 1, -1, -1)]:
            t0 = time.perf_counter()
            proxy.setFilterFixedString(typed[:size])
            view.viewport().repaint()
            app.processEvents()
            timings.append(time.perf_counter() - t0)
        return timings

    one_pass()
    timings = [t for _ in range(3) for t in one_pass()]
    memory = rss_mb() - before
    window.close()
    return {"open_s": opened, "filter_s": timings, "memory_mb": memory, "keep": (window, view)}


def measure_entry_window(app: QApplication, db: Database, identity: Identity, query: str) -> dict:
    from sradar_desktop.ui.entry.window import MainWindow

    watch = LoopWatch()
    before = rss_mb()
    watch.start()
    start = time.perf_counter()
    window = MainWindow(db, identity=identity, questionnaire_id=PLAN_ID)
    window.resize(1366, 768)
    loop = QEventLoop()
    window.loaded.connect(loop.quit)
    window.show()
    loop.exec()
    window.action_list.table.viewport().repaint()
    app.processEvents()
    opened = time.perf_counter() - start
    blocked_open = watch.stop()
    settle(app, 200)
    memory = rss_mb() - before

    # Filtering: the agent types in the search box, key by key, then erases it; then toggles
    # « unanswered only » (a filter too). One pass first, unmeasured: Qt and PySide build
    # some of their objects on first use. Then three measured passes.
    window.filters.clear()
    settle(app)
    search = window.filters.search_edit
    search.setFocus()

    def keystroke(action) -> float:
        t0 = time.perf_counter()
        action()
        window.action_list.table.viewport().repaint()
        app.processEvents()
        elapsed = time.perf_counter() - t0
        settle(app, 20)
        return elapsed

    def one_pass() -> list[float]:
        timings = [
            keystroke(lambda c=char: QTest.keyClick(window.filters.search_edit, c))
            for char in query
        ]
        timings += [
            keystroke(lambda: QTest.keyClick(window.filters.search_edit, Qt.Key.Key_Backspace))
            for _ in query
        ]
        timings += [keystroke(window.filters.unanswered_box.toggle) for _ in range(2)]
        return timings

    first_pass = one_pass()
    watch.start()
    timings = [t for _ in range(3) for t in one_pass()]
    blocked_filter = watch.stop()

    # Answering: keys on the table, saved by the writer thread.
    window.action_list.table.setFocus()
    watch.start()
    answer_timings = []
    for n in range(40):
        t0 = time.perf_counter()
        QTest.keyClick(window.action_list.table, "1234"[n % 4])
        app.processEvents()
        answer_timings.append(time.perf_counter() - t0)
        QTest.keyClick(window.action_list.table, Qt.Key.Key_Down)
        settle(app, 10)
    while not window.controller.engine.idle:
        settle(app, 10)
    blocked_answer = watch.stop()
    window.close()
    return {
        "open_s": opened,
        "filter_s": timings,
        "filter_first_pass_s": first_pass,
        "answer_key_s": answer_timings,
        "memory_mb": memory,
        "blocked_ms": {
            "open": blocked_open,
            "filter": blocked_filter,
            "answer": blocked_answer,
        },
        "keep": window,
    }


def measure_saves(db: Database, identity: Identity, count: int = 60) -> list[float]:
    service = AnswerService(db, default_campaign_id(PLAN_ID), identity.service_code, "Bench")
    codes = [f"1.{t}.{a}" for t in range(1, 11) for a in range(1, 11)][:count]
    timings = []
    for n, code in enumerate(codes):
        t0 = time.perf_counter()
        service.set_status(code, STATUSES[n % 4])
        timings.append(time.perf_counter() - t0)
    return timings


def percentile(values: list[float], rank: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(rank / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--query", default="hebergement operateurs")
    args = parser.parse_args(argv)

    app = create_application(["bench"])
    identity = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Agent de mesure")
    folder = Path(tempfile.mkdtemp(prefix="sradar-bench-db-"))
    t0 = time.perf_counter()
    plan = generate_plan(args.actions)
    db = prepare_database(folder / "base.sqlite3", plan, identity)
    prepared = time.perf_counter() - t0

    baseline = measure_baseline(app, args.actions, args.query)
    entry = measure_entry_window(app, db, identity, args.query)
    saves = measure_saves(db, identity)
    db.close()

    filters = entry["filter_s"]
    base_filters = baseline["filter_s"]
    blocked = max(entry["blocked_ms"].values())
    rows = [
        ("Ouverture du plan (chargé et affiché)", ms(entry["open_s"]), ms(baseline["open_s"])),
        (
            "Filtre par frappe — médiane",
            ms(statistics.median(filters)),
            ms(statistics.median(base_filters)),
        ),
        (
            "Filtre par frappe — 95e centile",
            ms(percentile(filters, 95)),
            ms(percentile(base_filters, 95)),
        ),
        ("Filtre par frappe — pire", ms(max(filters)), ms(max(base_filters))),
        ("Filtre — première frappe de la session", ms(entry["filter_first_pass_s"][0]), None),
        ("Touche de réponse (fenêtre)", ms(statistics.median(entry["answer_key_s"])), None),
        ("Enregistrement — médiane (fil d'écriture)", ms(statistics.median(saves)), None),
        ("Enregistrement — pire", ms(max(saves)), None),
        ("Boucle bloquée au plus (ouverture)", round(entry["blocked_ms"]["open"], 1), None),
        ("Boucle bloquée au plus (filtres)", round(entry["blocked_ms"]["filter"], 1), None),
        ("Boucle bloquée au plus (réponses)", round(entry["blocked_ms"]["answer"], 1), None),
        ("Mémoire ajoutée (Mo)", round(entry["memory_mb"], 1), round(baseline["memory_mb"], 1)),
    ]
    print(f"\nSRADAR Desktop — fenêtre de saisie sur {args.actions} actions")
    print(
        f"(base préparée en {prepared:.1f} s ; Python {platform.python_version()}, "
        f"{platform.system()} ; temps en ms)\n"
    )
    print(f"{'Mesure':45} {'Fenêtre':>10} {'Référence':>10} {'Rapport':>8}")
    for label, value, reference in rows:
        ratio = f"{value / reference:.1f}×" if reference else ""
        print(f"{label:45} {value:>10} {reference if reference is not None else '':>10} {ratio:>8}")
    # The filter goal is judged on 95 keystrokes in 100: the single worst one follows the
    # machine's hiccups, as the reference's own worst shows (both are in the table).
    goals = {
        "filtre_sous_50_ms": percentile(filters, 95) * 1000 < 50,
        "jamais_bloquee_plus_de_100_ms": blocked < 100,
    }
    print(
        "\nObjectifs : filtre < 50 ms (95 % des frappes) : "
        + ("atteint" if goals["filtre_sous_50_ms"] else "MANQUÉ")
        + " ; boucle jamais bloquée > 100 ms : "
        + ("atteint" if goals["jamais_bloquee_plus_de_100_ms"] else "MANQUÉ")
    )

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    output = RESULTS / f"entry_window-{stamp}.json"
    output.write_text(
        json.dumps(
            {
                "actions": args.actions,
                "query": args.query,
                "python": platform.python_version(),
                "platform": platform.platform(),
                "qt_platform": os.environ.get("QT_QPA_PLATFORM", ""),
                "measures_ms": {label: value for label, value, _ in rows},
                "baseline_ms": {label: ref for label, _, ref in rows if ref is not None},
                "filter_ms_all": [ms(t) for t in filters],
                "blocked_ms": entry["blocked_ms"],
                "goals": goals,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"Résultats : {output}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
