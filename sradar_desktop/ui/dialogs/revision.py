"""« Réviser le plan… »: the preview of a revised action plan, corrected, then applied.

The secretariat picks the revised plan (a plan table or a ``.toml`` plan file); the file is read
and matched against the questionnaire's current version off the UI thread
(``services.revisions``). One row per link: how the action follows (in words), its codes in
the current version and in the revised plan, how sure the proposal is (« à vérifier » below
``LOW_CONFIDENCE``), and both texts; the unchanged actions are hidden unless asked for. The
user corrects a link by typing its codes on either side, several for a merge or a split
(``domain.revision.replace_link``); what would make the matching unusable is listed in
French as it changes, and « Appliquer » stays disabled while anything is. Applying records the
revised plan with the corrected matching (``apply_revision``) and says so with ``applied``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.plan import Plan
from sradar_desktop.domain.revision import Link, LinkKind, Matching, matching_problems, replace_link
from sradar_desktop.domain.text import count
from sradar_desktop.failures import Failure
from sradar_desktop.services.database import Database
from sradar_desktop.services.revisions import (
    RevisionPreview,
    apply_revision,
    preview_revision,
    read_revised_plan,
)
from sradar_desktop.ui.parts.delegates import WrappedTextDelegate
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import MutedLabel, expanding_label, set_tone, tone
from sradar_desktop.ui.parts.roles import DISPLAY, EDIT, INVALID, TOOLTIP, Index
from sradar_desktop.ui.parts.screen import fit_to_screen
from sradar_desktop.ui.parts.settings import Folder, Settings
from sradar_desktop.ui.parts.tasks import TaskRunner

log = logging.getLogger(__name__)

# Below this a proposed link is marked « à vérifier ».
LOW_CONFIDENCE = 0.8
PLAN_FILES = "*.xlsx *.xlsm *.ods *.xls *.csv *.tsv *.txt *.toml"


def split_codes(text: str) -> list[str]:
    """``"1.2.3, 1.2.4"`` → ``["1.2.3", "1.2.4"]`` (commas, semicolons or spaces)."""
    return [code for code in text.replace(";", ",").replace(" ", ",").split(",") if code]


class LinksModel(QAbstractTableModel):
    """The links of a matching, one per row; the revised plan's codes are editable."""

    KIND, OLD, NEW, CONFIDENCE, OLD_TEXT, NEW_TEXT = range(6)
    corrected = Signal()
    refused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.preview: RevisionPreview | None = None
        self.matching = Matching(())
        self._old_texts: dict[str, str] = {}
        self._new_texts: dict[str, str] = {}

    def set_preview(self, preview: RevisionPreview | None) -> None:
        self.beginResetModel()
        self.preview = preview
        self.matching = preview.matching if preview is not None else Matching(())
        self._old_texts = _texts(preview.previous) if preview is not None else {}
        self._new_texts = _texts(preview.revised) if preview is not None else {}
        self.endResetModel()

    def link(self, row: int) -> Link:
        return self.matching.links[row]

    def row_of(self, old_code: str = "", new_code: str = "") -> int:
        for row, link in enumerate(self.matching.links):
            if old_code in link.old or new_code in link.new:
                return row
        return -1

    def problems(self) -> list[str]:
        preview = self.preview
        if preview is None:
            return []
        return matching_problems(self.matching, preview.previous, preview.revised)

    def correct(self, old_codes: list[str], new_codes: list[str]) -> bool:
        """Link ``old_codes`` (current version) to ``new_codes`` (revised plan) as the user
        says; ``refused`` with the reason when a code is unknown."""
        preview = self.preview
        if preview is None:
            return False
        try:
            matching = replace_link(
                self.matching, preview.previous, preview.revised, old_codes, new_codes
            )
        except ValueError as error:
            self.refused.emit(
                arg(self.tr("Cette correction ne peut pas s'appliquer : %1."), str(error))
            )
            return False
        self.beginResetModel()
        self.matching = matching
        self.endResetModel()
        self.corrected.emit()
        return True

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self.matching.links)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else 6

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in (self.OLD, self.NEW):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _low(self, link: Link) -> bool:
        return link.confidence < LOW_CONFIDENCE

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        link = self.link(index.row())
        column = index.column()
        if role in (DISPLAY, Qt.ItemDataRole.AccessibleTextRole):
            if column == self.KIND:
                return link.kind.label
            if column == self.OLD:
                return ", ".join(link.old) or "—"
            if column == self.NEW:
                return ", ".join(link.new) or "—"
            if column == self.CONFIDENCE:
                percent = f"{round(link.confidence * 100)} %"
                return arg(self.tr("%1, à vérifier"), percent) if self._low(link) else percent
            codes, texts = (
                (link.old, self._old_texts)
                if column == self.OLD_TEXT
                else (link.new, self._new_texts)
            )
            return "\n".join(texts.get(code, "") for code in codes)
        if role == EDIT and column in (self.OLD, self.NEW):
            return ", ".join(link.old if column == self.OLD else link.new)
        if role == TOOLTIP:
            if column in (self.OLD, self.NEW):
                return self.tr(
                    "Double-cliquez ou appuyez sur F2 pour corriger le lien : des codes séparés "
                    "par des virgules (plusieurs pour une fusion ou une scission), rien d'un côté "
                    "pour une action nouvelle ou retirée."
                )
            if column in (self.OLD_TEXT, self.NEW_TEXT):
                return self.data(index)
            return link.describe()
        if role == Qt.ItemDataRole.ForegroundRole and column == self.CONFIDENCE and self._low(link):
            return tone("warning", QApplication.palette())
        return None

    def setData(self, index: Index, value: object, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() not in (self.OLD, self.NEW):
            return False
        link = self.link(index.row())
        codes = split_codes(str(value))
        if index.column() == self.OLD:
            return codes != list(link.old) and self.correct(codes, list(link.new))
        return codes != list(link.new) and self.correct(list(link.old), codes)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or role != DISPLAY:
            return None
        return (
            self.tr("Lien"),
            self.tr("Version actuelle"),
            self.tr("Plan révisé"),
            self.tr("Confiance"),
            self.tr("Texte actuel"),
            self.tr("Texte révisé"),
        )[section]


class LinksTable(QTableView):
    """The links: F2 or Entrée corrects the codes of the link the focus is on, from whichever
    column (« Lien », « Confiance » and the texts are not edited themselves: the codes of
    the side they describe are), and Entrée never presses a button of the dialog."""

    # The column edited for each column the focus may be in.
    EDITED: ClassVar[dict[int, int]] = {
        LinksModel.KIND: LinksModel.OLD,
        LinksModel.OLD: LinksModel.OLD,
        LinksModel.NEW: LinksModel.NEW,
        LinksModel.CONFIDENCE: LinksModel.NEW,
        LinksModel.OLD_TEXT: LinksModel.OLD,
        LinksModel.NEW_TEXT: LinksModel.NEW,
    }

    def keyPressEvent(self, event: QKeyEvent) -> None:
        keys = (Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        current = self.currentIndex()
        if (
            event.key() in keys
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and self.state() != QAbstractItemView.State.EditingState
        ):
            if current.isValid():
                # The cursor moves to the codes edited: a screen reader reads what is typed in.
                edited = current.siblingAtColumn(self.EDITED[current.column()])
                self.setCurrentIndex(edited)
                self.edit(edited)
            event.accept()
            return
        super().keyPressEvent(event)


class ChangedLinksProxy(QSortFilterProxyModel):
    """The links, without the unchanged actions (« identique ») while ``hide_same``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hide_same = True

    def set_hide_same(self, hide: bool) -> None:
        self.beginFilterChange()
        self.hide_same = hide
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, LinksModel)
        return not self.hide_same or source.link(source_row).kind != LinkKind.SAME


def _texts(plan: Plan) -> dict[str, str]:
    return {action.code: action.text for action in plan.actions()}


class RevisionDialog(QDialog):
    """The preview of a revised plan for ``questionnaire_id``; ``applied(summary)`` once it
    is recorded. ``previewed`` when a preview is shown, ``failed(message)`` on a failure."""

    applied = Signal(str)
    previewed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        db: Database,
        questionnaire_id: str,
        *,
        settings: Settings | None = None,
        actor: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("revision-du-plan")
        self.setWindowTitle(self.tr("Réviser le plan d'action"))
        self.db = db
        self.questionnaire_id = questionnaire_id
        self.settings = settings or Settings()
        self.actor = actor
        self.path: Path | None = None
        self.tasks = TaskRunner(self)

        intro = QLabel(
            self.tr(
                "Choisissez le plan révisé (tableau .xlsx, .ods, .csv ou fichier de plan). "
                "L'aperçu dit comment chaque action de la version actuelle se retrouve dans le "
                "plan révisé ; corrigez un lien en tapant ses codes (double-clic ou F2), puis "
                "appliquez. Les réponses suivent les actions reprises ; celles des actions "
                "retirées sont gardées avec la version précédente."
            )
        )
        intro.setWordWrap(True)
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fichier-plan-revise")
        self.file_edit.setReadOnly(True)
        self.file_edit.setAccessibleName(self.tr("Plan révisé choisi"))
        self.file_edit.setPlaceholderText(self.tr("Aucun fichier choisi"))
        file_label = QLabel(self.tr("Plan &révisé :"))
        file_label.setBuddy(self.file_edit)
        self.choose_button = QPushButton(self.tr("&Choisir le fichier…"))
        self.choose_button.setObjectName("choisir-plan-revise")
        self.choose_button.setAccessibleName(self.tr("Choisir le fichier du plan révisé"))
        self.choose_button.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(file_label)
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.choose_button)

        self.summary_label = expanding_label(MutedLabel())
        self.summary_label.setObjectName("resume-revision")
        self.summary_label.setWordWrap(True)
        self.model = LinksModel(self)
        self.model.corrected.connect(self._update_problems)
        self.model.refused.connect(self._show_refusal)
        self.table = LinksTable()
        self.table.setObjectName("liens-revision")
        self.table.setAccessibleName(self.tr("Liens entre la version actuelle et le plan révisé"))
        self.proxy = ChangedLinksProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        delegate = WrappedTextDelegate(2, self.table)
        for column in (LinksModel.OLD_TEXT, LinksModel.NEW_TEXT):
            self.table.setItemDelegateForColumn(column, delegate)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(delegate.row_height(self.table.font()))
        header = self.table.horizontalHeader()
        for column in range(LinksModel.OLD_TEXT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (LinksModel.OLD_TEXT, LinksModel.NEW_TEXT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

        self.hide_same_box = QCheckBox(self.tr("&Masquer les actions identiques"))
        self.hide_same_box.setObjectName("masquer-identiques")
        self.hide_same_box.setAccessibleName(self.tr("Masquer les actions identiques"))
        self.hide_same_box.setToolTip(
            self.tr("Les actions au même code et au même texte dans les deux versions")
        )
        self.hide_same_box.setChecked(True)
        self.hide_same_box.toggled.connect(self.proxy.set_hide_same)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_label, 1)
        summary_row.addWidget(self.hide_same_box)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("problemes-revision")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = QPushButton(self.tr("&Appliquer"))
        self.apply_button.setObjectName("appliquer-revision")
        self.apply_button.setAccessibleName(self.tr("Appliquer la révision"))
        self.apply_button.setAutoDefault(False)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.close_button = QPushButton(self.tr("&Fermer"))
        self.close_button.setObjectName("fermer-revision")
        self.close_button.setAccessibleName(self.tr("Fermer sans appliquer"))
        buttons = QDialogButtonBox()
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addLayout(summary_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problems_label)
        layout.addWidget(buttons)
        fit_to_screen(self, 1200, 720)
        self._update_problems()

    # -- the file ----------------------------------------------------------------------------

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choisir le plan révisé"),
            str(self.settings.folder(Folder.REVISED_PLANS)),
            arg(self.tr("Plans d'action (%1)"), PLAN_FILES),
        )
        if chosen:
            self.settings.remember_folder(Folder.REVISED_PLANS, Path(chosen).parent)
            self.load_file(Path(chosen))

    def load_file(self, path: Path) -> None:
        """Read ``path`` and propose the matching, off the UI thread."""
        self.path = path
        self.file_edit.setText(str(path))
        self.model.set_preview(None)
        self._busy(arg(self.tr("Lecture de %1 et comparaison avec le plan actuel…"), path.name))
        db, questionnaire = self.db, self.questionnaire_id

        def work(_progress: Callable[[int, int, str], None]) -> RevisionPreview:
            return preview_revision(db, questionnaire, read_revised_plan(path))

        def done(preview: RevisionPreview) -> None:
            self.model.set_preview(preview)
            self._update_problems()
            self.table.setFocus()
            self.previewed.emit()

        self.tasks.run_operation(
            work,
            on_done=done,
            on_failure=self._failed,
            failed=arg(self.tr("Le plan révisé « %1 » n'a pas pu être comparé"), path.name),
        )

    # -- corrections -------------------------------------------------------------------------

    def _show_refusal(self, message: str) -> None:
        set_tone(self.problems_label, "error")
        self.problems_label.setText(message)
        self.failed.emit(message)

    def _update_problems(self) -> None:
        preview = self.model.preview
        self.choose_button.setEnabled(True)
        if preview is None:
            set_tone(self.summary_label, "muted")
            if not self.tasks.busy:
                self.summary_label.setText("")
            self.problems_label.setText("")
            self.apply_button.setEnabled(False)
            return
        set_tone(self.summary_label)
        self.summary_label.setText(preview.lines(self.model.matching)[0])
        low = sum(1 for link in self.model.matching.links if link.confidence < LOW_CONFIDENCE)
        problems = self.model.problems()
        if problems:
            set_tone(self.problems_label, "error")
            self.problems_label.setText(
                arg(
                    self.tr("À corriger avant d'appliquer : %1."),
                    " ; ".join(problems[:6]) + (" ; …" if len(problems) > 6 else ""),
                )
            )
        else:
            set_tone(self.problems_label, "warning" if low else "ok")
            self.problems_label.setText(
                arg(
                    self.tr(
                        "Correspondance complète. %1 « à vérifier » : relisez-les avant "
                        "d'appliquer."
                    ),
                    count(low, self.tr("lien marqué"), self.tr("liens marqués")),
                )
                if low
                else self.tr("Correspondance complète : vous pouvez appliquer la révision.")
            )
        self.problems_label.setAccessibleName(self.problems_label.text())
        self.apply_button.setEnabled(not problems and not self.tasks.busy)

    # -- applying ----------------------------------------------------------------------------

    def apply(self) -> None:
        preview = self.model.preview
        if preview is None or self.model.problems():
            return
        matching, db, actor = self.model.matching, self.db, self.actor
        name = self.path.name if self.path is not None else ""
        self._busy(self.tr("Enregistrement de la révision du plan…"))

        def work(_progress: Callable[[int, int, str], None]) -> str:
            return apply_revision(db, preview, matching, actor=actor, file_name=name)

        def done(summary: str) -> None:
            self.applied.emit(summary)
            self.accept()

        self.tasks.run_operation(
            work,
            on_done=done,
            on_failure=self._failed,
            failed=self.tr("La révision du plan n'a pas pu être enregistrée"),
            what_to_do=self.tr("Rien n'a été modifié."),
        )

    # -- state -------------------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self.apply_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        set_tone(self.summary_label, "muted")
        self.summary_label.setText(text)

    def _failed(self, failure: Failure) -> None:
        message = failure.message
        self._update_problems()
        set_tone(self.summary_label, "error")
        self.summary_label.setText(message)
        self.summary_label.setAccessibleName(message)
        self.failed.emit(message)

    def done(self, result: int) -> None:
        self.tasks.wait()
        super().done(result)
