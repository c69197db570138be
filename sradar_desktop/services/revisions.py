"""Plan revisions: a revised plan becomes the new version of a questionnaire.

``preview_revision`` proposes how the actions of the revised plan follow those of the current
version (``domain.revision``); ``apply_revision`` records the revised plan, with the matching
the user confirmed (possibly corrected).

How a revision is stored: an action linked one to one (same, renumbered, reworded) keeps its
database row, so every answer to it follows; the other actions of the previous version
(removed, split, merged) stay with the previous tree in an *archived version*, a questionnaire
row of origin ``version`` that is never offered for answering, and what was entered for them
moves to a campaign of that archived version, one per campaign (nothing is deleted, and a
campaign only holds answers to its own plan). A ``plan_revision`` row records the digests
before and after, the links, the revised plan and those campaigns.

From the recorded links, ``carried_action_map`` / ``carried_action_rows`` say where answers of
the previous version go (carry-forward into a new campaign), and ``route_old_version`` turns
the rows of a workbook prepared from a previous version into rows of the current one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from sradar_desktop.db.models import (
    ActionPilot,
    ActionRow,
    Answer,
    ArbitrationRow,
    AuditEvent,
    Campaign,
    IndicatorRow,
    IndicatorValue,
    ObjectiveRow,
    PlanRevision,
    Questionnaire,
    ScaleLevelRow,
    ThemeRow,
)
from sradar_desktop.domain.plan import (
    Action,
    Indicator,
    Plan,
    Theme,
    plan_from_mapping,
    plan_to_mapping,
    validate_plan,
)
from sradar_desktop.domain.revision import (
    Matching,
    matching_problems,
    propose_matching,
    replace_link,
)
from sradar_desktop.domain.text import count, fold
from sradar_desktop.errors import UserError
from sradar_desktop.plans.builtin import load_plan_file
from sradar_desktop.plans.table import read_plan_table
from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import ARCHIVED_VERSION, load_plan
from sradar_desktop.workbook.format import Incoming


@dataclass(frozen=True)
class RevisionPreview:
    """The current version of a questionnaire, the revised plan and the proposed matching."""

    previous: Plan
    revised: Plan
    matching: Matching

    def lines(self, matching: Matching | None = None) -> list[str]:
        """French lines: a summary, then one per link (of ``matching``, the proposed one when
        not given)."""
        matching = matching or self.matching
        summary = ", ".join(
            count(n, f"action {kind.label}", f"actions {kind.label}s")
            for kind, n in matching.counts().items()
            if n
        )
        head = f"Révision du questionnaire {self.previous.id} : {summary}."
        return [head, *(link.describe() for link in matching.links)]


def correct_matching(preview: RevisionPreview, corrections: Sequence[str]) -> Matching:
    """The proposed matching corrected by links typed ``OLD=NEW`` (codes separated by commas,
    a side empty for a removed or a new action), in order."""
    matching = preview.matching
    for text in corrections:
        olds, equals, news = text.partition("=")
        old_codes = [c.strip() for c in olds.split(",") if c.strip()]
        new_codes = [c.strip() for c in news.split(",") if c.strip()]
        if not equals or not (old_codes or new_codes):
            raise UserError(
                f"La correction « {text} » n'est pas comprise : écrivez les codes de la "
                "version actuelle, « = », puis ceux du plan révisé, par exemple 1.1.2=1.1.4."
            )
        try:
            matching = replace_link(
                matching, preview.previous, preview.revised, old_codes, new_codes
            )
        except ValueError as error:
            raise UserError(
                f"La correction « {text} » ne peut pas s'appliquer : {error}. Vérifiez les "
                "codes des actions."
            ) from error
    return matching


def read_revised_plan(path: Path) -> Plan:
    """A revised plan from a file: a plan table (spreadsheet, CSV, text) or a built-in plan
    file (``.toml``). Raises ``UserError`` with a French message."""
    if path.suffix.lower() == ".toml":
        try:
            return load_plan_file(path)
        except (OSError, ValueError) as error:
            raise UserError(
                f"Le plan « {path.name} » n'a pas pu être lu ({error}). Vérifiez le fichier."
            ) from error
    return read_plan_table(path).plan


def _as_new_version(previous: Plan, revised: Plan) -> Plan:
    """The revised plan's actions under the questionnaire's identity and scale: a revision
    changes the objectives, themes and actions, not the plan's title or its scale."""
    return dataclasses.replace(
        previous, objectives=revised.objectives, scale=previous.scale, source=previous.source
    )


