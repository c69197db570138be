"""The program ended from outside: SIGTERM (a logout, a shutdown, ``kill``) while a comment is
being typed saves the comment, gives the lock back and ends with the shell's status for a
signal; the next start finds the comment and no window holding the database. The session
manager's request before a Windows logoff saves the same way, without a question."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_support import CLAIRE, HDF, KARIM, SRADAR, database_path, open_window

from sradar_desktop.services.answers import read_answers
from sradar_desktop.services.opening import open_database

TYPED = "Comité de pilotage réuni le 12 mars, compte rendu à venir"
KEYS = "Comite de pilotage le 12 mars"  # typed key by key: Qt's test keys are ASCII

# Starts the program as ``sradar-desktop`` does, with Claire's identity already given; once the
# plan is shown, types a comment in the current action (its pause before saving made too long
# to matter) and says which action, then waits for whatever comes.
CHILD = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from sradar_desktop.services.entry import Identity
    from sradar_desktop.ui.entry import window as window_module
    from sradar_desktop.ui.parts.settings import Settings

    settings = Settings()
    settings.set_identity(Identity.create("DDETS-44", "", "Claire Martin"))
    settings.sync()
    typed = sys.argv[1]

    def type_comment(window):
        entry = window.current_entry()
        window.detail.comment_timer.setInterval(600_000)
        window.detail.comment_edit.setFocus()
        QTest.keyClicks(window.detail.comment_edit, typed)
        print(json.dumps({"code": entry.code, "campaign": window.data.campaign_id}), flush=True)

    shown = window_module.MainWindow.show_restored

    def show_restored(self):
        shown(self)
        self.loaded.connect(lambda: QTimer.singleShot(0, lambda: type_comment(self)))

    window_module.MainWindow.show_restored = show_restored
    from sradar_desktop.cli import main
    sys.exit(main([]))
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is a POSIX signal")
def test_sigterm_while_typing_saves_the_comment_and_gives_the_lock_back(tmp_path):
    data = tmp_path / "donnees"
    environment = {**os.environ, "SRADAR_DATA_DIR": str(data)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, KEYS],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line, child.stderr.read()[-3000:]
        typed_in = json.loads(line)
        child.send_signal(signal.SIGTERM)
        status = child.wait(timeout=60)  # against a stuck child only
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    errors = child.stderr.read()
    assert status == 128 + signal.SIGTERM, errors[-3000:]

    # The comment is in the database, the lock is free and says nobody holds it.
    db = open_database(data / "sradar.sqlite3")
    try:
        answers = read_answers(db, typed_in["campaign"], "DDETS-44")
    finally:
        db.close()
    assert answers[typed_in["code"]].comment == KEYS
    log = (data / "journal" / "sradar-desktop.log").read_text(encoding="utf-8")
    assert "Signal SIGTERM reçu" in log
    assert "Verrou rendu" in log
    assert list((data / "verrous").glob("*.json")) == []

    # The next start opens the database at once: no window said to hold it.
    again = subprocess.run(
        [sys.executable, "-m", "sradar_desktop", "--exit-after-start"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "déjà ouverte" not in again.stderr


def test_the_session_end_request_saves_what_is_being_typed_without_asking(qtbot, tmp_path):
    """What the window does on Windows' request before a logoff (commitDataRequest): the
    comment being typed is committed and written, nothing is asked."""
    db = open_database(database_path(tmp_path))
    try:
        window = open_window(qtbot, db, CLAIRE, SRADAR)
        entry = window.current_entry()
        window.detail.comment_timer.setInterval(600_000)
        window.detail.comment_edit.setPlainText(TYPED)
        window.save_for_session_end()
        assert QApplication.activeModalWidget() is None
        answers = read_answers(db, window.data.campaign_id, CLAIRE.service_code)
        assert answers[entry.code].comment == TYPED
    finally:
        db.close()


def test_a_value_refused_at_the_session_end_comes_back_in_its_field(qtbot, tmp_path):
    """An indicator value that is not a number cannot be saved: when the session ends, it is
    kept with the settings and comes back, marked, in its field at the next opening."""
    db = open_database(database_path(tmp_path))
    try:
        window = open_window(qtbot, db, KARIM, HDF)
        assert window.action_list.select_code("2.6.1")
        achieved = window.detail.indicators.edit(0, "achieved")
        achieved.setFocus()
        qtbot.keyClicks(achieved, "12,5 places")
        qtbot.keyClick(achieved, Qt.Key.Key_Return)
        assert window.detail.indicators.has_invalid_values()
        window.save_for_session_end()
        assert QApplication.activeModalWidget() is None
        # The program ends there: its window goes without being asked to close.
        window.editing.ready_to_close = lambda: True
        window.close()
        # The next opening, on another action: the value is back in its field, and said.
        again = open_window(qtbot, db, KARIM, HDF)
        assert again.statusBar().currentMessage() == (
            "Valeur refusée à la dernière session, retrouvée (action 2.6.1) : corrigez-la."
        )
        assert again.header.save_label.text() == "⚠ 1 valeur refusée non enregistrée"
        assert again.action_list.select_code("2.6.1")
        field = again.detail.indicators.edit(0, "achieved")
        assert field.text() == "12,5 places"
        assert "n'est pas un nombre" in again.detail.indicators.error_label(0, "achieved").text()
        # Corrected, it is saved; and it is not brought back a second time.
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, "1316")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: again.controller.engine.idle)
        again.close()
        third = open_window(qtbot, db, KARIM, HDF)
        assert third.statusBar().currentMessage() == ""
        assert not third.detail.indicators.has_invalid_values()
    finally:
        db.close()
