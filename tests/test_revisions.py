"""Plan revisions: the proposed matching, its correction, and what follows from a confirmed one
(answers carried forward, workbooks of the previous version imported into the revised plan)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_000
from sqlalchemy import select

from sradar_desktop.db.models import ActionRow, Answer, IndicatorRow, Questionnaire
from sradar_desktop.domain.plan import Plan, plan_from_mapping, plan_to_mapping
from sradar_desktop.domain.revision import (
    Link,
    LinkKind,
    Matching,
    matching_problems,
    propose_matching,
    replace_link,
)
from sradar_desktop.errors import UserError
from sradar_desktop.plans.builtin import builtin_plans
from sradar_desktop.services.answers import AnswerService, read_answers
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.imports import import_file, preview_import
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.revisions import (
    apply_revision,
    archived_campaigns,
    carried_action_map,
    carried_action_rows,
    carried_indicator_rows,
    preview_revision,
)
from sradar_desktop.workbook.reader import read_exchange_workbook
from tests.exchange_support import ROAD_MAP, SRADAR, answer, state

SPLIT_FIRST = "Recenser les places dédiées au public vulnérable et évaluer leur fonctionnement"
SPLIT_SECOND = (
    "Réaliser une cartographie des places d’hébergement asile afin d’obtenir une vue d’ensemble "
    "de la répartition des différents statuts (demandeurs d’asile/ Dublin) et des types de "
    "publics hébergés (familles/personnes isolées) dans chaque département"
)
NEW_1 = "Former les agents d'accueil à la lutte contre les discriminations"
NEW_2 = "Publier chaque année un bilan régional des mises à l'abri hivernales"


def sradar_plan() -> Plan:
    return next(p for p in builtin_plans() if p.id == SRADAR)


def revised_plan() -> Plan:
    """Seed 000's plan, revised: three actions renumbered (one moved to another theme), two
    reworded, one removed, two added, one split in two."""
    data = plan_to_mapping(sradar_plan())
    themes = {t["code"]: t for o in data["objectives"] for t in o["themes"]}
    actions = {a["code"]: a for t in themes.values() for a in t["actions"]}
    actions["2.3.6"]["code"] = "2.3.8"
    actions["2.3.7"]["code"] = "2.3.9"
    moved = actions["3.1.4"]
    themes["3.1"]["actions"].remove(moved)
    themes["3.2"]["actions"].append({**moved, "code": "3.2.3"})
    actions["1.1.1"]["text"] = "Inscrire toutes les capacités d’hébergement dans le DN@"
    actions["1.3.2"]["text"] = "Poursuivre et renforcer les échanges de données entre SIAO et OFII"
    themes["1.1"]["actions"].remove(actions["1.1.2"])
    themes["1.1"]["actions"].append({"code": "1.1.4", "text": NEW_1, "pilots": ["DDETS"]})
    themes["4.3"]["actions"].append({"code": "4.3.3", "text": NEW_2, "pilots": ["DREETS"]})
    split = actions["1.2.3"]
    position = themes["1.2"]["actions"].index(split)
    themes["1.2"]["actions"][position : position + 1] = [
        {**split, "code": "1.2.3", "text": SPLIT_FIRST},
        {**split, "code": "1.2.4", "text": SPLIT_SECOND},
    ]
    return plan_from_mapping(data)


# The matching the revision must give (kind, old codes, new codes), besides ``SAME``.
EXPECTED_CHANGES = {
    (LinkKind.RENUMBERED, ("2.3.6",), ("2.3.8",)),
    (LinkKind.RENUMBERED, ("2.3.7",), ("2.3.9",)),
    (LinkKind.RENUMBERED, ("3.1.4",), ("3.2.3",)),
    (LinkKind.REWORDED, ("1.1.1",), ("1.1.1",)),
    (LinkKind.REWORDED, ("1.3.2",), ("1.3.2",)),
    (LinkKind.REMOVED, ("1.1.2",), ()),
    (LinkKind.NEW, (), ("1.1.4",)),
    (LinkKind.NEW, (), ("4.3.3",)),
    (LinkKind.SPLIT, ("1.2.3",), ("1.2.3", "1.2.4")),
}


def changes(matching: Matching) -> set[tuple]:
    return {
        (link.kind, link.old, link.new) for link in matching.links if link.kind != LinkKind.SAME
    }


def test_the_proposed_matching_finds_every_kind_of_change():
    old, new = sradar_plan(), revised_plan()
    matching = propose_matching(old, new)
    assert changes(matching) == EXPECTED_CHANGES
    same = [link for link in matching.links if link.kind == LinkKind.SAME]
    assert len(same) == 71 - 7 and all(link.old == link.new for link in same)
    confidence = {link.old or link.new: link.confidence for link in matching.links}
    assert confidence[("2.3.6",)] == 1.0  # the same text under another code
    assert 0.6 <= confidence[("1.1.1",)] < 1 and 0.6 <= confidence[("1.2.3",)] <= 1
    # In the new plan's order, removed actions last.
    assert matching.links[0].new == ("1.1.1",) and matching.links[-1].old == ("1.1.2",)
    assert not matching_problems(matching, old, new)
    assert propose_matching(old, new) == matching  # deterministic


def test_merged_actions_are_found_the_other_way_round():
    matching = propose_matching(revised_plan(), sradar_plan())
    assert (LinkKind.MERGED, ("1.2.3", "1.2.4"), ("1.2.3",)) in changes(matching)
    assert (LinkKind.NEW, (), ("1.1.2",)) in changes(matching)


def test_a_user_corrects_the_matching_and_it_is_checked_again():
    old, new = sradar_plan(), revised_plan()
    proposed = propose_matching(old, new)
    # The new 1.1.4 continues the removed 1.1.2: one link replaces two.
    corrected = replace_link(proposed, old, new, ["1.1.2"], ["1.1.4"])
    assert (LinkKind.RENUMBERED, ("1.1.2",), ("1.1.4",)) in changes(corrected)
    assert len(corrected.links) == len(proposed.links) - 1
    assert not matching_problems(corrected, old, new)
    # 1.2.3 was split: saying it only became 1.2.3 leaves 1.2.4 new.
    narrowed = replace_link(corrected, old, new, ["1.2.3"], ["1.2.3"])
    assert {
        (LinkKind.REWORDED, ("1.2.3",), ("1.2.3",)),
        (LinkKind.NEW, (), ("1.2.4",)),
    } <= changes(narrowed)
    assert not matching_problems(narrowed, old, new)
    with pytest.raises(ValueError, match=r"1\.9\.9 n'existe pas dans le plan révisé"):
        replace_link(proposed, old, new, ["1.1.2"], ["1.9.9"])
    # A matching edited by hand: an action forgotten, another given two origins.
    broken = Matching(
        (
            *(link for link in proposed.links if link.new != ("4.3.3",)),
            Link(LinkKind.RENUMBERED, ("1.1.2", "1.1.3"), ("1.1.4",)),
        )
    )
    problems = matching_problems(broken, old, new)
    assert "l'action 4.3.3 du plan révisé n'a aucun lien" in problems
    assert "l'action 1.1.4 a plusieurs origines sans être une fusion" in problems
    assert "l'action 1.1.3 de la version précédente figure dans 2 liens" in problems


OLD_ANSWERS = {
    "1.1.1": ("oui", "inscrites"),
    "1.1.2": ("non", "didacticiel abandonné"),
    "1.2.3": ("partiellement", "recensement fait"),
    "2.3.6": ("oui", "carnet diffusé"),
    "3.1.4": ("non", ""),
    "4.1.1": ("nc", ""),
}


def test_a_workbook_of_the_previous_version_imports_into_the_revised_plan(db, tmp_path: Path):
    from sradar_desktop.services.opening import open_database

    # An agent answers on their own workstation, with the plan as it was.
    agent = open_database(tmp_path / "agent.sqlite3")
    try:
        answer(agent, "DDETS-44", OLD_ANSWERS)
        workbook = tmp_path / "ddets-44.xlsx"
        export_workbook(agent, workbook, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    finally:
        agent.close()
    # Meanwhile the secretariat revises the plan, with answers of another service in it.
    answer(db, "DDETS-59", {"1.1.2": ("oui", ""), "1.2.3": ("non", ""), "2.3.6": ("oui", "")})
    with db.read() as session:
        rows_before = dict(
            session.execute(
                select(ActionRow.code, ActionRow.id).where(ActionRow.questionnaire_id == SRADAR)
            ).all()
        )
    preview = preview_revision(db, SRADAR, revised_plan())
    assert changes(preview.matching) == EXPECTED_CHANGES
    summary = apply_revision(db, preview, actor="Secrétariat", file_name="plan-2024.xlsx")
    assert summary.startswith("Révision enregistrée du questionnaire sradar-2021-2023 : ")
    assert load_plan(db, SRADAR).digest() == revised_plan().digest() != sradar_plan().digest()

    campaign = default_campaign_id(SRADAR)
    # Actions linked one to one keep their answers, under their new codes.
    assert {
        key: value
        for key, value in state(db, with_stamps=False)["answers"].items()
        if key[0] == campaign
    } == {(campaign, "DDETS-59", "2.3.8"): ("oui", "")}
    expected_map = {
        a.code: [a.code]
        for a in sradar_plan().actions()
        if a.code not in {"1.1.2", "1.2.3", "2.3.6", "2.3.7", "3.1.4"}
    } | {"1.2.3": ["1.2.3", "1.2.4"], "2.3.6": ["2.3.8"], "2.3.7": ["2.3.9"], "3.1.4": ["3.2.3"]}
    assert carried_action_map(db, SRADAR) == expected_map
    with db.read() as session:
        rows_after = dict(
            session.execute(
                select(ActionRow.code, ActionRow.id).where(ActionRow.questionnaire_id == SRADAR)
            ).all()
        )
        carried = carried_action_rows(session, SRADAR)
        (aside,) = archived_campaigns(session, campaign)
        answered = {
            campaign_id: sorted(
                session.scalars(select(Answer.action_id).where(Answer.campaign_id == campaign_id))
            )
            for campaign_id in (campaign, aside)
        }
    assert rows_after["2.3.8"] == rows_before["2.3.6"]
    assert carried[rows_before["1.1.2"]] == []
    assert carried[rows_before["1.2.3"]] == [rows_after["1.2.3"], rows_after["1.2.4"]]
    assert carried[rows_before["2.3.6"]] == [rows_before["2.3.6"]]
    # Nothing answered is lost: the answers to removed and split actions are kept aside, in
    # a campaign of the archived version, where carrying forward finds them.
    assert answered == {
        campaign: [rows_before["2.3.6"]],
        aside: sorted([rows_before["1.1.2"], rows_before["1.2.3"]]),
    }

    # The agent's workbook, made from the previous version, lands on the revised actions.
    preview_outcome = preview_import(db, workbook)
    assert preview_outcome.unplaced == ("DDETS-44 1.1.2 : l'action a été retirée du plan révisé",)
    outcome = import_file(db, workbook, actor="Secrétariat")
    assert "1 ligne non placée dans le plan révisé (DDETS-44 1.1.2 : " in outcome.describe()
    imported = {
        code: value
        for (campaign_id, respondent, code), value in state(db, with_stamps=False)[
            "answers"
        ].items()
        if respondent == "DDETS-44" and campaign_id == campaign
    }
    assert imported == {
        "1.1.1": ("oui", "inscrites"),
        "1.2.3": ("partiellement", "recensement fait"),
        "1.2.4": ("partiellement", "recensement fait"),
        "2.3.8": ("oui", "carnet diffusé"),
        "3.2.3": ("non", ""),
        "4.1.1": ("nc", ""),
    }
    # Exports work on the revised plan; the archived version is not a questionnaire to pick.
    after = tmp_path / "after.xlsx"
    export_workbook(db, after, respondent_code="DDETS-44")
    book = read_exchange_workbook(after)
    assert book.plan.digest() == revised_plan().digest()
    assert {a.action_code: (a.status, a.comment) for a in book.answers if a.status} == imported


def test_a_revision_is_refused_when_it_changes_nothing_or_the_plan_moved(db):
    with pytest.raises(UserError, match="identique à la version actuelle"):
        preview_revision(db, SRADAR, sradar_plan())
    preview = preview_revision(db, SRADAR, revised_plan())
    apply_revision(db, preview)
    with pytest.raises(UserError, match="a changé depuis l'aperçu"):
        apply_revision(db, preview)
    with db.read() as session:
        versions = session.scalars(
            select(Questionnaire.id).where(Questionnaire.origin == "version")
        ).all()
    assert len(versions) == 1
    with pytest.raises(UserError, match="est une version précédente d'un questionnaire révisé"):
        preview_revision(db, versions[0], revised_plan())


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sradar_desktop", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "SRADAR_DATA_DIR": str(data_dir)},
        timeout=120,
        check=False,
    )


def test_the_command_line_shows_the_matching_then_applies_it(data_dir: Path, tmp_path: Path):
    # Seed 000's table with its second action removed and an action added to its theme.
    lines = SEED_000.read_text(encoding="utf-8").splitlines()
    removed = next(i for i, line in enumerate(lines) if "Rédiger un didacticiel" in line)
    theme_row = lines.pop(removed).split("\t")
    lines.insert(removed + 1, "\t".join([*theme_row[:2], NEW_1, ""]))
    revised = tmp_path / "plan-revise.txt"
    revised.write_text("\n".join(lines), encoding="utf-8")

    shown = run_cli("revise", "--questionnaire", SRADAR, str(revised), data_dir=data_dir)
    assert shown.returncode == 0, shown.stderr
    output = shown.stdout.splitlines()
    assert output[0] == (
        "Révision du questionnaire sradar-2021-2023 : 69 actions identiques, "
        "1 action renumérotée, 1 action nouvelle, 1 action retirée."
    )
    assert "1.1.3 → 1.1.2 : renumérotée (confiance 100 %)" in output
    assert output[-2].startswith("1.1.2 → — : retirée (confiance ")
    assert output[-1] == "Rien n'a été modifié : ajoutez --apply pour enregistrer cette révision."

    refused = run_cli(
        "revise", "--questionnaire", SRADAR, str(revised), "--link", "1.1.2=9.9.9",
        data_dir=data_dir,
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "sradar-desktop : La correction « 1.1.2=9.9.9 » ne peut pas s'appliquer : l'action "
        "9.9.9 n'existe pas dans le plan révisé."
    )

    applied = run_cli(
        "revise", "--questionnaire", SRADAR, str(revised), "--link", "1.1.2=1.1.3", "--apply",
        data_dir=data_dir,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "1.1.2 → 1.1.3 : renumérotée (confiance 100 %)" in applied.stdout.splitlines()
    assert applied.stdout.splitlines()[-1] == (
        "Révision enregistrée du questionnaire sradar-2021-2023 : 69 actions identiques, "
        "2 actions renumérotées."
    )
    listed = run_cli("questionnaires", data_dir=data_dir).stdout.splitlines()
    assert [line.split()[0] for line in listed] == [
        "axes-regionaux-2020",
        "hdf-integration-2021",
        "sradar-2021-2023",
    ]  # the previous version is kept aside, not offered
    again = run_cli("revise", "--questionnaire", SRADAR, str(revised), data_dir=data_dir)
    assert again.returncode == 1
    assert "identique à la version actuelle" in again.stderr


def road_map() -> Plan:
    return next(p for p in builtin_plans() if p.id == ROAD_MAP)


def moved_action(plan: Plan, old_code: str, new_code: str, *, drop_indicator: bool) -> Plan:
    """``plan`` with one action renumbered, and its last indicator dropped if asked."""
    data = plan_to_mapping(plan)
    for objective in data["objectives"]:
        for theme in objective["themes"]:
            for action in theme["actions"]:
                if action["code"] == old_code:
                    action["code"] = new_code
                    if drop_indicator:
                        action["indicators"] = action["indicators"][:-1]
    return plan_from_mapping(data)


def test_indicator_values_follow_two_revisions_or_are_reported(db, tmp_path: Path):
    from sradar_desktop.services.opening import open_database

    agent = open_database(tmp_path / "agent.sqlite3")
    try:
        answer(
            agent,
            "DDETS-59",
            {
                "2.6.1": {
                    "answer": ("oui", "projets"),
                    "indicators": {0: ("10", "4"), 1: ("9", "8")},
                }
            },
            questionnaire=ROAD_MAP,
        )
        workbook = tmp_path / "ddets-59.xlsx"
        export_workbook(agent, workbook, questionnaire_id=ROAD_MAP, respondent_code="DDETS-59")
    finally:
        agent.close()

    # A value entered here for the indicator the revision drops is kept aside.
    answer(db, "DDETS-62", {"2.6.1": {"indicators": {1: ("5", "5")}}}, questionnaire=ROAD_MAP)
    first = moved_action(road_map(), "2.6.1", "2.6.5", drop_indicator=True)
    apply_revision(db, preview_revision(db, ROAD_MAP, first))
    campaign = default_campaign_id(ROAD_MAP)
    with db.read() as session:
        (aside,) = archived_campaigns(session, campaign)
    assert state(db, with_stamps=False)["values"] == {(aside, "DDETS-62", "2.6.1", 1): ("5", "5")}
    with db.read() as session:
        indicator_ids = dict(
            session.execute(
                select(IndicatorRow.label, IndicatorRow.id)
                .join(ActionRow, ActionRow.id == IndicatorRow.action_id)
                .where(ActionRow.code.in_(["2.6.1", "2.6.5"]))
            ).all()
        )
        kept = indicator_ids["Nombre de projets financés"]
        dropped = indicator_ids["Nombre total de bénéficiaires"]
        # The kept indicator carries onto itself; the dropped one, kept aside, onto nothing.
        carried_indicators = carried_indicator_rows(session, ROAD_MAP)
        assert carried_indicators[kept] == [kept] and dropped not in carried_indicators
    second = moved_action(first, "2.6.5", "2.6.9", drop_indicator=False)
    apply_revision(db, preview_revision(db, ROAD_MAP, second))
    assert carried_action_map(db, ROAD_MAP)["2.6.5"] == ["2.6.9"]
    indicators = {a.code: a.indicators for a in load_plan(db, ROAD_MAP).actions()}
    assert [i.label for i in indicators["2.6.9"]] == ["Nombre de projets financés"]

    outcome = import_file(db, workbook)
    assert outcome.unplaced == (
        "DDETS-59 2.6.1 (indicateur « Nombre total de bénéficiaires ») : l'indicateur n'est "
        "plus dans le plan révisé",
    )
    found = state(db, with_stamps=False)
    assert found["answers"][(campaign, "DDETS-59", "2.6.9")] == ("oui", "projets")
    values = {key: value for key, value in found["values"].items() if key[1] == "DDETS-59"}
    assert values == {(campaign, "DDETS-59", "2.6.9", 0): ("10", "4")}


def test_a_workbook_of_merged_actions_keeps_the_first_answer_and_reports_the_other(
    db, tmp_path: Path
):
    from sradar_desktop.services.opening import open_database

    agent = open_database(tmp_path / "agent.sqlite3")
    try:
        answer(agent, "DDETS-85", {"1.5.1": ("oui", "premier"), "1.5.2": ("non", "second")})
        workbook = tmp_path / "ddets-85.xlsx"
        export_workbook(agent, workbook, questionnaire_id=SRADAR, respondent_code="DDETS-85")
    finally:
        agent.close()
    data = plan_to_mapping(sradar_plan())
    theme = next(t for o in data["objectives"] for t in o["themes"] if t["code"] == "1.5")
    first, second = theme["actions"]
    theme["actions"] = [{**first, "text": f"{first['text']}. {second['text']}"}]
    preview = preview_revision(db, SRADAR, plan_from_mapping(data))
    assert (LinkKind.MERGED, ("1.5.1", "1.5.2"), ("1.5.1",)) in changes(preview.matching)
    apply_revision(db, preview)
    assert carried_action_map(db, SRADAR)["1.5.2"] == ["1.5.1"]

    outcome = import_file(db, workbook)
    assert outcome.unplaced == (
        "DDETS-85 1.5.2 : l'action 1.5.1 réunit plusieurs actions, la réponse de l'action "
        "1.5.1 a été retenue",
    )
    answers = state(db, with_stamps=False)["answers"]
    assert answers[(default_campaign_id(SRADAR), "DDETS-85", "1.5.1")] == ("oui", "premier")


def _values(db, campaign_id: str, respondent: str) -> dict[str, tuple]:
    """A respondent's answers in a campaign: code → (status, comment, to confirm)."""
    return {
        code: (state.status, state.comment, state.to_confirm)
        for code, state in read_answers(db, campaign_id, respondent).items()
    }


