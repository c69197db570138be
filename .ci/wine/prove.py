"""Test-only: the steps of .ci/windows once wine, the Windows Python and Inno Setup are ready.

Run by the Debian Python (standard library only) with, in the environment, WINEPREFIX,
DISPLAY, SRADAR_SRC (a copy of the project), SRADAR_WORK (a scratch folder), SRADAR_ISCC
(ISCC.exe) and SRADAR_WINPYTHON (the Windows python.exe, as a Windows path).

Wine exits 0 even when a Windows program never started: every step checks what it produced
(files, lines of output), not only the exit status. A Windows program's standard output and
error are pipes here, never plain files, and its input /dev/null, never closed: wine's Python
cannot start on those.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

SRC = Path(os.environ["SRADAR_SRC"])
WORK = Path(os.environ["SRADAR_WORK"])
ISCC = os.environ["SRADAR_ISCC"]
PYTHON = os.environ["SRADAR_WINPYTHON"]
HERE = Path(__file__).resolve().parent
APP_ID = "{4B8E2D3C-7A61-4F0B-9C52-5A1D8E6F2B90}"
MAIL_CLIENT_DLL = r"C:\sradar-essai\mailclient.dll"  # built by .ci/windows (mailclient.c)
MAIL_KEY = r"HKLM\Software\Clients\Mail"
MB = 1024 * 1024
# Services whose answers (140 each) are more than a merge keeps in memory (15,000).
MANY = 130


class Failure(Exception):
    pass


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


def wine(
    *arguments: str, timeout: float = 300, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """A Windows program under wine, its output through pipes, stopped after ``timeout``."""
    try:
        result = subprocess.run(
            ["wine", *arguments],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise Failure(f"{arguments[0]} ne s'est pas terminé en {timeout:g} s") from error
    done = subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", errors="replace"),
        result.stderr.decode("utf-8", errors="replace"),
    )
    done.raw_stdout = result.stdout  # type: ignore[attr-defined]
    if check and result.returncode != 0:
        raise Failure(
            f"{' '.join(arguments)} : statut {result.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise Failure(f"{what} : toujours pas après {seconds:g} s")
        time.sleep(0.5)


class Proof:
    def __init__(self) -> None:
        self.checks = 0
        self.figures: dict[str, str] = {}
        self.started = time.monotonic()

    def ok(self, message: str) -> None:
        self.checks += 1
        print(f"  ok  {message}", flush=True)

    def step(self, title: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"== {title} ({elapsed / 60:.1f} min)", flush=True)

    # -- build -----------------------------------------------------------------------------

    def first_qt_start(self) -> None:
        """Wine 8.0's gap, not the app's: the first Qt window of a new prefix (wine builds its
        font cache meanwhile) may spin in Qt until stopped, a plain QLabel as much as the
        bundled window; the next start takes seconds. Stopped after a minute and tried
        again; the bundle's own checks, after it, run with their usual time limits."""
        self.step("Premier démarrage de Qt dans le préfixe wine")
        for attempt in range(1, 4):
            try:
                shown = wine(
                    PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "first-qt-start",
                    cwd=SRC, timeout=60,
                )  # fmt: skip
            except Failure:
                print(f"      essai {attempt} : Qt tourne sans fin, arrêté", flush=True)
                subprocess.run(["wineserver", "-k"], check=False)
                subprocess.run(["wineserver", "-w"], check=False, timeout=60)
                continue
            expect("premier démarrage de Qt : windows" in shown.stdout, f"Qt : {shown.stdout}")
            self.figures["premier démarrage de Qt"] = f"essai {attempt}"
            self.ok(f"{shown.stdout.strip()} (essai {attempt})")
            return
        raise Failure("Qt ne démarre pas dans le préfixe wine, même au troisième essai")

    def build(self) -> None:
        self.step("Paquet et installateur, par installer/build.py sous le Python de Windows")
        started = time.monotonic()
        env = dict(os.environ, WINEPATH=str(Path(ISCC).parent))
        # UTF-8 mode for build.py itself: its own messages reach this log undamaged.
        command = ["wine", PYTHON, "-X", "utf8", "installer\\build.py", "--check", "--installer"]
        process = subprocess.Popen(
            command,
            cwd=SRC,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        lines = []
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip()
            lines.append(line)
            print(f"      {line}", flush=True)
        status = process.wait()
        output = "\n".join(lines)
        expect(status == 0, f"installer/build.py a échoué (statut {status})")
        bundle = SRC / "dist" / "SRADAR Desktop"
        for name in ("sradar-desktop.exe", "SRADAR Desktop.exe"):
            expect((bundle / name).is_file(), f"{name} manque dans {bundle}")
        for line in (
            "SRADAR Desktop ",
            "la fenêtre s'ouvre et s'affiche (--exit-after-start, à l'écran)",
            "accents compris",
            "consolidation de deux classeurs",
        ):
            expect(line in output, f"build.py --check n'a pas écrit « {line} »")
        self.ok("le paquet est construit et ses vérifications passent (fenêtre Windows réelle)")
        unwanted = ("Qt6Quick.dll", "Qt6Qml.dll", "Qt6Charts.dll", "opengl32sw.dll", "_avif*")
        for name in (*unwanted, "libssl-3.dll"):
            expect(not list(bundle.rglob(name)), f"{name} est encore dans le paquet")
        self.ok("ni Qt Quick/QML, Qt Charts, opengl32sw.dll, AVIF (Pillow) ni OpenSSL")
        setups = list((SRC / "dist").glob("SRADAR-Desktop-*.exe"))
        expect(len(setups) == 1 and size(setups[0]) > MB, "l'installateur n'a pas été produit")
        self.setup = setups[0]
        self.bundle = bundle
        self.figures["paquet"] = f"{size(bundle) / MB:.0f} Mo"
        self.figures["installateur"] = f"{size(self.setup) / MB:.1f} Mo"
        self.figures["construction"] = f"{(time.monotonic() - started) / 60:.1f} min"
        self.ok(f"installateur {self.setup.name} ({self.figures['installateur']})")

    def test_installer(self) -> Path:
        """The same script, pointed at {localappdata}\\Programs: wine cannot resolve {autopf}
        for a per-user installation (test only, see the .iss)."""
        self.step("Installateur d'essai (dossier {localappdata}\\Programs)")
        output = WORK / "installateur-essai"
        shutil.rmtree(output, ignore_errors=True)
        output.mkdir(parents=True)
        version = self.setup.stem.removeprefix("SRADAR-Desktop-")
        wine(
            ISCC,
            "/Q",
            f"/DAppVersion={version}",
            f"/DSourceDir={windows_path(self.bundle)}",
            "/DInstallRoot={localappdata}\\Programs",
            f"/O{windows_path(output)}",
            "/FSRADAR-Desktop-essai",
            windows_path(SRC / "installer" / "sradar-desktop.iss"),
            timeout=1200,
        )
        setup = output / "SRADAR-Desktop-essai.exe"
        expect(setup.is_file() and size(setup) > MB, "ISCC n'a pas produit l'installateur d'essai")
        self.ok(f"installateur d'essai compilé ({size(setup) / MB:.1f} Mo)")
        return setup

    # -- installation ----------------------------------------------------------------------

    def windows_folders(self) -> None:
        local = wine("cmd", "/c", "echo %LOCALAPPDATA%").stdout.strip()
        profile = wine("cmd", "/c", "echo %USERPROFILE%").stdout.strip()
        self.localappdata_win = local
        self.localappdata = Path(wine("winepath", "-u", local).stdout.strip())
        self.profile = Path(wine("winepath", "-u", profile).stdout.strip())
        self.app = self.localappdata / "Programs" / "SRADAR Desktop"
        self.data = self.localappdata / "SRADAR Desktop"
        expect(self.localappdata.is_dir(), f"%LOCALAPPDATA% introuvable : {local}")

    def install(self, setup: Path) -> None:
        self.step("Installation silencieuse, par utilisateur")
        self.windows_folders()
        log = WORK / "installation.log"
        started = time.monotonic()
        wine(
            str(setup),
            "/VERYSILENT",
            "/SUPPRESSMSGBOXES",
            "/NORESTART",
            "/CURRENTUSER",
            f"/LOG={windows_path(log)}",
            timeout=900,
        )
        seconds = time.monotonic() - started
        for name in ("sradar-desktop.exe", "SRADAR Desktop.exe", "unins000.exe"):
            expect((self.app / name).is_file(), f"{name} manque dans {self.app}")
        guide = self.app / "_internal" / "resources" / "guide" / "guide.html"
        expect(guide.is_file(), "le guide n'est pas installé")
        menu = self.profile / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs"
        self.menu = menu / "SRADAR Desktop"
        expect((self.menu / "SRADAR Desktop.lnk").is_file(), "pas d'entrée de menu")
        key = f"HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{APP_ID}_is1"
        declared = wine("reg", "query", key).stdout
        expect("SRADAR Desktop" in declared, "pas d'entrée de désinstallation")
        self.figures["dossier installé"] = f"{size(self.app) / MB:.0f} Mo"
        self.figures["installation"] = f"{seconds:.0f} s"
        self.ok(
            f"installé dans %LOCALAPPDATA%\\Programs\\SRADAR Desktop "
            f"({self.figures['dossier installé']}, {seconds:.0f} s), menu Démarrer, "
            "désinstallation déclarée pour l'utilisateur (HKCU)"
        )

    # -- the installed program -------------------------------------------------------------

    def program(self, *arguments: str, timeout: float = 300, check: bool = True):
        return wine(str(self.app / "sradar-desktop.exe"), *arguments, timeout=timeout, check=check)

    def installed_program(self) -> None:
        self.step("Le programme installé")
        version = self.program("--version").stdout.strip()
        expect(version.startswith("SRADAR Desktop "), f"version inattendue : {version!r}")
        self.ok(version)

        started = time.monotonic()
        self.program("--exit-after-start", timeout=180)
        self.figures["démarrage"] = f"{time.monotonic() - started:.0f} s"
        database = self.data / "sradar.sqlite3"
        expect(database.is_file(), f"pas de base dans {self.data}")
        expect((self.data / "journal" / "sradar-desktop.log").is_file(), "pas de journal")
        self.ok(
            "la fenêtre s'ouvre et s'affiche ; base et journal dans "
            f"%LOCALAPPDATA%\\SRADAR Desktop ({self.figures['démarrage']})"
        )

        listing = self.program("questionnaires")
        try:
            text = listing.raw_stdout.decode("utf-8")  # type: ignore[attr-defined]
        except UnicodeDecodeError as error:
            raise Failure(f"« questionnaires » dans un tube n'est pas en UTF-8 : {error}") from None
        expect("Axes d’efforts régionaux" in text, f"liste des plans mal écrite :\n{text}")
        self.ok("« questionnaires » dans un tube : UTF-8, « Axes d’efforts régionaux » intact")
        liste = self.profile / "Documents" / "liste.txt"
        liste.unlink(missing_ok=True)
        # A batch file: wine would escape the quotes of a command line given to cmd /c.
        batch = WORK / "liste.cmd"
        batch.write_bytes(
            b'@"%LOCALAPPDATA%\\Programs\\SRADAR Desktop\\sradar-desktop.exe" questionnaires'
            b' > "%USERPROFILE%\\Documents\\liste.txt"\r\n'
        )
        wine("cmd", "/c", windows_path(batch))
        expect(liste.is_file(), "« questionnaires > liste.txt » n'a rien écrit")
        expect(
            "Axes d’efforts régionaux" in liste.read_bytes().decode("utf-8", errors="replace"),
            "liste.txt n'est pas en UTF-8",
        )
        self.ok("« sradar-desktop questionnaires > liste.txt » (cmd) : un fichier UTF-8 lisible")
        exe = f"{self.localappdata_win}\\Programs\\SRADAR Desktop\\sradar-desktop.exe"
        shown = wine(
            PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "console", exe, "questionnaires",
            cwd=SRC,
        )  # fmt: skip
        screen = json.loads(shown.stdout.strip().splitlines()[-1])
        text = "".join(screen["lines"])
        expect(screen["status"] == 0, f"statut {screen['status']} dans la console")
        expect("Axes d’efforts régionaux" in text, f"console mal écrite : {screen['lines']}")
        self.ok(f"dans une console (page de code {screen['cp']}) : « Axes d’efforts régionaux »")

    def exchange(self) -> None:
        self.step("Classeurs, import et consolidation dans un dossier accentué")
        folder = self.profile / "Documents" / "Évaluations 2025 – réponses reçues"
        shutil.rmtree(folder, ignore_errors=True)
        folder_win = windows_path(folder)
        samples = wine(
            PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "samples", folder_win, cwd=SRC
        )
        answers = [folder / "DDETS-44.xlsx", folder / "DDETS-49.xlsx"]
        expect(all(p.is_file() for p in answers), f"classeurs d'exemple absents\n{samples.stdout}")
        blank = folder / "Questionnaire vierge DDETS-44.xlsx"
        self.program(
            "blank", "--questionnaire", "sradar-2021-2023", "--respondent", "DDETS-44",
            "-o", windows_path(blank),
        )  # fmt: skip
        expect(blank.is_file() and blank.read_bytes()[:2] == b"PK", "classeur vierge absent")
        self.ok(f"classeur vierge écrit dans « {folder.name} » ({size(blank) // 1024} Ko)")
        imported = self.program("import", *(windows_path(p) for p in answers))
        expect("DDETS-44" in imported.stdout, f"import inattendu :\n{imported.stdout}")
        self.ok("import de deux classeurs dans la base de %LOCALAPPDATA%")
        workbook = folder / "Consolidation région.xlsx"
        pdf = folder / "Synthèse région.pdf"
        result = self.program(
            "consolidate", *(windows_path(p) for p in answers),
            "-o", windows_path(workbook), "--pdf", windows_path(pdf),
        )  # fmt: skip
        expect(workbook.is_file() and workbook.read_bytes()[:2] == b"PK", "pas de classeur")
        content = pdf.read_bytes() if pdf.is_file() else b""
        pages = len(re.findall(rb"/Type\s*/Page[^s]", content))
        expect(content.startswith(b"%PDF") and pages >= 2, "pas de synthèse PDF")
        self.ok(f"consolidation : {result.stdout.strip()} ; PDF de {pages} pages")
        self.folder = folder

    def many_files(self) -> None:
        """More answers than a merge keeps in memory: they go to a temporary SQLite base, whose
        file (« etilqs_… ») is seen in Windows' temporary folder while the command runs and is
        gone afterwards. The files are named as an agent types them in cmd, by a pattern the
        program expands itself."""
        self.step(f"{MANY} classeurs : la fusion passe dans un fichier temporaire")
        folder = self.folder / f"{MANY} services"
        shutil.rmtree(folder, ignore_errors=True)
        made = wine(
            PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "many", windows_path(folder),
            str(MANY), cwd=SRC, timeout=900,
        )  # fmt: skip
        files = sorted(folder.glob("DDETS-*.xlsx"))
        expect(len(files) == MANY, f"{len(files)} classeurs écrits sur {MANY}\n{made.stdout}")
        temp_win = wine("cmd", "/c", "echo %TEMP%").stdout.strip()
        temp = Path(wine("winepath", "-u", temp_win).stdout.strip())
        expect(temp.is_dir(), f"%TEMP% introuvable : {temp_win}")
        before = {p.name for p in temp.iterdir()}
        log = self.data / "journal" / "sradar-desktop.log"
        logged = size(log) if log.is_file() else 0
        workbook = self.folder / f"Consolidation des {MANY}.xlsx"
        seen: set[str] = set()
        done = threading.Event()

        def watch() -> None:  # SQLite's temporary files, while the command runs
            while not done.is_set():
                with contextlib.suppress(OSError):  # a file gone while it was listed
                    seen.update(p.name for p in temp.glob("etilqs_*") if p.name not in before)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        try:
            result = self.program(
                "consolidate", windows_path(folder) + "\\DDETS-*.xlsx", "-o",
                windows_path(workbook), timeout=900,
            )  # fmt: skip
        finally:
            done.set()
            watcher.join()
        seconds = time.monotonic() - started
        expect(f"{MANY} répondants" in result.stdout, f"consolidation :\n{result.stdout}")
        expect(workbook.is_file() and workbook.read_bytes()[:2] == b"PK", "pas de classeur")
        said = log.read_bytes()[logged:].decode("utf-8", errors="replace")
        moved = [line for line in said.splitlines() if "fichier temporaire" in line]
        expect(moved, f"la fusion est restée en mémoire ; journal :\n{said[-1500:]}")
        expect(seen, f"aucun fichier temporaire de SQLite vu dans {temp_win} pendant la fusion")
        left = sorted({p.name for p in temp.iterdir()} - before)
        expect(not left, f"laissé dans %TEMP% après la consolidation : {left}")
        self.figures[f"consolidation de {MANY} classeurs"] = f"{seconds:.0f} s"
        self.ok(
            f"« consolidate …\\DDETS-*.xlsx » : {MANY} répondants en {seconds:.0f} s, les réponses "
            f"dans {', '.join(sorted(seen))} de {temp_win} pendant la fusion, effacé ensuite"
        )

    def sharing_violation(self) -> None:
        self.step("Une base tenue par un autre programme")
        database = self.folder / "base partagée.sqlite3"
        self.program("--db", windows_path(database), "questionnaires")
        expect(database.is_file(), "la base d'essai n'a pas été créée")
        holder = subprocess.Popen(
            ["wine", PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "hold-exclusive",
             windows_path(database)],
            cwd=SRC, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert holder.stdout is not None
            line = holder.stdout.readline().decode("utf-8", errors="replace")
            expect(line.startswith("tenu sans partage"), f"le fichier n'a pas été pris : {line}")
            refused = self.program("--db", windows_path(database), "questionnaires", check=False)
            expect(refused.returncode == 1, f"statut {refused.returncode} : {refused.stderr}")
            message = "est occupée par une autre fenêtre ou un autre programme"
            expect(message in refused.stderr, f"message inattendu : {refused.stderr}")
            expect("Traceback" not in refused.stderr, "une trace Python")
            self.ok(f"violation de partage : « {refused.stderr.strip()[:110]}… »")
        finally:
            holder.communicate(timeout=60)

    def single_instance(self) -> None:
        self.step("Une seule fenêtre par base")
        wine(PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "identity", cwd=SRC)
        locks = self.data / "verrous"
        shutil.rmtree(locks, ignore_errors=True)
        log = self.data / "journal" / "sradar-desktop.log"

        def logged() -> str:
            return log.read_text(encoding="utf-8", errors="replace")

        # No pipes for the window: the wine services it may start would keep them open.
        first = subprocess.Popen(
            ["wine", str(self.app / "SRADAR Desktop.exe")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        pid = None
        try:
            wait_for(lambda: any(locks.glob("*.json")), 180, "la première fenêtre ne tient pas")
            time.sleep(1)
            owner = json.loads(next(locks.glob("*.json")).read_text(encoding="utf-8"))
            pid = owner.get("pid")
            expect(owner.get("agent") == "Claire Essai", f"propriétaire inattendu : {owner}")
            self.ok(f"la première fenêtre (PID {pid}) tient la base, pour « Claire Essai »")
            before = len(logged())
            self.program("--exit-after-start", timeout=180)
            second = logged()[before:]
            if "Base déjà ouverte dans une autre fenêtre" in second:
                self.ok("la seconde fenêtre trouve la base tenue et s'ouvre en lecture seule")
            else:
                # Wine's C runtime reports the lock conflict with errno 0, which the app reads
                # as a file system without locks (network folders): it logs it and goes on.
                expect(
                    "Verrouillage impossible sur ce système de fichiers : [Errno 0]" in second,
                    f"la seconde fenêtre n'a pas trouvé le verrou :\n{second}",
                )
                self.ok("la seconde fenêtre se heurte au verrou du système (wine : errno 0)")
            asked = wine(
                PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "ask-show",
                windows_path(self.data / "sradar.sqlite3"), cwd=SRC, check=False,
            )  # fmt: skip
            expect("demande : True" in asked.stdout, f"demande refusée : {asked.stdout}")
            wait_for(
                lambda: "demande l'affichage" in logged(),
                60,
                "la première fenêtre n'a pas reçu la demande",
            )
            self.ok(f"la première fenêtre reçoit « afficher » ({asked.stdout.strip()})")
            wine("taskkill", "/PID", str(pid))
            first.wait(timeout=120)
            self.ok("la première fenêtre se ferme sur WM_CLOSE (taskkill /PID)")
        except subprocess.TimeoutExpired:
            raise Failure("la première fenêtre ne s'est pas fermée") from None
        finally:
            if first.poll() is None:
                if pid:
                    wine("taskkill", "/F", "/PID", str(pid), check=False)
                first.kill()
                first.wait(timeout=30)

    def file_dialog(self) -> None:
        self.step("Le dialogue d'ouverture de Windows, en français")
        png = WORK / "dialogue-ouverture.png"
        png.unlink(missing_ok=True)
        shown = wine(
            PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "file-dialog",
            windows_path(self.folder), windows_path(png), cwd=SRC, timeout=180,
        )  # fmt: skip
        line = shown.stdout.strip().splitlines()[-1]
        seen = json.loads(line.split(":", 1)[1])
        labels = [label.replace("&", "") for label in seen.get("labels", [])]
        expect(seen.get("title") == "Importer des classeurs", f"titre : {seen}")
        expect("Annuler" in labels and "Ouvrir" in labels, f"pas en français : {labels}")
        expect(png.is_file() and size(png) > 1000, "pas de capture d'écran")
        self.ok(f"dialogue natif : {', '.join(labels[:8])} (capture {png.name})")

    def mail(self) -> None:
        """« Ouvrir dans la messagerie » on Windows: the registry names the default mail
        program, the prefix's own mapi32.dll loads its DLL and hands it the draft through
        MAPISendMailW. The mail program is a stand-in that writes what it received
        (.ci/wine/mailclient.c): recipients, subject, text, the attached file's path and name.
        Without a default mail program serving Simple MAPI, none is used (the window then
        opens the .eml)."""
        self.step("Ouvrir dans la messagerie : Simple MAPI (mapi32.dll du préfixe)")
        folder = WORK / "Envoi 2027 – été"
        record = WORK / "messagerie.json"
        record.unlink(missing_ok=True)
        client = "SRADAR essai"

        def registry(*arguments: str) -> None:
            # The 64-bit view, the one the Windows Python reads (reg.exe may write the other).
            wine("reg", *arguments, "/f", "/reg:64")

        def opened() -> dict:
            shown = wine(
                PYTHON, "-X", "utf8", str(HERE / "windows_side.py"), "mail",
                windows_path(folder), cwd=SRC, timeout=180,
            )  # fmt: skip
            line = shown.stdout.strip().splitlines()[-1]
            expect(line.startswith("messagerie :"), f"messagerie : {shown.stdout}{shown.stderr}")
            return json.loads(line.split(":", 1)[1])

        registry("add", MAIL_KEY, "/ve", "/d", client)
        registry("add", rf"{MAIL_KEY}\{client}", "/v", "DLLPath", "/d", MAIL_CLIENT_DLL)
        os.environ["SRADAR_MAPI_RECORD"] = windows_path(record)
        try:
            found = opened()
            expect(
                found
                == {"client": client, "mapi": True, "unicode": True, "code": "SUCCESS_SUCCESS"},
                f"Simple MAPI : {found}",
            )
            expect(record.is_file(), "la messagerie n'a rien reçu")
            got = json.loads(record.read_text(encoding="utf-8"))
            workbook = folder / "SRADAR-2021-2023_DDETS-44.xlsx"
            expected = {
                "function": "MAPISendMailW",
                "parent": 0,
                "flags": 0x1 | 0x8,  # MAPI_LOGON_UI | MAPI_DIALOG: the agent sends it
                "subject": "SRADAR 2021-2023 — Évaluation « 2027 » : questionnaire de DDETS-44",
                "text": "Bonjour,\r\n\r\nVeuillez trouver ci-joint le classeur à renseigner.\r\n",
                "recipients": [
                    {"class": 1, "name": address, "address": f"SMTP:{address}"}
                    for address in ("ddets44@example.gouv.fr", "chef.pole@example.gouv.fr")
                ],
                "files": [
                    {
                        "path": windows_path(workbook),
                        "name": workbook.name,
                        "size": workbook.stat().st_size,
                    }
                ],
            }
            expect(got == expected, f"reçu par la messagerie : {got}")
            self.ok(
                f"{client} : MAPISendMailW, 2 destinataires, objet et texte accentués, "
                f"{workbook.name} joint ({workbook.stat().st_size} octets, chemin accentué)"
            )
            registry("delete", MAIL_KEY, "/ve")
            expect(opened() == {"client": "", "mapi": False}, "sans messagerie par défaut")
            registry("add", MAIL_KEY, "/ve", "/d", "Messagerie sans Simple MAPI")
            expect(opened() == {"client": "", "mapi": False}, "messagerie sans DLL")
            self.ok("sans messagerie Simple MAPI par défaut : aucune n'est appelée (le .eml)")
        finally:
            os.environ.pop("SRADAR_MAPI_RECORD", None)
            registry("add", MAIL_KEY, "/ve", "/d", "Native Mail Client")  # wine's own, again

    def uninstall(self) -> None:
        self.step("Désinstallation silencieuse")
        wine(str(self.app / "unins000.exe"), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
        # The uninstaller starts a copy of itself and returns at once: wait for its work.
        wait_for(lambda: not (self.app / "sradar-desktop.exe").exists(), 300, "pas désinstallé")
        wait_for(lambda: not (self.app / "unins000.exe").exists(), 120, "désinstallateur resté")
        key = f"HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{APP_ID}_is1"
        expect(wine("reg", "query", key, check=False).returncode != 0, "entrée restée")
        expect(not self.menu.exists(), "l'entrée du menu Démarrer est restée")
        expect((self.data / "sradar.sqlite3").is_file(), "la base de l'utilisateur a disparu")
        expect((self.data / "journal").is_dir(), "le journal de l'utilisateur a disparu")
        self.ok("programme, menu et entrée de désinstallation retirés ; base et journal gardés")


def main() -> int:
    proof = Proof()
    try:
        proof.first_qt_start()
        proof.mail()
        proof.build()
        setup = proof.test_installer()
        proof.install(setup)
        proof.installed_program()
        proof.exchange()
        proof.many_files()
        proof.sharing_violation()
        proof.single_instance()
        proof.file_dialog()
        proof.uninstall()
    except Failure as failure:
        print(f"ÉCHEC : {failure}", file=sys.stderr, flush=True)
        return 1
    figures = ", ".join(f"{k} {v}" for k, v in proof.figures.items())
    print(f"{proof.checks} vérifications sous wine ; {figures}", flush=True)
    (WORK / "mesures.json").write_text(json.dumps(proof.figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
