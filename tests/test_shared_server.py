"""A shared PostgreSQL server that restarts, is full or refuses a login: each cause has its own
sentence, an import waits for a server that comes back, and the address reads as typed.

The tests have a server of their own (``pg_servers``) that they stop, restart and fill without
disturbing the others. It speaks French, as a server installed in France does: nothing may hang
on the words of its messages. A test acts when the program says where it is (a session waiting
on the write lock, a line on standard error, the dialog's progress text), never after a pause.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from pathlib import Path

import psycopg
import pytest
from conftest import require_private_postgresql
from exchange_support import answer
from pg_servers import PrivateServer
from PySide6.QtCore import Qt
from sqlalchemy.engine import URL

from sradar_desktop.db.engine import WRITE_LOCK_KEY
from sradar_desktop.db.server_reply import ACCEPTED, ask_server
from sradar_desktop.errors import DatabaseError, ServerUnavailableError
from sradar_desktop.services import server_wait
from sradar_desktop.services.answers import read_answers
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.imports import import_files
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id

pytestmark = pytest.mark.postgresql

SRADAR = "sradar-2021-2023"
SERVICES = ("DDETS-44", "DDETS-49", "DDETS-53", "DDETS-72", "DDETS-85")
SECRET = "mot-de-passe-juste"
MAX_CONNECTIONS = 12
LOGIN = "a refusé le nom d'utilisateur ou le mot de passe"
FULL = "a atteint le nombre de connexions qu'il accepte"
RESTARTING = "redémarre ou s'arrête"
UNREACHABLE = "ne répond pas"
WAITS = "attend qu'il soit de nouveau disponible"
# A condition the program is expected to reach: how long before the test gives up.
DEADLINE_S = 60


@pytest.fixture(scope="module")
def server() -> Iterator[PrivateServer]:
    require_private_postgresql()
    own = PrivateServer(
        language="fr",
        max_connections=str(MAX_CONNECTIONS),
        superuser_reserved_connections="3",
    )
    try:
        if shutil.which("openssl") is not None:
            own.use_tls()
        # Roles signed in by the older methods: MD5, and the password in clear (over TLS).
        own.allow_first(
            "host all agent_md5 127.0.0.1/32 md5",
            "host all agent_clair 127.0.0.1/32 password",
        )
        own.start()
        with _connect(own.url) as admin:
            admin.execute(f"CREATE ROLE agent LOGIN PASSWORD '{SECRET}'")
            admin.execute(f"CREATE ROLE agent_limite LOGIN PASSWORD '{SECRET}' CONNECTION LIMIT 1")
            admin.execute(f"CREATE ROLE agent_clair LOGIN PASSWORD '{SECRET}'")
            admin.execute("SET password_encryption = 'md5'")
            admin.execute(f"CREATE ROLE agent_md5 LOGIN PASSWORD '{SECRET}'")
        yield own
    finally:
        own.remove()


@pytest.fixture
def up(server: PrivateServer) -> Iterator[PrivateServer]:
    """The server, running again after the test whatever the test did to it."""
    yield server
    if not server.running:
        server.start()


def _connect(url: URL) -> psycopg.Connection:
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
    )


def _new_database(server: PrivateServer, owner: str = "sradar") -> URL:
    name = f"sradar_{uuid.uuid4().hex[:10]}"
    with _connect(server.url) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER {owner}')
    user, password = (owner, SECRET) if owner != "sradar" else (server.url.username, None)
    url = server.url.set(database=name, username=user)
    return url.set(password=password) if password else url


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One workbook per service, as received by email."""
    folder = tmp_path_factory.mktemp("classeurs")
    source = open_database(folder / "poste.sqlite3")
    try:
        paths = []
        for code in SERVICES:
            answer(source, code, {"1.1.1": ("oui", f"Fait par {code}")}, actor=f"Agent {code}")
            path = folder / f"SRADAR_{code}.xlsx"
            export_workbook(source, path, respondent_code=code)
            paths.append(path)
    finally:
        source.close()
    return paths


def _imported(url: URL) -> list[str]:
    """The services whose workbook is in the database."""
    db = open_database(url)
    try:
        campaign = default_campaign_id(SRADAR)
        return [code for code in SERVICES if read_answers(db, campaign, code)]
    finally:
        db.close()


