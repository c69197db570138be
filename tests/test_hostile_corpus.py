"""A corpus of hostile and broken received files, through the real command line.

Each class of file is imported by ``sradar-desktop import`` in a batch [a good workbook A, the
hostile file, a good workbook B of another respondent], on a database where the hostile file's
respondent had already answered. A refused file gets exactly one French line naming it (and the
cell at fault, when one is), changes nothing, and A and B are imported all the same. Then the
whole corpus goes through one ``sradar-desktop consolidate``: each refused file is reported once,
and the good ones are consolidated.

The children run as an ordinary user would run them: without the administrator's right to read
any file (so that a file without read permission is unreadable even when the tests run as root),
and with their address space capped, so that a file making the reader allocate without bound
fails its test instead of exhausting the machine. Their peak memory is measured, never their time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import hostile_corpus as corpus
import openpyxl
import pytest
from exchange_support import ROAD_MAP, answer, state
from support import measured_command, obey_file_permissions, peak_memory

from sradar_desktop.services.database import Database
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id

# The children's memory cap, capabilities and peak memory are POSIX matters.
resource = pytest.importorskip("resource", reason="POSIX seulement")

HOSTILE = "DDETS-59"  # the respondent whose file is hostile; it answered before
A, B = "DDETS-62", "DDETS-80"
CAMPAIGN = default_campaign_id(ROAD_MAP)

FIRST_ANSWERS = {
    "1.1.2": ("oui", "fait"),
    "1.2.1": ("non", "pas encore"),
    "2.6.1": {"answer": ("partiellement", "deux projets"), "indicators": {0: ("10", "7")}},
}
# The answers of the hostile file's genuine original: had it been imported, every one of the
# answers above would have changed.
SECOND_ANSWERS = {
    "1.1.2": ("partiellement", "en cours"),
    "1.2.1": ("oui", "terminé"),
    "1.2.2": ("non", "pas de budget"),
    "2.6.1": {"answer": ("oui", "trois projets"), "indicators": {0: ("10", "9"), 1: ("80", "95")}},
}
ANSWERS_OF = {
    A: {"1.1.2": ("non", "rien"), "2.6.1": {"answer": ("oui", ""), "indicators": {0: ("3", "3")}}},
    B: {"1.2.1": ("partiellement", "à moitié")},
}

REFUSED, IMPORTED, EITHER = "refusé", "importé", "importé ou refusé"


@dataclass(frozen=True)
class Hostile:
    build: corpus.Builder
    outcome: str
    hint: str | None = None  # what a refusal must also say (a regular expression)


CLASSES = {
    "fichier vide": Hostile(corpus.make_empty, REFUSED, "vide"),
    "texte renommé": Hostile(corpus.make_text, REFUSED),
    "PDF renommé": Hostile(corpus.make_pdf, REFUSED, "PDF"),
    "page web renommée": Hostile(corpus.make_html, REFUSED, "page web|HTML"),
    "Word renommé": Hostile(corpus.make_docx, REFUSED, "Word"),
    "zip tronqué": Hostile(corpus.make_truncated, REFUSED),
    "protégé par mot de passe": Hostile(corpus.make_encrypted, REFUSED, "mot de passe"),
    "bombe zip": Hostile(corpus.make_zip_bomb, REFUSED),
    "trop d'éléments": Hostile(corpus.make_many_members, REFUSED),
    "trop gros": Hostile(corpus.make_huge, REFUSED),
    "entités XML": Hostile(corpus.make_entities, REFUSED),
    "sans droit de lecture": Hostile(corpus.make_unreadable, REFUSED),
    "feuille _sradar supprimée": Hostile(corpus.make_without_metadata, REFUSED, "_sradar"),
    "code d'un autre questionnaire": Hostile(corpus.make_other_codes, REFUSED, "9.9.9"),
    "#N/A dans Réalisation": Hostile(corpus.make_error_in_status, REFUSED),
    "#REF! dans Commentaire": Hostile(corpus.make_error_in_comment, REFUSED),
    "#VALUE! dans un indicateur": Hostile(corpus.make_error_in_indicator, REFUSED),
    "formule sans résultat": Hostile(corpus.make_formula_without_result, REFUSED),
    "répondant DDETS 59 😀": Hostile(corpus.make_respondent_emoji, REFUSED),
    "répondant Total": Hostile(corpus.make_respondent_total, REFUSED),
    "cellule isolée en XFD1048576": Hostile(corpus.make_stray_cell_at_the_end, EITHER),
    "cellule isolée en ZZ150000": Hostile(corpus.make_stray_cell_far_away, EITHER),
    # Imported, or refused saying where the header was looked for.
    "en-tête descendu de 30 lignes": Hostile(
        corpus.make_header_pushed_down, EITHER, r"Questionnaire.*ligne|ligne.*Questionnaire"
    ),
    "commentaire qui ressemble à une formule": Hostile(corpus.make_formula_like_comment, IMPORTED),
    "feuille renommée": Hostile(corpus.make_sheet_renamed, IMPORTED),
    "réponses dans une autre casse": Hostile(corpus.make_statuses_in_another_case, IMPORTED),
}

# Words of an English error message, of a traceback or of a Python value shown as code
# (``UnknownValue('#N/A')``, ``None``): never in what a user reads.
ENGLISH = re.compile(
    r"Traceback|\b\w*(Error|Exception)\b|\bErrno\b|Permission denied|No such file|"
    r"\bpanicked\b|\bcannot\b|\bfailed\b|\bnot found\b|\binvalid\b|\bunexpected\b|"
    r"\b[A-Z][a-z]+[A-Z]\w*\(|\bNone\b"
)
PEAK_MEMORY = 1024**3
# Far above what a batch of small workbooks needs, far below what the machine has: a reader
# allocating without bound fails here rather than swapping every other process out.
ADDRESS_SPACE = 4 * 1024**3


# Children run as an ordinary user ---------------------------------------------------------------


def _as_an_ordinary_user() -> None:
    """In the child, before it runs Python: cap its memory, and as root drop the capabilities
    that let root read any file (they are not given back by ``exec``)."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    obey_file_permissions()


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_memory: int  # bytes, the child's largest resident set

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_child(
    arguments: list[str], data_dir: Path, peak_file: Path | None = None, **variables: str
) -> Run:
    """Run ``python ARGUMENTS`` as an ordinary user; its exit status, output and peak memory
    (read from ``peak_file`` when the child writes one). The 300 s limit only keeps a stuck
    child from hanging the tests: nothing is asserted on time."""
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), **variables)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, *arguments],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=_as_an_ordinary_user,
        )
        safety = threading.Timer(300, child.kill)
        safety.start()
        try:
            child.wait()
        finally:
            safety.cancel()
        out.seek(0)
        err.seek(0)
        measured = peak_file is not None and peak_file.exists()
        return Run(
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            peak_memory(peak_file) if measured else 0,
        )


