"""« Synthèse par objectif »: one bar per objective split by final status in the scale's
colours, each segment with its word and count (inside when it fits, on a caption line under the
bar otherwise: the colour never speaks alone), titles on two lines; the figures in a table
beside it, the overall counts in a sentence, and the synthesis rule in words."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QAbstractTableModel, QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.consolidation import SYNTHESIS_RULE, StatusCounts, counted_levels
from sradar_desktop.domain.numbers import format_percentage
from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import count
from sradar_desktop.reports.layout import caption_line
from sradar_desktop.services.views.consolidation import (
    ConsolidationSheet,
    answered_share,
    counts_sentence,
)
from sradar_desktop.ui.consolidation.delegates import wrap_words
from sradar_desktop.ui.parts.delegates import text_color_on
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import tone
from sradar_desktop.ui.parts.roles import ALIGN, DISPLAY, FONT, INVALID, TOOLTIP, Index

TITLE_LINES = 2
CAPTION_GAP = 8


class ObjectiveCountsModel(QAbstractTableModel):
    """The figures behind the chart: one row per objective and one for the whole plan; one
    column per status (« 9 (69 %) ») and the number of actions."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sheet: ConsolidationSheet | None = None
        self._rows: list[tuple[str, str, StatusCounts]] = []  # code, title, counts

    def set_sheet(self, sheet: ConsolidationSheet | None) -> None:
        self.beginResetModel()
        self._sheet = sheet
        self._rows = []
        if sheet is not None:
            consolidation = sheet.consolidation
            self._rows = [
                (objective.code, objective.title, counts)
                for objective, counts in consolidation.objective_counts
            ]
            self._rows.append(
                (self.tr("Ensemble"), self.tr("Ensemble du plan"), consolidation.overall)
            )
        self.endResetModel()

    def _levels(self) -> tuple:
        sheet = self._sheet
        return counted_levels(sheet.consolidation.overall, sheet.scale) if sheet is not None else ()

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = INVALID) -> int:
        if parent.isValid() or self._sheet is None:
            return 0
        return len(self._levels()) + 2

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        code, title, counts = self._rows[index.row()]
        column = index.column()
        levels = self._levels()
        if role == DISPLAY:
            if column == 0:
                return code
            if column == len(levels) + 1:
                return str(counts.total)
            level = levels[column - 1]
            n = counts.counts.get(level.code, 0)
            share = counts.share(level.code)
            return f"{n} ({format_percentage(share, 0)})" if share is not None else str(n)
        if role == TOOLTIP:
            if column == 0 or column == len(levels) + 1:
                return f"{code}. {title}" if index.row() < len(self._rows) - 1 else title
            level = levels[column - 1]
            share = counts.share(level.code)
            return (
                f"{title}\n{level.label} : {counts.counts.get(level.code, 0)}"
                f" ({format_percentage(share, 1) or '—'})"
            )
        if role == FONT and index.row() == len(self._rows) - 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == ALIGN:
            if column == 0:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or self._sheet is None:
            return None
        levels = self._levels()
        if not 0 <= section < len(levels) + 2:
            return None
        if role == DISPLAY:
            if section == 0:
                return self.tr("Objectif")
            if section == len(levels) + 1:
                return self.tr("Actions")
            return levels[section - 1].label
        if role == Qt.ItemDataRole.DecorationRole and 0 < section <= len(levels):
            return QColor(levels[section - 1].color)
        if role == TOOLTIP and 0 < section <= len(levels):
            return arg(
                self.tr("Actions dont le statut retenu est « %1 », et leur part"),
                levels[section - 1].label,
            )
        return None


@dataclass(frozen=True)
class BarSegment:
    code: str
    word: str
    count: int
    color: QColor
    rect: QRect  # the coloured part of the bar
    text: str  # what is written for it: « Oui 9 », « 9 »…
    text_rect: QRect  # where: inside ``rect``, or on the caption line under the bar
    inside: bool


@dataclass(frozen=True)
class Bar:
    title: str
    counts: StatusCounts
    lines: list[str]  # the title as drawn (two lines at most, cut with « … »)
    title_rect: QRect
    rect: QRect
    segments: tuple[BarSegment, ...]
    bold: bool
    bottom: int  # below the title, the bar and its caption line


