"""The underlined letters (« &Fichier », « Co&de du service ») of every window, dialog and menu.

Within one window, the letters Alt reaches at the same moment (the menu bar's titles, the
buttons, the labels of fields, the group boxes, the tabs) are all different: two of them on one
letter and Alt+letter goes to the first, not to the one the agent meant (pressing Alt+T to
reach « Statut retenu » used to tick « Arbitrées seulement » instead, and the list emptied).
Within each menu, every item's letter is its own. And every letter does its job, pressed for
real: Alt+letter reaches its control, alone; a letter in an open menu triggers its item.
Letters hidden in another tab of the window count only when that tab is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from consolidation_support import answer_scenario
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QShortcutEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QTabWidget,
    QWidget,
)
from ui_support import POPUPS_OFFSCREEN, SRADAR, open_window

from sradar_desktop.services.campaigns import list_campaigns
from sradar_desktop.services.entry import Identity
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import (
    default_campaign_id,
    default_campaign_title,
    list_questionnaires,
    load_plan,
)
from sradar_desktop.ui.consolidation.roster import ExpectedRespondentsDialog
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.dialogs.campaigns import CampaignDialog, NewCampaignDialog
from sradar_desktop.ui.dialogs.import_files import ImportDialog
from sradar_desktop.ui.dialogs.revision import RevisionDialog
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.dialogs.start import IdentityDialog, ShortcutsDialog
from sradar_desktop.ui.parts.settings import Settings

pytestmark = POPUPS_OFFSCREEN


def letter(text: str) -> str:
    """The underlined letter of ``text`` (lower case), or ``""``."""
    position = text.replace("&&", "").find("&")
    if position < 0:
        return ""
    return text.replace("&&", "")[position + 1 : position + 2].lower()


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class Spy(QObject):
    """Takes the mnemonic (shortcut) events of the controls it watches, without letting them
    act (a button would close the dialog, a box would filter the list)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[QObject, bool]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut:
            assert isinstance(event, QShortcutEvent)
            self.received.append((watched, event.isAmbiguous()))
            return True
        return False


def owned(widget: QWidget, window: QWidget) -> bool:
    return widget.window() is window and widget.isVisibleTo(window)


def controls(window: QWidget) -> Iterator[tuple[str, QWidget, str]]:
    """(letter, control, text) for each control of ``window`` Alt reaches now; a tab bar
    gives one line per tab (the text says which)."""
    for widget in window.findChildren(QWidget):
        if not owned(widget, window):
            continue
        if isinstance(widget, QAbstractButton) or (
            isinstance(widget, QLabel) and widget.buddy() is not None
        ):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        elif isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                if widget.isTabVisible(tab) and letter(widget.tabText(tab)):
                    yield letter(widget.tabText(tab)), widget, widget.tabText(tab)
            continue
        else:
            continue
        if letter(text):
            yield letter(text), widget, text
    if isinstance(window, QMainWindow):
        bar = window.menuBar()
        for action in bar.actions():
            if action.isVisible() and letter(action.text()):
                yield letter(action.text()), bar, action.text()


def tab_states(window: QWidget) -> Iterator[str]:
    """Each state of the window's tabs (every page of each tab widget shown in turn)."""
    tabs = [t for t in window.findChildren(QTabWidget) if owned(t, window)]
    yield "tel qu'ouvert"
    for widget in tabs:
        before = widget.currentIndex()
        for index in range(widget.count()):
            widget.setCurrentIndex(index)
            QApplication.processEvents()
            yield f"onglet « {plain(widget.tabText(index))} »"
        widget.setCurrentIndex(before)


def clashes(window: QWidget) -> list[str]:
    found = set()
    for state in tab_states(window):
        seen: dict[str, str] = {}
        for key, _widget, text in controls(window):
            if key in seen and seen[key] != text:
                found.add(f"{state} : Alt+{key.upper()} pour « {seen[key]} » et « {text} »")
            seen.setdefault(key, text)
    return sorted(found)


def menu_clashes(window: QMainWindow) -> list[str]:
    found = []
    for title in window.menuBar().actions():
        menu = title.menu()
        seen: dict[str, str] = {}
        for action in menu.actions():
            key = letter(action.text())
            if action.isVisible() and key:
                if key in seen:
                    found.append(
                        f"menu « {plain(title.text())} » : {key.upper()} pour "
                        f"« {seen[key]} » et « {plain(action.text())} »"
                    )
                seen[key] = plain(action.text())
    return found


@contextmanager
def silenced(window: QWidget) -> Iterator[None]:
    """The window's actions and signals quiet: a letter pressed does not run what it names."""
    actions = window.findChildren(QAction)
    for action in actions:
        action.blockSignals(True)
    try:
        yield
    finally:
        for action in actions:
            action.blockSignals(False)


def press_alt(qtbot, window: QWidget, key: str) -> None:
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()