def sradar(*arguments: str, data_dir: Path) -> Run:
    """``sradar-desktop ARGUMENTS`` in a child that measures its own peak memory."""
    peak_file = data_dir / f"pic-memoire-{uuid.uuid4().hex}.txt"
    command, variables = measured_command(list(arguments), peak_file)
    run = run_child(command[1:], data_dir, peak_file, **variables)
    assert peak_file.exists(), f"le programme n'a pas fini normalement : {run.stderr}"
    return run


# The corpus, built once ---------------------------------------------------------------------------


@dataclass
class Corpus:
    folder: Path
    files: dict[str, corpus.Built]
    a: Path
    b: Path
    template: Path  # a database where the hostile respondent's first answers were imported
    refused: dict  # state of the template after importing A and B
    imported: dict  # the same with the hostile file's genuine original imported too


def _exported(db: Database, respondent: str, answers: dict, path: Path) -> Path:
    answer(db, respondent, answers, questionnaire=ROAD_MAP)
    export_workbook(db, path, respondent_code=respondent, questionnaire_id=ROAD_MAP)
    return path


def _state_after(template: Path, paths: list[Path], target: Path, *, stamps: bool) -> dict:
    shutil.copyfile(template, target)
    db = open_database(target)
    try:
        for path in paths:
            import_file(db, path)
        return state(db, with_stamps=stamps)
    finally:
        db.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SRADAR_DATA_DIR", str(folder / "donnees"))
        source = open_database(folder / "source.sqlite3")
        first = _exported(source, HOSTILE, FIRST_ANSWERS, folder / f"{HOSTILE}-avant.xlsx")
        original = _exported(source, HOSTILE, SECOND_ANSWERS, folder / f"{HOSTILE}.xlsx")
        a, b = (
            _exported(source, code, ANSWERS_OF[code], folder / f"{code}.xlsx") for code in (A, B)
        )
        source.close()
        template = folder / "modele.sqlite3"
        db = open_database(template)
        import_file(db, first)
        db.close()
        refused = _state_after(template, [a, b], folder / "refuse.sqlite3", stamps=True)
        imported = _state_after(
            template, [original, a, b], folder / "importe.sqlite3", stamps=False
        )
    hostile = folder / "hostiles"
    hostile.mkdir()
    files = {name: kind.build(original, hostile) for name, kind in CLASSES.items()}
    names = [built.path.name for built in files.values()]
    assert not any(x != y and x in y for x in names for y in [*names, a.name, b.name])
    unreadable = files["sans droit de lecture"].path
    probe = run_child(["-c", "import sys; open(sys.argv[1], 'rb')", str(unreadable)], folder)
    assert "PermissionError" in probe.stderr, "impossible de rendre un fichier illisible ici"
    return Corpus(folder, files, a, b, template, refused, imported)


