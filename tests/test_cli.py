"""The command line, run as a user runs it: a separate process, French lines, exit statuses."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from conftest import SEED_000
from support import run_sradar as run

from sradar_desktop import __version__, cli


def test_version(data_dir):
    result = run("--version", data_dir=data_dir)
    assert result.returncode == 0
    assert result.stdout.strip() == f"SRADAR Desktop {__version__}"


def test_help_is_in_french(data_dir):
    result = run("--help", data_dir=data_dir)
    assert result.returncode == 0
    assert "utilisation :" in result.stdout and "questionnaires" in result.stdout


def test_questionnaires_lists_the_built_in_plans(data_dir):
    result = run("questionnaires", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "axes-regionaux-2020",
        "hdf-integration-2021",
        "sradar-2021-2023",
    ]
    sradar = lines[2]
    assert "SRADAR 2021-2023" in sradar
    assert "8 objectifs / 28 thématiques / 71 actions" in sradar
    assert (data_dir / "sradar.sqlite3").is_file()
    assert (data_dir / "journal" / "sradar-desktop.log").is_file()


def test_import_the_seed_then_list_it(data_dir):
    result = run("import", str(SEED_000), "--respondent", "SGAR-PDL", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "nouveau questionnaire" in result.stdout
    assert "8 objectifs, 28 thématiques, 71 actions" in result.stdout
    assert "répondant SGAR-PDL : 71 réponses nouvelles" in result.stdout
    listing = run("questionnaires", data_dir=data_dir).stdout.splitlines()
    assert len(listing) == 4
    imported = next(line for line in listing if line.startswith("premiere-evaluation"))
    assert "(8 objectifs / 28 thématiques / 71 actions)" in imported
    again = run("import", str(SEED_000), data_dir=data_dir)
    assert again.returncode == 0 and "déjà importé le" in again.stdout


def test_imports_are_numbered_listed_and_undone_by_number(data_dir, tmp_path):
    """``import`` says the number it gave; ``imports`` lists them (number, date, who, file,
    respondent, rows) so that the right one can be undone."""
    blank = tmp_path / "ddets44.xlsx"
    made = run(
        "blank", "--questionnaire", "sradar-2021-2023", "--respondent", "DDETS-44",
        "-o", str(blank), data_dir=data_dir,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert run("imports", data_dir=data_dir).stdout.strip() == "Aucun import dans cette base."
    first = run(
        "import", str(SEED_000), "--respondent", "SGAR-PDL", "--as", "Léa", data_dir=data_dir
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Import n° 1 — {SEED_000.name} : nouveau questionnaire")
    assert "sradar-desktop undo-import NUMÉRO (la liste : sradar-desktop imports)" in first.stdout
    second = run("import", str(blank), data_dir=data_dir)
    assert second.returncode == 0 and second.stdout.startswith("Import n° 2 — ddets44.xlsx")
    listing = run("imports", data_dir=data_dir)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("n° 1  ") and f"  Léa  {SEED_000.name}  " in lines[0]
    assert "SGAR-PDL  71 lignes nouvelles, 0 modifiée" in lines[0]
    assert lines[1].startswith("n° 2  ") and "ddets44.xlsx  DDETS-44" in lines[1]
    undone = run("undo-import", "1", data_dir=data_dir)
    assert undone.returncode == 0, undone.stderr
    after = run("imports", data_dir=data_dir).stdout.splitlines()
    assert "annulé le" in after[0] and "annulé" not in after[1]
    only = run("imports", "--questionnaire", "sradar-2021-2023", data_dir=data_dir)
    assert [line.split("  ")[0] for line in only.stdout.splitlines()] == ["n° 2"]


def test_help_headings_have_french_colons(data_dir):
    result = run("export", "--help", data_dir=data_dir)
    assert result.returncode == 0
    assert "\noptions :\n" in result.stdout and "options:" not in result.stdout
    # -o is optional (--pdf alone writes the summary) and says what it writes.
    assert "[-o FICHIER.xlsx]" in result.stdout
    assert "le classeur à écrire" in result.stdout


def test_db_option_with_a_path(data_dir, tmp_path):
    other = tmp_path / "secrétariat région" / "région.sqlite3"
    missing = run("--db", str(other), "questionnaires", data_dir=data_dir)
    assert missing.returncode == 1 and "n'existe pas" in missing.stderr
    other.parent.mkdir()
    result = run("--db", str(other), "questionnaires", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert other.is_file() and not (data_dir / "sradar.sqlite3").exists()
    # Also accepted after the sub-command.
    assert run("questionnaires", "--db", str(other), data_dir=data_dir).returncode == 0


@pytest.mark.postgresql
def test_db_option_with_a_postgresql_url(data_dir, pg_url):
    url = pg_url.render_as_string(hide_password=False)
    result = run("--db", url, "import", str(SEED_000), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    listing = run("--db", url, "questionnaires", data_dir=data_dir)
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) == 4
    assert not (data_dir / "sradar.sqlite3").exists()


def _database_bytes(data_dir: Path) -> bytes:
    return (data_dir / "sradar.sqlite3").read_bytes()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p / "absent.xlsx", "introuvable"),
        (lambda p: _write(p / "faux.xlsx", b"%PDF-1.5\n" + b"x" * 500), "document PDF"),
        (lambda p: _write(p / "vide.csv", b""), "est vide"),
        (
            lambda p: _write(p / "contacts.csv", b"Nom;Service\nMartin;DDETS\n"),
            "« Objectifs », « Thématiques » et « Actions »",
        ),
    ],
    ids=["fichier absent", "pdf renommé", "fichier vide", "colonnes absentes"],
)
def test_bad_input_to_import(data_dir, tmp_path, make, expected):
    assert run("questionnaires", data_dir=data_dir).returncode == 0
    before = _database_bytes(data_dir)
    path = make(tmp_path)
    result = run("import", str(path), data_dir=data_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sradar-desktop : Le fichier")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert _database_bytes(data_dir) == before


def test_one_bad_file_does_not_stop_the_others(data_dir, tmp_path):
    bad = _write(tmp_path / "faux.xlsx", b"%PDF-1.5\n" + b"x" * 500)
    result = run("import", str(bad), str(SEED_000), data_dir=data_dir)
    assert result.returncode == 1
    assert "71 réponses" in result.stdout
    assert "document PDF" in result.stderr


def test_a_database_that_cannot_be_opened(data_dir, tmp_path):
    folder = tmp_path / "dossier.sqlite3"
    folder.mkdir()
    result = run("--db", str(folder), "questionnaires", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr.startswith("sradar-desktop : ") and "est un dossier" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_in_french(data_dir):
    result = run("import", data_dir=data_dir)
    assert result.returncode == 2
    assert "arguments obligatoires manquants" in result.stderr


def test_exit_after_start_shows_the_window_and_exits(data_dir):
    result = run("--exit-after-start", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (data_dir / "sradar.sqlite3").is_file()


def test_exit_after_start_says_why_the_plan_cannot_be_shown(data_dir):
    from sradar_desktop.ui.parts.settings import Settings

    assert run("--exit-after-start", data_dir=data_dir).returncode == 0
    settings = Settings()
    settings.questionnaire_id = "plan-retire"  # the plan last opened is no longer in the base
    settings.sync()
    result = run("--exit-after-start", data_dir=data_dir)
    assert result.returncode == 1
    assert "Le questionnaire « plan-retire » n'existe pas dans cette base" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_after_start_on_a_refused_database(data_dir, tmp_path):
    bad = _write(tmp_path / "base.sqlite3", b"%PDF" + b"x" * 4096)
    result = run("--db", str(bad), "--exit-after-start", data_dir=data_dir)
    assert result.returncode == 1
    assert "n'est pas une base de données SRADAR Desktop" in result.stderr


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


class _Stream(io.TextIOWrapper):
    """A standard stream as Python opens it: on a pipe, or on a console when ``console``."""

    def __init__(self, encoding: str, *, console: bool) -> None:
        super().__init__(io.BytesIO(), encoding=encoding, newline="")
        self.console = console

    def isatty(self) -> bool:
        return self.console

    def written(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


_PLAN_TEXT = "Axes d’efforts régionaux ◦ taux ≥ 50 % « œuvre »"


@pytest.mark.parametrize("name", ["stdout", "stderr"])
def test_windows_pipe_gets_utf8_not_the_ansi_code_page(monkeypatch, name):
    """« sradar-desktop questionnaires > liste.txt » on Windows: Python would write cp1252, where
    ◦ and ≥ do not exist and which a reader expecting UTF-8 (installer/build.py) misreads."""
    stream = _Stream("cp1252", console=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, name, stream)
    cli._configure_streams()
    print(_PLAN_TEXT, file=stream)
    assert stream.written().decode("utf-8") == _PLAN_TEXT + "\n"


def test_windows_console_keeps_its_encoding_and_never_crashes(monkeypatch):
    """A Windows console is written in Unicode by Python itself: left as it is, with a
    replacement instead of a crash for what a legacy console could not show."""
    stream = _Stream("cp850", console=True)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "stdout", stream)
    cli._configure_streams()
    print(_PLAN_TEXT, file=stream)
    assert stream.encoding == "cp850" and stream.errors == "replace"
    assert stream.written().decode("cp850").startswith("Axes d?efforts régionaux ? taux ?")


def test_other_systems_keep_the_locale_encoding(monkeypatch):
    stream = _Stream("ascii", console=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(sys, "stdout", stream)
    cli._configure_streams()
    print("é", file=stream)
    assert stream.written() == b"?\n"
