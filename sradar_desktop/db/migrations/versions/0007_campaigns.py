"""Campagnes successives : période, campagne d'origine, réponses reprises à confirmer.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

The single evaluation of each questionnaire stays its first campaign: nothing is moved.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("period", sa.String(50), server_default="", nullable=False))
        batch.add_column(sa.Column("previous_id", sa.String(120), nullable=True))
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("carried_from", sa.String(120), nullable=True))
        batch.add_column(
            sa.Column("to_confirm", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("to_confirm")
        batch.drop_column("carried_from")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("previous_id")
        batch.drop_column("period")
