"""What the command line says when the user gets something wrong: French only, one line, the
right exit status, and nothing left behind."""

from __future__ import annotations

import argparse
import ast
import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sradar_desktop import cli
from sradar_desktop.saving import WORK_FOLDER_PREFIX, remove_stale_work_folders

QUESTIONNAIRE = "axes-regionaux-2020"
# Words of argparse's catalogue that are French words too.
_ALSO_FRENCH = {"argument", "arguments", "option", "options", "message", "version", "actions"}


def _argparse_catalogue() -> tuple[list[str], list[tuple[str, str]]]:
    """The messages the running argparse passes to gettext: ``_(…)`` and ``ngettext(…)``."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    singles, plurals = [], []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if node.func.id == "_" and texts and isinstance(texts[0], str):
            singles.append(texts[0])
        elif node.func.id == "ngettext" and len(texts) >= 2:
            plurals.append((texts[0], texts[1]))
    # A title given to add_subparsers by default, through a variable in some versions.
    return [*singles, "subcommands"], plurals


def _english_words() -> set[str]:
    singles, plurals = _argparse_catalogue()
    texts = singles + [text for pair in plurals for text in pair]
    words = set()
    for text in texts:
        text = re.sub(r"%(\(\w+\))?[rsd]", " ", text)  # placeholders are not words
        words.update(w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) > 1)
    return words - _ALSO_FRENCH


ENGLISH = _english_words()


def _english_in(text: str) -> set[str]:
    text = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)  # option names (--help, --version)
    return set(re.findall(r"[^\W\d_]+", text.lower())) & ENGLISH


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    """``sradar-desktop argv`` in this process: exit status, standard output and error."""
    try:
        status = cli.main(argv)
    except SystemExit as end:  # argparse ends the program itself for --help and usage errors
        status = end.code if isinstance(end.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _commands() -> list[str]:
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_the_english_words_are_found():
    """The check below would catch argparse's own words."""
    assert {"show", "usage", "positional", "invalid", "required", "expected"} <= ENGLISH
    assert _english_in("usage: x [-h]\n\noptions:\n  -h, --help  show this help message")


def test_every_argparse_message_has_its_french():
    singles, plurals = _argparse_catalogue()
    assert [m for m in singles if m not in cli._ARGPARSE_FR] == []
    assert [p for p in plurals if p not in cli._ARGPARSE_FR_PLURAL] == []


def test_every_help_is_in_french(capsys):
    commands = _commands()
    assert {"import", "export", "consolidate", "blank", "undo-import", "questionnaires"} <= set(
        commands
    )
    for argv in [["--help"], *([command, "--help"] for command in commands)]:
        status, out, err = _main(argv, capsys)
        assert status == 0, argv
        assert out.startswith("utilisation : sradar-desktop"), argv
        assert err == ""
        assert _english_in(out) == set(), (argv, out)


WRONG = [
    (["undo-import", "abc"], "« abc » n'est pas un numéro d'import"),
    (["undo-import", "0"], "« 0 » n'est pas un numéro d'import"),
    (["undo-import", "99999999999999999999"], "n'est pas un numéro d'import"),
    (["undo-import", "1", "2"], "arguments non reconnus : 2"),
    (["exprot"], "choix invalide : 'exprot'"),
    (["import"], "arguments obligatoires manquants : FICHIER"),
    (["consolidate", "a.xlsx"], "arguments obligatoires manquants : -o/--output"),
    (["blank", "--respondent", "DDETS-44"], "arguments obligatoires manquants"),
    (["export", "-o"], "argument -o/--output : une valeur est attendue"),
    (["export", "--all=oui"], "valeur 'oui' refusée"),
    (["export", "--bof"], "arguments non reconnus : --bof"),
    (["--db"], "une valeur est attendue"),
    (["questionnaires", "de", "trop"], "arguments non reconnus : de trop"),
]


@pytest.mark.parametrize(("argv", "expected"), WRONG, ids=[" ".join(a) for a, _ in WRONG])
def test_wrong_invocations_in_french(argv, expected, capsys):
    status, out, err = _main(argv, capsys)
    assert status == cli.EXIT_USAGE
    assert out == ""
    assert err.startswith("sradar-desktop : ") and err.count("\n") == 1, err
    assert expected in err
    assert "--help » donne l'aide" in err
    assert _english_in(err) == set(), err


