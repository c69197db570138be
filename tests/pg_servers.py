"""PostgreSQL servers of the tests' own, from the local binaries (``initdb``, ``pg_ctl``).

Each has its data in a temporary folder, listens on a free port of 127.0.0.1 and on a Unix
socket in that folder, and asks for a password (SCRAM). PostgreSQL refuses to run as root: when
the tests run as root, the server runs as the unprivileged ``postgres`` user (or ``nobody``),
which owns its folder. A test may stop, start and restart its server, or change its settings.
``PrivateServer(language="fr")`` speaks French, as a server installed in France does: what the
program understands of it must not hang on the words.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL

try:
    import pwd
except ImportError:  # Windows: no root to step down from
    pwd = None

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
USER = "sradar"
PASSWORD = "sradar"
# Quick servers: the tests never need to survive a power cut.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "max_connections": "40",
    "log_min_messages": "warning",
}


def pg_bin() -> Path | None:
    """The folder of the newest PostgreSQL binaries installed, if any."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent  # the whole set: initdb, postgres
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda found: [int(n) for n in re.findall(r"\d+", Path(found).parts[-3])],
    )
    return Path(candidates[-1]).parent if candidates else None


def _unprivileged_account():
    """The account the server runs as under root: ``postgres``, or else ``nobody``."""
    if pwd is None:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def unavailable_reason() -> str | None:
    """Why no private server can be started here, or ``None`` when one can."""
    if pg_bin() is None:
        return "les programmes de PostgreSQL (initdb, pg_ctl) ne sont pas installés"
    if IS_ROOT and (shutil.which("runuser") is None or _unprivileged_account() is None):
        return "sous root, il faut runuser et un compte postgres ou nobody pour les lancer"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateServer:
    """One throwaway PostgreSQL server; ``stop()`` then ``remove()`` when done."""

    def __init__(self, *, language: str = "", **settings: str) -> None:
        reason = unavailable_reason()
        if reason is not None:
            raise RuntimeError(reason)
        self.bin = pg_bin()
        # Not under pytest's own temporary folder: root keeps that one to itself, and the
        # unprivileged account must reach its data.
        self.folder = Path(tempfile.mkdtemp(prefix="sradar-pg-"))
        self.data = self.folder / "donnees"
        self.log = self.folder / "serveur.log"
        self.port = free_port()
        self.account = _unprivileged_account() if IS_ROOT else None
        self.tls = False
        # gettext follows LANGUAGE when the server's lc_messages is not plain C.
        self.env = {**os.environ, "LC_ALL": "C"}
        if language:
            self.env["LANGUAGE"] = language
            settings = {"lc_messages": "'C.UTF-8'", **settings}
        try:
            password_file = self.folder / "mot-de-passe"
            password_file.write_text(PASSWORD + "\n")
            if self.account is not None:
                os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
                os.chown(password_file, self.account.pw_uid, self.account.pw_gid)
            self._run(
                "initdb",
                "--no-sync",
                "-D",
                str(self.data),
                "-U",
                USER,
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
                "-E",
                "UTF8",
                "--locale=C",
            )
            password_file.unlink()
            self.configure(
                **{
                    **SETTINGS,
                    "port": str(self.port),
                    "unix_socket_directories": f"'{self.folder}'",
                    **settings,
                }
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    @property
    def url(self) -> URL:
        """The administrator's URL (a superuser, on the ``postgres`` database)."""
        return URL.create("postgresql+psycopg", USER, PASSWORD, "127.0.0.1", self.port, "postgres")

    def configure(self, **settings: str) -> None:
        """Settings for the next start (later lines win in postgresql.conf)."""
        lines = "".join(f"{name} = {value}\n" for name, value in settings.items())
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(lines)

    def allow_first(self, *lines: str) -> None:
        """Put ``lines`` at the top of pg_hba.conf (the first line that matches decides),
        then have the server read it again."""
        hba = self.data / "pg_hba.conf"
        hba.write_text("".join(f"{line}\n" for line in lines) + hba.read_text())
        if self.running:
            self.pg_ctl("reload")

    def use_tls(self) -> None:
        """TLS with a self-signed certificate, from the next start (``openssl`` needed)."""
        subprocess.run(
            [
                "openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", str(self.data / "server.key"), "-out", str(self.data / "server.crt"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        for name in ("server.key", "server.crt"):
            (self.data / name).chmod(0o600)
            if self.account is not None:
                os.chown(self.data / name, self.account.pw_uid, self.account.pw_gid)
        self.configure(ssl="on")
        self.tls = True

    def _command(self, program: str, *arguments: str) -> list[str]:
        command = [str(self.bin / program), *arguments]
        if self.account is not None:
            command = ["runuser", "-u", self.account.pw_name, "--", *command]
        return command

    def _run(self, program: str, *arguments: str) -> str:
        done = subprocess.run(
            self._command(program, *arguments),
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.folder,
            timeout=120,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(arguments)} : {done.stderr}\n{log}")
        return done.stdout

    def pg_ctl(self, action: str, *arguments: str) -> str:
        """``pg_ctl action`` on this server, waiting until it is done."""
        return self._run("pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", *arguments)

    def pg_ctl_process(self, action: str, *arguments: str) -> subprocess.Popen:
        """``pg_ctl action`` started in the background (for a restart that waits on clients)."""
        return subprocess.Popen(
            self._command("pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", *arguments),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            cwd=self.folder,
        )

    def start(self) -> None:
        self.pg_ctl("start", "-l", str(self.log))

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.pg_ctl("restart", "-m", mode, "-l", str(self.log))

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
