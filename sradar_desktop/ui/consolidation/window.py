"""The consolidation window: what every respondent answered, what it adds up to, and what the
secretariat decides.

A window of its own beside the entry window (« Affichage › Consolidation… », Ctrl+Maj+C): the
secretariat keeps answering or importing in one and reads the consolidation in the other. Four
tabs: « Actions » (the grid of actions × respondents with filters, the selected action in
detail below with its arbitration), « Synthèse par objectif » (charts and the rule), « Qui a
répondu » (the roster and the due date), « Évolution » (what moved since the previous campaign,
or the one picked in « Comparer avec »; the grid's « A changé » filter follows it). Exports of
the consolidated workbook and the PDF summary from the « Fichier » menu or the header buttons,
with the evolution when there is one. « Arbitrage › Réviser le plan… » previews and applies a
revised plan (``ui.revision_dialog``).

Everything that reads or writes the database runs on one worker thread, in the order asked:
the window never freezes and a write is always followed by a fresh consolidation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QFont,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop import APP_NAME
from sradar_desktop.domain.consolidation import ActionResult
from sradar_desktop.domain.dates import short_date, time_text
from sradar_desktop.domain.evolution import Evolution
from sradar_desktop.failures import Failure
from sradar_desktop.services.consolidation import (
    ConsolidationReading,
    RosterMember,
    read_consolidation,
    set_arbitration,
    set_due_date,
    set_roster,
    write_reports,
)
from sradar_desktop.services.consolidation_view import (
    ActionFilter,
    ConsolidationSheet,
    export_names,
    roster_counts,
    roster_figures,
    roster_sentence,
)
from sradar_desktop.services.database import Database
from sradar_desktop.ui.consolidation.charts import ObjectiveCharts
from sradar_desktop.ui.consolidation.delegates import (
    GridColumns,
    StatusCellDelegate,
    WrappingHeader,
)
from sradar_desktop.ui.consolidation.detail import ConsolidationDetail
from sradar_desktop.ui.consolidation.evolution import EvolutionPane
from sradar_desktop.ui.consolidation.models import (
    ConsolidationFilterProxy,
    ConsolidationGridModel,
)
from sradar_desktop.ui.consolidation.roster import ExpectedRespondentsDialog, RosterPane
from sradar_desktop.ui.dialogs.revision import RevisionDialog
from sradar_desktop.ui.parts.delegates import WrappedTextDelegate
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import (
    FilterBar,
    MutedLabel,
    PaneSizer,
    WorkIndicator,
    add_menu,
    bring_to_front,
    expanding_label,
    restore_placement,
    show_placed,
)
from sradar_desktop.ui.parts.settings import Folder, Settings
from sradar_desktop.ui.parts.tasks import TaskRunner
from sradar_desktop.ui.parts.widgets import Banner, PlainKeysGuard, window_action

log = logging.getLogger(__name__)

# Coming back to the window reads the database again (answers imported or typed meanwhile),
# at most this often.
REFRESH_AFTER_S = 5.0
WORKBOOK, PDF = "classeur", "pdf"
EVOLUTION_TAB = 3


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


class ConsolidationWindow(QMainWindow):
    """The consolidation of a campaign of ``db``.

    Signals for whoever watches (tests, the entry window): ``loaded`` each time a
    consolidation is shown, ``written(kind)`` after an arbitration (``"arbitrage"``), the
    roster (``"attendus"``) or the due date (``"date"``) is saved, ``exported(path)`` after a
    file is written, ``failed(message)`` when a French message reports a failure.
    """

    loaded = Signal()
    written = Signal(str)
    exported = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        db: Database,
        *,
        questionnaire_id: str,
        campaign_id: str | None = None,
        actor: str = "",
        settings: Settings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setObjectName("fenetre-consolidation")
        self.db = db
        self.questionnaire_id = questionnaire_id
        self.campaign_id = campaign_id
        self.actor = actor
        self.settings = settings or Settings()
        self.sheet: ConsolidationSheet | None = None
        self.evolution: Evolution | None = None
        self.compare_id: str | None = None
        self._compare_picked = False
        self.revision_dialog: RevisionDialog | None = None
        self._loaded_message = ""
        self.tasks = TaskRunner(self)
        self.tasks.busy_changed.connect(self._busy_changed)
        self._loading = False
        self._load_again = False
        self._loaded_at = 0.0
        self.refresh_after = REFRESH_AFTER_S
        self._closing = False
        self.setWindowTitle(arg(self.tr("Consolidation — %1"), APP_NAME))

        self._build_header()
        self._build_actions_tab()
        self.charts = ObjectiveCharts()
        self.roster = RosterPane()
        self.roster.due_date_chosen.connect(self.set_due_date)
        self.roster.edit_requested.connect(self.edit_expected)
        self.evolution_pane = EvolutionPane()
        self.evolution_pane.compare_chosen.connect(self.compare_with)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("onglets")
        self.tabs.addTab(self.actions_tab, self.tr("&Actions"))
        self.tabs.addTab(self.charts, self.tr("&Synthèse par objectif"))
        self.tabs.addTab(self.roster, self.tr("&Qui a répondu"))
        self.tabs.addTab(self.evolution_pane, self.tr("Évol&ution"))
        self._build_menus()
        self._build_status_bar()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.export_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        read_only = db.read_only
        self.detail.set_read_only(read_only)
        self.roster.set_read_only(read_only)
        if read_only:
            self.banner.show_message(
                "info",
                self.tr(
                    "Lecture seule : cette base est ouverte dans une autre fenêtre de SRADAR "
                    "Desktop. Vous pouvez consulter la consolidation et l'exporter, mais pas "
                    "arbitrer ni modifier les répondants attendus ou la date limite."
                ),
            )
        self._restore_geometry()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._about_to_quit)
        self.load()

    # ==== building ==============================================================================

    def _build_header(self) -> None:
        self.header = QWidget()
        self.title_label = QLabel()
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        expanding_label(self.title_label)
        self.subtitle_label = expanding_label(MutedLabel())
        self.subtitle_label.setObjectName("sous-titre")
        self.workbook_button = QPushButton(self.tr("Exporter le &classeur…"))
        self.workbook_button.setObjectName("exporter-classeur")
        self.workbook_button.setToolTip(
            self.tr("Le classeur consolidé : Synthèse, Questionnaire, Indicateurs, Réponses, Suivi")
        )
        self.workbook_button.clicked.connect(lambda: self.ask_export(WORKBOOK))
        self.pdf_button = QPushButton(self.tr("Exporter la synthèse &PDF…"))
        self.pdf_button.setObjectName("exporter-pdf")
        self.pdf_button.setToolTip(
            self.tr("La synthèse pour la commission : graphiques, tableau des actions, annexes")
        )
        self.pdf_button.clicked.connect(lambda: self.ask_export(PDF))
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.title_label)
        left.addWidget(self.subtitle_label)
        layout = QHBoxLayout(self.header)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 1)
        layout.addWidget(self.workbook_button)
        layout.addWidget(self.pdf_button)
        self.banner = Banner()
        self.banner.button.clicked.connect(self.load)
        self.export_banner = ExportBanner()
        self.export_banner.button.clicked.connect(self.open_exported_file)
        self.export_banner.folder_button.clicked.connect(self.open_exported_folder)

    def _build_actions_tab(self) -> None:
        guard = PlainKeysGuard(self)
        self.filter_bar = FilterBar(
            self.tr(
                "Les actions dont le code, le texte, un commentaire ou la raison d'arbitrage "
                "contiennent tous les mots tapés (sans tenir compte des accents ni des "
                "majuscules). Échap efface."
            )
        )
        self.search_edit = self.filter_bar.search_edit
        self.count_label = self.filter_bar.count_label
        self.clear_filters_button = self.filter_bar.clear_button
        self.search_edit.textChanged.connect(self._filters_changed)
        self.search_edit.escape_pressed.connect(self.focus_grid)
        self.objective_combo = QComboBox()
        self.objective_combo.setObjectName("filtre-objectif")
        self.objective_combo.installEventFilter(guard)
        self.objective_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.objective_combo.setMinimumContentsLength(20)
        self.objective_combo.setAccessibleName(self.tr("Filtrer par objectif"))
        self.objective_combo.currentIndexChanged.connect(self._filters_changed)
        objective_label = QLabel(self.tr("&Objectif :"))
        objective_label.setBuddy(self.objective_combo)
        self.disagreements_box = QCheckBox(self.tr("&Désaccords seulement"))
        self.disagreements_box.setObjectName("desaccords")
        self.disagreements_box.setAccessibleName(self.tr("Désaccords seulement"))
        self.disagreements_box.setToolTip(
            self.tr(
                "Les actions où les répondants ne donnent pas la même réponse (oui, "
                "partiellement, non ; « nc » ne compte pas) — Ctrl+D"
            )
        )
        self.disagreements_box.toggled.connect(self._filters_changed)
        self.arbitrated_box = QCheckBox(self.tr("Arbi&trées seulement"))
        self.arbitrated_box.setObjectName("arbitrees")
        self.arbitrated_box.setAccessibleName(self.tr("Arbitrées seulement"))
        self.arbitrated_box.setToolTip(self.tr("Les actions arbitrées par le secrétariat"))
        self.arbitrated_box.toggled.connect(self._filters_changed)
        self.changed_box = QCheckBox(self.tr("A chan&gé"))
        self.changed_box.setObjectName("a-change")
        self.changed_box.setAccessibleName(self.tr("A changé"))
        self.changed_box.setToolTip(
            self.tr(
                "Les actions en progrès, en recul, nouvelles ou retirées depuis l'évaluation "
                "comparée (onglet « Évolution ») — Ctrl+Maj+G"
            )
        )
        self.changed_box.setEnabled(False)
        self.changed_box.toggled.connect(self._filters_changed)
        # No underlined letter: every letter of these words is taken in this window.
        self.to_confirm_box = QCheckBox(self.tr("À confirmer"))
        self.to_confirm_box.setObjectName("a-confirmer")
        self.to_confirm_box.setAccessibleName(self.tr("À confirmer seulement"))
        self.to_confirm_box.setToolTip(
            self.tr(
                "Les actions dont une réponse reprise de l'évaluation précédente attend la "
                "confirmation de son service : elles n'entrent dans aucun compte — Ctrl+Maj+K"
            )
        )
        self.to_confirm_box.setEnabled(False)
        self.to_confirm_box.toggled.connect(self._filters_changed)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.filter_bar.add(objective_label)
        self.filter_bar.add(self.objective_combo, stretch=1, space=False)
        self.filter_bar.add(self.disagreements_box)
        self.filter_bar.add(self.arbitrated_box)
        self.filter_bar.add(self.changed_box)
        self.filter_bar.add(self.to_confirm_box)

        self.model = ConsolidationGridModel(self)
        self.proxy = ConsolidationFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.grid = QTableView()
        self.grid.setObjectName("grille")
        self.grid.setModel(self.proxy)
        self.grid.setAccessibleName(self.tr("Actions et réponses des répondants"))
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setTabKeyNavigation(False)
        self.grid.setWordWrap(True)
        self.grid.setAlternatingRowColors(True)
        self.grid.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.installEventFilter(guard)
        self.grid.setHorizontalHeader(WrappingHeader(self.grid))
        self.columns = GridColumns(self.grid)
        self.grid.viewport().installEventFilter(self)
        self.status_delegate = StatusCellDelegate(self.grid)
        self.text_delegate = WrappedTextDelegate(2, self.grid)
        self.grid.setItemDelegate(self.status_delegate)
        for column in (ConsolidationGridModel.ACTION, ConsolidationGridModel.DISTRIBUTION):
            self.grid.setItemDelegateForColumn(column, self.text_delegate)
        rows = self.grid.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.text_delegate.row_height(self.grid.font()))
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header = self.grid.horizontalHeader()
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.grid.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.grid.activated.connect(lambda _index: self.detail.focus_arbitration())

        self.detail = ConsolidationDetail()
        self.detail.setObjectName("detail")
        self.detail.arbitrate.connect(self.arbitrate)
        self.detail.withdraw.connect(self.withdraw_arbitration)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("panneaux-consolidation")
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # The grid three fifths, the detail the rest, on a first start.
        self.panes = PaneSizer(
            self.splitter, lambda length: [length * 3 // 5, length - length * 3 // 5]
        )

        self.actions_tab = QWidget()
        layout = QVBoxLayout(self.actions_tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)

    def _build_menus(self) -> None:
        key = QKeySequence
        self.export_workbook_action = window_action(
            self,
            self.tr("Exporter le &classeur consolidé…"),
            lambda: self.ask_export(WORKBOOK),
            [key("Ctrl+E")],
            self.tr("Synthèse, Questionnaire, Indicateurs, Réponses et Suivi dans un classeur"),
        )
        self.export_pdf_action = window_action(
            self,
            self.tr("Exporter la synthèse &PDF…"),
            lambda: self.ask_export(PDF),
            [key("Ctrl+P")],
            self.tr("La synthèse pour la commission de concertation"),
        )
        self.reload_action = window_action(
            self,
            self.tr("&Actualiser"),
            self.load,
            [key(Qt.Key.Key_F5)],
            self.tr("Relire les réponses, les arbitrages et les répondants dans la base"),
        )
        self.close_action = window_action(
            self, self.tr("&Fermer"), self.close, [key(key.StandardKey.Close), key("Ctrl+W")]
        )
        add_menu(
            self,
            self.tr("&Fichier"),
            [
                self.export_workbook_action,
                self.export_pdf_action,
                None,
                self.reload_action,
                None,
                self.close_action,
            ],
        )

        self.tab_actions = [
            window_action(
                self,
                title,
                lambda number=number: self.tabs.setCurrentIndex(number),
                [key(f"Ctrl+{number + 1}")],
            )
            for number, title in enumerate(
                (
                    self.tr("&Actions"),
                    self.tr("&Synthèse par objectif"),
                    self.tr("&Qui a répondu"),
                    self.tr("Évol&ution"),
                )
            )
        ]
        self.find_action = window_action(
            self, self.tr("Re&chercher"), self.focus_search, [key("Ctrl+F")]
        )
        self.disagreements_action = window_action(
            self, self.tr("&Désaccords seulement"), self.disagreements_box.toggle, [key("Ctrl+D")]
        )
        self.changed_action = window_action(
            self, self.tr("A chan&gé seulement"), self.changed_box.toggle, [key("Ctrl+Shift+G")]
        )
        self.to_confirm_action = window_action(
            self,
            self.tr("À confirmer seulement"),
            self.to_confirm_box.toggle,
            [key("Ctrl+Shift+K")],
        )
        self.clear_filters_action = window_action(
            self, self.tr("&Effacer les filtres"), self.clear_filters, [key("Ctrl+Shift+E")]
        )
        add_menu(
            self,
            self.tr("Affic&hage"),
            [
                *self.tab_actions,
                None,
                self.find_action,
                self.disagreements_action,
                self.changed_action,
                self.to_confirm_action,
                self.clear_filters_action,
            ],
        )

        self.arbitrate_action = window_action(
            self,
            self.tr("&Arbitrer l'action choisie"),
            self._focus_arbitration,
            [key(Qt.Key.Key_F2)],
            self.tr("Choisir le statut retenu et sa raison (Ctrl+Entrée applique)"),
        )
        self.expected_action = window_action(
            self, self.tr("Répondants &attendus…"), self.edit_expected
        )
        self.revise_action = window_action(
            self,
            self.tr("Ré&viser le plan…"),
            self.revise_plan,
            [key("Ctrl+Shift+R")],
            self.tr(
                "Enregistrer une nouvelle version du plan d'action : aperçu des actions "
                "reprises, renumérotées, reformulées, ajoutées ou retirées, puis confirmation"
            ),
        )
        add_menu(
            self,
            self.tr("A&rbitrage"),
            [self.arbitrate_action, self.expected_action, None, self.revise_action],
        )

    def _build_status_bar(self) -> None:
        self.work = WorkIndicator()
        self.statusBar().addPermanentWidget(self.work)

    # ==== loading ===============================================================================

    def load(self) -> None:
        """Read the consolidation again, off the UI thread; ``loaded`` says when it is shown."""
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._load_again = False
        if self.sheet is None:
            self.statusBar().showMessage(self.tr("Lecture des réponses de tous les répondants…"))
        read = self._reader()

        def work(_progress: Callable[[int, int, str], None]) -> ConsolidationReading:
            return read()

        self._run(
            work,
            self.tr("Lecture de la consolidation…"),
            on_done=self._loaded,
            on_failure=self._load_failed,
            failed=self.tr("La consolidation n'a pas pu être lue"),
            what_to_do=self.tr("Réessayez avec F5."),
        )

    def _reader(self) -> Callable[[], ConsolidationReading]:
        """The reading of the consolidation as the window stands now, for the worker thread."""
        db, questionnaire, campaign = self.db, self.questionnaire_id, self.campaign_id
        compare, picked = self.compare_id, self._compare_picked
        return lambda: read_consolidation(
            db,
            questionnaire_id=questionnaire,
            campaign_id=campaign,
            compare_id=compare,
            compare_picked=picked,
        )

    def _loaded(self, loaded: ConsolidationReading) -> None:
        self._loading = False
        self._loaded_at = time.monotonic()
        self.statusBar().clearMessage()
        if self._loaded_message:
            self.statusBar().showMessage(self._loaded_message, 15_000)
            self._loaded_message = ""
        if self.banner.kind == "error":
            self.banner.clear()
        self._apply_sheet(loaded.sheet)
        self._apply_evolution(loaded)
        self.loaded.emit()
        if self._load_again:
            self.load()

    def _load_failed(self, failure: Failure) -> None:
        self._loading = False
        self.statusBar().clearMessage()
        self.banner.show_message("error", failure.message, self.tr("Réessayer"))
        self.failed.emit(failure.message)

    def _apply_sheet(self, sheet: ConsolidationSheet) -> None:
        """Show ``sheet`` everywhere, keeping the selected action, the filters and the scroll."""
        current = self.current_result()
        code = current.action.code if current is not None else ""
        first = self.sheet is None
        reshaped = self.sheet is None or not self.sheet.same_shape(sheet)
        self.sheet = sheet
        consolidation = sheet.consolidation
        self.campaign_id = consolidation.campaign_id
        self.questionnaire_id = consolidation.plan.id
        if reshaped:
            self._fill_objective_combo(sheet)
        self.model.set_sheet(sheet)
        if reshaped:
            self._size_columns(sheet)
        self.charts.set_sheet(sheet)
        self.roster.set_roster(sheet.respondents, consolidation.due_date, sheet.refusals)
        awaiting = consolidation.overall.to_confirm
        self.to_confirm_box.setText(
            arg(self.tr("À confirmer (%1)"), awaiting) if awaiting else self.tr("À confirmer")
        )
        self.to_confirm_box.setEnabled(bool(awaiting) or self.to_confirm_box.isChecked())
        self._update_header()
        self._update_count()
        if not self._select_code(code) and self.proxy.rowCount():
            self._select_row(0)
        if self.detail.sheet is not sheet:  # not shown yet by a change of the current row
            self.detail.show_result(self.current_result(), sheet)
        if first:
            self.grid.setFocus()
        if not sheet.respondents and self.banner.kind != "error":
            self.banner.show_message(
                "info",
                self.tr(
                    "Aucune réponse et aucun répondant attendu pour cette évaluation : importez "
                    "les classeurs reçus des services, ou indiquez les répondants attendus "
                    "(onglet « Qui a répondu »)."
                ),
            )
        elif self.banner.kind == "info" and not self.db.read_only:
            self.banner.clear()

    def _apply_evolution(self, loaded: ConsolidationReading) -> None:
        """Show the evolution since the campaign compared with; « A changé » follows it."""
        self.evolution = loaded.evolution
        self.compare_id = loaded.compare_id
        self.evolution_pane.show_evolution(
            loaded.campaigns, loaded.compare_id, loaded.evolution, loaded.sheet, loaded.problem
        )
        self.changed_box.setEnabled(loaded.evolution is not None)
        if self.changed_box.isChecked():
            if loaded.evolution is None:
                self.changed_box.setChecked(False)  # the filters follow through the signal
            else:
                self._filters_changed()

    def compare_with(self, campaign_id: str | None) -> None:
        """Compare with ``campaign_id`` (None: no comparison), chosen by the user."""
        self.compare_id = campaign_id
        self._compare_picked = True
        self.load()

    def _fill_objective_combo(self, sheet: ConsolidationSheet) -> None:
        previous = self.objective_combo.currentData()
        self.objective_combo.blockSignals(True)
        self.objective_combo.clear()
        self.objective_combo.addItem(self.tr("Tout le plan"), None)
        for o_index, objective in enumerate(sheet.plan.objectives):
            self.objective_combo.addItem(
                f"{objective.code}. {objective.title}", f"objective:{o_index}"
            )
            for theme in sheet.themes:
                if theme.objective_index == o_index:
                    self.objective_combo.addItem(
                        f"    {theme.code} {theme.title}", f"theme:{theme.index}"
                    )
        for row in range(self.objective_combo.count()):
            self.objective_combo.setItemData(
                row, self.objective_combo.itemText(row).strip(), Qt.ItemDataRole.ToolTipRole
            )
        self.objective_combo.setCurrentIndex(max(self.objective_combo.findData(previous), 0))
        self.objective_combo.blockSignals(False)
        self.proxy.set_criteria(self._criteria())

    def _size_columns(self, sheet: ConsolidationSheet) -> None:
        self.columns.size(sheet)

    def _fit_action_column(self) -> None:
        """The action's text takes the width the other columns leave (see ``GridColumns``)."""
        self.columns.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.grid.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_action_column()
        return super().eventFilter(watched, event)

    def _update_header(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        consolidation = sheet.consolidation
        self.title_label.setText(
            arg(self.tr("Consolidation — %1"), consolidation.plan.display_title)
        )
        self.title_label.setToolTip(consolidation.plan.title)
        figures = roster_figures(consolidation.roster, consolidation.due_date, sheet.refusals)
        parts = [consolidation.campaign_title, roster_sentence(figures).rstrip(".")]
        parts.append(
            arg(self.tr("date limite : %1"), short_date(consolidation.due_date))
            if consolidation.due_date
            else self.tr("sans date limite")
        )
        parts.append(arg(self.tr("actualisé à %1"), time_text()))
        self.subtitle_label.setText(" · ".join(parts))
        self.subtitle_label.setToolTip(" · ".join(parts))
        self.tabs.setTabText(
            2,
            arg(self.tr("&Qui a répondu (%1)"), roster_counts(figures))
            if figures.expected
            else self.tr("&Qui a répondu"),
        )
        self.setWindowTitle(
            arg(self.tr("Consolidation — %1 — %2"), consolidation.plan.display_title, APP_NAME)
        )

    # ==== filters and selection =================================================================

    def _criteria(self) -> ActionFilter:
        chosen = self.objective_combo.currentData()
        objective = theme = None
        if chosen:
            kind, _, index = str(chosen).partition(":")
            if kind == "objective":
                objective = int(index)
            else:
                theme = int(index)
        changed = None
        if self.changed_box.isChecked() and self.evolution is not None:
            changed = frozenset(a.code for a in self.evolution.changed)
        return ActionFilter(
            text=self.search_edit.text(),
            objective=objective,
            theme=theme,
            disagreements_only=self.disagreements_box.isChecked(),
            arbitrated_only=self.arbitrated_box.isChecked(),
            to_confirm_only=self.to_confirm_box.isChecked(),
            changed=changed,
        )

    def _filters_changed(self, *_args: object) -> None:
        current = self.current_result()
        self.proxy.set_criteria(self._criteria())
        if current is None or not self._select_code(current.action.code):
            if self.proxy.rowCount():
                self._select_row(0)
            else:
                self.detail.show_result(None, self.sheet)
        self._update_count()

    def clear_filters(self) -> None:
        for widget in (
            self.search_edit,
            self.objective_combo,
            self.disagreements_box,
            self.arbitrated_box,
            self.changed_box,
            self.to_confirm_box,
        ):
            widget.blockSignals(True)
        self.search_edit.clear()
        self.objective_combo.setCurrentIndex(0)
        self.disagreements_box.setChecked(False)
        self.arbitrated_box.setChecked(False)
        self.changed_box.setChecked(False)
        self.to_confirm_box.setChecked(False)
        for widget in (
            self.search_edit,
            self.objective_combo,
            self.disagreements_box,
            self.arbitrated_box,
            self.changed_box,
            self.to_confirm_box,
        ):
            widget.blockSignals(False)
        self._filters_changed()

    def _update_count(self) -> None:
        sheet = self.sheet
        self.filter_bar.set_count(
            None if sheet is None else self.proxy.rowCount(),
            0 if sheet is None else len(sheet.rows),
            active=self.proxy.criteria.active,
        )

    def current_result(self) -> ActionResult | None:
        index = self.grid.currentIndex()
        if not index.isValid() or self.sheet is None:
            return None
        return self.proxy.result(index.row())

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        result = self.proxy.result(current.row()) if current.isValid() else None
        self.detail.show_result(result, self.sheet)

    def _select_code(self, code: str) -> bool:
        row = self.proxy.proxy_row(code) if code else -1
        if row < 0:
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        index = self.proxy.index(row, 0)
        self.grid.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.grid.scrollTo(index)

    def select_action(self, code: str) -> bool:
        """Show the action ``code`` (the filters are cleared when they hide it)."""
        if self._select_code(code):
            return True
        self.clear_filters()
        return self._select_code(code)

    def focus_grid(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _focus_arbitration(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.detail.focus_arbitration()

    # ==== writing ===============================================================================

    def _read_only_refusal(self) -> bool:
        if not self.db.read_only:
            return False
        message = self.tr(
            "Lecture seule : cette base est ouverte dans une autre fenêtre de SRADAR Desktop, "
            "qui seule peut y enregistrer. Faites-le depuis cette fenêtre."
        )
        self.statusBar().showMessage(message, 10_000)
        self.failed.emit(message)
        return True

    def _write(
        self,
        kind: str,
        write: Callable[[], None],
        text: str,
        *,
        on_done: Callable[[ConsolidationSheet], None],
        on_error: Callable[[str], None],
    ) -> None:
        """``write`` then read the consolidation again, in one task on the worker thread."""
        read = self._reader()

        def work(_progress: Callable[[int, int, str], None]) -> ConsolidationReading:
            write()
            return read()

        def done(loaded: ConsolidationReading) -> None:
            self._loaded_at = time.monotonic()
            on_done(loaded.sheet)
            self._apply_evolution(loaded)
            self.written.emit(kind)

        def failed(failure: Failure) -> None:
            on_error(failure.message)
            self.failed.emit(failure.message)

        self._run(
            work,
            text,
            on_done=done,
            on_failure=failed,
            failed=self.tr("L'enregistrement a échoué"),
            what_to_do=self.tr("Rien n'a été modifié ; réessayez."),
        )

    def arbitrate(self, code: str, status: str, reason: str) -> None:
        """Retain ``status`` for the action ``code`` with ``reason`` (the service checks it)."""
        if self._read_only_refusal() or self.campaign_id is None:
            return
        db, campaign, actor = self.db, self.campaign_id, self.actor
        label = self.sheet.label(status) if self.sheet is not None else status
        self.detail.set_busy(True)

        def done(sheet: ConsolidationSheet) -> None:
            self.detail.set_busy(False)
            self.detail.arbitration_done(code)
            self._apply_sheet(sheet)
            self.statusBar().showMessage(
                arg(self.tr("Arbitrage enregistré pour l'action %1 : « %2 »."), code, label),
                10_000,
            )

        self._write(
            "arbitrage",
            lambda: set_arbitration(db, campaign, code, status, reason=reason, actor=actor),
            self.tr("Enregistrement de l'arbitrage…"),
            on_done=done,
            on_error=self._arbitration_failed,
        )

    def withdraw_arbitration(self, code: str) -> None:
        if self._read_only_refusal() or self.campaign_id is None:
            return
        db, campaign = self.db, self.campaign_id
        self.detail.set_busy(True)

        def done(sheet: ConsolidationSheet) -> None:
            self.detail.set_busy(False)
            self.detail.arbitration_done(code)
            self._apply_sheet(sheet)
            self.statusBar().showMessage(
                arg(
                    self.tr("Arbitrage retiré : l'action %1 reprend la synthèse des réponses."),
                    code,
                ),
                10_000,
            )

        self._write(
            "arbitrage",
            lambda: set_arbitration(db, campaign, code, None),
            self.tr("Retrait de l'arbitrage…"),
            on_done=done,
            on_error=self._arbitration_failed,
        )

    def _arbitration_failed(self, message: str) -> None:
        self.detail.set_busy(False)
        self.detail.show_error(message)

    def set_due_date(self, due: date | None) -> None:
        if self._read_only_refusal() or self.campaign_id is None:
            return
        db, campaign = self.db, self.campaign_id

        def done(sheet: ConsolidationSheet) -> None:
            self._apply_sheet(sheet)
            text = (
                arg(self.tr("Date limite enregistrée : %1."), short_date(due))
                if due
                else self.tr("Date limite retirée.")
            )
            self.roster.due_saved(text)
            self.statusBar().showMessage(text, 8000)

        def failed(message: str) -> None:
            self.roster.due_saved("")
            self.banner.show_message("error", message)
            self.load()  # shows the date still stored

        self._write(
            "date",
            lambda: set_due_date(db, campaign, due),
            self.tr("Enregistrement de la date limite…"),
            on_done=done,
            on_error=failed,
        )

    def edit_expected(self) -> None:
        """Edit the list of respondents the campaign expects, then write it."""
        sheet = self.sheet
        if sheet is None or self._read_only_refusal():
            return
        roster = sheet.consolidation.roster
        dialog = ExpectedRespondentsDialog(
            sheet.plan,
            [RosterMember(r.code, r.label) for r in roster if r.expected],
            [r for r in roster if not r.expected],
            self,
        )
        if dialog.exec() != ExpectedRespondentsDialog.DialogCode.Accepted:
            return
        self.set_expected(dialog.members or [])

    def set_expected(self, members: list[RosterMember]) -> None:
        if self._read_only_refusal() or self.campaign_id is None:
            return
        db, campaign = self.db, self.campaign_id

        def done(sheet: ConsolidationSheet) -> None:
            self._apply_sheet(sheet)
            self.statusBar().showMessage(
                arg(self.tr("Liste des répondants attendus enregistrée (%1)."), len(members)),
                8000,
            )

        self._write(
            "attendus",
            lambda: set_roster(db, campaign, members),
            self.tr("Enregistrement des répondants attendus…"),
            on_done=done,
            on_error=lambda message: self.banner.show_message("error", message),
        )

    def revise_plan(self) -> None:
        """« Réviser le plan… »: the preview of a revised plan, applied when the user confirms;
        the window reads the consolidation again afterwards."""
        if self._read_only_refusal():
            return
        if self.revision_dialog is not None:
            self.revision_dialog.close()
            self.revision_dialog.deleteLater()
        dialog = RevisionDialog(
            self.db, self.questionnaire_id, settings=self.settings, actor=self.actor, parent=self
        )
        dialog.applied.connect(self._revision_applied)
        self.revision_dialog = dialog
        dialog.open()

    def _revision_applied(self, summary: str) -> None:
        self._loaded_message = summary  # shown once the revised plan is read
        self.load()

    # ==== exports ===============================================================================

    def _export_folder(self) -> Path:
        return self.settings.folder(Folder.REPORTS)

    def ask_export(self, kind: str) -> None:
        """Ask where to write the workbook (``WORKBOOK``) or the PDF (``PDF``), then write it."""
        sheet = self.sheet
        if sheet is None:
            self.statusBar().showMessage(
                self.tr("La consolidation est en cours de lecture ; réessayez dans un instant."),
                5000,
            )
            return
        workbook_name, pdf_name = export_names(sheet.consolidation, date.today())
        folder = self._export_folder()
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
        chosen, _filter = QFileDialog.getSaveFileName(self, title, str(folder / suggested), pattern)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.export(kind, path)

    def export(self, kind: str, path: Path) -> None:
        """Write the consolidated workbook or the PDF summary to ``path``, off the UI thread."""
        db, campaign = self.db, self.campaign_id
        compare = self.evolution.previous_campaign_id if self.evolution is not None else None
        workbook = path if kind == WORKBOOK else None
        pdf = path if kind == PDF else None
        self.export_banner.clear()
        for widget in (
            self.workbook_button,
            self.pdf_button,
            self.export_workbook_action,
            self.export_pdf_action,
        ):
            widget.setEnabled(False)

        def work(_progress: Callable[[int, int, str], None]):
            return write_reports(
                db,
                workbook=workbook,
                pdf=pdf,
                campaign_id=campaign,
                compare_campaign_id=compare,
                compare_with_origin=False,  # the window's own choice, « aucune » included
            )

        def finished() -> None:
            for widget in (
                self.workbook_button,
                self.pdf_button,
                self.export_workbook_action,
                self.export_pdf_action,
            ):
                widget.setEnabled(True)

        def done(result) -> None:
            finished()
            self.settings.reports_folder = str(path.parent)
            self.settings.sync()
            what = (
                self.tr("Classeur consolidé enregistré : ")
                if kind == WORKBOOK
                else self.tr("Synthèse PDF enregistrée : ")
            )
            self.export_banner.show_written(
                path, what + result.describe() + "\n" + arg(self.tr("Dossier : %1"), path.parent)
            )
            self.exported.emit(path)

        def failed(failure: Failure) -> None:
            finished()
            self.export_banner.path = None
            self.export_banner.show_message("error", failure.message)
            self.failed.emit(failure.message)

        text = (
            arg(self.tr("Écriture du classeur consolidé %1…"), path.name)
            if kind == WORKBOOK
            else arg(self.tr("Écriture de la synthèse PDF %1…"), path.name)
        )
        self._run(
            work,
            text,
            on_done=done,
            on_failure=failed,
            failed=arg(self.tr("%1 n'a pas pu être écrit"), path.name),
            what_to_do=self.tr("Réessayez, ou choisissez un autre dossier."),
        )

    def open_exported_file(self) -> None:
        path = self.export_banner.path
        if path is not None:
            self._open(path)

    def open_exported_folder(self) -> None:
        path = self.export_banner.path
        if path is not None:
            self._open(path.parent)

    def _open(self, path: Path) -> None:
        if not path.exists():
            self.statusBar().showMessage(
                arg(self.tr("%1 n'existe plus : il a été déplacé ou supprimé."), str(path)),
                10_000,
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.statusBar().showMessage(
                arg(
                    self.tr(
                        "Impossible d'ouvrir %1 : aucun programme n'est associé à ce type de "
                        "fichier sur ce poste."
                    ),
                    str(path),
                ),
                10_000,
            )

    # ==== tasks =================================================================================

    def _run(
        self,
        work: Callable[[Callable[[int, int, str], None]], Any],
        text: str,
        *,
        on_done: Callable[[Any], None],
        on_failure: Callable[[Failure], None],
        failed: str,
        what_to_do: str = "",
    ) -> None:
        """An operation of this window, ``text`` shown while it runs (nothing once the window
        is closing)."""

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def call(value: Any) -> None:
                if self._closing:
                    return
                callback(value)
                self._show_task(self.tr("Travail en cours…") if self.tasks.pending else "")

            return call

        self._show_task(text)
        self.tasks.run_operation(
            work,
            on_done=finish(on_done),
            on_failure=finish(on_failure),
            failed=failed,
            what_to_do=what_to_do,
        )

    def _show_task(self, text: str) -> None:
        if self.tasks.busy or text:
            self.work.start(text)

    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.work.finish()

    # ==== window ================================================================================

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.ActivationChange
            and self.isActiveWindow()
            and self.sheet is not None
            and not self.tasks.busy
            and time.monotonic() - self._loaded_at > self.refresh_after
        ):
            self.load()

    def _restore_geometry(self) -> None:
        self._placed = restore_placement(
            self,
            self.settings.consolidation_geometry,
            self.panes,
            self.settings.consolidation_splitter,
        )

    def bring_to_front(self) -> None:
        if not self.isVisible():
            show_placed(self, self._placed)
        bring_to_front(self)

    def _save_geometry(self) -> None:
        self.settings.consolidation_geometry = self.saveGeometry()
        self.settings.consolidation_splitter = self.splitter.saveState()
        self.settings.sync()

    def _about_to_quit(self) -> None:
        # The entry window closed first: the application quits without closing this one.
        if self.isVisible():
            self._save_geometry()
        self.tasks.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_geometry()
        # An arbitration being written is finished before the window goes.
        self.tasks.wait()
        self._closing = True
        event.accept()
        super().closeEvent(event)


def show_consolidation(
    window: ConsolidationWindow | None,
    db: Database,
    questionnaire_id: str,
    *,
    campaign_id: str | None = None,
    actor: str = "",
    settings: Settings | None = None,
    parent: QWidget | None = None,
) -> ConsolidationWindow:
    """Show the consolidation of ``questionnaire_id`` (in ``campaign_id``, or its current
    campaign): ``window`` read again when it already shows that campaign, a new window
    otherwise. Returns the window shown."""
    same_campaign = window is not None and campaign_id in (None, window.campaign_id)
    if window is not None and window.questionnaire_id == questionnaire_id and same_campaign:
        window.actor = actor
        window._closing = False
        window.load()
    else:
        if window is not None:
            window.close()
            window.deleteLater()
        window = ConsolidationWindow(
            db,
            questionnaire_id=questionnaire_id,
            campaign_id=campaign_id,
            actor=actor,
            settings=settings,
            parent=parent,
        )
    window.bring_to_front()
    return window
