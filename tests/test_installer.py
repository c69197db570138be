"""What can be checked of the Windows installer without Windows, and the Linux entry."""

from __future__ import annotations

import configparser
import os
import re
import sys
import tomllib

import pytest
from conftest import PROJECT_DIR

from sradar_desktop import __version__

INSTALLER = PROJECT_DIR / "installer"
sys.path.insert(0, str(INSTALLER))
import build  # noqa: E402


def test_version_numbers():
    assert build.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert build.version_numbers("1.2.3rc1") == (1, 2, 3, 0)
    assert build.version_numbers("2.10") == (2, 10, 0, 0)


def test_version_resource_has_the_shape_pyinstaller_compiles():
    """PyInstaller evaluates this text with its version classes (only importable on Windows):
    evaluate it here with stand-ins that keep what they are given."""

    class Kept:
        def __init__(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs

    names = (
        "VSVersionInfo FixedFileInfo StringFileInfo StringTable StringStruct VarFileInfo VarStruct"
    )
    classes = {name: type(name, (Kept,), {}) for name in names.split()}
    info = eval(build.version_resource(__version__), {"__builtins__": {}}, classes)
    fixed = info.kwargs["ffi"].kwargs
    assert fixed["filevers"] == fixed["prodvers"] == build.version_numbers(__version__)
    strings, variables = info.kwargs["kids"]
    table = strings.args[0][0]
    assert table.args[0] == "040C04B0"  # French, Unicode
    values = {entry.args[0]: entry.args[1] for entry in table.args[1]}
    assert values["ProductName"] == "SRADAR Desktop" and values["FileVersion"] == __version__
    assert variables.args[0][0].args == ("Translation", [1036, 1200])


def test_inno_setup_script():
    script = (INSTALLER / "sradar-desktop.iss").read_text(encoding="utf-8")
    # The AppId never changes: upgrades and uninstallation depend on it.
    assert "AppId={{4B8E2D3C-7A61-4F0B-9C52-5A1D8E6F2B90}" in script
    assert "PrivilegesRequired=lowest" in script
    assert "AppVersion={#AppVersion}" in script and "#error" in script
    assert "/VERYSILENT" in script  # the silent flags are documented for IT departments
    icon = re.search(r"SetupIconFile=(.+)", script).group(1).strip()
    assert (INSTALLER / icon.replace("\\", "/")).is_file()
    assert (PROJECT_DIR / "resources" / "guide" / "guide.html").is_file()
    # Nothing deletes the user's data folder on uninstallation.
    uninstall = script.split("[UninstallDelete]", 1)[1]
    assert "localappdata" not in uninstall.lower() and "userappdata" not in uninstall.lower()


def test_linux_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(INSTALLER / "sradar-desktop.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Exec"].startswith("sradar-desktop")
    assert section["Icon"] == "sradar-desktop"
    assert (PROJECT_DIR / "resources" / "icons" / "sradar-desktop.png").is_file()


def test_guide_images_are_there():
    guide = PROJECT_DIR / "resources" / "guide"
    images = re.findall(r'src="(images/[^"]+)"', (guide / "guide.html").read_text(encoding="utf-8"))
    assert len(images) >= 5
    assert all((guide / image).is_file() for image in images)


def test_output_in_the_ansi_code_page_is_refused_clearly():
    """The bundled program on Windows wrote « Axes d’efforts » in cp1252 to its pipe and the
    check died on a UnicodeDecodeError: now it runs in UTF-8 mode, and output that is not
    UTF-8 is reported with the fix, not a traceback."""
    written = "Axes d’efforts régionaux (6 objectifs / 13 thématiques)".encode("cp1252")
    with pytest.raises(SystemExit, match=r"n'écrit pas en UTF-8.*X utf8"):
        build._decode(written, "sradar-desktop questionnaires")
    assert build._decode(written.decode("cp1252").encode("utf-8"), "…").startswith("Axes d’")


def test_a_program_writing_the_ansi_code_page_fails_the_check_clearly():
    child = [
        sys.executable,
        "-c",
        "import sys; sys.stdout.buffer.write('d’efforts'.encode('cp1252'))",
    ]
    with pytest.raises(SystemExit, match="n'écrit pas en UTF-8"):
        build._run(["questionnaires"], dict(os.environ), executable=child)


def test_a_hung_program_is_stopped_with_a_clear_message(tmp_path):
    """Under wine with the offscreen platform the window hung in its first paint, and its own
    guard could not fire: the check stops the program itself."""
    started = tmp_path / "pid"
    child = [
        sys.executable,
        "-c",
        "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); "
        "print('fenêtre en cours', flush=True); time.sleep(600)",
        str(started),
    ]
    stopped = r"(?s)pas terminé en 2 secondes.*arrêté.*fenêtre en cours"
    with pytest.raises(SystemExit, match=stopped):
        build._run(["--exit-after-start"], dict(os.environ), executable=child, timeout=2)
    pid = int(started.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped, not left running


def test_checks_use_the_real_platform_on_windows(monkeypatch, tmp_path):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(build, "WINDOWS", True)
    env = build.check_environment(tmp_path)
    assert "QT_QPA_PLATFORM" not in env and env["SRADAR_DATA_DIR"] == str(tmp_path / "donnees")
    monkeypatch.setattr(build, "WINDOWS", False)
    assert build.check_environment(tmp_path)["QT_QPA_PLATFORM"] == "offscreen"


def test_the_bundle_runs_in_utf8_mode_without_unused_qt():
    spec = (INSTALLER / "sradar-desktop.spec").read_text(encoding="utf-8")
    assert '[("X utf8", None, "OPTION")]' in spec
    assert spec.count("python_options, name=") == 2  # both programs
    for unused in ("opengl32sw", "Quick", "Qml", "VirtualKeyboard", "PIL._avif", '"_ssl"'):
        assert unused in spec


def test_qt_charts_is_not_a_dependency():
    """PySide6-Addons (QtCharts) was required and never imported: 50 MB in every install."""
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    assert not [d for d in project["project"]["dependencies"] if "addons" in d.lower()]
    for path in (PROJECT_DIR / "sradar_desktop").rglob("*.py"):
        assert "import QtCharts" not in path.read_text(encoding="utf-8")
        assert "PySide6.QtCharts" not in path.read_text(encoding="utf-8")


def test_installation_folder_is_changed_only_by_the_wine_checks():
    script = (INSTALLER / "sradar-desktop.iss").read_text(encoding="utf-8")
    assert '#define InstallRoot "{autopf}"' in script
    assert "DefaultDirName={#InstallRoot}\\SRADAR Desktop" in script
