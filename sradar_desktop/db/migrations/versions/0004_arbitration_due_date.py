"""Arbitrages du secrétariat et date limite de réponse d'une campagne.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "arbitration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name="fk_arbitration_action_id_action",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name="fk_arbitration_campaign_id_campaign",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_arbitration"),
        sa.UniqueConstraint(
            "campaign_id", "action_id", name="uq_arbitration_campaign_id_action_id"
        ),
    )
    op.create_index("ix_arbitration_campaign_id", "arbitration", ["campaign_id"])
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("due_date")
    op.drop_index("ix_arbitration_campaign_id", table_name="arbitration")
    op.drop_table("arbitration")