def _refusal(url: URL) -> DatabaseError:
    with pytest.raises(DatabaseError) as refused:
        open_database(url).close()
    return refused.value


def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait until the program or the server reaches ``condition`` (never a fixed pause)."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"jamais atteint : {what}"
        time.sleep(0.02)


class _WriteLock:
    """Another writer holding the database's write lock: an import that reaches its first
    write waits on it, and the test knows it is there."""

    def __init__(self, url: URL) -> None:
        self.connection = _connect(url)
        self.connection.autocommit = False
        self.connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    def someone_waits(self) -> bool:
        row = self.connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
        return bool(row and row[0])

    def release(self) -> None:
        self.connection.close()


def _hold_until_refused(url: URL, stack: ExitStack) -> None:
    """Open connections as the user of ``url`` until the server refuses one."""
    for _ in range(MAX_CONNECTIONS + 1):
        try:
            stack.enter_context(closing(_connect(url)))
        except psycopg.OperationalError:
            return
    raise AssertionError("le serveur n'a refusé aucune connexion")


def _assert_says(error: DatabaseError, expected: str, *, waitable: bool) -> None:
    message = str(error)
    assert expected in message, message
    assert isinstance(error, ServerUnavailableError) == waitable, message
    if expected != LOGIN:
        assert "mot de passe" not in message, message  # never sent to check a right password
    assert SECRET not in message and "psycopg" not in message, message


# ==== each cause its sentence ===================================================================


def test_a_wrong_password_and_only_it_sends_to_the_password(up):
    for role in ("agent", "agent_md5", "agent_clair", "personne"):
        url = up.url.set(username=role, password="pas-le-bon", database="postgres")
        _assert_says(_refusal(url), LOGIN, waitable=False)
    # The server's answer is read in the protocol, whatever the way of signing in.
    for role in ("agent", "agent_md5", "agent_clair"):
        right = up.url.set(username=role, password=SECRET)
        assert ask_server(right, 10).sqlstate == ACCEPTED, role
        assert ask_server(right.set(password="pas-le-bon"), 10).sqlstate == "28P01", role
    if up.tls:
        secured = up.url.update_query_dict({"sslmode": "require"})
        assert ask_server(secured, 10).sqlstate == ACCEPTED
        assert ask_server(secured.set(password="pas-le-bon"), 10).sqlstate == "28P01"
    missing = _refusal(up.url.set(database="base_absente"))
    assert "n'existe pas sur ce serveur" in str(missing) and "mot de passe" not in str(missing)


def test_a_full_server_is_not_a_wrong_password(up):
    agent = _new_database(up, owner="agent")
    limited = agent.set(username="agent_limite")
    with ExitStack() as held:
        # A role allowed one connection, which it has.
        held.enter_context(closing(_connect(limited)))
        _assert_says(_refusal(limited), FULL, waitable=True)
        # Every ordinary slot taken: « remaining connection slots are reserved », refused
        # after the password was accepted.
        _hold_until_refused(agent, held)
        _assert_says(_refusal(agent), FULL, waitable=True)
        # Every slot taken: « too many clients already », refused before the password.
        _hold_until_refused(up.url, held)
        _assert_says(_refusal(up.url), FULL, waitable=True)
    # Once the others have left, the same address works.
    open_database(agent).close()


def test_a_server_stopping_then_stopped_is_not_a_wrong_password(up):
    url = _new_database(up)
    open_database(url).close()
    with closing(_connect(url)):  # a smart shutdown waits for this session to end
        stopping = up.pg_ctl_process("stop", "-m", "smart")
        _until(lambda: ask_server(url, 10).sqlstate == "57P03", "l'arrêt du serveur")
        _assert_says(_refusal(url), RESTARTING, waitable=True)
    assert stopping.wait(DEADLINE_S) == 0, stopping.stdout.read()
    _assert_says(_refusal(url), UNREACHABLE, waitable=True)


