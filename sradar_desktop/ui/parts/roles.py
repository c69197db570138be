"""The names every model and delegate uses for Qt's item roles and indexes."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
INVALID = QModelIndex()  # the parent of a table's rows

DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
FONT = Qt.ItemDataRole.FontRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
USER = Qt.ItemDataRole.UserRole


def headed(model: QAbstractItemModel, index: Index) -> str:
    """A cell as a screen reader should say it when it reads a whole row: with its column's
    title (« Nouvelles : 2 », not « 2 »)."""
    text = str(model.data(index, DISPLAY) or "")
    title = model.headerData(index.column(), Qt.Orientation.Horizontal, DISPLAY)
    return f"{title} : {text}" if title and text else text
