"""The sending round by email: the services' addresses and the return address (kept with the
campaign, imported from a list, carried by the next campaign and by the workbooks), one draft
per service with its blank attached, reminders that say what is missing, the answers sent back.

Every draft is read back by Python's ``email`` package and by a second, independent parser
(fast-mail-parser, written in Rust)."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from pathlib import Path

import fast_mail_parser
import openpyxl
import pytest
from exchange_support import SRADAR, answer
from sqlalchemy import create_engine, text
from support import snapshot

from sradar_desktop import cli
from sradar_desktop.db.migrate import run_migrations
from sradar_desktop.domain.consolidation import expected_actions
from sradar_desktop.errors import FileRefusedError, UserError
from sradar_desktop.mail.addresses import AddressError, parse_addresses
from sradar_desktop.mail.names import safe_file_name
from sradar_desktop.services.addresses import (
    import_addresses,
    return_address,
    set_return_address,
)
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.consolidation import RosterMember, roster, set_due_date, set_roster
from sradar_desktop.services.exchange import blank_workbook, export_workbook
from sradar_desktop.services.imports import import_file, undo_import
from sradar_desktop.services.mailing import (
    answers_draft,
    missing_answers,
    prepare_drafts,
    prepare_reminders,
)
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id, load_plan
from sradar_desktop.services.sending import check_roster, member
from sradar_desktop.workbook.reader import read_exchange_workbook

CAMPAIGN = default_campaign_id(SRADAR)
BACK = "sgar-evaluation@example.gouv.fr"
ADDRESSES = {
    "DDETS-44": "ddets44@example.gouv.fr",
    "DDETS-49": "ddets49@example.gouv.fr, chef.pole@example.gouv.fr",
    "DREETS-PDL": "dreets-pdl@example.gouv.fr",
}


def _roster(db, codes=("DDETS-44", "DDETS-49", "DREETS-PDL")) -> None:
    set_roster(db, CAMPAIGN, [member(code, "", ADDRESSES.get(code, "")) for code in codes])
    set_return_address(db, CAMPAIGN, BACK)


def _parse(path: Path):
    """The draft by Python's email package and by fast-mail-parser."""
    data = path.read_bytes()
    return (
        email.message_from_bytes(data, policy=email.policy.default),
        fast_mail_parser.parse_email(data, strict=True),
    )


# Addresses ------------------------------------------------------------------------------------


def test_addresses_are_checked_as_typed():
    assert parse_addresses(" DDETS 44 <Ddets-44@Example.GOUV.fr> ; b@x.fr, b@X.fr") == (
        "Ddets-44@example.gouv.fr",
        "b@x.fr",
    )
    assert parse_addresses('"Dupont, Jean" <jean.dupont@x.fr>') == ("jean.dupont@x.fr",)
    assert parse_addresses("  ") == ()
    for wrong in ("jean@", "jean dupont@x.fr", "x@y", "a@x.fr b@x.fr", "<>"):
        with pytest.raises(AddressError, match="n'est pas une adresse de courriel"):
            parse_addresses(wrong)
    with pytest.raises(UserError, match="L'adresse de DDETS-44 est à corriger : « ddets44@ »"):
        member("ddets 44", "", "ddets44@")
    with pytest.raises(UserError) as problems:
        check_roster([("DDETS-44", "", "ddets44@x.fr"), ("DDETS-49", "", "pas une adresse")])
    assert problems.value.details == [
        "ligne 2 : l'adresse de DDETS-49 est à corriger : « pas une adresse » n'est pas une "
        "adresse de courriel (par exemple ddets-44@example.gouv.fr)"
    ]


def test_roster_keeps_its_addresses_and_the_next_campaign_carries_them(db):
    _roster(db)
    assert {m.code: m.email for m in roster(db, CAMPAIGN)} == ADDRESSES
    # A roster edited without its addresses (a window that does not show them) keeps them;
    # an empty address removes one.
    set_roster(db, CAMPAIGN, [*check_roster([("DDETS-44", "DDETS 44"), ("DDETS-49", "")])])
    set_roster(db, CAMPAIGN, [*roster(db, CAMPAIGN), member("DREETS-PDL", "", "")])
    assert {m.code: m.email for m in roster(db, CAMPAIGN)} == {**ADDRESSES, "DREETS-PDL": ""}
    with pytest.raises(UserError, match="L'adresse de retour est à corriger"):
        set_return_address(db, CAMPAIGN, "secrétariat")
    assert return_address(db, CAMPAIGN) == BACK

    created = create_campaign(db, CAMPAIGN, "Évaluation 2024")
    assert {m.code: m.email for m in roster(db, created.id)} == {
        **ADDRESSES,
        "DREETS-PDL": "",
    }
    assert return_address(db, created.id) == BACK


