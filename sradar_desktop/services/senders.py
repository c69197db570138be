"""The checks of a workbook taken from a saved message, in the database it is imported into:
it must answer the campaign the replies are collected for (the one chosen, or the current
campaign of its questionnaire), and its sender is matched against the addresses of the
campaign's services (``files.collecting.check_sender``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sradar_desktop.db.models import Campaign, ExpectedRespondent, Respondent
from sradar_desktop.mail.message import refused
from sradar_desktop.services.campaigns import current_campaign_id
from sradar_desktop.services.files.collecting import Expanded, MessageSource, check_sender
from sradar_desktop.workbook.format import Incoming

Outcome = TypeVar("Outcome")


def campaign_addresses(session: Session, campaign_id: str) -> dict[str, tuple[str, ...]]:
    """The addresses of a campaign's services, by code (those with none left out)."""
    return {
        code: tuple(email.split(", "))
        for code, email in session.execute(
            select(Respondent.code, ExpectedRespondent.email)
            .join(ExpectedRespondent, ExpectedRespondent.respondent_id == Respondent.id)
            .where(ExpectedRespondent.campaign_id == campaign_id)
        )
        if email
    }


class _Checks:
    """The acceptance of a workbook taken from a message (``imports.Acceptance``), which also
    notes what does not match in its sender."""

    def __init__(self, source: MessageSource, campaign_id: str | None) -> None:
        self.source = source
        self.campaign_id = campaign_id
        self.warning = ""

    def __call__(self, session: Session, incoming: Incoming) -> None:
        # A plan table names no campaign: it was placed in the current one.
        self._campaign(session, incoming)
        codes = sorted(
            {r.code for r in incoming.respondents} | {a.respondent for a in incoming.answers}
        )
        self.warning = check_sender(
            self.source.info.sender, codes, campaign_addresses(session, incoming.campaign_id)
        )

    def _campaign(self, session: Session, incoming: Incoming) -> None:
        expected = self.campaign_id or current_campaign_id(session, incoming.plan.id)
        if expected is None or incoming.campaign_id == expected:
            return
        known = session.get(Campaign, incoming.campaign_id)
        if known is None and self.campaign_id is None:
            return  # a campaign new to this database: created as from a file
        wanted = session.get(Campaign, expected)
        title = (known.title if known else incoming.campaign_title) or incoming.campaign_id
        raise refused(
            self.source.message,
            f"son classeur « {self.source.attachment} » répond à la campagne « {title} », "
            f"pas à « {wanted.title if wanted else expected} »",
            "Si c'est voulu, enregistrez la pièce jointe et importez-la comme un fichier.",
        )

    def finish(self, outcome: Outcome) -> Outcome:
        """An ``ImportOutcome`` with the message it came from and what is wrong with its
        sender."""
        return replace(  # type: ignore[type-var]
            outcome, source=self.source.describe(), sender_warning=self.warning
        )


def checks(item: Expanded, campaign_id: str | None = None) -> _Checks | None:
    """The checks of a file taken from a message (``None`` for a file given as such)."""
    return _Checks(item.source, campaign_id) if item.source is not None else None
