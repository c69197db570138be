"""The consolidation window on the screens agents have: ten services in the grid at 1366×768
(no horizontal scroll, every badge and header whole) and at 1024×600 (usable, a scroll bar
at most); the chart's bars and titles; the arbitration typed straight after F2."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from consolidation_support import SERVICES, ten_services_scenario
from exchange_support import SRADAR, answer
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QStyleOptionViewItem,
    QWidget,
)
from ui_support import SIGNAL_TIMEOUT, database_path, type_text

from sradar_desktop.services.consolidation import RosterMember, load_consolidation
from sradar_desktop.services.opening import open_database
from sradar_desktop.services.questionnaires import default_campaign_id
from sradar_desktop.ui.consolidation.delegates import COMMENT_MARK, StatusCellDelegate
from sradar_desktop.ui.consolidation.models import ColorRole, ConsolidationGridModel, ShortRole
from sradar_desktop.ui.consolidation.roster import ExpectedRespondentsDialog
from sradar_desktop.ui.consolidation.window import ConsolidationWindow
from sradar_desktop.ui.parts.delegates import chip_font
from sradar_desktop.ui.parts.settings import Settings

GRID = ConsolidationGridModel
GUIDE_IMAGES = Path(__file__).resolve().parent.parent / "resources" / "guide" / "images"
# SRADAR_GUIDE_IMAGES=1 also writes the screenshots into the user guide's images.
GUIDE_ENV = "SRADAR_GUIDE_IMAGES"
CAMPAIGN = default_campaign_id(SRADAR)


@pytest.fixture
def db(tmp_path):
    database = open_database(database_path(tmp_path))
    ten_services_scenario(database)
    yield database
    database.close()


def open_view(qtbot, db, width: int, height: int) -> ConsolidationWindow:
    window = ConsolidationWindow(db, questionnaire_id=SRADAR, actor="Sophie", settings=Settings())
    window.refresh_after = math.inf
    qtbot.addWidget(window)
    window.resize(width, height)
    with qtbot.waitSignal(window.loaded, timeout=SIGNAL_TIMEOUT), qtbot.waitExposed(window):
        window.show()
    QApplication.processEvents()  # the layouts Qt defers to the event loop
    return window


def save_screenshot(window: ConsolidationWindow, folder: Path, name: str) -> None:
    """What the test saw, on disk to look at (and in the guide when asked)."""
    image = window.grab()
    assert image.save(str(folder / name))
    if os.environ.get(GUIDE_ENV) == "1":
        assert image.save(str(GUIDE_IMAGES / name))


def visible_indexes(window: ConsolidationWindow):
    """The grid's cells on screen, column by column."""
    grid = window.grid
    viewport = grid.viewport().rect()
    for row in range(window.proxy.rowCount()):
        for column in range(window.proxy.columnCount()):
            index = window.proxy.index(row, column)
            rect = grid.visualRect(index)
            if rect.isValid() and viewport.contains(rect):
                yield index, rect


def assert_badges_whole(window: ConsolidationWindow) -> int:
    """Every status badge on screen shows its word whole (short or full), inside its cell;
    every « sans réponse » fits its cell on at most two lines. Returns the badges checked."""
    grid = window.grid
    delegate = grid.itemDelegate()
    assert isinstance(delegate, StatusCellDelegate)
    bold = QFontMetrics(chip_font(grid.font()))
    italic_font = grid.font()
    italic_font.setItalic(True)
    italic = QFontMetrics(italic_font)
    badges = 0
    for index, rect in visible_indexes(window):
        if index.column() in (GRID.ACTION, GRID.DISTRIBUTION):
            continue
        option = QStyleOptionViewItem()
        grid.initViewItemOption(option)
        option.rect = rect
        cell = delegate.layout(option, index)
        full = index.data()
        if cell.chip is not None:
            badges += 1
            assert cell.text in (full, index.data(ShortRole)), cell.text
            # draw_chip keeps 3 px each side of the word.
            assert bold.horizontalAdvance(cell.text) <= cell.chip.width() - 6, (cell.text, rect)
            assert rect.contains(cell.chip), (cell.text, rect, cell.chip)
            if cell.mark is not None:
                assert not cell.mark.intersects(cell.chip)
                assert rect.contains(cell.mark)
        elif cell.text:
            words = cell.text.split()
            assert all(italic.horizontalAdvance(w) <= cell.text_rect.width() for w in words)
            assert italic.lineSpacing() * len(words) <= cell.text_rect.height() or (
                italic.horizontalAdvance(cell.text) <= cell.text_rect.width()
            )
    return badges


