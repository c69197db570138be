"""Answering a questionnaire without the window: identity, rows and progress, filters, history,
drafts of unsaved changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import URL

from sradar_desktop.domain.answers import SOURCE_IMPORT, HistoryEntry
from sradar_desktop.domain.departements import DEPARTEMENTS, department_from_code
from sradar_desktop.domain.plan import Action, Objective, Plan, Theme
from sradar_desktop.domain.scale import DEFAULT_SCALE, Scale, scale_level
from sradar_desktop.errors import DatabaseError, UserError
from sradar_desktop.plans.builtin import builtin_plans
from sradar_desktop.services.answers import AnswerService, read_answers
from sradar_desktop.services.drafts import Draft, DraftStore
from sradar_desktop.services.entry import Identity, open_entry, service_label_for
from sradar_desktop.services.entry_data import read_history
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.services.views.entry import (
    MINE,
    EntryFilter,
    EntrySheet,
    describe_history,
    status_keys,
)

SRADAR = "sradar-2021-2023"
HDF = "hdf-integration-2021"


@pytest.fixture(scope="module")
def sradar_plan() -> Plan:
    return next(p for p in builtin_plans() if p.id == SRADAR)


# -- who answers ---------------------------------------------------------------------------------


def test_identity_is_normalised_and_labelled():
    identity = Identity.create(" ddets 44 ", "", "  Claire   Martin ")
    assert identity == Identity(
        "DDETS-44", "DDETS de la Loire-Atlantique", "Claire Martin", department="44"
    )
    assert identity.service_kind == "DDETS"
    own = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Claire Martin")
    assert own.service_label == "DDETS de Loire-Atlantique"
    region = Identity.create("DREETS-PDL", "", "Paul Leroy")
    assert region.department == "" and region.service_label == "DREETS des Pays de la Loire"


def test_identity_refused_with_french_reasons():
    with pytest.raises(UserError) as error:
        Identity.create("", "", "")
    message = str(error.value)
    assert "le code du service est vide" in message and "votre nom est vide" in message
    with pytest.raises(UserError, match="lettres, des chiffres et des tirets"):
        Identity.create("DDETS/44", "", "Claire")


@pytest.mark.parametrize(
    ("code", "number", "label"),
    [
        ("DDETS-44", "44", "DDETS de la Loire-Atlantique"),
        ("ddets-2a", "2A", "DDETS de la Corse-du-Sud"),
        ("DDETS-1", "01", "DDETS de l'Ain"),
        ("PREF-59", "59", "PREF du Nord"),
        ("DDETS-28", "28", "DDETS d'Eure-et-Loir"),
        ("DDETS-974", "974", "DDETS de La Réunion"),
        ("DDETS-99", "", ""),
        ("DREETS-PDL", "", "DREETS des Pays de la Loire"),
        ("SGAR", "", ""),
    ],
)
def test_departement_from_the_code(code, number, label):
    assert department_from_code(code) == number
    assert service_label_for(code) == label


def test_every_departement_has_its_name_and_form():
    assert len(DEPARTEMENTS) == 101
    for name, form in DEPARTEMENTS.values():
        assert form.startswith(("de ", "du ", "des ", "de la ", "de l'", "d'")), name
        assert form.endswith(name) or name == "La Réunion"


def test_status_keys():
    assert status_keys(DEFAULT_SCALE) == {
        "oui": ("1", "O"),
        "partiellement": ("2", "P"),
        "non": ("3", "N"),
        "nc": ("4", "C"),
    }
    scale = Scale(
        (
            scale_level("fait", "Fait", "#2e7d32"),
            scale_level("en-cours", "En cours", "#e65100"),
            scale_level("abandonne", "Abandonné", "#c62828"),
        )
    )
    assert status_keys(scale) == {
        "fait": ("1", "F"),
        "en-cours": ("2", "E"),
        "abandonne": ("3", "A"),
    }


# -- the rows of a plan --------------------------------------------------------------------------


def test_sheet_scope_is_the_actions_the_service_pilots(sradar_plan):
    sheet = EntrySheet(sradar_plan, {}, "DDETS-44")
    assert len(sheet.rows) == 71
    assert sheet.has_mine
    assert all("DDETS" in e.action.pilots for e in sheet.scope)
    assert sheet.progress().total == len(sheet.scope) == 47
    sheet.set_status("1.1.1", "oui")
    sheet.set_status("1.2.2", "non")  # DREETS, DDETS
    sheet.set_status("1.1.2", "nc")  # DREETS, OFII: not in the scope
    progress = sheet.progress()
    assert (progress.answered, progress.total) == (2, 47)
    assert progress.by_status == {"oui": 1, "partiellement": 0, "non": 1, "nc": 0}
    tree = sheet.tree_progress()
    assert tree[("objective", 0)].answered == 2
    assert tree[("theme", 0)].answered == 1
    # A service that pilots nothing answers the whole plan.
    assert EntrySheet(sradar_plan, {}, "SGAR-PDL").progress().total == 71
    with pytest.raises(ValueError, match="n'est pas une réponse possible"):
        sheet.set_status("1.1.1", "peut-être")


def test_filters_and_search(sradar_plan):
    sheet = EntrySheet(sradar_plan, {}, "DDETS-44")
    sheet.set_status("1.1.1", "oui")
    sheet.set_comment("2.1.1", "Réunion trimestrielle avec les opérateurs d'hébergement")

    def codes(**criteria):
        return [sheet.rows[r].code for r in sheet.matching(EntryFilter(**criteria))]

    assert len(codes()) == 71
    # Accents and case do not matter; every word must be there; comments are searched too.
    assert codes(text="DN@") == codes(text="dn@") == ["1.1.1", "1.1.2", "1.1.3"]
    assert "2.1.1" in codes(text="trimestrielle")
    assert codes(text="operateurs hebergement trimestrielle") == ["2.1.1"]
    theme_23 = [a.code for a in sradar_plan.objectives[1].themes[2].actions]
    assert codes(text="2.3.") == theme_23 and len(theme_23) == 7
    assert codes(status="oui") == ["1.1.1"]
    assert "1.1.1" not in codes(unanswered_only=True) and len(codes(unanswered_only=True)) == 70
    assert codes(theme=0) == ["1.1.1", "1.1.2", "1.1.3"]
    assert len(codes(objective=0)) == sum(len(t.actions) for t in sradar_plan.objectives[0].themes)
    assert all("OFII" in sheet.by_code[c].action.pilots for c in codes(pilot="OFII"))
    assert len(codes(pilot=MINE)) == 47
    assert codes(pilot=MINE, theme=0, unanswered_only=True) == ["1.1.3"]
    assert not EntryFilter().active and EntryFilter(text=" x ").active
    # Ligatures fold like accents: « oeuvre » finds « mise en œuvre », and the other way round.
    with_ligature = codes(text="œuvre")
    assert len(with_ligature) >= 5
    assert codes(text="oeuvre") == codes(text="OEUVRE") == codes(text="Œuvre") == with_ligature


def test_next_unanswered_wraps_around(sradar_plan):
    sheet = EntrySheet(sradar_plan, {}, None)
    rows = sheet.rows[:4]
    rows[1].status = "oui"
    assert EntrySheet.next_unanswered(rows, rows[0]) is rows[2]
    rows[2].status = rows[3].status = "non"
    assert EntrySheet.next_unanswered(rows, rows[2]) is rows[0]
    rows[0].status = "nc"
    assert EntrySheet.next_unanswered(rows, rows[0]) is None


# -- loading and history -------------------------------------------------------------------------


def test_open_entry_registers_the_service_and_reads_answers(db):
    identity = Identity.create("DDETS-59", "", "Karim Benali")
    steps = []
    data = open_entry(db, HDF, identity, progress=lambda done, total, text: steps.append(text))
    assert steps[-1] == "Plan chargé." and len(steps) == 4
    assert data.service is not None and data.campaign_id == default_campaign_id(HDF)
    data.service.set_status("2.6.1", "partiellement")
    data.service.set_comment("2.6.1", "Neuf projets sur douze")
    data.service.set_indicator("2.6.1", 1, target="1174", achieved="1316")
    again = open_entry(db, HDF, identity)
    row = again.sheet.by_code["2.6.1"]
    assert (row.status, row.comment) == ("partiellement", "Neuf projets sur douze")
    assert (row.targets, row.achieved) == ([None, "1174"], [None, "1316"])
    assert row.indicators_filled == 1 and row.indicators_total == 2
    from sqlalchemy import select

    from sradar_desktop.db.models import Respondent

    with db.read() as session:
        respondent = session.scalar(select(Respondent).where(Respondent.code == "DDETS-59"))
        assert (respondent.label, respondent.department) == ("DDETS du Nord", "59")
    # Nobody to answer as: the plan alone.
    anonymous = open_entry(db, HDF, None)
    assert anonymous.service is None and anonymous.sheet.by_code["2.6.1"].status is None


def test_a_read_only_database_is_read_without_writing(tmp_path):
    from support import snapshot

    path = tmp_path / "base.sqlite3"
    # The window that writes keeps the database open; a second one reads it.
    db = open_database(path)
    service = AnswerService(db, default_campaign_id(SRADAR), "DDETS-44", "Claire Martin")
    service.set_status("1.1.1", "oui")
    before = snapshot(db)
    reader = open_database(URL.create("sqlite", database=str(path)), read_only=True)
    assert reader.read_only
    identity = Identity.create("DDETS-44", "", "Claire Martin")
    data = open_entry(reader, SRADAR, identity)
    assert data.service is None
    assert data.sheet.by_code["1.1.1"].status == "oui"
    assert [h.new_value for h in read_history(reader, data.campaign_id, "DDETS-44", "1.1.1")] == [
        "oui"
    ]
    # A service never seen has no answers (and is not created).
    assert read_answers(reader, data.campaign_id, "DDETS-85") == {}
    assert (
        open_entry(reader, SRADAR, Identity.create("DDETS-85", "", "X")).sheet.progress().answered
        == 0
    )
    with pytest.raises(DatabaseError, match="lecture seule"), reader.write():
        pass
    reader.close()
    assert snapshot(db) == before
    db.close()


def test_history_in_french(db):
    identity = Identity.create("DDETS-59", "", "Karim Benali")
    data = open_entry(db, HDF, identity)
    data.service.set_status("2.6.1", "non")
    data.service.set_status("2.6.1", "partiellement")
    data.service.set_comment("2.6.1", "Un commentaire " + "très long " * 20)
    data.service.set_indicator("2.6.1", 1, achieved="12345")
    entries = read_history(db, data.campaign_id, "DDETS-59", "2.6.1")
    lines = [describe_history(entry, DEFAULT_SCALE) for entry in entries]
    assert lines[0].what == "Nombre total de bénéficiaires — valeur réalisée : (vide) → 12\u202f345"
    assert lines[1].what.startswith("Commentaire : (vide) → « Un commentaire très long")
    assert lines[1].what.endswith("… »") and len(lines[1].what) < 100
    assert "très long " * 19 in lines[1].detail
    assert lines[2].what == "Réalisation : Non → Partiellement"
    assert lines[3].what == "Réalisation : (vide) → Non"
    assert {line.who for line in lines} == {"Karim Benali"}
    local = entries[0].at.astimezone()
    assert lines[0].when == local.strftime("%d/%m/%Y %H:%M")
    imported = HistoryEntry(
        datetime(2025, 6, 1, 8, 30, tzinfo=UTC),
        "Secrétariat",
        SOURCE_IMPORT,
        "status",
        None,
        "oui",
        "nc",
    )
    assert describe_history(imported, DEFAULT_SCALE).who == "Secrétariat (import)"


def test_plan_without_pilots_or_indicators():
    plan = Plan(
        "p",
        "Plan",
        (Objective("1", "Obj", (Theme("1.1", "Th", (Action("1.1.1", "Faire"),)),)),),
    )
    sheet = EntrySheet(plan, {}, "DDETS-44")
    assert not sheet.has_mine and sheet.pilots == []
    assert sheet.progress().total == 1


# -- drafts ----------------------------------------------------------------------------------


def test_drafts_round_trip_and_are_removed_when_empty(tmp_path):
    store = DraftStore("cle", tmp_path)
    drafts = [
        Draft("c", "DDETS-44", "1.1.1", "comment", None, "Texte « œ » = 1", "Claire", "2025"),
        Draft("c", "DDETS-44", "2.6.1", "achieved", 1, "1316"),
        Draft("c", "DDETS-44", "1.1.2", "status", None, None),
    ]
    assert store.save(drafts)
    assert DraftStore("cle", tmp_path).load() == drafts
    assert store.save([]) and not store.path.exists()
    assert store.load() == []


def test_a_damaged_drafts_file_is_kept_not_overwritten(tmp_path):
    """What cannot be read is moved aside, never treated as empty and written over (the
    recovery itself: test_drafts_recovery.py)."""
    store = DraftStore("cle", tmp_path)
    store.path.write_text("{pas du json", encoding="utf-8")
    assert store.load() == []
    assert store.recovery is not None and store.recovery.recovered == 0
    assert store.recovery.copy.read_text(encoding="utf-8") == "{pas du json"
    assert store.save([Draft("c", "DDETS-44", "1.1.1", "status", None, "oui")])
    assert store.recovery.copy.read_text(encoding="utf-8") == "{pas du json"


def test_load_plan_reads_every_plan_exactly(db):
    """Plans are read column by column, in chunks (a large plan never starves the window):
    what comes back is exactly the plan that was stored."""
    from sradar_desktop.services.questionnaires import load_plan

    for plan in builtin_plans():
        assert load_plan(db, plan.id) == plan
    with pytest.raises(UserError, match="n'existe pas dans cette base"):
        load_plan(db, "inconnu")


def test_search_key_is_fold():
    from sradar_desktop.domain.text import fold, search_key

    texts = ["Hébergement  d’urgence ŒUVRE", "İstanbul", "straße", "Ça ỹ", "DN@ 2.3.4", "Cæsar"]
    for text in texts:
        assert search_key(text) == fold(text)
    assert fold("Mise en Œuvre") == "mise en oeuvre" and fold("Cæsar") == "caesar"


def test_progress_follows_every_change(sradar_plan):
    import random

    sheet = EntrySheet(sradar_plan, {}, "DDETS-44")
    rng = random.Random(4)
    for _ in range(300):
        entry = rng.choice(sheet.rows)
        sheet.set_status(entry.code, rng.choice([None, *DEFAULT_SCALE.codes]))
    # The same counts as counting again from scratch.
    assert sheet.tree_progress() == sheet._count()
    assert sheet.progress() == sheet._count()[("all", -1)]
