"""Several people on one database: two agents, two windows, a command-line import at once.

Every test runs on an SQLite file and on a real PostgreSQL database; each participant has its
own ``Database`` (its own engine and connections), as two workstations would. No update is
lost: a change made on an answer that someone else changed since it was read is refused with
the newer values, and what the agent typed is kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import create_engine, select, text
from ui_support import CLAIRE, SRADAR, open_window, type_text, visible_codes, wait_saved

from sradar_desktop.db.engine import WRITE_LOCK_KEY
from sradar_desktop.db.migrate import run_migrations
from sradar_desktop.db.models import Answer, AuditEvent
from sradar_desktop.db.schema import head_revision
from sradar_desktop.services.answers import AnswerConflict, AnswerService, read_answers
from sradar_desktop.services.database import Database
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id

CAMPAIGN = default_campaign_id(SRADAR)
HDF = "hdf-integration-2021"
SOPHIE = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Sophie Leroy")


@pytest.fixture
def two_databases(db_url):
    """The same database opened twice, as by two workstations."""
    first, second = open_database(db_url), open_database(db_url)
    yield first, second
    first.close()
    second.close()


def _agent(db: Database, name: str, questionnaire: str = SRADAR) -> AnswerService:
    service = AnswerService(db, default_campaign_id(questionnaire), "DDETS-44", name)
    service.load()
    return service


def _audit_count(db: Database) -> int:
    with db.read() as session:
        return len(session.scalars(select(AuditEvent.id)).all())


# -- two agents on the same answer -----------------------------------------------------------


def test_interleaved_edits_on_one_answer_the_second_is_refused_with_the_newer_value(
    two_databases,
):
    db_claire, db_sophie = two_databases
    claire = _agent(db_claire, "Claire Martin")
    sophie = _agent(db_sophie, "Sophie Leroy")

    claire.set_status("1.1.1", "oui")
    audited = _audit_count(db_claire)
    with pytest.raises(AnswerConflict) as refused:
        sophie.set_comment("1.1.1", "Comité réuni deux fois")
    conflict = refused.value
    # The newer value, who changed it and when, and what was not saved.
    assert conflict.current == {"status": "oui", "comment": ""}
    assert conflict.changed_by == "Claire Martin"
    assert conflict.typed == "Comité réuni deux fois"
    today = datetime.now().strftime("%d/%m/%Y")
    assert str(conflict).startswith(
        f"La réponse à l'action 1.1.1 a été modifiée par Claire Martin le {today} à "
    )
    assert " : la voici. Votre saisie « Comité réuni deux fois » n'a pas été enregistrée." in (
        str(conflict)
    )
    # Nothing of the refused change was written, not even an audit line.
    stored = read_answers(db_sophie, CAMPAIGN, "DDETS-44")["1.1.1"]
    assert (stored.status, stored.comment, stored.updated_by) == ("oui", "", "Claire Martin")
    assert _audit_count(db_claire) == audited

    # Refused again as long as the newer value was not shown, even for the other field.
    with pytest.raises(AnswerConflict):
        sophie.set_status("1.1.1", "non")
    # Once shown, Sophie's next change is made on it and saved; Claire is now the stale one.
    sophie.acknowledge(conflict)
    sophie.set_comment("1.1.1", "Comité réuni deux fois")
    with pytest.raises(AnswerConflict) as refused:
        claire.set_status("1.1.1", "non")
    assert refused.value.current == {"status": "oui", "comment": "Comité réuni deux fois"}
    assert refused.value.changed_by == "Sophie Leroy"
    stored = read_answers(db_claire, CAMPAIGN, "DDETS-44")["1.1.1"]
    assert (stored.status, stored.comment) == ("oui", "Comité réuni deux fois")


def test_two_agents_creating_the_same_answer_the_second_is_refused(two_databases):
    db_claire, db_sophie = two_databases
    claire = _agent(db_claire, "Claire Martin")
    sophie = _agent(db_sophie, "Sophie Leroy")
    sophie.set_status("3.1.1", "non")
    with pytest.raises(AnswerConflict) as refused:
        claire.set_status("3.1.1", "oui")
    assert refused.value.current["status"] == "non"
    assert read_answers(db_claire, CAMPAIGN, "DDETS-44")["3.1.1"].status == "non"


def test_an_indicator_value_changed_by_another_agent_is_not_overwritten(two_databases):
    db_claire, db_sophie = two_databases
    claire = _agent(db_claire, "Claire Martin", HDF)
    sophie = _agent(db_sophie, "Sophie Leroy", HDF)
    sophie.set_indicator("2.6.1", 0, target="1 174")
    with pytest.raises(AnswerConflict) as refused:
        claire.set_indicator("2.6.1", 0, achieved="1316")
    conflict = refused.value
    assert (conflict.position, conflict.current) == (0, {"target": "1174", "achieved": None})
    assert "Votre saisie « 1\u202f316 » n'a pas été enregistrée." in str(conflict)
    values = read_answers(db_claire, default_campaign_id(HDF), "DDETS-44")["2.6.1"].indicators
    assert (values[0].target, values[0].achieved) == ("1174", None)
    # The other indicator of the same action is another row: saved.
    claire.set_indicator("2.6.1", 1, achieved="9")
    values = read_answers(db_sophie, default_campaign_id(HDF), "DDETS-44")["2.6.1"].indicators
    assert values[1].achieved == "9"


def test_edits_on_different_answers_are_all_saved(two_databases):
    db_claire, db_sophie = two_databases
    claire = _agent(db_claire, "Claire Martin")
    sophie = _agent(db_sophie, "Sophie Leroy")
    # Interleaved, each on answers the other does not touch (different fields, too).
    claire.set_status("1.1.1", "oui")
    sophie.set_comment("1.1.2", "Réunions trimestrielles")
    claire.set_comment("2.1.1", "Plateforme ouverte")
    sophie.set_status("2.1.2", "partiellement")
    claire.set_status("1.1.1", "non")  # her own change: no conflict with herself
    sophie.set_comment("1.1.2", "Réunions mensuelles")
    stored = read_answers(db_claire, CAMPAIGN, "DDETS-44")
    assert {code: (a.status, a.comment, a.updated_by) for code, a in stored.items()} == {
        "1.1.1": ("non", "", "Claire Martin"),
        "1.1.2": (None, "Réunions mensuelles", "Sophie Leroy"),
        "2.1.1": (None, "Plateforme ouverte", "Claire Martin"),
        "2.1.2": ("partiellement", "", "Sophie Leroy"),
    }


def test_a_service_that_never_read_an_answer_does_not_check_it(db):
    """Batch callers that do not show answers (no ``load``) write as before."""
    first = AnswerService(db, CAMPAIGN, "DDETS-44", "Claire Martin")
    second = AnswerService(db, CAMPAIGN, "DDETS-44", "Sophie Leroy")
    first.set_status("1.1.1", "oui")
    second.set_status("1.1.1", "non")
    assert read_answers(db, CAMPAIGN, "DDETS-44")["1.1.1"].status == "non"


@pytest.mark.postgresql
def test_a_change_waiting_for_another_transaction_sees_its_result(pg_url):
    """PostgreSQL: a save blocked behind another writer's transaction on the same answer is
    checked against what that transaction committed, not against what it read before."""
    db_claire, db_sophie = open_database(pg_url), open_database(pg_url)
    try:
        claire = _agent(db_claire, "Claire Martin")
        sophie = _agent(db_sophie, "Sophie Leroy")
        sophie.set_status("1.1.1", "oui")
        claire.load()
        outcome: list[BaseException | None] = []
        engine = create_engine(pg_url)
        with engine.connect() as other:
            transaction = other.begin()
            other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            other.execute(
                text(
                    "UPDATE answer SET status = 'non', updated_by = 'Sophie Leroy',"
                    " version_id = version_id + 1"
                )
            )

            def save() -> None:
                try:
                    claire.set_status("1.1.1", "partiellement")
                    outcome.append(None)
                except BaseException as error:
                    outcome.append(error)

            worker = threading.Thread(target=save)
            worker.start()
            # The server says when Claire's save waits for the lock held here.
            while not other.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar():
                assert worker.is_alive(), outcome
                time.sleep(0.01)
            transaction.commit()
            worker.join()
        engine.dispose()
        assert isinstance(outcome[0], AnswerConflict)
        assert outcome[0].current["status"] == "non"
        assert read_answers(db_claire, CAMPAIGN, "DDETS-44")["1.1.1"].status == "non"
    finally:
        db_claire.close()
        db_sophie.close()


# -- a command-line import while an agent answers ------------------------------------------


def _cli(*args: str, data_dir) -> subprocess.Popen[str]:
    env = dict(os.environ, SRADAR_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "sradar_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )


IMPORTED_44 = ["1.1.1", "1.1.2", "1.1.3", "1.2.1"]


def _workbooks(tmp_path) -> tuple[list, dict]:
    """Exchange workbooks of five services, written from another database; what they carry."""
    source = open_database(tmp_path / "services.sqlite3")
    files, expected = [], {}
    codes = ["2.1.1", "2.1.2", "3.1.1", "4.1.1", "5.1.1", "6.1.1", "7.1.1", "8.1.1"]
    for number, respondent in enumerate(["DDETS-49", "DDETS-53", "DDETS-72", "DDETS-85"]):
        service = AnswerService(source, CAMPAIGN, respondent, f"Agent {respondent}")
        for index, code in enumerate(codes):
            service.set_status(code, ("oui", "non", "partiellement", "nc")[(index + number) % 4])
            service.set_comment(code, f"{respondent} : {code} « bilan »")
    service = AnswerService(source, CAMPAIGN, "DDETS-44", "Agent DDETS-44")
    for code in IMPORTED_44:
        service.set_status(code, "partiellement")
        service.set_comment(code, f"Classeur : {code}")
    for respondent in ["DDETS-49", "DDETS-53", "DDETS-72", "DDETS-85", "DDETS-44"]:
        path = tmp_path / f"{respondent}.xlsx"
        export_workbook(source, path, questionnaire_id=SRADAR, respondent_code=respondent)
        files.append(path)
        expected[respondent] = {
            code: (a.status, a.comment)
            for code, a in read_answers(source, CAMPAIGN, respondent).items()
        }
    source.close()
    return files, expected


def test_a_command_line_import_while_an_agent_answers_loses_nothing(db_url, tmp_path, data_dir):
    files, expected = _workbooks(tmp_path)
    db = open_database(db_url)
    claire = _agent(db, "Claire Martin")
    mine = ["2.2.1", "2.2.2", "2.2.3", "7.4.1", "8.2.1", "8.2.2"]
    typed: dict[str, tuple[str, str]] = {}
    target = db_url.render_as_string(hide_password=False)
    child = _cli(
        "--db", target, "import", *map(str, files), "--as", "Secrétariat", data_dir=data_dir
    )
    # Claire keeps answering her own actions for as long as the import runs (and at least
    # once): every save of hers is a transaction between or beside the import's.
    rounds = 0
    try:
        while rounds == 0 or child.poll() is None:
            code = mine[rounds % len(mine)]
            status = ("oui", "non", "partiellement")[rounds % 3]
            claire.set_status(code, status)
            claire.set_comment(code, f"Saisie n°{rounds}")
            typed[code] = (status, f"Saisie n°{rounds}")
            rounds += 1
            time.sleep(0.01)  # pacing only: lets the import's transactions take their turn
    finally:
        if child.poll() is None and sys.exc_info()[0] is not None:
            child.kill()
    stdout, stderr = child.communicate()
    assert child.returncode == 0, stderr
    assert stdout.count("DDETS-") >= 5, stdout

    for respondent in ["DDETS-49", "DDETS-53", "DDETS-72", "DDETS-85"]:
        stored = read_answers(db, CAMPAIGN, respondent)
        assert {c: (a.status, a.comment) for c, a in stored.items()} == expected[respondent]
    stored = {c: (a.status, a.comment) for c, a in read_answers(db, CAMPAIGN, "DDETS-44").items()}
    assert stored == {**typed, **expected["DDETS-44"]}
    # The answers the import changed are checked: Claire's window had read them before.
    with pytest.raises(AnswerConflict) as refused:
        claire.set_status("1.1.1", "oui")
    assert refused.value.changed_by == "Agent DDETS-44 (import)"
    assert refused.value.current["status"] == "partiellement"
    db.close()


# -- the entry window --------------------------------------------------------------------------


def _activate(qtbot, window) -> None:
    """The agent comes back to this window."""
    with qtbot.waitActive(window):
        window.activateWindow()


def test_the_window_shows_a_change_made_behind_it_and_keeps_what_was_typed(qtbot, db_url):
    """Two windows on the same database (each with its own engine), two agents of one service."""
    db_claire, db_sophie = open_database(db_url), open_database(db_url)
    claire = open_window(qtbot, db_claire, CLAIRE)
    sophie = open_window(qtbot, db_sophie, SOPHIE)

    # Sophie answers an action; Claire's window still shows it unanswered; she answers « Oui ».
    _activate(qtbot, sophie)
    first, second = visible_codes(claire)[:2]  # two actions the service pilots
    assert sophie.action_list.select_code(first)
    qtbot.mouseClick(sophie.detail.status_button("non"), Qt.MouseButton.LeftButton)
    type_text(qtbot, sophie.detail.comment_edit, "Comité réuni en mars")
    sophie.detail.commit_pending()
    wait_saved(qtbot, sophie)
    _activate(qtbot, claire)
    assert claire.action_list.select_code(first)
    assert claire.sheet.by_code[first].status is None
    qtbot.mouseClick(claire.detail.status_button("oui"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(claire.controller.engine.conflicts))
    wait_saved(qtbot, claire)

    # The window shows Sophie's answer, says so, and keeps Claire's « Oui ».
    detail = claire.detail
    assert detail.status_button("non").isChecked()
    assert not detail.status_button("oui").isChecked()
    assert detail.comment_edit.toPlainText() == "Comité réuni en mars"
    assert detail.conflict_box.isVisible()
    message = detail.conflict_label.text()
    assert message.startswith(f"La réponse à l'action {first} a été modifiée par Sophie Leroy le ")
    assert "Votre saisie « Oui » n'a pas été enregistrée : elle est gardée ici." in message
    assert detail.history_model.rowCount() == 2  # Sophie's two changes
    stored = read_answers(db_claire, CAMPAIGN, "DDETS-44")[first]
    assert (stored.status, stored.comment) == ("non", "Comité réuni en mars")
    # Undoing a step made on the replaced answer does not bring it back over Sophie's.
    claire.menus.undo_action.trigger()  # Édition › Annuler
    wait_saved(qtbot, claire)
    assert read_answers(db_claire, CAMPAIGN, "DDETS-44")[first].status == "non"
    assert detail.status_button("non").isChecked()

    # « Remettre ma saisie » saves Claire's answer on top of Sophie's, comment kept.
    qtbot.mouseClick(detail.reapply_button, Qt.MouseButton.LeftButton)
    wait_saved(qtbot, claire)
    assert not detail.conflict_box.isVisible()
    stored = read_answers(db_claire, CAMPAIGN, "DDETS-44")[first]
    assert (stored.status, stored.comment, stored.updated_by) == (
        "oui",
        "Comité réuni en mars",
        "Claire Martin",
    )

    # A comment typed on an answer changed meanwhile: the newer comment is shown, the typed
    # one kept in full until Claire lets it go.
    _activate(qtbot, sophie)
    assert sophie.action_list.select_code(second)
    type_text(qtbot, sophie.detail.comment_edit, "Version de Sophie")
    sophie.detail.commit_pending()
    wait_saved(qtbot, sophie)
    _activate(qtbot, claire)
    assert claire.action_list.select_code(second)
    long_text = "Version de Claire, " + "détaillée " * 20
    type_text(qtbot, detail.comment_edit, long_text)
    detail.commit_pending()
    qtbot.waitUntil(lambda: bool(claire.controller.engine.conflicts))
    wait_saved(qtbot, claire)
    assert detail.comment_edit.toPlainText() == "Version de Sophie"
    assert f"Votre saisie « {long_text} » n'a pas été enregistrée" in (detail.conflict_label.text())
    qtbot.mouseClick(detail.dismiss_button, Qt.MouseButton.LeftButton)
    assert not detail.conflict_box.isVisible()
    assert not claire.controller.engine.conflicts
    assert read_answers(db_claire, CAMPAIGN, "DDETS-44")[second].comment == "Version de Sophie"
    # From now on, Claire's changes are made on Sophie's comment and saved.
    detail.comment_edit.setFocus()
    type_text(qtbot, detail.comment_edit, " (relu)")
    detail.commit_pending()
    wait_saved(qtbot, claire)
    assert not claire.controller.engine.conflicts
    stored = read_answers(db_claire, CAMPAIGN, "DDETS-44")[second]
    assert stored.comment == "Version de Sophie (relu)"

    for window in (claire, sophie):
        window.close()
    db_claire.close()
    db_sophie.close()


# -- upgrading ---------------------------------------------------------------------------------


def test_answers_of_a_first_release_database_upgrade_with_a_version(db_url):
    """A database made at the first revision, with answers, upgrades keeping every answer;
    each gets version 1, and a change on one read before someone else's is refused."""
    run_migrations(db_url, "0001")
    engine = create_engine(db_url)
    now = datetime(2025, 6, 1, 8, 30)
    statements = [
        "INSERT INTO questionnaire (id, title, short_title, period, region, description, source,"
        " origin, version_digest, created_at) VALUES ('q', 'Plan', '', '2025', '', '', '',"
        " 'import', 'x', :now)",
        "INSERT INTO objective (questionnaire_id, position, code, title)"
        " VALUES ('q', 0, '1', 'Objectif')",
        "INSERT INTO theme (objective_id, position, code, title)"
        " SELECT id, 0, '1.1', 'Thématique' FROM objective",
        "INSERT INTO action (questionnaire_id, theme_id, position, code, text)"
        " SELECT 'q', id, 1, '1.1.1', 'Action un' FROM theme",
        "INSERT INTO action (questionnaire_id, theme_id, position, code, text)"
        " SELECT 'q', id, 2, '1.1.2', 'Action deux' FROM theme",
        "INSERT INTO campaign (id, questionnaire_id, title, created_at)"
        " VALUES ('q:evaluation', 'q', 'Évaluation', :now)",
        "INSERT INTO respondent (code, label, department, created_at)"
        " VALUES ('DDETS-44', 'DDETS de Loire-Atlantique', '44', :now)",
        "INSERT INTO answer (campaign_id, respondent_id, action_id, status, comment, updated_at,"
        " updated_by) SELECT 'q:evaluation', r.id, a.id, 'oui', 'Fait « tôt »', :now, 'Agent'"
        " FROM respondent r, action a WHERE a.code = '1.1.1'",
        "INSERT INTO answer (campaign_id, respondent_id, action_id, status, comment, updated_at,"
        " updated_by) SELECT 'q:evaluation', r.id, a.id, NULL, 'À suivre', :now, 'Agent'"
        " FROM respondent r, action a WHERE a.code = '1.1.2'",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), {"now": now})
    engine.dispose()

    first, second = open_database(db_url), open_database(db_url)
    with first.read() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )
        assert sorted(session.scalars(select(Answer.version_id))) == [1, 1]
    claire = AnswerService(first, "q:evaluation", "DDETS-44", "Claire Martin")
    sophie = AnswerService(second, "q:evaluation", "DDETS-44", "Sophie Leroy")
    answers = claire.load()
    assert {code: (a.status, a.comment, a.version) for code, a in answers.items()} == {
        "1.1.1": ("oui", "Fait « tôt »", 1),
        "1.1.2": (None, "À suivre", 1),
    }
    sophie.load()
    sophie.set_status("1.1.2", "non")
    with pytest.raises(AnswerConflict):
        claire.set_comment("1.1.2", "Suivi en cours")
    claire.set_comment("1.1.1", "Fait « tôt », confirmé")
    stored = read_answers(second, "q:evaluation", "DDETS-44")
    assert {code: (a.status, a.comment, a.version) for code, a in stored.items()} == {
        "1.1.1": ("oui", "Fait « tôt », confirmé", 2),
        "1.1.2": ("non", "À suivre", 2),
    }
    first.close()
    second.close()
