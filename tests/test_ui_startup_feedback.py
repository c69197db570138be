"""Start-up and closing feedback: the application's name and « Chargement du plan… » are painted
before the heavy parts (SQLAlchemy, the database layer, the window's modules) are even imported;
« Enregistrement en cours… » is on screen while the last saves finish at closing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from support import said_by_python
from ui_support import database_path, open_window

from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.parts.splash import ClosingFeedback

# Patches the splash to say, at its first paint, what it shows and which heavy modules are
# already imported; then starts the program as ``sradar-desktop --exit-after-start`` does.
CHILD = textwrap.dedent(
    """
    import json, sys
    from sradar_desktop.ui.parts import splash as splash_module

    HEAVY = ("sqlalchemy", "sradar_desktop.db", "sradar_desktop.services",
             "sradar_desktop.ui.entry.window", "sradar_desktop.ui.dialogs.start")
    painted = splash_module.Splash.paintEvent

    def paint(self, event):
        painted(self, event)
        if not getattr(sys, "_first_paint", False):
            sys._first_paint = True
            heavy = sorted(name for name in sys.modules if name.startswith(HEAVY))
            print(json.dumps({"message": self.message(), "heavy": heavy}), flush=True)

    splash_module.Splash.paintEvent = paint
    from sradar_desktop.cli import main
    sys.exit(main(["--exit-after-start"]))
    """
)


def test_splash_is_painted_before_the_heavy_imports(tmp_path):
    environment = {**os.environ, "SRADAR_DATA_DIR": str(tmp_path / "donnees")}
    first = said_by_python(["-c", CHILD], environment)[0]
    assert first == {"message": "Chargement du plan…", "heavy": []}


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def test_closing_says_saving_while_the_last_saves_finish(qtbot, db, monkeypatch):
    window = open_window(qtbot, db)
    feedback = ClosingFeedback(window)
    controller = window.controller
    seen_while_waiting: list[tuple[bool, str]] = []
    wait = controller.engine.wait

    def waiting(*args, **kwargs):
        splash = feedback.splash
        seen_while_waiting.append((splash is not None and splash.isVisible(), splash.message()))
        return wait(*args, **kwargs)

    monkeypatch.setattr(controller.engine, "wait", waiting)
    window.close()
    assert seen_while_waiting == [(True, "Enregistrement en cours…")]
    # It stays until the program ends: the database is closed after the window.
    qtbot.wait(0)
    assert not window.isVisible()
    assert feedback.splash.isVisible()
    feedback.splash.close()


class Staying(QWidget):
    """A window whose user chose to stay (« Annuler » in a question at closing)."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


def test_feedback_goes_away_when_the_window_stays_open(qtbot):
    window = Staying()
    qtbot.addWidget(window)
    window.show()
    feedback = ClosingFeedback(window)
    window.close()
    assert window.isVisible()
    qtbot.waitUntil(lambda: not feedback.splash.isVisible())


class Asking(QWidget):
    """A window that asks a question when it closes (changes that could not be saved)."""

    def __init__(self, qtbot) -> None:
        super().__init__()
        self.qtbot = qtbot
        self.splash_seen: list[bool] = []

    def closeEvent(self, event: QCloseEvent) -> None:
        question = QMessageBox(QMessageBox.Icon.Warning, "SRADAR Desktop", "Fermer ?", parent=self)
        question.addButton("Rester", QMessageBox.ButtonRole.RejectRole)
        question.open()
        self.qtbot.waitUntil(lambda: QApplication.activeModalWidget() is question)
        self.qtbot.waitUntil(lambda: not self.feedback.splash.isVisible())
        self.splash_seen.append(self.feedback.splash.isVisible())
        question.reject()
        event.ignore()


def test_feedback_steps_aside_for_a_question_asked_while_closing(qtbot):
    window = Asking(qtbot)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
    window.feedback = ClosingFeedback(window)
    window.close()
    assert window.splash_seen == [False]
    assert window.isVisible()


def test_the_entry_window_is_built_from_modules_without_sqlalchemy():
    """The entry window's modules (and the database it is given, named by its path) load without
    SQLAlchemy or Alembic: the services that need them are imported where they are used, so the
    window can show a plan read through ``sqlite3`` before they are."""
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        import sradar_desktop.ui.entry.window
        import sradar_desktop.ui.parts.single_instance
        from sradar_desktop.services.database import Database
        Database.local(Path("sradar.sqlite3")).key
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,  # against a stuck child only
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"
