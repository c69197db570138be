"""An action plan as plain data: objectives → themes → actions, with pilots and indicators."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from sradar_desktop.domain.scale import DEFAULT_SCALE, Scale


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

    def counts(self) -> tuple[int, int, int]:
        """Numbers of objectives, themes and actions."""
        return len(self.objectives), len(self.themes()), len(self.actions())

    def digest(self) -> str:
        """A version digest of the plan's content (not of its id or wording of the metadata)."""
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


def validate_plan(plan: Plan) -> list[str]:
    """French descriptions of what makes a plan unusable (empty list when it is fine)."""
    problems: list[str] = []
    if not plan.title.strip():
        problems.append("le plan n'a pas de titre")
    if not plan.actions():
        problems.append("le plan ne contient aucune action")
    seen: set[str] = set()
    for action in plan.actions():
        if action.code in seen:
            problems.append(f"le code d'action {action.code} est utilisé deux fois")
        seen.add(action.code)
        if not action.text.strip():
            problems.append(f"l'action {action.code} n'a pas de texte")
    return problems
