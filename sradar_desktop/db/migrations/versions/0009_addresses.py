"""Adresses de courriel : celles des services attendus, l'adresse de retour de la campagne.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Every existing row keeps its values; the new columns are empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column("return_address", sa.String(254), server_default="", nullable=False)
        )
    with op.batch_alter_table("expected_respondent") as batch:
        batch.add_column(sa.Column("email", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("expected_respondent") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("return_address")
