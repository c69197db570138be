"""The files a person gives: a folder stands for the files in it that can be read, a name with
wildcards for the files it matches (a Windows command line hands « Réponses\\*.xlsx » over as
typed). The same rule for the command line and for files dropped on the window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import run_sradar

from sradar_desktop.services.files.given import ANSWER_SUFFIXES, given_files

SERVICES = ("DDETS-44", "DDETS-49", "DDETS-85")


@pytest.fixture(scope="module")
def received(tmp_path_factory) -> Path:
    """A folder of answers as a secretariat keeps it: three services' workbooks, the file
    Excel keeps beside the one it has open, hidden and system files, a letter, notes, and older
    answers in a subfolder."""
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.exchange import export_workbook
    from sradar_desktop.services.opening import open_database
    from sradar_desktop.services.questionnaires import default_campaign_id

    work = tmp_path_factory.mktemp("services")
    folder = work / "Réponses reçues [2025]"
    (folder / "archives").mkdir(parents=True)
    db = open_database(work / "services.sqlite3")
    campaign = default_campaign_id("sradar-2021-2023")
    for code, status in zip(SERVICES, ("oui", "non", "partiellement"), strict=True):
        AnswerService(db, campaign, code, "Agent").set_status("1.1.1", status)
        export_workbook(
            db, folder / f"{code}.xlsx", questionnaire_id="sradar-2021-2023", respondent_code=code
        )
    export_workbook(
        db,
        folder / "archives" / "DDETS-72.xlsx",
        questionnaire_id="sradar-2021-2023",
        respondent_code="DDETS-72",
    )
    db.close()
    (folder / "~$DDETS-44.xlsx").write_bytes(b"\x0bClaire Martin" + b"\x00" * 150)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\n", encoding="utf-16")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "Courrier.docx").write_bytes(b"PK\x03\x04")
    (folder / "notes.txt").write_text("À relancer : DDETS-85\n", encoding="utf-8")
    return folder


def test_a_folder_gives_the_files_in_it_that_can_be_read(received):
    workbooks = [f"{code}.xlsx" for code in SERVICES]
    # An import reads plan tables too; a consolidation, workbooks and messages only.
    assert [p.name for p in given_files(received)] == [*workbooks, "notes.txt"]
    assert [p.name for p in given_files(received, ANSWER_SUFFIXES)] == workbooks


def test_a_name_with_wildcards_gives_the_files_it_matches(received):
    # The folder is taken as written (brackets and all); wildcards are in the last part.
    pattern = received / "DDETS-4*.xlsx"
    assert [p.name for p in given_files(pattern)] == ["DDETS-44.xlsx", "DDETS-49.xlsx"]
    assert [p.name for p in given_files(received / "DDETS-?5.xlsx")] == ["DDETS-85.xlsx"]
    # Of what « * » matches, the files that can be read (no letter, no system file).
    assert [p.name for p in given_files(received / "*")] == [
        *(f"{code}.xlsx" for code in SERVICES),
        "notes.txt",
    ]
    assert given_files(received / "DDETS-9?.xlsx") == []
    # Brackets belong to the name, as on Windows.
    assert given_files(received / "[D]DETS-4*.xlsx") == []
    # Wildcards in a folder's name are not looked for: the name is refused later, as not found.
    elsewhere = received.parent / "Réponses*" / "*.xlsx"
    assert given_files(elsewhere) == [elsewhere]


def test_a_name_is_itself_when_it_names_a_file_or_nothing(received):
    named = received / "DDETS-44.xlsx"
    assert given_files(named) == [named]
    assert given_files(received / "absent.xlsx") == [received / "absent.xlsx"]


def test_consolidate_a_folder_or_a_pattern_as_typed_in_a_windows_command_line(
    received, tmp_path, data_dir
):
    whole = run_sradar(
        "consolidate", str(received), "-o", str(tmp_path / "a.xlsx"), data_dir=data_dir
    )
    assert whole.returncode == 0, whole.stderr
    assert "3 répondants" in whole.stdout and whole.stderr == ""
    # As cmd and PowerShell hand it over: the pattern itself, not the files.
    pattern = str(received / "DDETS-4?.xlsx")
    some = run_sradar("consolidate", pattern, "-o", str(tmp_path / "b.xlsx"), data_dir=data_dir)
    assert some.returncode == 0, some.stderr
    assert "2 répondants" in some.stdout
    # A file named twice (in its folder and by its name) is read once.
    twice = run_sradar(
        "consolidate",
        str(received),
        str(received / "DDETS-44.xlsx"),
        "-o",
        str(tmp_path / "c.xlsx"),
        data_dir=data_dir,
    )
    assert twice.returncode == 0 and twice.stderr == "" and "3 répondants" in twice.stdout
    assert not (data_dir / "sradar.sqlite3").exists()


def test_a_pattern_or_folder_with_nothing_to_read_is_said(received, tmp_path, data_dir):
    nothing = run_sradar(
        "consolidate", str(received / "DDETS-9*.xlsx"), "-o", str(tmp_path / "a.xlsx"),
        data_dir=data_dir,
    )  # fmt: skip
    assert nothing.returncode == 1
    assert "Aucun fichier à lire ne correspond à" in nothing.stderr
    assert "DDETS-9*.xlsx" in nothing.stderr
    assert "Traceback" not in nothing.stderr
    empty = tmp_path / "vide"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.4")
    said = run_sradar("import", str(empty), data_dir=data_dir)
    assert said.returncode == 1
    assert f"Le dossier « {empty} » ne contient aucun fichier à lire" in said.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_import_a_folder(received, data_dir):
    """An import reads plan tables too: the notes in the folder are refused, with their reason,
    and the workbooks imported all the same."""
    result = run_sradar("import", str(received), data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "« notes.txt » a été refusé" in result.stderr
    for code in SERVICES:
        assert code in result.stdout
    assert "DDETS-72" not in result.stdout  # the subfolder is not read


def test_the_consolidation_written_beside_the_answers_is_not_read_again(
    received, tmp_path, data_dir
):
    """« consolidate *.xlsx -o consolidation.xlsx » run twice in the same folder: the second
    run does not read the first one's workbook as answers."""
    folder = tmp_path / "Réponses"
    shutil.copytree(received, folder)
    output = folder / "consolidation.xlsx"
    for given in (folder, folder / "*.xlsx", folder):
        done = run_sradar("consolidate", str(given), "-o", str(output), data_dir=data_dir)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert "3 répondants" in done.stdout and "consolidation.xlsx" in done.stdout
    # Named as a file to read and as the file to write: refused before anything is read.
    named = run_sradar("consolidate", str(output), "-o", str(output), data_dir=data_dir)
    assert named.returncode == 1
    assert "est à la fois un fichier à lire et le fichier à écrire" in named.stderr
