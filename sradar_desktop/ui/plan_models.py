"""Qt models over a plan: the objectives → themes tree, and the table of actions."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from sradar_desktop.domain.plan import Action, Plan

Index = QModelIndex | QPersistentModelIndex
_INVALID = QModelIndex()


@dataclass(eq=False)
class _Node:
    code: str
    title: str
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)
    row: int = 0

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}" if self.code else self.title


class PlanTreeModel(QAbstractItemModel):
    """Objectives and their themes. ``CodeRole`` gives an item's code (``"2"``, ``"2.3"``)."""

    CodeRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._root = _Node("", "", None)

    def set_plan(self, plan: Plan | None) -> None:
        self.beginResetModel()
        root = _Node("", "", None)
        for o_row, objective in enumerate(plan.objectives if plan else ()):
            o_node = _Node(objective.code, objective.title, root, row=o_row)
            root.children.append(o_node)
            for t_row, theme in enumerate(objective.themes):
                o_node.children.append(_Node(theme.code, theme.title, o_node, row=t_row))
        self._root = root
        self.endResetModel()

    def _node(self, index: Index) -> _Node:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _Node)
            return node
        return self._root

    def index(self, row: int, column: int, parent: Index = _INVALID) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        node = self._node(parent)
        if row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: Index = _INVALID) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def rowCount(self, parent: Index = _INVALID) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = _INVALID) -> int:
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.title
        if role == self.CodeRole:
            return node.code
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            section == 0
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return self.tr("Objectifs et thématiques")
        return None


class ActionTableModel(QAbstractTableModel):
    """One row per action of the plan: code, text, pilots."""

    COLUMNS = ("code", "text", "pilots")
    CodeRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._actions: list[Action] = []

    def set_plan(self, plan: Plan | None) -> None:
        self.beginResetModel()
        self._actions = plan.actions() if plan else []
        self.endResetModel()

    def action(self, row: int) -> Action:
        return self._actions[row]

    def rowCount(self, parent: Index = _INVALID) -> int:
        return 0 if parent.isValid() else len(self._actions)

    def columnCount(self, parent: Index = _INVALID) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        action = self._actions[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == "code":
                return action.code
            if column == "text":
                return action.text
            return ", ".join(action.pilots)
        if role == self.CodeRole:
            return action.code
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return (self.tr("Code"), self.tr("Action"), self.tr("Pilotes"))[section]
        return section + 1


class ActionFilterProxy(QSortFilterProxyModel):
    """Keeps the actions under one objective or theme (by code prefix)."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._prefix = ""

    def set_code_prefix(self, code: str) -> None:
        self.beginFilterChange()
        self._prefix = f"{code}." if code else ""
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._prefix:
            return True
        model = self.sourceModel()
        code = model.data(model.index(source_row, 0, source_parent), ActionTableModel.CodeRole)
        return str(code).startswith(self._prefix)
