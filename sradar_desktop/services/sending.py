"""Sending a questionnaire out and answers back: who is expected to answer, how many actions
each pilots, and the names of the files that travel by email.

The secretariat lists the services expected to answer a campaign (the roster, proposed from the
plan's region: the DREETS and the DDETS of each département); ``services.mailing`` then writes
for each one its blank workbook and the message that carries it. A service that pilots no
action of the plan gets none unless all actions are sent to it (its workbook would be empty).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from sradar_desktop.db.models import Campaign
from sradar_desktop.domain.departements import (
    DEPARTEMENTS,
    REGIONS,
    department_from_code,
    region_from_text,
    region_of_department,
    service_label,
)
from sradar_desktop.domain.plan import Plan, pilots_include
from sradar_desktop.domain.text import slugify
from sradar_desktop.errors import UserError
from sradar_desktop.mail.addresses import AddressError, address_text, parse_addresses
from sradar_desktop.services.consolidation import RosterMember, roster
from sradar_desktop.services.database import Database
from sradar_desktop.services.respondent_codes import normalise_respondent_code

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_OVERSEAS = ("GUA", "MTQ", "GUY", "REU", "MAY")


# The roster ---------------------------------------------------------------------------------


def propose_roster(region: str) -> list[RosterMember]:
    """The services a regional plan is usually sent to: the regional directorate and the
    departmental one of each département (``DREETS-PDL``, ``DDETS-44``… for « Pays de la
    Loire »). Empty when ``region`` names no known region."""
    code = region_from_text(region)
    if not code:
        return []
    _name, of_region, numbers = REGIONS[code]
    if code in _OVERSEAS:
        # One directorate for the region and its single département.
        number = numbers[0]
        return [RosterMember(f"DEETS-{number}", f"DEETS {DEPARTEMENTS[number][1]}", number)]
    regional = "DRIEETS" if code == "IDF" else "DREETS"
    members = [RosterMember(f"{regional}-{code}", f"{regional} {of_region}")]
    members += [
        RosterMember(f"DDETS-{number}", service_label(f"DDETS-{number}"), number)
        for number in numbers
    ]
    return members


def member(code: str, label: str = "", email: str | None = None) -> RosterMember:
    """A roster line as typed: the code checked and normalised (``ddets 44`` → ``DDETS-44``),
    the label suggested from the code when empty, the département deduced, the addresses
    checked (``None``: those the campaign has for it, see ``RosterMember``)."""
    normal = normalise_respondent_code(code).strip("-")
    if not normal:
        raise UserError("Un service de la liste n'a pas de code : donnez-en un, comme DDETS-44.")
    if not _CODE.match(normal):
        raise UserError(
            f"Le code « {code.strip()} » ne doit contenir que des lettres, des chiffres et des "
            "tirets (par exemple DDETS-44 ou DREETS-PDL)."
        )
    label = " ".join(label.split()) or service_label(normal) or normal
    if len(label) > 200:
        raise UserError(f"Le libellé de {normal} est trop long (200 caractères au plus).")
    if email is not None:
        try:
            email = address_text(parse_addresses(email))
        except AddressError as error:
            raise UserError(f"L'adresse de {normal} est à corriger : {error}.") from None
    return RosterMember(normal, label, department_from_code(normal), email)


def check_roster(lines: Iterable[Sequence[str | None]]) -> list[RosterMember]:
    """The roster from (code, label) or (code, label, addresses) lines as typed: blank lines
    skipped, every problem said in one French message (``UserError`` with one detail per
    problem). Lines without addresses (or with ``None``) keep those the campaign has (see
    ``RosterMember``)."""
    members: list[RosterMember] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        code, label = line[0] or "", line[1] or ""
        email = line[2] if len(line) > 2 else None
        if not code.strip() and not label.strip() and not (email or "").strip():
            continue
        try:
            checked = member(code, label, email)
        except UserError as error:
            text = str(error).rstrip(".")
            problems.append(f"ligne {number} : {text[:1].lower()}{text[1:]}")
            continue
        if checked.code in seen:
            problems.append(
                f"ligne {number} : {checked.code} est déjà à la ligne {seen[checked.code]}"
            )
            continue
        seen[checked.code] = number
        members.append(checked)
    if problems:
        raise UserError(
            "La liste des services attendus est à corriger : " + " ; ".join(problems) + ".",
            details=problems,
        )
    return members


def campaign_roster(db: Database, campaign_id: str) -> tuple[list[RosterMember], str]:
    """The roster of a campaign and the campaign's title (empty when it does not exist yet)."""
    with db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        title = campaign.title if campaign is not None else ""
    return roster(db, campaign_id), title


def piloted_actions(plan: Plan, respondent_code: str) -> int:
    """How many actions of ``plan`` the service ``respondent_code`` pilots."""
    return sum(1 for action in plan.actions() if pilots_include(action.pilots, respondent_code))


class PilotedCounts:
    """How many actions of ``plan`` a service pilots, for a code as it is being typed (None
    while it is not a code); each code counted once."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._counts: dict[str, int] = {}

    def __call__(self, typed: str) -> int | None:
        if not typed.strip():
            return None
        try:
            code = normalise_respondent_code(typed)
        except UserError:
            return None
        if code not in self._counts:
            self._counts[code] = piloted_actions(self.plan, code)
        return self._counts[code]


def sending_region(plan: Plan, department: str = "") -> str:
    """The region whose services a plan is sent to: the plan's own, or else the one of the
    agent's département (``department``)."""
    if region_from_text(plan.region):
        return plan.region
    code = region_of_department(department) if department else ""
    return REGIONS[code][0] if code else plan.region


# File names ---------------------------------------------------------------------------------


def _plan_part(questionnaire_id: str) -> str:
    return slugify(questionnaire_id, max_length=40).upper() or "SRADAR"


def answers_file_name(questionnaire_id: str, respondent_code: str, day: date) -> str:
    """``SRADAR-2021-2023_DDETS-44_2026-11-23.xlsx``: a service's answers, as sent."""
    return f"{_plan_part(questionnaire_id)}_{_code_part(respondent_code)}_{day.isoformat()}.xlsx"


def blank_file_name(questionnaire_id: str, respondent_code: str) -> str:
    """``SRADAR-2021-2023_DDETS-44.xlsx``: the blank workbook sent to a service."""
    return f"{_plan_part(questionnaire_id)}_{_code_part(respondent_code)}.xlsx"


def _code_part(respondent_code: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", respondent_code).strip("-") or "REPONDANT"


def existing_blanks(folder: Path, questionnaire_id: str, codes: Iterable[str]) -> list[Path]:
    """The blank workbooks of ``codes`` already in ``folder`` (writing would replace them)."""
    paths = (folder / blank_file_name(questionnaire_id, code) for code in codes)
    return [path for path in paths if path.exists()]


# Writing ------------------------------------------------------------------------------------


def disk_error(path: Path, error: OSError) -> UserError:
    """A file that could not be written, said in French (full disk, protected folder...)."""
    reason = error.strerror or str(error)
    return UserError(
        f"Impossible d'écrire {path.name} dans {path.parent} ({reason}). Vérifiez la place "
        "libre sur le disque et que vous pouvez écrire dans ce dossier, puis réessayez."
    )
