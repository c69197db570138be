"""Painting the consolidation grid: a status as a label in its scale colour with its word
(the entry window's chip), a ✎ when the respondent commented, « sans réponse » in grey
italics; headers that wrap on two lines; column widths that leave the action's text the room.
Nothing is a widget.

A narrow column shows the short word of a status (« Part. » for « Partiellement »): the colour
never speaks alone, and the full word is in the tooltip and the accessible text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from sradar_desktop.services.views.consolidation import ConsolidationSheet, short_word
from sradar_desktop.ui.consolidation.models import (
    ColorRole,
    CommentRole,
    ConsolidationGridModel,
    ShortRole,
)
from sradar_desktop.ui.parts.delegates import (
    PADDING,
    _paint_background,
    _text_pen,
    chip_font,
    chip_size,
    draw_chip,
    draw_placeholder,
)
from sradar_desktop.ui.parts.roles import Index

COMMENT_MARK = "✎"
MARK_GAP = 4


@dataclass(frozen=True)
class CellLayout:
    """Where a status cell draws its parts: the word shown (full or short), its chip (None for
    a placeholder such as « sans réponse », drawn in ``text_rect``) and the ✎ mark."""

    text: str
    chip: QRect | None
    text_rect: QRect
    mark: QRect | None


def _mark_width(font: QFont) -> int:
    return QFontMetrics(font).horizontalAdvance(COMMENT_MARK) + MARK_GAP


def _italic(font: QFont) -> QFont:
    italic = QFont(font)
    italic.setItalic(True)
    return italic


class StatusCellDelegate(QStyledItemDelegate):
    """A status cell: the chip (``ColorRole`` and the word of ``DisplayRole``, or of
    ``ShortRole`` when the full word does not fit), centred vertically; ✎ at the right when
    ``CommentRole`` holds a comment; the text in grey italics (on two lines if need be) when
    there is no status."""

    def layout(self, option: QStyleOptionViewItem, index: Index) -> CellLayout:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        short = str(index.data(ShortRole) or "") or text
        color = index.data(ColorRole)
        rect = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        mark_width = _mark_width(option.font) if index.data(CommentRole) else 0
        room = rect.width() - mark_width
        mark = (
            QRect(rect.right() - mark_width + 1, rect.top(), mark_width, rect.height())
            if mark_width
            else None
        )
        if isinstance(color, QColor) and text:
            font = chip_font(option.font)
            size = chip_size(text, font)
            if size.width() > room:
                text = short
                size = chip_size(text, font)
            chip = QRect(
                rect.left(),
                rect.top() + (rect.height() - size.height()) // 2,
                max(min(room, size.width()), 8),
                size.height(),
            )
            return CellLayout(text, chip, chip, mark)
        # A placeholder may take two lines: it uses the cell's whole height.
        whole = option.rect.adjusted(0, 1, 0, -1)
        return CellLayout(
            text, None, QRect(rect.left() + 2, whole.top(), room - 2, whole.height()), mark
        )

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _paint_background(painter, option, option.widget)
        if option.rect.width() <= 2 * PADDING:
            return
        cell = self.layout(option, index)
        if cell.chip is not None:
            draw_chip(painter, cell.chip, cell.text, index.data(ColorRole), chip_font(option.font))
        elif cell.text:  # « sans réponse » on two lines in a narrow column
            draw_placeholder(painter, option, cell.text_rect, cell.text, wrap=True)
        if cell.mark is not None:
            painter.save()
            painter.setFont(option.font)
            painter.setPen(_text_pen(option))
            painter.drawText(
                cell.mark,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                COMMENT_MARK,
            )
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        font = QFont(option.font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        size = chip_size(text, chip_font(font))
        return QSize(size.width() + _mark_width(font) + 2 * PADDING, size.height() + 2 * PADDING)


def status_column_width(font: QFont, words: list[str], *, comments: bool = False) -> int:
    """A width that shows the longest of ``words`` as a chip (with room for ✎ when the
    column's cells may carry a comment)."""
    bold = chip_font(font)
    widest = max((chip_size(word, bold).width() for word in words), default=40)
    mark = _mark_width(font) if comments else 0
    return widest + mark + 2 * PADDING + 2


def placeholder_width(font: QFont, text: str) -> int:
    """The width of ``text`` drawn as a placeholder (grey italics) in a cell: its longest word
    when it may wrap on two lines."""
    metrics = QFontMetrics(_italic(font))
    return max(metrics.horizontalAdvance(word) for word in text.split() or [""]) + 2 * PADDING + 6


# --------------------------------------------------------------------------------------------
# Headers


def _pieces(text: str) -> list[str]:
    """Where a title may break: its words, and after each hyphen (``DDETS-`` / ``44``)."""
    return re.findall(r"\S+?-|\S+", text)


def _join(left: str, right: str) -> str:
    """Two parts of a title put back together: no space after a hyphen."""
    return right if not left else left + ("" if left.endswith("-") else " ") + right


def wrap_words(text: str, metrics: QFontMetrics, width: int, lines: int = 2) -> list[str]:
    """``text`` on at most ``lines`` lines of ``width``, broken at spaces or after a hyphen
    (``DDETS-`` / ``44``); the last line is cut with « … » when the text is longer still."""
    pieces = _pieces(text)
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = _join(current, piece)
        if not current or metrics.horizontalAdvance(candidate) <= width:
            current = candidate
        else:
            out.append(current)
            current = piece
    if current:
        out.append(current)
    if len(out) > lines:
        rest = ""
        for line in out[lines - 1 :]:
            rest = _join(rest, line)
        out = [*out[: lines - 1], rest]
    if out:
        out[-1] = metrics.elidedText(out[-1], Qt.TextElideMode.ElideRight, width)
    return out


class WrappingHeader(QHeaderView):
    """A horizontal header whose titles wrap on two lines (« DREETS- » / « PDL ») instead of
    being cut; the full title stays in the header's tooltip."""

    LINES = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName(self.tr("Titres des colonnes"))

    def _margin(self) -> int:
        # The style's label takes its margin on each side, and a little more for the frame.
        return self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self) + 3

    def text_width(self, logical: int) -> int:
        """The width a title may take in its section."""
        return self.sectionSize(logical) - 2 * self._margin()

    def lines(self, logical: int) -> list[str]:
        """The title of section ``logical`` as it is drawn, one string a line."""
        model = self.model()
        if model is None:
            return []
        text = str(model.headerData(logical, self.orientation()) or "")
        return wrap_words(text, self.fontMetrics(), self.text_width(logical), self.LINES)

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        if not rect.isValid():
            return
        option = QStyleOptionHeader()
        self.initStyleOptionForIndex(option, logical)
        option.rect = rect
        option.text = "\n".join(self.lines(logical))
        option.textAlignment = Qt.AlignmentFlag.AlignCenter
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
        painter.restore()

    def sizeHint(self) -> QSize:
        size = super().sizeHint()
        height = self.fontMetrics().lineSpacing() * self.LINES + 2 * self._margin() + 2
        return QSize(size.width(), max(size.height(), height))

    def minimum_width(self, text: str) -> int:
        """The width a section needs for ``text`` on two lines (its longest piece)."""
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(piece) for piece in _pieces(text)), default=0)
        return widest + 2 * self._margin() + 2


