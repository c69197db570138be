"""The exchange workbook: what it holds, independent of how it is written or read.

One format for everything that travels by email (a blank questionnaire, a service's answers, a
consolidation of many services). Visible French sheets ``Lisez-moi``, ``Questionnaire`` (one row
per action × respondent) and ``Indicateurs`` (one row per action × indicator × respondent); a
very hidden ``_sradar`` sheet with the metadata: format version, the whole questionnaire, the
campaign, the respondents, the export time, the app version, and for each answer the time and
author of its last change with a digest of its values (to recognise what was edited outside the
app).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import NamedTuple

from sradar_desktop.domain.merge import Stamped, Value, value_digest
from sradar_desktop.domain.plan import Plan, pilots_include
from sradar_desktop.errors import UserError

FORMAT_NAME = "sradar-echange"
FORMAT_VERSION = 1

SHEET_README = "Lisez-moi"
SHEET_ANSWERS = "Questionnaire"
SHEET_INDICATORS = "Indicateurs"
SHEET_META = "_sradar"
# The consolidated workbook's own sheets (its answers are in « Réponses », one per line).
SHEET_SUMMARY = "Synthèse"
SHEET_LONG = "Réponses"
SHEET_FOLLOW_UP = "Suivi"
SHEET_EVOLUTION = "Évolution"
# Every sheet the app writes: any other sheet of a received workbook is someone's addition (a
# copy of « Questionnaire » filled instead of it, for one).
APP_SHEETS = frozenset(
    {
        SHEET_README,
        SHEET_ANSWERS,
        SHEET_INDICATORS,
        SHEET_META,
        SHEET_SUMMARY,
        SHEET_LONG,
        SHEET_FOLLOW_UP,
        SHEET_EVOLUTION,
    }
)

# Column headers; the reader finds columns by these names, in any order.
COL_CODE = "Code"
COL_OBJECTIVE = "Objectif"
COL_THEME = "Thématique"
COL_ACTION = "Action"
COL_PILOTS = "Pilotes"
COL_RESPONDENT = "Répondant"
COL_RESPONDENT_LABEL = "Libellé du répondant"
COL_STATUS = "Réalisation"
COL_COMMENT = "Commentaire"
COL_INDICATOR = "Indicateur"
COL_UNIT = "Unité"
COL_TARGET = "Valeur cible"
COL_ACHIEVED = "Valeur réalisée"
# Campaigns created from a previous one (format 1, compatible: readers ignore columns they do
# not know, and these are written only then): what the respondent said last time, read-only,
# and whether an answer carried forward is still to be confirmed (« oui ») or not (empty).
COL_PREVIOUS_STATUS = "Réalisation précédente"
COL_PREVIOUS_COMMENT = "Commentaire précédent"
COL_TO_CONFIRM = "Reprise à confirmer"
TO_CONFIRM_MARK = "oui"

ANSWER_COLUMNS = (
    COL_CODE,
    COL_OBJECTIVE,
    COL_THEME,
    COL_ACTION,
    COL_PILOTS,
    COL_RESPONDENT,
    COL_STATUS,
    COL_COMMENT,
)
INDICATOR_COLUMNS = (
    COL_CODE,
    COL_ACTION,
    COL_INDICATOR,
    COL_UNIT,
    COL_RESPONDENT,
    COL_TARGET,
    COL_ACHIEVED,
)

# The consolidated workbook adds a total row per indicator, whose respondent cell says this.
TOTAL_LABEL = "Total"

KIND_BLANK = "vierge"
KIND_ANSWERS = "reponses"
KIND_CONSOLIDATION = "consolidation"


def content_kind(respondents: int) -> str:
    """The kind of a workbook of answers: one respondent's, or a consolidation of several."""
    return KIND_ANSWERS if respondents == 1 else KIND_CONSOLIDATION


