"""Campaigns: the next evaluation created from the previous one, answers carried forward to be
confirmed, progress counting confirmed answers, the command line."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pypdf
import pytest
from conftest import SEED_000
from exchange_support import ROAD_MAP, SRADAR, answer, edit_workbook
from sqlalchemy import create_engine, select, text

from sradar_desktop import cli
from sradar_desktop.db.migrate import run_migrations
from sradar_desktop.db.models import AuditEvent, ExpectedRespondent
from sradar_desktop.domain.consolidation import TO_CONFIRM
from sradar_desktop.domain.dates import utcnow
from sradar_desktop.domain.merge import Stamped
from sradar_desktop.errors import UserError
from sradar_desktop.services.answers import AnswerService, read_answers
from sradar_desktop.services.campaigns import (
    CARRIED_LABEL,
    create_campaign,
    list_campaigns,
    parse_due_date,
)
from sradar_desktop.services.consolidation import set_roster, write_reports
from sradar_desktop.services.entry import Identity, open_entry
from sradar_desktop.services.exchange import blank_workbook, export_workbook, resolve_campaign
from sradar_desktop.services.files.consolidating import consolidate_files
from sradar_desktop.services.imports import import_file
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.sending import member
from sradar_desktop.services.views.entry import EntryFilter, EntrySheet, describe_history
from sradar_desktop.workbook.format import RespondentInfo, build_content
from sradar_desktop.workbook.reader import read_exchange_workbook
from sradar_desktop.workbook.writer import write_exchange_workbook

SEED_STATUSES = {"oui": 41, "partiellement": 10, "non": 13, "nc": 7}


@pytest.fixture
def seeded(db):
    """Seed 000 as the first evaluation, answered by one respondent, with a roster of two."""
    imported = import_file(db, SEED_000, respondent_code="SGAR-PDL")
    first = default_campaign_id(imported.questionnaire_id)
    set_roster(db, first, [member("SGAR-PDL"), member("DDETS-44")])
    return db, imported.questionnaire_id, first


def _by_status(states) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in states.values():
        counts[state.status] = counts.get(state.status, 0) + 1
    return counts


def test_next_campaign_carries_roster_and_answers_to_confirm(seeded):
    db, questionnaire, first = seeded
    before = read_answers(db, first, "SGAR-PDL")
    assert _by_status(before) == SEED_STATUSES

    created = create_campaign(
        db, first, "Évaluation  2022", due_date=date(2027, 6, 30), period="2022", actor="SGAR"
    )
    assert created.title == "Évaluation 2022" and created.period == "2022"
    assert created.previous_id == first and created.current
    assert created.roster == 2 and created.respondents == 1 and created.to_confirm == 71

    campaigns = list_campaigns(db, questionnaire)
    assert [(c.id, c.current) for c in campaigns] == [(first, False), (created.id, True)]
    line = campaigns[1].describe()
    assert line.startswith(
        f"{created.id}  Évaluation 2022 ; période 2022 ; réponses attendues le 30/06/2027"
    ) and line.endswith("(en cours)")
    assert "71 réponses à confirmer" in line
    # The window, exports and the command line's default all go to the current campaign.
    assert resolve_campaign(db, questionnaire) == (questionnaire, created.id)
    assert resolve_campaign(db) == (questionnaire, created.id)
    assert resolve_campaign(db, campaign_id=first) == (questionnaire, first)

    carried = read_answers(db, created.id, "SGAR-PDL")
    assert {code: (s.status, s.comment) for code, s in carried.items()} == {
        code: (s.status, s.comment) for code, s in before.items()
    }
    assert all(s.to_confirm and not s.answered for s in carried.values())
    # The first campaign is untouched.
    assert all(not s.to_confirm for s in read_answers(db, first, "SGAR-PDL").values())

    with db.read() as session:
        roster = session.scalars(
            select(ExpectedRespondent.respondent_id).where(
                ExpectedRespondent.campaign_id == created.id
            )
        ).all()
        carried_lines = session.scalar(
            select(AuditEvent.id)
            .where(AuditEvent.campaign_id == created.id, AuditEvent.source == "reprise")
            .limit(1)
        )
    assert len(roster) == 2 and carried_lines is not None


def test_confirming_and_editing_count_as_answered(seeded):
    db, questionnaire, first = seeded
    created = create_campaign(db, first, "Évaluation 2022")
    plan = load_plan(db, questionnaire)
    identity = Identity.create("SGAR-PDL", "", "Agent")
    entry = open_entry(db, questionnaire, identity)
    assert entry.campaign_id == created.id
    sheet = entry.sheet
    assert sheet.progress().answered == 0 and sheet.progress().total == 71
    first_code, second_code, third_code = [row.code for row in sheet.rows[:3]]
    assert all(sheet.by_code[c].to_confirm for c in (first_code, second_code, third_code))

    service = entry.service
    assert service is not None
    # Confirming unchanged: one call, audited, the status counted.
    assert service.confirm(first_code) is True
    assert service.confirm(first_code) is False  # nothing left to confirm
    sheet.confirm(first_code)
    # Any edit confirms: a comment, a status.
    service.set_comment(second_code, "Toujours en cours.")
    sheet.set_comment(second_code, "Toujours en cours.")
    service.set_status(third_code, "oui")
    sheet.set_status(third_code, "oui")
    assert sheet.progress().answered == 3
    # Carried answers not confirmed yet are what is left to answer.
    left = sheet.matching(EntryFilter(unanswered_only=True))
    assert len(left) == 68 and sheet.rows[0].row not in left
    assert EntrySheet.next_unanswered(sheet.rows, None) is sheet.rows[3]

    reloaded = EntrySheet(plan, service.load(), "SGAR-PDL")
    assert reloaded.progress().answered == 3
    assert [reloaded.by_code[c].to_confirm for c in (first_code, second_code, third_code)] == [
        False,
        False,
        False,
    ]
    assert reloaded.by_code[sheet.rows[3].code].to_confirm
    history = service.history(first_code)
    assert history[0].source == "confirmation"
    assert "reprise" in [line.source for line in history]
    status_label = plan.scale.level(sheet.by_code[first_code].status).label
    lines = [describe_history(line, plan.scale).what for line in history]
    assert lines[0] == f"Réponse reprise confirmée telle quelle ({status_label})"
    assert f"Réalisation reprise de l'évaluation précédente : {status_label}" in lines
    assert [c.to_confirm for c in list_campaigns(db, questionnaire)] == [0, 68]


def test_indicator_values_are_carried_and_an_edit_confirms(db):
    plan = load_plan(db, ROAD_MAP)
    code = next(a for a in plan.actions() if a.indicators).code
    answer(
        db,
        "DDETS-44",
        {code: {"indicators": {0: ("10", "4")}, "answer": ("partiellement", "En cours")}},
        questionnaire=ROAD_MAP,
    )
    created = create_campaign(db, default_campaign_id(ROAD_MAP), "Évaluation 2022")
    carried = read_answers(db, created.id, "DDETS-44")[code]
    assert (carried.status, carried.comment, carried.to_confirm) == (
        "partiellement",
        "En cours",
        True,
    )
    assert (carried.indicators[0].target, carried.indicators[0].achieved) == ("10", "4")

    service = AnswerService(db, created.id, "DDETS-44", "Agent")
    service.load()
    service.set_indicator(code, 0, achieved="7")
    after = read_answers(db, created.id, "DDETS-44")[code]
    assert after.answered and after.indicators[0].achieved == "7"
    # The answer row changed under the service (confirmation): its own later edit still saves.
    service.set_status(code, "oui")
    assert read_answers(db, created.id, "DDETS-44")[code].status == "oui"


def test_refusals_are_french_sentences(seeded):
    db, _questionnaire, first = seeded
    create_campaign(db, first, "Évaluation 2022")
    with pytest.raises(UserError, match=r"existe déjà .* choisissez un autre titre"):
        create_campaign(db, first, "évaluation 2022")
    with pytest.raises(UserError, match="n'existe pas dans cette base"):
        create_campaign(db, "inconnue", "Évaluation 2023")
    with pytest.raises(UserError, match="Donnez un titre"):
        create_campaign(db, first, "   ")
    # A date that does not exist is not a wrong format; said once.
    with pytest.raises(UserError) as refused:
        parse_due_date("31/02/2027")
    assert str(refused.value) == "Le 31/02/2027 n'existe pas : février 2027 n'a que 28 jours."
    with pytest.raises(UserError, match="pas de mois 13"):
        parse_due_date("12/13/2027")
    assert parse_due_date("29/02/28") == date(2028, 2, 29)
    with pytest.raises(UserError) as refused:
        parse_due_date("2027-06-30")
    assert str(refused.value).count("JJ/MM/AAAA") == 1
    assert parse_due_date("30/06/2027") == date(2027, 6, 30)
    assert CARRIED_LABEL.startswith("Reprise de l'évaluation précédente")


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_command_line(tmp_path, capsys):
    base = str(tmp_path / "base.sqlite3")
    assert (
        _main(["import", "--db", base, "--respondent", "SGAR-PDL", str(SEED_000)], capsys)[0] == 0
    )
    status, out, _ = _main(["campaigns", "--db", base], capsys)
    lines = out.splitlines()
    assert status == 0 and all(line.split()[0].endswith(":evaluation") for line in lines)
    seed_line = next(line for line in lines if "1 répondant" in line)
    first = seed_line.split()[0]
    questionnaire = first.split(":")[0]

    status, out, err = _main(
        [
            "new-campaign",
            "--db",
            base,
            "--from",
            first,
            "--title",
            "Évaluation 2022",
            "--due",
            "30/06/2027",
        ],
        capsys,
    )
    assert status == 0, err
    assert out.startswith(f"Campagne créée : {questionnaire}:evaluation-2022  Évaluation 2022")
    status, out, _ = _main(["campaigns", "--db", base, "--questionnaire", questionnaire], capsys)
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [first, f"{questionnaire}:evaluation-2022"]
    assert lines[1].endswith("(en cours)") and not lines[0].endswith("(en cours)")

    status, _, err = _main(
        ["new-campaign", "--db", base, "--from", first, "--title", "X", "--due", "demain"],
        capsys,
    )
    assert status == cli.EXIT_USER_ERROR
    assert err.startswith("sradar-desktop : « demain » n'est pas une date au format JJ/MM/AAAA")
    # --campaign chooses the campaign of an export.
    out_file = tmp_path / "premiere.xlsx"
    status, out, err = _main(
        [
            "export",
            "--db",
            base,
            "--campaign",
            first,
            "--respondent",
            "SGAR-PDL",
            "-o",
            str(out_file),
        ],
        capsys,
    )
    assert status == 0, err
    book = openpyxl.load_workbook(out_file)
    assert book["_sradar"]["B1"].value == "sradar-echange"
    meta = dict(book["_sradar"].iter_rows(values_only=True))
    assert meta["campagne_id"] == first
    # So does it for a blank workbook: the current campaign's shows the previous answers.
    for campaign, columns in ((first, 8), (f"{questionnaire}:evaluation-2022", 10)):
        blank = tmp_path / f"vierge-{columns}.xlsx"
        status, _out, err = _main(
            [
                "blank",
                "--db",
                base,
                "--questionnaire",
                questionnaire,
                "--campaign",
                campaign,
                "--respondent",
                "SGAR-PDL",
                "--all",
                "-o",
                str(blank),
            ],
            capsys,
        )
        assert status == 0, err
        header = next(openpyxl.load_workbook(blank)["Questionnaire"].iter_rows(values_only=True))
        assert len(header) == columns


def test_upgrade_from_the_previous_release_keeps_the_evaluation_as_the_first_campaign(db_url):
    """A database of the previous release (head 0004), with answers: its evaluation is the
    first campaign, every answer in it, confirmed; the next campaign can be created from it."""
    run_migrations(db_url, "0004")
    engine = create_engine(db_url)
    now = datetime(2026, 11, 1, 9, 0)
    statements = [
        "INSERT INTO questionnaire (id, title, short_title, period, region, description, source,"
        " origin, version_digest, created_at) VALUES ('q', 'Plan', '', '2025', '', '', '',"
        " 'import', 'x', :now)",
        "INSERT INTO objective (questionnaire_id, position, code, title)"
        " VALUES ('q', 0, '1', 'Objectif')",
        "INSERT INTO theme (objective_id, position, code, title)"
        " SELECT id, 0, '1.1', 'Thématique' FROM objective WHERE questionnaire_id = 'q'",
        *(
            "INSERT INTO action (questionnaire_id, theme_id, position, code, text)"
            f" SELECT 'q', id, {n}, '1.1.{n}', 'Action' FROM theme WHERE code = '1.1'"
            for n in (1, 2, 3)
        ),
        "INSERT INTO campaign (id, questionnaire_id, title, created_at, due_date)"
        " VALUES ('q:evaluation', 'q', 'Évaluation 2025', :now, NULL)",
        "INSERT INTO respondent (code, label, department, created_at)"
        " VALUES ('DDETS-44', 'DDETS 44', '44', :now)",
        "INSERT INTO expected_respondent (campaign_id, respondent_id)"
        " SELECT 'q:evaluation', id FROM respondent",
        *(
            "INSERT INTO answer (campaign_id, respondent_id, action_id, status, comment,"
            f" updated_at, updated_by, version_id) SELECT 'q:evaluation', r.id, a.id, '{status}',"
            f" 'Commentaire {n}', :now, 'Agent', 3 FROM respondent r, action a"
            f" WHERE a.code = '1.1.{n}'"
            for n, status in ((1, "oui"), (2, "non"), (3, "nc"))
        ),
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), {"now": now})
    engine.dispose()

    db = open_database(db_url)
    try:
        (only,) = list_campaigns(db, "q")
        assert (only.id, only.title, only.period, only.previous_id) == (
            "q:evaluation",
            "Évaluation 2025",
            "",
            None,
        )
        assert only.current and only.roster == 1 and only.respondents == 1
        assert only.to_confirm == 0
        states = read_answers(db, "q:evaluation", "DDETS-44")
        assert {c: (s.status, s.comment, s.answered, s.version) for c, s in states.items()} == {
            "1.1.1": ("oui", "Commentaire 1", True, 3),
            "1.1.2": ("non", "Commentaire 2", True, 3),
            "1.1.3": ("nc", "Commentaire 3", True, 3),
        }
        created = create_campaign(db, "q:evaluation", "Évaluation 2026")
        assert created.to_confirm == 3 and created.roster == 1
    finally:
        db.close()


# Workbooks of a campaign created from a previous one ------------------------------------------


@pytest.fixture
def second(db):
    """DDETS-44 answered three actions of the built-in plan; the next campaign carries them."""
    plan = load_plan(db, SRADAR)
    mine = [a.code for a in plan.actions() if "DDETS" in " ".join(a.pilots)][:3]
    answer(
        db,
        "DDETS-44",
        {mine[0]: ("oui", "Fait."), mine[1]: ("non", "=pas encore"), mine[2]: ("nc", "")},
    )
    created = create_campaign(
        db, default_campaign_id(SRADAR), "Évaluation 2022", period="2021-2022"
    )
    return db, created, mine


def _sheet_rows(path, sheet="Questionnaire"):
    book = openpyxl.load_workbook(path)
    rows = list(book[sheet].iter_rows(values_only=True))
    return book[sheet], rows[0], rows[1:]


def test_blank_workbook_shows_the_previous_answers_read_only(second, tmp_path):
    db, created, mine = second
    path = tmp_path / "vierge.xlsx"
    blank_workbook(db, path, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    sheet, header, rows = _sheet_rows(path)
    assert list(header) == [
        "Code",
        "Objectif",
        "Thématique",
        "Action",
        "Pilotes",
        "Répondant",
        "Réalisation",
        "Commentaire",
        "Réalisation précédente",
        "Commentaire précédent",
    ]
    by_code = {row[0]: row for row in rows}
    assert by_code[mine[0]][6:] == (None, None, "oui", "Fait.")
    assert by_code[mine[1]][6:] == (None, None, "non", "=pas encore")
    assert by_code[mine[2]][6:] == (None, None, "nc", None)
    # Previous cells locked and greyed, the cells to fill free; the formula stays text.
    assert sheet["I2"].protection.locked and sheet["J2"].protection.locked
    assert sheet["I2"].fill.fgColor.rgb.endswith("E7E6E6")
    assert not sheet["G2"].protection.locked
    row = next(i for i, r in enumerate(rows, start=2) if r[0] == mine[1])
    assert sheet[f"J{row}"].data_type == "s"
    meta = dict(openpyxl.load_workbook(path)["_sradar"].iter_rows(values_only=True))
    assert meta["campagne_id"] == created.id and meta["campagne_titre"] == "Évaluation 2022"
    assert meta["campagne_periode"] == "2021-2022"
    assert meta["campagne_precedente_id"] == default_campaign_id(SRADAR)
    readme = " ".join(
        str(v)
        for r in openpyxl.load_workbook(path)["Lisez-moi"].iter_rows(values_only=True)
        for v in r
        if v
    )
    assert "Évaluation 2022 (période 2021-2022)" in readme and "Réalisation précédente" in readme

    # Filled in Excel: one answer typed; the file goes to the new campaign, that answer
    # confirmed, the others still carried.
    def fill(book):
        cells = book["Questionnaire"]
        line = next(i for i, r in enumerate(rows, start=2) if r[0] == mine[0])
        cells[f"G{line}"] = "oui"

    filled = edit_workbook(path, tmp_path / "rempli.xlsx", fill)
    import_file(db, filled)
    states = read_answers(db, created.id, "DDETS-44")
    assert states[mine[0]].answered and states[mine[0]].status == "oui"
    assert states[mine[1]].to_confirm and states[mine[2]].to_confirm


def test_answers_workbook_says_what_is_to_confirm_and_travels(second, tmp_path):
    db, created, mine = second
    service = AnswerService(db, created.id, "DDETS-44", "Agent")
    service.load()
    service.confirm(mine[0])
    path = tmp_path / "reponses.xlsx"
    export_workbook(db, path, campaign_id=created.id, respondent_code="DDETS-44")
    _sheet, header, rows = _sheet_rows(path)
    assert header[-3:] == ("Réalisation précédente", "Commentaire précédent", "Reprise à confirmer")
    by_code = {row[0]: row for row in rows}
    assert by_code[mine[0]][6:] == ("oui", "Fait.", "oui", "Fait.", None)
    assert by_code[mine[1]][6:] == ("non", "=pas encore", "non", "=pas encore", "oui")

    read = read_exchange_workbook(path)
    assert read.campaign_id == created.id and read.previous_campaign_id == created.previous_id
    flags = {line.action_code: line.to_confirm for line in read.answers}
    assert flags == {mine[0]: False, mine[1]: True, mine[2]: True}

    # Another database that never saw the campaign: created from the file, answers carried.
    other = open_database(tmp_path / "autre.sqlite3")
    try:
        import_file(other, path)
        (_first, imported) = list_campaigns(other, SRADAR)
        assert (imported.id, imported.title, imported.period, imported.previous_id) == (
            created.id,
            "Évaluation 2022",
            "2021-2022",
            created.previous_id,
        )
        states = read_answers(other, created.id, "DDETS-44")
        assert [states[c].to_confirm for c in mine] == [False, True, True]

        # The respondent clears « oui » in Excel for the second action: confirmed as it is.
        def clear(book):
            cells = book["Questionnaire"]
            line = next(i for i, r in enumerate(rows, start=2) if r[0] == mine[1])
            cells[f"K{line}"] = None

        cleared = edit_workbook(path, tmp_path / "confirme.xlsx", clear)
        import_file(other, cleared)
        states = read_answers(other, created.id, "DDETS-44")
        assert [states[c].to_confirm for c in mine] == [False, False, True]
        assert states[mine[1]].status == "non"
    finally:
        other.close()


def test_workbook_of_the_previous_format_still_imports(second, tmp_path):
    """A workbook as the writer made it before campaigns had a previous one: same columns as
    before, no period, no previous campaign in _sradar."""
    db, created, mine = second
    plan = load_plan(db, SRADAR)
    content = build_content(
        plan,
        campaign_id=created.id,
        campaign_title=created.title,
        respondents=[RespondentInfo("DDETS-44")],
        answers={("DDETS-44", mine[2]): Stamped(("oui", "Revu."), utcnow(), "Agent")},
        values={},
        exported_at=utcnow(),
        app_version="0.9",
    )
    path = tmp_path / "ancien.xlsx"
    write_exchange_workbook(content, path)
    _sheet, header, _rows = _sheet_rows(path)
    assert header[-1] == "Commentaire"
    meta = dict(openpyxl.load_workbook(path)["_sradar"].iter_rows(values_only=True))
    meta.pop("campagne_periode")
    meta.pop("campagne_precedente_id")
    import_file(db, path)
    states = read_answers(db, created.id, "DDETS-44")
    assert (states[mine[2]].status, states[mine[2]].comment, states[mine[2]].answered) == (
        "oui",
        "Revu.",
        True,
    )
    assert states[mine[0]].to_confirm


# Consolidation ----------------------------------------------------------------------------------


def _long_rows(path):
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Réponses"].iter_rows(values_only=True))
    book.close()
    return rows[0], rows[1:]


def test_consolidated_workbook_says_which_answers_are_confirmed(second, tmp_path):
    db, created, mine = second
    service = AnswerService(db, created.id, "DDETS-44", "Agent")
    service.load()
    service.set_status(mine[1], "partiellement")
    path = tmp_path / "consolide.xlsx"
    write_reports(db, workbook=path, campaign_id=created.id)
    header, rows = _long_rows(path)
    assert header[-1] == "Reprise à confirmer"
    marks = {row[0]: row[-1] for row in rows if row[-1]}
    assert marks == {mine[0]: "oui", mine[2]: "oui"}

    # The same from files, merged without a database.
    exported = tmp_path / "ddets-44.xlsx"
    export_workbook(db, exported, campaign_id=created.id, respondent_code="DDETS-44")
    merged = tmp_path / "fusion.xlsx"
    consolidate_files([exported], workbook=merged)
    header, rows = _long_rows(merged)
    assert header[-1] == "Reprise à confirmer"
    assert {row[0]: row[-1] for row in rows if row[-1]} == marks


def test_files_of_two_campaigns_are_not_consolidated_together(second, tmp_path, capsys):
    db, created, _mine = second
    old = tmp_path / "2021.xlsx"
    new = tmp_path / "2022.xlsx"
    other = tmp_path / "2022-bis.xlsx"
    export_workbook(db, old, campaign_id=created.previous_id, respondent_code="DDETS-44")
    export_workbook(db, new, campaign_id=created.id, respondent_code="DDETS-44")
    export_workbook(db, other, campaign_id=created.id, respondent_code="DDETS-44", all_actions=True)
    with pytest.raises(UserError, match="2 campagnes différentes") as refused:
        consolidate_files([old, new, other], workbook=tmp_path / "c.xlsx")
    assert refused.value.details == [
        f"Évaluation 2021-2023 ({created.previous_id}) : 2021.xlsx",
        f"Évaluation 2022 ({created.id}) : 2022-bis.xlsx, 2022.xlsx",
    ]
    assert not (tmp_path / "c.xlsx").exists()
    status, _out, err = _main(
        ["consolidate", str(old), str(new), "-o", str(tmp_path / "c.xlsx")], capsys
    )
    assert status == cli.EXIT_USER_ERROR
    assert "2 campagnes différentes" in err and "2021.xlsx" in err and "2022.xlsx" in err


def test_a_plan_table_imports_into_the_current_campaign(seeded, tmp_path):
    db, questionnaire, first = seeded
    created = create_campaign(db, first, "Évaluation 2022")
    # The same table, answered again with one status changed.
    data = SEED_000.read_bytes()
    assert b"DN@\toui" in data
    path = tmp_path / "evaluation-2022.txt"
    path.write_bytes(data.replace(b"DN@\toui", b"DN@\tnon", 1))

    import_file(db, path, respondent_code="SGAR-PDL")

    before = read_answers(db, first, "SGAR-PDL")
    after = read_answers(db, created.id, "SGAR-PDL")
    changed = {code for code in after if after[code].status != before[code].status}
    assert len(changed) == 1 and after[changed.pop()].status == "non"
    assert _by_status(before) == SEED_STATUSES  # the first campaign is left as it was
    # Every other answer, the same in the file, is confirmed by it.
    assert [(c.id, c.to_confirm) for c in list_campaigns(db, questionnaire)] == [
        (first, 0),
        (created.id, 0),
    ]


def test_carried_answers_not_confirmed_are_counted_apart(second, tmp_path):
    from sradar_desktop.services.consolidation import load_consolidation, load_sheet
    from sradar_desktop.services.views.consolidation import roster_figures, roster_sentence

    db, created, mine = second
    service = AnswerService(db, created.id, "DDETS-44", "Agent")
    service.load()
    service.confirm(mine[0])

    report = load_consolidation(db, campaign_id=created.id)
    results = {r.action.code: r for r in report.actions}
    # Only the confirmed answer is an answer of this campaign; the carried ones are shown with
    # their mark and their value, and counted apart: the action is « à confirmer ».
    assert [(a.respondent, a.status, a.to_confirm) for a in results[mine[0]].answers] == [
        ("DDETS-44", "oui", False)
    ]
    carried = results[mine[1]]
    assert [(a.respondent, a.status, a.to_confirm) for a in carried.answers] == [
        ("DDETS-44", "non", True)
    ]
    assert carried.distribution == {} and carried.synthesis == "nc"
    assert carried.final == TO_CONFIRM and not carried.answered
    assert report.overall.counts["oui"] == 1 and report.overall.answered == 1
    assert report.overall.to_confirm == 2 and report.overall.counts["non"] == 0
    (entry,) = report.roster
    assert (entry.code, entry.answered_actions, entry.to_confirm) == ("DDETS-44", 1, 2)
    # The previous campaign keeps its three answers.
    first = load_consolidation(db, campaign_id=created.previous_id)
    assert first.roster[0].answered_actions == 3 and first.roster[0].to_confirm == 0

    # The consolidation window's figures say it…
    sheet = load_sheet(db, campaign_id=created.id)
    figures = roster_figures(sheet.consolidation.roster, None)
    assert figures.to_confirm == 2
    assert " ; 2 réponses reprises à confirmer" in roster_sentence(figures)
    # … and the workbook's « Suivi » sheet, in a column of its own.
    path, pdf = tmp_path / "consolide.xlsx", tmp_path / "synthese.pdf"
    write_reports(db, workbook=path, pdf=pdf, campaign_id=created.id)
    _sheet, header, rows = _sheet_rows(path, "Suivi")
    line = dict(zip(header, next(row for row in rows if row[0] == "DDETS-44"), strict=True))
    assert (line["Actions renseignées"], line["Reprises à confirmer"]) == (1, 2)
    # The « Questionnaire » sheet shows the carried answer and its comment, marked.
    _sheet, header, rows = _sheet_rows(path)
    line = dict(zip(header, next(row for row in rows if row[0] == mine[1]), strict=True))
    assert (line["Répartition"], line["À confirmer"], line["Statut retenu"]) == (
        "à confirmer 1",
        1,
        "à confirmer",
    )
    assert line["Commentaires"] == "[DDETS de la Loire-Atlantique — à confirmer] =pas encore"
    # The PDF: counted apart in the synthesis, shown in the table of actions, the roster and
    # the annex of comments.
    text = " ".join(
        " ".join(page.extract_text().replace("\u00a0", " ").split())
        for page in pypdf.PdfReader(pdf).pages
    )
    assert "statut retenu : Oui 1 (1,4 %) · Partiellement 0 (0,0 %) · Non 0 (0,0 %)" in text
    assert "NC 68 (95,8 %) · À confirmer 2 (2,8 %)." in text
    assert "à confirmer 1 : DDETS-44 (Non)" in text
    assert "1 / " in text and "2 à confirmer" in text
    assert "reprise de l'évaluation précédente, à confirmer" in text

    # The same when the secretariat consolidates the files received, without a database.
    exported = tmp_path / "ddets-44.xlsx"
    export_workbook(db, exported, campaign_id=created.id, respondent_code="DDETS-44")
    merged = tmp_path / "fusion.xlsx"
    consolidate_files([exported], workbook=merged)
    _sheet, header, rows = _sheet_rows(merged, "Suivi")
    line = dict(zip(header, next(row for row in rows if row[0] == "DDETS-44"), strict=True))
    assert (line["Actions renseignées"], line["Reprises à confirmer"]) == (1, 2)


def test_one_count_of_answered_actions_in_the_window_the_command_line_and_the_workbook(
    second, tmp_path, capsys, monkeypatch
):
    """DDETS-44's three answers carried, one confirmed: the entry window, `export --respondent`
    and the consolidated workbook all say 1 of the actions it pilots, 2 to confirm."""
    db, created, mine = second
    identity = Identity.create("DDETS-44", "", "Agent")
    entry = open_entry(db, SRADAR, identity)
    assert entry.service is not None and entry.service.confirm(mine[0])
    sheet = EntrySheet(entry.sheet.plan, entry.service.load(), "DDETS-44")
    progress = sheet.progress()
    carried = sum(1 for row in sheet.scope if row.to_confirm)
    assert (progress.answered, carried) == (1, 2)

    exported = tmp_path / "ddets-44.xlsx"
    result = export_workbook(db, exported, campaign_id=created.id, respondent_code="DDETS-44")
    assert (result.completion.answered, result.completion.to_confirm) == (1, 2)
    assert result.completion.total == progress.total
    described = f"({progress.answered} / {progress.total} renseignée ; 2 à confirmer)"
    assert described in result.describe()

    path = tmp_path / "consolide.xlsx"
    write_reports(db, workbook=path, campaign_id=created.id)
    _sheet, header, rows = _sheet_rows(path, "Suivi")
    line = dict(zip(header, next(row for row in rows if row[0] == "DDETS-44"), strict=True))
    assert (line["Actions attendues"], line["Actions renseignées"]) == (progress.total, 1)
    assert line["Reprises à confirmer"] == 2

    # The command line prints the same count.
    monkeypatch.setattr("sradar_desktop.services.opening.open_database", lambda *_a, **_k: db)
    status = cli.main(
        [
            "export",
            "--campaign",
            created.id,
            "--respondent",
            "DDETS-44",
            "-o",
            str(tmp_path / "cli.xlsx"),
        ]
    )
    assert status == 0
    assert described in capsys.readouterr().out


def test_a_new_campaign_learnt_from_a_workbook_keeps_its_roster_and_due_date(db, tmp_path):
    """The region created the next campaign on its workstation (six services expected, due
    30/06/2027) and DDETS-44 answered it; the secretariat's database knows only the first
    campaign. Importing DDETS-44's workbook creates the campaign with the services expected and
    the due date the file gives; undoing the import removes them again."""
    from sradar_desktop.services.imports import undo_import

    region = open_database(tmp_path / "region.sqlite3")
    services = ["DDETS-44", "DDETS-49", "DDETS-53", "DDETS-72", "DDETS-85", "DREETS-PDL"]
    try:
        answer(region, "DDETS-44", {"1.1.1": ("oui", "Fait.")})
        first = default_campaign_id(SRADAR)
        set_roster(region, first, [member(code) for code in services])
        created = create_campaign(
            region, first, "Évaluation 2025", due_date=date(2027, 6, 30), actor="DREETS"
        )
        AnswerService(region, created.id, "DDETS-44", "Agent").set_status("1.1.1", "non")
        sent = tmp_path / "ddets-44.xlsx"
        export_workbook(region, sent, campaign_id=created.id, respondent_code="DDETS-44")
    finally:
        region.close()
    meta = dict(openpyxl.load_workbook(sent)["_sradar"].iter_rows(values_only=True))
    assert meta["campagne_date_limite"] == "2027-06-30"
    assert meta["campagne_attendus"] == ",".join(services)
    readme = [
        c
        for row in openpyxl.load_workbook(sent)["Lisez-moi"].iter_rows(values_only=True)
        for c in row
    ]
    assert "30 juin 2027" in " ".join(str(c) for c in readme if c)

    # The secretariat: the first campaign only (its own roster of two).
    answer(db, "DDETS-44", {"1.1.1": ("oui", "Fait.")})
    set_roster(db, default_campaign_id(SRADAR), [member("DDETS-44"), member("DDETS-49")])
    outcome = import_file(db, sent)
    assert (
        "nouvelle campagne « Évaluation 2025 » (6 services attendus, réponses attendues le "
        "30/06/2027)" in outcome.describe()
    )
    (campaign,) = [c for c in list_campaigns(db, SRADAR) if c.id == created.id]
    assert (campaign.roster, campaign.due_date) == (6, date(2027, 6, 30))
    assert resolve_campaign(db, SRADAR)[1] == created.id
    with db.read() as session:
        roster = set(
            session.scalars(
                select(ExpectedRespondent.respondent_id).where(
                    ExpectedRespondent.campaign_id == created.id
                )
            )
        )
    assert len(roster) == 6

    # Undone: the campaign and the services only it named are gone.
    assert outcome.import_id is not None
    undo_import(db, outcome.import_id)
    assert [c.id for c in list_campaigns(db, SRADAR)] == [default_campaign_id(SRADAR)]


def test_a_workbook_without_roster_takes_the_previous_campaigns(db, tmp_path):
    """A workbook of an earlier release says nothing of the roster: the campaign it creates
    expects the services of the campaign it was created from, when this database has it."""
    answer(db, "DDETS-44", {"1.1.1": ("oui", "")})
    first = default_campaign_id(SRADAR)
    set_roster(db, first, [member("DDETS-44"), member("DDETS-49")])
    plan = load_plan(db, SRADAR)
    content = build_content(
        plan,
        campaign_id=f"{SRADAR}:evaluation-2025",
        campaign_title="Évaluation 2025",
        respondents=[RespondentInfo("DDETS-44")],
        answers={("DDETS-44", "1.1.1"): Stamped(("non", ""), utcnow(), "Agent")},
        values={},
        exported_at=utcnow(),
        app_version="0.9",
        previous_campaign_id=first,
    )
    path = tmp_path / "ancien.xlsx"
    write_exchange_workbook(content, path)
    outcome = import_file(db, path)
    assert "nouvelle campagne « Évaluation 2025 » (services attendus repris" in outcome.describe()
    (campaign,) = [c for c in list_campaigns(db, SRADAR) if c.previous_id == first]
    assert (campaign.roster, campaign.due_date) == (2, None)
