"""Reading the cells of a spreadsheet with python-calamine, fast and without evaluating anything.

Rows keep their real numbers (row 1 is the sheet's first row, even when it is empty), so that
every message can name the cell a user will find in Excel or LibreOffice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from sradar_desktop.errors import FileRefusedError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]
    hidden: bool = False


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_ref(sheet: str, row_index: int, column_index: int) -> str:
    """``Questionnaire!F12`` from 0-based indexes."""
    return f"{sheet}!{column_letter(column_index)}{row_index + 1}"


def read_sheets(path: Path, display_name: str | None = None) -> list[Sheet]:
    """Every sheet of a checked spreadsheet (see ``safety.check_spreadsheet``), in order."""
    name = display_name or path.name
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = []
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            sheets.append(Sheet(meta.name, rows, hidden))
        return sheets
    except python_calamine.PasswordError as error:
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : il est protégé par un mot de passe. Ouvrez-le "
            "dans Excel ou LibreOffice, retirez le mot de passe, enregistrez-le puis importez-le "
            "à nouveau."
        ) from error
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # calamine's PanicException is not an Exception
        log.warning("Lecture impossible de %s : %r", name, error)
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : son contenu est illisible ou endommagé. "
            "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau au format .xlsx, puis "
            "réessayez."
        ) from error
