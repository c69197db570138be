"""Sending the questionnaire: the roster proposed from the plan's region, checked as typed, the
names of the files, and one blank workbook per service (with its message) written at once."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from sradar_desktop.domain.departements import (
    DEPARTEMENTS,
    REGIONS,
    region_from_text,
    region_of_department,
)
from sradar_desktop.errors import UserError
from sradar_desktop.services.consolidation import RosterMember, roster, set_roster
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.mailing import prepare_drafts
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.sending import (
    answers_file_name,
    blank_file_name,
    check_roster,
    existing_blanks,
    piloted_actions,
    propose_roster,
)

SRADAR = "sradar-2021-2023"


def test_every_departement_is_in_one_region():
    numbers = [number for _name, _of, numbers in REGIONS.values() for number in numbers]
    assert sorted(numbers) == sorted(DEPARTEMENTS)
    assert len(numbers) == len(set(numbers)) == 101
    assert region_of_department("44") == "PDL"
    assert region_of_department("2B") == "COR"
    assert region_of_department("99") == ""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pays de la Loire", "PDL"),
        ("pays-de-la-loire", "PDL"),
        ("Région Hauts-de-France", "HDF"),
        ("HAUTS DE FRANCE", "HDF"),
        ("Provence-Alpes-Côte d'Azur", "PAC"),
        ("PACA", "PAC"),
        ("Île-de-France", "IDF"),
        ("Centre-Val de Loire", "CVL"),
        ("La Réunion", "REU"),
        ("SRADAR Bretagne 2024-2026", "BRE"),
        ("", ""),
        ("Atlantide", ""),
    ],
)
def test_region_from_the_plan(text, code):
    assert region_from_text(text) == code


def test_roster_proposed_from_the_region():
    members = propose_roster("Pays de la Loire")
    assert members == [
        RosterMember("DREETS-PDL", "DREETS des Pays de la Loire", ""),
        RosterMember("DDETS-44", "DDETS de la Loire-Atlantique", "44"),
        RosterMember("DDETS-49", "DDETS de Maine-et-Loire", "49"),
        RosterMember("DDETS-53", "DDETS de la Mayenne", "53"),
        RosterMember("DDETS-72", "DDETS de la Sarthe", "72"),
        RosterMember("DDETS-85", "DDETS de la Vendée", "85"),
    ]
    assert [m.code for m in propose_roster("Hauts-de-France")] == [
        "DREETS-HDF",
        "DDETS-02",
        "DDETS-59",
        "DDETS-60",
        "DDETS-62",
        "DDETS-80",
    ]
    assert propose_roster("Île-de-France")[0] == RosterMember(
        "DRIEETS-IDF", "DRIEETS d'Île-de-France", ""
    )
    assert propose_roster("Mayotte") == [RosterMember("DEETS-976", "DEETS de Mayotte", "976")]
    assert propose_roster("") == []


def test_roster_checked_as_typed():
    members = check_roster([("ddets 44", ""), ("", ""), ("PREF-85", "Préfecture de Vendée")])
    assert members == [
        RosterMember("DDETS-44", "DDETS de la Loire-Atlantique", "44"),
        RosterMember("PREF-85", "Préfecture de Vendée", "85"),
    ]
    with pytest.raises(UserError) as raised:
        check_roster([("DDETS-44", ""), ("ddets-44", "bis"), ("DDETS/49", ""), ("", "Sans code")])
    assert raised.value.details == [
        "ligne 2 : DDETS-44 est déjà à la ligne 1",
        "ligne 3 : le code « DDETS/49 » ne doit contenir que des lettres, des chiffres et des "
        "tirets (par exemple DDETS-44 ou DREETS-PDL)",
        "ligne 4 : un service de la liste n'a pas de code : donnez-en un, comme DDETS-44",
    ]
    assert str(raised.value).startswith("La liste des services attendus est à corriger : ligne 2")


def test_file_names():
    assert (
        answers_file_name(SRADAR, "DDETS-44", date(2026, 11, 23))
        == "SRADAR-2021-2023_DDETS-44_2026-11-23.xlsx"
    )
    assert blank_file_name("hdf-integration-2021", "DREETS-HDF") == (
        "HDF-INTEGRATION-2021_DREETS-HDF.xlsx"
    )


def test_a_blank_and_its_message_per_service(db, tmp_path):
    plan = load_plan(db, SRADAR)
    campaign = default_campaign_id(SRADAR)
    members = [*propose_roster(plan.region), RosterMember("CPAM-44", "CPAM", "44")]
    set_roster(db, campaign, members)
    codes = sorted(m.code for m in members)
    assert piloted_actions(plan, "DDETS-44") == 47
    assert piloted_actions(plan, "CPAM-44") == 0
    seen = []
    result = prepare_drafts(
        db, tmp_path, campaign_id=campaign, progress=lambda index, code: seen.append((index, code))
    )
    assert seen == list(enumerate(codes))
    assert [w.workbook.name for w in result.written] == [
        blank_file_name(SRADAR, code) for code in codes if code != "CPAM-44"
    ]
    assert result.pilots_nothing == ["CPAM-44"]
    assert existing_blanks(tmp_path, SRADAR, ["DDETS-44", "CPAM-44"]) == [
        tmp_path / "SRADAR-2021-2023_DDETS-44.xlsx"
    ]
    sheet = openpyxl.load_workbook(tmp_path / "SRADAR-2021-2023_DREETS-PDL.xlsx")["Questionnaire"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 29 and {row[5] for row in rows} == {"DREETS-PDL"}
    # A blank comes back as it went: nothing to merge, but the service is known.
    outcome = import_file(db, tmp_path / "SRADAR-2021-2023_DDETS-49.xlsx")
    assert outcome.applied == 0 and outcome.respondents == ("DDETS-49",)

    # Every action for the one that pilots nothing; the roster is left as it was.
    again = prepare_drafts(db, tmp_path, campaign_id=campaign, codes=["CPAM-44"], all_actions=True)
    assert [w.actions for w in again.written] == [71]
    assert len(roster(db, campaign)) == 7

    # Stopped between files: the others are said not done.
    started: list[int] = []
    stopped = prepare_drafts(
        db,
        tmp_path,
        campaign_id=campaign,
        codes=codes[:3],
        progress=lambda index, _code: started.append(index),
        cancelled=lambda: bool(started),
    )
    assert stopped.not_done == codes[1:3]
    assert f"Arrêté avant {codes[1]}, {codes[2]}" in " ".join(stopped.lines())

    with pytest.raises(UserError, match="n'existe pas"):
        prepare_drafts(db, tmp_path / "absent", campaign_id=campaign)