def test_address_list_from_csv_and_xlsx(db, tmp_path):
    set_roster(db, CAMPAIGN, [member("DDETS-44"), member("DDETS-49"), member("DDETS-53")])
    # As Excel saves « CSV (séparateur : point-virgule) » on a French Windows: cp1252.
    listed = tmp_path / "adresses.csv"
    listed.write_bytes(
        "Code;Service;Adresse\r\n"
        "ddets 44;DDETS de Loire-Atlantique;ddets44@example.gouv.fr\r\n"
        "DDETS-49;Préfecture;Pôle <pole49@example.gouv.fr>\r\n"
        "DDETS-49;;adjoint49@example.gouv.fr\r\n"
        "PREF-85;Préfecture de Vendée;pref85@example.gouv.fr\r\n".encode("cp1252")
    )
    result = import_addresses(db, CAMPAIGN, listed)
    assert (result.changed, result.not_expected, result.without) == (
        ["DDETS-44", "DDETS-49"],
        ["PREF-85"],
        ["DDETS-53"],
    )
    assert "PREF-85" in result.describe() and "Toujours sans adresse : DDETS-53" in (
        result.describe()
    )
    assert {m.code: m.email for m in roster(db, CAMPAIGN)} == {
        "DDETS-44": "ddets44@example.gouv.fr",
        "DDETS-49": "pole49@example.gouv.fr, adjoint49@example.gouv.fr",
        "DDETS-53": "",
    }
    # A workbook, UTF-8 comma-separated text, --add.
    book = openpyxl.Workbook()
    book.active.append(["DDETS-53", "ddets53@example.gouv.fr"])
    book.active.append(["PREF-85", "pref85@example.gouv.fr"])
    book.save(tmp_path / "adresses.xlsx")
    result = import_addresses(db, CAMPAIGN, tmp_path / "adresses.xlsx", add=True)
    assert (result.changed, result.added, result.without) == (["DDETS-53"], ["PREF-85"], [])
    utf8 = tmp_path / "adresses.txt"
    utf8.write_text("\ufeffDDETS-53,ddets53@example.gouv.fr\n", encoding="utf-8")
    assert import_addresses(db, CAMPAIGN, utf8).unchanged == ["DDETS-53"]

    # A list with mistakes changes nothing and names every line to correct.
    before = snapshot(db)
    wrong = tmp_path / "fautes.csv"
    wrong.write_text("DDETS-44;ddets44@\nTotal 😀;x@y.fr\nDDETS-72;\nDDETS-85;ok@x.fr\n")
    with pytest.raises(FileRefusedError) as refused:
        import_addresses(db, CAMPAIGN, wrong)
    assert refused.value.details == [
        "ligne 1 : « ddets44@ » n'est pas une adresse de courriel (par exemple "
        "ddets-44@example.gouv.fr)",
        "ligne 2 : « Total 😀 » n'est pas un code de service (par exemple DDETS-44)",
        "ligne 3 : aucune adresse pour DDETS-72",
    ]
    assert "Rien n'a été modifié" in str(refused.value)
    assert snapshot(db) == before