def assert_headers_whole(window: ConsolidationWindow) -> None:
    header = window.grid.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(header.count()):
        title = str(window.proxy.headerData(column, Qt.Orientation.Horizontal))
        lines = header.lines(column)
        assert "".join(lines).replace(" ", "") == title.replace(" ", ""), (title, lines)
        assert all(metrics.horizontalAdvance(line) <= header.text_width(column) for line in lines)
        assert metrics.lineSpacing() * len(lines) <= header.height()


def test_ten_services_fit_at_1366x768(qtbot, db, tmp_path):
    window = open_view(qtbot, db, 1366, 768)
    grid = window.grid
    assert window.model.columnCount() == GRID.FIXED + len(SERVICES)
    assert not grid.horizontalScrollBar().isVisible()
    header = grid.horizontalHeader()
    assert header.length() <= grid.viewport().width()
    # The action's text has the room: a fifth of the grid, as wide as three services.
    assert header.sectionSize(GRID.ACTION) >= grid.viewport().width() // 5
    assert header.sectionSize(GRID.ACTION) >= 3 * header.sectionSize(GRID.FIXED)
    assert assert_badges_whole(window) > 50
    assert_headers_whole(window)
    # The DREETS' code wraps after its hyphen rather than being cut.
    dreets = GRID.FIXED + SERVICES.index("DREETS-PDL")
    assert header.lines(dreets) in (["DREETS-PDL"], ["DREETS-", "PDL"])
    save_screenshot(window, tmp_path, "consolidation-1366x768.png")


def test_compact_badges_keep_the_full_word(qtbot, db):
    window = open_view(qtbot, db, 1366, 768)
    assert window.columns.compact  # ten services: the short words
    row = window.model.row_of("1.1.2")
    cells = [
        window.model.index(row, column)
        for column in range(GRID.FIXED, window.model.columnCount())
        if window.model.index(row, column).data() == "Partiellement"
    ]
    assert cells
    index = cells[0]
    option = QStyleOptionViewItem()
    window.grid.initViewItemOption(option)
    option.rect = window.grid.visualRect(window.proxy.mapFromSource(index))
    assert window.grid.itemDelegate().layout(option, index).text == "Part."
    code = window.model.headerData(index.column(), Qt.Orientation.Horizontal)
    # The full word for the mouse and for a screen reader.
    assert "Partiellement" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.AccessibleTextRole).startswith(f"{code} : Partiellement")
    assert "Partiellement" in index.data(Qt.ItemDataRole.AccessibleDescriptionRole)
    final = window.model.index(row, GRID.FINAL)
    assert final.data(ShortRole) == "Part."
    assert "Partiellement" in final.data(Qt.ItemDataRole.ToolTipRole)
    assert final.data(Qt.ItemDataRole.AccessibleTextRole) == "Retenu : Partiellement"
    distribution = window.model.index(row, GRID.DISTRIBUTION)
    assert "part. " in distribution.data()
    assert "partiellement " in distribution.data(Qt.ItemDataRole.AccessibleTextRole)


def test_a_few_services_show_the_full_words(qtbot, tmp_path):
    database = open_database(database_path(tmp_path))
    try:
        answer(database, "DDETS-44", {"1.1.1": ("partiellement", "Un commentaire.")})
        window = open_view(qtbot, database, 1366, 768)
        assert not window.columns.compact
        index = window.proxy.index(0, GRID.FIXED)
        option = QStyleOptionViewItem()
        window.grid.initViewItemOption(option)
        option.rect = window.grid.visualRect(index)
        assert window.grid.itemDelegate().layout(option, index).text == "Partiellement"
        assert assert_badges_whole(window) >= 3
    finally:
        database.close()


def test_ten_services_usable_at_1024x600(qtbot, db, tmp_path):
    window = open_view(qtbot, db, 1024, 600)
    grid = window.grid
    header = grid.horizontalHeader()
    # The action's text stays readable; the respondents scroll if they must.
    assert header.sectionSize(GRID.ACTION) >= 150
    assert grid.viewport().height() >= 3 * grid.verticalHeader().defaultSectionSize()
    assert assert_badges_whole(window) > 20
    assert_headers_whole(window)
    # Scrolled to the last service: its badges are whole too.
    grid.horizontalScrollBar().setValue(grid.horizontalScrollBar().maximum())
    assert assert_badges_whole(window) > 20
    grid.horizontalScrollBar().setValue(0)
    save_screenshot(window, tmp_path, "consolidation-1024x600.png")


