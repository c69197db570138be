"""Messages in RFC 5322 / MIME form (``.eml``), as Outlook, Thunderbird and webmails save them.

The MIME tree is walked without recursion and refused past a number of parts or a depth of
nested messages (``message/rfc822``, a message forwarded as an attachment); the parts are counted
before the parser builds them. Headers are decoded whatever the sender's program wrote: RFC 2047
words in any charset, raw 8-bit text in UTF-8 or Windows-1252; attachment names in RFC 2231 or
RFC 2047, made plain file names (``names.safe_file_name``). Each attachment keeps the sender,
date and subject of the message that holds it (a forwarded message keeps its own).
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from sradar_desktop.errors import FileRefusedError
from sradar_desktop.mail.message import (
    MAX_MIME_DEPTH,
    MAX_NESTED_MESSAGES,
    MAX_PARTS,
    MAX_SUBJECT,
    MessageAttachment,
    MessageInfo,
    ReceivedMessage,
    refused,
)
from sradar_desktop.mail.names import safe_file_name


def _eight_bit(data: bytes, charset: str | None) -> str:
    """Bytes of a header in ``charset`` when it is a known one, else UTF-8 or Windows-1252."""
    for encoding in (charset, "utf-8"):
        if encoding and encoding != "unknown-8bit":
            with suppress(LookupError, UnicodeDecodeError):
                return data.decode(encoding)
    return data.decode("cp1252", "replace")


def header_text(value: object) -> str:
    """A header as text: RFC 2047 words decoded (any charset Python knows, Windows-1252
    included), raw 8-bit bytes read as UTF-8 or else Windows-1252, folded lines joined."""
    if value is None:
        return ""
    if isinstance(value, Header):  # what the parser makes of raw 8-bit bytes in a header
        text = "".join(
            _eight_bit(chunk, charset) if isinstance(chunk, bytes) else chunk
            for chunk, charset in decode_header(value)
        )
        return " ".join(text.split())
    text = str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):  # raw 8-bit bytes, kept as surrogates
        raw = text.encode("ascii", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
    if "=?" in text:
        # An unknown charset or a damaged word: the text as written.
        with suppress(LookupError, UnicodeError, ValueError, AssertionError):
            text = str(make_header(decode_header(text)))
    return " ".join(text.split())


def message_info(message: Message) -> MessageInfo:
    sender_name = sender = ""
    pairs = getaddresses([header_text(message.get("From", ""))])
    if pairs and pairs[0][1] and "@" in pairs[0][1]:
        sender_name, sender = pairs[0][0].strip(), pairs[0][1].strip()
    date = None
    raw_date = header_text(message.get("Date", ""))
    if raw_date:
        try:
            date = parsedate_to_datetime(raw_date)
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
        if date is not None:
            date = date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)
    subject = header_text(message.get("Subject", ""))[:MAX_SUBJECT]
    return MessageInfo(sender_name, sender, date, subject)


def _attachment_name(part: Message) -> str:
    raw = part.get_filename() or part.get_param("name") or ""
    if isinstance(raw, tuple):  # an RFC 2231 value get_param did not collapse
        raw = email.utils.collapse_rfc2231_value(raw)
    return header_text(raw)


def _too_many_parts(name: str) -> FileRefusedError:
    return refused(
        name,
        f"il est fait de plus de {MAX_PARTS} parties, ce qui n'est pas un message ordinaire",
        "Demandez à l'expéditeur de renvoyer son classeur seul, en pièce jointe.",
    )


def _walk(root: Message, name: str) -> Iterator[tuple[Message, MessageInfo]]:
    """Every leaf part of ``root`` with the message it belongs to, without recursion, within
    the limits of parts and depths."""
    stack: list[tuple[Message, MessageInfo, int, int]] = [(root, message_info(root), 0, 0)]
    parts = 0
    while stack:
        part, info, depth, nested = stack.pop()
        parts += 1
        if parts > MAX_PARTS:
            raise _too_many_parts(name)
        if depth > MAX_MIME_DEPTH:
            raise refused(
                name,
                "sa structure est imbriquée à l'excès, ce qui n'est pas un message ordinaire",
                "Demandez à l'expéditeur de renvoyer son classeur seul, en pièce jointe.",
            )
        content_type = part.get_content_type()
        if content_type == "message/rfc822" or (
            content_type.startswith("message/") and part.is_multipart()
        ):
            inner = part.get_payload()
            if nested + 1 > MAX_NESTED_MESSAGES:
                raise refused(
                    name,
                    f"il contient des messages transférés les uns dans les autres sur plus de "
                    f"{MAX_NESTED_MESSAGES} niveaux",
                    "Enregistrez le message d'origine et importez-le directement.",
                )
            for child in reversed(inner if isinstance(inner, list) else []):
                if isinstance(child, Message):
                    stack.append((child, message_info(child), depth + 1, nested + 1))
            continue
        if part.is_multipart():
            children = part.get_payload()
            for child in reversed(children if isinstance(children, list) else []):
                if isinstance(child, Message):
                    stack.append((child, info, depth + 1, nested))
            continue
        yield part, info


def read_eml(data: bytes, name: str) -> ReceivedMessage:
    """A message in RFC 5322 / MIME form (see ``read_message``)."""
    if b"\x00" in data[:4096]:
        raise refused(
            name,
            "ce n'est pas un message enregistré (.eml) : le fichier est d'un autre type",
            "Enregistrez à nouveau le message depuis votre messagerie.",
        )
    # Every part opens with a boundary line (« --… »): counted before Python's parser builds an
    # object for each, so that a message of a million tiny parts is refused, not parsed.
    if data.count(b"\n--") > 4 * MAX_PARTS:
        raise _too_many_parts(name)
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except (RecursionError, ValueError, TypeError, IndexError) as error:
        raise refused(name, "il est endommagé ou mal formé") from error
    if not message.keys() or not any(
        message.get(key) for key in ("From", "Date", "Subject", "Content-Type", "To")
    ):
        raise refused(
            name,
            "ce n'est pas un message enregistré (.eml) : aucun en-tête de message n'y figure",
            "Enregistrez à nouveau le message depuis votre messagerie.",
        )
    attachments = []
    try:
        for part, origin in _walk(message, name):
            disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
            filename = _attachment_name(part)
            if not filename and disposition != "attachment":
                continue  # the text of the message, an inline picture without a name
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                payload = b""
            attachments.append(
                MessageAttachment(
                    safe_file_name(filename), payload, part.get_content_type(), origin
                )
            )
    except RecursionError as error:
        raise refused(name, "sa structure est imbriquée à l'excès") from error
    return ReceivedMessage(name, message_info(message), tuple(attachments))
