"""One window writes a database at a time; a crash leaves no lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from sradar_desktop.services.instance_lock import InstanceLock, database_key


def test_second_lock_on_the_same_database_is_refused(tmp_path):
    first = InstanceLock("base", tmp_path)
    second = InstanceLock("base", tmp_path)
    assert first.acquire("Claire Martin")
    assert not second.acquire("Paul Leroy")
    owner = second.owner()
    assert owner is not None and owner.agent == "Claire Martin" and owner.pid == os.getpid()
    assert owner.describe().startswith("Claire Martin, depuis ")
    assert InstanceLock("autre-base", tmp_path).acquire()
    first.release()
    assert second.owner() is None
    assert second.acquire("Paul Leroy")
    second.release()


def test_the_key_is_the_same_for_every_spelling_of_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dossier").mkdir()
    absolute = URL.create("sqlite", database=str(tmp_path / "base.sqlite3"))
    relative = URL.create("sqlite", database="dossier/../base.sqlite3")
    assert database_key(absolute) == database_key(relative)
    # The same database given as a local path (the start-up's, before SQLAlchemy is loaded).
    assert database_key(Path("dossier/../base.sqlite3")) == database_key(absolute)
    assert database_key(tmp_path / "base.sqlite3") == database_key(absolute)
    other = URL.create("sqlite", database=str(tmp_path / "autre.sqlite3"))
    assert database_key(other) != database_key(absolute)
    server = URL.create("postgresql+psycopg", "sradar", "secret", "serveur", 5432, "sradar")
    same = server.set(password="autre")
    assert database_key(server) == database_key(same)


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sradar_desktop.services.instance_lock import InstanceLock
    lock = InstanceLock("base", Path(sys.argv[1]))
    assert lock.acquire("Agent qui plante")
    print("verrou pris", flush=True)
    sys.stdin.read()  # holds the lock until killed
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX test")
def test_a_crashed_window_leaves_no_lock(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "verrou pris"
        lock = InstanceLock("base", tmp_path)
        assert not lock.acquire()
        assert lock.owner() is not None and lock.owner().agent == "Agent qui plante"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=300)  # only against a stuck child
    # The system released the lock with the process; its stale owner file does not matter.
    assert lock.acquire("Claire Martin")
    assert lock.owner().agent == "Claire Martin"
    lock.release()


def test_an_unwritable_lock_folder_does_not_block_the_user(tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    lock = InstanceLock("base", blocker / "verrous")
    assert lock.acquire()
    lock.release()
