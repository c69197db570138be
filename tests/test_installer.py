"""What can be checked of the Windows installer without Windows, and the Linux entry."""

from __future__ import annotations

import configparser
import re
import sys

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
