"""An action plan as plain data: objectives → themes → actions, with pilots and indicators."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sradar_desktop.domain.scale import DEFAULT_SCALE, Scale, scale_level


class IndicatorKind(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENTAGE = "percentage"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {
            IndicatorKind.INTEGER: "nombre entier",
            IndicatorKind.DECIMAL: "nombre décimal",
            IndicatorKind.PERCENTAGE: "pourcentage",
            IndicatorKind.TEXT: "texte",
        }[self]


@dataclass(frozen=True)
class Indicator:
    label: str
    unit: str = ""
    kind: IndicatorKind = IndicatorKind.INTEGER


@dataclass(frozen=True)
class Action:
    code: str
    text: str
    pilots: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Theme:
    code: str
    title: str
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Objective:
    code: str
    title: str
    themes: tuple[Theme, ...] = ()


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    objectives: tuple[Objective, ...]
    short_title: str = ""
    period: str = ""
    region: str = ""
    description: str = ""
    source: str = ""
    scale: Scale = field(default=DEFAULT_SCALE)

    @property
    def display_title(self) -> str:
        return self.short_title or self.title

    def themes(self) -> list[Theme]:
        return [theme for objective in self.objectives for theme in objective.themes]

    def actions(self) -> list[Action]:
        return [action for theme in self.themes() for action in theme.actions]

    def indicator_kinds(self) -> dict[tuple[str, int], IndicatorKind]:
        """The kind of each indicator, by (action code, position in its action)."""
        return {
            (action.code, position): indicator.kind
            for action in self.actions()
            for position, indicator in enumerate(action.indicators)
        }

    def counts(self) -> tuple[int, int, int]:
        """Numbers of objectives, themes and actions."""
        return len(self.objectives), len(self.themes()), len(self.actions())

    @functools.cached_property
    def _digest(self) -> str:
        return self._compute_digest()

    def digest(self) -> str:
        """A version digest of the plan's content (not of its id or wording of the metadata)."""
        return self._digest

    def _compute_digest(self) -> str:
        content = {
            "scale": [[lvl.code, lvl.label] for lvl in self.scale.levels],
            "objectives": [
                [
                    o.code,
                    o.title,
                    [
                        [
                            t.code,
                            t.title,
                            [
                                [
                                    a.code,
                                    a.text,
                                    list(a.pilots),
                                    [[i.label, i.unit, str(i.kind)] for i in a.indicators],
                                ]
                                for a in t.actions
                            ],
                        ]
                        for t in o.themes
                    ],
                ]
                for o in self.objectives
            ],
        }
        encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
        return hashlib.sha256(encoded).hexdigest()


# Column sizes of the database (the same limits on SQLite and PostgreSQL).
MAX_CODE = 32
MAX_PILOT = 100
MAX_UNIT = 100


def validate_plan(plan: Plan) -> list[str]:
    """French descriptions of what makes a plan unusable (empty list when it is fine)."""
    problems: list[str] = []
    if not plan.title.strip():
        problems.append("le plan n'a pas de titre")
    if not plan.actions():
        problems.append("le plan ne contient aucune action")
    codes = [o.code for o in plan.objectives] + [t.code for t in plan.themes()]
    seen: set[str] = set()
    for action in plan.actions():
        if action.code in seen:
            problems.append(f"le code d'action {action.code} est utilisé deux fois")
        seen.add(action.code)
        codes.append(action.code)
        if not action.text.strip():
            problems.append(f"l'action {action.code} n'a pas de texte")
        for pilot in action.pilots:
            if len(pilot) > MAX_PILOT:
                problems.append(
                    f"l'action {action.code} a un pilote de plus de {MAX_PILOT} caractères"
                )
        for indicator in action.indicators:
            if len(indicator.unit) > MAX_UNIT:
                problems.append(
                    f"un indicateur de l'action {action.code} a une unité de plus de "
                    f"{MAX_UNIT} caractères"
                )
    for code in codes:
        if len(code) > MAX_CODE:
            problems.append(f"le code « {code[:20]}… » dépasse {MAX_CODE} caractères")
    return problems


def _text(table: dict[str, Any], key: str) -> str:
    return str(table.get(key, "")).strip()


