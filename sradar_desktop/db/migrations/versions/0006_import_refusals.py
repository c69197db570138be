"""Fichiers refusés à l'import, rattachés au service dont ils semblent venir.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("respondent_code", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_refusal"),
    )
    op.create_index("ix_import_refusal_respondent_code", "import_refusal", ["respondent_code"])


def downgrade() -> None:
    op.drop_index("ix_import_refusal_respondent_code", table_name="import_refusal")
    op.drop_table("import_refusal")
