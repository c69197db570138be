"""The filter bar of the consolidation's grid: search, objective or theme, disagreements,
arbitrated actions, what changed since the campaign compared with, what awaits a confirmation;
and the count of actions shown. The window reacts to ``changed``."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from sradar_desktop.domain.evolution import Evolution
from sradar_desktop.services.views.consolidation import ActionFilter, ConsolidationSheet
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import FilterBar
from sradar_desktop.ui.parts.widgets import ElidedComboBox, PlainKeysGuard


def _box(name: str, text: str, accessible: str, tip: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    box.setToolTip(tip)
    return box


class GridFilters(QObject):
    """The filter widgets (``bar``) and what they ask for (``criteria``)."""

    changed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        guard = PlainKeysGuard(parent)
        self.bar = FilterBar(
            self.tr(
                "Les actions dont le code, le texte, un commentaire ou la raison d'arbitrage "
                "contiennent tous les mots tapés (sans tenir compte des accents ni des "
                "majuscules). Échap efface."
            )
        )
        self.search_edit = self.bar.search_edit
        self.count_label = self.bar.count_label
        self.clear_button = self.bar.clear_button
        self.objective_combo = ElidedComboBox()
        self.objective_combo.setObjectName("filtre-objectif")
        self.objective_combo.installEventFilter(guard)
        self.objective_combo.setSizeAdjustPolicy(
            ElidedComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        # Cut with « … » when narrow (the list shows each objective whole).
        self.objective_combo.setMinimumContentsLength(12)
        self.objective_combo.setAccessibleName(self.tr("Filtrer par objectif"))
        objective_label = QLabel(self.tr("&Objectif :"))
        objective_label.setBuddy(self.objective_combo)
        self.disagreements_box = _box(
            "desaccords",
            # Short words on screen, so that the filters fit one line at 1024 points; the
            # name a screen reader says is whole.
            self.tr("&Désaccords"),
            self.tr("Désaccords seulement"),
            self.tr(
                "Les actions où les répondants ne donnent pas la même réponse (oui, "
                "partiellement, non ; « nc » ne compte pas) — Ctrl+D"
            ),
        )
        self.arbitrated_box = _box(
            "arbitrees",
            self.tr("Arbi&trées"),
            self.tr("Arbitrées seulement"),
            self.tr("Les actions arbitrées par le secrétariat"),
        )
        self.changed_box = _box(
            "a-change",
            self.tr("A chan&gé"),
            self.tr("A changé"),
            self.tr(
                "Les actions en progrès, en recul, nouvelles ou retirées depuis l'évaluation "
                "comparée (onglet « Évolution ») — Ctrl+Maj+G"
            ),
        )
        self.changed_box.setEnabled(False)
        # No underlined letter: every letter of these words is taken in this window.
        self.to_confirm_box = _box(
            "a-confirmer",
            self.tr("À confirmer"),
            self.tr("À confirmer seulement"),
            self.tr(
                "Les actions dont une réponse reprise de l'évaluation précédente attend la "
                "confirmation de son service : elles n'entrent dans aucun compte — Ctrl+Maj+K"
            ),
        )
        self.to_confirm_box.setEnabled(False)
        for box in self._boxes():
            box.toggled.connect(self.changed)
        self.search_edit.textChanged.connect(self.changed)
        self.objective_combo.currentIndexChanged.connect(self.changed)
        self.clear_button.clicked.connect(self.clear)
        self.bar.follow(self.objective_combo, *self._boxes())
        self.bar.add(objective_label)
        self.bar.add(self.objective_combo, stretch=1, space=False)
        for box in self._boxes():
            self.bar.add(box)
        self._evolution: Evolution | None = None

    def _boxes(self) -> tuple[QCheckBox, ...]:
        return (self.disagreements_box, self.arbitrated_box, self.changed_box, self.to_confirm_box)

    def criteria(self) -> ActionFilter:
        chosen = self.objective_combo.currentData()
        objective = theme = None
        if chosen:
            kind, _, index = str(chosen).partition(":")
            if kind == "objective":
                objective = int(index)
            else:
                theme = int(index)
        changed = None
        if self.changed_box.isChecked() and self._evolution is not None:
            changed = frozenset(a.code for a in self._evolution.changed)
        return ActionFilter(
            text=self.search_edit.text(),
            objective=objective,
            theme=theme,
            disagreements_only=self.disagreements_box.isChecked(),
            arbitrated_only=self.arbitrated_box.isChecked(),
            to_confirm_only=self.to_confirm_box.isChecked(),
            changed=changed,
        )

    def show_sheet(self, sheet: ConsolidationSheet, *, reshaped: bool) -> None:
        """The objectives and themes of the plan (when its shape changed), and how many
        actions await a confirmation."""
        if reshaped:
            self._fill_objectives(sheet)
        awaiting = sheet.consolidation.overall.to_confirm
        self.to_confirm_box.setText(
            arg(self.tr("À confirmer (%1)"), awaiting) if awaiting else self.tr("À confirmer")
        )
        self.to_confirm_box.setEnabled(bool(awaiting) or self.to_confirm_box.isChecked())

    def _fill_objectives(self, sheet: ConsolidationSheet) -> None:
        combo = self.objective_combo
        previous = combo.currentData()
        with QSignalBlocker(combo):
            combo.clear()
            combo.addItem(self.tr("Tout le plan"), None)
            for o_index, objective in enumerate(sheet.plan.objectives):
                combo.addItem(f"{objective.code}. {objective.title}", f"objective:{o_index}")
                for theme in sheet.themes:
                    if theme.objective_index == o_index:
                        combo.addItem(f"    {theme.code} {theme.title}", f"theme:{theme.index}")
            for row in range(combo.count()):
                combo.setItemData(row, combo.itemText(row).strip(), Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(combo.findData(previous), 0))

    def follow_evolution(self, evolution: Evolution | None) -> None:
        """« A changé » follows the evolution shown (off when there is none)."""
        self._evolution = evolution
        self.changed_box.setEnabled(evolution is not None)
        if self.changed_box.isChecked():
            if evolution is None:
                self.changed_box.setChecked(False)  # ``changed`` follows through the signal
            else:
                self.changed.emit()

    def clear(self) -> None:
        widgets = (self.search_edit, self.objective_combo, *self._boxes())
        blockers = [QSignalBlocker(widget) for widget in widgets]
        self.search_edit.clear()
        self.objective_combo.setCurrentIndex(0)
        for box in self._boxes():
            box.setChecked(False)
        del blockers
        self.bar.say_cleared()
        self.changed.emit()

    def set_count(self, shown: int | None, total: int, *, active: bool) -> None:
        self.bar.set_count(shown, total, active=active)
