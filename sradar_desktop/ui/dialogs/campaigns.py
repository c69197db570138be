"""The campaigns of a questionnaire in the entry window: choose the one to answer, or start the
next one from the current one (its answers carried forward, to confirm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.campaigns import MAX_PERIOD, MAX_TITLE, CampaignSummary
from sradar_desktop.domain.dates import short_date
from sradar_desktop.errors import UserError
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import ErrorLabel
from sradar_desktop.ui.parts.roles import DISPLAY
from sradar_desktop.ui.parts.screen import fit_to_screen

if TYPE_CHECKING:
    from sradar_desktop.services.database import Database


class CampaignTableModel(QAbstractTableModel):
    """One row per campaign, oldest first: title, period, due date, respondents, to confirm."""

    TITLE, PERIOD, DUE, RESPONDENTS, TO_CONFIRM = range(5)
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, campaigns: list[CampaignSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.campaigns = list(campaigns)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.campaigns)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def row_of(self, campaign_id: str) -> int:
        return next((r for r, c in enumerate(self.campaigns) if c.id == campaign_id), -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        campaign = self.campaigns[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == self.TITLE:
                return (
                    arg(self.tr("%1 (la plus récente)"), campaign.title)
                    if campaign.current
                    else campaign.title
                )
            if column == self.PERIOD:
                return campaign.period or "—"
            if column == self.DUE:
                return short_date(campaign.due_date) or "—"
            if column == self.RESPONDENTS:
                if not campaign.roster:  # no list of services expected
                    return str(campaign.respondents)
                return arg(self.tr("%1 sur %2"), campaign.respondents, campaign.roster)
            return str(campaign.to_confirm) if campaign.to_confirm else "—"
        if role == Qt.ItemDataRole.ToolTipRole:
            return campaign.describe()
        if role == Qt.ItemDataRole.AccessibleTextRole and column == self.TO_CONFIRM:
            return arg(self.tr("%1 réponses à confirmer"), campaign.to_confirm)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.DUE:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == self.IdRole:
            return campaign.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 5:
            return None
        if role == DISPLAY:
            return (
                self.tr("Campagne"),
                self.tr("Période"),
                self.tr("Réponses attendues le"),
                self.tr("Répondants"),
                self.tr("À confirmer"),
            )[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.RESPONDENTS:
            return self.tr("Services qui ont répondu, sur les services attendus")
        if role == Qt.ItemDataRole.ToolTipRole and section == self.TO_CONFIRM:
            return self.tr("Réponses reprises de l'évaluation précédente, pas encore confirmées")
        return None


class CampaignDialog(QDialog):
    """« Changer de campagne » : the campaigns of the questionnaire, the one shown selected."""

    def __init__(
        self,
        campaigns: list[CampaignSummary],
        current_id: str,
        plan_title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Changer de campagne"))
        intro = QLabel(
            arg(
                self.tr(
                    "Les évaluations successives de « %1 ». Choisissez celle à afficher et à "
                    "renseigner ; la plus récente est celle en cours."
                ),
                plan_title,
            )
        )
        intro.setWordWrap(True)
        self.model = CampaignTableModel(campaigns, self)
        self.view = QTableView()
        self.view.setObjectName("campagnes")
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Campagnes du questionnaire"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CampaignTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _index: self.accept())
        buttons = QDialogButtonBox()
        self.open_button = QPushButton(self.tr("&Ouvrir"))
        self.open_button.setDefault(True)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("&Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        row = max(self.model.row_of(current_id), 0)
        if self.model.rowCount():
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.view.setFocus()
        fit_to_screen(self, 760, 340)

    @property
    def campaign_id(self) -> str:
        index = self.view.currentIndex()
        return str(index.data(CampaignTableModel.IdRole) or "") if index.isValid() else ""


class NewCampaignDialog(QDialog):
    """« Nouvelle campagne » : the next evaluation, from ``previous`` (its roster, its answers
    carried forward to confirm). ``created`` is the new campaign once accepted."""

    def __init__(
        self,
        db: Database,
        previous: CampaignSummary,
        actor: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.previous = previous
        self.actor = actor
        self.created: CampaignSummary | None = None
        self.setWindowTitle(self.tr("Nouvelle campagne"))
        intro = QLabel(
            arg(
                self.tr(
                    "La nouvelle campagne part de « %1 » : les mêmes services attendus, et "
                    "les réponses de chacun reprises, à confirmer ou à modifier."
                ),
                previous.title,
            )
        )
        intro.setWordWrap(True)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titre-campagne")
        self.title_edit.setMaxLength(MAX_TITLE)
        self.title_edit.setPlaceholderText(self.tr("Évaluation 2024"))
        self.title_edit.setAccessibleName(self.tr("Titre de la campagne"))
        self.period_edit = QLineEdit()
        self.period_edit.setObjectName("periode-campagne")
        self.period_edit.setMaxLength(MAX_PERIOD)
        self.period_edit.setPlaceholderText(self.tr("2024"))
        self.period_edit.setAccessibleName(self.tr("Période évaluée"))
        self.due_edit = QLineEdit()
        self.due_edit.setObjectName("echeance-campagne")
        self.due_edit.setPlaceholderText(self.tr("JJ/MM/AAAA"))
        self.due_edit.setAccessibleName(self.tr("Réponses attendues le"))
        self.due_edit.setAccessibleDescription(self.tr("Date au format JJ/MM/AAAA, facultative"))
        form = QFormLayout()
        form.addRow(self.tr("&Titre :"), self.title_edit)
        form.addRow(self.tr("&Période :"), self.period_edit)
        form.addRow(self.tr("&Réponses attendues le :"), self.due_edit)
        self.error_label = ErrorLabel()
        self.error_label.setObjectName("erreur")
        for edit in (self.title_edit, self.period_edit, self.due_edit):
            edit.textEdited.connect(lambda _text: self.error_label.hide())
        buttons = QDialogButtonBox()
        self.create_button = QPushButton(self.tr("&Créer et ouvrir"))
        self.create_button.setDefault(True)
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("&Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        fit_to_screen(self, 560, 300)

    def _show_error(self, text: str, field: QLineEdit) -> None:
        self.error_label.show_error(text, field)

    def _create(self) -> None:
        from sradar_desktop.services.campaigns import create_campaign, parse_due_date

        try:
            due = parse_due_date(self.due_edit.text())
        except UserError as error:
            self._show_error(str(error), self.due_edit)
            return
        try:
            self.created = create_campaign(
                self.db,
                self.previous.id,
                self.title_edit.text(),
                due_date=due,
                period=self.period_edit.text(),
                actor=self.actor,
            )
        except UserError as error:
            self._show_error(str(error), self.title_edit)
            return
        self.accept()