# Import ---------------------------------------------------------------------------------------


def _reported_files(stdout: str) -> list[str]:
    """The files the import reports on, in order: one line each, « Import n° N — fichier : … »
    or, when nothing was written, « fichier : … » (conflicts and the undo hint are not files)."""
    files = []
    for line in stdout.splitlines():
        if line.startswith(("  ", "Pour annuler")) or " : " not in line:
            continue
        number, dash, rest = line.partition(" — ")
        if dash and number.removeprefix("Import n° ").isdigit():
            line = rest
        files.append(line.split(" : ", 1)[0])
    return files


def _clean(run: Run) -> None:
    assert not ENGLISH.search(run.stdout + run.stderr), run.stdout + run.stderr
    assert run.peak_memory < PEAK_MEMORY, f"{run.peak_memory / 1024**2:.0f} Mo"


def _refusal(kind: Hostile, hostile: corpus.Built, line: str) -> None:
    """The one line about a refused file: French, naming the file and the cell at fault."""
    assert line.startswith("sradar-desktop : "), line
    assert hostile.path.name in line, line
    if hostile.cell is not None:
        assert re.search(rf"{re.escape(hostile.cell)}\b", line), line
    if kind.hint is not None:
        assert re.search(kind.hint, line), line
    assert "erreur inattendue" not in line, line  # recognised, not a crash


def _expected_import(built: Corpus, hostile: corpus.Built) -> dict:
    expected = {**built.imported, "answers": dict(built.imported["answers"])}
    if hostile.path.name == "commentaire-formule.xlsx":
        key = (CAMPAIGN, HOSTILE, hostile.code)
        expected["answers"][key] = (expected["answers"][key][0], corpus.FORMULA_LIKE_COMMENT)
    return expected


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CLASSES))
def test_import_refuses_the_hostile_file_alone(name, built, tmp_path, data_dir):
    kind, hostile = CLASSES[name], built.files[name]
    database = tmp_path / "base.sqlite3"
    shutil.copyfile(built.template, database)
    run = sradar(
        "--db",
        str(database),
        "import",
        str(built.a),
        str(hostile.path),
        str(built.b),
        data_dir=data_dir,
    )
    _clean(run)
    reported = _reported_files(run.stdout)
    db = open_database(database)
    try:
        after = state(db, with_stamps=run.returncode != 0)
    finally:
        db.close()
    if kind.outcome == IMPORTED or (kind.outcome == EITHER and run.returncode == 0):
        assert (run.returncode, run.errors) == (0, [])
        assert reported == [built.a.name, hostile.path.name, built.b.name]
        assert after == _expected_import(built, hostile)
        return
    assert run.returncode == 1, run.stderr
    assert len(run.errors) == 1, run.stderr
    _refusal(kind, hostile, run.errors[0])
    assert reported == [built.a.name, built.b.name]
    # The hostile respondent's earlier answers are all there, unchanged; A and B came in.
    assert after == built.refused


# Consolidation ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def consolidated(built) -> tuple[Run, Path]:
    output = built.folder / "consolidation.xlsx"
    paths = [built.a, *(hostile.path for hostile in built.files.values()), built.b]
    run = sradar("consolidate", *map(str, paths), "-o", str(output), data_dir=built.folder)
    return run, output


def _consolidated_answers(path: Path) -> set[tuple[str, str, str | None]]:
    """(respondent, code, status) of every row of the consolidated workbook's long sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book["Réponses"].iter_rows(values_only=True)
        header = list(next(rows))
        who, code, status = (header.index(c) for c in ("Répondant", "Code", "Réalisation"))
        return {(row[who], row[code], row[status]) for row in rows if row[who]}
    finally:
        book.close()


@pytest.mark.slow
def test_consolidate_consolidates_the_good_files_of_a_hostile_batch(built, consolidated):
    run, output = consolidated
    _clean(run)
    assert run.returncode == 1, run.stderr
    refused = [n for n, kind in CLASSES.items() if kind.outcome == REFUSED]
    assert (
        len(refused)
        <= len(run.errors)
        <= len(refused) + sum(kind.outcome == EITHER for kind in CLASSES.values())
    )
    assert output.name in run.stdout
    rows = _consolidated_answers(output)
    for code in (A, B):
        for action, value in ANSWERS_OF[code].items():
            status = (value["answer"] if isinstance(value, dict) else value)[0]
            assert (code, action, status) in rows


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CLASSES))
def test_consolidate_reports_the_hostile_file_once(name, built, consolidated):
    run, _ = consolidated
    kind, hostile = CLASSES[name], built.files[name]
    lines = [line for line in run.errors if hostile.path.name in line]
    if kind.outcome == IMPORTED or (kind.outcome == EITHER and not lines):
        assert lines == []
        return
    assert len(lines) == 1, run.stderr
    _refusal(kind, hostile, lines[0])
