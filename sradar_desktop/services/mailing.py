"""The messages of a sending round, written as drafts for the agent's own mail program: one per
expected service with its blank workbook attached, reminders to the services that still owe
answers, and a service's answers sent back to the secretariat. Nothing is ever sent.

Each draft lies beside the workbook it carries (``SRADAR-2021-2023_DDETS-44.eml`` beside
``SRADAR-2021-2023_DDETS-44.xlsx``): the attachment is that file, byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from sradar_desktop.db.models import Campaign, Respondent
from sradar_desktop.domain.consolidation import expected_actions, is_answered
from sradar_desktop.domain.dates import short_date
from sradar_desktop.domain.plan import Plan
from sradar_desktop.domain.text import count
from sradar_desktop.errors import UserError
from sradar_desktop.mail import texts
from sradar_desktop.mail.writer import DraftFile, draft_file_name, write_draft_of
from sradar_desktop.services.consolidation import RosterMember, load_consolidation, roster
from sradar_desktop.services.database import Database
from sradar_desktop.services.exchange import ExportResult, blank_workbook, resolve_campaign
from sradar_desktop.services.questionnaires import load_plan
from sradar_desktop.services.respondent_codes import normalise_respondent_code
from sradar_desktop.services.sending import blank_file_name, disk_error, piloted_actions
from sradar_desktop.services.views.consolidation import respondent_label

log = logging.getLogger(__name__)

REMINDER_SUFFIX = "_relance"


@dataclass(frozen=True)
class DraftWritten:
    """A draft written for one service, beside the workbook it carries."""

    code: str
    file: DraftFile
    actions: int  # the actions of the attached workbook
    missing: texts.Missing | None = None  # for a reminder: what it asks for

    @property
    def draft(self) -> Path:
        return self.file.path

    @property
    def workbook(self) -> Path:
        return self.file.attachments[0]

    @property
    def to(self) -> tuple[str, ...]:
        return self.file.to

    def describe(self) -> str:
        """One line per service, for the command line and the window."""
        to = f"à {', '.join(self.to)}" if self.to else "sans adresse (à compléter dans le message)"
        kind = "relance " if self.missing is not None else ""
        return f"{self.code} : {kind}{self.draft.name} et {self.workbook.name}, {to} ({self.what})."

    @property
    def what(self) -> str:
        """What the message asks for: « 47 actions », or for a reminder what is missing."""
        if self.missing is not None:
            return self.missing.describe()
        return count(self.actions, "action", "actions")


@dataclass
class DraftsResult:
    """What preparing the drafts did, service by service."""

    folder: Path
    written: list[DraftWritten] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (code, why)
    refused: list[tuple[str, UserError]] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)  # stopped before them
    # Skipped because they pilot no action (a message with every action would reach them).
    pilots_nothing: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [written.describe() for written in self.written]
        lines += [f"{code} : {why}" for code, why in self.skipped]
        lines += [f"{code} : {error}" for code, error in self.refused]
        if self.not_done:
            lines.append(f"Arrêté avant {', '.join(self.not_done)} : rien n'a été écrit pour eux.")
        return lines


@dataclass(frozen=True)
class _Round:
    plan: Plan
    campaign_id: str
    campaign: str
    period: str
    due: date | None
    return_address: str
    members: list[RosterMember]


def _round(
    db: Database, campaign_id: str | None, codes: Sequence[str] | None, *, need_roster: bool = True
) -> _Round:
    questionnaire_id, campaign_id = resolve_campaign(db, None, campaign_id)
    plan = load_plan(db, questionnaire_id)
    with db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise UserError(f"La campagne « {campaign_id} » n'existe pas dans cette base.")
        facts = (campaign.title, campaign.period, campaign.due_date, campaign.return_address)
    members = roster(db, campaign_id)
    if not members and need_roster:
        raise UserError(
            "La campagne n'a aucun service attendu : établissez d'abord leur liste (Préparer "
            "l'envoi, ou « sradar-desktop addresses --add »)."
        )
    if codes:
        wanted = [normalise_respondent_code(code) for code in codes if code.strip()]
        known = {m.code for m in members}
        unknown = [code for code in wanted if code not in known]
        if unknown:
            raise UserError(
                f"{', '.join(unknown)} : pas dans la liste des services attendus de la campagne "
                f"({', '.join(sorted(known))})."
            )
        members = [m for m in members if m.code in wanted]
    return _Round(plan, campaign_id, *facts, members)


def _context(round: _Round, member: RosterMember, attachment: str) -> texts.Context:
    return texts.Context(
        plan=round.plan.display_title,
        campaign=round.campaign,
        period=round.period,
        due=round.due,
        code=member.code,
        label=respondent_label(member.code, member.label),
        return_address=round.return_address,
        attachment=attachment,
        choices=round.plan.scale.choices_text(),
    )


def _addresses(member: RosterMember) -> tuple[str, ...]:
    return tuple(member.email.split(", ")) if member.email else ()


def _write_one(
    db: Database,
    folder: Path,
    round: _Round,
    member: RosterMember,
    *,
    all_actions: bool,
    draft_stem: str,
    compose: Callable[[texts.Context], tuple[str, str]],
    missing: texts.Missing | None = None,
) -> DraftWritten:
    """A fresh blank for ``member`` and the draft that carries it."""
    workbook = folder / blank_file_name(round.plan.id, member.code)
    written: ExportResult = blank_workbook(
        db,
        workbook,
        questionnaire_id=round.plan.id,
        campaign_id=round.campaign_id,
        respondent_code=member.code,
        all_actions=all_actions,
    )
    subject, body = compose(_context(round, member, workbook.name))
    draft = write_draft_of(
        folder / draft_file_name(draft_stem),
        to=_addresses(member),
        subject=subject,
        body=body,
        files=(workbook,),
        sender=round.return_address,
    )
    return DraftWritten(member.code, draft, written.rows, missing)


def _prepare(
    db: Database,
    folder: Path,
    round: _Round,
    plan_of: Callable[[RosterMember], tuple[str | None, dict]],
    progress: Callable[[int, str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> DraftsResult:
    if not folder.is_dir():
        raise UserError(
            f"Le dossier {folder} n'existe pas ou n'est pas accessible. Choisissez un dossier "
            "existant."
        )
    result = DraftsResult(folder)
    for index, member in enumerate(round.members):
        if cancelled is not None and cancelled():
            result.not_done = [m.code for m in round.members[index:]]
            break
        if progress is not None:
            progress(index, member.code)
        skip, options = plan_of(member)
        if skip is not None:
            result.skipped.append((member.code, skip))
            continue
        try:
            result.written.append(_write_one(db, folder, round, member, **options))
        except UserError as error:
            log.info("Message de %s non écrit : %s", member.code, error)
            result.refused.append((member.code, error))
        except OSError as error:
            log.warning("Message de %s non écrit", member.code, exc_info=True)
            result.refused.append((member.code, disk_error(folder / member.code, error)))
    log.info("Messages préparés : %s", " ".join(result.lines()))
    return result


def prepare_drafts(
    db: Database,
    folder: Path,
    *,
    campaign_id: str | None = None,
    codes: Sequence[str] | None = None,
    all_actions: bool = False,
    progress: Callable[[int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DraftsResult:
    """For each expected service of the campaign (or those of ``codes``): its blank workbook
    and a draft addressed to it that carries it, in ``folder`` (files of the same names are
    replaced). A service that pilots no action is skipped unless ``all_actions``."""
    round = _round(db, campaign_id, codes)

    def plan_of(member: RosterMember) -> tuple[str | None, dict]:
        if not all_actions and not piloted_actions(round.plan, member.code):
            why = (
                "ne pilote aucune action du questionnaire, pas de message (--all pour lui "
                "envoyer toutes les actions)."
            )
            return why, {}
        actions = (
            len(round.plan.actions()) if all_actions else piloted_actions(round.plan, member.code)
        )
        return None, {
            "all_actions": all_actions,
            "draft_stem": Path(blank_file_name(round.plan.id, member.code)).stem,
            "compose": lambda context: texts.invitation(context, actions),
        }

    result = _prepare(db, folder, round, plan_of, progress, cancelled)
    # Without every action, a service is skipped for one reason: it pilots none of them.
    result.pilots_nothing = [code for code, _why in result.skipped]
    return result


def missing_answers(db: Database, campaign_id: str, *, all_actions: bool = False) -> dict:
    """What each expected service still owes (``texts.Missing``), by code: the actions expected
    of it without an answer given or confirmed in the campaign, and among them those whose
    carried answer awaits its confirmation. A service that pilots no action owes every action
    with ``all_actions``, nothing otherwise."""
    report = load_consolidation(db, campaign_id=campaign_id)
    plan = report.plan
    given = {
        (answer.respondent, result.action.code): answer
        for result in report.actions
        for answer in result.answers
    }
    owed: dict[str, texts.Missing] = {}
    for entry in report.roster:
        if not entry.expected:
            continue
        if not all_actions and not piloted_actions(plan, entry.code):
            continue
        actions = expected_actions(plan, entry.code)
        unanswered, to_confirm = [], []
        for action in actions:
            answer = given.get((entry.code, action.code))
            if answer is not None and is_answered(answer.status, answer.to_confirm):
                continue
            if answer is not None and answer.to_confirm and answer.status is not None:
                to_confirm.append((action.code, action.text))
            else:
                unanswered.append((action.code, action.text))
        owed[entry.code] = texts.Missing(tuple(unanswered), tuple(to_confirm), len(actions))
    return owed


def prepare_reminders(
    db: Database,
    folder: Path,
    *,
    campaign_id: str | None = None,
    codes: Sequence[str] | None = None,
    since: date | None = None,
    all_actions: bool = False,
    progress: Callable[[int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DraftsResult:
    """A reminder for each expected service (or those of ``codes``) that still owes answers
    (actions without an answer, or carried answers to confirm), with a fresh blank: the draft
    says what is missing. ``since``: only the services that have sent nothing since that day
    (no answer changed, no workbook imported), the others having just been heard from."""
    round = _round(db, campaign_id, codes)
    owed = missing_answers(db, round.campaign_id, all_actions=all_actions)
    heard = {}
    if since is not None:
        for entry in load_consolidation(db, campaign_id=round.campaign_id).roster:
            moments = [m for m in (entry.last_change, entry.last_import) if m is not None]
            if moments and max(moments).date() >= since:
                heard[entry.code] = max(moments)

    def plan_of(member: RosterMember) -> tuple[str | None, dict]:
        missing = owed.get(member.code)
        if missing is None:
            return "ne pilote aucune action du questionnaire, pas de relance.", {}
        if not missing.unanswered and not missing.to_confirm:
            return "toutes ses réponses sont là, pas de relance.", {}
        if member.code in heard:
            return (
                f"a envoyé des réponses le {short_date(heard[member.code])}, depuis le "
                f"{short_date(since)} : pas de relance ({missing.describe()})."
            ), {}
        stem = Path(blank_file_name(round.plan.id, member.code)).stem + REMINDER_SUFFIX
        return None, {
            "all_actions": all_actions,
            "draft_stem": stem,
            "compose": lambda context: texts.reminder(context, missing),
            "missing": missing,
        }

    return _prepare(db, folder, round, plan_of, progress, cancelled)


def answers_draft(
    db: Database,
    workbook: Path,
    *,
    respondent_code: str,
    campaign_id: str | None = None,
    completion: str = "",
) -> DraftFile:
    """The agent's side: beside an exported answers ``workbook``, a draft to the campaign's
    return address (empty when it is not known) that carries it."""
    if not workbook.is_file():
        raise UserError(f"Le classeur {workbook} est introuvable : exportez d'abord vos réponses.")
    round = _round(db, campaign_id, None, need_roster=False)
    code = normalise_respondent_code(respondent_code)
    member = next((m for m in round.members if m.code == code), None)
    if member is None:
        with db.read() as session:
            label = session.scalar(select(Respondent.label).where(Respondent.code == code))
        member = RosterMember(code, label or "")
    subject, body = texts.answers(
        _context(round, member, workbook.name), completion or "réponses jointes"
    )
    return write_draft_of(
        workbook.with_name(draft_file_name(workbook.stem)),
        to=(round.return_address,) if round.return_address else (),
        subject=subject,
        body=body,
        files=(workbook,),
    )