class StatusBars(QWidget):
    """Horizontal bars of final statuses, painted (no chart library): every segment writes its
    word and count, every title wraps, a hover gives the share."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._rows: list[tuple[str, StatusCounts, bool]] = []
        self._scale: Scale | None = None
        self._bars: list[Bar] | None = None
        self._laid_out_for = QSize()

    def set_rows(self, rows: list[tuple[str, StatusCounts, bool]], scale: Scale | None) -> None:
        """``rows``: (title, counts, in bold), top to bottom, counted on ``scale``."""
        self._rows, self._scale = rows, scale
        self._bars = None
        self.updateGeometry()
        self.update()

    # -- layout --------------------------------------------------------------------------

    def _metrics(self, bold: bool = False) -> QFontMetrics:
        font = QFont(self.font())
        font.setBold(bold)
        return QFontMetrics(font)

    def _bar_height(self) -> int:
        return self.fontMetrics().height() + 10

    def bars(self) -> list[Bar]:
        """The bars as drawn at the widget's current size."""
        if self._bars is None or self._laid_out_for != self.size():
            self._bars = self._layout(self.width())
            self._laid_out_for = self.size()
        return self._bars

    def _layout(self, width: int) -> list[Bar]:
        margin, gap = 6, 10
        metrics = self._metrics()
        line = metrics.lineSpacing()
        title_width = max(120, min(width * 2 // 5, 320))
        bar_left = margin + title_width + gap
        bar_width = max(width - bar_left - margin, 60)
        bar_height = self._bar_height()
        bars = []
        y = margin
        for title, counts, bold in self._rows:
            title_metrics = self._metrics(bold)
            lines = wrap_words(title, title_metrics, title_width, TITLE_LINES)
            segments, caption = self._segments(counts, bar_left, bar_width, y, bar_height)
            bar_block = bar_height + (line + 4 if caption else 0)
            title_height = len(lines) * title_metrics.lineSpacing()
            height = max(bar_block, title_height)
            # A one-line title faces its bar; a longer one starts with it.
            title_top = y + max((bar_height - title_height) // 2, 0)
            bars.append(
                Bar(
                    title,
                    counts,
                    lines,
                    QRect(margin, title_top, title_width, title_height),
                    QRect(bar_left, y, bar_width, bar_height),
                    tuple(segments),
                    bold,
                    y + height,
                )
            )
            y += height + gap
        return bars

    def _segments(
        self, counts: StatusCounts, left: int, width: int, top: int, height: int
    ) -> tuple[list[BarSegment], bool]:
        """The segments of one bar, each with its words inside or on the caption line (in
        bold, as drawn); whether the bar needs that line."""
        metrics = self._metrics(bold=True)
        total = counts.total
        placed = []
        x = float(left)
        for level in counted_levels(counts, self._scale) if self._scale is not None else ():
            n = counts.counts.get(level.code, 0)
            if n <= 0 or total <= 0:
                continue
            seg_width = width * n / total
            rect = QRect(round(x), top, round(x + seg_width) - round(x), height)
            share = format_percentage(counts.share(level.code), 0)
            # Inside, the word always; under the bar, the count alone only when the caption
            # line has no room for every word (the legend then names the colours).
            named = [f"{level.label} {n} ({share})", f"{level.label} {n}"]
            inside = next(
                (c for c in named if metrics.horizontalAdvance(c) + 8 <= rect.width()), None
            )
            placed.append((level, n, rect, inside, [named[1], str(n)]))
            x += seg_width
        outside = [
            (rect.center().x() - left + 0.5, candidates)
            for _level, _n, rect, inside, candidates in placed
            if inside is None
        ]
        captions = iter(caption_line(outside, metrics.horizontalAdvance, width, CAPTION_GAP))
        segments = []
        caption_top = top + height + 3
        for level, n, rect, inside, _candidates in placed:
            if inside is not None:
                segments.append(
                    BarSegment(
                        level.code, level.label, n, QColor(level.color), rect, inside, rect, True
                    )
                )
                continue
            text, text_left, text_width = next(captions)
            text_rect = QRect(
                left + round(text_left), caption_top, round(text_width) + 1, metrics.height()
            )
            segments.append(
                BarSegment(
                    level.code, level.label, n, QColor(level.color), rect, text, text_rect, False
                )
            )
        return segments, bool(outside)

    def sizeHint(self) -> QSize:
        return QSize(480, self.minimumSizeHint().height())

    def minimumSizeHint(self) -> QSize:
        bars = self._layout(max(self.width(), 300))
        bottom = max((b.bottom for b in bars), default=0)
        return QSize(300, bottom + 3 * self.fontMetrics().lineSpacing())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # titles wrap differently: another height

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_pen = palette.color(QPalette.ColorRole.WindowText)
        bold = QFont(self.font())
        bold.setBold(True)
        for bar in self.bars():
            painter.setFont(bold if bar.bold else self.font())
            painter.setPen(text_pen)
            painter.drawText(
                bar.title_rect,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                "\n".join(bar.lines),
            )
            if not bar.segments:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid)))
                painter.drawRect(bar.rect.adjusted(0, 0, -1, -1))
                painter.setPen(tone("muted", palette))
                painter.drawText(
                    bar.rect, int(Qt.AlignmentFlag.AlignCenter), self.tr("aucune action")
                )
                continue
            painter.setFont(bold)
            for segment in bar.segments:
                painter.fillRect(segment.rect, segment.color)
                if segment.inside:
                    painter.setPen(text_color_on(segment.color))
                    painter.drawText(segment.rect, int(Qt.AlignmentFlag.AlignCenter), segment.text)
                    continue
                painter.setPen(text_pen)
                centre = segment.rect.center().x()
                painter.drawLine(
                    centre,
                    segment.rect.bottom() + 1,
                    segment.text_rect.center().x(),
                    segment.text_rect.top(),
                )
                painter.drawText(segment.text_rect, int(Qt.AlignmentFlag.AlignCenter), segment.text)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Window), 1))
            for segment in bar.segments[1:]:
                painter.drawLine(segment.rect.topLeft(), segment.rect.bottomLeft())
        self._paint_legend(painter, text_pen)
        painter.end()

    def legend_rect(self) -> QRect:
        bars = self.bars()
        bottom = max((b.bottom for b in bars), default=0)
        left = bars[0].rect.left() if bars else 6
        return QRect(left, bottom + 12, self.width() - left - 6, self.fontMetrics().height())

    def _paint_legend(self, painter: QPainter, pen: QColor) -> None:
        if self._scale is None or not self._rows:
            return
        rect = self.legend_rect()
        metrics = self.fontMetrics()
        square = metrics.height() - 4
        x = rect.left()
        painter.setFont(self.font())
        overall = self._rows[-1][1]  # the whole plan's bar, last
        for level in counted_levels(overall, self._scale):
            painter.fillRect(QRect(x, rect.top() + 2, square, square), QColor(level.color))
            x += square + 4
            painter.setPen(pen)
            painter.drawText(
                QRect(x, rect.top(), metrics.horizontalAdvance(level.label) + 2, rect.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                level.label,
            )
            x += metrics.horizontalAdvance(level.label) + 16

    # -- tooltips ------------------------------------------------------------------------

    def tooltip_at(self, pos: QPoint) -> str:
        for bar in self.bars():
            if bar.title_rect.contains(pos) or (bar.rect.contains(pos) and not bar.segments):
                sentence = counts_sentence(bar.counts, self._scale) if self._scale else ""
                return f"{bar.title}\n{sentence}"
            for segment in bar.segments:
                if segment.rect.contains(pos) or segment.text_rect.contains(pos):
                    share = bar.counts.share(segment.code)
                    return (
                        f"{bar.title}\n{segment.word} : {segment.count}"
                        f" ({format_percentage(share, 1) or '—'})"
                    )
        return ""

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class ObjectiveCharts(QWidget):
    """The « Synthèse par objectif » tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet: ConsolidationSheet | None = None
        title = QLabel(self.tr("Statut retenu des actions, par objectif"))
        title_font = QFont(title.font())
        title_font.setBold(True)
        title.setFont(title_font)
        self.chart_view = StatusBars()
        self.chart_view.setObjectName("graphique-objectifs")
        self.chart_view.setAccessibleName(self.tr("Statut retenu des actions, par objectif"))
        self.chart_view.setAccessibleDescription(
            self.tr("Les mêmes chiffres sont dans le tableau à côté du graphique.")
        )
        self.chart_scroll = QScrollArea()
        self.chart_scroll.setWidget(self.chart_view)
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart_scroll.setAccessibleName(self.tr("Graphique par objectif"))
        chart_box = QVBoxLayout()
        chart_box.setContentsMargins(0, 0, 0, 0)
        chart_box.addWidget(title)
        chart_box.addWidget(self.chart_scroll, 1)

        self.overall_label = QLabel()
        self.overall_label.setObjectName("totaux")
        self.overall_label.setWordWrap(True)
        self.overall_label.setTextFormat(Qt.TextFormat.RichText)
        self.overall_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rule_label = QLabel(SYNTHESIS_RULE)
        self.rule_label.setObjectName("regle")
        self.rule_label.setWordWrap(True)
        self.rule_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rule_box = QGroupBox(self.tr("Règle de synthèse"))
        rule_layout = QVBoxLayout(rule_box)
        rule_layout.addWidget(self.rule_label)

        self.counts_model = ObjectiveCountsModel(self)
        self.counts_view = QTableView()
        self.counts_view.setObjectName("chiffres-objectifs")
        self.counts_view.setModel(self.counts_model)
        self.counts_view.setAccessibleName(self.tr("Chiffres par objectif"))
        self.counts_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.counts_view.setAlternatingRowColors(True)
        self.counts_view.verticalHeader().setVisible(False)
        self.counts_view.horizontalHeader().setHighlightSections(False)
        self.counts_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.counts_view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        middle = QHBoxLayout()
        middle.addLayout(chart_box, 1)
        middle.addWidget(self.counts_view, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.overall_label)
        layout.addLayout(middle, 1)
        layout.addWidget(rule_box)

    def set_sheet(self, sheet: ConsolidationSheet | None) -> None:
        self.sheet = sheet
        self.counts_model.set_sheet(sheet)
        if sheet is None:
            self.chart_view.set_rows([], None)
            self.overall_label.setText("")
            return
        consolidation = sheet.consolidation
        scale = sheet.scale
        rows = [
            (f"{objective.code}. {' '.join(objective.title.split())}", counts, False)
            for objective, counts in consolidation.objective_counts
        ]
        rows.append((self.tr("Ensemble du plan"), consolidation.overall, True))
        self.chart_view.set_rows(rows, scale)

        overall = consolidation.overall
        arbitrated = sum(1 for r in sheet.rows if r.arbitration is not None)
        differing = sum(1 for row in range(len(sheet.rows)) if sheet.disagrees(row))
        self.overall_label.setText(
            "<b>"
            + escape(arg(self.tr("Ensemble du plan : %1"), count(overall.total, "action")))
            + "</b> — "
            + escape(counts_sentence(overall, scale))
            + f"<br><span style='color:{tone('muted', self.palette()).name()}'>"
            + escape(
                arg(
                    self.tr(
                        "Actions renseignées (hors « nc » et « à confirmer ») : %1 · réponses "
                        "différentes selon les répondants : %2 · arbitrées par le secrétariat : %3"
                    ),
                    f"{overall.answered} ({format_percentage(answered_share(overall), 1) or '—'})",
                    differing,
                    arbitrated,
                )
            )
            + "</span>"
        )

    def bars(self) -> list[Bar]:
        """The bars as drawn: the objectives from the first, then the whole plan."""
        return self.chart_view.bars()

    def tooltip_at(self, pos: QPoint) -> str:
        return self.chart_view.tooltip_at(pos)

    def bar_values(self) -> dict[str, list[int]]:
        """The counts drawn, by the word of each status (first value: the whole plan)."""
        bars = self.bars()
        if not bars or self.sheet is None:
            return {}
        ordered = [bars[-1], *bars[:-1]]
        levels = counted_levels(self.sheet.consolidation.overall, self.sheet.scale)
        return {
            level.label: [
                next((s.count for s in bar.segments if s.code == level.code), 0) for bar in ordered
            ]
            for level in levels
        }
