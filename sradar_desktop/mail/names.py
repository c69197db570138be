"""File names that are safe on Windows, for the drafts written and the attachments read.

A name that comes from a message is hostile: it may hold a path (``..\\..\\Démarrage\\x.xlsx``),
characters Windows refuses (``<>:"/\\|?*``, control characters), a reserved device name
(``CON``, ``NUL.xlsx``, ``COM1``), trailing dots or spaces, or be very long. What remains is a
plain name that stays inside the folder it is written to.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 120
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$", re.I)


def safe_file_name(name: str, default: str = "piece-jointe") -> str:
    """A plain file name from ``name``: its last path component, without characters Windows
    refuses, not a reserved device name, at most ``MAX_NAME`` characters (the extension kept).
    ``default`` when nothing is left."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    if not name or set(name) <= {"_", "."}:
        name = default
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if _RESERVED.match(stem.split(".")[0].strip()):
        stem = f"_{stem}"
    suffix = suffix[:16]
    room = MAX_NAME - (len(suffix) + 1 if suffix else 0)
    stem = stem[:room].rstrip(" .") or default
    return f"{stem}.{suffix}" if suffix else stem
