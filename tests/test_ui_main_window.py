"""The main window on the built-in plans, and the Qt models it shows."""

from __future__ import annotations

import pytest

from sradar_desktop.plans.builtin import builtin_plans
from sradar_desktop.services.database import Database
from sradar_desktop.ui.main_window import MainWindow
from sradar_desktop.ui.plan_models import ActionFilterProxy, ActionTableModel, PlanTreeModel


@pytest.fixture
def sradar_plan():
    return next(p for p in builtin_plans() if p.id == "sradar-2021-2023")


def test_tree_model(qtmodeltester, sradar_plan):
    model = PlanTreeModel()
    model.set_plan(sradar_plan)
    qtmodeltester.check(model)
    assert model.rowCount() == 8
    assert sum(model.rowCount(model.index(row, 0)) for row in range(8)) == 28
    first = model.index(0, 0)
    assert first.data() == "1. Consolider le parc d’hébergement des demandeurs d’asile"
    assert model.index(0, 0, first).data(PlanTreeModel.CodeRole) == "1.1"


def test_action_models(qtmodeltester, sradar_plan):
    model = ActionTableModel()
    model.set_plan(sradar_plan)
    qtmodeltester.check(model)
    proxy = ActionFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_code_prefix("1.2")
    qtmodeltester.check(proxy)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == [
        "1.2.1",
        "1.2.2",
        "1.2.3",
    ]
    proxy.set_code_prefix("")
    assert proxy.rowCount() == 71


def test_main_window_shows_the_built_in_plan(qtbot, tmp_path):
    db = Database.open(tmp_path / "base.sqlite3")
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    box = window.questionnaire_box
    assert box.count() == 3
    box.setCurrentIndex(box.findData("sradar-2021-2023"))
    assert window.action_proxy.rowCount() == 71
    assert "SRADAR 2021-2023" in window.windowTitle()
    # Choosing a theme in the tree keeps its actions only.
    theme = window.tree_model.index(0, 0, window.tree_model.index(1, 0))
    window.tree.setCurrentIndex(theme)
    assert window.action_proxy.rowCount() == 4
    assert window.table.currentIndex().data() == "2.1.1"
    assert "Rappeler l’obligation de signalement" in window.detail.toPlainText()
    window.close()
    db.close()
