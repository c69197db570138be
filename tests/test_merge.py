"""Merging workbooks: order-independent, idempotent, newer wins, conflicts listed, undo exact."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import openpyxl
import pytest
from exchange_support import ROAD_MAP, SRADAR, answer, edit_workbook, state
from support import said_by_python, snapshot

from sradar_desktop.db.models import AuditEvent, ImportChange, ImportRecord
from sradar_desktop.domain.merge import Decision
from sradar_desktop.errors import UserError
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.imports import import_file, last_import, undo_import
from sradar_desktop.services.opening import open_database

HISTORY = {AuditEvent.__tablename__, ImportRecord.__tablename__, ImportChange.__tablename__}


def content(db) -> dict:
    """Everything but the history (audit trail, import records), which grows by design, and
    the rows' version counters (they only ever go up, so that no stale edit is accepted)."""
    return {
        table: rows
        for table, rows in snapshot(db, skip_columns=frozenset({"version_id"})).items()
        if table not in HISTORY
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three workbooks with overlapping answers, changed at different times in three places.

    - A: DDETS-44's first export (1.1.1 oui, 1.1.3 non, an indicator);
    - B: DDETS-44's later export from the same workstation (1.1.1 corrected, 1.2.1 added);
    - C: a consolidation made elsewhere with DDETS-49's answers and a change to DDETS-44's
      1.1.3 made after A was exported (the same answer changed in two places).
    """
    folder = tmp_path_factory.mktemp("fusion")
    agent = open_database(folder / "agent44.sqlite3")
    answer(agent, "DDETS-44", {"1.1.1": ("oui", "Fait en mars"), "1.1.3": ("non", "")})
    answer(agent, "DDETS-44", {"2.6.1": {"indicators": {1: ("100", "90")}}}, questionnaire=ROAD_MAP)
    a = folder / "A.xlsx"
    export_workbook(agent, a, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    answer(agent, "DDETS-44", {"1.1.1": ("partiellement", "Fait en partie"), "1.2.1": ("oui", "")})
    b = folder / "B.xlsx"
    export_workbook(agent, b, questionnaire_id=SRADAR, respondent_code="DDETS-44")

    department = open_database(folder / "departement.sqlite3")
    import_file(department, a)
    answer(department, "DDETS-44", {"1.1.3": ("oui", "Corrigé par la DDETS")}, actor="Relecteur")
    answer(department, "DDETS-49", {"1.1.1": ("nc", ""), "1.1.3": ("oui", "Maine-et-Loire")})
    c = folder / "C.xlsx"
    export_workbook(department, c, questionnaire_id=SRADAR)
    agent.close()
    department.close()
    return {"A": a, "B": b, "C": c}


def _merge(tmp_path, files, order) -> dict:
    db = open_database(tmp_path / f"{''.join(order)}.sqlite3")
    for name in order:
        import_file(db, files[name])
    result = state(db)
    db.close()
    return result


def test_order_does_not_matter(tmp_path, files, data_dir):
    results = [_merge(tmp_path, files, order) for order in itertools.permutations("ABC")]
    assert all(result == results[0] for result in results[1:])
    answers = {(k[1], k[2]): v[:2] for k, v in results[0]["answers"].items()}
    assert answers == {
        ("DDETS-44", "1.1.1"): ("partiellement", "Fait en partie"),
        ("DDETS-44", "1.1.3"): ("oui", "Corrigé par la DDETS"),
        ("DDETS-44", "1.2.1"): ("oui", ""),
        ("DDETS-49", "1.1.1"): ("nc", ""),
        ("DDETS-49", "1.1.3"): ("oui", "Maine-et-Loire"),
    }
    by = {(k[1], k[2]): v[3] for k, v in results[0]["answers"].items()}
    assert by[("DDETS-44", "1.1.3")] == "Relecteur"


def test_importing_twice_is_importing_once(tmp_path, files, data_dir):
    db = open_database(tmp_path / "base.sqlite3")
    for name in "ABC":
        import_file(db, files[name])
    once = snapshot(db)
    again = [import_file(db, files[name]) for name in "CAB"]
    assert all(o.already_imported_at is not None for o in again)
    assert "déjà importé le" in again[0].describe()
    assert snapshot(db) == once
    # The same content re-saved (other bytes) changes nothing either.
    copy = edit_workbook(files["B"], tmp_path / "B-copie.xlsx", lambda book: None)
    outcome = import_file(db, copy)
    assert outcome.applied == 0 and outcome.count(Decision.UNCHANGED) > 0
    assert content(db) == content(open_database(tmp_path / "base.sqlite3"))
    db.close()


def test_newer_wins_and_conflicts_are_listed(tmp_path, files, data_dir):
    db = open_database(tmp_path / "base.sqlite3")
    import_file(db, files["B"])
    older = import_file(db, files["A"])
    assert older.count(Decision.KEPT) == 1  # A's 1.1.1 is older than B's
    assert older.applied == 0
    (conflict,) = older.conflicts
    assert conflict.action_code == "1.1.1" and conflict.decision is Decision.KEPT
    assert "« partiellement / Fait en partie »" in conflict.describe()
    assert "l'emporte sur « oui / Fait en mars »" in conflict.describe()

    consolidation = import_file(db, files["C"])
    # C's 1.1.3 for DDETS-44 was changed after A was exported, and B (same base) did not
    # touch it: the later change wins, listed as a conflict because both sides moved.
    assert consolidation.count(Decision.NEW) == 2  # DDETS-49
    answers = {(k[1], k[2]): v[:2] for k, v in state(db)["answers"].items()}
    assert answers[("DDETS-44", "1.1.3")] == ("oui", "Corrigé par la DDETS")
    db.close()


def test_every_overwritten_value_stays_in_the_audit_trail(tmp_path, files, data_dir):
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.questionnaires import default_campaign_id

    db = open_database(tmp_path / "base.sqlite3")
    import_file(db, files["A"])
    import_file(db, files["B"])
    history = AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "x").history("1.1.1")
    values = [(h.field, h.old_value, h.new_value, h.source) for h in history]
    assert ("status", "oui", "partiellement", "import") in values
    assert ("comment", "Fait en mars", "Fait en partie", "import") in values
    assert ("status", None, "oui", "import") in values
    db.close()


def test_undo_restores_the_exact_previous_state(tmp_path, files, data_dir):
    db = open_database(tmp_path / "base.sqlite3")
    import_file(db, files["A"])
    answer(db, "DDETS-44", {"3.1.1": ("non", "saisi à la main")})
    before = content(db)
    outcome = import_file(db, files["C"])
    assert outcome.applied > 0 and content(db) != before
    assert last_import(db).id == outcome.import_id
    message = undo_import(db, outcome.import_id, actor="Secrétariat")
    assert "annulé" in message
    assert content(db) == before
    # The undone file can be imported again.
    assert import_file(db, files["C"]).applied == outcome.applied
    db.close()


def test_undo_of_an_import_that_brought_its_questionnaire(tmp_path, data_dir):
    source = open_database(tmp_path / "source.sqlite3")
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Objectifs;Thématiques;Actions;Réalisation\n1. Héberger;Places;Ouvrir;oui\n",
        encoding="utf-8",
    )
    created = import_file(source, plan)
    path = tmp_path / "classeur.xlsx"
    export_workbook(source, path, questionnaire_id=created.questionnaire_id)

    db = open_database(tmp_path / "base.sqlite3")
    before = content(db)
    outcome = import_file(db, path)
    assert outcome.new_questionnaire
    undo_import(db, outcome.import_id)
    assert content(db) == before
    source.close()
    db.close()


def test_undo_refused_when_answers_changed_since(tmp_path, files, data_dir):
    db = open_database(tmp_path / "base.sqlite3")
    first = import_file(db, files["A"])
    import_file(db, files["B"])  # changes 1.1.1, which A wrote
    with pytest.raises(UserError, match="ne peut plus être annulé"):
        undo_import(db, first.import_id)
    latest = last_import(db)
    undo_import(db, latest.id)
    undo_import(db, first.import_id)
    assert state(db)["answers"] == {}
    with pytest.raises(UserError, match="déjà été annulé"):
        undo_import(db, first.import_id)
    db.close()


def test_a_consolidation_imports_like_any_other(tmp_path, files, data_dir):
    region = open_database(tmp_path / "region.sqlite3")
    for name in "ABC":
        import_file(region, files[name])
    national_file = tmp_path / "region.xlsx"
    export_workbook(region, national_file, questionnaire_id=SRADAR)
    national = open_database(tmp_path / "national.sqlite3")
    outcome = import_file(national, national_file)
    assert outcome.respondents == ("DDETS-44", "DDETS-49")
    assert state(national)["answers"] == state(region)["answers"]
    region.close()
    national.close()


def _merged_answers(book, questionnaire: str = SRADAR) -> dict:
    """The answers a merge of files keeps (in memory or on disk), by (respondent, action)."""
    merged = book.campaigns[questionnaire]
    if merged.units is not None:
        return dict(merged.units.answers)
    return {(r, a): stamped for r, a, stamped, _ in book.store.each_answer(merged.number)}


# Where a merge of files keeps what it merged: in memory, or moved to disk after the first file.
HELD = pytest.mark.parametrize("in_memory", [10**9, 0], ids=["en-memoire", "sur-disque"])


@HELD
def test_merging_files_follows_the_same_rules(tmp_path, files, data_dir, monkeypatch, in_memory):
    """The consolidation of files alone (no database) gives what importing them gives."""
    from sradar_desktop.services.files import merging
    from sradar_desktop.services.files.merging import merge_files

    monkeypatch.setattr(merging, "IN_MEMORY_UNITS", in_memory)
    merged = []
    for order in itertools.permutations("ABC"):
        book, results = merge_files([files[name] for name in order])
        assert all(r.error is None for r in results)
        answers = _merged_answers(book)
        merged.append({k: (*v.value, v.at, v.by) for k, v in answers.items()})
    assert all(m == merged[0] for m in merged[1:])
    imported = _merge(tmp_path, files, "CAB")["answers"]
    assert {(k[1], k[2]): v for k, v in imported.items()} == merged[0]
    book, results = merge_files([files["A"], files["A"]])
    assert results[1].outcome.already_imported_at is not None


def test_files_read_ahead_are_reported_and_merged_in_their_order(tmp_path, files, data_dir):
    """Files are read by several threads, but reported, merged and cancelled in order."""
    from sradar_desktop.services.files.merging import merge_files

    broken = tmp_path / "tronqué.xlsx"
    broken.write_bytes(files["B"].read_bytes()[:3000])
    paths = [files["A"], broken, files["B"], files["A"], files["C"]] * 3
    seen = []
    book, results = merge_files(paths, progress=lambda index, path: seen.append((index, path)))
    assert seen == list(enumerate(paths))
    assert [r.path for r in results] == paths
    assert [r.error is not None for r in results] == [False, True, False, False, False] * 3
    assert "tronqué.xlsx" in str(results[1].error)
    assert results[3].outcome.already_imported_at is not None
    every = {k: v.value for k, v in _merged_answers(book).items()}

    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 2

    book, results = merge_files(paths, cancelled=cancelled)
    assert [r.path for r in results] == paths[:2]
    partial = {k: v.value for k, v in _merged_answers(book).items()}
    assert partial != every


ALONE = "SRADAR_TEST_IN_A_PROCESS_OF_ITS_OWN"


def _in_a_process_of_its_own(request: pytest.FixtureRequest) -> None:
    """Worker processes are forked only from a program that has one thread. When this test
    process has started others (Qt's, a writer's), the test runs again, alone, in a fresh one:
    it is never skipped."""
    assert not os.environ.get(ALONE), "un seul fil attendu dans un processus de test neuf"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        cwd=request.config.rootpath,
        env=dict(os.environ, **{ALONE: "1"}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0 and " passed" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("workers", [False, True], ids=["dans-le-fil", "processus"])
def test_an_unexpected_error_while_reading_stops_at_once(
    workers, tmp_path, files, data_dir, monkeypatch, request
):
    """A bug met while reading one file is not taken for a refused file: it comes out, and
    the files waiting to be read are not read (read in the calling thread, or by worker
    processes for a large batch)."""
    from sradar_desktop.services.files import merging

    if workers and not merging._forkable():
        return _in_a_process_of_its_own(request)
    read = merging._read
    opened = tmp_path / "ouverts.txt"
    opened.touch()

    def failing(item):
        with opened.open("a", encoding="utf-8") as notes:
            notes.write(item.name + "\n")
        if item.name == "panne.xlsx":
            raise RuntimeError("panne de lecture")
        return read(item)

    monkeypatch.setattr(merging, "_read", failing)  # before the workers are forked
    monkeypatch.setattr(merging, "PROCESS_BATCH", 2 if workers else 10**6)
    monkeypatch.setattr(merging, "READERS", 2)
    broken = tmp_path / "panne.xlsx"
    broken.write_bytes(files["A"].read_bytes())
    paths = [files["A"], broken] + [files["B"], files["C"]] * 20
    with pytest.raises(RuntimeError, match="panne de lecture"):
        merging.merge_files(paths)
    read_files = opened.read_text(encoding="utf-8").splitlines()
    if workers:
        # Only the files already handed to a worker are read; those waiting are cancelled.
        assert "panne.xlsx" in read_files and len(read_files) <= 2 + merging._LOOK_AHEAD
    else:
        assert read_files == ["A.xlsx", "panne.xlsx"]


def test_a_large_batch_read_by_worker_processes_merges_as_one_reader_does(
    tmp_path, files, data_dir, monkeypatch, request
):
    """Worker processes (a large batch, from the command line) give exactly what reading in
    the calling thread gives: the same answers, outcomes and refusals, in the files' order."""
    from sradar_desktop.services.files import merging

    if not merging._forkable():
        return _in_a_process_of_its_own(request)
    broken = tmp_path / "tronqué.xlsx"
    broken.write_bytes(files["B"].read_bytes()[:3000])
    paths = [files["A"], broken, files["B"], files["C"], files["A"]] * 5

    def merged(batch: int) -> tuple:
        monkeypatch.setattr(merging, "PROCESS_BATCH", batch)
        book, results = merging.merge_files(paths)
        answers = {k: (v.value, v.at, v.by) for k, v in _merged_answers(book).items()}
        outcomes = [(r.path, r.outcome, str(r.error) if r.error else None) for r in results]
        return answers, outcomes

    assert merged(2) == merged(10**6)


class _Unsendable(Exception):
    """An error that cannot cross to another process (its argument cannot be pickled)."""

    def __init__(self) -> None:
        super().__init__(lambda: None)


@pytest.mark.parametrize("failure", ["arret", "intransmissible"])
def test_a_worker_process_that_stops_or_cannot_send_its_error_stops_the_merge(
    failure, tmp_path, files, data_dir, monkeypatch, request
):
    """A worker process that dies (killed, out of memory) or meets an error it cannot send
    back stops the merge with an error saying so, and no worker is left running."""
    import multiprocessing

    from sradar_desktop.services.files import merging

    if not merging._forkable():
        return _in_a_process_of_its_own(request)
    read = merging._read

    def failing(item):
        if item.name == "panne.xlsx":
            if failure == "arret":
                os._exit(3)
            raise _Unsendable()
        return read(item)

    monkeypatch.setattr(merging, "_read", failing)  # before the workers are forked
    monkeypatch.setattr(merging, "PROCESS_BATCH", 2)
    monkeypatch.setattr(merging, "READERS", 2)
    broken = tmp_path / "panne.xlsx"
    broken.write_bytes(files["A"].read_bytes())
    paths = [files["A"], files["B"], files["C"], broken] + [files["B"]] * 10
    expected = "s'est arrêté \\(code 3\\)" if failure == "arret" else "_Unsendable"
    with pytest.raises(RuntimeError, match=expected):
        merging.merge_files(paths)
    assert multiprocessing.active_children() == []


def test_without_worker_processes_the_files_are_read_here(
    tmp_path, files, data_dir, monkeypatch, request
):
    """No process to be had for the second worker (the system's limit): the first one is
    stopped and the batch is read in the calling thread, merged the same."""
    import multiprocessing

    from sradar_desktop.services.files import merging

    if not merging._forkable():
        return _in_a_process_of_its_own(request)
    paths = [files["A"], files["B"], files["C"]] * 6
    monkeypatch.setattr(merging, "PROCESS_BATCH", 10**6)
    book, _ = merging.merge_files(paths)
    expected = {k: v.value for k, v in _merged_answers(book).items()}

    context = multiprocessing.get_context("fork")
    started = []
    start = context.Process.start

    def refused(process) -> None:
        if started:
            raise OSError(11, "Resource temporarily unavailable")
        started.append(process)
        start(process)

    monkeypatch.setattr(context.Process, "start", refused)
    monkeypatch.setattr(merging, "PROCESS_BATCH", 2)
    monkeypatch.setattr(merging, "READERS", 2)
    book, results = merging.merge_files(paths)
    assert len(started) == 1 and all(r.error is None for r in results)
    assert {k: v.value for k, v in _merged_answers(book).items()} == expected
    assert multiprocessing.active_children() == []


def test_the_workers_of_a_killed_merge_end(tmp_path, files):
    """The merging process killed (the task manager, a crash) while its workers wait, one to
    send a result the pipe cannot take yet, the other for its turn to read ahead: both end
    instead of staying behind."""
    script = textwrap.dedent(
        f"""
        import multiprocessing, os, signal, time
        from pathlib import Path
        from sradar_desktop.services.files import collecting, merging

        merging._read_in_worker = lambda item: "x" * 1_000_000  # more than a pipe holds
        merging.PROCESS_BATCH, merging.READERS = 2, 2
        with collecting.expanded([Path({str(files["A"])!r})] * 20) as items:
            with merging._readers(items):
                time.sleep(0.5)  # the workers fill their pipes, then wait
                print(*(p.pid for p in multiprocessing.active_children()), flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    said = tmp_path / "dit.txt"  # a file, not a pipe: workers left behind would hold a pipe
    with said.open("w", encoding="utf-8") as output:
        done = subprocess.run(
            [sys.executable, "-c", script], stdout=output, stderr=output, timeout=60, check=False
        )
    text = said.read_text(encoding="utf-8")
    workers = [int(pid) for pid in text.split()[:2] if pid.isdigit()]
    assert done.returncode == -signal.SIGKILL and len(workers) == 2, text

    def running(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # not a zombie
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if running(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "processus de lecture restés après la fusion"


def test_a_worker_whose_merging_process_is_gone_stops(monkeypatch):
    """A worker waiting for its turn to read ahead stops once the merging process is gone
    (killed): it is not left behind, waiting forever."""
    import threading

    from sradar_desktop.services.files import merging

    monkeypatch.setattr(merging, "_PATIENCE", 0.01)
    monkeypatch.setattr(merging.os, "getppid", iter([100, 100, 1, 1, 1]).__next__)
    permits = threading.Semaphore(0)  # no turn will come
    sent = []

    class Pipe:
        def send(self, value) -> None:
            sent.append(value)

        def close(self) -> None:
            sent.append("fermé")

    monkeypatch.setattr(merging.signal, "signal", lambda *args: None)
    merging._work([object()], Pipe(), permits, [])  # type: ignore[list-item, arg-type]
    assert sent == []


@pytest.mark.slow
def test_consolidating_files_imports_no_database_layer(tmp_path, files, data_dir):
    """The ``consolidate`` command merges files and writes the consolidated workbook without
    the database layer: neither SQLAlchemy nor Alembic is imported (they cost a third of a
    second before the first file is read)."""
    probe = textwrap.dedent(
        """
        import json, sys
        from sradar_desktop.cli import main
        status = main(sys.argv[1:])
        heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "alembic"})
        print(json.dumps({"status": status, "heavy": heavy}))
        """
    )
    output = tmp_path / "consolidation.xlsx"
    paths = [str(files[name]) for name in "ABC"]
    result = said_by_python(["-c", probe, "consolidate", *paths, "-o", str(output)])[-1]
    assert result == {"status": 0, "heavy": []}
    book = openpyxl.load_workbook(output, read_only=True)
    assert "Réponses" in book.sheetnames


@pytest.fixture(scope="module")
def road_map_files(tmp_path_factory):
    """Five services' workbooks of the road map, whose actions carry indicators: statuses,
    comments (one of spaces only: no answer), target and achieved values, a service that gave
    only figures, an answer changed in two files, and a sixth service whose only answer was
    cleared in its later file."""
    from sradar_desktop.services.questionnaires import load_plan

    folder = tmp_path_factory.mktemp("feuille-de-route")
    db = open_database(folder / "services.sqlite3")
    plan = load_plan(db, ROAD_MAP)
    measured = [a.code for a in plan.actions() if a.indicators]
    codes = [a.code for a in plan.actions()]
    paths = []
    statuses = ("oui", "partiellement", "non", "nc")
    for number, service in enumerate(("DDETS-59", "DDETS-62", "DDETS-60", "DDETS-80")):
        answers: dict = {
            code: (statuses[(i + number) % 4], f"Suivi {i} « {service} »")
            for i, code in enumerate(codes[number::3])
        }
        answers[codes[-1]] = (None, "   ")
        for i, code in enumerate(measured[number % 2 :: 2]):
            answers[code] = {
                "indicators": {0: (str(10 * (i + 1)), str(7 * (i + number)))},
                "answer": answers.get(code),
            }
        answer(db, service, answers, questionnaire=ROAD_MAP)
        path = folder / f"{service}.xlsx"
        export_workbook(db, path, questionnaire_id=ROAD_MAP, respondent_code=service)
        paths.append(path)
    answer(db, "DDETS-02", {measured[0]: {"indicators": {0: ("12", "5")}}}, questionnaire=ROAD_MAP)
    answer(db, "DDETS-59", {codes[0]: ("non", "Revu le lendemain")}, questionnaire=ROAD_MAP)
    # A service that answered, then cleared its only answer: in no roster.
    cleared = answer(db, "DDETS-99", {codes[1]: ("oui", "")}, questionnaire=ROAD_MAP)
    path = folder / "DDETS-99.xlsx"
    export_workbook(db, path, questionnaire_id=ROAD_MAP, respondent_code="DDETS-99")
    paths.append(path)
    cleared.set_status(codes[1], None)
    for service in ("DDETS-02", "DDETS-59", "DDETS-99"):
        path = folder / f"{service}-bis.xlsx"
        export_workbook(db, path, questionnaire_id=ROAD_MAP, respondent_code=service)
        paths.append(path)
    db.close()
    return paths


def _report_cells(path) -> dict:
    """Every cell of a consolidated workbook, but the moments it was made."""
    book = openpyxl.load_workbook(path, read_only=True)
    cells = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    book.close()
    cells["Synthèse"][1] = ()  # « … consolidation du 07/12/2026 à 10:00 »
    cells["_sradar"] = [row for row in cells["_sradar"] if row[0] != "exporte_le"]
    return cells


def test_a_merge_moved_to_disk_writes_what_one_in_memory_writes(
    tmp_path, road_map_files, data_dir, monkeypatch, caplog
):
    """Past a size, the merged answers move to a store on disk and the reports are read from
    there: the same workbook (every sheet, the answers' digest and stamps included) and the
    same PDF summary as from memory."""
    import pypdf

    from sradar_desktop.services.files import merging
    from sradar_desktop.services.files.consolidating import consolidate_files

    written = {}
    moved = {}
    for in_memory in (10**9, 0):
        monkeypatch.setattr(merging, "IN_MEMORY_UNITS", in_memory)
        workbook, pdf = tmp_path / f"{in_memory}.xlsx", tmp_path / f"{in_memory}.pdf"
        caplog.clear()
        with caplog.at_level(logging.INFO, logger=merging.__name__):
            report, results = consolidate_files(road_map_files, workbook=workbook, pdf=pdf)
        moved[in_memory] = [r.message for r in caplog.records if "fichier temporaire" in r.message]
        assert all(r.error is None for r in results)
        assert report is not None and report.respondents == 5
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
        written[in_memory] = (_report_cells(workbook), text.split("\n", 3)[3])
    (memory_cells, memory_pdf), (disk_cells, disk_pdf) = written.values()
    assert disk_cells == memory_cells
    assert disk_pdf == memory_pdf
    # The move is told in the log, once (what a support call asks about a slow consolidation).
    assert moved[10**9] == [] and len(moved[0]) == 1
    answers = {row[4]: row for row in memory_cells["Réponses"][1:] if row[6] or row[7]}
    assert set(answers) == {"DDETS-59", "DDETS-62", "DDETS-60", "DDETS-80"}
    assert "DDETS-99" not in {row[0] for row in memory_cells["Suivi"][1:]}
    assert "Revu le lendemain" in {row[7] for row in memory_cells["Réponses"][1:]}
    figures = {row[4] for row in memory_cells["Indicateurs"][1:]}
    assert {"DDETS-02", "Total"} <= figures


def test_a_full_disk_of_temporary_files_is_said(
    tmp_path, road_map_files, data_dir, monkeypatch, capsys
):
    """The merged answers moved to disk go to the system's temporary folder: its disk full is
    said in French (not as a defect of the program), and no workbook is written."""
    from sradar_desktop import cli
    from sradar_desktop.services.files import merging, store

    monkeypatch.setattr(merging, "IN_MEMORY_UNITS", 0)
    # SQLite's own limit on the file's size (small pages, a few more than the empty tables
    # take): the disk is "full" as SQLite reports it.
    monkeypatch.setattr(store, "_PAGE", 512)
    monkeypatch.setattr(store, "_SCHEMA", store._SCHEMA + "PRAGMA max_page_count = 12;")
    output = tmp_path / "consolidation.xlsx"
    status = cli.main(["consolidate", *map(str, road_map_files), "-o", str(output)])
    err = capsys.readouterr().err
    assert status == cli.EXIT_USER_ERROR, err
    assert "dossier des fichiers temporaires" in err and "Libérez de la place" in err
    # The folder SQLite writes to, which on Linux is /var/tmp before Python's /tmp.
    assert f"({store.temporary_folder()})" in err
    if sys.platform.startswith("linux") and not os.environ.get("SQLITE_TMPDIR"):
        assert store.temporary_folder() == (os.environ.get("TMPDIR") or "/var/tmp")
    assert not output.exists()
