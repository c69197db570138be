"""Checks on files received by email, before any parser sees them.

A spreadsheet is a zip of XML files: its sizes, compression ratios and member count are checked
from the zip directory alone, so that a zip bomb is refused without being decompressed. Other
kinds of files renamed ``.xlsx`` (a PDF, a Word document, an encrypted workbook) are recognised
by their first bytes and refused with a message that says what they are.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sradar_desktop.errors import FileRefusedError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_MEMBER_RATIO = 250
MAX_MEMBERS = 2000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Limits:
    file_bytes: int = MAX_FILE_BYTES
    uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    member_ratio: int = MAX_MEMBER_RATIO
    members: int = MAX_MEMBERS


def _refuse(name: str, reason: str, advice: str) -> FileRefusedError:
    return FileRefusedError(f"Le fichier « {name} » a été refusé : {reason}. {advice}")


def cannot_open(path: Path, error: OSError) -> FileRefusedError:
    """The refusal of a file the system does not let us read (rights, a lock, a network drive)."""
    reason = (
        "vous n'avez pas le droit de l'ouvrir"
        if isinstance(error, PermissionError)
        else f"le système refuse de l'ouvrir ({error.strerror or error})"
    )
    return FileRefusedError(
        f"Le fichier « {path} » ne peut pas être lu : {reason}. Vérifiez vos droits sur ce "
        "fichier (ou copiez-le dans un de vos dossiers), puis réessayez."
    )


def check_size(path: Path, limits: Limits = Limits(), name: str | None = None) -> int:
    """Refuse a file that is missing, unreadable, empty or too large (named ``name``, its own
    name by default). Returns its size."""
    name = name or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FileRefusedError(
            f"Le fichier « {path} » est introuvable. Vérifiez son nom et son dossier."
        ) from None
    except OSError as error:
        raise cannot_open(path, error) from error
    if path.is_dir():
        raise FileRefusedError(f"« {path} » est un dossier, pas un fichier.")
    try:  # readable by whoever runs the app, not only present
        with path.open("rb"):
            pass
    except OSError as error:
        raise cannot_open(path, error) from error
    if size == 0:
        raise _refuse(name, "il est vide", "Demandez à l'expéditeur de vous le renvoyer.")
    if size > limits.file_bytes:
        raise _refuse(
            name,
            f"il pèse {size // (1024 * 1024)} Mo, plus que la limite de "
            f"{limits.file_bytes // (1024 * 1024)} Mo",
            "Vérifiez qu'il s'agit bien du bon classeur.",
        )
    return size


SNIFF_BYTES = 512


def sniff(head: bytes) -> str:
    """What the first bytes of a file (``SNIFF_BYTES`` of them) say it is: zip, ole, pdf, html
    or other."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    lowered = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or (
        lowered.startswith(b"<") and b"<html" in lowered
    ):
        return "html"
    return "other"


@dataclass(frozen=True, eq=False)
class Spreadsheet:
    """A received spreadsheet that passed the checks, read from its file once.

    ``data`` is the file as it was read; for the zip kinds (``.xlsx``, ``.ods``), ``parts`` are
    its members decompressed, every one of them when they add up to ``UNPACKED_BYTES`` at most
    (``None`` otherwise: larger workbooks are read member by member from ``data``). The checks,
    the scan of the sheets and the spreadsheet parser then all read the same bytes, decompressed
    once (see ``cells.read_sheets``)."""

    path: Path
    name: str
    kind: str  # "xlsx", "ods" or "xls"
    data: bytes
    parts: dict[str, bytes] | None = None

    def archive(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.data))

    def part(self, member: str) -> bytes:
        """A member of the zip, decompressed (``KeyError`` when there is none)."""
        if self.parts is not None:
            return self.parts[member]
        with self.archive() as archive:
            return archive.read(member)


# Members decompressed at once, in all: beyond, a workbook's members are read one at a time
# (its sheets streamed by the scan), so that memory stays bounded by the file's own size.
UNPACKED_BYTES = 64 * 1024 * 1024


