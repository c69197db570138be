"""Consolidating many workbooks, against the script a data-savvy user would write.

Measured in one process, on the same files: python-calamine merely reading them (the floor),
pandas ``read_excel`` + ``concat`` (openpyxl engine, and calamine engine) then ``to_excel``, and
SRADAR Desktop's import + merge, then its consolidated workbook.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import python_calamine

from benchmarks.data import make_plan, write_respondent_files

Result = dict[str, float]
COMPARED_RUNS = 3


def timed(function: Callable[[], object], repeat: int = 1) -> float:
    """The best of ``repeat`` runs, in seconds. What an earlier measure left to the collector
    is collected before each run: the frames of a thousand files left by the pandas script
    are about 800,000 objects, whose collection fell in the next measure (0.23 s taken for
    0.46 s)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def calamine_read(paths: list[Path]) -> None:
    for path in paths:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def pandas_read(paths: list[Path], engine: str):
    import pandas

    frames = [pandas.read_excel(p, sheet_name="Questionnaire", engine=engine) for p in paths]
    return pandas.concat(frames, ignore_index=True)


def peak_memory_mb(paths: list[Path], output: Path) -> float:
    """Peak memory of the ``consolidate`` command on these files, in MiB: the memory of the
    command and of its worker processes together (proportional set size: a page the workers
    share with the command is counted once), sampled every 10 ms.

    Not ``ru_maxrss``: Linux keeps in it the size of the process before it started the
    program, which is this script's own (hundreds of MB of pandas frames)."""
    import psutil

    command = [sys.executable, "-m", "sradar_desktop", "consolidate", *map(str, paths)]
    process = subprocess.Popen(
        [*command, "-o", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_full_info().pss for p in tree))
        except psutil.Error:
            pass  # a worker (or the command) ended meanwhile
        time.sleep(0.01)
    if process.returncode != 0:
        raise RuntimeError(f"consolidate a échoué ({process.returncode})")
    return peak / 2**20


def run(folder: Path, counts: tuple[int, ...], *, pandas_up_to: int) -> dict[int, Result]:
    from sradar_desktop.services.files.consolidating import consolidate_files
    from sradar_desktop.services.files.merging import merge_files

    plan = make_plan(100)
    results: dict[int, Result] = {}
    for count in counts:
        paths = write_respondent_files(plan, folder / "classeurs", count)
        # The whole command and each part of the scripts are compared as the best of a few
        # runs up to a hundred files: a single run varies by a fifth on a shared machine.
        repeat = COMPARED_RUNS if count <= 100 else 1
        result: Result = {"files": count}
        result["calamine_read"] = timed(lambda paths=paths: calamine_read(paths), repeat=2)
        result["merge"] = timed(lambda paths=paths: merge_files(paths), repeat=2)
        output = folder / f"consolidation-{count}.xlsx"
        result["consolidate"] = timed(
            lambda paths=paths, output=output: consolidate_files(paths, workbook=output),
            repeat=repeat,
        )
        result["write"] = result["consolidate"] - result["merge"]
        if count <= pandas_up_to:
            frames = []
            result["pandas_openpyxl_read"] = timed(
                lambda paths=paths, frames=frames: frames.append(pandas_read(paths, "openpyxl")),
                repeat=repeat,
            )
            frame = frames[-1]
            result["pandas_calamine_read"] = timed(
                lambda paths=paths: pandas_read(paths, "calamine"), repeat=repeat
            )
            result["pandas_to_excel"] = timed(
                lambda frame=frame: frame.to_excel(folder / "pandas.xlsx", index=False),
                repeat=repeat,
            )
        if count >= 100:
            result["peak_mb"] = peak_memory_mb(paths, folder / f"memoire-{count}.xlsx")
        results[count] = result
    return results
