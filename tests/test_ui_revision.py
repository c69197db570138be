"""« Réviser le plan… » from the consolidation window: the revised plan's links shown, a link
corrected (with the problems it makes listed, and « Appliquer » held back while there are some),
then applied: the database has the revised plan and the window reads it again."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import SEED_000
from consolidation_support import answer_scenario
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QFileDialog
from sqlalchemy import select
from ui_support import SIGNAL_TIMEOUT, SRADAR, database_path

from sradar_desktop.db.models import ActionRow
from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.dialogs.revision import LOW_CONFIDENCE, LinksModel, RevisionDialog
from sradar_desktop.ui.parts.settings import Folder, Settings

NEW_ACTION = "Former les agents d'accueil à la lutte contre les discriminations"


def revised_table(tmp_path: Path) -> Path:
    """Seed 000's plan with its action 1.1.2 removed and an action added to its theme: 1.1.3
    becomes 1.1.2, the new action 1.1.3."""
    lines = SEED_000.read_text(encoding="utf-8").splitlines()
    removed = next(i for i, line in enumerate(lines) if "Rédiger un didacticiel" in line)
    theme_row = lines.pop(removed).split("\t")
    lines.insert(removed + 1, "\t".join([*theme_row[:2], NEW_ACTION, ""]))
    path = tmp_path / "plans" / "plan-revise.txt"
    path.parent.mkdir()
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    answer_scenario(database)
    yield database
    database.close()


def open_view(qtbot, db) -> ConsolidationWindow:
    window = ConsolidationWindow(
        db, questionnaire_id=SRADAR, actor="Sophie Durand", settings=Settings()
    )
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        window.show()
    return window


def links(dialog: RevisionDialog) -> list[tuple[str, str, str]]:
    model = dialog.model
    return [
        tuple(model.index(row, column).data() for column in (0, 1, 2))
        for row in range(model.rowCount())
    ]


def edit(qtbot, dialog: RevisionDialog, row: int, column: int, text: str) -> None:
    """Type ``text`` into a cell of the links as the user does (F2, type, Entrée)."""
    table = dialog.table
    table.setCurrentIndex(dialog.proxy.mapFromSource(dialog.model.index(row, column)))
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.focusWidget()
    assert editor is not table
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on Entrée through a queued call.
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def test_preview_correct_and_apply_a_revised_plan(qtbot, db, tmp_path, monkeypatch):
    revised = revised_table(tmp_path)
    window = open_view(qtbot, db)
    action = window.revise_action
    assert action.text() == "Ré&viser le plan…"
    assert action.shortcut().toString() == "Ctrl+Shift+R"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(revised), ""))
    qtbot.keyClick(
        window.grid,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.changes.revision_dialog
    assert isinstance(dialog, RevisionDialog) and dialog.isVisible()
    assert not dialog.apply_button.isEnabled()
    for widget in (dialog.file_edit, dialog.choose_button, dialog.table, dialog.apply_button):
        assert widget.accessibleName()

    with qtbot.waitSignal(dialog.previewed, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.settings.folder(Folder.REVISED_PLANS) == revised.parent
    assert dialog.summary_label.text() == (
        "Révision du questionnaire sradar-2021-2023 : 69 actions identiques, "
        "1 action renumérotée, 1 action nouvelle, 1 action retirée."
    )
    shown = links(dialog)
    assert ("renumérotée", "1.1.3", "1.1.2") in shown
    assert ("nouvelle", "—", "1.1.3") in shown
    assert ("retirée", "1.1.2", "—") in shown
    model = dialog.model
    row = shown.index(("nouvelle", "—", "1.1.3"))
    assert model.index(row, LinksModel.NEW_TEXT).data() == NEW_ACTION
    # A doubtful link says so in words.
    for r in range(model.rowCount()):
        text = model.index(r, LinksModel.CONFIDENCE).data()
        assert text.endswith("à vérifier") == (model.link(r).confidence < LOW_CONFIDENCE)
    assert dialog.apply_button.isEnabled()
    # The unchanged actions are hidden until asked for.
    assert dialog.hide_same_box.isChecked()
    assert dialog.proxy.rowCount() == 3
    dialog.hide_same_box.setChecked(False)
    assert dialog.proxy.rowCount() == model.rowCount() == 72
    dialog.hide_same_box.setChecked(True)

    # A code that does not exist is refused, in French; nothing changes.
    removed = shown.index(("retirée", "1.1.2", "—"))
    edit(qtbot, dialog, removed, LinksModel.NEW, "9.9.9")
    assert "l'action 9.9.9 n'existe pas dans le plan révisé" in dialog.problems_label.text()
    assert links(dialog) == shown

    # Two actions to two: a problem, listed as it appears; « Appliquer » waits.
    renumbered = shown.index(("renumérotée", "1.1.3", "1.1.2"))
    edit(qtbot, dialog, renumbered, LinksModel.OLD, "1.1.2, 1.1.3")
    merged = links(dialog)
    assert ("fusionnée", "1.1.2, 1.1.3", "1.1.2") in merged
    assert dialog.apply_button.isEnabled()
    row = merged.index(("fusionnée", "1.1.2, 1.1.3", "1.1.2"))
    edit(qtbot, dialog, row, LinksModel.NEW, "1.1.2, 1.1.3")
    assert "relie plusieurs actions à plusieurs" in dialog.problems_label.text()
    assert not dialog.apply_button.isEnabled()

    # Corrected: 1.1.2 goes on as 1.1.3, 1.1.3 as 1.1.2.
    row = links(dialog).index(("fusionnée", "1.1.2, 1.1.3", "1.1.2, 1.1.3"))
    edit(qtbot, dialog, row, LinksModel.OLD, "1.1.3")
    for old, new in (("1.1.2", "1.1.3"), ("1.1.3", "1.1.2")):
        row = next(r for r, link in enumerate(links(dialog)) if link[1] == old)
        edit(qtbot, dialog, row, LinksModel.NEW, new)
    assert dialog.summary_label.text() == (
        "Révision du questionnaire sradar-2021-2023 : 69 actions identiques, "
        "2 actions renumérotées."
    )
    assert dialog.problems_label.text().startswith("Correspondance complète")
    assert dialog.apply_button.isEnabled()

    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("Révision enregistrée du questionnaire sradar-2021-2023")
    )
    with db.read() as session:
        texts = dict(
            session.execute(
                select(ActionRow.code, ActionRow.text).where(ActionRow.questionnaire_id == SRADAR)
            ).all()
        )
    assert texts["1.1.3"] == NEW_ACTION
    assert not any(text.startswith("Rédiger un didacticiel") for text in texts.values())
    # The window shows the revised plan: the answer given to 1.1.2 followed the link to 1.1.3.
    assert window.select_action("1.1.3")
    result = window.current_result()
    assert result.action.text == NEW_ACTION
    assert [(a.respondent, a.status) for a in result.answers if a.status] == [("DREETS-PDL", "oui")]


def test_a_file_that_is_not_a_plan_is_refused_in_french(qtbot, db, tmp_path):
    window = open_view(qtbot, db)
    bad = tmp_path / "notes.txt"
    bad.write_text("rien à voir\n", encoding="utf-8")
    window.changes.revise_plan()
    dialog = window.changes.revision_dialog
    with qtbot.waitSignal(dialog.failed, timeout=SIGNAL_TIMEOUT) as failed:
        dialog.load_file(bad)
    assert failed.args[0] == dialog.summary_label.text()
    assert "notes.txt" in failed.args[0] or "plan" in failed.args[0]
    assert dialog.model.rowCount() == 0 and not dialog.apply_button.isEnabled()
    assert dialog.choose_button.isEnabled()
    dialog.close()
