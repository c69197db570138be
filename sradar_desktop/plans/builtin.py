"""The built-in plans, kept as reviewable TOML text in ``resources/plans/``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sradar_desktop.domain.plan import Plan, plan_from_mapping, validate_plan
from sradar_desktop.paths import resources_dir


def plans_dir() -> Path:
    return resources_dir() / "plans"


def load_plan_file(path: Path) -> Plan:
    with path.open("rb") as handle:
        plan = plan_from_mapping(tomllib.load(handle))
    problems = validate_plan(plan)
    if not plan.id:
        problems.append("le plan n'a pas d'identifiant (clé id)")
    if problems:
        raise ValueError(f"{path.name} : " + " ; ".join(problems))
    return plan


def builtin_plan_ids() -> list[str]:
    """The ids of the built-in plans, from their file names (each file is named after its
    plan's id), without reading them."""
    return [path.stem for path in sorted(plans_dir().glob("*.toml"))]


def builtin_plans() -> list[Plan]:
    """Every built-in plan, in file-name order."""
    return [load_plan_file(path) for path in sorted(plans_dir().glob("*.toml"))]
