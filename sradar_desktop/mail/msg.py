"""Outlook ``.msg`` files (MS-OXMSG): a compound file (MS-CFB, read with olefile) whose streams
hold the properties of the message (MS-OXPROPS) and one storage per attachment.

Only what an import needs is read: the sender's name and address, the time the message was
sent or received, its subject, and each attachment's name and bytes (a message attached to
another, ``afEmbeddedMessage``, is read in turn, up to ``MAX_NESTED_MESSAGES``). Text properties
are UTF-16 (``001F``) or 8-bit in the message's code page (``001E``, Windows-1252 by default).
olefile is asked to refuse any defect of the compound file, not only fatal ones: a crafted file
is refused rather than read around.
"""

from __future__ import annotations

import email
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sradar_desktop.mail.eml import header_text, message_info
from sradar_desktop.mail.message import (
    MAX_NESTED_MESSAGES,
    MAX_PARTS,
    MAX_SUBJECT,
    MessageAttachment,
    MessageInfo,
    ReceivedMessage,
    refused,
)
from sradar_desktop.mail.names import safe_file_name

if TYPE_CHECKING:
    import olefile

PROPERTIES = "__properties_version1.0"
ATTACHMENT_PREFIX = "__attach_version1.0_#"
EMBEDDED = "__substg1.0_3701000D"

PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_BINARY = 0x0102

TAG_SUBJECT = 0x0037
TAG_CLIENT_SUBMIT_TIME = 0x0039
TAG_SENT_REPRESENTING_NAME = 0x0042
TAG_SENT_REPRESENTING_ADDRESS = 0x0065
TAG_TRANSPORT_HEADERS = 0x007D
TAG_DELIVERY_TIME = 0x0E06
TAG_SENDER_NAME = 0x0C1A
TAG_SENDER_ADDRESS = 0x0C1F
TAG_ATTACH_DATA = 0x3701
TAG_ATTACH_FILENAME = 0x3704
TAG_ATTACH_METHOD = 0x3705
TAG_ATTACH_LONG_FILENAME = 0x3707
TAG_ATTACH_MIME = 0x370E
TAG_DISPLAY_NAME = 0x3001
TAG_INTERNET_CODEPAGE = 0x3FDE
TAG_MESSAGE_CODEPAGE = 0x3FFD
TAG_SENDER_SMTP = 0x5D01
TAG_SENT_REPRESENTING_SMTP = 0x5D02

ATTACH_BY_VALUE = 1
ATTACH_EMBEDDED_MESSAGE = 5

# The header of the properties stream before its 16-byte entries (MS-OXMSG 2.4).
_HEADER_TOP = 32
_HEADER_EMBEDDED = 24
_HEADER_OTHER = 8
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


class _Reader:
    """The streams of one message, attachment or embedded message, under ``prefix``."""

    def __init__(
        self, ole: olefile.OleFileIO, prefix: list[str], header: int, name: str, budget: list[int]
    ) -> None:
        self.ole = ole
        self.prefix = prefix
        self.name = name
        self.budget = budget  # bytes that may still be read from the file
        self.fixed = self._fixed(header)

    def _read(self, path: list[str]) -> bytes | None:
        ole = self.ole
        if not ole.exists("/".join(path)):
            return None
        size = ole.get_size("/".join(path))
        self.budget[0] -= size
        if self.budget[0] < 0:
            raise refused(self.name, "il est endommagé (ses parties dépassent sa taille)")
        with ole.openstream(path) as stream:
            return stream.read()

    def _fixed(self, header: int) -> dict[int, tuple[int, bytes]]:
        """The fixed-length properties: id → (type, 8 bytes of value)."""
        data = self._read([*self.prefix, PROPERTIES]) or b""
        found = {}
        for offset in range(header, len(data) - 15, 16):
            tag, _flags, value = struct.unpack_from("<II8s", data, offset)
            found[tag >> 16] = (tag & 0xFFFF, value)
        return found

    def long(self, prop: int) -> int | None:
        kind, value = self.fixed.get(prop, (0, b""))
        return struct.unpack_from("<i", value)[0] if kind == PT_LONG else None

    def time(self, prop: int) -> datetime | None:
        kind, value = self.fixed.get(prop, (0, b""))
        if kind != PT_SYSTIME:
            return None
        ticks = struct.unpack_from("<Q", value)[0]
        try:
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def text(self, prop: int, codepage: str = "cp1252") -> str:
        data = self._read([*self.prefix, f"__substg1.0_{prop:04X}{PT_UNICODE:04X}"])
        if data is not None:
            return data.decode("utf-16-le", "replace").split("\x00", 1)[0]
        data = self._read([*self.prefix, f"__substg1.0_{prop:04X}{PT_STRING8:04X}"])
        if data is not None:
            try:
                return data.split(b"\x00", 1)[0].decode(codepage, "replace")
            except LookupError:
                return data.split(b"\x00", 1)[0].decode("cp1252", "replace")
        return ""

    def binary(self, prop: int) -> bytes | None:
        return self._read([*self.prefix, f"__substg1.0_{prop:04X}{PT_BINARY:04X}"])

    def codepage(self) -> str:
        number = self.long(TAG_INTERNET_CODEPAGE) or self.long(TAG_MESSAGE_CODEPAGE) or 1252
        return f"cp{number}"

    def children(self, prefix: str) -> list[str]:
        """The storages right under this one whose names start with ``prefix``."""
        depth = len(self.prefix)
        names = {
            entry[depth]
            for entry in self.ole.listdir(streams=True, storages=True)
            if len(entry) > depth and entry[:depth] == self.prefix
        }
        return sorted(n for n in names if n.startswith(prefix))


