"""The entry window's commands: every action with its key, the menus, the answer keys of the
questionnaire's scale, the list of shortcuts (F1), the guide, « À propos », and the
consolidation window."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QKeyCombination, QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from sradar_desktop import APP_NAME
from sradar_desktop.domain.scale import Scale
from sradar_desktop.paths import resources_dir
from sradar_desktop.services.entry_data import Identity
from sradar_desktop.services.views.entry import status_keys
from sradar_desktop.ui.entry.campaigns import Campaigns
from sradar_desktop.ui.entry.detail import ActionDetail
from sradar_desktop.ui.entry.editing import Editing
from sradar_desktop.ui.entry.exchange import WorkbookExchange
from sradar_desktop.ui.entry.filters import EntryFilters
from sradar_desktop.ui.entry.models import CONFIRM_KEY
from sradar_desktop.ui.parts.delegates import color_icon
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import add_menu
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.widgets import window_action

if TYPE_CHECKING:
    from sradar_desktop.services.database import Database
    from sradar_desktop.ui.consolidation.window import ConsolidationWindow

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


class MenusWindow(Protocol):
    """What this room uses of the entry window (``ui.entry.window.MainWindow``): the rooms
    whose commands it gives keys to, and the window's own commands."""

    db: Database
    settings: Settings
    identity: Identity | None
    questionnaire_id: str
    consolidation_window: ConsolidationWindow | None
    detail: ActionDetail
    filters: EntryFilters
    editing: Editing
    campaigns: Campaigns
    exchange: WorkbookExchange

    @property
    def campaign_id(self) -> str | None: ...

    def reload(self) -> None: ...

    def close(self) -> bool: ...

    def focus_search(self) -> None: ...

    def focus_comment(self) -> None: ...

    def focus_indicators(self) -> None: ...

    def focus_tree(self) -> None: ...

    def focus_table(self) -> None: ...

    def move_current(self, step: int) -> None: ...

    def next_unanswered(self) -> None: ...

    def set_current_status(self, status: str | None) -> None: ...

    def confirm_current(self) -> None: ...