def test_upgrade_from_0008_keeps_the_roster(db_url):
    """A database of the previous schema, with a roster: every row stays, without address."""
    run_migrations(db_url, "0008")
    engine = create_engine(db_url)
    now = datetime(2026, 11, 30, 9, 0)
    statements = [
        "INSERT INTO questionnaire (id, title, short_title, period, region, description, source,"
        " origin, version_digest, created_at) VALUES ('q', 'Plan', '', '2025', '', '', '',"
        " 'import', 'x', :now)",
        "INSERT INTO campaign (id, questionnaire_id, title, created_at, period)"
        " VALUES ('q:evaluation', 'q', 'Évaluation 2025', :now, '')",
        *(
            "INSERT INTO respondent (code, label, department, created_at)"
            f" VALUES ('{code}', 'Service {code}', '', :now)"
            for code in ("DDETS-44", "DDETS-49")
        ),
        "INSERT INTO expected_respondent (campaign_id, respondent_id)"
        " SELECT 'q:evaluation', id FROM respondent",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), {"now": now})
    engine.dispose()

    db = open_database(db_url)
    try:
        assert roster(db, "q:evaluation") == [
            RosterMember("DDETS-44", "Service DDETS-44", "", ""),
            RosterMember("DDETS-49", "Service DDETS-49", "", ""),
        ]
        assert return_address(db, "q:evaluation") == ""
        set_roster(db, "q:evaluation", [member("DDETS-44", "", "a@x.fr"), member("DDETS-49")])
        assert [m.email for m in roster(db, "q:evaluation")] == ["a@x.fr", ""]
    finally:
        db.close()


# The workbook carries the return address ------------------------------------------------------


