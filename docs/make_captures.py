"""Screenshots of the entry window for the README, at 1366 × 768.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/make_captures.py [NAME...]

On a small screen, as the windows open there on a first start (maximised, with a window
manager), for the guide's section « Sur un petit écran »: the same captures named
``…-1024x600.png`` (``fenetre-principale``, ``premier-demarrage``, ``apercu-import``,
``consolidation``)::

    xvfb-run -a -s "-screen 0 1024x600x24" sh -c \
        "openbox & python docs/make_captures.py --ecran 1024x600"

Writes, next to this script:
- ``fenetre-principale.png``: the built-in SRADAR 2021-2023 plan, partly answered by the DDETS
  of Loire-Atlantique;
- ``detail-indicateurs.png``: the detail pane of an action with indicators (Hauts-de-France
  road map, action 2.6.1), values entered the French way;
- ``premier-demarrage.png``: the first-start dialog, filled in;
- ``import-apercu.png``: the preview of an import of four files received by email (a colleague's
  answers with conflicts, a workbook edited in Excel with mistakes, a PDF renamed ``.xlsx``, a
  plan in a table that brings a new questionnaire);
- ``consolidation.png``: the consolidation window, the SRADAR answered by four of the five DDETS
  of Pays de la Loire, an action where they differ selected.

Everything happens in a throw-away data folder: the user's own database and settings are not
touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The screenshots illustrate the user guide (shipped with the app) and the README.
HERE = ROOT / "resources" / "guide" / "images"
os.environ["SRADAR_DATA_DIR"] = tempfile.mkdtemp(prefix="sradar-captures-")
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from sradar_desktop.app import create_application  # noqa: E402
from sradar_desktop.services.database import Database  # noqa: E402
from sradar_desktop.services.entry import Identity, open_entry  # noqa: E402
from sradar_desktop.services.exchange import export_workbook  # noqa: E402
from sradar_desktop.services.opening import open_database  # noqa: E402
from sradar_desktop.services.questionnaires import (  # noqa: E402
    default_campaign_id,
    list_questionnaires,
    load_plan,
)
from sradar_desktop.ui.dialogs.import_files import ImportDialog  # noqa: E402
from sradar_desktop.ui.dialogs.start import IdentityDialog  # noqa: E402
from sradar_desktop.ui.entry.window import MainWindow  # noqa: E402

WIDTH, HEIGHT = 1366, 768
# « --ecran 1024x600 »: the small-screen captures (see the docstring); "" for the README's.
SCREEN = ""
# A capture's name on a small screen: the guide's names (one differs from the README's).
SMALL_NAMES = {"import-apercu": "apercu-import"}
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
    if SCREEN:
        stem = name.removesuffix(".png")
        name = f"{SMALL_NAMES.get(stem, stem)}-{SCREEN}.png"
    path = HERE / name
    widget.grab().save(str(path))
    print(f"{path.relative_to(ROOT)} : {widget.width()} × {widget.height()}")
    return path


def answer_sradar(db: Database) -> None:
    data = open_entry(db, "sradar-2021-2023", CLAIRE)
    assert data.service is not None
    for code, (status, comment) in SRADAR_ANSWERS.items():
        data.service.set_status(code, status)
        if comment:
            data.service.set_comment(code, comment)


def place(window: QWidget) -> None:
    """Shown as the agent sees it: at the README's size, or maximised on a small screen."""
    if SCREEN:
        window.showMaximized()
    else:
        window.resize(WIDTH, HEIGHT)
        window.show()


def main_window(db: Database) -> None:
    answer_sradar(db)
    window = MainWindow(db, identity=CLAIRE, questionnaire_id="sradar-2021-2023")
    place(window)
    wait_loaded(window)
    window.action_list.select_code("1.2.2")
    window.action_list.table.setFocus()
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
    window.action_list.select_code("2.6.1")
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


