"""What a respondent code may be: the one rule for codes typed in the app, in a workbook or on
the command line."""

from __future__ import annotations

import re

from sradar_desktop.domain.text import fold

MAX_RESPONDENT_CODE = 64
_ALLOWED = "des lettres, des chiffres et des tirets (par exemple DDETS-44 ou DREETS-PDL)"

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_RESERVED = "TOTAL"  # the totals row of a consolidated workbook


def respondent_code(text: str) -> str:
    """The normal form of a typed code: ``ddets 44`` → ``DDETS-44`` (accents dropped, spaces
    and dashes made one hyphen); ``""`` for a blank. Raises ``ValueError`` with a French
    fragment that says what is allowed, for anything else."""
    normal = _SEPARATORS.sub("-", fold(text).upper()).strip("-")
    if not normal:
        return ""
    if normal == _RESERVED:
        raise ValueError(
            "« Total » est réservé à la ligne des totaux d'un classeur consolidé, ce ne peut pas "
            f"être un répondant : indiquez le code du service, fait de {_ALLOWED}"
        )
    if len(normal) > MAX_RESPONDENT_CODE:
        raise ValueError(
            f"le code « {text.strip()[:20]}… » est trop long ({MAX_RESPONDENT_CODE} caractères "
            f"au plus) : il ne doit contenir que {_ALLOWED}"
        )
    if not _CODE.fullmatch(normal):
        raise ValueError(f"le code « {text.strip()} » ne doit contenir que {_ALLOWED}")
    return normal
