"""Reading an exchange workbook received by email: checked first, every problem named by cell.

Columns are found by their header and rows by action code, so a re-sorted sheet or moved
columns read the same. Statuses are accepted in any case and without accents, numbers typed the
French way. A cell whose value cannot be known (an error value such as ``#N/A``, a formula
saved without its result: see ``cells``) in a column that is read refuses the file, naming the
cell: it never reads as an empty answer. For each answer, the stamps of the ``_sradar`` sheet
say when and by whom it was last changed in the app; an answer whose values no longer match
its stamp was edited outside the app, and takes the time the workbook was last saved (from its
document properties).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

from sradar_desktop.domain.merge import Value, is_blank, value_digest
from sradar_desktop.domain.numbers import parse_indicator_value
from sradar_desktop.domain.plan import Plan, plan_from_mapping, validate_plan
from sradar_desktop.domain.respondents import respondent_code
from sradar_desktop.domain.text import clean_cell, fold
from sradar_desktop.errors import FileRefusedError
from sradar_desktop.mail.addresses import AddressError, check_address
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.cells import Sheet, UnknownValue, cell_ref, read_sheets
from sradar_desktop.workbook.safety import Spreadsheet, open_spreadsheet

MAX_ERRORS_SHOWN = 20
Line = TypeVar("Line", fmt.AnswerLine, fmt.IndicatorLine)
# A campaign's roster, as a file gives it, is read up to this many services.
MAX_EXPECTED = 1000


class MetadataMissingError(FileRefusedError):
    """A workbook that looks like an exchange workbook but lost its ``_sradar`` sheet."""


def _refused(name: str, reason: str, advice: str = "") -> FileRefusedError:
    return FileRefusedError(
        f"Le fichier « {name} » a été refusé : {reason}." + (f" {advice}" if advice else "")
    )


def _saved_properties(spreadsheet: Spreadsheet) -> tuple[datetime | None, str]:
    """When and by whom the file was last saved, from its document properties."""
    from defusedxml import ElementTree

    member, stamp_tags, author_tags = (
        ("docProps/core.xml", ("modified",), ("lastModifiedBy",))
        if spreadsheet.kind == "xlsx"
        else ("meta.xml", ("date",), ("creator",))
    )
    try:
        root = ElementTree.fromstring(spreadsheet.part(member))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return None, ""
    except Exception:  # defusedxml refusals: no properties rather than a crash
        return None, ""
    saved_at = None
    saved_by = ""
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        text = (element.text or "").strip()
        if tag in stamp_tags and text and saved_at is None:
            saved_at = _parse_time(text)
        elif tag in author_tags and text:
            saved_by = text
    return saved_at, saved_by


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_PLAIN = re.compile(r"[^\x00-\x1f<&\u00a0\u202f]*")
_TOTAL = fold(fmt.TOTAL_LABEL)


def _text(value: object) -> str:
    """A cell as text: ``12.0`` typed as a number reads ``12``."""
    if isinstance(value, str) and _PLAIN.fullmatch(value) and "  " not in value:
        return value.strip()  # the usual case, without the full clean-up
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.strftime("%d/%m/%Y")
    return clean_cell(value) if value is not None else ""


def _comment(value: object) -> str:
    """A comment as the person typed it: line breaks kept, Windows line ends made plain."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _find_header(
    sheet: Sheet, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[int, dict[str, int]] | None:
    """The first row that has the ``required`` column names, wherever rows were inserted above
    it (every row the sheet has is looked at: reading is already bounded by its cells)."""
    wanted = {fold(name): name for name in (*required, *optional)}
    for index, row in enumerate(sheet.rows):
        columns: dict[str, int] = {}
        for position, value in enumerate(row):
            name = wanted.get(fold(_text(value)))
            if name is not None and name not in columns:
                columns[name] = position
        if all(name in columns for name in required):
            return index, columns
    return None


