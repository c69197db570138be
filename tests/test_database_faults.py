"""A database that cannot be used says why in French, and says "damaged" only when it is.

Busy, read-only, missing and forbidden databases are healthy: restoring a backup over them would
lose data. Only SQLite's own verdict (SQLITE_CORRUPT, SQLITE_NOTADB) or a failed integrity check
may call a database damaged.

The tests run as root here, and root ignores file permissions through the capabilities
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. The tests drop those two capabilities (in this thread
while a test runs; for the whole child process of a command line), so the kernel applies the
permissions of a chmod'ed file or folder for real. As an ordinary user, that is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import random
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from support import CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, IS_ROOT, obey_file_permissions

from sradar_desktop.db.engine import Fault
from sradar_desktop.errors import (
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
)
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, list_questionnaires

SRADAR = "sradar-2021-2023"
DAMAGE_WORDS = ("endommag", "sauvegarde")
CLI = Path(sys.executable).with_name("sradar-desktop")

_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@contextmanager
def file_permissions_apply() -> Iterator[None]:
    """While inside, this thread obeys file permissions even as root (the capabilities that
    override them are taken out of the effective set, and put back afterwards)."""
    if not IS_ROOT:
        yield
        return
    libc = _libc()
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    assert libc.capget(ctypes.byref(header), data) == 0, ctypes.get_errno()
    saved = data[0].effective
    data[0].effective &= ~((1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH))
    assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()
    try:
        yield
    finally:
        data[0].effective = saved
        assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
        preexec_fn=obey_file_permissions,
    )


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wait a tenth of a second for a lock, not the five seconds a user would wait.
    monkeypatch.setattr("sradar_desktop.db.engine.BUSY_TIMEOUT_MS", 100)


def make_database(path: Path) -> Path:
    """A healthy SRADAR Desktop database with an answer, closed (no -wal/-shm left)."""
    db = open_database(path)
    AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "Agent").set_status("1.1.1", "oui")
    db.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def assert_healthy_fault(error: DatabaseError, *words: str) -> None:
    message = str(error)
    for word in words:
        assert word in message, message
    for word in DAMAGE_WORDS:
        assert word not in message.lower(), message
    assert not isinstance(error, DatabaseDamagedError)


@contextmanager
def exclusive_lock(path: Path, *, journal: str) -> Iterator[None]:
    """Another program that holds the database's exclusive lock (readers wait too): a WAL
    database in exclusive locking mode, or a rollback-journal database in a write."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute(f"PRAGMA journal_mode={journal}")
        if journal == "WAL":
            other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE campaign SET title = title")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def overwrite_pages(path: Path, table: str) -> None:
    """Overwrite the root pages of ``table`` and of its indexes with random bytes, as a bad
    sector would."""
    with closing(sqlite3.connect(path)) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = [
            row[0]
            for row in connection.execute(
                "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 1", (table,)
            )
        ]
    with path.open("r+b") as file:
        for root in roots:
            file.seek((root - 1) * page_size)
            file.write(random.Random(root).randbytes(page_size))
    with closing(sqlite3.connect(path)) as connection:
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError:
            verdict = [("malformed",)]
    assert verdict != [("ok",)]


# ==== busy ========================================================================================


def test_a_write_while_another_program_holds_the_lock_says_busy(tmp_path, short_busy_timeout):
    db = open_database(make_database(tmp_path / "base.sqlite3"))
    service = AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "Agent")
    other = sqlite3.connect(tmp_path / "base.sqlite3", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseBusyError) as error:
            service.set_status("1.1.1", "non")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_healthy_fault(error.value, "occupée", "n'a pas été enregistrée", "réessayez")
    service.set_status("1.1.1", "non")  # once the other program let go
    assert service.load()["1.1.1"].status == "non"
    db.close()


@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
def test_opening_a_database_another_program_locks_says_busy(tmp_path, short_busy_timeout, journal):
    path = make_database(tmp_path / "base.sqlite3")
    with exclusive_lock(path, journal=journal), pytest.raises(DatabaseBusyError) as error:
        open_database(path)
    assert_healthy_fault(error.value, "occupée", "n'a pas pu être ouverte")
    open_database(path).close()


# ==== read-only ===================================================================================


def test_a_read_only_file_is_read_but_a_write_says_read_only(tmp_path):
    path = make_database(tmp_path / "base.sqlite3")
    path.chmod(0o444)
    with file_permissions_apply():
        db = open_database(path)
        service = AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "Agent")
        assert service.load()["1.1.1"].status == "oui"
        with pytest.raises(DatabaseReadOnlyError) as error:
            service.set_status("1.1.1", "non")
        db.close()
    assert_healthy_fault(error.value, "lecture seule", "n'a pas été enregistrée")


