"""Questionnaires: storing plans, listing them, loading one, the built-in ones."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sradar_desktop.db import reading
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
from sradar_desktop.db.reading import session_rows
from sradar_desktop.domain.plan import Plan, default_campaign_id
from sradar_desktop.domain.plan import (  # the campaign helpers, where callers look for them
    default_campaign_title as default_campaign_title,
)
from sradar_desktop.domain.questionnaires import ARCHIVED_VERSION as ARCHIVED_VERSION
from sradar_desktop.domain.questionnaires import BUILTIN as BUILTIN
from sradar_desktop.domain.questionnaires import (
    DEFAULT_QUESTIONNAIRE_ID as DEFAULT_QUESTIONNAIRE_ID,
)
from sradar_desktop.domain.questionnaires import IMPORTED as IMPORTED
from sradar_desktop.domain.questionnaires import QuestionnaireSummary as QuestionnaireSummary
from sradar_desktop.plans.builtin import builtin_plan_ids, builtin_plans
from sradar_desktop.services.database import Database

log = logging.getLogger(__name__)


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
        present = reading.questionnaire_ids(session_rows(session))
    if set(builtin_plan_ids()) <= present:
        return []
    missing = [plan for plan in builtin_plans() if plan.id not in present]
    if not missing:
        return []
    with db.write() as session:
        # Another window may have installed them meanwhile: check again inside the write.
        present = reading.questionnaire_ids(session_rows(session))
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


def load_plan(db: Database, questionnaire_id: str) -> Plan:
    """The whole plan of a questionnaire, as plain data (``db.reading.read_plan``)."""
    with db.read() as session:
        return reading.read_plan(session_rows(session), questionnaire_id)
