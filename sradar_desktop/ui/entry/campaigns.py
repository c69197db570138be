"""Who answers and what is answered, in the entry window: the agent's service and
questionnaire, the campaign shown, a new campaign."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from sradar_desktop import APP_NAME
from sradar_desktop.domain.campaigns import CampaignSummary
from sradar_desktop.errors import UserError
from sradar_desktop.services.entry_data import EntryData, Identity
from sradar_desktop.ui.entry.editing import Editing
from sradar_desktop.ui.parts.settings import Settings
from sradar_desktop.ui.parts.single_instance import InstanceGuard

if TYPE_CHECKING:
    from sradar_desktop.services.database import Database


class CampaignsWindow(Protocol):
    """What this room uses of the entry window (``ui.entry.window.MainWindow``)."""

    db: Database
    settings: Settings
    identity: Identity | None
    questionnaire_id: str
    data: EntryData | None
    loading: bool
    guard: InstanceGuard | None
    editing: Editing

    def campaign(self) -> CampaignSummary | None: ...

    def load(self, questionnaire_id: str, campaign_id: str | None = None) -> None: ...

    def explain_read_only(self) -> None: ...


class Campaigns(QObject):
    """« Mon service et mon questionnaire », « Changer de campagne », « Nouvelle campagne »."""

    def __init__(self, window: CampaignsWindow) -> None:
        super().__init__(cast(QWidget, window))
        self.window = window
        self.parent_widget = cast(QWidget, window)  # the parent of the dialogs

    def edit_identity(self) -> None:
        window = self.window
        if window.db.read_only:
            window.explain_read_only()
            return
        from sradar_desktop.services.questionnaires import list_questionnaires
        from sradar_desktop.ui.dialogs.start import IdentityDialog

        try:
            questionnaires = list_questionnaires(window.db)
        except UserError as error:
            QMessageBox.warning(self.parent_widget, APP_NAME, str(error))
            return
        dialog = IdentityDialog(
            questionnaires,
            window.identity,
            window.questionnaire_id,
            first_start=False,
            parent=self.parent_widget,
        )
        if dialog.exec() != IdentityDialog.DialogCode.Accepted or dialog.identity is None:
            return
        self.apply_identity(dialog.identity, dialog.questionnaire_id)

    def apply_identity(self, identity: Identity, questionnaire_id: str) -> None:
        """Answer as ``identity`` on ``questionnaire_id`` from now on (saved in the settings)."""
        window = self.window
        if not window.editing.ready_to_leave():
            return
        window.settings.set_identity(identity)
        window.settings.questionnaire_id = questionnaire_id
        if window.guard is not None and hasattr(window.guard, "set_agent"):
            window.guard.set_agent(identity.agent_name)
        window.identity = identity
        window.load(questionnaire_id)

    def change_campaign(self) -> None:
        """« Changer de campagne… »: the campaigns of this questionnaire, to open another."""
        window = self.window
        if window.data is None or window.loading:
            return
        from sradar_desktop.services.campaigns import list_campaigns
        from sradar_desktop.ui.dialogs.campaigns import CampaignDialog

        try:
            campaigns = list_campaigns(window.db, window.questionnaire_id)
        except UserError as error:
            QMessageBox.warning(self.parent_widget, APP_NAME, str(error))
            return
        dialog = CampaignDialog(
            campaigns, window.data.campaign_id, window.data.plan.display_title, self.parent_widget
        )
        if dialog.exec() != CampaignDialog.DialogCode.Accepted or not dialog.campaign_id:
            return
        self.open_campaign(dialog.campaign_id)

    def new_campaign(self) -> None:
        """« Nouvelle campagne… »: the next evaluation from the one shown, then open it."""
        window = self.window
        if window.db.read_only:
            window.explain_read_only()
            return
        current = window.campaign()
        if current is None or window.loading or not window.editing.ready_to_leave():
            return
        actor = window.identity.agent_name if window.identity is not None else ""
        from sradar_desktop.ui.dialogs.campaigns import NewCampaignDialog

        dialog = NewCampaignDialog(window.db, current, actor, self.parent_widget)
        if dialog.exec() != NewCampaignDialog.DialogCode.Accepted or dialog.created is None:
            return
        self.open_campaign(dialog.created.id)

    def open_campaign(self, campaign_id: str) -> None:
        """Show ``campaign_id`` of this questionnaire (remembered for the next start)."""
        window = self.window
        if window.data is not None and campaign_id == window.data.campaign_id:
            return
        if not window.editing.ready_to_leave():
            return
        window.settings.set_campaign_id(window.questionnaire_id, campaign_id)
        window.load(window.questionnaire_id, campaign_id)
