"""Saved messages read back for their attachments: ``.eml`` (see ``eml``) and Outlook ``.msg``
(see ``msg``), told apart by their first bytes.

A message received by email is hostile, as a workbook is: its size is bounded before anything
parses it, and each reader bounds what it builds (parts, depths, bytes read).
"""

from __future__ import annotations

from pathlib import Path

from sradar_desktop.mail import MESSAGE_SUFFIXES, MSG_SUFFIX
from sradar_desktop.mail.eml import read_eml
from sradar_desktop.mail.message import ReceivedMessage, refused
from sradar_desktop.mail.msg import read_msg
from sradar_desktop.workbook.safety import check_size

# A workbook of 50 MB (the limit of a workbook file) in base64, with its message around it.
MAX_MESSAGE_BYTES = 72 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_message(path: Path) -> bool:
    """Whether a file is a saved message, by its name (``.eml``, ``.msg``)."""
    return path.suffix.lower() in MESSAGE_SUFFIXES


def read_message(path: Path) -> ReceivedMessage:
    """The sender, date, subject and attachments of a saved message. Raises
    ``FileRefusedError`` (one French sentence naming the message) for anything else."""
    check_size(path)
    name = path.name
    size = path.stat().st_size
    if size > MAX_MESSAGE_BYTES:
        raise refused(
            name,
            f"il pèse {size // (1024 * 1024)} Mo, plus que la limite de "
            f"{MAX_MESSAGE_BYTES // (1024 * 1024)} Mo",
            "Enregistrez plutôt ses pièces jointes et importez-les.",
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_MAGIC):
        return read_msg(path)
    if path.suffix.lower() == MSG_SUFFIX:
        raise refused(
            name,
            "ce n'est pas un message Outlook (.msg) : le fichier est incomplet ou d'un autre type",
            "Enregistrez à nouveau le message depuis Outlook (Fichier › Enregistrer sous).",
        )
    return read_eml(path.read_bytes(), name)
