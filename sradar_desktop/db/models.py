"""ORM models (SQLAlchemy 2, typed). The schema at the head migration.

A questionnaire is a tree objective → theme → action; answers belong to (campaign, respondent,
action); indicator values to (campaign, respondent, indicator). Every change of an answer or an
indicator value is written to ``audit_event``; every import to ``import_record``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sradar_desktop.db.types import UTCDateTime
from sradar_desktop.domain.dates import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Questionnaire(Base):
    __tablename__ = "questionnaire"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str] = mapped_column(String(200), default="")
    period: Mapped[str] = mapped_column(String(50), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20))
    version_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scale_levels: Mapped[list[ScaleLevelRow]] = relationship(
        order_by="ScaleLevelRow.position", cascade="all, delete-orphan"
    )
    objectives: Mapped[list[ObjectiveRow]] = relationship(
        order_by="ObjectiveRow.position", cascade="all, delete-orphan"
    )
    campaigns: Mapped[list[Campaign]] = relationship(back_populates="questionnaire")


class ScaleLevelRow(Base):
    __tablename__ = "scale_level"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(100))
    color: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")


class ObjectiveRow(Base):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)

    themes: Mapped[list[ThemeRow]] = relationship(
        order_by="ThemeRow.position", cascade="all, delete-orphan"
    )


class ThemeRow(Base):
    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objective.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)

    actions: Mapped[list[ActionRow]] = relationship(
        order_by="ActionRow.position", cascade="all, delete-orphan"
    )


class ActionRow(Base):
    __tablename__ = "action"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)

    pilots: Mapped[list[ActionPilot]] = relationship(
        order_by="ActionPilot.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[IndicatorRow]] = relationship(
        order_by="IndicatorRow.position", cascade="all, delete-orphan"
    )


class ActionPilot(Base):
    __tablename__ = "action_pilot"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    pilot: Mapped[str] = mapped_column(String(100))


class IndicatorRow(Base):
    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint("kind IN ('integer', 'decimal', 'percentage', 'text')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20))


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Answers expected by this date (to tell who is late); none by default.
    due_date: Mapped[date | None] = mapped_column(Date)
    # What the campaign evaluates, in words (« 2021-2022 »); empty when the title says it.
    period: Mapped[str] = mapped_column(String(50), default="", server_default="")
    # The campaign this one was created from (its roster and answers were carried forward).
    # A plain reference: the previous campaign may be removed by undoing the import that
    # brought it, and this one must stay.
    previous_id: Mapped[str | None] = mapped_column(String(120))
    # Where the services send their answers (the secretariat's address): written in every
    # workbook of the campaign and in the messages prepared for it; "" when none is known.
    return_address: Mapped[str] = mapped_column(String(254), default="", server_default="")

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="campaigns")


class Respondent(Base):
    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExpectedRespondent(Base):
    """The roster of a campaign: who is expected to answer."""

    __tablename__ = "expected_respondent"

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), primary_key=True
    )
    # The service's email addresses for this campaign, separated by ", " ("" when unknown).
    email: Mapped[str] = mapped_column(Text, default="", server_default="")


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("campaign_id", "respondent_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaign.id"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    status: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    version_id: Mapped[int] = mapped_column(Integer, server_default="1")
    # Carried forward from this campaign (plain reference, as ``Campaign.previous_id``); NULL
    # when the answer was given in its own campaign.
    carried_from: Mapped[str | None] = mapped_column(String(120))
    # A carried answer nobody has confirmed or changed yet: it does not count as answered.
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __mapper_args__ = {"version_id_col": version_id}


class IndicatorValue(Base):
    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("campaign_id", "respondent_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaign.id"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    # Canonical decimal strings ("1234.5") for numeric kinds, free text for text indicators:
    # exact on every database, no binary floating point.
    target: Mapped[str | None] = mapped_column(Text)
    achieved: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    version_id: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}


class ImportRecord(Base):
    __tablename__ = "import_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(Text)
    file_digest: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Plain references, not foreign keys: the record of an import outlives what the import
    # created (undoing an import removes a questionnaire it brought).
    questionnaire_id: Mapped[str] = mapped_column(String(80), index=True)
    campaign_id: Mapped[str | None] = mapped_column(String(120))
    respondents: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    undone_at: Mapped[datetime | None] = mapped_column()


class ImportRefusal(Base):
    """A file refused at import: which service it seems to come from (its file name), why, when.
    Nothing of the file was kept; this says the service did send something."""

    __tablename__ = "import_refusal"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(Text)
    # Plain references, as for import_record: "" / NULL when the file did not say.
    respondent_code: Mapped[str] = mapped_column(String(64), index=True, default="")
    campaign_id: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")


class ArbitrationRow(Base):
    """The status the secretariat retains for an action, with its reason: it wins everywhere."""

    __tablename__ = "arbitration"
    __table_args__ = (UniqueConstraint("campaign_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportChange(Base):
    """What an import changed, and what was there before: enough to undo it exactly."""

    __tablename__ = "import_change"
    __table_args__ = (CheckConstraint("target IN ('answer', 'indicator')", name="target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("import_record.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(10))
    campaign_id: Mapped[str] = mapped_column(String(120))
    respondent_id: Mapped[int] = mapped_column(Integer)
    action_id: Mapped[int] = mapped_column(Integer)
    indicator_id: Mapped[int | None] = mapped_column(Integer)
    # JSON of the row before the import ({status, comment, …, updated_at, updated_by}), or
    # NULL when the import created the row.
    before: Mapped[str | None] = mapped_column(Text)
    # The same just after the import: undoing is refused if the row changed since.
    after: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """One changed field of one answer or indicator value: who, when, from what, to what."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_answer", "campaign_id", "respondent_id", "action_id"),
        CheckConstraint("field IN ('status', 'comment', 'target', 'achieved')", name="field"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaign.id"))
    # Indexed: deleting a respondent looks up its lines (one scan of the trail each without).
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_record.id"), index=True)


class PlanRevision(Base):
    """A revision of a questionnaire's plan: the version it replaced (kept as an archived
    questionnaire, holding the actions the revision retired and what was entered for them),
    how the actions of both versions are linked, who confirmed it and when."""

    __tablename__ = "plan_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    archive_id: Mapped[str] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    from_digest: Mapped[str] = mapped_column(String(64))
    to_digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(Text, default="")
    # JSON: the links ([{kind, old, new, confidence}]), the revised plan (plan_to_mapping), and
    # each campaign → the campaign of the archived version holding its retired answers.
    links: Mapped[str] = mapped_column(Text)
    plan: Mapped[str] = mapped_column(Text)
    campaigns: Mapped[str] = mapped_column(Text, default="{}")
