"""The addresses of a campaign: each expected service's, and the return address (where the
services send their answers, the secretariat's).

They are typed in the roster, or imported from the list a secretariat already keeps: a table
« code ; adresse » in a ``.csv`` (any delimiter Excel or LibreOffice writes, UTF-8 or
Windows-1252) or a workbook (``.xlsx``, ``.ods``, ``.xls``: its first visible sheet).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from sradar_desktop.db.models import Campaign
from sradar_desktop.domain.respondents import respondent_code
from sradar_desktop.domain.text import count
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.mail.addresses import (
    AddressError,
    address_text,
    check_address,
    parse_addresses,
)
from sradar_desktop.plans.table import is_spreadsheet, text_table_rows
from sradar_desktop.services.consolidation import RosterMember, roster, set_roster
from sradar_desktop.services.database import Database
from sradar_desktop.services.sending import member
from sradar_desktop.workbook import TEXT_SUFFIXES
from sradar_desktop.workbook.cells import UnknownValue, cell_ref, read_sheets
from sradar_desktop.workbook.safety import check_size

log = logging.getLogger(__name__)

# A list of addresses is small: a region has a few dozen services.
MAX_LIST_BYTES = 2 * 1024 * 1024
MAX_LIST_ROWS = 5000
MAX_PROBLEMS_SHOWN = 20


def _campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise UserError(
            f"La campagne « {campaign_id} » n'existe pas dans cette base. La commande "
            "« sradar-desktop campaigns » donne la liste des identifiants."
        )
    return campaign


def return_address(db: Database, campaign_id: str) -> str:
    """Where the services of a campaign send their answers ("" when not known)."""
    with db.read() as session:
        return _campaign(session, campaign_id).return_address


def checked_return_address(text: str) -> str:
    """A return address as typed, checked (``""`` for a blank text); ``UserError`` for a text
    that is not one address."""
    if not text.strip():
        return ""
    try:
        return check_address(text.strip())
    except AddressError as error:
        raise UserError(f"L'adresse de retour est à corriger : {error}.") from None


def set_return_address(db: Database, campaign_id: str, text: str) -> str:
    """Set (or, with a blank text, remove) the return address of a campaign; returns it as
    kept (see ``checked_return_address``)."""
    address = checked_return_address(text)
    with db.write() as session:
        _campaign(session, campaign_id).return_address = address
    return address


# The list « code ; adresse » -------------------------------------------------------------------


@dataclass(frozen=True)
class AddressLine:
    code: str
    addresses: tuple[str, ...]
    where: str  # « ligne 3 » or « Feuil1!A3 »: to name it in a message


def _cell_text(value: object) -> str:
    if value is None or isinstance(value, UnknownValue):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _rows(path: Path) -> tuple[Sequence[Sequence[object]], str]:
    """The rows of the list and the name of its sheet ("" for a text file)."""
    name = path.name
    check_size(path)
    if is_spreadsheet(path):
        visible = [sheet for sheet in read_sheets(path, name) if not sheet.hidden]
        if not visible:
            raise FileRefusedError(f"Le fichier « {name} » n'a aucune feuille visible.")
        return visible[0].rows, visible[0].name
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : une liste d'adresses s'enregistre en .csv, "
            ".txt, .xlsx, .ods ou .xls."
        )
    if path.stat().st_size > MAX_LIST_BYTES:
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : il dépasse {MAX_LIST_BYTES // (1024 * 1024)} "
            "Mo, bien plus qu'une liste d'adresses."
        )
    return text_table_rows(path.read_bytes(), name), ""


def read_address_list(path: Path) -> list[AddressLine]:
    """The services and addresses of a list: on each line a service code and, in another
    column, one or more addresses (other cells, a label say, are left aside). A first line
    without a code is a header. Every problem is said at once (``FileRefusedError`` with one
    detail per line); a service named on several lines gets the addresses of all of them."""
    rows, sheet = _rows(path)
    if len(rows) > MAX_LIST_ROWS:
        raise FileRefusedError(
            f"Le fichier « {path.name} » a été refusé : plus de {MAX_LIST_ROWS} lignes, ce "
            "n'est pas une liste d'adresses de services."
        )

    def where(row: int, column: int) -> str:
        return cell_ref(sheet, row, column) if sheet else f"ligne {row + 1}"

    found: dict[str, AddressLine] = {}
    problems: list[str] = []
    first = True
    for index, row in enumerate(rows):
        cells = [(column, _cell_text(value)) for column, value in enumerate(row)]
        cells = [(column, text) for column, text in cells if text]
        if not cells:
            continue
        header, first = first, False
        (code_column, code_text), others = cells[0], cells[1:]
        try:
            code = respondent_code(code_text)
        except ValueError:
            code = ""
        addresses: list[str] = []
        bad: list[tuple[int, str]] = []
        for column, text in others:
            try:
                addresses += parse_addresses(text)
            except AddressError as error:
                if "@" in text:
                    bad.append((column, str(error)))
        if header and not addresses and not bad:
            continue  # « Code ; Adresse », or a title
        if not code:
            problems.append(
                f"{where(index, code_column)} : « {code_text[:60]} » n'est pas un code de service "
                "(par exemple DDETS-44)"
            )
            continue
        problems += [f"{where(index, column)} : {message}" for column, message in bad]
        if not addresses and not bad:
            problems.append(f"{where(index, code_column)} : aucune adresse pour {code}")
            continue
        known = found.get(code)
        merged = [*(known.addresses if known else ()), *addresses]
        found[code] = AddressLine(
            code, parse_addresses(address_text(merged)), known.where if known else where(index, 0)
        )
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        raise FileRefusedError(
            f"La liste d'adresses « {path.name} » a été refusée : "
            f"{count(len(problems), 'ligne', 'lignes')} à corriger (sur chaque ligne, le code du "
            "service puis son adresse). Rien n'a été modifié.",
            details=shown,
        )
    if not found:
        raise FileRefusedError(
            f"La liste d'adresses « {path.name} » a été refusée : elle ne contient aucune ligne "
            "« code du service ; adresse »."
        )
    return list(found.values())


@dataclass
class AddressImport:
    """What importing a list of addresses did to a campaign's roster."""

    file_name: str
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # services added to the roster
    not_expected: list[str] = field(default_factory=list)  # in the list, not in the roster
    without: list[str] = field(default_factory=list)  # in the roster, still without address

    def describe(self) -> str:
        lines = [
            f"{self.file_name} : "
            + ", ".join(
                [
                    count(len(self.changed), "adresse enregistrée", "adresses enregistrées"),
                    count(len(self.unchanged), "inchangée"),
                ]
            )
            + (
                f", {count(len(self.added), 'service ajouté', 'services ajoutés')} avec "
                + ("son adresse" if len(self.added) == 1 else "leurs adresses")
                if self.added
                else ""
            )
            + "."
        ]
        if self.not_expected:
            lines.append(
                "Pas dans la liste des services attendus, laissés de côté : "
                + ", ".join(self.not_expected)
                + "."
            )
        if self.without:
            lines.append("Toujours sans adresse : " + ", ".join(self.without) + ".")
        return "\n".join(lines)


