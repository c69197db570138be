"""Index des lignes d'historique par répondant.

Deleting a respondent (undoing the import that brought it) makes the database look for the audit
lines that refer to it: without this index, one whole scan of the audit trail per respondent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_event_respondent_id", "audit_event", ["respondent_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_respondent_id", table_name="audit_event")