class EntryMenus(QObject):
    """The actions of the entry window, each in its menu with its key (see the module)."""

    def __init__(self, window: MenusWindow) -> None:
        main = cast(QMainWindow, window)
        super().__init__(main)
        self.main = main  # the window, as the Qt widget that holds the actions
        self.window = window
        self.status_actions: dict[str, QAction] = {}
        self._build_file_and_edit()
        self._build_answering()
        self._build_going()
        self._build_menus()

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        keys: Sequence[str | Qt.Key] = (),
        tip: str = "",
    ) -> QAction:
        return window_action(self.main, text, slot, [QKeySequence(k) for k in keys], tip)

    def _build_file_and_edit(self) -> None:
        window = self.window
        self.identity_action = self._action(
            self.tr("Mon &service et mon questionnaire…"),
            window.campaigns.edit_identity,
            ["Ctrl+,"],
            self.tr("Qui répond, et quel plan est évalué"),
        )
        self.reload_action = self._action(
            self.tr("&Actualiser"),
            window.reload,
            [Qt.Key.Key_F5],
            self.tr("Relire le plan et les réponses dans la base"),
        )
        self.change_campaign_action = self._action(
            self.tr("Changer de ca&mpagne…"),
            window.campaigns.change_campaign,
            tip=self.tr("Afficher et renseigner une autre évaluation de ce questionnaire"),
        )
        self.new_campaign_action = self._action(
            self.tr("&Nouvelle campagne…"),
            window.campaigns.new_campaign,
            tip=self.tr(
                "L'évaluation suivante, à partir de celle affichée : ses réponses reprises, "
                "à confirmer"
            ),
        )
        self.quit_action = self._action(self.tr("&Quitter"), window.close, ["Ctrl+Q"])
        self.undo_action = self._action(
            self.tr("&Annuler"),
            window.editing.undo,
            ["Ctrl+Z"],
            self.tr("Annuler la dernière modification (réponse, commentaire, indicateur)"),
        )
        self.redo_action = self._action(
            self.tr("&Rétablir"),
            window.editing.redo,
            ["Ctrl+Y", "Ctrl+Shift+Z"],
            self.tr("Rétablir la modification annulée"),
        )
        self.undo_action.setIconText(self.tr("Annuler"))
        self.redo_action.setIconText(self.tr("Rétablir"))
        self.save_action = self._action(
            self.tr("&Enregistrer maintenant"),
            window.editing.save_now,
            ["Ctrl+S"],
            self.tr(
                "Tout est enregistré automatiquement ; ceci enregistre tout de suite le "
                "commentaire en cours et réessaie ce qui n'a pas pu l'être"
            ),
        )
        self.find_action = self._action(
            self.tr("Re&chercher"),
            window.focus_search,
            ["Ctrl+F"],
            self.tr("Chercher dans les codes, les textes et les commentaires"),
        )

    def _build_answering(self) -> None:
        window = self.window
        self.clear_status_action = self._action(
            self.tr("&Effacer la réponse"),
            lambda: window.set_current_status(None),
            [Qt.Key.Key_Delete],
        )
        self.confirm_action = self._action(
            self.tr("C&onfirmer la réponse reprise"),
            window.confirm_current,
            [CONFIRM_KEY],
            self.tr(
                "Garder telle quelle la réponse reprise de l'évaluation précédente (toute "
                "modification la confirme aussi)"
            ),
        )
        self.comment_action = self._action(
            self.tr("Aller au &commentaire"), window.focus_comment, [Qt.Key.Key_F2]
        )
        self.indicators_action = self._action(
            self.tr("Aller aux &indicateurs"), window.focus_indicators, [Qt.Key.Key_F3]
        )
        self.history_action = self._action(
            self.tr("&Historique de l'action"), window.detail.show_history, ["Ctrl+H"]
        )

    def _build_going(self) -> None:
        window = self.window
        self.next_action = self._action(
            self.tr("Action &suivante"), lambda: window.move_current(1), ["Alt+Down"]
        )
        self.previous_action = self._action(
            self.tr("Action pré&cédente"), lambda: window.move_current(-1), ["Alt+Up"]
        )
        self.next_unanswered_action = self._action(
            self.tr("Prochaine action &non renseignée"),
            window.next_unanswered,
            ["Ctrl+Return", "Ctrl+Enter"],
        )
        self.focus_tree_action = self._action(
            self.tr("&Plan (objectifs et thématiques)"), window.focus_tree, ["Ctrl+1"]
        )
        self.focus_table_action = self._action(
            self.tr("&Liste des actions"), window.focus_table, ["Ctrl+2"]
        )
        self.focus_detail_action = self._action(
            self.tr("&Réponse de l'action"), window.detail.focus_answer, ["Ctrl+3"]
        )
        self.unanswered_action = self._action(
            self.tr("&Non renseignées seulement"),
            lambda: window.filters.unanswered_box.toggle(),
            ["Ctrl+U"],
        )
        self.clear_filters_action = self._action(
            self.tr("&Effacer les filtres"), window.filters.clear, ["Ctrl+Shift+E"]
        )
        self.consolidation_action = self._action(
            self.tr("&Consolidation…"),
            self.open_consolidation,
            ["Ctrl+Shift+C"],
            self.tr(
                "Les réponses de tous les répondants, la synthèse, l'arbitrage, qui a répondu, "
                "et les exports du classeur consolidé et de la synthèse PDF"
            ),
        )
        self.guide_action = self._action(self.tr("&Guide d'utilisation"), self.show_guide)
        self.shortcuts_action = self._action(
            self.tr("&Raccourcis clavier"), self.show_shortcuts, [Qt.Key.Key_F1]
        )
        self.about_action = self._action(arg(self.tr("À &propos de %1"), APP_NAME), self.show_about)

    def _build_menus(self) -> None:
        window = self.window
        add_menu(
            self.main,
            self.tr("&Fichier"),
            [
                self.identity_action,
                self.change_campaign_action,
                self.new_campaign_action,
                self.reload_action,
                None,
                *window.exchange.menu_actions(),
                None,
                self.quit_action,
            ],
        )
        add_menu(
            self.main,
            self.tr("É&dition"),
            [self.undo_action, self.redo_action, None, self.save_action, None, self.find_action],
        )
        self.answer_menu = add_menu(self.main, self.tr("&Réponse"), [])
        add_menu(
            self.main,
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
            self.main,
            self.tr("Affic&hage"),
            [self.unanswered_action, self.clear_filters_action, None, self.consolidation_action],
        )
        add_menu(
            self.main,
            self.tr("&Aide"),
            [self.guide_action, self.shortcuts_action, self.about_action],
        )

    def build_answer_menu(self, scale: Scale) -> None:
        """The answer keys of this questionnaire's scale (1–4 and O, P, N, C by default)."""
        window = self.window
        for action in self.status_actions.values():
            self.main.removeAction(action)
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
                self.main,
                level.label,
                functools.partial(window.set_current_status, level.code),
                shortcuts,
                arg(self.tr("Réponse « %1 » pour l'action en cours"), level.label),
            )
            action.setIcon(color_icon(level.color))
            self.status_actions[level.code] = action
            self.answer_menu.addAction(action)
        self.answer_menu.addAction(self.clear_status_action)
        self.answer_menu.addAction(self.confirm_action)
        self.answer_menu.addSeparator()
        self.answer_menu.addAction(self.comment_action)
        self.answer_menu.addAction(self.indicators_action)
        self.answer_menu.addAction(self.history_action)

    # -- help and the other window -----------------------------------------------------------

    def show_shortcuts(self) -> None:
        exchange = self.window.exchange
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
                [exchange.import_action, exchange.export_action],
            ),
            (self.tr("Consolider"), [self.consolidation_action]),
        ]
        from sradar_desktop.ui.dialogs.start import ShortcutsDialog, shortcuts_html

        ShortcutsDialog(shortcuts_html(groups), self.main).exec()

    def show_about(self) -> None:
        from sradar_desktop.ui.dialogs.start import show_about

        show_about(self.main, self.window.db.location)

    def show_guide(self) -> None:
        """The French user guide, in the system's browser (it ships with the application)."""
        guide = resources_dir() / "guide" / "guide.html"
        if not guide.is_file() or not QDesktopServices.openUrl(QUrl.fromLocalFile(str(guide))):
            QMessageBox.information(
                self.main,
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
        # Imported here: the consolidation's modules are loaded when it is first opened.
        from sradar_desktop.ui.consolidation.window import show_consolidation

        window = self.window
        window.consolidation_window = show_consolidation(
            window.consolidation_window,
            window.db,
            window.questionnaire_id,
            campaign_id=window.campaign_id,
            actor=window.identity.agent_name if window.identity is not None else "",
            settings=window.settings,
            parent=self.main,
        )
