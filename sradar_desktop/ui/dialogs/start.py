"""Dialogs: who answers and which questionnaire (first start and settings), a second window on
the same database, the keyboard shortcuts, « À propos »."""

from __future__ import annotations

import platform
from html import escape

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QItemSelectionModel, Qt, qVersion
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.domain.departements import (
    REGIONS,
    department_from_code,
    department_name,
    region_of_service,
)
from sradar_desktop.domain.questionnaires import QuestionnaireSummary
from sradar_desktop.errors import UserError
from sradar_desktop.logs import log_file
from sradar_desktop.paths import data_dir
from sradar_desktop.services.entry_data import Identity, service_label_for
from sradar_desktop.services.instance_lock import LockOwner
from sradar_desktop.ui.entry.models import QuestionnaireListModel
from sradar_desktop.ui.parts.i18n import arg, translate
from sradar_desktop.ui.parts.layout import ErrorLabel, set_tone
from sradar_desktop.ui.parts.screen import fit_to_screen, scrolling
from sradar_desktop.ui.parts.speech import TextPane, announce


class IdentityDialog(QDialog):
    """« Qui êtes-vous ? » The service (code, label, département), the agent's name, and the
    questionnaire to answer. Shown at first start, and from the settings afterwards."""

    def __init__(
        self,
        questionnaires: list[QuestionnaireSummary],
        identity: Identity | None = None,
        questionnaire_id: str = "",
        *,
        first_start: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.first_start = first_start
        self.identity: Identity | None = None
        self.setWindowTitle(
            arg(self.tr("Bienvenue dans %1"), APP_NAME)
            if first_start
            else self.tr("Mon service et mon questionnaire")
        )
        self._suggested = ""

        intro = QLabel(
            self.tr(
                "Pour commencer, dites qui vous êtes et quel plan vous évaluez. Vos réponses "
                "sont enregistrées au nom de votre service ; votre nom accompagne chaque "
                "modification dans l'historique."
            )
            if first_start
            else self.tr(
                "Vos réponses sont enregistrées au nom de votre service ; votre nom accompagne "
                "chaque modification dans l'historique."
            )
        )
        intro.setWordWrap(True)
        if first_start:
            title = QLabel(arg(self.tr("Bienvenue dans %1"), APP_NAME))
            font = QFont(title.font())
            font.setPointSizeF(font.pointSizeF() * 1.4)
            font.setBold(True)
            title.setFont(font)
        else:
            title = None

        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(self.tr("par exemple DDETS-44"))
        self.code_edit.setMaxLength(64)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText(self.tr("par exemple DDETS de la Loire-Atlantique"))
        self.label_edit.setMaxLength(200)
        self.department_label = QLabel("—")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("Prénom Nom"))
        self.name_edit.setMaxLength(200)
        self.code_edit.setAccessibleName(self.tr("Code du service"))
        self.label_edit.setAccessibleName(self.tr("Libellé du service"))
        self.name_edit.setAccessibleName(self.tr("Votre nom"))

        service_box = QGroupBox(self.tr("Votre service"))
        service_form = QFormLayout(service_box)
        service_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        service_form.addRow(self.tr("Co&de du service :"), self.code_edit)
        service_form.addRow(self.tr("&Libellé :"), self.label_edit)
        service_form.addRow(self.tr("Département :"), self.department_label)
        code_help = QLabel(
            self.tr(
                "Le code identifie vos réponses quand elles sont rassemblées : le type de "
                "service, un tiret, le numéro du département (DDETS-44, DDETS-2A, PREF-85) "
                "ou de la région (DREETS-PDL)."
            )
        )
        code_help.setWordWrap(True)
        set_tone(code_help, "muted")
        service_form.addRow(code_help)

        person_box = QGroupBox(self.tr("Vous"))
        person_form = QFormLayout(person_box)
        person_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        person_form.addRow(self.tr("&Votre nom :"), self.name_edit)

        questionnaire_box = QGroupBox(self.tr("Questionnaire à &renseigner"))
        self.questionnaire_model = QuestionnaireListModel(self)
        self.questionnaire_model.set_questionnaires(questionnaires)
        self.questionnaire_view = QListView()
        self.questionnaire_view.setModel(self.questionnaire_model)
        self.questionnaire_view.setWordWrap(True)
        self.questionnaire_view.setSpacing(2)
        self.questionnaire_view.setAlternatingRowColors(True)
        self.questionnaire_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.questionnaire_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.questionnaire_view.setMinimumHeight(150)
        self.questionnaire_view.setAccessibleName(self.tr("Questionnaire à renseigner"))
        questionnaire_layout = QVBoxLayout(questionnaire_box)
        questionnaire_layout.addWidget(self.questionnaire_view)
        later = QLabel(
            self.tr(
                "Un plan reçu dans un classeur apparaîtra dans cette liste une fois importé. "
                "Vous pourrez changer de questionnaire ensuite (menu Fichier)."
            )
        )
        later.setWordWrap(True)
        set_tone(later, "muted")
        questionnaire_layout.addWidget(later)

        self.error_label = ErrorLabel()

        self.buttons = QDialogButtonBox()
        self.ok_button = QPushButton(
            self.tr("&Commencer") if first_start else self.tr("&Enregistrer")
        )
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(
            self.tr("&Quitter") if first_start else self.tr("&Annuler"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        # The form scrolls on a small screen; the error and the buttons stay in view.
        form = QVBoxLayout()
        form.setContentsMargins(0, 0, 0, 0)
        if title is not None:
            form.addWidget(title)
        form.addWidget(intro)
        form.addWidget(service_box)
        form.addWidget(person_box)
        form.addWidget(questionnaire_box, 1)
        self.scroll_area = scrolling(form, self.tr("Votre service et votre questionnaire"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        if identity is not None:
            self.code_edit.setText(identity.service_code)
            self.label_edit.setText(identity.service_label)
            self.name_edit.setText(identity.agent_name)
            self._suggested = (
                identity.service_label
                if identity.service_label == service_label_for(identity.service_code)
                else ""
            )
        self._code_changed(self.code_edit.text())
        row = max(self.questionnaire_model.row_of(questionnaire_id), 0)
        if self.questionnaire_model.rowCount():
            self.questionnaire_view.selectionModel().setCurrentIndex(
                self.questionnaire_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect,
            )
        self.code_edit.textEdited.connect(self._code_changed)
        self.code_edit.textEdited.connect(lambda _t: self.error_label.hide())
        self.name_edit.textEdited.connect(lambda _t: self.error_label.hide())
        fit_to_screen(self, 640, 660)

    def _code_changed(self, text: str) -> None:
        number = department_from_code(text)
        region = region_of_service(text)
        if number:
            territory = f"{number} — {department_name(number)}"
        elif region:
            territory = arg(self.tr("aucun (service de la région %1)"), REGIONS[region][0])
        else:
            territory = self.tr("— (aucun)")
        self.department_label.setText(territory)
        suggestion = service_label_for(text)
        current = self.label_edit.text().strip()
        if not current or current == self._suggested:
            filled = suggestion and suggestion != self.label_edit.text()
            self.label_edit.setText(suggestion)
            self._suggested = suggestion
            if filled and self.isVisible():
                # Filled in another field than the one typed in: said, or never heard.
                announce(
                    arg(self.tr("Libellé proposé : %1. Département : %2."), suggestion, territory),
                    self.code_edit,
                )

    @property
    def questionnaire_id(self) -> str:
        index = self.questionnaire_view.currentIndex()
        return str(index.data(QuestionnaireListModel.IdRole) or "") if index.isValid() else ""

    def _accept(self) -> None:
        try:
            identity = Identity.create(
                self.code_edit.text(), self.label_edit.text(), self.name_edit.text()
            )
        except UserError as error:
            target = self.name_edit if self.code_edit.text().strip() else self.code_edit
            self.error_label.show_error(str(error), target)
            return
        if not self.questionnaire_id:
            self.error_label.show_error(
                self.tr("Choisissez le questionnaire à renseigner."), self.questionnaire_view
            )
            return
        self.identity = identity
        self.accept()


SHOW_OTHER = "show"
READ_ONLY = "read-only"
QUIT = "quit"


def ask_second_window(owner: LockOwner | None, parent: QWidget | None = None) -> str:
    """The database is open in another window: go there, open read-only, or quit."""
    who = owner.describe() if owner is not None else ""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(APP_NAME)
    box.setText(
        translate(
            "dialogs",
            "Cette base de données est déjà ouverte dans une autre fenêtre de %1%2.",
            APP_NAME,
            f" ({who})" if who else "",
        )
    )
    box.setInformativeText(
        translate(
            "dialogs",
            "Une seule fenêtre à la fois peut y enregistrer des réponses, pour qu'aucune saisie "
            "ne se perde. Vous pouvez aller à cette fenêtre, ou ouvrir celle-ci en lecture "
            "seule pour consulter les réponses.",
        )
    )
    show = box.addButton(
        translate("dialogs", "Aller à l'autre fenêtre"), QMessageBox.ButtonRole.AcceptRole
    )
    read_only = box.addButton(
        translate("dialogs", "Ouvrir en lecture seule"), QMessageBox.ButtonRole.ActionRole
    )
    box.addButton(translate("dialogs", "Quitter"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(show)
    box.exec()
    clicked = box.clickedButton()
    if clicked is show:
        return SHOW_OTHER
    if clicked is read_only:
        return READ_ONLY
    return QUIT


def shortcuts_html(groups: list[tuple[str, list[QAction]]]) -> str:
    """The keyboard shortcuts of the window's actions, as an HTML table."""
    rows = []
    for title, actions in groups:
        rows.append(f"<tr><th colspan='2' align='left'><br>{escape(title)}</th></tr>")
        for action in actions:
            keys = [
                key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()
            ]
            if not keys:
                continue
            shown = translate("dialogs", " ou ").join(k for k in keys[:2])
            # The icon text, when set, is the action's name without the words that change
            # (« Annuler » rather than « Annuler la réalisation de l'action 1.2.3 »).
            text = action.iconText().replace("&&", "\0").replace("&", "").replace("\0", "&")
            rows.append(
                f"<tr><td style='padding-right:16px'><b>{escape(shown)}</b></td>"
                f"<td>{escape(text)}</td></tr>"
            )
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"


class ShortcutsDialog(QDialog):
    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Raccourcis clavier"))
        browser = TextPane(self.tr("Liste des raccourcis clavier"))
        intro = self.tr(
            "<p>Les touches de réponse (chiffres et lettres) agissent sur l'action en cours "
            "quand vous êtes dans la liste des actions ou sur les boutons de réponse ; dans le "
            "commentaire, un indicateur ou la recherche, elles s'écrivent normalement.</p>"
        )
        browser.setHtml(intro + html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Fermer"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        fit_to_screen(self, 560, 600)


def about_text(database_location: str) -> str:
    return translate(
        "dialogs",
        "<h3>%1 %2</h3>"
        "<p>Saisie hors ligne et consolidation de l'évaluation des plans régionaux d'accueil "
        "des demandeurs d'asile et des réfugiés (SRADAR) et des feuilles de route "
        "d'intégration.</p>"
        "<p><b>Base de données :</b> %3<br><b>Dossier des données :</b> %4<br>"
        "<b>Journal :</b> %5</p>"
        "<p><small>Python %6 · Qt %7 · PySide %8</small></p>",
        APP_NAME,
        __version__,
        escape(database_location),
        escape(str(data_dir())),
        escape(str(log_file())),
        platform.python_version(),
        qVersion(),
        pyside_version,
    )


def show_about(parent: QWidget, database_location: str) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle(translate("dialogs", "À propos de %1", APP_NAME))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(database_location))
    box.setIcon(QMessageBox.Icon.Information)
    box.exec()
