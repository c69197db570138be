"""Builds SRADAR Desktop's bundle (PyInstaller, one folder) and checks it; on Windows, the
installer (Inno Setup).

    python installer/build.py             # the bundle, in dist/SRADAR Desktop/
    python installer/build.py --check     # the bundle, then its smoke checks
    python installer/build.py --installer # Windows: the bundle, then dist/SRADAR-Desktop-<v>.exe

The version comes from the package (``sradar_desktop.__version__``): it goes into the Windows
version resource of both programs and into the installer.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sradar_desktop import __version__  # noqa: E402

BUILD = ROOT / "build"
DIST = ROOT / "dist"
BUNDLE = DIST / "SRADAR Desktop"
WINDOWS = sys.platform == "win32"


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` → (0, 1, 0, 0); anything after the numbers (``rc1``) is left out."""
    numbers = []
    for part in version.split(".")[:4]:
        match = re.match(r"\d+", part)
        numbers.append(int(match.group()) if match else 0)
    return tuple([*numbers, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def version_resource(version: str) -> str:
    """The Windows version resource of the programs, in PyInstaller's text form."""
    numbers = version_numbers(version)
    strings = {
        "CompanyName": "SRADAR Desktop",
        "FileDescription": "SRADAR Desktop — évaluation des plans régionaux d'accueil",
        "FileVersion": version,
        "InternalName": "sradar-desktop",
        "LegalCopyright": "Licence EUPL 1.2",
        "OriginalFilename": "SRADAR Desktop.exe",
        "ProductName": "SRADAR Desktop",
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3F,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0),
  ),
  kids=[
    StringFileInfo([
      StringTable('040C04B0', [
          {table}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [1036, 1200])]),
  ],
)
"""


def build_bundle() -> None:
    BUILD.mkdir(exist_ok=True)
    (BUILD / "version_info.txt").write_text(version_resource(__version__), encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(BUILD / "pyinstaller"),
            str(ROOT / "installer" / "sradar-desktop.spec"),
        ],
        check=True,
        cwd=ROOT,
    )


def program(name: str = "sradar-desktop") -> Path:
    return BUNDLE / (f"{name}.exe" if WINDOWS else name)


def folder_size(folder: Path) -> int:
    """Bytes on disk (a library linked under two names counts once)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# The bundled program runs in UTF-8 mode (see the spec): its pipes are UTF-8 on every system.
OUTPUT_ENCODING = "utf-8"
# Generous: a cold start under a slow antivirus takes seconds, never minutes.
CHECK_TIMEOUT_S = 300


def _decode(data: bytes, command: str) -> str:
    """The program's output; a clear refusal when it is not UTF-8 (the ANSI code page of a
    Windows program not in UTF-8 mode, for instance), never a UnicodeDecodeError."""
    try:
        return data.decode(OUTPUT_ENCODING)
    except UnicodeDecodeError as error:
        raise SystemExit(
            f"« {command} » n'écrit pas en UTF-8 ({error.reason} à l'octet {error.start}) : "
            f"{data[max(0, error.start - 30) : error.start + 30]!r}. Le programme empaqueté "
            "doit tourner en mode UTF-8 (option « X utf8 » de installer/sradar-desktop.spec)."
        ) from None


def _run(
    arguments: list[str],
    env: dict[str, str],
    *,
    executable: list[str] | None = None,
    timeout: float = CHECK_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """Runs the bundled program (or ``executable``) and returns its decoded output; stops it
    when it has not finished in ``timeout`` seconds, and fails on a non-zero exit."""
    command_line = [*(executable or [str(program())]), *arguments]
    command = f"sradar-desktop {' '.join(arguments)}"
    process = subprocess.Popen(
        command_line, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            stdout, stderr = b"", b""
        output = (stdout + b"\n" + stderr).decode(OUTPUT_ENCODING, errors="replace").strip()
        raise SystemExit(
            f"« {command} » ne s'est pas terminé en {timeout:g} secondes : il a été arrêté."
            + (f" Ce qu'il a écrit :\n{output}" if output else " Il n'a rien écrit.")
        ) from None
    result = subprocess.CompletedProcess(
        command_line, process.returncode, _decode(stdout, command), _decode(stderr, command)
    )
    if result.returncode != 0:
        raise SystemExit(
            f"Échec de « {command} » ({result.returncode}) :\n{result.stdout}\n{result.stderr}"
        )
    return result


def check_environment(folder: Path) -> dict[str, str]:
    """The bundled program's environment for the checks: its data in ``folder``; on Linux the
    offscreen platform, on Windows the real one (Qt's offscreen platform is not what users
    have there, and under wine it hangs in the first paint)."""
    env = dict(os.environ, SRADAR_DATA_DIR=str(folder / "donnees"))
    if WINDOWS:
        env.pop("QT_QPA_PLATFORM", None)
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _sample_workbooks(folder: Path) -> list[Path]:
    """Two DDETS's answers to the built-in SRADAR plan, written by the source package."""
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.exchange import export_workbook
    from sradar_desktop.services.opening import open_database
    from sradar_desktop.services.questionnaires import default_campaign_id

    os.environ["SRADAR_DATA_DIR"] = str(folder / "source")
    db = open_database(folder / "source.sqlite3")
    paths = []
    for code, status in (("DDETS-44", "oui"), ("DDETS-49", "non")):
        service = AnswerService(db, default_campaign_id("sradar-2021-2023"), code, "Vérification")
        service.set_status("1.1.1", status)
        service.set_comment("1.1.1", f"Réponse de {code} : œ ’ « » ◦ ≥")
        path = folder / f"{code}.xlsx"
        export_workbook(db, path, questionnaire_id="sradar-2021-2023", respondent_code=code)
        paths.append(path)
    db.close()
    return paths


def check_usual_start(env: dict[str, str]) -> None:
    """The usual start — the agent known, the database made by the first start — shows the
    plan read ahead through sqlite3, before the database layer is loaded (the log says so)."""
    data = Path(env["SRADAR_DATA_DIR"])
    with (data / "reglages.ini").open("a", encoding="utf-8") as settings:
        settings.write(
            "\n[identite]\ncode_service=DDETS-44\nlibelle_service=DDETS 44\n"
            "departement=44\nnom_agent=Verification\n"
        )
    _run(["--exit-after-start"], env)
    log = (data / "journal" / "sradar-desktop.log").read_text(encoding="utf-8")
    if "Plan lu d'avance" not in log:
        raise SystemExit(f"Le démarrage habituel n'a pas lu le plan d'avance :\n{log[-2000:]}")
    print("  le démarrage habituel affiche le plan lu d'avance, sans la couche de base de données")


def check_bundle() -> None:
    """The bundled program starts, opens its window, and consolidates two workbooks."""
    with tempfile.TemporaryDirectory(prefix="sradar-verification-") as temporary:
        folder = Path(temporary)
        env = check_environment(folder)
        version = _run(["--version"], env).stdout.strip()
        if version != f"SRADAR Desktop {__version__}":
            raise SystemExit(f"Version inattendue : {version!r}")
        print(f"  {version}")
        _run(["--exit-after-start"], env)
        where = "à l'écran" if WINDOWS else "hors écran"
        print(f"  la fenêtre s'ouvre et s'affiche (--exit-after-start, {where})")
        check_usual_start(env)
        listing = _run(["questionnaires"], env).stdout
        if "sradar-2021-2023" not in listing:
            raise SystemExit("Les plans intégrés manquent dans le programme empaqueté.")
        if "thématiques" not in listing:
            raise SystemExit(f"Les accents de la liste des plans sont mal écrits :\n{listing}")
        print("  les plans intégrés et les migrations sont dans le paquet, accents compris")
        paths = _sample_workbooks(folder)
        output = folder / "consolidation.xlsx"
        pdf = folder / "synthese.pdf"
        result = _run(["consolidate", *map(str, paths), "-o", str(output), "--pdf", str(pdf)], env)
        if not output.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
            raise SystemExit("La consolidation n'a pas écrit ses fichiers.")
        print(f"  consolidation de deux classeurs : {result.stdout.strip()}")
    size = folder_size(BUNDLE)
    print(f"Taille du dossier {BUNDLE.name} : {size / 1024 / 1024:.0f} Mo")


def build_installer() -> None:
    compiler = shutil.which("ISCC") or shutil.which("iscc")
    if compiler is None:
        default = Path(os.environ.get("PROGRAMFILES(X86)", "C:/Program Files (x86)"))
        candidate = default / "Inno Setup 6" / "ISCC.exe"
        compiler = str(candidate) if candidate.exists() else None
    if compiler is None:
        raise SystemExit("Inno Setup 6 (ISCC.exe) est introuvable : installez-le, puis relancez.")
    setup = installer_path()
    setup.unlink(missing_ok=True)
    subprocess.run(
        [
            compiler,
            "/Qp",  # progress only, not every file compressed
            f"/DAppVersion={__version__}",
            f"/DSourceDir={BUNDLE}",
            f"/O{DIST}",
            str(ROOT / "installer" / "sradar-desktop.iss"),
        ],
        check=True,
    )
    # Check what was produced, not only the exit status.
    if not setup.is_file() or setup.stat().st_size < 1024 * 1024:
        raise SystemExit(f"Inno Setup n'a pas produit l'installateur {setup}.")
    print(f"Installateur {setup.name} : {setup.stat().st_size / 1024 / 1024:.0f} Mo")


def installer_path() -> Path:
    return DIST / f"SRADAR-Desktop-{__version__}.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="vérifie le programme empaqueté")
    parser.add_argument(
        "--installer", action="store_true", help="Windows : construit aussi l'installateur"
    )
    parser.add_argument(
        "--no-build", action="store_true", help="ne reconstruit pas, vérifie seulement"
    )
    args = parser.parse_args(argv)
    # A Windows pipe in the ANSI code page cannot take every character of the checks' output.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
    if not args.no_build:
        print(f"Construction de SRADAR Desktop {__version__}…", flush=True)
        build_bundle()
    if args.check:
        print("Vérifications du programme empaqueté :", flush=True)
        check_bundle()
    if args.installer:
        build_installer()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
