"""Both windows with a screen reader, the keyboard alone, and a dark or high-contrast palette.

- Every control (button, check box, text field, drop-down, spin box, list or table, slider)
  has a name a screen reader can say: its own text, the label that is its buddy, or an
  accessible name. The name is asked of Qt's accessibility layer, as a screen reader asks it.
- In the entry window, Tab goes through the controls in reading order: the filters left to
  right, then the plan, the actions, the answer and the comment.
- With a dark palette (Windows dark mode) and a high-contrast one (black, white and yellow),
  every text the windows and dialogs show keeps a contrast of 4.5:1 with what is behind it:
  labels, rich text (secondary spans, status chips), items of lists and tables, the counts
  painted on the charts' bars.
"""

from __future__ import annotations

import math
from itertools import pairwise, takewhile

import pytest
from consolidation_support import answer_scenario
from exchange_support import SRADAR, answer
from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QAccessible, QBrush, QColor, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from ui_support import HDF, KARIM, database_path, open_window

from sradar_desktop.services.answers import AnswerService
from sradar_desktop.services.consolidation import RosterMember
from sradar_desktop.services.exchange import export_workbook
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import (
    default_campaign_id,
    default_campaign_title,
    list_questionnaires,
    load_plan,
)
from sradar_desktop.ui.consolidation.models import ColorRole
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.dialogs.import_files import ImportDialog
from sradar_desktop.ui.dialogs.sending import SendDialog
from sradar_desktop.ui.dialogs.start import IdentityDialog
from sradar_desktop.ui.parts.delegates import text_color_on
from sradar_desktop.ui.parts.settings import Settings

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QAbstractSlider,
)
# Parts of a composite control, said by the control itself (a drop-down's list, a field's
# clear button, a table's headers and corner button, a spin box's field, a tab bar's arrows).
COMPOSITES = (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractItemView, QTabBar)


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    yield database
    database.close()


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader says for ``widget``: its accessible name, else what Qt's
    accessibility layer derives (a button's text, a buddy label). A drop-down's derived name
    is its current value under Linux, which names nothing: only its own name or its buddy
    label count."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    if isinstance(widget, QComboBox):
        window = widget.window()
        buddies = [label for label in window.findChildren(QLabel) if label.buddy() is widget]
        return buddies[0].text().replace("&", "").strip() if buddies else ""
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Text.Name) if interface is not None else "").strip()


