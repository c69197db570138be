"""Screenshots of the round by email, at 1024 × 600 (the smallest screen the windows fit), for
the user guide and the README.

    xvfb-run -a -s "-screen 0 1024x600x24" python docs/capture_mail.py

Writes into ``resources/guide/images``:
- ``envoi-adresses.png``: « Préparer l'envoi », the services of Pays de la Loire with the
  addresses imported from the secretariat's list, the return address;
- ``envoi-messages.png``: the messages prepared, one per service, each beside its blank;
- ``envoi-relances.png``: reminders to the services that still owe answers, each saying what;
- ``envoi-reponses.png``: the agent's side, « Ouvrir dans la messagerie » after the export;
- ``import-courriels.png``: replies saved from the mailbox, dropped on the window: a line per
  attached workbook, a sender who is not the service's address, a message without workbook.

Same throw-away data folder and helpers as ``make_captures.py``; nothing is opened in a mail
program (the messages are only written).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from make_captures import CLAIRE, answer_sradar, save, settle, wait_loaded
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMessageBox

from sradar_desktop.app import create_application
from sradar_desktop.domain.consolidation import expected_actions
from sradar_desktop.services.addresses import (
    read_address_list,
    return_address,
    set_return_address,
)
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.consolidation import roster, set_due_date, set_roster
from sradar_desktop.services.entry import Identity, open_entry
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.sending import member, propose_roster
from sradar_desktop.ui.dialogs.import_files import ImportDialog
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.entry.window import MainWindow

SRADAR = "sradar-2021-2023"
# The folders the screenshots show: the same at every run, so that the images change only when
# the windows do.
SHOWN = Path(tempfile.gettempdir()) / "sradar-captures"
CAMPAIGN = default_campaign_id(SRADAR)
BACK = "sgar-evaluation@pays-de-la-loire.gouv.fr"
LIST = """Service;Libellé;Adresse
DREETS-PDL;DREETS des Pays de la Loire;dreets-pdl-pole-c@dreets.gouv.fr
DDETS-44;DDETS de Loire-Atlantique;ddets-evaluation@loire-atlantique.gouv.fr
DDETS-49;DDETS de Maine-et-Loire;ddets-asile@maine-et-loire.gouv.fr, j.moreau@maine-et-loire.gouv.fr
DDETS-53;DDETS de la Mayenne;ddets-integration@mayenne.gouv.fr
DDETS-72;DDETS de la Sarthe;ddets@sarthe.gouv.fr
"""


def wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def dialog_for(db, folder: Path) -> SendDialog:
    """The dialog as the window opens it: the campaign's roster and return address."""
    plan = load_plan(db, SRADAR)
    dialog = SendDialog(
        db,
        plan,
        CAMPAIGN,
        "Évaluation 2021-2023",
        roster(db, CAMPAIGN),
        region=plan.region,
        folder=str(folder),
        return_address=return_address(db, CAMPAIGN),
    )
    dialog.show()
    return dialog


def prepare_and_send(db, folder: Path, work: Path) -> None:
    listed = work / "adresses des services.csv"
    listed.write_text(LIST, encoding="utf-8")
    dialog = dialog_for(db, folder)
    dialog.return_edit.setText(BACK)
    # « Importer des adresses… », the list chosen in the file dialog.
    dialog._apply_addresses(listed, read_address_list(listed))
    dialog.table.selectRow(2)
    dialog.table.setFocus()
    settle()
    save(dialog, "envoi-adresses.png")
    dialog.write()
    wait(lambda: dialog.drafts is not None and not dialog.running)
    dialog.messages_view.selectRow(1)
    settle()
    save(dialog, "envoi-messages.png")
    dialog.close()


def remind(db, folder: Path) -> None:
    plan = load_plan(db, SRADAR)
    for code, share in (("DDETS-44", 1.0), ("DDETS-49", 0.9), ("DDETS-53", 0.4)):
        service = AnswerService(db, CAMPAIGN, code, "Agent")
        mine = [action.code for action in expected_actions(plan, code)]
        for action in mine[: int(len(mine) * share)]:
            service.set_status(action, "oui")
    dialog = dialog_for(db, folder)
    dialog.reminders_button.setChecked(True)
    dialog.write()
    wait(lambda: isinstance(dialog.message_box, QMessageBox))
    next(b for b in dialog.message_box.buttons() if b.text() == "&Remplacer").click()
    wait(lambda: dialog.drafts is not None and dialog.drafts.written and not dialog.running)
    dialog.messages_view.selectRow(1)
    settle()
    save(dialog, "envoi-relances.png")
    dialog.close()


