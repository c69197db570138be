"""Importing workbooks: a preview of what each file would change, then the import itself.

Both passes run off the UI thread, with progress and a button that stops between files (each
file is imported whole or not at all). The preview lists, per file, the respondents, the
questionnaire (known, or new: the file brings it), the answers new / changed / unchanged, the
conflicts, the answers edited outside the app, a file already imported, and for a refused file
the French reason with its sheet and cell references. Only the files without errors are
imported; the same list then says what was done.

A saved message (``.eml``, ``.msg``) gives a line per attached workbook, named « message.eml ›
pièce.xlsx », with the message's sender, date and subject; a sender who is not the address of
the service is shown as a warning, never hidden. The files refused here are remembered against
their service (``services.refusals``): the consolidation lists them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.merge import Decision
from sradar_desktop.failures import Failure
from sradar_desktop.services.database import Database
from sradar_desktop.services.imports import FileResult, import_files, preview_files
from sradar_desktop.services.refusals import record_refusals
from sradar_desktop.services.server_wait import Waiting
from sradar_desktop.ui.dialogs.import_models import (
    ALREADY,
    FAILED,
    IMPORTED,
    MAX_DETAIL_LINES,
    NOT_DONE,
    REFUSED,
    FileLine,
    ImportFilesModel,
    detail_lines,
    preview_lines,
)
from sradar_desktop.ui.parts.i18n import arg, arg_count
from sradar_desktop.ui.parts.layout import MutedLabel, set_tone
from sradar_desktop.ui.parts.screen import fit_to_screen
from sradar_desktop.ui.parts.speech import TextPane
from sradar_desktop.ui.parts.tasks import StoppableDialog

log = logging.getLogger(__name__)


class _Progress:
    """The progress texts of a pass, made on the worker thread: the file at work (``text``,
    translated on the UI thread, with its name, its rank and the count), or the wait for the
    database's server."""

    def __init__(self, emit: Callable[[int, int, str], None], total: int, text: str) -> None:
        self.emit = emit
        self.total = total
        self.text = text
        self.index = 0

    def file(self, index: int, name: str) -> None:
        self.index = index
        self.emit(index, self.total, arg(self.text, name, index + 1, self.total))

    def waiting(self, waiting: Waiting) -> None:
        self.emit(self.index, self.total, waiting.describe())


