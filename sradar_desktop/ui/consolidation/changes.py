"""What the secretariat changes from the consolidation window: an arbitration (or its
withdrawal), the due date, the respondents expected, a revised plan. Each is written on the
window's worker thread and followed by a fresh reading of the consolidation."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Protocol, cast

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QStatusBar, QWidget

from sradar_desktop.domain.dates import short_date
from sradar_desktop.failures import Failure
from sradar_desktop.services.consolidation import (
    ConsolidationReading,
    RosterMember,
    set_arbitration,
    set_due_date,
    set_roster,
)
from sradar_desktop.services.database import Database
from sradar_desktop.services.views.consolidation import ConsolidationSheet
from sradar_desktop.ui.consolidation.detail import ConsolidationDetail
from sradar_desktop.ui.consolidation.roster import ExpectedRespondentsDialog, RosterPane
from sradar_desktop.ui.dialogs.revision import RevisionDialog
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.tasks import RunsOperations
from sradar_desktop.ui.parts.widgets import Banner


class ChangesWindow(RunsOperations, Protocol):
    """What this room uses of the consolidation window (``ui.consolidation.window``)."""

    db: Database
    settings: Settings
    actor: str
    questionnaire_id: str
    campaign_id: str | None
    sheet: ConsolidationSheet | None
    loaded_at: float
    banner: Banner
    roster: RosterPane
    written: SignalInstance
    failed: SignalInstance

    @property
    def detail(self) -> ConsolidationDetail: ...

    def statusBar(self) -> QStatusBar: ...

    def load(self, *, said: str = "") -> None: ...

    def reader(self) -> Callable[[], ConsolidationReading]: ...

    def apply_sheet(self, sheet: ConsolidationSheet) -> None: ...

    def apply_evolution(self, loaded: ConsolidationReading) -> None: ...


class Changes(QObject):
    """The writes of the consolidation window (see the module's docstring)."""

    def __init__(self, window: ChangesWindow) -> None:
        parent = cast(QWidget, window)  # the window, as the parent of the dialogs
        super().__init__(parent)
        self.parent_widget = parent
        self.window = window
        self.revision_dialog: RevisionDialog | None = None

    def _refused_read_only(self) -> bool:
        window = self.window
        if not window.db.read_only:
            return False
        message = self.tr(
            "Lecture seule : cette base est ouverte dans une autre fenêtre de SRADAR Desktop, "
            "qui seule peut y enregistrer. Faites-le depuis cette fenêtre."
        )
        window.statusBar().showMessage(message, 10_000)
        window.failed.emit(message)
        return True

    def _write(
        self,
        kind: str,
        write: Callable[[], None],
        text: str,
        *,
        on_done: Callable[[ConsolidationSheet], None],
        on_error: Callable[[str], None],
    ) -> None:
        """``write`` then read the consolidation again, in one task on the worker thread;
        ``written(kind)`` once shown."""
        window = self.window
        read = window.reader()

        def work(_progress: object) -> ConsolidationReading:
            write()
            return read()

        def done(loaded: ConsolidationReading) -> None:
            window.loaded_at = time.monotonic()
            on_done(loaded.sheet)
            window.apply_evolution(loaded)
            window.written.emit(kind)

        def failed(failure: Failure) -> None:
            on_error(failure.message)
            window.failed.emit(failure.message)

        window.run(
            work,
            text,
            on_done=done,
            on_failure=failed,
            failed=self.tr("L'enregistrement a échoué"),
            what_to_do=self.tr("Rien n'a été modifié ; réessayez."),
        )

    # -- arbitration -------------------------------------------------------------------------

    def arbitrate(self, code: str, status: str, reason: str) -> None:
        """Retain ``status`` for the action ``code`` with ``reason`` (the service checks it)."""
        window = self.window
        if self._refused_read_only() or window.campaign_id is None:
            return
        db, campaign, actor = window.db, window.campaign_id, window.actor
        label = window.sheet.label(status) if window.sheet is not None else status
        window.detail.set_busy(True)
        self._write(
            "arbitrage",
            lambda: set_arbitration(db, campaign, code, status, reason=reason, actor=actor),
            self.tr("Enregistrement de l'arbitrage…"),
            on_done=lambda sheet: self._arbitrated(
                sheet,
                code,
                arg(self.tr("Arbitrage enregistré pour l'action %1 : « %2 »."), code, label),
            ),
            on_error=self._arbitration_failed,
        )

    def withdraw_arbitration(self, code: str) -> None:
        window = self.window
        if self._refused_read_only() or window.campaign_id is None:
            return
        db, campaign = window.db, window.campaign_id
        window.detail.set_busy(True)
        self._write(
            "arbitrage",
            lambda: set_arbitration(db, campaign, code, None),
            self.tr("Retrait de l'arbitrage…"),
            on_done=lambda sheet: self._arbitrated(
                sheet,
                code,
                arg(
                    self.tr("Arbitrage retiré : l'action %1 reprend la synthèse des réponses."),
                    code,
                ),
            ),
            on_error=self._arbitration_failed,
        )

    def _arbitrated(self, sheet: ConsolidationSheet, code: str, said: str) -> None:
        window = self.window
        window.detail.set_busy(False)
        window.detail.arbitration_done(code)
        window.apply_sheet(sheet)
        window.statusBar().showMessage(said, 10_000)

    def _arbitration_failed(self, message: str) -> None:
        self.window.detail.set_busy(False)
        self.window.detail.show_error(message)

    # -- who answers, and when ---------------------------------------------------------------

    def set_due_date(self, due: date | None) -> None:
        window = self.window
        if self._refused_read_only() or window.campaign_id is None:
            return
        db, campaign = window.db, window.campaign_id

        def done(sheet: ConsolidationSheet) -> None:
            window.apply_sheet(sheet)
            text = (
                arg(self.tr("Date limite enregistrée : %1."), short_date(due))
                if due
                else self.tr("Date limite retirée.")
            )
            window.roster.due_saved(text)
            window.statusBar().showMessage(text, 8000)

        def failed(message: str) -> None:
            window.roster.due_saved("")
            window.banner.show_message("error", message)
            window.load()  # shows the date still stored

        self._write(
            "date",
            lambda: set_due_date(db, campaign, due),
            self.tr("Enregistrement de la date limite…"),
            on_done=done,
            on_error=failed,
        )

    def edit_expected(self) -> None:
        """Edit the list of respondents the campaign expects, then write it."""
        window = self.window
        sheet = window.sheet
        if sheet is None or self._refused_read_only():
            return
        roster = sheet.consolidation.roster
        dialog = ExpectedRespondentsDialog(
            sheet.plan,
            [RosterMember(r.code, r.label) for r in roster if r.expected],
            [r for r in roster if not r.expected],
            self.parent_widget,
        )
        if dialog.exec() != ExpectedRespondentsDialog.DialogCode.Accepted:
            return
        self.set_expected(dialog.members or [])

    def set_expected(self, members: list[RosterMember]) -> None:
        window = self.window
        if self._refused_read_only() or window.campaign_id is None:
            return
        db, campaign = window.db, window.campaign_id

        def done(sheet: ConsolidationSheet) -> None:
            window.apply_sheet(sheet)
            window.statusBar().showMessage(
                arg(self.tr("Liste des répondants attendus enregistrée (%1)."), len(members)),
                8000,
            )

        self._write(
            "attendus",
            lambda: set_roster(db, campaign, members),
            self.tr("Enregistrement des répondants attendus…"),
            on_done=done,
            on_error=lambda message: window.banner.show_message("error", message),
        )

    # -- the plan ----------------------------------------------------------------------------

    def revise_plan(self) -> None:
        """« Réviser le plan… »: the preview of a revised plan, applied when the user confirms;
        the window reads the consolidation again afterwards."""
        window = self.window
        if self._refused_read_only():
            return
        if self.revision_dialog is not None:
            self.revision_dialog.close()
            self.revision_dialog.deleteLater()
        dialog = RevisionDialog(
            window.db,
            window.questionnaire_id,
            settings=window.settings,
            actor=window.actor,
            parent=self.parent_widget,
        )
        dialog.applied.connect(self._revision_applied)
        self.revision_dialog = dialog
        dialog.open()

    def _revision_applied(self, summary: str) -> None:
        self.window.load(said=summary)  # shown once the revised plan is read