def received_files(folder: Path) -> list[Path]:
    """What the secretariat finds in its mailbox: made before the window's answers, so that a
    colleague's older answers conflict with them."""
    folder.mkdir(parents=True, exist_ok=True)
    colleague = open_database(folder / "poste-collegue.sqlite3")
    try:
        data = open_entry(
            colleague,
            "sradar-2021-2023",
            Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Paul Girard"),
        )
        assert data.service is not None
        for code, status, comment in [
            ("1.1.1", "partiellement", "Le DN@ n'est pas à jour chez deux opérateurs."),
            ("1.2.2", "partiellement", ""),
            ("1.5.1", "non", ""),
            ("2.3.1", "oui", "Permanence OFII ouverte à Saint-Nazaire."),
            ("2.3.2", "oui", ""),
            ("3.1.1", "partiellement", ""),
        ]:
            data.service.set_status(code, status)
            if comment:
                data.service.set_comment(code, comment)
        answers = folder / "SRADAR-2021-2023_DDETS-44_2026-11-20.xlsx"
        export_workbook(colleague, answers, respondent_code="DDETS-44")
        vendee = folder / "SRADAR-2021-2023_DDETS-85.xlsx"
        export_workbook(colleague, vendee, respondent_code="DDETS-85")
    finally:
        colleague.close()
    # Filled in Excel by a colleague without the app, with two mistakes.
    import openpyxl

    book = openpyxl.load_workbook(vendee)
    sheet = book["Questionnaire"]
    sheet["G2"] = "Oui"
    sheet["G3"] = "peut-être"
    sheet["G5"] = "en cours"
    sheet["G6"] = "Non"
    book.save(vendee)
    pdf = folder / "SRADAR-2021-2023_DDETS-53.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 4000)
    plan_table = folder / "grille-evaluation-2024.txt"
    seed = ROOT / "tests" / "data" / "evaluation-sradar-2021-2023.txt"
    plan_table.write_bytes(seed.read_bytes())
    return [answers, vendee, pdf, plan_table]


def import_preview(db: Database, files: list[Path]) -> None:
    answer_sradar(db)  # after the colleague's: conflicts
    dialog = ImportDialog(
        db, files, actor="Claire Martin", current_questionnaire="sradar-2021-2023"
    )
    dialog.show()
    deadline = time.monotonic() + 30
    while dialog.phase != ImportDialog.PREVIEWED and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    dialog.view.expand(dialog.model.index(0, 0))
    dialog.view.setCurrentIndex(dialog.model.index(1, 0))
    dialog.view.setFocus()
    settle()
    save(dialog, "import-apercu.png")
    dialog.close()


# The consolidation: the SRADAR 2021-2023 answered by the DDETS of Pays de la Loire. Each one
# mostly agrees with the published evaluation (tests/data, seed 000), some differ and comment,
# the Sarthe has answered part of its actions, the Vendée nothing yet.
CONSOLIDATION_AGENTS = {
    "DDETS-44": "Claire Martin",
    "DDETS-49": "Julien Moreau",
    "DDETS-53": "Nadia Haddad",
    "DDETS-72": "Thomas Leroy",
    "DDETS-85": "",
}
CONSOLIDATION_COMMENTS = {
    ("DDETS-44", "1.1.1"): "Capacités mises à jour chaque mois dans le DN@ par les opérateurs.",
    (
        "DDETS-49",
        "1.1.1",
    ): "Mise à jour trimestrielle seulement, faute de relais chez un opérateur.",
    ("DDETS-44", "1.2.2"): "Ouverture de 40 places CADA ; le projet de CAES est reporté à 2024.",
    ("DDETS-53", "1.2.2"): "Aucune place nouvelle : l'appel à projets CADA est resté sans suite.",
    ("DDETS-44", "1.4.1"): "Nuitées hôtelières limitées à 105 places, tenues toute l'année.",
    ("DDETS-49", "1.4.1"): "Recours aux nuitées en hausse à l'automne (arrivées de familles).",
    ("DDETS-72", "1.4.1"): "Plus aucune nuitée hôtelière depuis juin.",
    ("DDETS-53", "2.1.2"): "Accompagnement à la sortie renforcé par un référent logement.",
    ("DDETS-72", "2.2.1"): "Conventions HUDA signées pour 2023-2025.",
    ("DDETS-49", "3.1.3"): "Deux réunions d'information avec les bailleurs sociaux.",
    ("DDETS-44", "8.1.2"): "Réunion annuelle tenue le 12 octobre avec les collectivités.",
}


