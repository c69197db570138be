"""Saving a file the user asked for, so that nothing is half-written and nothing is left over.

Each save works in a folder of its own beside the destination (``.sradar-enregistrement-….tmp``):
the file is built there, with any scratch files of its writer, then moved onto the destination
in one step, and the folder is removed. Whatever happens, the destination holds either the
previous file or the new one, whole.

A process killed while saving cannot remove its folder. Each work folder therefore holds a
lock file, locked by the operating system for as long as its process works in it and released
when the process ends, however it ends. The next save into the same folder removes the work
folders whose lock is free: those are provably stale, and provably ours by their name and the
mark inside their lock file. A user's file is never touched.

Every failure the user can mend becomes a French sentence naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from sradar_desktop.errors import UserError
from sradar_desktop.locking import try_lock

log = logging.getLogger(__name__)

WORK_FOLDER_PREFIX = ".sradar-enregistrement-"
WORK_FOLDER_SUFFIX = ".tmp"
_LOCK_NAME = "verrou"
_LOCK_MARK = b"SRADAR Desktop: enregistrement en cours\n"
_CONTENT_NAME = "contenu"
# How long a new work folder waits for a save that is checking it (a few microseconds' hold).
_LOCK_ATTEMPTS = 200
# Windows error codes that Python does not translate to an errno of their own.
_WINDOWS_NAME_TOO_LONG = 206  # ERROR_FILENAME_EXCED_RANGE
_WINDOWS_BAD_NAME = 123  # ERROR_INVALID_NAME


def save_atomically(
    build: Callable[[Path], object],
    path: Path,
    *,
    document: str,
    opened_in: str,
    refused: tuple[type[BaseException], ...] = (),
) -> None:
    """``build(temporary_path)`` writes the file, which is then moved to ``path``.

    ``temporary_path`` lies in a private work folder: a writer may put its scratch files beside
    it (``temporary_path.parent``), they are removed with the folder. ``document`` names the
    file in messages (« le classeur »), ``opened_in`` the programs that may hold it open;
    ``refused`` adds the writer's own exceptions that wrap an ``OSError``.
    """
    path = check_destination(path, document=document)
    existed = path.exists()
    caught: tuple[type[BaseException], ...] = (OSError, *refused)
    try:
        remove_stale_work_folders(path.parent)
        with _work_folder(path.parent) as work:
            temporary = work / _CONTENT_NAME
            build(temporary)
            os.replace(temporary, path)
    except caught as error:
        raise write_error(
            error, path, document=document, opened_in=opened_in, existed=existed
        ) from error
    log.info("Enregistré : %s", path)


def _close_what_the_writer_left(error: BaseException) -> None:
    """Close now, quietly, the files a failed writer left open (its frames hold them).

    Left to the garbage collector, a half-written archive would try to finish itself later, on
    the same full disk, and Python would print a traceback (« Exception ignored in … »).
    """

    def log_instead(unraisable: sys.UnraisableHookArgs) -> None:
        log.info("Écriture abandonnée après l'échec : %r", unraisable.exc_value)

    hook, sys.unraisablehook = sys.unraisablehook, log_instead
    try:
        seen: set[int] = set()
        pending: list[BaseException | None] = [error]
        while pending:
            current = pending.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            traceback.clear_frames(current.__traceback__)
            pending += [current.__cause__, current.__context__]
        gc.collect()
    finally:
        sys.unraisablehook = hook


def check_destination(path: Path, *, document: str) -> Path:
    """The file to write for ``path``, or a ``UserError`` saying why it can never be written.

    Cheap: commands call it for every output before any long work. A symbolic link is followed,
    so that the file it points to is replaced and the link kept.
    """
    if path.name in ("", ".", ".."):
        raise UserError(
            f"« {path} » ne désigne pas un fichier : indiquez le nom du fichier où enregistrer "
            f"{document}."
        )
    try:
        if path.is_symlink():
            path = path.resolve()
        if path.is_dir():
            raise UserError(
                f"{path} est un dossier. Indiquez le nom du fichier où enregistrer {document} "
                "dans ce dossier."
            )
        if path.exists() and not path.is_file():
            raise UserError(
                f"{path} n'est pas un fichier ordinaire (c'est un périphérique ou un tube). "
                f"Choisissez un autre nom pour enregistrer {document}."
            )
        if not path.parent.is_dir():
            raise UserError(
                f"Le dossier {path.parent} n'existe pas. Choisissez un dossier existant pour "
                f"enregistrer {document}."
            )
    except OSError as error:
        raise write_error(error, path, document=document, opened_in="", existed=False) from error
    return path


def write_error(
    error: BaseException, path: Path, *, document: str, opened_in: str, existed: bool
) -> UserError:
    """The French sentence for a failure to write ``path``."""
    cause = _os_error(error)
    code = cause.errno if cause is not None else None
    winerror = getattr(cause, "winerror", None)
    kept = " Le fichier qui s'y trouvait n'a pas été modifié." if existed else ""
    if isinstance(cause, PermissionError) or code in (errno.EACCES, errno.EPERM, errno.EROFS):
        where = f"le fichier est peut-être ouvert dans {opened_in}, " if opened_in else ""
        message = (
            f"Impossible d'enregistrer {document} dans {path} : {where}ou le dossier est "
            f"protégé en écriture.{kept} Fermez le fichier ou choisissez un autre dossier, "
            "puis réessayez."
        )
    elif code in (errno.ENOSPC, errno.EDQUOT):
        message = (
            f"Le disque est plein : {document} n'a pas été enregistré dans {path}.{kept} "
            "Libérez de la place ou choisissez un autre disque, puis réessayez."
        )
    elif code == errno.ENAMETOOLONG or winerror == _WINDOWS_NAME_TOO_LONG:
        message = (
            f"Le nom ou le chemin du fichier {path} est trop long pour le système. Choisissez "
            f"un nom plus court ou un dossier moins profond pour enregistrer {document}."
        )
    elif code in (errno.EINVAL, errno.EILSEQ) or winerror == _WINDOWS_BAD_NAME:
        message = (
            f"Le nom « {path.name} » n'est pas accepté par le système (caractères interdits "
            f'comme \\ / : * ? " < > |, ou nom réservé). Choisissez un autre nom pour '
            f"enregistrer {document}."
        )
    elif code == errno.EISDIR:
        message = (
            f"{path} est un dossier. Indiquez le nom du fichier où enregistrer {document} dans "
            "ce dossier."
        )
    elif code in (errno.ENOENT, errno.ENOTDIR):
        message = (
            f"Le dossier de {path} n'est plus accessible (disque ou clé retiré, dossier "
            f"déplacé) : {document} n'a pas été enregistré. Choisissez un dossier existant, "
            "puis réessayez."
        )
    else:
        name = errno.errorcode.get(code, str(code)) if code is not None else type(error).__name__
        message = (
            f"Impossible d'enregistrer {document} dans {path} (erreur système {name}).{kept} "
            "Vérifiez le disque ou choisissez un autre dossier, puis réessayez."
        )
    return UserError(message)


def _os_error(error: BaseException | None) -> OSError | None:
    """The system error behind ``error`` (writers wrap it in their own exceptions)."""
    while error is not None and not isinstance(error, OSError):
        error = error.__cause__ or error.__context__
    return error


# --- Work folders -----------------------------------------------------------------------------


@contextlib.contextmanager
def _work_folder(parent: Path) -> Iterator[Path]:
    """A new locked work folder in ``parent``, removed on leaving."""
    work = Path(tempfile.mkdtemp(prefix=WORK_FOLDER_PREFIX, suffix=WORK_FOLDER_SUFFIX, dir=parent))
    fd: int | None = None
    try:
        fd = os.open(work / _LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        if _lock_new(fd):
            # The mark says "a live save locked this": only a marked folder whose lock is free
            # is stale (an unmarked one may be a save that has not taken its lock yet).
            os.write(fd, _LOCK_MARK)
        yield work
    except BaseException as error:
        # Before removing the folder: Windows cannot remove the files the writer holds open.
        _close_what_the_writer_left(error)
        raise
    finally:
        if fd is not None:
            os.close(fd)  # first: Windows cannot remove an open file
        shutil.rmtree(work, ignore_errors=True)


def _lock_new(fd: int) -> bool:
    """Lock a new lock file; another save may be holding it a moment to check it."""
    for _attempt in range(_LOCK_ATTEMPTS):
        locked = try_lock(fd)
        if locked is not False:
            return bool(locked)
        time.sleep(0.001)
    return False


def remove_stale_work_folders(folder: Path) -> list[Path]:
    """Remove the work folders that saves killed before the end left in ``folder``.

    Best effort and never an error: a folder that cannot be read, locked or removed is left.
    Returns the folders removed.
    """
    removed: list[Path] = []
    try:
        candidates = [
            entry
            for entry in folder.iterdir()
            if entry.name.startswith(WORK_FOLDER_PREFIX)
            and entry.name.endswith(WORK_FOLDER_SUFFIX)
            and entry.is_dir()
            and not entry.is_symlink()
        ]
    except OSError:
        return removed
    for entry in candidates:
        if _is_stale(entry):
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
                log.info("Reste d'un enregistrement interrompu supprimé : %s", entry)
    return removed


def _is_stale(work: Path) -> bool:
    """True when ``work`` is a work folder whose save has ended without removing it."""
    try:
        fd = os.open(work / _LOCK_NAME, os.O_RDWR)
    except OSError:
        return False
    try:
        if try_lock(fd) is not True:
            return False
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, len(_LOCK_MARK)) == _LOCK_MARK
    except OSError:
        return False
    finally:
        os.close(fd)
