"""Qt models of the consolidation window: the grid of actions × respondents and its filter,
the roster (« Qui a répondu »), the counts per objective, and the evolution since another
campaign (counts per objective, actions, indicators side by side).

The models read a ``ConsolidationSheet`` (plain Python, see ``services.views.consolidation``);
they never open a database session. Every cell answers in O(1): a grid of 100 actions × 100
respondents scrolls without computing anything.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from sradar_desktop.domain.consolidation import (
    ROSTER_STATE_COLOURS,
    TO_CONFIRM,
    TO_CONFIRM_COLOUR,
    ActionResult,
    RosterEntry,
)
from sradar_desktop.domain.dates import moment_text, short_date, short_datetime
from sradar_desktop.domain.text import count, shorten
from sradar_desktop.services.views.consolidation import (
    ActionFilter,
    ConsolidationSheet,
    RefusedFile,
    explain_synthesis,
)
from sradar_desktop.services.views.entry import Progress
from sradar_desktop.ui.entry.models import PlanTreeModel
from sradar_desktop.ui.parts.delegates import level_color
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.roles import (
    ACCESSIBLE,
    ALIGN,
    DESCRIPTION,
    DISPLAY,
    FONT,
    FOREGROUND,
    INVALID,
    TOOLTIP,
    USER,
    Index,
)

# Roles the consolidation delegates read (shared by the grid and the roster).
StatusRole = USER + 1  # the status code of a status cell (None: no status)
ColorRole = USER + 2  # the QColor of that status (None: no status)
CommentRole = USER + 3  # the respondent's comment on the action ("" when none)
CodeRole = USER + 4  # the action's (grid) or respondent's (roster) code
ShortRole = USER + 5  # the status word for a narrow badge (« Part. »; the full word elsewhere)

_LATE = QColor("#b71c1c")
# Before the word of an answer carried forward and not confirmed yet, as in the entry window.
CARRIED_MARK = "⟳"


def _paler(colour: QColor) -> QColor:
    """``colour`` mixed with white: an answer that does not count yet."""
    return QColor(
        (colour.red() + 2 * 255) // 3,
        (colour.green() + 2 * 255) // 3,
        (colour.blue() + 2 * 255) // 3,
    )


def _reason(text: str) -> str:
    """The heart of a refusal message, for a table cell: what follows « a été refusé : »."""
    _, _, rest = text.partition(" a été refusé : ")
    return shorten(rest or text, 120)


class ConsolidationGridModel(QAbstractTableModel):
    """One row per action, in the plan's order; the action's code is the row's header.

    Columns: the action's text, the distribution, the synthesis, the arbitrated status, the
    final status, then one column per respondent (its code in the header, its label in the
    header's tooltip). Status cells give their word (``DisplayRole``), their code
    (``StatusRole``) and colour (``ColorRole``); respondent cells their comment
    (``CommentRole``).
    """

    ACTION, DISTRIBUTION, SYNTHESIS, ARBITRATION, FINAL = range(5)
    FIXED = 5  # the first respondent's column

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sheet: ConsolidationSheet | None = None

    @property
    def sheet(self) -> ConsolidationSheet | None:
        return self._sheet

    def set_sheet(self, sheet: ConsolidationSheet | None) -> None:
        """Show ``sheet``. Same actions and respondents as before: the cells are repainted in
        place (selection and scrolling stay); otherwise the model is reset."""
        old = self._sheet
        if old is not None and sheet is not None and old.same_shape(sheet):
            self._sheet = sheet
            if self.rowCount() and self.columnCount():
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
                )
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
            return
        self.beginResetModel()
        self._sheet = sheet
        self.endResetModel()

    def result(self, row: int) -> ActionResult:
        assert self._sheet is not None
        return self._sheet.rows[row]

    def respondent(self, column: int) -> RosterEntry | None:
        sheet = self._sheet
        if sheet is None or not self.FIXED <= column < self.FIXED + len(sheet.respondents):
            return None
        return sheet.respondents[column - self.FIXED]

    def row_of(self, code: str) -> int:
        return self._sheet.row_of.get(code, -1) if self._sheet is not None else -1

    def rowCount(self, parent: Index = INVALID) -> int:
        if parent.isValid() or self._sheet is None:
            return 0
        return len(self._sheet.rows)

    def columnCount(self, parent: Index = INVALID) -> int:
        if parent.isValid() or self._sheet is None:
            return 0
        return self.FIXED + len(self._sheet.respondents)

    # -- cells -------------------------------------------------------------------------------

    def _status(self, row: int, column: int) -> str | None:
        """The status a status cell shows (None for the text and distribution columns)."""
        sheet = self._sheet
        assert sheet is not None
        result = sheet.rows[row]
        if column == self.SYNTHESIS:
            return result.synthesis
        if column == self.ARBITRATION:
            return result.arbitration.status if result.arbitration else None
        if column == self.FINAL:
            return result.final
        respondent = self.respondent(column)
        if respondent is None:
            return None
        answer = sheet.answer(row, respondent.code)
        return answer.status if answer is not None else None

    def _carried(self, row: int, column: int) -> bool:
        """A respondent's answer carried forward and not confirmed yet."""
        sheet = self._sheet
        respondent = self.respondent(column)
        if sheet is None or respondent is None:
            return False
        answer = sheet.answer(row, respondent.code)
        return answer is not None and answer.to_confirm

    def _colour(self, row: int, column: int) -> QColor | None:
        """The colour of a status cell: the scale's, paler for an answer awaiting its
        confirmation (its word says so too); the pale blue of « à confirmer »."""
        assert self._sheet is not None
        status = self._status(row, column)
        if status == TO_CONFIRM:
            return QColor(TO_CONFIRM_COLOUR)
        colour = level_color(self._sheet.scale, status)
        if colour is not None and self._carried(row, column):
            return _paler(colour)
        return colour

    def data(self, index: Index, role: int = DISPLAY) -> object:
        sheet = self._sheet
        if not index.isValid() or sheet is None:
            return None
        row, column = index.row(), index.column()
        if role == DISPLAY:
            return self._display(sheet, row, column)
        if role == StatusRole:
            return self._status(row, column)
        if role == ColorRole:
            return self._colour(row, column)
        if role == CommentRole:
            respondent = self.respondent(column)
            if respondent is None:
                return ""
            answer = sheet.answer(row, respondent.code)
            return answer.comment.strip() if answer is not None else ""
        if role == CodeRole:
            return sheet.rows[row].action.code
        if role == TOOLTIP:
            return self._tooltip(sheet, row, column)
        if role == ShortRole:
            status = self._status(row, column)
            if status is None:
                return None
            short = sheet.short_label(status)
            return f"{CARRIED_MARK} {short}" if self._carried(row, column) else short
        if role == ACCESSIBLE:
            return self._accessible(sheet, row, column)
        if role == DESCRIPTION:
            return self._tooltip(sheet, row, column)
        if role == FONT and column == self.DISTRIBUTION and sheet.disagrees(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == ALIGN:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, sheet: ConsolidationSheet, row: int, column: int) -> str:
        result = sheet.rows[row]
        if column == self.ACTION:
            return result.action.text
        if column == self.DISTRIBUTION:
            # Short words (« part. 2 »): the tooltip and the accessible text give them whole.
            return sheet.short_distribution_text(row) or self.tr("aucune réponse")
        if column in (self.SYNTHESIS, self.ARBITRATION, self.FINAL):
            return sheet.label(self._status(row, column))
        respondent = self.respondent(column)
        if respondent is None:
            return ""
        answer = sheet.answer(row, respondent.code)
        if answer is not None and answer.status is not None:
            word = sheet.label(answer.status)
            return f"{CARRIED_MARK} {word}" if answer.to_confirm else word
        if sheet.expected(row, respondent.code):
            return self.tr("sans réponse")
        return ""

    def _tooltip(self, sheet: ConsolidationSheet, row: int, column: int) -> str | None:
        result = sheet.rows[row]
        if column == self.ACTION:
            return (
                f"{result.action.code} — {result.objective.code}. {result.objective.title} › "
                f"{result.theme_code} {result.theme_title}\n\n{result.action.text}"
            )
        if column == self.DISTRIBUTION:
            lines = []
            for level in sheet.scale.levels:
                who = [a.respondent for a in result.confirmed if a.status == level.code]
                if who:
                    lines.append(f"{level.label} : {', '.join(who)}")
            awaiting = [a for a in result.awaiting if a.status is not None]
            if awaiting:
                lines.append(
                    arg(
                        self.tr("À confirmer (repris de l'évaluation précédente) : %1"),
                        ", ".join(f"{a.respondent} ({sheet.label(a.status)})" for a in awaiting),
                    )
                )
            missing = sheet.missing(row)
            if missing:
                lines.append(arg(self.tr("Sans réponse : %1"), ", ".join(r.code for r in missing)))
            if sheet.disagrees(row):
                lines.append(self.tr("Les répondants ne donnent pas la même réponse."))
            return "\n".join(lines) or self.tr("Aucune réponse pour cette action.")
        if column == self.SYNTHESIS:
            return explain_synthesis(result, sheet.scale)
        if column == self.ARBITRATION:
            arbitration = result.arbitration
            if arbitration is None:
                return self.tr("Pas d'arbitrage : le statut retenu est la synthèse.")
            return (
                arg(
                    self.tr("Arbitré « %1 » le %2 par "),
                    sheet.label(arbitration.status),
                    short_datetime(arbitration.at),
                )
                + (arbitration.by or self.tr("(inconnu)"))
                + "\n"
                + self.tr("Raison : ")
                + shorten(arbitration.reason, 300)
            )
        if column == self.FINAL:
            if result.final == TO_CONFIRM:
                return self.tr(
                    "Statut retenu pas encore connu : une réponse reprise de l'évaluation "
                    "précédente attend la confirmation de son service. L'action n'entre dans "
                    "aucun compte d'ici là."
                )
            return (
                arg(
                    self.tr("Statut retenu « %1 » : l'arbitrage du secrétariat."),
                    sheet.label(result.final),
                )
                if result.arbitration is not None
                else arg(
                    self.tr("Statut retenu « %1 » : la synthèse des réponses."),
                    sheet.label(result.final),
                )
            )
        respondent = self.respondent(column)
        if respondent is None:
            return None
        answer = sheet.answer(row, respondent.code)
        head = f"{respondent.code} — {respondent.label}" if respondent.label else respondent.code
        if answer is None or (answer.status is None and not answer.comment.strip()):
            if sheet.expected(row, respondent.code):
                return head + "\n" + self.tr("Pas encore de réponse à cette action.")
            return (
                head
                + "\n"
                + arg(
                    self.tr("Non concerné : l'action est pilotée par %1."),
                    ", ".join(result.action.pilots) or "—",
                )
            )
        lines = [head, sheet.label(answer.status) or self.tr("Pas de réponse")]
        if answer.to_confirm:
            lines.append(
                self.tr(
                    "Reprise de l'évaluation précédente, à confirmer par le service : elle "
                    "n'entre pas dans la synthèse tant qu'il ne l'a pas confirmée ou modifiée."
                )
            )
        if answer.comment.strip():
            lines.append(f"« {shorten(answer.comment, 300)} »")
        stamp = ", ".join(p for p in (answer.by, short_datetime(answer.at)) if p)
        if stamp:
            lines.append(stamp)
        return "\n".join(lines)

    def _accessible(self, sheet: ConsolidationSheet, row: int, column: int) -> str | None:
        if column == self.DISTRIBUTION:
            return arg(
                self.tr("Répartition : %1"),
                sheet.distribution_text(row) or self.tr("aucune réponse"),
            )
        if column in (self.SYNTHESIS, self.ARBITRATION, self.FINAL):
            title = str(self.headerData(column, Qt.Orientation.Horizontal))
            return f"{title} : {sheet.label(self._status(row, column)) or self.tr('aucun')}"
        respondent = self.respondent(column)
        if respondent is None:
            return None
        answer = sheet.answer(row, respondent.code)
        if answer is not None and answer.to_confirm and answer.status is not None:
            shown = arg(self.tr("%1, reprise à confirmer"), sheet.label(answer.status))
        else:
            shown = self._display(sheet, row, column) or self.tr("non concerné")
        text = f"{respondent.code} : {shown}"
        if self.data(self.index(row, column), CommentRole):
            text += self.tr(", avec un commentaire")
        return text

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        sheet = self._sheet
        if sheet is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(sheet.rows):
                return None
            result = sheet.rows[section]
            if role == DISPLAY:
                return result.action.code
            if role == TOOLTIP:
                return f"{result.action.code} — {result.action.text}"
            return None
        if not 0 <= section < self.columnCount():
            return None
        respondent = self.respondent(section)
        if respondent is not None:
            if role == DISPLAY:
                return respondent.code
            if role == TOOLTIP:
                expected = self.tr("attendu") if respondent.expected else self.tr("non attendu")
                head = (
                    f"{respondent.code} — {respondent.label}"
                    if respondent.label
                    else respondent.code
                )
                return f"{head}\n" + arg(
                    self.tr("%1, %2 : %3 sur %4"),
                    expected,
                    respondent.state,
                    count(respondent.answered_actions, "action renseignée", "actions renseignées"),
                    respondent.expected_actions,
                )
            return None
        if role == DISPLAY:
            return (
                self.tr("Action"),
                self.tr("Répartition"),
                self.tr("Synthèse"),
                self.tr("Arbitrage"),
                self.tr("Retenu"),
            )[section]
        if role == TOOLTIP:
            return (
                self.tr("Texte de l'action (en entier dans le détail, en dessous)"),
                self.tr("Combien de répondants ont donné chaque réponse (en gras : ils diffèrent)"),
                self.tr("Synthèse des réponses par la règle de consolidation"),
                self.tr("Statut arbitré par le secrétariat, avec sa raison"),
                self.tr(
                    "Statut retenu dans le classeur et la synthèse : l'arbitrage s'il y en a "
                    "un, sinon la synthèse"
                ),
            )[section]
        return None


class ConsolidationFilterProxy(QSortFilterProxyModel):
    """The actions the filters keep, in the plan's order (the test is the sheet's, Qt-free)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._criteria = ActionFilter()
        self._tested: ConsolidationSheet | None = None
        self._test = lambda _row: True
        self.setDynamicSortFilter(True)

    @property
    def criteria(self) -> ActionFilter:
        return self._criteria

    def set_criteria(self, criteria: ActionFilter) -> None:
        self.beginFilterChange()
        self._criteria = criteria
        self._tested = None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        sheet = source.sheet if isinstance(source, ConsolidationGridModel) else None
        if sheet is None:
            return True
        if self._tested is not sheet:
            self._test = sheet.matcher(self._criteria)
            self._tested = sheet
        return self._test(source_row)

    def result(self, proxy_row: int) -> ActionResult:
        source = self.sourceModel()
        assert isinstance(source, ConsolidationGridModel)
        return source.result(self.mapToSource(self.index(proxy_row, 0)).row())

    def proxy_row(self, code: str) -> int:
        source = self.sourceModel()
        if not isinstance(source, ConsolidationGridModel):
            return -1
        row = source.row_of(code)
        if row < 0:
            return -1
        return self.mapFromSource(source.index(row, 0)).row()


# --------------------------------------------------------------------------------------------
# Who answered


class RosterModel(QAbstractTableModel):
    """The respondents of the campaign: expected ones and any other who answered.

    The « Réponses » column gives a ``Progress`` (``PlanTreeModel.ProgressRole``) for the
    entry window's progress delegate; the « État » column a word and a colour.
    """

    CODE, LABEL, EXPECTED, ANSWERED, STATE, LATE, LAST_CHANGE, LAST_IMPORT, REFUSED = range(9)
    COLUMNS = 9

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[RosterEntry] = []
        self._due = None
        self._refusals: dict[str, RefusedFile] = {}

    def set_roster(
        self,
        entries: list[RosterEntry] | tuple[RosterEntry, ...],
        due,
        refusals: dict[str, RefusedFile] | None = None,
    ) -> None:
        self.beginResetModel()
        # Expected respondents first (those the campaign waits for), then the others.
        self._entries = sorted(entries, key=lambda r: not r.expected)
        self._due = due
        self._refusals = dict(refusals or {})
        self.endResetModel()

    def refusal(self, row: int) -> RefusedFile | None:
        """The file of this respondent refused at import (after its last imported one)."""
        return self._refusals.get(self._entries[row].code)

    def entry(self, row: int) -> RosterEntry:
        return self._entries[row]

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = index.column()
        late = entry.late(self._due)
        if role == DISPLAY:
            return self._display(entry, column, late)
        if role == PlanTreeModel.ProgressRole and column == self.ANSWERED:
            return Progress(entry.answered_actions, entry.expected_actions)
        if role == StatusRole and column == self.STATE:
            return entry.state
        if role == ColorRole and column == self.STATE:
            return QColor(ROSTER_STATE_COLOURS.get(entry.state, "#616161"))
        if role == CodeRole:
            return entry.code
        if role == FOREGROUND and (
            (column == self.LATE and late)
            or (column == self.REFUSED and entry.code in self._refusals)
        ):
            return _LATE
        if role == FONT and column == self.LATE and late:
            font = QFont()
            font.setBold(True)
            return font
        if role == TOOLTIP:
            return self._tooltip(entry, column, late)
        if role == ACCESSIBLE and column == self.ANSWERED:
            return self._tooltip(entry, column, late)
        if role == ALIGN:
            if column in (self.EXPECTED, self.ANSWERED):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, entry: RosterEntry, column: int, late: bool) -> str:
        if column == self.CODE:
            return entry.code
        if column == self.LABEL:
            return entry.label
        if column == self.EXPECTED:
            return self.tr("oui") if entry.expected else self.tr("non")
        if column == self.ANSWERED:
            return f"{entry.answered_actions} / {entry.expected_actions}"
        if column == self.STATE:
            return entry.state
        if column == self.LATE:
            return self.tr("en retard") if late else ""
        if column == self.LAST_CHANGE:
            return short_datetime(entry.last_change) or "—"
        if column == self.LAST_IMPORT:
            return short_datetime(entry.last_import) or "—"
        refused = self._refusals.get(entry.code)
        if refused is None:
            return ""
        return arg(self.tr("refusé le %1 : %2"), short_date(refused.at), _reason(refused.reason))

    def _tooltip(self, entry: RosterEntry, column: int, late: bool) -> str | None:
        if column == self.STATE:
            return {
                "complet": self.tr("Toutes les actions attendues ont une réponse."),
                "partiel": self.tr("Une partie seulement des actions attendues a une réponse."),
                "manquant": self.tr("Attendu, mais aucune réponse pour l'instant."),
                "sans réponse": self.tr("Pas de réponse, et pas attendu."),
                TO_CONFIRM: self.tr(
                    "Ses réponses reprises de l'évaluation précédente attendent sa "
                    "confirmation : aucune n'est encore confirmée ni modifiée."
                ),
            }.get(entry.state)
        if column == self.LATE:
            if self._due is None:
                return self.tr("Pas de date limite pour cette évaluation.")
            if late:
                return arg(
                    self.tr("Incomplet après le %1, ou complété après cette date."),
                    short_date(self._due),
                )
            return arg(self.tr("Dans les temps (date limite : %1)."), short_date(self._due))
        if column == self.ANSWERED:
            text = arg(
                self.tr("%1 sur les %2 que ce répondant pilote"),
                count(entry.answered_actions, "action renseignée", "actions renseignées"),
                entry.expected_actions,
            )
            if entry.to_confirm:
                text += "\n" + arg(
                    self.tr(
                        "%1 reprises de l'évaluation précédente attendent sa confirmation "
                        "(elles ne comptent pas encore)."
                    ),
                    entry.to_confirm,
                )
            return text
        if column in (self.CODE, self.LABEL):
            return f"{entry.code} — {entry.label}" if entry.label else entry.code
        if column == self.REFUSED:
            refused = self._refusals.get(entry.code)
            if refused is None:
                return self.tr("Aucun fichier refusé depuis le dernier import.")
            return (
                arg(
                    self.tr("Fichier « %1 » refusé le %2 :"),
                    refused.file_name,
                    moment_text(refused.at),
                )
                + "\n"
                + refused.reason
            )
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.COLUMNS:
            return None
        if role == DISPLAY:
            return (
                self.tr("Code"),
                self.tr("Libellé"),
                self.tr("Attendu"),
                self.tr("Réponses"),
                self.tr("État"),
                self.tr("Retard"),
                self.tr("Dernière modification"),
                self.tr("Dernier import"),
                self.tr("Fichier refusé"),
            )[section]
        if role == TOOLTIP:
            return (
                self.tr("Code du répondant"),
                self.tr("Service"),
                self.tr("Le secrétariat attend-il sa réponse ?"),
                self.tr("Actions renseignées sur celles qu'il pilote"),
                self.tr("complet, partiel, manquant (attendu sans réponse)"),
                self.tr("Incomplet après la date limite, ou complété après elle"),
                self.tr("Dernière réponse saisie ou importée"),
                self.tr("Dernier classeur importé de ce répondant"),
                self.tr("Un fichier de ce répondant refusé à l'import, avec la raison"),
            )[section]
        return None
