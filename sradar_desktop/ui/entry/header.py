"""The top of the entry window: the plan and campaign, who answers, the completion, and
whether everything is saved."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from sradar_desktop.domain.scale import Scale
from sradar_desktop.domain.text import plural
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.views.entry import EntrySheet, Progress
from sradar_desktop.ui.entry.models import progress_tooltip
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.layout import MutedLabel, expanding_label, set_tone


class EntryHeader(QWidget):
    """Plan and campaign (cut in the middle on a narrow screen), the service and the agent,
    the completion bar with its words, and the save state (« ✓ Tout est enregistré »)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan_label = QLabel()
        font = QFont(self.plan_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.plan_label.setFont(font)
        expanding_label(self.plan_label)
        self.plan_label.installEventFilter(self)
        self.identity_label = expanding_label(MutedLabel())
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
        self.plan_label.setAccessibleName(short)
        self.plan_label.setToolTip(full)
        self._elide_plan_label()

    def show_identity(self, identity: Identity | None, sheet: EntrySheet) -> None:
        if identity is None:
            self.identity_label.setText(self.tr("Consultation : aucun service choisi"))
            return
        text = f"{identity.service_label} ({identity.service_code}) — {identity.agent_name}"
        if sheet.has_mine:
            text += " · " + arg(self.tr("actions pilotées par %1"), identity.service_kind)
        self.identity_label.setText(text)
        self.identity_label.setToolTip(text)

    def show_progress(self, progress: Progress, scale: Scale) -> None:
        self.progress_bar.setRange(0, max(progress.total, 1))
        self.progress_bar.setValue(progress.answered)
        self.progress_label.setText(
            arg(
                self.tr("%1 / %2 %3"),
                progress.answered,
                progress.total,
                plural(
                    progress.total, self.tr("action renseignée"), self.tr("actions renseignées")
                ),
            )
        )
        tooltip = progress_tooltip(progress, scale, self.tr)
        self.progress_label.setToolTip(tooltip)
        self.progress_bar.setToolTip(tooltip)

    def show_save_state(self, text: str, tone: str, tip: str) -> None:
        """What is saved, said once for the whole window, in words (and a tone)."""
        self.save_label.setText(text)
        set_tone(self.save_label, tone, bold=tone == "error")
        self.save_label.setToolTip(tip)
        self.save_label.setAccessibleName(text)
        self.save_label.setAccessibleDescription(tip)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.plan_label and event.type() == QEvent.Type.Resize:
            self._elide_plan_label()
        return super().eventFilter(watched, event)

    def _elide_plan_label(self) -> None:
        """Plan and campaign cut in the middle on a narrow screen: the campaign's title, at
        the end, stays in view (the whole of it in the tooltip and the spoken name)."""
        text = self.plan_label.accessibleName()
        width = self.plan_label.width()
        metrics = self.plan_label.fontMetrics()
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width) if width else text
        if self.plan_label.text() != shown:
            self.plan_label.setText(shown)