def part_of_composite(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(window: QWidget) -> list[str]:
    """The controls of ``window`` shown to the user without a name to say."""
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
            continue
        if not widget.isVisibleTo(window) or part_of_composite(widget, window):
            continue
        if not accessible_name(widget):
            missing.append(
                f"{type(widget).__name__} « {widget.objectName()} » in "
                f"{type(widget.parentWidget()).__name__}"
            )
    return missing


def open_consolidation(qtbot, db) -> ConsolidationWindow:
    answer_scenario(db)
    window = ConsolidationWindow(
        db, questionnaire_id="sradar-2021-2023", actor="Sophie Durand", settings=Settings()
    )
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.show()
    return window


# ==== names ======================================================================================


def test_every_control_of_the_entry_window_has_a_name(qtbot, db):
    # HDF's action 2.6.1 has indicators: their fields are in the detail pane.
    window = open_window(qtbot, db, KARIM, HDF)
    window.action_list.select_code("2.6.1")
    assert window.detail.indicators.edit(0, "target").isVisible()
    assert unnamed_controls(window) == []
    window.detail.show_history()
    assert unnamed_controls(window) == []
    # The names say what the control is for, not only what it shows.
    assert accessible_name(window.filters.search_edit) == "Rechercher"
    assert accessible_name(window.filters.pilot_combo) == "Filtrer par pilote"
    assert accessible_name(window.detail.clear_button) == "Effacer la réponse"
    assert accessible_name(window.detail.indicators.edit(0, "target")).endswith("Valeur cible")
    # The save state is read out with its words, not its colour.
    assert accessible_name(window.header.save_label) == "✓ Tout est enregistré"


def test_every_control_of_the_consolidation_window_has_a_name(qtbot, db):
    window = open_consolidation(qtbot, db)
    missing = []
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        missing += unnamed_controls(window)
    assert sorted(set(missing)) == []


# ==== focus order ================================================================================


def test_tab_follows_reading_order_in_the_entry_window(qtbot, db):
    window = open_window(qtbot, db)
    detail = window.detail
    expected = [
        window.filters.search_edit,
        window.filters.unanswered_box,
        window.filters.status_combo,
        window.filters.pilot_combo,
        window.filters.clear_button,
        window.action_list.tree,
        window.action_list.table,
        detail.tabs.tabBar(),
        # The answers are one stop, like radio buttons (the arrows move between them; their
        # keys answer from anywhere).
        detail.first_focus(),
        detail.clear_button,
        detail.comment_edit,
    ]
    enabled = [w for w in expected if w.isEnabled()]
    enabled[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is enabled[0])
    reached = [enabled[0]]
    for _ in enabled[1:]:
        current = QApplication.focusWidget()
        window.focusNextChild()
        qtbot.waitUntil(lambda current=current: QApplication.focusWidget() is not current)
        reached.append(QApplication.focusWidget())
    names = [w.objectName() or type(w).__name__ for w in reached]
    assert reached == enabled, names
    # And on screen it is the reading order: rows left to right, panes (columns) left to
    # right, each from top to bottom; never a step back up and to the left.
    points = [w.mapTo(window, w.rect().topLeft()) for w in enabled]
    for index, (a, b) in enumerate(pairwise(points)):
        assert b.x() > a.x() or b.y() > a.y(), names[index : index + 2]


# ==== dark palette ===============================================================================


def luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(one: QColor, two: QColor) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


PALETTES = {
    # Roughly Windows' dark mode: light text on near-black.
    "sombre": {
        "Window": "#202020",
        "WindowText": "#ffffff",
        "Base": "#2b2b2b",
        "AlternateBase": "#323232",
        "Text": "#ffffff",
        "Button": "#2d2d2d",
        "ButtonText": "#ffffff",
        "ToolTipBase": "#2b2b2b",
        "ToolTipText": "#ffffff",
        "PlaceholderText": "#a0a0a0",
        "Highlight": "#0078d4",
        "HighlightedText": "#ffffff",
        "Link": "#4cc2ff",
    },
    # Roughly Windows' « Contraste élevé noir »: white and yellow text on black.
    "contraste élevé": {
        "Window": "#000000",
        "WindowText": "#ffffff",
        "Base": "#000000",
        "AlternateBase": "#000000",
        "Text": "#ffff00",
        "Button": "#000000",
        "ButtonText": "#ffffff",
        "ToolTipBase": "#000000",
        "ToolTipText": "#ffffff",
        "PlaceholderText": "#c0c0c0",
        "Highlight": "#1aebff",
        "HighlightedText": "#000000",
        "Link": "#ffff00",
    },
}


def palette_named(name: str) -> QPalette:
    palette = QPalette()
    for role, color in PALETTES[name].items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(color))
    return palette


@pytest.fixture(params=list(PALETTES))
def dark(qapp, request):
    """The application under a dark palette, then under a high-contrast one."""
    previous = QPalette(qapp.palette())
    qapp.setPalette(palette_named(request.param))
    yield request.param
    qapp.setPalette(previous)


def document_colours(document: QTextDocument, text: QColor, background: QColor):
    """Each piece of ``document``'s text with its colour and the colour behind it (a chip's
    own background, else ``background``)."""
    block = document.begin()
    while block.isValid():
        for part in block:
            fragment = part.fragment()
            style = fragment.charFormat()
            fore, back = style.foreground(), style.background()
            yield (
                fragment.text(),
                fore.color() if fore.style() != Qt.BrushStyle.NoBrush else text,
                back.color() if back.style() != Qt.BrushStyle.NoBrush else background,
            )
        block = block.next()


def label_colours(label: QLabel, background: QColor):
    text = label.palette().color(QPalette.ColorRole.WindowText)
    if label.autoFillBackground():
        background = label.palette().color(label.backgroundRole())
    document = QTextDocument()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(label.text())
    )
    if rich:
        document.setHtml(label.text())
    else:
        document.setPlainText(label.text())
    yield from document_colours(document, text, background)


