"""Questionnaires: storing plans, listing them, loading one, the built-in ones."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Result, Row
from sqlalchemy.orm import Session

from sradar_desktop.db.models import (
    ActionPilot,
    ActionRow,
    Campaign,
    IndicatorRow,
    ObjectiveRow,
    Questionnaire,
    ScaleLevelRow,
    ThemeRow,
)
from sradar_desktop.domain.plan import (
    Action,
    Indicator,
    IndicatorKind,
    Objective,
    Plan,
    Theme,
    default_campaign_id,
)
from sradar_desktop.domain.plan import (  # the campaign helpers, where callers look for them
    default_campaign_title as default_campaign_title,
)
from sradar_desktop.domain.scale import Scale, scale_level
from sradar_desktop.errors import UserError
from sradar_desktop.plans.builtin import builtin_plan_ids, builtin_plans
from sradar_desktop.services.database import Database

log = logging.getLogger(__name__)

BUILTIN = "builtin"
IMPORTED = "import"
# A previous version of a revised questionnaire, kept for the answers to its retired actions
# (services/revisions.py); not offered for answering.
ARCHIVED_VERSION = "version"
# The plan the app opens on until the user chooses another.
DEFAULT_QUESTIONNAIRE_ID = "sradar-2021-2023"


@dataclass(frozen=True)
class QuestionnaireSummary:
    id: str
    title: str
    short_title: str
    origin: str
    period: str
    region: str
    objectives: int
    themes: int
    actions: int

    @property
    def display_title(self) -> str:
        return self.short_title or self.title


def store_plan(
    session: Session,
    plan: Plan,
    origin: str,
    *,
    campaign_id: str | None = None,
    campaign_title: str | None = None,
) -> Questionnaire:
    """Add ``plan`` as a new questionnaire, with its first campaign (the default one unless
    another is given, e.g. the campaign of a workbook that brought the plan)."""
    questionnaire = Questionnaire(
        id=plan.id,
        title=plan.title,
        short_title=plan.short_title,
        period=plan.period,
        region=plan.region,
        description=plan.description,
        source=plan.source,
        origin=origin,
        version_digest=plan.digest(),
    )
    questionnaire.scale_levels = [
        ScaleLevelRow(
            position=position,
            code=level.code,
            label=level.label,
            color=level.color,
            description=level.description,
        )
        for position, level in enumerate(plan.scale.levels)
    ]
    action_position = 0
    for o_position, objective in enumerate(plan.objectives):
        o_row = ObjectiveRow(position=o_position, code=objective.code, title=objective.title)
        questionnaire.objectives.append(o_row)
        for t_position, theme in enumerate(objective.themes):
            t_row = ThemeRow(position=t_position, code=theme.code, title=theme.title)
            o_row.themes.append(t_row)
            for action in theme.actions:
                a_row = ActionRow(
                    questionnaire_id=plan.id,
                    position=action_position,
                    code=action.code,
                    text=action.text,
                )
                action_position += 1
                a_row.pilots = [
                    ActionPilot(position=p, pilot=pilot) for p, pilot in enumerate(action.pilots)
                ]
                a_row.indicators = [
                    IndicatorRow(position=i, label=ind.label, unit=ind.unit, kind=str(ind.kind))
                    for i, ind in enumerate(action.indicators)
                ]
                t_row.actions.append(a_row)
    session.add(questionnaire)
    title = f"Évaluation {plan.period}".strip() if plan.period else "Évaluation"
    session.add(Campaign(id=default_campaign_id(plan.id), questionnaire=questionnaire, title=title))
    session.flush()
    return questionnaire


def install_builtin_plans(db: Database) -> list[str]:
    """Add the built-in plans the database does not have yet. Returns the ids added.

    A plan already there is never replaced: answers refer to it. The plan files are read only
    when one is missing (not at every start).
    """
    with db.read() as session:
        present = set(session.scalars(select(Questionnaire.id)))
    if set(builtin_plan_ids()) <= present:
        return []
    missing = [plan for plan in builtin_plans() if plan.id not in present]
    if not missing:
        return []
    with db.write() as session:
        # Another window may have installed them meanwhile: check again inside the write.
        present = set(session.scalars(select(Questionnaire.id)))
        added = []
        for plan in missing:
            if plan.id not in present:
                store_plan(session, plan, BUILTIN)
                added.append(plan.id)
    log.info("Plans intégrés ajoutés : %s", ", ".join(added) or "aucun")
    return added


def list_questionnaires(db: Database) -> list[QuestionnaireSummary]:
    """Every questionnaire, built-in ones first, then by title."""
    with db.read() as session:
        themes = (
            select(ObjectiveRow.questionnaire_id, func.count(ThemeRow.id).label("n"))
            .join(ThemeRow, ThemeRow.objective_id == ObjectiveRow.id)
            .group_by(ObjectiveRow.questionnaire_id)
            .subquery()
        )
        objectives = (
            select(ObjectiveRow.questionnaire_id, func.count().label("n"))
            .group_by(ObjectiveRow.questionnaire_id)
            .subquery()
        )
        actions = (
            select(ActionRow.questionnaire_id, func.count().label("n"))
            .group_by(ActionRow.questionnaire_id)
            .subquery()
        )
        rows = session.execute(
            select(
                Questionnaire,
                func.coalesce(objectives.c.n, 0),
                func.coalesce(themes.c.n, 0),
                func.coalesce(actions.c.n, 0),
            )
            .outerjoin(objectives, objectives.c.questionnaire_id == Questionnaire.id)
            .outerjoin(themes, themes.c.questionnaire_id == Questionnaire.id)
            .outerjoin(actions, actions.c.questionnaire_id == Questionnaire.id)
            .where(Questionnaire.origin != ARCHIVED_VERSION)
        ).all()
    summaries = [
        QuestionnaireSummary(
            id=q.id,
            title=q.title,
            short_title=q.short_title,
            origin=q.origin,
            period=q.period,
            region=q.region,
            objectives=n_objectives,
            themes=n_themes,
            actions=n_actions,
        )
        for q, n_objectives, n_themes, n_actions in rows
    ]
    return sorted(summaries, key=lambda s: (s.origin != BUILTIN, s.display_title.casefold()))


# Rows are read in chunks: SQLAlchemy's compiled row processing keeps the interpreter lock for
# a whole batch, and a batch of thousands of rows would freeze a window for a tenth of a second.
CHUNK = 400


def read_in_chunks(result: Result) -> Iterable[Sequence[Row]]:
    """The rows of a streamed result, a chunk at a time, letting other threads run between."""
    for partition in result.partitions(CHUNK):
        yield partition
        time.sleep(0)


def load_plan(db: Database, questionnaire_id: str) -> Plan:
    """The whole plan of a questionnaire, as plain data.

    Read column by column and in chunks: a window loading a large plan on another thread is
    never starved (the ORM load of 5,000 actions held the interpreter for 170 ms at a time,
    see ``benchmarks/entry_window.py``).
    """
    stream = {"stream_results": True, "yield_per": CHUNK}
    with db.read() as session:
        head = session.execute(
            select(
                Questionnaire.title,
                Questionnaire.short_title,
                Questionnaire.period,
                Questionnaire.region,
                Questionnaire.description,
                Questionnaire.source,
            ).where(Questionnaire.id == questionnaire_id)
        ).one_or_none()
        if head is None:
            raise UserError(
                f"Le questionnaire « {questionnaire_id} » n'existe pas dans cette base. "
                "La commande « sradar-desktop questionnaires » donne la liste des identifiants."
            )
        levels = session.execute(
            select(
                ScaleLevelRow.code,
                ScaleLevelRow.label,
                ScaleLevelRow.color,
                ScaleLevelRow.description,
            )
            .where(ScaleLevelRow.questionnaire_id == questionnaire_id)
            .order_by(ScaleLevelRow.position)
        ).all()
        objectives = session.execute(
            select(ObjectiveRow.id, ObjectiveRow.code, ObjectiveRow.title)
            .where(ObjectiveRow.questionnaire_id == questionnaire_id)
            .order_by(ObjectiveRow.position)
        ).all()
        themes = session.execute(
            select(ThemeRow.id, ThemeRow.objective_id, ThemeRow.code, ThemeRow.title)
            .join(ObjectiveRow, ObjectiveRow.id == ThemeRow.objective_id)
            .where(ObjectiveRow.questionnaire_id == questionnaire_id)
            .order_by(ThemeRow.objective_id, ThemeRow.position)
        ).all()
        in_plan = ActionRow.questionnaire_id == questionnaire_id
        actions = [
            row
            for chunk in read_in_chunks(
                session.execute(
                    select(ActionRow.id, ActionRow.theme_id, ActionRow.code, ActionRow.text)
                    .where(in_plan)
                    .order_by(ActionRow.position)
                    .execution_options(**stream)
                )
            )
            for row in chunk
        ]
        pilots: dict[int, list[str]] = {}
        for chunk in read_in_chunks(
            session.execute(
                select(ActionPilot.action_id, ActionPilot.pilot)
                .join(ActionRow, ActionRow.id == ActionPilot.action_id)
                .where(in_plan)
                .order_by(ActionPilot.action_id, ActionPilot.position)
                .execution_options(**stream)
            )
        ):
            for action_id, pilot in chunk:
                pilots.setdefault(action_id, []).append(pilot)
        indicators: dict[int, list[Indicator]] = {}
        for chunk in read_in_chunks(
            session.execute(
                select(
                    IndicatorRow.action_id, IndicatorRow.label, IndicatorRow.unit, IndicatorRow.kind
                )
                .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
                .where(in_plan)
                .order_by(IndicatorRow.action_id, IndicatorRow.position)
                .execution_options(**stream)
            )
        ):
            for action_id, label, unit, kind in chunk:
                indicators.setdefault(action_id, []).append(
                    Indicator(label, unit, IndicatorKind(kind))
                )
    by_theme: dict[int, list[Action]] = {}
    for action_id, theme_id, code, text in actions:
        by_theme.setdefault(theme_id, []).append(
            Action(
                code,
                text,
                tuple(pilots.get(action_id, ())),
                tuple(indicators.get(action_id, ())),
            )
        )
    themes_of: dict[int, list[Theme]] = {}
    for theme_id, objective_id, code, title in themes:
        themes_of.setdefault(objective_id, []).append(
            Theme(code, title, tuple(by_theme.get(theme_id, ())))
        )
    title, short_title, period, region, description, source = head
    return Plan(
        id=questionnaire_id,
        title=title,
        short_title=short_title,
        period=period,
        region=region,
        description=description,
        source=source,
        objectives=tuple(
            Objective(code, title_, tuple(themes_of.get(objective_id, ())))
            for objective_id, code, title_ in objectives
        ),
        scale=Scale(tuple(scale_level(*level) for level in levels)),
    )
