"""Default folders: the system's documents folder (created when missing, home as a fallback),
and one remembered folder per kind of file."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from consolidation_support import answer_scenario
from PySide6.QtWidgets import QFileDialog
from ui_support import SIGNAL_TIMEOUT, SRADAR, database_path, open_window

from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.entry import exchange as exchange_module
from sradar_desktop.ui.parts.settings import Folder, Settings, documents_folder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user profile: a home folder without « Documents », no user-dirs file."""
    folder = tmp_path / "maison"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return folder


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def test_documents_folder_comes_from_the_system_and_is_created(home):
    assert not (home / "Documents").exists()
    assert documents_folder() == home / "Documents"
    assert (home / "Documents").is_dir()


def test_documents_folder_falls_back_to_home_when_it_cannot_be_created(home):
    (home / "Documents").write_text("un fichier, pas un dossier")
    assert documents_folder() == home


def test_each_kind_of_file_remembers_its_own_folder(home, tmp_path):
    settings = Settings()
    for kind in Folder:
        assert settings.folder(kind) == home / "Documents"
    folders = {kind: tmp_path / kind.name.lower() for kind in Folder}
    for kind, folder in folders.items():
        folder.mkdir()
        settings.remember_folder(kind, folder)
    settings.sync()
    again = Settings()
    for kind, folder in folders.items():
        assert again.folder(kind) == folder
    # A remembered folder since removed: the documents again, not a folder that is not there.
    folders[Folder.REPORTS].rmdir()
    assert again.folder(Folder.REPORTS) == home / "Documents"
    assert again.folder(Folder.RECEIVED) == folders[Folder.RECEIVED]


def test_first_import_and_export_open_in_the_documents(qtbot, db, home, monkeypatch):
    window = open_window(qtbot, db)
    asked: list[tuple[str, str]] = []

    def open_names(_parent, title, folder, _filter):
        asked.append((title, folder))
        return [], ""

    def save_name(_parent, title, path, _filter):
        asked.append((title, path))
        return "", ""

    monkeypatch.setattr(exchange_module.QFileDialog, "getOpenFileNames", open_names)
    monkeypatch.setattr(exchange_module.QFileDialog, "getSaveFileName", save_name)
    window.exchange.choose_files()
    window.exchange.choose_export_file()
    name = f"SRADAR-2021-2023_DDETS-44_{date.today().isoformat()}.xlsx"
    assert asked == [
        ("Importer des classeurs", str(home / "Documents")),
        ("Exporter mes réponses", str(home / "Documents" / name)),
    ]
    # Importing from one folder does not move where my answers are exported.
    received = home / "recus"
    received.mkdir()
    window.settings.remember_folder(Folder.RECEIVED, received)
    asked.clear()
    window.exchange.choose_files()
    window.exchange.choose_export_file()
    assert [Path(path) for _title, path in asked] == [received, home / "Documents" / name]


def test_prepare_the_sending_proposes_a_folder_that_exists_and_writes_there(qtbot, db, home):
    window = open_window(qtbot, db)
    window.exchange.send_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.exchange.dialog, SendDialog))
    dialog = window.exchange.dialog
    assert dialog.folder_edit.text() == str(home / "Documents")
    with qtbot.waitSignal(dialog.roster_saved, timeout=SIGNAL_TIMEOUT):
        dialog.write_button.click()
    assert (
        sorted(path.suffix for path in (home / "Documents").iterdir())
        == [".eml"] * 6 + [".xlsx"] * 6
    )
    assert window.settings.folder(Folder.BLANK_WORKBOOKS) == home / "Documents"
    dialog.close()


def test_consolidated_export_opens_in_the_documents(qtbot, tmp_path, home, monkeypatch):
    database = open_database(database_path(tmp_path))
    try:
        answer_scenario(database)
        asked: list[str] = []

        def save_name(_parent, _title, suggested, _pattern):
            asked.append(suggested)
            return "", ""

        monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
        window = ConsolidationWindow(
            database, questionnaire_id=SRADAR, actor="Sophie Durand", settings=Settings()
        )
        window.refresh_after = math.inf
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
            window.show()
        window.exports.workbook_action.trigger()
        assert [Path(path).parent for path in asked] == [home / "Documents"]
    finally:
        database.close()