def test_answers_carried_forward_follow_the_revision(db):
    first = default_campaign_id(SRADAR)
    answer(db, "DDETS-44", OLD_ANSWERS)
    # 1.5.1 and 1.5.2 are merged below: the answer changed last must be the one kept.
    answer(db, "DDETS-44", {"1.5.2": ("non", "brouillon")})
    answer(db, "DDETS-44", {"1.5.1": ("oui", "premier")})
    answer(db, "DDETS-44", {"1.5.2": ("partiellement", "le plus récent")})
    data = plan_to_mapping(revised_plan())
    theme = next(t for o in data["objectives"] for t in o["themes"] if t["code"] == "1.5")
    merged_first, merged_second = theme["actions"]
    theme["actions"] = [
        {**merged_first, "text": f"{merged_first['text']}. {merged_second['text']}"}
    ]
    preview = preview_revision(db, SRADAR, plan_from_mapping(data))
    assert EXPECTED_CHANGES | {(LinkKind.MERGED, ("1.5.1", "1.5.2"), ("1.5.1",))} == changes(
        preview.matching
    )
    apply_revision(db, preview)

    second = create_campaign(db, first, "Évaluation 2022", actor="Secrétariat")
    assert second.to_confirm == 7
    carried = _values(db, second.id, "DDETS-44")
    assert carried == {
        "1.1.1": ("oui", "inscrites", True),  # reworded
        "1.2.3": ("partiellement", "recensement fait", True),  # split: each piece
        "1.2.4": ("partiellement", "recensement fait", True),
        "2.3.8": ("oui", "carnet diffusé", True),  # renumbered
        "3.2.3": ("non", "", True),  # renumbered into another theme
        "4.1.1": ("nc", "", True),
        "1.5.1": ("partiellement", "le plus récent", True),  # merged: the most recent
    }  # 1.1.2, removed, is left behind
    # The first campaign keeps what was said, the answers to retired actions aside.
    assert _values(db, first, "DDETS-44")["2.3.8"] == ("oui", "carnet diffusé", False)

    # A campaign created after the revision carries the new actions' answers too.
    service = AnswerService(db, second.id, "DDETS-44", "Agent")
    service.load()
    service.set_status("1.1.4", "oui")
    third = create_campaign(db, second.id, "Évaluation 2023")
    assert _values(db, third.id, "DDETS-44") == {
        **carried,
        "1.1.4": ("oui", "", True),
    }


