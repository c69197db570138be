"""Helpers shared by the tests."""

from __future__ import annotations

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
