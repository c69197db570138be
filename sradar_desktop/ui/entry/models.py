"""Qt models of the entry window: the plan tree with progress, the actions with their answers,
the filter proxy, an action's history, the list of questionnaires.

The models read an ``EntrySheet`` (plain Python, see ``services.entry``); they never open a
database session.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
)

from sradar_desktop.domain.answers import HistoryEntry
from sradar_desktop.domain.campaigns import CARRIED_LABEL
from sradar_desktop.domain.numbers import format_indicator_value
from sradar_desktop.domain.questionnaires import BUILTIN, QuestionnaireSummary
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import plural
from sradar_desktop.services.views.entry import (
    EntryFilter,
    EntryRow,
    EntrySheet,
    HistoryLine,
    Progress,
    describe_history,
    indicator_unit,
)
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.roles import ACCESSIBLE, ALIGN, DISPLAY, INVALID, TOOLTIP, USER, Index


def progress_text(progress: Progress | None) -> str:
    if progress is None or progress.total == 0:
        return "—"
    return f"{progress.answered} / {progress.total}"


def answered_text(progress: Progress, tr) -> str:
    """« 1 action renseignée sur 10 », « 12 actions renseignées sur 47 »."""
    return arg(
        tr("%1 %2 sur %3"),
        progress.answered,
        plural(progress.answered, tr("action renseignée"), tr("actions renseignées")),
        progress.total,
    )


def progress_tooltip(progress: Progress | None, scale: Scale, tr) -> str:
    if progress is None or progress.total == 0:
        return tr("Aucune action à renseigner ici.")
    lines = [answered_text(progress, tr)]
    for level in scale.levels:
        n = progress.by_status.get(level.code, 0)
        if n:
            lines.append(f"{level.label} : {n}")
    missing = progress.total - progress.answered
    if missing:
        lines.append(arg(tr("Non renseignées : %1"), missing))
    return "\n".join(lines)


CONFIRM_KEY = "K"  # confirms a carried answer unchanged


def carried_text(tr) -> str:
    """« Reprise de l'évaluation précédente, à confirmer (touche K) »."""
    return arg(tr("%1 (touche %2)"), CARRIED_LABEL, CONFIRM_KEY)


# --------------------------------------------------------------------------------------------
# The plan tree


@dataclass(eq=False)
class _Node:
    kind: str  # "root", "all", "objective", "theme"
    index: int
    code: str
    title: str
    parent: _Node | None
    row: int = 0
    children: list[_Node] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}" if self.code else self.title


