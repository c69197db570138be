"""Schéma initial : questionnaires, campagnes, répondants, réponses, journal des modifications.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaire",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("short_title", sa.String(200), nullable=False),
        sa.Column("period", sa.String(50), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("version_digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_questionnaire"),
    )
    op.create_table(
        "scale_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("color", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name="fk_scale_level_questionnaire_id_questionnaire",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scale_level"),
        sa.UniqueConstraint(
            "questionnaire_id", "code", name="uq_scale_level_questionnaire_id_code"
        ),
    )
    op.create_index("ix_scale_level_questionnaire_id", "scale_level", ["questionnaire_id"])
    op.create_table(
        "objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name="fk_objective_questionnaire_id_questionnaire",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_objective"),
        sa.UniqueConstraint("questionnaire_id", "code", name="uq_objective_questionnaire_id_code"),
    )
    op.create_index("ix_objective_questionnaire_id", "objective", ["questionnaire_id"])
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name="fk_theme_objective_id_objective",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_theme"),
    )
    op.create_index("ix_theme_objective_id", "theme", ["objective_id"])
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(80), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name="fk_action_questionnaire_id_questionnaire",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name="fk_action_theme_id_theme", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_action"),
        sa.UniqueConstraint("questionnaire_id", "code", name="uq_action_questionnaire_id_code"),
    )
    op.create_index("ix_action_questionnaire_id", "action", ["questionnaire_id"])
    op.create_index("ix_action_theme_id", "action", ["theme_id"])
    op.create_table(
        "action_pilot",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pilot", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name="fk_action_pilot_action_id_action",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "position", name="pk_action_pilot"),
    )
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.CheckConstraint(
            "kind IN ('integer', 'decimal', 'percentage', 'text')", name="ck_indicator_kind"
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name="fk_indicator_action_id_action", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_indicator"),
    )
    op.create_index("ix_indicator_action_id", "indicator", ["action_id"])
    op.create_table(
        "campaign",
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("questionnaire_id", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name="fk_campaign_questionnaire_id_questionnaire",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_campaign"),
    )
    op.create_index("ix_campaign_questionnaire_id", "campaign", ["questionnaire_id"])
    op.create_table(
        "respondent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("department", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_respondent"),
        sa.UniqueConstraint("code", name="uq_respondent_code"),
    )
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name="fk_answer_action_id_action"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name="fk_answer_campaign_id_campaign"
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["respondent.id"], name="fk_answer_respondent_id_respondent"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_answer"),
        sa.UniqueConstraint(
            "campaign_id",
            "respondent_id",
            "action_id",
            name="uq_answer_campaign_id_respondent_id_action_id",
        ),
    )
    op.create_index("ix_answer_action_id", "answer", ["action_id"])
    op.create_index("ix_answer_campaign_id", "answer", ["campaign_id"])
    op.create_index("ix_answer_respondent_id", "answer", ["respondent_id"])
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("achieved", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name="fk_indicator_value_campaign_id_campaign"
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name="fk_indicator_value_indicator_id_indicator"
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name="fk_indicator_value_respondent_id_respondent",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_value"),
        sa.UniqueConstraint(
            "campaign_id",
            "respondent_id",
            "indicator_id",
            name="uq_indicator_value_campaign_id_respondent_id_indicator_id",
        ),
    )
    op.create_index("ix_indicator_value_campaign_id", "indicator_value", ["campaign_id"])
    op.create_index("ix_indicator_value_indicator_id", "indicator_value", ["indicator_id"])
    op.create_index("ix_indicator_value_respondent_id", "indicator_value", ["respondent_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("campaign_id", sa.String(120), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "field IN ('status', 'comment', 'target', 'achieved')", name="ck_audit_event_field"
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name="fk_audit_event_action_id_action"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name="fk_audit_event_campaign_id_campaign"
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name="fk_audit_event_indicator_id_indicator"
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["respondent.id"], name="fk_audit_event_respondent_id_respondent"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index(
        "ix_audit_event_answer", "audit_event", ["campaign_id", "respondent_id", "action_id"]
    )


def downgrade() -> None:
    for table in (
        "audit_event",
        "indicator_value",
        "answer",
        "respondent",
        "campaign",
        "indicator",
        "action_pilot",
        "action",
        "theme",
        "objective",
        "scale_level",
        "questionnaire",
    ):
        op.drop_table(table)