def _address(text: str) -> str:
    """An SMTP address, or "" (an Exchange address ``/O=…/CN=…`` is not one)."""
    text = text.strip()
    return text if "@" in text and not text.startswith("/") else ""


def _info(reader: _Reader) -> MessageInfo:
    codepage = reader.codepage()
    sender = next(
        (
            address
            for prop in (
                TAG_SENDER_SMTP,
                TAG_SENDER_ADDRESS,
                TAG_SENT_REPRESENTING_SMTP,
                TAG_SENT_REPRESENTING_ADDRESS,
            )
            if (address := _address(reader.text(prop, codepage)))
        ),
        "",
    )
    name = reader.text(TAG_SENDER_NAME, codepage) or reader.text(
        TAG_SENT_REPRESENTING_NAME, codepage
    )
    date = reader.time(TAG_CLIENT_SUBMIT_TIME) or reader.time(TAG_DELIVERY_TIME)
    subject = " ".join(reader.text(TAG_SUBJECT, codepage).split())[:MAX_SUBJECT]
    if not sender or date is None:
        # The Internet headers the message arrived with, when Outlook kept them.
        headers = reader.text(TAG_TRANSPORT_HEADERS, codepage)
        if headers:
            parsed = message_info(email.message_from_string(headers.split("\r\n\r\n")[0]))
            sender = sender or parsed.sender
            name = name or parsed.sender_name
            date = date or parsed.date
    return MessageInfo(" ".join(name.split()), sender, date, subject)


def _message(
    reader: _Reader, attachments: list[MessageAttachment], nested: int, count: list[int]
) -> MessageInfo:
    info = _info(reader)
    for storage in reader.children(ATTACHMENT_PREFIX):
        count[0] += 1
        if count[0] > MAX_PARTS:
            raise refused(
                reader.name,
                f"il a plus de {MAX_PARTS} pièces jointes, ce qui n'est pas un message ordinaire",
                "Demandez à l'expéditeur de renvoyer son classeur seul, en pièce jointe.",
            )
        attachment = _Reader(
            reader.ole, [*reader.prefix, storage], _HEADER_OTHER, reader.name, reader.budget
        )
        method = attachment.long(TAG_ATTACH_METHOD)
        if method == ATTACH_EMBEDDED_MESSAGE:
            if nested + 1 > MAX_NESTED_MESSAGES:
                raise refused(
                    reader.name,
                    "il contient des messages joints les uns aux autres sur plus de "
                    f"{MAX_NESTED_MESSAGES} niveaux",
                    "Enregistrez le message d'origine et importez-le directement.",
                )
            inner = _Reader(
                reader.ole,
                [*reader.prefix, storage, EMBEDDED],
                _HEADER_EMBEDDED,
                reader.name,
                reader.budget,
            )
            _message(inner, attachments, nested + 1, count)
            continue
        data = attachment.binary(TAG_ATTACH_DATA)
        if data is None:
            continue  # attached by reference, or an OLE object: no file to read
        codepage = reader.codepage()
        name = header_text(
            attachment.text(TAG_ATTACH_LONG_FILENAME, codepage)
            or attachment.text(TAG_ATTACH_FILENAME, codepage)
            or attachment.text(TAG_DISPLAY_NAME, codepage)
        )
        mime = attachment.text(TAG_ATTACH_MIME, codepage).strip().lower()
        attachments.append(
            MessageAttachment(safe_file_name(name), data, mime or "application/octet-stream", info)
        )
    return info


def read_msg(path: Path) -> ReceivedMessage:
    """A message saved by Outlook (see ``reader.read_message``)."""
    import olefile

    name = path.name
    try:
        ole = olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception as error:  # olefile raises OSError, ValueError, struct.error... on damage
        raise refused(
            name,
            "ce message Outlook (.msg) est endommagé ou d'un autre type",
            "Enregistrez à nouveau le message depuis Outlook (Fichier › Enregistrer sous).",
        ) from error
    try:
        if not ole.exists(PROPERTIES):
            raise refused(
                name,
                "ce fichier Office n'est pas un message Outlook",
                "Enregistrez le message depuis Outlook (Fichier › Enregistrer sous), ou "
                "importez directement le classeur.",
            )
        budget = [path.stat().st_size * 2]
        attachments: list[MessageAttachment] = []
        try:
            root = _Reader(ole, [], _HEADER_TOP, name, budget)
            info = _message(root, attachments, 0, [0])
        except RecursionError as error:
            raise refused(name, "sa structure est imbriquée à l'excès") from error
        except (OSError, ValueError, struct.error, IndexError, KeyError) as error:
            raise refused(
                name,
                "ce message Outlook (.msg) est endommagé",
                "Enregistrez à nouveau le message depuis Outlook (Fichier › Enregistrer sous).",
            ) from error
    finally:
        ole.close()
    return ReceivedMessage(name, info, tuple(attachments))
