"""The usual start — the agent's own database as left last time — shows the plan read through
``sqlite3`` before SQLAlchemy is loaded, and opens the answers for writing once the window is
painted. What the agent types meanwhile is shown at once and saved once they are open."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

from PySide6.QtCore import Qt
from support import said_by_python
from ui_support import CLAIRE, SIGNAL_TIMEOUT, SRADAR, answers, database_path, type_text

from sradar_desktop.services import entry as entry_service
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry_data import read_local_entry
from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.entry.window import MainWindow

K = Qt.Key


def test_keys_typed_before_the_answers_are_open_for_writing_are_saved(qtbot, tmp_path, monkeypatch):
    path = database_path(tmp_path)
    open_database(path).close()  # created and migrated: what a previous start left
    entry = read_local_entry(path, SRADAR, CLAIRE, None)
    assert entry is not None
    # The opening for writing waits until the test has typed: the keys come first for sure.
    typed = threading.Event()
    opening = entry_service.start_answering

    def start_answering(db, data):
        assert typed.wait(SIGNAL_TIMEOUT / 1000)
        return opening(db, data)

    monkeypatch.setattr(entry_service, "start_answering", start_answering)
    db = Database.local(path)
    window = MainWindow(db, identity=CLAIRE, questionnaire_id=SRADAR, entry=entry)
    qtbot.addWidget(window)
    window.detail.comment_timer.setInterval(50)
    window.resize(1024, 600)
    # The plan is there before the window is even shown: no reading left to wait for.
    assert window.header.progress_label.text() == "0 / 47 actions renseignées"
    engine = window.controller.engine
    assert engine.starting and engine.service is None and not window.read_only
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    table = window.action_list.table
    code = window.current_entry().code
    qtbot.keyClick(table, K.Key_1)
    qtbot.keyClick(table, K.Key_F2)
    type_text(qtbot, window.detail.comment_edit, "Saisi avant l'ouverture")
    qtbot.keyClick(window.detail.comment_edit, K.Key_Tab)
    qtbot.wait(100)  # the comment's pause elapsed: it is held, not lost
    # Shown and held: said to be saving, nothing refused, nothing written yet.
    assert window.sheet.by_code[code].status == "oui"
    assert window.header.progress_label.text() == "1 / 47 actions renseignées"
    assert engine.service is None and not engine.idle and engine.pending == {}
    assert window.header.save_label.text() == "Enregistrement…"
    reader = open_database(path)
    assert code not in answers(reader)
    typed.set()
    qtbot.waitUntil(lambda: engine.service is not None and engine.idle, timeout=SIGNAL_TIMEOUT)
    saved = answers(reader)[code]
    assert (saved.status, saved.comment, saved.updated_by) == (
        "oui",
        "Saisi avant l'ouverture",
        "Claire Martin",
    )
    assert engine.pending == {} and window.drafts.load() == []
    # Undo works on what was typed while held, and is written like any change.
    window.editing.undo()
    qtbot.waitUntil(lambda: engine.idle, timeout=SIGNAL_TIMEOUT)
    assert answers(reader)[code].comment == ""
    reader.close()
    window.close()
    db.close()


# Starts the program as ``sradar-desktop --exit-after-start`` does, and says, when the plan is
# painted, which heavy modules are loaded and whether the answers are being opened for writing.
CHILD = textwrap.dedent(
    """
    import json, sys
    from sradar_desktop import app

    def watch(application, window):
        def shown():
            engine = window.controller.engine
            heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic")
                           or m in HEAVY)
            print(json.dumps({"heavy": heavy, "starting": engine.starting,
                              "rows": window.action_list.proxy.rowCount(),
                              "title": window.windowTitle()}), flush=True)
        window.loaded.connect(shown)
        quit_once_shown(application, window)

    # Not needed to show the plan: the log's standard rotating handler (sockets, pickling),
    # the readers of workbooks and plan tables, the table of HTML entities.
    HEAVY = {"logging.handlers", "python_calamine", "sradar_desktop.plans.table",
             "sradar_desktop.workbook.cells", "sradar_desktop.workbook.reader", "html.entities"}
    quit_once_shown, app._quit_once_shown = app._quit_once_shown, watch
    from sradar_desktop.cli import main
    sys.exit(main(["--exit-after-start"]))
    """
)

IDENTITY = textwrap.dedent(
    """
    from sradar_desktop.services.entry_data import Identity
    from sradar_desktop.ui.parts.settings import Settings
    Settings().set_identity(Identity.create("DDETS-44", "", "Claire Martin"))
    """
)


def _start(environment: dict[str, str]) -> dict:
    return said_by_python(["-c", CHILD], environment)[-1]


def test_the_usual_start_shows_the_plan_before_sqlalchemy_is_loaded(tmp_path):
    environment = {
        **os.environ,
        "SRADAR_DATA_DIR": str(tmp_path / "donnees"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    subprocess.run([sys.executable, "-c", IDENTITY], env=environment, check=True, timeout=120)
    # The first start creates the database: opened fully, answers ready at once.
    first = _start(environment)
    assert "sqlalchemy" in first["heavy"] and first["starting"] is False
    # Every start after it: the plan shown by sqlite3 alone, the answers opened afterwards.
    usual = _start(environment)
    assert usual == {
        "heavy": [],
        "starting": True,
        "rows": first["rows"],
        "title": first["title"],
    }
    assert usual["rows"] == 47
