"""What a PostgreSQL server answers to a new connection, read in its protocol.

libpq reports a connection refused at start-up (a wrong password, a server shutting down or
starting up, no free connection left...) with a message in the server's language and without
its SQLSTATE. This module asks again, speaking the protocol itself: the server's refusal
(``ErrorResponse``) carries the SQLSTATE, whatever the language. It signs in as libpq would,
with the password of the address (SCRAM-SHA-256, MD5 or plain password), over TLS when the
server offers it, then hangs up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import socket
import struct
import unicodedata
from dataclasses import dataclass

from sqlalchemy.engine import URL

DEFAULT_PORT = 5432
DEFAULT_SOCKET_FOLDER = "/var/run/postgresql"
ACCEPTED = "00000"  # successful_completion: the server let us in

_PROTOCOL_3 = 196608
_SSL_REQUEST = 80877103
_AUTH_OK, _AUTH_PASSWORD, _AUTH_MD5 = 0, 3, 5
_AUTH_SASL, _AUTH_SASL_CONTINUE, _AUTH_SASL_FINAL = 10, 11, 12
_SCRAM = "SCRAM-SHA-256"


@dataclass(frozen=True)
class Reply:
    """``reached``: something answered at the address. ``sqlstate``: the code of the server's
    refusal, ``ACCEPTED`` when it let us in, ``None`` when that could not be learnt (an
    authentication this module does not speak, no password to give, a broken exchange)."""

    reached: bool
    sqlstate: str | None = None


class _Unknown(Exception):
    """The exchange cannot go on: the refusal stays unknown."""


def ask_server(url: URL, timeout: float) -> Reply:
    """Open a connection to the server of ``url`` as the user of ``url`` and say how the
    server answered."""
    try:
        raw = _open_socket(url, timeout)
    except OSError:
        return Reply(reached=False)
    try:
        with raw:
            stream = _secure(raw, url)
            try:
                return Reply(reached=True, sqlstate=_sign_in(stream, url))
            finally:
                if stream is not raw:
                    stream.close()
    except (OSError, _Unknown, ValueError, KeyError, IndexError, struct.error):
        return Reply(reached=True)


def _option(url: URL, name: str) -> str:
    value = url.query.get(name, "")
    return value[0] if isinstance(value, tuple) else value


def _open_socket(url: URL, timeout: float) -> socket.socket:
    host = url.host or _option(url, "host")
    port = url.port or int(_option(url, "port") or DEFAULT_PORT)
    if host and not host.startswith("/"):
        return socket.create_connection((host, port), timeout=timeout)
    unix = getattr(socket, "AF_UNIX", None)
    if unix is None:
        raise OSError("no Unix socket on this system")
    local = socket.socket(unix)
    try:
        local.settimeout(timeout)
        local.connect(f"{host or DEFAULT_SOCKET_FOLDER}/.s.PGSQL.{port}")
    except OSError:
        local.close()
        raise
    return local


def _secure(raw: socket.socket, url: URL) -> socket.socket:
    """TLS as libpq's ``sslmode`` asks (``prefer`` by default, never on a Unix socket)."""
    mode = _option(url, "sslmode") or "prefer"
    if mode in ("disable", "allow") or raw.family not in (socket.AF_INET, socket.AF_INET6):
        return raw
    raw.sendall(struct.pack("!ii", 8, _SSL_REQUEST))
    answer = _exactly(raw, 1)
    if answer != b"S":
        if mode in ("require", "verify-ca", "verify-full") or answer != b"N":
            raise _Unknown("the server refused TLS")
        return raw
    # Imported here: only a server asks for TLS, and the Windows bundle has no TLS (it reaches
    # no server).
    import ssl

    if mode in ("verify-ca", "verify-full"):
        context = ssl.create_default_context(cafile=_option(url, "sslrootcert") or None)
        context.check_hostname = mode == "verify-full"
    else:
        # libpq's « prefer » and « require » do not check the certificate either.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(raw, server_hostname=url.host or None)


