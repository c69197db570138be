"""The audit trail is written in one statement per transaction.

Every changed field of an answer or an indicator value gets a line of ``audit_event``. The lines
of a transaction are gathered and inserted together just before it commits (an import of a
thousand answers writes them in one go, not one object at a time); ``flush_audit`` writes them
earlier when a transaction needs them in the table (before deleting what they refer to).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from sradar_desktop.db.models import AuditEvent

_PENDING = "sradar_pending_audit"


def record(session: Session, **line: Any) -> None:
    """Add a line to the transaction's audit trail (written by ``flush_audit``)."""
    session.info.setdefault(_PENDING, []).append(line)


def flush_audit(session: Session) -> None:
    """Write the audit lines gathered so far (``Database.write`` does it before committing)."""
    lines = session.info.pop(_PENDING, None)
    if lines:
        session.flush()  # the rows the lines refer to come first
        # NULLs rendered: every line has the same columns, so all go in one batch (without
        # it, lines with and without an old value alternate and batches fall to a few rows).
        session.execute(insert(AuditEvent).execution_options(render_nulls=True), lines)


def discard_audit(session: Session) -> None:
    session.info.pop(_PENDING, None)