def open_spreadsheet(path: Path, limits: Limits = Limits(), name: str | None = None) -> Spreadsheet:
    """Read and check a received spreadsheet (named ``name``, its own name by default). Raises
    ``FileRefusedError`` for a file that is not a safe spreadsheet, saying what it is."""
    name = name or path.name
    check_size(path, limits, name)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise cannot_open(path, error) from error
    kind = sniff(data[:SNIFF_BYTES])
    if kind == "pdf":
        raise _refuse(
            name,
            "c'est un document PDF, pas un classeur",
            "Demandez le classeur Excel (.xlsx) d'origine.",
        )
    if kind == "html":
        raise _refuse(
            name,
            "c'est une page web, pas un classeur",
            "Enregistrez-le au format Excel (.xlsx) puis importez-le à nouveau.",
        )
    if kind == "ole":
        if _ENCRYPTED_MARK in data:
            raise _refuse(
                name,
                "il est protégé par un mot de passe",
                "Ouvrez-le dans Excel ou LibreOffice, retirez le mot de passe, enregistrez-le "
                "puis importez-le à nouveau.",
            )
        if "WordDocument".encode("utf-16-le") in data:
            raise _refuse(
                name,
                "c'est un document Word, pas un classeur",
                "Demandez le classeur Excel (.xlsx) d'origine.",
            )
        return Spreadsheet(path, name, "xls", data)
    if kind != "zip":
        raise _refuse(
            name,
            "ce n'est pas un classeur Excel ou LibreOffice",
            "Vérifiez que vous avez choisi le bon fichier (.xlsx, .ods).",
        )
    return _check_zip(path, data, limits, name)


def _damaged(name: str) -> FileRefusedError:
    return _refuse(
        name,
        "il est incomplet ou endommagé (envoi interrompu, pièce jointe tronquée ?)",
        "Demandez à l'expéditeur de vous le renvoyer.",
    )


def _check_zip(path: Path, data: bytes, limits: Limits, name: str) -> Spreadsheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise _damaged(name) from error
    names = {member.filename for member in members}
    if len(members) > limits.members:
        raise _refuse(
            name,
            f"il contient {len(members)} éléments internes, bien plus qu'un classeur normal",
            "Il n'a pas été ouvert, par précaution.",
        )
    if len(names) < len(members):
        # Two members of one name: readers would not all take the same one.
        raise _damaged(name)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.member_ratio:
            raise _refuse(
                name,
                "il contient des données anormalement compressées (possible « bombe zip »)",
                "Il n'a pas été ouvert, par précaution.",
            )
    if total > limits.uncompressed_bytes:
        raise _refuse(
            name,
            f"une fois décompressé il ferait {total // (1024 * 1024)} Mo, plus que la limite de "
            f"{limits.uncompressed_bytes // (1024 * 1024)} Mo",
            "Il n'a pas été ouvert, par précaution.",
        )
    if "xl/workbook.xml" in names:
        kind = "xlsx"
    elif "content.xml" in names and "mimetype" in names:
        kind = "ods"
    elif "word/document.xml" in names:
        raise _refuse(
            name,
            "c'est un document Word renommé, pas un classeur",
            "Demandez le classeur Excel (.xlsx) d'origine.",
        )
    elif "ppt/presentation.xml" in names:
        raise _refuse(
            name,
            "c'est une présentation PowerPoint renommée, pas un classeur",
            "Demandez le classeur Excel (.xlsx) d'origine.",
        )
    else:
        raise _refuse(
            name,
            "c'est une archive zip qui ne contient pas de classeur",
            "Vérifiez que vous avez choisi le bon fichier (.xlsx, .ods).",
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise _refuse(
            name,
            "son contenu est chiffré (archive protégée par un mot de passe)",
            "Demandez à l'expéditeur de vous le renvoyer sans mot de passe.",
        )
    try:
        with archive:
            parts = _unpacked(data, archive, members) if total <= UNPACKED_BYTES else None
            _check_xml(archive, members, parts, name)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        struct.error,
    ) as error:
        raise _damaged(name) from error
    return Spreadsheet(path, name, kind, data, parts)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _unpacked(
    data: bytes, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> dict[str, bytes]:
    """Every member, decompressed, each one no larger than the zip's directory says and with
    the checksum it declares (as the zip reader checks them). A deflated member is inflated in
    one call (the zip reader's file objects cost more than the inflating, for small members);
    any other method goes through the zip reader."""
    parts = {}
    for member in members:
        if member.is_dir():
            continue
        start = member.header_offset
        header = _LOCAL_HEADER.unpack_from(data, start)
        if header[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile(member.filename)
        begin = start + _LOCAL_HEADER.size + header[9] + header[10]
        raw = data[begin : begin + member.compress_size]
        if member.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            content = inflater.decompress(raw, member.file_size + 1)
        elif member.compress_type == zipfile.ZIP_STORED:
            content = raw
        else:
            content = archive.read(member)
        if len(content) != member.file_size or zlib.crc32(content) != member.CRC:
            raise zipfile.BadZipFile(member.filename)
        parts[member.filename] = content
    return parts


def _check_xml(
    archive: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    parts: dict[str, bytes] | None,
    name: str,
) -> None:
    """Refuse XML with a document type or entity declarations (entity expansion attacks)."""
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        if parts is not None:
            head = parts[member.filename][:4096]
        else:
            with archive.open(member) as handle:
                head = handle.read(4096)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise _refuse(
                name,
                "il contient des déclarations XML interdites (possible tentative d'attaque)",
                "Il n'a pas été ouvert, par précaution.",
            )