def _exactly(stream: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.recv(size - len(data))
        if not chunk:
            raise _Unknown("the server hung up")
        data += chunk
    return data


def _receive(stream: socket.socket) -> tuple[bytes, bytes]:
    head = _exactly(stream, 5)
    kind, length = head[:1], struct.unpack("!i", head[1:])[0]
    if not 4 <= length <= 1 << 20:
        raise _Unknown("not a PostgreSQL server")
    return kind, _exactly(stream, length - 4)


def _send(stream: socket.socket, kind: bytes, payload: bytes) -> None:
    stream.sendall(kind + struct.pack("!i", len(payload) + 4) + payload)


def _sqlstate(error_fields: bytes) -> str:
    for field in error_fields.split(b"\0"):
        if field[:1] == b"C":
            return field[1:].decode("ascii")
    raise _Unknown("a refusal without SQLSTATE")


def _password(url: URL) -> str:
    password: str | None = url.password if url.password is not None else _option(url, "password")
    password = password or os.environ.get("PGPASSWORD")
    if password is None:
        raise _Unknown("no password to give")
    return str(password)


def _sign_in(stream: socket.socket, url: URL) -> str:
    user = url.username or os.environ.get("PGUSER") or _system_user()
    parameters = {
        "user": user,
        "database": url.database or user,
        "application_name": "SRADAR Desktop (diagnostic)",
    }
    body = b"".join(f"{k}\0{v}\0".encode() for k, v in parameters.items()) + b"\0"
    stream.sendall(struct.pack("!ii", len(body) + 8, _PROTOCOL_3) + body)
    scram: _ScramClient | None = None
    while True:
        kind, payload = _receive(stream)
        if kind == b"E":
            return _sqlstate(payload)
        if kind == b"Z":  # ReadyForQuery: in; say goodbye
            _send(stream, b"X", b"")
            return ACCEPTED
        if kind != b"R":
            continue  # parameters, notices, the key to cancel: nothing to learn
        code = struct.unpack("!i", payload[:4])[0]
        if code == _AUTH_OK:
            continue
        if code == _AUTH_PASSWORD:
            _send(stream, b"p", _password(url).encode() + b"\0")
        elif code == _AUTH_MD5:
            inner = hashlib.md5((_password(url) + user).encode()).hexdigest().encode()
            outer = hashlib.md5(inner + payload[4:8]).hexdigest()
            _send(stream, b"p", f"md5{outer}\0".encode())
        elif code == _AUTH_SASL:
            if _SCRAM.encode() not in payload[4:].split(b"\0"):
                raise _Unknown("no SASL mechanism in common")
            scram = _ScramClient(_password(url))
            first = scram.first_message()
            _send(
                stream,
                b"p",
                _SCRAM.encode() + b"\0" + struct.pack("!i", len(first)) + first,
            )
        elif code == _AUTH_SASL_CONTINUE and scram is not None:
            _send(stream, b"p", scram.final_message(payload[4:]))
        elif code == _AUTH_SASL_FINAL and scram is not None:
            continue
        else:
            raise _Unknown(f"authentication {code} not spoken here")


def _system_user() -> str:
    import getpass

    return getpass.getuser()


class _ScramClient:
    """The client side of SCRAM-SHA-256 (RFC 5802, 7677), without channel binding."""

    def __init__(self, password: str) -> None:
        # libpq prepares the password with SASLprep; NFKC is its core for usual passwords.
        self.password = unicodedata.normalize("NFKC", password).encode()
        self.nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"

    def first_message(self) -> bytes:
        return f"n,,{self.first_bare}".encode()

    def final_message(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        fields = dict(item.split("=", 1) for item in text.split(","))
        nonce, salt, rounds = fields["r"], base64.b64decode(fields["s"]), int(fields["i"])
        if not nonce.startswith(self.nonce):
            raise _Unknown("a SCRAM nonce that is not ours")
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, rounds)
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        signed = f"{self.first_bare},{text},{without_proof}".encode()
        signature = hmac.new(stored_key, signed, "sha256").digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()
