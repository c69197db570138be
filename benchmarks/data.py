"""Realistic data for the benchmarks: a 100-action plan with indicators, and respondents who
answer it with comments of the length people write."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sradar_desktop.domain.merge import Stamped
from sradar_desktop.domain.plan import Action, Indicator, IndicatorKind, Objective, Plan, Theme
from sradar_desktop.plans.builtin import builtin_plans
from sradar_desktop.workbook import format as fmt
from sradar_desktop.workbook.writer import write_exchange_workbook

STATUSES = ("oui", "oui", "oui", "partiellement", "non", "nc")


def _sentences() -> list[str]:
    """French sentences about the subject: the texts of the built-in plans."""
    texts = [a.text.replace("\n", " ") for plan in builtin_plans() for a in plan.actions()]
    return [t for t in texts if 40 < len(t) < 400]


def make_plan(actions: int = 100) -> Plan:
    """A plan of ``actions`` actions (5 objectives × 4 themes), one in five with indicators."""
    sentences = _sentences()
    per_theme = max(actions // 20, 1)
    objectives = []
    number = 0
    for o in range(1, 6):
        themes = []
        for t in range(1, 5):
            items = []
            for a in range(1, per_theme + 1):
                number += 1
                indicators = (
                    (
                        Indicator("Nombre de projets financés", "projets", IndicatorKind.INTEGER),
                        Indicator("Nombre de bénéficiaires", "personnes", IndicatorKind.INTEGER),
                    )
                    if number % 5 == 0
                    else ()
                )
                items.append(
                    Action(
                        f"{o}.{t}.{a}",
                        sentences[number % len(sentences)],
                        ("DDETS", "DREETS") if number % 3 else ("DDETS",),
                        indicators,
                    )
                )
            themes.append(Theme(f"{o}.{t}", f"Thématique {o}.{t}", tuple(items)))
        objectives.append(Objective(str(o), f"Objectif {o}", tuple(themes)))
    return Plan(
        id="plan-de-mesure",
        title="Plan de mesure des performances",
        short_title="Plan de mesure",
        period="2025",
        region="Région de mesure",
        objectives=tuple(objectives),
    )


def respondent_content(plan: Plan, number: int, seed: int = 0) -> fmt.ExchangeWorkbook:
    """One DDETS's answers to every action: statuses, comments of 0 to 600 characters,
    indicator values."""
    rng = random.Random(seed * 100_003 + number)
    sentences = _sentences()
    code = f"DDETS-{number:03d}"
    start = datetime(2025, 11, 3, 8, 0, tzinfo=UTC) + timedelta(hours=number)
    answers: dict[tuple[str, str], Stamped] = {}
    values: dict[tuple[str, str, int], Stamped] = {}
    for index, action in enumerate(plan.actions()):
        at = start + timedelta(minutes=index)
        words = rng.choice((0, 1, 1, 2, 3))
        comment = " ".join(rng.choice(sentences) for _ in range(words))[:600]
        answers[(code, action.code)] = Stamped((rng.choice(STATUSES), comment), at, "Agent")
        for position in range(len(action.indicators)):
            target = rng.randint(10, 2000)
            achieved = int(target * rng.uniform(0.5, 1.3))
            values[(code, action.code, position)] = Stamped(
                (str(target), str(achieved)), at, "Agent"
            )
    return fmt.build_content(
        plan,
        campaign_id=f"{plan.id}:evaluation",
        campaign_title="Évaluation 2025",
        respondents=[fmt.RespondentInfo(code, f"DDETS n°{number}", "")],
        answers=answers,
        values=values,
        exported_at=start + timedelta(days=1),
        app_version="mesure",
    )


def write_respondent_files(plan: Plan, folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` answer workbooks, as DDETS send them (reused when already there); another
    ``seed``, other answers (another campaign: use another folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = folder / f"DDETS-{number:03d}.xlsx"
        if not path.exists():
            write_exchange_workbook(respondent_content(plan, number, seed), path)
        paths.append(path)
    return paths
