"""The round of email from the windows: « Préparer l'envoi » with the services' addresses, a list
of addresses imported, the drafts written beside the blanks and reminders to the late; each
message opened in the mail program (Simple MAPI when it offers it, the .eml otherwise); the
agent's answers offered as a message; saved messages imported from the window. Real widgets,
real files on disk, every draft parsed back by Python's email package."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from exchange_support import answer
from mail_support import MsgAttachment, MsgMessage, build_msg, outlook_eml, thunderbird_eml, write
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from test_ui_accessibility import unnamed_controls
from ui_support import (
    SIGNAL_TIMEOUT,
    SRADAR,
    box_button,
    click,
    database_path,
    drop,
    import_dialog,
    open_window,
    wait_active,
    workbook_from_elsewhere,
)

from sradar_desktop.domain.consolidation import expected_actions
from sradar_desktop.mail import mapi
from sradar_desktop.mail.writer import DraftFile
from sradar_desktop.services.addresses import return_address, set_return_address
from sradar_desktop.services.answers import read_answers
from sradar_desktop.services.consolidation import roster, set_roster
from sradar_desktop.services.mailing import prepare_reminders
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.refusals import refused_files
from sradar_desktop.services.sending import member
from sradar_desktop.ui.dialogs import sending as send_module
from sradar_desktop.ui.dialogs.import_models import IMPORTED, READY, REFUSED, ImportFilesModel
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.dialogs.sending_models import ExpectedServicesModel, PreparedMessagesModel
from sradar_desktop.ui.entry import exchange as exchange_module
from sradar_desktop.ui.parts.mail_program import MailProgram
from sradar_desktop.workbook.reader import read_exchange_workbook

K = Qt.Key
CAMPAIGN = default_campaign_id(SRADAR)
BACK = "sgar-evaluation@example.gouv.fr"
FROM_44 = "ddets44@example.gouv.fr"
FROM_49 = "ddets49@example.gouv.fr"


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """What the system is asked to open (a draft, a folder), instead of opening it."""
    paths: list[Path] = []

    def open_url(url: QUrl) -> bool:
        paths.append(Path(url.toLocalFile()))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return paths


def parse(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def send_dialog(qtbot, window) -> SendDialog:
    window.exchange.send_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.exchange.dialog, SendDialog))
    return window.exchange.dialog


def written(qtbot, dialog: SendDialog) -> None:
    qtbot.waitUntil(
        lambda: dialog.drafts is not None and not dialog.running, timeout=SIGNAL_TIMEOUT
    )


def row_of(model: ExpectedServicesModel, code: str) -> int:
    return next(row for row in range(model.rowCount()) if model.code(row) == code)


def test_prepare_send_and_remind_from_the_dialog(qtbot, db, tmp_path, monkeypatch, opened):
    window = open_window(qtbot, db)
    folder = tmp_path / "envoi"
    folder.mkdir()
    window.settings.send_folder = str(folder)
    dialog = send_dialog(qtbot, window)
    model = dialog.model
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Adresse de courriel"
    assert model.index(0, ExpectedServicesModel.ADDRESS).data() == "(sans adresse)"

    # The list the secretariat keeps: two known services, one more that is not expected yet.
    listed = tmp_path / "adresses.csv"
    listed.write_text(
        "Code;Adresse\n"
        f"DDETS-44;{FROM_44}\n"
        f"DDETS 49;DDETS 49 <{FROM_49}>, chef.pole@example.gouv.fr\n"
        "CPAM-44;cpam44@example.fr\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(send_module.QFileDialog, "getOpenFileName", lambda *_a: (str(listed), ""))
    click(qtbot, dialog.addresses_button)
    qtbot.waitUntil(lambda: dialog.message_box is not None, timeout=SIGNAL_TIMEOUT)
    box = dialog.message_box
    assert box.text() == "1 service de la liste n'est pas parmi les services attendus."
    assert "CPAM-44" in box.informativeText()
    click(qtbot, box_button(box, "&Les ajouter"))
    emails = {code: address for code, _label, address in model.lines()}
    assert emails["DDETS-44"] == FROM_44
    assert emails["DDETS-49"] == f"{FROM_49}, chef.pole@example.gouv.fr"
    assert emails["CPAM-44"] == "cpam44@example.fr"
    assert "2 adresses reprises" in dialog.message.text()
    assert "Services ajoutés : CPAM-44" in dialog.message.text()
    assert roster(db, CAMPAIGN) == []  # nothing is kept before the messages are written

    # An address typed in the list, as the secretariat does: a double click, then Enter.
    wait_active(qtbot, dialog)
    pdl = model.index(row_of(model, "DREETS-PDL"), ExpectedServicesModel.ADDRESS)
    dialog.table.setCurrentIndex(pdl)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, K.Key_F2)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "dreets-pdl@example.gouv.fr")
    qtbot.keyClick(editor, K.Key_Return)
    qtbot.waitUntil(lambda: pdl.data() == "dreets-pdl@example.gouv.fr")

    # A mistake in an address or in the return address: said, nothing written nor kept.
    ddets53 = model.index(row_of(model, "DDETS-53"), ExpectedServicesModel.ADDRESS)
    model.setData(ddets53, "ddets53 chez example")
    assert ddets53.data(Qt.ItemDataRole.ToolTipRole).startswith("À corriger : « ddets53")
    click(qtbot, dialog.write_button)
    assert "l'adresse de DDETS-53 est à corriger" in dialog.message.text()
    model.setData(ddets53, "")
    dialog.return_edit.setText("secrétariat")
    click(qtbot, dialog.write_button)
    assert dialog.message.text().startswith("L'adresse de retour est à corriger")
    assert list(folder.iterdir()) == [] and roster(db, CAMPAIGN) == []
    dialog.return_edit.setText(BACK)

    click(qtbot, dialog.write_button)
    written(qtbot, dialog)
    # Kept with the campaign: the addresses and the return address.
    kept = {m.code: m.email for m in roster(db, CAMPAIGN)}
    assert kept["DDETS-49"] == f"{FROM_49}, chef.pole@example.gouv.fr" and kept["DDETS-53"] == ""
    assert return_address(db, CAMPAIGN) == BACK
    # One draft beside each blank, addressed to the service, carrying the blank byte for byte.
    prepared = dialog.prepared
    assert dialog.tabs.currentIndex() == 1
    assert [w.code for w in prepared.written] == [
        "DDETS-44",
        "DDETS-49",
        "DDETS-53",
        "DDETS-72",
        "DDETS-85",
        "DREETS-PDL",
    ]
    for draft in prepared.written:
        message = parse(draft.draft)
        assert message["X-Unsent"] == "1" and message["From"] == BACK
        to = tuple(a.addr_spec for a in message["To"].addresses) if message["To"] else ()
        assert to == draft.to == tuple(filter(None, kept[draft.code].split(", ")))
        (attachment,) = message.iter_attachments()
        assert attachment.get_filename() == draft.workbook.name
        assert attachment.get_content() == draft.workbook.read_bytes()
        assert read_exchange_workbook(draft.workbook).return_address == BACK
    # The one that pilots nothing is in the list, with why it has no message.
    cpam = next(line for line in prepared.lines if line.code == "CPAM-44")
    assert cpam.written is None and "ne pilote aucune action" in cpam.why
    row = prepared.lines.index(cpam)
    assert prepared.index(row, PreparedMessagesModel.TO).data() == "—"
    assert prepared.index(2, PreparedMessagesModel.TO).data() == "sans adresse"

    # « Ouvrir dans la messagerie »: no Simple MAPI here, the .eml opens, and it is said.
    dialog.messages_view.setCurrentIndex(prepared.index(1, 0))
    click(qtbot, dialog.mail_button)
    assert opened == [prepared.written[1].draft]
    assert "ne s'ouvre pas directement depuis SRADAR Desktop (Simple MAPI)" in (
        dialog.message.text()
    )
    assert "SRADAR-2021-2023_DDETS-49.eml" in dialog.message.text()
    dialog.messages_view.setCurrentIndex(prepared.index(row, 0))
    assert not dialog.mail_button.isEnabled()

    # Reminders: DDETS-44 has answered everything, DDETS-49 part of it.
    plan = load_plan(db, SRADAR)
    mine = {
        code: [a.code for a in expected_actions(plan, code)] for code in ("DDETS-44", "DDETS-49")
    }
    answer(db, "DDETS-44", {code: ("oui", "") for code in mine["DDETS-44"]})
    answer(db, "DDETS-49", {code: ("non", "") for code in mine["DDETS-49"][3:]})
    click(qtbot, dialog.reminders_button)
    assert dialog.write_button.text() == "&Préparer les relances"
    assert not dialog.since_edit.isEnabled()
    click(qtbot, dialog.write_button)
    box = dialog.message_box
    assert box.text() == "6 classeurs de ce questionnaire sont déjà dans ce dossier."
    click(qtbot, box_button(box, "&Remplacer"))
    written(qtbot, dialog)
    reminders = {w.code: w for w in dialog.prepared.written}
    assert dialog.message.text().startswith(f"{len(reminders)} relances préparées dans {folder}")
    # The same services, and the same missing actions, as « send --reminders » gives.
    elsewhere = tmp_path / "cli"
    elsewhere.mkdir()
    expected = prepare_reminders(db, elsewhere, campaign_id=CAMPAIGN)
    assert sorted(reminders) == sorted(w.code for w in expected.written)
    assert "DDETS-44" not in reminders and "DDETS-49" in reminders
    assert reminders["DDETS-49"].missing == next(
        w.missing for w in expected.written if w.code == "DDETS-49"
    )
    assert [c for c, _ in reminders["DDETS-49"].missing.unanswered] == mine["DDETS-49"][:3]
    message = parse(reminders["DDETS-49"].draft)
    assert message["Subject"].startswith("Relance — SRADAR 2021-2023")
    assert reminders["DDETS-49"].draft.name == "SRADAR-2021-2023_DDETS-49_relance.eml"
    body = message.get_body(("plain",)).get_content()
    for code in mine["DDETS-49"][:3]:
        assert f"- {code} : " in body
    skipped = dict((line.code, line.why) for line in dialog.prepared.lines if not line.written)
    assert skipped["DDETS-44"] == "toutes ses réponses sont là, pas de relance."
    row = next(i for i, line in enumerate(dialog.prepared.lines) if line.code == "DDETS-49")
    assert dialog.prepared.index(row, PreparedMessagesModel.WHAT).data() == (
        "3 actions sans réponse"
    )

    # Since today: those who sent something today are left alone.
    click(qtbot, dialog.since_box)
    dialog.since_edit.setDate(dialog.since_edit.date().currentDate())
    click(qtbot, dialog.write_button)
    click(qtbot, box_button(dialog.message_box, "&Remplacer"))
    written(qtbot, dialog)
    heard = {line.code: line.why for line in dialog.prepared.lines if not line.written}
    assert "a envoyé des réponses le" in heard["DDETS-49"]
    assert "DDETS-53" in [w.code for w in dialog.prepared.written]  # never heard from
    click(qtbot, dialog.close_button)


def test_a_message_opens_in_the_mail_program_through_simple_mapi(qtbot, tmp_path):
    """On Windows, with a mail program that serves Simple MAPI: the message opens there with
    its attachment; what the mail program answers is said; when it fails, the .eml opens."""
    workbook = tmp_path / "SRADAR-2021-2023_DDETS-44.xlsx"
    workbook.write_bytes(b"classeur")
    draft = DraftFile(
        tmp_path / "SRADAR-2021-2023_DDETS-44.eml", (FROM_44,), "Objet", "Texte", (workbook,)
    )
    draft.path.write_bytes(b"X-Unsent: 1\r\n\r\n")
    codes = [mapi.SUCCESS_SUCCESS, mapi.MAPI_USER_ABORT, 2, 2]
    received: list[tuple] = []

    def send(_session, _parent, message, flags, _reserved):
        m = message.contents
        received.append((m.lpRecips[0].lpszAddress, m.lpFiles[0].lpszFileName, flags))
        return codes[len(received) - 1]

    function = mapi.function_type(True)(send)
    files: list[Path] = []
    results = iter([True, False])
    program = MailProgram(
        mailer=lambda: mapi.MapiMailer("Outlook", function, unicode=True),
        opener=lambda path: files.append(path) or next(results),
    )
    said: list[tuple[str, bool]] = []
    program.said.connect(lambda text, problem: said.append((text, problem)))

    def round_trip(count: int) -> None:
        program.open(draft)
        qtbot.waitUntil(lambda: len(said) >= count, timeout=SIGNAL_TIMEOUT)

    round_trip(2)
    assert received == [("SMTP:" + FROM_44, workbook.name, mapi.MAPI_LOGON_UI | mapi.MAPI_DIALOG)]
    assert said[0][0].startswith("Le message « SRADAR-2021-2023_DDETS-44.eml » s'ouvre dans")
    assert said[1] == (
        "Outlook a repris le message « SRADAR-2021-2023_DDETS-44.eml » : il part quand vous "
        "l'envoyez depuis Outlook.",
        False,
    )
    round_trip(4)
    assert said[3][0].startswith("Message « SRADAR-2021-2023_DDETS-44.eml » fermé sans être envoyé")
    assert files == []
    # The mail program fails: the .eml is opened instead, and it is said why.
    round_trip(6)
    assert files == [draft.path]
    assert said[5] == (
        "Outlook n'a pas pu ouvrir le message (MAPI_E_FAILURE) : le message "
        "« SRADAR-2021-2023_DDETS-44.eml » est ouvert par le programme associé aux fichiers "
        ".eml, sa pièce jointe comprise. Vérifiez-le, puis envoyez-le (dans Thunderbird : "
        "Message › Modifier comme nouveau message).",
        False,
    )
    # Nothing opens .eml files either: what to do by hand.
    round_trip(8)
    text, problem = said[7]
    assert problem and "aucun programme n'ouvre les fichiers .eml" in text
    assert str(tmp_path) in text and "« SRADAR-2021-2023_DDETS-44.xlsx »" in text


def test_no_mail_program_found_opens_the_eml(qtbot, tmp_path):
    def broken() -> None:
        raise OSError("registre illisible")

    files: list[Path] = []
    program = MailProgram(mailer=broken, opener=lambda path: files.append(path) or True)
    said: list[str] = []
    program.said.connect(lambda text, _problem: said.append(text))
    draft = DraftFile(tmp_path / "m.eml", (), "Objet", "Texte", ())
    program.open(draft)
    assert files == [draft.path] and "Simple MAPI" in said[0]


def test_the_agent_sends_the_answers_from_the_export(qtbot, db, tmp_path, monkeypatch, opened):
    set_return_address(db, CAMPAIGN, BACK)  # learnt from the blank the agent imported
    window = open_window(qtbot, db)
    qtbot.keyClick(window.action_list.table, K.Key_1)
    target = tmp_path / "SRADAR-2021-2023_DDETS-44_2027-03-16.xlsx"
    window.exchange.export_to(target)
    qtbot.waitUntil(lambda: window.exchange.message_box is not None, timeout=SIGNAL_TIMEOUT)
    box = window.exchange.message_box
    button = box_button(box, "Ouvrir dans la &messagerie")
    assert box.defaultButton() is button
    click(qtbot, button)
    draft = target.with_suffix(".eml")
    qtbot.waitUntil(lambda: opened == [draft], timeout=SIGNAL_TIMEOUT)
    message = parse(draft)
    assert [a.addr_spec for a in message["To"].addresses] == [BACK]
    assert message["Subject"].endswith("réponses de DDETS-44")
    (attachment,) = message.iter_attachments()
    assert attachment.get_content() == target.read_bytes()
    assert "Simple MAPI" in window.statusBar().currentMessage()


def test_messages_imported_from_the_window(qtbot, db, tmp_path):
    """A folder dropped on the window brings its saved messages: one line per attached
    workbook, with its message; a sender who is not the service's is shown; a message without
    a workbook is refused and remembered against the service whose address sent it."""
    set_roster(
        db,
        CAMPAIGN,
        [member("DDETS-44", "", FROM_44), member("DDETS-49", "", FROM_49), member("DDETS-53")],
    )
    books = {
        code: workbook_from_elsewhere(
            tmp_path, code, {"1.1.1": ("oui", f"Réponse de {code}")}, f"{code}.xlsx"
        )
        for code in ("DDETS-44", "DDETS-49", "DDETS-53")
    }
    received = tmp_path / "reçus"
    received.mkdir()
    write(
        received / "Réponses 44 et 49.eml",
        outlook_eml(
            sender=FROM_44,
            sender_name="José Dupont",
            subject="RE: Évaluation du SRADAR",
            attachments=[
                ("SRADAR-2021-2023_DDETS-44.xlsx", books["DDETS-44"].read_bytes()),
                ("SRADAR-2021-2023_DDETS-49.xlsx", books["DDETS-49"].read_bytes()),
            ],
        ),
    )
    write(
        received / "Sans classeur.eml",
        thunderbird_eml(sender=FROM_49, sender_name="DDETS 49", subject="Bonjour", attachments=[]),
    )
    write(
        received / "Réponse 53.msg",
        build_msg(
            MsgMessage(
                "Réponses de la Mayenne",
                "Agent 53",
                "ddets53@example.gouv.fr",
                attachments=[MsgAttachment("réponses 53.xlsx", books["DDETS-53"].read_bytes())],
            )
        ),
    )
    (received / "notes.docx").write_bytes(b"x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(received))])
    assert [path.name for path in exchange_module.dropped_files(mime)] == [
        "Réponse 53.msg",
        "Réponses 44 et 49.eml",
        "Sans classeur.eml",
    ]
    window = open_window(qtbot, db)
    drop(qtbot, window.action_list.table.viewport(), [received])
    dialog = import_dialog(qtbot, window)
    model = dialog.model
    names = [line.display_name for line in model.lines]
    assert names == [
        "Réponse 53.msg › réponses 53.xlsx",
        "Réponses 44 et 49.eml › SRADAR-2021-2023_DDETS-44.xlsx",
        "Réponses 44 et 49.eml › SRADAR-2021-2023_DDETS-49.xlsx",
        "Sans classeur.eml",
    ]
    assert [line.state for line in model.lines] == [READY, READY, READY, REFUSED]
    assert [model.index(row, 0).data() for row in range(4)] == names
    # The message of each workbook; the DDETS-49 workbook sent from the DDETS-44's address.
    children = [
        [model.index(child, 0, parent).data() for child in range(model.rowCount(parent))]
        for parent in (model.index(row, 0) for row in range(4))
    ]
    source = children[1][0]  # the hour in the workstation's time zone
    assert source.startswith(f"Reçu par courriel de José Dupont <{FROM_44}>, le 16/03/2027 à ")
    assert source.endswith(", objet « RE: Évaluation du SRADAR ».")
    assert len(children[1]) == 1
    assert children[2][1].startswith(
        f"Attention : l'expéditeur {FROM_44} est l'adresse de DDETS-44, pas celle de DDETS-49"
    )
    assert dialog.view.isExpanded(model.index(2, 0)) and not dialog.view.isExpanded(
        model.index(1, 0)
    )
    # The detail of the doubtful workbook says each thing once: its counts, its message, the
    # doubt about the sender.
    dialog.view.setCurrentIndex(model.index(2, 0))
    detail = dialog.details.toPlainText().splitlines()
    assert detail[0] == "Réponses 44 et 49.eml › SRADAR-2021-2023_DDETS-49.xlsx — À importer"
    assert detail[1] == (
        "Questionnaire sradar-2021-2023, répondant DDETS-49 : 1 réponse nouvelle, 0 modifiée, "
        "0 inchangée."
    )
    assert len(detail) == len(set(detail)) == 4, detail
    assert detail[2].startswith("Reçu par courriel de José Dupont")
    assert detail[3].startswith(f"Attention : l'expéditeur {FROM_44}")
    warned = model.index(1, 0, model.index(2, 0))
    assert warned.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(2, ImportFilesModel.STATE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "1 classeur reçu par courriel ne vient pas de l'adresse de son service" in (
        dialog.summary.text()
    )
    assert children[3][0].startswith("Le message « Sans classeur.eml » a été refusé")
    # The refused message is remembered against the service that sent it: the consolidation
    # lists it among the refused files.
    refusal = refused_files(db, CAMPAIGN)["DDETS-49"]
    assert refusal.file_name == "Sans classeur.eml"
    assert dialog.import_button.text() == "&Importer 3 fichiers"

    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.phase == dialog.DONE, timeout=SIGNAL_TIMEOUT)
    assert [line.state for line in model.lines] == [IMPORTED, IMPORTED, IMPORTED, REFUSED]
    # Each workbook imported once, and only those the preview found ready.
    assert [r.display_name for r in dialog.results] == names[:3]
    for code in books:
        assert read_answers(db, CAMPAIGN, code)["1.1.1"].comment == f"Réponse de {code}"
    assert len(refused_files(db, CAMPAIGN)) == 1
    click(qtbot, dialog.cancel_button)


def test_every_control_of_the_sending_dialog_has_a_name_and_its_own_letter(qtbot, db):
    """Read by a screen reader, reached by Alt and one letter: never two controls on the same
    letter (Alt would go to the first one only)."""
    plan = load_plan(db, SRADAR)
    dialog = SendDialog(db, plan, CAMPAIGN, "Évaluation", [], region=plan.region)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.all_for_rest_button.setText("Lui envo&yer toutes les actions")
    dialog.all_for_rest_button.show()
    texts = {button.text() for button in dialog.findChildren(QAbstractButton) if button.text()}
    texts |= {label.text() for label in dialog.findChildren(QLabel) if label.buddy()}
    texts |= {dialog.tabs.tabText(tab) for tab in range(dialog.tabs.count())}
    dialog._set_busy(True)  # « Arrêter » while the messages are written
    texts.add(dialog.close_button.text())
    dialog._set_busy(False)
    texts.discard(dialog.write_button.text())  # its two texts share one letter
    click(qtbot, dialog.reminders_button)
    texts.add(dialog.write_button.text())
    letters = [re.search(r"&(\w)", text) for text in sorted(texts)]
    assert all(letters), sorted(texts)
    chosen = [letter.group(1).lower() for letter in letters if letter]
    assert len(chosen) == len(set(chosen)), sorted(texts)
    assert unnamed_controls(dialog) == []
    dialog.tabs.setTabEnabled(1, True)
    dialog.tabs.setCurrentIndex(1)
    assert unnamed_controls(dialog) == []
