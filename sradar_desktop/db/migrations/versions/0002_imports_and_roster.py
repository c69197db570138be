"""Registre des imports, liste des répondants attendus, versions des réponses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("questionnaire_id", sa.String(80), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=True),
        sa.Column("respondents", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name="fk_import_record_campaign_id_campaign"
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name="fk_import_record_questionnaire_id_questionnaire",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_record"),
    )
    op.create_index("ix_import_record_file_digest", "import_record", ["file_digest"])
    op.create_index("ix_import_record_questionnaire_id", "import_record", ["questionnaire_id"])

    op.create_table(
        "expected_respondent",
        sa.Column("campaign_id", sa.String(120), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name="fk_expected_respondent_campaign_id_campaign",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name="fk_expected_respondent_respondent_id_respondent",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "respondent_id", name="pk_expected_respondent"),
    )

    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_audit_event_import_id_import_record", "import_record", ["import_id"], ["id"]
        )
        batch.create_index("ix_audit_event_import_id", ["import_id"])

    for table in ("answer", "indicator_value"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("version_id", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade() -> None:
    for table in ("indicator_value", "answer"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version_id")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index("ix_audit_event_import_id")
        batch.drop_constraint("fk_audit_event_import_id_import_record", type_="foreignkey")
        batch.drop_column("import_id")
    op.drop_table("expected_respondent")
    op.drop_table("import_record")
