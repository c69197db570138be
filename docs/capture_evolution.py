"""Screenshots of the consolidation window's evolution and of a plan revision, at 1366 × 768, for
the user guide.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/capture_evolution.py

Writes into ``resources/guide/images``:
- ``evolution.png``: the « Évolution » tab, the SRADAR's second evaluation in Pays de la Loire
  compared with the first (answers carried forward, some changed);
- ``revision-apercu.png``: « Réviser le plan… », the preview of a revised plan (an action
  removed, one added, one reworded) with a doubtful link marked « à vérifier ».

Same throw-away data folder and helpers as ``make_captures.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from make_captures import (
    HEIGHT,
    ROOT,
    WIDTH,
    consolidation_answers,
    save,
    settle,
)
from PySide6.QtCore import QEventLoop, QTimer

from sradar_desktop.app import create_application
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import load_plan
from sradar_desktop.ui.consolidation.window import EVOLUTION_TAB, ConsolidationWindow
from sradar_desktop.ui.dialogs.revision import RevisionDialog

SRADAR = "sradar-2021-2023"
# What the services answer differently in the second evaluation.
CHANGES = {
    "DDETS-44": {"1.5.1": "oui", "2.1.3": "partiellement", "1.2.3": "oui"},
    "DDETS-49": {"1.1.1": "oui", "1.4.1": "oui", "2.1.2": "non"},
    "DDETS-53": {"1.2.2": "partiellement", "3.1.1": "oui", "1.3.1": "non"},
    "DDETS-72": {"4.1.1": "oui", "4.2.1": "partiellement"},
}


def wait(signal, msecs: int = 30_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


def revised_plan(folder: Path) -> Path:
    """Seed 000's table with its action 1.1.2 removed, 1.3.2 reworded and an action added."""
    seed = ROOT / "tests" / "data" / "evaluation-sradar-2021-2023.txt"
    lines = seed.read_text(encoding="utf-8").splitlines()
    removed = next(i for i, line in enumerate(lines) if "Rédiger un didacticiel" in line)
    theme = lines.pop(removed).split("\t")
    lines.insert(
        removed + 1,
        "\t".join(
            [*theme[:2], "Former les agents d'accueil à la lutte contre les discriminations", ""]
        ),
    )
    reworded = next(i for i, line in enumerate(lines) if "entre les SIAO et l'OFII" in line)
    cells = lines[reworded].split("\t")
    cells[2] = "Poursuivre et renforcer les échanges de données entre SIAO et OFII"
    lines[reworded] = "\t".join(cells)
    path = folder / "plan-sradar-revise.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> int:
    app = create_application(["captures"])
    folder = Path(os.environ["SRADAR_DATA_DIR"])
    db = open_database(folder / "evolution.sqlite3")
    try:
        first = consolidation_answers(db)
        second = create_campaign(db, first, "Évaluation 2024", period="2024", actor="SGAR").id
        codes = [a.code for a in load_plan(db, SRADAR).actions()]
        for respondent, changes in CHANGES.items():
            service = AnswerService(db, second, respondent, "Agent")
            for code in codes:  # the answers still right, confirmed
                if code not in changes:
                    service.confirm(code)
            for code, status in changes.items():
                service.set_status(code, status)

        window = ConsolidationWindow(db, questionnaire_id=SRADAR, actor="Sophie Durand")
        window.resize(WIDTH, HEIGHT)
        window.show()
        wait(window.loaded)
        window.tabs.setCurrentIndex(EVOLUTION_TAB)
        pane = window.evolution_pane
        changed = next(
            row
            for row in range(pane.actions_model.rowCount())
            if pane.actions_model.transition(row) != "inchangée"
        )
        pane.actions_view.selectRow(changed)
        pane.actions_view.setFocus()
        settle()
        save(window, "evolution.png")

        dialog = RevisionDialog(db, SRADAR, actor="Sophie Durand", parent=window)
        dialog.resize(WIDTH - 16, HEIGHT - 48)
        dialog.show()
        dialog.load_file(revised_plan(folder))
        wait(dialog.previewed)
        model = dialog.model
        doubtful = next(
            (row for row in range(model.rowCount()) if model.link(row).confidence < 0.8), 0
        )
        dialog.table.selectRow(dialog.proxy.mapFromSource(model.index(doubtful, 0)).row())
        settle()
        save(dialog, "revision-apercu.png")
        dialog.close()
        window.close()
    finally:
        db.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
