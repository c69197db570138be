"""Files refused at import, kept against the service they seem to come from: the secretariat
sees in « Qui a répondu » that a service did send a file, why it was refused and when, instead
of a plain « manquant ». A file names its service (``SRADAR-2021-2023_DDETS-44.xlsx``); a saved
message names it by its sender, when that is the address of one service of a campaign."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from sqlalchemy import or_, select

from sradar_desktop.db.models import ExpectedRespondent, ImportRefusal, Respondent
from sradar_desktop.domain.respondents import respondent_code
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.mail.addresses import same_address
from sradar_desktop.services.answers import MAX_ACTOR
from sradar_desktop.services.database import Database
from sradar_desktop.services.views.consolidation import RefusedFile

log = logging.getLogger(__name__)


def respondent_of_file(name: str) -> str:
    """The service a file name names, as « Préparer l'envoi » writes them
    (``SRADAR-2021-2023_DDETS-44_2026-11-23.xlsx`` → ``DDETS-44``); ``""`` when it names none."""
    parts = Path(name).stem.split("_")
    if len(parts) < 2:
        return ""
    try:
        return respondent_code(parts[1])
    except ValueError:
        return ""


def respondent_of_sender(db: Database, sender: str) -> str:
    """The service whose address ``sender`` is, in the roster of any campaign; ``""`` when it
    is no service's, or the address of several."""
    if not sender:
        return ""
    with db.read() as session:
        rows = session.execute(
            select(Respondent.code, ExpectedRespondent.email)
            .join(ExpectedRespondent, ExpectedRespondent.respondent_id == Respondent.id)
            .where(ExpectedRespondent.email != "")
        ).all()
    codes = {
        code
        for code, email in rows
        if any(same_address(sender, address) for address in email.split(", "))
    }
    return codes.pop() if len(codes) == 1 else ""


def record_refusal(
    db: Database, path: Path, reason: str, *, actor: str = "", sender: str = ""
) -> None:
    """Keep the trace of a refused file (or message, sent by ``sender``). Never raises: the
    refusal itself is what the user must see, and a database that cannot be written already
    says so elsewhere."""
    if db.read_only:
        return
    try:
        code = respondent_of_file(path.name) or respondent_of_sender(db, sender)
        if not code:
            return
        with db.write() as session:
            session.add(
                ImportRefusal(
                    actor=actor[:MAX_ACTOR],
                    file_name=path.name,
                    respondent_code=code,
                    campaign_id=None,
                    reason=reason,
                )
            )
    except Exception:
        log.exception("Trace du refus de %s non enregistrée", path.name)


class Refused(Protocol):
    """A file's result at import (``imports.FileResult``), as far as a refusal needs it."""

    @property
    def display_name(self) -> str: ...

    @property
    def error(self) -> UserError | None: ...

    @property
    def sender(self) -> str: ...


def record_refusals(db: Database, results: Iterable[Refused], *, actor: str = "") -> None:
    """Keep the trace of every file refused among ``results`` (not those the server or a bug
    stopped: they were not refused)."""
    for result in results:
        if isinstance(result.error, FileRefusedError):
            record_refusal(
                db,
                Path(result.display_name),
                str(result.error),
                actor=actor,
                sender=result.sender,
            )


def refused_files(db: Database, campaign_id: str) -> dict[str, RefusedFile]:
    """The latest refused file of each service, for ``campaign_id`` (or for no campaign in
    particular: a file refused before it could say which)."""
    latest: dict[str, RefusedFile] = {}
    with db.read() as session:
        for row in session.scalars(
            select(ImportRefusal)
            .where(
                or_(ImportRefusal.campaign_id == campaign_id, ImportRefusal.campaign_id.is_(None))
            )
            .order_by(ImportRefusal.at, ImportRefusal.id)
        ):
            latest[row.respondent_code] = RefusedFile(
                row.respondent_code, row.file_name, row.reason, row.at
            )
    return latest