# --------------------------------------------------------------------------------------------
# Column widths


class GridColumns(QObject):
    """The widths of the grid's columns. The status and respondent columns show the full words
    when the window is wide enough, the short ones otherwise (« Part. »); the action's text
    takes the rest, and keeps a readable width when there is no rest (a horizontal scroll over
    many respondents on a small screen)."""

    def __init__(self, grid: QTableView) -> None:
        super().__init__(grid)
        self.grid = grid
        self._full: dict[int, int] = {}
        self._compact: dict[int, int] = {}
        self.action_width = 220
        self.comfortable_width = 300
        self.compact = False

    def size(self, sheet: ConsolidationSheet) -> None:
        """Measure the columns for ``sheet`` (its scale and respondents), then fit them."""
        grid = self.grid
        model = grid.model()
        header = grid.horizontalHeader()
        font = grid.font()
        metrics = grid.fontMetrics()
        words = [level.label for level in sheet.scale.levels]
        short = [short_word(word) for word in words]
        G = ConsolidationGridModel

        def title_width(column: int) -> int:
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            if isinstance(header, WrappingHeader):
                return header.minimum_width(title)
            return metrics.horizontalAdvance(title) + 20

        self.action_width = max(metrics.averageCharWidth() * 30, 180)
        self.comfortable_width = max(metrics.averageCharWidth() * 42, 260)
        full: dict[int, int] = {
            G.DISTRIBUTION: metrics.horizontalAdvance("oui 10 · partiellement 10") + 2 * PADDING + 4
        }
        compact: dict[int, int] = {
            G.DISTRIBUTION: metrics.horizontalAdvance("partiellement 10 ·") + 2 * PADDING + 4
        }
        for column in (G.SYNTHESIS, G.ARBITRATION, G.FINAL):
            full[column] = max(status_column_width(font, words), title_width(column))
            compact[column] = max(status_column_width(font, short), title_width(column))
        placeholder = placeholder_width(font, "sans réponse")
        for column in range(G.FIXED, model.columnCount()):
            full[column] = max(
                status_column_width(font, words, comments=True), placeholder, title_width(column)
            )
            compact[column] = max(
                status_column_width(font, short, comments=True), placeholder, title_width(column)
            )
        self._full, self._compact = full, compact
        self.fit()

    def fit(self) -> None:
        """Fit the columns to the grid's width (called again when the grid is resized)."""
        if not self._full or self.grid.model() is None or self.grid.model().columnCount() == 0:
            return
        header = self.grid.horizontalHeader()
        room = self.grid.viewport().width()
        self.compact = sum(self._full.values()) + self.comfortable_width > room
        widths = self._compact if self.compact else self._full
        for column, width in widths.items():
            if column < header.count() and header.sectionSize(column) != width:
                header.resizeSection(column, width)
        action = max(self.action_width, room - sum(widths.values()))
        header.resizeSection(ConsolidationGridModel.ACTION, action)
