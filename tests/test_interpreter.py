"""Interpreter settings held while long work runs, and put back as they were."""

from __future__ import annotations

import gc
import threading

import pytest
from exchange_support import SRADAR, answer

from sradar_desktop.interpreter import FEW_COLLECTIONS, FEW_COLLECTIONS_AFTER, HeldSetting
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.files.consolidating import consolidate_files
from sradar_desktop.services.opening import open_database


@pytest.fixture
def usual_threshold():
    usual = gc.get_threshold()
    yield usual
    gc.set_threshold(*usual)


def test_a_setting_held_twice_changes_once_and_comes_back_after_the_last():
    written = []
    value = ["usuel"]
    setting = HeldSetting(
        lambda: value[0], lambda v: (written.append(v), value.__setitem__(0, v)), str.upper
    )
    setting.hold()
    with setting.held():
        assert value == ["USUEL"]
    assert value == ["USUEL"]  # the first one still holds it
    setting.release()
    assert value == ["usuel"] and written == ["USUEL", "usuel"] and setting.holders == 0


def test_a_setting_changed_by_someone_else_meanwhile_is_theirs_to_keep():
    value = ["usuel"]
    setting = HeldSetting(lambda: value[0], lambda v: value.__setitem__(0, v), str.upper)
    with setting.held():
        value[0] = "le leur"
    assert value == ["le leur"]


def test_a_hold_ended_on_a_thread_taking_one_does_not_wait_for_itself():
    """The collector may free a workbook given up (ending its hold) on a thread that is taking
    one: the lock lets it through."""
    value = [1]
    setting = HeldSetting(lambda: value[0], lambda v: value.__setitem__(0, v), lambda v: v * 2)
    setting.hold()
    done = threading.Event()

    def elsewhere() -> None:
        with setting._lock:
            setting.release()  # as a finaliser run there would
        done.set()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(timeout=10)
    assert done.is_set() and value == [1] and setting.holders == 0


def test_a_consolidation_collects_rarely_and_then_as_before(tmp_path, data_dir, usual_threshold):
    """While files are consolidated, the collector's first generation waits for 50,000
    objects; then it is as it was, and so is a collector that was turned off."""
    db = open_database(tmp_path / "agent.sqlite3")
    answer(db, "DDETS-44", {"1.1.1": ("oui", "Fait")})
    path = tmp_path / "DDETS-44.xlsx"
    export_workbook(db, path, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    seen = []

    def progress(index, given) -> None:
        seen.append(gc.get_threshold())

    gc.set_threshold(700, 10, 10)
    consolidate_files([path, path], workbook=tmp_path / "c.xlsx", progress=progress)
    assert seen == [(FEW_COLLECTIONS_AFTER, 10, 10)] * 2
    assert gc.get_threshold() == (700, 10, 10) and FEW_COLLECTIONS.holders == 0

    gc.set_threshold(0, 10, 10)  # no automatic collection: left so
    seen.clear()
    consolidate_files([path], workbook=tmp_path / "c.xlsx", progress=progress)
    assert seen == [(0, 10, 10)] and gc.get_threshold() == (0, 10, 10)


def test_a_consolidation_that_fails_puts_the_collector_back(tmp_path, usual_threshold):
    gc.set_threshold(700, 10, 10)
    with pytest.raises(ZeroDivisionError):
        consolidate_files(
            [tmp_path / "absent.xlsx"],
            workbook=tmp_path / "c.xlsx",
            progress=lambda index, given: 1 / 0,
        )
    assert gc.get_threshold() == (700, 10, 10) and FEW_COLLECTIONS.holders == 0
