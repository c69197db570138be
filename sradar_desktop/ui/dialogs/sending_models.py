"""The two lists of « Préparer l'envoi »: the services expected to answer as the secretariat
edits them (with their addresses), and the messages prepared for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QPushButton

from sradar_desktop.domain.departements import department_from_code, department_name
from sradar_desktop.domain.plan import Plan
from sradar_desktop.mail.addresses import AddressError, parse_addresses
from sradar_desktop.services.consolidation import RosterMember
from sradar_desktop.services.entry import service_label_for
from sradar_desktop.services.mailing import DraftsResult, DraftWritten
from sradar_desktop.services.sending import PilotedCounts, propose_roster
from sradar_desktop.ui.parts.i18n import arg, translate
from sradar_desktop.ui.parts.layout import tone_brush
from sradar_desktop.ui.parts.roles import ALIGN, DISPLAY, EDIT, FOREGROUND, INVALID, TOOLTIP, Index


def propose_button(region: str, propose: Callable[[], None]) -> QPushButton:
    """« Proposer d'après la région », beside a list of expected services (the consolidation's,
    « Préparer l'envoi »'s): ``propose`` puts the DREETS and the DDETS of ``region`` in it."""
    tr = lambda text: translate("ExpectedServices", text)  # noqa: E731
    button = QPushButton(tr("Proposer d'après la ré&gion"))
    button.setAccessibleName(tr("Proposer d'après la région"))
    button.clicked.connect(propose)
    button.setEnabled(bool(propose_roster(region)))
    button.setToolTip(
        arg(tr("Remplace la liste par la DREETS et les DDETS de la région (%1)"), region)
        if region
        else tr("La région du plan n'est pas connue.")
    )
    return button


class ExpectedServicesModel(QAbstractTableModel):
    """The services expected to answer, as the user edits them: code, label and addresses
    (editable), département and number of actions piloted in the plan (deduced)."""

    CODE, LABEL, ADDRESS, DEPARTMENT, PILOTED = range(5)
    EDITABLE = (CODE, LABEL, ADDRESS)

    def __init__(self, plan: Plan | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        # Code, label, label suggested for the code, addresses: ``None`` while a service's
        # are not known here (a list edited without them keeps those the campaign has).
        self._rows: list[tuple[str, str, str, str | None]] = []
        self.piloted: Callable[[str], int | None] = (
            PilotedCounts(plan) if plan is not None else lambda _code: None
        )

    # -- content -------------------------------------------------------------------------------

    def set_members(self, members: list[RosterMember]) -> None:
        self.beginResetModel()
        self._rows = [(m.code, m.label, service_label_for(m.code), m.email) for m in members]
        self.endResetModel()

    def lines(self) -> list[tuple[str, str, str | None]]:
        """(code, label, addresses) as typed, one per row (see ``check_roster``)."""
        return [(code, label, email) for code, label, _suggested, email in self._rows]

    def code(self, row: int) -> str:
        return self._rows[row][0]

    def address_problem(self, row: int) -> str:
        """What is wrong with the addresses typed on ``row`` ("" when nothing)."""
        try:
            parse_addresses(self._rows[row][3] or "")
        except AddressError as error:
            return str(error)
        return ""

    # -- the model -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (
                self.tr("Code"),
                self.tr("Libellé"),
                self.tr("Adresse de courriel"),
                self.tr("Département"),
                self.tr("Actions pilotées"),
            )[section]
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in self.EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        code, label, _suggested, email = self._rows[index.row()]
        column = index.column()
        if role in (DISPLAY, EDIT):
            if column == self.CODE:
                return code
            if column == self.LABEL:
                return label
            if column == self.ADDRESS:
                return email or ("" if role == EDIT else self.tr("(sans adresse)"))
            if role == EDIT:
                return None
            if column == self.DEPARTMENT:
                number = department_from_code(code)
                return f"{number} — {department_name(number)}" if number else "—"
            piloted = self.piloted(code)
            if piloted is None:
                return "—"
            return str(piloted) if piloted else self.tr("aucune")
        if column == self.ADDRESS:
            return self._address_data(index.row(), role)
        if role == FOREGROUND and column == self.PILOTED:
            return tone_brush("error") if self.piloted(code) == 0 else None
        if role == TOOLTIP and column == self.PILOTED and self.piloted(code) == 0:
            return self.tr(
                "Ce service ne pilote aucune action du plan : son classeur serait vide, "
                "sauf si vous envoyez toutes les actions."
            )
        if role == ALIGN and column == self.PILOTED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _address_data(self, row: int, role: int) -> object:
        email = self._rows[row][3]
        problem = self.address_problem(row)
        if role == FOREGROUND:
            if problem:
                return tone_brush("error")
            return None if email else tone_brush("muted")
        if role == TOOLTIP:
            if problem:
                return arg(self.tr("À corriger : %1."), problem)
            if not email:
                return self.tr(
                    "Sans adresse, le message est préparé sans destinataire : vous le "
                    "compléterez dans votre messagerie. Plusieurs adresses : séparez-les par "
                    "des virgules."
                )
            return self.tr("Plusieurs adresses : séparez-les par des virgules.")
        return None

    def setData(self, index: Index, value: object, role: int = EDIT) -> bool:
        if not index.isValid() or role != EDIT or index.column() not in self.EDITABLE:
            return False
        code, label, suggested, email = self._rows[index.row()]
        text = " ".join(str(value or "").split())
        if index.column() == self.CODE:
            text = text.upper()
            if text == code:
                return False
            suggestion = service_label_for(text) if text else ""
            # A label left as suggested follows the code (« DDETS-49 » → « DDETS de
            # Maine-et-Loire »); a label the user typed is kept.
            if not label or label == suggested:
                label = suggestion
            self._rows[index.row()] = (text, label, suggestion, email)
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 4))
            return True
        if index.column() == self.LABEL:
            if text == label:
                return False
            self._rows[index.row()] = (code, text, suggested, email)
        else:
            if text == email:
                return False
            self._rows[index.row()] = (code, label, suggested, text)
        self.dataChanged.emit(index, index)
        return True

    def insertRows(self, row: int, count: int, parent: Index = INVALID) -> bool:
        if parent.isValid() or count < 1 or not 0 <= row <= len(self._rows):
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        for _ in range(count):
            self._rows.insert(row, ("", "", "", ""))
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: Index = INVALID) -> bool:
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row : row + count]
        self.endRemoveRows()
        return True


@dataclass(frozen=True)
class PreparedLine:
    """One service in the list of messages prepared: its draft, or why it has none."""

    code: str
    written: DraftWritten | None = None
    why: str = ""  # skipped or refused: the reason
    refused: bool = False


def prepared_lines(result: DraftsResult) -> list[PreparedLine]:
    """The lines of ``result``: the drafts, then the services left aside and why."""
    lines = [PreparedLine(w.code, w) for w in result.written]
    lines += [PreparedLine(code, why=why) for code, why in result.skipped]
    lines += [PreparedLine(code, why=str(error), refused=True) for code, error in result.refused]
    return lines


class PreparedMessagesModel(QAbstractTableModel):
    """The messages prepared, one line per service: to whom, the file, what it asks for."""

    SERVICE, TO, FILE, WHAT = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[PreparedLine] = []

    def set_lines(self, lines: list[PreparedLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def complete(self, lines: list[PreparedLine]) -> None:
        """A second pass for some services: their new lines replace their old ones."""
        codes = {line.code for line in lines}
        kept = [line for line in self.lines if line.code not in codes]
        written = [line for line in lines if line.written is not None]
        others = [line for line in lines if line.written is None]
        done = [line for line in kept if line.written is not None]
        self.set_lines([*done, *written, *[line for line in kept if line.written is None], *others])

    @property
    def written(self) -> list[DraftWritten]:
        return [line.written for line in self.lines if line.written is not None]

    def written_at(self, row: int) -> DraftWritten | None:
        return self.lines[row].written if 0 <= row < len(self.lines) else None

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (
                self.tr("Service"),
                self.tr("Destinataires"),
                self.tr("Message"),
                self.tr("Ce qu'il demande"),
            )[section]
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        column = index.column()
        written = line.written
        if role in (DISPLAY, TOOLTIP):
            if column == self.SERVICE:
                return line.code
            if written is None:
                return line.why if column == self.WHAT else "—"
            if column == self.TO:
                return ", ".join(written.to) if written.to else self.tr("sans adresse")
            if column == self.FILE:
                return (
                    arg(self.tr("%1 (pièce jointe : %2)"), written.draft.name, written.workbook)
                    if role == TOOLTIP
                    else written.draft.name
                )
            return written.what
        if role == FOREGROUND:
            if line.refused:
                return tone_brush("error")
            if written is None or (column == self.TO and not written.to):
                return tone_brush("muted")
        return None
