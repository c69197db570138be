"""The plan and its actions in the entry window: the tree of objectives and themes, the table
of actions under the filters, and the current action (moving to the next, the previous, the
next one not answered)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTreeView, QWidget

from sradar_desktop.domain.scale import Scale
from sradar_desktop.services.views.entry import EntryFilter, EntryRow, EntrySheet
from sradar_desktop.ui.entry.models import ActionFilterProxy, ActionTableModel, PlanTreeModel
from sradar_desktop.ui.parts.delegates import StatusDelegate, TreeTextDelegate, WrappedTextDelegate
from sradar_desktop.ui.parts.widgets import PlainKeysGuard


class ActionList(QObject):
    """The tree (``tree``) and the table (``table``) of the plan, and the current action.

    ``current_changed(entry or None)`` when another action becomes the current one;
    ``tree_changed`` when another objective or theme is chosen in the tree (the filters
    follow); ``activated`` when the agent presses Entrée on an action; ``shown_changed``
    when the rows shown changed."""

    current_changed = Signal(object)
    tree_changed = Signal()
    activated = Signal()
    shown_changed = Signal()  # the rows shown changed (their count with them)

    def __init__(self, scale_of: Callable[[], Scale | None], parent: QWidget) -> None:
        super().__init__(parent)
        guard = PlainKeysGuard(parent)
        self.tree_model = PlanTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("plan")
        self.tree.setModel(self.tree_model)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # The title takes the whole width, its progress drawn under it (column 1 of the model
        # is read by the delegate): a narrow pane never wraps a title one word a line.
        self.tree.setItemDelegateForColumn(0, TreeTextDelegate(self.tree))
        self.tree.setAccessibleName(self.tr("Plan : objectifs et thématiques"))
        self.tree.setAccessibleDescription(
            self.tr("Choisir un objectif ou une thématique n'affiche que ses actions.")
        )
        self.tree.installEventFilter(guard)
        tree_header = self.tree.header()
        tree_header.setStretchLastSection(False)
        tree_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnHidden(1, True)
        # No header: « Tout le plan 0 / 47 » says what it is (each row has its tooltip and
        # its accessible text, progress included).
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(14)
        self.tree.selectionModel().currentChanged.connect(lambda *_args: self.tree_changed.emit())
        # Wrapped titles change height with the tree's width.
        self._tree_layout_timer = QTimer(self)
        self._tree_layout_timer.setSingleShot(True)
        self._tree_layout_timer.setInterval(50)
        self._tree_layout_timer.timeout.connect(self.tree.doItemsLayout)
        tree_header.sectionResized.connect(lambda *_args: self._tree_layout_timer.start())

        self.model = ActionTableModel(self)
        self.proxy = ActionFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = self._build_table(scale_of)

    def _build_table(self, scale_of: Callable[[], Scale | None]) -> QTableView:
        table = QTableView()
        table.setObjectName("actions")
        table.setModel(self.proxy)
        table.setAccessibleName(self.tr("Actions"))
        table.setAccessibleDescription(
            self.tr(
                "Flèches pour changer d'action ; 1 à 4 ou O, P, N, C pour répondre ; K pour "
                "confirmer une réponse reprise ; Entrée pour le commentaire ; Ctrl+Entrée pour "
                "la prochaine action non renseignée ou à confirmer."
            )
        )
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setWordWrap(True)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        self.text_delegate = WrappedTextDelegate(3, table)
        table.setItemDelegateForColumn(ActionTableModel.TEXT, self.text_delegate)
        table.setItemDelegateForColumn(ActionTableModel.STATUS, StatusDelegate(scale_of, table))
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.text_delegate.row_height(table.font()))
        metrics = table.fontMetrics()
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        widths = {
            ActionTableModel.CODE: metrics.horizontalAdvance("00.00.00") + 12,
            ActionTableModel.PILOTS: metrics.horizontalAdvance("DREETS, OFII") + 12,
            ActionTableModel.STATUS: metrics.horizontalAdvance("Partiellement") + 34,
            ActionTableModel.COMMENT: metrics.horizontalAdvance("Com.") + 16,
            ActionTableModel.INDICATORS: metrics.horizontalAdvance("Indic.") + 16,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(ActionTableModel.TEXT, QHeaderView.ResizeMode.Stretch)
        # The room the Pilotes column takes when shown (a hidden section has no size).
        self.pilots_width = widths[ActionTableModel.PILOTS]
        header.sectionResized.connect(self._section_resized)
        table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        table.activated.connect(lambda _index: self.activated.emit())
        table.viewport().installEventFilter(self)
        return table

    # -- showing a plan ----------------------------------------------------------------------

    def show_sheet(self, sheet: EntrySheet, criteria: EntryFilter) -> None:
        """The plan's actions under ``criteria`` (the models quiet while they take it, the
        table filtered once; the tree waits for ``show_tree``)."""
        with QSignalBlocker(self.tree.selectionModel()):
            self.tree_model.set_sheet(None)
        self.table.setColumnHidden(
            ActionTableModel.INDICATORS, not any(e.indicators_total for e in sheet.rows)
        )
        self.fit_columns()
        self.proxy.use_sheet(sheet, criteria)
        self.model.set_sheet(sheet)

    def show_tree(self, sheet: EntrySheet) -> None:
        with QSignalBlocker(self.tree.selectionModel()):
            self.tree_model.set_sheet(sheet)
            self.tree.expandAll()
            self.tree.setCurrentIndex(self.tree_model.index(0, 0))

    def tree_filter(self) -> tuple[str, int] | None:
        """The objective or theme chosen in the tree (None: the whole plan)."""
        return self.tree.currentIndex().data(PlanTreeModel.FilterRole)

    def choose_in_tree(self, tree_filter: tuple[str, int] | None) -> None:
        """Choose an objective or theme again, quietly (after a reload)."""
        index = self.tree_model.find(*tree_filter) if tree_filter else QModelIndex()
        if index.isValid():
            with QSignalBlocker(self.tree.selectionModel()):
                self.tree.setCurrentIndex(index)

    def whole_plan(self) -> None:
        self.tree.setCurrentIndex(self.tree_model.index(0, 0))

    def answer_changed(self, entry: EntryRow | None, code: str) -> None:
        self.model.refresh(code)
        self.tree_model.progress_changed(entry)

    # -- filtering ---------------------------------------------------------------------------

    def filter(self, criteria: EntryFilter) -> None:
        """Show the actions that match; the current one stays if it still does, else the
        first one shown becomes current."""
        current = self.current_entry()
        self.proxy.pin(-1)
        self.proxy.set_criteria(criteria)
        if current is not None:
            row = self.proxy.proxy_row(current.code)
            if row >= 0:
                self.proxy.pin(current.row)
            elif self.proxy.rowCount():
                self.table.setCurrentIndex(self.proxy.index(0, 0))
            else:
                self.current_changed.emit(None)
        elif self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self.shown_changed.emit()

    # -- the current action ------------------------------------------------------------------

    def current_entry(self) -> EntryRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.entry(index.row())

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.proxy.entry(current.row()) if current.isValid() else None
        self.current_changed.emit(entry)
        if entry is not None:
            # Pinned after the selection settles: a row answered under a filter that hides
            # answered rows stays until the agent moves on.
            QTimer.singleShot(0, lambda row=entry.row: self._pin(row))

    def _pin(self, row: int) -> None:
        entry = self.current_entry()
        if entry is not None and entry.row == row:
            self.proxy.pin(row)
            self.shown_changed.emit()

    def select_code(self, code: str, *, fallback_first: bool = False) -> bool:
        row = self.proxy.proxy_row(code) if code else -1
        if row < 0:
            if fallback_first and self.proxy.rowCount():
                row = 0
            else:
                return False
        self.select_row(row)
        return True

    def select_row(self, row: int) -> None:
        index = self.proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def move(self, step: int) -> bool:
        """``step`` rows down (up when negative); whether the current action changed."""
        count = self.proxy.rowCount()
        if not count:
            return False
        row = self.table.currentIndex().row()
        new = min(max(row + step, 0), count - 1) if row >= 0 else 0
        if new == row:
            return False
        self.select_row(new)
        return True

    def next_unanswered(self) -> bool:
        """The next action without an answer among those shown (from the top after the end);
        whether there was one."""
        proxy = self.proxy
        count = proxy.rowCount()
        start = self.table.currentIndex().row()
        for step in range(1, count + 1):
            row = (start + step) % count if start >= 0 else step - 1
            if not proxy.entry(row).answered:  # no answer, or one carried to confirm
                self.select_row(row)
                return True
        return False

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.select_row(0)

    # -- columns -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column == ActionTableModel.PILOTS and new > 0:
            self.pilots_width = new  # widened or narrowed by the agent: kept

    def fit_columns(self) -> None:
        """The Action column keeps room for about 24 characters a line: in a narrow list the
        Pilotes column gives way (the detail pane shows the pilots of the action). Whether it
        fits is reckoned with its own width, shown or not: hidden, it has none, and counting
        that made it come back and squeeze the actions to three words a line."""
        table = self.table
        header = table.horizontalHeader()
        others = sum(
            header.sectionSize(column)
            for column in range(self.model.columnCount())
            if column not in (ActionTableModel.TEXT, ActionTableModel.PILOTS)
            and not table.isColumnHidden(column)
        )
        room = table.viewport().width() - others - self.pilots_width
        narrow = room < table.fontMetrics().averageCharWidth() * 24
        if table.isColumnHidden(ActionTableModel.PILOTS) != narrow:
            table.setColumnHidden(ActionTableModel.PILOTS, narrow)