def test_a_read_only_server_sends_to_its_administrator(up, workbooks):
    url = _new_database(up)
    open_database(url).close()
    with _connect(up.url) as admin:
        admin.execute(f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on')
    db = open_database(url)
    try:
        [result] = import_files(db, workbooks[:1])
    finally:
        db.close()
    message = str(result.error)
    assert "n'accepte que la lecture" in message and "administrateur du serveur" in message
    assert "dossier" not in message, message  # not the sentence of a read-only file


# ==== the address as typed ======================================================================


def test_the_address_reads_as_typed(up, data_dir):
    typed = (
        f"postgresql://agent:{SECRET}@127.0.0.1:{up.port}/base_absente",
        f"postgresql://agent@127.0.0.1:{up.port}/base_absente?password={SECRET}",
    )
    shown = (
        f"postgresql://agent:***@127.0.0.1:{up.port}/base_absente",
        f"postgresql://agent@127.0.0.1:{up.port}/base_absente?password=***",
    )
    for address, expected in zip(typed, shown, strict=True):
        done = _cli("--db", address, "questionnaires", data_dir=data_dir).communicate(
            timeout=DEADLINE_S
        )
        lines = done[1].splitlines()
        assert len(lines) == 1 and expected in lines[0], lines
        assert "n'existe pas sur ce serveur" in lines[0]
        assert "psycopg" not in lines[0] and SECRET not in lines[0]


# ==== an import waits for its server =============================================================


def _cli(*arguments: str, data_dir: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "sradar_desktop", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )


def _address(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _shown(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def _import_blocked_on_the_lock(url: URL, workbooks: list[Path], data_dir: Path):
    """The command line importing ``workbooks``, held at its first write by another writer."""
    open_database(url).close()  # created and migrated beforehand: the import only imports
    lock = _WriteLock(url)
    command = _cli(
        "--db", _address(url), "import", *map(str, workbooks), "--as", "Secrétariat",
        data_dir=data_dir,
    )  # fmt: skip
    _until(lambda: lock.someone_waits() or command.poll() is not None, "l'import en attente")
    assert command.poll() is None, command.communicate()
    return command, lock


def _numbered(out: str) -> list[str]:
    """The files the import reports, in order, each under the number it got (1, 2, 3…)."""
    files = []
    for number, line in enumerate(
        (line for line in out.splitlines() if line.startswith("Import n° ")), start=1
    ):
        prefix = f"Import n° {number} — "
        assert line.startswith(prefix), out
        files.append(line.removeprefix(prefix).split(" : ", 1)[0])
    return files


def test_an_import_waits_through_a_fast_restart(up, workbooks, data_dir):
    url = _new_database(up)
    command, lock = _import_blocked_on_the_lock(url, workbooks, data_dir)
    try:
        # Sessions ended (the import's in the middle of its transaction), stopped, started.
        up.restart("fast")
    finally:
        lock.release()
    out, err = command.communicate(timeout=server_wait.SERVER_WAIT_S + DEADLINE_S)
    assert command.returncode == 0, err
    waits = err.splitlines()
    assert waits and all(
        line.startswith(f"sradar-desktop : Le serveur de la base de données {_shown(url)} ")
        and f"l'import de « {workbooks[0].name} » {WAITS}" in line
        for line in waits
    ), err
    assert "mot de passe" not in err and "psycopg" not in err
    assert _numbered(out) == [workbook.name for workbook in workbooks], out
    assert _imported(url) == list(SERVICES)


def test_an_import_goes_on_through_a_smart_restart(up, workbooks, data_dir):
    url = _new_database(up)
    command, lock = _import_blocked_on_the_lock(url, workbooks, data_dir)
    restart = up.pg_ctl_process("restart", "-m", "smart", "-l", str(up.log))
    try:
        # No new session from now on; those open go on until they end.
        _until(lambda: ask_server(url, 10).sqlstate == "57P03", "l'arrêt du serveur")
    finally:
        lock.release()
    out, err = command.communicate(timeout=DEADLINE_S)
    assert command.returncode == 0, err
    assert "mot de passe" not in err
    assert _numbered(out) == [workbook.name for workbook in workbooks], out
    # The server restarts once the import has left.
    assert restart.wait(DEADLINE_S) == 0, restart.stdout.read()
    assert _imported(url) == list(SERVICES)


def test_an_import_waits_for_a_server_that_comes_back(up, workbooks):
    url = _new_database(up)
    db = open_database(url)
    waits: list[server_wait.Waiting] = []

    def progress(index: int, _path: Path) -> None:
        if index == 2:
            up.stop("fast")

    def waiting(wait: server_wait.Waiting) -> None:
        waits.append(wait)
        if not up.running:
            up.start()

    try:
        results = import_files(db, workbooks, progress=progress, waiting=waiting)
    finally:
        db.close()
    assert [r.error for r in results] == [None] * len(workbooks)
    assert waits and {w.subject for w in waits} == {f"l'import de « {workbooks[2].name} »"}
    assert waits[0].brief == UNREACHABLE and waits[0].location == _shown(url)
    assert WAITS in waits[0].describe()
    assert _imported(url) == list(SERVICES)


def test_a_server_that_does_not_come_back_fails_each_file_by_name(up, workbooks, monkeypatch):
    monkeypatch.setattr(server_wait, "SERVER_WAIT_S", 1.0)
    url = _new_database(up)
    db = open_database(url)
    waited: list[str] = []

    def progress(index: int, _path: Path) -> None:
        if index == 2:
            up.stop("fast")

    try:
        results = import_files(
            db, workbooks, progress=progress, waiting=lambda w: waited.append(w.subject)
        )
    finally:
        db.close()
    assert [r.error for r in results[:2]] == [None, None]
    for result in results[2:]:
        message = str(result.error)
        assert message.startswith(f"Le fichier « {result.path.name} » n'a pas été importé : ")
        assert f"le serveur de la base de données {_shown(url)} {UNREACHABLE}" in message
        assert "mot de passe" not in message
    assert "en vain" in str(results[2].error) and "en vain" not in str(results[3].error)
    # Waited for once: the files after it are tried once each.
    assert set(waited) == {f"l'import de « {workbooks[2].name} »"}
    up.start()
    assert _imported(url) == list(SERVICES[:2])  # each file whole or not at all
    db = open_database(url)
    try:
        again = import_files(db, workbooks)
    finally:
        db.close()
    assert [r.error for r in again] == [None] * len(workbooks)
    assert _imported(url) == list(SERVICES)


def test_a_real_refusal_is_not_waited_for(up, workbooks):
    url = _new_database(up, owner="agent")
    db = open_database(url)
    waits: list[server_wait.Waiting] = []

    def progress(index: int, _path: Path) -> None:
        if index == 1:  # the administrator changes the password and ends the sessions
            with _connect(up.url) as admin:
                admin.execute("ALTER ROLE agent PASSWORD 'un-autre'")
                admin.execute(  # returns once they are gone
                    "SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity "
                    "WHERE usename = 'agent'"
                )

    try:
        results = import_files(db, workbooks, progress=progress, waiting=waits.append)
    finally:
        db.close()
        with _connect(up.url) as admin:
            admin.execute(f"ALTER ROLE agent PASSWORD '{SECRET}'")
    assert results[0].error is None
    for result in results[1:]:
        assert LOGIN in str(result.error), result.error
    # At most the cut connection was waited for; the refused password never.
    assert all(w.brief == "a coupé la connexion" for w in waits), waits
    assert len(waits) <= 1


# ==== the window ================================================================================


def test_the_import_dialog_says_it_waits_for_the_server(qtbot, up, workbooks):
    from ui_support import SIGNAL_TIMEOUT, open_window

    from sradar_desktop.ui.dialogs.import_files import IMPORTED, ImportDialog

    url = _new_database(up)
    db = open_database(url)
    try:
        window = open_window(qtbot, db)
        assert window.database_label.toolTip() == f"Base : {_shown(url)}"
        window.exchange.import_files(workbooks)
        qtbot.waitUntil(lambda: isinstance(window.exchange.dialog, ImportDialog))
        dialog = window.exchange.dialog
        qtbot.waitUntil(lambda: dialog.phase == ImportDialog.PREVIEWED, timeout=SIGNAL_TIMEOUT)
        lock = _WriteLock(url)
        try:
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lock.someone_waits, timeout=SIGNAL_TIMEOUT)
            up.stop("fast")
        finally:
            lock.release()
        qtbot.waitUntil(lambda: WAITS in dialog.progress_label.text(), timeout=SIGNAL_TIMEOUT)
        text = dialog.progress_label.text()
        assert _shown(url) in text and "mot de passe" not in text
        up.start()
        qtbot.waitUntil(lambda: dialog.phase == ImportDialog.DONE, timeout=SIGNAL_TIMEOUT)
        assert [line.state for line in dialog.model.lines] == [IMPORTED] * len(workbooks)
        dialog.close()
        window.close()
    finally:
        db.close()
    assert _imported(url) == list(SERVICES)
