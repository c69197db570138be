"""Screenshots of the entry window for the README, at 1366 × 768.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/captures/make_captures.py

Writes, next to this script:
- ``fenetre-principale.png``: the built-in SRADAR 2021-2023 plan, partly answered by the DDETS
  of Loire-Atlantique;
- ``detail-indicateurs.png``: the detail pane of an action with indicators (Hauts-de-France
  road map, action 2.6.1), values entered the French way;
- ``premier-demarrage.png``: the first-start dialog, filled in.

Everything happens in a throw-away data folder: the user's own database and settings are not
touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ["SRADAR_DATA_DIR"] = tempfile.mkdtemp(prefix="sradar-captures-")
sys.path.insert(0, str(HERE.parent.parent))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from sradar_desktop.app import create_application  # noqa: E402
from sradar_desktop.services.database import Database  # noqa: E402
from sradar_desktop.services.entry import Identity, open_entry  # noqa: E402
from sradar_desktop.services.questionnaires import list_questionnaires  # noqa: E402
from sradar_desktop.ui.dialogs import IdentityDialog  # noqa: E402
from sradar_desktop.ui.main_window import MainWindow  # noqa: E402

WIDTH, HEIGHT = 1366, 768
CLAIRE = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Claire Martin")
KARIM = Identity.create("DDETS-59", "", "Karim Benali")

# The answers of the DDETS of Loire-Atlantique so far (the SRADAR's first evaluation).
SRADAR_ANSWERS = {
    "1.1.1": ("oui", "Capacités mises à jour chaque mois dans le DN@ par les opérateurs."),
    "1.1.3": ("oui", ""),
    "1.2.1": ("nc", "Pas de demande de places PMR remontée en 2023."),
    "1.2.2": ("partiellement", "Ouverture de 40 places CADA ; le projet de CAES est reporté."),
    "1.2.3": ("partiellement", ""),
    "1.3.2": ("oui", ""),
    "1.4.1": ("oui", "Nuitées hôtelières limitées à 105 places, tenues toute l'année."),
    "1.4.3": ("oui", ""),
    "1.5.1": ("non", "Réunion avec les bailleurs prévue au premier semestre 2024."),
    "1.5.2": ("oui", ""),
    "2.1.1": ("oui", ""),
    "2.1.2": ("partiellement", ""),
    "2.1.3": ("non", ""),
    "2.1.4": ("oui", ""),
    "2.2.1": ("oui", "Conventions HUDA signées pour 2023-2025."),
}


def wait_loaded(window: MainWindow) -> None:
    loop = QEventLoop()
    window.loaded.connect(loop.quit)
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()


def settle(msecs: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str) -> Path:
    path = HERE / name
    widget.grab().save(str(path))
    print(f"{path.relative_to(HERE.parent.parent)} : {widget.width()} × {widget.height()}")
    return path


def main_window(db: Database) -> None:
    data = open_entry(db, "sradar-2021-2023", CLAIRE)
    assert data.service is not None
    for code, (status, comment) in SRADAR_ANSWERS.items():
        data.service.set_status(code, status)
        if comment:
            data.service.set_comment(code, comment)
    window = MainWindow(db, identity=CLAIRE, questionnaire_id="sradar-2021-2023")
    window.resize(WIDTH, HEIGHT)
    window.show()
    wait_loaded(window)
    window._select_code("1.2.2")
    window.table.setFocus()
    settle()
    save(window, "fenetre-principale.png")
    window.close()


def indicators(db: Database) -> None:
    data = open_entry(db, "hdf-integration-2021", KARIM)
    assert data.service is not None
    data.service.set_status("2.6.1", "partiellement")
    data.service.set_comment(
        "2.6.1",
        "Neuf projets financés sur douze prévus (BOP 104, actions 12 et 15) ; le projet de "
        "l'Oise a démarré en septembre.",
    )
    data.service.set_indicator("2.6.1", 0, target="12", achieved="9")
    data.service.set_indicator("2.6.1", 1, target="1174", achieved="1316")
    window = MainWindow(db, identity=KARIM, questionnaire_id="hdf-integration-2021")
    window.resize(WIDTH, HEIGHT)
    window.show()
    wait_loaded(window)
    window._select_code("2.6.1")
    window.detail.focus_indicators()
    settle()
    save(window.detail, "detail-indicateurs.png")
    window.close()


def first_start(db: Database) -> None:
    dialog = IdentityDialog(list_questionnaires(db), None, "sradar-2021-2023")
    dialog.show()
    dialog.code_edit.setText("DDETS-44")
    dialog.code_edit.textEdited.emit("DDETS-44")
    dialog.name_edit.setText("Claire Martin")
    dialog.name_edit.setFocus()
    settle()
    save(dialog, "premier-demarrage.png")
    dialog.close()


def main() -> int:
    app = create_application(["captures"])
    QApplication.setDesktopSettingsAware(True)
    db = Database.open(Path(os.environ["SRADAR_DATA_DIR"]) / "sradar.sqlite3")
    try:
        first_start(db)
        main_window(db)
        indicators(db)
    finally:
        db.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
