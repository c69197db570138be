"""Saving a file the user asked for: written beside it under a temporary name, then moved into
place, so that a crash never leaves half a file under the final name; every failure the user
can mend is a French message saying what to do."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from sradar_desktop.errors import UserError


def save_atomically(
    build: Callable[[Path], object],
    path: Path,
    *,
    document: str,
    opened_in: str,
    refused: tuple[type[BaseException], ...] = (),
) -> None:
    """``build(temporary_path)`` writes the file, which is then moved to ``path``.

    ``document`` names it in messages (« le classeur »), ``opened_in`` the programs that may
    hold it open; ``refused`` adds the writer's own errors for a file that cannot be created.
    """
    if not path.parent.is_dir():
        raise UserError(
            f"Le dossier {path.parent} n'existe pas. Choisissez un dossier existant pour "
            f"enregistrer {document}."
        )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        build(temporary)
        os.replace(temporary, path)
    except (PermissionError, *refused) as error:
        raise UserError(
            f"Impossible d'écrire {path} : le fichier est peut-être ouvert dans {opened_in}, "
            "ou le dossier est protégé. Fermez-le ou choisissez un autre dossier, puis "
            "réessayez."
        ) from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise UserError(
                f"Le disque est plein : {path.name} n'a pas été enregistré. Libérez de la place "
                "puis réessayez."
            ) from error
        raise UserError(f"Impossible d'écrire {path} ({error.strerror}).") from error
    finally:
        temporary.unlink(missing_ok=True)