def test_comment_mark_beside_the_badge(qtbot, db):
    window = open_view(qtbot, db, 1366, 768)
    found = 0
    for index, rect in visible_indexes(window):
        if index.column() < GRID.FIXED or not index.data(ColorRole):
            continue
        option = QStyleOptionViewItem()
        window.grid.initViewItemOption(option)
        option.rect = rect
        cell = window.grid.itemDelegate().layout(option, index)
        if cell.mark is not None:
            found += 1
            assert cell.mark.left() >= cell.chip.right()
            width = QFontMetrics(window.grid.font()).horizontalAdvance(COMMENT_MARK)
            assert cell.mark.width() >= width
    assert found


# -- the arbitration ----------------------------------------------------------------------------


def test_f2_then_typing_the_reason_keeps_every_word(qtbot, db):
    window = open_view(qtbot, db, 1366, 768)
    window.activateWindow()
    assert window.select_action("1.2.1")
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_F2)
    detail = window.detail
    assert detail.reason_edit.hasFocus()
    reason = "Vu en commission le 12 mars : la hausse est durable."
    type_text(qtbot, detail.reason_edit, reason)
    assert detail.reason_edit.toPlainText() == reason
    assert not detail.status_combo.view().isVisible()
    # The status is one Maj+Tab away; the choice does not touch the reason.
    qtbot.keyClick(detail.reason_edit, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert detail.status_combo.hasFocus()
    qtbot.keyClick(detail.status_combo, Qt.Key.Key_N)
    assert detail.status_combo.currentData() == "non"
    detail.reason_edit.setFocus()
    with qtbot.waitSignal(window.written, timeout=SIGNAL_TIMEOUT):
        qtbot.keyClick(detail.reason_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = next(
        r for r in load_consolidation(db, campaign_id=CAMPAIGN).actions if r.action.code == "1.2.1"
    )
    assert result.arbitration is not None
    assert (result.arbitration.status, result.arbitration.reason) == ("non", reason)


# -- the chart -----------------------------------------------------------------------------------


def test_chart_bars_carry_their_words_and_titles_fit(qtbot, db):
    window = open_view(qtbot, db, 1366, 768)
    with qtbot.waitExposed(window.charts.chart_view):
        window.tabs.setCurrentWidget(window.charts)
    charts = window.charts
    # Every segment with actions carries its count (and its word when there is room), inside
    # or on the caption line of its bar.
    for bar in charts.bars():
        for segment in bar.segments:
            if segment.count:
                assert str(segment.count) in segment.text
                assert segment.text_rect.width() >= QFontMetrics(charts.font()).horizontalAdvance(
                    segment.text
                )
    overall = charts.bars()[-1]
    assert overall.title == "Ensemble du plan"
    consolidation = window.sheet.consolidation
    shown = {s.word: s.count for s in overall.segments if s.count}
    assert shown == {k: v for k, v in _words(consolidation).items() if v}
    # Objective titles are whole on two lines, or cut with their full title in the tooltip.
    metrics = QFontMetrics(charts.font())
    for bar in charts.bars():
        assert all(metrics.horizontalAdvance(line) <= bar.title_rect.width() for line in bar.lines)
        assert len(bar.lines) <= 2
        assert charts.tooltip_at(bar.title_rect.center()).startswith(bar.title)
    assert charts.chart_view.accessibleName()


def _words(consolidation) -> dict[str, int]:
    scale = consolidation.plan.scale
    return {level.label: consolidation.overall.counts.get(level.code, 0) for level in scale.levels}


# -- accessible names ----------------------------------------------------------------------------


def unnamed_widgets(root: QWidget) -> list[str]:
    """The interactive widgets under ``root`` without an accessible name of their own (the
    parts Qt builds inside a combo box, a date field or a table are theirs to name)."""
    interactive = (
        QAbstractButton,
        QComboBox,
        QAbstractSpinBox,
        QLineEdit,
        QAbstractScrollArea,
    )
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, interactive) or isinstance(widget, QHeaderView):
            continue
        parent = widget.parentWidget()
        inner = False
        while parent is not None and parent is not root:
            if isinstance(parent, (QComboBox, QAbstractSpinBox, QAbstractItemView)):
                inner = True
                break
            parent = parent.parentWidget()
        if not inner and not widget.accessibleName().strip():
            found.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return found


def test_every_widget_of_the_grid_detail_chart_and_roster_is_named(qtbot, db):
    window = open_view(qtbot, db, 1366, 768)
    for part in (window.detail, window.charts, window.roster):
        assert unnamed_widgets(part) == [], type(part).__name__
    dialog = ExpectedRespondentsDialog(
        window.sheet.plan, [RosterMember("DDETS-44", "DDETS de la Loire-Atlantique")], []
    )
    qtbot.addWidget(dialog)
    assert unnamed_widgets(dialog) == []
    assert window.grid.horizontalHeader().accessibleName()