def preview_revision(db: Database, questionnaire_id: str, revised: Plan) -> RevisionPreview:
    """The proposed matching of ``revised`` against the questionnaire's current version."""
    with db.read() as session:
        origin = session.scalar(
            select(Questionnaire.origin).where(Questionnaire.id == questionnaire_id)
        )
    if origin == ARCHIVED_VERSION:
        raise UserError(
            f"« {questionnaire_id} » est une version précédente d'un questionnaire révisé, "
            "gardée pour mémoire : révisez le questionnaire lui-même."
        )
    previous = load_plan(db, questionnaire_id)
    revised = _as_new_version(previous, revised)
    problems = validate_plan(revised)
    if problems:
        raise UserError(
            f"Le plan révisé ne peut pas être utilisé : {' ; '.join(problems)}. "
            "Corrigez le fichier puis recommencez."
        )
    if revised.digest() == previous.digest():
        raise UserError(
            f"Le plan révisé est identique à la version actuelle du questionnaire "
            f"{questionnaire_id} : il n'y a rien à réviser."
        )
    return RevisionPreview(previous, revised, propose_matching(previous, revised))


def apply_revision(
    db: Database,
    preview: RevisionPreview,
    matching: Matching | None = None,
    *,
    actor: str = "",
    file_name: str = "",
) -> str:
    """Record the revised plan as the new version of the questionnaire, with ``matching``
    (the proposed one when not given). Returns a French summary line."""
    matching = matching or preview.matching
    previous, revised = preview.previous, preview.revised
    problems = matching_problems(matching, previous, revised)
    if problems:
        raise UserError(
            f"La correspondance entre les deux versions du plan n'est pas valable : "
            f"{' ; '.join(problems[:5])}. Corrigez-la puis confirmez de nouveau."
        )
    with db.write() as session:
        questionnaire = session.get(Questionnaire, previous.id)
        if questionnaire is None or questionnaire.version_digest != previous.digest():
            raise UserError(
                f"Le questionnaire {previous.id} a changé depuis l'aperçu de la révision. "
                "Affichez de nouveau l'aperçu puis confirmez."
            )
        archive = _archive_version(session, questionnaire)
        _store_revision(session, previous.id, archive.id, revised, matching)
        campaigns = _archive_answers(session, previous.id, archive.id)
        questionnaire.version_digest = revised.digest()
        session.add(
            PlanRevision(
                questionnaire_id=previous.id,
                archive_id=archive.id,
                from_digest=previous.digest(),
                to_digest=revised.digest(),
                actor=actor,
                file_name=file_name,
                links=json.dumps(matching.to_mapping(), ensure_ascii=False),
                plan=json.dumps(plan_to_mapping(revised), ensure_ascii=False),
                campaigns=json.dumps(campaigns, ensure_ascii=False),
            )
        )
    return preview.lines(matching)[0].replace("Révision", "Révision enregistrée", 1)


