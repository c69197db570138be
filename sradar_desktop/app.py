"""The graphical application: Qt set-up, opening the database, the main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QLocale, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.errors import UserError
from sradar_desktop.logs import log_file

log = logging.getLogger(__name__)

START_TIMEOUT_MS = 60_000


class FirstPaint(QObject):
    """Calls back once, just after a widget has been painted for the first time."""

    def __init__(self, widget: QWidget, callback: object) -> None:
        super().__init__(widget)
        self._callback = callback
        self._done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            QTimer.singleShot(0, self._callback)  # type: ignore[arg-type]
        return False


def _install_excepthook() -> None:
    """A bug in a slot is logged with its traceback and told to the user, not silently lost."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("Erreur inattendue", exc_info=(kind, value, tb))
        if isinstance(value, UserError):
            QMessageBox.warning(QApplication.activeWindow(), APP_NAME, str(value))
            return
        QMessageBox.critical(
            QApplication.activeWindow(),
            APP_NAME,
            QApplication.translate(
                "app",
                "Une erreur inattendue s'est produite (un défaut de l'application, pas de votre "
                "fait). Vos saisies déjà enregistrées sont conservées.\n\nLe détail est dans le "
                "journal : %s",
            )
            % log_file(),
        )
        traceback.print_exception(kind, value, tb)

    sys.excepthook = hook


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SRADAR")
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)
    # Qt's own dialogs (Yes/No, Cancel) in French when the translation ships with Qt.
    from PySide6.QtCore import QLibraryInfo

    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(), "qtbase", "_", qt_translations):
        app.installTranslator(translator)
    return app


def run_gui(db_target: str | Path | None, *, exit_after_start: bool = False) -> int:
    from sradar_desktop.services.database import Database
    from sradar_desktop.ui.main_window import MainWindow

    app = create_application()
    _install_excepthook()
    try:
        db = Database.open(db_target)
    except UserError as error:
        log.warning("Base refusée : %s", error)
        if exit_after_start:
            raise
        QMessageBox.critical(None, APP_NAME, str(error))
        return 1
    window = MainWindow(db)
    window.show()
    if exit_after_start:
        FirstPaint(window, app.quit)
        # Never hang a smoke test: give up with an error if the window is never painted.
        QTimer.singleShot(START_TIMEOUT_MS, lambda: app.exit(3))
    status = app.exec()
    db.close()
    return status