# Metadata keys of the _sradar sheet (column A), values in column B.
META_FORMAT = "format"
META_FORMAT_VERSION = "version_format"
META_APP_VERSION = "version_application"
META_KIND = "nature"
META_EXPORTED_AT = "exporte_le"
META_QUESTIONNAIRE_ID = "questionnaire_id"
META_QUESTIONNAIRE_DIGEST = "questionnaire_empreinte"
META_QUESTIONNAIRE_TITLE = "questionnaire_titre"
META_CAMPAIGN_ID = "campagne_id"
META_CAMPAIGN_TITLE = "campagne_titre"
META_CAMPAIGN_PERIOD = "campagne_periode"
META_PREVIOUS_CAMPAIGN_ID = "campagne_precedente_id"
# The campaign's due date (ISO 8601, "" when none) and its expected services (codes separated by
# commas): a database that learns of the campaign from the file creates it with them.
META_CAMPAIGN_DUE = "campagne_date_limite"
META_CAMPAIGN_EXPECTED = "campagne_attendus"
# Where the answers go: the secretariat's email address ("" when none is known). The agent's
# program learns it from the blank, and addresses its answers there.
META_RETURN_ADDRESS = "campagne_adresse_retour"
META_RESPONDENTS = "repondants"
META_ANSWERS_DIGEST = "reponses_empreinte"
META_ANSWERS_SHEET = "feuille_reponses"
META_INDICATORS_SHEET = "feuille_indicateurs"
META_PLAN = "plan"  # the plan as JSON, split over plan.1, plan.2… (a cell holds 32,767 chars)
# Per answer, the time and author of its last change and the digest of its values: JSON lines
# split over horodatage.1, horodatage.2…
META_STAMPS = "horodatage"

PLAN_CHUNK = 30_000
# A cell holds at most 32,767 characters: longer comments cannot travel in a workbook.
MAX_CELL_TEXT = 32_000


@dataclass(frozen=True)
class RespondentInfo:
    code: str
    label: str = ""
    department: str = ""


class AnswerLine(NamedTuple):
    """One row of the ``Questionnaire`` sheet; ``at`` is ``None`` for an answer never given.

    A named tuple: a consolidation holds a hundred thousand of them.
    """

    respondent: str
    action_code: str
    status: str | None = None
    comment: str = ""
    at: datetime | None = None
    by: str = ""
    # Carried forward from the previous campaign and not confirmed yet.
    to_confirm: bool = False

    @property
    def value(self) -> Value:
        return (self.status, self.comment)


class IndicatorLine(NamedTuple):
    """One row of the ``Indicateurs`` sheet (``position``: the indicator's rank in its action)."""

    respondent: str
    action_code: str
    position: int
    target: str | None = None
    achieved: str | None = None
    at: datetime | None = None
    by: str = ""

    @property
    def value(self) -> Value:
        return (self.target, self.achieved)


@dataclass(frozen=True)
class Incoming:
    """What a received file brings, whatever its form (an exchange workbook or a plan table):
    what an import applies to the database."""

    kind: str
    plan: Plan
    campaign_id: str
    campaign_title: str
    exported_at: datetime
    respondents: tuple[RespondentInfo, ...]
    answers: Sequence[AnswerLine]
    indicators: Sequence[IndicatorLine]
    edited_outside: int = 0
    # Rows of a workbook of a previous plan version with no action in the current one.
    unplaced: tuple[str, ...] = ()
    # What a workbook says of its campaign, to create it when this database does not know it.
    campaign_period: str = ""
    previous_campaign_id: str = ""
    campaign_due: date | None = None
    expected: tuple[str, ...] = ()
    # What was read otherwise than expected, to tell the user (see ``ExchangeWorkbook.notes``).
    notes: tuple[str, ...] = ()
    return_address: str = ""


@dataclass(frozen=True)
class ExchangeWorkbook:
    plan: Plan
    campaign_id: str
    campaign_title: str
    kind: str
    exported_at: datetime
    app_version: str
    respondents: tuple[RespondentInfo, ...]
    # Tuples, or rows read again from the merged answers kept on disk (``StoredLines``).
    answers: Sequence[AnswerLine]
    indicators: Sequence[IndicatorLine] = ()
    campaign_period: str = ""
    # The campaign this one was created from ("" for a first one), and by (respondent, action
    # code) what was answered there (status, comment): shown beside the cells to fill.
    previous_campaign_id: str = ""
    previous: Mapping[tuple[str, str], tuple[str | None, str]] = field(default_factory=dict)
    # The campaign's due date and the codes of its expected services.
    campaign_due: date | None = None
    expected: tuple[str, ...] = ()
    # Where to send the answers ("" when not known).
    return_address: str = ""
    # Set by the reader only:
    saved_at: datetime | None = None
    saved_by: str = ""
    edited_outside: tuple[tuple[str, str, int | None], ...] = field(default=())
    # What the reader had to do to find the answers (a copy of the sheet read instead of it).
    notes: tuple[str, ...] = ()


