"""Text clean-up shared by every reader of plans and workbooks."""

from __future__ import annotations

import html
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_BLOCK_TAGS = re.compile(r"<\s*(?:li|br|p|div|tr)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_BULLET = re.compile(r"\s*[◦•▪‣·]\s*")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """A key for comparing what people type: no accents, no case, single spaces."""
    return _SPACES.sub(" ", strip_accents(text).casefold()).strip()


def slugify(text: str, max_length: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", strip_accents(text).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def html_to_text(text: str) -> str:
    """Turn an HTML fragment pasted into a cell into readable lines with ◦ bullets."""
    if "<" not in text and "&" not in text and not _BULLET.search(text):
        return text
    text = _BLOCK_TAGS.sub("\n◦ ", text)
    text = _ANY_TAG.sub(" ", text)
    text = html.unescape(text)
    # Bullets typed inline ("en : ◦ informant … ◦ expérimentant …") each get their own line.
    text = _BULLET.sub("\n◦ ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line and line != "◦"]
    return "\n".join(lines)


def clean_cell(value: object) -> str:
    """A cell's text as a person reads it: no stray spaces or HTML, line breaks kept."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = html_to_text(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
