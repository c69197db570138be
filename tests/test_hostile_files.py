"""Files received by email are hostile until checked: refused in French, nothing changed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from exchange_support import SRADAR, answer, edit_workbook
from msoffcrypto.format.ooxml import OOXMLFile
from support import snapshot

from sradar_desktop.db.models import Questionnaire
from sradar_desktop.db.types import utcnow
from sradar_desktop.domain.plan import Action, Objective, Plan, Theme
from sradar_desktop.errors import FileRefusedError
from sradar_desktop.services.database import Database
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.questionnaires import load_plan, store_plan
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import write_exchange_workbook


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    """A genuine answers workbook, the base of most hostile variants."""
    folder = tmp_path_factory.mktemp("authentique")
    db = Database.open(folder / "source.sqlite3")
    answer(db, "DDETS-44", {"1.1.1": ("oui", "fait"), "1.1.3": ("non", "")})
    path = folder / "DDETS-44.xlsx"
    export_workbook(db, path, respondent_code="DDETS-44")
    db.close()
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _rewrite(source: Path, target: Path, change) -> Path:
    """Copy an xlsx member by member, letting ``change(name, data)`` alter the XML."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, change(item.filename, old.read(item.filename)))
    return target


def make_truncated(genuine: Path, folder: Path) -> Path:
    path = folder / "tronque.xlsx"
    path.write_bytes(genuine.read_bytes()[: genuine.stat().st_size * 2 // 3])
    return path


def make_pdf(genuine: Path, folder: Path) -> Path:
    path = folder / "reponses.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 50)
    return path


def make_docx(genuine: Path, folder: Path) -> Path:
    return _zip(
        folder / "reponses.xlsx",
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 100},
    )


def make_encrypted(genuine: Path, folder: Path) -> Path:
    path = folder / "protege.xlsx"
    with genuine.open("rb") as plain, path.open("wb") as encrypted:
        office = OOXMLFile(plain)
        office.encrypt("secret", encrypted)
    return path


def make_zip_bomb(genuine: Path, folder: Path) -> Path:
    return _zip(
        folder / "bombe.xlsx",
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b" " * (300 * 1024 * 1024)},
    )


def make_many_members(genuine: Path, folder: Path) -> Path:
    return _zip(
        folder / "foule.xlsx",
        {"xl/workbook.xml": b"<workbook/>", **{f"xl/media/{n}.bin": b"x" for n in range(2500)}},
    )


def make_huge(genuine: Path, folder: Path) -> Path:
    path = folder / "enorme.xlsx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(60 * 1024 * 1024)
    return path


def make_entities(genuine: Path, folder: Path) -> Path:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet2.xml":
            return laughs + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
        return data

    return _rewrite(genuine, folder / "entites.xlsx", change)


def make_without_metadata(genuine: Path, folder: Path) -> Path:
    def remove(book):
        del book["_sradar"]

    return edit_workbook(genuine, folder / "sans-metadonnees.xlsx", remove)


def make_other_codes(genuine: Path, folder: Path) -> Path:
    def paste(book):
        book["Questionnaire"]["A2"] = "9.9.9"

    return edit_workbook(genuine, folder / "autre-questionnaire.xlsx", paste)


CASES = {
    "tronqué": (make_truncated, "incomplet ou endommagé"),
    "pdf renommé": (make_pdf, "document PDF"),
    "docx renommé": (make_docx, "document Word"),
    "protégé par mot de passe": (make_encrypted, "protégé par un mot de passe"),
    "bombe zip": (make_zip_bomb, "anormalement"),
    "trop d'éléments": (make_many_members, "éléments internes"),
    "trop gros": (make_huge, "plus que la limite"),
    "entités XML": (make_entities, "déclarations XML interdites"),
    "feuille _sradar supprimée": (
        make_without_metadata,
        "feuille technique « _sradar » a été supprimée",
    ),
    "codes d'un autre questionnaire": (
        make_other_codes,
        "Questionnaire!A2 : le code « 9.9.9 » n'est pas une action du questionnaire",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_refused_and_nothing_changed(case, genuine, tmp_path, db_url, data_dir):
    make, expected = CASES[case]
    path = make(genuine, tmp_path)
    db = Database.open(db_url)
    answer(db, "DDETS-44", {"2.1.1": ("oui", "déjà là")})
    before = snapshot(db)
    started = time.perf_counter()
    with pytest.raises(FileRefusedError) as error:
        import_file(db, path)
    assert time.perf_counter() - started < 20  # refused early, not after chewing through it
    message = " ".join([str(error.value), *error.value.details])
    assert expected in message
    assert "Traceback" not in message
    assert snapshot(db) == before
    db.close()


def test_another_version_of_the_questionnaire(genuine, tmp_path, data_dir):
    db = Database.open(tmp_path / "base.sqlite3", install_builtins=False)
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


def test_cli_refuses_each_hostile_file_with_one_line(genuine, tmp_path, data_dir):
    paths = [
        make(genuine, tmp_path / name.replace(" ", "-"))
        for name, (make, _) in CASES.items()
        if not (tmp_path / name.replace(" ", "-")).mkdir()
    ]
    database = tmp_path / "base.sqlite3"
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    command = [sys.executable, "-m", "sradar_desktop", "--db", str(database), "import"]
    subprocess.run([*command[:-1], "questionnaires"], env=env, check=True, capture_output=True)
    before = database.read_bytes()
    result = subprocess.run(
        [*command, *map(str, paths), str(genuine)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == len(CASES)
    assert all(line.startswith("sradar-desktop : Le fichier") for line in lines)
    assert "Traceback" not in result.stderr
    assert "DDETS-44.xlsx" in result.stdout  # the genuine one was imported all the same
    assert database.read_bytes() != before


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sradar_desktop.services.database import Database
    from sradar_desktop.services.imports import import_file

    db = Database.open(sys.argv[1])
    print("début", flush=True)
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
    db = Database.open(target)
    big = tmp_path / "consolidation.xlsx"
    count = _big_consolidation(db, big, services=120)
    answer(db, "DDETS-001", {"1.1.1": ("non", "avant l'import")})
    before = snapshot(db)
    db.close()
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), str(big)],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "début"
    time.sleep(1.0)  # reading and merging 8,520 answers takes longer than this
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.stdout.read() == "", "l'import s'est terminé avant d'être interrompu"

    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db = Database.open(target)
    assert snapshot(db) == before
    # The same file imports fine afterwards (one answer was already there, newer).
    outcome = import_file(db, big)
    assert outcome.applied == count - 1
    db.close()