def agent_side(work: Path) -> None:
    """The DDETS of Loire-Atlantique, whose workstation learnt the return address from the
    blank it imported."""
    db = open_database(work / "agent.sqlite3")
    set_return_address(db, CAMPAIGN, BACK)
    answer_sradar(db)
    window = MainWindow(db, identity=CLAIRE, questionnaire_id=SRADAR)
    window.resize(1008, 552)
    window.show()
    wait_loaded(window)
    target = SHOWN / "Mes réponses" / "SRADAR-2021-2023_DDETS-44_2027-03-16.xlsx"
    target.parent.mkdir(parents=True)
    window.exchange.export_to(target)
    wait(lambda: isinstance(window.exchange.message_box, QMessageBox))
    box = window.exchange.message_box
    settle()
    save(box, "envoi-reponses.png")
    box.close()
    window.close()
    db.close()


def message(folder: Path, name: str, sender: tuple[str, str], subject: str, files) -> Path:
    mail = EmailMessage()
    mail["From"] = f"{sender[0]} <{sender[1]}>"
    mail["To"] = BACK
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime(2027, 3, 16, 10, 14).astimezone())
    mail.set_content("Bonjour,\n\nVeuillez trouver ci-joint nos réponses.\n\nCordialement,\n")
    for path in files:
        mail.add_attachment(
            path.read_bytes(),
            "application",
            "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=path.name,
        )
    path = folder / name
    path.write_bytes(bytes(mail))
    return path


def collect(work: Path) -> None:
    db = open_database(work / "secretariat.sqlite3")
    try:
        set_roster(
            db,
            CAMPAIGN,
            [
                member(m.code, m.label, address)
                for m, address in zip(
                    propose_roster("Pays de la Loire"),
                    [
                        "dreets-pdl-pole-c@dreets.gouv.fr",
                        "ddets-evaluation@loire-atlantique.gouv.fr",
                        "ddets-asile@maine-et-loire.gouv.fr",
                        "ddets-integration@mayenne.gouv.fr",
                        "ddets@sarthe.gouv.fr",
                        "ddets-vendee@vendee.gouv.fr",
                    ],
                    strict=True,
                )
            ],
        )
        set_due_date(db, CAMPAIGN, date(2027, 3, 31))
        books = {}
        for code in ("DDETS-44", "DDETS-53", "DDETS-72"):
            other = open_database(work / f"poste-{code}.sqlite3")
            data = open_entry(other, SRADAR, Identity.create(code, "", f"Agent {code}"))
            assert data.service is not None
            for action in ("1.1.1", "1.1.3", "1.2.1"):
                data.service.set_status(action, "oui")
            books[code] = work / f"SRADAR-2021-2023_{code}_2027-03-14.xlsx"
            export_workbook(other, books[code], respondent_code=code)
            other.close()
        received = work / "Courriels reçus"
        received.mkdir()
        message(
            received,
            "RE Évaluation SRADAR - réponses DDETS 44.eml",
            ("Claire Martin", "ddets-evaluation@loire-atlantique.gouv.fr"),
            "RE: SRADAR 2021-2023 — Évaluation 2021-2023 : questionnaire de DDETS-44",
            [books["DDETS-44"]],
        )
        message(
            received,
            "Réponses Mayenne et Sarthe.eml",
            ("Nadia Haddad", "ddets-integration@mayenne.gouv.fr"),
            "Réponses de la Mayenne et de la Sarthe",
            [books["DDETS-53"], books["DDETS-72"]],
        )
        pdf = work / "compte rendu.pdf"
        pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 4000)
        message(
            received,
            "Vendée - relance.eml",
            ("DDETS Vendée", "ddets-vendee@vendee.gouv.fr"),
            "RE: Relance — SRADAR 2021-2023",
            [pdf],
        )
        dialog = ImportDialog(
            db, sorted(received.iterdir()), actor="Sophie Durand", current_questionnaire=SRADAR
        )
        dialog.show()
        wait(lambda: dialog.phase == ImportDialog.PREVIEWED)
        dialog.view.setCurrentIndex(dialog.model.index(2, 0))
        dialog.view.setFocus()
        settle()
        save(dialog, "import-courriels.png")
        dialog.close()
    finally:
        db.close()


def main() -> int:
    app = create_application(["captures"])
    work = Path(os.environ["SRADAR_DATA_DIR"])
    db = open_database(work / "sradar.sqlite3")
    shutil.rmtree(SHOWN, ignore_errors=True)
    folder = SHOWN / "Envoi SRADAR 2027"
    folder.mkdir(parents=True)
    try:
        set_due_date(db, CAMPAIGN, date(2027, 3, 31))
        prepare_and_send(db, folder, work)
        remind(db, folder)
    finally:
        db.close()
    agent_side(work)
    collect(work)
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
