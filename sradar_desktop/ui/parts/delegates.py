"""Painting the cells of the entry window: wrapped action texts, answers as coloured labels
(the colour of the scale, always with its word), progress in the plan tree."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from sradar_desktop.domain.scale import Scale
from sradar_desktop.services.views.entry import EntryRow, Progress
from sradar_desktop.ui.entry.models import ActionTableModel, PlanTreeModel
from sradar_desktop.ui.parts.layout import tone
from sradar_desktop.ui.parts.roles import Index

PROGRESS_FILL = QColor("#b7d0ea")
PROGRESS_TRACK = QColor("#e6e9ee")
PADDING = 4


def level_color(scale: Scale | None, code: str | None) -> QColor | None:
    if scale is None or code is None:
        return None
    try:
        return QColor(scale.level(code).color)
    except KeyError:
        return None


def color_icon(colour: str) -> QIcon:
    """A small square of ``colour``, beside a word (menus, lists and headers draw icons, not
    colours)."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def text_color_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    r, g, b = background.redF(), background.greenF(), background.blueF()

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    # Black's contrast (L + 0.05) / 0.05 passes white's 1.05 / (L + 0.05) above L ≈ 0.179.
    return QColor("#000000") if luminance > 0.179 else QColor("#ffffff")


def _color_group(option: QStyleOptionViewItem) -> QPalette.ColorGroup:
    if not option.state & QStyle.StateFlag.State_Enabled:
        return QPalette.ColorGroup.Disabled
    if not option.state & QStyle.StateFlag.State_Active:
        return QPalette.ColorGroup.Inactive
    return QPalette.ColorGroup.Normal


def _paint_background(painter: QPainter, option: QStyleOptionViewItem, widget) -> None:
    """Selection, hover and focus, as the style draws them, without asking the model again."""
    style = widget.style() if widget is not None else None
    if style is None:
        return
    opt = QStyleOptionViewItem(option)
    style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)


def _text_pen(option: QStyleOptionViewItem) -> QColor:
    group = _color_group(option)
    role = (
        QPalette.ColorRole.HighlightedText
        if option.state & QStyle.StateFlag.State_Selected
        else QPalette.ColorRole.Text
    )
    return option.palette.color(group, role)


def chip_font(font: QFont) -> QFont:
    """The font of a status label: the view's, in bold."""
    bold = QFont(font)
    bold.setBold(True)
    return bold


def chip_size(label: str, font: QFont) -> QSize:
    """The size of the label ``label`` drawn by ``draw_chip`` in ``font`` (see ``chip_font``)."""
    metrics = QFontMetrics(font)
    return QSize(metrics.horizontalAdvance(label) + 14, metrics.height() + 6)


def draw_chip(painter: QPainter, chip: QRect, label: str, color: QColor, font: QFont) -> None:
    """A status as a rounded label filled with its level's colour, with its word on it (cut
    with « … » when ``chip`` is too narrow): the colour never speaks alone."""
    metrics = QFontMetrics(font)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(chip, 4, 4)
    painter.setFont(font)
    painter.setPen(text_color_on(color))
    painter.drawText(
        chip,
        int(Qt.AlignmentFlag.AlignCenter),
        metrics.elidedText(label, Qt.TextElideMode.ElideRight, chip.width() - 6),
    )
    painter.restore()


def draw_placeholder(
    painter: QPainter, option: QStyleOptionViewItem, rect: QRect, text: str, *, wrap: bool = False
) -> None:
    """What stands for a missing status (« Non renseignée », « sans réponse »): grey italics,
    cut with « … », or with ``wrap`` on two lines when it does not fit on one."""
    font = QFont(option.font)
    font.setItalic(True)
    painter.save()
    painter.setFont(font)
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    painter.setPen(
        _text_pen(option)
        if selected
        else option.palette.color(_color_group(option), QPalette.ColorRole.PlaceholderText)
    )
    metrics = QFontMetrics(font)
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    if metrics.horizontalAdvance(text) <= rect.width():
        painter.drawText(rect, int(flags), text)
    elif wrap:
        painter.drawText(rect, int(flags | Qt.TextFlag.TextWordWrap), text)
    else:
        painter.drawText(
            rect, int(flags), metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        )
    painter.restore()


