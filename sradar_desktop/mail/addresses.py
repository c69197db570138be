"""Email addresses as a secretariat types them: checked, normalised, compared.

A service may have several addresses (a functional mailbox and a person, say), typed separated by
commas or semicolons, each bare (``ddets-44@example.gouv.fr``) or with a name
(``DDETS 44 <ddets-44@example.gouv.fr>``). They are kept as bare addresses separated by ", ".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import getaddresses

# RFC 5321 caps a path at 256 octets, 254 of them the address.
MAX_ADDRESS = 254
MAX_ADDRESSES = 10
EXAMPLE = "ddets-44@example.gouv.fr"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    rf"@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}"
)


class AddressError(ValueError):
    """An address that is not one; ``str()`` is a French sentence fragment."""


def check_address(text: str) -> str:
    """One bare address, checked (``AddressError`` otherwise), domain in lower case."""
    address = text.strip().strip("<>").strip()
    if not address:
        raise AddressError("l'adresse de courriel est vide")
    if len(address) > MAX_ADDRESS or not _ADDRESS.fullmatch(address):
        raise _not_an_address(text)
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def parse_addresses(text: str) -> tuple[str, ...]:
    """The addresses typed in ``text`` (empty for a blank text); ``AddressError`` for anything
    that is not an address, naming it."""
    if not text or not text.strip():
        return ()
    found: list[str] = []
    for piece in re.split(r"[;\n]", text):
        if not piece.strip():
            continue
        # Commas separate addresses too, except inside a quoted name (« "Dupont, Jean" <…> »).
        pairs = [pair for pair in getaddresses([piece]) if any(pair)]
        if not pairs:
            raise _not_an_address(piece)
        for _name, bare in pairs:
            try:
                address = check_address(bare)
            except AddressError:
                raise _not_an_address(piece) from None
            if not any(same_address(address, known) for known in found):
                found.append(address)
    if len(found) > MAX_ADDRESSES:
        raise AddressError(f"{len(found)} adresses, c'est plus que les {MAX_ADDRESSES} permises")
    return tuple(found)


def _not_an_address(text: str) -> AddressError:
    return AddressError(
        f"« {text.strip()[:80]} » n'est pas une adresse de courriel (par exemple {EXAMPLE})"
    )


def address_text(addresses: Iterable[str]) -> str:
    """Addresses as they are kept and shown: separated by ", "."""
    return ", ".join(addresses)


def same_address(first: str, second: str) -> bool:
    """Whether two addresses reach the same mailbox, as mail servers of the State treat them
    (the case of an address is not significant in practice)."""
    return first.strip().casefold() == second.strip().casefold()
