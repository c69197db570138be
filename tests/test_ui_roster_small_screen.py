"""« Qui a répondu » on a 1024×600 screen: each service's name stays readable; the refused
file's column, whole in its tooltip, takes what is left and the table scrolls to it."""

from __future__ import annotations

import math

import pytest
from consolidation_support import LABELS, answer_scenario
from ui_support import database_path

from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.consolidation.models import RosterModel
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.parts.settings import Settings


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_roster_keeps_the_services_names_readable(qtbot, db, width):
    answer_scenario(db)
    window = ConsolidationWindow(
        db, questionnaire_id="sradar-2021-2023", actor="Sophie Durand", settings=Settings()
    )
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(width, 600)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.show()
    window.tabs.setCurrentWidget(window.roster)
    view = window.roster.view
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    longest = max(metrics.horizontalAdvance(label) for label in LABELS.values())
    assert header.sectionSize(RosterModel.LABEL) >= longest + 8
    # The last column fills the table, or the table scrolls to it.
    end = header.sectionViewportPosition(RosterModel.REFUSED) + header.sectionSize(
        RosterModel.REFUSED
    )
    assert end >= view.viewport().width() - 1
    assert header.sectionSize(RosterModel.REFUSED) >= metrics.horizontalAdvance("refusé le")
