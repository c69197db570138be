"""Exchanging workbooks from the entry window: files dropped on it or chosen from the menu are
previewed then imported, an import is undone, the agent's answers are exported, and a blank
workbook is written for every service expected to answer. Real window, real files on disk."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from conftest import SEED_000
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_support import (
    SIGNAL_TIMEOUT,
    SRADAR,
    answers,
    box_button,
    click,
    current_code,
    database_path,
    drop,
    import_dialog,
    open_window,
    wait_active,
    workbook_from_elsewhere,
)

from sradar_desktop.services import imports
from sradar_desktop.services.answers import read_answers
from sradar_desktop.services.consolidation import roster
from sradar_desktop.services.imports import import_file, last_import, preview_files
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, list_questionnaires
from sradar_desktop.ui.dialogs.import_files import ImportDialog
from sradar_desktop.ui.dialogs.import_models import (
    ALREADY,
    IMPORTED,
    NOT_DONE,
    READY,
    REFUSED,
    ImportFilesModel,
    preview_lines,
)
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.dialogs.sending_models import ExpectedServicesModel
from sradar_desktop.ui.entry import exchange as exchange_module

K = Qt.Key


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


@pytest.fixture
def any_db(db_url):
    """SQLite, then PostgreSQL."""
    database = open_database(db_url)
    yield database
    database.close()


def test_drop_a_good_workbook_and_a_pdf(qtbot, any_db, tmp_path):
    db = any_db
    good = workbook_from_elsewhere(
        tmp_path,
        "DDETS-44",
        {"1.1.1": ("oui", "Comité tenu en mars"), "1.2.2": ("partiellement", "")},
        "reponses-ddets44.xlsx",
    )
    pdf = tmp_path / "reponses-ddets49.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    window = open_window(qtbot, db)
    assert window.exchange.import_action.shortcut().toString() == "Ctrl+I"
    assert not window.exchange.undo_import_action.isEnabled()
    # The agent is typing a comment (no pause yet) on another action when the files come.
    window.action_list.select_code("1.1.3")
    qtbot.keyClick(window.action_list.table, K.Key_F2)
    qtbot.keyClicks(window.detail.comment_edit, "En cours")
    # Dropped over the comment: imported, not pasted into the comment.
    drop(qtbot, window.detail.comment_edit.viewport(), [good, pdf], shift=True)
    dialog = import_dialog(qtbot, window)
    assert window.detail.comment_edit.toPlainText() == "En cours"
    assert answers(db)["1.1.3"].comment == "En cours"  # saved before the preview

    lines = dialog.model.lines
    assert [(line.path.name, line.state) for line in lines] == [
        ("reponses-ddets44.xlsx", READY),
        ("reponses-ddets49.xlsx", REFUSED),
    ]
    model = dialog.model
    row = [model.index(0, column).data() for column in range(model.columnCount())]
    title = "SRADAR 2021-2023 — Pays de la Loire"
    assert row == ["reponses-ddets44.xlsx", "DDETS-44", title, "2", "0", row[5], "0", "À importer"]
    # Read aloud, each number says its column (« 0. 0. 2. 0. » said nothing).
    spoken = Qt.ItemDataRole.AccessibleTextRole
    assert model.index(0, ImportFilesModel.NEW).data(spoken) == "Nouvelles : 2"
    assert model.index(0, ImportFilesModel.CONFLICTS).data(spoken) == "Conflits : 0"
    assert model.index(1, ImportFilesModel.STATE).data() == "Refusé"
    refused = model.index(1, 0)
    assert dialog.view.isExpanded(refused)
    assert "c'est un document PDF, pas un classeur" in model.index(0, 0, refused).data()
    assert "1 fichier peut être importé ; 1 est refusé" in dialog.summary.text()
    assert "Seuls les fichiers « À importer » seront importés." in dialog.summary.text()
    assert dialog.import_button.text() == "&Importer 1 fichier"
    dialog.view.setCurrentIndex(refused)
    assert "document PDF" in dialog.details.toPlainText()

    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.import_button)
        qtbot.waitUntil(lambda: dialog.phase == ImportDialog.DONE, timeout=SIGNAL_TIMEOUT)
    assert [line.state for line in dialog.model.lines] == [IMPORTED, REFUSED]
    assert dialog.summary.text().startswith(
        "1 fichier importé : 2 réponses nouvelles, 0 modifiée, 0 conflit."
    )
    assert "1 fichier refusé ou déjà importé a été laissé de côté." in dialog.summary.text()
    # The window shows the answers imported, and what the agent had typed.
    sheet = window.sheet
    assert sheet.by_code["1.1.1"].status == "oui"
    assert sheet.by_code["1.1.1"].comment == "Comité tenu en mars"
    assert sheet.by_code["1.2.2"].status == "partiellement"
    assert sheet.by_code["1.1.3"].comment == "En cours"
    assert current_code(window) == "1.1.3"
    assert window.header.progress_label.text() == "2 / 47 actions renseignées"
    saved = answers(db)
    assert (saved["1.1.1"].status, saved["1.2.2"].status) == ("oui", "partiellement")
    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: window.exchange.dialog is None)
    qtbot.waitUntil(lambda: window.exchange.undo_import_action.isEnabled())
    assert window.exchange.undo_import_action.text() == (
        "Annuler l'import de « reponses-ddets44.xlsx »…"
    )

    # Files that cannot be imported are refused, not pasted into the comment.
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(notes))])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(window.detail.comment_edit.viewport(), enter)
    assert not enter.isAccepted()

    # The same file again: already imported, nothing to do.
    drop(qtbot, window.action_list.table.viewport(), [good])
    again = import_dialog(qtbot, window)
    assert [line.state for line in again.model.lines] == [ALREADY]
    assert again.model.index(0, ImportFilesModel.STATE).data() == "Déjà importé"
    assert "déjà été importé" in again.summary.text()
    assert not again.import_button.isEnabled() and again.cancel_button.text() == "Fermer"
    click(qtbot, again.cancel_button)


def test_a_workbook_brings_its_questionnaire(qtbot, db, tmp_path):
    window = open_window(qtbot, db)
    plan_table = tmp_path / "grille-evaluation.txt"
    plan_table.write_bytes(SEED_000.read_bytes())
    window.exchange.import_files([plan_table])
    dialog = import_dialog(qtbot, window)
    cell = dialog.model.index(0, ImportFilesModel.QUESTIONNAIRE).data()
    assert cell.endswith("(nouveau)")
    assert "est nouveau : il sera ajouté" in dialog.summary.text()
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.phase == ImportDialog.DONE, timeout=SIGNAL_TIMEOUT)
    assert "a apporté le questionnaire" in dialog.summary.text()
    added = dialog.new_questionnaires[0][0]
    assert added in [q.id for q in list_questionnaires(db)]
    # « Ouvrir ce questionnaire » switches the window to it.
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.open_button)
    assert window.questionnaire_id == added == window.settings.questionnaire_id
    assert len(window.sheet.rows) == 71


def test_cancel_stops_between_files(qtbot, db, tmp_path, monkeypatch):
    files = [
        workbook_from_elsewhere(tmp_path, code, {"1.1.1": ("oui", code)}, f"{code}.xlsx")
        for code in ("DDETS-44", "DDETS-49", "DDETS-53")
    ]
    # The first file waits in the middle of its import until « Arrêter » has been clicked.
    entered, release = threading.Event(), threading.Event()
    real_import_file = imports.import_file

    def held_import_file(*args, **kwargs):
        if not entered.is_set():
            entered.set()
            assert release.wait(20)
        return real_import_file(*args, **kwargs)

    monkeypatch.setattr(imports, "import_file", held_import_file)
    window = open_window(qtbot, db)
    window.exchange.import_files(files)
    dialog = import_dialog(qtbot, window)
    assert dialog.import_button.text() == "&Importer 3 fichiers"
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(entered.is_set)
    assert dialog.cancel_button.text() == "&Arrêter"
    assert dialog.progress.isVisible()
    click(qtbot, dialog.cancel_button)
    assert dialog.isVisible() and not dialog.cancel_button.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: dialog.phase == ImportDialog.DONE, timeout=SIGNAL_TIMEOUT)
    assert [line.state for line in dialog.model.lines] == [IMPORTED, NOT_DONE, NOT_DONE]
    assert "Import arrêté : 2 fichiers n'ont pas été importés" in dialog.summary.text()
    campaign = default_campaign_id(SRADAR)
    assert read_answers(db, campaign, "DDETS-44")["1.1.1"].status == "oui"
    assert read_answers(db, campaign, "DDETS-49") == {}
    assert read_answers(db, campaign, "DDETS-53") == {}


def test_cancel_the_preview_of_many_files(qtbot, db, tmp_path):
    files = [
        workbook_from_elsewhere(tmp_path, code, {"1.1.1": ("oui", "")}, f"{code}.xlsx")
        for code in ("DDETS-44", "DDETS-49")
    ]
    window = open_window(qtbot, db)
    dialog = ImportDialog(db, files, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()  # « Annuler » while reading: stops, then closes; nothing imported
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=SIGNAL_TIMEOUT)
    assert dialog.model.lines == [] and last_import(db) is None


def test_undo_the_last_import(qtbot, any_db, tmp_path):
    db = any_db
    window = open_window(qtbot, db)
    qtbot.keyClick(window.action_list.table, K.Key_3)  # the agent answers 1.1.1 « non » first
    qtbot.waitUntil(lambda: window.controller.engine.idle)
    received = workbook_from_elsewhere(
        tmp_path, "DDETS-44", {"1.1.1": ("oui", "Fait"), "1.1.2": ("nc", "")}, "colleague.xlsx"
    )
    window.exchange.import_files([received])
    dialog = import_dialog(qtbot, window)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.import_button)
    click(qtbot, dialog.cancel_button)
    assert window.sheet.by_code["1.1.1"].status == "oui"
    qtbot.waitUntil(lambda: window.exchange.undo_import_action.isEnabled())

    window.exchange.undo_import_action.trigger()
    box = window.exchange.message_box
    assert box.text().startswith("Annuler l'import de « colleague.xlsx », fait le ")
    assert "par Claire Martin ?" in box.text()
    assert "reviennent exactement à leur état d'avant" in box.informativeText()
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        click(qtbot, box_button(box, "Annuler l'import"))
    qtbot.waitUntil(lambda: window.exchange.message_box is not box)
    assert window.exchange.message_box.text().startswith("Import de colleague.xlsx annulé")
    assert window.sheet.by_code["1.1.1"].status == "non"
    assert window.sheet.by_code["1.1.2"].status is None
    saved = answers(db)
    assert saved["1.1.1"].status == "non" and "1.1.2" not in saved
    qtbot.waitUntil(lambda: not window.exchange.undo_import_action.isEnabled())


def test_undo_refused_when_answers_changed_since(qtbot, db, tmp_path):
    window = open_window(qtbot, db)
    received = workbook_from_elsewhere(
        tmp_path, "DDETS-44", {"1.1.1": ("oui", "")}, "colleague.xlsx"
    )
    window.exchange.import_files([received])
    dialog = import_dialog(qtbot, window)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.import_button)
    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: window.exchange.undo_import_action.isEnabled())
    wait_active(qtbot, window)
    window.action_list.select_code("1.1.1")
    qtbot.keyClick(window.action_list.table, K.Key_P)  # changed after the import, not yet saved
    assert window.sheet.by_code["1.1.1"].status == "partiellement"
    window.exchange.undo_last_import()
    box = window.exchange.message_box
    click(qtbot, box_button(box, "Annuler l'import"))
    qtbot.waitUntil(lambda: window.exchange.message_box is not box)
    refusal = window.exchange.message_box
    assert refusal.icon() == QMessageBox.Icon.Warning
    assert "ne peut plus être annulé" in refusal.text() and "1.1.1" in refusal.text()
    assert answers(db)["1.1.1"].status == "partiellement"
    assert window.sheet.by_code["1.1.1"].status == "partiellement"


def test_export_my_answers_imports_back(qtbot, db, tmp_path, monkeypatch):
    window = open_window(qtbot, db)
    table = window.action_list.table
    qtbot.keyClick(table, K.Key_1)
    qtbot.keyClick(table, K.Key_Down)
    qtbot.keyClick(table, K.Key_P)
    qtbot.keyClick(table, K.Key_F2)
    qtbot.keyClicks(window.detail.comment_edit, "=1+1 reste du texte")
    # The default name, in the last folder used.
    folder = tmp_path / "envois"
    folder.mkdir()
    window.settings.exchange_folder = str(folder)
    proposed = []

    def save_dialog(_parent, title, path, _filter):
        proposed.append((title, path))
        return str(folder / "mes-reponses"), ""

    monkeypatch.setattr(exchange_module.QFileDialog, "getSaveFileName", save_dialog)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    window.exchange.export_action.trigger()
    name = f"SRADAR-2021-2023_DDETS-44_{date.today().isoformat()}.xlsx"
    assert proposed == [("Exporter mes réponses", str(folder / name))]
    qtbot.waitUntil(lambda: window.exchange.message_box is not None, timeout=SIGNAL_TIMEOUT)
    box = window.exchange.message_box
    assert box.text() == "Vos réponses sont enregistrées dans « mes-reponses.xlsx »."
    assert box.informativeText().startswith("2 actions renseignées sur 47, dans le dossier")
    click(qtbot, box_button(box, "Ouvrir le dossier"))
    assert opened == [QUrl.fromLocalFile(str(folder))]
    assert window.settings.exchange_folder == str(folder)

    # Imported on another workstation: the same answers, the comment typed just before too.
    other = open_database(tmp_path / "secretariat.sqlite3")
    try:
        outcome = import_file(other, folder / "mes-reponses.xlsx")
        assert outcome.respondents == ("DDETS-44",)
        campaign = default_campaign_id(SRADAR)
        mine = {c: (a.status, a.comment) for c, a in answers(db).items()}
        theirs = {
            c: (a.status, a.comment) for c, a in read_answers(other, campaign, "DDETS-44").items()
        }
        assert theirs == mine
        assert sorted(s for s, _c in mine.values()) == ["oui", "partiellement"]
        assert "=1+1 reste du texte" in [c for _s, c in mine.values()]
    finally:
        other.close()


def test_export_without_identity_says_what_to_do(qtbot, db, tmp_path):
    window = open_window(qtbot, db, identity=None)
    window.exchange.export_to(tmp_path / "x.xlsx")
    assert "Indiquez d'abord votre service" in window.exchange.message_box.text()
    assert not (tmp_path / "x.xlsx").exists()


def test_export_to_a_missing_folder_says_so(qtbot, db, tmp_path):
    window = open_window(qtbot, db)
    window.exchange.export_to(tmp_path / "absent" / "x.xlsx")
    qtbot.waitUntil(lambda: window.exchange.message_box is not None, timeout=SIGNAL_TIMEOUT)
    box = window.exchange.message_box
    assert box.icon() == QMessageBox.Icon.Warning
    assert "n'existe pas" in box.text()


def test_prepare_the_sending(qtbot, db, tmp_path, monkeypatch):
    window = open_window(qtbot, db)
    folder = tmp_path / "a-envoyer"
    folder.mkdir()
    window.settings.send_folder = str(folder)
    window.exchange.send_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.exchange.dialog, SendDialog))
    dialog = window.exchange.dialog
    # Proposed from the plan's region: the DREETS and the DDETS of the five départements.
    model = dialog.model
    assert [code for code, _label, _email in model.lines()] == [
        "DREETS-PDL",
        "DDETS-44",
        "DDETS-49",
        "DDETS-53",
        "DDETS-72",
        "DDETS-85",
    ]
    assert model.index(1, ExpectedServicesModel.DEPARTMENT).data() == "44 — Loire-Atlantique"
    assert model.index(1, ExpectedServicesModel.PILOTED).data() == "47"
    assert "Proposée d'après la région du plan (Pays de la Loire)" in dialog.roster_hint.text()
    assert dialog.folder_edit.text() == str(folder)
    # One more service, typed in the table; its label follows the code.
    wait_active(qtbot, dialog)
    click(qtbot, dialog.add_button)
    qtbot.keyClicks(QApplication.focusWidget(), "cpam-44")
    qtbot.keyClick(QApplication.focusWidget(), K.Key_Return)
    qtbot.waitUntil(lambda: model.lines()[-1] == ("CPAM-44", "CPAM de la Loire-Atlantique", ""))
    qtbot.keyClick(dialog.table, K.Key_Return)  # Enter in the list does not start the writing
    assert not dialog.running and dialog.drafts is None
    model.setData(
        model.index(6, ExpectedServicesModel.LABEL),
        "Caisse primaire d’assurance maladie de la Loire-Atlantique",
    )
    assert model.index(6, ExpectedServicesModel.PILOTED).data() == "aucune"
    assert "CPAM-44 ne recevra pas de message" in dialog.roster_hint.text()

    click(qtbot, dialog.write_button)
    qtbot.waitUntil(
        lambda: dialog.drafts is not None and not dialog.running, timeout=SIGNAL_TIMEOUT
    )
    written = sorted(path.name for path in folder.iterdir())
    assert written == sorted(
        f"SRADAR-2021-2023_{code}{suffix}"
        for code in ("DREETS-PDL", "DDETS-44", "DDETS-49", "DDETS-53", "DDETS-72", "DDETS-85")
        for suffix in (".eml", ".xlsx")
    )
    assert dialog.message.text().startswith(f"6 messages préparés dans {folder},")
    assert "CPAM-44" in dialog.message.text()
    saved = roster(db, default_campaign_id(SRADAR))
    assert len(saved) == 7
    assert ("CPAM-44", "Caisse primaire d’assurance maladie de la Loire-Atlantique") in [
        (m.code, m.label) for m in saved
    ]
    assert window.settings.send_folder == str(folder)
    # Every action for the service that pilots none.
    assert dialog.all_for_rest_button.text() == "Lui envo&yer toutes les actions"
    click(qtbot, dialog.all_for_rest_button)
    qtbot.waitUntil(lambda: not dialog.running and not dialog.drafts.pilots_nothing)
    assert (folder / "SRADAR-2021-2023_CPAM-44.xlsx").exists()
    assert (folder / "SRADAR-2021-2023_CPAM-44.eml").exists()
    assert dialog.message.text().startswith("7 messages préparés")
    assert [line.code for line in dialog.prepared.lines if line.written] == [
        "DDETS-44",
        "DDETS-49",
        "DDETS-53",
        "DDETS-72",
        "DDETS-85",
        "DREETS-PDL",
        "CPAM-44",
    ]
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    click(qtbot, dialog.open_button)
    assert opened == [QUrl.fromLocalFile(str(folder))]

    # Again into the same folder: asked before replacing anything.
    click(qtbot, dialog.write_button)
    box = dialog.message_box
    assert box.text() == "7 classeurs de ce questionnaire sont déjà dans ce dossier."
    click(qtbot, box_button(box, "&Ne rien écrire"))
    assert not dialog.running
    # A mistake in the list is said in French, nothing is written.
    model.setData(model.index(0, ExpectedServicesModel.CODE), "DDETS/44")
    click(qtbot, dialog.write_button)
    assert "La liste des services attendus est à corriger" in dialog.message.text()
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: window.exchange.dialog is None)

    # Next time, the roster saved is shown.
    window.exchange.prepare_sending()
    qtbot.waitUntil(lambda: isinstance(window.exchange.dialog, SendDialog))
    assert len(window.exchange.dialog.model.lines()) == 7
    assert "7 services attendus, enregistrés" in window.exchange.dialog.roster_hint.text()
    window.exchange.dialog.reject()


def test_models(qtmodeltester, db, tmp_path):
    good = workbook_from_elsewhere(tmp_path, "DDETS-44", {"1.1.1": ("oui", "")}, "a.xlsx")
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(b"%PDF-1.4\n" + b"0" * 100)
    model = ImportFilesModel()
    qtmodeltester.check(model)
    model.set_lines(preview_lines(preview_files(db, [good, bad])))
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.rowCount(model.index(1, 0)) == 1

    from sradar_desktop.services.questionnaires import load_plan
    from sradar_desktop.services.sending import propose_roster

    roster_model = ExpectedServicesModel(load_plan(db, SRADAR))
    qtmodeltester.check(roster_model)
    roster_model.set_members(propose_roster("Pays de la Loire"))
    qtmodeltester.check(roster_model)
    assert roster_model.insertRows(2, 1)
    assert roster_model.setData(roster_model.index(2, 0), "ddets-85")
    assert roster_model.index(2, 1).data() == "DDETS de la Vendée"
    assert roster_model.removeRows(0, 3)
    qtmodeltester.check(roster_model)


def test_only_importable_files_are_taken(tmp_path):
    folder = tmp_path / "recus"
    folder.mkdir()
    for name in ("a.xlsx", "b.ods", "notes.docx", "~$a.xlsx"):
        (folder / name).write_bytes(b"x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    assert [p.name for p in exchange_module.dropped_files(mime)] == ["a.xlsx", "b.ods"]
    mime.setUrls([QUrl.fromLocalFile(str(folder / "notes.docx"))])
    assert exchange_module.dropped_files(mime) == []
    mime.setUrls([QUrl("https://example.org/a.xlsx")])
    assert exchange_module.dropped_files(mime) == []


def test_every_field_that_takes_drops_hands_files_to_the_window(qtbot, db):
    """Files are caught by the window itself, not by an event filter on the whole application
    (which would run Python on every event of the program and slow the window while a plan
    loads): each widget inside the window that takes drops must hand files over."""
    from PySide6.QtWidgets import QWidget

    from sradar_desktop.ui.parts.widgets import FileDragsToWindow

    window = open_window(qtbot, db)
    window.action_list.select_code("1.1.1")  # an action with indicators: their fields exist
    takers = [w for w in window.findChildren(QWidget) if w.acceptDrops()]
    assert takers, "the comment and the search box take text drops"
    for widget in takers:
        owner = widget if isinstance(widget, FileDragsToWindow) else widget.parentWidget()
        assert isinstance(owner, FileDragsToWindow), type(widget).__name__


def test_a_read_only_window_imports_nothing(qtbot, db, tmp_path):
    writer = open_window(qtbot, db)
    reader_db = open_database(db.url, read_only=True)
    try:
        reader = open_window(qtbot, reader_db)
        exchange = reader.exchange
        assert not exchange.import_action.isEnabled() and not exchange.send_action.isEnabled()
        assert not exchange.undo_import_action.isEnabled()
        assert exchange.export_action.isEnabled() and not reader.acceptDrops()
        received = workbook_from_elsewhere(tmp_path, "DDETS-44", {"1.1.1": ("oui", "")}, "a.xlsx")
        exchange.import_files([received])
        assert exchange.dialog is None
        assert "Lecture seule" in reader.statusBar().currentMessage()
        # Dragged over the search box (which stays editable), the file is neither imported nor
        # pasted as a path, even when the file manager sends the path as text too.
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(received))])
        mime.setText(str(received))
        for kind in (QDragEnterEvent, QDropEvent):
            position = QPoint(5, 5) if kind is QDragEnterEvent else QPointF(5, 5)
            event = kind(
                position,
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier(0),
            )
            QApplication.sendEvent(reader.filters.search_edit, event)
            assert not event.isAccepted()
        assert reader.filters.search_edit.text() == ""
        QApplication.processEvents()  # whatever the drop may have posted
        assert exchange.dialog is None
        reader.close()
    finally:
        reader_db.close()
    writer.close()
