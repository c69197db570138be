"""Reading the cells of a spreadsheet with python-calamine, fast and without evaluating anything.

Rows keep their real numbers (row 1 is the sheet's first row, even when it is empty), so that
every message can name the cell a user will find in Excel or LibreOffice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sradar_desktop.errors import FileRefusedError

log = logging.getLogger(__name__)


class Sheet:
    """A sheet of a workbook; its cells are read the first time ``rows`` is asked for (a
    consolidation never reads the « Lisez-moi » of a thousand workbooks)."""

    def __init__(
        self,
        name: str,
        rows: list[list[object]] | None = None,
        hidden: bool = False,
        *,
        load: Callable[[], list[list[object]]] | None = None,
    ) -> None:
        self.name = name
        self.hidden = hidden
        self._rows = rows
        self._load = load

    @property
    def rows(self) -> list[list[object]]:
        if self._rows is None:
            assert self._load is not None
            self._rows = self._load()
        return self._rows


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


def _refused(name: str, error: BaseException) -> FileRefusedError:
    import python_calamine

    if isinstance(error, python_calamine.PasswordError):
        return FileRefusedError(
            f"Le fichier « {name} » a été refusé : il est protégé par un mot de passe. Ouvrez-le "
            "dans Excel ou LibreOffice, retirez le mot de passe, enregistrez-le puis importez-le "
            "à nouveau."
        )
    log.warning("Lecture impossible de %s : %r", name, error)
    return FileRefusedError(
        f"Le fichier « {name} » a été refusé : son contenu est illisible ou endommagé. "
        "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau au format .xlsx, puis "
        "réessayez."
    )


def read_sheets(path: Path, display_name: str | None = None) -> list[Sheet]:
    """The sheets of a checked spreadsheet (see ``safety.check_spreadsheet``), in order; each
    one's cells are read when first used. Raises ``FileRefusedError`` for an unreadable file."""
    import python_calamine  # at first use: the window starts without it

    name = display_name or path.name
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        metadata = workbook.sheets_metadata
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # calamine's PanicException is not an Exception
        raise _refused(name, error) from error

    def loader(sheet_name: str) -> Callable[[], list[list[object]]]:
        def load() -> list[list[object]]:
            try:
                return workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except BaseException as error:
                raise _refused(name, error) from error

        return load

    return [
        Sheet(
            meta.name,
            hidden=meta.visible != python_calamine.SheetVisibleEnum.Visible,
            load=loader(meta.name),
        )
        for meta in metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