def merge_addresses(
    members: Sequence[RosterMember], lines: Sequence[AddressLine], *, add: bool = False
) -> tuple[list[RosterMember], AddressImport]:
    """A roster given the addresses of a list (``read_address_list``), and what changed.
    Services of the list that the roster does not have are left aside, or added with
    ``add``. Nothing is written: ``import_addresses`` keeps it, the window shows it."""
    by_code = {m.code: m for m in members}
    result = AddressImport("")
    updated: list[RosterMember] = list(members)
    for line in lines:
        email = address_text(line.addresses)
        known = by_code.get(line.code)
        if known is None:
            if add:
                updated.append(dataclasses.replace(member(line.code), email=email))
                result.added.append(line.code)
            else:
                result.not_expected.append(line.code)
            continue
        if known.email == email:
            result.unchanged.append(line.code)
            continue
        updated[updated.index(known)] = dataclasses.replace(known, email=email)
        result.changed.append(line.code)
    result.without = [m.code for m in updated if not m.email]
    return updated, result


def import_addresses(
    db: Database, campaign_id: str, path: Path, *, add: bool = False
) -> AddressImport:
    """Give the services of a campaign's roster the addresses of a list (see
    ``read_address_list`` and ``merge_addresses``). All or nothing: a list with a problem
    changes nothing."""
    lines = read_address_list(path)
    with db.read() as session:
        _campaign(session, campaign_id)
    updated, result = merge_addresses(roster(db, campaign_id), lines, add=add)
    result.file_name = path.name
    if result.changed or result.added:
        set_roster(db, campaign_id, updated)
    log.info("Adresses importées : %s", result.describe().replace("\n", " "))
    return result


def save_addresses(
    db: Database, campaign_id: str, members: Sequence[RosterMember], return_address_text: str
) -> None:
    """Keep the roster of a campaign as typed (with its services' addresses) and its return
    address; the return address is checked first, so that a mistake in it changes nothing."""
    address = checked_return_address(return_address_text)
    set_roster(db, campaign_id, members)
    set_return_address(db, campaign_id, address)


def addresses_of(members: Sequence[RosterMember], code: str) -> tuple[str, ...]:
    """The addresses of the service ``code`` in a roster (none when it has none, or is not in
    it)."""
    for one in members:
        if one.code == code and one.email:
            return tuple(one.email.split(", "))
    return ()
