"""The top of the entry window: the plan and campaign, who answers, the completion, and
whether everything is saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import plural
from sradar_desktop.services.entry_data import Identity
from sradar_desktop.services.views.entry import EntrySheet, Progress
from sradar_desktop.ui.entry.models import progress_tooltip
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import ElidedLabel, set_tone


class EntryHeader(QWidget):
    """Plan and campaign (cut in the middle on a narrow screen), the service and the agent,
    the completion bar with its words, and the save state (« ✓ Tout est enregistré »)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Cut in the middle on a narrow screen: the campaign's title, at the end, stays.
        self.plan_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        font = QFont(self.plan_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.plan_label.setFont(font)
        self.identity_label = ElidedLabel(muted=True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMinimumWidth(60)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setFixedHeight(14)
        self.progress_bar.setAccessibleName(self.tr("Avancement"))
        self.progress_label = QLabel()
        bold = QFont(self.progress_label.font())
        bold.setBold(True)
        self.progress_label.setFont(bold)
        self.save_label = QLabel()
        self.save_label.setObjectName("etat-enregistrement")
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.plan_label)
        left.addWidget(self.identity_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 1)
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.progress_label)
        layout.addSpacing(12)
        layout.addWidget(self.save_label)

    def show_plan(self, short: str, full: str) -> None:
        """« SRADAR 2021-2023 — Évaluation 2024 » (the whole title in the tooltip)."""
        self.plan_label.setText(short)
        self.plan_label.set_tip(full)

    def show_identity(self, identity: Identity | None, sheet: EntrySheet) -> None:
        if identity is None:
            self.identity_label.setText(self.tr("Consultation : aucun service choisi"))
            return
        text = f"{identity.service_label} ({identity.service_code}) — {identity.agent_name}"
        if sheet.has_mine:
            text += " · " + arg(self.tr("actions pilotées par %1"), identity.service_kind)
        self.identity_label.setText(text)

    def show_progress(self, progress: Progress, scale: Scale) -> None:
        self.progress_bar.setRange(0, max(progress.total, 1))
        self.progress_bar.setValue(progress.answered)
        words = arg(
            self.tr("%1 / %2 %3"),
            progress.answered,
            progress.total,
            plural(progress.total, self.tr("action renseignée"), self.tr("actions renseignées")),
        )
        self.progress_label.setText(words)
        # In words for a screen reader too, not only a percentage.
        self.progress_bar.setAccessibleDescription(words)
        tooltip = progress_tooltip(progress, scale, self.tr)
        self.progress_label.setToolTip(tooltip)
        self.progress_bar.setToolTip(tooltip)

    def progress_words(self) -> str:
        """« 15 / 47 actions renseignées »."""
        return self.progress_label.text()

    def show_save_state(self, text: str, tone: str, tip: str) -> None:
        """What is saved, said once for the whole window, in words (and a tone)."""
        self.save_label.setText(text)
        set_tone(self.save_label, tone, bold=tone == "error")
        self.save_label.setToolTip(tip)
        self.save_label.setAccessibleName(text)
        self.save_label.setAccessibleDescription(tip)