def test_indicator_values_carried_forward_follow_the_revision(db):
    first = default_campaign_id(ROAD_MAP)
    answer(
        db,
        "DDETS-62",
        {"2.6.1": {"answer": ("oui", ""), "indicators": {0: ("10", "4"), 1: ("5", "5")}}},
        questionnaire=ROAD_MAP,
    )
    revised = moved_action(road_map(), "2.6.1", "2.6.5", drop_indicator=True)
    apply_revision(db, preview_revision(db, ROAD_MAP, revised))
    second = create_campaign(db, first, "Évaluation 2022")
    state_now = read_answers(db, second.id, "DDETS-62")
    assert set(state_now) == {"2.6.5"}
    carried = state_now["2.6.5"]
    assert (carried.status, carried.to_confirm) == ("oui", True)
    # The kept indicator's value follows; the dropped indicator's stays behind.
    assert {p: (v.target, v.achieved) for p, v in carried.indicators.items()} == {0: ("10", "4")}


def test_answers_carried_forward_follow_two_revisions(db):
    """Revised, then revised back: the split action merged again, the removed one new again
    (nothing carried to it), the renumbered ones back to their codes."""
    first = default_campaign_id(SRADAR)
    answer(db, "DDETS-44", OLD_ANSWERS)
    apply_revision(db, preview_revision(db, SRADAR, revised_plan()))
    back = preview_revision(db, SRADAR, sradar_plan())
    assert (LinkKind.MERGED, ("1.2.3", "1.2.4"), ("1.2.3",)) in changes(back.matching)
    apply_revision(db, back)

    second = create_campaign(db, first, "Évaluation 2022")
    assert _values(db, second.id, "DDETS-44") == {
        code: (status, comment, True)
        for code, (status, comment) in OLD_ANSWERS.items()
        if code != "1.1.2"
    }
