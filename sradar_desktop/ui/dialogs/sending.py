"""« Préparer l'envoi »: the services expected to answer a campaign with their addresses, and for
each of them a message to send — the questionnaire, or a reminder — written into a folder.

The list (the roster) is the campaign's: prefilled from the database, or proposed from the
plan's region (the DREETS and the DDETS of each département); each service may have its email
addresses, typed or imported from the list a secretariat keeps (« code ; adresse »), and the
campaign a return address (where the answers come back). They are kept when the messages are
written; the consolidation uses the list to say who has answered and who is missing.

Each message is a draft (``.eml``) beside the blank workbook it carries, prepared by
``services.mailing`` as the command ``send`` does (``--reminders``, ``--since``); « Ouvrir dans
la messagerie » shows it in the agent's mail program (``ui.parts.mail_program``). Nothing is
ever sent by SRADAR Desktop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.plan import Plan
from sradar_desktop.domain.text import plural
from sradar_desktop.errors import UserError
from sradar_desktop.failures import Failure
from sradar_desktop.services.addresses import (
    AddressImport,
    AddressLine,
    checked_return_address,
    merge_addresses,
    read_address_list,
    save_addresses,
)
from sradar_desktop.services.consolidation import RosterMember
from sradar_desktop.services.database import Database
from sradar_desktop.services.mailing import DraftsResult, prepare_drafts, prepare_reminders
from sradar_desktop.services.sending import check_roster, existing_blanks, propose_roster
from sradar_desktop.ui.dialogs.sending_models import (
    ExpectedServicesModel,
    PreparedMessagesModel,
    prepared_lines,
    propose_button,
)
from sradar_desktop.ui.parts.dates import DateEdit
from sradar_desktop.ui.parts.i18n import arg, arg_count
from sradar_desktop.ui.parts.layout import MutedLabel, set_tone
from sradar_desktop.ui.parts.mail_program import MailProgram, open_file
from sradar_desktop.ui.parts.screen import fit_to_screen
from sradar_desktop.ui.parts.settings import usable_folder
from sradar_desktop.ui.parts.tasks import StoppableDialog
from sradar_desktop.ui.parts.widgets import ask

log = logging.getLogger(__name__)

ADDRESS_LIST_FILTER = "Listes d'adresses (*.csv *.txt *.xlsx *.ods *.xls);;Tous les fichiers (*)"
REMINDER_DAYS = 14  # « rien envoyé depuis » proposes two weeks ago


def _table(model: QAbstractItemModel, name: str, accessible: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setAccessibleName(accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)  # one line per service, cut at the end (« ddets-44@loire-… »)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    return table


def _columns(table: QTableView, widths: dict[int, int], stretched: int) -> None:
    """Columns of ``widths`` the user may resize; ``stretched`` takes what is left."""
    header = table.horizontalHeader()
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setSectionResizeMode(stretched, QHeaderView.ResizeMode.Stretch)


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
        return_address: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.plan = plan
        self.campaign_id = campaign_id
        self.region = region
        self.drafts: DraftsResult | None = None  # what the last writing did
        self.message_box: QMessageBox | None = None
        self.mail = MailProgram(self)
        self.mail.said.connect(lambda text, problem: self._say(text, error=problem))
        self.setObjectName("preparer-envoi")
        self.setWindowTitle(self.tr("Préparer l'envoi"))

        title = QLabel(self.tr("Préparer l'envoi du questionnaire"))
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        plan_label = QLabel(
            arg(
                self.tr(
                    "<b>Questionnaire :</b> %1 · %2. Pour chaque service : son classeur vierge "
                    "et un message qui le porte, que votre messagerie envoie (SRADAR Desktop "
                    "n'envoie rien)."
                ),
                plan.display_title,
                campaign_title,
            )
        )
        plan_label.setWordWrap(True)

        self.model = ExpectedServicesModel(plan, self)
        self.model.set_members(members)
        self.prepared = PreparedMessagesModel(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("pages-envoi")
        self.tabs.setAccessibleName(self.tr("Services et messages"))
        self.tabs.addTab(self._roster_page(return_address), self.tr("&Services et adresses"))
        self.tabs.addTab(self._messages_page(), self.tr("&Messages préparés"))
        self.tabs.setTabEnabled(1, False)

        options = self._options(folder)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Avancement"))
        self.progress_label = MutedLabel()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label, 2)
        self.progress.hide()

        self.write_button = QPushButton()
        self.write_button.setObjectName("preparer")
        self.write_button.clicked.connect(self.write)
        self.all_for_rest_button = QPushButton()
        self.all_for_rest_button.clicked.connect(self.write_all_for_the_rest)
        self.all_for_rest_button.hide()
        self.close_button = QPushButton(self.tr("&Fermer"))
        self.close_button.clicked.connect(self.reject)
        # Enter validates a cell of the list: it must not start the writing as well.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        # A row of our own: a button box shows again the buttons hidden for now.
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_for_rest_button)
        buttons.addStretch(1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(plan_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(options)
        layout.addWidget(self.message)
        layout.addLayout(progress_row)
        layout.addLayout(buttons)
        self._proposed = False
        if not members:
            self._proposed = bool(propose_roster(region))
            self.model.set_members(propose_roster(region))
        self._edited = False  # the list shown is the campaign's, as kept
        self._mode_changed()
        self._roster_changed()
        fit_to_screen(self, 920, 640)

    # -- the pages -----------------------------------------------------------------------------

    def _roster_page(self, return_address: str) -> QWidget:
        self.table = _table(self.model, "services-attendus", self.tr("Services attendus"))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        advance = self.fontMetrics().horizontalAdvance
        _columns(
            self.table,
            {
                ExpectedServicesModel.CODE: advance("DRIEETS-IDF") + 40,
                # The addresses take what is left: they are what is typed here.
                ExpectedServicesModel.LABEL: advance("DDETS de la Mayenne") + 16,
                ExpectedServicesModel.DEPARTMENT: advance("44 — Loire-Atlantique"),
                ExpectedServicesModel.PILOTED: advance("Actions pilotées") + 16,
            },
            ExpectedServicesModel.ADDRESS,
        )
        for signal in (
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.modelReset,
            self.model.dataChanged,
        ):
            signal.connect(self._edited_now)

        self.add_button = QPushButton(self.tr("&Ajouter un service"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(self.tr("&Retirer"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.propose_button = propose_button(self.region, self.propose)
        self.addresses_button = QPushButton(self.tr("&Importer des adresses…"))
        self.addresses_button.setObjectName("importer-adresses")
        self.addresses_button.setToolTip(
            self.tr(
                "Une liste que vous tenez déjà (.csv ou classeur) : sur chaque ligne, le code du "
                "service puis son adresse. Les adresses sont gardées avec la campagne."
            )
        )
        self.addresses_button.clicked.connect(self.choose_address_list)
        column = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.propose_button):
            column.addWidget(button)
        column.addSpacing(12)
        column.addWidget(self.addresses_button)
        column.addStretch(1)

        self.return_edit = QLineEdit(return_address)
        self.return_edit.setObjectName("adresse-retour")
        self.return_edit.setPlaceholderText(self.tr("par exemple sgar-evaluation@…gouv.fr"))
        self.return_edit.setAccessibleName(self.tr("Adresse de retour"))
        self.return_edit.setToolTip(
            self.tr(
                "L'adresse où les services renvoient leurs réponses (celle du secrétariat) : "
                "les messages et les classeurs vierges la portent."
            )
        )
        return_label = QLabel(self.tr("Adresse de reto&ur :"))
        return_label.setBuddy(self.return_edit)
        return_row = QHBoxLayout()
        return_row.addWidget(return_label)
        return_row.addWidget(self.return_edit, 1)

        self.roster_hint = MutedLabel()
        self.roster_hint.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        table_row = QHBoxLayout()
        table_row.addWidget(self.table, 1)
        table_row.addLayout(column)
        layout.addLayout(table_row, 1)
        layout.addWidget(self.roster_hint)
        layout.addLayout(return_row)
        return page

    def _messages_page(self) -> QWidget:
        self.messages_view = _table(
            self.prepared, "messages-prepares", self.tr("Messages préparés")
        )
        self.messages_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.messages_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        advance = self.fontMetrics().horizontalAdvance
        _columns(
            self.messages_view,
            {
                PreparedMessagesModel.SERVICE: advance("DRIEETS-IDF") + 24,
                PreparedMessagesModel.TO: advance("ddets-44-evaluation@example.gouv.fr"),
                PreparedMessagesModel.FILE: advance("SRADAR-2021-2023_DREETS-PDL_relance.eml"),
            },
            PreparedMessagesModel.WHAT,
        )
        self.messages_view.activated.connect(lambda _index: self.open_in_mail_program())
        self.messages_view.selectionModel().currentRowChanged.connect(self._message_chosen)

        self.mail_button = QPushButton(self.tr("&Ouvrir dans la messagerie"))
        self.mail_button.setObjectName("ouvrir-messagerie")
        self.mail_button.setToolTip(
            self.tr(
                "Le message choisi, avec sa pièce jointe, comme un nouveau message de votre "
                "messagerie : vous le vérifiez et l'envoyez vous-même."
            )
        )
        self.mail_button.clicked.connect(self.open_in_mail_program)
        self.mail_button.setEnabled(False)
        self.open_button = QPushButton(self.tr("Ou&vrir le dossier"))
        self.open_button.clicked.connect(self.open_folder)
        row = QHBoxLayout()
        row.addWidget(self.mail_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.messages_view, 1)
        layout.addLayout(row)
        return page

    def _options(self, folder: str) -> QGridLayout:
        """What to prepare (the questionnaire, or reminders), with every action or not, where."""
        self.invitation_button = QRadioButton(self.tr("Le &questionnaire à chaque service"))
        self.reminders_button = QRadioButton(
            self.tr("Des re&lances aux services à qui il manque des réponses")
        )
        self.reminders_button.setToolTip(
            self.tr(
                "Chaque relance dit ce qui manque (aucune réponse, les actions sans réponse, "
                "les réponses reprises à confirmer) et porte un classeur vierge neuf."
            )
        )
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.invitation_button)
        self.mode.addButton(self.reminders_button)
        self.invitation_button.setChecked(True)
        self.mode.buttonToggled.connect(lambda *_: self._mode_changed())
        self.since_box = QCheckBox(self.tr("seulement ceux qui n'ont rie&n envoyé depuis le"))
        self.since_box.setObjectName("depuis")
        self.since_box.toggled.connect(lambda *_: self._mode_changed())
        self.since_edit = DateEdit(
            self.tr("Date depuis laquelle un service qui a envoyé quelque chose n'est pas relancé"),
            "date-depuis",
            date.today() - timedelta(days=REMINDER_DAYS),
        )
        since_row = QHBoxLayout()
        since_row.addSpacing(24)
        since_row.addWidget(self.since_box)
        since_row.addWidget(self.since_edit)
        since_row.addStretch(1)

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
        self.folder_edit.setAccessibleName(self.tr("Dossier où écrire les messages"))
        choose = QPushButton(self.tr("&Choisir…"))
        choose.setAccessibleName(self.tr("Choisir le dossier"))
        choose.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(choose)

        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.invitation_button)
        mode_row.addWidget(self.reminders_button)
        mode_row.addStretch(1)
        grid.addLayout(mode_row, 0, 0)
        grid.addLayout(since_row, 1, 0)
        grid.addWidget(self.all_actions_box, 2, 0)
        grid.addLayout(folder_row, 3, 0)
        return grid

    # -- the roster ----------------------------------------------------------------------------

    def _edited_now(self, *_args: object) -> None:
        self._edited = True
        self._roster_changed()

    def _roster_changed(self, *_args: object) -> None:
        count = self.model.rowCount()
        self.tabs.setTabToolTip(0, arg(self.tr("%1 services attendus"), count))
        if self._proposed:
            hint = arg(
                self.tr(
                    "Proposée d'après la région du plan (%1) : la DREETS et la DDETS de chaque "
                    "département. Ajoutez ou retirez des services ; double-cliquez un code, un "
                    "libellé ou une adresse pour le modifier."
                ),
                self.region,
            )
        elif count and not self._edited:
            hint = arg_count(
                count,
                self.tr(
                    "%1 service attendu, enregistré pour cette campagne. Double-cliquez un code, "
                    "un libellé ou une adresse pour le modifier."
                ),
                self.tr(
                    "%1 services attendus, enregistrés pour cette campagne. Double-cliquez un "
                    "code, un libellé ou une adresse pour le modifier."
                ),
            )
        elif count:
            hint = arg_count(
                count,
                self.tr(
                    "%1 service attendu : la liste et les adresses seront enregistrées avec les "
                    "messages. Double-cliquez un code, un libellé ou une adresse pour le modifier."
                ),
                self.tr(
                    "%1 services attendus : la liste et les adresses seront enregistrées avec "
                    "les messages. Double-cliquez un code, un libellé ou une adresse pour le "
                    "modifier."
                ),
            )
        else:
            hint = self.tr(
                "Ajoutez les services qui doivent répondre (code comme DDETS-44 ou DREETS-PDL) ;"
                " le libellé est proposé d'après le code."
            )
        lines = self.model.lines()
        none = [c for c, _l, _e in lines if c.strip() and self.model.piloted(c) == 0]
        if none and not self.all_actions_box.isChecked():
            hint += " " + arg(
                self.tr(
                    "Sans « toutes les actions », %1 ne recevra pas de message : aucune action "
                    "du plan n'est pilotée par ce service."
                )
                if len(none) == 1
                else self.tr(
                    "Sans « toutes les actions », %1 ne recevront pas de message : aucune "
                    "action du plan n'est pilotée par ces services."
                ),
                ", ".join(none),
            )
        without = [c for c, _l, e in lines if c.strip() and not (e or "").strip()]
        if without and len(without) < len(lines):
            hint += " " + arg(self.tr("Sans adresse : %1."), ", ".join(without))
        self.roster_hint.setText(hint)
        self.remove_button.setEnabled(count > 0)

    def add_row(self) -> None:
        row = self.model.rowCount()
        self.model.insertRows(row, 1)
        index = self.model.index(row, ExpectedServicesModel.CODE)
        self.tabs.setCurrentIndex(0)
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

    def _members(self) -> list[RosterMember] | None:
        """The roster as typed, checked; ``None`` with the problem said."""
        try:
            return check_roster(self.model.lines())
        except UserError as error:
            self._say(str(error), error=True)
            self.tabs.setCurrentIndex(0)
            self.table.setFocus()
            return None

    # -- the addresses -------------------------------------------------------------------------

    def choose_address_list(self) -> None:
        """« Importer des adresses… »: a list « code ; adresse », read off the UI thread, then
        given to the services of the list shown (kept when the messages are written)."""
        if self._runner.busy or self._members() is None:
            return
        name, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Liste des adresses des services"),
            self.folder_edit.text(),
            self.tr(ADDRESS_LIST_FILTER),
        )
        if not name:
            return
        path = Path(name)
        self._runner.run_operation(
            lambda _progress: read_address_list(path),
            on_done=lambda lines: self._apply_addresses(path, lines),
            on_failure=self._failed,
            failed=arg(self.tr("La liste « %1 » n'a pas pu être lue"), path.name),
        )

    def _apply_addresses(self, path: Path, lines: Sequence[AddressLine]) -> None:
        members = self._members()
        if members is None:
            return
        updated, result = merge_addresses(members, lines)
        self._show_addresses(path, updated, result)
        if result.not_expected:
            self._ask_to_add(path, members, lines, result.not_expected)

    def _show_addresses(
        self, path: Path, members: list[RosterMember], result: AddressImport
    ) -> None:
        self._proposed = False
        self.model.set_members(members)
        self.tabs.setCurrentIndex(0)
        text = arg(
            self.tr("%1 : %2, %3."),
            path.name,
            arg_count(
                len(result.changed),
                self.tr("%1 adresse reprise"),
                self.tr("%1 adresses reprises"),
            ),
            arg_count(len(result.unchanged), self.tr("%1 inchangée"), self.tr("%1 inchangées")),
        )
        if result.added:
            text += " " + arg(self.tr("Services ajoutés : %1."), ", ".join(result.added))
        if result.without:
            text += " " + arg(self.tr("Toujours sans adresse : %1."), ", ".join(result.without))
        text += " " + self.tr("Elles seront enregistrées avec les messages.")
        self._say(text)

    def _ask_to_add(
        self,
        path: Path,
        members: list[RosterMember],
        lines: Sequence[AddressLine],
        codes: list[str],
    ) -> None:
        self.message_box = ask(
            self,
            arg_count(
                len(codes),
                self.tr("%1 service de la liste n'est pas parmi les services attendus."),
                self.tr("%1 services de la liste ne sont pas parmi les services attendus."),
            ),
            arg(self.tr("%1\n\nLes ajouter à la liste, avec leurs adresses ?"), ", ".join(codes)),
            self.tr("&Les ajouter"),
            self.tr("Les laisser de &côté"),
            lambda: self._show_addresses(path, *merge_addresses(members, lines, add=True)),
        )

    # -- the folder ----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Dossier où écrire les messages"), self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    @property
    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def open_folder(self) -> None:
        open_file(self.folder)

    # -- writing -------------------------------------------------------------------------------

    @property
    def reminders(self) -> bool:
        return self.reminders_button.isChecked()

    @property
    def since(self) -> date | None:
        if not self.reminders or not self.since_box.isChecked():
            return None
        return self.since_edit.day()

    def _mode_changed(self) -> None:
        self.since_box.setEnabled(self.reminders)
        self.since_edit.setEnabled(self.reminders and self.since_box.isChecked())
        self.write_button.setText(
            self.tr("&Préparer les relances")
            if self.reminders
            else self.tr("&Préparer les messages")
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        set_tone(self.message, "error" if error else "", bold=error)
        self.message.show()

    def write(self) -> None:
        """Check the roster, the return address and the folder, then write the messages (asking
        first before replacing blanks already in the folder)."""
        if self._runner.busy:
            return
        members = self._members()
        if members is None:
            return
        if not members:
            self._say(
                self.tr("Ajoutez au moins un service attendu (bouton « Ajouter un service »)."),
                error=True,
            )
            return
        try:
            back = checked_return_address(self.return_edit.text())
        except UserError as error:
            self._say(str(error), error=True)
            self.tabs.setCurrentIndex(0)
            self.return_edit.setFocus()
            return
        folder = self.folder
        if not self.folder_edit.text().strip() or not folder.is_dir():
            self._say(
                self.tr("Choisissez un dossier existant où écrire les messages (« Choisir… »)."),
                error=True,
            )
            self.folder_edit.setFocus()
            return
        existing = existing_blanks(folder, self.plan.id, [m.code for m in members])

        def run() -> None:
            self._run(None, all_actions=self.all_actions_box.isChecked(), save=(members, back))

        if not existing:
            run()
            return
        names = ", ".join(path.name for path in existing[:5])
        if len(existing) > 5:
            names += "…"
        self.message_box = ask(
            self,
            arg_count(
                len(existing),
                self.tr("%1 classeur de ce questionnaire est déjà dans ce dossier."),
                self.tr("%1 classeurs de ce questionnaire sont déjà dans ce dossier."),
            ),
            arg(
                self.tr(
                    "%1\n\nLes remplacer par des classeurs vierges ? Si ce sont des réponses "
                    "reçues, importez-les d'abord ou choisissez un autre dossier."
                ),
                names,
            ),
            self.tr("&Remplacer"),
            self.tr("&Ne rien écrire"),
            run,
            destructive=True,
        )

    def write_all_for_the_rest(self) -> None:
        """Write, with every action, the messages of the services that pilot nothing."""
        if self.drafts is None or not self.drafts.pilots_nothing or self._runner.busy:
            return
        self._run(list(self.drafts.pilots_nothing), all_actions=True, save=None)

    def _run(
        self,
        codes: list[str] | None,
        *,
        all_actions: bool,
        save: tuple[list[RosterMember], str] | None,
    ) -> None:
        """Prepare the messages of ``codes`` (all the services: ``None``), the roster and the
        return address of ``save`` kept first."""
        self._cancel.clear()
        self.message.hide()
        self._set_busy(True)
        db, folder, cancel, campaign = self.db, self.folder, self._cancel, self.campaign_id
        reminders, since = self.reminders and codes is None, self.since
        total = len(codes) if codes is not None else len(save[0]) if save else 0

        def work(progress: Callable[[int, int, str], None]) -> DraftsResult:
            if save is not None:
                save_addresses(db, campaign, *save)
            prepare = partial(prepare_reminders, since=since) if reminders else prepare_drafts
            return prepare(
                db,
                folder,
                campaign_id=campaign,
                codes=codes,
                all_actions=all_actions,
                progress=lambda index, code: progress(index, total, code),
                cancelled=cancel.is_set,
            )

        self._runner.run_operation(
            work,
            on_done=lambda result: self._written(result, complete=codes is not None),
            on_failure=self._failed,
            failed=self.tr("Les messages n'ont pas pu être écrits"),
            on_progress=self._progressed,
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.tabs,
            self.invitation_button,
            self.reminders_button,
            self.all_actions_box,
            self.folder_edit,
            self.write_button,
            self.all_for_rest_button,
        ):
            widget.setEnabled(not busy)
        if busy:
            self.since_box.setEnabled(False)
            self.since_edit.setEnabled(False)
            self.close_button.setText(self.tr("Arrêt&er"))
            self.progress.setValue(0)
            self.progress.show()
        else:
            self._mode_changed()
            self.progress.hide()
            self.progress_label.setText("")
            self.close_button.setText(self.tr("&Fermer"))
            self.close_button.setEnabled(True)

    def _progressed(self, done: int, total: int, code: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress_label.setText(
            arg(self.tr("Message de %1 (%2 sur %3)…"), code, done + 1, total)
        )

    def _written(self, result: DraftsResult, *, complete: bool) -> None:
        self._set_busy(False)
        if complete and self.drafts is not None:
            # The second pass (every action for those who pilot nothing) completes the first.
            self.prepared.complete(prepared_lines(result))
            done = {written.code for written in result.written}
            first = self.drafts
            first.written += result.written
            first.refused += result.refused
            first.skipped = [(code, why) for code, why in first.skipped if code not in done]
            first.pilots_nothing = [code for code in first.pilots_nothing if code not in done]
            first.not_done = result.not_done
            result = first
        else:
            self.prepared.set_lines(prepared_lines(result))
            self.drafts = result
            self._proposed = self._edited = False
            self._roster_changed()
            self.roster_saved.emit(self.campaign_id)
        self._say(self.describe(result), error=bool(result.refused))
        self.tabs.setTabEnabled(1, bool(self.prepared.lines))
        if self.prepared.lines:
            self.tabs.setCurrentIndex(1)
            self.messages_view.setCurrentIndex(self.prepared.index(0, 0))
            self.messages_view.setFocus()
        rest = result.pilots_nothing
        self.all_for_rest_button.setVisible(bool(rest))
        if rest:
            self.all_for_rest_button.setText(
                self.tr("Leur envo&yer toutes les actions")
                if len(rest) > 1
                else self.tr("Lui envo&yer toutes les actions")
            )

    def describe(self, result: DraftsResult) -> str:
        """What was prepared, in French, for the dialog (the list says it service by
        service)."""
        written = self.prepared.written
        if not written:
            text = self.tr("Aucun message n'a été préparé (voir la liste).")
        elif any(draft.missing is not None for draft in written):
            text = arg(
                plural(
                    len(written),
                    self.tr(
                        "%1 relance préparée dans %2, avec un classeur vierge : elle dit ce qui "
                        "manque. Ouvrez-la dans votre messagerie pour la vérifier et l'envoyer."
                    ),
                    self.tr(
                        "%1 relances préparées dans %2, chacune avec un classeur vierge : elles "
                        "disent ce qui manque. Ouvrez-les dans votre messagerie pour les vérifier "
                        "et les envoyer."
                    ),
                ),
                len(written),
                result.folder,
            )
        else:
            text = arg(
                plural(
                    len(written),
                    self.tr(
                        "%1 message préparé dans %2, avec son classeur : ouvrez-le dans votre "
                        "messagerie pour le vérifier et l'envoyer."
                    ),
                    self.tr(
                        "%1 messages préparés dans %2, chacun avec son classeur : ouvrez-les "
                        "dans votre messagerie pour les vérifier et les envoyer."
                    ),
                ),
                len(written),
                result.folder,
            )
        text += " " + self.tr("SRADAR Desktop n'envoie rien.")
        text += " " + self.tr("La liste des services et leurs adresses sont enregistrées.")
        if result.pilots_nothing:
            text += " " + arg(
                self.tr("Sans action pilotée, pas de message pour : %1."),
                ", ".join(result.pilots_nothing),
            )
        if result.not_done:
            text += " " + arg(
                self.tr("Arrêté avant %1 : rien n'a été écrit pour eux."),
                ", ".join(result.not_done),
            )
        return text

    def _failed(self, failure: Failure) -> None:
        self._set_busy(False)
        self._say(failure.message, error=True)

    # -- the messages prepared -----------------------------------------------------------------

    def _message_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.mail_button.setEnabled(self.prepared.written_at(current.row()) is not None)

    def open_in_mail_program(self) -> None:
        """« Ouvrir dans la messagerie »: the message chosen, as a new message of the mail
        program."""
        written = self.prepared.written_at(self.messages_view.currentIndex().row())
        if written is None:
            return
        self.mail.open(written.file)

    # -- closing -------------------------------------------------------------------------------

    def stopping(self) -> None:
        """« Arrêter » while writing: stop between two messages."""
        self.close_button.setEnabled(False)
        self.progress_label.setText(self.tr("Arrêt après le message en cours…"))
