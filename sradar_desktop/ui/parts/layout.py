"""Parts both main windows (entry and consolidation) are built from: the filter bar with its
count, the menus, the work shown in the status bar, the window's place on screen, bringing a
window to the front, and text colours that follow the palette (light, dark, high contrast)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QWidget,
    QWidgetItem,
)

from sradar_desktop.domain.text import plural
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.speech import announce
from sradar_desktop.ui.parts.widgets import SearchEdit

# A window never opens larger than this on a large screen, and is maximised on a screen
# smaller than this on its first start.
DEFAULT_SIZE = (1360, 800)
SMALL_SCREEN = (1500, 900)

# ==== colours ===================================================================================

# Text colours for a state, on a light and on a dark window background (WCAG contrast ≥ 4.5).
_TONES = {
    "error": ("#b71c1c", "#ff8a80"),
    "ok": ("#2e7d32", "#81c784"),
    "warning": ("#7a2e00", "#ffb74d"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def tone(kind: str, palette: QPalette) -> QColor:
    """The text colour of a state (``"error"``, ``"ok"``, ``"warning"``), or of secondary text
    (``"muted"``: the palette's text, a little toward the background), readable on
    ``palette``'s window background."""
    if kind == "muted":
        text = palette.color(QPalette.ColorRole.WindowText)
        back = palette.color(QPalette.ColorRole.Window)
        mix = 0.28  # toward the background: still above 4.5:1 on black or white
        return QColor.fromRgbF(
            text.redF() + (back.redF() - text.redF()) * mix,
            text.greenF() + (back.greenF() - text.greenF()) * mix,
            text.blueF() + (back.blueF() - text.blueF()) * mix,
        )
    if kind not in _TONES:
        return palette.color(QPalette.ColorRole.WindowText)
    light, dark = _TONES[kind]
    return QColor(dark if is_dark(palette) else light)


def tone_brush(kind: str) -> QBrush:
    """``tone`` as a model's ``ForegroundRole``, from the application's palette."""
    return QBrush(tone(kind, QApplication.palette()))


def set_tone(label: QLabel, kind: str = "", *, bold: bool = False) -> None:
    """Colour ``label``'s text for a state (see ``tone``); ``""`` for the palette's own text.
    Through the palette, never a style sheet: the colour follows the window's palette."""
    palette = QPalette(QApplication.palette(label))
    if kind:
        palette.setColor(QPalette.ColorRole.WindowText, tone(kind, palette))
    label.setPalette(palette)
    font = label.font()
    if font.bold() != bold:
        font.setBold(bold)
        label.setFont(font)


class MutedLabel(QLabel):
    """Secondary text (who answers, where the database is): a quieter colour taken from the
    palette."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        set_tone(self, "muted")


class ErrorLabel(QLabel):
    """What is wrong in a form, in bold red words under it: hidden until there is something
    to say, said to a screen reader when it appears (a label is read only when reached)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        set_tone(self, "error", bold=True)
        self.hide()

    def show_error(self, text: str, field: QWidget | None = None) -> None:
        """Say ``text``; the focus goes to ``field``, the one to correct, when given."""
        self.setText(text)
        self.setAccessibleName(text)
        self.show()
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(text, field, urgent=True)


class ElidedLabel(QLabel):
    """One line of text that gives way to its neighbours (it never sets the window's minimum
    width): where it does not fit it is cut with « … » (at the end, or in the middle), the
    whole of it in its tooltip. ``text()`` and the name a screen reader says stay whole."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        muted: bool = False,
    ) -> None:
        super().__init__(text, parent)
        self.mode = mode
        self.tip = ""  # the tooltip given by the window; the text itself when cut otherwise
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setTextFormat(Qt.TextFormat.PlainText)
        # A pixel above the line for the accents of capitals (see ``ui.parts.style``).
        self.setContentsMargins(0, 1, 0, 0)
        if muted:
            set_tone(self, "muted")

    def shown_text(self) -> str:
        """The text as it fits now (« … » where it was cut)."""
        width = self.contentsRect().width()
        if width <= 0:
            return self.text()
        return self.fontMetrics().elidedText(self.text(), self.mode, width)

    def set_tip(self, tip: str) -> None:
        self.tip = tip
        self._update_tip()

    def _update_tip(self) -> None:
        cut = self.shown_text() != self.text()
        wanted = self.tip or (self.text() if cut else "")
        if self.toolTip() != wanted:
            self.setToolTip(wanted)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )


# ==== the filter bar ============================================================================


class FlowLayout(QLayout):
    """Items left to right, going on to the next line when the width runs out (a narrow
    window gets two lines of filters rather than a window wider than the screen). On each line
    the first item that can grow horizontally takes the width left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(8)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insert_widget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        width = sum(size.width() for size in shown) + self.spacing() * max(len(shown) - 1, 0)
        return QSize(width, max((size.height() for size in shown), default=0))

    def minimumSize(self) -> QSize:
        """The widest item alone on its line."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        return size

    def _lines(self, width: int) -> list[list[tuple[QLayoutItem, int]]]:
        lines: list[list[tuple[QLayoutItem, int]]] = []
        line: list[tuple[QLayoutItem, int]] = []
        used = 0
        for item in self._items:
            if item.isEmpty():
                continue
            wanted = max(item.sizeHint().width(), item.minimumSize().width())
            if line and used + self.spacing() + wanted > width:
                lines.append(line)
                line, used = [], 0
            used += (self.spacing() if line else 0) + wanted
            line.append((item, wanted))
        if line:
            lines.append(line)
        return lines

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the items out in ``rect`` (when ``place``); the height they take."""
        y = rect.y()
        for line in self._lines(rect.width()):
            height = max(item.sizeHint().height() for item, _ in line)
            used = sum(width for _, width in line) + self.spacing() * (len(line) - 1)
            left = max(rect.width() - used, 0)
            growing = next(
                (
                    item
                    for item, _ in line
                    if item.expandingDirections() & Qt.Orientation.Horizontal
                ),
                None,
            )
            x = rect.x()
            for item, width in line:
                if item is growing:
                    width += left
                if place:
                    item_height = min(item.sizeHint().height(), height)
                    item.setGeometry(QRect(x, y + (height - item_height) // 2, width, item_height))
                x += width + self.spacing()
            y += height + self.spacing()
        return max(y - self.spacing() - rect.y(), 0)


class FilterBar(QWidget):
    """The search box, the window's own filters, how many actions are shown, and « Effacer les
    filtres ». The filters go between the search and the count (``add``); on a narrow window
    they go on to a second line. When a filter changes, a screen reader is told how many
    actions are shown, once the agent pauses (not at each letter typed)."""

    SAY_AFTER_MS = 700

    def __init__(self, search_tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = SearchEdit()
        self.search_edit.setObjectName("recherche")
        self.search_edit.setPlaceholderText(self.tr("Rechercher un code, un mot… (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(140)
        self.search_edit.setToolTip(search_tip)
        self.search_edit.setAccessibleName(self.tr("Rechercher"))
        self.search_edit.setAccessibleDescription(search_tip)
        self.count_label = MutedLabel()
        self.count_label.setObjectName("compte")
        self.clear_button = QPushButton(self.tr("Effacer les filtres"))
        self.clear_button.setObjectName("effacer-filtres")
        self.clear_button.setToolTip(self.tr("Afficher toutes les actions (Ctrl+Maj+E)"))
        self.clear_button.setAccessibleName(self.tr("Effacer les filtres"))
        self._layout = FlowLayout(self)
        self._layout.insert_widget(0, self.search_edit)
        self._group: QHBoxLayout | None = None
        tail = self._new_group()
        tail.addWidget(self.count_label)
        tail.addStretch(1)
        tail.addWidget(self.clear_button)
        tail.parentWidget().setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._layout.insert_widget(1, tail.parentWidget())
        self._filters_end = 1
        self._group = None
        self._change = ""  # what changed, said before the count
        self._say_timer = QTimer(self)
        self._say_timer.setSingleShot(True)
        self._say_timer.setInterval(self.SAY_AFTER_MS)
        self._say_timer.timeout.connect(self._say_count)
        self.search_edit.textEdited.connect(lambda _text: self.say_count())

    def _new_group(self) -> QHBoxLayout:
        box = QWidget(self)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        return layout

    def add(self, *widgets: QWidget, stretch: int = 0, space: bool = True) -> None:
        """Put ``widgets`` (a filter and its label) after the previous filters; with ``space``
        false, in the same group as the previous ones (a label and its field stay together on
        one line)."""
        if space or self._group is None:
            self._group = self._new_group()
            self._layout.insert_widget(self._filters_end, self._group.parentWidget())
            self._filters_end += 1
        for widget in widgets:
            self._group.addWidget(widget, stretch)
        if stretch:
            self._group.parentWidget().setSizePolicy(
                QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed
            )

    def follow(self, *filters: QWidget) -> None:
        """Say the count when one of ``filters`` (boxes to tick, drop-down lists) changes: a
        box says first whether it is now ticked (Ctrl+U ticks it from anywhere)."""
        for widget in filters:
            if isinstance(widget, QAbstractButton):
                widget.toggled.connect(
                    lambda on, box=widget: self.say_count(
                        arg(
                            self.tr("« %1 » activé") if on else self.tr("« %1 » désactivé"),
                            box.accessibleName() or box.text().replace("&", ""),
                        )
                    )
                )
            elif isinstance(widget, QComboBox):
                widget.activated.connect(lambda _index: self.say_count())

    def say_count(self, change: str = "") -> None:
        """Say how many actions are shown once the agent pauses; ``change`` first, if any."""
        if change:
            self._change = change
        self._say_timer.start()

    def say_cleared(self) -> None:
        self.say_count(self.tr("Filtres effacés"))

    def _say_count(self) -> None:
        text = self.count_label.text()
        if self._change:
            text = f"{self._change}. {text}"
            self._change = ""
        announce(text)

    def set_count(self, shown: int | None, total: int = 0, *, active: bool = False) -> None:
        """« 71 actions », « 1 action sur 71 » (nothing before a plan is shown); « Effacer les
        filtres » is enabled while a filter is ``active``."""
        if shown is None:
            self.count_label.setText("")
        else:
            word = plural(shown, self.tr("action"), self.tr("actions"))
            self.count_label.setText(
                arg(self.tr("%1 %2"), shown, word)
                if shown == total
                else arg(self.tr("%1 %2 sur %3"), shown, word, total)
            )
        self.count_label.setAccessibleName(self.count_label.text())
        self.clear_button.setEnabled(active)


# ==== menus =====================================================================================


def add_menu(window: QMainWindow, title: str, items: Iterable[QAction | None]) -> QMenu:
    """A menu of ``window``'s menu bar with ``items`` (``None`` for a separator)."""
    menu = window.menuBar().addMenu(title)
    for item in items:
        if item is None:
            menu.addSeparator()
        else:
            menu.addAction(item)
    return menu


# ==== panes ====================================================================================


class PaneSizer(QObject):
    """Shares a splitter's length between its panes by a rule (``sizes(length)``) each time the
    splitter is resized, until the user moves a handle or a saved state is restored: on a first
    start the panes fit the screen, small or large, instead of fixed sizes made for one."""

    def __init__(self, splitter: QSplitter, sizes: Callable[[int], list[int]]) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.sizes = sizes
        self.active = True
        splitter.installEventFilter(self)
        splitter.splitterMoved.connect(self._moved)

    def _moved(self, *_args: object) -> None:
        self.active = False

    def restore(self, state: QByteArray | None) -> bool:
        """Restore a saved ``state`` (the rule then stands aside); ``False`` when there is
        none or it does not apply."""
        if state is None or state.isEmpty() or not self.splitter.restoreState(state):
            return False
        self.active = False
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and watched is self.splitter and event.type() == QEvent.Type.Resize:
            vertical = self.splitter.orientation() == Qt.Orientation.Vertical
            length = self.splitter.height() if vertical else self.splitter.width()
            length -= self.splitter.handleWidth() * (self.splitter.count() - 1)
            self.splitter.setSizes(self.sizes(length))
        return False


def clamp(value: float, least: int, most: int) -> int:
    return int(min(max(value, least), most))


# ==== work in the status bar ====================================================================


class WorkIndicator(QWidget):
    """What the window is doing, at the right of its status bar: a line of text and a progress
    bar (busy, or done out of total), hidden when there is nothing going on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = MutedLabel()
        self.label.setObjectName("travail")
        self.progress = QProgressBar()
        self.progress.setObjectName("progression")
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Progression"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        self.finish()

    def start(self, text: str, done: int = 0, total: int = 0) -> None:
        """Show ``text`` and the progress (``total`` 0: busy without a measure)."""
        self.label.setText(text)
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setAccessibleDescription(text)
        self.progress.show()

    def finish(self) -> None:
        self.label.setText("")
        self.progress.hide()


# ==== the window on screen ======================================================================


def available_geometry(window: QWidget) -> QRect | None:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def restore_placement(
    window: QMainWindow,
    geometry: QByteArray,
    panes: PaneSizer | None = None,
    splitter_state: QByteArray | None = None,
) -> bool:
    """Put ``window`` back where it was (``geometry`` from ``saveGeometry``), within the screen
    it is on today (a laptop unplugged from its large screen); a first start takes the default
    size, no larger than the screen. Returns whether a saved place was used."""
    restored = not geometry.isEmpty() and window.restoreGeometry(geometry)
    available = available_geometry(window)
    if not restored:
        width, height = DEFAULT_SIZE
        if available is not None:
            width, height = min(width, available.width()), min(height, available.height())
        window.resize(width, height)
    elif available is not None and not window.isMaximized():
        frame = window.frameGeometry()
        extra_w = frame.width() - window.width()
        extra_h = frame.height() - window.height()
        window.resize(
            min(window.width(), available.width() - extra_w),
            min(window.height(), available.height() - extra_h),
        )
    if panes is not None:
        panes.restore(splitter_state)
    return restored


def show_placed(window: QMainWindow, restored: bool) -> None:
    """Show ``window``: as it was left, or maximised on a first start on a small screen."""
    available = available_geometry(window)
    small = available is not None and (
        available.width() < SMALL_SCREEN[0] or available.height() < SMALL_SCREEN[1]
    )
    if not restored and small:
        window.showMaximized()
    else:
        window.show()


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` (restored if minimised) above the others, with the keyboard."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    # Headless platforms (tests, captures) cannot raise a window, and say so.
    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        window.raise_()
    window.activateWindow()


def expanding_label(label: QLabel) -> QLabel:
    """A label that gives way to its neighbours (its text elided by the layout, complete in
    its tooltip): the header's titles never set the window's minimum width."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(40)
    return label
