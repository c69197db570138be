"""The entry window: the plan as a tree, the actions as a table, the current action in detail.

The agent answers with the keyboard (a key per answer, next / previous / next unanswered, the
comment and the indicators), sees what is left (completion bar, progress per objective,
filters and search), and never saves: every change is written at once, and undoable.

The window is a shell: it lays out its panes, loads a plan and follows its life (closing,
placement). Each room runs one part of it: ``header`` (plan, agent, completion, save state),
``filters``, ``action_list`` (the tree, the table, the current action), ``detail`` (the current
action's answer), ``editing`` (saving and undoing), ``campaigns`` (identity, campaigns),
``exchange`` (files in and out) and ``menus`` (every command with its key).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from sradar_desktop import APP_NAME
from sradar_desktop.domain.answers import HistoryEntry
from sradar_desktop.domain.campaigns import CampaignSummary
from sradar_desktop.failures import Failure
from sradar_desktop.services.drafts import DraftStore
from sradar_desktop.services.entry_data import EntryData, Identity, read_history
from sradar_desktop.services.views.entry import EntryFilter, EntryRow, EntrySheet
from sradar_desktop.ui.entry.action_list import ActionList
from sradar_desktop.ui.entry.campaigns import Campaigns
from sradar_desktop.ui.entry.controller import EntryController
from sradar_desktop.ui.entry.detail import ActionDetail
from sradar_desktop.ui.entry.editing import Editing
from sradar_desktop.ui.entry.exchange import WorkbookExchange
from sradar_desktop.ui.entry.filters import EntryFilters
from sradar_desktop.ui.entry.header import EntryHeader
from sradar_desktop.ui.entry.menus import EntryMenus
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import (
    ElidedLabel,
    PaneSizer,
    WorkIndicator,
    bring_to_front,
    clamp,
    restore_placement,
    show_placed,
)
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.single_instance import InstanceGuard
from sradar_desktop.ui.parts.speech import announce
from sradar_desktop.ui.parts.splash import AfterFirstPaint
from sradar_desktop.ui.parts.tasks import TaskRunner
from sradar_desktop.ui.parts.widgets import Banner, focus_step, tab_order

if TYPE_CHECKING:
    from sradar_desktop.services.database import Database
    from sradar_desktop.ui.consolidation.window import ConsolidationWindow

_FROM_SETTINGS = object()


def pane_sizes(length: int) -> list[int]:
    """Plan, actions, detail: the detail keeps room for the answer buttons in a row."""
    tree = clamp(length * 0.2, 200, 320)
    detail = clamp(length * 0.32, 360, 460)
    return [tree, max(length - tree - detail, 0), detail]


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
        guard: InstanceGuard | None = None,
        entry: tuple[EntryData, list[CampaignSummary]] | None = None,
    ) -> None:
        """``entry``: the plan already read, with its campaigns (``app`` reads it before the
        window is built); the answers are then opened for writing once the window is painted.
        Else the window reads ``questionnaire_id`` (by default the one chosen last)."""
        super().__init__(parent)
        self.db = db
        self.settings = settings or Settings()
        self.identity: Identity | None = (
            self.settings.identity() if identity is _FROM_SETTINGS else identity  # type: ignore[assignment]
        )
        self.questionnaire_id = questionnaire_id or self.settings.questionnaire_id
        self.guard = guard
        self.consolidation_window: ConsolidationWindow | None = None
        self.data: EntryData | None = None
        self.campaigns_shown: list[CampaignSummary] = []  # of the questionnaire shown
        self.controller: EntryController | None = None
        self.tasks = TaskRunner(self)
        self.drafts = DraftStore(db.key)
        self.loading = False
        self.setObjectName("fenetre-principale")
        self.setWindowTitle(APP_NAME)

        self.header = EntryHeader()
        self.banner = Banner()
        self.info_banner = Banner()
        self.filters = EntryFilters(self.settings, self)
        self.action_list = ActionList(lambda: self.data.plan.scale if self.data else None, self)
        self.detail = ActionDetail()
        self.detail.setObjectName("detail")
        self.editing = Editing(self)
        self.campaigns = Campaigns(self)
        self.exchange = WorkbookExchange(self)
        self.menus = EntryMenus(self)
        self._connect()
        self._build_status_bar()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("panneaux")
        for pane, stretch in (
            (self.action_list.tree, 0),
            (self.action_list.table, 1),
            (self.detail, 0),
        ):
            self.splitter.addWidget(pane)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setChildrenCollapsible(False)
        # On a first start the plan and the detail take their share of the screen and the
        # list of actions, the rest: its Action column is the one that needs the room.
        self.panes = PaneSizer(self.splitter, pane_sizes)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 2)
        layout.setSpacing(4)
        for widget in (self.header, self.banner, self.info_banner, self.filters.bar):
            layout.addWidget(widget)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        # Qt's own order (the detail pane keeps its part in order as its answers change).
        tab_order(
            [
                *self.filters.widgets(),
                self.action_list.tree,
                self.action_list.table,
                *self.detail.focus_chain(),
            ]
        )
        self._placed = restore_placement(
            self, self.settings.geometry, self.panes, self.settings.splitter_state
        )
        if entry is None:
            self.load(self.questionnaire_id)
        else:
            self._loaded(*entry)

    def _connect(self) -> None:
        self.banner.button.clicked.connect(self.editing.save_now)
        self.info_banner.button.clicked.connect(self.campaigns.edit_identity)
        self.filters.changed.connect(self._filters_changed)
        self.filters.cleared.connect(self.action_list.whole_plan)
        self.filters.cleared.connect(self._filters_changed)
        self.filters.search_edit.escape_pressed.connect(self.focus_table)
        self.action_list.tree_changed.connect(self._filters_changed)
        self.action_list.current_changed.connect(self._current_changed)
        self.action_list.activated.connect(self.focus_comment)
        self.action_list.shown_changed.connect(self.update_count)
        self.detail.back_to_list.connect(self.focus_table)
        self.detail.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.detail.typed_state_changed.connect(self.editing.update_save_label)

    def _build_status_bar(self) -> None:
        self.work = WorkIndicator()
        location = arg(self.tr("Base : %1"), self.db.location)
        # A long path gives way to the messages (cut in the middle; whole in the tooltip).
        self.database_label = ElidedLabel(location, mode=Qt.TextElideMode.ElideMiddle, muted=True)
        self.database_label.set_tip(location)
        self.database_label.setMaximumWidth(420)
        # What the status bar says is said to a screen reader too.
        self.statusBar().messageChanged.connect(lambda text: announce(text) if text else None)
        self.statusBar().addPermanentWidget(self.work)
        self.statusBar().addPermanentWidget(self.database_label, 1)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Maj+Tab go round the window in reading order: the banners' buttons, the
        filters, the plan, the actions, the detail pane, and back to the top — never round
        the detail pane alone."""
        stops: list[list[QWidget]] = [
            [self.banner.button],
            [self.info_banner.button],
            *([widget] for widget in self.filters.widgets()),
            [self.action_list.tree],
            [self.action_list.table],
            *self.detail.tab_stops(),
        ]
        return focus_step(stops, forward=next) or super().focusNextPrevChild(next)

    # ==== what is shown =========================================================================

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

    def campaign(self) -> CampaignSummary | None:
        """The campaign shown (None before a plan is loaded)."""
        data = self.data
        if data is None:
            return None
        return next((c for c in self.campaigns_shown if c.id == data.campaign_id), None)

    def plan_and_campaign(self, *, full: bool = False) -> str:
        """« SRADAR 2021-2023 — Évaluation 2024 »."""
        if self.data is None:
            return ""
        plan = self.data.plan.title if full else self.data.plan.display_title
        campaign = self.campaign()
        return f"{plan} — {campaign.title}" if campaign is not None else plan

    def current_entry(self) -> EntryRow | None:
        return self.action_list.current_entry()

    # ==== loading ===============================================================================

    def load(self, questionnaire_id: str, campaign_id: str | None = None) -> None:
        """Open ``questionnaire_id`` off the UI thread, in ``campaign_id`` (by default the one
        chosen last for it, or its most recent); ``loaded`` says when it is shown."""
        self.loading = True
        self.questionnaire_id = questionnaire_id
        self.work.start(self.tr("Chargement du plan…"))
        # Imported here, on the window's thread (the reading runs on another): the services
        # and SQLAlchemy are not needed to build the window.
        from sradar_desktop.services.entry import open_remembered

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
            on_progress=lambda done, total, text: self.work.start(text, done, total),
        )

    def _load_failed(self, failure: Failure) -> None:
        self.loading = False
        self.work.finish()
        # In the window, not in a box: the agent can still choose another questionnaire.
        self.banner.show_message("error", failure.message)
        self.load_failed.emit(failure.message)

    def _loaded(self, data: EntryData, campaigns: list[CampaignSummary]) -> None:
        self.loading = False
        self.campaigns_shown = campaigns
        self.work.finish()
        if self.controller is not None:
            if self.controller.engine.starting:
                self.controller.engine.wait()  # what was held, opened and written first
            self.controller.deleteLater()
        self.data = data
        controller = EntryController(data, None if self.db.read_only else self.drafts, self)
        self.controller = controller
        if data.service is None and data.identity is not None and not self.db.read_only:
            controller.expect_writing(self.db)  # read ahead (``entry``): opened once painted
        self.editing.follow(controller)
        controller.notice.connect(lambda text: self.info_banner.show_message("info", text))

        sheet = data.sheet
        self.menus.build_answer_menu(data.plan.scale)
        self.detail.set_controller(controller, self._history_loader())
        last = self.settings.last_action(data.plan.id)
        self.filters.fill(sheet, data.identity)
        # The models take the plan with their signals quiet, then the table is filtered once;
        # the tree follows in a second step, so that neither blocks the window long.
        self.action_list.show_sheet(sheet, self._criteria())
        if last in sheet.by_code and self.action_list.proxy.proxy_row(last) < 0:
            # Where the agent left off is hidden by the default filters: show every pilot.
            self.filters.show_every_pilot()
            self.action_list.proxy.set_criteria(self._criteria())
        self.action_list.select_code(last, fallback_first=True)
        self.update_count()
        self.update_header()
        self._update_banners()
        self.editing.undo_state_changed()
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
        self.editing.bring_back_refused()
        self.setWindowTitle(
            f"{self.plan_and_campaign()} — {APP_NAME}"
            + (self.tr(" (lecture seule)") if self.db.read_only else "")
        )
        self.action_list.table.setFocus()
        QTimer.singleShot(0, lambda: self._load_tree(data))

    def _load_tree(self, data: EntryData) -> None:
        if data is not self.data:
            return
        self.action_list.show_tree(data.sheet)
        self.loaded.emit()
        controller = self.controller
        if controller is not None and controller.engine.starting:

            def start_writing() -> None:
                if controller is self.controller:  # not another plan's, loaded meanwhile
                    controller.start_writing()

            AfterFirstPaint(self, start_writing)

    def _history_loader(self) -> Callable[[str], list[HistoryEntry]] | None:
        data = self.data
        if data is None or data.identity is None:
            return None
        db, campaign, code = self.db, data.campaign_id, data.identity.service_code

        return lambda action_code: read_history(db, campaign, code, action_code)

    def reload(self) -> None:
        if self.loading or not self.editing.ready_to_leave():
            return
        self.load(self.questionnaire_id, self.campaign_id)  # the campaign shown

    def reload_answers(self) -> None:
        """Show the answers as the database has them now (after an import or its undoing),
        keeping the action shown, the filters, and the values typed that could not be saved
        (those the database refused come back from the drafts)."""
        self.detail.commit_pending()
        entry = self.current_entry()
        code = entry.code if entry is not None else ""
        typed = self.detail.indicators.typed_values()
        choices, tree_filter = self.filters.choices(), self.action_list.tree_filter()
        questionnaire = self.questionnaire_id

        def restore() -> None:
            self.loaded.disconnect(restore)
            if self.data is None or self.data.plan.id != questionnaire:
                return  # another plan was opened meanwhile: nothing of this one applies
            self.filters.choose(choices)
            self.action_list.choose_in_tree(tree_filter)
            self.action_list.proxy.set_criteria(self._criteria())
            self.action_list.select_code(code, fallback_first=True)
            if self.detail.indicators.keep_typed_values(typed):
                self.detail.show_entry(self.detail.entry)  # the refused values shown again
            self.update_count()

        self.loaded.connect(restore)
        self.load(self.questionnaire_id, self.campaign_id)  # the campaign shown

    # ==== filters and the current action ========================================================

    def _criteria(self) -> EntryFilter:
        return self.filters.criteria(self.action_list.tree_filter())

    def _filters_changed(self) -> None:
        if self.sheet is not None:
            self.action_list.filter(self._criteria())

    def update_count(self) -> None:
        sheet = self.sheet
        proxy = self.action_list.proxy
        self.filters.set_count(
            None if sheet is None else proxy.rowCount(),
            0 if sheet is None else len(sheet.rows),
            active=proxy.criteria.active,
        )

    def _current_changed(self, entry: EntryRow | None) -> None:
        self.detail.show_entry(entry)
        if entry is not None and self.data is not None:
            self.settings.set_last_action(self.data.plan.id, entry.code)

    def move_current(self, step: int) -> None:
        self.detail.commit_pending()
        if self.action_list.move(step):
            self._tell_current()
        elif not self.action_list.table.hasFocus():
            announce(
                self.tr("Dernière action de la liste.")
                if step > 0
                else self.tr("Première action de la liste.")
            )

    def _tell_current(self) -> None:
        """Another action shown while the focus stays out of the list (in the comment, the
        history): a screen reader says which (in the list, the row taking the focus says it)."""
        if not self.action_list.table.hasFocus():
            announce(self.detail.spoken_entry())

    def next_unanswered(self) -> None:
        """The next action without an answer among those shown, or why there is none."""
        sheet = self.sheet
        if sheet is None:
            return
        self.detail.commit_pending()
        if self.action_list.next_unanswered():
            self._tell_current()
            return
        hidden = any(not entry.answered for entry in sheet.scope)
        self.statusBar().showMessage(
            self.tr(
                "Toutes les actions affichées sont renseignées. D'autres, masquées par les "
                "filtres, ne le sont pas encore."
            )
            if hidden and self.action_list.proxy.criteria.active
            else self.tr("Toutes les actions affichées sont renseignées."),
            10_000,
        )

    def set_current_status(self, status: str | None) -> None:
        entry = self.current_entry()
        if entry is None or self.controller is None:
            return
        if self.controller.engine.read_only:
            self.explain_read_only()
            return
        if not self.controller.set_status(entry.code, status):
            # Nothing changed: said all the same, the agent pressed a key.
            announce(self.detail.spoken_answer(), urgent=True)
        self.detail.refresh()

    def confirm_current(self) -> None:
        """Keep the current action's carried answer as it is (key K)."""
        entry = self.current_entry()
        if entry is None or self.controller is None:
            return
        if self.controller.engine.read_only:
            self.explain_read_only()
            return
        if not self.controller.confirm(entry.code):
            self.statusBar().showMessage(
                self.tr("Cette action n'a pas de réponse reprise à confirmer."), 5000
            )
            return
        self.detail.refresh()

    def explain_read_only(self) -> None:
        self.statusBar().showMessage(
            self.tr(
                "Lecture seule : les réponses ne peuvent pas être modifiées dans cette fenêtre."
            ),
            8000,
        )

    def focus_table(self) -> None:
        self.action_list.focus_table()

    def focus_tree(self) -> None:
        self.action_list.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.filters.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search_edit.selectAll()

    def focus_comment(self) -> None:
        self.detail.focus_comment()

    def focus_indicators(self) -> None:
        if not self.detail.focus_indicators():
            self.statusBar().showMessage(self.tr("Cette action n'a pas d'indicateur."), 5000)

    # ==== header and banners ====================================================================

    def update_header(self) -> None:
        data = self.data
        if data is None:
            return
        self.header.show_plan(self.plan_and_campaign(), self.plan_and_campaign(full=True))
        self.header.show_identity(data.identity, data.sheet)
        self.header.show_progress(data.sheet.progress(), data.plan.scale)
        self.editing.update_save_label()

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
        self.menus.reload_action.setEnabled(self.db.read_only)

    # ==== window ================================================================================

    def handle_file_drag(self, event: QDropEvent) -> bool:
        """Files dragged over one of the window's text fields: imported like files dropped
        anywhere else on the window (see ``ui.parts.widgets.FileDragsToWindow``)."""
        return self.exchange.file_drops.handle(event)

    def show_restored(self) -> None:
        """Show the window as it was left; maximised on a first start on a small screen."""
        show_placed(self, self._placed)

    def bring_to_front(self) -> None:
        bring_to_front(self)

    def save_for_session_end(self) -> None:
        """The system ends the program (see ``ui.parts.session_end``): everything typed is
        saved or kept in the drafts file, the window's place remembered; nothing is asked."""
        self.editing.save_without_asking()
        if self.consolidation_window is not None and not self.consolidation_window.closing:
            self.consolidation_window.remember()
        self.settings.geometry = self.saveGeometry()
        self.settings.splitter_state = self.splitter.saveState()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.editing.ready_to_close():
            event.ignore()
            return
        self.settings.geometry = self.saveGeometry()
        self.settings.splitter_state = self.splitter.saveState()
        self.settings.sync()
        self.tasks.wait()
        event.accept()
        super().closeEvent(event)