def item_colours(view: QAbstractItemView):
    """Each item's own text colour (``ForegroundRole``) on the view's background, and each
    status chip's word on its colour."""
    model = view.model()
    background = view.palette().color(QPalette.ColorRole.Base)

    def walk(parent):
        for row in range(min(model.rowCount(parent), 200)):
            # (a list or table model hides its columnCount from Python)
            cells = (model.index(row, column, parent) for column in range(100))
            for index in takewhile(QModelIndex.isValid, cells):
                words = str(index.data() or "")
                brush = index.data(Qt.ItemDataRole.ForegroundRole)
                if isinstance(brush, QBrush | QColor):
                    yield words, QBrush(brush).color(), background
                chip = index.data(ColorRole)
                if isinstance(chip, QColor) and words:
                    yield words, text_color_on(chip), chip
            first = model.index(row, 0, parent)
            if first.isValid() and model.rowCount(first):
                yield from walk(first)

    yield from walk(QModelIndex())


def unreadable(top: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """The text shown in ``top`` (labels, rich text, items and chips) whose colour is too
    close to the colour behind it (WCAG: 4.5:1), but in the ``skip`` panes."""
    window_background = top.palette().color(QPalette.ColorRole.Window)
    found = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top) or any(pane.isAncestorOf(widget) for pane in skip):
            continue
        if isinstance(widget, QLabel):
            if widget.objectName() == "banner" or widget.parentWidget().objectName() in (
                "banner",
                "conflit",
            ):
                continue  # banners and the conflict box draw their own background
            widget.ensurePolished()
            colours = label_colours(widget, window_background)
        elif isinstance(widget, QTextEdit):
            colours = document_colours(
                widget.document(),
                widget.palette().color(QPalette.ColorRole.Text),
                widget.viewport().palette().color(QPalette.ColorRole.Base),
            )
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            colours = item_colours(widget)
        else:
            continue
        for text, color, background in colours:
            ratio = contrast(color, background)
            if text.strip() and ratio < 4.5:
                found.append(
                    f"{type(widget).__name__} « {text.strip()[:40]} » {color.name()} "
                    f"on {background.name()} ({ratio:.1f}:1)"
                )
    return found


def painted_contrast(image: QImage, rect: QRect, background: QColor) -> float:
    """The highest contrast against ``background`` of the pixels painted in ``rect``: the
    text's colour where it is drawn in full."""
    return max(
        contrast(image.pixelColor(x, y), background)
        for x in range(rect.left() + 1, rect.right())
        for y in range(rect.top() + 1, rect.bottom())
    )


def test_dark_palette_keeps_the_entry_window_readable(qtbot, db, dark):
    window = open_window(qtbot, db, KARIM, HDF)
    window.action_list.select_code("2.6.1")
    assert window.palette().color(QPalette.ColorRole.Window).name() == PALETTES[dark]["Window"]
    assert unreadable(window) == []
    # The states the window colours itself: saved, refused, secondary text.
    target = window.detail.indicators.edit(0, "target")
    target.setFocus()
    target.setText("abc")
    target.textEdited.emit("abc")
    assert window.header.save_label.text() == "⚠ 1 valeur refusée non enregistrée"
    assert unreadable(window) == []
    # Taken back, the window may close without asking about it.
    target.setText("")
    target.textEdited.emit("")
    assert window.header.save_label.text() == "✓ Tout est enregistré"


def test_dark_palette_keeps_the_consolidation_window_readable(qtbot, db, dark):
    """Every tab: the grid and the detail of an action (its answers, chips, who and when, an
    arbitration refused), the charts, the roster and its help."""
    window = open_consolidation(qtbot, db)
    assert window.palette().color(QPalette.ColorRole.Window).name() == PALETTES[dark]["Window"]
    assert window.select_action("1.2.1")  # answers that differ: a « Partiellement » chip
    window.detail.show_error("La raison de l'arbitrage est obligatoire.")
    assert "sans réponse" in window.detail.browser.toPlainText()
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        assert unreadable(window) == []
    # The bars' counts, painted on each status's colour.
    window.tabs.setCurrentWidget(window.charts)
    view = window.charts.chart_view
    image = view.grab().toImage()
    inside = [s for bar in window.charts.bars() for s in bar.segments if s.inside]
    assert inside
    for segment in inside:
        assert painted_contrast(image, segment.text_rect, segment.color) >= 4.5, segment.text


