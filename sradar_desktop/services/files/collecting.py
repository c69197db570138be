"""Answers collected from saved messages: each workbook attached to an ``.eml`` or ``.msg``
goes through the same checks, preview and import as a file, reported with the message's
sender, date and subject.

The paths given to an import or a consolidation are expanded first (``expanded``): a file is
itself; a message becomes its attached workbooks, written to a private temporary folder and
named « message.eml › pièce.xlsx ». A message with no workbook is refused in one line naming
it. In the database, a workbook taken from a message must answer the campaign the replies are
collected for (the one chosen, or the current campaign of its questionnaire); and its sender is
matched against the addresses of the campaign's services: a sender who is not the service's is
said in the outcome (``ImportOutcome.sender_warning``), never hidden (``services.senders``
checks them in the database; this module needs none).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sradar_desktop.domain.dates import moment_text
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.mail.addresses import same_address
from sradar_desktop.mail.message import MessageAttachment, MessageInfo, refused
from sradar_desktop.mail.reader import is_message, read_message
from sradar_desktop.workbook import SPREADSHEET_SUFFIXES

log = logging.getLogger(__name__)

# What an attachment must be to be read as a workbook: its name, or else its declared type.
WORKBOOK_SUFFIXES = frozenset(SPREADSHEET_SUFFIXES | {".csv"})
_SUFFIX_OF_TYPE = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
# The attachment Outlook sends in its own format (TNEF) to other mail programs.
_TNEF = ("winmail.dat", "application/ms-tnef", "application/vnd.ms-tnef")


@dataclass(frozen=True)
class MessageSource:
    """The message a workbook was taken from."""

    message: str  # the message's file name
    attachment: str  # the workbook's name in it
    info: MessageInfo

    @property
    def name(self) -> str:
        """« réponse.eml › SRADAR_DDETS-44.xlsx »: how the workbook is named everywhere."""
        return f"{self.message} › {self.attachment}"

    def describe(self) -> str:
        """« Reçu par courriel de José Dupont <jose@…>, le 16/03/2027 à 10:14, objet « … ». »"""
        info = self.info
        if info.sender and info.sender_name:
            who = f"de {info.sender_name} <{info.sender}>"
        else:
            who = (
                f"de {info.sender or info.sender_name}"
                if info.sender or info.sender_name
                else ("d'un expéditeur inconnu")
            )
        when = f", le {moment_text(info.date)}" if info.date is not None else ""
        subject = f", objet « {info.subject} »" if info.subject else ", sans objet"
        return f"Reçu par courriel {who}{when}{subject}."


@dataclass(frozen=True)
class Expanded:
    """One file to read: a file given, or a workbook taken from a message (``source``); or a
    message refused whole (``error``)."""

    path: Path  # what to read
    name: str  # how to name it
    origin: Path  # the path given
    source: MessageSource | None = None
    error: UserError | None = None


def _workbook_name(attachment: MessageAttachment) -> str | None:
    """The attachment's name as a workbook's (a suffix added from its declared type when the
    name has none), or ``None`` when it is not a workbook."""
    suffix = Path(attachment.name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return attachment.name
    by_type = _SUFFIX_OF_TYPE.get(attachment.content_type.lower())
    if by_type and not suffix:
        return attachment.name + by_type
    return None


def _no_workbook(name: str, attachments: Sequence[MessageAttachment]) -> FileRefusedError:
    names = [a.name for a in attachments]
    if any(a.name.lower() == _TNEF[0] or a.content_type.lower() in _TNEF[1:] for a in attachments):
        return refused(
            name,
            "ses pièces jointes sont enfermées dans un fichier winmail.dat, le format propre à "
            "Outlook",
            "Demandez à l'expéditeur de renvoyer son classeur dans un message au format HTML ou "
            "texte, ou ouvrez ce message dans Outlook et enregistrez-le en .msg.",
        )
    listed = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return refused(
        name,
        "il ne contient aucun classeur"
        + (f" (pièces jointes : {listed})" if names else " (aucune pièce jointe)"),
        "Demandez à l'expéditeur de renvoyer son classeur (.xlsx) en pièce jointe.",
    )


def _unique(name: str, taken: set[str]) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){suffix}"
    taken.add(candidate.casefold())
    return candidate


def expand(paths: Iterable[Path], folder: Path) -> Iterator[Expanded]:
    """The files to read for ``paths``: each message's workbooks are written into a folder of
    their own under ``folder``."""
    for number, path in enumerate(paths):
        if not is_message(path):
            yield Expanded(path, path.name, path)
            continue
        try:
            message = read_message(path)
        except UserError as error:
            yield Expanded(path, path.name, path, error=error)
            continue
        workbooks = [(a, n) for a in message.attachments if (n := _workbook_name(a))]
        if not workbooks:
            # Its sender still says which service sent it (``refusals``).
            source = MessageSource(path.name, "", message.info)
            refusal = _no_workbook(path.name, message.attachments)
            yield Expanded(path, path.name, path, source, refusal)
            continue
        target = folder / str(number)
        target.mkdir()
        taken: set[str] = set()
        for attachment, workbook_name in workbooks:
            name = _unique(workbook_name, taken)
            file = target / name
            file.write_bytes(attachment.data)
            source = MessageSource(path.name, name, attachment.origin)
            yield Expanded(file, source.name, path, source)


@contextmanager
def expanded(paths: Iterable[Path]) -> Iterator[list[Expanded]]:
    """``expand`` into a private temporary folder, removed afterwards (nothing is written when
    no path is a message)."""
    paths = list(paths)
    if not any(is_message(path) for path in paths):
        yield [Expanded(path, path.name, path) for path in paths]
        return
    with tempfile.TemporaryDirectory(prefix="sradar-courriels-", ignore_cleanup_errors=True) as t:
        yield list(expand(paths, Path(t)))


# The sender ----------------------------------------------------------------------------------


def check_sender(sender: str, codes: Sequence[str], addresses: Mapping[str, Sequence[str]]) -> str:
    """What does not match between a message's sender and the services whose answers its
    workbook holds (``codes``), given the campaign's ``addresses`` by service: "" when the
    sender is one of theirs, or when none of them has an address to compare with."""
    known = {code: addresses.get(code, ()) for code in codes if addresses.get(code)}
    if not known:
        return ""
    whose = " ; ".join(f"{code} : {', '.join(found)}" for code, found in known.items())
    services = ", ".join(known)
    if not sender:
        return (
            f"Attention : le message ne dit pas qui l'a envoyé ; vérifiez que ce classeur vient "
            f"bien de {services} ({whose})."
        )
    if any(same_address(sender, a) for found in known.values() for a in found):
        return ""
    others = [
        code
        for code, found in addresses.items()
        if code not in known and any(same_address(sender, a) for a in found)
    ]
    if others:
        return (
            f"Attention : l'expéditeur {sender} est l'adresse de {', '.join(others)}, pas celle "
            f"de {services} ({whose}) ; vérifiez que ce classeur vient bien de ce service."
        )
    return (
        f"Attention : l'expéditeur {sender} n'est pas l'adresse de {services} ({whose}) ; "
        "vérifiez que ce classeur vient bien de ce service."
    )
