"""Test-only: the Windows side of .ci/windows, run by the Windows Python under wine.

    python windows_side.py first-qt-start      a window shown and closed, the prefix's first
    python windows_side.py samples FOLDER      two DDETS's answered workbooks in FOLDER
    python windows_side.py many FOLDER COUNT   COUNT services' workbooks answering a plan of a
                                               hundred actions (the benchmarks' data)
    python windows_side.py identity            the agent's identity in the registry (HKCU)
    python windows_side.py hold-exclusive FILE opens FILE shared with no one, until stdin ends
    python windows_side.py ask-show DATABASE   asks the window holding DATABASE to show itself
    python windows_side.py console EXE ARG...  runs EXE in a console of its own and prints what
                                               that console shows, as an agent would read it
    python windows_side.py file-dialog FOLDER PNG
                                               the import dialog as the window opens it: prints
                                               what it shows, saves a screenshot, closes it
    python windows_side.py mail FOLDER         « Ouvrir dans la messagerie »: a draft and its
                                               workbook written in FOLDER, handed to the default
                                               mail program through Simple MAPI, as the window
                                               does; prints the mail program found and its answer

Each prints what it did on one line, for .ci/wine/prove.py to check. It uses the source tree
(the current folder), the same code the bundled program carries.
"""

from __future__ import annotations

import ctypes
import json
import sys
from ctypes import wintypes
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))
sys.path.insert(0, str(Path.cwd() / "installer"))


