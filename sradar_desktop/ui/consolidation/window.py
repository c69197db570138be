"""The consolidation window: what every respondent answered, what it adds up to, and what the
secretariat decides.

A window of its own beside the entry window (« Affichage › Consolidation… », Ctrl+Maj+C): the
secretariat keeps answering or importing in one and reads the consolidation in the other. Four
tabs: « Actions » (the grid of actions × respondents with filters, the selected action in
detail below with its arbitration), « Synthèse par objectif » (charts and the rule), « Qui a
répondu » (the roster and the due date), « Évolution » (what moved since the previous campaign,
or the one picked in « Comparer avec »; the grid's « A changé » filter follows it).

The window is a shell: it lays out its panes, reads the consolidation and shows it. Its rooms:
``filters`` (the grid's filter bar), ``exports`` (the consolidated workbook and the PDF
summary) and ``changes`` (arbitration, due date, expected respondents, a revised plan).

Everything that reads or writes the database runs on one worker thread, in the order asked:
the window never freezes and a write is always followed by a fresh consolidation.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QMainWindow,
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
from sradar_desktop.services.consolidation import ConsolidationReading, read_consolidation
from sradar_desktop.services.database import Database
from sradar_desktop.services.views.consolidation import (
    ConsolidationSheet,
    roster_counts,
    roster_figures,
    roster_sentence,
)
from sradar_desktop.ui.consolidation.changes import Changes
from sradar_desktop.ui.consolidation.charts import ObjectiveCharts
from sradar_desktop.ui.consolidation.delegates import (
    GridColumns,
    StatusCellDelegate,
    WrappingHeader,
)
from sradar_desktop.ui.consolidation.detail import ConsolidationDetail
from sradar_desktop.ui.consolidation.evolution import EvolutionPane
from sradar_desktop.ui.consolidation.exports import PDF, WORKBOOK, Exports
from sradar_desktop.ui.consolidation.filters import GridFilters
from sradar_desktop.ui.consolidation.models import (
    ConsolidationFilterProxy,
    ConsolidationGridModel,
)
from sradar_desktop.ui.consolidation.roster import RosterPane
from sradar_desktop.ui.parts.delegates import WrappedTextDelegate
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import (
    ElidedLabel,
    PaneSizer,
    WorkIndicator,
    add_menu,
    bring_to_front,
    restore_placement,
    show_placed,
)
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.speech import announce
from sradar_desktop.ui.parts.tasks import TaskRunner
from sradar_desktop.ui.parts.widgets import Banner, PlainKeysGuard, window_action

__all__ = ["EVOLUTION_TAB", "PDF", "WORKBOOK", "ConsolidationWindow", "show_consolidation"]

# Coming back to the window reads the database again (answers imported or typed meanwhile),
# at most this often.
# The arbitrations typed and not applied, kept in the settings (``Settings.keep_typing``).
ARBITRATIONS = "arbitrages"
REFRESH_AFTER_S = 5.0
EVOLUTION_TAB = 3


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
        self._loaded_message = ""
        self.tasks = TaskRunner(self)
        self.tasks.busy_changed.connect(self._busy_changed)
        self._loading = False
        self._load_again = False
        self.loaded_at = 0.0
        self.refresh_after = REFRESH_AFTER_S
        self.closing = False
        self._bring_back = True  # the arbitrations typed when it last closed, at the next load
        self.setWindowTitle(arg(self.tr("Consolidation — %1"), APP_NAME))

        self.filters = GridFilters(self)
        self.exports = Exports(self)
        self.changes = Changes(self)
        self._build_header()
        self._build_actions_tab()
        self.charts = ObjectiveCharts()
        self.roster = RosterPane()
        self.roster.due_date_chosen.connect(self.changes.set_due_date)
        self.roster.edit_requested.connect(self.changes.edit_expected)
        self.evolution_pane = EvolutionPane()
        self.evolution_pane.compare_chosen.connect(self.compare_with)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("onglets")
        self.tabs.setAccessibleName(self.tr("Consolidation"))
        self.tabs.addTab(self.actions_tab, self.tr("&Actions"))
        self.tabs.addTab(self.charts, self.tr("&Synthèse par objectif"))
        self.tabs.addTab(self.roster, self.tr("&Qui a répondu"))
        self.tabs.addTab(self.evolution_pane, self.tr("Évol&ution"))
        self._build_menus()
        self.work = WorkIndicator()
        self.statusBar().addPermanentWidget(self.work)
        # What the status bar says is said to a screen reader too.
        self.statusBar().messageChanged.connect(lambda text: announce(text) if text else None)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(4)
        for widget in (self.header, self.banner, self.exports.banner):
            layout.addWidget(widget)
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
        self._placed = restore_placement(
            self,
            self.settings.consolidation_geometry,
            self.panes,
            self.settings.consolidation_splitter,
        )
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._about_to_quit)
        self.load()

    # ==== building ==============================================================================

    def _build_header(self) -> None:
        self.header = QWidget()
        self.title_label = ElidedLabel()
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.subtitle_label = ElidedLabel(muted=True)
        self.subtitle_label.setObjectName("sous-titre")
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.title_label)
        left.addWidget(self.subtitle_label)
        layout = QHBoxLayout(self.header)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 1)
        layout.addWidget(self.exports.workbook_button)
        layout.addWidget(self.exports.pdf_button)
        self.banner = Banner()
        self.banner.button.clicked.connect(self.load)

    def _build_actions_tab(self) -> None:
        self.filters.changed.connect(self._filters_changed)
        self.filters.search_edit.escape_pressed.connect(self.focus_grid)
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
        self.grid.installEventFilter(PlainKeysGuard(self))
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

        self.detail: ConsolidationDetail = ConsolidationDetail()
        self.detail.setObjectName("detail")
        self.detail.arbitrate.connect(self.changes.arbitrate)
        self.detail.withdraw.connect(self.changes.withdraw_arbitration)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("panneaux-consolidation")
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # The grid three fifths, the detail the rest, on a first start.
        self.panes: PaneSizer = PaneSizer(
            self.splitter, lambda length: [length * 3 // 5, length - length * 3 // 5]
        )

        self.actions_tab: QWidget = QWidget()
        layout = QVBoxLayout(self.actions_tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filters.bar)
        layout.addWidget(self.splitter, 1)

    def _build_menus(self) -> None:
        key = QKeySequence
        filters, changes = self.filters, self.changes
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
                self.exports.workbook_action,
                self.exports.pdf_action,
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
                functools.partial(self.tabs.setCurrentIndex, number),
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
        filter_actions = [
            window_action(self, self.tr("Re&chercher"), self.focus_search, [key("Ctrl+F")]),
            window_action(
                self,
                self.tr("&Désaccords seulement"),
                filters.disagreements_box.toggle,
                [key("Ctrl+D")],
            ),
            window_action(
                self,
                self.tr("A chan&gé seulement"),
                filters.changed_box.toggle,
                [key("Ctrl+Shift+G")],
            ),
            window_action(
                self,
                self.tr("À confirmer seulement"),
                filters.to_confirm_box.toggle,
                [key("Ctrl+Shift+K")],
            ),
            window_action(
                self, self.tr("&Effacer les filtres"), filters.clear, [key("Ctrl+Shift+E")]
            ),
        ]
        add_menu(self, self.tr("Affic&hage"), [*self.tab_actions, None, *filter_actions])
        self.revise_action = window_action(
            self,
            self.tr("Ré&viser le plan…"),
            changes.revise_plan,
            [key("Ctrl+Shift+R")],
            self.tr(
                "Enregistrer une nouvelle version du plan d'action : aperçu des actions "
                "reprises, renumérotées, reformulées, ajoutées ou retirées, puis confirmation"
            ),
        )
        add_menu(
            self,
            self.tr("A&rbitrage"),
            [
                window_action(
                    self,
                    self.tr("&Arbitrer l'action choisie"),
                    self._focus_arbitration,
                    [key(Qt.Key.Key_F2)],
                    self.tr("Choisir le statut retenu et sa raison (Ctrl+Entrée applique)"),
                ),
                window_action(self, self.tr("Répondants atten&dus…"), changes.edit_expected),
                None,
                self.revise_action,
            ],
        )

    # ==== reading ===============================================================================

    def load(self, *, said: str = "") -> None:
        """Read the consolidation again, off the UI thread; ``loaded`` says when it is shown
        (and the status bar ``said``, if given)."""
        if said:
            self._loaded_message = said
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._load_again = False
        if self.sheet is None:
            self.statusBar().showMessage(self.tr("Lecture des réponses de tous les répondants…"))
        read = self.reader()
        self.run(
            lambda _progress: read(),
            self.tr("Lecture de la consolidation…"),
            on_done=self._loaded,
            on_failure=self._load_failed,
            failed=self.tr("La consolidation n'a pas pu être lue"),
            what_to_do=self.tr("Réessayez avec F5."),
        )

    def reader(self) -> Callable[[], ConsolidationReading]:
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
        self.loaded_at = time.monotonic()
        self.statusBar().clearMessage()
        if self._loaded_message:
            self.statusBar().showMessage(self._loaded_message, 15_000)
            self._loaded_message = ""
        if self.banner.kind == "error":
            self.banner.clear()
        self.apply_sheet(loaded.sheet)
        self.apply_evolution(loaded)
        if self._bring_back:
            self._bring_back = False
            self._bring_back_typed(loaded.sheet)
        self.loaded.emit()
        if self._load_again:
            self.load()

    def _load_failed(self, failure: Failure) -> None:
        self._loading = False
        self.statusBar().clearMessage()
        self.banner.show_message("error", failure.message, self.tr("Réessayer"))
        self.failed.emit(failure.message)

    def apply_sheet(self, sheet: ConsolidationSheet) -> None:
        """Show ``sheet`` everywhere, keeping the selected action, the filters and the scroll."""
        current = self.current_result()
        code = current.action.code if current is not None else ""
        first = self.sheet is None
        reshaped = self.sheet is None or not self.sheet.same_shape(sheet)
        self.sheet = sheet
        consolidation = sheet.consolidation
        self.campaign_id = consolidation.campaign_id
        self.questionnaire_id = consolidation.plan.id
        self.filters.show_sheet(sheet, reshaped=reshaped)
        if reshaped:
            self.proxy.set_criteria(self.filters.criteria())
        self.model.set_sheet(sheet)
        if reshaped:
            self.columns.size(sheet)
        self.charts.set_sheet(sheet)
        self.roster.set_roster(sheet.respondents, consolidation.due_date, sheet.refusals)
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

    def apply_evolution(self, loaded: ConsolidationReading) -> None:
        """Show the evolution since the campaign compared with; « A changé » follows it."""
        self.evolution = loaded.evolution
        self.compare_id = loaded.compare_id
        self.evolution_pane.show_evolution(
            loaded.campaigns, loaded.compare_id, loaded.evolution, loaded.sheet, loaded.problem
        )
        self.filters.follow_evolution(loaded.evolution)

    def compare_with(self, campaign_id: str | None) -> None:
        """Compare with ``campaign_id`` (None: no comparison), chosen by the user."""
        self.compare_id = campaign_id
        self._compare_picked = True
        self.load()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.grid.viewport() and event.type() == QEvent.Type.Resize:
            self.columns.fit()  # the action's text takes the width the others leave
        return super().eventFilter(watched, event)

    def _update_header(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        consolidation = sheet.consolidation
        self.title_label.setText(
            arg(self.tr("Consolidation — %1"), consolidation.plan.display_title)
        )
        self.title_label.set_tip(consolidation.plan.title)
        figures = roster_figures(consolidation.roster, consolidation.due_date, sheet.refusals)
        # The due date before the long sentence: on a narrow screen the end gives way.
        parts = [
            consolidation.campaign_title,
            arg(self.tr("date limite : %1"), short_date(consolidation.due_date))
            if consolidation.due_date
            else self.tr("sans date limite"),
            roster_sentence(figures).rstrip("."),
            arg(self.tr("actualisé à %1"), time_text()),
        ]
        self.subtitle_label.setText(" · ".join(parts))
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

    def _filters_changed(self) -> None:
        current = self.current_result()
        self.proxy.set_criteria(self.filters.criteria())
        if current is None or not self._select_code(current.action.code):
            if self.proxy.rowCount():
                self._select_row(0)
            else:
                self.detail.show_result(None, self.sheet)
        self._update_count()

    def _update_count(self) -> None:
        sheet = self.sheet
        self.filters.set_count(
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
        self.filters.clear()
        return self._select_code(code)

    def focus_grid(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.filters.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search_edit.selectAll()

    def _focus_arbitration(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.detail.focus_arbitration()

    # ==== tasks =================================================================================

    def run(
        self,
        work: Callable[[Callable[[int, int, str], None]], Any],
        text: str,
        *,
        on_done: Callable[[Any], None],
        on_failure: Callable[[Failure], None],
        failed: str,
        what_to_do: str = "",
    ) -> None:
        """An operation of this window on its worker thread, ``text`` shown while it runs
        (its outcome ignored once the window is closing)."""

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def call(value: Any) -> None:
                if self.closing:
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
            and time.monotonic() - self.loaded_at > self.refresh_after
        ):
            self.load()

    def bring_to_front(self) -> None:
        if not self.isVisible():
            show_placed(self, self._placed)
        bring_to_front(self)

    def _bring_back_typed(self, sheet: ConsolidationSheet) -> None:
        kept = self.settings.kept_typing(ARBITRATIONS, self._place(sheet))
        typed = {
            code: (texts[0], texts[1])
            for code, texts in kept.items()
            if code in sheet.row_of and len(texts) == 2
        }
        if not typed or self.db.read_only:
            return
        self.detail.bring_back(typed)
        codes = sorted(typed, key=lambda code: sheet.row_of[code])
        self.statusBar().showMessage(
            arg(
                self.tr(
                    "Arbitrage saisi et non appliqué à la dernière fermeture, retrouvé "
                    "(action %1) : appliquez-le, ou effacez sa raison pour y renoncer."
                )
                if len(typed) < 2
                else self.tr(
                    "Arbitrages saisis et non appliqués à la dernière fermeture, retrouvés "
                    "(actions %1) : appliquez-les, ou effacez leur raison pour y renoncer."
                ),
                ", ".join(codes),
            ),
            30_000,
        )

    def remember(self) -> None:
        """Keep the window's place and the arbitrations typed and not applied (brought back
        when a consolidation of the same campaign is next shown): it closes, the program
        quits, or the session ends."""
        if self.isVisible():
            self.settings.consolidation_geometry = self.saveGeometry()
            self.settings.consolidation_splitter = self.splitter.saveState()
        if self.sheet is not None and not self.db.read_only:
            typed = {code: list(value) for code, value in self.detail.typed().items()}
            self.settings.keep_typing(ARBITRATIONS, self._place(self.sheet), typed)
        self.settings.sync()

    def _place(self, sheet: ConsolidationSheet) -> str:
        """Where the arbitrations typed are kept: this database, the campaign shown."""
        return f"{self.db.key} {sheet.consolidation.campaign_id}"

    def _about_to_quit(self) -> None:
        # The entry window closed first: the application quits without closing this one.
        if not self.closing:
            self.remember()
        self.tasks.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.remember()
        self._bring_back = True
        # An arbitration being written is finished before the window goes.
        self.tasks.wait()
        self.closing = True
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
        window.closing = False
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
