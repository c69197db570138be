"""A saved message as SRADAR Desktop reads it: who sent it, when, its subject, and its
attachments (each with the message holding it), and the limits that keep a hostile message from
costing more than a workbook would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sradar_desktop.errors import FileRefusedError

# Far more than any real message has (a reply with its signature images, a few attachments).
MAX_PARTS = 500
# Messages forwarded as attachments, inside one another.
MAX_NESTED_MESSAGES = 5
# multipart inside multipart (Outlook goes three deep: mixed › related › alternative).
MAX_MIME_DEPTH = 30
MAX_SUBJECT = 500


@dataclass(frozen=True)
class MessageInfo:
    """Who sent a message, when, and its subject, as its headers say."""

    sender_name: str = ""
    sender: str = ""  # the bare address, "" when the message does not say
    date: datetime | None = None  # UTC
    subject: str = ""


@dataclass(frozen=True)
class MessageAttachment:
    name: str  # a plain file name (see ``names.safe_file_name``)
    data: bytes
    content_type: str
    origin: MessageInfo  # the message holding it (a forwarded one keeps its own)


@dataclass(frozen=True)
class ReceivedMessage:
    file_name: str
    info: MessageInfo
    attachments: tuple[MessageAttachment, ...]


def refused(name: str, reason: str, advice: str = "") -> FileRefusedError:
    return FileRefusedError(
        f"Le message « {name} » a été refusé : {reason}." + (f" {advice}" if advice else "")
    )
