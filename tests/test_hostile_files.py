"""Files received by email are hostile until checked: refused in French, nothing changed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import hostile_corpus as corpus
import pytest
from exchange_support import SRADAR, answer
from support import snapshot

from sradar_desktop.db.models import Questionnaire
from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.plan import Action, Objective, Plan, Theme
from sradar_desktop.errors import FileRefusedError
from sradar_desktop.services.database import Database
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import load_plan, store_plan
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import write_exchange_workbook


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    """A genuine answers workbook, the base of most hostile variants."""
    folder = tmp_path_factory.mktemp("authentique")
    db = open_database(folder / "source.sqlite3")
    answer(db, "DDETS-44", {"1.1.1": ("oui", "fait"), "1.1.3": ("non", "")})
    path = folder / "DDETS-44.xlsx"
    export_workbook(db, path, respondent_code="DDETS-44")
    db.close()
    return path


# Refused from what the file is, before the spreadsheet parser opens it (``True``), or by what
# the parser found in it; and what the refusal says.
CASES = {
    "tronqué": (corpus.make_truncated, True, "incomplet ou endommagé"),
    "pdf renommé": (corpus.make_pdf, True, "document PDF"),
    "docx renommé": (corpus.make_docx, True, "document Word"),
    "protégé par mot de passe": (corpus.make_encrypted, True, "protégé par un mot de passe"),
    "bombe zip": (corpus.make_zip_bomb, True, "anormalement"),
    "trop d'éléments": (corpus.make_many_members, True, "éléments internes"),
    "trop gros": (corpus.make_huge, True, "plus que la limite"),
    "entités XML": (corpus.make_entities, True, "déclarations XML interdites"),
    "feuille _sradar supprimée": (
        corpus.make_without_metadata,
        False,
        "feuille technique « _sradar » a été supprimée",
    ),
    "codes d'un autre questionnaire": (
        corpus.make_other_codes,
        False,
        "le code « 9.9.9 » n'est pas une action du questionnaire",
    ),
}


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files the spreadsheet parser (python-calamine) was asked to open."""
    import python_calamine

    opened: list[str] = []
    real = python_calamine.CalamineWorkbook

    class Watched:
        def __getattr__(self, name: str):
            return getattr(real, name)

        def from_path(self, path, *args, **kwargs):
            opened.append(Path(path).name)
            return real.from_path(path, *args, **kwargs)

        def from_filelike(self, stream, *args, **kwargs):
            opened.append(Path(stream.name).name)  # the file read, as it was named
            return real.from_filelike(stream, *args, **kwargs)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Watched())
    return opened


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_refused_and_nothing_changed(
    case, genuine, tmp_path, db_url, data_dir, parsed
):
    make, before_parsing, expected = CASES[case]
    hostile = make(genuine, tmp_path)
    db = open_database(db_url)
    answer(db, "DDETS-44", {"2.1.1": ("oui", "déjà là")})
    before = snapshot(db)
    with pytest.raises(FileRefusedError) as error:
        import_file(db, hostile.path)
    # Refused early, not after chewing through it: the parser never saw it.
    assert (hostile.path.name not in parsed) == before_parsing
    message = " ".join([str(error.value), *error.value.details])
    assert expected in message
    if hostile.cell is not None:
        assert f"{hostile.cell} : " in message
    assert "Traceback" not in message
    assert snapshot(db) == before
    db.close()


def test_another_version_of_the_questionnaire(genuine, tmp_path, data_dir):
    db = Database.open(tmp_path / "base.sqlite3")
    other = Plan(
        id=SRADAR,
        title="Une autre version du plan",
        objectives=(Objective("1", "Objectif", (Theme("1.1", "Thème", (Action("1.1.1", "A"),)),)),),
    )
    with db.write() as session:
        store_plan(session, other, "builtin")
    before = snapshot(db)
    with pytest.raises(FileRefusedError, match="autre version du questionnaire"):
        import_file(db, genuine)
    assert snapshot(db) == before
    with db.read() as session:
        assert session.get(Questionnaire, SRADAR).title == "Une autre version du plan"
    db.close()


# The import logs its outcome once every answer is written, before it commits: there the child
# says so and waits, for the parent to kill it at that very point.
CHILD = textwrap.dedent(
    """
    import logging
    import sys
    from pathlib import Path
    from sradar_desktop.services.database import Database
    from sradar_desktop.services.opening import open_database
    from sradar_desktop.services.imports import import_file

    class Pause(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("Import : "):
                print("écrit, pas encore validé", flush=True)
                sys.stdin.readline()

    logger = logging.getLogger("sradar_desktop.services.imports")
    logger.setLevel(logging.INFO)
    logger.addHandler(Pause())
    db = open_database(sys.argv[1])
    import_file(db, Path(sys.argv[2]))
    print("fin", flush=True)
    """
)


def _big_consolidation(db: Database, path: Path, services: int) -> int:
    """A consolidation of many services' answers (written as the app writes any workbook)."""
    plan = load_plan(db, SRADAR)
    now = utcnow()
    statuses = ("oui", "partiellement", "non", "nc")
    lines = tuple(
        fmt.AnswerLine(
            f"DDETS-{n:03d}", a.code, statuses[(n + i) % 4], f"Commentaire {i}", now, "A"
        )
        for n in range(services)
        for i, a in enumerate(plan.actions())
    )
    write_exchange_workbook(
        fmt.ExchangeWorkbook(
            plan=plan,
            campaign_id=f"{SRADAR}:evaluation",
            campaign_title="Évaluation",
            kind=fmt.KIND_CONSOLIDATION,
            exported_at=now,
            app_version="test",
            respondents=(),
            answers=lines,
        ),
        path,
    )
    return len(lines)


@pytest.mark.slow
def test_kill_during_an_import_leaves_the_database_as_before(tmp_path, data_dir):
    target = tmp_path / "base.sqlite3"
    db = open_database(target)
    big = tmp_path / "consolidation.xlsx"
    count = _big_consolidation(db, big, services=5)
    answer(db, "DDETS-001", {"1.1.1": ("non", "avant l'import")})
    before = snapshot(db)
    db.close()
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), str(big)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "écrit, pas encore validé"
        with sqlite3.connect(target) as connection:  # another reader sees nothing of it yet
            assert connection.execute("SELECT count(*) FROM import_record").fetchone() == (0,)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=300)  # only against a stuck child
    assert child.returncode == -signal.SIGKILL
    assert child.stdout.read() == "", "l'import s'est terminé avant d'être interrompu"

    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db = open_database(target)
    assert snapshot(db) == before
    # The same file imports fine afterwards (one answer was already there, newer).
    outcome = import_file(db, big)
    assert outcome.applied == count - 1
    db.close()