def test_a_database_in_a_read_only_folder_says_so(tmp_path):
    folder = tmp_path / "partage"
    folder.mkdir()
    path = make_database(folder / "base.sqlite3")
    folder.chmod(0o555)
    try:
        with file_permissions_apply(), pytest.raises(DatabaseReadOnlyError) as error:
            open_database(path)  # WAL needs its -shm file beside the database
    finally:
        folder.chmod(0o755)
    assert_healthy_fault(error.value, f"Le dossier {folder}", "lecture seule", "n'a pas pu")


def test_a_new_database_in_a_read_only_folder_says_so(tmp_path):
    folder = tmp_path / "partage"
    folder.mkdir(mode=0o555)
    try:
        with file_permissions_apply(), pytest.raises(DatabaseReadOnlyError) as error:
            open_database(folder / "base.sqlite3")
    finally:
        folder.chmod(0o755)
    assert_healthy_fault(error.value, f"Le dossier {folder}", "lecture seule")


# ==== missing, forbidden ==========================================================================


def test_a_database_in_a_missing_folder_says_so(tmp_path):
    with pytest.raises(DatabaseUnavailableError) as error:
        open_database(tmp_path / "absent" / "base.sqlite3")
    assert_healthy_fault(error.value, "n'existe pas", "Vérifiez le chemin")
    assert not (tmp_path / "absent").exists()


def test_a_write_after_the_network_drive_went_away_says_so(tmp_path):
    folder = tmp_path / "lecteur-reseau"
    folder.mkdir()
    db = open_database(make_database(folder / "base.sqlite3"))
    service = AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "Agent")
    db.engine.dispose()  # the next write opens a new connection
    folder.rename(tmp_path / "ailleurs")
    with pytest.raises(DatabaseUnavailableError) as error:
        service.set_status("1.1.1", "non")
    assert_healthy_fault(error.value, "n'existe pas (ou plus)", "n'a pas été enregistrée")
    db.close()


def test_a_database_one_may_not_open_says_so(tmp_path):
    path = make_database(tmp_path / "base.sqlite3")
    path.chmod(0o000)
    with file_permissions_apply(), pytest.raises(DatabaseUnavailableError) as error:
        open_database(path)
    assert_healthy_fault(error.value, "pas le droit", "service informatique")


def test_a_folder_one_may_not_look_into_says_so(tmp_path):
    folder = tmp_path / "prive"
    folder.mkdir()
    path = make_database(folder / "base.sqlite3")
    folder.chmod(0o000)
    try:
        with file_permissions_apply(), pytest.raises(DatabaseUnavailableError) as error:
            open_database(path)
    finally:
        folder.chmod(0o755)
    assert_healthy_fault(error.value, "pas le droit")


# ==== damaged: only when it is ====================================================================


def test_random_bytes_are_damaged_or_not_a_database(tmp_path):
    path = tmp_path / "base.sqlite3"
    path.write_bytes(random.Random(7).randbytes(64 * 1024))
    with pytest.raises(DatabaseDamagedError) as error:
        open_database(path)
    assert "endommagé" in str(error.value) and "sauvegardes" in str(error.value)


def test_a_page_overwritten_says_damaged(tmp_path):
    path = make_database(tmp_path / "base.sqlite3")
    overwrite_pages(path, "action")
    before = path.read_bytes()
    with pytest.raises(DatabaseDamagedError) as error:
        db = open_database(path)
        try:
            list_questionnaires(db)
        finally:
            db.close()
    message = str(error.value)
    assert "est endommagée" in message and str(tmp_path / "sauvegardes") in message
    assert path.read_bytes() == before


def test_only_the_damage_messages_speak_of_damage_or_backups():
    for fault in Fault:
        template = fault.value[1].lower()
        damage = fault in (Fault.DAMAGED, Fault.NOT_A_DATABASE, Fault.SERVER_DAMAGED)
        assert damage == any(word in template for word in DAMAGE_WORDS), fault
        assert issubclass(fault.value[0], DatabaseDamagedError) == damage, fault


# ==== PostgreSQL ==================================================================================


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.postgresql
def test_postgresql_refusals_each_say_why(pg_admin_url):
    cases = {
        "ne répond pas": pg_admin_url.set(host="127.0.0.1", port=_closed_port()),
        "a refusé le nom d'utilisateur ou le mot de passe": pg_admin_url.set(
            password="pas-le-bon-mot-de-passe"
        ),
        "n'existe pas sur ce serveur": pg_admin_url.set(database="sradar_base_absente"),
    }
    for expected, url in cases.items():
        with pytest.raises(DatabaseUnavailableError) as error:
            open_database(url)
        assert_healthy_fault(error.value, expected)
        assert "pas-le-bon-mot-de-passe" not in str(error.value)


