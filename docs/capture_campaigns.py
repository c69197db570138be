"""Screenshots of a second evaluation in the entry window, at 1366 × 768, for the user guide.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/capture_campaigns.py

Writes into ``resources/guide/images``:
- ``campagne-choix.png``: « Changer de campagne », the first evaluation of the SRADAR by the
  DDETS of Loire-Atlantique and the next one made from it;
- ``action-reprise.png``: the entry window in that next evaluation, an answer carried from the
  first one selected, to confirm.

Same throw-away data folder and helpers as ``make_captures.py``.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from make_captures import CLAIRE, HEIGHT, WIDTH, answer_sradar, save, settle, wait_loaded

from sradar_desktop.app import create_application
from sradar_desktop.services.campaigns import create_campaign, list_campaigns
from sradar_desktop.services.consolidation import set_roster
from sradar_desktop.services.entry import open_entry
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.services.sending import member
from sradar_desktop.ui.dialogs.campaigns import CampaignDialog
from sradar_desktop.ui.entry.window import MainWindow

SRADAR = "sradar-2021-2023"


def main() -> int:
    app = create_application(["captures"])
    db = open_database(Path(os.environ["SRADAR_DATA_DIR"]) / "sradar.sqlite3")
    try:
        answer_sradar(db)
        first = default_campaign_id(SRADAR)
        set_roster(db, first, [member(f"DDETS-{n}") for n in (44, 49, 53, 72, 85)])
        create_campaign(
            db, first, "Évaluation 2024", due_date=date(2025, 3, 31), period="2024", actor="SGAR"
        )
        # The new evaluation begun: two answers kept as they were, one changed.
        data = open_entry(db, SRADAR, CLAIRE)
        assert data.service is not None
        data.service.confirm("1.1.1")
        data.service.confirm("1.1.3")
        data.service.set_status("1.2.1", "oui")

        window = MainWindow(db, identity=CLAIRE, questionnaire_id=SRADAR)
        window.resize(WIDTH, HEIGHT)
        window.show()
        wait_loaded(window)
        window._select_code("1.2.2")
        window.table.setFocus()
        settle()
        save(window, "action-reprise.png")

        dialog = CampaignDialog(
            list_campaigns(db, SRADAR), window.data.campaign_id, "SRADAR 2021-2023", window
        )
        dialog.show()
        settle()
        save(dialog, "campagne-choix.png")
        dialog.close()
        window.close()
    finally:
        db.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
