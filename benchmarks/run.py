"""SRADAR Desktop's benchmarks: is it fast where people wait, and does cost grow gently?

    python benchmarks/run.py            # the full run (about ten minutes)
    python benchmarks/run.py --quick    # a short run (about two minutes)

Every figure is a ratio against a baseline measured in the same run, on the same machine, so
that the results can be compared across machines. Prints a table and writes
``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks import (  # noqa: E402
    campaigns,
    consolidation,
    evolution,
    feedback,
    revision,
    undo,
    writing,
)

RESULTS = ROOT / "benchmarks" / "results"

BARE_WINDOW = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()

    class Painted(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, app.quit)
            return False

    watcher = Painted()
    window.installEventFilter(watcher)
    window.show()
    sys.exit(app.exec())
    """
)


# The floor of any start-up that shows the entry window: the bare window, once the modules the
# program imports before it shows the plan are imported (after PySide6, as the program does).
MODULES_FLOOR = BARE_WINDOW.replace(
    "app = QApplication(sys.argv[:1])",
    "import sradar_desktop.app\nimport sradar_desktop.ui.entry.window\n"
    "import sradar_desktop.services.database\napp = QApplication(sys.argv[:1])",
)


# The share of that floor that is PySide6's own: the Qt types those modules import (the names
# of their top-level « from PySide6… import » lines), imported by the bare window before it is
# made; no line of the program runs. Prints the import lines.
QT_TYPES = textwrap.dedent(
    """
    import ast, sys
    import PySide6.QtWidgets
    import sradar_desktop.app, sradar_desktop.ui.entry.window, sradar_desktop.services.database
    names = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.startswith("sradar_desktop") and path:
            with open(path, encoding="utf-8") as source:
                body = ast.parse(source.read()).body
            for node in body:
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6"):
                    names.setdefault(node.module, set()).update(a.name for a in node.names)
    for module, imported in sorted(names.items()):
        print(f"from {module} import {', '.join(sorted(imported))}")
    """
)


def qt_types_floor(env: dict[str, str]) -> str:
    """The bare window, once the Qt types the program's start-up modules import are imported."""
    imports = subprocess.run(
        [sys.executable, "-c", QT_TYPES],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    ).stdout
    return BARE_WINDOW.replace(
        "app = QApplication(sys.argv[:1])", imports + "app = QApplication(sys.argv[:1])"
    )


def _median_run(command: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup(folder: Path, repeat: int) -> dict[str, float]:
    """Process start to main window painted (the usual start: the agent known, the database
    made by a first start), against a bare PySide6 window; and the floors of any start-up that
    imports the entry window's modules, and of one that imports only their Qt types."""
    env = feedback.compiled_env(
        folder,
        SRADAR_DATA_DIR=str(folder / "donnees"),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    ours = [sys.executable, "-m", "sradar_desktop", "--exit-after-start"]
    feedback.start_as_the_agent(env)
    floor_command = [sys.executable, "-c", MODULES_FLOOR]
    subprocess.run(floor_command, env=env, check=True, capture_output=True, timeout=120)
    qt_command = [sys.executable, "-c", qt_types_floor(env)]
    bare = _median_run([sys.executable, "-c", BARE_WINDOW], env, repeat)
    qt_floor = _median_run(qt_command, env, repeat)
    floor = _median_run(floor_command, env, repeat)
    app = _median_run(ours, env, repeat)
    return {
        "bare_window_s": bare,
        "qt_types_floor_s": qt_floor,
        "modules_floor_s": floor,
        "app_s": app,
        "ratio": app / bare,
        "qt_floor_ratio": qt_floor / bare,
        "floor_ratio": floor / bare,
    }


def entry_window(actions: int) -> dict:
    """The entry window on a large generated plan (its own script, its own process; it exits
    with 1 when a goal is missed, which is a result, not a failure of the run)."""
    started = time.time()
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "entry_window.py"), "--actions", str(actions)],
        check=False,
        capture_output=True,
        timeout=900,
    )
    outputs = [p for p in RESULTS.glob("entry_window-*.json") if p.stat().st_mtime >= started]
    if not outputs:
        return {}
    return json.loads(max(outputs, key=lambda p: p.stat().st_mtime).read_text(encoding="utf-8"))


