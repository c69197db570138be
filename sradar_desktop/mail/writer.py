"""Message drafts: standard ``.eml`` files that the agent's mail program opens, edits and sends.

``X-Unsent: 1`` makes Outlook open the file as a new message ready to send (not as a received
one); Thunderbird opens it too (« Modifier comme nouveau message »). The text is UTF-8 in
quoted-printable, the subject in RFC 2047 words, the attachments in base64 with their names in
RFC 2231 when they are not ASCII: what every mail program reads. Lines end in CRLF, as RFC 5322
says. The program writes the file and nothing else: it never sends anything.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

from sradar_desktop.mail.names import safe_file_name
from sradar_desktop.saving import save_atomically

DRAFT_SUFFIX = ".eml"
_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes

    @property
    def content_type(self) -> tuple[str, str]:
        suffix = Path(self.name).suffix.lower()
        kind = _TYPES.get(suffix) or mimetypes.guess_type(self.name)[0]
        maintype, _, subtype = (kind or "application/octet-stream").partition("/")
        return maintype, subtype


@dataclass(frozen=True)
class Draft:
    """A message to be sent by the agent's mail program."""

    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    sender: str = ""  # the From address ("" lets the mail program put its own)

    def message(self) -> EmailMessage:
        message = EmailMessage(policy=SMTP)
        message["X-Unsent"] = "1"
        if self.sender:
            message["From"] = Address(addr_spec=self.sender)
        if self.to:
            message["To"] = [Address(addr_spec=address) for address in self.to]
        message["Subject"] = self.subject
        domain = self.sender.rpartition("@")[2] if self.sender else "sradar.invalid"
        message["Message-ID"] = make_msgid("sradar", domain=domain)
        message["X-Mailer"] = "SRADAR Desktop"
        message.set_content(self.body, charset="utf-8", cte="quoted-printable")
        for attachment in self.attachments:
            maintype, subtype = attachment.content_type
            message.add_attachment(
                attachment.data,
                maintype=maintype,
                subtype=subtype,
                filename=safe_file_name(attachment.name),
            )
        return message

    def as_bytes(self) -> bytes:
        return self.message().as_bytes()


def draft_file_name(stem: str) -> str:
    """``stem.eml``, safe on Windows."""
    return safe_file_name(stem + DRAFT_SUFFIX, default="message" + DRAFT_SUFFIX)


def write_draft(draft: Draft, path: Path) -> Path:
    """Write ``draft`` to ``path`` atomically (the previous file stays whole if it fails)."""
    data = draft.as_bytes()
    save_atomically(
        lambda temporary: temporary.write_bytes(data),
        path,
        document="le message",
        opened_in="votre messagerie",
    )
    return path


@dataclass(frozen=True)
class DraftFile:
    """A draft written to disk and the files it carries, lying beside it: what the agent's
    mail program needs to open it as a new message (``mail.mapi``), or the draft itself."""

    path: Path
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Path, ...]


def write_draft_of(
    path: Path,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    files: Sequence[Path],
    sender: str = "",
) -> DraftFile:
    """Write to ``path`` a draft that carries ``files`` (each byte for byte, under its own
    name)."""
    attachments = tuple(Attachment(file.name, file.read_bytes()) for file in files)
    draft = Draft(tuple(to), subject, body, attachments, sender)
    write_draft(draft, path)
    return DraftFile(path, draft.to, subject, body, tuple(files))
