"""Text clean-up shared by every reader of plans and workbooks."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HTML_TAG = re.compile(
    r"</?\s*(?:ul|ol|li|br|p|div|span|b|i|u|em|strong|font|table|tr|td)\b[^<>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = re.compile(r"<\s*(?:li|br|p|div|tr)\b[^<>]*>", re.IGNORECASE)
_BULLET = re.compile(r"\s*[◦•▪]\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def one_line(text: str) -> str:
    """A title on one line: line breaks and runs of spaces become single spaces."""
    return " ".join(text.split())


# Ligatures are letters of their own for Unicode, not accented ones: « œuvre » must match
# « oeuvre » as « été » matches « ete ».
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """A key for comparing what people type: no accents, no ligatures, no case, single
    spaces."""
    return _SPACES.sub(" ", strip_accents(text).casefold().translate(_LIGATURES)).strip()


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    """A character class of every combining mark of the basic plane, as ranges."""
    codes = [c for c in range(0x10000) if unicodedata.combining(chr(c))]
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]")


def search_key(text: str) -> str:
    """``fold`` for searching, fast on long texts and without a cache: folding 5,000 action
    texts when a plan opens must be quick, so one regular expression removes the accents (in
    C) rather than a test on each character."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    if not decomposed.isascii():
        decomposed = _combining_marks().sub("", decomposed).translate(_LIGATURES)
    return " ".join(decomposed.split())


def slugify(text: str, max_length: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", strip_accents(text).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def html_to_text(text: str) -> str:
    """Turn an HTML fragment pasted into a cell into readable lines with ◦ bullets.

    Only real tags count: « <5 % et >2 % » or « R&D » are left alone.
    """
    if not _HTML_TAG.search(text):
        return text
    text = _BLOCK_TAGS.sub("\n◦ ", text)
    text = _HTML_TAG.sub(" ", text)
    from html import unescape  # here: its table of entities is rarely needed, at start never

    text = unescape(text)
    # Bullets typed inline in the fragment ("en : ◦ informant … ◦ expérimentant …") each get
    # their own line.
    text = _BULLET.sub("\n◦ ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line and line != "◦"]
    return "\n".join(lines)


def clean_cell(value: object) -> str:
    """A cell's text as a person reads it: no stray spaces or HTML, line breaks kept."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed 2 in a spreadsheet reads 2.0
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = html_to_text(_CONTROL.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters: past that, cut after the last
    whole word that fits (in a word only when it is the first), with « … »."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def plural(n: int, singular: str, plural: str | None = None) -> str:
    """The word agreeing with ``n``: ``renseignée`` for 0 or 1, ``renseignées`` from 2 (French:
    0 and 1 take the singular)."""
    return singular if abs(n) < 2 else (plural or singular + "s")


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """``1 réponse``, ``2 réponses``, ``0 réponse``."""
    return f"{n} {plural(n, singular, plural_form)}"
