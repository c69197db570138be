"""The « Évolution » tab of the consolidation window: what moved since another campaign of the
questionnaire (the previous one unless the user picks another in « Comparer avec »).

Per objective and for the whole plan, how many actions progressed, stayed, fell back, are new
or were removed, and how many still await a confirmation or a first answer (each transition's
word beside its colour, and its number); then one row per
action (the retained status before and now, the transition's word on its colour) and the
indicators with their figures before and now side by side. The rule is written under them.
The window reads the evolution off the UI thread and hands it here (``show_evolution``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sradar_desktop.domain.evolution import (
    EVOLUTION_RULE,
    TRANSITION_LABELS,
    TRANSITIONS,
    Evolution,
)
from sradar_desktop.domain.text import count
from sradar_desktop.services.campaigns import CampaignSummary
from sradar_desktop.services.consolidation_view import ConsolidationSheet
from sradar_desktop.ui.consolidation.models import (
    EvolutionActionsModel,
    EvolutionCountsModel,
    EvolutionIndicatorsModel,
)
from sradar_desktop.ui.parts.delegates import WrappedTextDelegate
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import MutedLabel, expanding_label, set_tone
from sradar_desktop.ui.parts.widgets import PlainKeysGuard


def _table(name: str, accessible_name: str, model: object) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setAccessibleName(accessible_name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(True)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    return view


class EvolutionPane(QWidget):
    """The tab. ``compare_chosen(campaign_id or None)`` when the user picks the campaign to
    compare with (None: no comparison)."""

    compare_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compare_combo = QComboBox()
        self.compare_combo.setObjectName("comparer-avec")
        self.compare_combo.setAccessibleName(self.tr("Comparer avec"))
        self.compare_combo.setToolTip(
            self.tr("L'évaluation à laquelle comparer celle-ci (la précédente par défaut)")
        )
        self.compare_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.compare_combo.setMinimumContentsLength(24)
        self.compare_combo.installEventFilter(PlainKeysGuard(self))
        self.compare_combo.activated.connect(self._activated)
        compare_label = QLabel(self.tr("Co&mparer avec :"))
        compare_label.setBuddy(self.compare_combo)
        self.summary_label = expanding_label(QLabel())
        self.summary_label.setObjectName("resume-evolution")
        self.summary_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(compare_label)
        top.addWidget(self.compare_combo)
        top.addSpacing(8)
        top.addWidget(self.summary_label, 1)

        self.counts_model = EvolutionCountsModel(self)
        self.actions_model = EvolutionActionsModel(self)
        self.indicators_model = EvolutionIndicatorsModel(self)
        self.counts_view = _table(
            "evolution-par-objectif", self.tr("Évolution par objectif"), self.counts_model
        )
        self.actions_view = _table(
            "evolution-des-actions", self.tr("Évolution des actions"), self.actions_model
        )
        wrapped = WrappedTextDelegate(2, self.actions_view)
        self.actions_view.setItemDelegateForColumn(EvolutionActionsModel.ACTION, wrapped)
        self.actions_view.verticalHeader().setDefaultSectionSize(
            wrapped.row_height(self.actions_view.font())
        )
        self.indicators_view = _table(
            "evolution-des-indicateurs",
            self.tr("Indicateurs, avant et maintenant"),
            self.indicators_model,
        )
        self.rule_label = MutedLabel(EVOLUTION_RULE)
        self.rule_label.setObjectName("regle-evolution")
        self.rule_label.setWordWrap(True)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("panneaux-evolution")
        self.splitter.setChildrenCollapsible(False)
        for view, stretch in (
            (self.counts_view, 2),
            (self.actions_view, 4),
            (self.indicators_view, 2),
        ):
            self.splitter.addWidget(view)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.rule_label)
        self.show_evolution([], None, None, None)

    def _activated(self, index: int) -> None:
        self.compare_chosen.emit(self.compare_combo.itemData(index))

    def show_evolution(
        self,
        campaigns: list[CampaignSummary],
        compare_id: str | None,
        evolution: Evolution | None,
        sheet: ConsolidationSheet | None,
        problem: str = "",
    ) -> None:
        """The campaigns to compare with (``compare_id`` chosen), and what moved since it."""
        combo = self.compare_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(
            self.tr("Aucune comparaison")
            if campaigns
            else self.tr("Aucune autre évaluation de ce questionnaire"),
            None,
        )
        for campaign in campaigns:
            combo.addItem(campaign.title, campaign.id)
            combo.setItemData(combo.count() - 1, campaign.describe(), Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(max(combo.findData(compare_id), 0) if compare_id else 0)
        combo.setEnabled(bool(campaigns))
        combo.blockSignals(False)

        self.counts_model.set_evolution(evolution)
        self.actions_model.set_evolution(evolution, sheet)
        self.indicators_model.set_evolution(evolution)
        for view in (self.counts_view, self.actions_view, self.indicators_view):
            view.setVisible(evolution is not None)
        self.indicators_view.setVisible(bool(evolution and evolution.indicators))
        if evolution is not None:
            self.actions_view.horizontalHeader().setSectionResizeMode(
                EvolutionActionsModel.ACTION, QHeaderView.ResizeMode.Stretch
            )
            self.counts_view.horizontalHeader().setSectionResizeMode(
                0, QHeaderView.ResizeMode.Stretch
            )
            # The counts take the height of their rows; the actions the rest.
            view = self.counts_view
            view.setMaximumHeight(
                view.horizontalHeader().sizeHint().height()
                + self.counts_model.rowCount() * view.verticalHeader().defaultSectionSize()
                + 2 * view.frameWidth()
                + 4
            )
        self.rule_label.setVisible(evolution is not None)
        set_tone(self.summary_label, "error" if problem else "")
        self.summary_label.setText(problem or self.summary(evolution, bool(campaigns)))
        self.summary_label.setAccessibleName(self.summary_label.text())

    def summary(self, evolution: Evolution | None, others: bool) -> str:
        if evolution is None:
            if not others:
                return self.tr(
                    "Aucune autre évaluation de ce questionnaire : l'évolution apparaîtra quand "
                    "une nouvelle évaluation aura été créée à partir de celle-ci."
                )
            return self.tr("Choisissez l'évaluation à laquelle comparer celle-ci.")
        overall = evolution.overall
        figures = " · ".join(f"{TRANSITION_LABELS[t]} : {overall.counts[t]}" for t in TRANSITIONS)
        moved = count(overall.changed, self.tr("action a changé"), self.tr("actions ont changé"))
        if overall.waiting:
            moved += " ; " + arg(
                self.tr("%1 en attente d'une réponse ou d'une confirmation"), overall.waiting
            )
        return arg(self.tr("Depuis « %1 » : %2 (%3)."), evolution.previous_title, figures, moved)