class PlanTreeModel(QAbstractItemModel):
    """« Tout le plan », then objectives and their themes; column 1 is the progress.

    ``FilterRole`` gives ``(kind, index)`` for the table's filter; ``ProgressRole`` a
    ``Progress``; ``CodeRole`` the objective's or theme's code.
    """

    CodeRole = USER + 1
    FilterRole = USER + 2
    ProgressRole = USER + 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("root", -1, "", "", None)
        self._sheet: EntrySheet | None = None

    def set_sheet(self, sheet: EntrySheet | None) -> None:
        self.beginResetModel()
        self._sheet = sheet
        root = _Node("root", -1, "", "", None)
        if sheet is not None:
            root.children.append(_Node("all", -1, "", self.tr("Tout le plan"), root, row=0))
            objectives: list[_Node] = []
            for o_index, objective in enumerate(sheet.plan.objectives):
                node = _Node(
                    "objective", o_index, objective.code, objective.title, root, row=o_index + 1
                )
                objectives.append(node)
                root.children.append(node)
            for theme in sheet.themes:
                parent = objectives[theme.objective_index]
                parent.children.append(
                    _Node(
                        "theme",
                        theme.index,
                        theme.code,
                        theme.title,
                        parent,
                        row=len(parent.children),
                    )
                )
        self._root = root
        self.endResetModel()

    def progress_changed(self, entry: EntryRow | None = None) -> None:
        """The answers changed: repaint the progress of « Tout le plan » and of the objective
        and theme of ``entry`` (of every row when None)."""
        if not self._root.children:
            return
        if entry is None:
            nodes = [n for top in self._root.children for n in (top, *top.children)]
        else:
            nodes = [self._root.children[0]]
            for top in self._root.children[1:]:
                if top.index == entry.objective_index:
                    nodes.append(top)
                    nodes.extend(c for c in top.children if c.index == entry.theme_index)
        for node in nodes:
            # Column 0 too: its delegate draws the progress under the title.
            first, last = self.createIndex(node.row, 0, node), self.createIndex(node.row, 1, node)
            self.dataChanged.emit(first, last, [DISPLAY, self.ProgressRole, ACCESSIBLE])

    def _node(self, index: Index) -> _Node:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _Node)
            return node
        return self._root

    def _progress(self, node: _Node) -> Progress | None:
        if self._sheet is None:
            return None
        if node.kind == "all":
            return self._sheet.progress()
        return self._sheet.tree_progress().get((node.kind, node.index))

    def index(self, row: int, column: int, parent: Index = INVALID) -> QModelIndex:
        if not 0 <= column < 2 or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        node = self._node(parent)
        if row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: Index = INVALID) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def rowCount(self, parent: Index = INVALID) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 2

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        node = self._node(index)
        column = index.column()
        if role == DISPLAY:
            return node.label if column == 0 else progress_text(self._progress(node))
        if role == TOOLTIP:
            scale = self._sheet.plan.scale if self._sheet else None
            text = node.label
            if scale is not None:
                text += "\n\n" + progress_tooltip(self._progress(node), scale, self.tr)
            return text
        if role == ACCESSIBLE:
            # The progress is drawn under the title: the title's text says it too.
            progress = self._progress(node)
            if progress is None or not progress.total:
                text = self.tr("aucune action à renseigner")
            else:
                text = answered_text(progress, self.tr)
            return text if column == 1 else f"{node.label} — {text}"
        if role == ALIGN and column == 1:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == self.CodeRole:
            return node.code
        if role == self.FilterRole:
            return (node.kind, node.index)
        if role == self.ProgressRole and column == 1:
            return self._progress(node)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < 2:
            return (self.tr("Objectifs et thématiques"), self.tr("Renseignées"))[section]
        return None

    def find(self, kind: str, index: int) -> QModelIndex:
        for node in self._root.children:
            if node.kind == kind and node.index == index:
                return self.createIndex(node.row, 0, node)
            for child in node.children:
                if child.kind == kind and child.index == index:
                    return self.createIndex(child.row, 0, child)
        return QModelIndex()


# --------------------------------------------------------------------------------------------
# The actions


