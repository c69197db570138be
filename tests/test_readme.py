"""The README is the front door: what it tells a newcomer to type works as written, from a copy
of the project and a fresh environment, and it names one list of Linux libraries — the one the
continuous integration installs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
QT_PACKAGES = ROOT / ".ci" / "debian-qt-packages"

# Blocks the test does not run, and why: each is run elsewhere or would take the test too far.
NOT_RUN = {
    "pytest": "the test command itself (it is how this test runs)",
    "benchmarks/run.py": "the benchmarks take minutes and measure, they do not check",
    "sudo ": "installing system packages is what the continuous integration does first",
}
# The one change made to what is typed: the window is opened and closed again once it shows
# the plan (``--exit-after-start``), instead of waiting for someone to close it.
LAUNCH = ".venv/bin/sradar-desktop"


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def _copy_of_the_project(target: Path) -> Path:
    """The project's files as a fresh clone has them (what git tracks), or else everything
    but the environments and caches."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        for name in listed.stdout.decode().split("\0"):
            if name and (ROOT / name).is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, target / name)
    else:
        shutil.copytree(
            ROOT,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".venv*", ".git", "__pycache__", "results", "build"),
        )
    return target


def test_the_readme_names_the_linux_libraries_the_integration_installs():
    packages = QT_PACKAGES.read_text(encoding="utf-8").split()
    assert packages, "the list of Qt's Debian packages is empty"
    assert "$(cat .ci/debian-qt-packages)" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    assert "apt-get install --no-install-recommends $(cat .ci/debian-qt-packages)" in readme
    # No second list: not one of the packages is named in the README by hand.
    named = [package for package in packages if re.search(rf"\b{re.escape(package)}\b", readme)]
    assert named == []


def test_the_windows_commands_are_the_linux_ones():
    (linux,) = [block for block in blocks("sh") if "python3 -m venv .venv\n" in block]
    (windows,) = blocks("bat")
    as_windows = linux.replace("python3 -m venv", "py -m venv").replace(
        ".venv/bin/", ".venv\\Scripts\\"
    )
    assert windows == as_windows


def test_every_command_of_the_readme_runs_as_written(tmp_path):
    """The install, the launch, the command-line tour: in a copy of the project, with a new
    environment made from the system's ``python3`` (none of the project's packages), one line
    after the other as a newcomer types them."""
    if shutil.which("python3") is None:
        pytest.skip("no python3 on the PATH")
    project = _copy_of_the_project(tmp_path / "projet")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    environment.update(
        SRADAR_DATA_DIR=str(tmp_path / "donnees"),
        QT_QPA_PLATFORM="offscreen",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    ran = []
    for block in blocks("sh"):
        if any(marker in block for marker in NOT_RUN):
            continue
        for line in block.strip().splitlines():
            command = f"{line} --exit-after-start" if line.strip() == LAUNCH else line
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=project,
                env=environment,
                capture_output=True,
                text=True,
                timeout=900,  # the first install downloads Qt when nothing is cached
                check=False,
            )
            assert done.returncode == 0, f"« {line} » :\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
            ran.append(line)
    # The install, the launch and the whole tour ran.
    assert ran[:3] == ["python3 -m venv .venv", ".venv/bin/python -m pip install .", LAUNCH]
    assert ".venv/bin/sradar-desktop undo-import 1" in ran
    assert (project / "consolidation.xlsx").is_file() and (project / "synthese.pdf").is_file()
