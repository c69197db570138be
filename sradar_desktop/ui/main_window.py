"""The main window: choose a questionnaire, browse its objectives, themes and actions."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolBar,
    QTreeView,
    QWidget,
)

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.domain.plan import Plan
from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import (
    DEFAULT_QUESTIONNAIRE_ID,
    list_questionnaires,
    load_plan,
)
from sradar_desktop.ui.plan_models import ActionFilterProxy, ActionTableModel, PlanTreeModel


class MainWindow(QMainWindow):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.plan: Plan | None = None
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 760)

        self.questionnaire_box = QComboBox()
        self.questionnaire_box.setMinimumContentsLength(40)
        self.questionnaire_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        toolbar = QToolBar(self.tr("Questionnaire"))
        toolbar.setObjectName("questionnaire-toolbar")
        toolbar.setMovable(False)
        label = QLabel(self.tr("&Questionnaire :"))
        label.setBuddy(self.questionnaire_box)
        toolbar.addWidget(label)
        toolbar.addWidget(self.questionnaire_box)
        self.addToolBar(toolbar)

        self.tree_model = PlanTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(False)
        self.tree.setWordWrap(True)

        self.action_model = ActionTableModel(self)
        self.action_proxy = ActionFilterProxy(self)
        self.action_proxy.setSourceModel(self.action_model)
        self.table = QTableView()
        self.table.setModel(self.action_proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([300, 620, 360])
        self.setCentralWidget(splitter)

        self._build_menus()
        self.statusBar().showMessage(self.tr("Base de données : %s") % db.location)

        self.questionnaire_box.currentIndexChanged.connect(self._questionnaire_chosen)
        self.tree.selectionModel().selectionChanged.connect(self._tree_selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._action_changed)
        self._fill_questionnaires()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&Fichier"))
        quit_action = QAction(self.tr("&Quitter"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("&Aide"))
        about = QAction(self.tr("À &propos de %s") % APP_NAME, self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _fill_questionnaires(self) -> None:
        summaries = list_questionnaires(self.db)
        self.questionnaire_box.blockSignals(True)
        self.questionnaire_box.clear()
        for summary in summaries:
            self.questionnaire_box.addItem(summary.display_title, summary.id)
        default = max(self.questionnaire_box.findData(DEFAULT_QUESTIONNAIRE_ID), 0)
        self.questionnaire_box.setCurrentIndex(default)
        self.questionnaire_box.blockSignals(False)
        if summaries:
            self._questionnaire_chosen(default)

    def _questionnaire_chosen(self, index: int) -> None:
        questionnaire_id = self.questionnaire_box.itemData(index)
        if questionnaire_id is None:
            return
        self.plan = load_plan(self.db, questionnaire_id)
        self.tree_model.set_plan(self.plan)
        self.action_model.set_plan(self.plan)
        self.action_proxy.set_code_prefix("")
        self.tree.expandAll()
        self.setWindowTitle(f"{self.plan.display_title} — {APP_NAME}")
        if self.action_proxy.rowCount():
            self.table.selectRow(0)

    def _tree_selection_changed(self, selected: QItemSelection, _deselected: object) -> None:
        indexes = selected.indexes()
        code = indexes[0].data(PlanTreeModel.CodeRole) if indexes else ""
        self.action_proxy.set_code_prefix(code or "")
        if self.action_proxy.rowCount():
            self.table.selectRow(0)

    def _action_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        source = self.action_proxy.mapToSource(current)
        action = self.action_model.action(source.row())
        parts = [
            f"<h3>{escape(action.code)}</h3>",
            "<p>" + escape(action.text).replace("\n", "<br>") + "</p>",
        ]
        if action.pilots:
            parts.append(
                f"<p><b>{escape(self.tr('Pilotes :'))}</b> {escape(', '.join(action.pilots))}</p>"
            )
        if action.indicators:
            items = "".join(
                f"<li>{escape(i.label)}" + (f" ({escape(i.unit)})" if i.unit else "") + "</li>"
                for i in action.indicators
            )
            parts.append(f"<p><b>{escape(self.tr('Indicateurs :'))}</b></p><ul>{items}</ul>")
        self.detail.setHtml("".join(parts))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("À propos de %s") % APP_NAME,
            self.tr(
                "<h3>%s %s</h3><p>Saisie hors ligne et consolidation de l'évaluation des plans "
                "régionaux d'accueil des demandeurs d'asile et des réfugiés.</p>"
                "<p>Base de données : %s</p>"
            )
            % (APP_NAME, __version__, escape(self.db.location)),
        )
