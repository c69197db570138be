"""The list of an import: one line per file (per workbook of a saved message), what the
preview found and what the import did, with everything worth saying about each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QFont

from sradar_desktop.domain.dates import moment_text
from sradar_desktop.domain.merge import Decision
from sradar_desktop.errors import UserError
from sradar_desktop.services.files.outcomes import FileResult, ImportOutcome
from sradar_desktop.ui.parts.i18n import arg, arg_count, translate
from sradar_desktop.ui.parts.layout import tone_brush
from sradar_desktop.ui.parts.roles import ACCESSIBLE, DISPLAY, INVALID, Index, headed

MAX_CHILD_LINES = 60  # lines under a file in the list; the pane below shows them all
MAX_DETAIL_LINES = 2000

# A file's state, before and after the import.
READY = "ready"
REFUSED = "refused"
ALREADY = "already"
IMPORTED = "imported"
FAILED = "failed"  # refused when imported (changed on disk since the preview, or a bug)
NOT_DONE = "not-done"  # the import was stopped before this file


@dataclass
class FileLine:
    """One file of the import: what the preview found, then what the import did. ``path`` is
    the file given (a message, for a workbook taken from one), ``name`` how it is named."""

    path: Path
    outcome: ImportOutcome | None = None
    error: UserError | None = None
    state: str = READY
    details: list[str] = field(default_factory=list)
    name: str = ""

    @property
    def importable(self) -> bool:
        return self.state == READY

    @property
    def display_name(self) -> str:
        return self.name or self.path.name

    @property
    def key(self) -> tuple[Path, str]:
        """What tells it from the other lines (a message gives several)."""
        return self.path, self.display_name

    @property
    def sender_warning(self) -> str:
        return self.outcome.sender_warning if self.outcome is not None else ""


def preview_lines(results: Sequence[FileResult]) -> list[FileLine]:
    """The lines of the preview: each file ready, refused, or already imported."""
    lines = []
    for result in results:
        name = result.display_name
        if result.error is not None:
            lines.append(FileLine(result.path, error=result.error, state=REFUSED, name=name))
        else:
            assert result.outcome is not None
            state = ALREADY if result.outcome.already_imported_at is not None else READY
            lines.append(FileLine(result.path, outcome=result.outcome, state=state, name=name))
    return lines


def detail_lines(line: FileLine) -> list[str]:
    """Everything worth saying about one file, one French sentence per line."""
    tr = lambda text, *values: translate("ImportDialog", text, *values)  # noqa: E731
    lines: list[str] = []
    if line.error is not None:
        lines.append(str(line.error))
        lines += list(line.error.details)
    outcome = line.outcome
    if outcome is not None:
        # A workbook received by email: the message, then what does not match in its sender.
        lines += [text for text in (outcome.source, outcome.sender_warning) if text]
        if outcome.already_imported_at is not None:
            lines.append(
                tr(
                    "Déjà importé le %1 : l'importer à nouveau ne changerait rien.",
                    moment_text(outcome.already_imported_at),
                )
            )
        if outcome.new_questionnaire:
            objectives, themes, actions = outcome.plan_counts
            lines.append(
                tr(
                    "Nouveau questionnaire « %1 » (%2 objectifs, %3 thématiques, %4 actions) : "
                    "le fichier l'a apporté, il est ajouté à la liste des questionnaires.",
                    outcome.questionnaire_title,
                    objectives,
                    themes,
                    actions,
                )
                if line.state == IMPORTED
                else tr(
                    "Nouveau questionnaire « %1 » (%2 objectifs, %3 thématiques, %4 actions) : "
                    "le fichier l'apporte, il s'ajoutera à la liste des questionnaires.",
                    outcome.questionnaire_title,
                    objectives,
                    themes,
                    actions,
                )
            )
        if outcome.edited_outside:
            lines.append(
                arg_count(
                    outcome.edited_outside,
                    tr(
                        "%1 réponse modifiée hors de l'application (dans Excel ou LibreOffice) : "
                        "elle prend la date du dernier enregistrement du classeur."
                    ),
                    tr(
                        "%1 réponses modifiées hors de l'application (dans Excel ou "
                        "LibreOffice) : elles prennent la date du dernier enregistrement du "
                        "classeur."
                    ),
                )
            )
        lines += [tr("Conflit : %1", conflict.describe()) for conflict in outcome.conflicts]
        lines += list(outcome.notes)
    lines += line.details
    return lines


class ImportFilesModel(QAbstractItemModel):
    """The files of an import (top level) and what there is to say about each (children)."""

    FILE, RESPONDENTS, QUESTIONNAIRE, NEW, CHANGED, UNCHANGED, CONFLICTS, STATE = range(8)
    COLUMNS = 8
    LineRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[FileLine] = []
        self._children: list[list[str]] = []

    def set_lines(self, lines: list[FileLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self._children = [self._child_lines(line) for line in self.lines]
        self.endResetModel()

    def lines_changed(self) -> None:
        """The lines' states or outcomes changed (after the import)."""
        self.set_lines(self.lines)

    def _child_lines(self, line: FileLine) -> list[str]:
        lines = detail_lines(line)
        if len(lines) > MAX_CHILD_LINES:
            hidden = len(lines) - MAX_CHILD_LINES + 1
            lines = [
                *lines[: MAX_CHILD_LINES - 1],
                arg(self.tr("… et %1 autres lignes (voir le détail sous la liste)"), hidden),
            ]
        return lines

    # -- structure -----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = INVALID) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        if parent.internalId() != 0:
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = INVALID) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = INVALID) -> int:
        if not parent.isValid():
            return len(self.lines)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._children[parent.row()])
        return 0

    def columnCount(self, parent: Index = INVALID) -> int:
        return self.COLUMNS

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return (
                self.tr("Fichier"),
                self.tr("Répondant"),
                self.tr("Questionnaire"),
                self.tr("Nouvelles"),
                self.tr("Modifiées"),
                self.tr("Inchangées"),
                self.tr("Conflits"),
                self.tr("État"),
            )[section]
        return None

    # -- content -------------------------------------------------------------------------------

    def line_of(self, index: Index) -> FileLine | None:
        if not index.isValid():
            return None
        row = index.row() if index.internalId() == 0 else index.internalId() - 1
        return self.lines[row]

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        if index.internalId() != 0:
            text = self._children[index.internalId() - 1][index.row()]
            if index.column() != 0:
                return None
            if role in (DISPLAY, Qt.ItemDataRole.ToolTipRole):
                return text
            if role == Qt.ItemDataRole.ForegroundRole:
                line = self.lines[index.internalId() - 1]
                if line.state in (REFUSED, FAILED):
                    return tone_brush("error")
                if text == line.sender_warning:
                    return tone_brush("warning")
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._display(line, column)
        if role == ACCESSIBLE and column != self.FILE:
            return headed(self, index)  # « Nouvelles : 2 », not « 2 », in a row read aloud
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.FILE:
                source = line.outcome.source if line.outcome is not None else ""
                return "\n".join(filter(None, (str(line.path), source, line.sender_warning)))
            if column == self.QUESTIONNAIRE and line.outcome is not None:
                return line.outcome.questionnaire_title or line.outcome.questionnaire_id
            if column == self.RESPONDENTS and line.outcome is not None:
                return ", ".join(line.outcome.respondents)
            if column == self.STATE:
                details = detail_lines(line)
                return details[0] if details else None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATE:
            if line.state in (REFUSED, FAILED):
                return tone_brush("error")
            if line.sender_warning and line.state in (READY, IMPORTED):
                return tone_brush("warning")
            if line.state == IMPORTED:
                return tone_brush("ok")
            return None
        if role == Qt.ItemDataRole.FontRole and column == self.STATE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and self.NEW <= column <= self.CONFLICTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.LineRole:
            return line
        return None

    def _display(self, line: FileLine, column: int) -> str:
        outcome = line.outcome
        if column == self.FILE:
            return line.display_name
        if column == self.STATE:
            return self.state_text(line)
        if outcome is None or outcome.already_imported_at is not None:
            return "—" if column != self.RESPONDENTS or outcome is None else self._who(outcome)
        if column == self.RESPONDENTS:
            return self._who(outcome)
        if column == self.QUESTIONNAIRE:
            title = outcome.questionnaire_title or outcome.questionnaire_id
            return arg(self.tr("%1 (nouveau)"), title) if outcome.new_questionnaire else title
        if column == self.NEW:
            return str(outcome.count(Decision.NEW))
        if column == self.CHANGED:
            return str(outcome.count(Decision.CHANGED))
        if column == self.UNCHANGED:
            return str(outcome.count(Decision.UNCHANGED))
        if column == self.CONFLICTS:
            return str(len(outcome.conflicts))
        return ""

    def _who(self, outcome: ImportOutcome) -> str:
        who = outcome.respondents
        if not who:
            return self.tr("aucun")
        if len(who) <= 2:
            return ", ".join(who)
        return arg(self.tr("%1 et %2 autres"), who[0], len(who) - 1)

    def state_text(self, line: FileLine) -> str:
        if line.state == REFUSED:
            return self.tr("Refusé")
        if line.state == ALREADY:
            return self.tr("Déjà importé")
        if line.state == IMPORTED:
            return self.tr("Importé")
        if line.state == FAILED:
            return self.tr("Non importé")
        if line.state == NOT_DONE:
            return self.tr("Non importé (arrêté)")
        return self.tr("À importer")