def _machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    system = f"{platform.system()} {platform.release()}"
    return f"{model}, {cpus} cœurs, {system}, Python {platform.python_version()}"


def _fmt(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def _ratio(value: float, baseline: float) -> str:
    return f"{_fmt(value / baseline)} ×"


def goal_rows(results: dict) -> list[str]:
    """The figures of the goals of « fast where people wait », each against its baseline of
    the same run."""
    rows = []
    hundred = results["consolidation"].get(100) or results["consolidation"].get("100")
    if hundred and "pandas_openpyxl_read" in hundred:
        command = hundred["consolidate"]
        openpyxl_script = hundred["pandas_openpyxl_read"] + hundred["pandas_to_excel"]
        calamine_script = hundred["pandas_calamine_read"] + hundred["pandas_to_excel"]
        rows += [
            (
                "`consolidate` de 100 classeurs contre le script pandas + openpyxl (lecture, "
                "concat, to_excel)",
                f"{_ratio(openpyxl_script, command)} plus rapide",
                "≥ 3 × plus rapide",
            ),
            (
                "la même contre le script pandas + python-calamine",
                f"{_ratio(calamine_script, command)} plus rapide",
                "≥ 1,5 × plus rapide",
            ),
            (
                "import + fusion de 100 classeurs contre python-calamine qui ne fait que les lire",
                _ratio(hundred["merge"], hundred["calamine_read"]),
                "≤ 2 ×",
            ),
        ]
    start = results["startup"]
    rows.append(
        (
            "démarrage jusqu'au plan affiché contre une fenêtre PySide6 vide",
            f"{_fmt(start['ratio'])} × (planchers : les seuls modules importés, "
            f"{_fmt(start['floor_ratio'])} × ; les seuls types PySide6 qu'ils importent, "
            f"{_fmt(start['qt_floor_ratio'])} ×)",
            "≤ 1,5 ×",
        )
    )
    write = results["workbook"]
    rows.append(
        (
            f"classeur consolidé mis en forme, {str(write['rows'])[:-3]} "
            f"{str(write['rows'])[-3:]} lignes, contre openpyxl en écriture seule sans mise en "
            "forme",
            f"{_fmt(write['ratio'])} ×",
            "≤ 1 ×",
        )
    )
    if "feedback" in results:
        closing = results["feedback"]
        rows.append(
            (
                "processus terminé après Ctrl+Q (fermeture d'un programme PySide6 vide : "
                f"{closing['bare_close_s'] * 1000:.0f} ms)",
                f"{closing['closing_s'] * 1000:.0f} ms",
                "≤ 300 ms",
            )
        )
    peaks = {
        int(count): row["peak_mb"]
        for count, row in results["consolidation"].items()
        if "peak_mb" in row
    }
    if 100 in peaks and 1000 in peaks:
        rows.append(
            (
                "mémoire de pointe de `consolidate`, 1 000 classeurs contre 100 "
                f"({peaks[1000]:.0f} Mo contre {peaks[100]:.0f} Mo)",
                _ratio(peaks[1000], peaks[100]),
                "≤ 1,5 ×",
            )
        )
    return ["| Mesure | Mesuré | Objectif |", "|---|---|---|"] + [
        f"| {what} | {measured} | {goal} |" for what, measured, goal in rows
    ]


def report(results: dict) -> str:
    lines = [f"Machine : {results['machine']}", f"Mesuré le {results['date']}", ""]
    lines.extend(goal_rows(results))
    lines.append("")
    start = results["startup"]
    lines.append(
        f"Démarrage : {_fmt(start['app_s'])} s contre {_fmt(start['bare_window_s'])} s pour une "
        f"fenêtre PySide6 vide, soit {_fmt(start['ratio'])} × (objectif ≤ 1,5 ×) ; la même "
        f"fenêtre vide après l'import des modules que le programme charge avant d'afficher le "
        f"plan : {_fmt(start['modules_floor_s'])} s ({_fmt(start['floor_ratio'])} ×) ; la même "
        f"après l'import des seuls types PySide6 que ces modules importent, sans une ligne du "
        f"programme : {_fmt(start['qt_types_floor_s'])} s ({_fmt(start['qt_floor_ratio'])} ×)"
    )
    if "feedback" in results:
        lines.extend(feedback.report(results["feedback"]))
    lines.append("")
    lines.append(
        "| Classeurs | Lecture calamine (plancher) | Import + fusion | ratio plancher "
        "| pandas lecture (openpyxl) | gain | pandas lecture (calamine) | Commande entière "
        "| Script pandas entier | gain | Script pandas + calamine entier | gain "
        "| Mémoire de pointe |"
    )
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count, row in sorted(results["consolidation"].items(), key=lambda kv: int(kv[0])):
        pandas_read = row.get("pandas_openpyxl_read")
        pandas_all = pandas_read + row["pandas_to_excel"] if pandas_read else None
        calamine_all = row["pandas_calamine_read"] + row["pandas_to_excel"] if pandas_read else None
        lines.append(
            "| "
            + " | ".join(
                [
                    str(count),
                    f"{_fmt(row['calamine_read'])} s",
                    f"{_fmt(row['merge'])} s",
                    f"{_fmt(row['merge'] / row['calamine_read'])} ×",
                    f"{_fmt(pandas_read)} s" if pandas_read else "—",
                    f"{_fmt(pandas_read / row['merge'])} ×" if pandas_read else "—",
                    f"{_fmt(row['pandas_calamine_read'])} s" if pandas_read else "—",
                    f"{_fmt(row['consolidate'])} s",
                    f"{_fmt(pandas_all)} s" if pandas_all else "—",
                    f"{_fmt(pandas_all / row['consolidate'])} ×" if pandas_all else "—",
                    f"{_fmt(calamine_all)} s" if calamine_all else "—",
                    f"{_fmt(calamine_all / row['consolidate'])} ×" if calamine_all else "—",
                    f"{_fmt(row['peak_mb'])} Mo" if "peak_mb" in row else "—",
                ]
            )
            + " |"
        )
    write = results["workbook"]
    lines.append("")
    lines.append(
        f"Classeur consolidé de {write['rows']} lignes de réponses : {_fmt(write['ours_s'])} s, "
        f"contre {_fmt(write['openpyxl_dump_s'])} s pour openpyxl en écriture seule sans mise en "
        f"forme ({_fmt(write['ratio'])} ×, objectif ≤ 1)"
    )
    if "pdf" in results:
        pdf = results["pdf"]
        lines.append(
            f"Synthèse PDF de {pdf['respondents']} répondants : {_fmt(pdf['ours_s'])} s, contre "
            f"{_fmt(pdf['plain_table_s'])} s pour un tableau reportlab simple des mêmes lignes "
            f"({_fmt(pdf['ratio'])} ×, objectif ≤ 2)"
        )
    if "evolution" in results:
        lines.extend(evolution.report(results["evolution"]))
    if "undo" in results:
        undone = results["undo"]
        lines.append(
            f"Annulation d'un import de {undone['answers']} réponses ({undone['applied']} "
            f"réponses et valeurs d'indicateurs appliquées) : {_fmt(undone['undo_s'])} s, contre "
            f"{_fmt(undone['import_s'])} s pour l'import du même fichier "
            f"({_fmt(undone['ratio'])} ×, objectif ≤ 1)"
        )
    if "campaigns" in results:
        carried = results["campaigns"]
        lines.append(
            f"Nouvelle campagne reprenant {carried['carried']} réponses à confirmer "
            f"({carried['services']} services) : {_fmt(carried['campaign_s'])} s, contre "
            f"{_fmt(carried['import_s'])} s pour l'import de ces réponses "
            f"({_fmt(carried['ratio'])} ×, objectif ≤ 1)"
        )
    if "revision" in results:
        revised = results["revision"]
        lines.append(
            f"Révision d'un plan de {revised['actions']} actions : correspondance proposée en "
            f"{_fmt(revised['match_s'])} s, contre {_fmt(revised['same_s'])} s pour le plan "
            f"comparé à lui-même ({_fmt(revised['match_ratio'])} ×, objectif ≤ 10 ×) ; "
            f"révision enregistrée en {_fmt(revised['apply_s'])} s, contre "
            f"{_fmt(revised['store_s'])} s pour enregistrer le même plan "
            f"({_fmt(revised['apply_ratio'])} ×, objectif ≤ 2 ×)"
        )
    window = results.get("entry_window") or {}
    if window:
        measures, baseline = window["measures_ms"], window["baseline_ms"]
        lines.append("")
        lines.append(f"Fenêtre de saisie sur un plan de {window['actions']} actions :")
        for label, value in measures.items():
            reference = baseline.get(label)
            unit = "Mo" if "(Mo)" in label else "ms"
            compared = (
                f" (référence {_fmt(reference)} {unit}, {_fmt(value / reference)} ×)"
                if reference
                else ""
            )
            shown = label.replace(" (Mo)", "")
            lines.append(f"- {shown} : {_fmt(value)} {unit}{compared}")
        goals = window["goals"]
        lines.append(
            "- objectifs : filtre sous 50 ms pour 95 % des frappes "
            + ("atteint" if goals["filtre_sous_50_ms"] else "manqué")
            + ", boucle jamais bloquée plus de 100 ms "
            + ("atteint" if goals["jamais_bloquee_plus_de_100_ms"] else "manqué")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="une mesure courte")
    args = parser.parse_args(argv)
    counts = (10, 100) if args.quick else (10, 100, 1000)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sradar-mesures-") as temporary:
        folder = Path(temporary)
        os.environ["SRADAR_DATA_DIR"] = str(folder / "donnees")
        results: dict = {
            "machine": _machine(),
            "date": datetime.now(UTC).astimezone().strftime("%d/%m/%Y %H:%M"),
            "quick": args.quick,
        }
        print("Démarrage…", flush=True)
        results["startup"] = startup(folder, repeat=3 if args.quick else 5)
        print("Accueil et fermeture…", flush=True)
        results["feedback"] = feedback.run(folder, repeat=3 if args.quick else 5)
        print("Consolidation…", flush=True)
        results["consolidation"] = consolidation.run(
            folder, counts, pandas_up_to=100 if args.quick else 1000
        )
        print("Classeur consolidé…", flush=True)
        results["workbook"] = writing.consolidated_workbook(folder, respondents=100)
        print("Synthèse PDF…", flush=True)
        results["pdf"] = writing.pdf_summary(folder, respondents=20 if args.quick else 100)
        print("Consolidation avec l'évolution…", flush=True)
        results["evolution"] = evolution.run(folder / "evolution", files=100)
        print("Annulation d'un import…", flush=True)
        results["undo"] = undo.run(folder, services=100 if args.quick else 710)
        print("Nouvelle campagne…", flush=True)
        results["campaigns"] = campaigns.run(folder, services=100 if args.quick else 710)
        print("Révision d'un plan…", flush=True)
        results["revision"] = revision.run(1000 if args.quick else 5000)
        print("Fenêtre de saisie…", flush=True)
        results["entry_window"] = entry_window(2000 if args.quick else 5000)
    text = report(results)
    print()
    print(text)
    (RESULTS / "latest.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (RESULTS / "latest.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
