"""What ``pip install .`` gives a user: the built-in plans and migrations inside the package."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from conftest import PROJECT_DIR


def test_installed_wheel_runs_with_its_resources(tmp_path, data_dir):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(PROJECT_DIR),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("sradar_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "sradar_desktop/resources/plans/sradar-2021-2023.toml",
        "sradar_desktop/resources/plans/axes-regionaux-2020.toml",
        "sradar_desktop/resources/plans/hdf-integration-2021.toml",
        "sradar_desktop/db/migrations/env.py",
        "sradar_desktop/db/migrations/script.py.mako",
        "sradar_desktop/db/migrations/versions/0001_initial.py",
    ):
        assert expected in names

    # Installed in a fresh environment, away from the source tree: the plans and migrations must
    # come from the installed package. Its dependencies are borrowed from the environment running
    # the tests (a path file naming its site-packages), never from the base interpreter, which
    # may have none of them.
    environment = tmp_path / "env"
    venv.create(environment, system_site_packages=False, with_pip=False)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    borrow_dependencies(python)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir))
    env.pop("PYTHONPATH", None)  # the installed package, not a source tree named there
    result = subprocess.run(
        [str(bin_dir / "sradar-desktop"), "questionnaires"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "sradar-2021-2023" in result.stdout
    located = subprocess.run(
        [str(python), "-c", "import sradar_desktop.paths as p; print(p.resources_dir())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert str(environment) in located.stdout


def borrow_dependencies(python: Path) -> None:
    """Let the environment of ``python`` import the packages of the one running the tests.

    A plain path line in a ``.pth`` file appends that folder to ``sys.path`` without running the
    path files found there, so the source tree's editable install stays out: only the wheel
    installed in ``python``'s own environment provides ``sradar_desktop``.
    """
    own_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    Path(own_site, "_borrowed_dependencies.pth").write_text(
        "".join(f"{folder}\n" for folder in ours), encoding="utf-8"
    )


def _windows_excludes() -> list[str]:
    """The standard modules the Windows bundle leaves out, as its PyInstaller spec lists them."""
    spec = (PROJECT_DIR / "installer" / "sradar-desktop.spec").read_text(encoding="utf-8")
    for node in ast.parse(spec).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "WINDOWS_EXCLUDES"
            for target in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("WINDOWS_EXCLUDES manque dans installer/sradar-desktop.spec")


def test_the_program_runs_without_what_the_windows_bundle_leaves_out(tmp_path, data_dir):
    """The window, the plans, an import and a consolidation with its PDF, with the modules the
    Windows bundle does not carry made impossible to import (a module imported at load on the
    way to the window once stopped the bundled program on Windows)."""
    left_out = _windows_excludes()
    assert "ssl" in left_out
    program = (
        "import runpy, sys\n"
        f"for name in {left_out!r}:\n"
        "    sys.modules[name] = None\n"
        "sys.argv[0] = 'sradar-desktop'\n"
        "runpy.run_module('sradar_desktop', run_name='__main__')\n"
    )
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", program, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("--exit-after-start")
    assert "sradar-2021-2023" in run("questionnaires")
    blank = tmp_path / "DDETS-44.xlsx"
    run(
        "blank", "--questionnaire", "sradar-2021-2023", "--respondent", "DDETS-44", "-o", str(blank)
    )
    assert run("import", str(blank)).startswith("Import n° ")
    consolidated, summary = tmp_path / "consolidation.xlsx", tmp_path / "synthese.pdf"
    run("consolidate", str(blank), "-o", str(consolidated), "--pdf", str(summary))
    assert consolidated.stat().st_size > 0 and summary.read_bytes().startswith(b"%PDF")
