"""What a received file brings, read and checked before anything is written: an exchange
workbook (answers, indicator values, the campaign they answer), or an action-plan table (a
plan, with the statuses and comments it may carry). And the file's digest, by which a file
imported twice is recognised."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.plan import default_campaign_id, default_campaign_title
from sradar_desktop.domain.text import slugify
from sradar_desktop.errors import FileRefusedError
from sradar_desktop.plans.table import (
    PlanTable,
    is_spreadsheet,
    plan_table_from_sheets,
    read_plan_table,
)
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.format import Incoming
from sradar_desktop.workbook.reader import looks_like_exchange, parse_exchange, read_workbook_sheets
from sradar_desktop.workbook.safety import check_size

KIND_PLAN = "plan"
KIND_WORKBOOK = "classeur"


def _from_plan_table(
    table: PlanTable, path: Path, respondent_code: str | None, actor: str
) -> Incoming:
    plan = table.plan
    now = utcnow()
    answers: tuple[fmt.AnswerLine, ...] = ()
    respondents: tuple[fmt.RespondentInfo, ...] = ()
    if table.has_answers and (table.statuses or table.comments):
        code = normalise_respondent_code(
            respondent_code or slugify(path.stem, max_length=50) or "IMPORT"
        )
        respondents = (fmt.RespondentInfo(code, f"Réponses du fichier {path.name}"),)
        answers = tuple(
            fmt.AnswerLine(
                code,
                action.code,
                table.statuses.get(action.code),
                table.comments.get(action.code, ""),
                now,
                actor or path.name,
            )
            for action in plan.actions()
            if action.code in table.statuses or action.code in table.comments
        )
    return Incoming(
        kind=KIND_PLAN,
        plan=plan,
        campaign_id=default_campaign_id(plan.id),
        campaign_title=default_campaign_title(plan),
        exported_at=now,
        respondents=respondents,
        answers=answers,
        indicators=(),
    )


def read_incoming(
    path: Path, *, respondent_code: str | None = None, actor: str = "", name: str | None = None
) -> Incoming:
    """Read and check any importable file. Raises ``FileRefusedError`` with French messages,
    naming the file ``name`` (its own name by default; « message.eml › pièce.xlsx » for an
    attachment)."""
    name = name or path.name
    check_size(path, name=name)
    if not is_spreadsheet(path):
        return _from_plan_table(read_plan_table(path, name), path, respondent_code, actor)
    received = read_workbook_sheets(path, name)
    if not looks_like_exchange(received.sheets):
        table = plan_table_from_sheets(received.sheets, name)
        return _from_plan_table(table, path, respondent_code, actor)
    workbook = parse_exchange(path, received, name)
    if not workbook.campaign_id:
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : il ne dit pas à quelle campagne il "
            "répond. Demandez à l'expéditeur le classeur d'origine."
        )
    return Incoming(
        kind=KIND_WORKBOOK,
        plan=workbook.plan,
        campaign_id=workbook.campaign_id,
        campaign_title=workbook.campaign_title,
        exported_at=workbook.exported_at,
        respondents=workbook.respondents,
        answers=workbook.answers,
        indicators=workbook.indicators,
        edited_outside=len(workbook.edited_outside),
        campaign_period=workbook.campaign_period,
        previous_campaign_id=workbook.previous_campaign_id,
        campaign_due=workbook.campaign_due,
        expected=workbook.expected,
        notes=workbook.notes,
        return_address=workbook.return_address,
    )


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