def _archive_version(session: Session, questionnaire: Questionnaire) -> Questionnaire:
    """Move the whole current tree to a new archived version; returns it."""
    base = f"{questionnaire.id[:50]}@{questionnaire.version_digest[:12]}"
    taken = session.scalar(
        select(func.count()).select_from(Questionnaire).where(Questionnaire.id.like(f"{base}%"))
    )
    archive = Questionnaire(
        id=f"{base}-{taken + 1}" if taken else base,
        title=questionnaire.title,
        short_title=f"{questionnaire.short_title or questionnaire.title[:150]} (version "
        f"précédente)",
        period=questionnaire.period,
        region=questionnaire.region,
        description=f"Version précédente du questionnaire {questionnaire.id}, remplacée par une "
        "révision ; elle garde les actions retirées et ce qui a été saisi pour elles.",
        source=questionnaire.source,
        origin=ARCHIVED_VERSION,
        version_digest=questionnaire.version_digest,
    )
    session.add(archive)
    session.flush()
    levels = session.scalars(
        select(ScaleLevelRow).where(ScaleLevelRow.questionnaire_id == questionnaire.id)
    ).all()
    session.add_all(
        ScaleLevelRow(
            questionnaire_id=archive.id,
            position=level.position,
            code=level.code,
            label=level.label,
            color=level.color,
            description=level.description,
        )
        for level in levels
    )
    for table in (ObjectiveRow, ActionRow):
        session.execute(
            update(table)
            .where(table.questionnaire_id == questionnaire.id)
            .values(questionnaire_id=archive.id)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    return archive


def _store_revision(
    session: Session, questionnaire_id: str, archive_id: str, revised: Plan, matching: Matching
) -> None:
    """Write the revised tree under the questionnaire, reusing the row of every action linked
    one to one so that its answers follow. In bulk: a few statements whatever the plan's size."""
    kept_row = {
        link.new[0]: link.old[0]
        for link in matching.links
        if len(link.old) == 1 and len(link.new) == 1
    }
    archived = {
        row.code: row
        for row in session.execute(
            select(
                ActionRow.code, ActionRow.id, ActionRow.theme_id, ActionRow.position, ActionRow.text
            ).where(ActionRow.questionnaire_id == archive_id)
        )
    }
    indicator_rows: dict[int, list[IndicatorRow]] = {}
    for indicator_row in session.scalars(
        select(IndicatorRow)
        .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
        .where(ActionRow.questionnaire_id == archive_id)
        .order_by(IndicatorRow.id)
    ):
        indicator_rows.setdefault(indicator_row.action_id, []).append(indicator_row)
    themes: list[tuple[ThemeRow, Theme]] = []
    for o_position, objective in enumerate(revised.objectives):
        o_row = ObjectiveRow(
            questionnaire_id=questionnaire_id,
            position=o_position,
            code=objective.code,
            title=objective.title,
        )
        session.add(o_row)
        for t_position, theme in enumerate(objective.themes):
            t_row = ThemeRow(position=t_position, code=theme.code, title=theme.title)
            o_row.themes.append(t_row)
            themes.append((t_row, theme))
    session.flush()
    updates: list[tuple[Any, Action, dict[str, Any]]] = []
    added: list[tuple[Action, ActionRow]] = []
    for t_row, theme in themes:
        for action in theme.actions:
            fields = {
                "questionnaire_id": questionnaire_id,
                "theme_id": t_row.id,
                "position": len(updates) + len(added),
                "code": action.code,
                "text": action.text,
            }
            old = archived.get(kept_row.get(action.code, ""))
            if old is not None:
                updates.append((old, action, {"id": old.id, **fields}))
            else:
                added.append((action, ActionRow(**fields)))
    session.add_all(row for _, row in added)
    session.flush()
    if updates:
        session.execute(update(ActionRow), [fields for _, _, fields in updates])
        session.execute(
            delete(ActionPilot).where(ActionPilot.action_id.in_([old.id for old, _, _ in updates]))
        )
    targets = [(old.id, action, old) for old, action, _ in updates]
    targets += [(row.id, action, None) for action, row in added]
    for action_id, action, old in targets:
        session.add_all(
            ActionPilot(action_id=action_id, position=p, pilot=pilot)
            for p, pilot in enumerate(action.pilots)
        )
        rows = indicator_rows.get(action_id, [])
        if rows or action.indicators:
            _store_indicators(session, action_id, action.indicators, rows, archive_id, old)
    session.flush()
    session.expire_all()


def _store_indicators(
    session: Session,
    action_id: int,
    indicators: tuple[Indicator, ...],
    rows: list[IndicatorRow],
    archive_id: str,
    old: Any,
) -> None:
    """The action's indicators. An indicator kept (same label, or reworded at the same place)
    keeps its row and values; one the revised plan drops goes, with what was entered for it,
    to a copy of the previous action in the archived version (or is deleted if nothing ever
    was)."""
    by_label = {fold(row.label): row for row in reversed(rows)}  # the first of a label
    wanted = {fold(indicator.label) for indicator in indicators}
    free = {row.position: row for row in rows if fold(row.label) not in wanted}
    kept: set[int] = set()
    for position, indicator in enumerate(indicators):
        values = {"label": indicator.label, "unit": indicator.unit, "kind": str(indicator.kind)}
        row = by_label.get(fold(indicator.label)) or free.get(position)
        if row is None or row.id in kept:
            session.add(IndicatorRow(action_id=action_id, position=position, **values))
            continue
        kept.add(row.id)
        row.position = position
        for name, value in values.items():
            setattr(row, name, value)
    dropped = [row for row in rows if row.id not in kept]
    shadow_id = None
    for row in dropped:
        used = any(
            session.scalar(
                select(func.count()).select_from(table).where(table.indicator_id == row.id)
            )
            for table in (IndicatorValue, AuditEvent)
        )
        if not used:
            session.delete(row)
            continue
        if shadow_id is None:
            shadow = ActionRow(
                questionnaire_id=archive_id,
                theme_id=old.theme_id,
                position=old.position,
                code=old.code,
                text=old.text,
            )
            session.add(shadow)
            session.flush()
            shadow_id = shadow.id
        row.action_id = shadow_id


def _archive_answers(session: Session, questionnaire_id: str, archive_id: str) -> dict[str, str]:
    """Move what was entered about the retired actions (removed, split, merged) to a campaign
    of the archived version, one per campaign: a campaign only ever holds answers to its own
    plan's actions. Returns campaign id → its archived part."""
    retired = select(ActionRow.id).where(ActionRow.questionnaire_id == archive_id)
    retired_indicators = select(IndicatorRow.id).where(IndicatorRow.action_id.in_(retired))
    on_retired: dict[
        type[Answer | IndicatorValue | ArbitrationRow | AuditEvent], ColumnElement[bool]
    ] = {
        Answer: Answer.action_id.in_(retired),
        IndicatorValue: IndicatorValue.indicator_id.in_(retired_indicators),
        ArbitrationRow: ArbitrationRow.action_id.in_(retired),
        AuditEvent: AuditEvent.action_id.in_(retired),
    }
    used: set[str] = set()
    for table, condition in on_retired.items():
        used.update(session.scalars(select(table.campaign_id).where(condition).distinct()))
    archived = {}
    for campaign in session.scalars(
        select(Campaign).where(Campaign.questionnaire_id == questionnaire_id).order_by(Campaign.id)
    ):
        if campaign.id not in used:
            continue
        archived[campaign.id] = f"{campaign.id[:100]}@{archive_id.rsplit('@', 1)[1]}"
        session.add(
            Campaign(
                id=archived[campaign.id],
                questionnaire_id=archive_id,
                title=f"{campaign.title[:170]} (actions retirées)",
                due_date=campaign.due_date,
            )
        )
    session.flush()
    for campaign_id, archive_campaign_id in archived.items():
        for table, condition in on_retired.items():
            session.execute(
                update(table)
                .where(table.campaign_id == campaign_id, condition)
                .values(campaign_id=archive_campaign_id)
                .execution_options(synchronize_session=False)
            )
    return archived


# Reading the recorded revisions ---------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    archive_id: str
    from_digest: str
    to_digest: str
    matching: Matching
    plan: dict[str, Any]
    campaigns: dict[str, str]  # campaign → the campaign holding its answers to retired actions
    at: datetime


def _ordered_revisions(session: Session, questionnaire_id: str) -> list[Revision]:
    """The revisions of a questionnaire, oldest first."""
    return [
        Revision(
            row.archive_id,
            row.from_digest,
            row.to_digest,
            Matching.from_mapping(json.loads(row.links)),
            json.loads(row.plan),
            json.loads(row.campaigns),
            row.at,
        )
        for row in session.scalars(
            select(PlanRevision)
            .where(PlanRevision.questionnaire_id == questionnaire_id)
            .order_by(PlanRevision.id)
        )
    ]


def _revisions(session: Session, questionnaire_id: str) -> dict[str, Revision]:
    """The revisions of a questionnaire, by the digest of the version each one replaced (the
    latest when a version came back)."""
    return {r.from_digest: r for r in _ordered_revisions(session, questionnaire_id)}


def _chain(session: Session, questionnaire_id: str, digest: str) -> list[Revision] | None:
    """The revisions leading from version ``digest`` to the current one; ``None`` when that
    version is not a previous one of the questionnaire."""
    current = session.scalar(
        select(Questionnaire.version_digest).where(Questionnaire.id == questionnaire_id)
    )
    revisions = _revisions(session, questionnaire_id)
    chain: list[Revision] = []
    while digest != current:
        revision = revisions.get(digest)
        if revision is None or len(chain) > len(revisions):
            return None
        chain.append(revision)
        digest = revision.to_digest
    return chain


def _composed(chain: list[Revision]) -> dict[str, list[str]]:
    """Code of the first version → codes of the last, through every revision."""
    mapping: dict[str, list[str]] | None = None
    for revision in chain:
        step = revision.matching.carried()
        if mapping is None:
            mapping = step
        else:
            mapping = {
                old: [code for new in news for code in step.get(new, [])]
                for old, news in mapping.items()
            }
    return {old: news for old, news in (mapping or {}).items() if news}


def latest_revision(session: Session, questionnaire_id: str) -> Revision | None:
    """The revision that made the questionnaire's current version (None: never revised)."""
    return _latest(session, questionnaire_id)


def _latest(session: Session, questionnaire_id: str) -> Revision | None:
    current = session.scalar(
        select(Questionnaire.version_digest).where(Questionnaire.id == questionnaire_id)
    )
    return next(
        (r for r in _revisions(session, questionnaire_id).values() if r.to_digest == current),
        None,
    )


def carried_action_map(db: Database, questionnaire_id: str) -> dict[str, list[str]]:
    """Action code of the previous version → action codes of the current one, after the last
    revision (removed actions are not in it); ``{}`` when the plan was never revised."""
    with db.read() as session:
        revision = _latest(session, questionnaire_id)
        return revision.matching.carried() if revision else {}


def carried_action_rows(session: Session, questionnaire_id: str) -> dict[int, list[int]]:
    """Action row id → row ids of the current version: what carrying answers forward needs
    (answers refer to rows). Each row of the current version maps to itself; a row a revision
    retired maps to the rows its pieces are in now, through every later revision (nothing for
    a removed action)."""
    current = dict(
        session.execute(
            select(ActionRow.code, ActionRow.id).where(
                ActionRow.questionnaire_id == questionnaire_id
            )
        ).all()
    )
    # A row of the current version (kept, new, or answered since the revision) stays itself.
    rows: dict[int, list[int]] = {row: [row] for row in current.values()}
    revisions = _ordered_revisions(session, questionnaire_id)
    links = [{old: link for link in r.matching.links for old in link.old} for r in revisions]

    def now(code: str, made_by: int) -> list[int]:
        """The current rows of action ``code`` of the version revision ``made_by`` made."""
        for later in range(made_by + 1, len(revisions)):
            link = links[later].get(code)
            if link is None:
                return []
            if len(link.old) != 1 or len(link.new) != 1:  # retired by that revision
                return [row for new in link.new for row in now(new, later)]
            code = link.new[0]  # kept, its row with it
        return [current[code]] if code in current else []

    for index, revision in enumerate(revisions):
        archived = dict(
            session.execute(
                select(ActionRow.code, ActionRow.id).where(
                    ActionRow.questionnaire_id == revision.archive_id
                )
            ).all()
        )
        for link in revision.matching.links:
            if len(link.old) != 1 or len(link.new) != 1:  # removed, split, merged: archived
                targets = [row for new in link.new for row in now(new, index)]
                for old in link.old:
                    rows[archived[old]] = list(dict.fromkeys(targets))
    return rows


def carried_indicator_rows(
    session: Session, questionnaire_id: str, action_rows: dict[int, list[int]] | None = None
) -> dict[int, list[int]]:
    """Indicator row id of the previous version → indicator row ids of the current one (the
    same label, folded, on an action ``carried_action_rows`` leads to; ``action_rows`` when the
    caller has it already)."""
    rows = (
        action_rows if action_rows is not None else carried_action_rows(session, questionnaire_id)
    )
    labels: dict[int, list[tuple[int, str]]] = {}
    for indicator_id, action_id, label in session.execute(
        select(IndicatorRow.id, IndicatorRow.action_id, IndicatorRow.label).where(
            IndicatorRow.action_id.in_(
                list({*rows, *(target for targets in rows.values() for target in targets)})
            )
        )
    ):
        labels.setdefault(action_id, []).append((indicator_id, fold(label)))
    return {
        indicator_id: [
            target_id
            for action in rows[old_action]
            for target_id, target_label in labels.get(action, [])
            if target_label == label
        ]
        for old_action in rows
        for indicator_id, label in labels.get(old_action, [])
    }


def archived_campaigns(session: Session, campaign_id: str) -> list[str]:
    """The campaigns holding what was entered in ``campaign_id`` about actions later retired
    by a revision (their rows are among the keys of ``carried_action_rows``)."""
    questionnaire_id = session.scalar(
        select(Campaign.questionnaire_id).where(Campaign.id == campaign_id)
    )
    if questionnaire_id is None:
        return []
    return sorted(
        revision.campaigns[campaign_id]
        for revision in _revisions(session, questionnaire_id).values()
        if campaign_id in revision.campaigns
    )


# Workbooks of a previous version ---------------------------------------------------------------


def route_old_version(session: Session, incoming: Incoming) -> Incoming:
    """``incoming`` unchanged, unless it was prepared from a previous version of a known
    questionnaire: then its rows are moved onto the actions of the current version, and the
    rows that cannot be placed are listed in ``unplaced`` (French lines)."""
    plan = incoming.plan
    known = session.scalar(select(Questionnaire.version_digest).where(Questionnaire.id == plan.id))
    if known is None or known == plan.digest():
        return incoming
    chain = _chain(session, plan.id, plan.digest())
    if not chain:
        return incoming  # an unknown version: the import refuses it
    mapping = _composed(chain)
    current = plan_from_mapping(chain[-1].plan)
    current_indicators = {a.code: a.indicators for a in current.actions()}
    old_indicators = {a.code: a.indicators for a in plan.actions()}
    unplaced: list[str] = []
    answers = []
    placed: dict[tuple, str] = {}  # (respondent, code[, position]) → the old code placed there
    for line in incoming.answers:
        targets = mapping.get(line.action_code, [])
        if not targets:
            unplaced.append(
                f"{line.respondent} {line.action_code} : l'action a été retirée du plan révisé"
            )
        for target in targets:
            first = placed.setdefault((line.respondent, target), line.action_code)
            if first != line.action_code:
                unplaced.append(
                    f"{line.respondent} {line.action_code} : l'action {target} réunit "
                    f"plusieurs actions, la réponse de l'action {first} a été retenue"
                )
                continue
            answers.append(line._replace(action_code=target))
    indicators = []
    for indicator in incoming.indicators:
        label = old_indicators[indicator.action_code][indicator.position].label
        moved = []
        for target in mapping.get(indicator.action_code, []):
            positions = [
                i
                for i, known_indicator in enumerate(current_indicators[target])
                if fold(known_indicator.label) == fold(label)
            ]
            key = (indicator.respondent, target, positions[0] if positions else -1)
            if positions and placed.setdefault(key, indicator.action_code) == indicator.action_code:
                moved.append(indicator._replace(action_code=target, position=positions[0]))
        if not moved:
            unplaced.append(
                f"{indicator.respondent} {indicator.action_code} (indicateur « {label} ») : "
                "l'indicateur n'est plus dans le plan révisé"
            )
        indicators.extend(moved)
    return dataclasses.replace(
        incoming,
        plan=current,
        answers=tuple(answers),
        indicators=tuple(indicators),
        unplaced=tuple(unplaced),
    )
