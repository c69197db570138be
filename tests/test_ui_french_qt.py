"""French in Qt's own dialogs and in the command line's help: the file dialog's columns, types,
sizes and dates, even on a workstation whose system language is not French."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLibraryInfo
from PySide6.QtWidgets import QApplication
from support import said_by_python

from sradar_desktop.ui.parts.i18n import install_french

# Qt's file dialog (the one Qt draws, used where no native dialog exists) on a folder holding a
# sub-folder and a file of 5,000 bytes, both dated 23/11/2026 at 18:43, in a program started by
# ``create_application``: what its list shows, and the environment the program keeps.
CHILD = textwrap.dedent(
    """
    import json, os, sys
    from PySide6.QtCore import QLocale, Qt
    from PySide6.QtWidgets import QApplication, QFileDialog, QTreeView
    from sradar_desktop.app import create_application

    app = create_application(["essai"])
    dialog = QFileDialog(None, "Choisir", sys.argv[1])
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.show()
    view = dialog.findChild(QTreeView)
    model = view.model()
    while model.rowCount(view.rootIndex()) < 2 or not model.index(0, 3, view.rootIndex()).data():
        app.processEvents()
    root = view.rootIndex()
    print(json.dumps({
        "headers": [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)],
        "rows": sorted(
            [model.index(r, c, root).data() for c in range(4)] for r in range(model.rowCount(root))
        ),
        "locale": QLocale().name(),
        "environment": {name: os.environ.get(name) for name in ("LC_TIME", "LC_NUMERIC", "LANG")},
    }, ensure_ascii=False))
    """
)


def test_qt_file_dialog_speaks_french_on_an_english_system(tmp_path):
    folder = tmp_path / "dossier"
    folder.mkdir()
    (folder / "sous-dossier").mkdir()
    (folder / "classeur.xlsx").write_bytes(b"x" * 5000)
    moment = datetime(2026, 11, 23, 18, 43, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    for path in folder.iterdir():
        os.utime(path, (moment, moment))
    environment = {**os.environ, "LANG": "en_US.UTF-8", "TZ": "Europe/Paris"}
    for name in ("LC_ALL", "LC_TIME", "LC_NUMERIC", "LC_MESSAGES", "LC_MEASUREMENT"):
        environment.pop(name, None)
    shown = said_by_python(["-c", CHILD, str(folder)], environment)[-1]
    assert shown["headers"] == ["Nom", "Taille", "Type", "Dernière modification"]
    folder_row, file_row = sorted(shown["rows"], key=lambda row: row[0] != "sous-dossier")
    assert folder_row == ["sous-dossier", "", "Dossier", "23/11/2026 18:43"]
    assert file_row[0] == "classeur.xlsx"
    assert file_row[1] == "4,88 Kio"
    assert file_row[3] == "23/11/2026 18:43"
    assert shown["locale"] == "fr_FR"
    # Only Qt was told French: the programs started later see the user's own settings.
    assert shown["environment"] == {"LC_TIME": None, "LC_NUMERIC": None, "LANG": "en_US.UTF-8"}


def test_qt_french_catalogue_ships_with_pyside6_essentials():
    translations = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    assert (translations / "qtbase_fr.qm").is_file()


def test_our_additions_to_qt_french_leave_every_other_text_alone(qapp):
    install_french(qapp)
    translate = QApplication.translate
    assert translate("QAbstractFileIconProvider", "Folder") == "Dossier"
    assert translate("QFileDialog", "New Folder") == "Nouveau dossier"
    assert translate("fenetre", "Chargement du plan…") == "Chargement du plan…"


def test_import_help_lists_every_format_it_reads(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sradar_desktop", "import", "--help"],
        env={**os.environ, "SRADAR_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    text = " ".join(done.stdout.split())
    for suffix in (".xlsx", ".xlsm", ".xls,", ".ods", ".csv", ".txt"):
        assert suffix in text
    assert text.startswith("utilisation : sradar-desktop import")
