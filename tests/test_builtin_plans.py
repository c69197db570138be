"""The three built-in plans, as text files and once loaded in a database."""

import pytest

from sradar_desktop.plans.builtin import builtin_plans
from sradar_desktop.services.questionnaires import list_questionnaires, load_plan

EXPECTED = {
    "sradar-2021-2023": (8, 28, 71),
    "axes-regionaux-2020": (6, 13, 68),
    "hdf-integration-2021": (6, 22, 42),
}


@pytest.fixture(scope="module")
def plans():
    return {plan.id: plan for plan in builtin_plans()}


def test_three_plans_with_their_counts(plans):
    assert {plan_id: plan.counts() for plan_id, plan in plans.items()} == EXPECTED


def test_text_cleaned_as_a_person_would(plans):
    sradar = plans["sradar-2021-2023"]
    objectives = [o.title for o in sradar.objectives]
    assert objectives[0] == "Consolider le parc d’hébergement des demandeurs d’asile"
    assert objectives[2].startswith("Diminuer le taux de présence indue")
    themes = [t.title for t in sradar.themes()]
    assert "Mieux répondre aux situations d’urgence" in themes
    assert "Consolider le renseignement des données du DN@" in themes
    codes = [a.code for a in sradar.actions()]
    assert codes[:3] == ["1.1.1", "1.1.2", "1.1.3"] and codes[-1] == "8.4.2"
    language = next(a for a in sradar.actions() if a.code == "5.1.1")
    assert "<" not in language.text
    assert language.text.splitlines()[1:] == [
        "◦ informant les acteurs de la possibilité d’effectuer des cours du soir et du weekend ;",
        "◦ expérimentant la formation linguistique en entreprise et en chantier d’insertion "
        "avec le soutien des OPCO",
    ]
    for plan in plans.values():
        for action in plan.actions():
            assert action.text and action.pilots, action.code
            assert not action.text.startswith(("-", "•", "1_"))


def test_seed_order_kept(plans):
    first_words = [a.text.split()[0] for a in plans["sradar-2021-2023"].actions()]
    assert first_words[:4] == ["Inscrire", "Rédiger", "Vérifier", "Améliorer"]
    assert first_words[-2:] == ["Accompagner", "Expertiser"]


def test_road_map_indicators_attached_to_the_projects_action(plans):
    road_map = plans["hdf-integration-2021"]
    with_indicators = [a for a in road_map.actions() if a.indicators]
    assert len(with_indicators) == 1
    action = with_indicators[0]
    assert action.code == "2.6.1" and "DDETS" in action.pilots
    assert [(i.label, i.kind.value) for i in action.indicators] == [
        ("Nombre de projets financés", "integer"),
        ("Nombre total de bénéficiaires", "integer"),
    ]
    assert [t.code for t in road_map.themes()][:2] == ["1.1", "1.2"]
    assert "3.11" in [t.code for t in road_map.themes()]


def test_installed_on_first_start_with_their_counts(db):
    summaries = {s.id: (s.objectives, s.themes, s.actions) for s in list_questionnaires(db)}
    assert summaries == EXPECTED
    plan = load_plan(db, "sradar-2021-2023")
    assert plan.counts() == (8, 28, 71)
    assert plan == next(p for p in builtin_plans() if p.id == "sradar-2021-2023")


def test_installed_once(db_url):
    from sradar_desktop.services.opening import open_database

    for _ in range(2):
        database = open_database(db_url)
        assert len(list_questionnaires(database)) == 3
        database.close()


def test_each_file_is_named_after_its_plan():
    from sradar_desktop.plans.builtin import builtin_plan_ids

    assert builtin_plan_ids() == sorted(plan.id for plan in builtin_plans())
