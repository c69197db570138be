"""« Qui a répondu »: the respondents of the campaign with their state (complet, partiel,
manquant — colour and word), lateness, last change and last import; the due date of the
campaign; and the editor of the list of expected respondents."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.consolidation import RosterEntry
from sradar_desktop.domain.plan import Plan
from sradar_desktop.errors import UserError
from sradar_desktop.services.consolidation import RosterMember
from sradar_desktop.services.sending import check_roster, propose_roster
from sradar_desktop.services.views.consolidation import RefusedFile, roster_figures, roster_sentence
from sradar_desktop.ui.consolidation.delegates import StatusCellDelegate, status_column_width
from sradar_desktop.ui.consolidation.models import RosterModel
from sradar_desktop.ui.dialogs.sending_models import ExpectedServicesModel, propose_button
from sradar_desktop.ui.parts.dates import DateEdit
from sradar_desktop.ui.parts.delegates import ProgressDelegate
from sradar_desktop.ui.parts.layout import ErrorLabel, MutedLabel
from sradar_desktop.ui.parts.screen import fit_to_screen

DUE_DATE_PAUSE_MS = 700


class RosterPane(QWidget):
    """The « Qui a répondu » tab. It asks the window to write (``due_date_chosen``,
    ``edit_requested``); it never writes itself."""

    due_date_chosen = Signal(object)  # a date, or None to remove the due date
    edit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._due: date | None = None
        self._read_only = False

        self.due_box = QCheckBox(self.tr("Date li&mite de réponse :"))
        self.due_box.setObjectName("date-limite-active")
        self.due_box.setAccessibleName(self.tr("Date limite de réponse active"))
        self.due_box.setToolTip(
            self.tr(
                "Décochez pour une évaluation sans date limite. Après cette date, un répondant "
                "incomplet est signalé « en retard »."
            )
        )
        self.due_edit = DateEdit(self.tr("Date limite de réponse"), "date-limite")
        self.due_state = MutedLabel()
        self._due_timer = QTimer(self)
        self._due_timer.setSingleShot(True)
        self._due_timer.setInterval(DUE_DATE_PAUSE_MS)
        self._due_timer.timeout.connect(self._emit_due)
        self.due_box.toggled.connect(self._due_toggled)
        self.due_edit.dateChanged.connect(lambda _d: self._due_timer.start())
        self.due_edit.editingFinished.connect(self._flush_due)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("resume-suivi")
        self.summary_label.setWordWrap(True)

        self.model = RosterModel(self)
        self.view = QTableView()
        self.view.setObjectName("suivi")
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Qui a répondu"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setItemDelegateForColumn(RosterModel.ANSWERED, ProgressDelegate(self.view))
        self.view.setItemDelegateForColumn(RosterModel.STATE, StatusCellDelegate(self.view))
        metrics = self.view.fontMetrics()
        self.view.verticalHeader().setDefaultSectionSize(metrics.height() + 14)
        header = self.view.horizontalHeader()
        # The refusal (whole in its tooltip) takes what is left, after the label: on a small
        # screen the table scrolls to it rather than squeeze the services' names.
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        widths = {
            RosterModel.CODE: metrics.horizontalAdvance("DREETS-PDL-00") + 16,
            RosterModel.LABEL: metrics.horizontalAdvance("DDETS de la Loire-Atlantique") + 16,
            RosterModel.EXPECTED: metrics.horizontalAdvance("Attendu") + 24,
            RosterModel.ANSWERED: metrics.horizontalAdvance("000 / 000") + 24,
            RosterModel.STATE: status_column_width(self.view.font(), ["sans réponse"]),
            RosterModel.LATE: metrics.horizontalAdvance("en retard") + 24,
            RosterModel.LAST_CHANGE: metrics.horizontalAdvance("Dernière modification") + 20,
            RosterModel.LAST_IMPORT: metrics.horizontalAdvance("00/00/0000 00:00") + 24,
            RosterModel.REFUSED: metrics.horizontalAdvance("refusé le 00/00/0000 : ") + 24,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)

        self.edit_button = QPushButton(self.tr("Modifi&er les répondants attendus…"))
        self.edit_button.setObjectName("modifier-attendus")
        self.edit_button.setAccessibleName(self.tr("Modifier les répondants attendus"))
        self.edit_button.clicked.connect(self.edit_requested)
        help_label = MutedLabel(
            self.tr(
                "Un répondant attendu sans aucune réponse est « manquant » ; « partiel » quand "
                "une partie seulement des actions qu'il pilote a une réponse ; « à confirmer » "
                "quand il n'a encore confirmé aucune des réponses reprises de l'évaluation "
                "précédente. Un fichier refusé à l'import est signalé avec sa raison (la bulle "
                "donne le message entier). Les services qui ont répondu sans être attendus sont "
                "listés à la fin."
            )
        )
        help_label.setWordWrap(True)

        due_row = QHBoxLayout()
        due_row.addWidget(self.due_box)
        due_row.addWidget(self.due_edit)
        due_row.addWidget(self.due_state)
        due_row.addStretch(1)
        due_row.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(due_row)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(help_label)
        self._show_due(None)

    # -- data --------------------------------------------------------------------------------

    def set_roster(
        self,
        entries: tuple[RosterEntry, ...],
        due: date | None,
        refusals: dict[str, RefusedFile] | None = None,
    ) -> None:
        self.model.set_roster(entries, due, refusals)
        self.summary_label.setText(roster_sentence(roster_figures(entries, due, refusals)))
        if not self._due_timer.isActive():
            self._show_due(due)
        self._due = due

    def _show_due(self, due: date | None) -> None:
        for widget in (self.due_box, self.due_edit):
            widget.blockSignals(True)
        self.due_box.setChecked(due is not None)
        if due is not None:
            self.due_edit.set_day(due)
        else:
            self.due_edit.set_day(date.today() + timedelta(days=14))
        for widget in (self.due_box, self.due_edit):
            widget.blockSignals(False)
        self._update_enabled()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.due_box.setEnabled(not self._read_only)
        self.due_edit.setEnabled(not self._read_only and self.due_box.isChecked())
        self.edit_button.setEnabled(not self._read_only)

    # -- the due date ------------------------------------------------------------------------

    def chosen_due(self) -> date | None:
        if not self.due_box.isChecked():
            return None
        return self.due_edit.day()

    def _due_toggled(self, _checked: bool) -> None:
        self._update_enabled()
        self._due_timer.stop()
        self._emit_due()

    def _flush_due(self) -> None:
        if self._due_timer.isActive():
            self._due_timer.stop()
            self._emit_due()

    def _emit_due(self) -> None:
        chosen = self.chosen_due()
        if chosen != self._due:
            self._due = chosen
            self.due_state.setText(self.tr("Enregistrement…"))
            self.due_date_chosen.emit(chosen)

    def due_saved(self, text: str) -> None:
        self.due_state.setText(text)


class ExpectedRespondentsDialog(QDialog):
    """The respondents the campaign expects: code and label, one per line (the same list and
    checks as « Préparer l'envoi »)."""

    def __init__(
        self,
        plan: Plan,
        expected: list[RosterMember],
        others: list[RosterEntry],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("repondants-attendus")
        self.setWindowTitle(self.tr("Répondants attendus"))
        self.members: list[RosterMember] | None = None
        self.region = plan.region
        self._others = others
        intro = QLabel(
            self.tr(
                "Les services dont le secrétariat attend la réponse : un code par ligne "
                "(DDETS-44, DREETS-PDL, PREF-85) et son libellé, proposé d'après le code. "
                "Double-cliquez un code ou un libellé pour le modifier."
            )
        )
        intro.setWordWrap(True)
        self.model = ExpectedServicesModel(plan, self)
        self.model.set_members(expected)
        self.view = QTableView()
        self.view.setObjectName("liste-attendus")
        self.view.setModel(self.model)
        # The addresses are edited in « Préparer l'envoi »: here they are kept as they are.
        self.view.setColumnHidden(ExpectedServicesModel.ADDRESS, True)
        self.view.setAccessibleName(self.tr("Répondants attendus"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        metrics = self.fontMetrics()
        header = self.view.horizontalHeader()
        header.resizeSection(
            ExpectedServicesModel.CODE, metrics.horizontalAdvance("DRIEETS-IDF") + 40
        )
        header.setSectionResizeMode(ExpectedServicesModel.LABEL, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(
            ExpectedServicesModel.DEPARTMENT,
            metrics.horizontalAdvance("44 — Loire-Atlantique") + 24,
        )
        header.setSectionResizeMode(
            ExpectedServicesModel.PILOTED, QHeaderView.ResizeMode.ResizeToContents
        )
        self.add_button = QPushButton(self.tr("&Ajouter un service"))
        self.add_button.setAccessibleName(self.tr("Ajouter un service"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(self.tr("&Retirer"))
        self.remove_button.setAccessibleName(self.tr("Retirer le service choisi"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.others_button = QPushButton(self.tr("Ajouter ceux qui ont répon&du"))
        self.others_button.setToolTip(
            self.tr("Ajouter à la liste les services qui ont répondu sans être attendus")
        )
        self.others_button.setAccessibleName(self.tr("Ajouter ceux qui ont répondu"))
        self.others_button.clicked.connect(self.add_others)
        self.others_button.setEnabled(bool(others))
        self.propose_button = propose_button(self.region, self.propose)
        column = QVBoxLayout()
        for button in (self.add_button, self.remove_button):
            column.addWidget(button)
        column.addSpacing(12)
        column.addWidget(self.others_button)
        column.addWidget(self.propose_button)
        column.addStretch(1)
        table_row = QHBoxLayout()
        table_row.addWidget(self.view, 1)
        table_row.addLayout(column)
        self.error_label = ErrorLabel()
        self.error_label.setObjectName("erreur-attendus")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            self.tr("&Enregistrer"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.save_button.setAccessibleName(self.tr("Enregistrer"))
        cancel = buttons.addButton(self.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName(self.tr("Annuler"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(table_row, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        fit_to_screen(self, 820, 480)

    def add_row(self) -> None:
        row = self.model.rowCount()
        self.model.insertRows(row, 1)
        index = self.model.index(row, ExpectedServicesModel.CODE)
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        self.view.edit(index)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        for row in rows:
            self.model.removeRows(row, 1)

    def add_others(self) -> None:
        known = {code.strip().upper() for code, _label, _email in self.model.lines()}
        for entry in self._others:
            if entry.code not in known:
                row = self.model.rowCount()
                self.model.insertRows(row, 1)
                self.model.setData(self.model.index(row, ExpectedServicesModel.CODE), entry.code)
                self.model.setData(self.model.index(row, ExpectedServicesModel.LABEL), entry.label)

    def propose(self) -> None:
        self.model.set_members(propose_roster(self.region))

    def _accept(self) -> None:
        # Moving the current cell commits a cell still being edited.
        self.view.setCurrentIndex(QModelIndex())
        try:
            self.members = check_roster(self.model.lines())
        except UserError as error:
            self.error_label.show_error(str(error), self.view)
            return
        self.accept()