class ActionTableModel(QAbstractTableModel):
    """One row per action of the plan: code, text, pilots, answer, comment, indicators."""

    COLUMNS = ("code", "text", "pilots", "status", "comment", "indicators")
    CODE, TEXT, PILOTS, STATUS, COMMENT, INDICATORS = range(6)
    CodeRole = USER + 1
    EntryRole = USER + 2
    StatusRole = USER + 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sheet: EntrySheet | None = None
        self._rows: list[EntryRow] = []

    @property
    def sheet(self) -> EntrySheet | None:
        return self._sheet

    def set_sheet(self, sheet: EntrySheet | None) -> None:
        self.beginResetModel()
        self._sheet = sheet
        self._rows = sheet.rows if sheet else []
        self.endResetModel()

    def entry(self, row: int) -> EntryRow:
        return self._rows[row]

    def row_of(self, code: str) -> int:
        if self._sheet is None or code not in self._sheet.by_code:
            return -1
        return self._sheet.by_code[code].row

    def refresh(self, code: str) -> None:
        """The answer of ``code`` changed: repaint its row (and re-test it in the filters)."""
        row = self.row_of(code)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._display(entry, column)
        if role == self.EntryRole:
            return entry
        if role == TOOLTIP:
            return self._tooltip(entry, column)
        if role == ACCESSIBLE:
            return self._accessible(entry, column)
        if role == ALIGN:
            if column in (self.COMMENT, self.INDICATORS):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == self.CodeRole:
            return entry.code
        if role == self.StatusRole:
            return entry.status
        return None

    def _label(self, status: str | None) -> str:
        if status is None or self._sheet is None:
            return ""
        try:
            return self._sheet.plan.scale.level(status).label
        except KeyError:
            return status

    def _display(self, entry: EntryRow, column: int) -> str:
        if column == self.CODE:
            return entry.code
        if column == self.TEXT:
            return entry.action.text
        if column == self.PILOTS:
            return ", ".join(entry.action.pilots)
        if column == self.STATUS:
            if entry.to_confirm:
                return " — ".join(filter(None, [self._label(entry.status), self.tr("À confirmer")]))
            return self._label(entry.status) or self.tr("Non renseignée")
        if column == self.COMMENT:
            return "✎" if entry.comment.strip() else ""
        if entry.indicators_total:
            return f"{entry.indicators_filled} / {entry.indicators_total}"
        return ""

    def _tooltip(self, entry: EntryRow, column: int) -> str | None:
        if column == self.TEXT:
            return entry.action.text
        if column == self.PILOTS:
            return arg(self.tr("Pilotes : %1"), ", ".join(entry.action.pilots) or "—")
        if column == self.STATUS:
            if entry.status is None or self._sheet is None:
                text = self.tr("Pas encore de réponse")
            else:
                level = self._sheet.plan.scale.level(entry.status)
                text = f"{level.label} — {level.description}" if level.description else level.label
            if entry.to_confirm:
                text += "\n" + carried_text(self.tr)
            return text
        if column == self.COMMENT:
            text = entry.comment.strip()
            if not text:
                return self.tr("Pas de commentaire")
            return text if len(text) <= 400 else text[:399] + "…"
        if column == self.INDICATORS:
            if not entry.indicators_total:
                return self.tr("Pas d'indicateur pour cette action")
            lines = []
            for position, indicator in enumerate(entry.action.indicators):
                unit = indicator_unit(indicator.kind, indicator.unit)
                target = format_indicator_value(entry.targets[position], indicator.kind) or "—"
                achieved = format_indicator_value(entry.achieved[position], indicator.kind) or "—"
                lines.append(
                    arg(
                        self.tr("%1 : cible %2, réalisé %3"),
                        indicator.label,
                        f"{target} {unit}".strip() if target != "—" else target,
                        f"{achieved} {unit}".strip() if achieved != "—" else achieved,
                    )
                )
            return "\n".join(lines)
        return None

    def _accessible(self, entry: EntryRow, column: int) -> str | None:
        if column == self.STATUS:
            text = arg(
                self.tr("Réalisation : %1"), self._label(entry.status) or self.tr("non renseignée")
            )
            return f"{text} ; {carried_text(self.tr)}" if entry.to_confirm else text
        if column == self.COMMENT:
            return (
                self.tr("Commentaire saisi")
                if entry.comment.strip()
                else self.tr("Pas de commentaire")
            )
        if column == self.INDICATORS and entry.indicators_total:
            return arg(
                self.tr("%1 indicateurs renseignés sur %2"),
                entry.indicators_filled,
                entry.indicators_total,
            )
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == DISPLAY:
            return (
                self.tr("Code"),
                self.tr("Action"),
                self.tr("Pilotes"),
                self.tr("Réalisation"),
                self.tr("Com."),
                self.tr("Indic."),
            )[section]
        if role == TOOLTIP:
            return (
                self.tr("Code de l'action"),
                self.tr("Texte de l'action (en entier dans le détail, à droite)"),
                self.tr("Services pilotes de l'action"),
                self.tr("Réponse : oui, partiellement, non, nc"),
                self.tr("✎ : un commentaire est saisi"),
                self.tr(
                    "Indicateurs dont la valeur réalisée est saisie, sur le nombre d'indicateurs"
                ),
            )[section]
        return None


