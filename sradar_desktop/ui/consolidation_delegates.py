"""Painting the consolidation grid: a status as a label in its scale colour with its word
(the entry window's chip), a ✎ when the respondent commented, « sans réponse » in grey
italics. One delegate paints every status cell; nothing is a widget."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from sradar_desktop.ui.consolidation_models import ColorRole, CommentRole
from sradar_desktop.ui.delegates import (
    PADDING,
    _paint_background,
    _text_pen,
    chip_font,
    chip_size,
    draw_chip,
    draw_placeholder,
)

Index = QModelIndex | QPersistentModelIndex
COMMENT_MARK = "✎"


class StatusCellDelegate(QStyledItemDelegate):
    """A status cell: the chip (``ColorRole`` and the word of ``DisplayRole``), centred
    vertically, cut with « … » when the column is narrow; ✎ at the right when ``CommentRole``
    holds a comment; the text in grey italics when there is no status."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _paint_background(painter, option, option.widget)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        color = index.data(ColorRole)
        comment = index.data(CommentRole)
        rect = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        if rect.width() <= 0:
            return
        metrics = QFontMetrics(option.font)
        mark_width = metrics.horizontalAdvance(COMMENT_MARK) + 4 if comment else 0
        room = rect.width() - mark_width
        if isinstance(color, QColor) and text:
            font = chip_font(option.font)
            size = chip_size(text, font)
            chip = QRect(
                rect.left(),
                rect.top() + (rect.height() - size.height()) // 2,
                max(min(room, size.width()), 8),
                size.height(),
            )
            draw_chip(painter, chip, text, color, font)
        elif text:
            draw_placeholder(
                painter, option, QRect(rect.left() + 2, rect.top(), room, rect.height()), text
            )
        if comment:
            painter.save()
            painter.setFont(option.font)
            painter.setPen(_text_pen(option))
            painter.drawText(
                QRect(rect.right() - mark_width + 1, rect.top(), mark_width, rect.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                COMMENT_MARK,
            )
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        font = QFont(option.font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        size = chip_size(text, chip_font(font))
        extra = QFontMetrics(font).horizontalAdvance(COMMENT_MARK) + 4
        return QSize(size.width() + extra + 2 * PADDING, size.height() + 2 * PADDING)


def status_column_width(font: QFont, words: list[str], *, comments: bool = False) -> int:
    """A width that shows the longest of ``words`` as a chip (with room for ✎ when the
    column's cells may carry a comment)."""
    bold = chip_font(font)
    widest = max((chip_size(word, bold).width() for word in words), default=40)
    mark = QFontMetrics(font).horizontalAdvance(COMMENT_MARK) + 4 if comments else 0
    return widest + mark + 2 * PADDING + 2


def placeholder_width(font: QFont, text: str) -> int:
    """The width of ``text`` drawn as a placeholder (grey italics) in a cell."""
    italic = QFont(font)
    italic.setItalic(True)
    return QFontMetrics(italic).horizontalAdvance(text) + 2 * PADDING + 6