def consolidation_answers(db: Database) -> str:
    """Answers, roster, an arbitration and a due date for the consolidation capture; returns
    the campaign."""
    import random
    from datetime import date, timedelta

    from sradar_desktop.domain.plan import pilots_include
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.consolidation import (
        RosterMember,
        set_arbitration,
        set_due_date,
        set_roster,
    )
    from sradar_desktop.services.entry import service_label_for

    seed = ROOT / "tests" / "data" / "evaluation-sradar-2021-2023.txt"
    published = [
        line.split("\t")[-1].strip()
        for line in seed.read_text(encoding="utf-8").splitlines()
        if line.count("\t") >= 3 and not line.startswith("Objectifs")
    ]
    plan = load_plan(db, "sradar-2021-2023")
    base = dict(zip((a.code for a in plan.actions()), published, strict=True))
    campaign = default_campaign_id(plan.id)
    nearby = {"oui": "partiellement", "partiellement": "non", "non": "partiellement", "nc": "oui"}
    for code, agent in CONSOLIDATION_AGENTS.items():
        if not agent:
            continue
        service = AnswerService(db, campaign, code, agent)
        rng = random.Random(code)
        for action in plan.actions():
            if not pilots_include(action.pilots, code):
                continue
            if code == "DDETS-72" and int(action.code.split(".")[0]) >= 4:
                continue  # the Sarthe is half-way through
            status = base[action.code]
            if rng.random() < 0.12:
                status = nearby[status]
            comment = CONSOLIDATION_COMMENTS.get((code, action.code), "")
            if comment and (code, action.code) in (
                ("DDETS-49", "1.1.1"),
                ("DDETS-53", "1.2.2"),
                ("DDETS-49", "1.4.1"),
            ):
                status = nearby[base[action.code]]
            service.set_status(action.code, status)
            if comment:
                service.set_comment(action.code, comment)
    set_roster(
        db,
        campaign,
        [RosterMember(code, service_label_for(code)) for code in CONSOLIDATION_AGENTS],
    )
    set_due_date(db, campaign, date.today() + timedelta(days=10))
    set_arbitration(
        db,
        campaign,
        "1.2.2",
        "partiellement",
        reason="Commission du 16 janvier 2024 : 40 places CADA ouvertes en Loire-Atlantique, "
        "rien ailleurs ; l'effort est à poursuivre en 2024.",
        actor="Sophie Durand (SGAR)",
    )
    return campaign


def consolidation(folder: Path) -> None:
    """``consolidation.png``: the consolidation window on its own database."""
    from sradar_desktop.ui.consolidation.window import ConsolidationWindow

    db = open_database(folder / "consolidation.sqlite3")
    try:
        consolidation_answers(db)
        window = ConsolidationWindow(db, questionnaire_id="sradar-2021-2023", actor="Sophie Durand")
        loop = QEventLoop()
        window.loaded.connect(loop.quit)
        QTimer.singleShot(30_000, loop.quit)
        place(window)
        loop.exec()
        # An action where the services differ, its arbitration being typed.
        window.select_action("1.4.1")
        detail = window.detail
        detail.status_combo.setCurrentIndex(detail.status_combo.findData("oui"))
        detail.reason_edit.setPlainText(
            "Nuitées tenues en Loire-Atlantique, en Mayenne et dans la Sarthe ; la hausse en "
            "Maine-et-Loire est ponctuelle (arrivées de familles à l'automne)."
        )
        detail.reason_edit.setFocus()
        settle()
        save(window, "consolidation.png")
        window.close()
    finally:
        db.close()


def main() -> int:
    global SCREEN
    arguments = sys.argv[1:]
    if arguments[:1] == ["--ecran"]:
        SCREEN, arguments = arguments[1], arguments[2:]
    app = create_application(["captures"])
    QApplication.setDesktopSettingsAware(True)
    db = open_database(Path(os.environ["SRADAR_DATA_DIR"]) / "sradar.sqlite3")
    # Only some of them: ``make_captures.py import-apercu consolidation``. « Préparer l'envoi »
    # and the round by email: ``capture_mail.py``.
    wanted = set(arguments)
    if SCREEN and not wanted:  # the guide shows these four on a small screen
        wanted = {"premier-demarrage", "fenetre-principale", "import-apercu", "consolidation"}

    def take(name: str) -> bool:
        return not wanted or name in wanted

    try:
        files = received_files(Path(os.environ["SRADAR_DATA_DIR"]) / "courriel")
        if take("premier-demarrage"):
            first_start(db)
        if take("fenetre-principale"):
            main_window(db)
        if take("detail-indicateurs"):
            indicators(db)
        if take("import-apercu"):
            import_preview(db, files)
        if take("consolidation"):
            consolidation(Path(os.environ["SRADAR_DATA_DIR"]))
    finally:
        db.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