class _Errors:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, sheet: str, row: int, column: int, message: str) -> None:
        self.items.append(f"{cell_ref(sheet, row, column)} : {message}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        count = len(self.items)
        shown = self.items[:MAX_ERRORS_SHOWN]
        if count > len(shown):
            shown.append(f"… et {count - len(shown)} autres")
        raise FileRefusedError(
            f"Le fichier « {self.name} » a été refusé : {count} problème"
            f"{'s' if count > 1 else ''} à corriger dans le classeur, puis réessayez.",
            details=shown,
        )


def _meta(sheet: Sheet, name: str) -> tuple[dict[str, str], list[list[object]]]:
    """The keys and values of the ``_sradar`` sheet, and the per-answer stamps that the first
    builds of format 1 kept as a table below them (now JSON lines in ``horodatage.N`` cells),
    as those lines: respondent, code, position, time, author, digest."""
    values: dict[str, str] = {}
    table: list[list[object]] = []
    in_table = False
    for row in sheet.rows:
        key = _text(row[0]) if row else ""
        if in_table:
            respondent, code, position, at, by, digest = [*row, *[None] * 7][1:7]
            rank = int(position) if isinstance(position, int | float) else None
            table.append([_text(respondent), _text(code), rank, _text(at), _text(by), digest])
        elif key == fmt.META_STAMPS:
            in_table = True
        elif key:
            value = row[1] if len(row) > 1 else ""
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            values[key] = "" if value is None else str(value)
    if values.get(fmt.META_FORMAT) != fmt.FORMAT_NAME:
        raise _refused(
            name,
            "sa feuille technique « _sradar » n'est pas celle d'un classeur SRADAR Desktop",
            "Demandez à l'expéditeur le classeur d'origine.",
        )
    return values, table


def _joined(meta: dict[str, str], prefix: str) -> str:
    """A long value split over ``prefix.1``, ``prefix.2``… cells, put back together."""
    chunks = sorted(
        (int(key.split(".", 1)[1]), value)
        for key, value in meta.items()
        if key.startswith(f"{prefix}.") and key.split(".", 1)[1].isdigit()
    )
    return "".join(value for _, value in chunks)


_PLANS: dict[str, Plan] = {}  # by digest of their text: hundreds of files carry the same plan


def _plan(meta: dict[str, str], name: str) -> Plan:
    damaged = _refused(
        name,
        "la description du questionnaire qu'il contient est endommagée",
        "Demandez à l'expéditeur de vous renvoyer le classeur tel que SRADAR Desktop l'a produit.",
    )
    text = _joined(meta, fmt.META_PLAN)
    key = hashlib.sha256(text.encode()).hexdigest()
    plan = _PLANS.get(key)
    if plan is None:
        try:
            plan = plan_from_mapping(json.loads(text))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise damaged from error
        if validate_plan(plan):
            raise damaged
        if len(_PLANS) > 32:
            _PLANS.clear()
        _PLANS[key] = plan
    if plan.id != meta.get(fmt.META_QUESTIONNAIRE_ID):
        raise damaged
    if plan.digest() != meta.get(fmt.META_QUESTIONNAIRE_DIGEST):
        raise damaged
    return plan


def _table_sheet(
    sheets: dict[str, Sheet],
    preferred: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> tuple[Sheet, int, dict[str, int]] | None:
    """The sheet named ``preferred``, or any visible sheet with the right headers."""
    candidates = [sheets[preferred]] if preferred in sheets else []
    candidates += [s for s in sheets.values() if s.name != preferred and not s.hidden]
    for sheet in candidates:
        found = _find_header(sheet, required, optional)
        if found is not None:
            return sheet, *found
    return None


def looks_like_exchange(sheets: Sequence[Sheet]) -> bool:
    """A workbook with the answer columns of an exchange workbook (with or without metadata)."""
    by_name = {s.name: s for s in sheets}
    required = (fmt.COL_CODE, fmt.COL_RESPONDENT, fmt.COL_STATUS)
    return (
        fmt.SHEET_META in by_name or _table_sheet(by_name, fmt.SHEET_ANSWERS, required) is not None
    )


@dataclass(frozen=True)
class Received:
    """A checked spreadsheet: its sheets (read when used), and when and by whom it was last
    saved (from its document properties)."""

    sheets: list[Sheet]
    saved_at: datetime | None = None
    saved_by: str = ""


def read_workbook_sheets(path: Path, display_name: str | None = None) -> Received:
    """Check a received spreadsheet, then open it."""
    spreadsheet = open_spreadsheet(path, name=display_name)
    saved = _saved_properties(spreadsheet) if spreadsheet.kind in ("xlsx", "ods") else (None, "")
    return Received(read_sheets(spreadsheet), *saved)


def _stamps(
    meta: dict[str, str], table: list[list[object]]
) -> dict[str, tuple[datetime, str, str]]:
    """The per-answer stamps of the ``_sradar`` sheet (``table``: those of the first builds,
    see ``_meta``): key → (time, author, digest)."""
    stamps = {}
    text = _joined(meta, fmt.META_STAMPS)
    try:  # all the lines in one go; line by line only when something is damaged
        lines = json.loads("[" + ",".join(text.splitlines()) + "]") if text else []
    except ValueError:
        lines = []
        for line in text.splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue  # a damaged stamp only makes its answer count as edited outside the app
    for line in [*lines, *table]:
        try:
            respondent, code, position, at, by, digest = line
        except (ValueError, TypeError):
            continue
        moment = _parse_time(str(at))
        if moment is None:
            continue
        key = fmt.stamp_key(
            str(respondent), str(code), position if isinstance(position, int) else None
        )
        stamps[key] = (moment, str(by), str(digest))
    return stamps


def _labels(meta: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Labels and départements by respondent code; a code that is not one is left out (it
    names no answer: those carry their own code)."""
    labels = {}
    try:
        for r in json.loads(meta.get(fmt.META_RESPONDENTS) or "[]"):
            try:
                code = respondent_code(str(r["code"]))
            except ValueError:
                continue
            if code:
                labels[code] = (str(r.get("label", "")), str(r.get("department", "")))
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}
    return labels


class _Rows:
    """The data rows of one table sheet, cells found by column name."""

    def __init__(self, sheet: Sheet, header: int, columns: dict[str, int]) -> None:
        self.sheet = sheet
        self.header = header
        self.columns = columns

    def cells(self, *names: str) -> Iterator[tuple[int, tuple[object, ...]]]:
        """Each data row's index and its cells in the columns ``names``, in that order
        (``None`` for a column the sheet does not have). At least two names."""
        width = max(self.columns.values()) + 1
        positions = [self.columns.get(name, -1) for name in names]
        pick = itemgetter(*positions)
        rows = self.sheet.rows
        if -1 not in positions:
            for index in range(self.header + 1, len(rows)):
                row = rows[index]
                if len(row) < width:
                    row = [*row, *[None] * (width - len(row))]
                yield index, pick(row)
            return
        # A missing column is read from a None added at the end of each row (-1), never from
        # a column the sheet has beyond the ones found.
        for index in range(self.header + 1, len(rows)):
            row = rows[index]
            yield index, pick([*row, *[None] * (width - len(row)), None])


class _ExchangeParser:
    """Reads the answer and indicator sheets against the plan and the stamps."""

    def __init__(
        self,
        name: str,
        plan: Plan,
        stamps: dict[str, tuple[datetime, str, str]],
        edited_at: datetime,
        saved_by: str,
    ) -> None:
        self.plan = plan
        self.actions = {a.code: a for a in plan.actions()}
        self.stamps = stamps
        self.edited_at = edited_at
        self.saved_by = saved_by
        self.errors = _Errors(name)
        self.edited: list[tuple[str, str, int | None]] = []
        # What a cell says, by its value: a sheet repeats its respondent and its few statuses
        # on every row (the code, or the French reason it cannot be one).
        self._respondents: dict[object, tuple[str, str]] = {}
        self._statuses: dict[object, tuple[str | None, str]] = {}
        self._totals: dict[object, bool] = {}

    def error(self, rows: _Rows, index: int, column: str, message: str) -> None:
        self.errors.add(rows.sheet.name, index, rows.columns[column], message)

    def unknown(
        self, rows: _Rows, index: int, columns: Sequence[str], values: Sequence[object]
    ) -> bool:
        """Report the cells of a row whose value cannot be known; whether there was one."""
        if not rows.sheet.may_be_unknown(index):
            return False
        found = False
        for column, value in zip(columns, values, strict=True):
            if isinstance(value, UnknownValue):
                found = True
                instead = (
                    f"la réponse elle-même ({self.plan.scale.choices_text()})"
                    if column == fmt.COL_STATUS
                    else "la valeur elle-même"
                )
                self.error(rows, index, column, value.problem(instead))
        return found

    def respondent(self, rows: _Rows, index: int, value: object) -> str | None:
        """The code of a respondent cell; ``None`` (reported) when it cannot be one."""
        known = self._respondents.get(value)
        if known is None:
            try:
                code = respondent_code(_text(value))
                problem = "" if code else "le répondant est vide"
            except ValueError as error:
                code, problem = "", str(error)
            known = self._respondents[value] = (code, problem)
        code, problem = known
        if problem:
            self.error(rows, index, fmt.COL_RESPONDENT, problem)
            return None
        return code

    def is_total(self, value: object) -> bool:
        """Whether a respondent cell says « Total » (a consolidated workbook's total row)."""
        known = self._totals.get(value)
        if known is None:
            known = self._totals[value] = isinstance(value, str) and fold(value) == _TOTAL
        return known

    def status(self, rows: _Rows, index: int, value: object) -> tuple[bool, str | None]:
        """Whether a status cell is one of the scale's, and its code (``None``: no answer)."""
        known = self._statuses.get(value)
        if known is None:
            try:
                known = (self.plan.scale.parse(value), "")
            except ValueError as error:
                known = (None, str(error))
            self._statuses[value] = known
        status, problem = known
        if problem:
            self.error(rows, index, fmt.COL_STATUS, problem)
            return False, None
        return True, status

    def resolve(
        self, respondent: str, code: str, position: int | None, value: Value
    ) -> tuple[datetime, str] | None:
        """When and by whom a unit was last changed; ``None`` for a blank never answered."""
        stamp = self.stamps.get(fmt.stamp_key(respondent, code, position))
        if stamp is not None and stamp[2] == value_digest(value):
            return stamp[0], stamp[1]
        if stamp is None and is_blank(value):
            return None
        self.edited.append((respondent, code, position))
        return self.edited_at, f"{self.saved_by or respondent} (classeur)"

    def _unknown_code(self, rows: _Rows, index: int, code: str) -> None:
        self.error(
            rows,
            index,
            fmt.COL_CODE,
            f"le code « {code} » n'est pas une action du questionnaire "
            f"« {self.plan.display_title} »"
            if code
            else "le code de l'action est vide",
        )

    def answers(self, rows: _Rows) -> list[fmt.AnswerLine]:
        lines = []
        seen: dict[tuple[str, str], int] = {}
        columns = (
            fmt.COL_CODE,
            fmt.COL_RESPONDENT,
            fmt.COL_STATUS,
            fmt.COL_COMMENT,
            fmt.COL_TO_CONFIRM,
        )
        for index, cells in rows.cells(*columns):
            if self.unknown(rows, index, columns, cells):
                continue
            code, typed_respondent, raw_status, comment, pending = cells
            code = _text(code)
            comment = _comment(comment)
            if not (code or _text(typed_respondent) or _text(raw_status) or comment.strip()):
                continue
            if code not in self.actions:
                self._unknown_code(rows, index, code)
                continue
            respondent = self.respondent(rows, index, typed_respondent)
            if respondent is None:
                continue
            if (respondent, code) in seen:
                self.error(
                    rows,
                    index,
                    fmt.COL_CODE,
                    f"l'action {code} de {respondent} figure déjà ligne "
                    f"{seen[(respondent, code)] + 1}",
                )
                continue
            seen[(respondent, code)] = index
            valid, status = self.status(rows, index, raw_status)
            if not valid:
                continue
            if len(comment) > fmt.MAX_CELL_TEXT:
                self.error(rows, index, fmt.COL_COMMENT, "le commentaire est trop long")
                continue
            edits = len(self.edited)
            resolved = self.resolve(respondent, code, None, (status, comment))
            if resolved is not None:
                # Still to confirm while marked so and unchanged: any edit confirms it.
                to_confirm = bool(_text(pending)) and len(self.edited) == edits
                lines.append(
                    fmt.AnswerLine(respondent, code, status, comment, *resolved, to_confirm)
                )
        return lines

    def indicators(self, rows: _Rows) -> list[fmt.IndicatorLine]:
        lines = []
        seen: dict[tuple[str, str, int], int] = {}
        columns = (
            fmt.COL_CODE,
            fmt.COL_INDICATOR,
            fmt.COL_RESPONDENT,
            fmt.COL_TARGET,
            fmt.COL_ACHIEVED,
        )
        for index, cells in rows.cells(*columns):
            code, label, typed_respondent, *raw = cells
            if self.is_total(typed_respondent):
                continue  # a consolidated workbook's total row, computed from the others
            if self.unknown(rows, index, columns, cells):
                continue
            code = _text(code)
            label = _text(label)
            if not (code or label or _text(typed_respondent) or any(_text(v) for v in raw)):
                continue
            action = self.actions.get(code)
            if action is None:
                self._unknown_code(rows, index, code)
                continue
            positions = [
                i for i, known in enumerate(action.indicators) if fold(known.label) == fold(label)
            ]
            if not positions:
                self.error(
                    rows,
                    index,
                    fmt.COL_INDICATOR,
                    f"l'action {code} n'a pas d'indicateur « {label} »",
                )
                continue
            respondent = self.respondent(rows, index, typed_respondent)
            if respondent is None:
                continue
            key = (respondent, code, positions[0])
            if key in seen:
                self.error(
                    rows,
                    index,
                    fmt.COL_INDICATOR,
                    f"cet indicateur de {respondent} figure déjà ligne {seen[key] + 1}",
                )
                continue
            seen[key] = index
            kind = action.indicators[positions[0]].kind
            parsed: list[str | None] = []
            for column, value in zip((fmt.COL_TARGET, fmt.COL_ACHIEVED), raw, strict=True):
                try:
                    parsed.append(parse_indicator_value(value, kind))
                except ValueError as error:
                    self.error(rows, index, column, f"{error} ({kind.label} attendu)")
                    parsed.append(None)
            resolved = self.resolve(respondent, code, positions[0], (parsed[0], parsed[1]))
            if resolved is not None:
                lines.append(
                    fmt.IndicatorLine(
                        respondent, code, positions[0], parsed[0], parsed[1], *resolved
                    )
                )
        return lines


def _read_table(
    sheets: Sequence[Sheet],
    found: tuple[Sheet, int, dict[str, int]],
    new_parser: Callable[[], _ExchangeParser],
    parser: _ExchangeParser,
    parse: Callable[[_ExchangeParser, _Rows], list[Line]],
    key: Callable[[Line], tuple[object, ...]],
    notes: list[str],
) -> list[Line]:
    """The lines of the table ``found``, or of a copy of it that someone filled instead.

    A colleague may copy the sheet (« Déplacer ou copier… ») and answer in the copy: every
    other visible sheet with the same columns, not one the app writes, is read too. Copies
    that say the same as the table change nothing. One copy that differs while the table is
    still as exported is the one read, and ``notes`` says so. Anything else is refused naming
    the sheets: never a sheet's answers silently left out. The errors and edits of the lines
    kept go to ``parser``."""
    main_sheet, header, columns = found
    main = new_parser()
    lines = parse(main, _Rows(main_sheet, header, columns))
    differing: list[tuple[Sheet, _ExchangeParser, list[Line]]] = []
    for sheet in sheets:
        if sheet.hidden or sheet.name in fmt.APP_SHEETS or sheet.name == main_sheet.name:
            continue
        copy_header = _find_header(sheet, list(columns), ())
        if copy_header is None:
            continue
        copy = new_parser()
        copy_lines = parse(copy, _Rows(sheet, *copy_header))
        values = {key(line): line.value for line in lines}
        if copy.errors.items or {key(line): line.value for line in copy_lines} != values:
            differing.append((sheet, copy, copy_lines))
    chosen = main
    if differing:
        untouched = not main.edited and not main.errors.items
        if not untouched or len(differing) > 1:
            names = ", ".join(f"« {s.name} »" for s in [main_sheet, *(d[0] for d in differing)])
            raise _refused(
                main.errors.name,
                f"ses réponses sont dans plusieurs feuilles qui ne disent pas la même chose "
                f"({names})",
                f"Gardez une seule de ces feuilles, nommée « {main_sheet.name} », avec toutes "
                "les réponses (supprimez les autres), enregistrez le classeur, puis importez-le "
                "de nouveau.",
            )
        sheet, chosen, lines = differing[0]
        notes.append(
            f"Les réponses ont été lues dans la feuille « {sheet.name} », une copie de "
            f"« {main_sheet.name} » remplie à sa place (« {main_sheet.name} » est restée telle "
            "qu'elle avait été envoyée)."
        )
    parser.edited.extend(chosen.edited)
    parser.errors.items.extend(chosen.errors.items)
    return lines


def parse_exchange(
    path: Path, received: Received, display_name: str | None = None
) -> fmt.ExchangeWorkbook:
    """The content of an exchange workbook opened by ``read_workbook_sheets``."""
    name = display_name or path.name
    by_name = {s.name: s for s in received.sheets}
    if fmt.SHEET_META not in by_name:
        raise MetadataMissingError(
            f"Le fichier « {name} » a été refusé : sa feuille technique « _sradar » a été "
            "supprimée, on ne peut plus savoir à quel questionnaire et à quelle campagne il "
            "répond. Demandez à l'expéditeur de vous renvoyer le classeur d'origine, ou "
            "recopiez ses réponses dans un classeur vierge préparé par SRADAR Desktop."
        )
    meta, stamp_table = _meta(by_name[fmt.SHEET_META], name)
    try:
        version = int(meta.get(fmt.META_FORMAT_VERSION, "0"))
    except ValueError:
        version = 0
    if version > fmt.FORMAT_VERSION:
        raise _refused(
            name,
            f"il a été préparé par une version plus récente de SRADAR Desktop "
            f"({meta.get(fmt.META_APP_VERSION, '?')})",
            "Installez la dernière version de l'application pour l'importer.",
        )
    plan = _plan(meta, name)
    exported_at = _parse_time(meta.get(fmt.META_EXPORTED_AT, ""))
    if exported_at is None:
        raise _refused(
            name, "sa date de préparation est illisible", "Demandez le classeur d'origine."
        )
    saved_at, saved_by = received.saved_at, received.saved_by
    stamps = _stamps(meta, stamp_table)

    def new_parser() -> _ExchangeParser:
        # What was edited outside the app changed when the file was last saved, after export.
        edited_at = max(saved_at or exported_at, exported_at)
        return _ExchangeParser(name, plan, stamps, edited_at, saved_by)

    parser = new_parser()
    notes: list[str] = []
    answers_sheet = meta.get(fmt.META_ANSWERS_SHEET) or fmt.SHEET_ANSWERS
    found = _table_sheet(
        by_name,
        answers_sheet,
        (fmt.COL_CODE, fmt.COL_RESPONDENT, fmt.COL_STATUS),
        (fmt.COL_COMMENT, fmt.COL_TO_CONFIRM),
    )
    if found is None:
        looked = ", ".join(
            f"« {s.name} »" for s in received.sheets if s.name == answers_sheet or not s.hidden
        )
        raise _refused(
            name,
            "aucune ligne de ses feuilles visibles ne porte les titres de colonnes Code, "
            f"Répondant et Réalisation (feuilles examinées en entier : {looked or 'aucune'})",
            "Remettez ces titres au-dessus des réponses dans la feuille « Questionnaire », ou "
            "demandez à l'expéditeur de vous renvoyer le classeur sans en supprimer de feuille.",
        )
    answers = _read_table(
        received.sheets,
        found,
        new_parser,
        parser,
        _ExchangeParser.answers,
        lambda line: (line.respondent, line.action_code),
        notes,
    )
    indicators_header = (
        fmt.COL_CODE,
        fmt.COL_INDICATOR,
        fmt.COL_RESPONDENT,
        fmt.COL_TARGET,
        fmt.COL_ACHIEVED,
    )
    found = _table_sheet(
        by_name, meta.get(fmt.META_INDICATORS_SHEET) or fmt.SHEET_INDICATORS, indicators_header
    )
    indicators = (
        _read_table(
            received.sheets,
            found,
            new_parser,
            parser,
            _ExchangeParser.indicators,
            lambda line: (line.respondent, line.action_code, line.position),
            notes,
        )
        if found is not None
        else []
    )
    parser.errors.raise_if_any()

    labels = _labels(meta)
    codes = {a.respondent for a in answers} | {i.respondent for i in indicators} | set(labels)
    return fmt.ExchangeWorkbook(
        plan=plan,
        campaign_id=meta.get(fmt.META_CAMPAIGN_ID, ""),
        campaign_title=meta.get(fmt.META_CAMPAIGN_TITLE, ""),
        campaign_period=meta.get(fmt.META_CAMPAIGN_PERIOD, ""),
        previous_campaign_id=meta.get(fmt.META_PREVIOUS_CAMPAIGN_ID, ""),
        campaign_due=_due_date(meta.get(fmt.META_CAMPAIGN_DUE, "")),
        expected=_expected(meta.get(fmt.META_CAMPAIGN_EXPECTED, "")),
        return_address=_return_address(meta.get(fmt.META_RETURN_ADDRESS, "")),
        kind=meta.get(fmt.META_KIND, fmt.KIND_ANSWERS),
        exported_at=exported_at,
        app_version=meta.get(fmt.META_APP_VERSION, ""),
        respondents=tuple(
            fmt.RespondentInfo(code, *labels.get(code, ("", ""))) for code in sorted(codes)
        ),
        answers=tuple(answers),
        indicators=tuple(indicators),
        saved_at=saved_at,
        saved_by=saved_by,
        edited_outside=tuple(parser.edited),
        notes=tuple(notes),
    )


def _due_date(text: str) -> date | None:
    """The campaign's due date, or None when the cell is empty or unreadable: it only helps a
    database that learns of the campaign from the file."""
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _return_address(text: str) -> str:
    """The return address, or "" when the cell is empty or holds no address: a file never
    sends answers somewhere that is not an address."""
    try:
        return check_address(text) if text.strip() else ""
    except AddressError:
        return ""


def _expected(text: str) -> tuple[str, ...]:
    """The codes of the expected services; any that is not a code is left out."""
    codes: list[str] = []
    for part in text.split(",")[:MAX_EXPECTED]:
        try:
            code = respondent_code(part)
        except ValueError:
            continue
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def read_exchange_workbook(path: Path, display_name: str | None = None) -> fmt.ExchangeWorkbook:
    return parse_exchange(path, read_workbook_sheets(path, display_name), display_name)