def check_letters(qtbot, window: QWidget) -> list[str]:
    """Press Alt+letter for each control, in each state of the window's tabs: the control
    must receive it alone (a tab becomes current, a menu opens). Returns what went wrong."""
    wrong = []
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for state in tab_states(window):
        for key, widget, text in list(controls(window)):
            if key not in "abcdefghijklmnopqrstuvwxyz":
                wrong.append(f"« {plain(text)} » : lettre {key} difficile à taper")
                continue
            where = f"{state} : Alt+{key.upper()} (« {plain(text)} »)"
            if not widget.isEnabled():
                continue  # its letter works once it is enabled (no other control has it)
            if isinstance(widget, QTabBar):
                wanted = next(i for i in range(widget.count()) if widget.tabText(i) == text)
                if not widget.isTabEnabled(wanted):
                    continue  # as a disabled control: its letter works once the tab is enabled
                tab_widget = widget.parentWidget()
                before = tab_widget.currentIndex() if isinstance(tab_widget, QTabWidget) else 0
                press_alt(qtbot, window, key)
                if widget.currentIndex() != wanted:
                    wrong.append(f"{where} ne montre pas l'onglet")
                if isinstance(tab_widget, QTabWidget):
                    tab_widget.setCurrentIndex(before)
                continue
            if widget is getattr(window, "menuBar", lambda: None)():
                with silenced(window):
                    press_alt(qtbot, window, key)
                    popup = QApplication.activePopupWidget()
                    opened = isinstance(popup, QMenu) and popup.title() == text
                    if popup is not None:
                        popup.close()
                if not opened:
                    wrong.append(f"{where} n'ouvre pas le menu")
                continue
            spy = Spy()
            watched = [w for _k, w, _t in controls(window) if not isinstance(w, QTabBar)]
            for other in watched:
                other.installEventFilter(spy)
            if isinstance(window, QMainWindow):
                window.menuBar().installEventFilter(spy)
            press_alt(qtbot, window, key)
            for other in watched:
                other.removeEventFilter(spy)
            if isinstance(window, QMainWindow):
                window.menuBar().removeEventFilter(spy)
            if spy.received != [(widget, False)]:
                wrong.append(f"{where} atteint {[type(w).__name__ for w, _ in spy.received]}")
    return wrong


def check_menus(qtbot, window: QMainWindow) -> list[str]:
    """Open each menu of the menu bar and press each item's letter: that item is triggered
    (the action's own slot kept quiet)."""
    wrong = []
    bar = window.menuBar()
    triggered: list[QAction] = []
    bar.triggered.connect(triggered.append)
    for title in bar.actions():
        menu = title.menu()
        for action in menu.actions():
            key = letter(action.text())
            if not key or not action.isVisible() or not action.isEnabled():
                continue
            triggered.clear()
            with silenced(window):
                bar.setActiveAction(title)
                qtbot.waitUntil(menu.isVisible)
                qtbot.keyClick(menu, key)
                QApplication.processEvents()
            if menu.isVisible():
                menu.close()
            if triggered != [action]:
                wrong.append(
                    f"menu « {plain(title.text())} », {key.upper()} : "
                    f"{[plain(a.text()) for a in triggered]} au lieu de « {plain(action.text())} »"
                )
    bar.triggered.disconnect(triggered.append)
    return wrong


# ==== the windows ===============================================================================


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "base.sqlite3")
    yield database
    database.close()


def test_entry_window_letters(qtbot, db):
    window = open_window(qtbot, db)
    window.action_list.table.setFocus()
    problems = clashes(window) + menu_clashes(window)
    problems += check_letters(qtbot, window) + check_menus(qtbot, window)
    assert not problems, "\n".join(problems)


def test_consolidation_window_letters(qtbot, db):
    answer_scenario(db)
    window = ConsolidationWindow(db, questionnaire_id=SRADAR, actor="Sophie", settings=Settings())
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.show()
    window.grid.setFocus()
    problems = clashes(window) + menu_clashes(window)
    problems += check_letters(qtbot, window) + check_menus(qtbot, window)
    assert not problems, "\n".join(problems)


def dialogs(db, tmp_path) -> Iterator[tuple[str, Callable[[], QDialog]]]:
    questionnaires = list_questionnaires(db)
    identity = Identity.create("DDETS-44", "DDETS de Loire-Atlantique", "Claire Martin")
    plan = load_plan(db, SRADAR)
    campaigns = list_campaigns(db, SRADAR)
    yield "premier démarrage", lambda: IdentityDialog(questionnaires, None, SRADAR)
    yield (
        "mon service",
        lambda: IdentityDialog(questionnaires, identity, SRADAR, first_start=False),
    )
    yield "raccourcis", lambda: ShortcutsDialog("<p>—</p>")
    notes = tmp_path / "notes.txt"
    notes.write_text("pas un classeur", encoding="utf-8")
    yield "import", lambda: ImportDialog(db, [notes], actor="Claire Martin")

    def send_dialog(messages: bool) -> SendDialog:
        dialog = SendDialog(
            db,
            plan,
            default_campaign_id(SRADAR),
            default_campaign_title(plan),
            [],
            region="Pays de la Loire",
            folder=str(tmp_path),
        )
        # « Messages préparés » opens once messages are written: its letter checked then too.
        dialog.tabs.setTabEnabled(1, messages)
        return dialog

    yield "préparer l'envoi", lambda: send_dialog(False)
    yield "préparer l'envoi, messages écrits", lambda: send_dialog(True)
    yield "changer de campagne", lambda: CampaignDialog(campaigns, campaigns[0].id, plan.title)
    yield "nouvelle campagne", lambda: NewCampaignDialog(db, campaigns[0], "Claire Martin")
    yield "réviser le plan", lambda: RevisionDialog(db, SRADAR, actor="Sophie Durand")
    yield (
        "répondants attendus",
        lambda: ExpectedRespondentsDialog(plan, [], []),
    )


def test_every_dialog_letters(qtbot, db, tmp_path):
    wrong = []
    for name, make in dialogs(db, tmp_path):
        dialog = make()
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        wrong += [f"{name} : {line}" for line in clashes(dialog)]
        wrong += [f"{name} : {line}" for line in check_letters(qtbot, dialog)]
        dialog.close()
    assert not wrong, "\n".join(wrong)


def test_the_letter_of_a_text():
    assert letter("Évol&ution") == "u"
    assert letter("&Fichier") == "f"
    assert letter("Recherche && remplacement") == ""
