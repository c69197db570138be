"""Révisions des plans : version remplacée, correspondance entre les actions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(80), nullable=False),
        sa.Column("archive_id", sa.String(80), nullable=False),
        sa.Column("from_digest", sa.String(64), nullable=False),
        sa.Column("to_digest", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("campaigns", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name="fk_plan_revision_questionnaire_id_questionnaire",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["archive_id"],
            ["questionnaire.id"],
            name="fk_plan_revision_archive_id_questionnaire",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_plan_revision"),
    )
    op.create_index("ix_plan_revision_questionnaire_id", "plan_revision", ["questionnaire_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_revision_questionnaire_id", table_name="plan_revision")
    op.drop_table("plan_revision")