# ==== the command line ============================================================================


def _busy(path: Path):
    make_database(path)
    return exclusive_lock(path, journal="WAL")


def _read_only_folder(path: Path):
    make_database(path)
    path.parent.chmod(0o555)
    return _restore_folder(path.parent)


def _forbidden(path: Path):
    make_database(path)
    path.chmod(0o000)
    return _restore_folder(path.parent)


def _random_bytes(path: Path):
    path.write_bytes(random.Random(11).randbytes(32 * 1024))
    return _restore_folder(path.parent)


def _page_overwritten(path: Path):
    make_database(path)
    overwrite_pages(path, "action")
    return _restore_folder(path.parent)


@contextmanager
def _restore_folder(folder: Path) -> Iterator[None]:
    try:
        yield
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize(
    ("prepare", "expected", "damaged"),
    [
        (_busy, "occupée par une autre fenêtre ou un autre programme", False),
        (_read_only_folder, "est en lecture seule", False),
        (_forbidden, "Vous n'avez pas le droit d'ouvrir", False),
        (_random_bytes, "n'est pas une base de données SRADAR Desktop", True),
        (_page_overwritten, "est endommagée", True),
    ],
    ids=["occupée", "dossier-lecture-seule", "interdite", "octets-au-hasard", "page-écrasée"],
)
def test_the_command_line_says_why_in_one_french_line(
    tmp_path, data_dir, prepare, expected, damaged
):
    folder = tmp_path / "base"
    folder.mkdir()
    path = folder / "base.sqlite3"
    with prepare(path):
        result = run_cli("--db", str(path), "questionnaires", data_dir=data_dir)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sradar-desktop : "), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert any(word in lines[0].lower() for word in DAMAGE_WORDS) == damaged, lines[0]


def test_the_command_line_on_a_missing_folder(tmp_path, data_dir):
    path = tmp_path / "lecteur-absent" / "base.sqlite3"
    result = run_cli("--db", str(path), "questionnaires", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"sradar-desktop : {Fault.MISSING_FOLDER.value[1]}".format(
            folder=path.parent, consequence="la base n'a pas pu être ouverte"
        )
    ]


# ==== the window ==================================================================================


def test_the_window_says_busy_not_damaged_when_a_save_is_refused(
    qtbot, tmp_path, short_busy_timeout
):
    from PySide6.QtCore import Qt
    from ui_support import answers, current_code, open_window, wait_saved

    db = open_database(make_database(tmp_path / "base.sqlite3"))
    window = open_window(qtbot, db)
    code = current_code(window)
    db.engine.dispose()  # new connections wait a tenth of a second for a lock
    other = sqlite3.connect(tmp_path / "base.sqlite3", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        qtbot.keyClick(window.action_list.table, Qt.Key.Key_2)
        qtbot.waitUntil(lambda: window.banner.isVisible())
    finally:
        other.execute("ROLLBACK")
        other.close()
    message = window.banner.text.text()
    assert "occupée par une autre fenêtre ou un autre programme" in message
    assert "n'a pas été enregistrée" in message
    assert not any(word in message.lower() for word in DAMAGE_WORDS)
    assert code in {key.code for key in window.controller.engine.pending}
    # Once the other program let go, the retry saves what the agent chose.
    window.controller.engine.retry()
    wait_saved(qtbot, window)
    assert not window.controller.engine.pending
    assert answers(db)[code].status is not None
    window.close()
    db.close()


def test_a_file_another_program_holds_on_windows_says_busy_not_no_permission(tmp_path, monkeypatch):
    """On Windows a database open in a program that shares it with no one makes SQLite answer
    « cannot open » and the system « access denied » (sharing violation, 32): that is « occupée »,
    not a matter of rights to ask the IT department for."""
    from sradar_desktop.db import engine

    path = tmp_path / "base.sqlite3"
    path.write_bytes(b"")
    assert engine._cannot_open(path) is Fault.BUSY  # there and writable: held elsewhere

    # As CreateFile reports them (Python's open() would say EACCES for both, without the
    # system's code: .ci/windows checks the real thing under wine).
    def shared_with_no_one(path):
        error = PermissionError(13, "Le processus ne peut pas accéder au fichier")
        error.winerror = 32
        raise error

    monkeypatch.setattr(engine, "_open_for_writing", shared_with_no_one)
    assert engine._cannot_open(path) is Fault.BUSY

    def no_right(path):
        error = PermissionError(13, "Accès refusé")
        error.winerror = 5
        raise error

    monkeypatch.setattr(engine, "_open_for_writing", no_right)
    assert engine._cannot_open(path) is Fault.NO_PERMISSION
