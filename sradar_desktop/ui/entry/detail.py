"""The current action in full: its text, the answer as a row of buttons, the comment, the
indicators (target and achieved, French numbers), and its history. When the answer was changed
elsewhere meanwhile, the newer values are shown with what the agent typed, to put back or let go."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.answers import HistoryEntry
from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.domain.scale import Scale
from sradar_desktop.services.answer_engine import EditConflict
from sradar_desktop.services.views.entry import EntryRow, indicator_unit, status_keys
from sradar_desktop.ui.entry.controller import EntryController
from sradar_desktop.ui.entry.indicators import IndicatorsForm, display_value, mark
from sradar_desktop.ui.entry.models import CONFIRM_KEY, HistoryModel, carried_text
from sradar_desktop.ui.parts.delegates import text_color_on
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import set_tone
from sradar_desktop.ui.parts.widgets import CommentEdit, PlainKeysGuard, escape_leaves, tab_order

COMMENT_PAUSE_MS = 1000

_FIELD_STYLE = """
ValueEdit[etat="invalide"], ValueEdit[etat="non-enregistre"],
CommentEdit[etat="non-enregistre"] { border: 2px solid #c62828; border-radius: 3px; }
QFrame#conflit { background: #fff4e5; border: 2px solid #e65100; border-radius: 4px; }
QFrame#conflit QLabel { color: #7a2e00; }
"""


class ActionDetail(QWidget):
    """The detail pane. It sends the agent's changes to the ``EntryController``."""

    back_to_list = Signal()
    # Values typed but refused, or a conflict, appeared or went: the window's save state says so.
    typed_state_changed = Signal()
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller: EntryController | None = None
        self.entry: EntryRow | None = None
        self.scale: Scale | None = None
        self.history_loader: Callable[[str], list[HistoryEntry]] | None = None
        self._burst: int | None = None
        self._comment_dirty = False
        self.setStyleSheet(_FIELD_STYLE)

        self.code_label = QLabel()
        font = QFont(self.code_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.code_label.setFont(font)
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        set_tone(self.path_label, "muted")
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        text_font = QFont(self.text_label.font())
        text_font.setPointSizeF(text_font.pointSizeF() * 1.08)
        self.text_label.setFont(text_font)
        self.pilots_label = QLabel()
        self.pilots_label.setWordWrap(True)

        # -- the answer
        self.status_title = QLabel(self.tr("Réalisation :"))
        bold = QFont(self.status_title.font())
        bold.setBold(True)
        self.status_title.setFont(bold)
        self.status_group = QButtonGroup(self)
        self.status_group.setExclusive(True)
        self.status_buttons: dict[str, QRadioButton] = {}
        # The answers are a group of radio buttons (one Tab stop, the arrows between them),
        # drawn as buttons; the group is named for a screen reader.
        self.status_box = QWidget()
        self.status_box.setAccessibleName(self.tr("Réalisation"))
        self.status_row = QHBoxLayout(self.status_box)
        self.status_row.setContentsMargins(0, 0, 0, 0)
        self.status_row.setSpacing(6)
        self.clear_button = QPushButton(self.tr("Effacer"))
        self.clear_button.setObjectName("effacer-reponse")
        self.clear_button.setToolTip(self.tr("Effacer la réponse (touche Suppr)"))
        self.clear_button.setAccessibleName(self.tr("Effacer la réponse"))
        # As wide as its word, not the style's 80 px: the answers stay on one line in a narrow
        # pane.
        self.clear_button.setMinimumWidth(
            self.clear_button.fontMetrics().horizontalAdvance(self.clear_button.text()) + 24
        )
        self.clear_button.clicked.connect(lambda: self._choose(None))

        # -- an answer carried from the previous evaluation, to confirm
        self.carried_label = QLabel()
        self.carried_label.setObjectName("reprise")
        self.carried_label.setWordWrap(True)
        self.carried_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        set_tone(self.carried_label, "warning", bold=True)
        self.confirm_button = QPushButton(self.tr("Confirmer telle quelle"))
        self.confirm_button.setObjectName("confirmer-reprise")
        self.confirm_button.setToolTip(
            arg(self.tr("Garder la réponse reprise sans la modifier (touche %1)"), CONFIRM_KEY)
        )
        self.confirm_button.setAccessibleName(self.tr("Confirmer la réponse reprise"))
        self.confirm_button.clicked.connect(self._confirm)
        self.carried_box = QWidget()
        carried_layout = QHBoxLayout(self.carried_box)
        carried_layout.setContentsMargins(0, 0, 0, 0)
        carried_layout.addWidget(self.carried_label, 1)
        carried_layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignTop)
        self.carried_box.hide()

        # -- the comment
        self.comment_title = QLabel(self.tr("&Commentaire :"))
        self.comment_title.setFont(bold)
        self.comment_state = QLabel()
        self.comment_edit = CommentEdit()
        self.comment_edit.setObjectName("commentaire")
        self.comment_edit.setPlaceholderText(
            self.tr("Ce qui a été fait, ce qui reste à faire, les difficultés…")
        )
        self.comment_edit.setToolTip(
            self.tr(
                "Enregistré automatiquement dès que vous faites une pause ou quittez le champ. "
                "Ctrl+Z annule toute la saisie en cours."
            )
        )
        self.comment_edit.setMinimumHeight(90)
        self.comment_edit.setAccessibleName(self.tr("Commentaire"))
        self.comment_edit.setAccessibleDescription(
            self.tr("Enregistré automatiquement ; Échap revient à la liste des actions.")
        )
        self.comment_title.setBuddy(self.comment_edit)
        self.comment_timer = QTimer(self)
        self.comment_timer.setSingleShot(True)
        self.comment_timer.setInterval(COMMENT_PAUSE_MS)
        self.comment_timer.timeout.connect(self.commit_comment)
        self.comment_edit.textChanged.connect(self._comment_typed)
        self.comment_edit.focus_entered.connect(self._comment_entered)
        self.comment_edit.focus_left.connect(self._comment_left)
        self.comment_edit.escape_pressed.connect(self._escape)

        # -- a conflict: the answer was changed elsewhere since this window read it
        self.conflict_box = QFrame()
        self.conflict_box.setObjectName("conflit")
        self.conflict_label = QLabel()
        self.conflict_label.setObjectName("conflit-message")
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setTextFormat(Qt.TextFormat.PlainText)
        self.conflict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.conflict_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reapply_button = QPushButton(self.tr("Remettre ma saisie"))
        self.reapply_button.setToolTip(
            self.tr("Enregistrer ce que vous aviez saisi à la place de la réponse enregistrée")
        )
        self.reapply_button.clicked.connect(self._reapply)
        self.dismiss_button = QPushButton(self.tr("Garder cette version"))
        self.dismiss_button.setToolTip(
            self.tr("Garder la réponse enregistrée et abandonner votre saisie")
        )
        self.dismiss_button.clicked.connect(self._dismiss)
        conflict_buttons = QHBoxLayout()
        conflict_buttons.addStretch(1)
        conflict_buttons.addWidget(self.reapply_button)
        conflict_buttons.addWidget(self.dismiss_button)
        conflict_layout = QVBoxLayout(self.conflict_box)
        conflict_layout.setContentsMargins(8, 6, 8, 6)
        conflict_layout.addWidget(self.conflict_label)
        conflict_layout.addLayout(conflict_buttons)
        self.conflict_box.hide()
        self._conflict_key: FieldKey | None = None

        # -- indicators
        self.indicators_title = QLabel(self.tr("Indicateurs"))
        self.indicators_title.setFont(bold)
        self.indicators = IndicatorsForm(self._save_indicator)
        self.indicators.typed_changed.connect(self.typed_state_changed)
        self.indicators.message.connect(self.message)
        self.indicators.escape_pressed.connect(self._escape)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(8, 8, 8, 8)
        form_layout.setSpacing(6)
        form_layout.addWidget(self.conflict_box)
        form_layout.addWidget(self.carried_box)
        form_layout.addWidget(self.status_title)
        form_layout.addWidget(self.status_box)
        comment_line = QHBoxLayout()
        comment_line.addWidget(self.comment_title)
        comment_line.addStretch(1)
        comment_line.addWidget(self.comment_state)
        form_layout.addSpacing(6)
        form_layout.addLayout(comment_line)
        form_layout.addWidget(self.comment_edit, 1)
        form_layout.addSpacing(6)
        form_layout.addWidget(self.indicators_title)
        form_layout.addWidget(self.indicators)
        form_layout.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form)
        scroll.setAccessibleName(self.tr("Réponse de l'action"))
        # The area never takes the keyboard itself: its fields do (it scrolls to them).
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.form = form

        # -- history
        self.history_model = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setModel(self.history_model)
        self.history_view.setObjectName("historique")
        self.history_view.setAccessibleName(self.tr("Historique de l'action"))
        self.history_view.verticalHeader().setVisible(False)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setWordWrap(True)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.history_view.horizontalHeader()
        # As wide as a date and time: a long name goes on to another line.
        header.setSectionResizeMode(HistoryModel.WHEN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(
            HistoryModel.WHEN, self.fontMetrics().horizontalAdvance("00/00/0000 00:00") + 14
        )
        header.setSectionResizeMode(HistoryModel.WHAT, QHeaderView.ResizeMode.Stretch)
        self.history_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.history_view.installEventFilter(PlainKeysGuard(self))
        escape_leaves(self.history_view, self._escape)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Détail de l'action"))
        self.tabs.addTab(scroll, self.tr("Réponse"))
        self.tabs.addTab(self.history_view, self.tr("Historique"))
        self.tabs.setDocumentMode(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.setSpacing(4)
        header_line = QHBoxLayout()
        header_line.addWidget(self.code_label, 0, Qt.AlignmentFlag.AlignTop)
        header_line.addWidget(self.path_label, 1)
        layout.addLayout(header_line)
        layout.addWidget(self.text_label)
        layout.addWidget(self.pilots_label)
        layout.addWidget(self.tabs, 1)
        self.show_entry(None)

    # -- set-up ------------------------------------------------------------------------------

    def set_controller(
        self,
        controller: EntryController | None,
        history_loader: Callable[[str], list[HistoryEntry]] | None,
    ) -> None:
        self.commit_pending()
        self.controller = controller
        if controller is not None:
            controller.conflicted.connect(self._conflict_arrived)
        self.history_loader = history_loader
        self.scale = controller.sheet.plan.scale if controller else None
        self.indicators.forget_typed()
        self.typed_state_changed.emit()
        self._build_status_buttons()
        self.entry = None
        self.show_entry(None)

    def _build_status_buttons(self) -> None:
        for button in self.status_buttons.values():
            self.status_group.removeButton(button)
            button.deleteLater()
        self.status_buttons.clear()
        while self.status_row.count():
            self.status_row.takeAt(0)
        if self.scale is None:
            return
        keys = status_keys(self.scale)
        for level in self.scale.levels:
            digit, letter = keys[level.code]
            button = QRadioButton(level.label)
            button.setProperty("level", level.code)
            button.setObjectName(f"statut-{level.code}")
            hint = arg(self.tr("touche %1 ou %2"), digit, letter) if letter else digit
            tip = f"{level.label} — {hint}"
            if level.description:
                tip += f"\n{level.description}"
            button.setToolTip(tip)
            button.setAccessibleName(arg(self.tr("Réalisation : %1"), level.label))
            button.setStyleSheet(self._button_style(level.color))
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, code=level.code: self._choose(code))
            self.status_group.addButton(button)
            self.status_buttons[level.code] = button
            self.status_row.addWidget(button)
            # A widget added to a shown pane is shown by the event loop; show it now, so that
            # the keys that give it the focus work at once.
            button.show()
        self.status_row.addStretch(1)
        self.status_row.addWidget(self.clear_button)
        tab_order(self.focus_chain())

    @staticmethod
    def _button_style(color: str) -> str:
        """A radio button drawn as a button of the answer's colour (its word always shown)."""
        from PySide6.QtGui import QColor

        on = text_color_on(QColor(color)).name()
        return (
            f"QRadioButton {{ border: 2px solid {color}; color: {color}; background: #ffffff;"
            " border-radius: 4px; padding: 5px 8px; font-weight: bold; spacing: 0px; }"
            " QRadioButton::indicator { width: 0px; height: 0px; border: none; image: none; }"
            f" QRadioButton:checked {{ background: {color}; color: {on}; }}"
            " QRadioButton:focus { border-color: #1a1a1a; }"
            " QRadioButton:disabled { border-color: #bdbdbd; color: #9e9e9e; }"
            " QRadioButton:checked:disabled { background: #bdbdbd; color: #ffffff; }"
        )

    # -- showing an action -------------------------------------------------------------------

    def show_entry(self, entry: EntryRow | None) -> None:
        """Show ``entry`` (saving first what was being typed for the previous one)."""
        if entry is not self.entry:
            self.commit_pending()
        self.entry = entry
        editable = (
            entry is not None
            and self.controller is not None
            and not self.controller.engine.read_only
        )
        if entry is None or self.controller is None:
            self.code_label.setText("")
            self.path_label.setText("")
            self.text_label.setText(self.tr("Aucune action sélectionnée."))
            self.pilots_label.setText("")
        else:
            sheet = self.controller.sheet
            objective = sheet.plan.objectives[entry.objective_index]
            theme = sheet.themes[entry.theme_index]
            self.code_label.setText(entry.code)
            self.path_label.setText(
                f"{objective.code}. {objective.title}\n› {theme.code}. {theme.title}"
            )
            self.text_label.setText(entry.action.text)
            pilots = ", ".join(entry.action.pilots) or "—"
            self.pilots_label.setText(arg(self.tr("<b>Pilotes :</b> %1"), pilots))
        for button in self.status_buttons.values():
            button.setEnabled(editable)
        self.clear_button.setEnabled(editable)
        self.comment_edit.setReadOnly(not editable)
        self.comment_edit.setEnabled(entry is not None)
        self._burst = None
        self._comment_dirty = False
        self.comment_timer.stop()
        self.indicators.show_entry(entry, editable=editable, after=self.comment_edit)
        self.indicators_title.setVisible(self.indicators.isVisibleTo(self))
        self.refresh()
        self.refresh_history()

    def refresh(self) -> None:
        """Show the current values of the entry (after an undo, a redo, a restored draft)."""
        entry = self.entry
        for code, button in self.status_buttons.items():
            button.setChecked(entry is not None and entry.status == code)
        if entry is None or entry.status is None:
            # An exclusive group keeps one button checked; let it have none.
            self.status_group.setExclusive(False)
            for button in self.status_buttons.values():
                button.setChecked(False)
            self.status_group.setExclusive(True)
        comment = entry.comment if entry is not None else ""
        if self.comment_edit.toPlainText() != comment and not self._comment_dirty:
            with QSignalBlocker(self.comment_edit):
                self.comment_edit.setPlainText(comment)
                self.comment_edit.moveCursor(self.comment_edit.textCursor().MoveOperation.End)
        self.indicators.refresh()
        self._show_carried()
        self._show_conflict()
        self.update_states()

    def _show_carried(self) -> None:
        """« ⟳ À confirmer » and why, with the button that confirms (words, not a colour)."""
        entry = self.entry
        carried = entry is not None and entry.to_confirm
        if carried:
            text = "⟳ " + arg(
                self.tr("%1. Toute modification la confirme aussi."), carried_text(self.tr)
            )
            self.carried_label.setText(text)
            self.carried_label.setAccessibleName(text)
        self.confirm_button.setEnabled(
            carried and self.controller is not None and not self.controller.engine.read_only
        )
        self.carried_box.setVisible(carried)

    def _confirm(self) -> None:
        if self.entry is not None and self.controller is not None:
            self.controller.confirm(self.entry.code)
            self.refresh()

    def update_states(self) -> None:
        """The « saved / saving / not saved » marks beside the comment and the values."""
        entry, controller = self.entry, self.controller
        if entry is None or controller is None or controller.engine.read_only:
            self.comment_state.setText("")
            mark(self.comment_edit, "")
            return
        state = controller.engine.key_state(FieldKey(entry.code, Field.COMMENT))
        if state == "unsaved":
            text, kind = self.tr("⚠ Non enregistré"), "error"
        elif state == "saving" or self._comment_dirty:
            text, kind = self.tr("Enregistrement…"), "muted"
        elif entry.code in controller.engine.saved_at:
            text = arg(
                self.tr("✓ Enregistré à %1"),
                controller.engine.saved_at[entry.code].strftime("%H:%M"),
            )
            kind = "ok"
        else:
            text, kind = "", ""
        self.comment_state.setText(text)
        set_tone(self.comment_state, kind, bold=kind == "error")
        mark(self.comment_edit, "non-enregistre" if state == "unsaved" else "")
        self.indicators.update_states(controller.engine)

    def refresh_history(self) -> None:
        entry = self.entry
        if entry is None or self.history_loader is None or self.scale is None:
            self.history_model.set_entries([], self.scale or Scale(()))
            self.tabs.setTabText(1, self.tr("Historique"))
            return
        try:
            entries = self.history_loader(entry.code)
        except Exception as error:  # a history that cannot be read must not stop the entry
            self.message.emit(str(error))
            entries = []
        self.history_model.set_entries(entries, self.scale)
        self.tabs.setTabText(
            1, arg(self.tr("Historique (%1)"), len(entries)) if entries else self.tr("Historique")
        )

    # -- conflicts ---------------------------------------------------------------------------

    def _conflict_arrived(self, code: str) -> None:
        """The answer of ``code`` changed elsewhere: the controller shows the newer values."""
        entry, controller = self.entry, self.controller
        if controller is None:
            return
        conflicts = controller.engine.conflicts_of(code)
        if entry is None or entry.code != code:
            if conflicts:
                self.message.emit(
                    arg(
                        self.tr("%1 Votre saisie est gardée dans l'action %2."),
                        conflicts[-1][1].error.headline,
                        code,
                    )
                )
            return
        answer = next((c for k, c in conflicts if k.field in (Field.STATUS, Field.COMMENT)), None)
        if answer is not None and self._comment_dirty:
            # Typed on the old answer and not sent yet: kept with the rest, not sent.
            self.comment_timer.stop()
            self._comment_dirty = False
            key = FieldKey(code, Field.COMMENT)
            controller.engine.keep_typed(key, self.comment_edit.toPlainText(), answer.error)
        self.refresh()
        self.refresh_history()

    def _typed_text(self, key: FieldKey, typed: object) -> str:
        """What the agent typed, as the window shows it."""
        if key.field == Field.STATUS:
            if typed is None or self.scale is None:
                return self.tr("(réponse effacée)")
            try:
                return self.scale.level(str(typed)).label
            except KeyError:
                return str(typed)
        if key.field == Field.COMMENT:
            return str(typed or "") or self.tr("(commentaire effacé)")
        if typed is None or self.entry is None:
            return self.tr("(vide)")
        indicator = self.entry.action.indicators[key.position or 0]
        unit = indicator_unit(indicator.kind, indicator.unit)
        return f"{display_value(str(typed), indicator.kind)} {unit}".strip()

    def _show_conflict(self) -> None:
        entry, controller = self.entry, self.controller
        conflicts = controller.engine.conflicts_of(entry.code) if entry and controller else []
        if not conflicts:
            self._conflict_key = None
            self.conflict_box.hide()
        else:
            key, conflict = conflicts[0]
            self._conflict_key = key
            self.conflict_label.setText(self._conflict_text(key, conflict))
            self.conflict_box.show()
        self.typed_state_changed.emit()

    def _conflict_text(self, key: FieldKey, conflict: EditConflict) -> str:
        return arg(
            self.tr(
                "%1 Votre saisie « %2 » n'a pas été enregistrée : elle est gardée ici. "
                "« Remettre ma saisie » l'enregistre à la place ; « Garder cette version » "
                "l'abandonne."
            ),
            conflict.error.headline,
            self._typed_text(key, conflict.typed),
        )

    def _reapply(self) -> None:
        if self.controller is not None and self._conflict_key is not None:
            self.controller.reapply(self._conflict_key)
            self.refresh()

    def _dismiss(self) -> None:
        if self.controller is not None and self._conflict_key is not None:
            self.controller.engine.dismiss(self._conflict_key)
            self.refresh()

    # -- the answer --------------------------------------------------------------------------

    def _choose(self, status: str | None) -> None:
        if self.entry is not None and self.controller is not None:
            self.controller.set_status(self.entry.code, status)
            self.refresh()

    # -- the comment -------------------------------------------------------------------------

    def _comment_typed(self) -> None:
        if self.entry is None or self.comment_edit.isReadOnly():
            return
        self._comment_dirty = True
        self.comment_timer.start()
        self.update_states()

    def _comment_entered(self) -> None:
        if self.controller is not None:
            self._burst = self.controller.new_burst()

    def _comment_left(self) -> None:
        self.commit_comment()
        self._burst = None

    def commit_comment(self) -> None:
        """Send the comment as typed so far (after a pause, on leaving the field, on closing)."""
        self.comment_timer.stop()
        if not self._comment_dirty or self.entry is None or self.controller is None:
            return
        self._comment_dirty = False
        if self._burst is None:
            self._burst = self.controller.new_burst()
        self.controller.set_comment(self.entry.code, self.comment_edit.toPlainText(), self._burst)
        self.update_states()

    def end_burst(self) -> None:
        """The next comment edit starts a new undo step (after an undo or a redo)."""
        if self.controller is not None and self.comment_edit.hasFocus():
            self._burst = self.controller.new_burst()
        else:
            self._burst = None

    def _save_indicator(self, code: str, position: int, which: Field, stored: str | None) -> None:
        if self.controller is not None:
            self.controller.set_indicator(code, position, which, stored)
            self.update_states()

    # -- moving around -----------------------------------------------------------------------

    def commit_pending(self) -> None:
        """Send everything being typed (before moving to another action, undoing, closing)."""
        self.commit_comment()
        self.indicators.commit()

    def focus_comment(self) -> None:
        self.tabs.setCurrentIndex(0)
        if self.comment_edit.isEnabled():
            self.comment_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_indicators(self) -> bool:
        self.tabs.setCurrentIndex(0)
        return self.indicators.focus_first()

    def focus_answer(self) -> None:
        self.tabs.setCurrentIndex(0)
        for button in self.status_buttons.values():
            if button.isChecked() and button.isEnabled():
                button.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
        for button in self.status_buttons.values():
            if button.isEnabled():
                button.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return

    def show_history(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.history_view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _escape(self) -> None:
        self.commit_pending()
        self.back_to_list.emit()

    def focus_chain(self) -> list[QWidget]:
        """The pane's controls in reading order: its tabs, « Confirmer telle quelle », the
        answers, « Effacer », the comment (the indicator fields follow the comment)."""
        chain = [
            self.tabs.tabBar(),
            self.confirm_button,  # shown for an answer carried forward only
            *self.status_buttons.values(),
            self.clear_button,
            self.comment_edit,
        ]
        # « Effacer » joins the pane with the answers of a scale; not before.
        return [widget for widget in chain if widget.parentWidget() is not None]

    def tab_stops(self) -> list[list[QWidget]]:
        """Where Tab stops in the pane, in reading order: its tabs, then on « Réponse » the
        conflict's buttons, « Confirmer telle quelle », the answers (one stop), « Effacer »,
        the comment and the indicators; on « Historique » the history."""
        stops: list[list[QWidget]] = [[self.tabs.tabBar()]]
        if self.tabs.currentIndex() == 1:
            return [*stops, [self.history_view]]
        fields: list[list[QWidget]] = [[field] for field in self.indicators.fields()]
        return [
            *stops,
            [self.reapply_button],
            [self.dismiss_button],
            [self.confirm_button],
            list(self.status_buttons.values()),
            [self.clear_button],
            [self.comment_edit],
            *fields,
        ]

    def spoken_answer(self) -> str:
        """The current action's answer, in words: « Oui », « Non renseignée », « Oui, à
        confirmer »."""
        entry = self.entry
        if entry is None or entry.status is None or self.scale is None:
            return self.tr("Non renseignée")
        label = self.scale.level(entry.status).label
        return arg(self.tr("%1, à confirmer"), label) if entry.to_confirm else label

    def spoken_entry(self) -> str:
        """« Action 1.1.2 : Rédiger un didacticiel… Réalisation : Oui. »"""
        entry = self.entry
        if entry is None:
            return self.tr("Aucune action sélectionnée.")
        return arg(
            self.tr("Action %1 : %2. Réalisation : %3."),
            entry.code,
            entry.action.text.rstrip(". "),
            self.spoken_answer(),
        )

    def first_focus(self) -> QWidget:
        buttons = list(self.status_buttons.values())
        return buttons[0] if buttons else self.comment_edit

    def status_button(self, code: str) -> QRadioButton:
        return self.status_buttons[code]
