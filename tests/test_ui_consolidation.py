"""The consolidation window, driven as the secretariat drives it, on a real database: the grid
of actions × respondents, the filters, an arbitration with its reason (and one refused), who
answered and the due date, the list of expected respondents, and both exports."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from consolidation_support import CAMPAIGN, DISAGREEMENTS, LABELS, answer_scenario
from PySide6.QtCore import QDate, QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog
from ui_support import CLAIRE, SIGNAL_TIMEOUT, SRADAR, database_path, open_window, type_text

from sradar_desktop.services.consolidation import (
    load_consolidation,
    roster,
    set_arbitration,
    set_roster,
)
from sradar_desktop.services.database import Database
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.sending import member
from sradar_desktop.ui.consolidation.models import (
    CodeRole,
    ColorRole,
    CommentRole,
    ConsolidationGridModel,
    RosterModel,
    StatusRole,
)
from sradar_desktop.ui.consolidation.roster import ExpectedRespondentsDialog
from sradar_desktop.ui.consolidation.window import PDF, WORKBOOK, ConsolidationWindow
from sradar_desktop.ui.dialogs.sending_models import ExpectedServicesModel
from sradar_desktop.ui.entry.models import PlanTreeModel
from sradar_desktop.ui.parts.settings import Settings

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton
GRID = ConsolidationGridModel
TOOLTIP = Qt.ItemDataRole.ToolTipRole
REASON_MISSING = (
    "Indiquez la raison de l'arbitrage : elle figurera dans le classeur et la synthèse, à côté "
    "du statut retenu."
)


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    answer_scenario(database)
    yield database
    database.close()


@pytest.fixture
def any_db(db_url):
    """The scenario on SQLite, then on a real PostgreSQL server."""
    database = open_database(db_url)
    answer_scenario(database)
    yield database
    database.close()


def open_view(qtbot, db: Database, *, actor: str = "Sophie Durand") -> ConsolidationWindow:
    window = ConsolidationWindow(db, questionnaire_id=SRADAR, actor=actor, settings=Settings())
    window.refresh_after = math.inf  # no reading again when the test activates the window
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    return window


def grid_codes(window: ConsolidationWindow) -> list[str]:
    proxy = window.proxy
    return [proxy.index(row, 0).data(CodeRole) for row in range(proxy.rowCount())]


def cell(window: ConsolidationWindow, code: str, column: int | str):
    """The grid's cell of action ``code`` in ``column`` (a number, or a respondent's code)."""
    model = window.model
    if isinstance(column, str):
        column = next(
            c
            for c in range(GRID.FIXED, model.columnCount())
            if model.headerData(c, Qt.Orientation.Horizontal) == column
        )
    return model.index(model.row_of(code), column)


def stored(db: Database, code: str):
    report = load_consolidation(db, campaign_id=CAMPAIGN)
    return next(r for r in report.actions if r.action.code == code)


# -- opening -----------------------------------------------------------------------------------


def test_opened_from_the_entry_windows_menu(qtbot, db):
    main = open_window(qtbot, db, CLAIRE)
    assert main.menus.consolidation_action.text() == "&Consolidation…"
    qtbot.keyClick(main.action_list.table, K.Key_C, CTRL | SHIFT)
    window = main.consolidation_window
    assert isinstance(window, ConsolidationWindow)
    window.refresh_after = math.inf
    if window.sheet is None:
        with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
            pass
    assert window.isVisible()
    assert window.actor == "Claire Martin"
    assert window.campaign_id == CAMPAIGN
    assert window.title_label.text() == "Consolidation — SRADAR 2021-2023 — Pays de la Loire"
    assert "4 répondants attendus : 3 partiels, 1 manquant" in window.subtitle_label.text()
    # The tab's counts say what they count.
    assert window.tabs.tabText(2) == "&Qui a répondu (3 partiels, 1 manquant)"
    # Asked again: the same window, read again; and again once closed.
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        main.menus.consolidation_action.trigger()
    assert main.consolidation_window is window
    window.close()
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        main.menus.consolidation_action.trigger()
    assert main.consolidation_window is window and window.isVisible()


def test_a_campaign_without_answers_says_what_to_do(qtbot, tmp_path):
    empty = open_database(tmp_path / "vide.sqlite3")
    try:
        window = open_view(qtbot, empty)
        assert window.model.rowCount() == 71
        assert window.model.columnCount() == GRID.FIXED
        assert window.banner.isVisible()
        assert window.banner.text.text().startswith(
            "Aucune réponse et aucun répondant attendu pour cette évaluation : importez"
        )
        assert window.roster.summary_label.text() == "Aucun répondant attendu."
        assert window.charts.bar_values()["NC"][0] == 71
    finally:
        empty.close()


# -- the grid ----------------------------------------------------------------------------------


def test_grid_models_and_cells(qtbot, qtmodeltester, db):
    window = open_view(qtbot, db)
    model = window.model
    qtmodeltester.check(model)
    qtmodeltester.check(window.proxy)
    qtmodeltester.check(window.roster.model)
    qtmodeltester.check(window.charts.counts_model)
    assert model.rowCount() == 71
    assert model.columnCount() == GRID.FIXED + 5
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Action",
        "Répartition",
        "Synthèse",
        "Arbitrage",
        "Retenu",
        "DDETS-44",
        "DDETS-49",
        "DDETS-53",
        "DDETS-85",
        "DREETS-PDL",
    ]
    assert model.headerData(0, Qt.Orientation.Vertical) == "1.1.1"
    tip = model.headerData(GRID.FIXED, Qt.Orientation.Horizontal, TOOLTIP)
    assert tip.startswith("DDETS-44 — DDETS de la Loire-Atlantique\nattendu, partiel")

    # A respondent's answer: its word, its code, its colour, its comment.
    answer = cell(window, "1.2.1", "DDETS-49")
    assert answer.data() == "Non"
    assert answer.data(StatusRole) == "non"
    assert answer.data(ColorRole) == QColor("#c62828")
    assert answer.data(CommentRole) == "Aucune place PMR créée en 2023."
    assert "« Aucune place PMR créée en 2023. »" in answer.data(TOOLTIP)
    assert "Agent DDETS-49" in answer.data(TOOLTIP)
    assert cell(window, "1.2.1", "DDETS-44").data(ColorRole) == QColor("#2e7d32")
    assert cell(window, "1.2.1", "DDETS-44").data(CommentRole) == ""
    # Expected and silent; not concerned (the action is the DDETS').
    missing = cell(window, "1.2.1", "DDETS-85")
    assert missing.data() == "sans réponse"
    assert missing.data(ColorRole) is None
    assert cell(window, "1.2.1", "DREETS-PDL").data() == ""
    assert "Non concerné" in cell(window, "1.2.1", "DREETS-PDL").data(TOOLTIP)

    # The distribution, the synthesis and why, the final status.
    distribution = cell(window, "1.2.1", GRID.DISTRIBUTION)
    assert distribution.data() == "oui 1 · non 1 · nc 1"
    assert distribution.data(Qt.ItemDataRole.FontRole).bold()  # they disagree
    assert "Sans réponse : DDETS-85" in distribution.data(TOOLTIP)
    synthesis = cell(window, "1.2.1", GRID.SYNTHESIS)
    assert synthesis.data() == "Partiellement"
    assert synthesis.data(ColorRole) == QColor("#e65100")
    assert synthesis.data(TOOLTIP).startswith("Les réponses diffèrent (Oui 1, Non 1)")
    assert cell(window, "1.2.1", GRID.ARBITRATION).data() == ""
    assert cell(window, "1.2.1", GRID.FINAL).data() == "Partiellement"
    assert cell(window, "1.3.1", GRID.DISTRIBUTION).data() == "aucune réponse"
    assert cell(window, "1.3.1", GRID.FINAL).data() == "NC"

    # The detail of the selected action: every answer with who and when, the reason of the
    # synthesis.
    assert window.select_action("1.2.1")
    text = window.detail.browser.toPlainText()
    assert "Améliorer le taux de places" in text
    assert "Les réponses diffèrent (Oui 1, Non 1) : synthèse « Partiellement »" in text
    assert "Réponses (3 sur 4 répondants concernés)" in text
    assert "Aucune place PMR créée en 2023." in text
    assert "Agent DDETS-49" in text
    assert "DDETS de la Vendée" in text and "sans réponse" in text
    assert "DREETS-PDL" not in text


def test_filters(qtbot, db):
    window = open_view(qtbot, db)
    assert window.filters.count_label.text() == "71 actions"
    assert not window.filters.clear_button.isEnabled()
    qtbot.mouseClick(window.filters.disagreements_box, LEFT)
    assert grid_codes(window) == sorted(DISAGREEMENTS)
    assert window.filters.count_label.text() == "2 actions sur 71"
    assert window.detail.result.action.code == "1.2.1"
    qtbot.keyClick(window.grid, K.Key_D, CTRL)  # the same filter from the keyboard
    assert len(grid_codes(window)) == 71
    window.filters.search_edit.setFocus()
    type_text(qtbot, window.filters.search_edit, "nuitees")
    assert grid_codes(window) == ["1.4.1"]
    qtbot.keyClick(window.filters.search_edit, K.Key_Escape)
    window.filters.objective_combo.setCurrentIndex(
        window.filters.objective_combo.findData("objective:1")
    )
    assert {code.split(".")[0] for code in grid_codes(window)} == {"2"}
    assert window.filters.clear_button.isEnabled()
    qtbot.mouseClick(window.filters.clear_button, LEFT)
    assert len(grid_codes(window)) == 71
    set_arbitration(db, CAMPAIGN, "1.4.1", "non", reason="Vu en commission", actor="SGAR")
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.reload_action.trigger()
    qtbot.mouseClick(window.filters.arbitrated_box, LEFT)
    assert grid_codes(window) == ["1.4.1"]


# -- arbitration -------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_arbitrate_an_action_with_its_reason(qtbot, any_db):
    db = any_db
    window = open_view(qtbot, db)
    before = window.charts.bar_values()
    assert window.select_action("1.4.1")
    detail = window.detail
    assert cell(window, "1.4.1", GRID.FINAL).data() == "Partiellement"
    assert not detail.withdraw_button.isEnabled()
    # F2 goes to the arbitration's reason; Maj+Tab to the status, chosen with the keyboard.
    qtbot.keyClick(window.grid, K.Key_F2)
    assert detail.reason_edit.hasFocus()
    qtbot.keyClick(detail.reason_edit, K.Key_Backtab, SHIFT)
    assert detail.status_combo.hasFocus()
    qtbot.keyClick(detail.status_combo, K.Key_N)
    assert detail.status_combo.currentData() == "non"
    detail.reason_edit.setFocus()
    type_text(qtbot, detail.reason_edit, "Vu en commission : la hausse des nuitées est durable.")
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT) as written:
        qtbot.keyClick(detail.reason_edit, K.Key_Return, CTRL)
    assert written.args == ["arbitrage"]

    result = stored(db, "1.4.1")
    assert result.arbitration.status == "non"
    assert result.arbitration.reason == "Vu en commission : la hausse des nuitées est durable."
    assert result.arbitration.by == "Sophie Durand"
    assert result.final == "non"
    assert cell(window, "1.4.1", GRID.ARBITRATION).data() == "Non"
    assert cell(window, "1.4.1", GRID.FINAL).data() == "Non"
    assert cell(window, "1.4.1", GRID.FINAL).data(ColorRole) == QColor("#c62828")
    assert cell(window, "1.4.1", GRID.SYNTHESIS).data() == "Partiellement"
    assert "Vu en commission" in cell(window, "1.4.1", GRID.ARBITRATION).data(TOOLTIP)
    assert window.detail.result.action.code == "1.4.1"
    assert "Arbitré" in detail.current_label.text()
    assert "Sophie Durand" in detail.current_label.text()
    assert detail.withdraw_button.isEnabled()
    assert window.statusBar().currentMessage() == (
        "Arbitrage enregistré pour l'action 1.4.1 : « Non »."
    )
    # The charts follow: one more « Non », one less « Partiellement » over the whole plan.
    after = window.charts.bar_values()
    assert after["Non"][0] == before["Non"][0] + 1
    assert after["Partiellement"][0] == before["Partiellement"][0] - 1

    # Withdrawn: the synthesis is back.
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(detail.withdraw_button, LEFT)
    assert stored(db, "1.4.1").arbitration is None
    assert cell(window, "1.4.1", GRID.FINAL).data() == "Partiellement"
    assert cell(window, "1.4.1", GRID.ARBITRATION).data() == ""
    assert not detail.withdraw_button.isEnabled()


def test_an_arbitration_without_reason_is_refused_in_french(qtbot, db):
    set_arbitration(db, CAMPAIGN, "1.2.2", "oui", reason="CAES ouvert en janvier", actor="SGAR")
    window = open_view(qtbot, db)
    assert window.select_action("1.2.2")
    detail = window.detail
    assert detail.reason_edit.toPlainText() == "CAES ouvert en janvier"
    detail.status_combo.setCurrentIndex(detail.status_combo.findData("non"))
    detail.reason_edit.setFocus()
    detail.reason_edit.selectAll()
    qtbot.keyClick(detail.reason_edit, K.Key_Delete)
    with qtbot.waitSignal(window.failed, timeout=SIGNAL_TIMEOUT) as failed:
        qtbot.mouseClick(detail.apply_button, LEFT)
    assert failed.args == [REASON_MISSING]
    assert detail.error_label.isVisible()
    assert detail.error_label.text() == REASON_MISSING
    assert detail.reason_edit.hasFocus()
    assert detail.apply_button.isEnabled()
    # Nothing changed: the former arbitration stays, and what was chosen stays on screen.
    result = stored(db, "1.2.2")
    assert (result.arbitration.status, result.arbitration.reason) == (
        "oui",
        "CAES ouvert en janvier",
    )
    assert detail.status_combo.currentData() == "non"
    assert cell(window, "1.2.2", GRID.FINAL).data() == "Oui"
    # Typing clears the message.
    type_text(qtbot, detail.reason_edit, "x")
    assert not detail.error_label.isVisible()


def test_a_read_only_database_is_explained(qtbot, tmp_path, db):
    db.close()
    reader = open_database(database_path(tmp_path), read_only=True)
    try:
        window = open_view(qtbot, reader)
        assert window.banner.isVisible()
        assert window.banner.text.text().startswith("Lecture seule")
        assert not window.detail.apply_button.isEnabled()
        assert not window.roster.due_box.isEnabled()
        assert not window.roster.edit_button.isEnabled()
        with qtbot.waitSignal(window.failed) as failed:
            window.changes.arbitrate("1.2.1", "non", "raison")
        assert failed.args[0].startswith("Lecture seule")
    finally:
        reader.close()


# -- who answered ------------------------------------------------------------------------------


def test_roster_and_due_date(qtbot, db):
    window = open_view(qtbot, db)
    qtbot.keyClick(window.grid, K.Key_3, CTRL)
    assert window.tabs.currentWidget() is window.roster
    model = window.roster.model
    rows = {
        model.index(r, RosterModel.CODE).data(): [
            model.index(r, c).data() for c in range(model.columnCount())
        ]
        for r in range(model.rowCount())
    }
    assert list(rows) == ["DDETS-44", "DDETS-49", "DDETS-53", "DDETS-85", "DREETS-PDL"]
    assert rows["DDETS-44"][:6] == [
        "DDETS-44",
        "DDETS de la Loire-Atlantique",
        "oui",
        "5 / 47",
        "partiel",
        "",
    ]
    assert rows["DDETS-85"][1:5] == ["DDETS de la Vendée", "oui", "0 / 47", "manquant"]
    assert rows["DDETS-85"][6:] == ["—", "—", ""]
    assert rows["DREETS-PDL"][2:5] == ["non", "1 / 29", "partiel"]
    # Not on the expected list and without a label: the one its code suggests, not the code.
    assert rows["DREETS-PDL"][1] == "DREETS des Pays de la Loire"
    missing = model.index(3, RosterModel.STATE)
    assert missing.data(ColorRole) == QColor("#c62828")
    assert model.index(0, RosterModel.STATE).data(ColorRole) == QColor("#e65100")
    progress = model.index(0, RosterModel.ANSWERED).data(PlanTreeModel.ProgressRole)
    assert (progress.answered, progress.total) == (5, 47)
    assert window.roster.summary_label.text() == (
        "4 répondants attendus : 3 partiels, 1 manquant · 1 autre répondant."
    )

    # A due date, with the picker's check box; then another date; then none.
    roster = window.roster
    assert not roster.due_box.isChecked() and not roster.due_edit.isEnabled()
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(roster.due_box, LEFT)
    assert load_consolidation(db, campaign_id=CAMPAIGN).due_date == date.today() + timedelta(14)
    assert roster.due_state.text().startswith("Date limite enregistrée :")
    past = date.today() - timedelta(days=10)
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT):
        roster.due_edit.setDate(QDate(past.year, past.month, past.day))
    assert load_consolidation(db, campaign_id=CAMPAIGN).due_date == past
    assert model.index(3, RosterModel.LATE).data() == "en retard"
    assert past.strftime("%d/%m/%Y") in window.subtitle_label.text()
    assert "4 en retard" in window.roster.summary_label.text()
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(roster.due_box, LEFT)
    assert load_consolidation(db, campaign_id=CAMPAIGN).due_date is None
    assert model.index(3, RosterModel.LATE).data() == ""
    assert roster.due_state.text() == "Date limite retirée."
    assert "sans date limite" in window.subtitle_label.text()


def test_edit_the_expected_respondents(qtbot, db):
    # An address kept with the campaign (« Préparer l'envoi »): this list keeps it as it is.
    addresses = {"DDETS-44": "ddets44@example.gouv.fr"}
    set_roster(
        db, CAMPAIGN, [member(c, label, addresses.get(c, "")) for c, label in LABELS.items()]
    )
    window = open_view(qtbot, db)
    seen: dict[str, object] = {}

    def fill_in() -> None:
        dialog = window.findChild(ExpectedRespondentsDialog)
        try:
            assert [code for code, _label, _email in dialog.model.lines()] == list(LABELS)
            assert dialog.view.isColumnHidden(ExpectedServicesModel.ADDRESS)
            # A code that cannot be one: the dialog says so and stays open.
            dialog.add_row()
            row = dialog.model.rowCount() - 1
            dialog.model.setData(dialog.model.index(row, 0), "DDETS 72 !")
            qtbot.mouseClick(dialog.save_button, LEFT)
            seen["error"] = dialog.error_label.text()
            seen["open"] = dialog.isVisible()
            dialog.model.setData(dialog.model.index(row, 0), "ddets 72")
            qtbot.mouseClick(dialog.others_button, LEFT)  # the DREETS, who answered
            qtbot.mouseClick(dialog.save_button, LEFT)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT) as written:
        qtbot.mouseClick(window.roster.edit_button, LEFT)
    assert written.args == ["attendus"]
    assert "ligne 5" in str(seen["error"]) and "DDETS 72 !" in str(seen["error"])
    assert seen["open"] is True
    report = load_consolidation(db, campaign_id=CAMPAIGN)
    expected = {r.code: r.label for r in report.roster if r.expected}
    assert expected == {
        **LABELS,
        "DDETS-72": "DDETS de la Sarthe",
        "DREETS-PDL": "DREETS des Pays de la Loire",
    }
    assert window.roster.model.rowCount() == 6
    assert window.tabs.tabText(2) == "&Qui a répondu (4 partiels, 2 manquants)"
    assert {m.code: m.email for m in roster(db, CAMPAIGN)}["DDETS-44"] == "ddets44@example.gouv.fr"


def test_a_refused_file_shows_against_its_service(qtbot, db, tmp_path):
    from sradar_desktop.services.imports import import_files

    # DDETS-85 sent a file, but not a workbook: refused. Before: « manquant » and nothing else.
    sent = tmp_path / "SRADAR-2021-2023_DDETS-85_2026-11-23.xlsx"
    sent.write_bytes(b"pas un classeur")
    (result,) = import_files(db, [sent], actor="Sophie Durand")
    assert result.error is not None
    window = open_view(qtbot, db)
    model = window.roster.model
    row = next(r for r in range(model.rowCount()) if model.entry(r).code == "DDETS-85")
    assert model.index(row, RosterModel.STATE).data() == "manquant"
    refused = model.index(row, RosterModel.REFUSED)
    today = date.today().strftime("%d/%m/%Y")
    assert refused.data().startswith(f"refusé le {today} : ")
    tooltip = refused.data(TOOLTIP)
    assert f"Fichier « {sent.name} » refusé le {today} à " in tooltip
    assert str(result.error) in tooltip
    assert model.refusal(row).file_name == sent.name
    # The counts say it too; the other services have no refused file.
    assert window.tabs.tabText(2) == "&Qui a répondu (3 partiels, 1 fichier refusé)"
    assert "1 fichier refusé" in window.roster.summary_label.text()
    others = [r for r in range(model.rowCount()) if r != row]
    assert all(model.index(r, RosterModel.REFUSED).data() == "" for r in others)


def test_a_refusal_is_forgotten_once_a_later_file_is_imported(qtbot, db, tmp_path):
    from sradar_desktop.services.consolidation import load_sheet
    from sradar_desktop.services.exchange import export_workbook
    from sradar_desktop.services.imports import import_files

    refused = tmp_path / "SRADAR-2021-2023_DDETS-44_2026-11-20.xlsx"
    refused.write_bytes(b"")
    import_files(db, [refused])
    assert set(load_sheet(db, campaign_id=CAMPAIGN).refusals) == {"DDETS-44"}
    # An unnamed file says no service: nothing to show against one.
    unnamed = tmp_path / "reponses.xlsx"
    unnamed.write_bytes(b"")
    import_files(db, [unnamed])
    assert set(load_sheet(db, campaign_id=CAMPAIGN).refusals) == {"DDETS-44"}
    good = tmp_path / "SRADAR-2021-2023_DDETS-44_2026-11-23.xlsx"
    export_workbook(db, good, campaign_id=CAMPAIGN, respondent_code="DDETS-44")
    (result,) = import_files(db, [good])
    assert result.error is None
    assert load_sheet(db, campaign_id=CAMPAIGN).refusals == {}


# -- exports -----------------------------------------------------------------------------------


def test_export_the_workbook_and_the_pdf(qtbot, db, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    asked: list[tuple[str, str]] = []
    answers = iter([str(folder / "consolidation-commission"), str(folder / "synthese.pdf")])

    def save_file_name(_parent, title, suggested, _pattern):
        asked.append((title, suggested))
        return next(answers), ""

    opened: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_file_name)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    window = open_view(qtbot, db)

    with qtbot.waitSignal(window.exported, timeout=SIGNAL_TIMEOUT) as exported:
        window.exports.workbook_action.trigger()
    workbook = folder / "consolidation-commission.xlsx"
    assert exported.args == [workbook]
    title, suggested = asked[0]
    assert title == "Exporter le classeur consolidé"
    assert Path(suggested).name == (
        f"consolidation-sradar-2021-2023-pays-de-la-loire-{date.today().isoformat()}.xlsx"
    )
    sheets = openpyxl.load_workbook(workbook, read_only=True).sheetnames
    for name in ("Synthèse", "Questionnaire", "Indicateurs", "Réponses", "Suivi"):
        assert name in sheets
    banner = window.exports.banner
    assert banner.isVisible()
    assert banner.text.text().startswith("Classeur consolidé enregistré : consolidation-commission")
    assert banner.button.text() == "Ouvrir le f&ichier" and banner.folder_button.isVisible()
    qtbot.mouseClick(banner.button, LEFT)
    qtbot.mouseClick(banner.folder_button, LEFT)
    assert opened == [str(workbook), str(folder)]
    assert window.exports.workbook_button.isEnabled()

    with qtbot.waitSignal(window.exported, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(window.exports.pdf_button, LEFT)
    # The folder of the last export is proposed again.
    title, suggested = asked[1]
    assert title == "Exporter la synthèse PDF"
    assert Path(suggested).parent == folder
    assert Path(suggested).suffix == ".pdf"
    assert (folder / "synthese.pdf").read_bytes().startswith(b"%PDF")
    assert window.settings.reports_folder == str(folder)


def test_an_export_that_cannot_be_written_says_what_to_do(qtbot, db, tmp_path, monkeypatch):
    window = open_view(qtbot, db)
    target = tmp_path / "absent" / "classeur.xlsx"
    with qtbot.waitSignal(window.failed, timeout=SIGNAL_TIMEOUT) as failed:
        window.exports.write(WORKBOOK, target)
    assert failed.args[0] == (
        f"Le dossier {target.parent} n'existe pas. Choisissez un dossier existant pour "
        "enregistrer le classeur."
    )
    assert window.exports.banner.isVisible()
    assert window.exports.banner.kind == "error"
    assert not window.exports.banner.folder_button.isVisible()
    assert window.exports.pdf_button.isEnabled()
    # A cancelled dialog writes nothing.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: ("", ""))
    window.exports.ask(PDF)
    assert not window.tasks.busy


def test_reading_again_when_coming_back(qtbot, db):
    window = open_view(qtbot, db)
    set_arbitration(db, CAMPAIGN, "2.1.1", "non", reason="Revu en comité", actor="SGAR")
    window.refresh_after = 0
    with qtbot.waitActive(window):
        window.activateWindow()
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.changeEvent(QEvent(QEvent.Type.ActivationChange))
    assert cell(window, "2.1.1", GRID.FINAL).data() == "Non"


def _type_arbitration(qtbot, window: ConsolidationWindow, code: str, key: K, reason: str):
    assert window.select_action(code)
    detail = window.detail
    detail.status_combo.setFocus()
    # A letter chooses in the list; letters typed together search together.
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClick(detail.status_combo, key)
    detail.reason_edit.setFocus()
    type_text(qtbot, detail.reason_edit, reason)


def test_an_arbitration_typed_and_not_applied_comes_back_after_closing(qtbot, db):
    window = open_view(qtbot, db)
    _type_arbitration(qtbot, window, "1.4.1", K.Key_N, "Vu en commission")
    _type_arbitration(qtbot, window, "1.1.1", K.Key_P, "À revoir avec l'OFII")
    window.close()
    # The next consolidation of the campaign (another start) brings both back, and says so.
    again = open_view(qtbot, db)
    assert again.statusBar().currentMessage() == (
        "Arbitrages saisis et non appliqués à la dernière fermeture, retrouvés (actions 1.1.1, "
        "1.4.1) : appliquez-les, ou effacez leur raison pour y renoncer."
    )
    assert again.select_action("1.4.1")
    detail = again.detail
    assert detail.status_combo.currentData() == "non"
    assert detail.reason_edit.toPlainText() == "Vu en commission"
    with qtbot.waitSignal(again.written, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(detail.apply_button, LEFT)
    assert stored(db, "1.4.1").arbitration.reason == "Vu en commission"
    assert again.select_action("1.1.1")
    assert (detail.status_combo.currentData(), detail.reason_edit.toPlainText()) == (
        "partiellement",
        "À revoir avec l'OFII",
    )
    again.close()
    # Applied, it is not brought back; emptied, its reason is given up.
    third = open_view(qtbot, db)
    assert third.statusBar().currentMessage() == (
        "Arbitrage saisi et non appliqué à la dernière fermeture, retrouvé (action 1.1.1) : "
        "appliquez-le, ou effacez sa raison pour y renoncer."
    )
    assert third.select_action("1.1.1")
    third.detail.reason_edit.clear()
    third.close()
    fourth = open_view(qtbot, db)
    assert fourth.statusBar().currentMessage() == ""
    assert fourth.select_action("1.1.1")
    assert fourth.detail.reason_edit.toPlainText() == ""


def test_the_session_end_keeps_the_arbitration_being_typed(qtbot, db):
    """The system ends the program (logoff, shutdown) while the secretariat types a reason:
    nobody is asked, the reason is kept and comes back with the next consolidation."""
    entry = open_window(qtbot, db, CLAIRE)
    consolidation = open_view(qtbot, db)
    entry.consolidation_window = consolidation
    _type_arbitration(qtbot, consolidation, "1.4.1", K.Key_N, "Tapé avant la fin de session")
    entry.save_for_session_end()
    campaign = consolidation.sheet.consolidation.campaign_id
    assert Settings().kept_typing("arbitrages", f"{db.key} {campaign}") == {
        "1.4.1": ["non", "Tapé avant la fin de session"]
    }
    again = open_view(qtbot, db)
    assert again.select_action("1.4.1")
    assert again.detail.reason_edit.toPlainText() == "Tapé avant la fin de session"