def stamp_key(respondent: str, action_code: str, position: int | None) -> str:
    return f"{respondent}\x1f{action_code}\x1f{'' if position is None else position}"


def answers_digest(workbook: ExchangeWorkbook) -> str:
    """A digest of every answer and indicator value, to tell whether a file was edited: of
    their parts (``stamp_key`` and value digest) sorted, then joined by new lines."""
    digests = Digests(workbook)
    for _ in digests.lines():
        pass
    return digests.answers()


class Digests:
    """Each answer and indicator value with its digest (``value_digest``), and the answers'
    digest (``answers_digest``) made from the same: a value is digested once. ``lines()`` gives
    them respondent after respondent (its answers, then its indicators) when the rows come so,
    as SRADAR Desktop writes them, without holding them all (a consolidation has a hundred
    thousand); in their order otherwise, all of them sorted at once. ``answers()`` once they
    have all been given."""

    def __init__(self, workbook: ExchangeWorkbook) -> None:
        self.workbook = workbook
        self._answers: str | None = None

    def lines(self) -> Iterator[tuple[AnswerLine | IndicatorLine, str]]:
        workbook = self.workbook
        groups: Iterable[tuple[Iterable[AnswerLine], Iterable[IndicatorLine]]] = (
            _respondents(workbook)
            if _grouped(workbook)
            else [(workbook.answers, workbook.indicators)]
        )
        digest = _Digest()
        for answers, indicators in groups:
            own: list[tuple[AnswerLine | IndicatorLine, str]] = [
                (line, value_digest(line.value)) for line in _both(answers, indicators)
            ]
            yield from own
            digest.update(sorted(_part(line, value) for line, value in own))
        self._answers = digest.hexdigest()

    def answers(self) -> str:
        assert self._answers is not None, "lines() not given to the end"
        return self._answers


def _both(
    answers: Iterable[AnswerLine], indicators: Iterable[IndicatorLine]
) -> Iterator[AnswerLine | IndicatorLine]:
    yield from answers
    yield from indicators


def _part(line: AnswerLine | IndicatorLine, digest: str) -> str:
    """What the answers' digest sorts, for a value: its ``stamp_key`` and its digest."""
    position = line.position if isinstance(line, IndicatorLine) else None
    return stamp_key(line.respondent, line.action_code, position) + digest


def _grouped(workbook: ExchangeWorkbook) -> bool:
    """Whether the answers, and the indicator values, come respondent after respondent in the
    order of their codes: the sorted parts are then each respondent's sorted in turn, a
    respondent's code having no character that sorts before the separator of a part's fields."""
    for lines in (workbook.answers, workbook.indicators):
        previous = None
        for respondent, _ in groupby(lines, key=lambda line: line.respondent):
            if (previous is not None and respondent <= previous) or min(
                respondent, default=" "
            ) < " ":
                return False
            previous = respondent
    return True


def _respondents(
    workbook: ExchangeWorkbook,
) -> Iterator[tuple[list[AnswerLine], list[IndicatorLine]]]:
    """Each respondent's answers and indicator values, in turn (see ``_grouped``)."""
    answers = groupby(workbook.answers, key=lambda line: line.respondent)
    indicators = groupby(workbook.indicators, key=lambda line: line.respondent)
    next_answers, next_indicators = next(answers, None), next(indicators, None)
    while next_answers is not None or next_indicators is not None:
        respondent = min(group[0] for group in (next_answers, next_indicators) if group)
        own_answers: list[AnswerLine] = []
        own_indicators: list[IndicatorLine] = []
        if next_answers is not None and next_answers[0] == respondent:
            own_answers = list(next_answers[1])
            next_answers = next(answers, None)
        if next_indicators is not None and next_indicators[0] == respondent:
            own_indicators = list(next_indicators[1])
            next_indicators = next(indicators, None)
        yield own_answers, own_indicators


