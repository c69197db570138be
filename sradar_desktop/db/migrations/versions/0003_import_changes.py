"""Ce que chaque import a changé, pour pouvoir l'annuler exactement.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=False),
        sa.CheckConstraint("target IN ('answer', 'indicator')", name="ck_import_change_target"),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["import_record.id"],
            name="fk_import_change_import_id_import_record",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_change"),
    )
    op.create_index("ix_import_change_import_id", "import_change", ["import_id"])
    # The record of an import outlives what it created: plain references, not foreign keys.
    with op.batch_alter_table("import_record") as batch:
        batch.drop_constraint("fk_import_record_campaign_id_campaign", type_="foreignkey")
        batch.drop_constraint("fk_import_record_questionnaire_id_questionnaire", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("import_record") as batch:
        batch.create_foreign_key(
            "fk_import_record_questionnaire_id_questionnaire",
            "questionnaire",
            ["questionnaire_id"],
            ["id"],
        )
        batch.create_foreign_key(
            "fk_import_record_campaign_id_campaign", "campaign", ["campaign_id"], ["id"]
        )
    op.drop_index("ix_import_change_import_id", table_name="import_change")
    op.drop_table("import_change")
