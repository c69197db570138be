"""The consolidation's exports: the consolidated workbook and the PDF summary, where to write
them, and the banner that opens the file or its folder once written."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QObject, Qt, QUrl, SignalInstance
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QStatusBar, QWidget

from sradar_desktop.domain.evolution import Evolution
from sradar_desktop.failures import Failure
from sradar_desktop.services.consolidation import ReportResult, write_reports
from sradar_desktop.services.database import Database
from sradar_desktop.services.views.consolidation import ConsolidationSheet, export_names
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.settings import Folder, Settings
from sradar_desktop.ui.parts.tasks import RunsOperations
from sradar_desktop.ui.parts.widgets import Banner, window_action

WORKBOOK, PDF = "classeur", "pdf"


class ExportBanner(Banner):
    """« Classeur enregistré » with « Ouvrir le fichier » and « Ouvrir le dossier »."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.folder_button = QPushButton(self.tr("Ou&vrir le dossier"))
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.close_button.setToolTip(self.tr("Fermer ce message"))
        self.close_button.setAccessibleName(self.tr("Fermer ce message"))
        self.close_button.clicked.connect(self.clear)
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    def show_written(self, path: Path, text: str) -> None:
        self.path = path
        self.show_message("info", text, self.tr("Ouvrir le f&ichier"))
        self.folder_button.show()

    def show_message(self, kind: str, text: str, button: str = "") -> None:
        super().show_message(kind, text, button)
        self.folder_button.setVisible(kind == "info" and self.path is not None)


class ExportsWindow(RunsOperations, Protocol):
    """What this room uses of the consolidation window (``ui.consolidation.window``)."""

    db: Database
    settings: Settings
    sheet: ConsolidationSheet | None
    evolution: Evolution | None
    campaign_id: str | None
    exported: SignalInstance
    failed: SignalInstance

    def statusBar(self) -> QStatusBar: ...


class Exports(QObject):
    """The export buttons of the header, the export actions of « Fichier », the banner."""

    def __init__(self, window: ExportsWindow) -> None:
        parent = cast(QWidget, window)  # the window, as the parent of its actions and dialogs
        super().__init__(parent)
        self.parent_widget = parent
        self.window = window
        self.workbook_button = QPushButton(self.tr("Exporter le &classeur…"))
        self.workbook_button.setObjectName("exporter-classeur")
        self.workbook_button.setToolTip(
            self.tr("Le classeur consolidé : Synthèse, Questionnaire, Indicateurs, Réponses, Suivi")
        )
        self.workbook_button.clicked.connect(lambda: self.ask(WORKBOOK))
        self.pdf_button = QPushButton(self.tr("Exporter la synthèse &PDF…"))
        self.pdf_button.setObjectName("exporter-pdf")
        self.pdf_button.setToolTip(
            self.tr("La synthèse pour la commission : graphiques, tableau des actions, annexes")
        )
        self.pdf_button.clicked.connect(lambda: self.ask(PDF))
        self.workbook_action = window_action(
            parent,
            self.tr("Exporter le &classeur consolidé…"),
            lambda: self.ask(WORKBOOK),
            [QKeySequence("Ctrl+E")],
            self.tr("Synthèse, Questionnaire, Indicateurs, Réponses et Suivi dans un classeur"),
        )
        self.pdf_action = window_action(
            parent,
            self.tr("Exporter la synthèse &PDF…"),
            lambda: self.ask(PDF),
            [QKeySequence("Ctrl+P")],
            self.tr("La synthèse pour la commission de concertation"),
        )
        self.banner = ExportBanner()
        self.banner.button.clicked.connect(lambda: self._open(self.banner.path))
        self.banner.folder_button.clicked.connect(
            lambda: self._open(self.banner.path.parent if self.banner.path else None)
        )

    def ask(self, kind: str) -> None:
        """Ask where to write the workbook (``WORKBOOK``) or the PDF (``PDF``), then write it."""
        window = self.window
        sheet = window.sheet
        if sheet is None:
            window.statusBar().showMessage(
                self.tr("La consolidation est en cours de lecture ; réessayez dans un instant."),
                5000,
            )
            return
        workbook_name, pdf_name = export_names(sheet.consolidation, date.today())
        folder = window.settings.folder(Folder.REPORTS)
        if kind == WORKBOOK:
            title = self.tr("Exporter le classeur consolidé")
            suggested, pattern, suffix = (
                workbook_name,
                self.tr("Classeur Excel (*.xlsx)"),
                ".xlsx",
            )
        else:
            title = self.tr("Exporter la synthèse PDF")
            suggested, pattern, suffix = pdf_name, self.tr("Document PDF (*.pdf)"), ".pdf"
        chosen, _filter = QFileDialog.getSaveFileName(
            self.parent_widget, title, str(folder / suggested), pattern
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.write(kind, path)

    def _enable(self, on: bool) -> None:
        for widget in (
            self.workbook_button,
            self.pdf_button,
            self.workbook_action,
            self.pdf_action,
        ):
            widget.setEnabled(on)

    def write(self, kind: str, path: Path) -> None:
        """Write the consolidated workbook or the PDF summary to ``path``, off the UI thread,
        with the evolution the window shows."""
        window = self.window
        db, campaign = window.db, window.campaign_id
        evolution = window.evolution
        compare = evolution.previous_campaign_id if evolution is not None else None
        workbook = path if kind == WORKBOOK else None
        pdf = path if kind == PDF else None
        self.banner.clear()
        self._enable(False)

        def work(_progress: object) -> ReportResult:
            return write_reports(
                db,
                workbook=workbook,
                pdf=pdf,
                campaign_id=campaign,
                compare_campaign_id=compare,
                compare_with_origin=False,  # the window's own choice, « aucune » included
            )

        def done(result: ReportResult) -> None:
            self._enable(True)
            window.settings.reports_folder = str(path.parent)
            window.settings.sync()
            what = (
                self.tr("Classeur consolidé enregistré : ")
                if kind == WORKBOOK
                else self.tr("Synthèse PDF enregistrée : ")
            )
            self.banner.show_written(
                path, what + result.describe() + "\n" + arg(self.tr("Dossier : %1"), path.parent)
            )
            window.exported.emit(path)

        def failed(failure: Failure) -> None:
            self._enable(True)
            self.banner.path = None
            self.banner.show_message("error", failure.message)
            window.failed.emit(failure.message)

        text = (
            arg(self.tr("Écriture du classeur consolidé %1…"), path.name)
            if kind == WORKBOOK
            else arg(self.tr("Écriture de la synthèse PDF %1…"), path.name)
        )
        window.run(
            work,
            text,
            on_done=done,
            on_failure=failed,
            failed=arg(self.tr("%1 n'a pas pu être écrit"), path.name),
            what_to_do=self.tr("Réessayez, ou choisissez un autre dossier."),
        )

    def _open(self, path: Path | None) -> None:
        """The file (or folder) just written, in the program the system opens it with."""
        if path is None:
            return
        status = self.window.statusBar()
        if not path.exists():
            status.showMessage(
                arg(self.tr("%1 n'existe plus : il a été déplacé ou supprimé."), str(path)),
                10_000,
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            status.showMessage(
                arg(
                    self.tr(
                        "Impossible d'ouvrir %1 : aucun programme n'est associé à ce type de "
                        "fichier sur ce poste."
                    ),
                    str(path),
                ),
                10_000,
            )
