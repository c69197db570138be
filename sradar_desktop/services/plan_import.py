"""Importing an action plan from a spreadsheet: a new questionnaire, with its answers if any."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from sradar_desktop.db.models import ActionRow, ImportRecord, Questionnaire
from sradar_desktop.domain.text import slugify
from sradar_desktop.plans.table import read_plan_table
from sradar_desktop.services.answers import (
    SOURCE_IMPORT,
    apply_answer,
    get_or_create_respondent,
    normalise_respondent_code,
)
from sradar_desktop.services.database import Database
from sradar_desktop.services.questionnaires import IMPORTED, default_campaign_id, store_plan
from sradar_desktop.workbook.safety import check_size

KIND_PLAN = "plan"


@dataclass(frozen=True)
class PlanImportResult:
    file_name: str
    questionnaire_id: str
    created: bool
    counts: tuple[int, int, int]
    respondent_code: str | None = None
    answers_changed: int = 0
    already_imported_at: datetime | None = None

    def describe(self) -> str:
        """One French line for the command line and the GUI."""
        if self.already_imported_at is not None:
            when = self.already_imported_at.astimezone().strftime("%d/%m/%Y à %H:%M")
            return f"{self.file_name} : déjà importé le {when}, rien n'a changé."
        what = "nouveau questionnaire" if self.created else "questionnaire déjà présent"
        objectives, themes, actions = self.counts
        text = (
            f"{self.file_name} : {what} {self.questionnaire_id} "
            f"({objectives} objectifs, {themes} thématiques, {actions} actions)"
        )
        if self.respondent_code:
            text += f", {self.answers_changed} réponses de {self.respondent_code} enregistrées"
        return text + "."


def default_respondent_code(path: Path) -> str:
    return normalise_respondent_code(slugify(path.stem, max_length=50)) or "IMPORT"


def import_plan_file(
    db: Database,
    path: Path,
    *,
    respondent_code: str | None = None,
    actor: str = "",
) -> PlanImportResult:
    """Import the plan table at ``path``. All or nothing; the same file twice is a no-op."""
    check_size(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with db.read() as session:
        previous = session.scalar(
            select(ImportRecord)
            .where(ImportRecord.file_digest == digest, ImportRecord.undone_at.is_(None))
            .order_by(ImportRecord.id.desc())
        )
    if previous is not None:
        return PlanImportResult(
            file_name=path.name,
            questionnaire_id=previous.questionnaire_id,
            created=False,
            counts=(0, 0, 0),
            already_imported_at=previous.at,
        )

    table = read_plan_table(path)
    plan = table.plan
    code = None
    changed = 0
    with db.write() as session:
        existing = session.get(Questionnaire, plan.id)
        created = existing is None
        if created:
            store_plan(session, plan, IMPORTED)
        campaign_id = default_campaign_id(plan.id)
        record = ImportRecord(
            actor=actor,
            file_name=path.name,
            file_digest=digest,
            kind=KIND_PLAN,
            questionnaire_id=plan.id,
            campaign_id=campaign_id,
        )
        session.add(record)
        session.flush()
        if table.has_answers and (table.statuses or table.comments):
            code = normalise_respondent_code(respondent_code or default_respondent_code(path))
            respondent = get_or_create_respondent(
                session, code, label=f"Réponses du fichier {path.name}"
            )
            action_ids = dict(
                session.execute(
                    select(ActionRow.code, ActionRow.id).where(
                        ActionRow.questionnaire_id == plan.id
                    )
                ).all()
            )
            for action in plan.actions():
                status = table.statuses.get(action.code)
                comment = table.comments.get(action.code)
                if status is None and comment is None:
                    continue
                changed += apply_answer(
                    session,
                    campaign_id=campaign_id,
                    respondent_id=respondent.id,
                    action_id=action_ids[action.code],
                    status=status,
                    **({"comment": comment} if comment is not None else {}),
                    actor=actor or path.name,
                    source=SOURCE_IMPORT,
                    import_id=record.id,
                )
            record.respondents = code
        record.summary = json.dumps(
            {"created": created, "answers_changed": changed}, ensure_ascii=False
        )
    return PlanImportResult(
        file_name=path.name,
        questionnaire_id=plan.id,
        created=created,
        counts=plan.counts(),
        respondent_code=code,
        answers_changed=changed,
    )
