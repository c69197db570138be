"""Starting the app: who answers (first start, settings), one window per database, the work
done off the UI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog
from ui_support import CLAIRE, SIGNAL_TIMEOUT, current_code, database_path, open_window, type_text

from sradar_desktop import app as app_module
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import list_questionnaires
from sradar_desktop.ui.dialogs import start as dialogs
from sradar_desktop.ui.dialogs.start import IdentityDialog
from sradar_desktop.ui.parts.settings import SETTINGS_FILE, Settings
from sradar_desktop.ui.parts.single_instance import InstanceGuard
from sradar_desktop.ui.parts.tasks import TaskRunner

K = Qt.Key


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def test_first_start_dialog_by_keyboard(qtbot, db):
    dialog = IdentityDialog(list_questionnaires(db), None, "sradar-2021-2023")
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert dialog.windowTitle() == "Bienvenue dans SRADAR Desktop"
    assert dialog.questionnaire_id == "sradar-2021-2023"
    # Nothing typed: « Commencer » says what is missing, in French.
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == 0 and dialog.error_label.isVisible()
    assert "le code du service est vide" in dialog.error_label.text()
    dialog.code_edit.setFocus()
    qtbot.keyClicks(dialog.code_edit, "ddets-44")
    # The département and a label follow from the code.
    assert dialog.department_label.text() == "44 — Loire-Atlantique"
    assert dialog.label_edit.text() == "DDETS de la Loire-Atlantique"
    assert not dialog.error_label.isVisible()
    qtbot.keyClick(dialog.code_edit, K.Key_Tab)
    assert dialog.focusWidget() is dialog.label_edit
    qtbot.keyClick(dialog.label_edit, K.Key_Tab)
    type_text(qtbot, dialog.name_edit, "Claire Martin-Lefèvre")
    qtbot.keyClick(dialog.name_edit, K.Key_Tab)
    assert dialog.focusWidget() is dialog.questionnaire_view
    qtbot.keyClick(dialog.questionnaire_view, K.Key_Up)
    chosen = dialog.questionnaire_id
    assert chosen != "sradar-2021-2023"
    qtbot.keyClick(dialog.questionnaire_view, K.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.identity == Identity(
        "DDETS-44", "DDETS de la Loire-Atlantique", "Claire Martin-Lefèvre", "44"
    )


def test_own_label_is_kept_when_the_code_changes(qtbot, db):
    dialog = IdentityDialog(list_questionnaires(db), CLAIRE, "", first_start=False)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Mon service et mon questionnaire"
    assert dialog.label_edit.text() == "DDETS de Loire-Atlantique"
    dialog.code_edit.clear()
    qtbot.keyClicks(dialog.code_edit, "DDETS-85")
    assert dialog.label_edit.text() == "DDETS de Loire-Atlantique"
    assert dialog.department_label.text() == "85 — Vendée"


def test_what_is_typed_at_once_lands_in_the_service_code(qtbot, db):
    """The dialog opens with the keyboard in its first field, not on the area that scrolls the
    form: an agent who types straight away sees the code appear."""
    dialog = IdentityDialog(list_questionnaires(db), None, "sradar-2021-2023", first_start=True)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    # What Qt gives the keyboard to when the dialog is activated: the first widget of the tab
    # chain that takes it.
    first = dialog.nextInFocusChain()
    while not (
        first.focusPolicy() & Qt.FocusPolicy.TabFocus and first.isVisible() and first.isEnabled()
    ):
        first = first.nextInFocusChain()
    assert first is dialog.code_edit


def test_first_start_then_the_window_remembers(qtbot, tmp_path, data_dir, monkeypatch):
    path = database_path(tmp_path)

    def answer_the_dialog(dialog):
        dialog.code_edit.setText("DDETS-59")
        dialog.name_edit.setText("Karim Benali")
        dialog.questionnaire_view.setCurrentIndex(
            dialog.questionnaire_model.index(
                dialog.questionnaire_model.row_of("hdf-integration-2021"), 0
            )
        )
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(IdentityDialog, "exec", answer_the_dialog)
    window, status = app_module._open_window(path, exit_after_start=False)
    assert status == 0 and window is not None
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    assert window.data.plan.id == "hdf-integration-2021"
    assert window.header.identity_label.text().startswith("DDETS du Nord (DDETS-59) — Karim Benali")
    assert (data_dir / SETTINGS_FILE).is_file()
    settings = Settings()
    assert settings.identity().service_code == "DDETS-59"
    assert settings.questionnaire_id == "hdf-integration-2021"
    window.close()
    window.db.close()
    window.guard.release()
    # Next start: no dialog.
    monkeypatch.setattr(IdentityDialog, "exec", lambda dialog: pytest.fail("dialogue affiché"))
    again, _status = app_module._open_window(path, exit_after_start=False)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.loaded, timeout=SIGNAL_TIMEOUT):
        again.show()
    assert again.identity.agent_name == "Karim Benali"
    again.close()
    again.db.close()
    again.guard.release()


def test_quitting_the_first_start_dialog_quits(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(IdentityDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    window, status = app_module._open_window(database_path(tmp_path), exit_after_start=False)
    assert (window, status) == (None, 0)
    # The lock was given back: the next start takes it.
    db = open_database(database_path(tmp_path))
    guard = InstanceGuard(db.url)
    assert guard.acquire()
    guard.release()
    db.close()


def test_changing_identity_from_the_settings(qtbot, db):
    window = open_window(qtbot, db)
    qtbot.keyClick(window.action_list.table, K.Key_1)
    karim = Identity.create("DDETS-59", "", "Karim Benali")
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.campaigns.apply_identity(karim, "hdf-integration-2021")
    assert window.data.identity == karim
    assert window.sheet.plan.id == "hdf-integration-2021"
    assert Settings().identity() == karim


# -- one window per database --------------------------------------------------------------------


def test_a_second_window_is_told_and_can_bring_the_first_forward(qtbot, db, monkeypatch):
    first = InstanceGuard(db.url)
    assert first.acquire("Claire Martin")
    shown = []
    monkeypatch.setattr(
        dialogs, "ask_second_window", lambda owner: shown.append(owner) or dialogs.SHOW_OTHER
    )
    with qtbot.waitSignal(first.show_requested, timeout=SIGNAL_TIMEOUT):
        window, status = app_module._open_window(db.url, exit_after_start=False)
    assert (window, status) == (None, 0)
    assert shown[0].agent == "Claire Martin"
    first.release()


def test_a_second_window_can_open_read_only(qtbot, db, monkeypatch):
    first = InstanceGuard(db.url)
    assert first.acquire("Claire Martin")
    settings = Settings()
    settings.set_identity(CLAIRE)
    monkeypatch.setattr(dialogs, "ask_second_window", lambda owner: dialogs.READ_ONLY)
    window, _status = app_module._open_window(db.url, exit_after_start=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    assert window.db.read_only and window.read_only
    assert "(lecture seule)" in window.windowTitle()
    assert current_code(window) == "1.1.1"
    window.close()
    window.db.close()
    first.release()


def test_the_second_window_dialog_in_french(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from sradar_desktop.services.instance_lock import LockOwner

    texts = []

    def exec_(box):
        texts.append((box.text(), box.informativeText(), [b.text() for b in box.buttons()]))
        box.buttons()[1].click()

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    owner = LockOwner(1, "", "cmartin", "Claire Martin", "2025-06-12T14:02:00")
    choice = dialogs.ask_second_window(owner)
    text, informative, buttons = texts[0]
    assert "déjà ouverte dans une autre fenêtre de SRADAR Desktop (Claire Martin" in text
    assert "Une seule fenêtre à la fois" in informative
    assert sorted(buttons) == sorted(
        ["Aller à l'autre fenêtre", "Ouvrir en lecture seule", "Quitter"]
    )
    assert choice in (dialogs.SHOW_OTHER, dialogs.READ_ONLY, dialogs.QUIT)


def test_exit_after_start_on_a_database_in_use_opens_it_read_only(qtbot, db):
    first = InstanceGuard(db.url)
    assert first.acquire()
    window, status = app_module._open_window(db.url, exit_after_start=True)
    qtbot.addWidget(window)
    assert status == 0 and window.db.read_only
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    window.close()
    window.db.close()
    first.release()


# -- settings and tasks -------------------------------------------------------------------------


def test_settings_have_typed_defaults_and_stay_in_the_data_folder(data_dir):
    settings = Settings()
    assert settings.identity() is None
    assert settings.questionnaire_id == "sradar-2021-2023"
    assert settings.unanswered_only is False
    assert settings.geometry.isEmpty()
    settings.unanswered_only = True
    settings.set_last_action("p", "1.2.3")
    settings.sync()
    again = Settings()
    assert again.unanswered_only is True and again.last_action("p") == "1.2.3"
    assert str(data_dir) in again.store.fileName()
    # A hand-edited, unusable identity is ignored rather than fatal.
    again.store.setValue("identite/code_service", "DDETS/44")
    again.store.setValue("identite/nom_agent", "Claire")
    assert again.identity() is None


def test_tasks_run_off_the_ui_thread_and_report_back(qtbot):
    runner = TaskRunner()
    ui_thread = threading.get_ident()
    seen = {}

    def work(progress):
        seen["thread"] = threading.get_ident()
        progress(1, 2, "à mi-chemin")
        return 42

    results, steps = [], []
    with qtbot.waitSignal(runner.busy_changed, timeout=SIGNAL_TIMEOUT) as blocker:
        runner.run(
            work,
            on_done=results.append,
            on_error=pytest.fail,
            on_progress=lambda *a: steps.append(a),
        )
        qtbot.waitUntil(lambda: results == [42])
    assert blocker.args == [False] or results == [42]
    assert seen["thread"] != ui_thread
    assert steps == [(1, 2, "à mi-chemin")]
    errors = []
    runner.run(lambda _p: 1 / 0, on_done=pytest.fail, on_error=errors.append)
    assert runner.wait(5000)
    QCoreApplication.processEvents()
    assert isinstance(errors[0], ZeroDivisionError) and not runner.busy