def plan_from_mapping(data: dict[str, Any]) -> Plan:
    """A plan from its text layout (built-in TOML files, workbook metadata).

    Codes not written are numbered by position; a missing scale is the default one.
    """
    objectives = []
    for o_index, o_data in enumerate(data.get("objectives", []), start=1):
        o_code = _text(o_data, "code") or str(o_index)
        themes = []
        for t_index, t_data in enumerate(o_data.get("themes", []), start=1):
            t_code = _text(t_data, "code") or f"{o_code}.{t_index}"
            actions = []
            for a_index, a_data in enumerate(t_data.get("actions", []), start=1):
                indicators = tuple(
                    Indicator(
                        label=_text(i_data, "label"),
                        unit=_text(i_data, "unit"),
                        kind=IndicatorKind(i_data.get("kind", "integer")),
                    )
                    for i_data in a_data.get("indicators", [])
                )
                actions.append(
                    Action(
                        code=_text(a_data, "code") or f"{t_code}.{a_index}",
                        text=_text(a_data, "text"),
                        pilots=tuple(str(p).strip() for p in a_data.get("pilots", [])),
                        indicators=indicators,
                    )
                )
            themes.append(Theme(t_code, _text(t_data, "title"), tuple(actions)))
        objectives.append(Objective(o_code, _text(o_data, "title"), tuple(themes)))
    scale = DEFAULT_SCALE
    if data.get("scale"):
        scale = Scale(
            tuple(
                scale_level(
                    _text(level, "code"),
                    _text(level, "label"),
                    _text(level, "color"),
                    _text(level, "description"),
                )
                for level in data["scale"]
            )
        )
    return Plan(
        id=_text(data, "id"),
        title=_text(data, "title"),
        short_title=_text(data, "short_title"),
        period=_text(data, "period"),
        region=_text(data, "region"),
        description=_text(data, "description"),
        source=_text(data, "source"),
        objectives=tuple(objectives),
        scale=scale,
    )


def plan_to_mapping(plan: Plan) -> dict[str, Any]:
    """The inverse of ``plan_from_mapping``: plain dicts and lists, ready for JSON or TOML."""
    return {
        "id": plan.id,
        "title": plan.title,
        "short_title": plan.short_title,
        "period": plan.period,
        "region": plan.region,
        "description": plan.description,
        "source": plan.source,
        "scale": [
            {
                "code": lvl.code,
                "label": lvl.label,
                "color": lvl.color,
                "description": lvl.description,
            }
            for lvl in plan.scale.levels
        ],
        "objectives": [
            {
                "code": o.code,
                "title": o.title,
                "themes": [
                    {
                        "code": t.code,
                        "title": t.title,
                        "actions": [
                            {
                                "code": a.code,
                                "text": a.text,
                                "pilots": list(a.pilots),
                                "indicators": [
                                    {"label": i.label, "unit": i.unit, "kind": str(i.kind)}
                                    for i in a.indicators
                                ],
                            }
                            for a in t.actions
                        ],
                    }
                    for t in o.themes
                ],
            }
            for o in plan.objectives
        ],
    }


# Other names of the same kind of service, as they appear in codes and plans.
PILOT_ALIASES = {
    "ddetspp": "ddets",  # with the protection of populations: the DDETS of its département
    "ddcs": "ddets",
    "ddcspp": "ddets",
    "pref": "prefecture",
    "direccte": "dreets",
    "drjscs": "dreets",
    "pole emploi": "france travail",
}


def default_campaign_id(questionnaire_id: str) -> str:
    """The campaign every questionnaire starts with; the same id on every workstation, so that
    answers about the same plan meet when their workbooks are merged."""
    return f"{questionnaire_id}:evaluation"


def default_campaign_title(plan: Plan) -> str:
    return f"Évaluation {plan.period}" if plan.period else "Évaluation"


def service_of(respondent_code: str) -> str:
    """``DDETS-44`` → ``DDETS``, ``FRANCE-TRAVAIL-44`` → ``FRANCE-TRAVAIL``: the kind of service
    a respondent is (its code without the territory that ends it)."""
    return respondent_code.rsplit("-", 1)[0] if "-" in respondent_code else respondent_code


@functools.lru_cache(maxsize=4096)
def pilots_include(pilots: tuple[str, ...], respondent_code: str) -> bool:
    """Whether an action piloted by ``pilots`` is one that ``respondent_code`` answers.

    A pilot names a kind of service (``DDETS``, ``France Travail``: every one of them) or one
    service (``DDETS-44``). Case, accents, spaces and hyphens do not matter.

    Asked for every action of every respondent (a hundred thousand times in a large
    consolidation), of a few dozen different ``pilots``: each answer is kept.
    """
    wanted = {_pilot_key(respondent_code), _pilot_key(service_of(respondent_code))}
    return any(_pilot_key(pilot) in wanted for pilot in pilots)


@functools.lru_cache(maxsize=4096)
def _pilot_key(text: str) -> str:
    """A pilot or a service as pilots are compared (a plan names a few dozen of them)."""
    from sradar_desktop.domain.text import fold

    folded = fold(text.replace("-", " "))
    return PILOT_ALIASES.get(folded, folded)
