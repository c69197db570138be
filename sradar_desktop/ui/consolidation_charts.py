"""« Synthèse par objectif »: one bar per objective split by final status in the scale's
colours (the legend gives the words, each segment its count, a hover its share), the overall
counts in a sentence, and the synthesis rule in words."""

from __future__ import annotations

from html import escape

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalPercentBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.consolidation import SYNTHESIS_RULE, StatusCounts
from sradar_desktop.domain.numbers import format_percentage
from sradar_desktop.domain.text import count
from sradar_desktop.services.consolidation_view import (
    ConsolidationSheet,
    answered_share,
    counts_sentence,
)
from sradar_desktop.ui.consolidation_models import ObjectiveCountsModel
from sradar_desktop.ui.delegates import text_color_on
from sradar_desktop.ui.i18n import arg

CATEGORY_CHARS = 40


def _short(text: str, limit: int = CATEGORY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class ObjectiveCharts(QWidget):
    """The « Synthèse par objectif » tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet: ConsolidationSheet | None = None
        self._categories: list[tuple[str, StatusCounts]] = []
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setBackgroundRoundness(0)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        title_font = QFont(self.font())
        title_font.setBold(True)
        self.chart.setTitleFont(title_font)
        self.chart.setTitle(self.tr("Statut retenu des actions, par objectif"))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("graphique-objectifs")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setAccessibleName(self.tr("Statut retenu des actions, par objectif"))
        self.chart_view.setMinimumHeight(260)
        self.series: QHorizontalPercentBarSeries | None = None

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
        self.counts_view.setAccessibleName(self.tr("Statut retenu des actions, par objectif"))
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
        middle.addWidget(self.chart_view, 1)
        middle.addWidget(self.counts_view, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.overall_label)
        layout.addLayout(middle, 1)
        layout.addWidget(rule_box)

    def set_sheet(self, sheet: ConsolidationSheet | None) -> None:
        self.sheet = sheet
        self.counts_model.set_sheet(sheet)
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.series = None
        if sheet is None:
            self.overall_label.setText("")
            return
        consolidation = sheet.consolidation
        scale = sheet.scale
        # A horizontal chart lists its categories from the bottom up: the overall bar goes
        # first (at the bottom), then the objectives from the last to the first.
        categories = [(self.tr("Ensemble du plan"), consolidation.overall)]
        categories += [
            (f"{objective.code}. {objective.title}", counts)
            for objective, counts in reversed(consolidation.objective_counts)
        ]
        self._categories = categories
        series = QHorizontalPercentBarSeries()
        series.setBarWidth(0.7)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value\u00a0%")
        for level in scale.levels:
            bar_set = QBarSet(level.label)
            color = QColor(level.color)
            bar_set.setColor(color)
            bar_set.setBorderColor(QColor("#ffffff"))
            bar_set.setLabelColor(text_color_on(color))
            bar_set.append([float(counts.counts.get(level.code, 0)) for _, counts in categories])
            series.append(bar_set)
        series.hovered.connect(self._hovered)
        self.chart.addSeries(series)
        self.series = series
        category_axis = QBarCategoryAxis()
        category_axis.append([_short(title) for title, _ in categories])
        value_axis = QValueAxis()
        value_axis.setRange(0, 100)
        value_axis.setTickCount(6)
        # A printf format read as Latin-1: a no-break space would come out garbled.
        value_axis.setLabelFormat("%d %%")
        self.chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(category_axis)
        series.attachAxis(value_axis)
        self.chart.legend().setVisible(True)

        overall = consolidation.overall
        arbitrated = sum(1 for r in sheet.rows if r.arbitration is not None)
        differing = sum(1 for row in range(len(sheet.rows)) if sheet.disagrees(row))
        self.overall_label.setText(
            "<b>"
            + escape(arg(self.tr("Ensemble du plan : %1"), count(overall.total, "action")))
            + "</b> — "
            + escape(counts_sentence(overall, scale))
            + "<br><span style='color:#555'>"
            + escape(
                arg(
                    self.tr(
                        "Actions renseignées (hors « nc ») : %1 · réponses différentes selon "
                        "les répondants : %2 · arbitrées par le secrétariat : %3"
                    ),
                    f"{overall.answered} ({format_percentage(answered_share(overall), 1) or '—'})",
                    differing,
                    arbitrated,
                )
            )
            + "</span>"
        )

    def _hovered(self, status: bool, index: int, bar_set: QBarSet) -> None:
        if not status or not 0 <= index < len(self._categories) or self.sheet is None:
            QToolTip.hideText()
            return
        title, counts = self._categories[index]
        label = bar_set.label()
        code = next((lvl.code for lvl in self.sheet.scale.levels if lvl.label == label), "")
        n = counts.counts.get(code, 0)
        QToolTip.showText(
            QCursor.pos(),
            f"{title}\n{label} : {n} ({format_percentage(counts.share(code), 1) or '—'})",
            self.chart_view,
        )

    def bar_values(self) -> dict[str, list[int]]:
        """The counts drawn, by the word of each status (first value: the whole plan)."""
        if self.series is None:
            return {}
        return {
            bar_set.label(): [round(bar_set.at(i)) for i in range(bar_set.count())]
            for bar_set in self.series.barSets()
        }
