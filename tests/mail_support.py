"""Messages built for the tests as the mail programs write them: ``.eml`` files in the shapes
Outlook and Thunderbird save (quoted-printable text, base64 attachments named in RFC 2231 or
RFC 2047, forwarded messages as ``message/rfc822``, Windows-1252 headers), and Outlook ``.msg``
files written to MS-OXMSG over a compound file written to MS-CFB (olefile only reads them).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# .eml ---------------------------------------------------------------------------------------


def _b64_lines(data: bytes, width: int = 76) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + width] for i in range(0, len(text), width))


def outlook_eml(
    *,
    sender: str,
    sender_name: str,
    subject: str,
    attachments: list[tuple[str, bytes]],
    date: str = "Tue, 16 Mar 2027 10:14:05 +0100",
) -> bytes:
    """As Outlook saves a received message: multipart/mixed › alternative (quoted-printable
    text and HTML in windows-1252), subject and sender name in RFC 2047 words (windows-1252),
    attachment names in RFC 2047 words inside quotes (Outlook's way, not the standard's)."""
    boundary, inner = "_004_PR0P264MB1234EURP_", "_000_PR0P264MB1234EURP_"

    def word(text: str) -> str:
        return (
            "=?windows-1252?Q?"
            + "".join(
                c if c.isalnum() and c.isascii() else f"={b:02X}"
                for c in text
                for b in c.encode("cp1252")
            )
            + "?="
        )

    parts = [
        f"From: {word(sender_name)} <{sender}>",
        "To: =?windows-1252?Q?Secr=E9tariat_SGAR?= <sgar@example.gouv.fr>",
        f"Subject: {word(subject)}",
        "Thread-Topic: " + word(subject),
        f"Date: {date}",
        "Message-ID: <PR0P264MB1234@PR0P264MB1234.FRAP264.PROD.OUTLOOK.COM>",
        "Accept-Language: fr-FR, en-US",
        "Content-Language: fr-FR",
        "X-MS-Has-Attach: yes",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "MIME-Version: 1.0",
        "",
        f"--{boundary}",
        f'Content-Type: multipart/alternative; boundary="{inner}"',
        "",
        f"--{inner}",
        'Content-Type: text/plain; charset="windows-1252"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Bonjour,=0D=0A=0D=0AVeuillez trouver ci-joint nos r=E9ponses =E0 l=92=E9valuati=",
        "on.=0D=0A=0D=0ACordialement,",
        "",
        f"--{inner}",
        'Content-Type: text/html; charset="windows-1252"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "<html><body><p>Bonjour,</p><p>Veuillez trouver ci-joint nos r=E9ponses.</p></bod=",
        "y></html>",
        "",
        f"--{inner}--",
        "",
    ]
    for name, data in attachments:
        encoded = "=?utf-8?B?" + base64.b64encode(name.encode()).decode() + "?="
        parts += [
            f"--{boundary}",
            f'Content-Type: {XLSX_TYPE}; name="{encoded}"',
            f"Content-Description: {encoded}",
            f'Content-Disposition: attachment; filename="{encoded}"; size={len(data)};',
            '\tcreation-date="Tue, 16 Mar 2027 09:10:11 GMT"',
            "Content-Transfer-Encoding: base64",
            "",
            _b64_lines(data),
            "",
        ]
    parts += [f"--{boundary}--", ""]
    return "\r\n".join(parts).encode("ascii")


def _percent(character: str) -> str:
    return "".join(f"%{b:02X}" for b in character.encode())


def thunderbird_eml(
    *,
    sender: str,
    sender_name: str,
    subject: str,
    attachments: list[tuple[str, bytes]],
    forwarded: bytes | None = None,
    date: str = "Wed, 17 Mar 2027 08:02:44 +0100",
    raw_headers: bool = False,
) -> bytes:
    """As Thunderbird writes a message: UTF-8 text in quoted-printable (format=flowed), names
    in RFC 2231 (``filename*0*=UTF-8''…`` continuations), an optional forwarded message as a
    ``message/rfc822`` part. ``raw_headers``: the subject and sender name as raw Windows-1252
    bytes, as some old programs send them (no RFC 2047)."""
    # Each message its own boundary, as Thunderbird draws them at random.
    boundary = "------------" + hashlib.sha1(subject.encode()).hexdigest()[:24]
    if raw_headers:
        head = [
            b"From: " + sender_name.encode("cp1252") + f" <{sender}>".encode(),
            b"Subject: " + subject.encode("cp1252"),
        ]
    else:
        from email.header import Header

        head = [
            f"From: {Header(sender_name, 'utf-8').encode()} <{sender}>".encode(),
            f"Subject: {Header(subject, 'utf-8').encode()}".encode(),
        ]
    lines: list[bytes] = [
        b"Message-ID: <8f2c1d3e-1a2b-4c5d-9e8f-0123456789ab@example.gouv.fr>",
        f"Date: {date}".encode(),
        b"MIME-Version: 1.0",
        b"User-Agent: Mozilla Thunderbird",
        b"Content-Language: fr",
        b"To: sgar@example.gouv.fr",
        *head,
        f'Content-Type: multipart/mixed; boundary="{boundary}"'.encode(),
        b"",
        b"This is a multi-part message in MIME format.",
        f"--{boundary}".encode(),
        b"Content-Type: text/plain; charset=UTF-8; format=flowed",
        b"Content-Transfer-Encoding: quoted-printable",
        b"",
        b"Bonjour,",
        b"",
        b"Voici nos r=C3=A9ponses =C2=AB =C3=A0 confirmer =C2=BB, compl=C3=A9t=C3=A9es=",
        b".",
        b"",
    ]
    for name, data in attachments:
        quoted = "".join(
            c if c.isascii() and (c.isalnum() or c in "-_.") else _percent(c) for c in name
        )
        # Thunderbird cuts long RFC 2231 values into numbered pieces.
        pieces = [quoted[i : i + 40] for i in range(0, len(quoted), 40)]
        disposition = ["Content-Disposition: attachment;"] + [
            f" filename*{n}*={'UTF-8' + chr(39) * 2 if n == 0 else ''}{piece}"
            + (";" if n < len(pieces) - 1 else "")
            for n, piece in enumerate(pieces)
        ]
        lines += [
            f"--{boundary}".encode(),
            f"Content-Type: {XLSX_TYPE};".encode(),
            b' name="' + name.encode("ascii", "replace").replace(b"?", b"_") + b'"',
            *(d.encode() for d in disposition),
            b"Content-Transfer-Encoding: base64",
            b"",
            _b64_lines(data).encode(),
            b"",
        ]
    if forwarded is not None:
        lines += [
            f"--{boundary}".encode(),
            b'Content-Type: message/rfc822; name="Transfert.eml"',
            b'Content-Disposition: attachment; filename="Transfert.eml"',
            b"",
            forwarded,
            b"",
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines)


# MS-CFB -------------------------------------------------------------------------------------

_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NONE = 0xFFFFFFFF


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    left: int = _NONE
    right: int = _NONE
    child: int = _NONE
    start: int = _END
    size: int = 0


def _tree(root: dict) -> _Entry:
    """``{"name": bytes | dict}`` → entries: a dict is a storage, bytes a stream."""

    def build(name: str, value: object, kind: int | None = None) -> _Entry:
        if isinstance(value, dict):
            entry = _Entry(name, kind or 1)
            entry.children = [build(k, v) for k, v in value.items()]
            return entry
        assert isinstance(value, bytes)
        return _Entry(name, 2, value)

    return build("Root Entry", root, 5)


def _key(entry: _Entry) -> tuple[int, str]:
    return len(entry.name), entry.name.upper()


def write_cfb(root: dict) -> bytes:
    """A compound file (MS-CFB version 3) holding ``root``'s storages and streams."""
    top = _tree(root)
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.index = len(entries)
        entries.append(entry)
        for child in entry.children:
            number(child)

    number(top)

    def siblings(items: list[_Entry]) -> int:
        if not items:
            return _NONE
        middle = len(items) // 2
        node = items[middle]
        node.left = siblings(items[:middle])
        node.right = siblings(items[middle + 1 :])
        return node.index

    for entry in entries:
        if entry.kind in (1, 5):
            entry.child = siblings(sorted(entry.children, key=_key))

    fat: list[int] = []
    sectors: list[bytes] = []

    def allocate(data: bytes) -> int:
        if not data:
            return _END
        count = (len(data) + _SECTOR - 1) // _SECTOR
        first = len(sectors)
        for n in range(count):
            sectors.append(data[n * _SECTOR : (n + 1) * _SECTOR].ljust(_SECTOR, b"\0"))
            fat.append(first + n + 1 if n < count - 1 else _END)
        return first

    mini = bytearray()
    minifat: list[int] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if entry.size >= _CUTOFF:
            entry.start = allocate(entry.data)
        elif entry.size:
            count = (entry.size + _MINI - 1) // _MINI
            first = len(mini) // _MINI
            mini += entry.data.ljust(count * _MINI, b"\0")
            minifat += [first + n + 1 if n < count - 1 else _END for n in range(count)]
            entry.start = first
    top.start = allocate(bytes(mini))
    top.size = len(mini)

    directory = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-16-le") + b"\0\0"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            entry.kind,
            1,  # black
            entry.left,
            entry.right,
            entry.child,
            b"\0" * 16,
            0,
            0,
            0,
            entry.start if entry.kind != 1 else 0,
            entry.size,
        )
    while len(directory) % _SECTOR:
        empty = (b"", 0, 0, 0, _NONE, _NONE, _NONE, b"", 0, 0, 0, 0, 0)
        directory += struct.pack("<64sHBBIII16sIQQIQ", *empty)
    first_directory = allocate(bytes(directory))
    minifat_bytes = b"".join(struct.pack("<I", n) for n in minifat)
    first_minifat = allocate(minifat_bytes) if minifat else _END
    minifat_sectors = (len(minifat_bytes) + _SECTOR - 1) // _SECTOR

    fat_sectors = 0
    while (len(sectors) + fat_sectors) > fat_sectors * (_SECTOR // 4):
        fat_sectors += 1
    assert fat_sectors <= 109
    fat_ids = list(range(len(sectors), len(sectors) + fat_sectors))
    fat += [_FAT] * fat_sectors
    fat += [_FREE] * (fat_sectors * (_SECTOR // 4) - len(fat))
    table = b"".join(struct.pack("<I", n) for n in fat)
    for n in range(fat_sectors):
        sectors.append(table[n * _SECTOR : (n + 1) * _SECTOR])

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        first_directory,
        0,
        _CUTOFF,
        first_minifat,
        minifat_sectors,
        _END,
        0,
    )
    difat = fat_ids + [_FREE] * (109 - len(fat_ids))
    header += b"".join(struct.pack("<I", n) for n in difat)
    assert len(header) == _SECTOR
    return header + b"".join(sectors)


# MS-OXMSG -----------------------------------------------------------------------------------

PT_LONG, PT_BOOLEAN, PT_SYSTIME = 0x0003, 0x000B, 0x0040
PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x001E, 0x001F, 0x0102, 0x000D


@dataclass
class MsgAttachment:
    name: str
    data: bytes = b""
    mime: str = XLSX_TYPE
    embedded: MsgMessage | None = None


@dataclass
class MsgMessage:
    subject: str
    sender_name: str
    sender: str  # the SMTP address
    sent_at: datetime = datetime(2027, 3, 16, 9, 14, 5, tzinfo=UTC)
    attachments: list[MsgAttachment] = field(default_factory=list)
    unicode: bool = True  # PT_STRING8 in windows-1252 otherwise (older Outlook, ANSI files)
    exchange_sender: bool = False  # the sender as an Exchange (X500) address + SMTP property


def _filetime(moment: datetime) -> int:
    delta = moment - datetime(1601, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _properties(
    header: bytes, fixed: list[tuple[int, int, bytes]], variable: dict[str, bytes]
) -> tuple[bytes, dict[str, bytes]]:
    """The properties stream (fixed values inline, sizes of the variable ones) and the
    ``__substg1.0_`` streams."""
    stream = bytearray(header)
    streams: dict[str, bytes] = {}
    for prop, kind, value in fixed:
        stream += struct.pack("<II8s", (prop << 16) | kind, 0x6, value)
    for name, data in variable.items():
        prop, kind = int(name[:4], 16), int(name[4:], 16)
        size = len(data) + (2 if kind == PT_UNICODE else 1 if kind == PT_STRING8 else 0)
        stream += struct.pack("<IIII", (prop << 16) | kind, 0x6, size, 0)
        streams[f"__substg1.0_{name}"] = data
    return bytes(stream), streams


def _text(message: MsgMessage, prop: int, text: str) -> tuple[str, bytes]:
    if message.unicode:
        return f"{prop:04X}{PT_UNICODE:04X}", text.encode("utf-16-le")
    return f"{prop:04X}{PT_STRING8:04X}", text.encode("cp1252")


def _message_storage(message: MsgMessage, *, top: bool) -> dict:
    variable = dict(
        [
            _text(message, 0x001A, "IPM.Note"),
            _text(message, 0x0037, message.subject),
            _text(message, 0x0C1A, message.sender_name),
            _text(message, 0x0042, message.sender_name),
            _text(message, 0x0E04, "Secrétariat SGAR"),
            _text(message, 0x1000, "Bonjour,\r\nVeuillez trouver ci-joint nos réponses."),
        ]
    )
    if message.exchange_sender:
        variable.update(
            [
                _text(message, 0x0C1F, "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=X"),
                _text(message, 0x0C1E, "EX"),
                _text(message, 0x5D01, message.sender),
            ]
        )
    else:
        variable.update([_text(message, 0x0C1F, message.sender), _text(message, 0x0C1E, "SMTP")])
    sent = struct.pack("<Q", _filetime(message.sent_at))
    fixed = [
        (0x0039, PT_SYSTIME, sent),
        (0x0E06, PT_SYSTIME, sent),
        (0x0E07, PT_LONG, struct.pack("<I4x", 0x1)),  # read
        (0x3FFD, PT_LONG, struct.pack("<I4x", 1252)),
        (0x340D, PT_LONG, struct.pack("<I4x", 0x00040000 if message.unicode else 0)),
    ]
    count = len(message.attachments)
    header = (
        struct.pack("<8xIIII8x", 1, count, 1, count)
        if top
        else struct.pack("<8xIIII", 1, count, 1, count)
    )
    stream, streams = _properties(header, fixed, variable)
    storage: dict = {"__properties_version1.0": stream, **streams}
    recipient_variable = dict(
        [
            _text(message, 0x3001, "Secrétariat SGAR"),
            _text(message, 0x3003, "sgar@example.gouv.fr"),
            _text(message, 0x3002, "SMTP"),
        ]
    )
    recipient, recipient_streams = _properties(
        b"\0" * 8, [(0x0C15, PT_LONG, struct.pack("<I4x", 1))], recipient_variable
    )
    storage["__recip_version1.0_#00000000"] = {
        "__properties_version1.0": recipient,
        **recipient_streams,
    }
    for number, attachment in enumerate(message.attachments):
        names = dict(
            [
                _text(message, 0x3707, attachment.name),
                _text(message, 0x3704, attachment.name[:8]),
                _text(message, 0x3001, attachment.name),
                _text(message, 0x370E, attachment.mime),
                _text(message, 0x3703, "." + attachment.name.rpartition(".")[2]),
            ]
        )
        if attachment.embedded is not None:
            method = 5
            content = {"__substg1.0_3701000D": _message_storage(attachment.embedded, top=False)}
            names.pop(f"{0x370E:04X}{PT_UNICODE if message.unicode else PT_STRING8:04X}")
        else:
            method = 1
            names["37010102"] = attachment.data
            content = {}
        fixed = [
            (0x3705, PT_LONG, struct.pack("<I4x", method)),
            (0x0E21, PT_LONG, struct.pack("<I4x", number)),
            (0x370B, PT_LONG, struct.pack("<i4x", -1)),
        ]
        stream, streams = _properties(b"\0" * 8, fixed, names)
        storage[f"__attach_version1.0_#{number:08X}"] = {
            "__properties_version1.0": stream,
            **streams,
            **content,
        }
    if top:
        storage["__nameid_version1.0"] = {
            "__substg1.0_00020102": b"",
            "__substg1.0_00030102": b"",
            "__substg1.0_00040102": b"",
        }
    return storage


def build_msg(message: MsgMessage) -> bytes:
    """An Outlook ``.msg`` file of ``message``."""
    return write_cfb(_message_storage(message, top=True))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
