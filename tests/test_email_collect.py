"""Answers collected from saved messages: ``.eml`` files in the shapes Outlook and Thunderbird
write, Outlook ``.msg`` files built to MS-OXMSG (checked by an independent reader, python-oxmsg),
each attached workbook imported exactly as the file itself would be, reported with its message;
the sender matched against the campaign's addresses; hostile messages refused, nothing changed.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import fast_mail_parser
import hostile_corpus as corpus
import oxmsg
import pytest
from exchange_support import SRADAR, answer, state
from mail_support import (
    MsgAttachment,
    MsgMessage,
    build_msg,
    outlook_eml,
    thunderbird_eml,
    write,
)
from support import snapshot

from sradar_desktop import cli
from sradar_desktop.mail import reader as mail_reader
from sradar_desktop.mail.reader import read_message
from sradar_desktop.services.campaigns import create_campaign
from sradar_desktop.services.consolidation import set_roster
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.files.consolidating import consolidate_files
from sradar_desktop.services.imports import import_files, preview_files
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.services.refusals import refused_files
from sradar_desktop.services.sending import member

CAMPAIGN = default_campaign_id(SRADAR)
FROM_44 = "ddets44@example.gouv.fr"
FROM_49 = "ddets49@example.gouv.fr"
ANSWERS = {
    "DDETS-44": {"1.1.1": ("oui", "Réalisé « en 2022 »"), "1.1.3": ("non", "")},
    "DDETS-49": {"1.1.1": ("partiellement", "En cours"), "1.2.1": ("nc", "")},
}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """The answers workbook of two services, as their agents export them."""
    folder = tmp_path_factory.mktemp("classeurs")
    db = open_database(folder / "agents.sqlite3")
    paths = {}
    for code, given in ANSWERS.items():
        answer(db, code, given)
        paths[code] = folder / f"SRADAR-2021-2023_{code}_2027-03-16.xlsx"
        export_workbook(db, paths[code], respondent_code=code)
    db.close()
    return paths


@pytest.fixture(scope="module")
def expected_state(workbooks, tmp_path_factory) -> dict:
    """What importing the two workbooks as files gives: the reference for the messages."""
    folder = tmp_path_factory.mktemp("reference")
    db = open_database(folder / "reference.sqlite3")
    results = import_files(db, list(workbooks.values()))
    assert all(r.error is None for r in results)
    found = state(db)
    db.close()
    return found


def _answers(db_or_state) -> dict:
    """Everything but the services known (the roster adds one that never answered)."""
    found = db_or_state if isinstance(db_or_state, dict) else state(db_or_state)
    return {key: value for key, value in found.items() if key != "entities"}


def _roster(db) -> None:
    set_roster(
        db,
        CAMPAIGN,
        [member("DDETS-44", "", FROM_44), member("DDETS-49", "", FROM_49), member("DDETS-53")],
    )


def _messages(workbooks: dict[str, Path], folder: Path) -> dict[str, Path]:
    data44, data49 = workbooks["DDETS-44"].read_bytes(), workbooks["DDETS-49"].read_bytes()
    forwarded = thunderbird_eml(
        sender=FROM_49,
        sender_name="Agent DDETS 49",
        subject="Nos réponses",
        attachments=[("Réponses DDETS 49 « finales ».xlsx", data49)],
    )
    return {
        "outlook": write(
            folder / "Réponse DDETS 44.eml",
            outlook_eml(
                sender=FROM_44,
                sender_name="José Dupont – DDETS 44",
                subject="RE: Évaluation du SRADAR : réponses",
                attachments=[("SRADAR-2021-2023_DDETS-44 réponses été.xlsx", data44)],
            ),
        ),
        "thunderbird": write(
            folder / "Fwd réponses.eml",
            thunderbird_eml(
                sender="secretariat@example.gouv.fr",
                sender_name="Secrétariat",
                subject="Tr : réponses de la Mayenne et du Maine-et-Loire",
                attachments=[],
                forwarded=forwarded,
            ),
        ),
        "msg": write(
            folder / "Réponse DDETS 44.msg",
            build_msg(
                MsgMessage(
                    "RE: Évaluation – réponses de la DDETS 44",
                    "José Dupont",
                    FROM_44,
                    attachments=[
                        MsgAttachment("SRADAR-2021-2023_DDETS-44.xlsx", data44),
                        MsgAttachment("logo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
                    ],
                    exchange_sender=True,
                )
            ),
        ),
    }


def test_the_builders_write_what_other_readers_read(workbooks, tmp_path):
    """The test messages are what they claim: read by parsers that are not ours."""
    messages = _messages(workbooks, tmp_path)
    parsed = fast_mail_parser.parse_email(messages["outlook"].read_bytes())
    assert parsed.subject == "RE: Évaluation du SRADAR : réponses"
    assert parsed.from_.address == FROM_44 and parsed.from_.display_name == "José Dupont – DDETS 44"
    assert [a.content for a in parsed.attachments] == [workbooks["DDETS-44"].read_bytes()]
    stdlib = email.message_from_bytes(
        messages["thunderbird"].read_bytes(), policy=email.policy.default
    )
    (forwarded,) = stdlib.iter_attachments()
    inner = forwarded.get_content()
    (attached,) = inner.iter_attachments()
    assert attached.get_filename() == "Réponses DDETS 49 « finales ».xlsx"
    assert attached.get_content() == workbooks["DDETS-49"].read_bytes()
    msg = oxmsg.Message.load(str(messages["msg"]))
    assert msg.subject == "RE: Évaluation – réponses de la DDETS 44"
    assert next((a.file_name, a.file_bytes) for a in msg.attachments) == (
        "SRADAR-2021-2023_DDETS-44.xlsx",
        workbooks["DDETS-44"].read_bytes(),
    )


def test_messages_import_exactly_as_their_workbooks(db, workbooks, expected_state, tmp_path):
    _roster(db)
    messages = _messages(workbooks, tmp_path)
    results = import_files(db, [messages["outlook"], messages["thunderbird"]])
    assert [(r.display_name, r.error) for r in results] == [
        ("Réponse DDETS 44.eml › SRADAR-2021-2023_DDETS-44 réponses été.xlsx", None),
        ("Fwd réponses.eml › Réponses DDETS 49 « finales ».xlsx", None),
    ]
    assert [r.path for r in results] == [messages["outlook"], messages["thunderbird"]]
    assert _answers(db) == _answers(expected_state)
    outlook, thunderbird = (r.outcome for r in results)
    local = datetime(2027, 3, 16, 9, 14, 5, tzinfo=UTC).astimezone().strftime("%d/%m/%Y à %H:%M")
    assert outlook.source == (
        f"Reçu par courriel de José Dupont – DDETS 44 <{FROM_44}>, le {local}, objet « RE: "
        "Évaluation du SRADAR : réponses »."
    )
    # The forwarded message keeps its own sender, matched against the service's address.
    assert f"<{FROM_49}>" in thunderbird.source and "objet « Nos réponses »" in thunderbird.source
    assert outlook.sender_warning == thunderbird.sender_warning == ""
    assert outlook.respondents == ("DDETS-44",)
    assert outlook.describe().startswith(
        "Réponse DDETS 44.eml › SRADAR-2021-2023_DDETS-44 réponses été.xlsx : questionnaire "
        "sradar-2021-2023, répondant DDETS-44 : 2 réponses nouvelles"
    )
    # The same workbook again, as a message of another shape: already imported.
    (again,) = import_files(db, [messages["msg"]])
    assert again.outcome.already_imported_at is not None
    assert "José Dupont" in again.outcome.describe()
    assert _answers(db) == _answers(expected_state)


def test_outlook_msg_imports_exactly(db, workbooks, expected_state, tmp_path):
    _roster(db)
    messages = _messages(workbooks, tmp_path)
    data49 = workbooks["DDETS-49"].read_bytes()
    # An ANSI .msg (8-bit strings, Windows-1252) holding a message attached to it.
    ansi = write(
        tmp_path / "Transfert.msg",
        build_msg(
            MsgMessage(
                "TR: réponses Maine-et-Loire",
                "Secrétariat",
                "secretariat@example.gouv.fr",
                unicode=False,
                attachments=[
                    MsgAttachment(
                        "Réponse",
                        embedded=MsgMessage(
                            "Réponse 49 été",
                            "Agent 49",
                            FROM_49,
                            unicode=False,
                            attachments=[MsgAttachment("Réponse 49 été.xlsx", data49)],
                        ),
                    )
                ],
            )
        ),
    )
    assert [a.file_name for a in oxmsg.Message.load(str(ansi)).attachments] == ["Réponse"]
    results = import_files(db, [messages["msg"], ansi])
    assert [(r.display_name, r.error) for r in results] == [
        ("Réponse DDETS 44.msg › SRADAR-2021-2023_DDETS-44.xlsx", None),
        ("Transfert.msg › Réponse 49 été.xlsx", None),
    ]
    assert _answers(db) == _answers(expected_state)
    first, second = (r.outcome for r in results)
    assert f"José Dupont <{FROM_44}>" in first.source and first.sender_warning == ""
    assert f"Agent 49 <{FROM_49}>" in second.source and second.sender_warning == ""
    read = read_message(messages["msg"])
    assert read.info.date == datetime(2027, 3, 16, 9, 14, 5, tzinfo=UTC)


def test_a_sender_who_is_not_the_service_is_said(db, workbooks, tmp_path):
    _roster(db)
    data44 = workbooks["DDETS-44"].read_bytes()
    from_49 = write(
        tmp_path / "a.eml",
        thunderbird_eml(
            sender=FROM_49.upper(),
            sender_name="DDETS 49",
            subject="x",
            attachments=[("r.xlsx", data44)],
        ),
    )
    unknown = write(
        tmp_path / "b.eml",
        outlook_eml(
            sender="inconnu@example.com",
            sender_name="Inconnu",
            subject="y",
            attachments=[("r2.xlsx", data44)],
        ),
    )
    (preview,) = preview_files(db, [from_49])
    assert preview.outcome.sender_warning == (
        f"Attention : l'expéditeur {FROM_49.upper()} est l'adresse de DDETS-49, pas celle de "
        f"DDETS-44 (DDETS-44 : {FROM_44}) ; vérifiez que ce classeur vient bien de ce service."
    )
    first, second = import_files(db, [from_49, unknown])
    assert "est l'adresse de DDETS-49" in first.outcome.sender_warning
    assert second.outcome.already_imported_at is not None
    (third,) = preview_files(db, [unknown], campaign_id=CAMPAIGN)
    assert "déjà importé" in third.outcome.describe()


def test_a_message_without_workbook_or_of_another_campaign_is_refused(db, workbooks, tmp_path):
    _roster(db)
    before = snapshot(db)
    plain = write(
        tmp_path / "Bonjour.eml",
        thunderbird_eml(
            sender=FROM_44,
            sender_name="x",
            subject="Bonjour",
            attachments=[("compte rendu.pdf", b"%PDF-1.4")],
        ),
    )
    winmail = EmailMessage()
    winmail["From"] = FROM_44
    winmail["Subject"] = "Réponses"
    winmail.set_content("Voir pièce jointe")
    winmail.add_attachment(b"\x78\x9f\x3e\x22", "application", "ms-tnef", filename="winmail.dat")
    tnef = write(tmp_path / "Outlook RTF.eml", winmail.as_bytes())
    # A campaign created since: the workbooks of the previous one are not replies to it.
    create_campaign(db, CAMPAIGN, "Évaluation 2024")
    before = snapshot(db)
    old = write(
        tmp_path / "Ancien.eml",
        outlook_eml(
            sender=FROM_44,
            sender_name="x",
            subject="Vieux",
            attachments=[("r.xlsx", workbooks["DDETS-44"].read_bytes())],
        ),
    )
    results = import_files(db, [plain, tnef, old])
    assert [str(r.error) for r in results] == [
        "Le message « Bonjour.eml » a été refusé : il ne contient aucun classeur (pièces "
        "jointes : compte rendu.pdf). Demandez à l'expéditeur de renvoyer son classeur (.xlsx) "
        "en pièce jointe.",
        "Le message « Outlook RTF.eml » a été refusé : ses pièces jointes sont enfermées dans un "
        "fichier winmail.dat, le format propre à Outlook. Demandez à l'expéditeur de renvoyer "
        "son classeur dans un message au format HTML ou texte, ou ouvrez ce message dans "
        "Outlook et enregistrez-le en .msg.",
        "Le message « Ancien.eml » a été refusé : son classeur « r.xlsx » répond à la campagne "
        "« Évaluation 2021-2023 », pas à « Évaluation 2024 ». Si c'est voulu, enregistrez la "
        "pièce jointe et importez-la comme un fichier.",
    ]
    # Nothing changed but the trace of each refusal, against the service whose address sent
    # it: the consolidation's « refusés » shows the last one.
    after = snapshot(db)
    refusals = after.pop("import_refusal")
    assert after == {k: v for k, v in before.items() if k != "import_refusal"}
    assert [(row[3], row[4]) for row in refusals] == [
        ("Bonjour.eml", "DDETS-44"),
        ("Outlook RTF.eml", "DDETS-44"),
        ("Ancien.eml › r.xlsx", "DDETS-44"),
    ]
    (refused,) = refused_files(db, CAMPAIGN).values()
    assert (refused.respondent, refused.file_name) == ("DDETS-44", "Ancien.eml › r.xlsx")
    # Named, the older campaign is the one collected for.
    (result,) = import_files(db, [old], campaign_id=CAMPAIGN)
    assert result.error is None and result.outcome.applied == 2


def _parts(count: int) -> bytes:
    """A message of ``count`` tiny attachments, written directly (the email package would take
    seconds to build it)."""
    lines = [f"From: {FROM_44}", 'Content-Type: multipart/mixed; boundary="p"', "", "--p"]
    lines += ["Content-Type: text/plain", "", "x"]
    for n in range(count):
        lines += ["--p", f'Content-Disposition: attachment; filename="{n}.bin"', "", "x"]
    lines.append("--p--")
    return "\r\n".join(lines).encode()


def _nested(depth: int, workbook: bytes) -> bytes:
    inner = EmailMessage()
    inner["From"] = FROM_44
    inner.set_content("x")
    inner.add_attachment(workbook, "application", "octet-stream", filename="r.xlsx")
    for _ in range(depth):
        outer = EmailMessage()
        outer["From"] = "relais@example.gouv.fr"
        outer.set_content("transfert")
        outer.add_attachment(inner)
        inner = outer
    return inner.as_bytes()


def _deep_multipart(depth: int) -> bytes:
    lines = [b"From: a@example.gouv.fr", b"MIME-Version: 1.0"]
    for n in range(depth):
        lines += [f'Content-Type: multipart/mixed; boundary="b{n}"'.encode(), b""]
        lines += [f"--b{n}".encode()]
    lines += [b"Content-Type: text/plain", b"", b"x"]
    for n in reversed(range(depth)):
        lines += [f"--b{n}--".encode()]
    return b"\r\n".join(lines)


HOSTILE = {
    "trop de parties": (lambda wb, folder: _parts(600), "plus de 500 parties"),
    "des milliers de parties": (lambda wb, folder: _parts(5000), "plus de 500 parties"),
    "messages imbriqués": (lambda wb, folder: _nested(7, wb), "sur plus de 5 niveaux"),
    "structure trop profonde": (lambda wb, folder: _deep_multipart(40), "imbriquée à l'excès"),
    "pas un message": (lambda wb, folder: b"\x00\x01" * 100, "ce n'est pas un message"),
    "en-têtes absents": (lambda wb, folder: b"bonjour\r\n\r\nrien", "aucun en-tête"),
    "bombe zip jointe": (
        lambda wb, folder: thunderbird_eml(
            sender=FROM_44,
            sender_name="x",
            subject="x",
            attachments=[("bombe.xlsx", corpus.make_zip_bomb(wb, folder).path.read_bytes())],
        ),
        "« bombe.eml › bombe.xlsx » a été refusé",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_messages_are_refused_and_nothing_changes(db, workbooks, tmp_path, case):
    make, said = HOSTILE[case]
    message = write(tmp_path / "bombe.eml", make(workbooks["DDETS-44"].read_bytes(), tmp_path))
    before = snapshot(db)
    (result,) = import_files(db, [message])
    assert result.error is not None and said in str(result.error), str(result.error)
    assert "bombe.eml" in str(result.error)
    assert snapshot(db) == before


def test_hostile_outlook_files_are_refused(db, workbooks, tmp_path, monkeypatch):
    before = snapshot(db)
    good = build_msg(MsgMessage("x", "x", FROM_44, attachments=[MsgAttachment("r.xlsx", b"x")]))
    cases = {
        "tronqué.msg": good[:1500],
        "abîmé.msg": good[:512] + b"\xff" * (len(good) - 512),
        "pas un msg.msg": b"bonjour",
        "document.msg": corpus.make_encrypted(workbooks["DDETS-44"], tmp_path).path.read_bytes(),
    }
    paths = [write(tmp_path / name, data) for name, data in cases.items()]
    monkeypatch.setattr(mail_reader, "MAX_MESSAGE_BYTES", 100_000)
    big = write(tmp_path / "gros.eml", b"From: a@x.fr\r\n\r\n" + b"x" * 200_000)
    results = import_files(db, [*paths, big])
    assert all(r.error is not None for r in results)
    for result, name in zip(results, [*cases, "gros.eml"], strict=True):
        assert str(result.error).startswith(f"Le message « {name} » a été refusé"), result.error
    assert "plus que la limite" in str(results[-1].error)
    assert snapshot(db) == before


def test_attachment_names_stay_in_their_folder(db, workbooks, tmp_path):
    """Path separators and device names in an attachment's name are made a plain name: the
    workbook is read from the private folder, and nothing is written anywhere else."""
    hostile = EmailMessage()
    hostile["From"] = FROM_44
    hostile.set_content("x")
    data = workbooks["DDETS-44"].read_bytes()
    hostile.add_attachment(data, "application", "octet-stream", filename="..\\..\\CON.xlsx")
    hostile.add_attachment(data, "application", "octet-stream", filename="../../../tmp/x.xlsx")
    message = write(tmp_path / "noms.eml", hostile.as_bytes())
    before = set(tmp_path.parent.rglob("*"))
    first, second = import_files(db, [message])
    assert first.display_name == "noms.eml › _CON.xlsx" and first.error is None
    assert second.display_name == "noms.eml › x.xlsx"
    assert second.outcome.already_imported_at is not None
    assert set(tmp_path.parent.rglob("*")) == before


def test_consolidate_reads_messages(workbooks, tmp_path, capsys):
    messages = _messages(workbooks, tmp_path)
    report, results = consolidate_files(
        [messages["outlook"], messages["thunderbird"]], workbook=tmp_path / "conso.xlsx"
    )
    assert report is not None and report.respondents == 2
    assert [r.display_name for r in results] == [
        "Réponse DDETS 44.eml › SRADAR-2021-2023_DDETS-44 réponses été.xlsx",
        "Fwd réponses.eml › Réponses DDETS 49 « finales ».xlsx",
    ]
    assert "Agent DDETS 49" in results[1].outcome.source
    empty = write(tmp_path / "Vide.eml", b"From: a@example.gouv.fr\r\nSubject: vide\r\n\r\nx")
    status = cli.main(
        ["consolidate", str(messages["msg"]), str(empty), "-o", str(tmp_path / "c.xlsx")]
    )
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err == (
        "sradar-desktop : Le message « Vide.eml » a été refusé : il ne contient aucun classeur "
        "(aucune pièce jointe). Demandez à l'expéditeur de renvoyer son classeur (.xlsx) en "
        "pièce jointe.\n"
    )


def test_import_command_takes_messages(workbooks, tmp_path, capsys):
    base = str(tmp_path / "base.sqlite3")
    messages = _messages(workbooks, tmp_path)
    status = cli.main(["import", "--db", base, str(messages["outlook"]), str(messages["msg"])])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    lines = captured.out.splitlines()
    assert lines[0].startswith(
        "Import n° 1 — Réponse DDETS 44.eml › SRADAR-2021-2023_DDETS-44 réponses été"
    )
    assert "Reçu par courriel de José Dupont – DDETS 44" in lines[0]
    assert "déjà importé" in lines[1]


def test_the_command_says_a_doubtful_sender_once(workbooks, tmp_path, capsys):
    base = tmp_path / "base.sqlite3"
    db = open_database(base)
    _roster(db)
    db.close()
    message = write(
        tmp_path / "a.eml",
        thunderbird_eml(
            sender=FROM_49,
            sender_name="DDETS 49",
            subject="Réponses",
            attachments=[("r.xlsx", workbooks["DDETS-44"].read_bytes())],
        ),
    )
    status = cli.main(["import", "--db", str(base), str(message)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    # In the import's line, as the log has it; not again as a warning.
    assert captured.out.count(f"l'expéditeur {FROM_49} est l'adresse de DDETS-49") == 1
    assert captured.err == ""


def test_headers_in_raw_windows_1252_are_read(workbooks, tmp_path):
    """Some programs send their headers as raw 8-bit Windows-1252, without RFC 2047 words."""
    raw = write(
        tmp_path / "ancien.eml",
        thunderbird_eml(
            sender=FROM_44,
            sender_name="Hélène Côté",
            subject="Réponses – évaluation « 2027 »",
            attachments=[("réponses.xlsx", workbooks["DDETS-44"].read_bytes())],
            raw_headers=True,
        ),
    )
    message = read_message(raw)
    assert (message.info.sender_name, message.info.sender) == ("Hélène Côté", FROM_44)
    assert message.info.subject == "Réponses – évaluation « 2027 »"
    assert [(a.name, a.data) for a in message.attachments] == [
        ("réponses.xlsx", workbooks["DDETS-44"].read_bytes())
    ]
