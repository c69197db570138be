"""A process killed (kill -9) in the middle of a batch of saves loses none that it confirmed."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading

CHILD = textwrap.dedent(
    """
    import sys
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.opening import open_database
    from sradar_desktop.services.questionnaires import default_campaign_id, load_plan

    db = open_database(sys.argv[1])
    codes = [a.code for a in load_plan(db, "sradar-2021-2023").actions()]
    service = AnswerService(db, default_campaign_id("sradar-2021-2023"), "DDETS-44", "Agent")
    print("prêt", flush=True)
    for n in range(100_000):
        code = codes[n % len(codes)]
        service.set_comment(code, f"enregistrement {n}")
        service.set_status(code, ("oui", "non", "partiellement", "nc")[n % 4])
        print(n, flush=True)
    """
)


def _lines(child: subprocess.Popen) -> queue.Queue[str]:
    """The child's output lines, read by a thread: a stuck child fails the test, not CI."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            found.put(line)
        found.put("")

    threading.Thread(target=read, daemon=True).start()
    return found


def test_kill_during_saves_keeps_every_confirmed_save(tmp_path, data_dir):
    path = tmp_path / "base.sqlite3"
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    lines = _lines(child)
    try:
        assert lines.get(timeout=300).strip() == "prêt"
        confirmed = -1
        while confirmed < 150:
            line = lines.get(timeout=300)
            assert line, "le processus s'est arrêté de lui-même"
            confirmed = int(line)
    finally:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=300)
    assert child.returncode == -signal.SIGKILL

    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        saved = {
            int(value.removeprefix("enregistrement "))
            for (value,) in connection.execute(
                "SELECT new_value FROM audit_event WHERE field = 'comment'"
            )
        }
        assert set(range(confirmed + 1)) <= saved
        # The answers themselves hold the last comment saved for each action.
        comments = connection.execute("SELECT comment FROM answer").fetchall()
        assert len(comments) == 71
        latest = max(int(c.removeprefix("enregistrement ")) for (c,) in comments)
        assert latest >= confirmed
    finally:
        connection.close()
