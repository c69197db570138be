"""The log file: moved aside past its size, never losing a record when it cannot be."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from sradar_desktop import logs


@pytest.fixture
def logger(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 1000)
    handlers: list[logging.Handler] = []
    named = logging.getLogger(f"sradar-test-{tmp_path.name}")
    named.propagate = False
    named.setLevel(logging.INFO)

    def open_log() -> logging.Logger:
        handler = logs.RotatingLog(tmp_path / "sradar-desktop.log")
        handler.setFormatter(logging.Formatter("%(message)s"))
        named.addHandler(handler)
        handlers.append(handler)
        return named

    yield open_log
    for handler in handlers:
        named.removeHandler(handler)
        handler.close()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_log_past_its_size_is_moved_aside_when_opened(tmp_path, logger):
    log = tmp_path / "sradar-desktop.log"
    log.write_text("ancien\n" * 200, encoding="utf-8")  # 1,400 bytes
    (tmp_path / "sradar-desktop.log.1").write_text("plus ancien\n", encoding="utf-8")
    logger().info("nouveau")
    assert _lines(log) == ["nouveau"]
    assert _lines(tmp_path / "sradar-desktop.log.1") == ["ancien"] * 200
    assert _lines(tmp_path / "sradar-desktop.log.2") == ["plus ancien"]


def test_a_log_below_its_size_is_written_on(tmp_path, logger):
    log = tmp_path / "sradar-desktop.log"
    log.write_text("hier\n", encoding="utf-8")
    logger().info("aujourd'hui")
    assert _lines(log) == ["hier", "aujourd'hui"]
    assert not (tmp_path / "sradar-desktop.log.1").exists()


def test_records_past_the_size_move_the_log_aside_and_three_are_kept(tmp_path, logger):
    named = logger()
    for index in range(400):
        named.info("ligne %03d %s", index, "x" * 40)  # 50 bytes a line: 20 lines a file
    log = tmp_path / "sradar-desktop.log"
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == [
        "sradar-desktop.log",
        "sradar-desktop.log.1",
        "sradar-desktop.log.2",
        "sradar-desktop.log.3",
    ]
    assert all(p.stat().st_size <= 1000 + 60 for p in tmp_path.iterdir())
    # the latest lines in order, from the oldest file kept to the current one
    lines = [
        line
        for name in ("sradar-desktop.log.3", "sradar-desktop.log.2", "sradar-desktop.log.1")
        for line in _lines(tmp_path / name)
    ] + _lines(log)
    assert lines[-1].startswith("ligne 399")
    numbers = [int(line.split()[1]) for line in lines]
    assert numbers == list(range(numbers[0], 400))


def test_a_log_held_by_another_program_is_written_on_without_losing_a_record(
    tmp_path, logger, monkeypatch
):
    """On Windows a log open in another window cannot be moved: the records go on in it, the
    older logs stay as they are, and the move is tried again only as the file grows."""
    log = tmp_path / "sradar-desktop.log"
    log.write_text("tenu\n" * 600, encoding="utf-8")  # 3,000 bytes: far past the size
    for index in (1, 2, 3):
        (tmp_path / f"sradar-desktop.log.{index}").write_text(f"ancien {index}\n")
    attempts = []
    replace = os.replace

    def held(source, target):
        if Path(source) == log:  # the log itself, open in the other program
            attempts.append(source)
            raise PermissionError(13, "Le processus ne peut pas accéder au fichier", str(source))
        replace(source, target)

    monkeypatch.setattr(os, "replace", held)
    named = logger()
    for index in range(100):
        named.info("ligne %03d %s", index, "x" * 40)
    lines = _lines(log)
    assert lines[:600] == ["tenu"] * 600
    assert [int(line.split()[1]) for line in lines[600:]] == list(range(100))
    for index in (1, 2, 3):
        assert _lines(tmp_path / f"sradar-desktop.log.{index}") == [f"ancien {index}"]
    # tried at the opening, then each time the file has grown by a tenth of the size
    written = log.stat().st_size - 3000
    assert 2 <= len(attempts) <= 2 + written // 100 < 60

    # Once the other program has let it go, the log is moved aside at last.
    monkeypatch.setattr(os, "replace", replace)
    for index in range(100, 110):
        named.info("ligne %03d %s", index, "x" * 40)
    assert _lines(tmp_path / "sradar-desktop.log.1")[:600] == ["tenu"] * 600
    assert _lines(tmp_path / "sradar-desktop.log.2") == ["ancien 1"]
    assert _lines(tmp_path / "sradar-desktop.log.3") == ["ancien 2"]
    assert not (tmp_path / "sradar-desktop.log.4").exists()
    assert not (tmp_path / "sradar-desktop.log.0").exists()
