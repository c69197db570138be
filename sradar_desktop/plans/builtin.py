"""The built-in plans, kept as reviewable TOML text in ``resources/plans/``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sradar_desktop.domain.plan import (
    Action,
    Indicator,
    IndicatorKind,
    Objective,
    Plan,
    Theme,
    validate_plan,
)
from sradar_desktop.paths import resources_dir


def plans_dir() -> Path:
    return resources_dir() / "plans"


def _text(table: dict[str, Any], key: str) -> str:
    return str(table.get(key, "")).strip()


def plan_from_mapping(data: dict[str, Any]) -> Plan:
    """A plan from the TOML layout; codes not written are numbered by position."""
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
    return Plan(
        id=_text(data, "id"),
        title=_text(data, "title"),
        short_title=_text(data, "short_title"),
        period=_text(data, "period"),
        region=_text(data, "region"),
        description=_text(data, "description"),
        source=_text(data, "source"),
        objectives=tuple(objectives),
    )


def load_plan_file(path: Path) -> Plan:
    with path.open("rb") as handle:
        plan = plan_from_mapping(tomllib.load(handle))
    problems = validate_plan(plan)
    if not plan.id:
        problems.append("le plan n'a pas d'identifiant (clé id)")
    if problems:
        raise ValueError(f"{path.name} : " + " ; ".join(problems))
    return plan


def builtin_plans() -> list[Plan]:
    """Every built-in plan, in file-name order."""
    return [load_plan_file(path) for path in sorted(plans_dir().glob("*.toml"))]
