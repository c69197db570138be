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

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont
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
    TRANSITION_COLOURS,
    TRANSITION_LABELS,
    TRANSITIONS,
    Evolution,
)
from sradar_desktop.domain.numbers import format_decimal
from sradar_desktop.domain.text import count
from sradar_desktop.services.campaigns import CampaignSummary
from sradar_desktop.services.views.consolidation import ConsolidationSheet
from sradar_desktop.ui.parts.delegates import WrappedTextDelegate, color_icon, text_color_on
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import MutedLabel, expanding_label, set_tone
from sradar_desktop.ui.parts.roles import (
    ACCESSIBLE,
    ALIGN,
    DISPLAY,
    FONT,
    FOREGROUND,
    INVALID,
    TOOLTIP,
    Index,
)
from sradar_desktop.ui.parts.widgets import PlainKeysGuard


class _RowsModel(QAbstractTableModel):
    """A read-only table of texts computed once: ``_rows`` of cells, ``_headers`` of titles."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []
        self._tips: list[str] = []  # one tooltip per row

    def _set(self, headers: list[str], rows: list[list[str]], tips: list[str]) -> None:
        self.beginResetModel()
        self._headers, self._rows, self._tips = headers, rows, tips
        self.endResetModel()

    def rowCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = INVALID) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        if role in (DISPLAY, ACCESSIBLE):
            return self._rows[index.row()][index.column()]
        if role == TOOLTIP:
            return self._tips[index.row()] or None
        return self._cell(index.row(), index.column(), role)

    def _cell(self, row: int, column: int, role: int) -> object:
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == DISPLAY:
            return self._headers[section]
        return self._header(section, role)

    def _header(self, section: int, role: int) -> object:
        return None


class EvolutionCountsModel(_RowsModel):
    """One row per objective and one for the whole plan; one column per transition (its word
    in the header, beside its colour; the number of actions in the cell) and the total."""

    def set_evolution(self, evolution: Evolution | None) -> None:
        rows: list[list[str]] = []
        tips: list[str] = []
        if evolution is not None:
            lines = [(o.code, o.title, c) for o, c in evolution.objective_counts]
            lines.append((self.tr("Ensemble"), self.tr("Ensemble du plan"), evolution.overall))
            for code, title, counts in lines:
                name = f"{code}. {title}" if code != lines[-1][0] else title
                rows.append(
                    [name, *(str(counts.counts[t]) for t in TRANSITIONS), str(counts.total)]
                )
                tips.append(
                    "\n".join(
                        [title]
                        + [f"{TRANSITION_LABELS[t]} : {counts.counts[t]}" for t in TRANSITIONS]
                    )
                )
        headers = [
            self.tr("Objectif"),
            *(TRANSITION_LABELS[t] for t in TRANSITIONS),
            self.tr("Actions"),
        ]
        self._set(headers if evolution is not None else [], rows, tips)

    def _cell(self, row: int, column: int, role: int) -> object:
        if role == FONT and row == len(self._rows) - 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == ALIGN and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _header(self, section: int, role: int) -> object:
        if role == Qt.ItemDataRole.DecorationRole and 0 < section <= len(TRANSITIONS):
            return color_icon(TRANSITION_COLOURS[TRANSITIONS[section - 1]])
        return None


class EvolutionActionsModel(_RowsModel):
    """One row per action: code, text, the retained status before and now, and the transition
    (its word on its colour)."""

    CODE, ACTION, PREVIOUS, CURRENT, TRANSITION = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._transitions: list[str] = []

    def set_evolution(self, evolution: Evolution | None, sheet: ConsolidationSheet | None) -> None:
        def label(status: str | None) -> str:
            if status is None:
                return "—"
            return sheet.label(status) if sheet is not None else status

        actions = evolution.actions if evolution is not None else ()
        self._transitions = [a.transition for a in actions]
        rows = [
            [
                a.code if not a.renamed_from else f"{a.code} ← {a.renamed_from}",
                a.action.text,
                label(a.previous),
                label(a.current),
                TRANSITION_LABELS[a.transition],
            ]
            for a in actions
        ]
        tips = [
            "\n".join(
                filter(
                    None,
                    [
                        f"{a.code} {a.action.text}",
                        arg(self.tr("Avant : %1 (action %2)"), label(a.previous), a.renamed_from)
                        if a.renamed_from
                        else "",
                        self.tr("Statut retenu arbitré par le secrétariat") if a.arbitrated else "",
                    ],
                )
            )
            for a in actions
        ]
        headers = [
            self.tr("Code"),
            self.tr("Action"),
            evolution.previous_title if evolution is not None else self.tr("Avant"),
            evolution.current_title if evolution is not None else self.tr("Maintenant"),
            self.tr("Évolution"),
        ]
        self._set(headers, rows, tips)

    def _cell(self, row: int, column: int, role: int) -> object:
        if column != self.TRANSITION:
            return None
        colour = QColor(TRANSITION_COLOURS[self._transitions[row]])
        if role == Qt.ItemDataRole.BackgroundRole:
            return colour
        if role == FOREGROUND:
            return text_color_on(colour)
        return None


class EvolutionIndicatorsModel(_RowsModel):
    """One row per indicator with figures: the target and the achieved value before and now,
    side by side, and the change of the achieved value."""

    def set_evolution(self, evolution: Evolution | None) -> None:
        indicators = evolution.indicators if evolution is not None else ()
        previous = evolution.previous_title if evolution is not None else ""
        current = evolution.current_title if evolution is not None else ""

        def figure(value) -> str:
            return format_decimal(value) if value is not None else "—"

        rows = [
            [
                i.action.code,
                f"{i.label} ({i.unit})" if i.unit else i.label,
                figure(i.previous_target),
                figure(i.previous_achieved),
                figure(i.current_target),
                figure(i.current_achieved),
                figure(i.difference)
                if i.difference is None or i.difference <= 0
                else "+" + figure(i.difference),
            ]
            for i in indicators
        ]
        headers = [
            self.tr("Action"),
            self.tr("Indicateur"),
            arg(self.tr("Cible (%1)"), previous),
            arg(self.tr("Réalisé (%1)"), previous),
            arg(self.tr("Cible (%1)"), current),
            arg(self.tr("Réalisé (%1)"), current),
            self.tr("Écart du réalisé"),
        ]
        self._set(headers, rows, [f"{i.action.code} {i.action.text}" for i in indicators])

    def _cell(self, row: int, column: int, role: int) -> object:
        if role == ALIGN and column > 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _table(name: str, accessible_name: str, model: QAbstractItemModel) -> QTableView:
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
