"""The entry window's exchange of workbooks: importing (from the menu or by dropping files on the
window), undoing the last import, exporting the agent's answers, preparing the sending.

Every piece of work runs off the UI thread; what the agent typed reaches the database before an
import, an undo or an export starts, and the window shows the answers again afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from sradar_desktop import APP_NAME
from sradar_desktop.domain.dates import moment_text
from sradar_desktop.domain.questionnaires import DEFAULT_QUESTIONNAIRE_ID
from sradar_desktop.domain.text import plural
from sradar_desktop.errors import UserError
from sradar_desktop.failures import Failure
from sradar_desktop.services.files.given import IMPORTABLE_SUFFIXES, given_files
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import bring_to_front
from sradar_desktop.ui.parts.settings import Folder
from sradar_desktop.ui.parts.widgets import ask, window_action

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QStatusBar

    from sradar_desktop.mail.writer import DraftFile
    from sradar_desktop.services.database import Database
    from sradar_desktop.services.entry_data import EntryData, Identity
    from sradar_desktop.services.exchange import ExportResult
    from sradar_desktop.services.imports import FileResult, ImportInfo
    from sradar_desktop.ui.dialogs.import_files import ImportDialog
    from sradar_desktop.ui.dialogs.sending import SendDialog
    from sradar_desktop.ui.entry.controller import EntryController
    from sradar_desktop.ui.parts.mail_program import MailProgram
    from sradar_desktop.ui.parts.settings import Settings
    from sradar_desktop.ui.parts.tasks import TaskRunner


class ExchangeWindow(Protocol):
    """What the exchange needs from the window it serves (the entry window, a ``QMainWindow``
    that parents the exchange's dialogs): its database, settings and plan, its worker, and a
    few of its operations. The exchange knows nothing else of the window."""

    db: Database
    settings: Settings
    identity: Identity | None
    questionnaire_id: str
    data: EntryData | None
    controller: EntryController | None
    tasks: TaskRunner
    loaded: SignalInstance

    def statusBar(self) -> QStatusBar: ...

    def acceptDrops(self) -> bool: ...

    def setAcceptDrops(self, on: bool) -> None: ...

    def installEventFilter(self, watcher: QObject) -> None: ...

    def reload_answers(self) -> None: ...

    def load(self, questionnaire_id: str) -> None: ...

    @property
    def editing(self) -> _Editing: ...

    @property
    def campaigns(self) -> _Campaigns: ...

    @property
    def detail(self) -> _Detail: ...


class _Editing(Protocol):
    def when_saved(self, callback: Callable[[], None]) -> None: ...


class _Campaigns(Protocol):
    def apply_identity(self, identity: Identity, questionnaire_id: str) -> None: ...


class _Indicators(Protocol):
    def has_invalid_values(self) -> list[str]: ...


class _Detail(Protocol):
    @property
    def indicators(self) -> _Indicators: ...


log = logging.getLogger(__name__)

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def dropped_files(mime: QMimeData | None) -> list[Path]:
    """The files dropped, when at least one can be imported (a folder brings its importable
    files); empty otherwise. Files of other kinds are kept: the preview says why they are
    refused."""
    if mime is None or not mime.hasUrls():
        return []
    paths: list[Path] = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        paths += given_files(Path(url.toLocalFile()))
    if not any(path.suffix.lower() in IMPORTABLE_SUFFIXES for path in paths):
        return []
    return list(dict.fromkeys(paths))


class FileDrops(QObject):
    """Files dropped on the window are imported. Installed on the window alone (not on the
    application, where it would take every event of the program through Python); the text fields
    hand over the files dragged onto them (``ui.widgets.FileDragsToWindow``), which are thus
    imported rather than pasted as a path into a comment."""

    def __init__(self, window: QWidget, on_drop: Callable[[list[Path]], None]) -> None:
        super().__init__(window)
        self._window = window
        self._on_drop = on_drop
        self._seen: tuple[tuple[str, ...], list[Path]] = ((), [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._window or event.type() not in _DRAG_EVENTS:
            return False
        # Enter and move events are drop events too (QDragEnterEvent derives from QDragMoveEvent,
        # itself a QDropEvent).
        return self.handle(cast(QDropEvent, event))

    def handle(self, drag: QDropEvent) -> bool:
        """Accept or refuse a drag (enter, move or drop) of files; ``False`` for anything else
        (text dragged within the window)."""
        mime = drag.mimeData()
        if mime is None or not any(url.isLocalFile() for url in mime.urls()):
            return False
        if not self._window.acceptDrops():  # read-only window: nothing is imported
            drag.ignore()
            return True
        # A drag moves many times a second over the window: its files are looked at once per
        # drag (a folder dragged again is looked at again: new files may have arrived).
        urls = tuple(url.toString() for url in mime.urls())
        if self._seen[0] != urls or drag.type() == QEvent.Type.DragEnter:
            self._seen = (urls, dropped_files(mime))
        paths = self._seen[1]
        if not paths:
            # Files that cannot be imported: refused here, not pasted as a path in a field.
            drag.ignore()
            return True
        # Always a copy, even when the user holds Shift (a move would let the file manager
        # delete the workbook received).
        drag.setDropAction(Qt.DropAction.CopyAction)
        drag.accept()
        if drag.type() == QEvent.Type.Drop:
            # Opened once the drop is over: the file manager is not kept waiting.
            QTimer.singleShot(0, lambda: self._on_drop(paths))
        return True


class WorkbookExchange(QObject):
    """The window's import, undo of an import, export and sending (see the module)."""

    database_changed = Signal()  # an import or its undoing changed answers or questionnaires

    def __init__(self, window: ExchangeWindow) -> None:
        # The same window seen as the widget that parents the exchange's dialogs.
        self.host = cast("QWidget", window)
        super().__init__(self.host)
        self.window = window
        self.last_import: ImportInfo | None = None
        self.dialog: ImportDialog | SendDialog | None = None
        self.message_box: QMessageBox | None = None
        self._busy = False
        self._mail: MailProgram | None = None  # made when first needed
        read_only = window.db.read_only

        self.import_action = self._action(
            self.tr("&Importer des classeurs…"),
            self.choose_files,
            "Ctrl+I",
            self.tr(
                "Importer des classeurs reçus (réponses, consolidations), des messages "
                "enregistrés (.eml, .msg) qui les portent, ou un plan en tableau ; on peut aussi "
                "déposer les fichiers sur la fenêtre"
            ),
        )
        self.import_action.setIconText(self.tr("Importer des classeurs"))
        self.undo_import_action = self._action(
            self.tr("Annuler le &dernier import…"),
            self.undo_last_import,
            "",
            self.tr("Remettre les réponses dans l'état où elles étaient avant le dernier import"),
        )
        self.undo_import_action.setEnabled(False)
        self.export_action = self._action(
            self.tr("E&xporter mes réponses…"),
            self.choose_export_file,
            "Ctrl+E",
            self.tr("Enregistrer vos réponses dans un classeur à envoyer par courriel"),
        )
        self.export_action.setIconText(self.tr("Exporter mes réponses"))
        self.send_action = self._action(
            self.tr("&Préparer l'envoi…"),
            self.prepare_sending,
            "",
            self.tr(
                "Un message par service attendu, son classeur vierge joint, ou des relances aux "
                "services à qui il manque des réponses"
            ),
        )
        for action in (self.import_action, self.send_action):
            action.setEnabled(not read_only)

        window.setAcceptDrops(not read_only)
        self.file_drops = FileDrops(self.host, self.import_files)
        window.installEventFilter(self.file_drops)
        # A moment after the plan is shown: the query does not compete with the first paint.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(self.refresh_last_import)
        window.loaded.connect(self._refresh_timer.start)

    def _action(self, text: str, slot: Callable[[], object], shortcut: str, tip: str) -> QAction:
        keys = [QKeySequence(shortcut)] if shortcut else []
        return window_action(self.host, text, slot, keys, tip)

    def menu_actions(self) -> list[QAction | None]:
        """The actions of the File menu, ``None`` for a separator."""
        return [
            self.import_action,
            self.undo_import_action,
            None,
            self.export_action,
            self.send_action,
        ]

    # -- helpers -------------------------------------------------------------------------------

    def _status(self, text: str, msecs: int = 8000) -> None:
        self.window.statusBar().showMessage(text, msecs)

    def _box(
        self,
        icon: QMessageBox.Icon,
        text: str,
        informative: str = "",
        *,
        folder: Path | None = None,
    ) -> QMessageBox:
        """A message that does not block the window's event loop (``open``, not ``exec``)."""
        box = QMessageBox(self.host)
        box.setIcon(icon)
        box.setWindowTitle(APP_NAME)
        box.setText(text)
        if informative:
            box.setInformativeText(informative)
        if folder is not None:
            show = box.addButton(self.tr("Ouvrir le dossier"), QMessageBox.ButtonRole.ActionRole)
            show.clicked.connect(lambda: _open_file(folder))
        box.addButton(self.tr("Fermer"), QMessageBox.ButtonRole.RejectRole)
        box.finished.connect(box.deleteLater)
        self.message_box = box
        box.open()
        return box

    def _ask(
        self, text: str, informative: str, yes: str, no: str, on_yes: Callable[[], None]
    ) -> QMessageBox:
        self.message_box = ask(self.host, text, informative, yes, no, on_yes)
        return self.message_box

    def _report(self, failure: Failure) -> None:
        """A failed operation in a box: a warning for what the user can fix, an error for a
        bug (``TaskRunner.run_operation`` said which)."""
        self._busy = False
        self.window.statusBar().clearMessage()
        icon = QMessageBox.Icon.Critical if failure.is_bug else QMessageBox.Icon.Warning
        self._box(icon, failure.message)

    def _writable(self) -> bool:
        if self.window.db.read_only:
            self._status(
                self.tr(
                    "Lecture seule : cette fenêtre ne peut pas modifier la base (elle est "
                    "ouverte dans une autre fenêtre de SRADAR Desktop)."
                )
            )
            return False
        if self._busy or self.dialog is not None:
            if self.dialog is not None:
                bring_to_front(self.dialog)
            self._status(self.tr("Un import, un export ou un envoi est déjà en cours."))
            return False
        return True

    @property
    def _actor(self) -> str:
        identity = self.window.identity
        return identity.agent_name if identity is not None else ""

    # -- import --------------------------------------------------------------------------------

    def choose_files(self) -> None:
        """« Importer des classeurs… »: choose the files, then preview them."""
        if not self._writable():
            return
        names, _filter = QFileDialog.getOpenFileNames(
            self.host,
            self.tr("Importer des classeurs"),
            str(self.window.settings.folder(Folder.RECEIVED)),
            self.tr(
                "Classeurs, tableaux et messages (*.xlsx *.xlsm *.ods *.xls *.csv *.txt *.eml "
                "*.msg);;Classeurs et tableaux (*.xlsx *.xlsm *.ods *.xls *.csv *.txt);;"
                "Messages enregistrés (*.eml *.msg);;Tous les fichiers (*)"
            ),
        )
        if names:
            self.window.settings.remember_folder(Folder.RECEIVED, Path(names[0]).parent)
            self.import_files([Path(name) for name in names])

    def import_files(self, paths: list[Path]) -> None:
        """Preview ``paths``, then import them if the user agrees (the dialog is ``dialog``)."""
        if not paths or not self._writable():
            return
        self._busy = True
        # The import merges with the agent's answers: those being typed reach the database
        # first.
        self.window.editing.when_saved(lambda: self._open_import(paths))

    def _open_import(self, paths: list[Path]) -> None:
        from sradar_desktop.ui.dialogs.import_files import ImportDialog

        self._busy = False
        dialog = ImportDialog(
            self.window.db,
            paths,
            actor=self._actor,
            current_questionnaire=self.window.questionnaire_id,
            parent=self.host,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished_import.connect(self._imported)
        dialog.open_questionnaire.connect(self._open_questionnaire)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _imported(self, results: list[FileResult]) -> None:
        current = self.window.questionnaire_id
        touched = [r.outcome for r in results if r.outcome is not None and r.outcome.applied]
        if not results or any(outcome.questionnaire_id == current for outcome in touched):
            self.window.reload_answers()
        self.refresh_last_import()
        if touched or any(r.outcome and r.outcome.new_questionnaire for r in results):
            self.database_changed.emit()

    def _open_questionnaire(self, questionnaire_id: str) -> None:
        window = self.window
        if window.identity is not None:
            window.campaigns.apply_identity(window.identity, questionnaire_id)
        else:  # nothing is typed without an identity: nothing to save first
            window.settings.questionnaire_id = questionnaire_id
            window.load(questionnaire_id)

    # -- undoing the last import ---------------------------------------------------------------

    def refresh_last_import(self) -> None:
        """Enable « Annuler le dernier import » when there is one (read off the UI thread)."""
        from sradar_desktop.services.imports import last_import

        db = self.window.db
        self.window.tasks.run(
            lambda _progress: last_import(db),
            on_done=self._set_last_import,
            on_error=lambda error: log.warning("Dernier import non lu : %s", error),
        )

    def _set_last_import(self, info: ImportInfo | None) -> None:
        self.last_import = info
        enabled = info is not None and not self.window.db.read_only
        self.undo_import_action.setEnabled(enabled)
        if info is None:
            self.undo_import_action.setText(self.tr("Annuler le &dernier import…"))
            return
        name = info.file_name if len(info.file_name) <= 40 else info.file_name[:37] + "…"
        self.undo_import_action.setText(arg(self.tr("Annuler l'import de « %1 »…"), name))
        self.undo_import_action.setStatusTip(
            arg(self.tr("Import du %1 : remettre les réponses d'avant"), moment_text(info.at))
        )

    def undo_last_import(self) -> None:
        info = self.last_import
        if info is None:
            self._status(self.tr("Il n'y a pas d'import à annuler."))
            return
        if not self._writable():
            return
        who = ", ".join(info.respondents[:5]) + ("…" if len(info.respondents) > 5 else "")
        by = arg(self.tr(" par %1"), info.actor) if info.actor else ""
        self._ask(
            arg(
                self.tr("Annuler l'import de « %1 », fait le %2%3 ?"),
                info.file_name,
                moment_text(info.at),
                by,
            ),
            arg(
                self.tr(
                    "Les réponses qu'il a apportées ou modifiées (%1) reviennent exactement à "
                    "leur état d'avant ; un questionnaire qu'il avait ajouté est retiré s'il ne "
                    "sert plus. Si certaines de ces réponses ont été modifiées depuis, "
                    "l'annulation est refusée et rien ne change."
                ),
                who or self.tr("aucun répondant"),
            ),
            self.tr("Annuler l'import"),
            self.tr("Ne rien changer"),
            lambda: self._undo_confirmed(info),
        )

    def _undo_confirmed(self, info: ImportInfo) -> None:
        self._busy = True
        self.window.editing.when_saved(lambda: self._run_undo(info))

    def _run_undo(self, info: ImportInfo) -> None:
        from sradar_desktop.services.exchange import resolve_campaign
        from sradar_desktop.services.imports import undo_import

        db, actor = self.window.db, self._actor
        current = self.window.questionnaire_id
        self._status(arg(self.tr("Annulation de l'import de %1…"), info.file_name), 0)

        def work(_progress: object) -> tuple[str, bool]:
            summary = undo_import(db, info.id, actor=actor)
            try:
                resolve_campaign(db, current)
            except UserError:
                return summary, False
            return summary, True

        self.window.tasks.run_operation(
            work,
            on_done=lambda result: self._undone(info, *result),
            on_failure=self._undo_failed,
            failed=arg(self.tr("L'import de « %1 » n'a pas pu être annulé"), info.file_name),
            what_to_do=self.tr("Rien n'a été modifié."),
        )

    def _undone(self, info: ImportInfo, summary: str, current_exists: bool) -> None:
        self._busy = False
        self.window.statusBar().clearMessage()
        window = self.window
        text = summary
        if not current_exists:
            # The import had brought the questionnaire shown; it is gone with it.
            text += " " + self.tr(
                "Le questionnaire qu'il avait apporté est retiré : la fenêtre revient au plan "
                "par défaut."
            )
            window.settings.questionnaire_id = DEFAULT_QUESTIONNAIRE_ID
            window.load(DEFAULT_QUESTIONNAIRE_ID)
        elif info.questionnaire_id == window.questionnaire_id:
            window.reload_answers()
        self._box(QMessageBox.Icon.Information, text)
        self.refresh_last_import()
        self.database_changed.emit()

    def _undo_failed(self, failure: Failure) -> None:
        self._report(failure)
        self.refresh_last_import()

    # -- export --------------------------------------------------------------------------------

    def _export_target(self) -> tuple[str, str, str, bool] | None:
        """(questionnaire, campaign, respondent, all actions), or None with the reason said."""
        data = self.window.data
        identity = self.window.identity
        if identity is None or data is None or data.identity is None:
            self._box(
                QMessageBox.Icon.Information,
                self.tr(
                    "Indiquez d'abord votre service et votre nom (Fichier › Mon service et mon "
                    "questionnaire) : le classeur exporté porte les réponses de votre service."
                ),
            )
            return None
        # A service that pilots nothing answers every action (as the window shows them).
        return data.plan.id, data.campaign_id, identity.service_code, not data.sheet.has_mine

    def choose_export_file(self) -> None:
        """« Exporter mes réponses… »: where to write them, then write them."""
        from sradar_desktop.services.sending import answers_file_name

        target = self._export_target()
        if target is None:
            return
        questionnaire, _campaign, code, _all = target
        name = answers_file_name(questionnaire, code, date.today())
        folder = self.window.settings.folder(Folder.MY_ANSWERS)
        chosen, _filter = QFileDialog.getSaveFileName(
            self.host,
            self.tr("Exporter mes réponses"),
            str(folder / name),
            self.tr("Classeur Excel (*.xlsx)"),
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self.window.settings.exchange_folder = str(path.parent)
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Write the agent's answers to ``path``, once what is being typed is saved."""
        if self._export_target() is None:
            return
        if self._busy:
            self._status(self.tr("Un import, un export ou un envoi est déjà en cours."))
            return
        self._busy = True
        self.window.editing.when_saved(lambda: self._export_saved(path))

    def _export_saved(self, path: Path) -> None:
        controller = self.window.controller
        unsaved = len(controller.engine.pending) if controller is not None else 0
        invalid = self.window.detail.indicators.has_invalid_values()
        if not unsaved and not invalid:
            self._run_export(path)
            return
        self._busy = False
        problems = []
        if unsaved:
            problems.append(
                arg(
                    self.tr(
                        "%1 modification n'a pas encore pu être enregistrée dans la base "
                        "(Ctrl+S pour réessayer)."
                    )
                    if unsaved < 2
                    else self.tr(
                        "%1 modifications n'ont pas encore pu être enregistrées dans la base "
                        "(Ctrl+S pour réessayer)."
                    ),
                    unsaved,
                )
            )
        if invalid:
            problems.append(
                arg(
                    self.tr("Des valeurs d'indicateurs ne sont pas des nombres valides : %1."),
                    ", ".join(invalid[:5]),
                )
            )
        self._ask(
            self.tr("Le classeur ne contiendra pas tout ce que vous avez saisi."),
            "\n".join(problems),
            self.tr("Exporter quand même"),
            self.tr("Ne pas exporter"),
            lambda: self._run_export(path),
        )

    def _run_export(self, path: Path) -> None:
        from sradar_desktop.services.exchange import export_workbook

        target = self._export_target()
        if target is None:
            self._busy = False
            return
        self._busy = True
        questionnaire, campaign, code, all_actions = target
        db = self.window.db
        self._status(arg(self.tr("Export de vos réponses dans %1…"), path.name), 0)

        def work(_progress: object) -> ExportResult:
            return export_workbook(
                db,
                path,
                questionnaire_id=questionnaire,
                campaign_id=campaign,
                respondent_code=code,
                all_actions=all_actions,
            )

        self.window.tasks.run_operation(
            work,
            on_done=lambda result: self._exported(result, campaign, code),
            on_failure=self._report,
            failed=arg(self.tr("Vos réponses n'ont pas pu être écrites dans « %1 »"), path.name),
            what_to_do=self.tr("Ce que vous avez saisi est toujours dans la base ; réessayez."),
        )

    def _exported(self, result: ExportResult, campaign: str, code: str) -> None:
        self._busy = False
        self.window.statusBar().clearMessage()
        log.info("Export : %s", result.describe())
        done = result.completion
        counted = arg(
            self.tr("%1 %2 sur %3"),
            done.answered,
            plural(done.answered, self.tr("action renseignée"), self.tr("actions renseignées")),
            done.total,
        )
        if done.to_confirm:
            counted += arg(
                self.tr(", %1 %2"),
                done.to_confirm,
                plural(
                    done.to_confirm, self.tr("reprise à confirmer"), self.tr("reprises à confirmer")
                ),
            )
        box = self._box(
            QMessageBox.Icon.Information,
            arg(self.tr("Vos réponses sont enregistrées dans « %1 »."), result.path.name),
            arg(
                self.tr(
                    "%1, dans le dossier %2.\n\nJoignez ce fichier à un courriel pour le "
                    "secrétariat (« Ouvrir dans la messagerie » le prépare, adressé au "
                    "secrétariat) ; il s'ouvre aussi dans Excel ou LibreOffice."
                ),
                counted,
                result.path.parent,
            ),
            folder=result.path.parent,
        )
        mail = box.addButton(
            self.tr("Ouvrir dans la &messagerie"), QMessageBox.ButtonRole.ActionRole
        )
        mail.setObjectName("ouvrir-messagerie")
        box.setDefaultButton(mail)
        mail.clicked.connect(
            lambda: self.open_answers_in_mail_program(
                result.path, campaign, code, result.completion.describe()
            )
        )

    def open_answers_in_mail_program(
        self, workbook: Path, campaign: str, code: str, completion: str
    ) -> None:
        """« Ouvrir dans la messagerie » after the export: beside the workbook, a draft to the
        campaign's return address that carries it, opened in the mail program."""
        from sradar_desktop.services.mailing import answers_draft

        db = self.window.db
        self.window.tasks.run_operation(
            lambda _progress: answers_draft(
                db, workbook, respondent_code=code, campaign_id=campaign, completion=completion
            ),
            on_done=self._answers_draft_written,
            on_failure=self._report,
            failed=arg(self.tr("Le message de « %1 » n'a pas pu être préparé"), workbook.name),
        )

    def _answers_draft_written(self, draft: DraftFile) -> None:
        if not draft.to:
            self._box(
                QMessageBox.Icon.Information,
                self.tr("L'adresse du secrétariat n'est pas connue de ce poste."),
                self.tr(
                    "Le message est préparé sans destinataire : indiquez-le dans votre "
                    "messagerie. L'adresse arrive avec le classeur vierge que le secrétariat "
                    "vous envoie ; importez-le pour qu'elle soit connue."
                ),
            )
        self.mail.open(draft)

    @property
    def mail(self) -> MailProgram:
        """The agent's mail program (and the file manager); its modules load on first use."""
        if self._mail is None:
            from sradar_desktop.ui.parts.mail_program import MailProgram

            self._mail = MailProgram(self)
            self._mail.said.connect(self._mail_said)
        return self._mail

    def _mail_said(self, text: str, problem: bool) -> None:
        if problem:
            self._box(QMessageBox.Icon.Warning, text)
        else:
            self._status(text, 20_000)

    # -- preparing the sending -----------------------------------------------------------------

    def prepare_sending(self) -> None:
        """« Préparer l'envoi… »: the roster is read off the UI thread, then the dialog opens."""
        if not self._writable():
            return
        data = self.window.data
        if data is None:
            self._status(self.tr("Le plan n'est pas encore chargé."))
            return
        db, campaign = self.window.db, data.campaign_id
        self._busy = True
        from sradar_desktop.services.addresses import return_address
        from sradar_desktop.services.sending import campaign_roster

        self.window.tasks.run_operation(
            lambda _progress: (*campaign_roster(db, campaign), return_address(db, campaign)),
            on_done=lambda result: self._open_send(*result),
            on_failure=self._report,
            failed=self.tr("La liste des services attendus n'a pas pu être lue"),
        )

    def _open_send(self, members: list, campaign_title: str, back: str) -> None:
        from sradar_desktop.services.sending import sending_region
        from sradar_desktop.ui.dialogs.sending import SendDialog

        self._busy = False
        data = self.window.data
        if data is None:
            return
        dialog = SendDialog(
            self.window.db,
            data.plan,
            data.campaign_id,
            campaign_title,
            members,
            region=sending_region(
                data.plan, self.window.identity.department if self.window.identity else ""
            ),
            folder=self.window.settings.send_folder,
            return_address=back,
            parent=self.host,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.roster_saved.connect(lambda _campaign: self._roster_saved(dialog))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _roster_saved(self, dialog: SendDialog) -> None:
        self.window.settings.send_folder = str(dialog.folder)
        self.database_changed.emit()


def _open_file(path: Path) -> None:
    from sradar_desktop.ui.parts.mail_program import open_file  # loaded when first needed

    open_file(path)