def test_the_blank_carries_the_return_address_and_the_agent_learns_it(db, tmp_path):
    _roster(db)
    blank = tmp_path / "vierge.xlsx"
    blank_workbook(db, blank, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    assert read_exchange_workbook(blank).return_address == BACK
    readme = [
        " ".join(str(c) for c in row if c)
        for row in openpyxl.load_workbook(blank)["Lisez-moi"].iter_rows(values_only=True)
    ]
    assert f"À renvoyer à {BACK}" in readme
    assert any(f"Renvoyez ce classeur par courriel à {BACK}." in line for line in readme)

    # The agent's own database learns where its answers go from the blank it imports; undoing
    # that import forgets it again.
    agent = open_database(tmp_path / "agent.sqlite3")
    try:
        imported = import_file(agent, blank)
        assert return_address(agent, CAMPAIGN) == BACK
        undo_import(agent, imported.import_id)
        assert return_address(agent, CAMPAIGN) == ""
    finally:
        agent.close()


# Drafts -----------------------------------------------------------------------------------------


def test_a_draft_per_service_with_its_blank_attached(db, tmp_path):
    _roster(db, ("DDETS-44", "DDETS-49", "DREETS-PDL", "SGAR-PDL"))
    set_due_date(db, CAMPAIGN, date(2027, 6, 30))
    result = prepare_drafts(db, tmp_path)
    plan = load_plan(db, SRADAR)
    assert [w.code for w in result.written] == ["DDETS-44", "DDETS-49", "DREETS-PDL"]
    assert result.skipped == [
        (
            "SGAR-PDL",
            "ne pilote aucune action du questionnaire, pas de message (--all pour lui envoyer "
            "toutes les actions).",
        )
    ]
    for written in result.written:
        ours, theirs = _parse(written.draft)
        to = tuple(ADDRESSES[written.code].split(", "))
        assert written.draft.name == f"SRADAR-2021-2023_{written.code}.eml"
        assert ours["X-Unsent"] == "1" and ours["From"] == BACK
        assert tuple(a.addr_spec for a in ours["To"].addresses) == to
        assert theirs.headers["X-Unsent"] == ["1"]
        assert tuple(a.address for a in theirs.to) == to
        assert theirs.from_.address == BACK
        subject = (
            f"SRADAR 2021-2023 — Pays de la Loire — Évaluation 2021-2023 : questionnaire de "
            f"{written.code} à renvoyer avant le 30/06/2027"
        )
        assert ours["Subject"] == theirs.subject == subject
        body = ours.get_body(("plain",)).get_content()
        assert body.replace("\r\n", "\n") == "\n".join(theirs.text_plain).replace("\r\n", "\n")
        actions = len(expected_actions(plan, written.code))
        for expected in (
            "l'évaluation « Évaluation 2021-2023 » du plan « SRADAR 2021-2023 — Pays de la Loire »",
            f"{actions} actions à renseigner",
            "Merci de le renvoyer avant le 30 juin 2027.",
            "avec SRADAR Desktop : importez le classeur joint",
            "sans l'application : ouvrez le classeur dans Excel ou LibreOffice",
            f"Renvoyez le classeur rempli en pièce jointe à {BACK}",
        ):
            assert expected in body, expected
        # The attachment is the blank beside the draft, byte for byte, for both parsers.
        (attachment,) = ours.iter_attachments()
        (their_attachment,) = theirs.attachments
        assert attachment.get_filename() == their_attachment.filename == written.workbook.name
        assert attachment.get_content() == their_attachment.content
        assert attachment.get_content() == written.workbook.read_bytes()
        content = read_exchange_workbook(written.workbook)
        assert content.kind == "vierge" and content.return_address == BACK
        assert [r.code for r in content.respondents] == [written.code]
    # The attachment imports, as the blank does.
    assert import_file(db, result.written[0].workbook).applied == 0

    # --services and --all; a service not expected is refused by name.
    only = prepare_drafts(db, tmp_path / ".", codes=["sgar pdl"], all_actions=True)
    assert [(w.code, w.actions) for w in only.written] == [("SGAR-PDL", len(plan.actions()))]
    with pytest.raises(UserError, match="PREF-85 : pas dans la liste des services attendus"):
        prepare_drafts(db, tmp_path, codes=["PREF-85"])


def test_reminders_list_exactly_the_missing_services_and_actions(db, tmp_path):
    _roster(db, ("DDETS-44", "DDETS-49", "DREETS-PDL"))
    plan = load_plan(db, SRADAR)
    mine = {code: [a.code for a in expected_actions(plan, code)] for code in ADDRESSES}
    answer(db, "DDETS-44", {code: ("oui", "") for code in mine["DDETS-44"]})
    answer(db, "DDETS-49", {code: ("non", "") for code in mine["DDETS-49"][2:]})
    # A comment alone is no answer.
    answer(db, "DREETS-PDL", {mine["DREETS-PDL"][0]: (None, "en cours")})

    result = prepare_reminders(db, tmp_path)
    assert [w.code for w in result.written] == ["DDETS-49", "DREETS-PDL"]
    assert result.skipped == [("DDETS-44", "toutes ses réponses sont là, pas de relance.")]
    by_code = {w.code: w for w in result.written}
    assert [c for c, _ in by_code["DDETS-49"].missing.unanswered] == mine["DDETS-49"][:2]
    assert by_code["DREETS-PDL"].missing.nothing
    ours, theirs = _parse(by_code["DDETS-49"].draft)
    body = ours.get_body(("plain",)).get_content()
    listed = [line[2:].split(" : ")[0] for line in body.splitlines() if line.startswith("- 1")]
    listed += [line[2:].split(" : ")[0] for line in body.splitlines() if line.startswith("- 2")]
    assert sorted(listed) == sorted(mine["DDETS-49"][:2])
    assert f"Sans réponse (2 actions sur {len(mine['DDETS-49'])})" in body
    assert by_code["DDETS-49"].draft.name == "SRADAR-2021-2023_DDETS-49_relance.eml"
    assert theirs.subject.startswith("Relance — SRADAR 2021-2023")
    assert theirs.attachments[0].content == by_code["DDETS-49"].workbook.read_bytes()
    body = _parse(by_code["DREETS-PDL"].draft)[0].get_body(("plain",)).get_content()
    assert "nous n'avons reçu aucune réponse de DREETS des Pays de la Loire (DREETS-PDL)" in body

    # Services heard from since a day are left alone.
    # Services heard from since a day (an answer, even a comment alone) are left alone.
    later = prepare_reminders(db, tmp_path, since=date.today())
    assert later.written == []
    skipped = dict(later.skipped)
    assert "depuis le" in skipped["DDETS-49"] and "depuis le" in skipped["DREETS-PDL"]
    assert "(2 actions sans réponse)" in skipped["DDETS-49"]


def test_reminders_ask_for_the_carried_answers_to_confirm(db, tmp_path):
    _roster(db, ("DDETS-44",))
    plan = load_plan(db, SRADAR)
    mine = [a.code for a in expected_actions(plan, "DDETS-44")]
    answer(db, "DDETS-44", {code: ("oui", "") for code in mine})
    created = create_campaign(db, CAMPAIGN, "Évaluation 2024")
    service = AnswerService(db, created.id, "DDETS-44", "Agent")
    service.set_status(mine[0], "non")  # changed, so confirmed
    service.confirm(mine[1])

    (owed,) = missing_answers(db, created.id).values()
    assert owed.unanswered == ()
    assert [c for c, _ in owed.to_confirm] == mine[2:]
    result = prepare_reminders(db, tmp_path, campaign_id=created.id)
    (written,) = result.written
    body = _parse(written.draft)[0].get_body(("plain",)).get_content()
    assert "Réponses reprises de l'évaluation précédente, à confirmer" in body
    assert f"{len(mine) - 2} réponses à confirmer" in written.describe()


def test_the_agent_sends_its_answers_back(db, tmp_path):
    """The agent's database learnt the return address from the blank it imported."""
    _roster(db)
    blank = tmp_path / "vierge.xlsx"
    blank_workbook(db, blank, questionnaire_id=SRADAR, respondent_code="DDETS-44")
    agent = open_database(tmp_path / "agent.sqlite3")
    try:
        import_file(agent, blank)
        answer(agent, "DDETS-44", {"1.1.1": ("oui", "fait")})
        exported = tmp_path / "SRADAR-2021-2023_DDETS-44_2027-03-16.xlsx"
        result = export_workbook(agent, exported, respondent_code="DDETS-44")
        draft = answers_draft(
            agent, exported, respondent_code="DDETS-44", completion=result.completion.describe()
        )
    finally:
        agent.close()
    assert draft.path == exported.with_suffix(".eml")
    assert draft.attachments == (exported,) and draft.to == (BACK,)
    ours, theirs = _parse(draft.path)
    assert [a.addr_spec for a in ours["To"].addresses] == [BACK]
    assert theirs.subject.endswith("réponses de DDETS-44")
    assert theirs.attachments[0].content == exported.read_bytes()
    assert "1 / " in ours.get_body(("plain",)).get_content()


def test_safe_file_names():
    assert safe_file_name("..\\..\\Démarrage\\réponse.xlsx") == "réponse.xlsx"
    assert safe_file_name("/etc/passwd") == "passwd"
    assert safe_file_name("CON") == "_CON"
    assert safe_file_name("nul.xlsx") == "_nul.xlsx"
    assert safe_file_name("com1.tar.xlsx") == "_com1.tar.xlsx"
    assert safe_file_name('a<b>:"c|?*\x07.xlsx') == "a_b___c____.xlsx"
    assert safe_file_name(" . . ") == "piece-jointe"
    long = safe_file_name("x" * 300 + ".xlsx")
    assert len(long) == 120 and long.endswith(".xlsx")


def test_send_and_addresses_commands(tmp_path, capsys):
    base = str(tmp_path / "base.sqlite3")
    listed = tmp_path / "liste.csv"
    listed.write_text("DDETS-44;ddets44@example.gouv.fr\nDDETS-49;ddets49@example.gouv.fr\n")
    status = cli.main(
        ["addresses", "--db", base, "--campaign", CAMPAIGN, str(listed), "--add",
         "--return-address", BACK]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"adresse de retour : {BACK}" in out
    assert "DDETS-44  ddets44@example.gouv.fr" in out
    folder = tmp_path / "envoi"
    folder.mkdir()
    status = cli.main(["send", "--db", base, "--campaign", CAMPAIGN, "-o", str(folder)])
    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith(
        "DDETS-44 : SRADAR-2021-2023_DDETS-44.eml et SRADAR-2021-2023_DDETS-44.xlsx, à "
        "ddets44@example.gouv.fr ("
    )
    assert lines[1].startswith("DDETS-49 : ")
    assert lines[2].startswith("Rien n'a été envoyé")
    status = cli.main(
        ["send", "--db", base, "-o", str(folder), "--reminders", "--since", "01/01/2020",
         "--services", "ddets-49"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[0].startswith(
        "DDETS-49 : relance SRADAR-2021-2023_DDETS-49_relance.eml"
    )
    assert "(aucune réponse)" in out.splitlines()[0]
    status = cli.main(["send", "--db", base, "-o", str(folder), "--since", "01/01/2020"])
    assert status == 1
    assert "--since ne sert qu'avec --reminders" in capsys.readouterr().err
    # The agent's side: the answers exported with a message to the return address.
    exported = tmp_path / "réponses DDETS-44.xlsx"
    status = cli.main(
        ["export", "--db", base, "--respondent", "DDETS-44", "-o", str(exported), "--message"]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[-1] == (
        "Message à envoyer : réponses DDETS-44.eml, rien n'a été envoyé."
    )
    _ours, theirs = _parse(exported.with_suffix(".eml"))
    assert [a.address for a in theirs.to] == [BACK]
    assert theirs.attachments[0].content == exported.read_bytes()
