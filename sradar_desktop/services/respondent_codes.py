"""Respondent codes as every use case takes them (typed in a window, on the command line, read
in a file): the domain's one rule (``domain.respondents``), a code that cannot be one refused
with a French ``UserError``. Pure: the file pipeline uses it without a database."""

from __future__ import annotations

from sradar_desktop.domain.respondents import respondent_code
from sradar_desktop.errors import UserError


def normalise_respondent_code(code: str) -> str:
    """``ddets 44`` → ``DDETS-44`` (see ``domain.respondents``). Raises ``UserError`` for a code
    that cannot be one."""
    try:
        return respondent_code(code)
    except ValueError as error:
        message = str(error)
        raise UserError(f"{message[:1].upper()}{message[1:]}.") from None