class ActionFilterProxy(QSortFilterProxyModel):
    """The actions the filters keep, in the plan's order.

    The test of a row is ``EntrySheet.matcher`` (plain Python, one call per row). The current
    action can be *pinned*: it stays visible after it is answered even when the filter says
    « non renseignées seulement », until the agent moves on.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._criteria = EntryFilter()
        self._test = lambda _row: True
        self._bulk: set[int] | None = None
        self._pinned = -1
        self.setDynamicSortFilter(True)

    @property
    def criteria(self) -> EntryFilter:
        return self._criteria

    def _sheet(self) -> EntrySheet | None:
        source = self.sourceModel()
        return source.sheet if isinstance(source, ActionTableModel) else None

    def set_criteria(self, criteria: EntryFilter) -> None:
        sheet = self._sheet()
        self.beginFilterChange()
        self._criteria = criteria
        self._test = sheet.matcher(criteria) if sheet is not None else (lambda _row: True)
        # Every row is tested in one Python loop, then looked up as the proxy asks for each:
        # a keystroke costs one call per row into Python, not one test per call.
        self._bulk = set(sheet.matching(criteria)) if sheet is not None else None
        try:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        finally:
            self._bulk = None

    def use_sheet(self, sheet: EntrySheet | None, criteria: EntryFilter) -> None:
        """Call before the source model takes ``sheet``: its reset then filters the new rows
        once, with the new test (the old one knows other rows)."""
        self._criteria = criteria
        self._test = sheet.matcher(criteria) if sheet is not None else (lambda _row: True)
        self._pinned = -1

    def pin(self, source_row: int) -> None:
        """Keep ``source_row`` visible whatever the filter; the previous pinned row is re-tested."""
        previous, self._pinned = self._pinned, source_row
        source = self.sourceModel()
        if (
            0 <= previous != source_row
            and isinstance(source, ActionTableModel)
            and previous < source.rowCount()
        ):
            source.refresh(source.entry(previous).code)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        bulk = self._bulk
        if bulk is not None:
            return source_row in bulk or source_row == self._pinned
        return source_row == self._pinned or self._test(source_row)

    def entry(self, proxy_row: int) -> EntryRow:
        source = self.sourceModel()
        assert isinstance(source, ActionTableModel)
        return source.entry(self.mapToSource(self.index(proxy_row, 0)).row())

    def proxy_row(self, code: str) -> int:
        source = self.sourceModel()
        if not isinstance(source, ActionTableModel):
            return -1
        row = source.row_of(code)
        if row < 0:
            return -1
        return self.mapFromSource(source.index(row, 0)).row()


# --------------------------------------------------------------------------------------------
# History of an action


class HistoryModel(QAbstractTableModel):
    """Who changed what and when on the current action, newest first: when and who in one
    column, one under the other, so that the change itself keeps the width of a narrow pane
    (three columns left it a word or two a line)."""

    WHEN, WHAT = range(2)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[HistoryLine] = []

    def set_entries(self, entries: list[HistoryEntry], scale: Scale) -> None:
        self.beginResetModel()
        self._lines = [describe_history(entry, scale) for entry in entries]
        self.endResetModel()

    def line(self, row: int) -> HistoryLine:
        return self._lines[row]

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        if role == DISPLAY:
            return f"{line.when}\n{line.who}" if index.column() == self.WHEN else line.what
        if role == ACCESSIBLE and index.column() == self.WHEN:
            return f"{line.when}, {line.who}"
        if role == TOOLTIP:
            return f"{line.when} — {line.who}\n{line.detail}"
        if role == ALIGN:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < 2:
            return (self.tr("Quand, par qui"), self.tr("Modification"))[section]
        return None


# --------------------------------------------------------------------------------------------
# Questionnaires to choose from


class QuestionnaireListModel(QAbstractListModel):
    """The questionnaires of the database, two lines each (title; size and origin)."""

    IdRole = USER + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[QuestionnaireSummary] = []

    def set_questionnaires(self, items: list[QuestionnaireSummary]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def row_of(self, questionnaire_id: str) -> int:
        for row, item in enumerate(self._items):
            if item.id == questionnaire_id:
                return row
        return -1

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == DISPLAY:
            origin = self.tr("plan intégré") if item.origin == BUILTIN else self.tr("importé")
            details = arg(
                self.tr("%1 objectifs · %2 thématiques · %3 actions — %4"),
                item.objectives,
                item.themes,
                item.actions,
                origin,
            )
            return f"{item.display_title}\n{details}"
        if role == TOOLTIP:
            return item.title
        if role == self.IdRole:
            return item.id
        return None
