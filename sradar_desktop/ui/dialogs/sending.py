"""« Préparer l'envoi »: the services expected to answer a campaign, and one blank workbook for
each of them, written into a folder at once.

The list (the roster) is the campaign's: it is prefilled from the database, or proposed from the
plan's region (the DREETS and the DDETS of each département), and saved when the workbooks are
written; the consolidation uses it to say who has answered and who is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop import APP_NAME
from sradar_desktop.domain.departements import department_from_code, department_name
from sradar_desktop.domain.plan import Plan
from sradar_desktop.errors import UserError
from sradar_desktop.failures import Failure
from sradar_desktop.services.consolidation import RosterMember
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry import service_label_for
from sradar_desktop.services.sending import (
    PilotedCounts,
    SendingResult,
    check_roster,
    existing_blanks,
    prepare_sending,
    propose_roster,
)
from sradar_desktop.ui.parts.i18n import arg, arg_count
from sradar_desktop.ui.parts.layout import MutedLabel, set_tone, tone_brush
from sradar_desktop.ui.parts.roles import DISPLAY, EDIT, INVALID, Index
from sradar_desktop.ui.parts.screen import fit_to_screen
from sradar_desktop.ui.parts.settings import usable_folder
from sradar_desktop.ui.parts.tasks import StoppableDialog

log = logging.getLogger(__name__)


class ExpectedServicesModel(QAbstractTableModel):
    """The services expected to answer, as the user edits them: code and label (editable),
    département and number of actions piloted in the plan (deduced)."""

    CODE, LABEL, DEPARTMENT, PILOTED = range(4)

    def __init__(self, plan: Plan | None = None, parent: object = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self._rows: list[list[str]] = []  # code, label, label suggested for the code
        self.piloted = PilotedCounts(plan) if plan is not None else lambda _code: None

    # -- content -------------------------------------------------------------------------------

    def set_members(self, members: list[RosterMember]) -> None:
        self.beginResetModel()
        self._rows = [[m.code, m.label, service_label_for(m.code)] for m in members]
        self.endResetModel()

    def lines(self) -> list[tuple[str, str]]:
        """(code, label) as typed, one per row."""
        return [(code, label) for code, label, _suggested in self._rows]

    def code(self, row: int) -> str:
        return self._rows[row][0]

    # -- the model -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (
                self.tr("Code"),
                self.tr("Libellé"),
                self.tr("Département"),
                self.tr("Actions pilotées"),
            )[section]
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (self.CODE, self.LABEL):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        code, label, _suggested = self._rows[index.row()]
        column = index.column()
        if role in (DISPLAY, EDIT):
            if column == self.CODE:
                return code
            if column == self.LABEL:
                return label
            if role == EDIT:
                return None
            if column == self.DEPARTMENT:
                number = department_from_code(code)
                return f"{number} — {department_name(number)}" if number else "—"
            piloted = self.piloted(code)
            if piloted is None:
                return "—"
            return str(piloted) if piloted else self.tr("aucune")
        if role == Qt.ItemDataRole.ForegroundRole and column == self.PILOTED:
            if self.piloted(code) == 0:
                return tone_brush("error")
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.PILOTED:
            if self.piloted(code) == 0:
                return self.tr(
                    "Ce service ne pilote aucune action du plan : son classeur serait vide, "
                    "sauf si vous envoyez toutes les actions."
                )
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.PILOTED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: object, role: int = EDIT) -> bool:
        if not index.isValid() or role != EDIT or index.column() not in (self.CODE, self.LABEL):
            return False
        row = self._rows[index.row()]
        text = " ".join(str(value or "").split())
        if index.column() == self.CODE:
            text = text.upper()
            if text == row[0]:
                return False
            row[0] = text
            suggestion = service_label_for(text) if text else ""
            # A label left as suggested follows the code (« DDETS-49 » → « DDETS de
            # Maine-et-Loire »); a label the user typed is kept.
            if not row[1] or row[1] == row[2]:
                row[1] = suggestion
            row[2] = suggestion
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 3))
            return True
        if text == row[1]:
            return False
        row[1] = text
        self.dataChanged.emit(index, index)
        return True

    def insertRows(self, row: int, count: int, parent: Index = INVALID) -> bool:
        if parent.isValid() or count < 1 or not 0 <= row <= len(self._rows):
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        for _ in range(count):
            self._rows.insert(row, ["", "", ""])
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: Index = INVALID) -> bool:
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row : row + count]
        self.endRemoveRows()
        return True


def open_folder(folder: Path) -> None:
    """Show ``folder`` in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class SendDialog(StoppableDialog):
    """See the module's docstring. ``roster_saved`` is emitted once the roster is saved."""

    roster_saved = Signal(str)  # campaign id

    def __init__(
        self,
        db: Database,
        plan: Plan,
        campaign_id: str,
        campaign_title: str,
        members: list[RosterMember],
        *,
        region: str = "",
        folder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.plan = plan
        self.campaign_id = campaign_id
        self.region = region
        self.result: SendingResult | None = None
        self.message_box: QMessageBox | None = None
        self.setObjectName("preparer-envoi")
        self.setWindowTitle(self.tr("Préparer l'envoi"))

        title = QLabel(self.tr("Préparer l'envoi du questionnaire"))
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        intro = QLabel(
            self.tr(
                "Un classeur vierge par service attendu, à joindre à un courriel. Chacun le "
                "remplit dans SRADAR Desktop, Excel ou LibreOffice et vous le renvoie ; vous "
                "l'importez par Fichier › Importer des classeurs. La liste des services "
                "attendus est gardée avec la campagne : elle dit qui a répondu et qui manque."
            )
        )
        intro.setWordWrap(True)
        plan_label = QLabel(
            arg(self.tr("<b>Questionnaire :</b> %1 · %2"), plan.display_title, campaign_title)
        )
        plan_label.setWordWrap(True)

        self.model = ExpectedServicesModel(plan, self)
        self.model.set_members(members)
        self.table = QTableView()
        self.table.setObjectName("services-attendus")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Services attendus"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        metrics = self.fontMetrics()
        header.setSectionResizeMode(ExpectedServicesModel.CODE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(
            ExpectedServicesModel.CODE, metrics.horizontalAdvance("DRIEETS-IDF") + 40
        )
        header.setSectionResizeMode(ExpectedServicesModel.LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(
            ExpectedServicesModel.DEPARTMENT, QHeaderView.ResizeMode.Interactive
        )
        header.resizeSection(
            ExpectedServicesModel.DEPARTMENT,
            metrics.horizontalAdvance("44 — Loire-Atlantique") + 24,
        )
        header.setSectionResizeMode(
            ExpectedServicesModel.PILOTED, QHeaderView.ResizeMode.ResizeToContents
        )
        self.model.rowsInserted.connect(self._roster_changed)
        self.model.rowsRemoved.connect(self._roster_changed)
        self.model.modelReset.connect(self._roster_changed)
        self.model.dataChanged.connect(self._roster_changed)

        self.add_button = QPushButton(self.tr("&Ajouter un service"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(self.tr("&Retirer"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.propose_button = QPushButton(self.tr("Proposer d'après la ré&gion"))
        self.propose_button.clicked.connect(self.propose)
        self.propose_button.setEnabled(bool(propose_roster(region)))
        self.propose_button.setToolTip(
            arg(
                self.tr("Remplace la liste par la DREETS et les DDETS de la région (%1)"),
                region,
            )
            if region
            else self.tr("La région du plan n'est pas connue.")
        )
        buttons_column = QVBoxLayout()
        buttons_column.addWidget(self.add_button)
        buttons_column.addWidget(self.remove_button)
        buttons_column.addSpacing(12)
        buttons_column.addWidget(self.propose_button)
        buttons_column.addStretch(1)
        self.roster_hint = MutedLabel()
        self.roster_hint.setWordWrap(True)
        self.roster_box = QGroupBox()
        box_layout = QVBoxLayout(self.roster_box)
        table_row = QHBoxLayout()
        table_row.addWidget(self.table, 1)
        table_row.addLayout(buttons_column)
        box_layout.addLayout(table_row)
        box_layout.addWidget(self.roster_hint)

        self.all_actions_box = QCheckBox(
            self.tr(
                "Envoyer &toutes les actions du plan à chaque service (sinon, les actions "
                "qu'il pilote)"
            )
        )
        self.all_actions_box.toggled.connect(self._roster_changed)
        self.folder_edit = QLineEdit(str(usable_folder(folder)))
        self.folder_edit.setObjectName("dossier")
        folder_label = QLabel(self.tr("&Dossier :"))
        folder_label.setBuddy(self.folder_edit)
        choose = QPushButton(self.tr("&Choisir…"))
        choose.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(choose)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_label = MutedLabel()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label, 2)
        self.progress.hide()

        self.write_button = QPushButton(self.tr("&Préparer les classeurs"))
        self.write_button.setObjectName("preparer")
        self.write_button.clicked.connect(self.write)
        self.all_for_rest_button = QPushButton()
        self.all_for_rest_button.clicked.connect(self.write_all_for_the_rest)
        self.all_for_rest_button.hide()
        self.open_button = QPushButton(self.tr("&Ouvrir le dossier"))
        self.open_button.clicked.connect(self.open_folder)
        self.open_button.hide()
        self.close_button = QPushButton(self.tr("&Fermer"))
        self.close_button.clicked.connect(self.reject)
        # Enter validates a cell of the list: it must not start the writing as well.
        for button in (
            self.write_button,
            self.all_for_rest_button,
            self.open_button,
            self.close_button,
            self.add_button,
            self.remove_button,
            self.propose_button,
            choose,
        ):
            button.setAutoDefault(False)
        # A row of our own: a button box shows again the buttons hidden for now.
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_for_rest_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(plan_label)
        layout.addWidget(self.roster_box, 1)
        layout.addWidget(self.all_actions_box)
        layout.addLayout(folder_row)
        layout.addWidget(self.message)
        layout.addLayout(progress_row)
        layout.addLayout(buttons)
        self._proposed = False
        if not members:
            self._proposed = bool(propose_roster(region))
            self.model.set_members(propose_roster(region))
        self._roster_changed()
        fit_to_screen(self, 860, 620)

    # -- the roster ----------------------------------------------------------------------------

    def _roster_changed(self, *_args: object) -> None:
        count = self.model.rowCount()
        self.roster_box.setTitle(arg(self.tr("Services attendus (%1)"), count))
        if self._proposed:
            hint = arg(
                self.tr(
                    "Proposée d'après la région du plan (%1) : la DREETS et la DDETS de chaque "
                    "département. Ajoutez ou retirez des services à votre guise ; double-cliquez "
                    "un code ou un libellé pour le modifier."
                ),
                self.region,
            )
        elif count:
            hint = self.tr(
                "La liste enregistrée pour cette campagne. Double-cliquez un code ou un libellé "
                "pour le modifier."
            )
        else:
            hint = self.tr(
                "Ajoutez les services qui doivent répondre (code comme DDETS-44 ou DREETS-PDL) ;"
                " le libellé est proposé d'après le code."
            )
        none = [
            code
            for code, _label in self.model.lines()
            if code.strip() and self.model.piloted(code) == 0
        ]
        if none and not self.all_actions_box.isChecked():
            hint += " " + arg(
                self.tr(
                    "Sans « toutes les actions », %1 ne recevra pas de classeur : aucune action "
                    "du plan n'est pilotée par ce service."
                )
                if len(none) == 1
                else self.tr(
                    "Sans « toutes les actions », %1 ne recevront pas de classeur : aucune "
                    "action du plan n'est pilotée par ces services."
                ),
                ", ".join(none),
            )
        self.roster_hint.setText(hint)
        self.remove_button.setEnabled(count > 0)

    def add_row(self) -> None:
        row = self.model.rowCount()
        self.model.insertRows(row, 1)
        index = self.model.index(row, ExpectedServicesModel.CODE)
        self.table.setCurrentIndex(index)
        self.table.setFocus()
        self.table.edit(index)

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        for row in reversed(rows):
            self.model.removeRows(row, 1)

    def propose(self) -> None:
        self._proposed = True
        self.model.set_members(propose_roster(self.region))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Dossier où écrire les classeurs"), self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    @property
    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def open_folder(self) -> None:
        open_folder(self.folder)

    # -- writing -------------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        set_tone(self.message, "error" if error else "", bold=error)
        self.message.show()

    def write(self) -> None:
        """Check the roster and the folder, then write the blanks (asking first before
        replacing blanks already in the folder)."""
        if self._runner.busy:
            return
        try:
            members = check_roster(self.model.lines())
        except UserError as error:
            self._say(str(error), error=True)
            self.table.setFocus()
            return
        if not members:
            self._say(
                self.tr("Ajoutez au moins un service attendu (bouton « Ajouter un service »)."),
                error=True,
            )
            return
        folder = self.folder
        if not self.folder_edit.text().strip() or not folder.is_dir():
            self._say(
                self.tr("Choisissez un dossier existant où écrire les classeurs (« Choisir… »)."),
                error=True,
            )
            self.folder_edit.setFocus()
            return
        existing = existing_blanks(folder, self.plan.id, [m.code for m in members])
        if not existing:
            self._run(members, all_actions=self.all_actions_box.isChecked(), save_roster=True)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(APP_NAME)
        box.setText(
            arg_count(
                len(existing),
                self.tr("%1 classeur de ce questionnaire est déjà dans ce dossier."),
                self.tr("%1 classeurs de ce questionnaire sont déjà dans ce dossier."),
            )
        )
        names = ", ".join(path.name for path in existing[:5])
        if len(existing) > 5:
            names += "…"
        box.setInformativeText(
            arg(
                self.tr(
                    "%1\n\nLes remplacer par des classeurs vierges ? Si ce sont des réponses "
                    "reçues, importez-les d'abord ou choisissez un autre dossier."
                ),
                names,
            )
        )
        replace = box.addButton(self.tr("Remplacer"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Ne rien écrire"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)

        def clicked(button: object) -> None:
            if button is replace:
                self._run(members, all_actions=self.all_actions_box.isChecked(), save_roster=True)

        box.buttonClicked.connect(clicked)
        box.finished.connect(box.deleteLater)
        self.message_box = box
        box.open()

    def write_all_for_the_rest(self) -> None:
        """Write, with every action, the blanks of the services that pilot nothing."""
        if self.result is None or not self.result.pilots_nothing or self._runner.busy:
            return
        self._run(list(self.result.pilots_nothing), all_actions=True, save_roster=False)

    def _run(self, members: list[RosterMember], *, all_actions: bool, save_roster: bool) -> None:
        self._cancel.clear()
        self.message.hide()
        for widget in (
            self.roster_box,
            self.all_actions_box,
            self.folder_edit,
            self.write_button,
            self.all_for_rest_button,
            self.open_button,
        ):
            widget.setEnabled(False)
        self.close_button.setText(self.tr("&Arrêter"))
        self.progress.setRange(0, len(members))
        self.progress.setValue(0)
        self.progress.show()
        db, plan, folder, cancel = self.db, self.plan, self.folder, self._cancel
        campaign = self.campaign_id
        total = len(members)

        def work(progress: Callable[[int, int, str], None]) -> SendingResult:
            return prepare_sending(
                db,
                folder,
                questionnaire_id=plan.id,
                campaign_id=campaign,
                plan=plan,
                members=members,
                all_actions=all_actions,
                save_roster=save_roster,
                progress=lambda index, member: progress(index, total, member.code),
                cancelled=cancel.is_set,
            )

        previous = self.result if not save_roster else None
        self._runner.run_operation(
            work,
            on_done=lambda result: self._written(result, previous, save_roster),
            on_failure=self._failed,
            failed=self.tr("Les classeurs n'ont pas pu être écrits"),
            on_progress=self._progressed,
        )

    def _progressed(self, done: int, total: int, code: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress_label.setText(
            arg(self.tr("Classeur de %1 (%2 sur %3)…"), code, done + 1, total)
        )

    def _idle(self) -> None:
        self.progress.hide()
        self.progress_label.setText("")
        for widget in (self.roster_box, self.all_actions_box, self.folder_edit, self.write_button):
            widget.setEnabled(True)
        self.close_button.setText(self.tr("&Fermer"))
        self.close_button.setEnabled(True)

    def _written(
        self, result: SendingResult, previous: SendingResult | None, roster_saved: bool
    ) -> None:
        self._idle()
        if previous is not None:
            # The second pass (every action for those who pilot nothing) completes the first.
            previous.written += result.written
            previous.refused += result.refused
            previous.pilots_nothing = list(result.not_done)
            result = previous
        self.result = result
        if roster_saved:
            self.roster_saved.emit(self.campaign_id)
        self._say(self.describe(result), error=bool(result.refused))
        self.open_button.setVisible(bool(result.written))
        self.open_button.setEnabled(True)
        rest = result.pilots_nothing
        self.all_for_rest_button.setVisible(bool(rest))
        self.all_for_rest_button.setEnabled(True)
        if rest:
            self.all_for_rest_button.setText(
                self.tr("Leur envoyer &toutes les actions")
                if len(rest) > 1
                else self.tr("Lui envoyer &toutes les actions")
            )
        (self.open_button if result.written else self.close_button).setFocus()

    def describe(self, result: SendingResult) -> str:
        """What was written, in French, for the dialog."""
        written = len(result.written)
        text = arg(
            self.tr("%1 classeur vierge écrit dans %2.")
            if written < 2
            else self.tr("%1 classeurs vierges écrits dans %2."),
            written,
            result.folder,
        )
        text += " " + self.tr("La liste des services attendus est enregistrée.")
        if result.pilots_nothing:
            text += " " + arg_count(
                len(result.pilots_nothing),
                self.tr("%1 service ne pilote aucune action du plan et n'a pas de classeur :"),
                self.tr("%1 services ne pilotent aucune action du plan et n'ont pas de classeur :"),
            )
            text += " " + ", ".join(m.code for m in result.pilots_nothing) + "."
        for one, error in result.refused:
            text += f"\n{one.code} : {error}"
        if result.not_done:
            text += "\n" + arg(
                self.tr("Arrêté avant %1 : leurs classeurs n'ont pas été écrits."),
                ", ".join(m.code for m in result.not_done),
            )
        return text

    def _failed(self, failure: Failure) -> None:
        self._idle()
        self._say(failure.message, error=True)

    # -- closing -------------------------------------------------------------------------------

    def stopping(self) -> None:
        """« Arrêter » while writing: stop between two workbooks."""
        self.close_button.setEnabled(False)
        self.progress_label.setText(self.tr("Arrêt après le classeur en cours…"))
