"""How soon the program shows something at start, and at closing.

    python benchmarks/feedback.py              # 5 runs of each, the median kept
    python benchmarks/feedback.py --repeat 9

Each run is its own process, started by this script, which notes when each line the child
writes arrives:

- the application (``sradar-desktop`` as started by its command, ``--exit-after-start``, the
  agent known and the database made by a first start that is not measured) writes « accueil »
  at the first paint of its splash,
  « plan » once the plan is loaded and painted in the window, then, after a second in which the
  window's deferred work runs, quits as the user does with Ctrl+Q (the menu's « Quitter »,
  « fermeture »), writes « enregistrement » at the first paint of « Enregistrement en cours… »,
  and ends;
- the baseline, a PySide6 program showing a bare ``QWidget``, writes « peint » at its first paint,
  then closes its window (« fermeture ») and ends.

Ratios against the baseline of the same run: splash and plan against the bare widget's first
paint; the closing feedback and the end of the program against the bare program's closing. The
end of the program is also held against its own goal: gone 0.3 s after Ctrl+Q at most.

Both programs run from compiled bytecode, as an installed program does (a cache in the temporary
folder, whatever ``PYTHONDONTWRITEBYTECODE`` says).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    class Bare(QWidget):
        painted = False

        def paintEvent(self, event):
            super().paintEvent(event)
            if not self.painted:
                self.painted = True
                print("peint", flush=True)
                QTimer.singleShot(0, self.finish)

        def finish(self):
            print("fermeture", flush=True)
            self.close()

    app = QApplication(sys.argv[:1])
    window = Bare()
    window.resize(400, 300)
    window.show()
    sys.exit(app.exec())
    """
)

APPLICATION = textwrap.dedent(
    """
    import sys
    from sradar_desktop.ui.parts import splash as splash_module

    said = set()
    painted = splash_module.Splash.paintEvent

    def paint(self, event):
        painted(self, event)
        word = "accueil" if "Chargement" in self.message() else "enregistrement"
        if word not in said:
            said.add(word)
            print(word, flush=True)

    splash_module.Splash.paintEvent = paint

    from PySide6.QtCore import QTimer
    from sradar_desktop import app as app_module

    def close_once_shown(app, window):
        def shown():
            window.repaint()
            print("plan", flush=True)
            QTimer.singleShot(1000, close)

        def close():
            print("fermeture", flush=True)
            window.menus.quit_action.trigger()  # Ctrl+Q

        window.loaded.connect(shown)
        window.load_failed.connect(lambda message: app.exit(1))

    app_module._quit_once_shown = close_once_shown
    from sradar_desktop.cli import main
    sys.exit(main(["--exit-after-start"]))
    """
)


# The agent's identity, given once as at a first start: every start measured is then the
# usual one, on the agent's own database as left last time.
REMEMBER_AGENT = textwrap.dedent(
    """
    from sradar_desktop.services.entry_data import Identity
    from sradar_desktop.ui.parts.settings import Settings
    Settings().set_identity(Identity.create("DDETS-44", "", "Claire Martin"))
    """
)


def start_as_the_agent(env: dict[str, str]) -> None:
    """Before the measures: the agent known (``REMEMBER_AGENT``) and a first start, which
    creates the database and is not measured."""
    subprocess.run([sys.executable, "-c", REMEMBER_AGENT], env=env, check=True, timeout=120)
    command = [sys.executable, "-m", "sradar_desktop", "--exit-after-start"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)


def _timed_lines(code: str, env: dict[str, str]) -> dict[str, float]:
    """Run ``code`` in a new process: the seconds, from just before it is started, at which
    each of its lines arrived, and « fin » when it ended."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    seen: dict[str, float] = {}
    assert child.stdout is not None
    for line in child.stdout:
        seen.setdefault(line.strip(), time.perf_counter() - start)
    if child.wait(timeout=300) != 0:
        raise RuntimeError(f"le processus mesuré a échoué ({child.returncode})")
    seen["fin"] = time.perf_counter() - start
    return seen


def compiled_env(folder: Path, **values: str) -> dict[str, str]:
    """The environment of a measured program: its modules compiled once into a cache in
    ``folder`` and read from there, as an installed program reads its own."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(folder / "bytecode"), **values)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(folder: Path, repeat: int = 5) -> dict[str, float]:
    env = compiled_env(
        folder,
        SRADAR_DATA_DIR=str(folder / "donnees-demarrage"),
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    _timed_lines(BARE, env)  # compiles what the baseline imports
    start_as_the_agent(env)
    _timed_lines(APPLICATION, env)  # compiles what the application imports
    bare_runs, app_runs = [], []
    for _ in range(repeat):  # interleaved: a slower moment of the machine weighs on both
        bare_runs.append(_timed_lines(BARE, env))
        app_runs.append(_timed_lines(APPLICATION, env))

    def median(runs: list[dict[str, float]], measure) -> float:
        return statistics.median(measure(seen) for seen in runs)

    bare_paint = median(bare_runs, lambda seen: seen["peint"])
    bare_close = median(bare_runs, lambda seen: seen["fin"] - seen["fermeture"])
    splash = median(app_runs, lambda seen: seen["accueil"])
    plan = median(app_runs, lambda seen: seen["plan"])
    feedback = median(app_runs, lambda seen: seen["enregistrement"] - seen["fermeture"])
    closing = median(app_runs, lambda seen: seen["fin"] - seen["fermeture"])
    return {
        "bare_paint_s": bare_paint,
        "bare_close_s": bare_close,
        "splash_s": splash,
        "plan_s": plan,
        "closing_feedback_s": feedback,
        "closing_s": closing,
        "splash_ratio": splash / bare_paint,
        "plan_ratio": plan / bare_paint,
        "closing_feedback_ratio": feedback / bare_close,
        "closing_ratio": closing / bare_close,
    }


def report(result: dict[str, float]) -> list[str]:
    def fmt(value: float) -> str:
        return f"{value:,.2f}".replace(",", " ").replace(".", ",")

    def ms(value: float) -> str:
        return f"{value * 1000:,.0f} ms".replace(",", " ")

    return [
        f"Accueil peint : {ms(result['splash_s'])} après le lancement, contre "
        f"{ms(result['bare_paint_s'])} pour un QWidget vide ({fmt(result['splash_ratio'])} ×, "
        "objectif ≤ 1,5 ×)",
        f"Plan affiché : {ms(result['plan_s'])} ({fmt(result['plan_ratio'])} × le QWidget vide)",
        f"Fermeture (Ctrl+Q) : « Enregistrement en cours… » peint "
        f"{ms(result['closing_feedback_s'])} après la demande "
        f"({fmt(result['closing_feedback_ratio'])} × la fermeture d'un programme vide, "
        f"{ms(result['bare_close_s'])}), programme terminé après {ms(result['closing_s'])} "
        f"({fmt(result['closing_ratio'])} ×, objectif ≤ 300 ms)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="mesures de chaque (médiane)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sradar-accueil-") as temporary:
        result = run(Path(temporary), repeat=args.repeat)
    print("\n".join(report(result)))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
