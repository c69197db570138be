"""What lets a thousand files be consolidated in the memory of a hundred: the answers' digest fed
respondent by respondent, results read again past a budget, a workbook compressed by a thread of
its own that lets go of its file when its writer fails. The store itself is proven whole in
``test_merge.py`` (the reports from disk are those from memory)."""

from __future__ import annotations

import gc
import random
import sys
import threading
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sradar_desktop.domain.consolidation import Rebuilt
from sradar_desktop.domain.merge import value_digest
from sradar_desktop.domain.plan import plan_from_mapping
from sradar_desktop.interpreter import SHORT_TURNS, TURN
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook import xlsx
from sradar_desktop.workbook.xlsx import Workbook

AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def _content(respondents: list[str]) -> fmt.ExchangeWorkbook:
    plan = plan_from_mapping(
        {
            "id": "essai",
            "title": "Essai",
            "objectives": [
                {
                    "code": "1",
                    "title": "Objectif",
                    "themes": [
                        {
                            "code": "1.1",
                            "title": "Thème",
                            "actions": [
                                {"code": f"1.1.{n}", "text": f"Action {n}", "pilots": []}
                                for n in range(1, 13)
                            ]
                            + [
                                {
                                    "code": "1.1.13",
                                    "text": "Mesurée",
                                    "pilots": [],
                                    "indicators": [{"label": "Places", "kind": "integer"}],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )
    answers = [
        fmt.AnswerLine(r, a.code, "oui", f"{r} {a.code}", AT, "Agent")
        if n % 3
        else fmt.AnswerLine(r, a.code)
        for r in respondents
        for n, a in enumerate(plan.actions())
    ]
    values = [
        fmt.IndicatorLine(r, "1.1.13", 0, "10", str(n), AT, "Agent")
        for n, r in enumerate(respondents)
    ]
    return fmt.ExchangeWorkbook(
        plan=plan,
        campaign_id="essai:1",
        campaign_title="Essai",
        kind=fmt.KIND_CONSOLIDATION,
        exported_at=AT,
        app_version="test",
        respondents=tuple(fmt.RespondentInfo(r) for r in respondents),
        answers=tuple(answers),
        indicators=tuple(values),
    )


def test_the_answers_digest_is_the_same_fed_respondent_by_respondent_or_sorted_whole():
    """The digest sorts every answer's part: rows written respondent after respondent are fed
    one respondent at a time; rows in any other order (a sheet sorted in Excel) are sorted
    whole. Both give the same digest, and codes that are prefixes of others sort alike."""
    content = _content(["DDETS-1", "DDETS-10", "DDETS-1-A", "DDETS-2", "SGAR"])
    grouped = fmt.answers_digest(content)
    whole = fmt._Digest()
    whole.update(
        sorted(
            fmt.stamp_key(line.respondent, line.action_code, getattr(line, "position", None))
            + value_digest(line.value)
            for line in (*content.answers, *content.indicators)
        )
    )
    assert grouped == whole.hexdigest()
    shuffled = list(content.answers)
    random.Random(7).shuffle(shuffled)
    assert fmt.answers_digest(replace(content, answers=tuple(shuffled))) == grouped
    backwards = replace(content, answers=content.answers[::-1], indicators=content.indicators[::-1])
    assert fmt.answers_digest(backwards) == grouped
    changed = list(content.answers)
    changed[5] = changed[5]._replace(comment="autre chose")
    assert fmt.answers_digest(replace(content, answers=tuple(changed))) != grouped
    # Written with the stamps: each value digested once, every line given once, same digest.
    for given in (content, replace(content, answers=tuple(shuffled)), backwards):
        digests = fmt.Digests(given)
        lines = list(digests.lines())
        assert sorted(map(repr, (line for line, _ in lines))) == sorted(
            map(repr, (*given.answers, *given.indicators))
        )
        assert all(digest == value_digest(line.value) for line, digest in lines)
        assert digests.answers() == grouped


def test_results_are_kept_within_their_budget_and_read_again_beyond():
    built: list[int] = []

    def build(index: int) -> tuple[int, ...]:
        built.append(index)
        return (index,) * 3  # three answers each

    results = Rebuilt(5, build, len, keep=7)
    assert list(results) == [(i,) * 3 for i in range(5)]
    assert built == [0, 1, 2, 3, 4]
    built.clear()
    assert list(results) == [(i,) * 3 for i in range(5)]
    assert built == [2, 3, 4]  # the first two (six answers) were kept, the third was not
    assert results[-1] == (4, 4, 4) and results[1:3] == ((1, 1, 1), (2, 2, 2))
    assert len(results) == 5
    with pytest.raises(IndexError):
        results[5]


def _packers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "SRADAR classeur"]


def test_a_workbook_is_compressed_beside_its_writer_and_complete_once_closed(tmp_path):
    """Threads take turns more often while the packer works (it takes the interpreter back
    several times for each block), and as usual again once it has finished."""
    usual = sys.getswitchinterval()
    path = tmp_path / "classeur.xlsx"
    book = Workbook(path, title="Titre", subject="Sujet", author="SRADAR Desktop")
    sheet = book.add_sheet("Données", widths=(10,))
    for number in range(3_000):
        cell = f'<c r="A{number + 1}" t="inlineStr"><is><t>{"x" * 200}</t></is></c>'
        sheet.add_row(f'<row r="{number + 1}">{cell}</row>')
    assert sys.getswitchinterval() == pytest.approx(min(usual, TURN))
    second = Workbook(tmp_path / "autre.xlsx", title="Titre", subject="Sujet", author="SRADAR")
    second.add_sheet("Données", widths=(10,))
    book.close()
    assert sys.getswitchinterval() == pytest.approx(min(usual, TURN))  # the other one
    second.close()
    assert not _packers()
    assert sys.getswitchinterval() == usual
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert "xl/worksheets/sheet1.xml" in archive.namelist()


def test_a_workbook_given_up_by_its_writer_lets_go_of_its_file(tmp_path):
    """A writer failing half-way drops its workbook: the packer's thread ends and closes the
    file (Windows could not remove the work folder otherwise), with nothing said on the way."""
    usual = sys.getswitchinterval()
    path = tmp_path / "abandonne.xlsx"
    book = Workbook(path, title="Titre", subject="Sujet", author="SRADAR Desktop")
    sheet = book.add_sheet("Données", widths=(10,))
    sheet.add_row('<row r="1"><c r="A1" t="inlineStr"><is><t>début</t></is></c></row>')
    assert _packers()
    del sheet, book
    gc.collect()
    assert not _packers()
    path.unlink()  # no handle left open on it
    assert sys.getswitchinterval() == usual


def test_a_workbook_freed_on_its_packers_own_thread_does_not_wait_for_itself(tmp_path):
    """A workbook and its sheets hold each other: the collector that frees them may run on
    the packer's thread. Its finaliser then stops that thread after its task, file closed."""
    usual = sys.getswitchinterval()
    path = tmp_path / "libere.xlsx"
    book = Workbook(path, title="Titre", subject="Sujet", author="SRADAR Desktop")
    book.add_sheet("Données", widths=(10,))
    packer = book.packer
    packer._tasks.put(lambda packing: packer._stop())  # as the collector would, there
    packer._thread.join(timeout=10)
    assert not packer._thread.is_alive()
    path.unlink()
    assert sys.getswitchinterval() == usual


def test_a_workbook_freed_while_the_turns_are_being_counted_does_not_hang(tmp_path):
    """The collector may free a given-up workbook on a thread counting the packers (another
    workbook starting): its packer stops and is counted out there, without waiting on itself."""
    usual = sys.getswitchinterval()
    book = Workbook(tmp_path / "perdu.xlsx", title="Titre", subject="Sujet", author="SRADAR")
    sheet = book.add_sheet("Données", widths=(10,))  # the book and its sheet hold each other
    del book, sheet
    with SHORT_TURNS._lock:
        gc.collect()
    assert not _packers()
    assert sys.getswitchinterval() == usual and SHORT_TURNS.holders == 0


def test_a_packer_without_its_thread_leaves_the_turns_as_they_were(tmp_path, monkeypatch):
    """No thread to be had (the system's limit): the workbook is not written, and the turns
    of the program's threads are left as they were."""

    def refused(thread: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    usual = sys.getswitchinterval()
    monkeypatch.setattr(threading.Thread, "start", refused)
    with pytest.raises(RuntimeError):
        Workbook(tmp_path / "sans-fil.xlsx", title="Titre", subject="Sujet", author="SRADAR")
    assert sys.getswitchinterval() == usual and SHORT_TURNS.holders == 0
    (tmp_path / "sans-fil.xlsx").unlink()  # closed


def test_the_turns_changed_while_a_workbook_is_written_are_kept(tmp_path):
    """Whoever changes the turns while a workbook is written keeps them once it is closed."""
    usual = sys.getswitchinterval()
    try:
        book = Workbook(tmp_path / "classeur.xlsx", title="Titre", subject="S", author="SRADAR")
        sys.setswitchinterval(0.002)
        book.close()
        assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(usual)


def test_a_full_disk_met_by_the_packer_is_said_and_leaves_nothing(tmp_path, monkeypatch):
    """The packer's thread meets the full disk: the writer is told at its next block, the save
    says so in French, the thread ends and no work folder is left."""
    from sradar_desktop.errors import UserError
    from sradar_desktop.workbook.writer import save_workbook

    def full(self, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    def build(temporary):
        book = Workbook(temporary, title="T", subject="S", author="A")
        sheet = book.add_sheet("Données", widths=(10,))
        for number in range(100_000):
            sheet.add_row(f'<row r="{number + 1}"><c r="A{number + 1}"><v>{number}</v></c></row>')
        book.close()

    monkeypatch.setattr(xlsx._Packing, "write", full)
    target = tmp_path / "plein.xlsx"
    with pytest.raises(UserError, match="Le disque est plein"):
        save_workbook(build, target)
    assert not _packers()
    assert list(tmp_path.iterdir()) == []