def test_a_wrong_invocation_as_a_user_types_it(data_dir):
    """The same through a real process: status 2, one French line, no traceback."""
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    result = subprocess.run(
        [sys.executable, "-m", "sradar_desktop", "undo-import", "abc"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "sradar-desktop : argument NUMÉRO : « abc » n'est pas un numéro d'import : donnez un "
        "nombre entier positif, ou rien pour annuler le dernier import. « sradar-desktop "
        "undo-import --help » donne l'aide.\n"
    )


# --- Files that cannot be written ---------------------------------------------------------------


def _blank(target: Path, capsys) -> tuple[int, str, str]:
    argv = ["blank", "--questionnaire", QUESTIONNAIRE, "--respondent", "DDETS-44", "-o"]
    return _main([*argv, str(target)], capsys)


def _one_french_line(err: str) -> str:
    assert err.startswith("sradar-desktop : ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "Errno" not in err
    assert "inattendue" not in err
    return err


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(WORK_FOLDER_PREFIX))


def test_an_output_onto_a_folder(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    status, _out, err = _blank(folder, capsys)
    assert status == cli.EXIT_USER_ERROR
    assert f"{folder} est un dossier. Indiquez le nom du fichier" in _one_french_line(err)
    assert "Is a directory" not in err
    assert list(folder.iterdir()) == []


def test_an_output_in_a_missing_folder(tmp_path, capsys):
    status, _out, err = _blank(tmp_path / "absent" / "vierge.xlsx", capsys)
    assert status == cli.EXIT_USER_ERROR
    assert f"Le dossier {tmp_path / 'absent'} n'existe pas" in _one_french_line(err)
    assert not (tmp_path / "absent").exists()


def test_an_output_with_a_name_too_long(tmp_path, capsys):
    target = tmp_path / ("é" * 200 + ".xlsx")  # 405 bytes: more than any file system takes
    status, _out, err = _blank(target, capsys)
    assert status == cli.EXIT_USER_ERROR
    assert "est trop long pour le système" in _one_french_line(err)
    assert _leftovers(tmp_path) == []


def test_an_output_with_no_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _out, err = _main(["export", "--pdf", ""], capsys)
    assert status == cli.EXIT_USER_ERROR
    assert "ne désigne pas un fichier" in _one_french_line(err)


def test_an_output_onto_a_pipe_is_refused_before_any_work(tmp_path, capsys):
    pipe = tmp_path / "tube.xlsx"
    os.mkfifo(pipe)
    status, _out, err = _blank(pipe, capsys)
    assert status == cli.EXIT_USER_ERROR
    assert "n'est pas un fichier ordinaire" in _one_french_line(err)
    assert pipe.is_fifo()


def test_the_workbook_and_the_summary_under_one_name(tmp_path, capsys):
    target = tmp_path / "synthese"
    status, _out, err = _main(["export", "-o", str(target), "--pdf", str(target)], capsys)
    assert status == cli.EXIT_USER_ERROR
    assert "deux noms différents" in _one_french_line(err)
    assert not target.exists()


def test_a_symbolic_link_keeps_pointing_to_the_new_file(tmp_path, capsys):
    real = tmp_path / "vrai.xlsx"
    real.write_bytes(b"ancien")
    link = tmp_path / "lien.xlsx"
    link.symlink_to(real)
    status, _out, err = _blank(link, capsys)
    assert status == cli.EXIT_OK, err
    assert link.is_symlink() and real.read_bytes().startswith(b"PK")


SYSTEM_ERRORS = [
    (PermissionError(errno.EACCES, "Permission denied"), "est peut-être ouvert dans Excel"),
    (OSError(errno.EROFS, "Read-only file system"), "protégé en écriture"),
    (OSError(errno.ENOSPC, "No space left on device"), "Le disque est plein"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), "Le disque est plein"),
    (OSError(errno.ENAMETOOLONG, "File name too long"), "est trop long pour le système"),
    (OSError(errno.EINVAL, "Invalid argument"), "n'est pas accepté par le système"),
    (OSError(errno.ENOENT, "No such file or directory"), "n'est plus accessible"),
    (OSError(errno.EIO, "Input/output error"), "(erreur système EIO)"),
]


@pytest.mark.parametrize(
    ("error", "expected"), SYSTEM_ERRORS, ids=[errno.errorcode[e.errno] for e, _ in SYSTEM_ERRORS]
)
def test_a_refused_replacement_keeps_the_previous_file(
    error, expected, tmp_path, capsys, monkeypatch
):
    """The last step, moving the new file onto the old one, refused by the system (on Windows,
    a workbook open in Excel refuses it): one French line, the previous file whole."""
    target = tmp_path / "vierge.xlsx"
    target.write_bytes(b"export precedent")

    def refuse(source, destination):
        raise error

    monkeypatch.setattr("sradar_desktop.saving.os.replace", refuse)
    status, _out, err = _blank(target, capsys)
    assert status == cli.EXIT_USER_ERROR
    line = _one_french_line(err)
    assert expected in line
    assert str(target) in line or target.name in line
    assert error.strerror not in line
    assert target.read_bytes() == b"export precedent"
    assert _leftovers(tmp_path) == []


def test_a_folder_where_nothing_can_be_created(tmp_path, capsys, monkeypatch):
    """The work folder itself refused (a protected folder; root passes chmod, so refused here)."""

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("sradar_desktop.saving.tempfile.mkdtemp", refuse)
    status, _out, err = _blank(tmp_path / "vierge.xlsx", capsys)
    assert status == cli.EXIT_USER_ERROR
    assert "protégé en écriture" in _one_french_line(err)
    assert not (tmp_path / "vierge.xlsx").exists()


def test_a_consolidation_refused_before_reading_the_files(tmp_path, capsys):
    status, _out, err = _main(
        ["consolidate", str(tmp_path / "absent.xlsx"), "-o", str(tmp_path)], capsys
    )
    assert status == cli.EXIT_USER_ERROR
    assert "est un dossier" in _one_french_line(err)  # said before the missing input


def test_a_reader_that_stops_early(data_dir):
    """« sradar-desktop questionnaires | head -0 »: no message, no traceback."""
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    with subprocess.Popen(
        [sys.executable, "-m", "sradar_desktop", "questionnaires"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as child:
        child.stdout.close()
        err = child.stderr.read().decode("utf-8")
        status = child.wait(timeout=120)
    assert err == ""
    assert status == cli.EXIT_BROKEN_PIPE


def test_a_sweep_of_a_folder_without_leftovers(tmp_path):
    user_files = [tmp_path / ".rapport.xlsx.1234.tmp", tmp_path / f"{WORK_FOLDER_PREFIX}a.tmp"]
    for path in user_files:
        path.write_bytes(b"a moi")
    assert remove_stale_work_folders(tmp_path) == []
    assert remove_stale_work_folders(tmp_path / "absent") == []
    assert all(path.read_bytes() == b"a moi" for path in user_files)
