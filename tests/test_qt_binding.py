"""The Qt binding keeps its references straight on this Python.

Some PySide6 wheels (6.11 and 6.12 on Python 3.11) lose a reference to ``None`` or ``True`` at
every call of a Python override from Qt, and the process aborts after a few thousand calls: the
window would crash after minutes of use. This runs the kind of calls the window makes, many
times, in a separate process (an abort there fails the test instead of killing the suite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

HAMMER = textwrap.dedent(
    """
    import os, sys, tempfile
    from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QObject, QRunnable,
        QSettings, QThreadPool, QTimer, Qt, Signal)
    from PySide6.QtGui import QUndoCommand, QUndoStack
    from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QTableView

    app = QApplication([])
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "x.ini"), QSettings.Format.IniFormat)
    stack = QUndoStack()

    class Command(QUndoCommand):
        def redo(self): return None
        def undo(self): return None

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()): return 30
        def columnCount(self, parent=QModelIndex()): return 3
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "x" if role == Qt.ItemDataRole.DisplayRole else None

    class Delegate(QStyledItemDelegate):
        def paint(self, painter, option, index): super().paint(painter, option, index)

    class Filter(QObject):
        def eventFilter(self, watched, event): return False

    class Emitter(QObject):
        changed = Signal(bool)

    class Job(QRunnable):
        def run(self): return None

    view = QTableView(); view.setModel(Model()); view.setItemDelegate(Delegate())
    watcher = Filter(); view.installEventFilter(watcher); view.resize(400, 400); view.show()
    emitter = Emitter(); emitter.changed.connect(lambda value: None)
    pool = QThreadPool()
    for i in range(1200):
        settings.setValue("k", i % 2 == 0); settings.value("k"); settings.value("absent")
        stack.push(Command("c")); stack.undo()
        emitter.changed.emit(i % 2 == 0)
        QTimer.singleShot(0, lambda: None)
        view.viewport().update(); app.processEvents()
        pool.start(Job())
        view.hasFocus(); view.currentIndex().data()
    pool.waitForDone()
    print("ok")
    """
)


def test_many_calls_from_qt_to_python_do_not_crash():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", HAMMER],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", (
        "Cette version de PySide6 perd des références sur ce Python (voir pyproject.toml) : "
        + result.stderr[-500:]
    )