class _Digest:
    """The digest of parts joined by new lines, fed a block at a time (never all joined in one
    text)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._block: list[str] = []
        self._started = False

    def update(self, parts: Iterable[str]) -> None:
        for part in parts:
            self._block.append(part)
            if len(self._block) == _DIGEST_BLOCK:
                self._flush()

    def _flush(self) -> None:
        if self._block:
            text = "\n".join(self._block)
            self._hash.update((text if not self._started else "\n" + text).encode())
            self._started, self._block = True, []

    def hexdigest(self) -> str:
        self._flush()
        return self._hash.hexdigest()


_DIGEST_BLOCK = 4096


def build_content(
    plan: Plan,
    *,
    campaign_id: str,
    campaign_title: str,
    respondents: Sequence[RespondentInfo],
    answers: Mapping[tuple[str, str], Stamped],
    values: Mapping[tuple[str, str, int], Stamped],
    exported_at: datetime,
    app_version: str,
    all_actions: bool = False,
    blank: bool = False,
    strict_respondent: bool = False,
    to_confirm: Set[tuple[str, str]] = frozenset(),
    campaign_period: str = "",
    previous_campaign_id: str = "",
    previous: Mapping[tuple[str, str], tuple[str | None, str]] | None = None,
    campaign_due: date | None = None,
    expected: Sequence[str] = (),
    return_address: str = "",
) -> ExchangeWorkbook:
    """What a workbook holds: for each respondent, the actions its service pilots and those it
    answered (every action with ``all_actions``), with their answers and stamps.

    ``strict_respondent`` refuses a respondent left without any action (a blank workbook for a
    service that pilots nothing would be empty). ``to_confirm``: the (respondent, action code)
    of answers carried forward and not confirmed yet.
    """
    answer_lines: list[AnswerLine] = []
    indicator_lines: list[IndicatorLine] = []
    for respondent in respondents:
        lines = respondent_lines(
            plan,
            respondent.code,
            answers,
            values,
            all_actions=all_actions,
            blank=blank,
            to_confirm=to_confirm,
        )
        if lines is None and strict_respondent:
            raise UserError(
                f"Aucune action du questionnaire n'est pilotée par {respondent.code} et il n'a "
                "encore rien répondu : envoyez-lui toutes les actions (option --all en ligne de "
                "commande)."
            )
        if lines is not None:
            answer_lines += lines[0]
            indicator_lines += lines[1]
    kind = KIND_BLANK if blank else content_kind(len(respondents))
    return ExchangeWorkbook(
        plan=plan,
        campaign_id=campaign_id,
        campaign_title=campaign_title,
        kind=kind,
        exported_at=exported_at,
        app_version=app_version,
        respondents=tuple(respondents),
        answers=tuple(answer_lines),
        indicators=tuple(indicator_lines),
        campaign_period=campaign_period,
        previous_campaign_id=previous_campaign_id,
        campaign_due=campaign_due,
        expected=tuple(expected),
        previous=previous or {},
        return_address=return_address,
    )


def respondent_lines(
    plan: Plan,
    code: str,
    answers: Mapping[tuple[str, str], Stamped],
    values: Mapping[tuple[str, str, int], Stamped],
    *,
    all_actions: bool = False,
    blank: bool = False,
    to_confirm: Set[tuple[str, str]] = frozenset(),
) -> tuple[list[AnswerLine], list[IndicatorLine]] | None:
    """One respondent's rows of a workbook (see ``build_content``), in the plan's order; ``None``
    when it is left without any action."""
    chosen = [
        action
        for action in plan.actions()
        if all_actions
        or pilots_include(action.pilots, code)
        or (code, action.code) in answers
        or any((code, action.code, p) in values for p in range(len(action.indicators)))
    ]
    if not chosen:
        return None
    answer_lines: list[AnswerLine] = []
    indicator_lines: list[IndicatorLine] = []
    for action in chosen:
        answer = None if blank else answers.get((code, action.code))
        if answer is None:
            answer_lines.append(AnswerLine(code, action.code))
        else:
            status, comment = answer.value  # an answer's value: (status, comment)
            answer_lines.append(
                AnswerLine(
                    code,
                    action.code,
                    status,
                    comment or "",
                    answer.at,
                    answer.by,
                    (code, action.code) in to_confirm,
                )
            )
        for position in range(len(action.indicators)):
            value = None if blank else values.get((code, action.code, position))
            if value is None:
                indicator_lines.append(IndicatorLine(code, action.code, position))
                continue
            target, achieved = value.value  # an indicator's value: (target, achieved)
            indicator_lines.append(
                IndicatorLine(code, action.code, position, target, achieved, value.at, value.by)
            )
    return answer_lines, indicator_lines
