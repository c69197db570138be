"""The graphical application: Qt set-up, opening the database, the main window."""

from __future__ import annotations

import gc
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.errors import UserError
from sradar_desktop.failures import describe_failure
from sradar_desktop.logs import log_file
from sradar_desktop.paths import resources_dir
from sradar_desktop.ui.parts.i18n import french_system_locale, install_french
from sradar_desktop.ui.parts.speech import describe_application
from sradar_desktop.ui.parts.splash import ClosingFeedback, Splash
from sradar_desktop.ui.parts.style import ReadableStyle

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from sradar_desktop.domain.campaigns import CampaignSummary
    from sradar_desktop.services.entry_data import EntryData, Identity
    from sradar_desktop.ui.entry.window import MainWindow
    from sradar_desktop.ui.parts.settings import Settings

START_TIMEOUT_MS = 60_000


def _install_excepthook() -> None:
    """A bug in a slot is logged with its traceback and told to the user, not silently lost."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        failure = describe_failure(
            value.with_traceback(tb),
            "Une opération n'a pas pu aller au bout",
            "Vos saisies déjà enregistrées sont conservées.",
        )
        box = QMessageBox.critical if failure.is_bug else QMessageBox.warning
        box(QApplication.activeWindow(), APP_NAME, failure.message)
        if failure.is_bug:
            traceback.print_exception(kind, value, tb)

    sys.excepthook = hook


def create_application(argv: list[str] | None = None) -> QApplication:
    # The window's Python code shares the interpreter with the threads that read and write the
    # database: each of its calls may wait for them to hand the interpreter over, after 5 ms by
    # default. A millisecond keeps painting and typing fluid while a plan loads.
    sys.setswitchinterval(0.001)
    app = QApplication.instance()
    if app is None:
        with french_system_locale():
            app = QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    describe_application(
        app,
        QApplication.translate(
            "application",
            "Saisie et consolidation de l'évaluation des plans d'accueil des demandeurs "
            "d'asile et des réfugiés",
        ),
    )
    if not isinstance(app.style(), ReadableStyle):
        app.setStyle(ReadableStyle())  # the platform's style, with whole accents
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SRADAR")
    app.setDesktopFileName("sradar-desktop")
    icon = resources_dir() / "icons" / "sradar-desktop.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    install_french(app)
    return app


def _open_window(
    db_target: str | Path | None, *, exit_after_start: bool, splash: Splash | None = None
) -> tuple[MainWindow | None, int]:
    """Everything between the command line and the window: the single-window lock, the
    database, who answers. Returns the window (None when the app should stop) and an exit
    status. ``splash``, when given, is on screen meanwhile; it goes away before any question
    is asked.

    The usual start, the agent's own database as left last time, takes the fastest path: the
    plan is read ahead through ``sqlite3`` alone (``read_ahead``) and shown before the
    database layer is loaded; the answers are opened for writing once the window is painted.
    Any other start (first start, a database to create or migrate, a server, a second window)
    opens the database fully first."""

    def quiet() -> None:
        if splash is not None:
            splash.close()

    from sradar_desktop.paths import local_database_path
    from sradar_desktop.services.database import Database
    from sradar_desktop.ui.entry.window import MainWindow
    from sradar_desktop.ui.parts.settings import Settings
    from sradar_desktop.ui.parts.single_instance import InstanceGuard

    path = local_database_path(db_target)
    try:
        target = path if path is not None else _server_url(db_target)
    except UserError as error:
        if exit_after_start:
            raise
        quiet()
        QMessageBox.critical(None, APP_NAME, str(error))
        return None, 1
    settings = Settings()
    identity = settings.identity()
    guard = InstanceGuard(target)
    read_only = False
    if not guard.acquire(identity.agent_name if identity else ""):
        log.info("Base déjà ouverte dans une autre fenêtre (%s)", guard.owner())
        if exit_after_start:
            read_only = True
        else:
            from sradar_desktop.ui.dialogs.start import READ_ONLY, SHOW_OTHER, ask_second_window

            quiet()
            choice = ask_second_window(guard.owner())
            if choice == SHOW_OTHER and guard.ask_first_to_show():
                return None, 0
            if choice not in (SHOW_OTHER, READ_ONLY):
                return None, 0
            read_only = True
    entry = None
    if path is not None and identity is not None and not read_only:
        entry = read_ahead(path, settings, identity)
    if path is not None and entry is not None:
        log.info("Plan lu d'avance : la base s'ouvre en écriture une fois la fenêtre affichée")
        db = Database.local(path)
    else:
        from sradar_desktop.services.opening import open_database

        try:
            db = open_database(target, read_only=read_only)
        except UserError as error:
            log.warning("Base refusée : %s", error)
            guard.release()
            if exit_after_start:
                raise
            quiet()
            QMessageBox.critical(None, APP_NAME, str(error))
            return None, 1
    if identity is None and not read_only and not exit_after_start:
        from sradar_desktop.services.questionnaires import list_questionnaires
        from sradar_desktop.ui.dialogs.start import IdentityDialog

        quiet()
        dialog = IdentityDialog(
            list_questionnaires(db), None, settings.questionnaire_id, first_start=True
        )
        if dialog.exec() != IdentityDialog.DialogCode.Accepted or dialog.identity is None:
            db.close()
            guard.release()
            return None, 0
        identity = dialog.identity
        settings.set_identity(identity)
        settings.questionnaire_id = dialog.questionnaire_id
        guard.set_agent(identity.agent_name)
        if splash is not None:
            splash.show_now()
    window = MainWindow(db, settings=settings, identity=identity, guard=guard, entry=entry)
    guard.setParent(window)
    guard.show_requested.connect(window.bring_to_front)
    return window, 0


def _server_url(db_target: str | Path | None) -> URL:
    from sradar_desktop.db.engine import database_url

    return database_url(db_target)


def read_ahead(
    path: Path, settings: Settings, identity: Identity
) -> tuple[EntryData, list[CampaignSummary]] | None:
    """The plan chosen last, with ``identity``'s answers in the campaign chosen last, read
    from the SQLite file at ``path`` through ``sqlite3`` alone (``read_local_entry``); None
    when it must be opened fully first: a database to create, migrate or complete, one that
    does not take a write now (read-only, on a share that refuses it, held by another
    program), or one it cannot read this way."""
    from sradar_desktop.db.reading import local_writable
    from sradar_desktop.services.entry_data import read_local_entry

    if not local_writable(path):  # also false for a file that is not there yet
        return None
    questionnaire_id = settings.questionnaire_id
    return read_local_entry(
        path, questionnaire_id, identity, settings.campaign_id(questionnaire_id) or None
    )


def _quit_once_shown(app: QApplication, window: MainWindow) -> None:
    """For ``--exit-after-start``: quit (0) once the plan is loaded and painted, or (1) with the
    French message when it cannot be; never hang a check: 3 after a minute."""

    def shown() -> None:
        window.repaint()
        app.quit()

    def failed(message: str) -> None:
        print(message, file=sys.stderr)
        app.exit(1)

    def too_long() -> None:
        print(
            f"La fenêtre n'a pas affiché le plan en {START_TIMEOUT_MS // 1000} secondes "
            f"(journal : {log_file()}).",
            file=sys.stderr,
        )
        app.exit(3)

    window.loaded.connect(shown)
    window.load_failed.connect(failed)
    QTimer.singleShot(START_TIMEOUT_MS, too_long)


def run_gui(db_target: str | Path | None, *, exit_after_start: bool = False) -> int:
    app = create_application()
    # On screen before the database layer and the window's modules are imported and the
    # database opened: a second or more on a slow or scanned workstation.
    splash = Splash(QApplication.translate("splash", "Chargement du plan…"))
    splash.show_now()
    _install_excepthook()
    window, status = _open_window(db_target, exit_after_start=exit_after_start, splash=splash)
    if window is None:
        splash.close()
        return status
    ClosingFeedback(window)
    window.show_restored()
    splash.close()  # the window says itself that its plan is loading
    if exit_after_start:
        _quit_once_shown(app, window)
    from sradar_desktop.ui.parts.session_end import SessionEnd  # sockets: after the welcome

    ending = SessionEnd(app, window.save_for_session_end)
    status = app.exec()
    ending.uninstall()
    window.tasks.wait()
    if window.controller is not None:
        window.controller.engine.wait()  # answers being opened for writing when it quit
    window.db.close()
    if window.guard is not None:
        window.guard.release()
    # Everything is saved and closed; what is left goes with the process. Python's collector
    # would walk the window's tens of thousands of objects again and again while the
    # interpreter shuts down (most of the time the process took to end): it leaves them.
    gc.freeze()
    return status
