"""Action plans laid out as a table, like the evaluation grid of seed 000.

Columns are found by their header (``Objectifs``, ``Thématiques``, ``Actions``; optional
``Réalisation``, ``Commentaire``, ``Pilotes``, ``Code``), wherever the header row is: the lines
above it give the plan's title. Files: ``.xlsx``/``.xlsm``/``.ods``/``.xls``, ``.csv`` (``;``,
``,`` or tab) and tab-separated ``.txt``/``.tsv``. Empty objective or theme cells repeat the row
above (merged cells), repeated header rows are skipped. A cell whose value cannot be known (an
error value such as ``#N/A``, a formula saved without its result) in one of these columns
refuses the file, naming the cell.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sradar_desktop.domain.plan import Action, Objective, Plan, Theme, validate_plan
from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.domain.text import clean_cell, fold, one_line, slugify
from sradar_desktop.errors import FileRefusedError
from sradar_desktop.workbook import SPREADSHEET_SUFFIXES, TEXT_SUFFIXES
from sradar_desktop.workbook.cells import (
    Sheet,
    UnknownValue,
    cell_ref,
    column_letter,
    read_sheets,
)
from sradar_desktop.workbook.safety import check_size, sniff

MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_ERRORS_SHOWN = 20

_HEADERS: dict[str, tuple[str, ...]] = {
    "objective": ("objectifs", "objectif", "axes", "axe", "priorites", "priorite"),
    "theme": ("thematiques", "thematique", "themes", "theme", "sous-axes", "sous-axe"),
    "action": ("actions", "action"),
    "status": ("realisation", "statut", "etat de realisation", "reponse"),
    "comment": ("commentaires", "commentaire"),
    "pilots": ("pilotes", "pilote", "services pilotes"),
    "code": ("code", "code action", "codes"),
}
_REQUIRED = ("objective", "theme", "action")
_NUMBERED = re.compile(
    r"^\s*(?:(?:objectif|axe|priorit[ée])\s*(?:n\s*°|n°|no)?\s*)?(\d+(?:\.\d+)*)\s*[_.)\-–:]\s*(\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PILOT_SPLIT = re.compile(r"[,;/\n]+")


class AnswersTableError(FileRefusedError):
    """A table of answers where a plan was expected: refused whatever else the file holds."""


@dataclass(frozen=True)
class PlanTable:
    """A plan read from a table, with the answers its ``Réalisation`` column held."""

    plan: Plan
    statuses: dict[str, str]
    comments: dict[str, str]
    has_answers: bool


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _split_numbering(text: str) -> tuple[str | None, str]:
    match = _NUMBERED.match(text)
    if match:
        return match.group(1), _capitalise(match.group(2).strip())
    return None, _capitalise(text)


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows):
        columns: dict[str, int] = {}
        for position, value in enumerate(row):
            key = fold(clean_cell(value)).rstrip(" :")
            for role, names in _HEADERS.items():
                if key in names and role not in columns:
                    columns[role] = position
        if all(role in columns for role in _REQUIRED):
            return index, columns
    return None


# The columns that make a table of answers (the exchange workbook's), not a plan.
_ANSWER_COLUMNS = ("code", "repondant", "realisation")
_HEADER_ROWS_LOOKED_AT = 50


def _is_answers_table(rows: Sequence[Sequence[object]]) -> bool:
    for row in rows[:_HEADER_ROWS_LOOKED_AT]:
        keys = {fold(clean_cell(value)).rstrip(" :") for value in row}
        if all(name in keys for name in _ANSWER_COLUMNS):
            return True
    return False


def _short(text: str, limit: int = 60) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def parse_plan_rows(
    rows: Sequence[Sequence[object]],
    *,
    file_name: str,
    where: Callable[[int, int], str],
) -> PlanTable:
    """Build the plan from the rows of one sheet. ``where(row, column)`` names a cell.

    A table of answers (the columns Code, Répondant and Réalisation of an exchange workbook,
    saved as CSV or copied without its metadata) is refused: it is never taken for a plan."""
    if _is_answers_table(rows):
        raise AnswersTableError(
            f"Le fichier « {file_name} » a été refusé : c'est un tableau de réponses (colonnes "
            "Code, Répondant, Réalisation) enregistré sans ce qui dit à quel questionnaire et à "
            "quelle campagne il répond. Demandez à l'expéditeur le classeur .xlsx lui-même, "
            "enregistré avec Fichier › Enregistrer (pas « Enregistrer sous » en CSV)."
        )
    found = _find_header(rows)
    if found is None:
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : il ne contient pas les colonnes "
            "attendues « Objectifs », « Thématiques » et « Actions » (une ligne d'en-tête avec "
            "ces trois titres). Ajoutez ces en-têtes au-dessus du tableau, puis réessayez."
        )
    header_index, columns = found

    def cell(row: Sequence[object], role: str) -> str:
        position = columns.get(role)
        if position is None or position >= len(row):
            return ""
        return clean_cell(row[position])

    title_lines = []
    for row in rows[:header_index]:
        text = next(
            (clean_cell(v) for v in row if not isinstance(v, UnknownValue) and clean_cell(v)), ""
        )
        if text:
            title_lines.append(text)

    errors: list[str] = []
    objectives: dict[str, dict[str, list[tuple[int, str, str, str, str, tuple[str, ...]]]]] = {}
    objective_codes: dict[str, str | None] = {}
    current_objective = ""
    current_theme = ""
    header_keys = [fold(clean_cell(v)) for v in rows[header_index]]
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        values = [clean_cell(v) for v in row]
        if not any(values) or [fold(v) for v in values] == header_keys:
            continue
        unknown = [
            (position, value)
            for position in sorted(columns.values())
            if position < len(row) and isinstance(value := row[position], UnknownValue)
        ]
        for position, value in unknown:
            errors.append(f"{where(index, position)} : {value.problem()}")
        if unknown:
            continue
        objective_text, theme_text, action_text = (
            cell(row, "objective"),
            cell(row, "theme"),
            cell(row, "action"),
        )
        if objective_text:
            code, title = _split_numbering(one_line(objective_text))
            if title != current_objective:
                current_theme = ""
            current_objective = title
            objective_codes.setdefault(title, code)
        if theme_text:
            current_theme = _capitalise(one_line(theme_text))
        if not action_text:
            if cell(row, "status") or cell(row, "comment"):
                errors.append(
                    f"{where(index, columns['action'])} : l'action est vide alors que la ligne "
                    "contient une réponse"
                )
            continue
        if not current_objective or not current_theme:
            missing = "objectif" if not current_objective else "thématique"
            role = "objective" if not current_objective else "theme"
            errors.append(f"{where(index, columns[role])} : {missing} manquant pour cette action")
            continue
        status = ""
        raw_status = cell(row, "status")
        try:
            status = DEFAULT_SCALE.parse(raw_status) or ""
        except ValueError as error:
            errors.append(f"{where(index, columns['status'])} : {error}")
        pilots = tuple(p.strip() for p in _PILOT_SPLIT.split(cell(row, "pilots")) if p.strip())
        themes = objectives.setdefault(current_objective, {})
        themes.setdefault(current_theme, []).append(
            (index, cell(row, "code"), action_text, status, cell(row, "comment"), pilots)
        )

    if not objectives and not errors:
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : il ne contient aucune action sous la "
            "ligne d'en-tête. Vérifiez que vous avez choisi le bon fichier."
        )

    given_codes = list(objective_codes.values())
    use_given = all(given_codes) and len(set(given_codes)) == len(given_codes)
    plan_objectives = []
    statuses: dict[str, str] = {}
    comments: dict[str, str] = {}
    seen_codes: dict[str, int] = {}
    for o_position, (o_title, themes) in enumerate(objectives.items(), start=1):
        o_code = objective_codes[o_title] if use_given else str(o_position)
        assert o_code is not None
        plan_themes = []
        for t_position, (t_title, actions) in enumerate(themes.items(), start=1):
            t_code = f"{o_code}.{t_position}"
            plan_actions = []
            for a_position, (index, code, text, status, comment, pilots) in enumerate(
                actions, start=1
            ):
                a_code = code or f"{t_code}.{a_position}"
                if a_code in seen_codes:
                    errors.append(
                        f"{where(index, columns.get('code', columns['action']))} : le code "
                        f"d'action {a_code} est déjà utilisé ligne {seen_codes[a_code] + 1}"
                    )
                seen_codes[a_code] = index
                plan_actions.append(Action(a_code, text, pilots))
                if status:
                    statuses[a_code] = status
                if comment:
                    comments[a_code] = comment
            plan_themes.append(Theme(t_code, t_title, tuple(plan_actions)))
        plan_objectives.append(Objective(o_code, o_title, tuple(plan_themes)))

    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : {len(errors)} problème"
            f"{'s' if len(errors) > 1 else ''} à corriger dans le tableau, puis réessayez.",
            details=shown + ([f"… et {more} autres"] if more else []),
        )

    title = one_line(title_lines[0]) if title_lines else Path(file_name).stem
    draft = Plan(id="", title=title, objectives=tuple(plan_objectives))
    digest = draft.digest()
    slug = slugify(title) or "plan"
    plan = Plan(
        id=f"{slug}-{digest[:8]}",
        title=title,
        short_title=_short(title),
        description="\n".join(title_lines[1:]),
        source=file_name,
        objectives=tuple(plan_objectives),
    )
    problems = validate_plan(plan)
    if problems:
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : le plan qu'il décrit n'est pas "
            "utilisable en l'état. Corrigez le tableau, puis réessayez.",
            details=problems[:MAX_ERRORS_SHOWN],
        )
    return PlanTable(plan, statuses, comments, "status" in columns)


def _decode(data: bytes, file_name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's « Texte Unicode (*.txt) »: UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : ce n'est pas un fichier texte. "
            "Choisissez un classeur (.xlsx, .ods) ou un tableau .csv."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _text_rows(text: str, file_name: str) -> list[list[str]]:
    lines = text.splitlines()
    first = lines[0].strip().lower() if lines else ""
    if first.startswith("sep=") and len(first) == 5:
        # Excel's hint line « sep=; » names the delimiter; it is not part of the table.
        delimiter = first[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        sample = "\n".join(line for line in lines[:50] if line.strip())
        delimiter = "\t"
        if "\t" not in sample:
            delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise FileRefusedError(
            f"Le fichier « {file_name} » a été refusé : ce tableau texte est mal formé ({error}). "
            "Enregistrez-le à nouveau depuis votre tableur, au format .xlsx de préférence."
        ) from error


def text_table_rows(data: bytes, file_name: str) -> list[list[str]]:
    """The rows of a text table as Excel or LibreOffice save one (``;``, ``,`` or tab; UTF-8,
    UTF-16 or Windows-1252). Raises ``FileRefusedError``."""
    return _text_rows(_decode(data, file_name), file_name)


def plan_table_from_sheets(sheets: Sequence[Sheet], file_name: str) -> PlanTable:
    """The plan of the first visible sheet that has the plan's columns."""
    last_error: FileRefusedError | None = None
    for sheet in sheets:
        if sheet.hidden:
            continue
        try:
            return parse_plan_rows(
                sheet.rows,
                file_name=file_name,
                where=functools.partial(cell_ref, sheet.name),
            )
        except FileRefusedError as error:
            if error.details or isinstance(error, AnswersTableError):
                raise
            last_error = error
    raise last_error or FileRefusedError(
        f"Le fichier « {file_name} » a été refusé : il ne contient aucune feuille visible."
    )


def is_spreadsheet(path: Path) -> bool:
    """Whether a file is to be read as a spreadsheet (by its name or its first bytes)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    return path.suffix.lower() in SPREADSHEET_SUFFIXES or sniff(head) in ("zip", "ole", "pdf")


def read_plan_table(path: Path, display_name: str | None = None) -> PlanTable:
    """Read an action-plan table from any supported file. Raises ``FileRefusedError``."""
    name = display_name or path.name
    check_size(path, name=name)
    if is_spreadsheet(path):
        return plan_table_from_sheets(read_sheets(path, name), name)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : le format {suffix or 'sans extension'} n'est "
            "pas pris en charge. Formats acceptés : .xlsx, .ods, .xls, .csv, .txt."
        )
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise FileRefusedError(
            f"Le fichier « {name} » a été refusé : il dépasse {MAX_TEXT_BYTES // (1024 * 1024)} Mo."
        )
    rows = _text_rows(_decode(path.read_bytes(), name), name)
    return parse_plan_rows(
        rows,
        file_name=name,
        where=lambda r, c: f"ligne {r + 1}, colonne {column_letter(c)}",
    )