def first_qt_start() -> None:
    """The first Qt window of a new wine prefix, a plain label: see prove.py."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    started = time.monotonic()
    app = QApplication([])
    label = QLabel("Axes d’efforts régionaux")
    label.show()
    QTimer.singleShot(500, app.quit)
    app.exec()
    print(f"premier démarrage de Qt : {app.platformName()}, {time.monotonic() - started:.0f} s")


def samples(folder: Path) -> None:
    import build

    folder.mkdir(parents=True, exist_ok=True)
    paths = build._sample_workbooks(folder)
    print("classeurs :", " | ".join(str(path) for path in paths))


def many(folder: Path, count: int) -> None:
    from benchmarks.data import make_plan, write_respondent_files

    paths = write_respondent_files(make_plan(100), folder, count)
    print(f"classeurs : {len(paths)} dans {folder}")


def identity() -> None:
    from sradar_desktop.services.entry import Identity
    from sradar_desktop.ui.parts.settings import Settings

    settings = Settings()
    settings.set_identity(Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Claire Essai"))
    settings.store.sync()
    print("identité :", settings.identity())


def hold_exclusive(path: Path) -> None:
    """As a program that opens a file without sharing it (Excel with a workbook, a backup tool
    with the database): Windows refuses the file to everyone else (a sharing violation)."""
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    kernel32.CreateFileW.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]
    generic_read_write, no_sharing, open_existing, normal = 0xC0000000, 0, 3, 0x80
    handle = kernel32.CreateFileW(
        str(path), generic_read_write, no_sharing, None, open_existing, normal, None
    )
    if handle in (None, wintypes.HANDLE(-1).value):
        raise SystemExit(f"ouverture impossible : {ctypes.get_last_error()}")
    print("tenu sans partage :", path, flush=True)
    sys.stdin.read()
    kernel32.CloseHandle(handle)


def ask_show(database: str) -> None:
    from PySide6.QtCore import QCoreApplication

    from sradar_desktop.db.engine import database_url
    from sradar_desktop.ui.parts.single_instance import InstanceGuard

    app = QCoreApplication([])  # noqa: F841 (the local socket needs an application)
    guard = InstanceGuard(database_url(database))
    asked = guard.ask_first_to_show()
    print(f"demande : {asked}")
    if not asked:
        raise SystemExit(1)


def console(command: list[str]) -> None:
    """The program in a new console window (its code page the system's, cp850 for French):
    what it wrote is read back from the console's screen, character by character."""
    import subprocess
    import time

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    create_new_console = 0x10
    child = subprocess.Popen(command, creationflags=create_new_console)
    kernel32.FreeConsole()
    for _ in range(100):
        if kernel32.AttachConsole(child.pid):
            break
        time.sleep(0.05)
    else:
        raise SystemExit(f"console introuvable : {ctypes.get_last_error()}")
    status = child.wait(timeout=240)  # the console stays while this process is attached
    screen = kernel32.CreateFileW("CONOUT$", 0xC0000000, 0x3, None, 3, 0, None)
    info = ctypes.create_string_buffer(22)
    kernel32.GetConsoleScreenBufferInfo(wintypes.HANDLE(screen), info)
    width, height = int.from_bytes(info[0:2], "little"), int.from_bytes(info[2:4], "little")
    buffer = ctypes.create_unicode_buffer(width * height)
    read = wintypes.DWORD()
    kernel32.ReadConsoleOutputCharacterW(
        wintypes.HANDLE(screen), buffer, width * height, 0, ctypes.byref(read)
    )
    page = kernel32.GetConsoleOutputCP()
    lines = [buffer[i : i + width].rstrip() for i in range(0, read.value, width)]
    kernel32.FreeConsole()
    print(json.dumps({"status": status, "cp": page, "lines": [x for x in lines if x]}))


def file_dialog(folder: Path, png: Path) -> None:

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QFileDialog

    from sradar_desktop.app import create_application

    app = create_application()
    user32 = ctypes.WinDLL("user32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32")
    callback = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
    title = "Importer des classeurs"
    seen: dict[str, object] = {}

    def text(hwnd: int) -> str:
        buffer = ctypes.create_unicode_buffer(512)
        user32.GetWindowTextW(hwnd, buffer, 512)
        return buffer.value

    def ours(hwnd: int) -> bool:
        pid = wintypes.DWORD()
        user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        return pid.value == kernel32.GetCurrentProcessId()

    def look(attempt: int = 0) -> None:
        dialogs: list[int] = []

        def top(hwnd, _):
            if ours(hwnd) and user32.IsWindowVisible(hwnd) and text(hwnd) == title:
                dialogs.append(hwnd)
            return True

        user32.EnumWindows(callback(top), 0)
        if not dialogs:
            if attempt < 60:
                QTimer.singleShot(500, lambda: look(attempt + 1))
            return
        labels: list[str] = []

        def child(hwnd, _):
            if user32.IsWindowVisible(hwnd) and text(hwnd).strip():
                labels.append(text(hwnd).strip())
            return True

        user32.EnumChildWindows(dialogs[0], callback(child), 0)
        seen.update(title=text(dialogs[0]), labels=labels)
        QGuiApplication.primaryScreen().grabWindow(0).save(str(png))
        wm_close = 0x0010
        user32.PostMessageW(dialogs[0], wm_close, 0, 0)

    QTimer.singleShot(500, look)
    QFileDialog.getOpenFileNames(
        None,
        title,
        str(folder),
        "Classeurs et tableaux (*.xlsx *.xlsm *.ods *.xls *.csv *.txt);;Tous les fichiers (*)",
    )
    app.processEvents()
    print("dialogue :", json.dumps(seen, ensure_ascii=False))
    if not seen:
        raise SystemExit("Le dialogue d'ouverture n'est pas apparu.")


def mail(folder: Path) -> None:
    """The Windows-only path of ``mail.mapi``: the registry read for the default mail program,
    mapi32.dll loaded, MAPISendMailW (or MAPISendMail) called with the draft. Without a mail
    program that serves Simple MAPI, says so (the window then opens the .eml)."""
    from sradar_desktop.mail.mapi import code_name, default_mail_client, mapi_mailer
    from sradar_desktop.mail.writer import write_draft_of

    folder.mkdir(parents=True, exist_ok=True)
    workbook = folder / "SRADAR-2021-2023_DDETS-44.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    draft = write_draft_of(
        folder / "SRADAR-2021-2023_DDETS-44.eml",
        to=("ddets44@example.gouv.fr", "chef.pole@example.gouv.fr"),
        subject="SRADAR 2021-2023 — Évaluation « 2027 » : questionnaire de DDETS-44",
        body="Bonjour,\n\nVeuillez trouver ci-joint le classeur à renseigner.\n",
        files=(workbook,),
        sender="sgar-evaluation@example.gouv.fr",
    )
    mailer = mapi_mailer()
    if mailer is None:
        print("messagerie :", json.dumps({"client": default_mail_client(), "mapi": False}))
        return
    code = mailer.open(draft)
    found = {"client": mailer.client, "mapi": True, "unicode": mailer.unicode}
    print("messagerie :", json.dumps({**found, "code": code_name(code)}, ensure_ascii=False))


def main() -> None:
    command, *arguments = sys.argv[1:]
    if command == "first-qt-start":
        first_qt_start()
    elif command == "samples":
        samples(Path(arguments[0]))
    elif command == "many":
        many(Path(arguments[0]), int(arguments[1]))
    elif command == "identity":
        identity()
    elif command == "hold-exclusive":
        hold_exclusive(Path(arguments[0]))
    elif command == "ask-show":
        ask_show(arguments[0])
    elif command == "console":
        console(arguments)
    elif command == "file-dialog":
        file_dialog(Path(arguments[0]), Path(arguments[1]))
    elif command == "mail":
        mail(Path(arguments[0]))
    else:
        raise SystemExit(f"commande inconnue : {command}")


if __name__ == "__main__":
    main()
