"""Exports that fail half-way: a full disk, a process killed with ``kill -9``. The previous file
stays whole, the user reads one French line, and nothing is left behind for long."""

from __future__ import annotations

import builtins
import errno
import gc
import io
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from sradar_desktop import cli
from sradar_desktop.saving import WORK_FOLDER_PREFIX, remove_stale_work_folders

QUESTIONNAIRE = "sradar-2021-2023"
EXPORT = ["export", "--questionnaire", QUESTIONNAIRE, "--respondent", "DDETS-44", "--all"]
WRITING = "ÉCRITURE EN COURS"


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _work_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(WORK_FOLDER_PREFIX))


# --- A full disk ------------------------------------------------------------------------------


class _FillingDisk:
    """Every file a save opens for writing in its work folder goes through ``write`` here, the
    lowest point Python code can reach: once the disk is "full", writing fails with ENOSPC as
    the system would report it."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.refused = 0
        self._open = builtins.open

    def open(self, file, mode="r", *args, **kwargs):
        handle = self._open(file, mode, *args, **kwargs)
        name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else ""
        if WORK_FOLDER_PREFIX not in str(name) or not any(c in mode for c in "wax+"):
            return handle
        return _FullFile(handle, self)


class _FullFile:
    def __init__(self, handle, disk: _FillingDisk) -> None:
        self._handle = handle
        self._disk = disk

    def write(self, data):
        size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
        if size > self._disk.room:
            self._disk.refused += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._disk.room -= size
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __iter__(self):
        return iter(self._handle)


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("argv", "room"),
    [
        (EXPORT, 0),  # the first rows written
        (EXPORT, 4_000),  # the workbook half-zipped
        (["export", "--questionnaire", QUESTIONNAIRE], 0),  # consolidated workbook
    ],
    ids=["premieres-lignes", "classeur", "consolide"],
)
def test_a_full_disk_keeps_the_previous_export(argv, room, tmp_path, capsys, monkeypatch):
    target = tmp_path / "reponses.xlsx"
    status, _out, err = _main([*argv, "-o", str(target)], capsys)
    assert status == cli.EXIT_OK, err
    previous = target.read_bytes()
    system_temp = tmp_path / "temporaire-systeme"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))

    disk = _FillingDisk(room)
    monkeypatch.setattr(builtins, "open", disk.open)
    monkeypatch.setattr(io, "open", disk.open)
    status, out, err = _main([*argv, "-o", str(target)], capsys)
    gc.collect()  # anything the failed writer left would complain now, on the full disk
    monkeypatch.undo()

    assert disk.refused >= 1  # the export did meet the full disk
    assert status == cli.EXIT_USER_ERROR
    assert out == ""
    assert err == (
        f"sradar-desktop : Le disque est plein : le classeur n'a pas été enregistré dans "
        f"{target}. Le fichier qui s'y trouvait n'a pas été modifié. Libérez de la place ou "
        "choisissez un autre disque, puis réessayez.\n"
    )
    assert target.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "donnees",
        "reponses.xlsx",
        "temporaire-systeme",
    ]
    assert list(system_temp.iterdir()) == []


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_for_the_pdf_summary(tmp_path, capsys, monkeypatch):
    target = tmp_path / "synthese.pdf"
    argv = ["export", "--questionnaire", QUESTIONNAIRE, "--pdf", str(target)]
    assert _main(argv, capsys)[0] == cli.EXIT_OK
    previous = target.read_bytes()
    disk = _FillingDisk(0)
    monkeypatch.setattr(builtins, "open", disk.open)
    monkeypatch.setattr(io, "open", disk.open)
    status, _out, err = _main(argv, capsys)
    gc.collect()
    monkeypatch.undo()
    assert disk.refused == 1
    assert status == cli.EXIT_USER_ERROR
    assert err.startswith("sradar-desktop : Le disque est plein : la synthèse PDF n'a pas été ")
    assert err.count("\n") == 1
    assert target.read_bytes() == previous
    assert _work_folders(tmp_path) == []


# --- kill -9 in the middle of an export -------------------------------------------------------

# The child runs the real command line; a hook already in the product's flow (the writer's last
# sheet, or the zip archive being filled) says on standard output where it is, then waits on
# standard input for the test, which kills it there.
_CHILD = textwrap.dedent(
    """
    import sys
    import zipfile

    from sradar_desktop import cli
    from sradar_desktop.workbook import writer

    def pause():
        print("{writing}", flush=True)
        sys.stdin.readline()
        sys.exit("the test should have killed this process")

    hook, argv = sys.argv[1], sys.argv[2:]
    if hook == "lignes":
        write_meta = writer.write_meta

        def hooked_meta(*args, **kwargs):
            write_meta(*args, **kwargs)
            pause()

        writer.write_meta = hooked_meta
    else:
        write = zipfile.ZipFile.writestr
        parts = []

        def hooked_write(self, *args, **kwargs):
            write(self, *args, **kwargs)
            parts.append(args)
            if len(parts) == 3:
                pause()

        zipfile.ZipFile.writestr = hooked_write
    sys.exit(cli.main(argv))
    """
).format(writing=WRITING)


@pytest.mark.parametrize("hook", ["lignes", "archive"])
def test_an_export_killed_leaves_the_previous_file_and_no_leftover(
    hook, tmp_path, data_dir, capsys
):
    folder = tmp_path / "envois"
    folder.mkdir()
    target = folder / "DDETS-44.xlsx"
    assert _main([*EXPORT, "-o", str(target)], capsys)[0] == cli.EXIT_OK
    previous = target.read_bytes()
    # Files of the user's that look like ours must survive every clean-up.
    lookalikes = {
        folder / ".DDETS-44.xlsx.4242.tmp": b"notes",
        folder / f"{WORK_FOLDER_PREFIX}notes{'.tmp'}": b"notes",
    }
    for path, content in lookalikes.items():
        path.write_bytes(content)
    own_folder = folder / f"{WORK_FOLDER_PREFIX}perso.tmp"
    own_folder.mkdir()
    (own_folder / "verrou").write_bytes(b"un fichier a moi")

    script = tmp_path / "enfant.py"
    script.write_text(_CHILD, encoding="utf-8")
    system_temp = tmp_path / "temporaire-systeme"
    system_temp.mkdir()
    # The child imports the code under test, not an installed copy of it.
    code = str(Path(cli.__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), TMPDIR=str(system_temp), PYTHONPATH=path)
    with subprocess.Popen(
        [sys.executable, str(script), hook, *EXPORT, "-o", str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        encoding="utf-8",
    ) as child:
        line = child.stdout.readline()
        assert line.strip() == WRITING, child.stderr.read()
        [work] = [p for p in _work_folders(folder) if p != own_folder and p.is_dir()]
        assert any(p.stat().st_size > 0 for p in work.iterdir() if p.name != "verrou")
        # A save in progress is not a leftover: another export leaves it alone.
        remove_stale_work_folders(folder)
        assert work.is_dir()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        assert child.returncode == -signal.SIGKILL

    assert target.read_bytes() == previous
    assert work.is_dir()  # what the killed process left behind...
    assert list(system_temp.iterdir()) == []  # ...and nothing in the system's temporary folder

    other = folder / "DDETS-85.xlsx"
    blank = ["blank", "--questionnaire", QUESTIONNAIRE, "--respondent", "DDETS-85", "--all"]
    assert _main([*blank, "-o", str(other)], capsys)[0] == cli.EXIT_OK
    assert not work.exists()  # ...is removed by the next export to the same folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [target.name, other.name, own_folder.name, *(p.name for p in lookalikes)]
    )
    assert all(path.read_bytes() == content for path, content in lookalikes.items())
    assert (own_folder / "verrou").read_bytes() == b"un fichier a moi"
    assert target.read_bytes() == previous
