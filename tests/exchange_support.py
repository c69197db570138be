"""Helpers for the exchange-workbook tests: answering, comparing states, editing files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
from sqlalchemy import select

from sradar_desktop.db.models import (
    ActionRow,
    Answer,
    Campaign,
    IndicatorRow,
    IndicatorValue,
    Questionnaire,
    Respondent,
)
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.questionnaires import default_campaign_id

SRADAR = "sradar-2021-2023"
ROAD_MAP = "hdf-integration-2021"


def answer(db, respondent: str, answers: dict, *, questionnaire: str = SRADAR, actor="Agent"):
    """Enter answers as an agent would: {code: (status, comment)} or {code: {"indicators": …}}."""
    service = AnswerService(db, default_campaign_id(questionnaire), respondent, actor)
    for code, value in answers.items():
        if isinstance(value, dict):
            for position, (target, achieved) in value["indicators"].items():
                service.set_indicator(code, position, target=target, achieved=achieved)
            value = value.get("answer")
            if value is None:
                continue
        status, comment = value
        if status is not None:
            service.set_status(code, status)
        if comment:
            service.set_comment(code, comment)
    return service


def state(db, *, with_stamps: bool = True) -> dict:
    """The answers of a database as users see them: by (questionnaire, campaign, respondent)."""
    with db.read() as session:
        answers = {
            (campaign, respondent, code): (
                (status, comment, at, by) if with_stamps else (status, comment)
            )
            for campaign, respondent, code, status, comment, at, by in session.execute(
                select(
                    Answer.campaign_id,
                    Respondent.code,
                    ActionRow.code,
                    Answer.status,
                    Answer.comment,
                    Answer.updated_at,
                    Answer.updated_by,
                )
                .join(Respondent, Respondent.id == Answer.respondent_id)
                .join(ActionRow, ActionRow.id == Answer.action_id)
            )
        }
        values = {
            (campaign, respondent, code, position): (
                (target, achieved, at, by) if with_stamps else (target, achieved)
            )
            for campaign, respondent, code, position, target, achieved, at, by in session.execute(
                select(
                    IndicatorValue.campaign_id,
                    Respondent.code,
                    ActionRow.code,
                    IndicatorRow.position,
                    IndicatorValue.target,
                    IndicatorValue.achieved,
                    IndicatorValue.updated_at,
                    IndicatorValue.updated_by,
                )
                .join(Respondent, Respondent.id == IndicatorValue.respondent_id)
                .join(IndicatorRow, IndicatorRow.id == IndicatorValue.indicator_id)
                .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
            )
        }
        entities = (
            sorted(session.scalars(select(Questionnaire.id))),
            sorted(session.scalars(select(Campaign.id))),
            sorted(session.scalars(select(Respondent.code))),
        )
    return {"answers": answers, "values": values, "entities": entities}


def meaningful(answers: dict) -> dict:
    """Answers without the empty ones (no status, no comment)."""
    return {key: value for key, value in answers.items() if value[0] or value[1]}


def edit_workbook(path: Path, target: Path, edit) -> Path:
    """Open a workbook as Excel would (openpyxl), let ``edit`` change it, save under ``target``."""
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(target)
    return target


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(path: Path, kind: str, folder: Path) -> None:
    """Convert ``path`` with LibreOffice, headless, into ``folder`` (``kind``: what
    ``--convert-to`` takes, e.g. ``xlsx:Calc MS Excel 2007 XML``)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(folder / 'profil-libreoffice').as_uri()}",
            "--headless",
            "--convert-to",
            kind,
            "--outdir",
            str(folder),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


def resave_with_libreoffice(path: Path, folder: Path) -> Path:
    """Open and save a workbook with LibreOffice, headless, as a colleague without the app."""
    libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML", folder)
    return folder / path.name
