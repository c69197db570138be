"""Opens every dialog of the entry side on the screen Qt was started with, and prints what does
not fit as JSON on its last line. Run by ``test_ui_small_screens_dialogs.py`` in a child process
per screen size and scale (``QT_QPA_PLATFORM=offscreen:configfile=…``, ``QT_SCALE_FACTOR``):
Qt reads both once, at start.

Usage: ``python screens_probe.py WORK_FOLDER [SCREENSHOT_FOLDER SUFFIX]``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAccessible, QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QScrollArea,
    QScrollBar,
    QWidget,
)

from sradar_desktop.app import create_application
from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.instance_lock import LockOwner
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import (
    default_campaign_id,
    default_campaign_title,
    list_questionnaires,
    load_plan,
)
from sradar_desktop.services.sending import propose_roster
from sradar_desktop.ui.dialogs.import_files import ImportDialog
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.dialogs.start import (
    IdentityDialog,
    ShortcutsDialog,
    ask_second_window,
    shortcuts_html,
    show_about,
)

SRADAR = "sradar-2021-2023"
# Usable sizes, in logical pixels: a button whose text is cut or a field too small to type in
# is as bad as one off screen.
MIN_INPUT_WIDTH = 120
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QAbstractItemView,
    QComboBox,
    QAbstractSpinBox,
    QAbstractScrollArea,
)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def check(dialog: QWidget, key_widgets: list[QWidget]) -> list[str]:
    """What does not fit in ``dialog`` (shown): the window itself, then its key widgets, then
    any interactive widget without an accessible name."""
    problems: list[str] = []
    area = dialog.screen().availableGeometry()
    frame = dialog.frameGeometry()
    if not area.contains(frame):
        problems.append(f"fenêtre {frame.getRect()} hors de l'écran {area.getRect()}")
    for widget in key_widgets:
        what = f"{type(widget).__name__} « {accessible_name(widget)} »"
        scroller = widget.parentWidget()
        while scroller is not None and not isinstance(scroller, QScrollArea):
            scroller = scroller.parentWidget()
        if scroller is not None:  # reachable by scrolling: scroll to it, as a user would
            scroller.ensureWidgetVisible(widget, 0, 0)
            QApplication.processEvents()
        if not widget.isVisible():
            problems.append(f"{what} caché")
            continue
        shown = widget.visibleRegion().boundingRect()
        if shown != widget.rect():
            problems.append(f"{what} coupé : {shown.getRect()} visible sur {widget.rect()}")
        hint = widget.minimumSizeHint()
        if widget.height() < hint.height() or (
            isinstance(widget, QAbstractButton) and widget.width() < hint.width()
        ):
            problems.append(f"{what} trop petit : {widget.size().toTuple()} < {hint.toTuple()}")
        if isinstance(widget, QLineEdit) and widget.width() < MIN_INPUT_WIDTH:
            problems.append(f"{what} trop étroit : {widget.width()} px")
    for widget in dialog.findChildren(QWidget):
        if (
            isinstance(widget, INTERACTIVE)
            and not isinstance(widget, (QScrollBar, QHeaderView, QScrollArea))
            and widget.isVisibleTo(dialog)
            and not accessible_name(widget).strip()
        ):
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} sans nom accessible")
    return problems


def buttons(dialog: QWidget) -> list[QWidget]:
    return [
        button
        for button in dialog.findChildren(QAbstractButton)
        if button.isVisibleTo(dialog) and button.text()
    ]


def shown(app: QApplication, dialog: QDialog) -> None:
    dialog.show()
    dialog.activateWindow()
    for _ in range(3):
        app.processEvents()


def modal(app: QApplication, opens: Callable[[], object]) -> list[str]:
    """Open a message box (``opens`` runs it), look at it, close it."""
    found: list[str] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, look)
            return
        found.extend(check(box, buttons(box)))
        box.close()

    QTimer.singleShot(0, look)
    opens()
    return found


def main() -> None:
    work = Path(sys.argv[1])
    shots = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    suffix = sys.argv[3] if len(sys.argv) > 3 else ""
    app = create_application(["probe"])
    db = open_database(work / "base.sqlite3")
    results: dict[str, list[str]] = {}
    screen = app.primaryScreen()
    results["écran"] = [f"{screen.availableGeometry().getRect()} × {screen.devicePixelRatio()}"]

    def save(widget: QWidget, name: str) -> None:
        if shots is not None:
            widget.grab().save(str(shots / f"{name}-{suffix}.png"))

    questionnaires = list_questionnaires(db)
    first = IdentityDialog(questionnaires, None, SRADAR, first_start=True)
    shown(app, first)
    save(first, "premier-demarrage")
    results["premier démarrage"] = check(
        first,
        [
            first.code_edit,
            first.label_edit,
            first.name_edit,
            first.questionnaire_view,
            *buttons(first),
        ],
    )
    first.close()

    identity = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Claire Martin")
    mine = IdentityDialog(questionnaires, identity, SRADAR, first_start=False)
    shown(app, mine)
    results["mon service"] = check(
        mine, [mine.code_edit, mine.name_edit, mine.questionnaire_view, *buttons(mine)]
    )
    mine.close()

    actions = []
    for number in range(40):
        action = QAction(f"Action numéro {number} du menu", app)
        action.setShortcut(QKeySequence(f"Ctrl+Shift+{chr(ord('A') + number % 26)}"))
        actions.append(action)
    keys = ShortcutsDialog(shortcuts_html([("Saisie", actions[:20]), ("Fichier", actions[20:])]))
    shown(app, keys)
    save(keys, "raccourcis")
    results["raccourcis"] = check(keys, buttons(keys))
    keys.close()

    # Workbooks answered on other workstations, as received by email.
    paths = []
    elsewhere = open_database(work / "ailleurs.sqlite3")
    for respondent in ("DDETS-44", "DDETS-49", "DDETS-85"):
        service = AnswerService(elsewhere, default_campaign_id(SRADAR), respondent, "Agent")
        for code in ("1.1.1", "1.1.2", "1.2.1"):
            service.set_status(code, "oui")
        path = work / f"SRADAR-2021-2023_{respondent}_2026-11-23.xlsx"
        export_workbook(elsewhere, path, questionnaire_id=SRADAR, respondent_code=respondent)
        paths.append(path)
    elsewhere.close()
    (work / "notes.txt").write_text("pas un classeur", encoding="utf-8")
    paths.append(work / "notes.txt")
    preview = ImportDialog(db, paths, actor="Claire Martin")
    shown(app, preview)
    while preview.phase == ImportDialog.PREVIEWING:
        app.processEvents()
    app.processEvents()
    save(preview, "apercu-import")
    results["aperçu de l'import"] = check(
        preview, [preview.view, preview.details, preview.import_button, preview.cancel_button]
    )
    preview.close()

    plan = load_plan(db, SRADAR)
    send = SendDialog(
        db,
        plan,
        default_campaign_id(SRADAR),
        default_campaign_title(plan),
        [],
        region="Pays de la Loire",
        folder=str(work),
    )
    shown(app, send)
    save(send, "preparer-envoi")
    results["préparer l'envoi"] = check(
        send, [send.table, send.folder_edit, send.write_button, send.close_button]
    )
    send.close()
    assert not propose_roster("") and propose_roster("Pays de la Loire")

    from sradar_desktop.services.campaigns import list_campaigns
    from sradar_desktop.ui.dialogs.campaigns import CampaignDialog, NewCampaignDialog
    from sradar_desktop.ui.dialogs.revision import RevisionDialog

    campaigns = list_campaigns(db, SRADAR)
    choice = CampaignDialog(campaigns, campaigns[0].id, plan.title)
    shown(app, choice)
    results["changer de campagne"] = check(choice, buttons(choice))
    choice.close()
    following = NewCampaignDialog(db, campaigns[0], "Claire Martin")
    shown(app, following)
    results["nouvelle campagne"] = check(following, buttons(following))
    following.close()
    revision = RevisionDialog(db, SRADAR, actor="Sophie Durand")
    shown(app, revision)
    results["réviser le plan"] = check(revision, buttons(revision))
    revision.close()

    owner = LockOwner(pid=1, host="poste", user="claire", agent="Claire Martin", since="")
    results["deuxième fenêtre"] = modal(app, lambda: ask_second_window(owner))
    results["à propos"] = modal(app, lambda: show_about(None, str(work / "base.sqlite3")))
    db.close()
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