def test_dark_palette_keeps_the_dialogs_readable(qtbot, db, dark, tmp_path):
    """The import preview (a refused file and its reason), the sending dialog and the
    identity dialog with its error."""
    source = open_database(tmp_path / "ailleurs.sqlite3")
    answer(source, "DDETS-44", {"1.1.1": ("oui", "")})
    workbook = tmp_path / "DDETS-44.xlsx"
    export_workbook(source, workbook, respondent_code="DDETS-44")
    source.close()
    notes = tmp_path / "notes.txt"
    notes.write_text("pas un classeur", encoding="utf-8")
    preview = ImportDialog(db, [workbook, notes])
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitUntil(lambda: preview.phase != ImportDialog.PREVIEWING, timeout=60_000)
    preview.view.expandAll()
    refused = preview.model.index(1, 0)
    assert preview.model.rowCount(refused)  # the reason, under the file, in red
    preview.view.setCurrentIndex(refused)
    assert preview.details.toPlainText()
    assert unreadable(preview) == []

    plan = load_plan(db, SRADAR)
    send = SendDialog(
        db,
        plan,
        default_campaign_id(SRADAR),
        default_campaign_title(plan),
        [RosterMember("UD-44", "Unité départementale")],  # pilots nothing: said in red
        region="Pays de la Loire",
        folder=str(tmp_path),
    )
    qtbot.addWidget(send)
    send.show()
    assert send.table.model().piloted("UD-44") == 0
    send._say("Le dossier n'existe pas.", error=True)
    assert unreadable(send) == []

    identity = IdentityDialog(list_questionnaires(db), None, SRADAR, first_start=True)
    qtbot.addWidget(identity)
    identity.show()
    identity.ok_button.click()  # nothing typed: the dialog says what is missing
    assert identity.error_label.isVisible()
    assert unreadable(identity) == []


# ==== what the save state says ===================================================================


def test_the_save_state_never_says_all_is_saved_while_something_is_not(qtbot, tmp_path):
    """« ✓ Tout est enregistré » is said (and read out) only when it is true: not while a
    refused indicator value is still in its field, nor while a conflict waits for the agent.
    An empty indicator field shows nothing that could read as a value."""
    path = database_path(tmp_path)
    db, other = open_database(path), open_database(path)
    try:
        window = open_window(qtbot, db, KARIM, HDF)
        window.action_list.select_code("2.6.1")
        assert window.header.save_label.text() == "✓ Tout est enregistré"
        target = window.detail.indicators.edit(0, "target")
        assert target.text() == "" and target.placeholderText() == ""

        # A value that is not a number stays in its field, refused.
        target.setFocus()
        qtbot.keyClicks(target, "douze")
        qtbot.keyClick(target, Qt.Key.Key_Tab)
        assert window.header.save_label.text() == "⚠ 1 valeur refusée non enregistrée"
        assert accessible_name(window.header.save_label) == "⚠ 1 valeur refusée non enregistrée"
        target.setFocus()
        target.selectAll()
        qtbot.keyClicks(target, "12")
        qtbot.keyClick(target, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: window.controller.engine.idle)
        assert window.header.save_label.text() == "✓ Tout est enregistré"

        # Another agent of the service answers behind the window; the window's answer is
        # refused and kept for the agent to settle.
        code = "2.6.1"
        service = AnswerService(other, default_campaign_id(HDF), KARIM.service_code, "Léa Petit")
        service.set_status(code, "non")
        qtbot.mouseClick(window.detail.status_button("oui"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(window.controller.engine.conflicts))
        qtbot.waitUntil(lambda: window.controller.engine.idle)
        assert window.detail.conflict_box.isVisible()
        assert window.header.save_label.text() == "⚠ 1 saisie en conflit à régler"
        qtbot.mouseClick(window.detail.dismiss_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.controller.engine.idle)
        assert window.header.save_label.text() == "✓ Tout est enregistré"
    finally:
        other.close()
        db.close()
