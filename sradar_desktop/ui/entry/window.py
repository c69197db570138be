"""The entry window: the plan as a tree, the actions as a table, the current action in detail.

The agent answers with the keyboard (a key per answer, next / previous / next unanswered, the
comment and the indicators), sees what is left (completion bar, progress per objective,
filters and search), and never saves: every change is written at once, and undoable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QKeyCombination,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QDropEvent,
    QFont,
    QIcon,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop import APP_NAME
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import count, plural
from sradar_desktop.errors import UserError
from sradar_desktop.failures import Failure
from sradar_desktop.paths import resources_dir
from sradar_desktop.services.answers import HistoryEntry, read_history
from sradar_desktop.services.campaigns import CampaignSummary, list_campaigns
from sradar_desktop.services.database import Database
from sradar_desktop.services.drafts import DraftStore
from sradar_desktop.services.entry import (
    MINE,
    EntryData,
    EntryFilter,
    EntrySheet,
    Identity,
    open_remembered,
    status_keys,
)
from sradar_desktop.services.instance_lock import database_key
from sradar_desktop.services.questionnaires import list_questionnaires
from sradar_desktop.ui.dialogs.campaigns import CampaignDialog, NewCampaignDialog
from sradar_desktop.ui.dialogs.start import (
    IdentityDialog,
    ShortcutsDialog,
    shortcuts_html,
    show_about,
)
from sradar_desktop.ui.entry.controller import EntryController, FieldCommand
from sradar_desktop.ui.entry.detail import ActionDetail
from sradar_desktop.ui.entry.exchange import WorkbookExchange
from sradar_desktop.ui.entry.models import (
    CONFIRM_KEY,
    ActionFilterProxy,
    ActionTableModel,
    PlanTreeModel,
    progress_tooltip,
)
from sradar_desktop.ui.parts.delegates import (
    StatusDelegate,
    TreeTextDelegate,
    WrappedTextDelegate,
)
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import (
    FilterBar,
    MutedLabel,
    PaneSizer,
    WorkIndicator,
    add_menu,
    bring_to_front,
    clamp,
    expanding_label,
    restore_placement,
    set_tone,
    show_placed,
)
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.tasks import TaskRunner
from sradar_desktop.ui.parts.widgets import Banner, PlainKeysGuard, window_action

log = logging.getLogger(__name__)

_FROM_SETTINGS = object()

# The top row of a French (AZERTY) keyboard types these without Shift where the digits are.
AZERTY_DIGITS = (
    Qt.Key.Key_Ampersand,
    Qt.Key.Key_Eacute,
    Qt.Key.Key_QuoteDbl,
    Qt.Key.Key_Apostrophe,
    Qt.Key.Key_ParenLeft,
    Qt.Key.Key_Minus,
    Qt.Key.Key_Egrave,
    Qt.Key.Key_Underscore,
    Qt.Key.Key_Ccedilla,
)


def _color_icon(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    """The entry window over ``db``. ``loaded`` is emitted each time a plan is shown."""

    loaded = Signal()
    load_failed = Signal(str)  # the French message shown in the window

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
        identity: Identity | object | None = _FROM_SETTINGS,
        questionnaire_id: str | None = None,
        guard: object | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.settings = settings or Settings()
        self.identity: Identity | None = (
            self.settings.identity() if identity is _FROM_SETTINGS else identity  # type: ignore[assignment]
        )
        self.questionnaire_id = questionnaire_id or self.settings.questionnaire_id
        self.guard = guard
        self.consolidation_window = None
        self.data: EntryData | None = None
        self.campaigns: list[CampaignSummary] = []  # of the questionnaire shown
        self.controller: EntryController | None = None
        self.tasks = TaskRunner(self)
        self.drafts = DraftStore(database_key(db.url))
        self._loading = False
        self._closing = False
        self.setObjectName("fenetre-principale")
        self.setWindowTitle(APP_NAME)

        self._build_header()
        self._build_filters()
        self._build_panes()
        self._build_menus()
        self._build_status_bar()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.info_banner)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._set_tab_order()
        self._restore_geometry()
        self.load(self.questionnaire_id)

    # ==== building ==============================================================================

    def _build_header(self) -> None:
        self.header = QWidget()
        self.plan_label = QLabel()
        font = QFont(self.plan_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.plan_label.setFont(font)
        expanding_label(self.plan_label)
        self.plan_label.installEventFilter(self)
        self.identity_label = expanding_label(MutedLabel())
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMinimumWidth(60)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setFixedHeight(14)
        self.progress_bar.setAccessibleName(self.tr("Avancement"))
        self.progress_label = QLabel()
        bold = QFont(self.progress_label.font())
        bold.setBold(True)
        self.progress_label.setFont(bold)
        self.save_label = QLabel()
        self.save_label.setObjectName("etat-enregistrement")
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.plan_label)
        left.addWidget(self.identity_label)
        layout = QHBoxLayout(self.header)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 1)
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.progress_label)
        layout.addSpacing(12)
        layout.addWidget(self.save_label)

        self.banner = Banner()
        self.banner.button.clicked.connect(self.save_now)
        self.info_banner = Banner()
        self.info_banner.button.clicked.connect(self.edit_identity)

    def _build_filters(self) -> None:
        guard = PlainKeysGuard(self)
        self.filter_bar = FilterBar(
            self.tr(
                "Les actions dont le code, le texte ou le commentaire contiennent tous les mots "
                "tapés (sans tenir compte des accents ni des majuscules). Échap efface."
            )
        )
        self.search_edit = self.filter_bar.search_edit
        self.count_label = self.filter_bar.count_label
        self.clear_filters_button = self.filter_bar.clear_button
        self.search_edit.textChanged.connect(self._filters_changed)
        self.search_edit.escape_pressed.connect(self.focus_table)
        self.unanswered_box = QCheckBox(self.tr("&Non renseignées seulement"))
        self.unanswered_box.setObjectName("non-renseignees")
        self.unanswered_box.setToolTip(self.tr("N'afficher que les actions sans réponse (Ctrl+U)"))
        self.unanswered_box.setAccessibleName(self.tr("Non renseignées seulement"))
        self.unanswered_box.toggled.connect(self._unanswered_toggled)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("filtre-reponse")
        self.status_combo.setAccessibleName(self.tr("Filtrer par réponse"))
        self.status_combo.installEventFilter(guard)
        self.status_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.status_combo.setMinimumContentsLength(8)
        self.status_combo.currentIndexChanged.connect(self._filters_changed)
        status_label = QLabel(self.tr("&Réponse :"))
        status_label.setBuddy(self.status_combo)
        self.pilot_combo = QComboBox()
        self.pilot_combo.setObjectName("filtre-pilote")
        self.pilot_combo.setAccessibleName(self.tr("Filtrer par pilote"))
        self.pilot_combo.installEventFilter(guard)
        # Pilot names can be long: the box keeps a modest width, its list shows them whole.
        self.pilot_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.pilot_combo.setMinimumContentsLength(12)
        self.pilot_combo.currentIndexChanged.connect(self._filters_changed)
        pilot_label = QLabel(self.tr("&Pilote :"))
        pilot_label.setBuddy(self.pilot_combo)
        self.filter_bar.add(self.unanswered_box)
        self.filter_bar.add(status_label, self.status_combo)
        self.filter_bar.add(pilot_label)
        self.filter_bar.add(self.pilot_combo, stretch=1, space=False)
        self.clear_filters_button.clicked.connect(self.clear_filters)

    def _build_panes(self) -> None:
        guard = PlainKeysGuard(self)
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
        self.tree.selectionModel().currentChanged.connect(self._tree_current_changed)
        # Wrapped titles change height with the tree's width.
        self._tree_layout_timer = QTimer(self)
        self._tree_layout_timer.setSingleShot(True)
        self._tree_layout_timer.setInterval(50)
        self._tree_layout_timer.timeout.connect(self.tree.doItemsLayout)
        tree_header.sectionResized.connect(lambda *_args: self._tree_layout_timer.start())

        self.action_model = ActionTableModel(self)
        self.action_proxy = ActionFilterProxy(self)
        self.action_proxy.setSourceModel(self.action_model)
        self.table = QTableView()
        self.table.setObjectName("actions")
        self.table.setModel(self.action_proxy)
        self.table.setAccessibleName(self.tr("Actions"))
        self.table.setAccessibleDescription(
            self.tr(
                "Flèches pour changer d'action ; 1 à 4 ou O, P, N, C pour répondre ; K pour "
                "confirmer une réponse reprise ; Entrée pour le commentaire ; Ctrl+Entrée pour "
                "la prochaine action non renseignée ou à confirmer."
            )
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.text_delegate = WrappedTextDelegate(3, self.table)
        self.table.setItemDelegateForColumn(ActionTableModel.TEXT, self.text_delegate)
        self.table.setItemDelegateForColumn(
            ActionTableModel.STATUS, StatusDelegate(self._scale, self.table)
        )
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.text_delegate.row_height(self.table.font()))
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
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
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.activated.connect(lambda _index: self.focus_comment())
        self.table.viewport().installEventFilter(self)

        self.detail = ActionDetail()
        self.detail.setObjectName("detail")
        self.detail.back_to_list.connect(self.focus_table)
        self.detail.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.detail.typed_state_changed.connect(self._update_save_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("panneaux")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        # On a first start the plan and the detail take their share of the screen and the
        # list of actions, the rest: its Action column is the one that needs the room.
        self.panes = PaneSizer(self.splitter, self._pane_sizes)

    def _build_menus(self) -> None:
        key = QKeySequence
        self.identity_action = window_action(
            self,
            self.tr("Mon &service et mon questionnaire…"),
            self.edit_identity,
            [key("Ctrl+,")],
            self.tr("Qui répond, et quel plan est évalué"),
        )
        self.reload_action = window_action(
            self,
            self.tr("&Actualiser"),
            self.reload,
            [key(Qt.Key.Key_F5)],
            self.tr("Relire le plan et les réponses dans la base"),
        )
        self.change_campaign_action = window_action(
            self,
            self.tr("Changer de ca&mpagne…"),
            self.change_campaign,
            tip=self.tr("Afficher et renseigner une autre évaluation de ce questionnaire"),
        )
        self.new_campaign_action = window_action(
            self,
            self.tr("N&ouvelle campagne…"),
            self.new_campaign,
            tip=self.tr(
                "L'évaluation suivante, à partir de celle affichée : ses réponses reprises, "
                "à confirmer"
            ),
        )
        self.exchange = WorkbookExchange(self)
        self.quit_action = window_action(self, self.tr("&Quitter"), self.close, [key("Ctrl+Q")])

        self.undo_action = window_action(
            self,
            self.tr("&Annuler"),
            self.undo,
            [key("Ctrl+Z")],
            self.tr("Annuler la dernière modification (réponse, commentaire, indicateur)"),
        )
        self.redo_action = window_action(
            self,
            self.tr("&Rétablir"),
            self.redo,
            [key("Ctrl+Y"), key("Ctrl+Shift+Z")],
            self.tr("Rétablir la modification annulée"),
        )
        self.undo_action.setIconText(self.tr("Annuler"))
        self.redo_action.setIconText(self.tr("Rétablir"))
        self.save_action = window_action(
            self,
            self.tr("&Enregistrer maintenant"),
            self.save_now,
            [key("Ctrl+S")],
            self.tr(
                "Tout est enregistré automatiquement ; ceci enregistre tout de suite le "
                "commentaire en cours et réessaie ce qui n'a pas pu l'être"
            ),
        )
        self.find_action = window_action(
            self,
            self.tr("Re&chercher"),
            self.focus_search,
            [key("Ctrl+F")],
            self.tr("Chercher dans les codes, les textes et les commentaires"),
        )

        self.status_actions: dict[str, QAction] = {}
        self.clear_status_action = window_action(
            self,
            self.tr("&Effacer la réponse"),
            lambda: self.set_current_status(None),
            [key(Qt.Key.Key_Delete)],
        )
        self.confirm_action = window_action(
            self,
            self.tr("C&onfirmer la réponse reprise"),
            self.confirm_current,
            [key(CONFIRM_KEY)],
            self.tr(
                "Garder telle quelle la réponse reprise de l'évaluation précédente (toute "
                "modification la confirme aussi)"
            ),
        )
        self.comment_action = window_action(
            self, self.tr("Aller au &commentaire"), self.focus_comment, [key(Qt.Key.Key_F2)]
        )
        self.indicators_action = window_action(
            self, self.tr("Aller aux &indicateurs"), self.focus_indicators, [key(Qt.Key.Key_F3)]
        )
        self.history_action = window_action(
            self, self.tr("&Historique de l'action"), self.detail.show_history, [key("Ctrl+H")]
        )

        self.next_action = window_action(
            self, self.tr("Action &suivante"), lambda: self.move_current(1), [key("Alt+Down")]
        )
        self.previous_action = window_action(
            self, self.tr("Action &précédente"), lambda: self.move_current(-1), [key("Alt+Up")]
        )
        self.next_unanswered_action = window_action(
            self,
            self.tr("Prochaine action &non renseignée"),
            self.next_unanswered,
            [key("Ctrl+Return"), key("Ctrl+Enter")],
        )
        self.focus_tree_action = window_action(
            self, self.tr("&Plan (objectifs et thématiques)"), self.focus_tree, [key("Ctrl+1")]
        )
        self.focus_table_action = window_action(
            self, self.tr("&Liste des actions"), self.focus_table, [key("Ctrl+2")]
        )
        self.focus_detail_action = window_action(
            self, self.tr("&Réponse de l'action"), self.detail.focus_answer, [key("Ctrl+3")]
        )
        self.unanswered_action = window_action(
            self,
            self.tr("&Non renseignées seulement"),
            lambda: self.unanswered_box.toggle(),
            [key("Ctrl+U")],
        )
        self.clear_filters_action = window_action(
            self, self.tr("&Effacer les filtres"), self.clear_filters, [key("Ctrl+Shift+E")]
        )
        self.consolidation_action = window_action(
            self,
            self.tr("&Consolidation…"),
            self.open_consolidation,
            [key("Ctrl+Shift+C")],
            self.tr(
                "Les réponses de tous les répondants, la synthèse, l'arbitrage, qui a répondu, "
                "et les exports du classeur consolidé et de la synthèse PDF"
            ),
        )

        self.guide_action = window_action(self, self.tr("&Guide d'utilisation"), self.show_guide)
        self.shortcuts_action = window_action(
            self, self.tr("&Raccourcis clavier"), self.show_shortcuts, [key(Qt.Key.Key_F1)]
        )
        self.about_action = window_action(
            self, arg(self.tr("À &propos de %1"), APP_NAME), self.show_about
        )

        add_menu(
            self,
            self.tr("&Fichier"),
            [
                self.identity_action,
                self.change_campaign_action,
                self.new_campaign_action,
                self.reload_action,
                None,
                *self.exchange.menu_actions(),
                None,
                self.quit_action,
            ],
        )
        add_menu(
            self,
            self.tr("É&dition"),
            [self.undo_action, self.redo_action, None, self.save_action, None, self.find_action],
        )
        self.answer_menu = add_menu(self, self.tr("&Réponse"), [])
        add_menu(
            self,
            self.tr("A&ller"),
            [
                self.next_action,
                self.previous_action,
                self.next_unanswered_action,
                None,
                self.focus_tree_action,
                self.focus_table_action,
                self.focus_detail_action,
            ],
        )
        add_menu(
            self,
            self.tr("Affic&hage"),
            [self.unanswered_action, self.clear_filters_action, None, self.consolidation_action],
        )
        add_menu(
            self,
            self.tr("&Aide"),
            [self.guide_action, self.shortcuts_action, self.about_action],
        )

    def _build_answer_menu(self, scale: Scale) -> None:
        """The answer keys of this questionnaire's scale (1–4 and O, P, N, C by default)."""
        for action in self.status_actions.values():
            self.removeAction(action)
            action.deleteLater()
        self.status_actions = {}
        self.answer_menu.clear()
        keys = status_keys(scale)
        for number, level in enumerate(scale.levels):
            digit, letter = keys[level.code]
            shortcuts = [QKeySequence(digit)]
            if letter and letter != CONFIRM_KEY:
                shortcuts.append(QKeySequence(letter))
            if number < len(AZERTY_DIGITS):
                shortcuts.append(QKeySequence(QKeyCombination(AZERTY_DIGITS[number])))
            shortcuts.append(
                QKeySequence(
                    QKeyCombination(Qt.KeyboardModifier.KeypadModifier, Qt.Key(ord(digit)))
                )
            )
            action = window_action(
                self,
                level.label,
                lambda code=level.code: self.set_current_status(code),
                shortcuts,
                arg(self.tr("Réponse « %1 » pour l'action en cours"), level.label),
            )
            action.setIcon(_color_icon(level.color))
            self.status_actions[level.code] = action
            self.answer_menu.addAction(action)
        self.answer_menu.addAction(self.clear_status_action)
        self.answer_menu.addAction(self.confirm_action)
        self.answer_menu.addSeparator()
        self.answer_menu.addAction(self.comment_action)
        self.answer_menu.addAction(self.indicators_action)
        self.answer_menu.addAction(self.history_action)

    def _build_status_bar(self) -> None:
        self.work = WorkIndicator()
        location = arg(self.tr("Base : %1"), self.db.location)
        # A long path gives way to the messages (elided; whole in the tooltip).
        self.database_label = expanding_label(MutedLabel(location))
        self.database_label.setToolTip(location)
        self.database_label.setMaximumWidth(420)
        self.statusBar().addPermanentWidget(self.work)
        self.statusBar().addPermanentWidget(self.database_label, 1)

    def _set_tab_order(self) -> None:
        chain = [
            self.search_edit,
            self.unanswered_box,
            self.status_combo,
            self.pilot_combo,
            self.clear_filters_button,
            self.tree,
            self.table,
            *self.detail.focus_chain(),
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ==== loading ===============================================================================

    def _scale(self) -> Scale | None:
        return self.data.plan.scale if self.data else None

    @property
    def sheet(self) -> EntrySheet | None:
        return self.data.sheet if self.data else None

    @property
    def campaign_id(self) -> str | None:
        """The campaign shown (None before a plan is loaded)."""
        return self.data.campaign_id if self.data else None

    @property
    def read_only(self) -> bool:
        return self.controller is None or self.controller.engine.read_only

    def load(self, questionnaire_id: str, campaign_id: str | None = None) -> None:
        """Open ``questionnaire_id`` off the UI thread, in ``campaign_id`` (by default the one
        chosen last for it, or its most recent); ``loaded`` says when it is shown."""
        self._loading = True
        self.questionnaire_id = questionnaire_id
        self.work.start(self.tr("Chargement du plan…"))
        db, identity = self.db, self.identity
        wanted = campaign_id or self.settings.campaign_id(questionnaire_id)

        def work(
            progress: Callable[[int, int, str], None],
        ) -> tuple[EntryData, list[CampaignSummary]]:
            return open_remembered(db, questionnaire_id, identity, wanted, progress=progress)

        self.tasks.run_operation(
            work,
            on_done=lambda result: self._loaded(*result),
            on_failure=self._load_failed,
            failed=self.tr("Le plan n'a pas pu être chargé"),
            what_to_do=self.tr("Actualisez (F5) ou choisissez un autre questionnaire."),
            on_progress=self._load_progressed,
        )

    def _load_progressed(self, done: int, total: int, text: str) -> None:
        self.work.start(text, done, total)

    def _load_failed(self, failure: Failure) -> None:
        self._loading = False
        self.work.finish()
        # In the window, not in a box: the agent can still choose another questionnaire.
        self.banner.show_message("error", failure.message)
        self.load_failed.emit(failure.message)

    def _loaded(self, data: EntryData, campaigns: list[CampaignSummary]) -> None:
        self._loading = False
        self.campaigns = campaigns
        self.work.finish()
        if self.controller is not None:
            self.controller.deleteLater()
        self.data = data
        controller = EntryController(data, None if self.db.read_only else self.drafts, self)
        self.controller = controller
        controller.changed.connect(self._answer_changed)
        controller.saved.connect(self._answer_saved)
        controller.state_changed.connect(self._save_state_changed)
        controller.write_failed.connect(self._write_failed)
        controller.notice.connect(lambda text: self.info_banner.show_message("info", text))
        controller.undo_stack.canUndoChanged.connect(self._undo_state_changed)
        controller.undo_stack.canRedoChanged.connect(self._undo_state_changed)
        controller.undo_stack.undoTextChanged.connect(self._undo_state_changed)
        controller.undo_stack.redoTextChanged.connect(self._undo_state_changed)

        sheet = data.sheet
        self._build_answer_menu(data.plan.scale)
        self.detail.set_controller(controller, self._history_loader())
        last = self.settings.last_action(data.plan.id)
        self._fill_filter_combos(sheet)
        # The models take the plan with their signals quiet, then the table is filtered once;
        # the tree follows in a second step, so that neither blocks the window long.
        with QSignalBlocker(self.tree.selectionModel()):
            self.tree_model.set_sheet(None)
        self.table.setColumnHidden(
            ActionTableModel.INDICATORS, not any(e.indicators_total for e in sheet.rows)
        )
        self._fit_columns()
        self.action_proxy.use_sheet(sheet, self._criteria())
        self.action_model.set_sheet(sheet)
        if last in sheet.by_code and self.action_proxy.proxy_row(last) < 0:
            # Where the agent left off is hidden by the default filters: show every pilot.
            with QSignalBlocker(self.pilot_combo):
                self.pilot_combo.setCurrentIndex(0)
            self.action_proxy.set_criteria(self._criteria())
        self._select_code(last, fallback_first=True)
        self._update_count()
        self._set_tab_order()
        self._update_header()
        self._update_banners()
        self._undo_state_changed()
        restored = controller.engine.restore_drafts()
        if restored:
            self.statusBar().showMessage(
                arg(
                    self.tr(
                        "%1 modification saisie lors d'une session précédente et non "
                        "enregistrée a été retrouvée ; elle est enregistrée maintenant."
                    )
                    if restored < 2
                    else self.tr(
                        "%1 modifications saisies lors d'une session précédente et non "
                        "enregistrées ont été retrouvées ; elles sont enregistrées maintenant."
                    ),
                    restored,
                ),
                15_000,
            )
        self.setWindowTitle(
            f"{self.plan_and_campaign()} — {APP_NAME}"
            + (self.tr(" (lecture seule)") if self.db.read_only else "")
        )
        self.table.setFocus()
        QTimer.singleShot(0, lambda: self._load_tree(data))

    def _load_tree(self, data: EntryData) -> None:
        if data is not self.data:
            return
        with QSignalBlocker(self.tree.selectionModel()):
            self.tree_model.set_sheet(data.sheet)
            self.tree.expandAll()
            self.tree.setCurrentIndex(self.tree_model.index(0, 0))
        self.loaded.emit()

    def _history_loader(self) -> Callable[[str], list[HistoryEntry]] | None:
        data = self.data
        if data is None or data.identity is None:
            return None
        db, campaign, code = self.db, data.campaign_id, data.identity.service_code
        return lambda action_code: read_history(db, campaign, code, action_code)

    def _fill_filter_combos(self, sheet: EntrySheet) -> None:
        for combo in (self.status_combo, self.pilot_combo):
            combo.blockSignals(True)
            combo.clear()
        self.status_combo.addItem(self.tr("Toutes"), None)
        for level in sheet.plan.scale.levels:
            self.status_combo.addItem(_color_icon(level.color), level.label, level.code)
        self.pilot_combo.addItem(self.tr("Tous les pilotes"), None)
        identity = self.data.identity if self.data else None
        if sheet.has_mine and identity is not None:
            self.pilot_combo.addItem(arg(self.tr("Mon service (%1)"), identity.service_kind), MINE)
        for pilot in sheet.pilots:
            self.pilot_combo.addItem(pilot, pilot)
        self.pilot_combo.setCurrentIndex(max(self.pilot_combo.findData(MINE), 0))
        self.unanswered_box.blockSignals(True)
        self.unanswered_box.setChecked(self.settings.unanswered_only)
        self.unanswered_box.blockSignals(False)
        self.status_combo.setEnabled(not self.unanswered_box.isChecked())
        for combo in (self.status_combo, self.pilot_combo):
            combo.blockSignals(False)

    def reload(self) -> None:
        if self._loading or not self._prepare_to_leave():
            return
        self.load(self.questionnaire_id, self.campaign_id)  # the campaign shown

    # ==== filters ===============================================================================

    def _criteria(self) -> EntryFilter:
        tree_filter = self.tree.currentIndex().data(PlanTreeModel.FilterRole)
        objective = theme = None
        if tree_filter:
            kind, index = tree_filter
            if kind == "objective":
                objective = index
            elif kind == "theme":
                theme = index
        return EntryFilter(
            text=self.search_edit.text(),
            unanswered_only=self.unanswered_box.isChecked(),
            status=None if self.unanswered_box.isChecked() else self.status_combo.currentData(),
            objective=objective,
            theme=theme,
            pilot=self.pilot_combo.currentData(),
        )

    def _filters_changed(self, *_args: object) -> None:
        if self.sheet is None:
            return
        current = self.current_entry()
        self.action_proxy.pin(-1)
        self.action_proxy.set_criteria(self._criteria())
        if current is not None:
            row = self.action_proxy.proxy_row(current.code)
            if row >= 0:
                self.action_proxy.pin(current.row)
            elif self.action_proxy.rowCount():
                self.table.setCurrentIndex(self.action_proxy.index(0, 0))
            else:
                self.detail.show_entry(None)
        elif self.action_proxy.rowCount():
            self.table.setCurrentIndex(self.action_proxy.index(0, 0))
        self._update_count()

    def _unanswered_toggled(self, checked: bool) -> None:
        self.status_combo.setEnabled(not checked)
        self.settings.unanswered_only = checked
        self._filters_changed()

    def _tree_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._filters_changed()

    def clear_filters(self) -> None:
        for widget in (self.search_edit, self.unanswered_box, self.status_combo, self.pilot_combo):
            widget.blockSignals(True)
        self.search_edit.clear()
        self.unanswered_box.setChecked(False)
        self.settings.unanswered_only = False
        self.status_combo.setEnabled(True)
        self.status_combo.setCurrentIndex(0)
        self.pilot_combo.setCurrentIndex(0)
        for widget in (self.search_edit, self.unanswered_box, self.status_combo, self.pilot_combo):
            widget.blockSignals(False)
        self.tree.setCurrentIndex(self.tree_model.index(0, 0))
        self._filters_changed()

    def _update_count(self) -> None:
        sheet = self.sheet
        self.filter_bar.set_count(
            None if sheet is None else self.action_proxy.rowCount(),
            0 if sheet is None else len(sheet.rows),
            active=self.action_proxy.criteria.active,
        )

    # ==== the current action ====================================================================

    def current_entry(self):
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.action_proxy.entry(index.row())

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.action_proxy.entry(current.row()) if current.isValid() else None
        self.detail.show_entry(entry)
        if entry is not None:
            # Pinned after the selection settles: a row answered under a filter that hides
            # answered rows stays until the agent moves on.
            QTimer.singleShot(0, lambda row=entry.row: self._pin(row))
            if self.data is not None:
                self.settings.set_last_action(self.data.plan.id, entry.code)

    def _pin(self, row: int) -> None:
        entry = self.current_entry()
        if entry is not None and entry.row == row:
            self.action_proxy.pin(row)
            self._update_count()

    def _select_code(self, code: str, *, fallback_first: bool = False) -> bool:
        row = self.action_proxy.proxy_row(code) if code else -1
        if row < 0:
            if fallback_first and self.action_proxy.rowCount():
                row = 0
            else:
                return False
        index = self.action_proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def move_current(self, step: int) -> None:
        count = self.action_proxy.rowCount()
        if not count:
            return
        row = self.table.currentIndex().row()
        new = min(max(row + step, 0), count - 1) if row >= 0 else 0
        if new != row:
            self.detail.commit_pending()
            self._select_row(new)

    def _select_row(self, row: int) -> None:
        index = self.action_proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def next_unanswered(self) -> None:
        """The next action without an answer among those shown (from the top after the end)."""
        sheet = self.sheet
        if sheet is None:
            return
        self.detail.commit_pending()
        proxy = self.action_proxy
        count = proxy.rowCount()
        start = self.table.currentIndex().row()
        for step in range(1, count + 1):
            row = (start + step) % count if start >= 0 else step - 1
            if not proxy.entry(row).answered:  # no answer, or one carried to confirm
                self._select_row(row)
                return
        hidden = any(not entry.answered for entry in sheet.scope)
        self.statusBar().showMessage(
            self.tr(
                "Toutes les actions affichées sont renseignées. D'autres, masquées par les "
                "filtres, ne le sont pas encore."
            )
            if hidden and proxy.criteria.active
            else self.tr("Toutes les actions affichées sont renseignées."),
            10_000,
        )

    def set_current_status(self, status: str | None) -> None:
        entry = self.current_entry()
        if entry is None or self.controller is None:
            return
        if self.controller.engine.read_only:
            self._explain_read_only()
            return
        self.controller.set_status(entry.code, status)
        self.detail.refresh()

    def confirm_current(self) -> None:
        """Keep the current action's carried answer as it is (key K)."""
        entry = self.current_entry()
        if entry is None or self.controller is None:
            return
        if self.controller.engine.read_only:
            self._explain_read_only()
            return
        if not self.controller.engine.confirm(entry.code):
            self.statusBar().showMessage(
                self.tr("Cette action n'a pas de réponse reprise à confirmer."), 5000
            )
            return
        self.detail.refresh()

    def _explain_read_only(self) -> None:
        self.statusBar().showMessage(
            self.tr(
                "Lecture seule : les réponses ne peuvent pas être modifiées dans cette fenêtre."
            ),
            8000,
        )

    # ==== focus =================================================================================

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.action_proxy.rowCount():
            self._select_row(0)

    def focus_tree(self) -> None:
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def focus_comment(self) -> None:
        self.detail.focus_comment()

    def focus_indicators(self) -> None:
        if not self.detail.focus_indicators():
            self.statusBar().showMessage(self.tr("Cette action n'a pas d'indicateur."), 5000)

    # ==== changes, saving, undo =================================================================

    def _answer_changed(self, code: str) -> None:
        self.action_model.refresh(code)
        if self.sheet is not None:
            self.tree_model.progress_changed(self.sheet.by_code.get(code))
        self._update_header()
        self._update_count()
        entry = self.detail.entry
        if entry is not None and entry.code == code:
            self.detail.refresh()

    def _answer_saved(self, code: str) -> None:
        entry = self.detail.entry
        if entry is not None and entry.code == code:
            self.detail.refresh_history()

    def _save_state_changed(self) -> None:
        self._update_save_label()
        self.detail.update_states()
        controller = self.controller
        if controller is not None and not controller.engine.pending and self.banner.kind == "error":
            self.banner.clear()
            self.statusBar().showMessage(
                self.tr("Les modifications en attente sont enregistrées."), 8000
            )

    def _write_failed(self, message: str) -> None:
        waiting = len(self.controller.engine.pending) if self.controller else 0
        self.banner.show_message(
            "error",
            message
            + "\n"
            + arg(
                self.tr(
                    "Ce que vous avez saisi reste affiché et gardé sur ce poste (%1 en "
                    "attente) ; un nouvel essai est fait automatiquement."
                ),
                count(waiting, self.tr("modification"), self.tr("modifications")),
            ),
            self.tr("Réessayer"),
        )
        self._update_save_label()

    def _update_save_label(self) -> None:
        """What is saved, said once for the whole window: « ✓ Tout est enregistré » only when
        nothing typed waits, was refused or is in conflict."""
        controller = self.controller
        tip = self.tr(
            "Chaque modification est enregistrée aussitôt dans la base, avec votre nom et "
            "l'heure (voir l'historique de l'action)."
        )
        invalid = self.detail.has_invalid_values()
        if controller is None or controller.engine.read_only:
            text, kind = (self.tr("Lecture seule") if self.db.read_only else ""), "muted"
        elif controller.engine.pending:
            pending = len(controller.engine.pending)
            text = arg(
                self.tr("⚠ %1 %2"),
                count(pending, self.tr("modification"), self.tr("modifications")),
                plural(pending, self.tr("non enregistrée"), self.tr("non enregistrées")),
            )
            kind = "error"
        elif not controller.engine.idle:
            text, kind = self.tr("Enregistrement…"), "muted"
        elif invalid:
            text = arg(
                self.tr("⚠ %1 %2"),
                count(len(invalid), self.tr("valeur refusée"), self.tr("valeurs refusées")),
                plural(len(invalid), self.tr("non enregistrée"), self.tr("non enregistrées")),
            )
            kind = "error"
            tip = arg(
                self.tr("Ces valeurs ne sont pas des nombres valides ; corrigez-les :\n%1"),
                "\n".join(invalid[:10]),
            )
        elif controller.engine.conflicts:
            text = arg(
                self.tr("⚠ %1 à régler"),
                count(
                    len(controller.engine.conflicts),
                    self.tr("saisie en conflit"),
                    self.tr("saisies en conflit"),
                ),
            )
            kind = "error"
            tip = self.tr(
                "Une réponse a été modifiée ailleurs pendant votre saisie : choisissez dans "
                "l'action « Remettre ma saisie » ou « Garder cette version »."
            )
        else:
            text, kind = self.tr("✓ Tout est enregistré"), "ok"
        self.save_label.setText(text)
        set_tone(self.save_label, kind, bold=kind == "error")
        self.save_label.setToolTip(tip)
        self.save_label.setAccessibleName(text)
        self.save_label.setAccessibleDescription(tip)

    def invalid_values(self) -> list[str]:
        """The indicator values typed but refused (not numbers), still in their fields."""
        return self.detail.has_invalid_values()

    def save_now(self) -> None:
        self.detail.commit_pending()
        controller = self.controller
        if controller is None:
            return
        if controller.engine.read_only:
            self._explain_read_only()
            return
        if controller.engine.pending:
            controller.engine.retry()
            self.statusBar().showMessage(self.tr("Nouvel essai d'enregistrement…"), 5000)
        else:
            self.statusBar().showMessage(
                self.tr("Tout est enregistré : chaque modification l'est dès qu'elle est faite."),
                5000,
            )

    def _undo_state_changed(self, *_args: object) -> None:
        stack = self.controller.undo_stack if self.controller else None
        can_undo = stack is not None and stack.canUndo()
        can_redo = stack is not None and stack.canRedo()
        self.undo_action.setEnabled(True)  # it also takes back a comment being typed
        self.redo_action.setEnabled(can_redo)
        self.undo_action.setText(
            arg(self.tr("&Annuler %1"), stack.undoText()) if can_undo else self.tr("&Annuler")
        )
        self.redo_action.setText(
            arg(self.tr("&Rétablir %1"), stack.redoText()) if can_redo else self.tr("&Rétablir")
        )

    def _command_code(self, index: int) -> str | None:
        stack = self.controller.undo_stack if self.controller else None
        if stack is None or not 0 <= index < stack.count():
            return None
        command = stack.command(index)
        return command.key.code if isinstance(command, FieldCommand) else None

    def undo(self) -> None:
        controller = self.controller
        if controller is None:
            return
        if self.detail.revert_focused_value():
            return
        self.detail.commit_pending()
        stack = controller.undo_stack
        if not stack.canUndo():
            return
        code = self._command_code(stack.index() - 1)
        stack.undo()
        self.detail.end_burst()
        self._show_changed(code)

    def redo(self) -> None:
        controller = self.controller
        if controller is None:
            return
        self.detail.commit_pending()
        stack = controller.undo_stack
        if not stack.canRedo():
            return
        code = self._command_code(stack.index())
        stack.redo()
        self.detail.end_burst()
        self._show_changed(code)

    def _show_changed(self, code: str | None) -> None:
        """Undo and redo show the action they changed."""
        entry = self.current_entry()
        if code is None or (entry is not None and entry.code == code):
            return
        if not self._select_code(code):
            self.statusBar().showMessage(
                arg(
                    self.tr(
                        "Modification annulée ou rétablie sur l'action %1 "
                        "(masquée par les filtres)."
                    ),
                    code,
                ),
                8000,
            )

    # ==== answers changed by an import =========================================================

    def when_saved(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once everything the agent typed so far has been written, or
        refused and kept in the drafts: an import, an export or an undo then sees it."""
        self.detail.commit_pending()
        controller = self.controller
        if controller is None or controller.engine.idle:
            callback()
            return

        def check() -> None:
            if controller.engine.idle:
                controller.state_changed.disconnect(check)
                callback()

        controller.state_changed.connect(check)

    def reload_answers(self) -> None:
        """Show the answers as the database has them now (after an import or its undoing),
        keeping the action shown, the filters, and the values typed that could not be saved
        (those the database refused come back from the drafts)."""
        self.detail.commit_pending()
        entry = self.current_entry()
        code = entry.code if entry is not None else ""
        typed = self.detail.typed_values()
        status, pilot = self.status_combo.currentData(), self.pilot_combo.currentData()
        tree_filter = self.tree.currentIndex().data(PlanTreeModel.FilterRole)
        questionnaire = self.questionnaire_id

        def restore() -> None:
            self.loaded.disconnect(restore)
            if self.data is None or self.data.plan.id != questionnaire:
                return  # another plan was opened meanwhile: nothing of this one applies
            for combo, value in ((self.status_combo, status), (self.pilot_combo, pilot)):
                row = 0 if value is None else combo.findData(value)
                if row >= 0:
                    with QSignalBlocker(combo):
                        combo.setCurrentIndex(row)
            index = self.tree_model.find(*tree_filter) if tree_filter else QModelIndex()
            if index.isValid():
                with QSignalBlocker(self.tree.selectionModel()):
                    self.tree.setCurrentIndex(index)
            self.action_proxy.set_criteria(self._criteria())
            self._select_code(code, fallback_first=True)
            self.detail.keep_typed_values(typed)
            self._update_count()

        self.loaded.connect(restore)
        self.load(self.questionnaire_id, self.campaign_id)  # the campaign shown

    # ==== header and banners ====================================================================

    def _update_header(self) -> None:
        data = self.data
        if data is None:
            return
        sheet = data.sheet
        self.plan_label.setAccessibleName(self.plan_and_campaign())
        self.plan_label.setToolTip(self.plan_and_campaign(full=True))
        self._elide_plan_label()
        identity = data.identity
        if identity is not None:
            text = f"{identity.service_label} ({identity.service_code}) — {identity.agent_name}"
            if sheet.has_mine:
                text += " · " + arg(self.tr("actions pilotées par %1"), identity.service_kind)
            self.identity_label.setText(text)
            self.identity_label.setToolTip(text)
        else:
            self.identity_label.setText(self.tr("Consultation : aucun service choisi"))
        progress = sheet.progress()
        self.progress_bar.setRange(0, max(progress.total, 1))
        self.progress_bar.setValue(progress.answered)
        self.progress_label.setText(
            arg(
                self.tr("%1 / %2 %3"),
                progress.answered,
                progress.total,
                plural(
                    progress.total, self.tr("action renseignée"), self.tr("actions renseignées")
                ),
            )
        )
        tooltip = progress_tooltip(progress, data.plan.scale, self.tr)
        self.progress_label.setToolTip(tooltip)
        self.progress_bar.setToolTip(tooltip)
        self._update_save_label()

    def campaign(self) -> CampaignSummary | None:
        """The campaign shown (None before a plan is loaded)."""
        data = self.data
        if data is None:
            return None
        return next((c for c in self.campaigns if c.id == data.campaign_id), None)

    def plan_and_campaign(self, *, full: bool = False) -> str:
        """« SRADAR 2021-2023 — Évaluation 2024 »."""
        if self.data is None:
            return ""
        plan = self.data.plan.title if full else self.data.plan.display_title
        campaign = self.campaign()
        return f"{plan} — {campaign.title}" if campaign is not None else plan

    def _update_banners(self) -> None:
        if self.db.read_only:
            self.info_banner.show_message(
                "info",
                self.tr(
                    "Lecture seule : cette base est ouverte dans une autre fenêtre de SRADAR "
                    "Desktop, qui seule peut y enregistrer. Vous pouvez consulter les réponses "
                    "(F5 pour les relire)."
                ),
            )
        elif self.data is not None and self.data.identity is None:
            self.info_banner.show_message(
                "info",
                self.tr(
                    "Consultation seulement : pour répondre, indiquez votre service et votre nom."
                ),
                self.tr("Indiquer mon service…"),
            )
        else:
            self.info_banner.clear()
        self.reload_action.setEnabled(self.db.read_only)

    # ==== dialogs ===============================================================================

    def edit_identity(self) -> None:
        if self.db.read_only:
            self._explain_read_only()
            return
        try:
            questionnaires = list_questionnaires(self.db)
        except UserError as error:
            QMessageBox.warning(self, APP_NAME, str(error))
            return
        dialog = IdentityDialog(
            questionnaires,
            self.identity,
            self.questionnaire_id,
            first_start=False,
            parent=self,
        )
        if dialog.exec() != IdentityDialog.DialogCode.Accepted or dialog.identity is None:
            return
        self.apply_identity(dialog.identity, dialog.questionnaire_id)

    def apply_identity(self, identity: Identity, questionnaire_id: str) -> None:
        """Answer as ``identity`` on ``questionnaire_id`` from now on (saved in the settings)."""
        if not self._prepare_to_leave():
            return
        self.settings.set_identity(identity)
        self.settings.questionnaire_id = questionnaire_id
        if self.guard is not None and hasattr(self.guard, "set_agent"):
            self.guard.set_agent(identity.agent_name)
        self.identity = identity
        self.load(questionnaire_id)

    def change_campaign(self) -> None:
        """« Changer de campagne… »: the campaigns of this questionnaire, to open another."""
        if self.data is None or self._loading:
            return
        try:
            campaigns = list_campaigns(self.db, self.questionnaire_id)
        except UserError as error:
            QMessageBox.warning(self, APP_NAME, str(error))
            return
        dialog = CampaignDialog(
            campaigns, self.data.campaign_id, self.data.plan.display_title, self
        )
        if dialog.exec() != CampaignDialog.DialogCode.Accepted or not dialog.campaign_id:
            return
        self.open_campaign(dialog.campaign_id)

    def new_campaign(self) -> None:
        """« Nouvelle campagne… »: the next evaluation from the one shown, then open it."""
        if self.db.read_only:
            self._explain_read_only()
            return
        current = self.campaign()
        if current is None or self._loading or not self._prepare_to_leave():
            return
        actor = self.identity.agent_name if self.identity is not None else ""
        dialog = NewCampaignDialog(self.db, current, actor, self)
        if dialog.exec() != NewCampaignDialog.DialogCode.Accepted or dialog.created is None:
            return
        self.open_campaign(dialog.created.id)

    def open_campaign(self, campaign_id: str) -> None:
        """Show ``campaign_id`` of this questionnaire (remembered for the next start)."""
        if self.data is not None and campaign_id == self.data.campaign_id:
            return
        if not self._prepare_to_leave():
            return
        self.settings.set_campaign_id(self.questionnaire_id, campaign_id)
        self.load(self.questionnaire_id, campaign_id)

    def _prepare_to_leave(self) -> bool:
        """Before another plan or identity: everything typed saved, or the agent told."""
        self.detail.commit_pending()
        controller = self.controller
        if controller is None:
            return True
        controller.engine.wait()
        if controller.engine.pending:
            QMessageBox.warning(
                self,
                APP_NAME,
                arg(
                    self.tr(
                        "%1 modification n'a pas encore pu être enregistrée. Réessayez "
                        "(Ctrl+S) avant de changer de service ou de questionnaire.\n\n%2"
                    )
                    if len(controller.engine.pending) < 2
                    else self.tr(
                        "%1 modifications n'ont pas encore pu être enregistrées. Réessayez "
                        "(Ctrl+S) avant de changer de service ou de questionnaire.\n\n%2"
                    ),
                    len(controller.engine.pending),
                    controller.engine.last_error,
                ),
            )
            return False
        return True

    def show_shortcuts(self) -> None:
        groups = [
            (
                self.tr("Répondre"),
                [*self.status_actions.values(), self.clear_status_action, self.confirm_action],
            ),
            (
                self.tr("Se déplacer"),
                [
                    self.next_action,
                    self.previous_action,
                    self.next_unanswered_action,
                    self.comment_action,
                    self.indicators_action,
                    self.history_action,
                    self.focus_tree_action,
                    self.focus_table_action,
                    self.focus_detail_action,
                ],
            ),
            (
                self.tr("Filtrer et chercher"),
                [self.find_action, self.unanswered_action, self.clear_filters_action],
            ),
            (
                self.tr("Modifier"),
                [self.undo_action, self.redo_action, self.save_action, self.identity_action],
            ),
            (
                self.tr("Échanger les classeurs"),
                [self.exchange.import_action, self.exchange.export_action],
            ),
            (self.tr("Consolider"), [self.consolidation_action]),
        ]
        ShortcutsDialog(shortcuts_html(groups), self).exec()

    def show_about(self) -> None:
        show_about(self, self.db.location)

    def handle_file_drag(self, event: QDropEvent) -> bool:
        """Files dragged over one of the window's text fields: imported like files dropped
        anywhere else on the window (see ``ui.widgets.FileDragsToWindow``)."""
        return self.exchange.file_drops.handle(event)

    def show_guide(self) -> None:
        """The French user guide, in the system's browser (it ships with the application)."""
        guide = resources_dir() / "guide" / "guide.html"
        if not guide.is_file() or not QDesktopServices.openUrl(QUrl.fromLocalFile(str(guide))):
            QMessageBox.information(
                self,
                self.tr("Guide d'utilisation"),
                arg(
                    self.tr(
                        "Le guide n'a pas pu être ouvert automatiquement. Ouvrez ce fichier "
                        "dans votre navigateur : %1"
                    ),
                    str(guide),
                ),
            )

    def open_consolidation(self) -> None:
        """The consolidation of the current questionnaire, in a window beside this one."""
        # Imported here: QtCharts is loaded when the consolidation is first opened, not at start.
        from sradar_desktop.ui.consolidation.window import show_consolidation

        self.consolidation_window = show_consolidation(
            self.consolidation_window,
            self.db,
            self.questionnaire_id,
            campaign_id=self.campaign_id,
            actor=self.identity.agent_name if self.identity is not None else "",
            settings=self.settings,
            parent=self,
        )

    # ==== window ================================================================================

    def _restore_geometry(self) -> None:
        self._placed = restore_placement(
            self, self.settings.geometry, self.panes, self.settings.splitter_state
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            if watched is self.plan_label:
                self._elide_plan_label()
            elif watched is self.table.viewport():
                self._fit_columns()
        return super().eventFilter(watched, event)

    def _elide_plan_label(self) -> None:
        """Plan and campaign cut in the middle on a narrow screen: the campaign's title, at
        the end, stays in view (the whole of it in the tooltip and the spoken name)."""
        text = self.plan_label.accessibleName()
        width = self.plan_label.width()
        metrics = self.plan_label.fontMetrics()
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width) if width else text
        if self.plan_label.text() != shown:
            self.plan_label.setText(shown)

    def _fit_columns(self) -> None:
        """The Action column keeps room for about 24 characters a line: in a narrow list the
        Pilotes column gives way (the detail pane shows the pilots of the action)."""
        header = self.table.horizontalHeader()
        others = sum(
            header.sectionSize(column)
            for column in range(self.action_model.columnCount())
            if column not in (ActionTableModel.TEXT, ActionTableModel.PILOTS)
            and not self.table.isColumnHidden(column)
        )
        room = self.table.viewport().width() - others - header.sectionSize(ActionTableModel.PILOTS)
        narrow = room < self.table.fontMetrics().averageCharWidth() * 24
        if self.table.isColumnHidden(ActionTableModel.PILOTS) != narrow:
            self.table.setColumnHidden(ActionTableModel.PILOTS, narrow)

    @staticmethod
    def _pane_sizes(length: int) -> list[int]:
        """Plan, actions, detail: the detail keeps room for the answer buttons in a row."""
        tree = clamp(length * 0.2, 200, 320)
        detail = clamp(length * 0.32, 360, 460)
        return [tree, max(length - tree - detail, 0), detail]

    def show_restored(self) -> None:
        """Show the window as it was left; maximised on a first start on a small screen."""
        show_placed(self, self._placed)

    def bring_to_front(self) -> None:
        bring_to_front(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.detail.commit_pending()
        controller = self.controller
        if controller is not None:
            controller.engine.wait()
            if controller.engine.pending and not self._confirm_close_with_unsaved():
                event.ignore()
                return
        invalid = self.detail.has_invalid_values()
        if invalid and not self._confirm_close_with_invalid(invalid):
            event.ignore()
            return
        self._closing = True
        self.settings.geometry = self.saveGeometry()
        self.settings.splitter_state = self.splitter.saveState()
        self.settings.sync()
        self.tasks.wait()
        event.accept()
        super().closeEvent(event)

    def _confirm_close_with_unsaved(self) -> bool:
        """Some changes could not be saved: retry, close anyway (they stay in the drafts), or
        stay."""
        controller = self.controller
        assert controller is not None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText(
            arg(
                self.tr("%1 modification n'a pas pu être enregistrée dans la base.")
                if len(controller.engine.pending) < 2
                else self.tr("%1 modifications n'ont pas pu être enregistrées dans la base."),
                len(controller.engine.pending),
            )
        )
        box.setInformativeText(
            controller.engine.last_error
            + "\n\n"
            + self.tr(
                "Elles sont gardées sur ce poste et vous seront proposées à la prochaine "
                "ouverture de cette base. Vous pouvez aussi réessayer maintenant."
            )
        )
        retry = box.addButton(self.tr("Réessayer"), QMessageBox.ButtonRole.AcceptRole)
        close = box.addButton(self.tr("Fermer quand même"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Ne pas fermer"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(retry)
        box.exec()
        if box.clickedButton() is close:
            return True
        if box.clickedButton() is retry:
            controller.engine.retry()
            controller.engine.wait()
            return not controller.engine.pending
        return False

    def _confirm_close_with_invalid(self, invalid: list[str]) -> bool:
        answer = QMessageBox.question(
            self,
            APP_NAME,
            arg(
                self.tr(
                    "Des valeurs d'indicateurs saisies ne sont pas des nombres valides et ne sont "
                    "pas enregistrées :\n%1\n\nFermer quand même ?"
                ),
                "\n".join(invalid[:10]),
            ),
        )
        return answer == QMessageBox.StandardButton.Yes
