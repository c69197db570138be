"""The filter bar of the entry window: search, « Non renseignées seulement », by answer, by
pilot, and the count of actions shown. The window reacts to ``changed``."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from sradar_desktop.services.entry_data import Identity
from sradar_desktop.services.views.entry import MINE, EntryFilter, EntrySheet
from sradar_desktop.ui.parts.delegates import color_icon
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import FilterBar
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.widgets import ElidedComboBox, PlainKeysGuard


class EntryFilters(QObject):
    """The filter widgets (``bar``), what they ask for (``criteria``), and their state."""

    changed = Signal()  # what the bar asks for changed
    cleared = Signal()  # every filter set off by the user (the plan's tree goes too)

    def __init__(self, settings: Settings, parent: QWidget) -> None:
        super().__init__(parent)
        self.settings = settings
        guard = PlainKeysGuard(parent)
        self.bar = FilterBar(
            self.tr(
                "Les actions dont le code, le texte ou le commentaire contiennent tous les mots "
                "tapés (sans tenir compte des accents ni des majuscules). Échap efface."
            )
        )
        self.search_edit = self.bar.search_edit
        self.count_label = self.bar.count_label
        self.clear_button = self.bar.clear_button
        self.search_edit.textChanged.connect(self.changed)
        self.unanswered_box = QCheckBox(self.tr("&Non renseignées seulement"))
        self.unanswered_box.setObjectName("non-renseignees")
        self.unanswered_box.setToolTip(self.tr("N'afficher que les actions sans réponse (Ctrl+U)"))
        self.unanswered_box.setAccessibleName(self.tr("Non renseignées seulement"))
        self.unanswered_box.toggled.connect(self._unanswered_toggled)
        self.status_combo = ElidedComboBox()
        self.status_combo.setObjectName("filtre-reponse")
        self.status_combo.setAccessibleName(self.tr("Filtrer par réponse"))
        self.status_combo.installEventFilter(guard)
        self.status_combo.setSizeAdjustPolicy(
            ElidedComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.status_combo.setMinimumContentsLength(8)
        self.status_combo.currentIndexChanged.connect(self.changed)
        status_label = QLabel(self.tr("Rép&onse :"))
        status_label.setBuddy(self.status_combo)
        self.pilot_combo = ElidedComboBox()
        self.pilot_combo.setObjectName("filtre-pilote")
        self.pilot_combo.setAccessibleName(self.tr("Filtrer par pilote"))
        self.pilot_combo.installEventFilter(guard)
        # Pilot names can be long: the box keeps a modest width, its list shows them whole.
        self.pilot_combo.setSizeAdjustPolicy(
            ElidedComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.pilot_combo.setMinimumContentsLength(12)
        self.pilot_combo.currentIndexChanged.connect(self.changed)
        pilot_label = QLabel(self.tr("&Pilote :"))
        pilot_label.setBuddy(self.pilot_combo)
        self.bar.add(self.unanswered_box)
        self.bar.add(status_label, self.status_combo)
        self.bar.add(pilot_label)
        self.bar.add(self.pilot_combo, stretch=1, space=False)
        self.clear_button.clicked.connect(self.clear)
        self.bar.follow(self.unanswered_box, self.status_combo, self.pilot_combo)

    def widgets(self) -> list[QWidget]:
        """In the order Tab goes through them."""
        return [
            self.search_edit,
            self.unanswered_box,
            self.status_combo,
            self.pilot_combo,
            self.clear_button,
        ]

    def criteria(self, tree_filter: tuple[str, int] | None) -> EntryFilter:
        """What the bar asks for, in the objective or theme ``tree_filter`` of the plan."""
        objective = theme = None
        if tree_filter:
            kind, index = tree_filter
            if kind == "objective":
                objective = index
            elif kind == "theme":
                theme = index
        unanswered = self.unanswered_box.isChecked()
        return EntryFilter(
            text=self.search_edit.text(),
            unanswered_only=unanswered,
            status=None if unanswered else self.status_combo.currentData(),
            objective=objective,
            theme=theme,
            pilot=self.pilot_combo.currentData(),
        )

    def fill(self, sheet: EntrySheet, identity: Identity | None) -> None:
        """The answers and pilots of ``sheet``; « Mon service » chosen when it pilots some."""
        with QSignalBlocker(self.status_combo), QSignalBlocker(self.pilot_combo):
            self.status_combo.clear()
            self.pilot_combo.clear()
            self.status_combo.addItem(self.tr("Toutes"), None)
            for level in sheet.plan.scale.levels:
                self.status_combo.addItem(color_icon(level.color), level.label, level.code)
            self.pilot_combo.addItem(self.tr("Tous les pilotes"), None)
            if sheet.has_mine and identity is not None:
                self.pilot_combo.addItem(
                    arg(self.tr("Mon service (%1)"), identity.service_kind), MINE
                )
            for pilot in sheet.pilots:
                self.pilot_combo.addItem(pilot, pilot)
            self.pilot_combo.setCurrentIndex(max(self.pilot_combo.findData(MINE), 0))
            with QSignalBlocker(self.unanswered_box):
                self.unanswered_box.setChecked(self.settings.unanswered_only)
            self.status_combo.setEnabled(not self.unanswered_box.isChecked())

    def show_every_pilot(self) -> None:
        with QSignalBlocker(self.pilot_combo):
            self.pilot_combo.setCurrentIndex(0)

    def choices(self) -> tuple[object, object]:
        """The answer and the pilot chosen, to put back after a reload (``choose``)."""
        return self.status_combo.currentData(), self.pilot_combo.currentData()

    def choose(self, choices: tuple[object, object]) -> None:
        for combo, value in zip((self.status_combo, self.pilot_combo), choices, strict=True):
            row = 0 if value is None else combo.findData(value)
            if row >= 0:
                with QSignalBlocker(combo):
                    combo.setCurrentIndex(row)

    def clear(self) -> None:
        """Every filter off (the plan's tree goes back to the whole plan: the window's)."""
        widgets = (self.search_edit, self.unanswered_box, self.status_combo, self.pilot_combo)
        blockers = [QSignalBlocker(widget) for widget in widgets]
        self.search_edit.clear()
        self.unanswered_box.setChecked(False)
        self.settings.unanswered_only = False
        self.status_combo.setEnabled(True)
        self.status_combo.setCurrentIndex(0)
        self.pilot_combo.setCurrentIndex(0)
        del blockers
        self.bar.say_cleared()
        self.cleared.emit()

    def set_count(self, shown: int | None, total: int, *, active: bool) -> None:
        self.bar.set_count(shown, total, active=active)

    def _unanswered_toggled(self, checked: bool) -> None:
        self.status_combo.setEnabled(not checked)
        self.settings.unanswered_only = checked
        self.changed.emit()
