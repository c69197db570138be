"""Helpers shared by the tests."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from sradar_desktop.db.models import Base


def snapshot(db, skip_columns: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: equal snapshots, equal content."""
    content: dict[str, list[tuple]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in skip_columns]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns))
            content[table.name] = [tuple(row) for row in rows]
    return content


# A child's own peak memory. ``ru_maxrss`` will not do: at ``exec`` the kernel keeps the high
# water mark of the memory the child was forked from, the whole test process. The child reads
# its own ``VmHWM`` (the high water mark since ``exec``) when it exits.
_MEASURED_MAIN = """
import atexit, os, runpy, sys

def _write_peak():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(os.environ["SRADAR_TEST_PEAK_FILE"], "w", encoding="ascii") as out:
                    out.write(line.split()[1])

atexit.register(_write_peak)
sys.argv[0] = "sradar-desktop"
runpy.run_module("sradar_desktop", run_name="__main__", alter_sys=True)
"""


def measured_command(arguments: list[str], peak_file: Path) -> tuple[list[str], dict[str, str]]:
    """The command line and environment variables that run ``sradar-desktop ARGUMENTS`` in a
    Python child writing its peak resident memory to ``peak_file`` (see ``peak_memory``)."""
    return [sys.executable, "-c", _MEASURED_MAIN, *arguments], {
        "SRADAR_TEST_PEAK_FILE": str(peak_file)
    }


def peak_memory(peak_file: Path) -> int:
    """The peak resident memory, in bytes, that a child of ``measured_command`` wrote."""
    return int(peak_file.read_text(encoding="ascii")) * 1024


# Root reads and writes any file whatever its permissions: tests of unreadable files take away
# the two Linux capabilities that allow it, as an agent's ordinary account has neither.
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
_PR_CAPBSET_DROP = 24
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def obey_file_permissions() -> None:
    """For a child process (``preexec_fn``), as root: after ``exec`` its capabilities come
    from the bounding set, from which the two are dropped. Nothing for an ordinary user."""
    if not IS_ROOT:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def said_by_python(
    arguments: list[str], env: dict[str, str] | None = None, timeout: float = 300
) -> list:
    """Run ``python *arguments`` (a script, or ``-c`` and its code) in a process of its own,
    check that it ended well, and give what it said: each line of its output read as JSON."""
    done = subprocess.run(
        [sys.executable, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,  # against a stuck child only
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith(("{", "["))]


def run_sradar(
    *arguments: str, data_dir: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``sradar-desktop ARGUMENTS…`` as a user runs it: a process of its own, with its own data
    folder (and Qt off screen); its output decoded, its exit status for the test to check."""
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "sradar_desktop", *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,  # against a stuck command only
        check=False,
    )
