"""Open the entry window (or, with ``--consolidation``, the consolidation window on ten
services) on the screen this process was given (``QT_QPA_PLATFORM`` with an
offscreen ``configfile``, perhaps ``QT_SCALE_FACTOR``), as on a first start, and print what a
user would see of it as one JSON line: the screen, the window, and the key widgets.

Run by ``test_ui_small_screens_entry`` (a screen size is fixed when the application starts, so
each size needs its own process); ``python tests/small_screen_child.py DB [PNG]
[--consolidation]`` also saves a screenshot of the window, which is how the guide's images are
made.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_support import CLAIRE, SRADAR

from sradar_desktop.services.opening import open_database
from sradar_desktop.ui.entry.models import ActionTableModel
from sradar_desktop.ui.entry.window import MainWindow


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def seen(widget: QWidget, window: QWidget) -> dict:
    """Where ``widget`` is in the window, how much of it is not clipped, its minimum size."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    return {
        "visible": widget.isVisible(),
        "rect": [top_left.x(), top_left.y(), widget.width(), widget.height()],
        "unclipped": rect(widget.visibleRegion().boundingRect()),
        # As the layouts take it: the minimum size set, or else the minimum size hint.
        "minimum": [
            widget.minimumWidth() or widget.minimumSizeHint().width(),
            widget.minimumHeight() or widget.minimumSizeHint().height(),
        ],
        "text": widget.text() if hasattr(widget, "text") else "",
    }


def consolidation_report(app: QApplication, db) -> tuple[QWidget, dict]:
    """The consolidation window on ten services, as on a first start, and what is seen of it."""
    from consolidation_support import ten_services_scenario

    from sradar_desktop.ui.consolidation.window import ConsolidationWindow
    from sradar_desktop.ui.parts.settings import Settings

    ten_services_scenario(db)
    window = ConsolidationWindow(db, questionnaire_id=SRADAR, actor="Sophie", settings=Settings())
    loop = QEventLoop()
    window.loaded.connect(loop.quit)
    window.bring_to_front()  # as the entry window's menu shows it
    loop.exec()
    for _ in range(3):
        app.processEvents()
    detail = window.detail
    return window, {
        "screen": rect(window.screen().availableGeometry()),
        "ratio": window.screen().devicePixelRatio(),
        "frame": rect(window.frameGeometry()),
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "widgets": {
            "grid": seen(window.grid, window),
            "search": seen(window.filters.search_edit, window),
            "clear filters": seen(window.filters.clear_button, window),
            "status retained": seen(detail.status_combo, window),
            "reason": seen(detail.reason_edit, window),
            "apply": seen(detail.apply_button, window),
            "status bar": seen(window.statusBar(), window),
        },
    }


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--consolidation"]
    database, screenshot = arguments[0], (arguments[1] if len(arguments) > 1 else "")
    app = QApplication([])
    db = open_database(Path(database))
    if "--consolidation" in sys.argv:
        window, report = consolidation_report(app, db)
        if screenshot:
            window.grab().save(screenshot)
        print(json.dumps(report), flush=True)
        window.close()
        db.close()
        return
    window = MainWindow(db, identity=CLAIRE, questionnaire_id=SRADAR)
    # A loop of its own: ``app.quit`` would close the window (Qt 6 closes them all first).
    loop = QEventLoop()
    window.loaded.connect(loop.quit)
    window.show_restored()
    loop.exec()
    # Select an action with indicators: its fields are in the detail pane too.
    window.action_list.select_code("1.1.1")
    for _ in range(3):
        app.processEvents()
    screen = window.screen()
    detail = window.detail
    table = window.action_list.table
    report = {
        "screen": rect(screen.availableGeometry()),
        "ratio": screen.devicePixelRatio(),
        "frame": rect(window.frameGeometry()),
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "maximized": window.isMaximized(),
        "action_column": table.columnWidth(ActionTableModel.TEXT),
        "char_width": table.fontMetrics().averageCharWidth(),
        "table": seen(table, window),
        "widgets": {
            **{
                f"answer {code}": seen(button, window)
                for code, button in detail.status_buttons.items()
            },
            "clear answer": seen(detail.clear_button, window),
            "comment": seen(detail.comment_edit, window),
            "save state": seen(window.header.save_label, window),
            "search": seen(window.filters.search_edit, window),
            "clear filters": seen(window.filters.clear_button, window),
            "status bar": seen(window.statusBar(), window),
        },
    }
    if screenshot:
        window.grab().save(screenshot)
    print(json.dumps(report), flush=True)
    window.close()
    db.close()


if __name__ == "__main__":
    main()