class WrappedTextDelegate(QStyledItemDelegate):
    """The action's text on up to ``lines`` lines, cut with « … » (the whole text is in the
    detail pane and the tooltip). Every row has the same height: 5,000 rows lay out at once."""

    def __init__(self, lines: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self._cache: OrderedDict[tuple[str, int, str], list[str]] = OrderedDict()

    def row_height(self, font: QFont) -> int:
        return QFontMetrics(font).lineSpacing() * self.lines + 2 * PADDING

    def _layout(self, text: str, font: QFont, width: int) -> list[str]:
        key = (text, width, font.key())
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        metrics = QFontMetrics(font)
        flat = text.replace("\r", "").replace("\n", "\u2028")
        layout = QTextLayout(flat, font)
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(text_option)
        layout.beginLayout()
        lines: list[str] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            if len(lines) == self.lines - 1:
                rest = flat[start:].replace("\u2028", " ")
                lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
                break
            lines.append(flat[start : start + length].replace("\u2028", "").rstrip())
        layout.endLayout()
        self._cache[key] = lines
        if len(self._cache) > 2000:
            self._cache.popitem(last=False)
        return lines

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        widget = option.widget
        _paint_background(painter, option, widget)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        rect = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        if rect.width() <= 0:
            return
        painter.save()
        painter.setFont(option.font)
        painter.setPen(_text_pen(option))
        metrics = QFontMetrics(option.font)
        y = rect.top()
        for line in self._layout(str(text), option.font, rect.width()):
            painter.drawText(
                QRect(rect.left(), y, rect.width(), metrics.lineSpacing()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line,
            )
            y += metrics.lineSpacing()
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(200, self.row_height(option.font))


class StatusDelegate(QStyledItemDelegate):
    """The answer as a label in the colour of its level, with its word; « Non renseignée »
    in grey italics when there is none; « À confirmer » in words under an answer carried from
    the previous evaluation and not confirmed yet."""

    def __init__(self, scale: Callable[[], Scale | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = scale

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        widget = option.widget
        _paint_background(painter, option, widget)
        entry = index.data(ActionTableModel.EntryRole)
        status = entry.status if isinstance(entry, EntryRow) else None
        carried = isinstance(entry, EntryRow) and entry.to_confirm
        scale = self._scale()
        painter.save()
        font = QFont(option.font)
        rect = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        color = level_color(scale, status)
        top = rect.top()
        if color is not None and scale is not None and status is not None:
            label = scale.level(status).label
            font = chip_font(option.font)
            size = chip_size(label, font)
            chip = QRect(rect.left(), rect.top(), min(rect.width(), size.width()), size.height())
            draw_chip(painter, chip, label, color, font)
            top = chip.bottom() + 3
        elif not carried:
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            metrics = QFontMetrics(font)
            draw_placeholder(
                painter,
                option,
                QRect(rect.left() + 2, rect.top() + 3, rect.width() - 2, metrics.height()),
                text,
            )
        if carried:
            self._draw_to_confirm(painter, option, QRect(rect.left() + 2, top, rect.width() - 2, 0))
        painter.restore()

    def _draw_to_confirm(self, painter: QPainter, option: QStyleOptionViewItem, at: QRect) -> None:
        """« ⟳ À confirmer » in bold italics (words and a sign, not a colour alone)."""
        text = "⟳ " + self.tr("À confirmer")
        font = QFont(option.font)
        font.setBold(True)
        font.setItalic(True)
        metrics = QFontMetrics(font)
        painter.setFont(font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(_text_pen(option) if selected else tone("warning", option.palette))
        painter.drawText(
            QRect(at.left(), at.top(), at.width(), metrics.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, at.width()),
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        font = QFont(option.font)
        font.setBold(True)
        return QSize(QFontMetrics(font).horizontalAdvance("Partiellement") + 24, 24)


def draw_progress(
    painter: QPainter, option: QStyleOptionViewItem, rect: QRect, progress: object, text: str
) -> None:
    """« 3 / 5 » over a bar filled in proportion (a neutral colour: the scale's colours stay
    for the answers)."""
    painter.save()
    if isinstance(progress, Progress) and progress.total:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PROGRESS_TRACK)
        painter.drawRoundedRect(rect, 3, 3)
        filled = QRect(rect)
        filled.setWidth(round(rect.width() * progress.ratio))
        if filled.width() > 0:
            painter.setBrush(PROGRESS_FILL)
            painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(QColor("#1a1a1a"))
    else:
        painter.setPen(_text_pen(option))
    painter.setFont(option.font)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()


class ProgressDelegate(QStyledItemDelegate):
    """A cell's progress (``PlanTreeModel.ProgressRole``) drawn by ``draw_progress``."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _paint_background(painter, option, option.widget)
        metrics = QFontMetrics(option.font)
        height = min(option.rect.height() - 4, metrics.height() + 4)
        rect = QRect(
            option.rect.left() + 3,
            option.rect.top() + (option.rect.height() - height) // 2,
            option.rect.width() - 6,
            height,
        )
        progress = index.data(PlanTreeModel.ProgressRole)
        draw_progress(
            painter, option, rect, progress, str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(metrics.horizontalAdvance("00 / 00") + 16, metrics.height() + 8)


class TreeTextDelegate(QStyledItemDelegate):
    """Objective and theme titles wrapped on the tree's whole width, their progress
    (« 3 / 10 » over a bar, from the model's column 1) on a line under the title: a narrow
    pane keeps whole words on each line (a tree view does not work out the height of wrapped
    text by itself)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[tuple[str, int, str], int] = {}

    @staticmethod
    def _progress_index(index: Index) -> QModelIndex:
        return index.sibling(index.row(), 1)

    @staticmethod
    def _badge_size(font: QFont) -> QSize:
        metrics = QFontMetrics(font)
        return QSize(metrics.horizontalAdvance("000 / 000") + 16, metrics.height() + 4)

    def _text_width(self, option: QStyleOptionViewItem, index: Index) -> int:
        view = option.widget
        if not isinstance(view, QTreeView):
            return max(option.rect.width() - 8, 40)
        depth = 1
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        return max(view.viewport().width() - view.indentation() * depth - 8, 40)

    def _text_height(self, text: str, font: QFont, width: int) -> int:
        key = (text, width, font.key())
        height = self._heights.get(key)
        if height is None:
            height = (
                QFontMetrics(font)
                .boundingRect(
                    QRect(0, 0, width, 10_000),
                    int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft),
                    text,
                )
                .height()
            )
            if len(self._heights) > 5000:
                self._heights.clear()
            self._heights[key] = height
        return height

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _paint_background(painter, option, option.widget)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        rect = option.rect.adjusted(PADDING, 3, -PADDING, -3)
        text_height = self._text_height(text, option.font, rect.width())
        painter.save()
        painter.setFont(option.font)
        painter.setPen(_text_pen(option))
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), text_height),
            int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft),
            text,
        )
        painter.restore()
        cell = self._progress_index(index)
        badge = self._badge_size(option.font)
        draw_progress(
            painter,
            option,
            QRect(rect.left(), rect.top() + text_height + 2, badge.width(), badge.height()),
            cell.data(PlanTreeModel.ProgressRole),
            str(cell.data(Qt.ItemDataRole.DisplayRole) or ""),
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = self._text_width(option, index)
        height = self._text_height(text, option.font, width)
        return QSize(width, height + self._badge_size(option.font).height() + 8)