class ImportDialog(StoppableDialog):
    """Preview, then import, a list of files (see the module's docstring).

    ``finished_import`` is emitted once the import has run, with the per-file results (the
    files the import reached; those it did not reach are not in the list).
    """

    finished_import = Signal(list)
    open_questionnaire = Signal(str)

    PREVIEWING, PREVIEWED, IMPORTING, DONE = range(4)

    def __init__(
        self,
        db: Database,
        paths: Sequence[Path],
        *,
        actor: str = "",
        current_questionnaire: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.paths = list(paths)
        self.actor = actor
        self.current_questionnaire = current_questionnaire
        self.results: list[FileResult] = []
        self.new_questionnaires: list[tuple[str, str]] = []
        self.phase = self.PREVIEWING
        self._close_when_done = False
        self.setObjectName("import-classeurs")
        self.setWindowTitle(self.tr("Importer des classeurs"))

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = ImportFilesModel(self)
        self.view = QTreeView()
        self.view.setObjectName("fichiers")
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Fichiers à importer"))
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformRowHeights(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.view.header()
        header.setStretchLastSection(False)
        # The file and the questionnaire share what the counts leave: on a small screen
        # neither name shrinks to a few letters while the other keeps its full width.
        header.setSectionResizeMode(ImportFilesModel.FILE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ImportFilesModel.QUESTIONNAIRE, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        widths = {
            ImportFilesModel.RESPONDENTS: metrics.horizontalAdvance("DDETS-44 et 12 autres") + 16,
            ImportFilesModel.STATE: metrics.horizontalAdvance("Non importé (arrêté)") + 24,
        }
        for column in range(ImportFilesModel.NEW, ImportFilesModel.CONFLICTS + 1):
            widths[column] = (
                max(
                    metrics.horizontalAdvance(
                        str(self.model.headerData(column, Qt.Orientation.Horizontal))
                    ),
                    metrics.horizontalAdvance("0000"),
                )
                + 20
            )
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.view.selectionModel().currentChanged.connect(self._show_details)

        self.details = TextPane(self.tr("Détail du fichier choisi"))
        self.details.setObjectName("detail-fichier")
        self.details.setPlaceholderText(self.tr("Choisissez un fichier pour voir son détail."))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([300, 110])

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_label = MutedLabel()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label, 2)

        self.import_button = QPushButton(self.tr("&Importer"))
        self.import_button.setAutoDefault(False)
        self.import_button.setObjectName("importer")
        self.import_button.clicked.connect(self.start_import)
        self.open_button = QPushButton(self.tr("&Ouvrir ce questionnaire"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self._open_questionnaire)
        self.open_button.hide()
        self.cancel_button = QPushButton(self.tr("Annuler"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setObjectName("annuler")
        self.cancel_button.clicked.connect(self.reject)
        # A row of our own: a button box shows again the buttons hidden for now.
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(progress_row)
        layout.addLayout(buttons)
        fit_to_screen(self, 1240, 600)
        self._start_preview()

    # -- the preview ---------------------------------------------------------------------------

    def _start_preview(self) -> None:
        count = len(self.paths)
        self.title.setText(
            arg_count(count, self.tr("Importer %1 fichier"), self.tr("Importer %1 fichiers"))
        )
        self.summary.setText(
            self.tr(
                "Lecture des fichiers : rien n'est encore importé. Vous verrez ce que chaque "
                "fichier changerait avant de l'importer."
            )
        )
        self.import_button.setEnabled(False)
        self._show_progress(0, count, "")
        db, paths, actor, cancel = self.db, self.paths, self.actor, self._cancel
        reading = self.tr("Lecture de %1 (%2 sur %3)…")

        def work(progress: Callable[[int, int, str], None]) -> list[FileLine]:
            said = _Progress(progress, count, reading)
            results = preview_files(
                db,
                paths,
                actor=actor,
                progress=lambda index, path: said.file(index, path.name),
                cancelled=cancel.is_set,
                waiting=said.waiting,
            )
            # A file refused now will never be imported: its service did send it, though.
            record_refusals(db, results, actor=actor)
            return preview_lines(results)

        self._runner.run_operation(
            work,
            on_done=self._previewed,
            on_failure=self._failed,
            failed=self.tr("La lecture des fichiers a été interrompue"),
            on_progress=self._show_progress,
        )

    def _show_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setVisible(True)
        self.progress_label.setText(text)

    def _hide_progress(self) -> None:
        self.progress.setVisible(False)
        self.progress_label.setText("")

    def _previewed(self, lines: list[FileLine]) -> None:
        if self._close_when_done or self._cancel.is_set():
            self._finish_closing()
            return
        self.phase = self.PREVIEWED
        self._hide_progress()
        self.model.set_lines(lines)
        self._expand_problems()
        ready = [line for line in lines if line.importable]
        refused = [line for line in lines if line.state == REFUSED]
        already = [line for line in lines if line.state == ALREADY]
        parts = [
            arg_count(
                len(ready),
                self.tr("%1 fichier peut être importé"),
                self.tr("%1 fichiers peuvent être importés"),
            )
        ]
        if refused:
            parts.append(
                arg_count(
                    len(refused),
                    self.tr("%1 est refusé et ne changera rien (voir le détail)"),
                    self.tr("%1 sont refusés et ne changeront rien (voir le détail)"),
                )
            )
        if already:
            parts.append(
                arg_count(
                    len(already),
                    self.tr("%1 a déjà été importé"),
                    self.tr("%1 ont déjà été importés"),
                )
            )
        text = " ; ".join(parts) + "."
        if ready and (refused or already):
            text += " " + self.tr("Seuls les fichiers « À importer » seront importés.")
        new = {
            line.outcome.questionnaire_id: line.outcome.questionnaire_title
            for line in ready
            if line.outcome is not None and line.outcome.new_questionnaire
        }
        for title in new.values():
            text += " " + arg(
                self.tr("Le questionnaire « %1 » est nouveau : il sera ajouté."), title
            )
        conflicts = sum(len(line.outcome.conflicts) for line in ready if line.outcome)
        if conflicts:
            text += " " + arg_count(
                conflicts,
                self.tr(
                    "%1 conflit : la même réponse a été modifiée à deux endroits, la "
                    "modification la plus récente l'emportera."
                ),
                self.tr(
                    "%1 conflits : les mêmes réponses ont été modifiées à deux endroits, la "
                    "modification la plus récente l'emportera à chaque fois."
                ),
            )
        text += self._sender_warnings(ready)
        if not ready:
            text += " " + self.tr("Il n'y a rien à importer.")
        self.summary.setText(text)
        self.import_button.setText(
            arg_count(len(ready), self.tr("&Importer %1 fichier"), self.tr("&Importer %1 fichiers"))
        )
        self.import_button.setEnabled(bool(ready))
        self.import_button.setDefault(bool(ready))
        self.cancel_button.setText(self.tr("Annuler") if ready else self.tr("Fermer"))
        if lines:
            self.view.setCurrentIndex(self.model.index(0, 0))
        (self.import_button if ready else self.cancel_button).setFocus()

    def _expand_problems(self) -> None:
        """Refused files show their reasons at once, and a doubtful sender its warning; the
        conflicts are one click away."""
        for row, line in enumerate(self.model.lines):
            if (
                line.state in (REFUSED, FAILED)
                or line.sender_warning
                or (
                    line.outcome is not None
                    and (line.outcome.new_questionnaire or line.outcome.edited_outside)
                    and not line.outcome.conflicts
                )
            ):
                self.view.expand(self.model.index(row, 0))
            for child in range(self.model.rowCount(self.model.index(row, 0))):
                self.view.setFirstColumnSpanned(child, self.model.index(row, 0), True)

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        line = self.model.line_of(current)
        if line is None:
            self.details.clear()
            return
        lines = detail_lines(line)
        if len(lines) > MAX_DETAIL_LINES:
            lines = [*lines[:MAX_DETAIL_LINES], "…"]
        heading = f"{line.display_name} — {self.model.state_text(line)}"
        if line.outcome is not None and line.outcome.already_imported_at is None:
            effect = line.outcome.effect()
            heading += "\n" + effect[:1].upper() + effect[1:]
        self.details.setPlainText("\n".join([heading, *lines]))

    # -- the import ----------------------------------------------------------------------------

    def start_import(self) -> None:
        """Import the files without errors (off the UI thread)."""
        ready = [line for line in self.model.lines if line.importable]
        if self.phase != self.PREVIEWED or not ready:
            return
        self.phase = self.IMPORTING
        self._cancel.clear()
        self.import_button.setEnabled(False)
        self.cancel_button.setText(self.tr("&Arrêter"))
        self.cancel_button.setToolTip(
            self.tr(
                "Arrête après le fichier en cours : chaque fichier est importé entièrement ou "
                "pas du tout."
            )
        )
        self.summary.setText(
            self.tr(
                "Import en cours. « Arrêter » s'arrête après le fichier en cours : un fichier "
                "est toujours importé entièrement ou pas du tout."
            )
        )
        # A message stands for its workbooks: given once, of which only those ready.
        paths = list(dict.fromkeys(line.path for line in ready))
        wanted = {line.key for line in ready}
        total = len(paths)
        self._show_progress(0, total, "")
        db, actor, cancel = self.db, self.actor, self._cancel
        importing = self.tr("Import de %1 (%2 sur %3)…")

        def work(progress: Callable[[int, int, str], None]) -> list[FileResult]:
            said = _Progress(progress, total, importing)
            return import_files(
                db,
                paths,
                actor=actor,
                progress=lambda index, path: said.file(index, path.name),
                cancelled=cancel.is_set,
                waiting=said.waiting,
                only=wanted,
            )

        self._runner.run_operation(
            work,
            on_done=self._imported,
            on_failure=self._failed,
            failed=self.tr("L'import a été interrompu"),
            what_to_do=self.tr(
                "Chaque fichier est importé entièrement ou pas du tout : rouvrez l'import pour "
                "voir où en sont les fichiers."
            ),
            on_progress=self._show_progress,
        )

    def _imported(self, results: list[FileResult]) -> None:
        self.phase = self.DONE
        self.results = results
        self._hide_progress()
        by_key = {(result.path, result.display_name): result for result in results}
        for line in self.model.lines:
            if not line.importable:
                continue
            result = by_key.get(line.key)
            if result is None:
                line.state = NOT_DONE
                line.details = [
                    self.tr("L'import a été arrêté avant ce fichier : il n'a rien changé.")
                ]
            elif result.error is not None:
                line.state = FAILED
                line.error = result.error
                line.outcome = None
            else:
                line.state = IMPORTED
                line.outcome = result.outcome
        self.model.lines_changed()
        self._expand_problems()
        self.summary.setText(self.import_summary())
        self.import_button.hide()
        self.cancel_button.setText(self.tr("&Fermer"))
        self.cancel_button.setToolTip("")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self.new_questionnaires = [
            (r.outcome.questionnaire_id, r.outcome.questionnaire_title)
            for r in results
            if r.outcome is not None and r.outcome.new_questionnaire
        ]
        if len(self.new_questionnaires) == 1:
            self.open_button.show()
        if self.model.lines:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.finished_import.emit(results)
        if self._close_when_done:
            self._finish_closing()

    def _sender_warnings(self, lines: list[FileLine]) -> str:
        """A sentence about the workbooks whose message does not come from their service's
        address ("" when there is none)."""
        doubtful = [line for line in lines if line.sender_warning]
        if not doubtful:
            return ""
        return " " + arg_count(
            len(doubtful),
            self.tr(
                "%1 classeur reçu par courriel ne vient pas de l'adresse de son service : "
                "vérifiez-le (en orange dans la liste)."
            ),
            self.tr(
                "%1 classeurs reçus par courriel ne viennent pas de l'adresse de leur service : "
                "vérifiez-les (en orange dans la liste)."
            ),
        )

    def import_summary(self) -> str:
        """The French summary of what the import did."""
        lines = self.model.lines
        imported = [line for line in lines if line.state == IMPORTED and line.outcome]
        outcomes = [line.outcome for line in imported if line.outcome]
        failed = [line for line in lines if line.state == FAILED]
        not_done = [line for line in lines if line.state == NOT_DONE]
        refused = [line for line in lines if line.state in (REFUSED, ALREADY)]
        new = sum(outcome.count(Decision.NEW) for outcome in outcomes)
        changed = sum(outcome.count(Decision.CHANGED) for outcome in outcomes)
        conflicts = sum(len(outcome.conflicts) for outcome in outcomes)
        text = arg_count(
            len(imported), self.tr("%1 fichier importé"), self.tr("%1 fichiers importés")
        )
        if imported:
            text += " : " + ", ".join(
                [
                    arg_count(
                        new, self.tr("%1 réponse nouvelle"), self.tr("%1 réponses nouvelles")
                    ),
                    arg_count(changed, self.tr("%1 modifiée"), self.tr("%1 modifiées")),
                    arg_count(conflicts, self.tr("%1 conflit"), self.tr("%1 conflits")),
                ]
            )
        text += "."
        if conflicts:
            text += " " + self.tr(
                "Pour chaque conflit, la modification la plus récente l'a emporté (détail dans "
                "la liste)."
            )
        if failed:
            text += " " + arg_count(
                len(failed),
                self.tr("%1 fichier n'a pas pu être importé et n'a rien changé (voir le détail)."),
                self.tr(
                    "%1 fichiers n'ont pas pu être importés et n'ont rien changé (voir le détail)."
                ),
            )
        if not_done:
            text += " " + arg_count(
                len(not_done),
                self.tr(
                    "Import arrêté : %1 fichier n'a pas été importé ; vous pourrez l'importer "
                    "plus tard."
                ),
                self.tr(
                    "Import arrêté : %1 fichiers n'ont pas été importés ; vous pourrez les "
                    "importer plus tard."
                ),
            )
        if refused:
            text += " " + arg_count(
                len(refused),
                self.tr("%1 fichier refusé ou déjà importé a été laissé de côté."),
                self.tr("%1 fichiers refusés ou déjà importés ont été laissés de côté."),
            )
        text += self._sender_warnings(imported)
        for line in imported:
            outcome = line.outcome
            assert outcome is not None
            if outcome.new_questionnaire:
                text += " " + arg(
                    self.tr(
                        "« %1 » a apporté le questionnaire « %2 » : il est maintenant dans la "
                        "liste des questionnaires (Fichier › Mon service et mon questionnaire)."
                    ),
                    line.display_name,
                    outcome.questionnaire_title,
                )
            elif (
                self.current_questionnaire
                and outcome.questionnaire_id != self.current_questionnaire
                and outcome.applied
            ):
                text += " " + arg(
                    self.tr("Les réponses de « %1 » portent sur le questionnaire « %2 »."),
                    line.display_name,
                    outcome.questionnaire_title or outcome.questionnaire_id,
                )
        return text

    def _open_questionnaire(self) -> None:
        if self.new_questionnaires:
            self.open_questionnaire.emit(self.new_questionnaires[0][0])
            self.accept()

    # -- failures and closing ------------------------------------------------------------------

    def _failed(self, failure: Failure) -> None:
        """The task itself failed (each file's errors are reported with the file): a bug."""
        self._hide_progress()
        self.phase = self.DONE
        self.import_button.hide()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("&Fermer"))
        self.summary.setText(failure.message)
        set_tone(self.summary, "error")
        if self.model.lines:
            self.finished_import.emit([])
        if self._close_when_done:
            self._finish_closing()

    def stopping(self) -> None:
        """« Annuler » / « Arrêter » / Escape while working: stop between files; a stopped
        preview closes the dialog (nothing was imported), a stopped import shows its summary."""
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("Arrêt après le fichier en cours…"))
        if self.phase == self.PREVIEWING:
            self._close_when_done = True

    def _finish_closing(self) -> None:
        self._close_when_done = False
        self.reject()
