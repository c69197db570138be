"""Files refused at import, kept against the service they seem to come from: the secretariat
sees in « Qui a répondu » that a service did send a file, why it was refused and when, instead
of a plain « manquant »."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import or_, select

from sradar_desktop.db.models import ImportRefusal
from sradar_desktop.domain.respondents import respondent_code
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


def record_refusal(db: Database, path: Path, reason: str, *, actor: str = "") -> None:
    """Keep the trace of a refused file. Never raises: the refusal itself is what the user
    must see, and a database that cannot be written already says so elsewhere."""
    code = respondent_of_file(path.name)
    if not code or db.read_only:
        return
    try:
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
